// quorum-size (DESIGN §4): a quorum engine whose voting member count is even or below 3.
//
// Members: a Kubernetes workload's replicas; in compose, the services of the file that run the same engine
// (one service per member), summed. MongoDB counts only as a replica set (replication switched on), and its
// arbiters vote (they hold no data, so they are not stateful, but they count here). Kafka is a quorum only
// for KRaft controllers (process roles containing `controller`). Consul client agents and a CockroachDB
// `start-single-node` do not vote / are not a cluster: silent. Unknown counts (global, DaemonSet): silent.
import type { Container, Fix, Workload } from '../model/model.js';
import type { WorkspaceIndex } from '../model/workspace.js';
import { setIn } from '../fix/yaml-edit.js';
import { getIn } from '../yaml/nodes.js';
import { docsUrl, type Rule, type RuleContext } from './rule.js';
import { hasReplicasField, memberCount, members as clusterMembers, objectSource, plural } from './util.js';

export const quorumSize: Rule = {
  meta: {
    id: 'quorum-size',
    defaultSeverity: 'warning',
    scenarios: ['server failure', 'server decommission'],
    summary: 'A quorum engine with an even member count or fewer than 3',
    docsUrl: docsUrl('quorum-size'),
    fixable: true,
  },
  check(ctx) {
    const done = new Set<string>();
    for (const w of ctx.index.workloads) {
      if (done.has(w.id) || !isVoter(w) || w.engine?.arbiter) continue;
      const members = clusterMembers(ctx.index, w).filter(
        (o) => isVoter(o) && isKraftController(o) === isKraftController(w),
      );
      for (const m of members) done.add(m.id);
      const arbiters = arbitersOf(ctx.index, w);
      for (const a of arbiters) done.add(a.id);
      const voters = [...members, ...arbiters];
      const n = memberCount(voters);
      if (n === null || n === 0) continue;
      if (n >= 3 && n % 2 === 1) continue;
      const anchor = members[0];
      if (!anchor) continue;
      const arbiterCount = memberCount(arbiters) ?? 0;
      ctx.report({
        objectId: anchor.id,
        workload: anchor.ref,
        range: members.length === 1 ? (anchor.replicasRange ?? anchor.nameRange) : anchor.nameRange,
        message: message(anchor, [...members, ...arbiters], n, arbiterCount),
        related:
          voters.length > 1
            ? voters
                .filter((m) => m !== anchor)
                .map((m) => ({ range: m.nameRange, message: `also a member: \`${m.ref}\`` }))
            : [],
        fixes: () => fixes(ctx, anchor, members, arbiters, n),
      });
    }
  },
};

function engineName(w: Workload): string {
  const e = w.engine!;
  if (e.id === 'kafka') return 'The Kafka KRaft controller quorum';
  if (e.id === 'mongodb') return 'The MongoDB replica set';
  return e.name;
}

function message(anchor: Workload, members: Workload[], n: number, arbiters: number): string {
  const quorum = Math.floor(n / 2) + 1;
  const tolerates = n - quorum;
  const next = nextOdd(n);
  const who =
    members.length > 1
      ? ` (${members.map((m) => `\`${m.platform === 'compose' ? m.name : m.ref}\``).join(', ')})`
      : '';
  const voting = arbiters > 0 ? `${plural(n, 'voting member')} (${arbiters} arbiter)` : plural(n, 'member');
  const loss = tolerates === 0 ? 'no member loss' : `the loss of ${plural(tolerates, 'member')}`;
  const advice = n < 3 ? 'use 3 (tolerates 1) or 5' : `use ${next} (tolerates ${Math.floor(next / 2)})`;
  const scenario =
    tolerates === 0
      ? 'One server failure or one node drain stops it from accepting writes.'
      : `An even count adds a failure point without adding fault tolerance: ${n - 1} members tolerate the same.`;
  return `${engineName(anchor)}${who} has ${voting}: a quorum of ${quorum} tolerates ${loss}; ${advice}. ${scenario}`;
}

function nextOdd(n: number): number {
  if (n < 3) return 3;
  return n % 2 === 0 ? n + 1 : n;
}

function engineContainer(w: Workload): Container | undefined {
  return w.containers.find((c) => c.name === w.engine?.container) ?? w.containers[0];
}

function isKraftController(w: Workload): boolean {
  if (w.engine?.id !== 'kafka') return false;
  const env = engineContainer(w)?.env ?? {};
  const roles = env.KAFKA_CFG_PROCESS_ROLES ?? env.KAFKA_PROCESS_ROLES ?? '';
  return roles
    .toLowerCase()
    .split(/[\s,]+/)
    .includes('controller');
}

/** Whether this workload is a voting member of a quorum engine. */
function isVoter(w: Workload): boolean {
  const e = w.engine;
  if (!e) return false;
  if (!w.stateful) return false; // backup services; arbiters are counted through arbitersOf
  if (e.id === 'kafka') return isKraftController(w);
  if (!e.quorum) return false;
  if (e.id === 'mongodb' && !e.replicationEnabled) return false;
  const c = engineContainer(w);
  const args = c?.args ?? [];
  if (e.id === 'cockroachdb' && args.includes('start-single-node')) return false;
  if (e.id === 'consul') {
    const mode = c?.env.CONSUL_AGENT_MODE?.toLowerCase();
    if (mode === 'client') return false;
    const server = args.some((a) => a === '-server' || a === '--server' || a === '-dev' || a === '--dev');
    if (args.includes('agent') && !server && mode !== 'server') return false;
  }
  return true;
}

function replicaSetName(w: Workload): string | undefined {
  const c = engineContainer(w);
  if (!c) return undefined;
  const fromEnv = c.env.MONGODB_REPLICA_SET_NAME ?? c.env.MONGO_REPLICA_SET_NAME;
  if (fromEnv) return fromEnv;
  const i = c.args.findIndex((a) => a === '--replSet' || a.startsWith('--replSet='));
  if (i < 0) return undefined;
  const a = c.args[i]!;
  return a.includes('=') ? a.slice(a.indexOf('=') + 1) : c.args[i + 1];
}

/**
 * MongoDB arbiters voting in the same replica set as `w` (they hold no data, so they are not cluster
 * members for the other rules): compose, the arbiter services of the same file; Kubernetes, arbiter
 * workloads of the namespace with the same replica set name (or, both unnamed, in the same file).
 */
function arbitersOf(index: WorkspaceIndex, w: Workload): Workload[] {
  if (w.engine?.id !== 'mongodb' || w.engine.arbiter) return [];
  const name = replicaSetName(w);
  return mongoArbiters(index).filter((o) => {
    if (o === w || o.platform !== w.platform) return false;
    if (w.platform === 'compose') return o.file === w.file && o.docIndex === w.docIndex;
    if (o.namespace !== w.namespace) return false;
    const other = replicaSetName(o);
    return name !== undefined ? other === name : other === undefined && o.file === w.file;
  });
}

/** The workspace's MongoDB arbiters, listed once per index (arbitersOf runs per MongoDB workload). */
const arbitersByIndex = new WeakMap<WorkspaceIndex, Workload[]>();

function mongoArbiters(index: WorkspaceIndex): Workload[] {
  let list = arbitersByIndex.get(index);
  if (!list) {
    list = index.workloads.filter((o) => o.engine?.id === 'mongodb' && o.engine.arbiter);
    arbitersByIndex.set(index, list);
  }
  return list;
}

function fixes(
  ctx: RuleContext,
  anchor: Workload,
  members: Workload[],
  arbiters: Workload[],
  n: number,
): Fix[] {
  // One-service-per-member compose clusters (and compose arbiter services): adding a member means a new
  // service with its own configuration, no automatic fix.
  if (members.length !== 1 || (anchor.platform === 'compose' && arbiters.length > 0)) return [];
  const src = objectSource(ctx, anchor);
  if (!src) return [];
  const arbiterVotes = memberCount(arbiters) ?? 0;
  const target = nextOdd(n) - arbiterVotes;
  if (target <= (anchor.replicas ?? 0)) return [];
  try {
    if (anchor.platform === 'kubernetes') {
      if (!hasReplicasField(anchor.kind)) return [];
      return [
        {
          title: `Set replicas to ${target}`,
          edits: [setIn(src.source, src.doc, src.map, ['spec', 'replicas'], target)],
        },
      ];
    }
    if (!anchor.replicasExplicit) return [];
    const path =
      getIn(src.doc, src.map, ['deploy', 'replicas']) !== undefined ? ['deploy', 'replicas'] : ['scale'];
    if (getIn(src.doc, src.map, path) === undefined) return [];
    return [
      {
        title: `Set ${path.join('.')} to ${target}`,
        edits: [setIn(src.source, src.doc, src.map, path, target)],
      },
    ];
  } catch {
    return [];
  }
}
