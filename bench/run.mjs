#!/usr/bin/env node
// `npm run bench`: the advisor's language server and CLI against yaml-language-server 1.x and dclint, side
// by side in the same run, on deterministic generated inputs (bench/generate.mjs) and the real-world corpus.
//
//   node bench/run.mjs [--parts baseline,open,corpus,incremental,cli,memory] [--runs 7] [--warmup 2]
//                      [--corpus-runs 3] [--cli-runs 1] [--compose-files 200] [--servers ours,yamlls] [--files 5000]
//                      [--json FILE] [--markdown FILE] [--verbose]
//
// Medians over --runs after --warmup discarded runs. Each measured open uses a fresh URI (no server-side
// cache can answer it). yaml-language-server gets the project's schemas from bench/.generated/schemas/
// (bundled from schemas/, local file URIs, schemaStore off: no network). Peers live in bench/vendor/
// (`npm ci --prefix bench/vendor`); a missing peer is reported and its column skipped.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { generate } from './generate.mjs';
import { LspClient, toUri } from './lsp-harness.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..');
const GEN = join(HERE, '.generated');
const VENDOR = join(HERE, 'vendor', 'node_modules');
const require = createRequire(join(ROOT, 'package.json'));

// ---------------------------------------------------------------- options
const argv = process.argv.slice(2);
const opt = (name, def) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : def;
};
const ALL_PARTS = ['baseline', 'open', 'corpus', 'incremental', 'cli', 'memory'];
const parts = new Set(opt('parts', ALL_PARTS.join(',')).split(','));
const RUNS = Number(opt('runs', 7));
const WARMUP = Number(opt('warmup', 2));
const CORPUS_RUNS = Number(opt('corpus-runs', 3));
const CLI_RUNS = Number(opt('cli-runs', 1));
// dclint compiles the compose schema for every file (~0.2 s CPU per file here): a subset keeps the run short.
const COMPOSE_FILES = Number(opt('compose-files', 200));
const FILES = Number(opt('files', 5000));
const servers = new Set(opt('servers', 'ours,yamlls').split(','));
const verbose = argv.includes('--verbose');
const CORPUS_DIR = opt('corpus', join(ROOT, '..', 'shared', 'corpus', 'real-world'));
for (const p of parts)
  if (!ALL_PARTS.includes(p)) throw new Error(`unknown part ${p}; parts: ${ALL_PARTS.join(',')}`);

// ---------------------------------------------------------------- helpers
const median = (xs) => {
  const s = xs.filter((x) => typeof x === 'number' && !Number.isNaN(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const ms = (x) => (Number.isFinite(x) ? `${x < 10 ? x.toFixed(1) : Math.round(x)} ms` : 'n/a');
const mb = (b) => (Number.isFinite(b) ? `${(b / 1024 / 1024).toFixed(0)} MB` : 'n/a');
const ratio = (a, b) =>
  Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}×` : 'n/a';
const log = (...a) => console.log(...a);
const results = {
  started: new Date().toISOString(),
  machine: machine(),
  options: { parts: [...parts], RUNS, WARMUP, CORPUS_RUNS, CLI_RUNS, FILES },
};
const md = [];

function machine() {
  const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
  return {
    nproc: cpus().length,
    cpu: /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? cpus()[0]?.model,
    node: process.version,
    loadavg: loadavg()
      .map((x) => x.toFixed(2))
      .join(' '),
  };
}

function table(headers, rows) {
  const out = [`| ${headers.join(' | ')} |`, `|${headers.map(() => '---').join('|')}|`];
  for (const r of rows) out.push(`| ${r.join(' | ')} |`);
  return out.join('\n');
}

function emit(title, text) {
  log(`\n## ${title}\n\n${text}`);
  md.push(`## ${title}\n\n${text}\n`);
}

// ---------------------------------------------------------------- servers
const OURS = join(ROOT, 'dist', 'server.js');
const YAMLLS = join(VENDOR, 'yaml-language-server', 'bin', 'yaml-language-server');
const DCLINT = join(VENDOR, 'dclint', 'bin', 'dclint.cjs');

function yamllsSettings() {
  const s = join(GEN, 'schemas');
  const settings = {
    yaml: {
      validate: true,
      hover: false,
      completion: false,
      format: { enable: false },
      schemaStore: { enable: false },
      // Measured opens live under open/k8s/… or open/compose/…: one schema each, never both.
      schemas: {
        [toUri(join(s, 'kubernetes.json'))]: ['**/.generated/open/k8s/**', '**/.generated/large/*.yaml'],
        [toUri(join(s, 'compose.json'))]: ['**/.generated/open/compose/**'],
      },
      maxItemsComputed: 5000,
    },
    http: { proxy: '', proxyStrictSSL: false },
    editor: { tabSize: 2 },
  };
  return settings;
}

function serverSpecs() {
  const specs = [];
  if (servers.has('ours')) {
    if (existsSync(OURS))
      specs.push({
        id: 'ours',
        label: 'stateful-ha server',
        command: process.execPath,
        // As the extension starts it (client/src/extension.ts): one malloc arena.
        args: [OURS, '--stdio'],
        env: { MALLOC_ARENA_MAX: '1' },
        passNotification: 'statefulHa/counts',
        debounceMs: 150, // the longest of its adaptive debounce for a burst of edits (15–150 ms)
        editDelayMs: 0, // an edit after a 150 ms pause is validated at once
        openDelayMs: 0, // a file just opened is validated at once
      });
    else
      log(`! ${relative(ROOT, OURS)} missing: run \`npm run build\` (the language server column is skipped)`);
  }
  if (servers.has('yamlls')) {
    if (existsSync(YAMLLS)) {
      const s = yamllsSettings();
      specs.push({
        id: 'yamlls',
        label: `yaml-language-server ${vendorVersion('yaml-language-server')}`,
        command: process.execPath,
        args: [YAMLLS, '--stdio'],
        settings: s,
        initializationOptions: s,
        debounceMs: 200, // validationDelayMs, also on open
        editDelayMs: 200,
        openDelayMs: 200,
      });
    } else log('! yaml-language-server missing: run `npm ci --prefix bench/vendor` (its column is skipped)');
  }
  return specs;
}

function vendorVersion(name) {
  try {
    return JSON.parse(readFileSync(join(VENDOR, name, 'package.json'), 'utf8')).version;
  } catch {
    return '?';
  }
}

async function startServer(spec, folder) {
  const c = new LspClient({
    name: spec.id,
    command: spec.command,
    args: spec.args,
    env: spec.env,
    settings: spec.settings ?? {},
    initializationOptions: spec.initializationOptions,
    passNotification: spec.passNotification,
    verbose,
  });
  c.debounceMs = spec.debounceMs;
  c.openDelayMs = spec.openDelayMs;
  await c.start(folder);
  await c.quiesce(400);
  return c;
}

let openSeq = 0;
/** Opens `text` under a fresh URI named like `name`, measures, closes and waits for quiet. */
async function openOnce(c, kind, name, text, quietMs) {
  const uri = toUri(join(GEN, 'open', kind, `r${openSeq++}`, name));
  const m = await c.open(uri, text, { quietMs, minPassMs: c.openDelayMs ?? 0 });
  c.close(uri);
  // The close starts a (debounced) pass of its own: wait past the debounce so it cannot end the next wait.
  await c.quiesce(Math.max(400, quietMs + (c.debounceMs ?? 0)));
  return m;
}

async function measureOpens(c, kind, name, text, runs, warmup, quietMs) {
  for (let i = 0; i < warmup; i++) await openOnce(c, kind, name, text, quietMs);
  const ms = [];
  for (let i = 0; i < runs; i++) ms.push(await openOnce(c, kind, name, text, quietMs));
  return {
    firstMs: median(ms.map((m) => m.firstMs)),
    settledMs: median(ms.map((m) => m.settledMs)),
    cpuMs: median(ms.map((m) => m.cpuMs)),
    diagnostics: ms.at(-1)?.diagnostics,
    published: ms.at(-1)?.published,
    timeouts: ms.filter((m) => m.timeout).length,
    samples: ms.map((m) => Math.round(m.firstMs)),
  };
}

// ---------------------------------------------------------------- parts
let lastParseCpu = NaN;
function baselineParse(text, runs, warmup) {
  const { parseAllDocuments, LineCounter } = require('yaml');
  const times = [];
  const cpu = [];
  for (let i = 0; i < warmup + runs; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    parseAllDocuments(text, { lineCounter: new LineCounter(), uniqueKeys: false, prettyErrors: false });
    const c = process.cpuUsage(c0);
    if (i >= warmup) {
      times.push(performance.now() - t0);
      cpu.push((c.user + c.system) / 1000);
    }
  }
  lastParseCpu = median(cpu);
  return median(times);
}

async function partOpen(manifest, large) {
  const specs = serverSpecs();
  const rows = [];
  const res = {};
  const parse = baselineParse(large, RUNS, WARMUP);
  const parseCpu = lastParseCpu;
  res.yamlParseMs = parse;
  for (const spec of specs) {
    const c = await startServer(spec, join(GEN, 'empty-ws'));
    const m = await measureOpens(c, 'k8s', 'manifest.yaml', large, RUNS, WARMUP, 300);
    m.rssAfter = c.rss();
    m.openDelayMs = spec.openDelayMs;
    res[spec.id] = m;
    await c.stop();
  }
  const parseAfter = baselineParse(large, RUNS, WARMUP); // the machine may be busy: parse before and after
  res.yamlParseAfterMs = parseAfter;
  const yamlParse = median([parse, parseAfter]);
  const yamlParseCpu = median([parseCpu, lastParseCpu]);
  res.yamlParseCpuMs = yamlParseCpu;
  for (const spec of specs) {
    const m = res[spec.id];
    rows.push([
      spec.label,
      ms(m.firstMs),
      ms(m.settledMs),
      ms(m.firstMs - spec.openDelayMs),
      ms(m.cpuMs),
      String(m.diagnostics),
      ratio(m.firstMs, yamlParse),
      ratio(m.firstMs - spec.openDelayMs, yamlParse),
      ratio(m.cpuMs, yamlParseCpu),
      mb(m.rssAfter),
    ]);
  }
  let text = `${manifest.large.lines} lines, ${manifest.large.documents} documents, ${(manifest.large.bytes / 1024).toFixed(0)} KB; median of ${RUNS} opens after ${WARMUP} warm-up, fresh URI each.\n\n`;
  text += table(
    [
      'server',
      'didOpen → first diagnostics',
      'settled',
      'minus open delay',
      'server CPU',
      'diagnostics',
      'vs yaml parse',
      'minus open delay vs parse',
      'CPU vs parse CPU',
      'RSS after',
    ],
    rows,
  );
  text += `\n\nBaseline: one \`yaml\` parseAllDocuments (with LineCounter) of the same text, in-process: ${ms(yamlParse)} wall (before ${ms(parse)}, after ${ms(parseAfter)}), ${ms(yamlParseCpu)} CPU. Server CPU is read from /proc/<pid>/stat (10 ms ticks) between the notification and the settled state.`;
  if (res.ours && res.yamlls) {
    text += `\nOurs / yaml-language-server (first diagnostics): ${ratio(res.ours.firstMs, res.yamlls.firstMs)}; net of each server's delay on open (${res.ours.openDelayMs} ms / ${res.yamlls.openDelayMs} ms): ${ratio(res.ours.firstMs - res.ours.openDelayMs, res.yamlls.firstMs - res.yamlls.openDelayMs)}; server CPU: ${ratio(res.ours.cpuMs, res.yamlls.cpuMs)}.`;
  }
  emit('Time to diagnostics: generated large manifest', text);
  results.open = res;
}

async function partCorpus() {
  if (!existsSync(CORPUS_DIR)) {
    emit('Time to diagnostics: real-world corpus', `corpus folder ${CORPUS_DIR} not found: skipped`);
    return;
  }
  const files = readdirSync(CORPUS_DIR)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  const specs = serverSpecs();
  const res = {};
  for (const spec of specs) {
    const c = await startServer(spec, join(GEN, 'empty-ws'));
    res[spec.id] = {};
    for (const f of files) {
      const text = readFileSync(join(CORPUS_DIR, f), 'utf8');
      const kind = /compose|stack/i.test(f) ? 'compose' : 'k8s';
      res[spec.id][f] = await measureOpens(c, kind, f, text, CORPUS_RUNS, 1, 150);
    }
    await c.stop();
  }
  const rows = files.map((f) => {
    const row = [f, String(readFileSync(join(CORPUS_DIR, f), 'utf8').split('\n').length)];
    for (const spec of specs) {
      const m = res[spec.id][f];
      row.push(`${ms(m.firstMs)} (${m.published ? m.diagnostics : 'none'})`);
    }
    if (res.ours && res.yamlls) row.push(ratio(res.ours[f].firstMs, res.yamlls[f].firstMs));
    return row;
  });
  const meds = specs.map((s) => median(files.map((f) => res[s.id][f].firstMs)));
  rows.push([
    '**median over files**',
    '',
    ...meds.map((x) => `**${ms(x)}**`),
    ...(res.ours && res.yamlls ? [ratio(meds[0], meds[1])] : []),
  ]);
  const text = `${files.length} files from ${relative(ROOT, CORPUS_DIR)}; per file the median of ${CORPUS_RUNS} opens after 1 warm-up (first diagnostics; diagnostic count in parentheses, "none" = the server published nothing because there is nothing to show).\n\n${table(['file', 'lines', ...specs.map((s) => s.label), ...(res.ours && res.yamlls ? ['ours / yaml-ls'] : [])], rows)}`;
  emit('Time to diagnostics: real-world corpus', text);
  results.corpus = res;
}

/** A line in the middle of the large manifest whose edit changes findings (a StatefulSet's replicas). */
function editTarget(text) {
  const lines = text.split('\n');
  const candidates = [];
  for (let i = 0; i < lines.length; i++) if (/^ {2}replicas: \d+$/.test(lines[i])) candidates.push(i);
  const line = candidates[Math.floor(candidates.length / 2)];
  const n = Number(/\d+/.exec(lines[line])[0]);
  return { line, original: lines[line], edited: `  replicas: ${n === 3 ? 4 : 3}` };
}

async function partIncremental(large) {
  const specs = serverSpecs();
  const res = {};
  const path = join(GEN, 'large', 'manifest.yaml');
  const uri = toUri(path);
  const { line, original, edited } = editTarget(large);
  for (const spec of specs) {
    const c = await startServer(spec, join(GEN, 'large'));
    const statsBefore = await stats(c);
    let text = large;
    const opened = await c.open(uri, text, { quietMs: 400 });
    await c.quiesce(400);
    const statsOpened = await stats(c);
    const times = [];
    const cpu = [];
    let version = 1;
    for (let i = 0; i < WARMUP + RUNS; i++) {
      const newLine = i % 2 === 0 ? edited : original;
      const m = await c.changeLine(uri, text, line, newLine, ++version, {
        quietMs: 250,
        minPassMs: spec.debounceMs,
      });
      text = m.text;
      if (i >= WARMUP) {
        times.push(m.firstMs);
        cpu.push(m.cpuMs);
      }
      await c.quiesce(250);
    }
    const statsAfter = await stats(c);
    res[spec.id] = {
      openMs: opened.firstMs,
      firstMs: median(times),
      cpuMs: median(cpu),
      samples: times.map(Math.round),
      statsBefore,
      statsOpened,
      statsAfter,
      edits: WARMUP + RUNS,
      debounceMs: spec.debounceMs,
      editDelayMs: spec.editDelayMs,
    };
    await c.stop();
  }
  const rows = specs.map((s) => {
    const m = res[s.id];
    return [s.label, ms(m.firstMs), ms(m.firstMs - s.editDelayMs), ms(m.cpuMs), m.samples.join(', ')];
  });
  let text = `One-line edit (line ${line + 1}: \`${original.trim()}\` ↔ \`${edited.trim()}\`, a StatefulSet in the middle of the large manifest), sent as an incremental didChange; median of ${RUNS} edits after ${WARMUP} warm-up. Workspace folder: the manifest's own folder.\n\n`;
  text += table(
    [
      'server',
      'didChange → fresh diagnostics',
      'minus its delay after an edit',
      'server CPU',
      'samples (ms)',
    ],
    rows,
  );
  const o = res.ours;
  if (o) {
    if (o.statsAfter) {
      const d = (k) => (o.statsAfter[k] ?? 0) - (o.statsOpened[k] ?? 0);
      // The advisor's counters (the heap compactor's are not about the edits).
      const counters = ['parses', 'indexBuilds', 'documentParses', 'fixBuilds'].filter(
        (k) => k in o.statsAfter,
      );
      const pick = (st) => JSON.stringify(Object.fromEntries(counters.map((k) => [k, st[k]])));
      text += `\n\n\`statefulHa/stats\` after open: ${pick(o.statsOpened)}; after ${o.edits} edits: ${pick(o.statsAfter)} → ${counters
        .map((k) => `${k} +${d(k)}`)
        .join(', ')} for ${o.edits} edits.`;
    } else
      text +=
        '\n\n`statefulHa/stats` gave no answer (not implemented by this build, or busy): no counter proof.';
  }
  emit('Incremental: one-line change in the large manifest', text);
  results.incremental = res;
}

async function stats(c) {
  try {
    return await Promise.race([
      c.request('statefulHa/stats'),
      new Promise((r) => setTimeout(() => r(undefined), 2000)),
    ]);
  } catch {
    return undefined;
  }
}

function timeCommand(args, runs, warmup, opts = {}) {
  const times = [];
  let last;
  for (let i = 0; i < warmup + runs; i++) {
    const t0 = performance.now();
    last = spawnSync(process.execPath, args, { cwd: ROOT, maxBuffer: 1 << 30, encoding: 'utf8', ...opts });
    const t = performance.now() - t0;
    if (last.error) throw last.error;
    if (i >= warmup) times.push(t);
  }
  return { ms: median(times), samples: times.map(Math.round), last };
}

function composeFiles(ws) {
  const out = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/^docker-compose.*\.ya?ml$/.test(e.name)) out.push(p);
    }
  };
  walk(ws);
  return out;
}

function partCli(manifest) {
  const cli = join(ROOT, 'dist', 'cli.js');
  const ws = join(GEN, 'ws');
  const res = {};
  const rows = [];
  if (!existsSync(cli)) {
    emit('CLI throughput', 'dist/cli.js missing: run `npm run build`');
    return;
  }
  const all = timeCommand(
    [cli, 'lint', relative(ROOT, ws), '--format', 'json', '--fail-on', 'none'],
    CLI_RUNS,
    0,
  );
  const allOut = safeJson(all.last.stdout);
  res.all = {
    ms: all.ms,
    samples: all.samples,
    files: allOut?.files,
    findings: allOut?.findings?.length,
    status: all.last.status,
    stderrLines: all.last.stderr.split('\n').filter(Boolean).length,
  };
  rows.push([
    `stateful-ha lint (whole workspace, ${manifest.workspace.files} files, ${(manifest.workspace.bytes / 1e6).toFixed(1)} MB)`,
    ms(all.ms),
    `${((allOut?.files ?? manifest.workspace.files) / (all.ms / 1000)).toFixed(0)} files/s`,
    String(allOut?.files),
    String(allOut?.findings?.length),
  ]);

  const compose = composeFiles(ws)
    .map((p) => relative(ROOT, p))
    .slice(0, COMPOSE_FILES);
  const ours = timeCommand([cli, 'lint', ...compose, '--format', 'json', '--fail-on', 'none'], CLI_RUNS, 1);
  const oursOut = safeJson(ours.last.stdout);
  res.composeOurs = {
    ms: ours.ms,
    samples: ours.samples,
    files: oursOut?.files,
    findings: oursOut?.findings?.length,
  };
  rows.push([
    `stateful-ha lint (compose subset, ${compose.length} files)`,
    ms(ours.ms),
    `${(compose.length / (ours.ms / 1000)).toFixed(0)} files/s`,
    String(oursOut?.files),
    String(oursOut?.findings?.length),
  ]);
  if (existsSync(DCLINT)) {
    // Its report goes to a file: on a pipe, dclint exits before stdout is flushed (the JSON was cut at
    // ~220 KB, so the files and messages it found went unreported).
    const dcReport = join(GEN, 'dclint-report.json');
    rmSync(dcReport, { force: true });
    const dc = timeCommand(
      [DCLINT, ...compose, '-f', 'json', '--color', 'false', '-o', dcReport],
      CLI_RUNS,
      1,
    );
    const dcOut = existsSync(dcReport) ? safeJson(readFileSync(dcReport, 'utf8')) : undefined;
    const msgs = Array.isArray(dcOut) ? dcOut.reduce((n, r) => n + r.messages.length, 0) : undefined;
    res.dclint = {
      ms: dc.ms,
      samples: dc.samples,
      files: Array.isArray(dcOut) ? dcOut.length : undefined,
      messages: msgs,
      status: dc.last.status,
    };
    rows.push([
      `dclint ${vendorVersion('dclint')} (same ${compose.length} files)`,
      ms(dc.ms),
      `${(compose.length / (dc.ms / 1000)).toFixed(0)} files/s`,
      String(res.dclint.files),
      String(msgs),
    ]);
  } else rows.push(['dclint', 'not installed (`npm ci --prefix bench/vendor`)', '', '', '']);
  let text = `Wall time of the whole process (start-up included; the whole workspace cold, no warm-up), median of ${CLI_RUNS} run(s); compose subset: the first ${compose.length} compose/stack files, after 1 warm-up.\n\n${table(['command', 'time', 'throughput', 'files', 'findings/messages'], rows)}`;
  if (res.dclint)
    text += `\n\nCompose subset, stateful-ha / dclint: ${ratio(res.composeOurs.ms, res.dclint.ms)}.`;
  emit('CLI throughput', text);
  results.cli = res;
}

function safeJson(s) {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

async function partMemory(manifest) {
  if (!servers.has('ours') || !existsSync(OURS)) return;
  const spec = serverSpecs().find((s) => s.id === 'ours');
  const ws = join(GEN, 'ws');
  const c = new LspClient({
    name: 'ours',
    command: spec.command,
    args: spec.args,
    env: spec.env,
    passNotification: spec.passNotification,
    verbose,
  });
  const t0 = performance.now();
  await c.start(ws);
  const pass = await c.waitFor((e) => e.pass, 300_000);
  const indexedMs = performance.now() - t0;
  await c.quiesce(1000);
  const rss = c.rss();
  const peak = c.peakRss();
  const st = await stats(c);
  const published = new Set(c.events.map((e) => e.uri)).size;
  // The steady state: the server compacts its heap once quiet.
  await new Promise((r) => setTimeout(r, 15_000));
  const idleRss = c.rss();
  const idleStats = await stats(c);
  await c.stop();
  results.memory = {
    indexedMs: pass ? indexedMs : NaN,
    rss,
    idleRss,
    peak,
    stats: st,
    idleStats,
    publishedFiles: published,
  };
  const text = table(
    ['measure', 'value'],
    [
      ['workspace', `${manifest.workspace.files} files, ${(manifest.workspace.bytes / 1e6).toFixed(1)} MB`],
      [
        'initialize → first pass complete (scan, parse, index, analyze, publish)',
        pass ? ms(indexedMs) : 'timeout',
      ],
      ['server RSS right after the first pass (VmRSS)', mb(rss)],
      ['server RSS once quiet: 15 s later (VmRSS)', mb(idleRss)],
      ['server peak RSS (VmHWM)', mb(peak)],
      ['files with published diagnostics', String(published)],
      [
        'statefulHa/stats',
        st ? `\`${JSON.stringify(st)}\`` : 'no answer within 2 s (not implemented, or still busy)',
      ],
      [
        'heap compaction while idle (rounds, committed heap given back)',
        idleStats?.compactions !== undefined
          ? `${idleStats.compactions}, ${mb(idleStats.compactedBytes)}`
          : 'not reported by this build',
      ],
    ],
  );
  emit('Memory: server after indexing the 5,000-file workspace', text);
}

// ---------------------------------------------------------------- main
const manifest = generate({ out: GEN, files: FILES, log });
mkdirSync(join(GEN, 'empty-ws'), { recursive: true });
const large = readFileSync(join(GEN, manifest.large.path), 'utf8');
log(
  `# Stateful HA Advisor benchmarks\n\nmachine: ${results.machine.nproc} cores, ${results.machine.cpu}, node ${results.machine.node}, load average at start ${results.machine.loadavg}`,
);
log(
  `peers: yaml-language-server ${vendorVersion('yaml-language-server')}, dclint ${vendorVersion('dclint')}; schemas for yaml-language-server: ${manifest.schemas.source === 'project' ? "the project's (schemas/)" : 'fallback (schemas/ missing)'}`,
);

if (parts.has('baseline')) {
  const p = baselineParse(large, RUNS, WARMUP);
  emit(
    'Baseline',
    `One \`yaml\` parseAllDocuments of the large manifest (${manifest.large.lines} lines): median ${ms(p)} wall, ${ms(lastParseCpu)} CPU over ${RUNS} runs.`,
  );
  results.baseline = { yamlParseMs: p, yamlParseCpuMs: lastParseCpu };
}
if (parts.has('open')) await partOpen(manifest, large);
if (parts.has('incremental')) await partIncremental(large);
if (parts.has('corpus')) await partCorpus();
if (parts.has('cli')) partCli(manifest);
if (parts.has('memory')) await partMemory(manifest);

results.finished = new Date().toISOString();
results.machine.loadavgEnd = loadavg()
  .map((x) => x.toFixed(2))
  .join(' ');
const jsonOut = opt('json', join(GEN, 'results.json'));
const mdOut = opt('markdown', join(GEN, 'results.md'));
writeFileSync(jsonOut, `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(
  mdOut,
  `# Benchmark run ${results.started}\n\nmachine: ${results.machine.nproc} cores, ${results.machine.cpu}, node ${results.machine.node}; load average ${results.machine.loadavg} → ${results.machine.loadavgEnd}\n\n${md.join('\n')}`,
);
log(
  `\nload average at end ${results.machine.loadavgEnd}\nwrote ${relative(ROOT, jsonOut)} and ${relative(ROOT, mdOut)}`,
);
