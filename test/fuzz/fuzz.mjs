#!/usr/bin/env node
// Protocol fuzzer: drives the BUILT language server (`node dist/server.js --stdio`) through a real JSON-RPC
// client with mutated YAML — the real-world corpus, the peer tests' manifests and the test fixtures, with
// byte flips, truncation, indentation shifts, huge scalars, deep nesting, alias and merge-key bombs, tabs,
// BOMs, invalid UTF-8 (also raw, inside the JSON-RPC frame), splices — pushed with didOpen/didChange. After
// each input a hover (and a validation pass, forced with `statefulHa/lintWorkspace`) must be answered
// within a deadline (`--deadline` ms, plus `--ms-per-kb` per KB of input: parsing a 2 MB file is linear work,
// not a hang); the process must stay alive and its RSS bounded.
//
//   node test/fuzz/fuzz.mjs [--count 2000] [--seconds 60] [--seed N] [--deadline 2000] [--ms-per-kb 5] [--max-rss-mb 2048]
//                           [--server dist/server.js] [--save DIR] [--json] [--quiet]
//
// Exit code 0 when no crash, hang or memory overrun happened; 1 otherwise. `--json` prints the report as
// one JSON object on the last line.
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
    deadline: 2000,
    msPerKb: 5,
    maxRssMb: 2048,
    server: join(ROOT, 'dist', 'server.js'),
    save: join(tmpdir(), 'stateful-ha-fuzz'),
    json: false,
    quiet: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    if (a === '--count') o.count = Number(next());
    else if (a === '--seconds') o.seconds = Number(next());
    else if (a === '--seed') o.seed = Number(next());
    else if (a === '--deadline') o.deadline = Number(next());
    else if (a === '--ms-per-kb') o.msPerKb = Number(next());
    else if (a === '--max-rss-mb') o.maxRssMb = Number(next());
    else if (a === '--server') o.server = resolve(next());
    else if (a === '--save') o.save = resolve(next());
    else if (a === '--json') o.json = true;
    else if (a === '--quiet') o.quiet = true;
    else if (a === '--help' || a === '-h') {
      console.log(
        'usage: node test/fuzz/fuzz.mjs [--count N] [--seconds S] [--seed N] [--deadline MS] [--ms-per-kb MS] [--max-rss-mb MB] [--server PATH] [--save DIR] [--json] [--quiet]',
      );
      process.exit(0);
    } else {
      console.error(`unknown option ${a}`);
      process.exit(2);
    }
  }
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

function rssMb(pid) {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
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
    try {
      if (this.alive) {
        await withDeadline(this.connection.sendRequest('shutdown'), 2000);
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

function withDeadline(promise, ms) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Timeout(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

// ---------------------------------------------------------------------------------------------------
// Main loop

export async function fuzz(options) {
  const o = { ...parseArgs([]), ...options };
  const rand = mulberry32(o.seed);
  const int = (n) => Math.floor(rand() * n);
  const corpus = loadCorpus();
  const mutators = makeMutators(rand, corpus);
  // Heavy inputs (MBs, deep nesting, bombs) are rarer, and one per input at most: they dominate the time.
  const HEAVY = new Set(['hugeScalar', 'deepNesting', 'aliasBomb', 'manyDocuments', 'manyKeys', 'longLine']);
  const light = Object.keys(mutators).filter((n) => !HEAVY.has(n));
  const heavy = [...HEAVY];
  const root = mkdtempSync(join(tmpdir(), 'stateful-ha-fuzz-ws-'));
  const rootUri = pathToFileURL(root).href;
  const docs = [
    { uri: `${rootUri}/compose.yaml`, languageId: 'dockercompose' },
    { uri: `${rootUri}/k8s/manifests.yaml`, languageId: 'yaml' },
    { uri: `${rootUri}/docker-stack.yml`, languageId: 'yaml' },
    { uri: `${rootUri}/deploy/values.yaml`, languageId: 'yaml' },
  ];
  const report = {
    seed: o.seed,
    inputs: 0,
    requests: 0,
    seconds: 0,
    crashes: 0,
    hangs: 0,
    memoryOverruns: 0,
    handlerErrors: 0,
    restarts: 0,
    maxLatencyMs: 0,
    maxLatencyInput: '',
    maxLatencyByMethod: {},
    p99LatencyMs: 0,
    maxRssMb: 0,
    maxInputBytes: 0,
    byMutator: {},
    problems: [],
  };
  const latencies = [];
  let current = '';
  let currentBytes = Buffer.alloc(0);
  const save = (kind, detail) => {
    mkdirSync(o.save, { recursive: true });
    const file = join(o.save, `${kind}-${String(report.inputs).padStart(6, '0')}.yaml`);
    writeFileSync(file, currentBytes);
    if (report.problems.length < 50)
      report.problems.push({ kind, input: current, file, detail: String(detail).slice(0, 500) });
  };
  const onLog = (message) => {
    if (/failed|uncaught|unhandled|error/i.test(message) && !/YAML syntax/i.test(message)) {
      report.handlerErrors++;
      save('handler-error', message);
    }
  };
  // A fresh server compiles its schemas on the first validation: warm it up outside the measurements, so
  // that a restart after a problem does not make the next input look like a hang.
  const warmUp = async (s) => {
    await s.initialize();
    const seed = corpus.find((f) => /compose/.test(f.name)) ?? corpus[0];
    await s.push(`${rootUri}/warm-up/compose.yaml`, seed.bytes.toString('utf8'), 'dockercompose');
    await withDeadline(s.request('statefulHa/lintWorkspace', null), 60_000);
    await s.close(`${rootUri}/warm-up/compose.yaml`);
  };
  let server = new Server(o.server, rootUri, onLog);
  await warmUp(server);
  const restart = async () => {
    report.restarts++;
    await server.stop();
    server = new Server(o.server, rootUri, onLog);
    await warmUp(server);
  };

  const started = Date.now();
  const log = (s) => {
    if (!o.quiet) process.stderr.write(s);
  };
  let lastLog = started;
  while (report.inputs < o.count && (Date.now() - started) / 1000 < o.seconds) {
    const seedFile = corpus[int(corpus.length)];
    let bytes = seedFile.bytes;
    const applied = [];
    let heavyUsed = false;
    for (let k = 1 + int(3); k > 0; k--) {
      const useHeavy = !heavyUsed && int(8) === 0;
      heavyUsed ||= useHeavy;
      const name = useHeavy ? heavy[int(heavy.length)] : light[int(light.length)];
      applied.push(name);
      bytes = mutators[name](bytes);
    }
    report.inputs++;
    current = `${seedFile.name.replace(ROOT + '/', '')} + ${applied.join(' + ')}`;
    currentBytes = bytes;
    for (const a of applied) report.byMutator[a] = (report.byMutator[a] ?? 0) + 1;
    report.maxInputBytes = Math.max(report.maxInputBytes, bytes.length);
    const doc = docs[int(docs.length)];
    const text = bytes.toString('utf8');

    try {
      if (applied.includes('invalidUtf8') && int(2) === 0 && server.versions.has(doc.uri))
        server.pushRaw(doc.uri, bytes);
      else await server.push(doc.uri, text, doc.languageId);
      if (int(50) === 0) await server.close(doc.uri);
      const lineCount = text.split('\n', 20_000).length;
      // Parsing is linear in the input: big inputs get `--ms-per-kb` more (a hang is no answer at all).
      const deadline = o.deadline + (bytes.length / 1024) * o.msPerKb;
      const timed = async (method, params) => {
        const t0 = performance.now();
        await withDeadline(server.request(method, params), deadline);
        const ms = performance.now() - t0;
        report.requests++;
        latencies.push(ms);
        report.maxLatencyByMethod[method] = Math.round(Math.max(report.maxLatencyByMethod[method] ?? 0, ms));
        if (ms > report.maxLatencyMs) {
          report.maxLatencyMs = ms;
          report.maxLatencyInput = `${method} after ${current} (${bytes.length} bytes)`;
        }
      };
      await timed('textDocument/hover', {
        textDocument: { uri: doc.uri },
        position: { line: int(lineCount + 2), character: int(40) },
      });
      // A full validation pass (rules, schema, publication) over the open documents.
      await timed('statefulHa/lintWorkspace', null);
    } catch (e) {
      // A dying process (V8 fatal error) may still be writing its report: give it a moment to exit.
      for (let i = 0; i < 20 && server.alive; i++) await new Promise((r) => setTimeout(r, 50));
      if (!server.alive) {
        report.crashes++;
        save('crash', `${JSON.stringify(server.exited)} ${server.stderr.slice(-2000)}`);
      } else if (e instanceof Timeout) {
        report.hangs++;
        save('hang', e.message);
      } else {
        report.handlerErrors++;
        save('error', e?.message ?? e);
      }
      await restart();
      continue;
    }
    if (!server.alive) {
      report.crashes++;
      save('crash', `${JSON.stringify(server.exited)} ${server.stderr.slice(-2000)}`);
      await restart();
      continue;
    }
    const rss = rssMb(server.pid);
    report.maxRssMb = Math.max(report.maxRssMb, rss);
    if (rss > o.maxRssMb) {
      report.memoryOverruns++;
      save('memory', `${rss.toFixed(0)} MB`);
      await restart();
    }
    if (Date.now() - lastLog > 5000) {
      lastLog = Date.now();
      log(
        `fuzz: ${report.inputs} inputs, ${((Date.now() - started) / 1000).toFixed(0)} s, max latency ${report.maxLatencyMs.toFixed(0)} ms, max RSS ${report.maxRssMb.toFixed(0)} MB, crashes ${report.crashes}, hangs ${report.hangs}\n`,
      );
    }
  }
  report.seconds = (Date.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  report.p99LatencyMs = latencies.length > 0 ? latencies[Math.floor(latencies.length * 0.99)] : 0;
  report.maxLatencyMs = Math.round(report.maxLatencyMs);
  report.p99LatencyMs = Math.round(report.p99LatencyMs);
  report.maxRssMb = Math.round(report.maxRssMb);
  await server.stop();
  rmSync(root, { recursive: true, force: true });
  return report;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const o = parseArgs(process.argv.slice(2));
  const report = await fuzz(o);
  const ok = report.crashes === 0 && report.hangs === 0 && report.memoryOverruns === 0;
  if (!o.quiet) {
    console.error(
      `fuzz: seed ${report.seed}: ${report.inputs} inputs in ${report.seconds.toFixed(0)} s, ${report.requests} requests; ` +
        `max latency ${report.maxLatencyMs} ms (p99 ${report.p99LatencyMs} ms), max RSS ${report.maxRssMb} MB; ` +
        `crashes ${report.crashes}, hangs ${report.hangs}, memory overruns ${report.memoryOverruns}, handler errors ${report.handlerErrors}`,
    );
    console.error(`fuzz: slowest: ${report.maxLatencyInput}`);
    for (const p of report.problems.slice(0, 10))
      console.error(`fuzz: ${p.kind}: ${p.input} → ${p.file}: ${p.detail}`);
  }
  if (o.json) console.log(JSON.stringify(report));
  process.exit(ok ? 0 : 1);
}
