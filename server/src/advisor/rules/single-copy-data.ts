// single-copy-data: a workload that does not replicate its data (no engine replication, or a replicating
// engine running a single member) on node-local storage, in a multi-node target. There is exactly one
// copy of the data: a server failure is an outage until the node is back, a lost disk is a restore.
import type { Workload } from '../model/model.js';
import { docsUrl, type Rule } from './rule.js';
import {
  appReplicates,
  dataMounts,
  describeMountStorage,
  display,
  tidyRange,
  isMultiNode,
  memberCount,
  members,
  storageOf,
} from './util.js';

export const singleCopyData: Rule = {
  meta: {
    id: 'single-copy-data',
    defaultSeverity: 'warning',
    scenarios: ['server failure'],
    summary: 'A non-replicating workload on node-local storage: one copy of the data',
    docsUrl: docsUrl('single-copy-data'),
    fixable: false,
  },
  check(ctx) {
    for (const w of ctx.index.workloads) {
      if (!w.stateful || !isMultiNode(w) || w.global) continue;
      const why = singleCopyReason(ctx.index, w);
      if (why === undefined) continue;
      const local = dataMounts(w)
        .map((m) => ({ m, s: storageOf(ctx.index, w, m) }))
        .filter(({ s }) => s.kind === 'node-local');
      if (local.length === 0) continue;
      const { m, s } = local[0]!;
      const message =
        `${display(w)} ${why}, and its data is on node-local storage (${describeMountStorage(m, s)}): ` +
        `there is exactly one copy of it. A server failure is an outage until that node comes back, and a lost disk ` +
        `means restoring from backup. Use replicated storage, or run the engine with replication across nodes.`;
      const related = s.definedAt ? [{ range: s.definedAt, message: s.description }] : [];
      ctx.report({ objectId: w.id, workload: w.ref, range: tidyRange(ctx, m.range), message, related });
    }
  },
};

/** Why the workload keeps one copy of its data (undefined when something replicates it). */
function singleCopyReason(index: Parameters<typeof members>[0], w: Workload): string | undefined {
  const e = w.engine;
  const declared = w.intent.replication;
  if (appReplicates(w) || declared === 'app' || declared === 'both') {
    // Replicating, but with one member there is nothing to replicate to.
    const count = memberCount(members(index, w));
    if (count === 1)
      return e
        ? `runs ${e.name} with replication but a single member`
        : 'declares app replication but runs a single replica';
    return undefined;
  }
  if (declared === 'storage') return undefined; // the user says the storage replicates; the catalog disagrees, stay silent
  if (!e) return 'does not replicate its data (no replicating engine recognised)';
  if (e.replication === 'none') return `runs ${e.name}, which does not replicate its data`;
  return `runs ${e.name} without replication switched on`;
}
