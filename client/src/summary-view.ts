// Shows HA summaries as read-only markdown previews, through a virtual document provider (no untitled
// editor to close, no file written). Falls back to an information message when no preview is available.
import * as vscode from 'vscode';
import type { SummaryResult } from '../../server/src/service/protocol.js';

const SCHEME = 'stateful-ha-summary';

export class SummaryDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly contents = new Map<string, string>();
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;
  private readonly registration = vscode.workspace.registerTextDocumentContentProvider(SCHEME, this);

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? '';
  }

  async show(summary: SummaryResult): Promise<void> {
    const uri = vscode.Uri.from({ scheme: SCHEME, path: `/${summary.ref.replace(/[^\w.-]+/g, '-')}.md` });
    this.contents.set(uri.toString(), summary.markdown);
    this.emitter.fire(uri);
    try {
      await vscode.commands.executeCommand('markdown.showPreviewToSide', uri);
    } catch {
      void vscode.window.showInformationMessage(summary.markdown.replace(/[*`]/g, ''), { modal: true });
    }
  }

  dispose(): void {
    this.registration.dispose();
    this.emitter.dispose();
  }
}
