// bench/ws/client.mjs: many WebSocket clients in many rooms, one sender per room, the
// other members receive. Messages are real Yjs updates (sync protocol "update" frames),
// so that @y/websocket-server, which parses and applies them, and the mskanban relay,
// which does not look inside, get the same bytes.
//
//   node client.mjs '{"url":"ws://127.0.0.1:8080/api/ws/","query":"?t=...","conns":1000,
//                     "rooms":100,"rate":10,"seconds":10,"burst":200,"pids":[123]}'
// prints one JSON object: connect time, RSS per connection of the pids, latency
// percentiles at a steady rate, delivered messages/s of a burst.
import WebSocket from 'ws';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import { readFileSync } from 'fs';

const cfg = JSON.parse(process.argv[2]);
const perRoom = Math.floor(cfg.conns / cfg.rooms);
const rooms = [];
const now = () => performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function rssKiB(pids) {
  let sum = 0;
  for (const pid of pids) {
    const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/);
    sum += m ? Number(m[1]) : 0;
  }
  return sum;
}

// utime + stime of the pids, in seconds (fields 14 and 15 of proc(5))
function cpuSecs(pids) {
  let ticks = 0, user = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]);
      user += Number(f[11]);
    } catch { /* gone */ }
  }
  cpuSecs.user = user / (cfg.hz ?? 100);   // utime alone, of the last call
  return ticks / (cfg.hz ?? 100);
}

// n Yjs update messages from one document
function updates(n) {
  const doc = new Y.Doc();
  const out = [];
  doc.on('update', (u) => {
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, 0);   // messageSync
    encoding.writeVarUint(e, 2);   // messageYjsUpdate
    encoding.writeVarUint8Array(e, u);
    out.push(encoding.toUint8Array(e));
  });
  const map = doc.getMap('m');
  for (let i = 0; i < n; i++) map.set('k', `${i} ${'x'.repeat(64)}`);
  return out;
}

function open(url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.binaryType = 'nodebuffer';
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

const rss0 = rssKiB(cfg.pids);
const t0 = now();
for (let r = 0; r < cfg.rooms; r++) {
  const room = { name: `card:cbench${r}`, members: [], sent: [], got: 0, lat: [] };
  rooms.push(room);
}
// connect in waves of 100
const all = [];
for (let r = 0; r < cfg.rooms; r++) {
  for (let i = 0; i < perRoom; i++) all.push([rooms[r], i]);
}
for (let i = 0; i < all.length; i += 100) {
  await Promise.all(all.slice(i, i + 100).map(async ([room, k]) => {
    const ws = await open(cfg.url + room.name + (cfg.query ?? ''));
    room.members[k] = ws;
    if (k > 0) {
      ws.on('message', (data) => {
        if (data[0] !== 0 || data[1] !== 2) return;   // only updates
        room.got++;
        const sentAt = room.sent[ws.seq++];
        if (sentAt !== undefined && room.measure) room.lat.push(now() - sentAt);
      });
    }
  }));
}
const connectMs = now() - t0;
await sleep(1500);
const rss1 = rssKiB(cfg.pids);

// steady rate: every sender sends cfg.rate messages/s for cfg.seconds
const steady = cfg.rate * cfg.seconds;
const burst = cfg.burst;
const msgs = updates(steady + burst + 1);
const reset = (measure) => {
  for (const room of rooms) {
    room.measure = measure;
    room.got = 0;
    room.sent = [];
    for (const ws of room.members) ws.seq = 0;
  }
};
reset(true);
const interval = 1000 / (cfg.rate || 1);
const cpu0 = cpuSecs(cfg.pids);
const user0 = cpuSecs.user;
const redisCpu0 = cpuSecs(cfg.redisPids ?? []);
const start = now();
for (let i = 0; i < steady; i++) {
  const due = start + i * interval;
  const wait = due - now();
  if (wait > 0) await sleep(wait);
  for (const room of rooms) {
    room.sent[i] = now();
    room.members[0].send(msgs[i]);
  }
}
const expected = steady * (perRoom - 1);
const deadline = now() + 10000;
while (rooms.some((r) => r.got < expected) && now() < deadline) await sleep(20);
const steadySecs = (now() - start) / 1000;
await sleep(200);
const cpuSteady = cpuSecs(cfg.pids) - cpu0;
const userSteady = cpuSecs.user - user0;
const redisCpuSteady = cpuSecs(cfg.redisPids ?? []) - redisCpu0;
const lat = rooms.flatMap((r) => r.lat).sort((a, b) => a - b);
const pct = (p) => lat.length ? +lat[Math.min(lat.length - 1, Math.floor(p * lat.length))].toFixed(2) : null;
const steadyDelivered = rooms.reduce((s, r) => s + r.got, 0);

// burst: every sender sends cfg.burst messages back to back
reset(false);
const b0 = now();
for (let i = 0; i < burst; i++) {
  for (const room of rooms) room.members[0].send(msgs[steady + i]);
}
const bExpected = burst * (perRoom - 1);
const bDeadline = now() + 60000;
while (rooms.some((r) => r.got < bExpected) && now() < bDeadline) await sleep(5);
const bMs = now() - b0;
const bDelivered = rooms.reduce((s, r) => s + r.got, 0);

console.log(JSON.stringify({
  conns: rooms.length * perRoom,
  rooms: rooms.length,
  connectMs: Math.round(connectMs),
  rssKiB: { before: rss0, after: rss1 },
  rssPerConnKiB: +((rss1 - rss0) / (rooms.length * perRoom)).toFixed(2),
  steady: {
    inPerSec: cfg.rate * rooms.length,
    delivered: steadyDelivered,
    expected: expected * rooms.length,
    p50ms: pct(0.5),
    p99ms: pct(0.99),
    secs: +steadySecs.toFixed(2),
    cpuSecs: +cpuSteady.toFixed(3),
    cpuUsPerDelivery: steadyDelivered ? +((cpuSteady * 1e6) / steadyDelivered).toFixed(3) : null,
    userUsPerDelivery: steadyDelivered ? +((userSteady * 1e6) / steadyDelivered).toFixed(3) : null,
    redisCpuUsPerDelivery: cfg.redisPids?.length && steadyDelivered ? +((redisCpuSteady * 1e6) / steadyDelivered).toFixed(3) : null,
  },
  burst: {
    sent: burst * rooms.length,
    delivered: bDelivered,
    expected: bExpected * rooms.length,
    ms: Math.round(bMs),
    deliveredPerSec: Math.round(bDelivered / (bMs / 1000)),
  },
}));
for (const room of rooms) for (const ws of room.members) ws.terminate();
process.exit(0);
