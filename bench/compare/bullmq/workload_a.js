#!/usr/bin/env node
// Workload A (joint approval) on BullMQ flows, for side-by-side comparison with greenlane.
//
// One case = intake job (queue `intake`) -> 8 department jobs in parallel (queues
// `dept-1` .. `dept-8`) -> issuance job (queue `issuance`) that needs all 8.
// Modelled the way a BullMQ user would: the intake worker, when it processes the intake
// job, adds a flow with FlowProducer whose parent is the issuance job and whose children
// are the 8 department jobs. BullMQ moves the parent to `wait` when its last child
// completes. The issuance worker completing a job marks the case done.
// Workers do no work: every processor returns at once.
//
// Usage: node workload_a.js --redis redis://127.0.0.1:PORT --cases N [--concurrency C]
//                           [--inflight K] [--rate R] [--per-worker-connections]
//
// By default all N cases are launched as fast as Redis accepts them (at most K intake adds
// awaiting their reply, default 256). With --rate R, case i is launched at t0 + i/R s
// instead (open loop: its launch time is the scheduled time, so a launcher that falls
// behind shows up in the latency); bench/WORKLOADS.md quotes latency at half the measured maximum.
//
// The Redis database must be dedicated to the run: it is flushed (FLUSHDB) at start so
// that INFO deltas and queue contents only reflect this run.
'use strict';

const { Queue, Worker, FlowProducer } = require('bullmq');
const IORedis = require('ioredis');

const DEPTS = 8;
const TASKS_PER_CASE = DEPTS + 2;
const DEPT_QUEUES = Array.from({ length: DEPTS }, (_, i) => `dept-${i + 1}`);

// Retention used by every job: completed jobs are deleted at once (the result of each
// department job stays in its parent's `processed` hash, which is all a flow needs);
// failed jobs are kept (the last 1000 per queue) so that they could be inspected.
const JOB_OPTS = { removeOnComplete: true, removeOnFail: { count: 1000 } };

function parseArgs(argv) {
  const args = { redis: null, cases: null, concurrency: 50, inflight: 256, rate: 0, perWorkerConnections: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`missing value after ${a}`);
      return argv[++i];
    };
    switch (a) {
      case '--redis': args.redis = next(); break;
      case '--cases': args.cases = parseInt(next(), 10); break;
      case '--concurrency': args.concurrency = parseInt(next(), 10); break;
      case '--inflight': args.inflight = parseInt(next(), 10); break;
      case '--rate': args.rate = Number(next()); break;
      case '--per-worker-connections': args.perWorkerConnections = true; break;
      case '-h': case '--help':
        console.log('usage: node workload_a.js --redis URL --cases N [--concurrency C] [--inflight K] [--rate R] [--per-worker-connections]');
        process.exit(0);
      // falls through
      default: throw new Error(`unknown argument ${a}`);
    }
  }
  if (!args.redis) throw new Error('--redis URL is required');
  if (!(args.cases > 0)) throw new Error('--cases N (N > 0) is required');
  if (!(args.concurrency > 0)) throw new Error('--concurrency must be > 0');
  if (!(args.inflight > 0)) throw new Error('--inflight must be > 0');
  if (!(args.rate >= 0)) throw new Error('--rate must be >= 0 (0: as fast as accepted)');
  return args;
}

function parseInfo(text) {
  const out = {};
  for (const line of text.split('\r\n')) {
    if (!line || line[0] === '#') continue;
    const idx = line.indexOf(':');
    if (idx > 0) out[line.slice(0, idx)] = line.slice(idx + 1);
  }
  return out;
}

// Snapshot of Redis counters: total calls over all commands (commands called from Lua
// scripts are counted by Redis under their own name too), EVAL/EVALSHA calls, and the
// server's CPU time (user + sys of the main process).
async function redisSnapshot(client) {
  const cmd = parseInfo(await client.info('commandstats'));
  const cpu = parseInfo(await client.info('cpu'));
  let total = 0;
  let scripts = 0;
  const perCmd = {};
  for (const [k, v] of Object.entries(cmd)) {
    if (!k.startsWith('cmdstat_')) continue;
    const m = /(?:^|,)calls=(\d+)/.exec(v);
    if (!m) continue;
    const calls = Number(m[1]);
    const name = k.slice('cmdstat_'.length);
    perCmd[name] = calls;
    total += calls;
    if (name === 'evalsha' || name === 'eval' || name === 'evalsha_ro' || name === 'eval_ro') scripts += calls;
  }
  const cpuS = Number(cpu.used_cpu_user) + Number(cpu.used_cpu_sys);
  return { total, scripts, cpuS, perCmd };
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx];
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const N = args.cases;
  const C = args.concurrency;

  const ioOpts = { maxRetriesPerRequest: null };
  // The documented BullMQ pattern: one ioredis connection shared by the queue, the flow
  // producer and the workers (each Worker still opens its own blocking connection).
  const shared = new IORedis(args.redis, ioOpts);
  const conn = () => (args.perWorkerConnections ? new IORedis(args.redis, ioOpts) : shared);
  // Separate connection for INFO / FLUSHDB so that measurement does not queue behind jobs.
  const admin = new IORedis(args.redis, ioOpts);
  const extraConns = [];

  await admin.flushdb();
  const aof = (await admin.config('GET', 'appendonly'))[1];
  const fsync = (await admin.config('GET', 'appendfsync'))[1];
  const durability = aof === 'yes' ? `aof-${fsync}` : 'none';

  const launchAt = new Float64Array(N); // performance.now() ms at launch, per case
  const latencies = new Float64Array(N);
  const deptSeen = new Uint8Array(N); // department jobs processed, per case (sanity check)
  const counts = { intake: 0, dept: 0, issuance: 0, failed: 0 };
  let doneCases = 0;
  let lastDoneAt = 0;
  let resolveDone;
  const allDone = new Promise((r) => { resolveDone = r; });
  let orderErrors = 0;

  const intakeQueue = new Queue('intake', { connection: shared, defaultJobOptions: JOB_OPTS });
  const flow = new FlowProducer({ connection: shared });

  const mkWorker = (name, processor) => {
    const c = conn();
    if (c !== shared) extraConns.push(c);
    const w = new Worker(name, processor, { connection: c, concurrency: C, autorun: false });
    w.on('failed', (job, err) => {
      counts.failed++;
      console.error(`failed ${name} ${job && job.id}: ${err && err.message}`);
    });
    w.on('error', (err) => console.error(`worker ${name} error: ${err && err.message}`));
    return w;
  };

  const intakeWorker = mkWorker('intake', async (job) => {
    const c = job.data.c;
    await flow.add({
      name: 'issuance',
      queueName: 'issuance',
      data: { c },
      opts: JOB_OPTS,
      children: DEPT_QUEUES.map((q) => ({ name: 'review', queueName: q, data: { c }, opts: JOB_OPTS })),
    });
    counts.intake++;
    return null;
  });

  const deptWorkers = DEPT_QUEUES.map((q) => mkWorker(q, async (job) => {
    deptSeen[job.data.c]++;
    counts.dept++;
    return null;
  }));

  const issuanceWorker = mkWorker('issuance', async (job) => {
    if (deptSeen[job.data.c] !== DEPTS) orderErrors++;
    return null;
  });
  issuanceWorker.on('completed', (job) => {
    const c = job.data.c;
    const now = performance.now();
    latencies[c] = now - launchAt[c];
    lastDoneAt = now;
    counts.issuance++;
    doneCases++;
    if (doneCases === N) resolveDone();
  });

  const workers = [intakeWorker, ...deptWorkers, issuanceWorker];
  await Promise.all([intakeQueue.waitUntilReady(), flow.waitUntilReady(), ...workers.map((w) => w.waitUntilReady())]);
  for (const w of workers) w.run().catch((err) => console.error(`worker run: ${err && err.message}`));
  // Give the workers a moment to reach their blocking fetch before the clock starts.
  await new Promise((r) => setTimeout(r, 300));

  const before = await redisSnapshot(admin);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();

  // Launch: one intake job per case, as fast as Redis accepts them, with at most
  // `inflight` adds awaiting their reply. A case's launch time is when its add is issued.
  if (args.rate > 0) {
    const adds = [];
    for (let c = 0; c < N; c++) {
      const due = t0 + (c * 1000) / args.rate;
      const wait = due - performance.now();
      if (wait >= 1) await new Promise((r) => setTimeout(r, wait));
      launchAt[c] = due;
      adds.push(intakeQueue.add('intake', { c }));
    }
    await Promise.all(adds);
  } else {
    let next = 0;
    const launcher = async () => {
      while (next < N) {
        const c = next++;
        launchAt[c] = performance.now();
        await intakeQueue.add('intake', { c });
      }
    };
    await Promise.all(Array.from({ length: Math.min(args.inflight, N) }, launcher));
  }
  const launchedAt = performance.now();

  const progress = setInterval(() => {
    process.stderr.write(`  ... ${doneCases}/${N} cases done, ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  }, 5000);
  await allDone;
  clearInterval(progress);
  const cpu1 = process.cpuUsage(cpu0);
  const after = await redisSnapshot(admin);

  const wallS = (lastDoneAt - t0) / 1000;
  const tasks = N * TASKS_PER_CASE;
  const sorted = Array.from(latencies).sort((a, b) => a - b);
  const rssMb = process.resourceUsage().maxRSS / 1024; // maxRSS is in KiB
  const redisMem = parseInfo(await admin.info('memory'));
  const dCmds = after.total - before.total;
  const dScripts = after.scripts - before.scripts;
  const dCpuUs = (after.cpuS - before.cpuS) * 1e6;

  const line = [
    'backend=bullmq', 'workload=A', `cases=${N}`,
    `wall_s=${wallS.toFixed(3)}`,
    `cases_per_s=${(N / wallS).toFixed(1)}`,
    `tasks_per_s=${(tasks / wallS).toFixed(1)}`,
    `p50_ms=${percentile(sorted, 50).toFixed(1)}`,
    `p99_ms=${percentile(sorted, 99).toFixed(1)}`,
    `durability=${durability}`,
    `concurrency=${C}`,
    ...(args.rate > 0 ? [`rate=${args.rate}`] : []),
    `redis_cmds_per_task=${(dCmds / tasks).toFixed(1)}`,
    `redis_scripts_per_task=${(dScripts / tasks).toFixed(2)}`,
    `redis_cpu_us_per_task=${(dCpuUs / tasks).toFixed(1)}`,
    `node_cpu_us_per_task=${((cpu1.user + cpu1.system) / tasks).toFixed(1)}`,
    `node_peak_rss_mb=${rssMb.toFixed(1)}`,
    `redis_peak_mem_mb=${(Number(redisMem.used_memory_peak) / 1048576).toFixed(1)}`,
  ].join(' ');
  console.log(line);

  // Details on stderr: where the Redis commands went, and the sanity checks.
  const deltas = Object.keys(after.perCmd)
    .map((k) => [k, after.perCmd[k] - (before.perCmd[k] || 0)])
    .filter(([, d]) => d > 0)
    .sort((a, b) => b[1] - a[1]);
  process.stderr.write(`  launch phase: ${((launchedAt - t0) / 1000).toFixed(3)} s; ` +
    `jobs completed: intake=${counts.intake} dept=${counts.dept} issuance=${counts.issuance} failed=${counts.failed}; ` +
    `issuance before all 8 depts: ${orderErrors}\n`);
  process.stderr.write(`  redis commands per task by name: ${deltas.map(([k, d]) => `${k}=${(d / tasks).toFixed(2)}`).join(' ')}\n`);

  const ok = counts.failed === 0 && orderErrors === 0 && counts.dept === N * DEPTS && counts.intake === N;
  await Promise.all(workers.map((w) => w.close()));
  await Promise.all([intakeQueue.close(), flow.close()]);
  for (const c of extraConns) c.disconnect();
  shared.disconnect();
  admin.disconnect();
  if (!ok) {
    console.error('workload_a: sanity check FAILED');
    process.exit(1);
  }
  process.exit(0);
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : err);
  process.exit(1);
});
