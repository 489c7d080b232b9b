// Roles in the relay with stock Yjs clients: y-websocket providers of writers (members)
// and of a viewer on one card room. The viewer follows the document live (and a late
// viewer gets all of it), but what it types never reaches the writers; the writers keep
// converging. With a key, messages are sealed the way docs/internals.md ("Relay
// sessions, roles and logs") describes: the y-protocols header (1 byte, 2 for sync) in
// clear, then nonce and XChaCha20-Poly1305 of the whole message with the header as
// associated data; a receiver drops a message whose opened content does not start with
// its header. A forging viewer on a raw socket then tries both ways around the rule.
//
//   node ws-yjs-roles.mjs '{"url":"ws://127.0.0.1:8080/api/ws","card":"card:c..",
//      "writers":[3 tickets],"viewers":[3 tickets],"key":"<base64url 32 bytes>"|null}'
// prints one JSON object with what it saw.
import './lib/webcrypto.mjs'; // first: libsodium needs globalThis.crypto (Node 18)
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import { WebsocketProvider } from 'y-websocket';
import WebSocket from 'ws';
import sodium from 'libsodium-wrappers-sumo';
import { sealedWebSocket, until } from './lib/sealed-websocket.mjs';

const cfg = JSON.parse(process.argv[2]);
await sodium.ready;
const B64 = sodium.base64_variants.URLSAFE_NO_PADDING;
const key = cfg.key ? sodium.from_base64(cfg.key, B64) : null;
const NONCE = sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
const stats = {}; // sent, received, openFailures (dropped: did not open)

const headerLen = (m) => (m[0] === 0 ? 2 : 1);

// header in clear, then nonce and the sealed whole message (header as associated data)
function seal(plain, header = plain.subarray(0, headerLen(plain))) {
  const nonce = sodium.randombytes_buf(NONCE);
  const ct = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plain, header, null, nonce, key);
  const out = new Uint8Array(header.length + NONCE + ct.length);
  out.set(header);
  out.set(nonce, header.length);
  out.set(ct, header.length + NONCE);
  return out;
}

function open(msg) {
  const h = headerLen(msg);
  const header = msg.subarray(0, h);
  const plain = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
    null, msg.subarray(h + NONCE), header, msg.subarray(h, h + NONCE), key);
  for (let i = 0; i < h; i++) if (plain[i] !== header[i]) throw new Error('header does not match');
  return plain;
}

const SealedWebSocket = sealedWebSocket({ seal: key && seal, open: key && open, counts: stats });

const providers = [];

function provider(ticket) {
  const doc = new Y.Doc();
  const p = new WebsocketProvider(cfg.url, cfg.card, doc, {
    params: { t: ticket },
    WebSocketPolyfill: SealedWebSocket,
    disableBc: true,
    maxBackoffTime: 60000,
  });
  providers.push(p);
  return { doc, p, text: doc.getText('description') };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const connected = (x) => until(() => x.p.wsconnected);
const result = {};

const a = provider(cfg.writers[0]);
const v = provider(cfg.viewers[0]);
result.connected = (await connected(a)) && (await connected(v));
await sleep(200);

a.text.insert(0, 'written by A. ');
result.viewerFollows = await until(() => v.text.toString() === 'written by A. ');

// the viewer types: its own copy changes, nobody else's
v.text.insert(0, 'FORGED BY VIEWER. ');
await sleep(800);
result.viewerLocal = v.text.toString().includes('FORGED');
result.writerUntouched = !a.text.toString().includes('FORGED');

// a second writer joins late, gets A's text only, and both keep converging
const b = provider(cfg.writers[1]);
await connected(b);
result.writerJoins = await until(() => b.text.toString() === a.text.toString());
b.text.insert(b.text.length, 'and B. ');
result.writersConverge = await until(() => a.text.toString() === 'written by A. and B. '
  && b.text.toString() === a.text.toString());
result.viewerStillFollows = await until(() => v.text.toString().includes('and B.'));

// a late viewer gets the whole document from the writers online
const w = provider(cfg.viewers[1]);
await connected(w);
result.lateViewer = await until(() => w.text.toString() === a.text.toString());

// a forging viewer on a raw socket: an update with its true header (the relay drops
// it) and, sealed, an update behind a sync-step-1 header (receivers drop it)
const forger = new Y.Doc();
forger.getText('description').insert(0, 'RAW FORGERY. ');
const update = Y.encodeStateAsUpdate(forger);
const enc = encoding.createEncoder();
encoding.writeVarUint(enc, 0); // sync
encoding.writeVarUint(enc, 2); // update
encoding.writeVarUint8Array(enc, update);
const msg = encoding.toUint8Array(enc);
const raw = new WebSocket(`${cfg.url}/${cfg.card}?t=${cfg.viewers[2]}`);
await until(() => raw.readyState === WebSocket.OPEN);
await sleep(200);
raw.send(key ? seal(msg) : msg);
if (key) raw.send(seal(msg, new Uint8Array([0, 0])));
await sleep(800);
result.forgeryRejected = !a.text.toString().includes('RAW FORGERY')
  && !b.text.toString().includes('RAW FORGERY');
result.text = a.text.toString();
result.stats = stats;

for (const p of providers) p.destroy();
raw.close();
await sleep(100);
console.log(JSON.stringify(result));
process.exit(0);
