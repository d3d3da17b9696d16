// The cluster operations over LSP: status, plan, execute (with `$/progress` and cancellation) and
// rollback as custom requests, and `cluster/changed` notifications from Docker events. A thin adapter
// over server/src/operations, mirroring what the CLI does (server/src/cli/cluster.ts).
//
// Safety: a plan is executed only with the confirmation token handed out with it (or, for a re-plan from
// parameters, an explicit `<action>:<target>`), only once, only against the endpoint it was made on, only
// one at a time, and never in an untrusted workspace.
import { randomBytes, randomUUID } from 'node:crypto';
import {
  WorkDoneProgress,
  type CancellationToken,
  type Connection,
  type Disposable,
} from 'vscode-languageserver/node';
import { Advisor } from '../advisor/advisor.js';
import {
  ConnectionConfigError,
  DEFAULT_TIMEOUT_MS,
  DockerConnection,
  resolveEndpoint,
  type Endpoint,
} from '../operations/connection.js';
import {
  executePlan,
  rollbackFor,
  rollbackPlan,
  type ExecutionResult,
  type ProgressEvent,
} from '../operations/execute.js';
import { takeSnapshot, toFileModel, type LiveSnapshot } from '../operations/live-model.js';
import {
  planDecommission,
  planFailover,
  planRestart,
  planUndrain,
  renderPlanText,
  type Plan,
} from '../operations/plan.js';
import { buildStatus, errorStatus, explainError } from './cluster-status.js';
import { DockerEventsWatcher } from './docker-events.js';
import {
  CLUSTER_ACTIONS,
  CLUSTER_CHANGED_NOTIFICATION,
  CLUSTER_EXECUTE_REQUEST,
  CLUSTER_PLAN_REQUEST,
  CLUSTER_ROLLBACK_REQUEST,
  CLUSTER_STATUS_REQUEST,
  type ClusterChangedParams,
  type ClusterStatus,
  type ConnectionStatus,
  type DockerSettings,
  type ExecuteParams,
  type ExecuteResponse,
  type PlanParams,
  type PlanResponse,
  type RollbackParams,
} from './operations-protocol.js';

export interface OperationsOptions {
  /** Whether the workspace is trusted; actions are refused when it is not. Default: trusted. */
  isTrusted?: () => boolean;
  /** Environment for DOCKER_HOST / DOCKER_CONTEXT (tests). Default: the server's. */
  env?: NodeJS.ProcessEnv;
  /** Per-call Docker deadline. */
  timeoutMs?: number;
  /** Debounce of `cluster/changed`. */
  debounceMs?: number;
  log?: (message: string) => void;
}

interface StoredPlan {
  plan: Plan;
  token: string;
  endpoint: string;
  createdAt: number;
  executed: boolean;
}

/** Unexecuted plans expire: the cluster moves on, and a stale confirmation should not linger. */
const PLAN_TTL_MS = 15 * 60_000;
const MAX_STORED = 50;
/** Ids and names as Docker allows them; anything else never reaches the planners. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/;

class InvalidParams extends Error {}

function validatePlanParams(p: unknown): PlanParams {
  if (!p || typeof p !== 'object') throw new InvalidParams('missing parameters');
  const o = p as Record<string, unknown>;
  if (!CLUSTER_ACTIONS.includes(o.action as PlanParams['action']))
    throw new InvalidParams(`unknown action ${JSON.stringify(o.action)}`);
  const action = o.action as PlanParams['action'];
  const name = (key: 'service' | 'node'): string | undefined => {
    const v = o[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || !NAME.test(v))
      throw new InvalidParams(`invalid ${key} ${JSON.stringify(v)}`);
    return v;
  };
  const out: PlanParams = { action, service: name('service'), node: name('node') };
  if (o.overrides !== undefined) {
    if (!Array.isArray(o.overrides) || o.overrides.some((x) => typeof x !== 'string' || !NAME.test(x)))
      throw new InvalidParams('overrides must be task ids or service names');
    out.overrides = o.overrides as string[];
  }
  if ((action === 'failover' || action === 'restart') && !out.service)
    throw new InvalidParams(`${action} needs a service`);
  if (action !== 'restart' && !out.node) throw new InvalidParams(`${action} needs a node`);
  return out;
}

function makePlan(snapshot: LiveSnapshot, p: PlanParams): Plan {
  switch (p.action) {
    case 'failover':
      return planFailover(snapshot, p.service!, p.node!);
    case 'restart':
      return planRestart(snapshot, p.service!);
    case 'decommission':
      return planDecommission(snapshot, p.node!, { overrides: p.overrides ?? [] });
    case 'undrain':
      return planUndrain(snapshot, p.node!);
  }
}

function targetOf(p: PlanParams): string {
  return p.action === 'failover' || p.action === 'restart' ? p.service! : p.node!;
}

function publicEvents(events: ProgressEvent[]): ExecuteResponse['events'] {
  return events.map((e) => ({ step: e.step, level: e.level, message: e.message, elapsedMs: e.elapsedMs }));
}

/**
 * Registers the `statefulHa/cluster/*` requests on a language server connection. Returns a disposable
 * that stops the Docker event watcher.
 */
export function registerOperationsHandlers(
  connection: Connection,
  options: OperationsOptions = {},
): Disposable {
  const log = options.log ?? ((m: string) => connection.console.log(m));
  const trusted = (): boolean => options.isTrusted?.() ?? true;
  const plans = new Map<string, StoredPlan>();
  let running = false;

  const notifyChanged = (params: ClusterChangedParams): void => {
    void connection.sendNotification(CLUSTER_CHANGED_NOTIFICATION, params).catch(() => undefined);
  };
  const watcher = new DockerEventsWatcher({
    log,
    debounceMs: options.debounceMs,
    onChange: (c) => notifyChanged({ endpoint: watcher.watching ?? '', ...c }),
  });

  /** The docker settings, pulled fresh each time: the user may have changed them since. */
  async function settings(): Promise<DockerSettings> {
    try {
      const all = (await connection.workspace.getConfiguration({ section: 'statefulHa' })) as {
        docker?: DockerSettings;
      } | null;
      const d = all?.docker ?? {};
      return {
        host: typeof d.host === 'string' && d.host.trim() ? d.host.trim() : undefined,
        context: typeof d.context === 'string' && d.context.trim() ? d.context.trim() : undefined,
      };
    } catch {
      // A client without workspace/configuration: the environment decides.
      return {};
    }
  }

  async function endpoint(): Promise<Endpoint> {
    const s = await settings();
    const resolved = resolveEndpoint({
      host: s.host,
      context: s.context,
      env: options.env,
      timeoutMs: options.timeoutMs,
    });
    // Say which setting chose it, in the editor's terms rather than the CLI's flags.
    if (s.host) return { ...resolved, source: 'setting statefulHa.docker.host' };
    if (s.context) return { ...resolved, source: `setting statefulHa.docker.context (${s.context})` };
    return resolved;
  }

  function connectionInfo(e: Endpoint): ConnectionStatus {
    return { endpoint: e.url, source: e.source };
  }

  async function connect(): Promise<{ conn: DockerConnection; snapshot: LiveSnapshot }> {
    const e = await endpoint();
    const conn = new DockerConnection(e, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    return { conn, snapshot: await takeSnapshot(conn) };
  }

  async function status(watch: boolean): Promise<ClusterStatus> {
    let e: Endpoint;
    try {
      e = await endpoint();
    } catch (err) {
      // Bad settings (unknown context, malformed host): nothing to connect to, nothing to watch.
      const source = err instanceof ConnectionConfigError ? 'settings' : 'unknown';
      return errorStatus({ endpoint: '(not configured)', source }, explainError(err), trusted());
    }
    // Watching starts (or moves) with the first look at an endpoint, failed or not: the watcher's
    // reconnects tell the panel when the daemon comes up.
    if (watch) watcher.watch(e);
    try {
      const conn = new DockerConnection(e, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
      const snapshot = await takeSnapshot(conn);
      const advisor = new Advisor();
      advisor.setModel(toFileModel(snapshot));
      const { findings, failures } = advisor.analyze();
      for (const f of failures) log(`rule ${f.rule} failed on the live model: ${f.message}`);
      return buildStatus(snapshot, findings, connectionInfo(e), trusted());
    } catch (err) {
      return errorStatus(connectionInfo(e), explainError(err), trusted());
    }
  }

  function prune(): void {
    const now = Date.now();
    for (const [id, p] of plans) if (!p.executed && now - p.createdAt > PLAN_TTL_MS) plans.delete(id);
    while (plans.size > MAX_STORED) plans.delete(plans.keys().next().value!);
  }

  async function plan(params: unknown): Promise<PlanResponse> {
    const p = validatePlanParams(params);
    let c: { conn: DockerConnection; snapshot: LiveSnapshot };
    try {
      c = await connect();
    } catch (err) {
      const error = explainError(err);
      return {
        plan: refusedPlan(p, error.message),
        text: `Refused: ${error.message}`,
        error,
      };
    }
    const made = makePlan(c.snapshot, p);
    const response: PlanResponse = { plan: made, text: renderPlanText(made) };
    if (made.ok && !made.noop) {
      prune();
      const id = randomUUID();
      const token = randomBytes(16).toString('hex');
      plans.set(id, {
        plan: made,
        token,
        endpoint: c.conn.endpoint.url,
        createdAt: Date.now(),
        executed: false,
      });
      response.planId = id;
      response.confirmationToken = token;
    }
    return response;
  }

  function invalid(message: string, planned?: Plan): ExecuteResponse {
    return { ok: false, outcome: 'invalid', message, plan: planned, events: [], durationMs: 0 };
  }

  /** Streams progress on the client's work-done token, if it sent one. */
  function progressReporter(token: string | number | undefined, title: string) {
    const send = (value: unknown): void => {
      if (token === undefined) return;
      void connection.sendProgress(WorkDoneProgress.type, token, value as never).catch(() => undefined);
    };
    send({ kind: 'begin', title, cancellable: true, message: title });
    return {
      report: (e: ProgressEvent) => send({ kind: 'report', message: `${e.step}: ${e.message}` }),
      end: (message: string) => send({ kind: 'end', message }),
    };
  }

  async function runWithProgress(
    workDoneToken: string | number | undefined,
    title: string,
    cancel: CancellationToken,
    fn: (signal: AbortSignal, onProgress: (e: ProgressEvent) => void) => Promise<ExecutionResult>,
  ): Promise<ExecutionResult> {
    const controller = new AbortController();
    const sub = cancel.onCancellationRequested(() => controller.abort());
    if (cancel.isCancellationRequested) controller.abort();
    const progress = progressReporter(workDoneToken, title);
    try {
      const result = await fn(controller.signal, (e) => {
        if (e.step !== 'done') progress.report(e);
      });
      progress.end(result.message);
      return result;
    } finally {
      sub.dispose();
    }
  }

  async function execute(params: ExecuteParams, cancel: CancellationToken): Promise<ExecuteResponse> {
    if (!params || typeof params !== 'object') return invalid('missing parameters');
    if (!trusted()) return invalid('cluster actions are disabled in an untrusted workspace');
    if (running) return invalid('another cluster action is running: wait for it to finish');
    running = true;
    try {
      let stored: StoredPlan | undefined;
      let planId: string;
      const e = await endpoint();
      if (typeof params.planId === 'string') {
        prune();
        stored = plans.get(params.planId);
        if (!stored) return invalid('unknown or expired plan: make a new plan');
        if (stored.executed) return invalid('this plan was already executed: make a new plan', stored.plan);
        if (params.confirmationToken !== stored.token)
          return invalid('the confirmation token does not match this plan', stored.plan);
        if (stored.endpoint !== e.url) {
          return invalid(
            `the plan was made on ${stored.endpoint}, but the Docker endpoint is now ${e.url}: make a new plan`,
            stored.plan,
          );
        }
        planId = params.planId;
      } else if (params.plan) {
        const p = validatePlanParams(params.plan);
        const expected = `${p.action}:${targetOf(p)}`;
        if (params.confirmationToken !== expected)
          return invalid(`executing from parameters needs confirmationToken "${expected}"`);
        let snapshot: LiveSnapshot;
        try {
          snapshot = (await connect()).snapshot;
        } catch (err) {
          return invalid(explainError(err).message);
        }
        const made = makePlan(snapshot, p);
        planId = randomUUID();
        stored = { plan: made, token: expected, endpoint: e.url, createdAt: Date.now(), executed: false };
        plans.set(planId, stored);
      } else {
        return invalid('give a planId (with its confirmationToken) or plan parameters');
      }
      stored.executed = true;
      const conn = new DockerConnection(e, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
      const planned = stored.plan;
      const timeoutMs =
        typeof params.timeoutSeconds === 'number' && params.timeoutSeconds > 0
          ? Math.min(params.timeoutSeconds, 3600) * 1000
          : 120_000;
      log(`executing: ${planned.summary}`);
      const result = await runWithProgress(
        params.workDoneToken,
        planned.summary,
        cancel,
        (signal, onProgress) => executePlan(conn, planned, { signal, onProgress, timeoutMs }),
      );
      log(`${result.outcome}: ${result.message}`);
      notifyChanged({ endpoint: e.url, reason: 'executed', types: [], count: 0 });
      const response: ExecuteResponse = {
        ok: result.ok,
        outcome: result.outcome,
        message: result.message,
        plan: planned,
        stateLeft: result.stateLeft,
        events: publicEvents(result.events),
        durationMs: result.durationMs,
      };
      if (!result.ok && result.rollback) response.rollback = { planId, ...result.rollback };
      return response;
    } finally {
      running = false;
    }
  }

  async function rollback(params: RollbackParams, cancel: CancellationToken): Promise<ExecuteResponse> {
    if (!params || typeof params.planId !== 'string') return invalid('give the planId of an executed plan');
    if (!trusted()) return invalid('cluster actions are disabled in an untrusted workspace');
    if (running) return invalid('another cluster action is running: wait for it to finish');
    const stored = plans.get(params.planId);
    if (!stored || !stored.executed) return invalid('unknown plan, or a plan that was never executed');
    if (!rollbackFor(stored.plan)) return invalid('this plan has nothing to roll back');
    running = true;
    try {
      const e = await endpoint();
      if (stored.endpoint !== e.url)
        return invalid(`the plan ran on ${stored.endpoint}, but the Docker endpoint is now ${e.url}`);
      const conn = new DockerConnection(e, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
      log(`rolling back: ${stored.plan.summary}`);
      const result = await runWithProgress(
        params.workDoneToken,
        `Roll back: ${stored.plan.summary}`,
        cancel,
        (signal, onProgress) => rollbackPlan(conn, stored.plan, { signal, onProgress }),
      );
      log(`rollback ${result.outcome}: ${result.message}`);
      notifyChanged({ endpoint: e.url, reason: 'executed', types: [], count: 0 });
      return {
        ok: result.ok,
        outcome: result.outcome,
        message: result.message,
        plan: stored.plan,
        stateLeft: result.stateLeft,
        events: publicEvents(result.events),
        durationMs: result.durationMs,
      };
    } finally {
      running = false;
    }
  }

  /** Invalid parameters are the caller's bug: answer with the reason rather than a JSON-RPC error. */
  const guarded =
    <P, R>(name: string, fn: (p: P, t: CancellationToken) => Promise<R>, onError: (msg: string) => R) =>
    async (p: P, t: CancellationToken): Promise<R> => {
      try {
        return await fn(p, t);
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        if (!(e instanceof InvalidParams))
          log(`${name} failed: ${e instanceof Error ? (e.stack ?? msg) : msg}`);
        return onError(msg);
      }
    };

  const disposables = [
    connection.onRequest(
      CLUSTER_STATUS_REQUEST,
      guarded(
        'cluster/status',
        (p: { watch?: boolean } | undefined) => status(p?.watch !== false),
        (msg) =>
          errorStatus({ endpoint: '', source: '' }, { code: 'failed', message: msg, hints: [] }, trusted()),
      ),
    ),
    connection.onRequest(
      CLUSTER_PLAN_REQUEST,
      guarded(
        'cluster/plan',
        (p: unknown) => plan(p),
        (msg) => ({
          plan: refusedPlan(undefined, msg),
          text: `Refused: ${msg}`,
          error: { code: 'failed' as const, message: msg, hints: [] },
        }),
      ),
    ),
    connection.onRequest(
      CLUSTER_EXECUTE_REQUEST,
      guarded(
        'cluster/execute',
        (p: ExecuteParams, t) => execute(p, t),
        (msg) => invalid(msg),
      ),
    ),
    connection.onRequest(
      CLUSTER_ROLLBACK_REQUEST,
      guarded(
        'cluster/rollback',
        (p: RollbackParams, t) => rollback(p, t),
        (msg) => invalid(msg),
      ),
    ),
  ];
  return {
    dispose: () => {
      watcher.dispose();
      for (const d of disposables) d.dispose();
    },
  };
}

/** A refused plan for requests that never reached a planner (no daemon, bad parameters). */
function refusedPlan(p: PlanParams | undefined, reason: string): Plan {
  return {
    kind: p?.action ?? 'failover',
    endpoint: '',
    createdAt: new Date().toISOString(),
    summary: p ? `${p.action} ${targetOf(p) ?? ''}`.trim() : 'invalid request',
    ok: false,
    noop: false,
    refusals: [reason],
    warnings: [],
    data: '',
    suggestions: [],
    steps: [],
  };
}
