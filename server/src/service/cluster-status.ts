// Pure translation of a live snapshot (plus the advisor's findings on it) into what the panel shows, and
// of connection failures into explanations with a way out. No Docker, no LSP: unit-tested on recorded
// snapshots. Only curated fields leave: never labels, environment or arguments.
import type { Finding } from '../advisor/model/model.js';
import { RULES_BY_ID } from '../advisor/rules/index.js';
import { docsUrl } from '../advisor/rules/rule.js';
import { ConnectionConfigError, DockerApiError, DockerUnreachableError } from '../operations/connection.js';
import { isStateful, type LiveMount, type LiveSnapshot } from '../operations/live-model.js';
import { dataClass } from '../operations/plan.js';
import type {
  ClusterStatus,
  ConnectionStatus,
  FindingRow,
  NodeRow,
  StatusError,
  WorkloadRow,
} from './operations-protocol.js';

function findingRow(f: Finding): FindingRow {
  return {
    rule: f.rule,
    severity: f.severity,
    message: f.message,
    docsUrl: RULES_BY_ID.get(f.rule)?.meta.docsUrl ?? docsUrl(f.rule),
  };
}

function storageText(m: LiveMount): string {
  return `${m.storage.description} at ${m.target}`;
}

export function buildStatus(
  snapshot: LiveSnapshot,
  findings: readonly Finding[],
  connection: ConnectionStatus,
  actionsEnabled: boolean,
): ClusterStatus {
  const byRef = new Map<string, FindingRow[]>();
  for (const f of findings) {
    const rows = byRef.get(f.workload) ?? [];
    rows.push(findingRow(f));
    byRef.set(f.workload, rows);
  }
  const swarm = snapshot.mode === 'swarm-manager';
  const workloads: WorkloadRow[] = [];
  for (const s of snapshot.services) {
    if (!isStateful(s)) continue;
    workloads.push({
      kind: 'service',
      id: s.id,
      name: s.name,
      image: s.image,
      replicas: s.replicas,
      global: s.global,
      engine: s.engine?.name,
      data: dataClass(s.mounts).kind,
      storage: s.mounts.filter((m) => m.isData).map(storageText),
      constraints: [...s.constraints],
      tasks: s.tasks
        .filter((t) => t.desiredState === 'running')
        .map((t) => ({ node: t.node || '(unassigned)', state: t.state, slot: t.slot })),
      findings: byRef.get(`service/${s.name}`) ?? [],
      // Failover moves a single replica; a global or multi-replica service moves by draining nodes.
      actions: swarm && !s.global && (s.replicas ?? 0) <= 1 ? ['failover', 'restart'] : ['restart'],
    });
  }
  for (const c of snapshot.containers) {
    if (!isStateful(c)) continue;
    workloads.push({
      kind: 'container',
      id: c.id,
      name: c.name,
      image: c.image,
      replicas: 1,
      global: false,
      engine: c.engine?.name,
      data: dataClass(c.mounts).kind,
      storage: c.mounts.filter((m) => m.isData).map(storageText),
      constraints: [],
      tasks: [{ node: snapshot.hostname, state: c.state }],
      findings: byRef.get(`container/${c.name}`) ?? [],
      actions: ['restart'],
    });
  }
  const statefulIds = new Set(snapshot.services.filter((s) => isStateful(s)).map((s) => s.id));
  const nodes: NodeRow[] = snapshot.nodes.map((n) => {
    let tasks = 0;
    let statefulTasks = 0;
    for (const s of snapshot.services) {
      const here = s.tasks.filter((t) => t.nodeId === n.id && t.desiredState === 'running').length;
      tasks += here;
      if (statefulIds.has(s.id)) statefulTasks += here;
    }
    return {
      id: n.id,
      hostname: n.hostname,
      role: n.role,
      leader: n.leader,
      availability: n.availability,
      state: n.state,
      addr: n.addr,
      tasks,
      statefulTasks,
    };
  });
  const status: ClusterStatus = {
    ok: true,
    takenAt: snapshot.takenAt,
    connection: {
      ...connection,
      mode: snapshot.mode,
      hostname: snapshot.hostname,
      serverVersion: snapshot.serverVersion,
    },
    nodes,
    workloads,
    totalWorkloads: snapshot.services.length + snapshot.containers.length,
    actionsEnabled,
  };
  if (snapshot.mode === 'swarm-worker') {
    status.error = {
      code: 'worker',
      message: `${connection.endpoint} is a swarm worker: only a manager can list the cluster's nodes and services.`,
      hints: [
        'Point statefulHa.docker.host (or a Docker context) at a manager node, e.g. ssh://user@manager.',
      ],
    };
  }
  return status;
}

/** Ways to point at a daemon, shared by every connection error. */
const POINT_HINTS = [
  'Start Docker on this machine (e.g. `sudo systemctl start docker`).',
  'Or set `statefulHa.docker.host`: unix:///var/run/docker.sock, tcp://host:2376 or ssh://user@host.',
  'Or set `statefulHa.docker.context` to a context from `docker context ls`.',
  'Or set DOCKER_HOST / DOCKER_CONTEXT in the environment VS Code was started from.',
];

/** A failure to connect or snapshot, explained for the panel and the commands. */
export function explainError(e: unknown): StatusError {
  if (e instanceof ConnectionConfigError) {
    return {
      code: 'config',
      message: e.message,
      hints: [
        'Fix `statefulHa.docker.host` / `statefulHa.docker.context` (or DOCKER_HOST / DOCKER_CONTEXT): use either a host or a context, and a context that `docker context ls` lists.',
      ],
    };
  }
  if (e instanceof DockerUnreachableError) {
    const hints = [...POINT_HINTS];
    if (/EACCES/.test(e.message)) {
      hints.unshift(
        'Permission denied on the socket: add your user to the `docker` group (then log in again), or use a rootless daemon.',
      );
    }
    return { code: 'unreachable', message: e.message, hints };
  }
  if (e instanceof DockerApiError) return { code: 'failed', message: e.message, hints: [] };
  return { code: 'failed', message: e instanceof Error ? e.message : String(e), hints: [] };
}

/** The status when nothing could be read. */
export function errorStatus(
  connection: ConnectionStatus,
  error: StatusError,
  actionsEnabled: boolean,
): ClusterStatus {
  return {
    ok: false,
    takenAt: new Date().toISOString(),
    connection,
    nodes: [],
    workloads: [],
    totalWorkloads: 0,
    error,
    actionsEnabled,
  };
}
