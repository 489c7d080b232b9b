// bench/sse/client.mjs: N SSE subscribers on one channel, one process, raw sockets.
// Every tick's data is {"seq":N,"pad":"..."}; each subscriber parses its events and
// records which seqs it saw (and how often), so losses and duplicates are counted.
// Prints one JSON object. Used by bench/sse/run.sh. Node 18 or newer.
//
//   node client.mjs --port P --path /sub/board --n 1000 --pub redis:PORT:CHANNEL|http:PORT:PATH
//     [--pids 1,2] [--hz 100] [--srcs 1] [--cookie C] [--pad 200] [--mode M] ...
//
// --mode fanout (default): connect, RSS per subscriber; --ticks single ticks (latency);
//    --cputicks ticks at --cpurate/s: the workers' utime+stime (/proc/<pid>/stat) per
//    delivery; --burst ticks back to back: delivered ticks/s. A phase with 0 is skipped.
// --mode slow: --n subscribers that stop reading once the 200 arrived, and one that
//    reads; --ticks ticks; peak worker RSS; then the non-readers read again and those
//    the server had closed are counted.
// --mode outage: --n subscribers, ticks at --rate/s throughout; `--ctl stop` (kill -STOP
//    Redis) until the error log (--log) gets a line matching --notice (or --stopmax s),
//    then `--ctl cont`; later `--ctl restart`. Counts streams closed and, per stream,
//    ticks lost (acknowledged by Redis, never seen) and duplicated.
// --srcs K spreads the connections over source addresses 127.0.0.1..K (ports run out
// at ~28k per source address).
import net from 'node:net';
import http from 'node:http';
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((a, v, i, all) => (i % 2 ? a : [...a, [v.replace(/^--/, ''), all[i + 1]]]), []));
const MODE = args.mode ?? 'fanout';
const N = Number(args.n ?? 1000);
const TICKS = Number(args.ticks ?? 20);
const BURST = Number(args.burst ?? 100);
const CPUTICKS = Number(args.cputicks ?? 0);
const CPURATE = Number(args.cpurate ?? 10);
const PORT = Number(args.port);
const PATH = args.path;
const HZ = Number(args.hz ?? 100);
const SRCS = Number(args.srcs ?? 1);
const MAXSEQ = 1 << 16;
const pids = (args.pids ?? '').split(',').filter(Boolean);
const pad = 'p'.repeat(Number(args.pad ?? 200));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.now();

function rssKiB() {
  let sum = 0;
  for (const pid of pids) {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) sum += Number(m[1]);
    } catch { /* worker gone */ }
  }
  return sum;
}

// utime + stime of the workers, in seconds (cpuSecs.user: utime alone)
function cpuSecs() {
  let ticks = 0, user = 0;
  for (const pid of pids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]);   // fields 14 and 15 of proc(5)
      user += Number(f[11]);
    } catch { /* worker gone */ }
  }
  cpuSecs.user = user / HZ;
  return ticks / HZ;
}

// --- publishing -------------------------------------------------------------------
// pub.acked: seqs Redis (or nchan) accepted, in order
const [pubKind, pubPort, ...rest] = args.pub.split(':');
const pubTarget = rest.join(':');
const pub = { acked: [], failed: 0, pending: [] };
let publish;
if (pubKind === 'redis') {
  // the core's way: XADD to the board stream and PUBLISH "<id> <VERB> <json>", atomically
  const script = "local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', 1000, '*', 'verb', ARGV[1], 'data', ARGV[2]) " +
    "redis.call('PUBLISH', KEYS[2], id .. ' ' .. ARGV[1] .. ' ' .. ARGV[2]) return id";
  const resp = (...a) => `*${a.length}\r\n` + a.map((s) => `$${Buffer.byteLength(s)}\r\n${s}\r\n`).join('');
  let sock = null;
  let buf = '';
  const connect = () => {
    const s = net.connect(Number(pubPort), '127.0.0.1');
    s.setNoDelay(true);
    s.setEncoding('latin1');
    s.on('data', (d) => {
      buf += d;
      for (;;) {                      // replies: $len\r\n<id>\r\n or -ERR ...\r\n
        const eol = buf.indexOf('\r\n');
        if (eol < 0) return;
        if (buf[0] === '$') {
          const len = Number(buf.slice(1, eol));
          if (buf.length < eol + 2 + len + 2) return;
          buf = buf.slice(eol + 2 + len + 2);
          pub.acked.push(pub.pending.shift());
        } else {
          buf = buf.slice(eol + 2);
          pub.pending.shift();
          pub.failed++;
        }
      }
    });
    s.on('error', () => {});
    s.on('close', () => {
      pub.failed += pub.pending.length;
      pub.pending = [];
      buf = '';
      if (sock === s) sock = null;
    });
    sock = s;
  };
  connect();
  publish = async (seq) => {
    if (!sock) connect();
    pub.pending.push(seq);
    sock.write(resp('EVAL', script, '2', `${pubTarget}:ticks`, pubTarget, 'BENCH_TICK',
      JSON.stringify({ seq, pad })));
  };
} else {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  publish = (seq) => new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port: Number(pubPort), path: pubTarget, method: 'POST', agent,
      headers: { 'Content-Type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => { if (res.statusCode < 300) pub.acked.push(seq); else pub.failed++; resolve(); });
    });
    req.on('error', () => { pub.failed++; resolve(); });
    req.end(JSON.stringify({ seq, pad }));
  });
}

// --- subscribers ------------------------------------------------------------------
const subs = [];
let open = 0;
let failed = 0;
let closedAfterOpen = 0;
let reconnects = 0;
let stopping = false;
const RECONNECT = MODE === 'outage' && args.reconnect !== '0';
const RETRY_MS = Number(args.retry ?? 1000);
let lastDataAt = 0;
// until nothing arrived for quietMs (the client may lag behind the server)
async function quiet(quietMs, maxMs) {
  const end = now() + maxMs;
  while (now() - lastDataAt < quietMs && now() < end) await sleep(100);
}
const seenBy = new Map();  // seq -> number of subscribers that saw it
const pubAt = new Map();   // seq -> publish time
const latencies = new Map(); // seq -> [ms]

function onEvent(s, ev) {
  const id = /(?:^|\n)id: ([^\n]*)/.exec(ev);
  if (id) s.lastId = id[1];
  const m = /\ndata: \{"seq":(\d+)/.exec('\n' + ev);
  if (!m) return;
  const seq = Number(m[1]);
  s.count++;
  if (seq < MAXSEQ) {
    if (s.seen[seq]) { s.dups++; return; }
    s.seen[seq] = 1;
  }
  if (seq > s.last) s.last = seq;
  seenBy.set(seq, (seenBy.get(seq) ?? 0) + 1);
  const t0 = pubAt.get(seq);
  if (t0 !== undefined && latencies.has(seq)) latencies.get(seq).push(now() - t0);
}

// the body of a chunked response; the last chunk ends the stream like a close
function dechunk(s, chunk) {
  s.raw = (s.raw ?? '') + chunk;
  let out = '';
  for (;;) {
    if (s.left > 0) {
      const take = s.raw.slice(0, s.left);
      out += take;
      s.left -= take.length;
      s.raw = s.raw.slice(take.length);
      if (s.left > 0) return out;
      s.left = -2;                      // then the chunk's CRLF
    }
    if (s.left === -2) {
      if (s.raw.length < 2) return out;
      s.raw = s.raw.slice(2);
      s.left = 0;
    }
    const eol = s.raw.indexOf('\r\n');
    if (eol < 0) return out;
    const size = parseInt(s.raw.slice(0, eol), 16);
    s.raw = s.raw.slice(eol + 2);
    if (size === 0) {                   // the response ended: the stream is closed
      s.sock.destroy();
      return out;
    }
    s.left = size;
  }
}

// subscriber i; prev: the connection it replaces (an EventSource reconnecting with
// Last-Event-ID after the server closed the stream; what it saw carries over)
function subscribe(i, { reads = true } = {}, prev = null) {
  const opts = { port: PORT, host: '127.0.0.1' };
  if (SRCS > 1) opts.localAddress = `127.0.0.${1 + (i % SRCS)}`;
  const s = { sock: net.connect(opts), head: '', ok: false, buf: '', last: -1, count: 0, dups: 0,
    seen: new Uint8Array(MAXSEQ), openedAt: 0, closedAt: 0, bytes: 0, chunked: false, left: 0,
    lastId: null, closes: 0 };
  if (prev) {
    for (const k of ['last', 'count', 'dups', 'seen', 'lastId']) s[k] = prev[k];
    s.closes = prev.closes + 1;
  }
  s.sock.setEncoding('latin1');
  s.sock.on('connect', () => {
    s.sock.write(`GET ${PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n` +
      (args.cookie ? `Cookie: ${args.cookie}\r\n` : '') +
      (s.lastId ? `Last-Event-ID: ${s.lastId}\r\n` : '') + '\r\n');
  });
  s.sock.on('data', (chunk) => {
    s.bytes += chunk.length;
    lastDataAt = now();
    if (!s.ok) {
      s.head += chunk;
      const end = s.head.indexOf('\r\n\r\n');
      if (end < 0) return;
      if (!/^HTTP\/1\.1 200/.test(s.head)) {
        s.failedCounted = true;
        if (!failed++) process.stderr.write(`subscriber refused: ${s.head.slice(0, 300)}\n`);
        s.sock.destroy();
        return;
      }
      s.ok = true;
      s.openedAt = now();
      open++;
      if (!reads) s.sock.pause();
      s.chunked = /\r\ntransfer-encoding:\s*chunked/i.test(s.head.slice(0, end + 2));
      chunk = s.head.slice(end + 4);
      s.head = '';
    }
    if (s.chunked) chunk = dechunk(s, chunk);
    s.buf += chunk;
    let at;
    while ((at = s.buf.indexOf('\n\n')) >= 0) {
      onEvent(s, s.buf.slice(0, at));
      s.buf = s.buf.slice(at + 2);
    }
  });
  s.sock.on('error', () => {});
  s.sock.on('close', () => {
    if (s.ok) {
      open--;
      closedAfterOpen++;
      s.closedAt = now();
      if (RECONNECT && !stopping) {
        reconnects++;
        setTimeout(() => { if (!stopping) subscribe(i, { reads }, s); }, RETRY_MS * (1 + Math.random()));
      }
    } else if (!s.failedCounted) { s.failedCounted = true; failed++; }
  });
  subs[i] = s;
  return s;
}

async function waitFor(cond, ms) {
  const end = now() + ms;
  while (!cond() && now() < end) await sleep(2);
  return cond();
}

const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]; };
const fix = (x, d = 2) => (x === undefined || Number.isNaN(x) ? null : +x.toFixed(d));

async function connectAll(n, opts) {
  const t0 = now();
  for (let i = 0; i < n; i++) {
    subscribe(i, opts);
    if (i % 200 === 199) await waitFor(() => open + failed >= i - 100, 10000);
  }
  await waitFor(() => open + failed >= n, 120000);
  return (now() - t0) / 1000;
}

const result = { mode: MODE, n: N };
let seq = 0;
const rss0 = rssKiB();

if (MODE === 'fanout') {
  result.connectSecs = fix(await connectAll(N));
  result.open = open;
  result.failed = failed;
  if (open === 0) {
    console.log(JSON.stringify({ ...result, error: 'no subscriber connected' }));
    process.exit(1);
  }
  await sleep(1500);
  const rss1 = rssKiB();
  result.rssKiB = { before: rss0, after: rss1, perSubscriber: fix((rss1 - rss0) / Math.max(1, open)) };

  // (1) latency, one tick at a time
  if (TICKS > 0) {
    const perTick = [];
    for (let i = 0; i < TICKS; i++) {
      seq++;
      latencies.set(seq, []);
      pubAt.set(seq, now());
      await publish(seq);
      await waitFor(() => (seenBy.get(seq) ?? 0) >= open, 10000);
      const l = latencies.get(seq);
      perTick.push({ p50: pct(l, 0.5), p99: pct(l, 0.99), last: Math.max(...l) });
      await sleep(50);
    }
    const med = (k) => pct(perTick.map((t) => t[k]), 0.5);
    result.latencyMs = { p50: fix(med('p50')), p99: fix(med('p99')), last: fix(med('last')),
      lastWorst: fix(Math.max(...perTick.map((t) => t.last))), ticks: TICKS };
  }

  // (2) server CPU per delivery: ticks at a steady rate, workers' utime+stime
  if (CPUTICKS > 0) {
    await sleep(500);
    const counts = subs.map((s) => s.count);
    const c0 = cpuSecs();
    const u0 = cpuSecs.user;
    const t0 = now();
    for (let i = 0; i < CPUTICKS; i++) {
      const due = t0 + (i * 1000) / CPURATE;
      if (due > now()) await sleep(due - now());
      await publish(++seq);
    }
    await waitFor(() => (seenBy.get(seq) ?? 0) >= open, 60000);
    await sleep(200);
    const c1 = cpuSecs();
    const delivered = subs.reduce((a, s, i) => a + s.count - counts[i], 0);
    result.cpu = { ticks: CPUTICKS, ratePerSec: CPURATE, delivered, expected: CPUTICKS * open,
      secs: fix(c1 - c0, 3), usPerDelivery: fix(((c1 - c0) * 1e6) / Math.max(1, delivered), 3),
      userUsPerDelivery: fix(((cpuSecs.user - u0) * 1e6) / Math.max(1, delivered), 3) };
  }

  // (3) a burst, as fast as it publishes
  if (BURST > 0) {
    const counts = subs.map((s) => s.count);
    const tb = now();
    for (let i = 0; i < BURST; i++) { seq++; pubAt.set(seq, tb); await publish(seq); }
    await waitFor(() => (seenBy.get(seq) ?? 0) >= open, 60000);
    const secs = (now() - tb) / 1000;
    const delivered = subs.reduce((a, s, i) => a + s.count - counts[i], 0);
    result.burst = { ticks: BURST, delivered, expected: BURST * open, secs: fix(secs, 3),
      ticksPerSec: Math.round(delivered / secs) };
  }
  result.dups = subs.reduce((a, s) => a + s.dups, 0);
  result.closed = closedAfterOpen;
} else if (MODE === 'slow') {
  // N subscribers stop reading; one keeps reading and paces the publisher
  await connectAll(N, { reads: false });
  const reader = subscribe(N);
  await waitFor(() => reader.ok, 10000);
  result.open = open - 1;
  result.failed = failed;
  await sleep(1000);
  const rss1 = rssKiB();
  let peak = rss1;
  const sampler = setInterval(() => { peak = Math.max(peak, rssKiB()); }, 50);
  for (let i = 0; i < TICKS; i++) {
    await publish(++seq);
    if (i % 50 === 49) await waitFor(() => reader.last >= seq, 10000);
  }
  await waitFor(() => reader.last >= seq, 10000);
  await sleep(Number(args.settle ?? 3000));
  clearInterval(sampler);
  peak = Math.max(peak, rssKiB());
  const closedWhilePaused = closedAfterOpen;
  // read again: a stream the server closed ends once its buffered bytes are read
  for (const s of subs) s.sock.resume();
  await sleep(5000);
  const slow = subs.filter((s) => s !== reader && s.openedAt);
  const closed = slow.filter((s) => s.closedAt).length;
  result.ticks = TICKS;
  result.payloadBytesPerTick = JSON.stringify({ seq, pad }).length;
  result.readerGot = reader.count;
  result.closedWhilePaused = closedWhilePaused;
  result.nonReadersClosed = closed;
  result.nonReadersOpen = slow.length - closed;
  result.ticksGotByNonReaders = { min: Math.min(...slow.map((s) => s.count)), max: Math.max(...slow.map((s) => s.count)) };
  result.rssKiB = { before: rss0, connected: rss1, peak,
    peakGrowthPerNonReader: fix((peak - rss1) / Math.max(1, slow.length)) };
} else if (MODE === 'outage') {
  const ctl = (what) => execFileSync(args.ctl, [what], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 30000 });
  const logLines = () => { try { return fs.readFileSync(args.log, 'utf8').split('\n').length; } catch { return 0; } };
  const noticeRe = new RegExp(args.notice ?? 'mskanban: redis');
  const RATE = Number(args.rate ?? 10);
  result.connectSecs = fix(await connectAll(N));
  result.open = open;
  result.failed = failed;
  await sleep(1000);
  // ticks at RATE/s in the background until told to stop
  let ticking = true;
  const ticker = (async () => {
    const t0 = now();
    for (let i = 0; ticking; i++) {
      const due = t0 + (i * 1000) / RATE;
      if (due > now()) await sleep(due - now());
      await publish(++seq);
    }
  })();
  await sleep(2000);

  // (1) kill -STOP: how long until the module says so in its log
  const openBeforeStop = open;
  const closedBeforeStop = closedAfterOpen;
  const lines0 = logLines();
  ctl('stop');
  const ts = now();
  let noticedMs = null;
  let noticeLine = null;
  const stopMax = Number(args.stopmax ?? 60) * 1000;
  while (now() - ts < stopMax) {
    await sleep(100);
    const l = fs.existsSync(args.log) ? fs.readFileSync(args.log, 'utf8').split('\n').slice(lines0 - 1) : [];
    const hit = l.find((x) => noticeRe.test(x));
    if (hit) { noticedMs = Math.round(now() - ts); noticeLine = hit.replace(/^.*?\[/, '[').slice(0, 200); break; }
  }
  ctl('cont');
  await sleep(3000);
  await quiet(2000, 30000);
  result.stop = { openBefore: openBeforeStop, noticedMs, waitedMaxMs: stopMax, noticeLine,
    openAfter: open, closed: closedAfterOpen - closedBeforeStop };

  // (2) restart Redis (SHUTDOWN, start again: the AOF keeps the board stream)
  const openBeforeRestart = open;
  ctl('restart');
  await sleep(Number(args.after ?? 10000));
  ticking = false;
  await ticker;
  await quiet(3000, 60000);
  // per subscriber (across its reconnections): acked ticks from its first one on that it
  // never got, and ticks it got twice
  stopping = true;
  const acked = pub.acked;
  let lost = 0, dups = 0, withLoss = 0, everClosed = 0, openNow = 0;
  for (const s of subs) {
    if (!s || !(s.openedAt || s.closes)) continue;
    dups += s.dups;
    if (s.closes || s.closedAt) everClosed++;
    if (s.ok && !s.closedAt) openNow++;
    const from = s.seen.indexOf(1);
    if (from < 0) continue;
    let l = 0;
    for (const q of acked) if (q >= from && q < MAXSEQ && !s.seen[q]) l++;
    if (l) withLoss++;
    lost += l;
  }
  result.restart = { openBefore: openBeforeRestart, openAtEnd: openNow,
    streamsClosed: everClosed, reconnects, reconnect: RECONNECT,
    ticksPublished: seq, ticksAcked: acked.length, ticksRefused: pub.failed,
    ticksLost: lost, duplicates: dups, subscribersWithLoss: withLoss };
} else {
  throw new Error(`unknown --mode ${MODE}`);
}

stopping = true;
console.log(JSON.stringify(result));
for (const s of subs) s?.sock.destroy();
process.exit(0);
