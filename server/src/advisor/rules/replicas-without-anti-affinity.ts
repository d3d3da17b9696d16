// replicas-without-anti-affinity (DESIGN §4): ≥2 replicas of a stateful workload on a multi-node target
// and nothing keeps them on different nodes. What counts as spreading (anti-affinity / topology spread
// whose selector matches the pod's own labels, hostPort, swarm max_replicas_per_node: 1 / global) is
// decided by the parser into `workload.spread`; this rule reads it. Unknown counts (global) are silent.
import type { Fix, Workload } from '../model/model.js';
import { setIn } from '../fix/yaml-edit.js';
import { docsUrl, type Rule, type RuleContext } from './rule.js';
import { objectSource, podSpecPath } from './util.js';

export const replicasWithoutAntiAffinity: Rule = {
  meta: {
    id: 'replicas-without-anti-affinity',
    defaultSeverity: 'warning',
    scenarios: ['server failure'],
    summary: 'Several replicas of a stateful workload with nothing keeping them on different nodes',
    docsUrl: docsUrl('replicas-without-anti-affinity'),
    fixable: true,
  },
  check(ctx) {
    for (const w of ctx.index.workloads) {
      if (!w.stateful || w.target === 'single-host') continue;
      if (w.global || w.replicas === null || w.replicas < 2) continue;
      if (w.spread.ok) continue;
      const n = w.replicas;
      let message: string;
      if (w.platform === 'kubernetes') {
        message = w.spread.selectorMismatch
          ? `\`${w.ref}\` runs ${n} replicas and its anti-affinity's selector does not match the pod's labels, so it keeps nothing apart (${w.spread.selectorMismatch}): `
          : `\`${w.ref}\` runs ${n} replicas and no pod anti-affinity or topology spread constraint on \`kubernetes.io/hostname\` (or a zone) keeps them apart: `;
        message += `the scheduler may put several on one node, and that node's failure takes down ${n === 2 ? 'both' : 'several'} replicas at once.`;
      } else {
        message =
          `\`${w.ref}\` runs ${n} replicas in a swarm stack with no \`deploy.placement.max_replicas_per_node: 1\` (or \`mode: global\`): ` +
          `swarm may place several on one node, and that node's failure takes down ${n === 2 ? 'both' : 'several'} replicas at once.`;
      }
      ctx.report({
        objectId: w.id,
        workload: w.ref,
        range: w.replicasRange ?? w.nameRange,
        message,
        related:
          w.spread.selectorMismatch && w.spread.range
            ? [
                {
                  range: w.spread.range,
                  message: "this anti-affinity / spread rule does not select the pod's own labels",
                },
              ]
            : [],
        fixes: () => fixes(ctx, w),
      });
    }
  },
};

function fixes(ctx: RuleContext, w: Workload): Fix[] {
  const src = objectSource(ctx, w);
  if (!src) return [];
  const { source, doc, map } = src;
  try {
    if (w.platform === 'kubernetes') {
      const spec = podSpecPath(w.kind);
      if (!spec || spec.length === 1 || Object.keys(w.podLabels).length === 0) return [];
      const term = {
        labelSelector: { matchLabels: { ...w.podLabels } },
        topologyKey: 'kubernetes.io/hostname',
      };
      const edit = setIn(
        source,
        doc,
        map,
        [...spec, 'affinity', 'podAntiAffinity', 'requiredDuringSchedulingIgnoredDuringExecution'],
        term,
        { append: true },
      );
      return [{ title: 'Add required pod anti-affinity on kubernetes.io/hostname', edits: [edit] }];
    }
    const edit = setIn(source, doc, map, ['deploy', 'placement', 'max_replicas_per_node'], 1);
    return [{ title: 'Set deploy.placement.max_replicas_per_node: 1', edits: [edit] }];
  } catch {
    return [];
  }
}
