// `stateful-ha lint`: read the files, run the advisor once over all of them (one workspace index, so
// cross-file references resolve), and return findings plus every input problem met on the way.
import { promises as fs, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Advisor } from '../advisor/advisor.js';
import { CONFIG_FILE_NAME, defaultConfig, loadConfig, type AdvisorConfig } from '../advisor/config/config.js';
import type { Finding, Severity } from '../advisor/model/model.js';
import type { FileModel } from '../advisor/model/workspace.js';
import { MAX_FILE_BYTES } from '../advisor/parse/parse-file.js';
import { RULES } from '../advisor/rules/index.js';
import { describeFsError, discover, type DiscoveredFile } from './discover.js';
import { parseInput, readInput } from './parse-input.js';
import { PoolWorkers, parseInPool, poolAvailable } from './parse-pool.js';
import { BUILD_ID, type ParseWorkerData, type PoolMode } from './parse-protocol.js';

/** A problem with the input (unreadable file, YAML syntax error, bad config): exit code 2. */
export interface InputProblem {
  file: string;
  /** 1-based; 0 when the problem concerns the whole file. */
  line: number;
  column: number;
  message: string;
}

export interface LintResult {
  findings: Finding[];
  /** Files linted as compose files or Kubernetes manifests. */
  files: number;
  problems: InputProblem[];
  /** Informational notes (explicitly named files that are neither compose nor Kubernetes). */
  notices: string[];
  /** Rules that threw (reported, the other rules still ran). */
  ruleFailures: { rule: string; message: string }[];
}

export interface LintOptions {
  configPath?: string;
  cwd?: string;
  maxFileBytes?: number;
  /** Build the findings' quick fixes (SARIF output); default true. Text and JSON never show them. */
  fixes?: boolean;
}

/**
 * The configuration of a run: `--config`, else the first `.stateful-ha.yaml` beside the linted paths (in a
 * linted folder, or in a linted file's folder), else the current directory's. One per run: the others
 * found beside the paths are returned as `unread`, for a notice.
 */
async function findConfig(
  paths: string[],
  cwd: string,
  explicit?: string,
): Promise<{ path?: string; unread: string[] }> {
  if (explicit) return { path: explicit, unread: [] };
  const besidePaths: string[] = [];
  for (const p of paths) {
    try {
      const st = await fs.stat(p);
      const candidate = join(st.isDirectory() ? p : dirname(p), CONFIG_FILE_NAME);
      if (!besidePaths.includes(candidate)) besidePaths.push(candidate);
    } catch {
      // reported by discovery
    }
  }
  const found: string[] = [];
  for (const c of besidePaths) if (await exists(c)) found.push(c);
  if (found.length > 0) return { path: found[0], unread: found.slice(1) };
  const inCwd = join(cwd, CONFIG_FILE_NAME);
  return { path: (await exists(inCwd)) ? inCwd : undefined, unread: [] };
}

async function exists(path: string): Promise<boolean> {
  try {
    await fs.access(path);
    return true;
  } catch {
    return false;
  }
}

export async function lintPaths(paths: string[], options: LintOptions = {}): Promise<LintResult> {
  const cwd = options.cwd ?? process.cwd();
  const problems: InputProblem[] = [];
  const notices: string[] = [];
  const fixes = options.fixes ?? true;
  const maxBytes = options.maxFileBytes ?? MAX_FILE_BYTES;

  let config: AdvisorConfig = defaultConfig();
  /** The configuration's text, for the parse workers to build the same catalog. */
  let configSource: ParseWorkerData['config'];
  const { path: configPath, unread } = await findConfig(paths, cwd, options.configPath);
  for (const other of unread)
    notices.push(
      `${other}: not read; this run's configuration is ${configPath} (one per run: lint the folders separately, or name one with --config)`,
    );
  if (configPath) {
    try {
      const text = await fs.readFile(configPath, 'utf8');
      const knownRules = [...RULES.map((r) => r.meta.id), 'suppression-without-reason'];
      const loaded = loadConfig(text, configPath, knownRules);
      config = loaded.config;
      configSource = { text, path: configPath, knownRules };
      for (const p of loaded.problems) {
        problems.push({
          file: configPath,
          line: p.range.start.line + 1,
          column: p.range.start.character + 1,
          message: `config: ${p.message}`,
        });
      }
    } catch (e) {
      problems.push({
        file: configPath,
        line: 0,
        column: 0,
        message: `cannot read config: ${describeFsError(e)}`,
      });
    }
  }

  // Without trees to keep, the files can be read (and parsed) in worker threads. When a folder is to be
  // walked, the workers start before the walk and boot while it runs (~0.3 s); the files found decide
  // whether they are used or stopped.
  const cores = availableParallelism();
  const shape = fixes || !poolAvailable() ? undefined : poolShape(cores);
  const workerData = (plan: PoolPlan): ParseWorkerData => ({
    buildId: BUILD_ID,
    mode: plan.mode,
    maxBytes,
    config: configSource,
  });
  const lintedFolders = paths.map((p) => resolve(cwd, p)).filter(isDirectory);
  let early =
    shape && lintedFolders.length > 0 ? new PoolWorkers(shape.workers, workerData(shape)) : undefined;

  const started = performance.now();
  let files: DiscoveredFile[];
  let plan: PoolPlan | undefined;
  try {
    // `ignore` globs are relative to the configuration's folder or a linted folder (the current directory
    // too, as before): `lint repo/` from elsewhere ignores what `lint .` in repo/ does.
    const roots = [
      ...new Set([...(configPath ? [dirname(resolve(cwd, configPath))] : []), ...lintedFolders, cwd]),
    ];
    const discovered = await discover(paths, config.ignorePaths, roots);
    files = discovered.files;
    debug(`discovered ${files.length} files in ${Math.round(performance.now() - started)} ms`);
    for (const p of discovered.problems)
      problems.push({ file: p.path, line: 0, column: 0, message: p.message });
    plan = shape && poolPlan(files, cores);
  } catch (e) {
    early?.stop();
    throw e;
  }
  if (early && !(plan && plan.mode === shape!.mode && plan.workers === shape!.workers)) {
    early.stop();
    early = undefined;
  }

  // Each file is parsed once: no per-document cache. Without quick fixes to build, the YAML trees are
  // dropped as soon as each file's model is built (less memory, less garbage collection).
  const advisor = new Advisor(config, { incremental: () => false, keepTrees: () => fixes });

  /** The problems and notices of a file read and parsed, its model already in the advisor. */
  const take = (f: DiscoveredFile, model: FileModel): void => {
    const source = model.source!;
    if (source.skippedReason) {
      problems.push({ file: f.display, line: 0, column: 0, message: source.skippedReason });
      return;
    }
    // YAML errors matter in files we lint, in files named explicitly, and in files that look like compose
    // files or manifests; other broken YAML met in a folder scan (Helm templates…) is skipped silently.
    const errors = source.syntaxErrors.filter((e) => e.severity === 'error');
    if (
      errors.length > 0 &&
      (source.kind !== 'other' || f.explicit || looksRelevant(f.display, source.text))
    ) {
      for (const e of errors) {
        problems.push({
          file: f.display,
          line: e.range.start.line + 1,
          column: e.range.start.character + 1,
          message: `YAML syntax error: ${e.message}`,
        });
      }
    }
    if (source.kind === 'other') {
      if (f.explicit && errors.length === 0)
        notices.push(`${f.display}: ${describeOther(source.text)}; nothing to lint`);
      advisor.removeFile(f.display);
    }
  };
  const unreadable = (f: DiscoveredFile, message: string): void => {
    problems.push({ file: f.display, line: 0, column: 0, message });
  };

  // The workers' results are added here in discovery order, as the loop below would (the same output, byte
  // for byte).
  if (plan) {
    const { mode } = plan;
    const stats = await parseInPool(
      files,
      early ?? new PoolWorkers(plan.workers, workerData(plan)),
      {
        // A tokenizing worker's replies are small and quick to make: posted further ahead, they are there when
        // the main thread, the slower side, asks for the next file.
        batchesInFlight: mode === 'events' ? 8 : 2,
        parseHere: (f) =>
          mode === 'events' ? readInput(f.path, maxBytes) : parseInput(f, config.catalog, maxBytes),
      },
      (i, result) => {
        const f = files[i]!;
        if ('problem' in result) return unreadable(f, result.problem);
        if ('model' in result) advisor.setModel(result.model);
        else advisor.setFile(f.display, result.text, result.tokens);
        take(f, advisor.model(f.display)!);
      },
    );
    debug(
      `parse pool (${mode}): ${stats.workers} workers, ${files.length} files: ${stats.inWorkers} read in workers, ${stats.here} in the main thread${stats.failures.map((m) => `; ${m}`).join('')}`,
    );
  } else {
    if (!fixes) debug(`parse pool: not used, ${files.length} files parsed in the main thread`);
    for (const f of files) {
      const read = readInput(f.path, maxBytes);
      if ('problem' in read) {
        unreadable(f, read.problem);
        continue;
      }
      advisor.setFile(f.display, read.text);
      take(f, advisor.model(f.display)!);
    }
  }

  const linted = advisor.paths().length;
  const parsed = performance.now();
  debug(`read and parsed in ${Math.round(parsed - started)} ms`);
  const { findings, failures } = advisor.analyze(undefined, { fixes });
  debug(`indexed and analysed in ${Math.round(performance.now() - parsed)} ms`);
  return { findings, files: linted, problems, notices, ruleFailures: failures };
}

/**
 * Below this many files (and bytes), model workers cost more than they save: each starts in ~0.05 s and
 * parses its first files ~3x slower (cold code). Measured on 2 cores with 2 model workers (median wall, 3
 * runs, in-process vs pool): 200 files (1.1 MB) 1.90 vs 2.01 s, 300 (1.7 MB) 2.52 vs 2.73 s, 400 (2.2 MB)
 * 3.49 vs 2.91 s.
 */
const MIN_MODEL_POOL = { files: 300, bytes: 2 * 1024 * 1024 };
/**
 * The same for a tokenizing worker, which saves the main thread less per file. Parts of the benchmark's
 * workspace on 2 cores (3 runs each, in-process vs one worker): 800 files (4.5 MB) 1.88–1.98 vs
 * 1.87–2.03 s, 1,500 (8.4 MB) 2.80–2.96 vs 2.71–3.02 s, 2,500 (14 MB) 4.04–4.49 vs 3.68–4.27 s.
 */
const MIN_EVENTS_POOL = { files: 2_000, bytes: 10 * 1024 * 1024 };
const MAX_POOL_WORKERS = 4;
/**
 * From this many cores the workers build the models, one worker per core but the main thread's. Below, on
 * 2 cores, one worker only reads and tokenizes (mode `events`, parse-protocol.ts): models built in workers
 * cost the main thread most of their price again to decode, and the workers, the main thread and their GC
 * threads then share two cores (5,000 files, 6 interleaved runs, median wall: in-process 6.32 s, one model
 * worker 6.56 s, two 6.90 s).
 */
const MIN_MODEL_POOL_CORES = 3;

export interface PoolPlan {
  workers: number;
  mode: PoolMode;
}

/**
 * The parse workers a large workspace gets on this many cores: none on one core; one tokenizing worker on
 * two; else model workers, one per core but the main thread's, up to 4. `STATEFUL_HA_WORKERS=N` and
 * `STATEFUL_HA_POOL_MODE=models|events` override (N = 0: all in the main thread; for tests and timing).
 */
export function poolShape(
  cores: number,
  env: Record<string, string | undefined> = process.env,
): PoolPlan | undefined {
  const forcedMode = env.STATEFUL_HA_POOL_MODE;
  const mode: PoolMode =
    forcedMode === 'events' || forcedMode === 'models'
      ? forcedMode
      : cores >= MIN_MODEL_POOL_CORES
        ? 'models'
        : 'events';
  const forced = forcedWorkers(env);
  if (forced !== undefined) return forced === 0 ? undefined : { workers: forced, mode };
  if (cores < 2) return undefined;
  return { workers: mode === 'events' ? 1 : Math.min(cores - 1, MAX_POOL_WORKERS), mode };
}

/** The parse workers for these files: `poolShape`'s, unless the workspace is too small to pay for them. */
export function poolPlan(
  files: readonly { path: string }[],
  cores: number,
  env: Record<string, string | undefined> = process.env,
): PoolPlan | undefined {
  const shape = files.length === 0 ? undefined : poolShape(cores, env);
  if (!shape) return undefined;
  if (forcedWorkers(env) !== undefined) return { ...shape, workers: Math.min(shape.workers, files.length) };
  const min = shape.mode === 'events' ? MIN_EVENTS_POOL : MIN_MODEL_POOL;
  if (files.length < min.files) {
    let bytes = 0;
    for (const f of files) {
      try {
        bytes += statSync(f.path).size;
      } catch {
        // reported when read
      }
      if (bytes >= min.bytes) break;
    }
    if (bytes < min.bytes) return undefined;
  }
  return shape;
}

function forcedWorkers(env: Record<string, string | undefined>): number | undefined {
  const forced = env.STATEFUL_HA_WORKERS;
  if (forced === undefined || forced === '') return undefined;
  const n = Number(forced);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function debug(message: string): void {
  if (process.env.STATEFUL_HA_DEBUG) process.stderr.write(`debug: ${message}\n`);
}

function looksRelevant(path: string, text: string): boolean {
  const name = path.split(/[\\/]/).pop() ?? '';
  if (/^(docker-)?compose.*\.ya?ml$/i.test(name) || /stack.*\.ya?ml$/i.test(name)) return true;
  return /^apiVersion\s*:/m.test(text) && /^kind\s*:/m.test(text) && !text.includes('{{');
}

function describeOther(text: string): string {
  const t = text.replace(/^(\s*(#.*)?\n)*/, '').trimStart();
  if (t === '' || t === '---') return 'empty file';
  if (t.startsWith('- ') || t.startsWith('[')) return 'a list, not a compose file or Kubernetes manifest';
  if (!/^[^\n]*:/.test(t)) return 'a scalar, not a compose file or Kubernetes manifest';
  return 'not a compose file (no top-level `services`) nor a Kubernetes manifest (no `apiVersion` and `kind`)';
}

export const SEVERITY_RANK: Record<Severity, number> = { error: 3, warning: 2, info: 1 };

export type FailOn = Severity | 'none';

export function exitCode(result: LintResult, failOn: FailOn): number {
  if (result.problems.length > 0) return 2;
  if (failOn === 'none') return 0;
  const threshold = SEVERITY_RANK[failOn];
  return result.findings.some((f) => SEVERITY_RANK[f.severity] >= threshold) ? 1 : 0;
}
