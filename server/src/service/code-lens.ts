// A code lens above each stateful workload: `HA: app ×3 · storage ×3 = 9 copies · DR: none`, running the
// client's `statefulHa.showSummary` command with the workload id.
import type { CodeLens } from 'vscode-languageserver-protocol';
import type { WorkspaceIndex } from '../advisor/model/workspace.js';
import { renderLensTitle, summarize } from '../advisor/summary.js';

export const SHOW_SUMMARY_COMMAND = 'statefulHa.showSummary';

export interface ShowSummaryArgs {
  workloadId: string;
  uri: string;
}

export function codeLenses(index: WorkspaceIndex, uri: string): CodeLens[] {
  const out: CodeLens[] = [];
  for (const w of index.workloadsIn(uri)) {
    if (!w.stateful || w.origin !== 'file') continue;
    const anchor = w.kindRange ?? w.nameRange;
    const args: ShowSummaryArgs = { workloadId: w.id, uri };
    out.push({
      range: {
        start: { line: anchor.start.line, character: 0 },
        end: { line: anchor.start.line, character: 0 },
      },
      command: {
        title: renderLensTitle(summarize(index, w)),
        command: SHOW_SUMMARY_COMMAND,
        arguments: [args],
      },
    });
  }
  return out;
}
