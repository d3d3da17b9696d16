// Hover: on a stateful workload's name or kind, its HA summary (the four failure scenarios); on a
// problem, a short explanation of the rule with a link to its documentation.
import {
  MarkupKind,
  type Diagnostic,
  type Hover,
  type Position,
  type Range,
} from 'vscode-languageserver-protocol';
import type { Workload } from '../advisor/model/model.js';
import type { SourceRange } from '../advisor/model/source.js';
import type { WorkspaceIndex } from '../advisor/model/workspace.js';
import { RULES_BY_ID } from '../advisor/rules/index.js';
import { renderMarkdown, summarize } from '../advisor/summary.js';
import { SOURCE } from './validation-constants.js';
import { ruleDocsUrl } from './validation.js';

const before = (a: Position, b: Position) =>
  a.line < b.line || (a.line === b.line && a.character <= b.character);

export function contains(range: Range | SourceRange, p: Position): boolean {
  return before(range.start, p) && before(p, range.end);
}

/** The stateful workload whose name or kind is at the position. */
export function workloadAtName(index: WorkspaceIndex, uri: string, p: Position): Workload | undefined {
  return index
    .workloadsIn(uri)
    .find(
      (w) =>
        w.stateful && (contains(w.nameRange, p) || (w.kindRange !== undefined && contains(w.kindRange, p))),
    );
}

/** The innermost workload whose object spans the position (for "show summary at cursor"). */
export function workloadAt(index: WorkspaceIndex, uri: string, p: Position): Workload | undefined {
  const size = (w: Workload) =>
    (w.span.end.line - w.span.start.line) * 1e6 + (w.span.end.character - w.span.start.character);
  return index
    .workloadsIn(uri)
    .filter((w) => contains(w.span, p))
    .sort((a, b) => size(a) - size(b))[0];
}

export function ruleExplanation(rule: string): string {
  const meta = RULES_BY_ID.get(rule)?.meta;
  const head = meta ? `**${rule}** — ${meta.summary}` : `**${rule}**`;
  const scenarios = meta && meta.scenarios.length > 0 ? `\n\nScenario: ${meta.scenarios.join(', ')}.` : '';
  return `${head}${scenarios}\n\n[Rule documentation](${ruleDocsUrl(rule)})`;
}

export function hover(
  index: WorkspaceIndex,
  uri: string,
  position: Position,
  diagnostics: Diagnostic[],
): Hover | null {
  const parts: string[] = [];
  let range: Range | undefined;
  const w = workloadAtName(index, uri, position);
  if (w) {
    parts.push(renderMarkdown(summarize(index, w)));
    range = contains(w.nameRange, position) ? w.nameRange : w.kindRange;
  }
  const rules = new Set<string>();
  for (const d of diagnostics) {
    if (d.source !== SOURCE || typeof d.code !== 'string' || !contains(d.range, position)) continue;
    // Only the advisor's rules have a page to explain; syntax and schema messages speak for themselves.
    if (!d.codeDescription) continue;
    if (!rules.has(d.code)) parts.push(ruleExplanation(d.code));
    rules.add(d.code);
    range ??= d.range;
  }
  if (parts.length === 0) return null;
  const result: Hover = { contents: { kind: MarkupKind.Markdown, value: parts.join('\n\n---\n\n') } };
  if (range) result.range = { start: range.start, end: range.end };
  return result;
}
