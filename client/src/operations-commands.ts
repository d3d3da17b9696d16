// Cluster actions from the command palette and the panel: fail over, restart in place, decommission,
// reactivate, refresh, show in cluster. Every action is plan → show → modal confirmation → execute with
// streamed progress (cancellable) → verified result, or the state left with a "Roll Back" button. The
// server decides everything about HA; this file asks, shows and relays. Each action is logged (who, what,
// when, result) to the "Stateful HA: Cluster Actions" output, with no secrets (the server sends none).
import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import * as vscode from 'vscode';
import {
  WorkDoneProgress,
  type LanguageClient,
  type WorkDoneProgressReport,
} from 'vscode-languageclient/node';
import {
  CLUSTER_CHANGED_NOTIFICATION,
  CLUSTER_EXECUTE_REQUEST,
  CLUSTER_PLAN_REQUEST,
  CLUSTER_ROLLBACK_REQUEST,
  CLUSTER_STATUS_REQUEST,
  type ClusterAction,
  type ClusterChangedParams,
  type ClusterStatus,
  type ExecuteParams,
  type ExecuteResponse,
  type PlanParams,
  type PlanResponse,
  type RollbackParams,
  type StatusError,
} from '../../server/src/service/operations-protocol.js';
import { serviceAtLine } from './compose-service.js';
import { ClusterPanel, VIEW_ID } from './panel/cluster-panel.js';
import { ID_PATTERN } from './panel/messages.js';

const ID = new RegExp(ID_PATTERN);

/** The confirm button of each action's modal (also the verb in messages). */
const VERB: Record<ClusterAction, string> = {
  failover: 'Fail Over',
  restart: 'Restart',
  decommission: 'Decommission',
  undrain: 'Reactivate',
};

function who(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}

/** Command arguments may come from anywhere (panel, other extensions, keybindings): only ids pass. */
function idArg(args: unknown, key: 'service' | 'node'): string | undefined {
  const v = args && typeof args === 'object' ? (args as Record<string, unknown>)[key] : undefined;
  return typeof v === 'string' && ID.test(v) ? v : undefined;
}

class Operations {
  constructor(
    private readonly client: LanguageClient,
    private readonly panel: ClusterPanel,
    private readonly audit: vscode.OutputChannel,
  ) {}

  /** One audit line: ISO time, OS user, action, target, result. */
  private record(action: string, target: string, result: string, detail?: string): void {
    this.audit.appendLine(
      `${new Date().toISOString()} user=${who()} action=${action} target=${target} result=${result}${detail ? ` — ${detail.replace(/\s*\n\s*/g, ' | ')}` : ''}`,
    );
  }

  private trusted(): boolean {
    if (vscode.workspace.isTrusted) return true;
    void vscode.window.showWarningMessage(
      'Stateful HA: cluster actions are disabled in an untrusted workspace. Trust the workspace to use them.',
    );
    return false;
  }

  private async showStatusError(error: StatusError): Promise<void> {
    const choice = await vscode.window.showErrorMessage(
      `Stateful HA: ${error.message}`,
      { modal: true, detail: error.hints.map((h) => h.replace(/`/g, '')).join('\n') },
      'Open Docker Settings',
    );
    if (choice === 'Open Docker Settings')
      await vscode.commands.executeCommand('workbench.action.openSettings', 'statefulHa.docker');
  }

  /** A fresh status for the quick picks (undefined after showing why there is none). */
  private async status(): Promise<ClusterStatus | undefined> {
    const status = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: 'Stateful HA: reading the cluster' },
      () => this.client.sendRequest<ClusterStatus>(CLUSTER_STATUS_REQUEST, { watch: false }),
    );
    if (status.error && (!status.ok || status.connection.mode === 'swarm-worker')) {
      await this.showStatusError(status.error);
      return undefined;
    }
    return status;
  }

  private async pickService(
    status: ClusterStatus,
    action: 'failover' | 'restart',
  ): Promise<string | undefined> {
    const candidates = status.workloads.filter((w) => w.actions.includes(action));
    if (candidates.length === 0) {
      void vscode.window.showInformationMessage(
        action === 'failover'
          ? 'Stateful HA: no single-replica stateful service to fail over on this swarm.'
          : 'Stateful HA: no stateful service or container to restart.',
      );
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(
      candidates.map((w) => ({
        label: w.name,
        description: `${w.kind}${w.engine ? ` · ${w.engine}` : ''} · on ${w.tasks.map((t) => t.node).join(', ') || 'nothing'}`,
        detail: `data ${w.data}${w.findings.length ? ` · ${w.findings.length} HA finding(s)` : ''}`,
        name: w.name,
      })),
      {
        title: action === 'failover' ? 'Fail over which service?' : 'Restart which service in place?',
        matchOnDescription: true,
      },
    );
    return pick?.name;
  }

  private async pickNode(
    status: ClusterStatus,
    title: string,
    filter: (n: ClusterStatus['nodes'][number]) => boolean,
    none: string,
  ): Promise<string | undefined> {
    const nodes = status.nodes.filter(filter);
    if (nodes.length === 0) {
      void vscode.window.showInformationMessage(`Stateful HA: ${none}`);
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(
      nodes.map((n) => ({
        label: n.hostname,
        description: `${n.role}${n.leader ? ' (leader)' : ''} · ${n.availability} · ${n.state}`,
        detail: `${n.statefulTasks} stateful of ${n.tasks} running tasks`,
        name: n.hostname,
      })),
      { title },
    );
    return pick?.name;
  }

  async failover(args?: unknown): Promise<void> {
    if (!this.trusted()) return;
    let service = idArg(args, 'service');
    let node = idArg(args, 'node');
    if (!service || !node) {
      const status = await this.status();
      if (!status) return;
      service ??= await this.pickService(status, 'failover');
      if (!service) return;
      const current = new Set(status.workloads.find((w) => w.name === service)?.tasks.map((t) => t.node));
      node ??= await this.pickNode(
        status,
        `Fail over ${service} to which node?`,
        (n) => n.state === 'ready' && n.availability === 'active' && !current.has(n.hostname),
        'no other ready, active node to fail over to.',
      );
      if (!node) return;
    }
    await this.run({ action: 'failover', service, node });
  }

  async restart(args?: unknown): Promise<void> {
    if (!this.trusted()) return;
    let service = idArg(args, 'service');
    if (!service) {
      const status = await this.status();
      if (!status) return;
      service = await this.pickService(status, 'restart');
      if (!service) return;
    }
    await this.run({ action: 'restart', service });
  }

  async decommission(args?: unknown): Promise<void> {
    if (!this.trusted()) return;
    let node = idArg(args, 'node');
    if (!node) {
      const status = await this.status();
      if (!status) return;
      node = await this.pickNode(status, 'Decommission (drain) which node?', () => true, 'no swarm nodes.');
      if (!node) return;
    }
    await this.run({ action: 'decommission', node });
  }

  async undrain(args?: unknown): Promise<void> {
    if (!this.trusted()) return;
    let node = idArg(args, 'node');
    if (!node) {
      const status = await this.status();
      if (!status) return;
      node = await this.pickNode(
        status,
        'Reactivate which node?',
        (n) => n.availability !== 'active',
        'every node is already active.',
      );
      if (!node) return;
    }
    await this.run({ action: 'undrain', node });
  }

  /** plan → show → confirm → execute → result. */
  private async run(params: PlanParams): Promise<void> {
    const target = params.service ?? params.node ?? '';
    const label = `${params.action} ${target}${params.node && params.service ? ` → ${params.node}` : ''}`;
    const res = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: `Stateful HA: planning ${label}` },
      () => this.client.sendRequest<PlanResponse>(CLUSTER_PLAN_REQUEST, params),
    );
    if (res.error) {
      this.record(params.action, target, 'error', res.error.message);
      await this.showStatusError(res.error);
      return;
    }
    const plan = res.plan;
    if (!plan.ok) {
      this.record(params.action, target, 'refused', plan.refusals.join('; '));
      const blocking = (plan.tasks ?? []).filter((t) => t.blocking);
      // Overrides exist for decommission only, and only through a second, explicit modal.
      const canOverride = params.action === 'decommission' && blocking.length > 0;
      const choice = await vscode.window.showErrorMessage(
        `Refused: ${plan.summary}`,
        { modal: true, detail: res.text },
        ...(canOverride ? ['Override Tasks…'] : []),
      );
      if (choice === 'Override Tasks…') await this.overrideAndRetry(params, blocking);
      return;
    }
    if (plan.noop) {
      this.record(params.action, target, 'noop', plan.data);
      void vscode.window.showInformationMessage(`Stateful HA: nothing to do — ${plan.data || plan.summary}`);
      return;
    }
    const verb = VERB[params.action];
    const confirm = await vscode.window.showWarningMessage(
      `${plan.summary.charAt(0).toUpperCase()}${plan.summary.slice(1)}?`,
      { modal: true, detail: res.text },
      verb,
    );
    if (confirm !== verb) {
      this.record(params.action, target, 'not-confirmed');
      return;
    }
    const exec: ExecuteParams = { planId: res.planId, confirmationToken: res.confirmationToken };
    const result = await this.withStreamedProgress(`Stateful HA: ${plan.summary}`, (workDoneToken, token) =>
      this.client.sendRequest<ExecuteResponse>(CLUSTER_EXECUTE_REQUEST, { ...exec, workDoneToken }, token),
    );
    await this.report(params.action, target, result);
  }

  private async overrideAndRetry(
    params: PlanParams,
    blocking: NonNullable<PlanResponse['plan']['tasks']>,
  ): Promise<void> {
    const picks = await vscode.window.showQuickPick(
      blocking.map((t) => ({
        label: `${t.service}${t.slot !== undefined ? `.${t.slot}` : ''}`,
        description: `${t.fate} · task ${t.taskId.slice(0, 12)}`,
        detail: t.reason,
        taskId: t.taskId,
      })),
      {
        title: 'Accept the consequences for which tasks?',
        placeHolder: 'Each picked task is drained anyway: stranded data stays behind, a quorum may break',
        canPickMany: true,
        matchOnDetail: true,
      },
    );
    if (!picks || picks.length === 0) return;
    const accept = 'Override and Re-plan';
    const second = await vscode.window.showWarningMessage(
      `Override ${picks.length} blocking task(s) on ${params.node}?`,
      {
        modal: true,
        detail: `${picks.map((p) => `${p.label} (${p.description}): ${p.detail}`).join('\n')}\n\nStranded tasks stay pending or start elsewhere on an EMPTY volume; a broken quorum makes the cluster unavailable until members return.`,
      },
      accept,
    );
    if (second !== accept) {
      this.record(params.action, params.node ?? '', 'override-declined');
      return;
    }
    this.record(params.action, params.node ?? '', 'override-accepted', picks.map((p) => p.taskId).join(','));
    await this.run({ ...params, overrides: [...(params.overrides ?? []), ...picks.map((p) => p.taskId)] });
  }

  /** A cancellable notification that shows the server's `$/progress` reports for one request. */
  private withStreamedProgress(
    title: string,
    send: (workDoneToken: string, token: vscode.CancellationToken) => Promise<ExecuteResponse>,
  ): Thenable<ExecuteResponse> {
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: true },
      async (progress, token) => {
        const workDoneToken = randomUUID();
        const sub = this.client.onProgress(WorkDoneProgress.type, workDoneToken, (v) => {
          if (v.kind === 'report' && (v as WorkDoneProgressReport).message)
            progress.report({ message: (v as WorkDoneProgressReport).message });
        });
        try {
          return await send(workDoneToken, token);
        } finally {
          sub.dispose();
        }
      },
    );
  }

  private async report(action: string, target: string, r: ExecuteResponse): Promise<void> {
    const state = stateLeftText(r);
    this.record(action, target, r.outcome, `${r.message}${state ? ` | ${state}` : ''}`);
    void this.panel.refresh();
    if (r.ok) {
      void vscode.window.showInformationMessage(`Stateful HA: ${r.message} (verified).`);
      return;
    }
    const buttons = [...(r.rollback ? ['Roll Back'] : []), 'Show Log'];
    const choice = await vscode.window.showErrorMessage(
      `Stateful HA: ${r.outcome} — ${r.message}`,
      {
        modal: true,
        detail: `${state || 'No state report.'}${r.rollback ? `\n\nRoll back: ${r.rollback.description} (${r.rollback.command}).` : ''}`,
      },
      ...buttons,
    );
    if (choice === 'Show Log') this.audit.show(true);
    if (choice === 'Roll Back' && r.rollback) {
      const params: RollbackParams = { planId: r.rollback.planId };
      const rb = await this.withStreamedProgress(
        `Stateful HA: roll back — ${r.rollback.description}`,
        (workDoneToken, token) =>
          this.client.sendRequest<ExecuteResponse>(
            CLUSTER_ROLLBACK_REQUEST,
            { ...params, workDoneToken },
            token,
          ),
      );
      await this.report(`rollback-${action}`, target, { ...rb, rollback: undefined });
    }
  }

  async showInCluster(args?: unknown): Promise<void> {
    let name = idArg(args, 'service');
    if (!name) {
      const editor = vscode.window.activeTextEditor;
      if (editor) name = serviceAtLine(editor.document.getText(), editor.selection.active.line);
    }
    if (!name) {
      void vscode.window.showInformationMessage(
        'Stateful HA: place the cursor on a service of a compose file to show it in the cluster.',
      );
      return;
    }
    await this.panel.showService(name);
  }
}

/** The state a failed action left, as lines for a modal's detail and the log. */
export function stateLeftText(r: ExecuteResponse): string {
  const s = r.stateLeft;
  if (!s) return '';
  const lines: string[] = [];
  if (s.node) lines.push(`Node ${s.node.hostname}: ${s.node.availability}, ${s.node.state}`);
  for (const t of s.tasks) {
    lines.push(
      `${t.service}${t.slot !== undefined ? `.${t.slot}` : ''} on ${t.node}: ${t.state} (desired ${t.desiredState})${t.error ? ` — ${t.error}` : ''}`,
    );
  }
  for (const p of s.problems) lines.push(`Problem: ${p}`);
  return lines.join('\n');
}

/**
 * Registers the operations panel (activity-bar webview view), the cluster commands and the
 * `cluster/changed` relay. Call once from `activate`, before the client starts.
 */
export function registerOperations(context: vscode.ExtensionContext, client: LanguageClient): void {
  const log = vscode.window.createOutputChannel('Stateful HA: Panel', { log: true });
  const audit = vscode.window.createOutputChannel('Stateful HA: Cluster Actions');
  const panel = new ClusterPanel(context.extensionUri, client, log);
  const ops = new Operations(client, panel, audit);
  context.subscriptions.push(
    log,
    audit,
    panel,
    vscode.window.registerWebviewViewProvider(VIEW_ID, panel),
    client.onNotification(CLUSTER_CHANGED_NOTIFICATION, (p: ClusterChangedParams) =>
      panel.onClusterChanged(p),
    ),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('statefulHa.docker')) void panel.refresh();
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => void panel.refresh()),
    vscode.commands.registerCommand('statefulHa.failover', (args?: unknown) => ops.failover(args)),
    vscode.commands.registerCommand('statefulHa.restart', (args?: unknown) => ops.restart(args)),
    vscode.commands.registerCommand('statefulHa.decommission', (args?: unknown) => ops.decommission(args)),
    vscode.commands.registerCommand('statefulHa.undrain', (args?: unknown) => ops.undrain(args)),
    vscode.commands.registerCommand('statefulHa.refreshCluster', () => panel.refresh()),
    vscode.commands.registerCommand('statefulHa.showInCluster', (args?: unknown) => ops.showInCluster(args)),
  );
}
