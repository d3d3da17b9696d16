// The cluster operations' custom requests and notifications, shared by the server and the VS Code client.
// Types and names only (the client imports this file): no HA logic, no Docker. What crosses this boundary
// is curated: no environment values, no labels (they can hold credentials, e.g. basic-auth labels), no
// registry auth, no command arguments.
import type { ExecutionResult } from '../operations/execute.js';
import type { Plan } from '../operations/plan.js';

/** Client → server: connection, nodes, stateful workloads with their live findings. */
export const CLUSTER_STATUS_REQUEST = 'statefulHa/cluster/status';
/** Client → server: a plan (what moves, what happens to the data, refusals) without changing anything. */
export const CLUSTER_PLAN_REQUEST = 'statefulHa/cluster/plan';
/** Client → server: runs a confirmed plan; streams `$/progress` on the request's `workDoneToken`. */
export const CLUSTER_EXECUTE_REQUEST = 'statefulHa/cluster/execute';
/** Client → server: undoes an executed plan (by its id). */
export const CLUSTER_ROLLBACK_REQUEST = 'statefulHa/cluster/rollback';
/** Server → client: the cluster changed (Docker events, debounced) or the event stream dropped/recovered. */
export const CLUSTER_CHANGED_NOTIFICATION = 'statefulHa/cluster/changed';

export type ClusterAction = 'failover' | 'restart' | 'decommission' | 'undrain';
export const CLUSTER_ACTIONS: readonly ClusterAction[] = ['failover', 'restart', 'decommission', 'undrain'];

/** The Docker endpoint settings (`statefulHa.docker.*`); empty means the environment decides. */
export interface DockerSettings {
  host?: string;
  context?: string;
}

export interface StatusParams {
  /** Start (or keep) watching Docker events for `cluster/changed`. Default true. */
  watch?: boolean;
}

export interface ConnectionStatus {
  /** Safe to show: `unix:///var/run/docker.sock`, `tcp://host:2376`, `ssh://user@host`. */
  endpoint: string;
  /** How it was chosen: `setting statefulHa.docker.host`, `DOCKER_HOST`, `context prod`, `default socket`. */
  source: string;
  mode?: 'engine' | 'swarm-manager' | 'swarm-worker';
  /** "swarm manager (node node1, 3 nodes, 1 managers)". */
  description?: string;
  hostname?: string;
  serverVersion?: string;
}

export interface StatusError {
  /** unreachable: no daemon answers; config: bad settings; worker: not a manager; failed: anything else. */
  code: 'unreachable' | 'config' | 'worker' | 'failed';
  message: string;
  /** How to fix it, one sentence each. */
  hints: string[];
}

export interface NodeRow {
  id: string;
  hostname: string;
  role: 'manager' | 'worker';
  leader: boolean;
  availability: string;
  state: string;
  addr: string;
  /** Running tasks on the node, and how many of them belong to stateful services. */
  tasks: number;
  statefulTasks: number;
}

export interface FindingRow {
  rule: string;
  severity: 'error' | 'warning' | 'info';
  message: string;
  docsUrl: string;
}

export interface WorkloadRow {
  kind: 'service' | 'container';
  id: string;
  name: string;
  image: string;
  /** null: global service. */
  replicas: number | null;
  global: boolean;
  engine?: string;
  /** follows: shared/replicated storage; node-local: stays on its node; none; unknown. */
  data: 'none' | 'follows' | 'node-local' | 'unknown';
  /** "volume pgdata (node-local) at /var/lib/postgresql/data". */
  storage: string[];
  constraints: string[];
  /** Where it runs: node hostname (or the engine for containers) and state. */
  tasks: { node: string; state: string; slot?: number }[];
  findings: FindingRow[];
  /** Actions the panel offers for this row. */
  actions: ('failover' | 'restart')[];
}

export interface ClusterStatus {
  ok: boolean;
  takenAt: string;
  connection: ConnectionStatus;
  nodes: NodeRow[];
  /** Stateful workloads only. */
  workloads: WorkloadRow[];
  /** Workloads seen in all, stateful or not. */
  totalWorkloads: number;
  error?: StatusError;
  /** False in an untrusted workspace: the panel shows status but offers no action. */
  actionsEnabled: boolean;
}

export interface PlanParams {
  action: ClusterAction;
  /** failover / restart: service (or container) name or id. */
  service?: string;
  /** failover: target node; decommission / undrain: the node. Hostname or id. */
  node?: string;
  /** decommission: task ids or service names whose blocking fate is accepted. */
  overrides?: string[];
}

export interface PlanResponse {
  /** Present when the plan can be executed (ok and not a no-op). */
  planId?: string;
  /** To pass back to `execute` with the plan id, once the user has confirmed. */
  confirmationToken?: string;
  plan: Plan;
  /** The CLI's text rendering. */
  text: string;
  /** Set when no plan could be made (daemon unreachable, bad settings). */
  error?: StatusError;
}

export interface ExecuteParams {
  /** A plan from `cluster/plan`, with its confirmation token. */
  planId?: string;
  confirmationToken?: string;
  /** Or re-plan from parameters; then `confirmationToken` must be `<action>:<service or node>`. */
  plan?: PlanParams;
  /** Convergence deadline in seconds (default 120). */
  timeoutSeconds?: number;
  /** LSP work-done progress token: step messages are streamed on it. */
  workDoneToken?: string | number;
}

export interface RollbackDescriptor {
  planId: string;
  description: string;
  /** The same undo as a command line, for a terminal. */
  command: string;
}

export interface ExecuteResponse {
  ok: boolean;
  outcome: ExecutionResult['outcome'] | 'invalid';
  message: string;
  plan?: Plan;
  stateLeft?: ExecutionResult['stateLeft'];
  rollback?: RollbackDescriptor;
  events: { step: string; level: string; message: string; elapsedMs: number }[];
  durationMs: number;
}

export interface RollbackParams {
  planId: string;
  workDoneToken?: string | number;
}

export interface ClusterChangedParams {
  endpoint: string;
  /** events: Docker events (debounced); disconnected / reconnected: the event stream; executed: an action ended. */
  reason: 'events' | 'disconnected' | 'reconnected' | 'executed';
  /** Event types seen (service, node, container). */
  types: string[];
  count: number;
}
