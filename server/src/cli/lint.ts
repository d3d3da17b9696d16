// `stateful-ha lint`: read the files, run the advisor once over all of them (one workspace index, so
// cross-file references resolve), and return findings plus every input problem met on the way.
import { promises as fs, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { Advisor } from '../advisor/advisor.js';
import { CONFIG_FILE_NAME, defaultConfig, loadConfig, type AdvisorConfig } from '../advisor/config/config.js';
import type { Finding, Severity } from '../advisor/model/model.js';
import type { FileModel } from '../advisor/model/workspace.js';
import { MAX_FILE_BYTES } from '../advisor/parse/parse-file.js';
import { RULES } from '../advisor/rules/index.js';
import { describeFsError, discover, type DiscoveredFile } from './discover.js';
import { parseInput, readInput } from './parse-input.js';
import { parseInPool, poolAvailable } from './parse-pool.js';
import { BUILD_ID, type ParseWorkerData } from './parse-protocol.js';

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

async function findConfig(paths: string[], cwd: string, explicit?: string): Promise<string | undefined> {
  if (explicit) return explicit;
  const candidates: string[] = [];
  for (const p of paths) {
    try {
      const st = await fs.stat(p);
      candidates.push(join(st.isDirectory() ? p : dirname(p), CONFIG_FILE_NAME));
    } catch {
      // reported by discovery
    }
  }
  candidates.push(join(cwd, CONFIG_FILE_NAME));
  for (const c of candidates) {
    try {
      await fs.access(c);
      return c;
    } catch {
      // try the next one
    }
  }
  return undefined;
}

export async function lintPaths(paths: string[], options: LintOptions = {}): Promise<LintResult> {
  const cwd = options.cwd ?? process.cwd();
  const problems: InputProblem[] = [];
  const notices: string[] = [];

  let config: AdvisorConfig = defaultConfig();
  /** The configuration's text, for the parse workers to build the same catalog. */
  let configSource: ParseWorkerData['config'];
  const configPath = await findConfig(paths, cwd, options.configPath);
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

  const started = performance.now();
  const { files, problems: walkProblems } = await discover(paths, config.ignorePaths, cwd);
  debug(`discovered ${files.length} files in ${Math.round(performance.now() - started)} ms`);
  for (const p of walkProblems) problems.push({ file: p.path, line: 0, column: 0, message: p.message });

  // Each file is parsed once: no per-document cache. Without quick fixes to build, the YAML trees are
  // dropped as soon as each file's model is built (less memory, less garbage collection).
  const fixes = options.fixes ?? true;
  const advisor = new Advisor(config, { incremental: () => false, keepTrees: () => fixes });
  const maxBytes = options.maxFileBytes ?? MAX_FILE_BYTES;

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

  // Without trees to keep, the files can be read and parsed in worker threads: their models, plain data,
  // are added here in discovery order, as the loop below would (the same output, byte for byte).
  const workers = fixes ? 0 : poolSize(files);
  if (workers > 0) {
    const stats = await parseInPool(
      files,
      {
        workers,
        workerData: { buildId: BUILD_ID, maxBytes, config: configSource },
        parseHere: (f) => parseInput(f, config.catalog, maxBytes),
      },
      (i, result) => {
        const f = files[i]!;
        if ('problem' in result) return unreadable(f, result.problem);
        advisor.setModel(result.model);
        take(f, result.model);
      },
    );
    debug(
      `parse pool: ${stats.workers} workers, ${files.length} files: ${stats.inWorkers} parsed in workers, ${stats.here} in the main thread${stats.failures.map((m) => `; ${m}`).join('')}`,
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
 * Below this many files (and bytes), the workers cost more than they save: each one starts in ~0.05 s and
 * parses its first files ~3x slower (cold code). Measured on 2 cores with 2 workers, before pools needed 3
 * cores (median wall, 3 runs, in-process vs pool): 200 files (1.1 MB) 1.90 vs 2.01 s, 300 (1.7 MB) 2.52 vs
 * 2.73 s, 400 (2.2 MB) 3.49 vs 2.91 s.
 */
const MIN_POOL_FILES = 300;
const MIN_POOL_BYTES = 2 * 1024 * 1024;
const MAX_POOL_WORKERS = 4;
/**
 * The fewest cores for a pool. On 2 cores the main thread alone is now faster (once parsing stopped
 * pretenuring its garbage): 5,000 files, 6 interleaved runs, median wall 6.32 s in-process vs 6.56 s with
 * one worker and 6.90 s with two, CPU 8.1 vs 10.7 and 11.4 s; 800 files 1.18 vs 1.46 s with two. The
 * workers, the main thread (it decodes their models and runs the rules) and three isolates' GC threads
 * share the two cores. With a core for each worker and one for the main thread, parsing (55% of a lint)
 * runs in parallel.
 */
const MIN_POOL_CORES = 3;

/**
 * How many parse workers to start for these files: none for a small workspace or under 3 cores, else one
 * per core but the main thread's, up to 4. `STATEFUL_HA_WORKERS=N` overrides (0: parse in the main thread;
 * for tests and timing).
 */
function poolSize(files: DiscoveredFile[]): number {
  if (files.length === 0 || !poolAvailable()) return 0;
  const forced = process.env.STATEFUL_HA_WORKERS;
  if (forced !== undefined && forced !== '') {
    const n = Number(forced);
    if (Number.isInteger(n) && n >= 0) return Math.min(n, files.length);
  }
  const cores = availableParallelism();
  if (cores < MIN_POOL_CORES) return 0;
  if (files.length < MIN_POOL_FILES) {
    let bytes = 0;
    for (const f of files) {
      try {
        bytes += statSync(f.path).size;
      } catch {
        // reported when read
      }
      if (bytes >= MIN_POOL_BYTES) break;
    }
    if (bytes < MIN_POOL_BYTES) return 0;
  }
  return Math.min(cores - 1, MAX_POOL_WORKERS);
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
