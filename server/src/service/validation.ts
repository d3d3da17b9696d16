// Diagnostics for one file: YAML syntax problems, the skip reason, schema problems and the advisor's
// findings. Each finding's quick fixes travel in `Diagnostic.data` (already as LSP text edits per URI), so
// code actions are answered from the diagnostic alone, without re-running the rules.
import {
  DiagnosticSeverity,
  type Diagnostic,
  type DiagnosticRelatedInformation,
  type TextEdit as LspTextEdit,
} from 'vscode-languageserver-protocol';
import type { Finding, Fix, Severity, SourceFile } from '../advisor/model/model.js';
import { RULES_BY_ID } from '../advisor/rules/index.js';
import { docsUrl } from '../advisor/rules/rule.js';
import { HIDDEN_CODE, MAX_PUBLISHED, SKIPPED_CODE, SOURCE, SYNTAX_CODE } from './validation-constants.js';
import { toUri } from './uri.js';

/** A fix as carried in `Diagnostic.data`: edits grouped by document URI, 0-based LSP ranges. */
export interface LspFix {
  title: string;
  changes: Record<string, LspTextEdit[]>;
}

export interface DiagnosticData {
  rule: string;
  /** Document version the fixes were computed for (open documents only): stale fixes are not offered. */
  version?: number;
  fixes: LspFix[];
}

export function toSeverity(s: Severity): DiagnosticSeverity {
  return s === 'error'
    ? DiagnosticSeverity.Error
    : s === 'warning'
      ? DiagnosticSeverity.Warning
      : DiagnosticSeverity.Information;
}

export function ruleDocsUrl(rule: string): string {
  return RULES_BY_ID.get(rule)?.meta.docsUrl ?? docsUrl(rule);
}

/** Each fix's LSP form, made once: the fix cache hands the same fixes to every pass over an edited file. */
const lspFixes = new WeakMap<Fix, LspFix>();

export function toLspFix(fix: Fix): LspFix {
  let lsp = lspFixes.get(fix);
  if (!lsp) {
    const changes: Record<string, LspTextEdit[]> = {};
    for (const e of fix.edits) {
      const uri = toUri(e.range.file);
      (changes[uri] ??= []).push({ range: { start: e.range.start, end: e.range.end }, newText: e.newText });
    }
    lsp = { title: fix.title, changes };
    lspFixes.set(fix, lsp);
  }
  return lsp;
}

export function findingToDiagnostic(f: Finding, version: number | undefined): Diagnostic {
  const related: DiagnosticRelatedInformation[] = f.related.map((r) => ({
    location: { uri: toUri(r.range.file), range: { start: r.range.start, end: r.range.end } },
    message: r.message,
  }));
  const data: DiagnosticData = { rule: f.rule, fixes: f.fixes.map(toLspFix) };
  if (version !== undefined) data.version = version;
  const d: Diagnostic = {
    range: { start: f.range.start, end: f.range.end },
    severity: toSeverity(f.severity),
    code: f.rule,
    codeDescription: { href: ruleDocsUrl(f.rule) },
    source: SOURCE,
    message: f.message,
    data,
  };
  if (related.length > 0) d.relatedInformation = related;
  return d;
}

/** Syntax errors and the skip reason of a parsed file. */
export function sourceDiagnostics(source: SourceFile): Diagnostic[] {
  if (source.skippedReason) {
    return [
      {
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        severity: DiagnosticSeverity.Information,
        code: SKIPPED_CODE,
        source: SOURCE,
        message: `Stateful HA: ${source.skippedReason}`,
      },
    ];
  }
  return source.syntaxErrors.map((e) => ({
    range: { start: e.range.start, end: e.range.end },
    severity: e.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
    code: SYNTAX_CODE,
    source: SOURCE,
    message: e.message,
  }));
}

/** Reads our data back from a diagnostic (it comes back from the client: validate its shape). */
export function diagnosticData(d: Diagnostic): DiagnosticData | undefined {
  if (d.source !== SOURCE) return undefined;
  const data = d.data as Partial<DiagnosticData> | undefined;
  if (!data || typeof data.rule !== 'string' || !Array.isArray(data.fixes)) return undefined;
  return data as DiagnosticData;
}

/**
 * A file's diagnostics as published: all of them up to MAX_PUBLISHED, else the most severe first (in their
 * order within a severity) and one last diagnostic counting the others.
 */
export function shownDiagnostics(all: Diagnostic[]): Diagnostic[] {
  if (all.length <= MAX_PUBLISHED) return all;
  const rank = (d: Diagnostic) => d.severity ?? DiagnosticSeverity.Error;
  const shown = [...all].sort((a, b) => rank(a) - rank(b)).slice(0, MAX_PUBLISHED - 1);
  const hidden = all.length - shown.length;
  shown.push({
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    severity: DiagnosticSeverity.Information,
    source: SOURCE,
    code: HIDDEN_CODE,
    message: `${hidden} more problems in this file are not shown: an editor shows at most ${MAX_PUBLISHED} per file (the most severe are shown). Run \`stateful-ha lint\` on the file to list them all.`,
  });
  return shown;
}
