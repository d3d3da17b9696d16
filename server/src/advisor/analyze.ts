// Runs the rule registry over a workspace index: applies the configuration (disabled rules, severity
// overrides), suppressions (comments and `stateful-ha.io/ignore`), and isolates rule failures so one
// broken rule never stops the others.
import type { Catalog } from './catalog/catalog.js';
import type { FixCache } from './fix/fix-cache.js';
import type { Finding, Fix, RelatedLocation, Severity, SourceFile, Suppression } from './model/model.js';
import type { WorkspaceIndex } from './model/workspace.js';
import { RULES } from './rules/index.js';
import type { Report, Rule } from './rules/rule.js';
import { finish } from './steps.js';

export const SUPPRESSION_WITHOUT_REASON = 'suppression-without-reason';

export interface AnalyzeOptions {
  catalog: Catalog;
  /** Rule id → severity or 'off'. Rules not listed keep their default. */
  severities?: Record<string, Severity | 'off'>;
  /** Limit the run to findings in these files (the index still spans the whole workspace). */
  onlyFiles?: ReadonlySet<string>;
  rules?: readonly Rule[];
  /**
   * Which findings get their quick fixes built: all (true, the default), none (false: `fixes` is empty —
   * the CLI's text and JSON output never show them), or the findings in these files. Rules pass fixes as
   * a function; it is called only here, so unwanted fixes cost nothing.
   */
  fixes?: boolean | ReadonlySet<string>;
  /** Fixes of the previous analysis, reused where nothing they were built from changed (see FixCache). */
  fixCache?: FixCache;
  /**
   * Gives a file whose YAML trees were released its trees back (in place), before a fix is built: a fix
   * edits the finding's file and the files of its related locations (the StorageClass behind a double
   * replication), which may be closed files kept as models only.
   */
  hydrate?: (file: string) => void;
}

export interface RuleFailure {
  rule: string;
  message: string;
}

export interface AnalysisResult {
  findings: Finding[];
  /** Rules that threw: reported once each, the others still ran. */
  failures: RuleFailure[];
}

export function analyze(index: WorkspaceIndex, options: AnalyzeOptions): AnalysisResult {
  return finish(analysisSteps(index, options));
}

/**
 * Most related locations a finding carries. Rules list a few (a budget's first selected workloads, a
 * class's first users); this bounds the rest, since each one travels with the finding to the editor and
 * into SARIF.
 */
export const MAX_RELATED = 50;

function cappedRelated(related: RelatedLocation[] | undefined): RelatedLocation[] {
  if (!related) return [];
  if (related.length <= MAX_RELATED) return related;
  const shown = related.slice(0, MAX_RELATED);
  const last = shown[MAX_RELATED - 1]!;
  shown[MAX_RELATED - 1] = { ...last, message: `${last.message} (and ${related.length - MAX_RELATED} more)` };
  return shown;
}

/**
 * The same analysis, yielding between rules: the language server runs it a slice at a time so requests
 * (hover, code actions) are answered while a whole workspace is analysed. The index must not change
 * between steps (the caller holds one index object for the whole run).
 */
export function* analysisSteps(
  index: WorkspaceIndex,
  options: AnalyzeOptions,
): Generator<void, AnalysisResult, void> {
  const findings: Finding[] = [];
  const failures: RuleFailure[] = [];
  const severities = options.severities ?? {};
  const sourceOf = (file: string): SourceFile | undefined => index.files.get(file)?.source;
  const wanted = options.fixes ?? true;
  const fixesWanted = (file: string): boolean => (typeof wanted === 'boolean' ? wanted : wanted.has(file));

  const buildFixes = (rule: string, r: Report): Fix[] => {
    const fixes = r.fixes;
    if (typeof fixes !== 'function') return fixes ?? [];
    const build = (): Fix[] => {
      if (options.hydrate) {
        options.hydrate(r.range.file);
        for (const rel of r.related ?? []) options.hydrate(rel.range.file);
      }
      return fixes();
    };
    return options.fixCache ? options.fixCache.fixes(rule, r, sourceOf, build) : build();
  };

  for (const rule of options.rules ?? RULES) {
    const setting = severities[rule.meta.id];
    if (setting === 'off') continue;
    const severity: Severity = setting ?? rule.meta.defaultSeverity;
    const report = (r: Report): void => {
      if (options.onlyFiles && !options.onlyFiles.has(r.range.file)) return;
      if (suppressionOf(index, r.objectId, rule.meta.id)) return;
      findings.push({
        rule: rule.meta.id,
        severity,
        message: r.message,
        range: r.range,
        workload: r.workload,
        objectId: r.objectId,
        related: cappedRelated(r.related),
        fixes: fixesWanted(r.range.file) ? buildFixes(rule.meta.id, r) : [],
      });
    };
    try {
      rule.check({ index, catalog: options.catalog, sourceOf, report });
    } catch (e) {
      failures.push({ rule: rule.meta.id, message: e instanceof Error ? e.message : String(e) });
    }
    yield;
  }

  if (severities[SUPPRESSION_WITHOUT_REASON] !== 'off') {
    for (const [objectId, list] of index.suppressions) {
      const object = index.objectsById.get(objectId);
      for (const s of list) {
        if (s.reason.trim() !== '') continue;
        if (options.onlyFiles && !options.onlyFiles.has(s.range.file)) continue;
        findings.push({
          rule: SUPPRESSION_WITHOUT_REASON,
          severity: (severities[SUPPRESSION_WITHOUT_REASON] as Severity | undefined) ?? 'info',
          message: `Suppression of ${s.rules.join(', ')} gives no reason: write \`${s.rules.join(', ')}: <why this is safe>\` so the next reader knows it was deliberate.`,
          range: s.range,
          workload: object?.ref ?? '',
          objectId,
          related: [],
          fixes: [],
        });
      }
    }
  }

  findings.sort(compareFindings);
  options.fixCache?.finish(options.onlyFiles);
  return { findings, failures };
}

/** The suppression (annotation or comment) that silences `rule` on an object, if any. */
export function suppressionOf(
  index: WorkspaceIndex,
  objectId: string,
  rule: string,
): Suppression | undefined {
  return index.suppressions.get(objectId)?.find((s) => s.rules.includes(rule) || s.rules.includes('all'));
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    (a.range.file < b.range.file ? -1 : a.range.file > b.range.file ? 1 : 0) ||
    a.range.start.line - b.range.start.line ||
    a.range.start.character - b.range.start.character ||
    (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0)
  );
}
