// Carrying out a plan against the live engine: versioned updates (a concurrent change is detected, never
// overwritten), progress events for the panel and the CLI, cancellation, a convergence wait that only
// claims success when every task is confirmed where it should be, and an exact report of the state left
// behind with the way back when it is not.
import {
  DockerApiError,
  DockerUnreachableError,
  isOutOfSequence,
  type DockerConnection,
} from './connection.js';
import {
  TERMINAL_TASK_STATES,
  nodeFromApi,
  taskFromApi,
  type ApiNode,
  type ApiService,
  type ApiTask,
  type LiveNode,
  type LiveTaskInfo,
} from './live-model.js';
import type { Plan } from './plan.js';

export interface TaskState {
  id: string;
  service: string;
  slot?: number;
  node: string;
  state: string;
  desiredState: string;
  error?: string;
}

export interface ProgressEvent {
  step:
    | 'start'
    | 'update-service'
    | 'restart-container'
    | 'drain-node'
    | 'activate-node'
    | 'wait'
    | 'verify'
    | 'remove-node'
    | 'rollback'
    | 'done';
  message: string;
  level: 'info' | 'warn' | 'error';
  tasks?: TaskState[];
  elapsedMs: number;
}

export type Outcome =
  'succeeded' | 'noop' | 'refused' | 'conflict' | 'timeout' | 'failed' | 'cancelled' | 'unreachable';

export interface StateLeft {
  node?: { hostname: string; availability: string; state: string };
  /** Non-terminal tasks of the services concerned (and every task on the node, for a drain). */
  tasks: TaskState[];
  /** Tasks that did not reach where the plan wanted them, with why. */
  problems: string[];
}

export interface ExecutionResult {
  ok: boolean;
  outcome: Outcome;
  message: string;
  stateLeft?: StateLeft;
  /** Set when something was changed and can be undone. */
  rollback?: { description: string; command: string };
  durationMs: number;
  events: ProgressEvent[];
}

/** A data check run after convergence (tests read back a file written before the move). */
export type VerifyHook = (info: { plan: Plan; tasks: TaskState[] }) => Promise<string | undefined>;

export interface ExecuteOptions {
  /** Convergence deadline; default 120 s. */
  timeoutMs?: number;
  pollMs?: number;
  signal?: AbortSignal;
  onProgress?: (e: ProgressEvent) => void;
  /** Returns an error message when the data check fails. */
  verify?: VerifyHook;
}

class Cancelled extends Error {}
class Conflict extends Error {}

interface Ctx {
  conn: DockerConnection;
  plan: Plan;
  opts: ExecuteOptions;
  start: number;
  events: ProgressEvent[];
  changed: boolean;
}

function emit(
  ctx: Ctx,
  step: ProgressEvent['step'],
  message: string,
  level: ProgressEvent['level'] = 'info',
  tasks?: TaskState[],
): void {
  const e: ProgressEvent = { step, message, level, elapsedMs: Date.now() - ctx.start };
  if (tasks) e.tasks = tasks;
  ctx.events.push(e);
  ctx.opts.onProgress?.(e);
}

function checkCancel(ctx: Ctx): void {
  if (ctx.opts.signal?.aborted) throw new Cancelled('cancelled');
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

async function listNodes(ctx: Ctx): Promise<LiveNode[]> {
  return (await ctx.conn.api<ApiNode[]>('GET', '/nodes', { signal: ctx.opts.signal })).map(nodeFromApi);
}

async function listTasks(ctx: Ctx, filters: Record<string, string[]>): Promise<ApiTask[]> {
  return ctx.conn.api<ApiTask[]>('GET', '/tasks', {
    query: { filters: JSON.stringify(filters) },
    signal: ctx.opts.signal,
  });
}

function taskState(t: LiveTaskInfo, service: string): TaskState {
  const s: TaskState = {
    id: t.id,
    service,
    slot: t.slot,
    node: t.node || '(unassigned)',
    state: t.state,
    desiredState: t.desiredState,
  };
  if (t.error) s.error = t.error;
  return s;
}

function describeTask(t: TaskState): string {
  return `${t.service}${t.slot !== undefined ? `.${t.slot}` : ''} ${t.id.slice(0, 12)} on ${t.node}: ${t.state} (desired ${t.desiredState})${t.error ? ` — ${t.error}` : ''}`;
}

function signature(tasks: TaskState[]): string {
  return tasks
    .map((t) => `${t.id}:${t.node}:${t.state}:${t.desiredState}`)
    .sort()
    .join('|');
}

/** Runs a plan. Never throws: every failure is an outcome with the state left behind. */
export async function executePlan(
  conn: DockerConnection,
  plan: Plan,
  opts: ExecuteOptions = {},
): Promise<ExecutionResult> {
  const ctx: Ctx = { conn, plan, opts, start: Date.now(), events: [], changed: false };
  const finish = (r: Omit<ExecutionResult, 'durationMs' | 'events'>): ExecutionResult => {
    const result = { ...r, durationMs: Date.now() - ctx.start, events: ctx.events };
    emit(ctx, 'done', r.message, r.ok ? 'info' : 'error');
    return result;
  };
  if (!plan.ok)
    return finish({ ok: false, outcome: 'refused', message: `refused: ${plan.refusals.join('; ')}` });
  if (plan.noop) return finish({ ok: true, outcome: 'noop', message: 'nothing to do' });
  emit(ctx, 'start', plan.summary);
  try {
    if (plan.service) return finish(await runServiceChange(ctx));
    if (plan.container) return finish(await runContainerRestart(ctx));
    if (plan.node && plan.kind === 'decommission') return finish(await runDrain(ctx));
    if (plan.node && plan.kind === 'undrain') return finish(await runUndrain(ctx));
    return finish({ ok: false, outcome: 'failed', message: 'the plan has nothing to execute' });
  } catch (e) {
    const stateLeft = await stateNow(ctx).catch(() => undefined);
    const rollback = ctx.changed ? rollbackFor(plan) : undefined;
    // An abort can also surface from inside an API call (the connection's own 'cancelled' error).
    if (e instanceof Cancelled || opts.signal?.aborted) {
      return finish({
        ok: false,
        outcome: 'cancelled',
        message: `cancelled${ctx.changed ? ' after the change was sent' : ' before any change'}`,
        stateLeft,
        rollback,
      });
    }
    if (e instanceof Conflict || isOutOfSequence(e)) {
      const what = plan.service ? `service ${plan.service.name}` : `node ${plan.node?.hostname}`;
      return finish({
        ok: false,
        outcome: 'conflict',
        message: `the ${what} changed since the plan was made${e instanceof Conflict ? ` (${e.message})` : ''}; nothing was changed — re-plan`,
        stateLeft,
      });
    }
    if (e instanceof DockerUnreachableError)
      return finish({ ok: false, outcome: 'unreachable', message: e.message, stateLeft, rollback });
    const message = e instanceof DockerApiError ? e.message : e instanceof Error ? e.message : String(e);
    return finish({ ok: false, outcome: 'failed', message, stateLeft, rollback });
  }
}

/** The same run as an async iterator of progress events; `result` resolves when it ends. */
export function executePlanStream(
  conn: DockerConnection,
  plan: Plan,
  opts: Omit<ExecuteOptions, 'onProgress'> = {},
): AsyncIterable<ProgressEvent> & { result: Promise<ExecutionResult> } {
  const queue: ProgressEvent[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  const result = executePlan(conn, plan, {
    ...opts,
    onProgress: (e) => {
      queue.push(e);
      wake?.();
    },
  }).finally(() => {
    ended = true;
    wake?.();
  });
  return {
    result,
    async *[Symbol.asyncIterator]() {
      for (;;) {
        while (queue.length > 0) yield queue.shift()!;
        if (ended) return;
        await new Promise<void>((r) => (wake = r));
        wake = undefined;
      }
    },
  };
}

export function rollbackFor(plan: Plan): { description: string; command: string } | undefined {
  if (plan.service)
    return {
      description: `restore the previous spec of ${plan.service.name}`,
      command: `docker service rollback ${plan.service.name}`,
    };
  if (plan.node && plan.kind === 'decommission') {
    return {
      description: `set ${plan.node.hostname} active again`,
      command: `stateful-ha cluster undrain ${plan.node.hostname}`,
    };
  }
  if (plan.node && plan.kind === 'undrain') {
    return {
      description: `set ${plan.node.hostname} back to ${plan.node.availability.from}`,
      command: `docker node update --availability ${plan.node.availability.from} ${plan.node.hostname}`,
    };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------
// Services: failover and restart

async function inspectService(ctx: Ctx, id: string): Promise<ApiService> {
  return ctx.conn.api<ApiService>('GET', `/services/${id}`, { signal: ctx.opts.signal });
}

async function runServiceChange(ctx: Ctx): Promise<Omit<ExecutionResult, 'durationMs' | 'events'>> {
  const change = ctx.plan.service!;
  const current = await inspectService(ctx, change.id);
  if (current.Version.Index !== change.version) {
    throw new Conflict(`version ${change.version} at planning, ${current.Version.Index} now`);
  }
  const spec = structuredClone(current.Spec);
  const tt = spec.TaskTemplate;
  if (change.constraints) tt.Placement = { ...(tt.Placement ?? {}), Constraints: change.constraints.to };
  if (change.forceUpdate) tt.ForceUpdate = (tt.ForceUpdate ?? 0) + 1;
  checkCancel(ctx);
  // The plan's version, not a fresh one: if anything changed meanwhile the engine refuses.
  await ctx.conn.api('POST', `/services/${change.id}/update`, {
    query: { version: change.version },
    body: spec,
    signal: ctx.opts.signal,
  });
  ctx.changed = true;
  emit(
    ctx,
    'update-service',
    `updated ${change.name}${change.constraints ? ` placement → ${change.constraints.to.join(', ')}` : ''}${change.forceUpdate ? ' (forced restart)' : ''}`,
  );

  const nodes = await listNodes(ctx);
  const expect = new Set(change.expectNodes);
  const before = new Set(change.tasksBefore);
  const want = change.replicas ?? 1;
  const deadline = Date.now() + (ctx.opts.timeoutMs ?? 120_000);
  let last = '';
  let tasks: TaskState[];
  for (;;) {
    checkCancel(ctx);
    const raw = await listTasks(ctx, { service: [change.id] });
    const all = raw.map((t) => taskFromApi(t, nodes));
    tasks = all.filter((t) => !TERMINAL_TASK_STATES.has(t.state)).map((t) => taskState(t, change.name));
    const sig = signature(tasks);
    if (sig !== last) {
      last = sig;
      emit(ctx, 'wait', tasks.map(describeTask).join('; ') || 'no task yet', 'info', tasks);
    }
    const problems: string[] = [];
    const running = tasks.filter((t) => t.state === 'running' && t.desiredState === 'running');
    const fresh = running.filter((t) => !before.has(t.id));
    const stale = tasks.filter((t) => t.desiredState !== 'running' || before.has(t.id));
    if (fresh.length < want) {
      const pending = tasks.filter((t) => t.desiredState === 'running' && t.state !== 'running');
      problems.push(
        `${fresh.length}/${want} new task(s) running${pending.length ? `; ${pending.map(describeTask).join('; ')}` : ''}`,
      );
    }
    const misplaced = fresh.filter((t) => expect.size > 0 && !expect.has(t.node));
    for (const t of misplaced) problems.push(`${describeTask(t)} — expected on ${[...expect].join(', ')}`);
    for (const t of stale) problems.push(`old task not confirmed stopped: ${describeTask(t)}`);
    const svc = await inspectService(ctx, change.id);
    const us = svc.UpdateStatus?.State;
    if (
      us === 'paused' ||
      us === 'rollback_started' ||
      us === 'rollback_paused' ||
      us === 'rollback_completed'
    ) {
      problems.push(`update ${us}: ${svc.UpdateStatus?.Message ?? ''}`);
      return failedWithState(ctx, 'failed', `the update of ${change.name} ${us}`, problems, tasks);
    }
    if (problems.length === 0) break;
    if (Date.now() > deadline) {
      return failedWithState(
        ctx,
        'timeout',
        `${change.name} did not converge within ${Math.round((ctx.opts.timeoutMs ?? 120_000) / 1000)} s`,
        problems,
        tasks,
      );
    }
    await sleep(ctx.opts.pollMs ?? 500, ctx.opts.signal);
  }
  emit(
    ctx,
    'verify',
    `${change.name} runs on ${[...new Set(tasks.map((t) => t.node))].join(', ')}`,
    'info',
    tasks,
  );
  const dataProblem = await ctx.opts.verify?.({ plan: ctx.plan, tasks });
  if (dataProblem)
    return failedWithState(ctx, 'failed', `verification failed: ${dataProblem}`, [dataProblem], tasks);
  return {
    ok: true,
    outcome: 'succeeded',
    message: `${ctx.plan.kind} of ${change.name} done: running on ${[...new Set(tasks.map((t) => t.node))].join(', ')}`,
  };
}

async function failedWithState(
  ctx: Ctx,
  outcome: Outcome,
  message: string,
  problems: string[],
  tasks: TaskState[],
): Promise<Omit<ExecutionResult, 'durationMs' | 'events'>> {
  const state = await stateNow(ctx).catch(() => ({ tasks, problems: [] as string[] }) as StateLeft);
  state.problems = problems;
  for (const p of problems) emit(ctx, 'wait', p, 'error');
  return {
    ok: false,
    outcome,
    message,
    stateLeft: state,
    rollback: ctx.changed ? rollbackFor(ctx.plan) : undefined,
  };
}

/** What the plan's objects look like right now, for failure reports. */
async function stateNow(ctx: Ctx): Promise<StateLeft> {
  const { plan } = ctx;
  const nodes = await listNodes(ctx);
  const state: StateLeft = { tasks: [], problems: [] };
  if (plan.node) {
    const n = nodes.find((x) => x.id === plan.node!.id);
    if (n) state.node = { hostname: n.hostname, availability: n.availability, state: n.state };
  }
  const serviceIds = new Set<string>();
  if (plan.service) serviceIds.add(plan.service.id);
  for (const f of plan.tasks ?? []) serviceIds.add(f.serviceId);
  if (serviceIds.size > 0) {
    const services = await ctx.conn.api<ApiService[]>('GET', '/services', { signal: undefined });
    const names = new Map(services.map((s) => [s.ID, s.Spec.Name]));
    const raw = await ctx.conn.api<ApiTask[]>('GET', '/tasks', { signal: undefined });
    state.tasks = raw
      .filter((t) => serviceIds.has(t.ServiceID) || (plan.node !== undefined && t.NodeID === plan.node.id))
      .map((t) => taskFromApi(t, nodes))
      .filter((t) => !TERMINAL_TASK_STATES.has(t.state))
      .map((t) => taskState(t, names.get(raw.find((r) => r.ID === t.id)!.ServiceID) ?? '?'));
  }
  return state;
}

// ---------------------------------------------------------------------------------------------------
// Containers (single engine): restart in place

interface ApiContainerState {
  Id: string;
  State?: { Status?: string; StartedAt?: string; Running?: boolean };
}

async function runContainerRestart(ctx: Ctx): Promise<Omit<ExecutionResult, 'durationMs' | 'events'>> {
  const c = ctx.plan.container!;
  const before = await ctx.conn.api<ApiContainerState>('GET', `/containers/${c.id}/json`, {
    signal: ctx.opts.signal,
  });
  const grace = Math.max(1, Math.round(c.stopGraceSeconds ?? 10));
  checkCancel(ctx);
  // The restart call lasts as long as the stop grace period: give the deadline room for it.
  await ctx.conn.api('POST', `/containers/${c.id}/restart`, {
    query: { t: grace },
    signal: ctx.opts.signal,
    timeoutMs: ctx.conn.timeoutMs + grace * 1000,
  });
  ctx.changed = true;
  emit(ctx, 'restart-container', `restarted ${c.name}`);
  const after = await ctx.conn.api<ApiContainerState>('GET', `/containers/${c.id}/json`, {
    signal: ctx.opts.signal,
  });
  const task: TaskState = {
    id: c.id,
    service: c.name,
    node: ctx.plan.endpoint,
    state: after.State?.Status ?? 'unknown',
    desiredState: 'running',
  };
  if (after.State?.Status !== 'running' || after.State?.StartedAt === before.State?.StartedAt) {
    return failedWithState(
      ctx,
      'failed',
      `${c.name} is ${after.State?.Status ?? 'unknown'} after the restart`,
      [`${c.name}: ${after.State?.Status}`],
      [task],
    );
  }
  emit(ctx, 'verify', `${c.name} running since ${after.State?.StartedAt}`, 'info', [task]);
  const dataProblem = await ctx.opts.verify?.({ plan: ctx.plan, tasks: [task] });
  if (dataProblem)
    return failedWithState(ctx, 'failed', `verification failed: ${dataProblem}`, [dataProblem], [task]);
  return { ok: true, outcome: 'succeeded', message: `${c.name} restarted in place` };
}

// ---------------------------------------------------------------------------------------------------
// Nodes: drain (decommission) and undrain

async function updateNodeAvailability(
  ctx: Ctx,
  id: string,
  version: number,
  availability: string,
): Promise<void> {
  const node = await ctx.conn.api<ApiNode>('GET', `/nodes/${id}`, { signal: ctx.opts.signal });
  if (node.Version.Index !== version)
    throw new Conflict(`version ${version} at planning, ${node.Version.Index} now`);
  checkCancel(ctx);
  // The full NodeSpec is required; only Availability changes.
  await ctx.conn.api('POST', `/nodes/${id}/update`, {
    query: { version },
    body: { ...node.Spec, Availability: availability },
    signal: ctx.opts.signal,
  });
}

async function runDrain(ctx: Ctx): Promise<Omit<ExecutionResult, 'durationMs' | 'events'>> {
  const n = ctx.plan.node!;
  const fates = ctx.plan.tasks ?? [];
  if (n.availability.from !== 'drain') {
    await updateNodeAvailability(ctx, n.id, n.version, 'drain');
    ctx.changed = true;
    emit(ctx, 'drain-node', `${n.hostname} set to drain`);
  } else {
    emit(ctx, 'drain-node', `${n.hostname} was already drained`);
  }
  // Services whose replacement must be running elsewhere (stranded-but-overridden ones cannot be).
  const mustMove = new Map<string, string>();
  for (const f of fates) {
    if (f.fate === 'stops' || (f.fate === 'stranded' && f.overridden)) continue;
    mustMove.set(f.serviceId, f.service);
  }
  const deadline = Date.now() + (ctx.opts.timeoutMs ?? 120_000);
  let last = '';
  let tasks: TaskState[];
  for (;;) {
    checkCancel(ctx);
    const [nodes, services, raw] = await Promise.all([
      listNodes(ctx),
      ctx.conn.api<ApiService[]>('GET', '/services', { signal: ctx.opts.signal }),
      ctx.conn.api<ApiTask[]>('GET', '/tasks', { signal: ctx.opts.signal }),
    ]);
    const names = new Map(services.map((s) => [s.ID, s.Spec.Name]));
    const live = raw
      .map((t) => ({ api: t, t: taskFromApi(t, nodes) }))
      .filter(({ t }) => !TERMINAL_TASK_STATES.has(t.state));
    const relevant = live.filter(({ api, t }) => t.nodeId === n.id || mustMove.has(api.ServiceID));
    tasks = relevant.map(({ api, t }) => taskState(t, names.get(api.ServiceID) ?? '?'));
    const node = nodes.find((x) => x.id === n.id);
    const sig = `${node?.state}|${signature(tasks)}`;
    if (sig !== last) {
      last = sig;
      emit(
        ctx,
        'wait',
        `${n.hostname} ${node?.availability}/${node?.state}: ${tasks.map(describeTask).join('; ') || 'no tasks'}`,
        'info',
        tasks,
      );
    }
    const problems: string[] = [];
    for (const { api, t } of live.filter(({ t }) => t.nodeId === n.id)) {
      const name = names.get(api.ServiceID) ?? '?';
      // Until the node reports the stop, the container may still run there (split brain if it moved).
      const why =
        node?.state !== 'ready'
          ? ` — ${n.hostname} is ${node?.state}: it cannot confirm the stop (the container may still run there)`
          : ' — stop not confirmed by the node yet';
      problems.push(`stranded on ${n.hostname}: ${describeTask(taskState(t, name))}${why}`);
    }
    for (const [id, name] of mustMove) {
      const svc = services.find((s) => s.ID === id);
      const want = svc?.Spec.Mode?.Replicated?.Replicas ?? 1;
      const elsewhere = live.filter(
        ({ api, t }) =>
          api.ServiceID === id && t.nodeId !== n.id && t.state === 'running' && t.desiredState === 'running',
      );
      if (elsewhere.length < want) {
        const pending = live.filter(
          ({ api, t }) => api.ServiceID === id && t.nodeId !== n.id && t.state !== 'running',
        );
        problems.push(
          `${name}: ${elsewhere.length}/${want} running on other nodes${pending.length ? `; ${pending.map(({ t }) => describeTask(taskState(t, name))).join('; ')}` : ''}`,
        );
      }
    }
    if (problems.length === 0) break;
    if (Date.now() > deadline) {
      return failedWithState(
        ctx,
        'timeout',
        `drain of ${n.hostname} did not complete within ${Math.round((ctx.opts.timeoutMs ?? 120_000) / 1000)} s`,
        problems,
        tasks,
      );
    }
    await sleep(ctx.opts.pollMs ?? 500, ctx.opts.signal);
  }
  const moved = tasks.filter((t) => t.node !== n.hostname);
  emit(
    ctx,
    'verify',
    `nothing left on ${n.hostname}; ${moved.map((t) => `${t.service} on ${t.node}`).join(', ') || 'no services to move'}`,
    'info',
    tasks,
  );
  const dataProblem = await ctx.opts.verify?.({ plan: ctx.plan, tasks });
  if (dataProblem)
    return failedWithState(ctx, 'failed', `verification failed: ${dataProblem}`, [dataProblem], tasks);
  if (n.remove) {
    checkCancel(ctx);
    // The node still runs dockerd; force removes it from the cluster's membership even though it is up.
    await ctx.conn.api('DELETE', `/nodes/${n.id}`, { query: { force: true }, signal: ctx.opts.signal });
    emit(
      ctx,
      'remove-node',
      `${n.hostname} removed from the swarm (run \`docker swarm leave\` on it to reset its engine)`,
    );
    return { ok: true, outcome: 'succeeded', message: `${n.hostname} drained and removed` };
  }
  return {
    ok: true,
    outcome: 'succeeded',
    message: `${n.hostname} drained: ${moved.length} task(s) running on other nodes`,
  };
}

async function runUndrain(ctx: Ctx): Promise<Omit<ExecutionResult, 'durationMs' | 'events'>> {
  const n = ctx.plan.node!;
  await updateNodeAvailability(ctx, n.id, n.version, 'active');
  ctx.changed = true;
  emit(ctx, 'activate-node', `${n.hostname} set to active`);
  const node = (await listNodes(ctx)).find((x) => x.id === n.id);
  emit(ctx, 'verify', `${n.hostname} is ${node?.availability}/${node?.state}`);
  if (node?.availability !== 'active') {
    return failedWithState(
      ctx,
      'failed',
      `${n.hostname} is ${node?.availability}`,
      [`${n.hostname} availability ${node?.availability}`],
      [],
    );
  }
  return {
    ok: true,
    outcome: 'succeeded',
    message: `${n.hostname} is active${node.state !== 'ready' ? ` (but ${node.state})` : ''}`,
  };
}

// ---------------------------------------------------------------------------------------------------
// Rollback

/**
 * Undoes an executed plan: a service goes back to its previous spec (the Engine's server-side rollback),
 * a drained node becomes active again (an undrained one goes back to what it was).
 */
export async function rollbackPlan(
  conn: DockerConnection,
  plan: Plan,
  opts: ExecuteOptions = {},
): Promise<ExecutionResult> {
  const ctx: Ctx = { conn, plan, opts, start: Date.now(), events: [], changed: true };
  const done = (ok: boolean, outcome: Outcome, message: string, stateLeft?: StateLeft): ExecutionResult => {
    emit(ctx, 'done', message, ok ? 'info' : 'error');
    return { ok, outcome, message, stateLeft, durationMs: Date.now() - ctx.start, events: ctx.events };
  };
  try {
    if (plan.service) {
      const svc = await inspectService(ctx, plan.service.id);
      if (!svc.PreviousSpec)
        return done(false, 'failed', `${plan.service.name} has no previous spec to go back to`);
      await conn.api('POST', `/services/${plan.service.id}/update`, {
        query: { version: svc.Version.Index, rollback: 'previous' },
        body: svc.Spec,
        signal: opts.signal,
      });
      emit(ctx, 'rollback', `${plan.service.name}: rolled back to its previous spec`);
      return done(true, 'succeeded', `${plan.service.name} rolled back`);
    }
    if (plan.node) {
      const to = plan.kind === 'decommission' ? 'active' : plan.node.availability.from;
      const node = await conn.api<ApiNode>('GET', `/nodes/${plan.node.id}`, { signal: opts.signal });
      await conn.api('POST', `/nodes/${plan.node.id}/update`, {
        query: { version: node.Version.Index },
        body: { ...node.Spec, Availability: to },
        signal: opts.signal,
      });
      const after = nodeFromApi(
        await conn.api<ApiNode>('GET', `/nodes/${plan.node.id}`, { signal: opts.signal }),
      );
      emit(ctx, 'rollback', `${after.hostname} availability ${after.availability} (${after.state})`);
      const state = await stateNow(ctx).catch(() => undefined);
      return done(
        after.availability === to,
        after.availability === to ? 'succeeded' : 'failed',
        `${after.hostname} is ${after.availability} (${after.state})`,
        state,
      );
    }
    return done(false, 'failed', 'nothing to roll back');
  } catch (e) {
    return done(
      false,
      e instanceof DockerUnreachableError ? 'unreachable' : 'failed',
      e instanceof Error ? e.message : String(e),
    );
  }
}
