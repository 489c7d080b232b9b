// Stock Yjs clients through the relay: y-websocket WebsocketProviders on a card room
// converge (late joiner included), awareness travels on a board room. With a key, every
// message is sealed with XChaCha20-Poly1305 (libsodium) before it leaves the client, and
// a plain observer in the room checks that it sees ciphertext only.
//
//   node ws-yjs.mjs '{"url":"ws://127.0.0.1:8080/api/ws","card":"card:c..","board":"board:c..",
//                     "tickets":{"card":[4 tickets],"board":[2 tickets]},"key":"<base64url 32 bytes>"}'
// prints one JSON object with what it saw.
import './lib/webcrypto.mjs'; // first: libsodium needs globalThis.crypto (Node 18)
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import WebSocket from 'ws';
import sodium from 'libsodium-wrappers-sumo';
import { sealedWebSocket, until } from './lib/sealed-websocket.mjs';

const cfg = JSON.parse(process.argv[2]);
await sodium.ready;
const B64 = sodium.base64_variants.URLSAFE_NO_PADDING;
const key = cfg.key ? sodium.from_base64(cfg.key, B64) : null;
const NONCE = sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
const stats = {}; // sent, received, openFailures (messages that did not open)

function seal(plain) {
  const nonce = sodium.randombytes_buf(NONCE);
  const ct = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plain, null, null, nonce, key);
  const out = new Uint8Array(NONCE + ct.length);
  out.set(nonce);
  out.set(ct, NONCE);
  return out;
}

function open(sealed) {
  return sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
    null, sealed.subarray(NONCE), null, sealed.subarray(0, NONCE), key);
}

const SealedWebSocket = sealedWebSocket({ seal: key && seal, open: key && open, counts: stats });

const providers = [];

function provider(room, ticket) {
  const doc = new Y.Doc();
  const p = new WebsocketProvider(cfg.url, room, doc, {
    params: { t: ticket },
    WebSocketPolyfill: SealedWebSocket,
    disableBc: true,          // same process: peers must meet through the relay only
    maxBackoffTime: 60000,
  });
  providers.push(p);
  return { doc, p, text: doc.getText('description') };
}

const connected = (x) => until(() => x.p.wsconnected);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const result = {};

// a plain client in the card room that only listens
const seen = [];
const observer = new WebSocket(`${cfg.url}/${cfg.card}?t=${cfg.tickets.card[3]}`);
observer.binaryType = 'arraybuffer';
observer.on('message', (data) => seen.push(new Uint8Array(data)));
await until(() => observer.readyState === WebSocket.OPEN);

const a = provider(cfg.card, cfg.tickets.card[0]);
const b = provider(cfg.card, cfg.tickets.card[1]);
result.connected = (await connected(a)) && (await connected(b));
await sleep(200);

a.text.insert(0, 'secret from A. ');
b.text.insert(0, 'secret from B. ');
result.converged = await until(() => a.text.toString() === b.text.toString()
  && a.text.toString().includes('secret from A') && a.text.toString().includes('secret from B'));

// concurrent edits at the same place
a.text.insert(0, 'x');
b.text.insert(0, 'y');
result.concurrent = await until(() => a.text.toString() === b.text.toString()
  && a.text.toString().length === 'secret from A. secret from B. '.length + 2);

// a late joiner, while both are online, gets the whole document
const c = provider(cfg.card, cfg.tickets.card[2]);
await connected(c);
result.lateJoiner = await until(() => c.text.toString() === a.text.toString());
c.text.insert(c.text.length, 'C was here.');
result.lateJoinerWrites = await until(() => a.text.toString().endsWith('C was here.')
  && b.text.toString() === a.text.toString());
result.text = a.text.toString();

// awareness (presence) on a board room
const d = provider(cfg.board, cfg.tickets.board[0]);
const e = provider(cfg.board, cfg.tickets.board[1]);
await connected(d);
await connected(e);
await sleep(200);
d.p.awareness.setLocalStateField('user', { name: 'alice', color: '#30bced' });
e.p.awareness.setLocalStateField('user', { name: 'bob', color: '#6eeb83' });
result.awareness = await until(() => {
  const fromD = e.p.awareness.getStates().get(d.doc.clientID);
  const fromE = d.p.awareness.getStates().get(e.doc.clientID);
  return fromD?.user?.name === 'alice' && fromE?.user?.name === 'bob';
});

await sleep(300);
const needle = new TextEncoder().encode('secret from');
const contains = (hay, n) => {
  outer: for (let i = 0; i + n.length <= hay.length; i++) {
    for (let j = 0; j < n.length; j++) if (hay[i + j] !== n[j]) continue outer;
    return true;
  }
  return false;
};
result.observer = {
  messages: seen.length,
  plaintextSeen: seen.some((m) => contains(m, needle)),
  allOpen: key ? seen.every((m) => { try { open(m); return true; } catch { return false; } }) : null,
};
result.stats = stats;

for (const p of providers) p.destroy();
observer.close();
await sleep(100);
console.log(JSON.stringify(result));
process.exit(0);
