// `stateful-ha lint`: read the files, run the advisor once over all of them (one workspace index, so
// cross-file references resolve), and return findings plus every input problem met on the way.
import { promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import { Advisor } from '../advisor/advisor.js';
import { CONFIG_FILE_NAME, defaultConfig, loadConfig, type AdvisorConfig } from '../advisor/config/config.js';
import type { Finding, Severity } from '../advisor/model/model.js';
import { MAX_FILE_BYTES } from '../advisor/parse/parse-file.js';
import { RULES } from '../advisor/rules/index.js';
import { describeFsError, discover } from './discover.js';

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
  const configPath = await findConfig(paths, cwd, options.configPath);
  if (configPath) {
    try {
      const text = await fs.readFile(configPath, 'utf8');
      const loaded = loadConfig(text, configPath, [
        ...RULES.map((r) => r.meta.id),
        'suppression-without-reason',
      ]);
      config = loaded.config;
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

  const { files, problems: walkProblems } = await discover(paths, config.ignorePaths, cwd);
  for (const p of walkProblems) problems.push({ file: p.path, line: 0, column: 0, message: p.message });

  // Each file is parsed once: no per-document cache.
  const advisor = new Advisor(config, { incremental: () => false });
  const maxBytes = options.maxFileBytes ?? MAX_FILE_BYTES;
  for (const f of files) {
    let text: string;
    try {
      const st = await fs.stat(f.path);
      if (!st.isFile()) {
        // A FIFO or device would block or never end: only regular files are read.
        problems.push({ file: f.display, line: 0, column: 0, message: 'not a regular file: not linted' });
        continue;
      }
      if (st.size > maxBytes) {
        problems.push({
          file: f.display,
          line: 0,
          column: 0,
          message: `file is ${(st.size / 1024 / 1024).toFixed(1)} MB, over the ${(maxBytes / 1024 / 1024).toFixed(0)} MB limit: not linted`,
        });
        continue;
      }
      text = await fs.readFile(f.path, 'utf8');
    } catch (e) {
      problems.push({ file: f.display, line: 0, column: 0, message: `cannot read: ${describeFsError(e)}` });
      continue;
    }
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    advisor.setFile(f.display, text);
    const model = advisor.model(f.display)!;
    const source = model.source!;
    if (source.skippedReason) {
      problems.push({ file: f.display, line: 0, column: 0, message: source.skippedReason });
      continue;
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
  }

  const linted = advisor.paths().length;
  const { findings, failures } = advisor.analyze(undefined, { fixes: options.fixes ?? true });
  return { findings, files: linted, problems, notices, ruleFailures: failures };
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
