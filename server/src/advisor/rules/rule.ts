// The rule contract (ESLint-style): each rule is one file exporting `meta` + `check`; the registry
// (rules/index.ts) is a list. Rules are pure: they read the workspace index and report findings.
import type { Catalog } from '../catalog/catalog.js';
import type { Fix, RelatedLocation, Scenario, Severity, SourceFile } from '../model/model.js';
import type { SourceRange } from '../model/source.js';
import type { WorkspaceIndex } from '../model/workspace.js';

export const DOCS_BASE = 'https://github.com/stateful-ha/stateful-ha-advisor/blob/main/docs/rules/';

export function docsUrl(ruleId: string): string {
  return `${DOCS_BASE}${ruleId}.md`;
}

export interface RuleMeta {
  /** Stable kebab-case id. */
  id: string;
  defaultSeverity: Severity;
  scenarios: Scenario[];
  /** One line: what the rule checks. */
  summary: string;
  docsUrl: string;
  fixable: boolean;
}

export interface Report {
  /** The object the finding is attached to (workload, or StorageClass/PV/PDB for rules about them). */
  objectId: string;
  /** Its `service/<name>` / `<Kind>/<name>` reference. */
  workload: string;
  range: SourceRange;
  message: string;
  related?: RelatedLocation[];
  /**
   * Quick fixes, or a function building them: analyze() calls it only for findings whose fixes are wanted
   * (the language server's published files, SARIF), so building edits costs nothing elsewhere.
   */
  fixes?: Fix[] | (() => Fix[]);
}

export interface RuleContext {
  index: WorkspaceIndex;
  catalog: Catalog;
  /** Source of a file in the workspace (for fixes); undefined for live snapshots. */
  sourceOf(file: string): SourceFile | undefined;
  report(report: Report): void;
}

export interface Rule {
  meta: RuleMeta;
  check(ctx: RuleContext): void;
}
