/* eslint-disable @typescript-eslint/no-require-imports */
// Harness self-test: fakes the product's editor features with trivial rules, so that a failing harness
// helper can be told apart from a failing product. `replicas: 2` → warning `probe-quorum` with a quick fix
// "Set replicas to 3"; a hover on `metadata.name` values and a code lens on `kind:` lines.
const vscode = require('vscode');

function activate(context) {
  const out = vscode.window.createOutputChannel('E2E Probe');
  out.appendLine('probe activated');
  const diagnostics = vscode.languages.createDiagnosticCollection('e2e-probe');
  const selector = { language: 'yaml' };

  const refresh = (doc) => {
    if (doc.languageId !== 'yaml') return;
    const list = [];
    for (let i = 0; i < doc.lineCount; i++) {
      const text = doc.lineAt(i).text;
      const m = /^(\s*replicas:\s*)(2)\s*$/.exec(text);
      if (!m) continue;
      const range = new vscode.Range(i, m[1].length, i, m[1].length + 1);
      const d = new vscode.Diagnostic(
        range,
        'probe: 2 members tolerate no server failure',
        vscode.DiagnosticSeverity.Warning,
      );
      d.source = 'e2e-probe';
      d.code = 'probe-quorum';
      list.push(d);
    }
    diagnostics.set(doc.uri, list);
  };
  vscode.workspace.textDocuments.forEach(refresh);
  context.subscriptions.push(
    out,
    diagnostics,
    vscode.workspace.onDidOpenTextDocument(refresh),
    vscode.workspace.onDidChangeTextDocument((e) => refresh(e.document)),
    vscode.languages.registerCodeActionsProvider(selector, {
      provideCodeActions(doc, _range, ctx) {
        return ctx.diagnostics
          .filter((d) => d.code === 'probe-quorum')
          .map((d) => {
            const a = new vscode.CodeAction('Set replicas to 3', vscode.CodeActionKind.QuickFix);
            a.diagnostics = [d];
            a.isPreferred = true;
            a.edit = new vscode.WorkspaceEdit();
            a.edit.replace(doc.uri, d.range, '3');
            return a;
          });
      },
    }),
    vscode.languages.registerHoverProvider(selector, {
      provideHover(doc, pos) {
        const m = /^\s*name:\s*(\S+)/.exec(doc.lineAt(pos.line).text);
        if (!m) return undefined;
        return new vscode.Hover(
          new vscode.MarkdownString(
            `**Probe summary: ${m[1]}**\n\n- server failure: probe\n- disaster: probe`,
          ),
        );
      },
    }),
    vscode.languages.registerCodeLensProvider(selector, {
      provideCodeLenses(doc) {
        const lenses = [];
        for (let i = 0; i < doc.lineCount; i++) {
          if (/^kind:\s*StatefulSet/.test(doc.lineAt(i).text)) {
            lenses.push(
              new vscode.CodeLens(new vscode.Range(i, 0, i, 0), {
                title: 'HA: probe ×1',
                command: 'e2eProbe.hello',
              }),
            );
          }
        }
        return lenses;
      },
    }),
    vscode.commands.registerCommand('e2eProbe.hello', () =>
      vscode.window.showInformationMessage('Hello from the e2e probe'),
    ),
  );
}

module.exports = { activate, deactivate() {} };
