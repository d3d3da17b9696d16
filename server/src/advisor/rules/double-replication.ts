// double-replication: an engine that replicates its data itself (Cassandra, Kafka, a MongoDB replica
// set…) with several members, on storage that keeps several copies of every volume too. Every write is
// stored app copies × storage copies times; it can be deliberate (a member can move to another node with
// its data after a long outage) but then the intent must be declared (`stateful-ha.io/replication: both`).
import type { DataMount, Fix, ManifestObject, StorageProfile, Workload } from '../model/model.js';
import type { StorageDefinition } from '../catalog/storage.js';
import { isMap, isSeq, type YAMLMap } from 'yaml';
import { replaceScalar, setIn, appendItem } from '../fix/yaml-edit.js';
import { get } from '../yaml/nodes.js';
import { docsUrl, type Rule, type RuleContext } from './rule.js';
import {
  appReplicates,
  dataMounts,
  memberCount,
  members,
  nodeAt,
  sourceDoc,
  storageOf,
  tidyRange,
  tryFix,
} from './util.js';

export const REPLICATION_INTENT = 'stateful-ha.io/replication';

export const doubleReplication: Rule = {
  meta: {
    id: 'double-replication',
    defaultSeverity: 'warning',
    scenarios: ['app crash', 'server failure', 'server decommission', 'disaster'],
    summary: 'An app-replicated engine on storage that replicates too',
    docsUrl: docsUrl('double-replication'),
    fixable: true,
  },
  check(ctx) {
    const done = new Set<string>();
    for (const w of ctx.index.workloads) {
      if (!w.stateful || !w.engine || w.engine.arbiter || !appReplicates(w)) continue;
      const cluster = members(ctx.index, w);
      const first = cluster[0]!;
      if (done.has(first.id)) continue;
      done.add(first.id);
      // Declared `both`: the double replication is deliberate. (`app`, `storage`, `none` still fire: the
      // engine replicates whatever the declaration, so the storage copies are not what was intended.)
      if (cluster.some((m) => m.intent.replication === 'both')) continue;
      const count = memberCount(cluster);
      if (count === null || count < 2) continue;
      const hit = firstReplicatedMount(ctx, cluster);
      if (!hit) continue;
      const { member, mount, storage } = hit;
      const copies = storage.copies!;
      const engine = w.engine.name;
      const total = count * copies;
      const membersText =
        cluster.length > 1
          ? `${count} members (${cluster.map((m) => `\`${m.name}\``).join(', ')})`
          : `${count} replicas`;
      const message =
        `${engine} replicates its data across ${membersText} and its ${storage.description} keeps ${copies} copies ` +
        `of every volume: ${count} × ${copies} = ${total} copies of every write. That doubles write amplification and ` +
        `resync traffic after a server failure or a drain. If storage replicas are wanted (a member moves to another ` +
        `node with its data instead of a slow rebuild), declare \`${REPLICATION_INTENT}: both\`; otherwise set the storage replication to 1.`;
      const related = [];
      if (storage.copiesRange)
        related.push({ range: storage.copiesRange, message: `storage replication: ${copies} copies` });
      else if (storage.definedAt)
        related.push({ range: storage.definedAt, message: `${storage.description}: ${copies} copies` });
      if (member.replicasRange)
        related.push({ range: member.replicasRange, message: `${count} ${engine} replicas` });
      const fixes = (): Fix[] => {
        const out: Fix[] = [];
        const f1 = tryFix(() =>
          storageFixAll(
            ctx,
            replicatedMounts(ctx, cluster).map((h) => h.storage),
          ),
        );
        if (f1) out.push(f1);
        const f2 = tryFix(() => intentFix(ctx, first));
        if (f2) out.push(f2);
        return out;
      };
      ctx.report({
        objectId: first.id,
        workload: first.ref,
        range: tidyRange(ctx, mount.range),
        message,
        related,
        fixes,
      });
    }
  },
};

interface ReplicatedMount {
  member: Workload;
  mount: DataMount;
  storage: StorageProfile;
}

function firstReplicatedMount(ctx: RuleContext, cluster: Workload[]): ReplicatedMount | undefined {
  return replicatedMounts(ctx, cluster)[0];
}

/** Every data mount of the cluster on replicated storage with more than one copy (engine container first). */
function replicatedMounts(ctx: RuleContext, cluster: Workload[]): ReplicatedMount[] {
  const out: ReplicatedMount[] = [];
  for (const member of cluster) {
    const container = member.engine?.container;
    const mounts = [...dataMounts(member)].sort(
      (a, b) => Number(containerOf(member, b) === container) - Number(containerOf(member, a) === container),
    );
    for (const mount of mounts) {
      const storage = storageOf(ctx.index, member, mount);
      if (storage.kind === 'replicated' && storage.copies !== null && storage.copies > 1)
        out.push({ member, mount, storage });
    }
  }
  return out;
}

/** One fix setting every distinct replicated storage of the cluster to 1 copy (all or nothing). */
function storageFixAll(ctx: RuleContext, storages: StorageProfile[]): Fix | undefined {
  const seen = new Set<string>();
  const fixes: Fix[] = [];
  for (const s of storages) {
    const key = s.copiesRange ? JSON.stringify(s.copiesRange) : (s.definedBy ?? s.description);
    if (seen.has(key)) continue;
    seen.add(key);
    const f = storageFix(ctx, s);
    if (!f) return undefined;
    fixes.push(f);
  }
  if (fixes.length === 0) return undefined;
  if (fixes.length === 1) return fixes[0];
  return {
    title: `Set the storage replication to 1 on ${fixes.length} volumes`,
    edits: fixes.flatMap((f) => f.edits),
  };
}

function containerOf(w: Workload, m: DataMount): string | undefined {
  return w.containers.find((c) => c.mounts.includes(m))?.name;
}

function findDefinition(
  defs: StorageDefinition[],
  provider: string | undefined,
): StorageDefinition | undefined {
  if (!provider) return undefined;
  const p = provider.toLowerCase();
  return defs.find((d) => d.names.some((n) => n.toLowerCase() === p));
}

/** Sets the storage's replica count to 1 where it is written (StorageClass parameter / driver option). */
function storageFix(ctx: RuleContext, storage: StorageProfile): Fix | undefined {
  if (storage.declared) return undefined; // a declaration describes storage configured elsewhere
  if (storage.copiesRange) {
    const source = ctx.sourceOf(storage.copiesRange.file);
    const hit = source && nodeAt(source, storage.copiesRange);
    if (!source || !hit) return undefined;
    return {
      title: `Set the storage replication to 1 (${storage.description})`,
      edits: [replaceScalar(source, hit.node, '1')],
    };
  }
  if (!storage.definedBy) return undefined;
  const obj = ctx.index.objectsById.get(storage.definedBy) as ManifestObject | undefined;
  if (!obj?.node || !isMap(obj.node)) return undefined;
  const sd = sourceDoc(ctx, obj);
  if (!sd) return undefined;
  let key: string;
  let defs: StorageDefinition[];
  if (obj.kind === 'StorageClass') {
    key = 'parameters';
    defs = ctx.catalog.provisioners;
  } else if (obj.kind === 'volume') {
    key = 'driver_opts';
    defs = ctx.catalog.composeDrivers;
  } else return undefined;
  const param = findDefinition(defs, storage.provider)?.copiesParameter?.[0];
  if (!param) return undefined;
  return {
    title: `Set \`${param}\` to 1 on ${storage.description}`,
    edits: [setIn(sd.source, sd.doc, obj.node, [key, param], '1')],
  };
}

/** Declares the double replication deliberate: `stateful-ha.io/replication: both` on the workload. */
function intentFix(ctx: RuleContext, w: Workload): Fix | undefined {
  if (!w.node || !isMap(w.node)) return undefined;
  const sd = sourceDoc(ctx, w);
  if (!sd) return undefined;
  const title = `Declare the double replication deliberate (\`${REPLICATION_INTENT}: both\`)`;
  if (w.platform === 'kubernetes') {
    return {
      title,
      edits: [setIn(sd.source, sd.doc, w.node, ['metadata', 'annotations', REPLICATION_INTENT], 'both')],
    };
  }
  const labels = get(sd.doc, w.node, 'labels');
  if (isSeq(labels)) return { title, edits: [appendItem(sd.source, labels, `${REPLICATION_INTENT}=both`)] };
  return {
    title,
    edits: [setIn(sd.source, sd.doc, w.node as YAMLMap, ['labels', REPLICATION_INTENT], 'both')],
  };
}
