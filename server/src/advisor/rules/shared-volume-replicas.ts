// shared-volume-replicas: several replicas of one workload mount one single volume. A ReadWriteOnce
// claim cannot attach on two nodes (the second pod hangs in ContainerCreating with a Multi-Attach
// error), and where it can (same node, shared storage, a swarm `local` volume on one host) two processes
// write one data directory: corruption for any database.
import { isMap, isScalar } from 'yaml';
import type { DataMount, Fix, Workload } from '../model/model.js';
import { replaceScalar, setIn } from '../fix/yaml-edit.js';
import { docsUrl, type Rule, type RuleContext } from './rule.js';
import {
  accessModesOf,
  claimOf,
  dataMounts,
  describeMount,
  display,
  isSingleNodeAccess,
  nodeAt,
  sourceDoc,
  storageOf,
  tidyRange,
  tryFix,
} from './util.js';

const CONTROLLERS_SHARING_CLAIMS = new Set([
  'Deployment',
  'ReplicaSet',
  'ReplicationController',
  'StatefulSet',
]);

export const sharedVolumeReplicas: Rule = {
  meta: {
    id: 'shared-volume-replicas',
    defaultSeverity: 'error',
    scenarios: ['app crash', 'server failure', 'server decommission', 'disaster'],
    summary: 'Several replicas mount one single volume',
    docsUrl: docsUrl('shared-volume-replicas'),
    fixable: true,
  },
  check(ctx) {
    for (const w of ctx.index.workloads) {
      if (!w.stateful || w.replicas === null || w.replicas < 2) continue;
      const hit = w.platform === 'compose' ? composeShared(ctx, w) : kubeShared(ctx, w);
      if (!hit) continue;
      const n = w.replicas;
      const message = `${n} replicas of ${display(w)} mount one single volume — ${describeMount(hit.mount)}${hit.detail ? ` (${hit.detail})` : ''}. ${hit.scenario}`;
      const related = w.replicasRange ? [{ range: w.replicasRange, message: `${n} replicas` }] : [];
      const perNode = hit.perNodeFix;
      const fixes = (): Fix[] => {
        const out: Fix[] = [];
        const one = tryFix(() => replicasFix(ctx, w));
        if (one) out.push(one);
        if (perNode) {
          const spread = tryFix(() => perNodeFix(ctx, w));
          if (spread) out.push(spread);
        }
        return out;
      };
      ctx.report({
        objectId: w.id,
        workload: w.ref,
        range: tidyRange(ctx, hit.mount.range),
        message,
        related,
        fixes,
      });
    }
  },
};

interface Hit {
  mount: DataMount;
  detail?: string;
  scenario: string;
  perNodeFix?: boolean;
}

function composeShared(ctx: RuleContext, w: Workload): Hit | undefined {
  const hits: Hit[] = [];
  for (const m of dataMounts(w)) {
    if (m.type !== 'named-volume') continue;
    const s = storageOf(ctx.index, w, m);
    if (w.target === 'swarm' && s.kind === 'node-local') {
      // A `local` volume exists once per node: replicas on different nodes each get their own.
      if (w.maxReplicasPerNode === 1 || w.global) continue;
      hits.push({
        mount: m,
        detail: s.description,
        scenario:
          'Nothing keeps the tasks on different nodes, so two of them can land on one node and write the same data directory at once; the others start on empty copies of the volume.',
        perNodeFix: true,
      });
      continue;
    }
    // Shared file storage (NFS…) is meant to be shared by plain applications; a database must not share it.
    // In a swarm an unknown driver may be node-scoped or cluster-scoped: stay silent. On one host every
    // replica mounts the one volume whatever its driver.
    if (s.kind === 'unknown' && (w.target === 'swarm' || !w.engine)) continue;
    if (s.kind === 'shared' && !w.engine) continue;
    const who = w.engine ? `${w.engine.name} instances` : 'processes';
    hits.push({
      mount: m,
      detail: s.description,
      scenario: `Two ${who} write the same data directory at once: corrupted data or a lock error on start, and scaling does not add a single copy.`,
    });
  }
  const first = hits[0];
  if (!first) return undefined;
  // One task per node only helps when every shared volume is a per-node `local` volume.
  return { ...first, perNodeFix: hits.every((h) => h.perNodeFix) };
}

function kubeShared(ctx: RuleContext, w: Workload): Hit | undefined {
  if (!CONTROLLERS_SHARING_CLAIMS.has(w.kind)) return undefined;
  for (const m of dataMounts(w)) {
    if (m.type !== 'claim') continue; // volumeClaimTemplates give each pod its own claim
    const modes = accessModesOf(ctx.index, w, m);
    if (!modes) continue; // claim not in the workspace: unknown, stay silent
    const claim = claimOf(ctx.index, w, m);
    const detail = `claim \`${m.claimName}\`, ${modes.join(', ')}`;
    if (isSingleNodeAccess(modes)) {
      return {
        mount: m,
        detail,
        scenario:
          'A ReadWriteOnce volume attaches to one node: pods scheduled elsewhere hang in ContainerCreating (Multi-Attach error), and pods on the same node write one data directory at once.',
      };
    }
    if (w.engine) {
      return {
        mount: m,
        detail: claim ? detail : `claim \`${m.claimName}\``,
        scenario: `${w.engine.name} instances must each have their own data directory: sharing one volume corrupts it or fails on the data directory lock. Use a StatefulSet with a volumeClaimTemplate.`,
      };
    }
  }
  return undefined;
}

function replicasFix(ctx: RuleContext, w: Workload): Fix | undefined {
  if (!w.replicasRange) return undefined;
  const source = ctx.sourceOf(w.replicasRange.file);
  const hit = source && nodeAt(source, w.replicasRange);
  if (!source || !hit || !isScalar(hit.node)) return undefined;
  return { title: 'Set replicas to 1', edits: [replaceScalar(source, hit.node, 1)] };
}

function perNodeFix(ctx: RuleContext, w: Workload): Fix | undefined {
  if (!w.node || !isMap(w.node)) return undefined;
  const sd = sourceDoc(ctx, w);
  if (!sd) return undefined;
  return {
    title:
      'Keep one task per node (`deploy.placement.max_replicas_per_node: 1`): each gets its own local volume',
    edits: [setIn(sd.source, sd.doc, w.node, ['deploy', 'placement', 'max_replicas_per_node'], 1)],
  };
}
