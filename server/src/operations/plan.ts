// Plans: pure functions of a live snapshot that say what an operation would do, what happens to the
// data, and whether it is safe. Nothing here talks to Docker; execute.ts carries a plan out.
import {
  dataMountsOf,
  findContainer,
  findNode,
  findService,
  isPinningConstraint,
  nodeSatisfies,
  schedulableNodes,
  type LiveMount,
  type LiveNode,
  type LiveService,
  type LiveSnapshot,
  type LiveTaskInfo,
} from './live-model.js';

export type PlanKind = 'failover' | 'restart' | 'decommission' | 'undrain';

/** What becomes of one task when its node is drained. */
export type TaskFateKind =
  | 'moves' // no data: rescheduled elsewhere
  | 'moves-with-data' // shared or replicated storage: the data is already on the other nodes
  | 'moves-and-resyncs' // app-replicated engine on node-local storage: a new member rebuilds from peers
  | 'stops' // global service: one task per node, nothing moves
  | 'stranded' // cannot be placed elsewhere, or would start elsewhere on an empty volume
  | 'breaks-quorum'; // another member of the same cluster is already down or on this node

export interface TaskFate {
  taskId: string;
  slot?: number;
  serviceId: string;
  service: string;
  fate: TaskFateKind;
  reason: string;
  /** Nodes the scheduler could move it to. */
  candidates: string[];
  /** Blocking fate accepted by `--override`. */
  overridden: boolean;
  /** Whether it stops the plan (stranded / breaks-quorum, not overridden). */
  blocking: boolean;
}

export interface ServiceChange {
  id: string;
  name: string;
  /** Version.Index at planning time: the update is sent with it, so a concurrent change is refused. */
  version: number;
  constraints?: { from: string[]; to: string[] };
  /** Bump TaskTemplate.ForceUpdate (what `docker service update --force` does). */
  forceUpdate?: boolean;
  /** Hostnames where the service's tasks run before. */
  fromNodes: string[];
  /** Where its tasks must run after, for verification (hostnames). */
  expectNodes: string[];
  /** Task ids running before (a restart must replace them). */
  tasksBefore: string[];
  replicas: number | null;
}

export interface NodeChange {
  id: string;
  hostname: string;
  version: number;
  availability: { from: string; to: 'active' | 'drain' };
  remove: boolean;
}

export interface ContainerChange {
  id: string;
  name: string;
  startedAt?: string;
  stopGraceSeconds?: number;
}

export interface PlanStep {
  id:
    | 'update-service'
    | 'restart-container'
    | 'drain-node'
    | 'activate-node'
    | 'wait'
    | 'verify'
    | 'remove-node';
  description: string;
}

export interface Plan {
  kind: PlanKind;
  endpoint: string;
  createdAt: string;
  /** One line: "failover service pg from node2 to node3". */
  summary: string;
  /** False: refused; `refusals` say why. */
  ok: boolean;
  /** Nothing to do (already there); ok stays true. */
  noop: boolean;
  refusals: string[];
  warnings: string[];
  /** What happens to the data, in one or two sentences. */
  data: string;
  /** Ways forward when refused (app-level resync, volume copy…). */
  suggestions: string[];
  steps: PlanStep[];
  service?: ServiceChange;
  node?: NodeChange;
  container?: ContainerChange;
  tasks?: TaskFate[];
  /** How to undo after execution, as a CLI command line. */
  rollback?: string;
}

export interface FailoverOptions {
  /** The user accepts that the task starts on an empty volume (node-local data). */
  acceptEmptyData?: boolean;
}

export interface DecommissionOptions {
  /** Task ids (or unique prefixes), service names or ids whose blocking fate is accepted. */
  overrides?: readonly string[];
  remove?: boolean;
}

function basePlan(kind: PlanKind, snapshot: LiveSnapshot, summary: string): Plan {
  return {
    kind,
    endpoint: snapshot.endpoint,
    createdAt: new Date().toISOString(),
    summary,
    ok: true,
    noop: false,
    refusals: [],
    warnings: [],
    data: '',
    suggestions: [],
    steps: [],
  };
}

function refuse(plan: Plan, reason: string): Plan {
  plan.ok = false;
  plan.refusals.push(reason);
  return plan;
}

function needsManager(plan: Plan, snapshot: LiveSnapshot): boolean {
  if (snapshot.mode === 'swarm-manager') return true;
  refuse(
    plan,
    snapshot.mode === 'swarm-worker'
      ? `${snapshot.endpoint} is a swarm worker: connect to a manager (--host / --context) for cluster operations`
      : `${snapshot.endpoint} is a single Docker engine, not a swarm manager: ${plan.kind} needs a swarm`,
  );
  return false;
}

/** Running (or starting) tasks: where the service is now. */
function runningTasks(s: LiveService): LiveTaskInfo[] {
  return s.tasks.filter((t) => t.desiredState === 'running');
}

function uniq(xs: string[]): string[] {
  return [...new Set(xs.filter((x) => x !== ''))];
}

type DataClass = 'none' | 'follows' | 'node-local' | 'unknown';

/** Whether a service's data would be on another node: shared/replicated follows, node-local does not. */
export function dataClass(mounts: LiveMount[]): {
  kind: DataClass;
  local: LiveMount[];
  unknown: LiveMount[];
} {
  const data = mounts.filter((m) => m.isData);
  const local = data.filter((m) => m.storage.kind === 'node-local');
  const unknown = data.filter((m) => m.storage.kind === 'unknown' || m.storage.kind === 'zonal');
  if (data.length === 0) return { kind: 'none', local, unknown };
  if (local.length > 0) return { kind: 'node-local', local, unknown };
  if (unknown.length > 0) return { kind: 'unknown', local, unknown };
  return { kind: 'follows', local, unknown };
}

function describeMounts(mounts: LiveMount[]): string {
  return mounts.map((m) => `${m.storage.description} at ${m.target}`).join(', ');
}

function appReplicated(s: LiveService): boolean {
  return s.engine !== undefined && s.engine.replication !== 'none' && s.engine.replicationEnabled;
}

/** Pin by hostname when it is unique, else by node id. */
function pinFor(snapshot: LiveSnapshot, node: LiveNode): string {
  const same = snapshot.nodes.filter((n) => n.hostname === node.hostname).length;
  return same === 1 ? `node.hostname==${node.hostname}` : `node.id==${node.id}`;
}

// ---------------------------------------------------------------------------------------------------
// failover

export function planFailover(
  snapshot: LiveSnapshot,
  serviceName: string,
  targetName: string,
  opts: FailoverOptions = {},
): Plan {
  const plan = basePlan('failover', snapshot, `failover service ${serviceName} to ${targetName}`);
  if (!needsManager(plan, snapshot)) return plan;
  const s = findService(snapshot, serviceName);
  const target = findNode(snapshot, targetName);
  if (!s) return refuse(plan, `no service "${serviceName}" in the swarm`);
  if (!target) return refuse(plan, `no node "${targetName}" in the swarm`);
  const from = uniq(runningTasks(s).map((t) => t.node));
  plan.summary = `failover service ${s.name} from ${from.join(', ') || '(not running)'} to ${target.hostname}`;
  if (s.global)
    return refuse(plan, `${s.name} is a global service: it runs on every node; there is nothing to move`);
  if ((s.replicas ?? 0) > 1) {
    refuse(
      plan,
      `${s.name} has ${s.replicas} replicas: failover moves a single-replica service; to move one member of a cluster, decommission (drain) its node so members move one at a time`,
    );
  }
  if (target.state !== 'ready') refuse(plan, `node ${target.hostname} is ${target.state}, not ready`);
  if (target.availability !== 'active')
    refuse(plan, `node ${target.hostname} is ${target.availability}, not active (undrain it first)`);

  const from_ = s.constraints;
  const kept = from_.filter((c) => !isPinningConstraint(c));
  const excluding = kept.filter((c) => !nodeSatisfies(target, [c]));
  if (excluding.length > 0)
    refuse(plan, `constraint ${excluding.join(', ')} of ${s.name} excludes ${target.hostname}`);
  const to = [...kept, pinFor(snapshot, target)];

  const data = dataClass(s.mounts);
  switch (data.kind) {
    case 'none':
      plan.data = 'No persistent data: the task simply starts on the new node.';
      break;
    case 'follows':
      plan.data = `Data follows: ${describeMounts(dataMountsOf(s))} is reachable from ${target.hostname}.`;
      break;
    case 'unknown':
      plan.data = `Unknown storage (${describeMounts(data.unknown)}): cannot tell whether the data is on ${target.hostname}.`;
      if (!opts.acceptEmptyData) {
        refuse(
          plan,
          `storage of ${s.name} is unknown to the catalog; declare it with the volume label stateful-ha.io/storage=shared|replicated|node-local, or pass --accept-empty-data`,
        );
      }
      break;
    case 'node-local':
      plan.data = `Data does NOT follow: ${describeMounts(data.local)} is node-local, so on ${target.hostname} the task starts on an EMPTY volume (the old data stays on ${from.join(', ') || 'the old node'}).`;
      if (!opts.acceptEmptyData) {
        refuse(
          plan,
          `${s.name} keeps its data on node-local storage: it would start on an empty volume on ${target.hostname} (pass --accept-empty-data to do it anyway)`,
        );
      } else {
        plan.warnings.push(`accepted: ${s.name} starts on an empty volume on ${target.hostname}`);
      }
      if (appReplicated(s)) {
        plan.suggestions.push(
          `${s.engine!.name} replicates itself: add a member on ${target.hostname} and let it resync from its peers, then retire the old member — no volume copy needed`,
        );
      }
      for (const m of data.local) {
        if (m.type === 'volume' && m.source) {
          plan.suggestions.push(
            `copy volume ${m.source} first: stop the service (scale to 0), then on ${from[0] ?? '<old node>'} \`docker run --rm -v ${m.source}:/from busybox tar -C /from -c .\` piped into \`docker run --rm -i -v ${m.source}:/to busybox tar -C /to -x\` on ${target.hostname}`,
          );
        }
      }
      break;
  }

  if (from.length === 1 && from[0] === target.hostname && to.every((c) => from_.includes(c))) {
    plan.noop = true;
    plan.data = `${s.name} already runs on ${target.hostname}, pinned there.`;
    return plan;
  }
  plan.service = {
    id: s.id,
    name: s.name,
    version: s.version,
    constraints: { from: [...from_], to },
    fromNodes: from,
    expectNodes: [target.hostname],
    tasksBefore: runningTasks(s).map((t) => t.id),
    replicas: s.replicas,
  };
  plan.steps = [
    {
      id: 'update-service',
      description: `update ${s.name} (version ${s.version}): placement ${from_.length ? from_.join(', ') : '(none)'} → ${to.join(', ')}`,
    },
    { id: 'wait', description: `wait until its task runs on ${target.hostname} and the old one has stopped` },
    { id: 'verify', description: `verify ${s.name} runs on ${target.hostname} only` },
  ];
  plan.rollback = `docker service rollback ${s.name}`;
  return plan;
}

// ---------------------------------------------------------------------------------------------------
// restart (app-crash path: same node, same volume)

export function planRestart(snapshot: LiveSnapshot, targetName: string): Plan {
  const plan = basePlan('restart', snapshot, `restart ${targetName} in place`);
  if (snapshot.mode === 'engine') {
    const c = findContainer(snapshot, targetName);
    if (!c) return refuse(plan, `no container "${targetName}" on ${snapshot.endpoint}`);
    plan.summary = `restart container ${c.name} in place`;
    plan.data = dataMountsOf(c).length
      ? `Same engine, same volumes: ${describeMounts(dataMountsOf(c))}.`
      : 'No persistent data.';
    plan.container = { id: c.id, name: c.name, startedAt: c.startedAt, stopGraceSeconds: c.stopGraceSeconds };
    plan.steps = [
      {
        id: 'restart-container',
        description: `restart container ${c.name} (stop, then start with the same volumes)`,
      },
      { id: 'verify', description: `verify ${c.name} is running again` },
    ];
    plan.rollback = `docker start ${c.name}`;
    return plan;
  }
  if (!needsManager(plan, snapshot)) return plan;
  const s = findService(snapshot, targetName);
  if (!s) return refuse(plan, `no service "${targetName}" in the swarm`);
  const running = runningTasks(s);
  const nodes = uniq(running.map((t) => t.node));
  plan.summary = `restart service ${s.name} in place on ${nodes.join(', ') || '(not running)'}`;
  const data = dataClass(s.mounts);
  let to: string[] | undefined;
  const eligible = schedulableNodes(snapshot, s.constraints);
  if (data.kind === 'node-local' || data.kind === 'unknown') {
    if (running.length === 1 && eligible.length !== 1) {
      // More than one node could take it: pin to the current one so the restart stays with its data.
      const here = snapshot.nodes.find((n) => n.id === running[0]!.nodeId);
      if (here) {
        to = [
          ...s.constraints.filter((c) => !isPinningConstraint(c) || nodeSatisfies(here, [c])),
          pinFor(snapshot, here),
        ];
        plan.warnings.push(
          `${s.name} keeps its data on ${data.kind} storage and ${eligible.length} nodes could take it: the restart pins it to ${here.hostname} (${pinFor(snapshot, here)}) so it comes back on its own data; the constraint stays (it is what missing-node-affinity asks for)`,
        );
      }
    } else if (running.length > 1 && eligible.length > 1 && !s.constraints.some(isPinningConstraint)) {
      plan.warnings.push(
        `${s.name} has ${running.length} replicas on node-local storage and nothing pins them: a restarted replica may land on another node and start on an empty volume`,
      );
    }
    plan.data = `Restart in place: same node${nodes.length > 1 ? 's' : ''} (${nodes.join(', ')}), same ${describeMounts(dataMountsOf(s))}; no resync.`;
  } else if (data.kind === 'follows') {
    plan.data = `Data on ${describeMounts(dataMountsOf(s))}: available wherever the task restarts (the scheduler may pick another node).`;
  } else {
    plan.data = 'No persistent data.';
  }
  if (running.length === 0)
    plan.warnings.push(`${s.name} has no running task: the restart schedules it by its placement`);
  plan.service = {
    id: s.id,
    name: s.name,
    version: s.version,
    forceUpdate: true,
    constraints: to ? { from: [...s.constraints], to } : undefined,
    fromNodes: nodes,
    // Only data that stays on its node ties the restart to that node; shared data may restart anywhere.
    expectNodes: data.kind === 'node-local' || data.kind === 'unknown' ? nodes : [],
    tasksBefore: running.map((t) => t.id),
    replicas: s.replicas,
  };
  plan.steps = [
    {
      id: 'update-service',
      description: `force-update ${s.name} (version ${s.version})${to ? `, placement → ${to.join(', ')}` : ''}: each task is replaced in place`,
    },
    {
      id: 'wait',
      description: `wait until new tasks run${to || data.kind === 'node-local' ? ` on ${nodes.join(', ')}` : ''}`,
    },
    { id: 'verify', description: 'verify the tasks were replaced on the same nodes' },
  ];
  plan.rollback = `docker service rollback ${s.name}`;
  return plan;
}

// ---------------------------------------------------------------------------------------------------
// decommission

/** Key of the cluster a service's members belong to: engine + stack, else the service itself. */
function clusterKey(s: LiveService): string | undefined {
  if (!s.engine || !appReplicated(s)) return undefined;
  const stack = s.labels['com.docker.stack.namespace'];
  return stack ? `${s.engine.id}@${stack}` : `${s.engine.id}#${s.id}`;
}

function matchesOverride(overrides: readonly string[], s: LiveService, t: LiveTaskInfo): boolean {
  return overrides.some(
    (o) =>
      o === s.name ||
      o === s.id ||
      o === t.id ||
      (o.length >= 6 && (t.id.startsWith(o) || s.id.startsWith(o))),
  );
}

export function taskFate(
  snapshot: LiveSnapshot,
  node: LiveNode,
  s: LiveService,
  t: LiveTaskInfo,
): Omit<TaskFate, 'overridden' | 'blocking'> {
  const base = { taskId: t.id, slot: t.slot, serviceId: s.id, service: s.name };
  if (s.global) {
    return {
      ...base,
      fate: 'stops',
      reason: 'global service: its task on this node stops, the others keep running',
      candidates: [],
    };
  }
  const perNode = s.maxReplicasPerNode ?? 0;
  const schedulable = schedulableNodes(snapshot, s.constraints, node.id);
  const candidates = schedulable.filter(
    (n) =>
      perNode === 0 ||
      s.tasks.filter((x) => x.nodeId === n.id && x.desiredState === 'running').length < perNode,
  );
  const names = candidates.map((n) => n.hostname);
  if (candidates.length === 0) {
    const pin = s.constraints.filter((c) => isPinningConstraint(c) && nodeSatisfies(node, [c]));
    const why = pin.length
      ? `pinned to this node by ${pin.join(', ')}`
      : schedulable.length > 0
        ? `every other eligible node (${schedulable.map((n) => n.hostname).join(', ')}) already runs max ${perNode} per node`
        : s.constraints.length
          ? `no other ready, active node satisfies ${s.constraints.join(', ')}`
          : 'no other ready, active node';
    return { ...base, fate: 'stranded', reason: `${why}: it would stay pending`, candidates: names };
  }
  const data = dataClass(s.mounts);
  const key = clusterKey(s);
  if (key) {
    const members = snapshot.services
      .filter((o) => clusterKey(o) === key)
      .flatMap((o) => runningTasks(o).map((x) => ({ x, o })));
    if (members.length > 1) {
      const others = members.filter(({ x }) => x.id !== t.id);
      const sameNode = others.filter(({ x }) => x.nodeId === node.id);
      const down = others.filter(({ x }) => {
        const n = snapshot.nodes.find((nn) => nn.id === x.nodeId);
        return x.state !== 'running' || !n || n.state !== 'ready' || n.availability !== 'active';
      });
      if (sameNode.length > 0 || down.length > 0) {
        const parts = [
          ...sameNode.map(({ x, o }) => `${o.name}.${x.slot ?? x.id.slice(0, 6)} is on this node too`),
          ...down.map(
            ({ x, o }) =>
              `${o.name}.${x.slot ?? x.id.slice(0, 6)} is already ${x.state !== 'running' ? x.state : 'on an unavailable node'}`,
          ),
        ];
        return {
          ...base,
          fate: 'breaks-quorum',
          reason: `${s.engine!.name} member: ${parts.join('; ')} — draining now takes two members out at once`,
          candidates: names,
        };
      }
    }
  }
  switch (data.kind) {
    case 'none':
      return { ...base, fate: 'moves', reason: 'no persistent data', candidates: names };
    case 'follows':
      return {
        ...base,
        fate: 'moves-with-data',
        reason: `data on ${describeMounts(dataMountsOf(s))}`,
        candidates: names,
      };
    default: {
      const where = describeMounts(data.local.length ? data.local : data.unknown);
      if (appReplicated(s)) {
        return {
          ...base,
          fate: 'moves-and-resyncs',
          reason: `${s.engine!.name} replicates itself: the new member on ${where} starts empty and resyncs from its peers`,
          candidates: names,
        };
      }
      return {
        ...base,
        fate: 'stranded',
        reason: `${data.kind === 'node-local' ? 'node-local' : 'unknown'} data (${where}) stays on this node: elsewhere the task would start on an EMPTY volume`,
        candidates: names,
      };
    }
  }
}

export function planDecommission(
  snapshot: LiveSnapshot,
  nodeName: string,
  opts: DecommissionOptions = {},
): Plan {
  const plan = basePlan('decommission', snapshot, `decommission node ${nodeName}`);
  if (!needsManager(plan, snapshot)) return plan;
  const node = findNode(snapshot, nodeName);
  if (!node) return refuse(plan, `no node "${nodeName}" in the swarm`);
  plan.summary = `decommission node ${node.hostname} (${node.role}, ${node.availability}, ${node.state})`;
  const overrides = opts.overrides ?? [];
  const fates: TaskFate[] = [];
  for (const s of snapshot.services) {
    for (const t of runningTasks(s).filter((x) => x.nodeId === node.id)) {
      const f = taskFate(snapshot, node, s, t);
      const blockingKind = f.fate === 'stranded' || f.fate === 'breaks-quorum';
      const overridden = blockingKind && matchesOverride(overrides, s, t);
      fates.push({ ...f, overridden, blocking: blockingKind && !overridden });
    }
  }
  plan.tasks = fates;
  for (const f of fates.filter((x) => x.blocking)) {
    refuse(
      plan,
      `${f.service} (task ${f.taskId.slice(0, 12)}) ${f.fate}: ${f.reason} — fix it, or accept with --override ${f.service}`,
    );
  }
  for (const f of fates.filter((x) => x.overridden)) {
    plan.warnings.push(`overridden: ${f.service} (task ${f.taskId.slice(0, 12)}) ${f.fate}: ${f.reason}`);
  }
  const unknownOverrides = overrides.filter(
    (o) =>
      !snapshot.services.some((s) => s.name === o || s.id === o || (o.length >= 6 && s.id.startsWith(o))) &&
      !fates.some((f) => f.taskId === o || (o.length >= 6 && f.taskId.startsWith(o))),
  );
  for (const o of unknownOverrides)
    plan.warnings.push(`--override ${o} matches no service or task on ${node.hostname}`);
  if (opts.remove && node.role === 'manager') {
    refuse(
      plan,
      `${node.hostname} is a manager: demote it (docker node demote ${node.hostname}) before removing it`,
    );
  }
  const stateful = fates.filter((f) => f.fate !== 'moves');
  plan.data =
    fates.length === 0
      ? `No tasks run on ${node.hostname}.`
      : `${fates.length} task(s) on ${node.hostname}; ${stateful.length} hold data or engine state: ${summariseFates(fates)}.`;
  if (node.availability === 'drain' && !opts.remove) {
    plan.noop = fates.length === 0;
  }
  plan.node = {
    id: node.id,
    hostname: node.hostname,
    version: node.version,
    availability: { from: node.availability, to: 'drain' },
    remove: opts.remove === true,
  };
  plan.steps = [
    { id: 'drain-node', description: `set ${node.hostname} availability to drain (version ${node.version})` },
    {
      id: 'wait',
      description: 'wait until every task has stopped on it and its replacement runs on another node',
    },
    { id: 'verify', description: `verify nothing but global tasks is left on ${node.hostname}` },
  ];
  if (opts.remove)
    plan.steps.push({ id: 'remove-node', description: `remove ${node.hostname} from the swarm` });
  plan.rollback = `stateful-ha cluster undrain ${node.hostname}`;
  return plan;
}

function summariseFates(fates: TaskFate[]): string {
  const counts = new Map<string, number>();
  for (const f of fates) counts.set(f.fate, (counts.get(f.fate) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${n} ${k}`).join(', ');
}

// ---------------------------------------------------------------------------------------------------
// undrain

export function planUndrain(snapshot: LiveSnapshot, nodeName: string): Plan {
  const plan = basePlan('undrain', snapshot, `undrain node ${nodeName}`);
  if (!needsManager(plan, snapshot)) return plan;
  const node = findNode(snapshot, nodeName);
  if (!node) return refuse(plan, `no node "${nodeName}" in the swarm`);
  plan.summary = `undrain node ${node.hostname} (${node.availability} → active)`;
  plan.data = 'No task moves back by itself: the scheduler uses the node for new tasks only.';
  if (node.availability === 'active') {
    plan.noop = true;
    return plan;
  }
  plan.node = {
    id: node.id,
    hostname: node.hostname,
    version: node.version,
    availability: { from: node.availability, to: 'active' },
    remove: false,
  };
  plan.steps = [
    {
      id: 'activate-node',
      description: `set ${node.hostname} availability to active (version ${node.version})`,
    },
  ];
  plan.rollback = `docker node update --availability ${node.availability} ${node.hostname}`;
  return plan;
}

// ---------------------------------------------------------------------------------------------------
// Rendering

export function renderPlanText(plan: Plan): string {
  const out: string[] = [];
  out.push(`Plan: ${plan.summary}`);
  if (plan.data) out.push(`Data: ${plan.data}`);
  if (plan.tasks && plan.tasks.length > 0) {
    out.push('Tasks:');
    for (const t of plan.tasks) {
      const flag = t.overridden ? ' (overridden)' : t.blocking ? ' (BLOCKS)' : '';
      const to = t.candidates.length ? ` → ${t.candidates.join('|')}` : '';
      out.push(
        `  ${t.service}${t.slot !== undefined ? `.${t.slot}` : ''} ${t.taskId.slice(0, 12)}  ${t.fate}${flag}${to}: ${t.reason}`,
      );
    }
  }
  if (plan.steps.length > 0 && plan.ok && !plan.noop) {
    out.push('Steps:');
    plan.steps.forEach((s, i) => out.push(`  ${i + 1}. ${s.description}`));
  }
  for (const w of plan.warnings) out.push(`Warning: ${w}`);
  for (const r of plan.refusals) out.push(`Refused: ${r}`);
  for (const s of plan.suggestions) out.push(`Suggestion: ${s}`);
  if (plan.noop) out.push('Nothing to do.');
  if (plan.rollback && plan.ok && !plan.noop) out.push(`Rollback: ${plan.rollback}`);
  return out.join('\n');
}
