// bench/sse/client.mjs: N SSE subscribers on one channel, one process, raw sockets.
// Measures (1) publish -> delivery latency of single ticks (p50/p99 over subscribers and
// the last subscriber), (2) delivered ticks/s for a burst, (3) nginx worker RSS per
// subscriber. Prints one JSON object. Used by bench/sse/run.sh.
//
//   node client.mjs --port P --path /sub/board --n 1000 --pub redis:PORT:CHANNEL|http:PORT:PATH
//                   [--ticks 20] [--burst 100] [--pids 1,2] [--cookie C]
import net from 'node:net';
import http from 'node:http';
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((a, v, i, all) => (i % 2 ? a : [...a, [v.replace(/^--/, ''), all[i + 1]]]), []));
const N = Number(args.n ?? 1000);
const TICKS = Number(args.ticks ?? 20);
const BURST = Number(args.burst ?? 100);
const PORT = Number(args.port);
const PATH = args.path;
const pids = (args.pids ?? '').split(',').filter(Boolean);
const pad = 'p'.repeat(Number(args.pad ?? 200));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function rssKiB() {
  let sum = 0;
  for (const pid of pids) {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (m) sum += Number(m[1]);
  }
  return sum;
}

// --- publishing -------------------------------------------------------------------
const [pubKind, pubPort, ...rest] = args.pub.split(':');
const pubTarget = rest.join(':');
let publish;
if (pubKind === 'redis') {
  // the core's way: XADD to the board stream and PUBLISH "<id> <VERB> <json>", atomically
  const script = "local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', 1000, '*', 'verb', ARGV[1], 'data', ARGV[2]) " +
    "redis.call('PUBLISH', KEYS[2], id .. ' ' .. ARGV[1] .. ' ' .. ARGV[2]) return id";
  const sock = net.connect(Number(pubPort), '127.0.0.1');
  sock.setNoDelay(true);
  sock.on('data', () => {});
  const resp = (...a) => `*${a.length}\r\n` + a.map((s) => `$${Buffer.byteLength(s)}\r\n${s}\r\n`).join('');
  publish = async (seq) => {
    sock.write(resp('EVAL', script, '2', `${pubTarget}:ticks`, pubTarget, 'BENCH_TICK',
      JSON.stringify({ seq, pad })));
  };
} else {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  publish = (seq) => new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: Number(pubPort), path: pubTarget, method: 'POST', agent,
      headers: { 'Content-Type': 'application/json' } }, (res) => { res.resume(); res.on('end', resolve); });
    req.on('error', reject);
    req.end(JSON.stringify({ seq, pad }));
  });
}

// --- subscribers ------------------------------------------------------------------
const subs = [];
let open = 0;
let failed = 0;
let seenBy = new Map();   // seq -> number of subscribers that saw it
const pubAt = new Map();  // seq -> publish time
let latencies = new Map(); // seq -> [ms]

function subscribe() {
  const s = { sock: net.connect(PORT, '127.0.0.1'), head: '', ok: false, carry: '', last: -1, count: 0 };
  s.sock.setEncoding('latin1');
  s.sock.on('connect', () => {
    s.sock.write(`GET ${PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n` +
      (args.cookie ? `Cookie: ${args.cookie}\r\n` : '') + '\r\n');
  });
  s.sock.on('data', (chunk) => {
    if (!s.ok) {
      s.head += chunk;
      const end = s.head.indexOf('\r\n\r\n');
      if (end < 0) return;
      if (!/^HTTP\/1\.1 200/.test(s.head)) {
        if (!failed++) process.stderr.write(`subscriber refused: ${s.head.slice(0, 300)}\n`);
        s.sock.destroy();
        return;
      }
      s.ok = true;
      open++;
      chunk = s.head.slice(end + 4);
    }
    const text = s.carry + chunk;
    const now = performance.now();
    for (const m of text.matchAll(/"seq":(\d+)/g)) {
      const seq = Number(m[1]);
      if (seq <= s.last) continue;
      s.last = seq;
      s.count++;
      seenBy.set(seq, (seenBy.get(seq) ?? 0) + 1);
      const t0 = pubAt.get(seq);
      if (t0 !== undefined && latencies.has(seq)) latencies.get(seq).push(now - t0);
    }
    s.carry = text.slice(-24);
  });
  s.sock.on('error', () => {});
  s.sock.on('close', () => { if (s.ok) open--; });
  subs.push(s);
}

async function waitFor(cond, ms) {
  const end = performance.now() + ms;
  while (!cond() && performance.now() < end) await sleep(2);
  return cond();
}

const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]; };

const rss0 = rssKiB();
const t0 = performance.now();
for (let i = 0; i < N; i++) {
  subscribe();
  if (i % 200 === 199) await waitFor(() => open + failed >= i - 100, 5000);
}
await waitFor(() => open + failed >= N, 60000);
const connectSecs = (performance.now() - t0) / 1000;
if (open === 0) {
  console.log(JSON.stringify({ n: N, open, failed, error: 'no subscriber connected' }));
  process.exit(1);
}
await sleep(1500);
const rss1 = rssKiB();

// (1) latency, one tick at a time
let seq = 0;
const perTick = [];
for (let i = 0; i < TICKS; i++) {
  seq++;
  latencies.set(seq, []);
  pubAt.set(seq, performance.now());
  await publish(seq);
  await waitFor(() => (seenBy.get(seq) ?? 0) >= open, 10000);
  const l = latencies.get(seq);
  perTick.push({ p50: pct(l, 0.5), p99: pct(l, 0.99), last: Math.max(...l), n: l.length });
  await sleep(50);
}
const med = (k) => pct(perTick.map((t) => t[k]), 0.5);

// (2) a burst, as fast as it publishes
const first = seq + 1;
const startCounts = subs.map((s) => s.count);
const tb = performance.now();
for (let i = 0; i < BURST; i++) { seq++; pubAt.set(seq, tb); await publish(seq); }
await waitFor(() => (seenBy.get(seq) ?? 0) >= open, 60000);
const burstSecs = (performance.now() - tb) / 1000;
const delivered = subs.reduce((a, s, i) => a + s.count - startCounts[i], 0);

console.log(JSON.stringify({
  n: N, open, failed, connectSecs: +connectSecs.toFixed(2),
  latencyMs: { p50: +med('p50').toFixed(2), p99: +med('p99').toFixed(2), last: +med('last').toFixed(2),
    lastWorst: +Math.max(...perTick.map((t) => t.last)).toFixed(2), ticks: TICKS },
  burst: { ticks: BURST, first, delivered, expected: BURST * open, secs: +burstSecs.toFixed(3),
    ticksPerSec: Math.round(delivered / burstSecs) },
  rssKiB: { before: rss0, after: rss1, perSubscriber: +((rss1 - rss0) / Math.max(1, open)).toFixed(2) },
}));
for (const s of subs) s.sock.destroy();
process.exit(0);
