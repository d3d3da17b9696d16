// Output formats of `stateful-ha lint`: text for terminals, JSON (the interface of DESIGN.md §5 — other
// tools depend on its exact shape), and SARIF 2.1.0 for code-scanning services.
import type * as Sarif from 'sarif';
import pc from 'picocolors';
import { SUPPRESSION_WITHOUT_REASON } from '../advisor/analyze.js';
import type { Finding, Severity } from '../advisor/model/model.js';
import { RULES } from '../advisor/rules/index.js';
import { docsUrl } from '../advisor/rules/rule.js';
import type { LintResult } from './lint.js';

export const TOOL_NAME = 'stateful-ha';
export const TOOL_VERSION = '0.1.0';

/** One finding as DESIGN.md §5 specifies it: 1-based lines and columns, nothing more. */
export interface JsonFinding {
  rule: string;
  severity: Severity;
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  workload: string;
  message: string;
}

export function toJsonFinding(f: Finding): JsonFinding {
  return {
    rule: f.rule,
    severity: f.severity,
    file: f.range.file,
    line: f.range.start.line + 1,
    column: f.range.start.character + 1,
    endLine: f.range.end.line + 1,
    endColumn: f.range.end.character + 1,
    workload: f.workload,
    message: f.message,
  };
}

export function formatJson(result: LintResult): string {
  return JSON.stringify({ findings: result.findings.map(toJsonFinding), files: result.files }, null, 2);
}

const paint: Record<Severity, (s: string) => string> = { error: pc.red, warning: pc.yellow, info: pc.blue };

export function formatText(result: LintResult, color: boolean): string {
  const c = color ? pc : pc.createColors(false);
  const sev: Record<Severity, (s: string) => string> = color
    ? paint
    : { error: String, warning: String, info: String };
  const out: string[] = [];
  let current: string | undefined;
  for (const f of result.findings) {
    const j = toJsonFinding(f);
    if (j.file !== current) {
      if (current !== undefined) out.push('');
      out.push(c.underline(c.bold(j.file)));
      current = j.file;
    }
    out.push(`${j.file}:${j.line}:${j.column} ${sev[f.severity](f.severity)} ${c.dim(f.rule)} ${f.message}`);
  }
  const counts = { error: 0, warning: 0, info: 0 };
  for (const f of result.findings) counts[f.severity]++;
  if (out.length > 0) out.push('');
  const total = result.findings.length;
  out.push(
    total === 0
      ? c.green(`No findings in ${result.files} file${result.files === 1 ? '' : 's'}.`)
      : `${total} finding${total === 1 ? '' : 's'} (${counts.error} error, ${counts.warning} warning, ${counts.info} info) in ${result.files} file${result.files === 1 ? '' : 's'}.`,
  );
  return out.join('\n');
}

const SARIF_LEVEL: Record<Severity, Sarif.Result.level> = {
  error: 'error',
  warning: 'warning',
  info: 'note',
};

function artifactUri(file: string): string {
  return file.split('\\').join('/').replace(/^\.\//, '');
}

export function formatSarif(result: LintResult): string {
  const rules: Sarif.ReportingDescriptor[] = [
    ...RULES.map((r) => ({
      id: r.meta.id,
      name: r.meta.id,
      shortDescription: { text: r.meta.summary },
      helpUri: r.meta.docsUrl,
      defaultConfiguration: { level: SARIF_LEVEL[r.meta.defaultSeverity] },
      properties: { scenarios: r.meta.scenarios, fixable: r.meta.fixable },
    })),
    {
      id: SUPPRESSION_WITHOUT_REASON,
      name: SUPPRESSION_WITHOUT_REASON,
      shortDescription: { text: 'A stateful-ha-ignore suppression gives no reason' },
      helpUri: docsUrl(SUPPRESSION_WITHOUT_REASON),
      defaultConfiguration: { level: 'note' },
    },
  ];
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const region = (r: Finding['range']): Sarif.Region => ({
    startLine: r.start.line + 1,
    startColumn: r.start.character + 1,
    endLine: r.end.line + 1,
    endColumn: r.end.character + 1,
  });
  const results: Sarif.Result[] = result.findings.map((f) => ({
    ruleId: f.rule,
    ...(ruleIndex.has(f.rule) ? { ruleIndex: ruleIndex.get(f.rule) } : {}),
    level: SARIF_LEVEL[f.severity],
    message: { text: f.message },
    locations: [
      {
        physicalLocation: { artifactLocation: { uri: artifactUri(f.range.file) }, region: region(f.range) },
        logicalLocations: [{ name: f.workload, kind: 'object' }],
      },
    ],
    ...(f.related.length > 0
      ? {
          relatedLocations: f.related.map((r, i) => ({
            id: i,
            message: { text: r.message },
            physicalLocation: {
              artifactLocation: { uri: artifactUri(r.range.file) },
              region: region(r.range),
            },
          })),
        }
      : {}),
    ...(f.fixes.length > 0
      ? {
          fixes: f.fixes.map((fix) => ({
            description: { text: fix.title },
            artifactChanges: [...new Set(fix.edits.map((e) => e.range.file))].map((file) => ({
              artifactLocation: { uri: artifactUri(file) },
              replacements: fix.edits
                .filter((e) => e.range.file === file)
                .map((e) => ({ deletedRegion: region(e.range), insertedContent: { text: e.newText } })),
            })),
          })),
        }
      : {}),
  }));
  const log: Sarif.Log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: TOOL_NAME,
            version: TOOL_VERSION,
            informationUri: 'https://github.com/stateful-ha/stateful-ha-advisor',
            rules,
          },
        },
        results,
        columnKind: 'utf16CodeUnits',
      },
    ],
  };
  return JSON.stringify(log, null, 2);
}
