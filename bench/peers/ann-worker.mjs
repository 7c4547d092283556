// One native ANN library measured in this (fresh) Node process, printing one `RESULT {json}` line in the format of
// the Java AnnWorker: build time with one thread, then per efSearch the single-thread QPS and recall@10, after a
// warm-up, with the other processes' CPU during each point. The harness paces the sweep with the line protocol of
// WorkerProtocol.java: READY after the warm-up, then one `POINT {json}` per `NEXT` line read, DONE for the NEXT
// after the last point, one `POINT {json}` (marked again) per `AGAIN <ef>` line, and the RESULT for `REPORT`; at
// the end of input the rest of the sweep runs at once and the RESULT follows.
//
// node ann-worker.mjs <usearch|hnswlib-native> <l2|ip|cosine> <data prefix> <ef,ef,...> [M efConstruction reach maxEf]
// (defaults 16 100 0.995 4000). The sweep follows SweepGrid.java: the grid, then 1.25x while recall < reach, up to
// maxEf.
// The prefix names three files written by the Java harness (BenchData.writeRaw): <prefix>.base.f32,
// <prefix>.queries.f32 (int32 count, int32 dimension, then float32 rows) and <prefix>.truth.i32 (int32 count,
// int32 depth, then int32 rows of base positions, nearest first), all little-endian.
import { readFileSync, readdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
// A package's own version (not every package exports its package.json).
const versionOf = name => JSON.parse(readFileSync(new URL(`./node_modules/${name}/package.json`, import.meta.url))).version;
const [lib, metric, prefix, efArg, mArg, efcArg, reachArg, maxEfArg] = process.argv.slice(2);
const efs = efArg.split(',').map(Number);
const K = 10;
const M = Number(mArg ?? 16);
const EF_CONSTRUCTION = Number(efcArg ?? 100);
const REACH = Number(reachArg ?? 0.995);
const MAX_EF = Number(maxEfArg ?? 4000);

// The efSearch after `ef` (which reached `recall`), or -1 to stop: as SweepGrid.next in the Java harness.
function nextEf(ef, recall) {
  const g = efs.find(e => e > ef);
  if (g !== undefined) return g;
  if (recall >= REACH || ef >= MAX_EF) return -1;
  return Math.min(MAX_EF, Math.max(ef + 1, Math.round(ef * 1.25)));
}

function readMatrix(path, Type) {
  const buf = readFileSync(path);
  const n = buf.readInt32LE(0);
  const d = buf.readInt32LE(4);
  const data = new Type(buf.buffer.slice(buf.byteOffset + 8, buf.byteOffset + 8 + n * d * 4));
  return { n, d, data };
}

const base = readMatrix(`${prefix}.base.f32`, Float32Array);
const queries = readMatrix(`${prefix}.queries.f32`, Float32Array);
const truth = readMatrix(`${prefix}.truth.i32`, Int32Array);

function recallAt10(q, got, count) {
  let hit = 0;
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < K; j++) {
      if (truth.data[q * truth.d + j] === got[i]) { hit++; break; }
    }
  }
  return hit / K;
}

// Machine-wide busy CPU (jiffies, /proc/stat) minus this process's own (process.cpuUsage), as in MachineLoad.java.
const HZ = 100;
function machineBusySeconds() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3] + (f[4] || 0);
  return (f.reduce((a, b) => a + b, 0) - idle) / HZ;
}
function ownSeconds() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}
function loadStart() {
  return { busy: machineBusySeconds(), own: ownSeconds(), t: process.hrtime.bigint() };
}
function foreignCores(s) {
  const wall = Number(process.hrtime.bigint() - s.t) / 1e9;
  return Math.max(0, (machineBusySeconds() - s.busy) - (ownSeconds() - s.own)) / wall;
}
const sleep = ms => new Promise(r => setTimeout(r, ms));
async function awaitQuiet(maxCores, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let seen;
  do {
    const s = loadStart();
    await sleep(500);
    seen = foreignCores(s);
  } while (seen > maxCores && Date.now() < deadline);
  return seen;
}

// WorkerProtocol.java's worker side.
const turns = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
let inputEnded = false;
function ready() { console.log('READY'); }
async function readLine() {
  if (inputEnded) return null;
  const r = await turns.next();
  if (r.done) { inputEnded = true; return null; }
  return r.value;
}
async function awaitNext() {
  const line = await readLine();
  if (line !== null && line !== 'NEXT') {
    throw new Error(`worker for ${lib}: input must be NEXT during the sweep; line=${line}`);
  }
}
async function sweepOver() {
  await awaitNext();
  if (!inputEnded) console.log('DONE');
}
// The efSearch to measure again, or -1 for the report (or at the end of input).
async function awaitAgainOrReport() {
  const line = await readLine();
  if (line === null || line === 'REPORT') return -1;
  const m = /^AGAIN ([1-9][0-9]{0,8})$/.exec(line);
  if (m) return Number(m[1]);
  throw new Error(`worker for ${lib}: input after the sweep must be AGAIN <ef in [1, 999999999]> or REPORT; `
    + `line=${line}`);
}
function point(p) {
  sweep.push(p);
  console.log('POINT ' + JSON.stringify(p));
}
// The sweep as the harness paces it, then the points it asks for again; measure(ef) returns one point.
async function runSweep(measure) {
  ready();
  for (let ef = efs[0]; ef > 0; ef = nextEf(ef, sweep[sweep.length - 1].recall)) {
    await awaitNext();
    point(await measure(ef));
  }
  await sweepOver();
  for (let ef; (ef = await awaitAgainOrReport()) > 0; ) point({ ...(await measure(ef)), again: true });
}

function row(m, i) {
  return m.data.subarray(i * m.d, (i + 1) * m.d);
}

const out = { jdk: `node ${process.version}` };
const sweep = [];

if (lib === 'usearch') {
  const usearch = require('usearch');
  // Cosine runs get unit vectors (BenchData): 'ip' ranks them as 'cos' does, without the norms.
  const kind = { l2: 'l2sq', ip: 'ip', cosine: 'ip' }[metric];
  const config = ef => ({ dimensions: base.d, metric: kind, connectivity: M, expansion_add: EF_CONSTRUCTION,
    expansion_search: ef });
  out.library = `usearch-${versionOf('usearch')}`;
  const keys = new BigUint64Array(base.n);
  for (let i = 0; i < base.n; i++) keys[i] = BigInt(i);
  const index = new usearch.Index(config(efs[0]));
  const t0 = process.hrtime.bigint();
  index.add(keys, base.data, 1);
  out.build1Seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  // The search depth is fixed when an index is made: save once, load into a new index per efSearch.
  const dir = mkdtempSync(join(tmpdir(), 'usearch-'));
  // The harness stops a worker with SIGTERM when another one failed: remove the copy (hundreds of MB at 1M).
  process.on('SIGTERM', () => { rmSync(dir, { recursive: true, force: true }); process.exit(143); });
  const file = join(dir, 'index.usearch');
  index.save(file);
  {
    const warm = new usearch.Index(config(40));
    warm.load(file);
    warm.search(queries.data, K, 1);
    warm.search(queries.data, K, 1);
  }
  try {
    await runSweep(async ef => {
      const idx = new usearch.Index(config(ef));
      idx.load(file);
      const quietBefore = await awaitQuiet(0.25, 10_000);
      const s = loadStart();
      const q0 = process.hrtime.bigint();
      // One batch call on one thread: the library's own loop, no per-query crossing into Node.
      const r = idx.search(queries.data, K, 1);
      const seconds = Number(process.hrtime.bigint() - q0) / 1e9;
      const fc = foreignCores(s);
      let recall = 0;
      const got = new Int32Array(K);
      for (let q = 0; q < queries.n; q++) {
        const c = Number(r.counts[q]);
        for (let j = 0; j < c; j++) got[j] = Number(r.keys[q * K + j]);
        recall += recallAt10(q, got, c);
      }
      const mean = seconds / queries.n * 1e6;
      return { ef, qps: queries.n / seconds, recall: recall / queries.n, p50Micros: mean, p99Micros: mean,
        latencyIsBatchMean: true, foreignCores: fc, foreignCoresBefore: quietBefore };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true }); // also when a point failed
  }
} else if (lib === 'hnswlib-native') {
  const { HierarchicalNSW } = require('hnswlib-node');
  // Cosine runs get unit vectors (BenchData); hnswlib's 'cosine' would normalise them again.
  const space = { l2: 'l2', ip: 'ip', cosine: 'ip' }[metric];
  out.library = `hnswlib-${versionOf('hnswlib-node')}-native`;
  const index = new HierarchicalNSW(space, base.d);
  const t0 = process.hrtime.bigint();
  index.initIndex(base.n, M, EF_CONSTRUCTION, 100); // 100: hnswlib's random seed (levels), not a graph parameter
  // hnswlib-node takes plain arrays (it copies each element into a std::vector): one conversion per call.
  for (let i = 0; i < base.n; i++) index.addPoint(Array.from(row(base, i)), i);
  out.build1Seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const qs = [];
  for (let q = 0; q < queries.n; q++) qs.push(Array.from(row(queries, q)));
  index.setEf(40);
  for (let w = 0; w < 2; w++) for (const q of qs) index.searchKnn(q, K);
  const lat = new Float64Array(queries.n);
  const got = new Int32Array(K);
  await runSweep(async ef => {
    index.setEf(Math.max(ef, K));
    const quietBefore = await awaitQuiet(0.25, 10_000);
    const s = loadStart();
    const q0 = process.hrtime.bigint();
    let recall = 0;
    for (let q = 0; q < queries.n; q++) {
      const a = process.hrtime.bigint();
      const r = index.searchKnn(qs[q], K);
      lat[q] = Number(process.hrtime.bigint() - a) / 1e3;
      for (let j = 0; j < r.neighbors.length; j++) got[j] = r.neighbors[j];
      recall += recallAt10(q, got, r.neighbors.length);
    }
    const seconds = Number(process.hrtime.bigint() - q0) / 1e9;
    const fc = foreignCores(s);
    const sorted = Float64Array.from(lat).sort();
    return { ef, qps: queries.n / seconds, recall: recall / queries.n, p50Micros: sorted[queries.n >> 1],
      p99Micros: sorted[Math.min(queries.n - 1, Math.floor(queries.n * 0.99))], foreignCores: fc,
      foreignCoresBefore: quietBefore };
  });
} else {
  throw new Error(`library must be one of [usearch, hnswlib-native]; library=${lib}`);
}
out.heapBytes = 0;
out.sweep = sweep;
console.log('RESULT ' + JSON.stringify(out)); // after REPORT (or the end of input)
process.exit(0); // stdin may still be open
