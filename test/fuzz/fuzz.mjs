#!/usr/bin/env node
// Protocol fuzzer: drives the BUILT language server (`node dist/server.js --stdio`) through a real JSON-RPC
// client with mutated YAML — the real-world corpus, the peer tests' manifests and the test fixtures, with
// byte flips, truncation, indentation shifts, huge scalars, deep nesting, alias and merge-key bombs, tabs,
// BOMs, invalid UTF-8 (also raw, inside the JSON-RPC frame), splices — pushed with didOpen/didChange. Every
// input must get a hover answered and a validation pass (forced with `statefulHa/lintWorkspace`) answered
// within a deadline (`--deadline` ms, plus `--ms-per-kb` per KB of the texts the request may have to parse:
// parsing a 2 MB file is linear work, not a hang); the process must stay alive and its RSS bounded.
// Deadlines count the server's own time: wall time minus the time it waited for a CPU (/proc/PID/schedstat),
// so a machine busy with other work does not turn a starved server into a "hang"; a loop or a deadlock
// still runs into the deadline.
//
// Throughput:
// - Batches (`--batch N`, default 8): N light inputs are pushed, each into its own open document and hovered
//   right after its push, then one validation pass covers them all. An input counts as run only once its
//   hover and that pass were answered. A heavy input (MB-sized scalars, 20k keys, 25k documents, bombs) is
//   a batch of its own: batching does not make it cheaper, and it keeps its own deadline and memory figure.
// - Jobs (`--jobs N`, default 1): N server processes driven in parallel, job j with seed `--seed`+j; the
//   inputs budget (`--count`, `--seconds`) is shared and the report merges them (`byJob` per job).
// - `--heavy-one-in N` (default 8): each mutation step is heavy with probability 1/N; a heavy input costs
//   10–1000× a light one (the report's `costByKind` gives server CPU and wall time per kind).
// When a batch fails (crash, hang, error answer, server-logged handler error) its inputs are replayed one by
// one on a fresh server to find the one that fails alone; that one is saved (`--save DIR`: the input, the
// text its document held before it — `.before.yaml` — and how it was sent — `.json`), else the whole batch.
// `node test/fuzz/replay.mjs FILE.yaml` replays a saved input without a deadline. `--stop-on-failure` ends
// the run at the first crash, hang or memory overrun.
//
//   node test/fuzz/fuzz.mjs [--count 2000] [--seconds 60] [--seed N] [--jobs 1] [--batch 8] [--heavy-one-in 8]
//                           [--deadline 2000] [--ms-per-kb 5] [--max-rss-mb 2048] [--server dist/server.js]
//                           [--save DIR] [--stop-on-failure] [--json] [--quiet]
//
// Exit code 0 when no crash, hang or memory overrun happened; 1 otherwise. `--json` prints the report as
// one JSON object on the last line (the fields of earlier versions are kept).
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-languageserver-protocol/node';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

// ---------------------------------------------------------------------------------------------------
// Options

function parseArgs(argv) {
  const o = {
    count: 2000,
    seconds: 60,
    seed: Date.now() % 2 ** 31,
    jobs: 1,
    batch: 8,
    heavyOneIn: 8,
    deadline: 2000,
    msPerKb: 5,
    maxRssMb: 2048,
    server: join(ROOT, 'dist', 'server.js'),
    save: join(tmpdir(), 'stateful-ha-fuzz'),
    json: false,
    quiet: false,
    stopOnFailure: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    if (a === '--count') o.count = Number(next());
    else if (a === '--seconds') o.seconds = Number(next());
    else if (a === '--seed') o.seed = Number(next());
    else if (a === '--jobs') o.jobs = Number(next());
    else if (a === '--batch') o.batch = Number(next());
    else if (a === '--heavy-one-in') o.heavyOneIn = Number(next());
    else if (a === '--deadline') o.deadline = Number(next());
    else if (a === '--ms-per-kb') o.msPerKb = Number(next());
    else if (a === '--max-rss-mb') o.maxRssMb = Number(next());
    else if (a === '--server') o.server = resolve(next());
    else if (a === '--save') o.save = resolve(next());
    else if (a === '--json') o.json = true;
    else if (a === '--quiet') o.quiet = true;
    else if (a === '--stop-on-failure') o.stopOnFailure = true;
    else if (a === '--help' || a === '-h') {
      console.log(
        'usage: node test/fuzz/fuzz.mjs [--count N] [--seconds S] [--seed N] [--jobs N] [--batch N] [--heavy-one-in N] ' +
          '[--deadline MS] [--ms-per-kb MS] [--max-rss-mb MB] [--server PATH] [--save DIR] [--stop-on-failure] [--json] [--quiet]',
      );
      process.exit(0);
    } else {
      console.error(`unknown option ${a}`);
      process.exit(2);
    }
  }
  for (const k of [
    'count',
    'seconds',
    'seed',
    'jobs',
    'batch',
    'heavyOneIn',
    'deadline',
    'msPerKb',
    'maxRssMb',
  ])
    if (!Number.isFinite(o[k]) || o[k] < 0) {
      console.error(`invalid --${k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())} ${o[k]}`);
      process.exit(2);
    }
  o.jobs = Math.max(1, Math.floor(o.jobs));
  o.batch = Math.max(1, Math.floor(o.batch));
  o.heavyOneIn = Math.max(1, Math.floor(o.heavyOneIn));
  return o;
}

// ---------------------------------------------------------------------------------------------------
// Corpus

const CORPUS_DIRS = [
  '/work/shared/corpus/real-world',
  '/work/shared/corpus/peer-tests',
  join(ROOT, 'test', 'fixtures'),
  join(ROOT, 'examples'),
];

function loadCorpus() {
  const files = [];
  const walk = (dir) => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      let st;
      try {
        st = statSync(p);
      } catch {
        continue;
      }
      if (st.isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(name) && st.size < 1_000_000) files.push({ name: p, bytes: readFileSync(p) });
    }
  };
  for (const d of CORPUS_DIRS) walk(d);
  if (files.length === 0)
    files.push({ name: 'builtin', bytes: Buffer.from('services:\n  db:\n    image: postgres:16\n') });
  return files;
}

// ---------------------------------------------------------------------------------------------------
// Mutations (deterministic from the seed)

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function makeMutators(rand, corpus) {
  const int = (n) => Math.floor(rand() * n);
  const pick = (xs) => xs[int(xs.length)];
  const at = (buf) => int(buf.length + 1);
  const insert = (buf, pos, extra) =>
    Buffer.concat([buf.subarray(0, pos), Buffer.from(extra), buf.subarray(pos)]);
  const lines = (buf) => buf.toString('latin1').split('\n');
  const unlines = (ls) => Buffer.from(ls.join('\n'), 'latin1');
  /** Offset just after a `key: ` on a random line, to put a value there (else a random offset). */
  const valueSpot = (buf) => {
    const text = buf.toString('latin1');
    const spots = [];
    const re = /: /g;
    let m;
    while ((m = re.exec(text)) !== null && spots.length < 500) spots.push(m.index + 2);
    return spots.length > 0 ? pick(spots) : at(buf);
  };
  const billionLaughs = (levels = 9, width = 9) => {
    const out = [`x-l0: &l0 ["lol"${', "lol"'.repeat(width - 1)}]`];
    for (let i = 1; i < levels; i++)
      out.push(
        `x-l${i}: &l${i} [${Array(width)
          .fill(`*l${i - 1}`)
          .join(', ')}]`,
      );
    return out;
  };
  const mergeBomb = (levels = 40) => {
    const out = ['x-m0: &m0 {image: postgres:16}'];
    for (let i = 1; i < levels; i++) out.push(`x-m${i}: &m${i}`, `  <<: [*m${i - 1}, *m${i - 1}]`);
    return out;
  };
  return {
    byteFlip(buf) {
      const b = Buffer.from(buf);
      for (let k = 1 + int(8); k > 0 && b.length > 0; k--) b[int(b.length)] ^= 1 << int(8);
      return b;
    },
    truncate: (buf) => buf.subarray(0, at(buf)),
    indentShift(buf) {
      const ls = lines(buf);
      for (let k = 1 + int(4); k > 0; k--) {
        const i = int(ls.length);
        const by = int(9) - 4;
        ls[i] = by >= 0 ? ' '.repeat(by) + ls[i] : ls[i].replace(new RegExp(`^ {0,${-by}}`), '');
      }
      return unlines(ls);
    },
    hugeScalar(buf) {
      const size = pick([100_000, 1_000_000, 2_000_000, 9_000_000]);
      const body = pick(['a', 'ab ', '\\u00e9', 'x:y ', '- '])
        .repeat(Math.ceil(size / 3))
        .slice(0, size);
      const quoted = pick(['', '"', "'"]);
      return insert(buf, valueSpot(buf), `${quoted}${body}${quoted}`);
    },
    deepNesting(buf) {
      const n = pick([1000, 10_000, 50_000]);
      const kind = int(5);
      let s;
      if (kind === 0) s = '['.repeat(n);
      else if (kind === 1) s = '['.repeat(n) + ']'.repeat(n);
      else if (kind === 2) s = '{a: '.repeat(n) + '1' + '}'.repeat(n);
      else if (kind === 3)
        s = '\n' + Array.from({ length: Math.min(n, 3000) }, (_, i) => ' '.repeat(i + 1) + 'k:').join('\n');
      else s = '\n' + Array.from({ length: Math.min(n, 3000) }, (_, i) => ' '.repeat(i + 1) + '-').join('\n');
      return insert(buf, valueSpot(buf), s);
    },
    aliasBomb(buf) {
      const text = buf.toString('latin1');
      const bomb = int(2) === 0 ? billionLaughs() : mergeBomb();
      const last = int(2) === 0 ? billionLaughs()[0] && '*l8' : '*m39';
      // Prepend the anchors, then point labels / environment / a merge key at the top of the bomb.
      let out = `${bomb.join('\n')}\n${text}`;
      if (last === '*m39') out = out.replace(/^( +)(image:)/m, `$1<<: *m39\n$1$2`);
      else out = out.replace(/^( +)(labels|environment|annotations|matchLabels):.*$/m, `$1$2: *l8`);
      return Buffer.from(out, 'latin1');
    },
    tabs(buf) {
      const ls = lines(buf);
      for (let k = 1 + int(6); k > 0; k--) {
        const i = int(ls.length);
        ls[i] =
          int(2) === 0
            ? ls[i].replace(/^( +)/, (m) => '\t'.repeat(Math.max(1, m.length >> 1)))
            : ls[i].replace(/ /, '\t');
      }
      return unlines(ls);
    },
    bom(buf) {
      const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
      return int(2) === 0 ? Buffer.concat([BOM, buf]) : insert(buf, at(buf), BOM);
    },
    invalidUtf8(buf) {
      const bad = pick([
        [0xc3, 0x28],
        [0xff],
        [0xfe, 0xff],
        [0xed, 0xa0, 0x80],
        [0xf4, 0x90, 0x80, 0x80],
        [0xe2, 0x82],
        [0x80],
        [0xc0, 0xaf],
      ]);
      let b = buf;
      for (let k = 1 + int(4); k > 0; k--) b = insert(b, at(b), Buffer.from(bad));
      return b;
    },
    splice(buf) {
      const other = pick(corpus).bytes;
      const from = int(other.length + 1);
      const chunk = other.subarray(from, from + int(2000));
      return insert(buf, at(buf), chunk);
    },
    tokens(buf) {
      const toks = [
        '[',
        ']',
        '{',
        '}',
        ':',
        '- ',
        '&a ',
        '*a',
        '<<: *a',
        '!!binary ',
        '"',
        "'",
        '#',
        '\n---\n',
        '\n...\n',
        '? ',
        '|',
        '>',
        '%YAML 1.1\n',
        '\u0000',
        '~',
        '!<tag:yaml.org,2002:str> ',
        '*undefined_alias',
      ];
      let b = buf;
      for (let k = 1 + int(6); k > 0; k--) b = insert(b, at(b), pick(toks));
      return b;
    },
    manyDocuments: (buf) => Buffer.concat([buf, Buffer.from('\n' + '---\n'.repeat(pick([1000, 25_000])))]),
    manyKeys(buf) {
      const n = pick([1_000, 20_000]);
      const keys = Array.from({ length: n }, (_, i) => `  k${i}: v${i}`).join('\n');
      return Buffer.concat([buf, Buffer.from(`\nx-many:\n${keys}\n`)]);
    },
    longLine: (buf) => insert(buf, valueSpot(buf), 'x'.repeat(pick([100_000, 1_000_000]))),
    crlf: (buf) =>
      Buffer.from(buf.toString('latin1').replace(/\r?\n/g, int(2) === 0 ? '\r\n' : '\r'), 'latin1'),
    duplicateBlock(buf) {
      const ls = lines(buf);
      const i = int(ls.length);
      const len = 1 + int(20);
      ls.splice(i, 0, ...ls.slice(i, i + len));
      return unlines(ls);
    },
    nul: (buf) => insert(buf, at(buf), '\u0000'),
  };
}

// ---------------------------------------------------------------------------------------------------
// Server

/** The process's resident memory now and its peak since it started (VmHWM), in MB. */
function memoryMb(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field) => Number(new RegExp(`${field}:\\s+(\\d+)\\s+kB`).exec(status)?.[1] ?? 0);
    return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
  } catch {
    return { rss: 0, peak: 0 };
  }
}

class Server {
  constructor(serverPath, rootUri, onLog) {
    this.exited = null;
    this.child = spawn(process.execPath, [serverPath, '--stdio'], { stdio: 'pipe' });
    this.child.on('exit', (code, signal) => {
      this.exited = { code, signal };
    });
    this.stderr = '';
    this.child.stderr.on('data', (d) => {
      this.stderr = (this.stderr + d.toString()).slice(-20_000);
    });
    this.connection = createProtocolConnection(
      new StreamMessageReader(this.child.stdout),
      new StreamMessageWriter(this.child.stdin),
    );
    this.connection.onNotification('window/logMessage', (p) => onLog(p.message));
    this.connection.onNotification('window/showMessage', (p) => onLog(`show: ${p.message}`));
    this.connection.onNotification('textDocument/publishDiagnostics', () => {});
    this.connection.onNotification('statefulHa/counts', () => {});
    this.connection.onRequest('window/showMessageRequest', () => null);
    this.connection.onRequest('workspace/configuration', (p) => p.items.map(() => null));
    this.connection.onRequest('client/registerCapability', () => null);
    this.connection.onError(() => {});
    this.connection.onClose(() => {});
    this.connection.listen();
    this.rootUri = rootUri;
    this.versions = new Map();
  }

  /** CPU seconds the process used (read when stopped; 0 when it died on its own). */
  get cpuSeconds() {
    return this.alive ? cpuSeconds(this.pid) : (this.cpu ?? 0);
  }

  get pid() {
    return this.child.pid;
  }

  get alive() {
    return this.exited === null && this.child.exitCode === null;
  }

  async initialize() {
    await this.connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: this.rootUri,
      workspaceFolders: [{ uri: this.rootUri, name: 'fuzz' }],
      capabilities: {
        textDocument: {
          hover: { contentFormat: ['markdown'] },
          publishDiagnostics: { versionSupport: true },
        },
      },
      initializationOptions: { trusted: true },
    });
    await this.connection.sendNotification('initialized', {});
  }

  push(uri, text, languageId) {
    const v = this.versions.get(uri);
    if (v === undefined) {
      this.versions.set(uri, 1);
      return this.connection.sendNotification('textDocument/didOpen', {
        textDocument: { uri, languageId, version: 1, text },
      });
    }
    this.versions.set(uri, v + 1);
    return this.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: v + 1 },
      contentChanges: [{ text }],
    });
  }

  /** A didChange whose text carries raw bytes (invalid UTF-8 inside the JSON-RPC frame itself). */
  pushRaw(uri, bytes) {
    const v = (this.versions.get(uri) ?? 0) + 1;
    if (v === 1) return this.push(uri, bytes.toString('utf8'), 'yaml');
    this.versions.set(uri, v);
    // JSON.stringify leaves U+0080–U+00FF alone and the rest of the message is ASCII, so encoding it as
    // latin1 writes the input's original bytes, invalid UTF-8 included, into the frame.
    const message = {
      jsonrpc: '2.0',
      method: 'textDocument/didChange',
      params: { textDocument: { uri, version: v }, contentChanges: [{ text: bytes.toString('latin1') }] },
    };
    const body = Buffer.from(JSON.stringify(message), 'latin1');
    this.child.stdin.write(
      Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]),
    );
  }

  close(uri) {
    this.versions.delete(uri);
    return this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  request(method, params) {
    return this.connection.sendRequest(method, params);
  }

  async stop() {
    if (this.alive) this.cpu = cpuSeconds(this.pid);
    try {
      if (this.alive) {
        await withDeadline(this.connection.sendRequest('shutdown'), 2000, this.pid);
        await this.connection.sendNotification('exit');
      }
    } catch {
      // already gone or hung: killed below
    }
    await new Promise((r) => setTimeout(r, 50));
    if (this.alive) this.child.kill('SIGKILL');
    this.connection.dispose();
  }
}

class Timeout extends Error {}

/** Milliseconds a process's main thread has spent runnable but waiting for a CPU (/proc/PID/schedstat). */
function runDelayMs(pid) {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1]) / 1e6 || 0;
  } catch {
    return 0;
  }
}

/** CPU seconds (user + system) a process has used so far (/proc/PID/stat; 0 once it is gone). */
function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/**
 * Rejects with a Timeout unless `promise` settles within `ms` of the server's own time: wall time minus the
 * time the server (`pid`) spent runnable but waiting for a CPU. On an idle machine that is wall time; on a
 * machine busy with other work (or with the fuzzer niced) a starved server is not taken for a hung one, and
 * an infinite loop or a deadlock still runs into the deadline.
 */
function withDeadline(promise, ms, pid) {
  const t0 = performance.now();
  const delay0 = pid ? runDelayMs(pid) : 0;
  let timer;
  let done = false;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      const check = () =>
        // Let pending I/O through first: a starved client may wake up to both the timer and the answer.
        setImmediate(() => {
          if (done) return;
          const wall = performance.now() - t0;
          const starved = pid ? runDelayMs(pid) - delay0 : 0;
          if (wall - starved < ms) timer = setTimeout(check, ms - (wall - starved));
          else
            reject(
              new Timeout(
                `no answer within ${Math.round(ms)} ms` +
                  (starved >= 1
                    ? ` (${Math.round(wall)} ms wall, ${Math.round(starved)} ms of them waiting for a CPU)`
                    : ''),
              ),
            );
        });
      timer = setTimeout(check, ms);
    }),
  ]).finally(() => {
    done = true;
    clearTimeout(timer);
  });
}

// ---------------------------------------------------------------------------------------------------
// Main loop

// The documents inputs are pushed into, one of each kind the server tells apart by name and language id.
const DOC_KINDS = [
  { path: 'compose.yaml', languageId: 'dockercompose' },
  { path: 'k8s/manifests.yaml', languageId: 'yaml' },
  { path: 'docker-stack.yml', languageId: 'yaml' },
  { path: 'deploy/values.yaml', languageId: 'yaml' },
];

// Heavy inputs (MBs, deep nesting, bombs) are rarer, and one per input at most: they dominate the time.
const HEAVY = new Set(['hugeScalar', 'deepNesting', 'aliasBomb', 'manyDocuments', 'manyKeys', 'longLine']);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function emptyReport(seed) {
  return {
    seed,
    inputs: 0,
    requests: 0,
    validationPasses: 0,
    seconds: 0,
    crashes: 0,
    hangs: 0,
    memoryOverruns: 0,
    handlerErrors: 0,
    restarts: 0,
    maxLatencyMs: 0,
    maxLatencyInput: '',
    maxLatencyByMethod: {},
    maxOwnLatencyMs: 0,
    p99LatencyMs: 0,
    maxRssMb: 0,
    peakRssMb: 0,
    maxInputBytes: 0,
    serverCpuSeconds: 0,
    byMutator: {},
    costByKind: {},
    problems: [],
  };
}

/**
 * One fuzzing job: its own server process and its own seed stream. Takes inputs from the shared budget
 * (`shared.claimed` against `o.count`, and the clock) until either runs out.
 */
async function runJob(job, seed, o, corpus, rootUri, shared) {
  const rand = mulberry32(seed);
  const int = (n) => Math.floor(rand() * n);
  const mutators = makeMutators(rand, corpus);
  const light = Object.keys(mutators).filter((n) => !HEAVY.has(n));
  const heavy = [...HEAVY];
  const report = emptyReport(seed);
  const latencies = [];
  shared.reports[job] = report;

  // Open documents: a batch pushes each of its inputs into a different one (all of them when the batch is a
  // multiple of 4), so a heavy input never lingers beyond the next batch.
  const slots = Array.from({ length: 4 * Math.ceil(o.batch / 4) }, (_, i) => ({
    uri: `${rootUri}/s${Math.floor(i / 4)}/${DOC_KINDS[i % 4].path}`,
    languageId: DOC_KINDS[i % 4].languageId,
    /** The text the server holds for it (undefined: not open). */
    bytes: undefined,
  }));

  // Server log lines that report a failure (a guarded handler threw, a rule failed): handler errors.
  const errorLogs = [];
  const onLog = (message) => {
    if (/failed|uncaught|unhandled|error/i.test(message) && !/YAML syntax/i.test(message))
      errorLogs.push(message);
  };

  // A fresh server compiles its schemas on the first validation: warm it up outside the measurements, so
  // that a restart after a problem does not make the next input look like a hang.
  let server;
  // RSS after the last batch, and the batch after which it rose most since the server started: RSS does not
  // drop back after a spike, so the batch that crosses `--max-rss-mb` is not necessarily the one to blame.
  let lastRss = 0;
  let biggestRise;
  const start = async () => {
    server = new Server(o.server, rootUri, onLog);
    for (const s of slots) s.bytes = undefined;
    biggestRise = undefined;
    await server.initialize();
    const seedFile = corpus.find((f) => /compose/.test(f.name)) ?? corpus[0];
    await server.push(`${rootUri}/warm-up/compose.yaml`, seedFile.bytes.toString('utf8'), 'dockercompose');
    await withDeadline(server.request('statefulHa/lintWorkspace', null), 60_000, server.pid);
    await server.close(`${rootUri}/warm-up/compose.yaml`);
    lastRss = memoryMb(server.pid).rss;
  };
  const stop = async () => {
    await server.stop();
    report.serverCpuSeconds += server.cpuSeconds;
  };
  const restart = async () => {
    report.restarts++;
    await stop();
    await start();
  };

  let index = 0;
  const makeInput = () => {
    const seedFile = corpus[int(corpus.length)];
    let bytes = seedFile.bytes;
    const applied = [];
    let heavyUsed = false;
    for (let k = 1 + int(3); k > 0; k--) {
      const useHeavy = !heavyUsed && int(o.heavyOneIn) === 0;
      heavyUsed ||= useHeavy;
      const name = useHeavy ? heavy[int(heavy.length)] : light[int(light.length)];
      applied.push(name);
      bytes = mutators[name](bytes);
    }
    const text = bytes.toString('utf8');
    const lineCount = text.split('\n', 20_000).length;
    return {
      index: ++index,
      name: `${seedFile.name.replace(ROOT + '/', '')} + ${applied.join(' + ')}`,
      applied,
      heavy: heavyUsed,
      /** The open document it goes into (set when its batch is formed). */
      slot: undefined,
      bytes,
      text,
      // Invalid UTF-8 goes raw into the JSON-RPC frame half of the time (a didChange: the document is open).
      raw: applied.includes('invalidUtf8') && int(2) === 0,
      close: int(50) === 0,
      position: { line: int(lineCount + 2), character: int(40) },
      /** The slot's text before this input (undefined: not open): replays start from it. */
      before: undefined,
    };
  };
  const describeInput = (it) => `${it.name} (${it.bytes.length} bytes)`;

  const timed = async (method, params, deadline, what) => {
    const t0 = performance.now();
    const delay0 = runDelayMs(server.pid);
    try {
      await withDeadline(server.request(method, params), deadline, server.pid);
    } catch (e) {
      if (e instanceof Timeout) e.message = `${method} after ${what}: ${e.message}`;
      throw e;
    }
    const ms = performance.now() - t0;
    // The same without the time the server waited for a CPU (the machine's load, not the server's work).
    report.maxOwnLatencyMs = Math.max(report.maxOwnLatencyMs, ms - (runDelayMs(server.pid) - delay0));
    report.requests++;
    latencies.push(ms);
    report.maxLatencyByMethod[method] = Math.round(Math.max(report.maxLatencyByMethod[method] ?? 0, ms));
    if (ms > report.maxLatencyMs) {
      report.maxLatencyMs = ms;
      report.maxLatencyInput = `${method} after ${what}`;
    }
  };

  /**
   * Pushes the inputs (each into its slot) and hovers each right after its push, then runs one validation
   * pass over them all. Throws on a missed deadline, an error answer or a dead server. A request's deadline
   * grows with the KB the server may have to parse before answering it: the inputs pushed so far.
   */
  const runBatch = async (items) => {
    let kb = 0;
    for (const it of items) {
      const { slot } = it;
      it.before = slot.bytes;
      if (it.raw && server.versions.has(slot.uri)) server.pushRaw(slot.uri, it.bytes);
      else await server.push(slot.uri, it.text, slot.languageId);
      slot.bytes = it.bytes;
      slot.heavy = it.heavy;
      if (it.close) {
        await server.close(slot.uri);
        slot.bytes = undefined;
      }
      kb += it.bytes.length / 1024;
      await timed(
        'textDocument/hover',
        { textDocument: { uri: slot.uri }, position: it.position },
        o.deadline + kb * o.msPerKb,
        describeInput(it),
      );
    }
    // A full validation pass (rules, schema, publication) over the open documents.
    const largest = items.reduce((a, b) => (b.bytes.length > a.bytes.length ? b : a));
    await timed(
      'statefulHa/lintWorkspace',
      null,
      o.deadline + kb * o.msPerKb,
      items.length === 1
        ? describeInput(largest)
        : `a batch of ${items.length} inputs (${Math.round(kb * 1024)} bytes; largest: ${describeInput(largest)})`,
    );
    report.validationPasses++;
    if (!server.alive) throw new Error('the server exited');
  };

  /** What went wrong when runBatch threw. */
  const failureOf = async (e) => {
    // A dying process (V8 fatal error) may still be writing its report: give it a moment to exit.
    for (let i = 0; i < 20 && server.alive; i++) await sleep(50);
    if (!server.alive)
      return { kind: 'crash', detail: `${JSON.stringify(server.exited)} ${server.stderr.slice(-2000)}` };
    if (e instanceof Timeout) return { kind: 'hang', detail: e.message };
    return { kind: 'error', detail: String(e?.message ?? e) };
  };

  const counted = (items) => {
    for (const it of items) {
      report.inputs++;
      shared.inputs++;
      for (const a of it.applied) report.byMutator[a] = (report.byMutator[a] ?? 0) + 1;
      report.maxInputBytes = Math.max(report.maxInputBytes, it.bytes.length);
    }
  };

  const save = (kind, items, detail) => {
    mkdirSync(o.save, { recursive: true });
    const files = [];
    for (const it of items) {
      const file = join(o.save, `${kind}-j${job}-s${seed}-${String(it.index).padStart(7, '0')}.yaml`);
      writeFileSync(file, it.bytes);
      // The slot's previous text: the input reached the server as a didChange from it.
      if (it.before !== undefined) writeFileSync(file.replace(/\.yaml$/, '.before.yaml'), it.before);
      // How it was sent, for test/fuzz/replay.mjs.
      const meta = {
        input: it.name,
        kind,
        seed,
        job,
        index: it.index,
        uri: it.slot.uri.slice(rootUri.length + 1).replace(/^s\d+\//, ''),
        languageId: it.slot.languageId,
        raw: it.raw && it.before !== undefined,
        close: it.close,
        position: it.position,
        detail: String(detail).slice(0, 5000),
      };
      writeFileSync(file.replace(/\.yaml$/, '.json'), JSON.stringify(meta, null, 2) + '\n');
      files.push(file);
    }
    if (report.problems.length < 50)
      report.problems.push({
        kind,
        input:
          items.length === 1
            ? items[0].name
            : `one of ${items.length}: ${items.map((i) => i.name).join(' | ')}`,
        file: files.join(' '),
        detail: String(detail).slice(0, 2500),
      });
  };

  /**
   * After a failed batch: replays its inputs one by one on a fresh server (each from its slot's previous
   * text, as it was sent) and returns the first that fails alone, with how. Inputs that pass alone count as
   * run: they were pushed, hovered and validated.
   */
  const pinpoint = async (items) => {
    await restart();
    for (const it of items) {
      const logsBefore = errorLogs.length;
      let failure;
      try {
        const { slot } = it;
        if (it.before !== undefined) {
          await server.push(slot.uri, it.before.toString('utf8'), slot.languageId);
          await timed(
            'statefulHa/lintWorkspace',
            null,
            o.deadline + (it.before.length / 1024) * o.msPerKb,
            `the text before ${describeInput(it)} (replay)`,
          );
        } else if (server.versions.has(slot.uri)) await server.close(slot.uri);
        slot.bytes = it.before;
        await runBatch([it]);
      } catch (e) {
        failure = await failureOf(e);
      }
      const logs = errorLogs.slice(logsBefore);
      if (failure || logs.length > 0) {
        if (failure) await restart();
        return { it, failure, logs };
      }
      counted([it]);
    }
    return undefined;
  };

  await start();
  let deferred;
  while (true) {
    // A batch: up to `o.batch` light inputs, or one heavy input alone (batching does not make heavy inputs
    // cheaper, and several MB-sized documents at once would measure the batch, not the input).
    const items = [];
    if (deferred) items.push(deferred);
    deferred = undefined;
    if (shared.stopped) break;
    while (items.length < o.batch && !items[0]?.heavy && !shared.timeUp() && shared.claimed < o.count) {
      shared.claimed++;
      const it = makeInput();
      if (it.heavy && items.length > 0) {
        deferred = it;
        break;
      }
      items.push(it);
    }
    if (items.length === 0) break;
    // Each input into its own open document, picked at random; a document that holds a heavy input comes
    // first, so that the light inputs after it are not hovered in a workspace that still holds MBs.
    const order = slots.map((s) => ({ s, k: rand() - (s.heavy ? 1 : 0) })).sort((a, b) => a.k - b.k);
    items.forEach((it, k) => (it.slot = order[k].s));
    const logsBefore = errorLogs.length;
    const cpu0 = cpuSeconds(server.pid);
    const t0 = performance.now();
    let failure;
    try {
      await runBatch(items);
    } catch (e) {
      failure = await failureOf(e);
    }
    // Where the time goes: server CPU and wall time per kind of batch (light, or the heavy mutator).
    const costKind = items[0].heavy ? items[0].applied.find((a) => HEAVY.has(a)) : 'light';
    const cost = (report.costByKind[costKind] ??= { inputs: 0, serverCpuSeconds: 0, wallSeconds: 0 });
    cost.inputs += items.length;
    cost.serverCpuSeconds += Math.max(0, cpuSeconds(server.pid) - cpu0);
    cost.wallSeconds += (performance.now() - t0) / 1000;
    const logs = errorLogs.slice(logsBefore);
    if (failure || logs.length > 0) {
      if (failure?.kind === 'crash') report.crashes++;
      else if (failure?.kind === 'hang') report.hangs++;
      else if (failure) report.handlerErrors++;
      report.handlerErrors += logs.length;
      const kind = failure?.kind ?? 'handler-error';
      const detail = failure?.detail ?? logs.join('\n');
      if (items.length === 1) {
        save(kind, items, detail);
        if (failure) await restart();
        else counted(items); // answered; the server logged an error meanwhile
      } else {
        const found = await pinpoint(items);
        if (!found) save(kind, items, `${detail} [no input fails alone: the whole batch is saved]`);
        else {
          const alone = found.failure
            ? `${found.failure.kind}: ${found.failure.detail}`
            : `handler-error: ${found.logs.join('\n')}`;
          save(kind, [found.it], `${detail} [alone: ${alone}]`);
          if (!found.failure) counted([found.it]);
        }
      }
      if (o.stopOnFailure && failure && failure.kind !== 'error') shared.stopped = true;
      continue;
    }
    counted(items);
    const mem = memoryMb(server.pid);
    report.maxRssMb = Math.max(report.maxRssMb, mem.rss);
    report.peakRssMb = Math.max(report.peakRssMb, mem.peak);
    const largest = items.reduce((a, b) => (b.bytes.length > a.bytes.length ? b : a));
    if (!biggestRise || mem.rss - lastRss > biggestRise.to - biggestRise.from)
      biggestRise = { from: lastRss, to: mem.rss, it: largest };
    lastRss = mem.rss;
    if (mem.rss > o.maxRssMb) {
      report.memoryOverruns++;
      // Blame the input after which RSS rose most, and measure it alone on a fresh server.
      const { from, to, it } = biggestRise;
      await restart();
      const before = it.before;
      let alone;
      try {
        await runBatch([it]);
        alone = `alone on a fresh server: RSS ${memoryMb(server.pid).rss.toFixed(0)} MB`;
      } catch (e) {
        const f = await failureOf(e);
        alone = `alone on a fresh server: ${f.kind}: ${f.detail}`;
        await restart();
      } finally {
        it.before = before;
      }
      save(
        'memory',
        [it],
        `RSS ${mem.rss.toFixed(0)} MB after ${items.length === 1 ? describeInput(items[0]) : `a batch of ${items.length}`}; ` +
          `the largest rise since the server started, ${from.toFixed(0)} → ${to.toFixed(0)} MB, came with this input; ${alone}`,
      );
      if (o.stopOnFailure) shared.stopped = true;
    }
  }
  await stop();
  return { report, latencies };
}

/** Sums the jobs' reports into one (the first job's seed is the run's `seed`; all are in `seeds`). */
function merge(parts, o, seconds) {
  const r = emptyReport(o.seed);
  const latencies = [];
  for (const { report: p, latencies: l } of parts) {
    for (const k of [
      'inputs',
      'requests',
      'validationPasses',
      'crashes',
      'hangs',
      'memoryOverruns',
      'handlerErrors',
      'restarts',
      'serverCpuSeconds',
    ])
      r[k] += p[k];
    if (p.maxLatencyMs > r.maxLatencyMs) {
      r.maxLatencyMs = p.maxLatencyMs;
      r.maxLatencyInput = p.maxLatencyInput;
    }
    for (const [m, ms] of Object.entries(p.maxLatencyByMethod))
      r.maxLatencyByMethod[m] = Math.max(r.maxLatencyByMethod[m] ?? 0, ms);
    for (const k of ['maxRssMb', 'peakRssMb', 'maxInputBytes', 'maxOwnLatencyMs'])
      r[k] = Math.max(r[k], p[k]);
    for (const [m, n] of Object.entries(p.byMutator)) r.byMutator[m] = (r.byMutator[m] ?? 0) + n;
    for (const [kind, c] of Object.entries(p.costByKind)) {
      const t = (r.costByKind[kind] ??= { inputs: 0, serverCpuSeconds: 0, wallSeconds: 0 });
      for (const k of Object.keys(t)) t[k] += c[k];
    }
    r.problems.push(...p.problems);
    for (const ms of l) latencies.push(ms);
  }
  r.problems = r.problems.slice(0, 50);
  for (const c of Object.values(r.costByKind)) {
    c.serverCpuMsPerInput = Math.round((c.serverCpuSeconds * 1000) / c.inputs);
    c.wallMsPerInput = Math.round((c.wallSeconds * 1000) / c.inputs);
    c.serverCpuSeconds = Math.round(c.serverCpuSeconds * 10) / 10;
    c.wallSeconds = Math.round(c.wallSeconds * 10) / 10;
  }
  latencies.sort((a, b) => a - b);
  r.seconds = seconds;
  r.inputsPerSecond = seconds > 0 ? Math.round((r.inputs / seconds) * 10) / 10 : 0;
  // CPU used, to compare runs on a machine shared with other work (wall time depends on the load).
  const fuzzer = process.cpuUsage();
  r.fuzzerCpuSeconds = Math.round((fuzzer.user + fuzzer.system) / 1e4) / 100;
  r.serverCpuSeconds = Math.round(r.serverCpuSeconds * 100) / 100;
  const cpu = r.fuzzerCpuSeconds + r.serverCpuSeconds;
  r.inputsPerCpuSecond = cpu > 0 ? Math.round((r.inputs / cpu) * 10) / 10 : 0;
  r.p99LatencyMs = latencies.length > 0 ? Math.round(latencies[Math.floor(latencies.length * 0.99)]) : 0;
  r.maxLatencyMs = Math.round(r.maxLatencyMs);
  r.maxOwnLatencyMs = Math.round(r.maxOwnLatencyMs);
  r.maxRssMb = Math.round(r.maxRssMb);
  r.peakRssMb = Math.round(r.peakRssMb);
  r.jobs = o.jobs;
  r.batch = o.batch;
  r.heavyOneIn = o.heavyOneIn;
  r.seeds = parts.map((p) => p.report.seed);
  r.byJob = parts.map(({ report: p }) => ({
    seed: p.seed,
    inputs: p.inputs,
    crashes: p.crashes,
    hangs: p.hangs,
    memoryOverruns: p.memoryOverruns,
    restarts: p.restarts,
    maxLatencyMs: Math.round(p.maxLatencyMs),
    maxRssMb: Math.round(p.maxRssMb),
  }));
  return r;
}

export async function fuzz(options) {
  const o = { ...parseArgs([]), ...options };
  const corpus = loadCorpus();
  const root = mkdtempSync(join(tmpdir(), 'stateful-ha-fuzz-ws-'));
  const rootUri = pathToFileURL(root).href;
  const started = Date.now();
  const shared = {
    claimed: 0,
    inputs: 0,
    reports: [],
    timeUp: () => (Date.now() - started) / 1000 >= o.seconds,
    /** Set by `--stop-on-failure` at the first crash, hang or memory overrun: every job ends its batch. */
    stopped: false,
  };
  const progress = setInterval(() => {
    if (o.quiet) return;
    const sum = (k) => shared.reports.reduce((n, r) => n + (r?.[k] ?? 0), 0);
    const max = (k) => Math.max(0, ...shared.reports.map((r) => r?.[k] ?? 0));
    const s = (Date.now() - started) / 1000;
    process.stderr.write(
      `fuzz: ${shared.inputs} inputs, ${s.toFixed(0)} s (${(shared.inputs / s).toFixed(1)}/s), ` +
        `max latency ${max('maxLatencyMs').toFixed(0)} ms, max RSS ${max('maxRssMb').toFixed(0)} MB, ` +
        `crashes ${sum('crashes')}, hangs ${sum('hangs')}\n`,
    );
  }, 5000);
  try {
    const parts = await Promise.all(
      Array.from({ length: o.jobs }, (_, j) => runJob(j, (o.seed + j) % 2 ** 31, o, corpus, rootUri, shared)),
    );
    return merge(parts, o, (Date.now() - started) / 1000);
  } finally {
    clearInterval(progress);
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const o = parseArgs(process.argv.slice(2));
  const report = await fuzz(o);
  const ok = report.crashes === 0 && report.hangs === 0 && report.memoryOverruns === 0;
  if (!o.quiet) {
    console.error(
      `fuzz: seed ${report.seeds.join(',')} (${report.jobs} job(s), batches of ${report.batch}): ` +
        `${report.inputs} inputs in ${report.seconds.toFixed(0)} s (${report.inputsPerSecond}/s), ` +
        `${report.requests} requests, ${report.validationPasses} validation passes; ` +
        `max latency ${report.maxLatencyMs} ms (p99 ${report.p99LatencyMs} ms), ` +
        `max RSS ${report.maxRssMb} MB (peak ${report.peakRssMb} MB); ` +
        `CPU ${report.serverCpuSeconds} s servers + ${report.fuzzerCpuSeconds} s fuzzer (${report.inputsPerCpuSecond} inputs/CPU s); ` +
        `crashes ${report.crashes}, hangs ${report.hangs}, memory overruns ${report.memoryOverruns}, ` +
        `handler errors ${report.handlerErrors}, restarts ${report.restarts}`,
    );
    console.error(`fuzz: slowest: ${report.maxLatencyInput}`);
    console.error(
      `fuzz: mutators: ${Object.entries(report.byMutator)
        .sort((a, b) => b[1] - a[1])
        .map(([m, n]) => `${m} ${n}`)
        .join(', ')}`,
    );
    for (const p of report.problems.slice(0, 10))
      console.error(`fuzz: ${p.kind}: ${p.input} → ${p.file}: ${p.detail}`);
  }
  if (o.json) console.log(JSON.stringify(report));
  process.exit(ok ? 0 : 1);
}
