// A snapshot of a live Docker engine or swarm (nodes, services with their mounts and running tasks, or
// plain containers), and its translation into the advisor's model so the same rules run on live specs.
//
// The snapshot is plain JSON: planners are pure functions of it and unit tests replay recorded ones.
// Environment values never enter it: they are read in memory for engine detection only, and only
// their names are kept (the model needs names for data-directory overrides such as PGDATA).
import { Catalog } from '../advisor/catalog/catalog.js';
import type {
  Container,
  DataMount,
  EngineMatch,
  LiveTask,
  MountType,
  Placement,
  SourceRange,
  Spread,
  StorageProfile,
  Workload,
} from '../advisor/model/model.js';
import type { FileModel } from '../advisor/model/workspace.js';
import {
  bindProfile,
  ephemeralProfile,
  composeVolumeStorage,
  intentFromLabels,
  mountIsData,
} from '../advisor/parse/compose.js';
import type { ClusterMode, DockerConnection } from './connection.js';

// ---------------------------------------------------------------------------------------------------
// Snapshot

export interface LiveNode {
  id: string;
  hostname: string;
  role: 'manager' | 'worker';
  availability: 'active' | 'pause' | 'drain' | string;
  /** ready, down, unknown, disconnected. */
  state: string;
  labels: Record<string, string>;
  addr: string;
  leader: boolean;
  version: number;
}

export interface LiveMount {
  type: 'volume' | 'bind' | 'tmpfs' | string;
  /** Volume name or host path; absent for anonymous volumes and tmpfs. */
  source?: string;
  target: string;
  readOnly: boolean;
  /** Volume driver; undefined = `local` (what the daemon creates when the volume does not exist). */
  driver?: string;
  driverOptions: Record<string, string>;
  volumeLabels: Record<string, string>;
  storage: StorageProfile;
  isData: boolean;
}

export interface LiveTaskInfo {
  id: string;
  slot?: number;
  nodeId: string;
  /** Hostname of the node ('' when the task is not assigned yet). */
  node: string;
  state: string;
  desiredState: string;
  containerId?: string;
  error?: string;
  updatedAt?: string;
}

export interface LiveService {
  id: string;
  name: string;
  version: number;
  image: string;
  labels: Record<string, string>;
  containerLabels: Record<string, string>;
  /** null for global services. */
  replicas: number | null;
  global: boolean;
  maxReplicasPerNode?: number;
  constraints: string[];
  restartCondition?: string;
  stopGraceSeconds?: number;
  forceUpdate: number;
  mounts: LiveMount[];
  /** Names only: values never leave memory. */
  envNames: string[];
  /** Command words, with values of secret-looking flags redacted. */
  args: string[];
  engine?: EngineMatch;
  /** Non-terminal tasks (desired running, or still running while being shut down). */
  tasks: LiveTaskInfo[];
  updateState?: string;
  updateMessage?: string;
  hasPreviousSpec: boolean;
}

export interface LiveContainer {
  id: string;
  name: string;
  image: string;
  /** running, exited, … */
  state: string;
  startedAt?: string;
  labels: Record<string, string>;
  restartPolicy?: string;
  stopGraceSeconds?: number;
  mounts: LiveMount[];
  envNames: string[];
  args: string[];
  engine?: EngineMatch;
}

export interface LiveSnapshot {
  /** `unix:///var/run/docker.sock`, `tcp://host:2376`… */
  endpoint: string;
  mode: ClusterMode;
  /** The engine's own hostname (the manager we talk to). */
  hostname: string;
  serverVersion: string;
  takenAt: string;
  nodes: LiveNode[];
  services: LiveService[];
  /** Engine mode only: plain containers. */
  containers: LiveContainer[];
}

// ---------------------------------------------------------------------------------------------------
// Engine API shapes (only what we read)

interface ApiMount {
  Type?: string;
  Source?: string;
  Target?: string;
  Destination?: string;
  ReadOnly?: boolean;
  RW?: boolean;
  Name?: string;
  Driver?: string;
  VolumeOptions?: {
    Labels?: Record<string, string>;
    DriverConfig?: { Name?: string; Options?: Record<string, string> };
  };
}

export interface ApiServiceSpec {
  Name: string;
  Labels?: Record<string, string>;
  TaskTemplate: {
    ContainerSpec?: {
      Image?: string;
      Labels?: Record<string, string>;
      Command?: string[];
      Args?: string[];
      Env?: string[];
      Mounts?: ApiMount[];
      StopGracePeriod?: number;
    };
    Placement?: { Constraints?: string[]; MaxReplicas?: number };
    RestartPolicy?: { Condition?: string };
    ForceUpdate?: number;
    [k: string]: unknown;
  };
  Mode?: { Replicated?: { Replicas?: number }; Global?: object; ReplicatedJob?: object; GlobalJob?: object };
  [k: string]: unknown;
}

export interface ApiService {
  ID: string;
  Version: { Index: number };
  Spec: ApiServiceSpec;
  PreviousSpec?: ApiServiceSpec;
  UpdateStatus?: { State?: string; Message?: string };
}

export interface ApiNodeSpec {
  Name?: string;
  Labels?: Record<string, string>;
  Role: string;
  Availability: string;
}

export interface ApiNode {
  ID: string;
  Version: { Index: number };
  Spec: ApiNodeSpec;
  Description?: { Hostname?: string };
  Status?: { State?: string; Addr?: string };
  ManagerStatus?: { Leader?: boolean; Addr?: string };
}

export interface ApiTask {
  ID: string;
  ServiceID: string;
  NodeID?: string;
  Slot?: number;
  DesiredState?: string;
  UpdatedAt?: string;
  Status?: { State?: string; Err?: string; ContainerStatus?: { ContainerID?: string } };
}

interface ApiContainerSummary {
  Id: string;
}

interface ApiContainer {
  Id: string;
  Name: string;
  State?: { Status?: string; StartedAt?: string };
  Config?: {
    Image?: string;
    Labels?: Record<string, string>;
    Env?: string[];
    Cmd?: string[];
    Entrypoint?: string[];
    StopTimeout?: number;
  };
  HostConfig?: { RestartPolicy?: { Name?: string } };
  Mounts?: ApiMount[];
}

interface ApiVolume {
  Name: string;
  Driver?: string;
  Options?: Record<string, string> | null;
  Labels?: Record<string, string> | null;
}

/** Task states after which a task never runs again. */
export const TERMINAL_TASK_STATES = new Set([
  'complete',
  'shutdown',
  'failed',
  'rejected',
  'orphaned',
  'remove',
]);

// ---------------------------------------------------------------------------------------------------
// Taking a snapshot

export interface SnapshotOptions {
  catalog?: Catalog;
  signal?: AbortSignal;
}

export async function takeSnapshot(
  conn: DockerConnection,
  opts: SnapshotOptions = {},
): Promise<LiveSnapshot> {
  const catalog = opts.catalog ?? new Catalog();
  const signal = opts.signal;
  const info = await conn.info(signal);
  const snapshot: LiveSnapshot = {
    endpoint: conn.endpoint.url,
    mode: info.mode,
    hostname: info.hostname,
    serverVersion: info.serverVersion,
    takenAt: new Date().toISOString(),
    nodes: [],
    services: [],
    containers: [],
  };
  if (info.mode === 'swarm-manager') {
    const [nodes, services, tasks] = await Promise.all([
      conn.api<ApiNode[]>('GET', '/nodes', { signal }),
      conn.api<ApiService[]>('GET', '/services', { signal }),
      conn.api<ApiTask[]>('GET', '/tasks', { signal }),
    ]);
    snapshot.nodes = nodes.map(nodeFromApi).sort((a, b) => a.hostname.localeCompare(b.hostname));
    snapshot.services = services
      .map((s) => serviceFromApi(s, tasks, snapshot.nodes, catalog))
      .sort((a, b) => a.name.localeCompare(b.name));
  } else if (info.mode === 'engine') {
    const list = await conn.api<ApiContainerSummary[]>('GET', '/containers/json', {
      query: { all: true },
      signal,
    });
    for (const c of list) {
      const full = await conn.api<ApiContainer>('GET', `/containers/${c.Id}/json`, { signal });
      const volumes = new Map<string, ApiVolume>();
      for (const m of full.Mounts ?? []) {
        if (m.Type === 'volume' && m.Name && !volumes.has(m.Name)) {
          try {
            volumes.set(
              m.Name,
              await conn.api<ApiVolume>('GET', `/volumes/${encodeURIComponent(m.Name)}`, { signal }),
            );
          } catch {
            // Removed meanwhile: treat like an unknown local volume.
          }
        }
      }
      snapshot.containers.push(containerFromApi(full, volumes, catalog));
    }
    snapshot.containers.sort((a, b) => a.name.localeCompare(b.name));
  }
  // A worker cannot list the cluster: the snapshot stays empty and the caller says so.
  return snapshot;
}

export function nodeFromApi(n: ApiNode): LiveNode {
  return {
    id: n.ID,
    hostname: n.Description?.Hostname ?? n.Spec.Name ?? n.ID,
    role: n.Spec.Role === 'manager' ? 'manager' : 'worker',
    availability: n.Spec.Availability,
    state: n.Status?.State ?? 'unknown',
    labels: { ...(n.Spec.Labels ?? {}) },
    addr: n.Status?.Addr ?? n.ManagerStatus?.Addr ?? '',
    leader: n.ManagerStatus?.Leader === true,
    version: n.Version.Index,
  };
}

export function taskFromApi(t: ApiTask, nodes: LiveNode[]): LiveTaskInfo {
  return {
    id: t.ID,
    slot: t.Slot,
    nodeId: t.NodeID ?? '',
    node: nodes.find((n) => n.id === t.NodeID)?.hostname ?? '',
    state: t.Status?.State ?? 'unknown',
    desiredState: t.DesiredState ?? 'unknown',
    containerId: t.Status?.ContainerStatus?.ContainerID,
    error: t.Status?.Err || undefined,
    updatedAt: t.UpdatedAt,
  };
}

/** Tasks that matter for placement: the ones meant to run, and the ones still running while stopping. */
export function isLiveTask(t: LiveTaskInfo): boolean {
  return !TERMINAL_TASK_STATES.has(t.state) && (t.desiredState === 'running' || t.state === 'running');
}

const SECRET_FLAG = /pass|secret|token|key|credential/i;

/** Keeps the words the engine switches need (`--replSet rs0`) and blanks values of secret-looking flags. */
export function redactArgs(words: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const eq = w.indexOf('=');
    if (w.startsWith('-') && eq > 0 && SECRET_FLAG.test(w.slice(0, eq)))
      out.push(`${w.slice(0, eq)}=<redacted>`);
    else if (
      i > 0 &&
      words[i - 1]!.startsWith('-') &&
      !words[i - 1]!.includes('=') &&
      SECRET_FLAG.test(words[i - 1]!)
    )
      out.push('<redacted>');
    else out.push(w);
  }
  return out;
}

function envMap(env: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of env ?? []) {
    const eq = e.indexOf('=');
    if (eq > 0) out[e.slice(0, eq)] = e.slice(eq + 1);
    else if (e) out[e] = '';
  }
  return out;
}

/** Engine detection with the real environment, in memory only; the result carries no values. */
function detectEngine(
  catalog: Catalog,
  name: string,
  image: string,
  env: string[] | undefined,
  args: string[],
): EngineMatch | undefined {
  if (!image) return undefined;
  return catalog.matchEngine({ name, image, env: envMap(env), args, mounts: [], hostPorts: [] });
}

function liveMount(m: ApiMount, catalog: Catalog, volume?: ApiVolume): LiveMount {
  const type = m.Type ?? 'volume';
  // Container inspect gives a volume's host path in Source and its name in Name; swarm specs only Source.
  const source = (type === 'volume' ? m.Name || m.Source : m.Source) || undefined;
  const target = m.Target ?? m.Destination ?? '';
  const readOnly = m.ReadOnly === true || m.RW === false;
  if (type === 'volume') {
    const driver = volume?.Driver ?? m.VolumeOptions?.DriverConfig?.Name ?? m.Driver ?? undefined;
    const driverOptions = { ...(volume?.Options ?? m.VolumeOptions?.DriverConfig?.Options ?? {}) };
    const volumeLabels = { ...(volume?.Labels ?? m.VolumeOptions?.Labels ?? {}) };
    // A swarm mount without a source is an anonymous volume: gone with the task.
    const anonymous = !m.Source && !m.Name;
    const storage: StorageProfile = anonymous
      ? ephemeralProfile(`anonymous volume at \`${target}\``)
      : composeVolumeStorage(catalog, {
          name: source!,
          driver: driver && driver !== '' ? driver : undefined,
          driverOpts: driverOptions,
          external: false,
          labels: volumeLabels,
        });
    const base = {
      type: anonymous ? ('anonymous' as MountType) : ('named-volume' as MountType),
      source,
      target,
      readOnly,
      persistent: !anonymous,
    };
    return {
      type,
      source,
      target,
      readOnly,
      driver,
      driverOptions,
      volumeLabels,
      storage,
      isData: mountIsData(base),
    };
  }
  if (type === 'bind') {
    const base = { type: 'bind' as MountType, source, target, readOnly, persistent: true };
    return {
      type,
      source,
      target,
      readOnly,
      driverOptions: {},
      volumeLabels: {},
      storage: bindProfile(source ?? ''),
      isData: mountIsData(base),
    };
  }
  return {
    type,
    source,
    target,
    readOnly,
    driverOptions: {},
    volumeLabels: {},
    storage:
      type === 'tmpfs'
        ? ephemeralProfile(`tmpfs at \`${target}\``)
        : {
            kind: 'unknown',
            copies: null,
            pinsToNode: false,
            description: `${type} at \`${target}\``,
            declared: false,
          },
    isData: false,
  };
}

export function serviceFromApi(
  s: ApiService,
  tasks: ApiTask[],
  nodes: LiveNode[],
  catalog: Catalog,
): LiveService {
  const spec = s.Spec;
  const cs = spec.TaskTemplate.ContainerSpec ?? {};
  const words = [...(cs.Command ?? []), ...(cs.Args ?? [])];
  const global = spec.Mode?.Global !== undefined || spec.Mode?.GlobalJob !== undefined;
  const image = (cs.Image ?? '').replace(/@sha256:[0-9a-f]+$/, '');
  return {
    id: s.ID,
    name: spec.Name,
    version: s.Version.Index,
    image,
    labels: { ...(spec.Labels ?? {}) },
    containerLabels: { ...(cs.Labels ?? {}) },
    replicas: global ? null : (spec.Mode?.Replicated?.Replicas ?? 1),
    global,
    maxReplicasPerNode: spec.TaskTemplate.Placement?.MaxReplicas || undefined,
    constraints: [...(spec.TaskTemplate.Placement?.Constraints ?? [])],
    restartCondition: spec.TaskTemplate.RestartPolicy?.Condition,
    stopGraceSeconds: cs.StopGracePeriod !== undefined ? cs.StopGracePeriod / 1e9 : undefined,
    forceUpdate: spec.TaskTemplate.ForceUpdate ?? 0,
    mounts: (cs.Mounts ?? []).map((m) => liveMount(m, catalog)),
    envNames: Object.keys(envMap(cs.Env)),
    args: redactArgs(words),
    engine: detectEngine(catalog, spec.Name, image, cs.Env, words),
    tasks: tasks
      .filter((t) => t.ServiceID === s.ID)
      .map((t) => taskFromApi(t, nodes))
      .filter(isLiveTask)
      .sort((a, b) => (a.slot ?? 0) - (b.slot ?? 0) || a.node.localeCompare(b.node)),
    updateState: s.UpdateStatus?.State,
    updateMessage: s.UpdateStatus?.Message,
    hasPreviousSpec: s.PreviousSpec !== undefined,
  };
}

function containerFromApi(c: ApiContainer, volumes: Map<string, ApiVolume>, catalog: Catalog): LiveContainer {
  const name = c.Name.replace(/^\//, '');
  const words = [...(c.Config?.Entrypoint ?? []), ...(c.Config?.Cmd ?? [])];
  const image = c.Config?.Image ?? '';
  return {
    id: c.Id,
    name,
    image,
    state: c.State?.Status ?? 'unknown',
    startedAt: c.State?.StartedAt,
    labels: { ...(c.Config?.Labels ?? {}) },
    restartPolicy: c.HostConfig?.RestartPolicy?.Name || undefined,
    stopGraceSeconds: c.Config?.StopTimeout,
    mounts: (c.Mounts ?? []).map((m) => liveMount(m, catalog, m.Name ? volumes.get(m.Name) : undefined)),
    envNames: Object.keys(envMap(c.Config?.Env)),
    args: redactArgs(words),
    engine: detectEngine(catalog, name, image, c.Config?.Env, words),
  };
}

// ---------------------------------------------------------------------------------------------------
// Constraints

export interface Constraint {
  key: string;
  op: '==' | '!=';
  value: string;
  text: string;
}

export function parseConstraint(text: string): Constraint | undefined {
  const m = /^\s*([\w.\-/]+)\s*(==|!=)\s*(.+?)\s*$/.exec(text);
  return m ? { key: m[1]!, op: m[2] as '==' | '!=', value: m[3]!, text: text.trim() } : undefined;
}

/** A constraint that pins to a node or a labelled set of nodes (the advisor's notion of pinned). */
export function isPinningConstraint(text: string): boolean {
  return /^\s*node\.(hostname|id|labels\.[^\s=!]+)\s*==\s*\S/.test(text);
}

/**
 * Whether a node satisfies a service's constraints. Keys the snapshot cannot evaluate (engine labels,
 * platform) count as satisfied: the scheduler is the authority, this only predicts.
 */
export function nodeSatisfies(node: LiveNode, constraints: readonly string[]): boolean {
  for (const text of constraints) {
    const c = parseConstraint(text);
    if (!c) continue;
    let actual: string | undefined;
    if (c.key === 'node.hostname') actual = node.hostname;
    else if (c.key === 'node.id') actual = node.id;
    else if (c.key === 'node.role') actual = node.role;
    else if (c.key.startsWith('node.labels.')) actual = node.labels[c.key.slice('node.labels.'.length)];
    else continue;
    const equal = actual !== undefined && actual.toLowerCase() === c.value.toLowerCase();
    if (c.op === '==' ? !equal : equal) return false;
  }
  return true;
}

/** Nodes the scheduler could put a new task of this service on (ready, active, constraints met). */
export function schedulableNodes(
  snapshot: LiveSnapshot,
  constraints: readonly string[],
  exclude?: string,
): LiveNode[] {
  return snapshot.nodes.filter(
    (n) =>
      n.id !== exclude && n.state === 'ready' && n.availability === 'active' && nodeSatisfies(n, constraints),
  );
}

// ---------------------------------------------------------------------------------------------------
// Lookups

export function findService(snapshot: LiveSnapshot, nameOrId: string): LiveService | undefined {
  return (
    snapshot.services.find((s) => s.name === nameOrId || s.id === nameOrId) ??
    (nameOrId.length >= 6 ? snapshot.services.find((s) => s.id.startsWith(nameOrId)) : undefined)
  );
}

export function findNode(snapshot: LiveSnapshot, nameOrId: string): LiveNode | undefined {
  return (
    snapshot.nodes.find((n) => n.id === nameOrId) ??
    snapshot.nodes.find((n) => n.hostname === nameOrId) ??
    (nameOrId.length >= 6 ? snapshot.nodes.find((n) => n.id.startsWith(nameOrId)) : undefined)
  );
}

export function findContainer(snapshot: LiveSnapshot, nameOrId: string): LiveContainer | undefined {
  return (
    snapshot.containers.find((c) => c.name === nameOrId || c.id === nameOrId) ??
    (nameOrId.length >= 6 ? snapshot.containers.find((c) => c.id.startsWith(nameOrId)) : undefined)
  );
}

export function dataMountsOf(s: { mounts: LiveMount[] }): LiveMount[] {
  return s.mounts.filter((m) => m.isData);
}

/** Stateful in the DESIGN.md sense: persistent data or a known engine (not an arbiter). */
export function isStateful(s: { mounts: LiveMount[]; engine?: EngineMatch }): boolean {
  if (s.engine?.arbiter) return false;
  return dataMountsOf(s).length > 0 || s.engine !== undefined;
}

// ---------------------------------------------------------------------------------------------------
// Translation into the advisor model

/** The pseudo file a live snapshot lives in: `docker://<endpoint>`. */
export function livePath(snapshot: LiveSnapshot): string {
  return `docker://${snapshot.endpoint.replace(/^[a-z]+:\/\//, '')}`;
}

function lineZero(file: string): SourceRange {
  return { file, start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
}

function modelMount(m: LiveMount, range: SourceRange): DataMount {
  const type: MountType =
    m.type === 'volume'
      ? m.source
        ? 'named-volume'
        : 'anonymous'
      : m.type === 'bind'
        ? 'bind'
        : m.type === 'tmpfs'
          ? 'tmpfs'
          : 'other';
  return {
    type,
    target: m.target,
    readOnly: m.readOnly,
    persistent: type === 'named-volume' || type === 'bind',
    isData: m.isData,
    source: m.source,
    range,
    storage: { ...m.storage },
  };
}

function liveWorkload(
  path: string,
  kind: 'service' | 'container',
  name: string,
  parts: {
    image: string;
    labels: Record<string, string>;
    mounts: LiveMount[];
    envNames: string[];
    args: string[];
    engine?: EngineMatch;
    replicas: number | null;
    global: boolean;
    constraints: string[];
    maxReplicasPerNode?: number;
    restartPolicy?: string;
    stopGraceSeconds?: number;
    tasks?: LiveTask[];
  },
): Workload {
  const range = lineZero(path);
  const ref = `${kind}/${name}`;
  const container: Container = {
    name,
    image: parts.image,
    imageRange: range,
    // Names only, so data-directory overrides (PGDATA) are seen; values stay out of the model.
    env: Object.fromEntries(parts.envNames.map((n) => [n, ''])),
    args: parts.args,
    mounts: parts.mounts.map((m) => modelMount(m, range)),
    hostPorts: [],
  };
  const pin = parts.constraints.find(isPinningConstraint);
  const placement: Placement = pin ? { pinned: true, detail: pin, range } : { pinned: false };
  let spread: Spread = { ok: false };
  if (parts.maxReplicasPerNode === 1) spread = { ok: true, detail: 'max_replicas_per_node: 1', range };
  else if (parts.global) spread = { ok: true, detail: 'mode: global', range };
  const engine = parts.engine ? { ...parts.engine } : undefined;
  const stateful = !engine?.arbiter && (container.mounts.some((m) => m.isData) || engine !== undefined);
  return {
    id: `${path}#0/${ref}`,
    ref,
    name,
    namespace: '',
    file: path,
    docIndex: 0,
    span: range,
    nameRange: range,
    kindRange: range,
    labels: { ...parts.labels },
    annotations: { ...parts.labels },
    origin: 'live',
    kind,
    platform: 'compose',
    target: kind === 'service' ? 'swarm' : 'single-host',
    containers: [container],
    engine,
    replicas: parts.replicas,
    replicasRange: range,
    global: parts.global,
    podLabels: { ...parts.labels },
    intent: intentFromLabels([{ values: parts.labels, rangeOf: () => range }]),
    placement,
    spread,
    restartPolicy: parts.restartPolicy,
    restartPolicyRange: parts.restartPolicy !== undefined ? range : undefined,
    stopGraceSeconds: parts.stopGraceSeconds,
    stopGraceRange: parts.stopGraceSeconds !== undefined ? range : undefined,
    dependsOn: [],
    replicasExplicit: true,
    maxReplicasPerNode: parts.maxReplicasPerNode,
    stateful,
    tasks: parts.tasks,
  };
}

/** The snapshot as an advisor FileModel at `docker://<endpoint>`: feed it to `Advisor.setModel`. */
export function toFileModel(snapshot: LiveSnapshot): FileModel {
  const path = livePath(snapshot);
  const workloads: Workload[] = [];
  for (const s of snapshot.services) {
    workloads.push(
      liveWorkload(path, 'service', s.name, {
        image: s.image,
        labels: { ...s.containerLabels, ...s.labels },
        mounts: s.mounts,
        envNames: s.envNames,
        args: s.args,
        engine: s.engine,
        replicas: s.replicas,
        global: s.global,
        constraints: s.constraints,
        maxReplicasPerNode: s.maxReplicasPerNode,
        // Swarm's default restart condition is `any`.
        restartPolicy: s.restartCondition ?? 'any',
        stopGraceSeconds: s.stopGraceSeconds,
        tasks: s.tasks.map((t) => ({ id: t.id, node: t.node, state: t.state, desiredState: t.desiredState })),
      }),
    );
  }
  for (const c of snapshot.containers) {
    workloads.push(
      liveWorkload(path, 'container', c.name, {
        image: c.image,
        labels: c.labels,
        mounts: c.mounts,
        envNames: c.envNames,
        args: c.args,
        engine: c.engine,
        replicas: 1,
        global: false,
        constraints: [],
        restartPolicy: c.restartPolicy ?? 'no',
        stopGraceSeconds: c.stopGraceSeconds,
        tasks: [
          {
            id: c.id,
            node: snapshot.hostname,
            state: c.state,
            desiredState: c.state === 'running' ? 'running' : c.state,
          },
        ],
      }),
    );
  }
  return { path, workloads, objects: [], commentSuppressions: [] };
}
