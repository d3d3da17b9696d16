// Code actions from the fixes carried in `Diagnostic.data`: one quick fix per fix, "fix all <rule>
// problems" when a rule fires more than once in the file, and one `source.fixAll.stateful-ha` action that
// merges the first fix of every problem in the file (skipping fixes whose edits would overlap).
import {
  CodeActionKind,
  type CodeAction,
  type Diagnostic,
  type Range,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver-protocol';
import { diagnosticData, type DiagnosticData, type LspFix } from './validation.js';

export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.stateful-ha`;

export interface CodeActionInput {
  uri: string;
  range: Range;
  /** The diagnostics the client sent in the request context. */
  contextDiagnostics: Diagnostic[];
  only?: string[];
  /** Everything last published for the document (for the fix-all actions). */
  fileDiagnostics: Diagnostic[];
  /** Current version of the open document (undefined when not open). */
  version: number | undefined;
}

interface Fixable {
  diagnostic: Diagnostic;
  data: DiagnosticData;
}

function fresh(d: Diagnostic, version: number | undefined): Fixable | undefined {
  const data = diagnosticData(d);
  if (!data || data.fixes.length === 0) return undefined;
  // Fixes computed for an older text would land in the wrong place: wait for the next publish.
  if (data.version !== undefined && version !== undefined && data.version !== version) return undefined;
  return { diagnostic: d, data };
}

function wanted(only: string[] | undefined, kind: string): boolean {
  if (!only || only.length === 0) return true;
  return only.some((o) => kind === o || kind.startsWith(`${o}.`));
}

export function codeActions(input: CodeActionInput): CodeAction[] {
  const out: CodeAction[] = [];
  const inContext = input.contextDiagnostics
    .map((d) => fresh(d, input.version))
    .filter((f): f is Fixable => !!f);
  const inFile = input.fileDiagnostics.map((d) => fresh(d, input.version)).filter((f): f is Fixable => !!f);

  if (wanted(input.only, CodeActionKind.QuickFix)) {
    for (const { diagnostic, data } of inContext) {
      data.fixes.forEach((fix, i) => {
        out.push({
          title: fix.title,
          kind: CodeActionKind.QuickFix,
          diagnostics: [diagnostic],
          isPreferred: i === 0,
          edit: { changes: fix.changes },
        });
      });
    }
    for (const rule of new Set(inContext.map((f) => f.data.rule))) {
      const all = inFile.filter((f) => f.data.rule === rule);
      if (all.length < 2) continue;
      out.push({
        title: `Fix all ${rule} problems in file`,
        kind: CodeActionKind.QuickFix,
        diagnostics: all.map((f) => f.diagnostic),
        edit: mergeFixes(all.map((f) => f.data.fixes[0]!)),
      });
    }
  }

  // One fix-all action only: editors apply every returned action of a kind in turn, and a second action
  // computed against the original text would corrupt it.
  if (inFile.length > 0 && input.only !== undefined && wanted(input.only, FIX_ALL_KIND)) {
    const rules = new Set(inFile.map((f) => f.data.rule));
    out.push({
      title:
        rules.size === 1
          ? `Fix all ${[...rules][0]} problems in file`
          : 'Fix all Stateful HA problems in file',
      kind: FIX_ALL_KIND,
      diagnostics: inFile.map((f) => f.diagnostic),
      edit: mergeFixes(inFile.map((f) => f.data.fixes[0]!)),
    });
  }
  return out;
}

const cmp = (a: TextEdit['range']['start'], b: TextEdit['range']['start']) =>
  a.line - b.line || a.character - b.character;

function overlaps(a: TextEdit, b: TextEdit): boolean {
  // Two insertions at one point are both applied (in order); anything sharing characters is a conflict.
  return cmp(a.range.start, b.range.end) < 0 && cmp(b.range.start, a.range.end) < 0;
}

function same(a: TextEdit, b: TextEdit): boolean {
  return (
    cmp(a.range.start, b.range.start) === 0 && cmp(a.range.end, b.range.end) === 0 && a.newText === b.newText
  );
}

/**
 * Merges fixes into one edit. A fix is taken whole or not at all: if any of its edits overlaps an edit
 * already taken, it is skipped (the user can apply it after the others). Identical edits (two findings
 * proposing the same change to a shared StorageClass) are applied once.
 */
export function mergeFixes(fixes: LspFix[]): WorkspaceEdit {
  const changes: Record<string, TextEdit[]> = {};
  for (const fix of fixes) {
    const additions: [string, TextEdit][] = [];
    let conflict = false;
    for (const [uri, edits] of Object.entries(fix.changes)) {
      const taken = changes[uri] ?? [];
      for (const e of edits) {
        if (taken.some((t) => same(t, e)) || additions.some(([u, a]) => u === uri && same(a, e))) continue;
        if (taken.some((t) => overlaps(t, e))) conflict = true;
        additions.push([uri, e]);
      }
    }
    if (conflict) continue;
    for (const [uri, e] of additions) (changes[uri] ??= []).push(e);
  }
  for (const edits of Object.values(changes)) edits.sort((a, b) => cmp(a.range.start, b.range.start));
  return { changes };
}
