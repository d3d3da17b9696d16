// Test helpers: lint in-memory files through the real pipeline (parse → index → rules), and apply fixes.
import { Catalog } from '../../server/src/advisor/catalog/catalog.js';
import { analyze } from '../../server/src/advisor/analyze.js';
import { buildIndex } from '../../server/src/advisor/index/build-index.js';
import { parseFile } from '../../server/src/advisor/parse/parse-file.js';
import type { Finding, Severity, TextEdit } from '../../server/src/advisor/model/model.js';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const FIXTURES = join(__dirname, '..', 'fixtures');

/** The `*.yml`/`*.yaml` files below a folder, sorted, depth first. */
export function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((n) => {
      const p = join(dir, n);
      return statSync(p).isDirectory() ? yamlFiles(p) : /\.ya?ml$/.test(n) ? [p] : [];
    });
}

export function fixture(rel: string): string {
  return readFileSync(join(FIXTURES, rel), 'utf8');
}

/** Lints a set of files given as path → text. */
export function lint(
  files: Record<string, string>,
  severities?: Record<string, Severity | 'off'>,
): Finding[] {
  const catalog = new Catalog();
  const models = Object.entries(files).map(([path, text]) => parseFile(path, text, catalog));
  const index = buildIndex(models, catalog);
  const { findings, failures } = analyze(index, { catalog, severities });
  if (failures.length > 0)
    throw new Error(`rules failed: ${failures.map((f) => `${f.rule}: ${f.message}`).join('; ')}`);
  return findings;
}

export function ofRule(findings: Finding[], rule: string): Finding[] {
  return findings.filter((f) => f.rule === rule);
}

/** Applies edits to one file's text (edits must not overlap). */
export function applyEdits(text: string, file: string, edits: TextEdit[]): string {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const offset = (p: { line: number; character: number }): number =>
    (lineStarts[p.line] ?? text.length) + p.character;
  const mine = edits
    .filter((e) => e.range.file === file)
    .map((e) => ({ start: offset(e.range.start), end: offset(e.range.end), text: e.newText }))
    .sort((a, b) => b.start - a.start);
  let out = text;
  for (const e of mine) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

/** Applies a finding's first fix to every file it touches, returning the new file set. */
export function applyFix(
  files: Record<string, string>,
  finding: Finding,
  fixIndex = 0,
): Record<string, string> {
  const fix = finding.fixes[fixIndex];
  if (!fix) throw new Error(`finding ${finding.rule} has no fix #${fixIndex}`);
  const out: Record<string, string> = { ...files };
  for (const file of new Set(fix.edits.map((e) => e.range.file))) {
    out[file] = applyEdits(files[file] ?? '', file, fix.edits);
  }
  return out;
}
