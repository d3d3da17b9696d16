// The "Stateful HA" activity-bar view: a webview that renders the server's cluster status. It relays
// only: every message from the webview is schema-validated, and its action buttons run the same palette
// commands (with arguments) as everyone else, so there is one code path for cluster actions.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  CLUSTER_STATUS_REQUEST,
  type ClusterChangedParams,
  type ClusterStatus,
  type StatusParams,
} from '../../../server/src/service/operations-protocol.js';
import { matchesLiveName } from '../compose-service.js';
import { validatePanelMessage, type PanelMessage, type PanelUpdate } from './messages.js';

export const VIEW_ID = 'statefulHa.cluster';

export class ClusterPanel implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private status: ClusterStatus | undefined;
  private stale = true;
  private inFlight: Promise<ClusterStatus | undefined> | undefined;
  private pendingHighlight: string | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly client: LanguageClient,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    const media = vscode.Uri.joinPath(this.extensionUri, 'media');
    const codicons = vscode.Uri.joinPath(this.extensionUri, 'dist', 'codicons');
    view.webview.options = { enableScripts: true, localResourceRoots: [media, codicons] };
    view.webview.html = this.html(view.webview, media, codicons);
    this.disposables.push(
      view.webview.onDidReceiveMessage((raw: unknown) => this.onMessage(raw)),
      view.onDidChangeVisibility(() => {
        if (view.visible && this.stale) void this.refresh();
      }),
      view.onDidDispose(() => {
        if (this.view === view) this.view = undefined;
      }),
    );
  }

  /** Fetches the status and renders it (if the view is open). Concurrent calls share one request. */
  refresh(): Promise<ClusterStatus | undefined> {
    if (this.inFlight) return this.inFlight;
    this.stale = false;
    void this.post({ type: 'loading' });
    const params: StatusParams = { watch: true };
    this.inFlight = Promise.resolve(this.client.sendRequest<ClusterStatus>(CLUSTER_STATUS_REQUEST, params))
      .then((answer) => {
        // Trust is the editor's to say: the server may not have heard of a change yet.
        const status = { ...answer, actionsEnabled: answer.actionsEnabled && vscode.workspace.isTrusted };
        this.status = status;
        void this.post({ type: 'status', status });
        if (this.pendingHighlight) this.highlight(this.pendingHighlight);
        return status;
      })
      .catch((e: unknown) => {
        this.log.error(`cluster status failed: ${e instanceof Error ? e.message : String(e)}`);
        void this.post({
          type: 'status',
          status: {
            ok: false,
            takenAt: new Date().toISOString(),
            connection: { endpoint: '', source: '' },
            nodes: [],
            workloads: [],
            totalWorkloads: 0,
            actionsEnabled: false,
            error: {
              code: 'failed',
              message: 'The Stateful HA language server did not answer; see the Stateful HA output.',
              hints: [],
            },
          } satisfies ClusterStatus,
        });
        return undefined;
      })
      .finally(() => {
        this.inFlight = undefined;
      });
    return this.inFlight;
  }

  /** Server says the cluster changed: refresh now if visible, else when next shown. */
  onClusterChanged(p: ClusterChangedParams): void {
    this.log.debug(
      `cluster changed (${p.reason}${p.count ? `, ${p.count} events: ${p.types.join(', ')}` : ''})`,
    );
    if (this.view?.visible) void this.refresh();
    else this.stale = true;
  }

  /** Focuses the view and marks the live service(s) matching a compose service name. */
  async showService(composeName: string): Promise<void> {
    this.pendingHighlight = composeName;
    await vscode.commands.executeCommand(`${VIEW_ID}.focus`);
    const status = this.status && !this.stale ? this.status : await this.refresh();
    if (!status) return;
    this.highlight(composeName);
    if (status.ok && !status.workloads.some((w) => matchesLiveName(w.name, composeName))) {
      void vscode.window.showInformationMessage(
        `Stateful HA: no stateful service named "${composeName}" (or "<stack>_${composeName}") runs on ${status.connection.endpoint}.`,
      );
    }
  }

  /** The last status (for quick picks that do not want to wait). */
  get lastStatus(): ClusterStatus | undefined {
    return this.status;
  }

  private highlight(composeName: string): void {
    if (!this.view) return;
    this.pendingHighlight = undefined;
    const names = (this.status?.workloads ?? [])
      .filter((w) => matchesLiveName(w.name, composeName))
      .map((w) => w.name);
    void this.post({ type: 'highlight', services: names });
  }

  private post(message: PanelUpdate): Thenable<boolean> | undefined {
    return this.view?.webview.postMessage(message);
  }

  private async onMessage(raw: unknown): Promise<void> {
    const v = validatePanelMessage(raw);
    if (!v.ok) {
      // Never act on it; keep a trace (without echoing the payload, which may be large or hostile).
      this.log.warn(`panel: dropped an invalid message: ${v.error}`);
      return;
    }
    const m: PanelMessage = v.message;
    switch (m.command) {
      case 'ready':
        if (this.status && !this.stale) void this.post({ type: 'status', status: this.status });
        else void this.refresh();
        return;
      case 'refresh':
        void this.refresh();
        return;
      case 'openSettings':
        await vscode.commands.executeCommand('workbench.action.openSettings', 'statefulHa.docker');
        return;
      case 'openRule':
        await vscode.commands.executeCommand('statefulHa.explainRule', m.rule);
        return;
      case 'failover':
        await vscode.commands.executeCommand('statefulHa.failover', { service: m.service });
        return;
      case 'restart':
        await vscode.commands.executeCommand('statefulHa.restart', { service: m.service });
        return;
      case 'decommission':
        await vscode.commands.executeCommand('statefulHa.decommission', { node: m.node });
        return;
      case 'undrain':
        await vscode.commands.executeCommand('statefulHa.undrain', { node: m.node });
        return;
    }
  }

  private html(webview: vscode.Webview, media: vscode.Uri, codicons: vscode.Uri): string {
    // A fresh nonce per render: only our own script tag runs.
    const nonce = randomBytes(16).toString('base64');
    const icons = webview.asWebviewUri(vscode.Uri.joinPath(codicons, 'codicon.css'));
    const css = webview.asWebviewUri(vscode.Uri.joinPath(media, 'panel.css'));
    const js = webview.asWebviewUri(vscode.Uri.joinPath(media, 'panel.js'));
    const csp = [
      "default-src 'none'",
      `style-src ${webview.cspSource}`,
      `script-src 'nonce-${nonce}'`,
      `img-src ${webview.cspSource}`,
      `font-src ${webview.cspSource}`,
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${icons.toString()}">
<link rel="stylesheet" href="${css.toString()}">
<title>Stateful HA</title>
</head>
<body data-status="loading">
<div class="toolbar">
  <span id="connection" data-testid="connection" data-state="loading" role="status" aria-live="polite">Connecting…</span>
  <button id="refresh" class="icon-button" data-action="refresh" data-testid="refresh" title="Refresh" aria-label="Refresh cluster status"><span class="codicon codicon-refresh" aria-hidden="true"></span></button>
</div>
<div id="error" data-testid="error" class="error" role="alert" hidden></div>
<div id="notice" data-testid="untrusted" class="notice" hidden>Cluster actions are disabled in an untrusted workspace (Restricted Mode). Trust the workspace to fail over, restart, decommission or reactivate.</div>
<section id="nodes-section" hidden>
  <h2>Nodes <span id="node-count" class="count"></span></h2>
  <table id="nodes" data-testid="nodes">
    <thead><tr><th scope="col">Node</th><th scope="col">Status</th><th scope="col" class="num" title="Stateful tasks / all running tasks">Stateful</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
    <tbody></tbody>
  </table>
</section>
<section id="services-section" hidden>
  <h2>Stateful services <span id="service-count" class="count"></span></h2>
  <div id="services" data-testid="services"></div>
</section>
<script nonce="${nonce}" src="${js.toString()}"></script>
</body>
</html>`;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
