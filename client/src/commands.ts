// The palette commands and the code lens command. Each asks the server (custom requests) and shows the
// answer: counts in a message, rule docs and HA summaries as markdown previews.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  LINT_WORKSPACE_REQUEST,
  RULES_REQUEST,
  SUMMARY_REQUEST,
  type LintWorkspaceResult,
  type RuleInfo,
  type SummaryParams,
  type SummaryResult,
} from '../../server/src/service/protocol.js';
import { SummaryDocuments } from './summary-view.js';

export function registerCommands(context: vscode.ExtensionContext, client: LanguageClient): void {
  const summaries = new SummaryDocuments();
  context.subscriptions.push(
    summaries,
    vscode.commands.registerCommand('statefulHa.lintWorkspace', () => lintWorkspace(client)),
    vscode.commands.registerCommand('statefulHa.explainRule', (ruleId?: string) =>
      explainRule(context, client, ruleId),
    ),
    vscode.commands.registerCommand(
      'statefulHa.showSummary',
      (args?: { workloadId?: string; uri?: string }) => showSummary(client, summaries, args),
    ),
  );
}

async function lintWorkspace(client: LanguageClient): Promise<void> {
  const r = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: 'Stateful HA: linting workspace' },
    () => client.sendRequest<LintWorkspaceResult | null>(LINT_WORKSPACE_REQUEST),
  );
  if (!r) {
    void vscode.window.showErrorMessage(
      'Stateful HA: linting the workspace failed; see the Stateful HA output.',
    );
    return;
  }
  void vscode.window.showInformationMessage(
    `Stateful HA: ${r.scanned} files analysed — ${r.errors} errors, ${r.warnings} warnings, ${r.infos} infos in ${r.files} files.`,
  );
}

async function explainRule(
  context: vscode.ExtensionContext,
  client: LanguageClient,
  ruleId?: string,
): Promise<void> {
  const rules = await client.sendRequest<RuleInfo[]>(RULES_REQUEST);
  let rule = rules.find((r) => r.id === ruleId);
  if (!rule) {
    const pick = await vscode.window.showQuickPick(
      rules.map((r) => ({ label: r.id, description: r.defaultSeverity, detail: r.summary, rule: r })),
      { placeHolder: 'Explain which Stateful HA rule?', matchOnDetail: true },
    );
    rule = pick?.rule;
  }
  if (!rule) return;
  const doc = vscode.Uri.joinPath(context.extensionUri, 'docs', 'rules', `${rule.id}.md`);
  try {
    await vscode.workspace.fs.stat(doc);
    await vscode.commands.executeCommand('markdown.showPreview', doc);
  } catch {
    // No bundled page (or no markdown preview): the online documentation.
    await vscode.env.openExternal(vscode.Uri.parse(rule.docsUrl));
  }
}

async function showSummary(
  client: LanguageClient,
  summaries: SummaryDocuments,
  args?: { workloadId?: string; uri?: string },
): Promise<void> {
  const params: SummaryParams = {};
  if (args?.workloadId) params.workloadId = args.workloadId;
  else {
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      void vscode.window.showInformationMessage(
        'Stateful HA: open a compose file or manifest and place the cursor on a workload.',
      );
      return;
    }
    params.uri = editor.document.uri.toString();
    params.position = editor.selection.active;
  }
  const result = await client.sendRequest<SummaryResult | null>(SUMMARY_REQUEST, params);
  if (!result) {
    void vscode.window.showInformationMessage('Stateful HA: no workload at the cursor.');
    return;
  }
  await summaries.show(result);
}
