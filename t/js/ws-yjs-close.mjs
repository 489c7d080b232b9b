// How stock y-websocket providers take the relay's closes (issue 15): one provider per
// ticket; each should be closed by the relay with a 44xx code (4401: its session ended,
// 4403: its access was revoked) and then stop, as y-websocket's default shouldReconnect
// does for 4400-4499, instead of retrying a spent ticket. Prints "connected" once every
// provider is connected (the caller then ends or revokes the sessions), then, when all
// were closed or after cfg.wait ms, one JSON line: per provider the close codes seen,
// the 'closed' events and the connection attempts made after the first close.
//
//   node ws-yjs-close.mjs '{"url":"ws://127.0.0.1:8080/api/ws","room":"card:c..",
//      "tickets":["..",".."],"wait":15000}'
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import WebSocket from 'ws';

const cfg = JSON.parse(process.argv[2]);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const watched = cfg.tickets.map((ticket) => {
  const w = { codes: [], closed: [], attemptsAfterClose: 0 };
  const p = new WebsocketProvider(cfg.url, cfg.room, new Y.Doc(), {
    params: { t: ticket },
    WebSocketPolyfill: WebSocket,
    disableBc: true,
  });
  p.on('connection-close', (event) => { if (event) w.codes.push(event.code); });
  p.on('closed', (event) => w.closed.push(event.code));
  // y-websocket emits no 'connecting' status when it retries: count sockets instead
  const Orig = p._WS;
  p._WS = function (...args) { if (w.codes.length) w.attemptsAfterClose++; return new Orig(...args); };
  w.p = p;
  return w;
});

const deadline = Date.now() + 10000;
while (Date.now() < deadline && !watched.every((w) => w.p.wsconnected)) await sleep(50);
console.log(watched.every((w) => w.p.wsconnected) ? 'connected' : 'not connected');

const end = Date.now() + (cfg.wait ?? 15000);
while (Date.now() < end && !watched.every((w) => w.codes.length)) await sleep(50);
await sleep(2000); // time enough for y-websocket's first retries (100 ms, 200 ms, ...)
console.log(JSON.stringify(watched.map(({ codes, closed, attemptsAfterClose }) => ({ codes, closed, attemptsAfterClose }))));
for (const w of watched) w.p.destroy();
process.exit(0);
