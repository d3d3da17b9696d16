// missing-disruption-budget (DESIGN §4, decommission): a Kubernetes StatefulSet (or a Deployment with
// claims) with ≥2 replicas and no PodDisruptionBudget selecting its pods in its namespace. A budget with
// neither minAvailable nor maxUnavailable limits nothing and does not count.
import { isMap } from 'yaml';
import type { DisruptionBudgetObject, Fix, Workload } from '../model/model.js';
import { appendDocument, insertPair, renderDocument } from '../fix/yaml-edit.js';
import { getIn } from '../yaml/nodes.js';
import { docsUrl, type Rule, type RuleContext } from './rule.js';
import { dataMounts, objectSource } from './util.js';

export const missingDisruptionBudget: Rule = {
  meta: {
    id: 'missing-disruption-budget',
    defaultSeverity: 'warning',
    scenarios: ['server decommission'],
    summary: 'A replicated StatefulSet with no PodDisruptionBudget',
    docsUrl: docsUrl('missing-disruption-budget'),
    fixable: true,
  },
  check(ctx) {
    for (const w of ctx.index.workloads) {
      if (!w.stateful || w.platform !== 'kubernetes') continue;
      const withClaims = w.kind === 'Deployment' && dataMounts(w).some((m) => m.type === 'claim');
      if (w.kind !== 'StatefulSet' && !withClaims) continue;
      if (w.replicas === null || w.replicas < 2) continue;
      const budgets = ctx.index.budgetsFor(w);
      const limiting = budgets.filter((b) => b.minAvailable !== undefined || b.maxUnavailable !== undefined);
      if (limiting.length > 0) continue;
      const empty = budgets[0];
      const what = empty
        ? `its only PodDisruptionBudget \`${empty.name}\` sets neither minAvailable nor maxUnavailable, so it limits nothing`
        : `no PodDisruptionBudget in namespace \`${w.namespace}\` selects its pods`;
      ctx.report({
        objectId: w.id,
        workload: w.ref,
        range: w.replicasRange ?? w.nameRange,
        message:
          `\`${w.ref}\` runs ${w.replicas} replicas and ${what}: a node drain or cluster upgrade may evict several ` +
          'members at once, losing quorum or every copy of a shard while they resync.',
        related: empty ? [{ range: empty.nameRange, message: 'selects these pods but limits nothing' }] : [],
        fixes: () => fixes(ctx, w, empty),
      });
    }
  },
};

function fixes(ctx: RuleContext, w: Workload, empty: DisruptionBudgetObject | undefined): Fix[] {
  try {
    if (empty) {
      // A pod selected by two budgets cannot be evicted at all: complete the existing budget instead.
      const src = objectSource(ctx, empty);
      const spec = src ? getIn(src.doc, src.map, ['spec']) : undefined;
      if (!src || !isMap(spec)) return [];
      return [
        {
          title: `Set maxUnavailable: 1 on PodDisruptionBudget ${empty.name}`,
          edits: [insertPair(src.source, spec, 'maxUnavailable', 1)],
        },
      ];
    }
    const src = objectSource(ctx, w);
    if (!src) return [];
    const matchLabels =
      w.selector && Object.keys(w.selector.matchLabels).length > 0 ? w.selector.matchLabels : w.podLabels;
    if (Object.keys(matchLabels).length === 0) return [];
    const metadata: Record<string, unknown> = { name: `${w.name}-pdb` };
    if (getIn(src.doc, src.map, ['metadata', 'namespace']) !== undefined) metadata.namespace = w.namespace;
    const pdb = {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata,
      spec: { maxUnavailable: 1, selector: { matchLabels: { ...matchLabels } } },
    };
    return [
      {
        title: `Add a PodDisruptionBudget (maxUnavailable: 1) for ${w.name}`,
        edits: [appendDocument(src.source, renderDocument(src.source, pdb))],
      },
    ];
  } catch {
    return [];
  }
}
