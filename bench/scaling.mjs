// How much a second thread can help on this machine, and where a lint's CPU goes, thread by thread.
//
//   node bench/scaling.mjs [--runs 3] [--skip-lint]
//
// 1. The same work alone in one worker, then in two workers side by side (each doing the whole amount):
//    pure computation, and an allocation-heavy loop that keeps a tenth of what it builds (as a parser building
//    a model does). With two real cores the side-by-side time equals the alone time (ratio 1.0); a ratio
//    above 1 is what the second thread loses to the first (garbage collection helpers, memory bandwidth).
// 2. One `stateful-ha lint` of the generated 5,000-file workspace in one thread (STATEFUL_HA_WORKERS=0),
//    with the CPU time of each of its threads read from /proc (Linux): the JavaScript thread and V8's helper
//    threads (concurrent marking, parallel scavenges, background compilation). Total CPU ÷ cores is a floor
//    for the wall time of any split of the same work over the cores.
// 3. One compose file of 2,500 to 20,000 services of one engine (one "cluster"): the lint time should double
//    with the services (it grew 4x per doubling before the per-document memos of members and backups).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const RUNS = Number(args[args.indexOf('--runs') + 1]) || 3;
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

const WORK = `
const { workerData, parentPort } = require('node:worker_threads');
let x = 0;
if (workerData.alloc) {
  const keep = [];
  for (let i = 0; i < workerData.n; i++) {
    const o = { a: i, b: { c: i, d: 'k' + (i & 1023) } };
    if (i % 10 === 0) keep.push(o);
    if (keep.length > 400000) keep.length = 0;
    x += o.b.c;
  }
} else for (let i = 0; i < workerData.n; i++) x = (x * 31 + i) | 0;
parentPort.postMessage(x);
`;

function runWorkers(k, alloc) {
  const started = performance.now();
  return Promise.all(
    Array.from(
      { length: k },
      () =>
        new Promise((resolve, reject) => {
          const w = new Worker(WORK, { eval: true, workerData: { n: alloc ? 3e7 : 6e8, alloc } });
          w.on('message', resolve);
          w.on('error', reject);
        }),
    ),
  ).then(() => performance.now() - started);
}

console.log(`# Thread scaling on this machine\n`);
console.log(
  `${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown'}), node ${process.version}; median of ${RUNS} runs\n`,
);
console.log('| work (the same amount per worker) | one worker alone | two side by side | ratio |');
console.log('|---|---|---|---|');
for (const alloc of [false, true]) {
  const alone = [];
  const pair = [];
  for (let r = 0; r < RUNS; r++) {
    alone.push(await runWorkers(1, alloc));
    pair.push(await runWorkers(2, alloc));
  }
  const a = median(alone);
  const p = median(pair);
  console.log(
    `| ${alloc ? 'allocation-heavy (keeps 1 object in 10)' : 'computation only'} | ${a.toFixed(0)} ms | ${p.toFixed(0)} ms | ${(p / a).toFixed(2)} |`,
  );
}

/** CPU seconds of each thread of a process, sampled until it exits (ticks of 10 ms from /proc). */
function threadCpu(pid, into) {
  const taskDir = `/proc/${pid}/task`;
  try {
    for (const tid of readdirSync(taskDir)) {
      try {
        const stat = readFileSync(`${taskDir}/${tid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const name = readFileSync(`${taskDir}/${tid}/comm`, 'utf8').trim();
        into.set(tid, { name, seconds: (Number(fields[11]) + Number(fields[12])) / 100 });
      } catch {
        // the thread ended between readdir and read
      }
    }
  } catch {
    // the process ended
  }
}

const cli = join(ROOT, 'dist', 'cli.js');
const ws = join(ROOT, 'bench', '.generated', 'ws');
if (!args.includes('--skip-lint')) {
  if (!existsSync('/proc/self/task') || !existsSync(cli) || !existsSync(ws)) {
    console.log(
      '\n(lint by thread: needs Linux, `npm run build` and the generated workspace: run `npm run bench` once)',
    );
  } else {
    console.log(`\n# One lint of bench/.generated/ws in one thread, CPU by thread\n`);
    console.log('| run | wall | JavaScript thread | V8 helper threads | total CPU | total ÷ cores |');
    console.log('|---|---|---|---|---|---|');
    for (let r = 0; r < RUNS; r++) {
      const threads = new Map();
      const started = performance.now();
      const child = spawn(process.execPath, [cli, 'lint', ws, '--format', 'json'], {
        env: { ...process.env, STATEFUL_HA_WORKERS: '0' },
        stdio: ['ignore', 'ignore', 'ignore'],
      });
      const timer = setInterval(() => threadCpu(child.pid, threads), 50);
      await new Promise((resolve) => child.on('exit', resolve));
      clearInterval(timer);
      const wall = (performance.now() - started) / 1000;
      // The busiest thread is the JavaScript one; the rest are V8's platform threads (and libuv's, idle here).
      const all = [...threads.values()].map((t) => t.seconds).sort((a, b) => b - a);
      const total = all.reduce((a, b) => a + b, 0);
      console.log(
        `| ${r + 1} | ${wall.toFixed(2)} s | ${all[0].toFixed(2)} s | ${(total - all[0]).toFixed(2)} s | ${total.toFixed(2)} s | ${(total / availableParallelism()).toFixed(2)} s |`,
      );
    }
    console.log(
      '\n(CPU sampled every 50 ms until the process exits: the last ≤ 50 ms of each thread may be missed.)',
    );
  }
}

if (existsSync(cli)) {
  const dir = join(ROOT, 'bench', '.generated', 'compose-scaling');
  mkdirSync(dir, { recursive: true });
  console.log(`\n# One compose file of N services of one engine, \`stateful-ha lint --format json\`\n`);
  console.log('| services | size | wall (median) | × the previous |');
  console.log('|---|---|---|---|');
  let previous;
  for (const n of [2500, 5000, 10000, 20000]) {
    const file = join(dir, `compose-${n}.yaml`);
    let text = 'services:\n';
    for (let i = 0; i < n; i++)
      text += `  s${i}:\n    image: postgres:16\n    volumes: ["d${i}:/var/lib/postgresql/data"]\n`;
    writeFileSync(file, text);
    const times = [];
    for (let r = 0; r < RUNS; r++) {
      const started = performance.now();
      const child = spawn(process.execPath, [cli, 'lint', file, '--format', 'json'], { stdio: 'ignore' });
      await new Promise((resolve) => child.on('exit', resolve));
      times.push(performance.now() - started);
    }
    const t = median(times);
    console.log(
      `| ${n.toLocaleString('en')} | ${(text.length / 1e6).toFixed(1)} MB | ${(t / 1000).toFixed(2)} s | ${previous ? `${(t / previous).toFixed(2)}×` : ''} |`,
    );
    previous = t;
  }
}
