// A real EventSource client (npm "eventsource", the WHATWG API) for t/42live-eventsource.t.
//   node live-eventsource.mjs URL SESSION_COOKIE COUNT TIMEOUT_MS TYPE...
// Prints one JSON line per open, error and event ({id, type, data}); exits 0 after COUNT
// events, 2 on timeout. EventSource itself reconnects and sends Last-Event-ID.
import { EventSource } from 'eventsource';

const [url, cookie, count, timeoutMs, ...types] = process.argv.slice(2);
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');

const es = new EventSource(url, {
  fetch: (input, init) => {
    const headers = new Headers(init?.headers);
    headers.set('Cookie', `mskanban_session=${cookie}`);
    return fetch(input, { ...init, headers });
  },
});

let n = 0;
es.onopen = () => out({ open: true });
es.onerror = (e) => out({ error: String(e?.message ?? 'error'), code: e?.code ?? null });
const onEvent = (ev) => {
  out({ id: ev.lastEventId, type: ev.type, data: ev.data });
  if (++n >= Number(count)) {
    es.close();
    process.exit(0);
  }
};
for (const type of types) es.addEventListener(type, onEvent);

setTimeout(() => {
  out({ timeout: true, received: n });
  process.exit(2);
}, Number(timeoutMs));
