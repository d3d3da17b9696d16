// missing-node-affinity: data on node-local storage (bind mount / local-driver volume in a swarm stack;
// hostPath; a hostPath PV or a node-local StorageClass that does not pin) while nothing keeps the
// workload on the node that holds it. After a restart on another node the container starts on an empty
// directory: the data is not lost, it is stranded, and the service runs without it.
import { isMap } from 'yaml';
import type { Fix, Workload } from '../model/model.js';
import { setIn } from '../fix/yaml-edit.js';
import { docsUrl, type Rule, type RuleContext } from './rule.js';
import {
  dataMounts,
  describeMount,
  describeMountStorage,
  display,
  tidyRange,
  isMultiNode,
  podSpecNode,
  sourceDoc,
  storageOf,
  oneFix,
} from './util.js';

/** The node label the Kubernetes fix selects on (the user labels the node that holds the data). */
export const DATA_NODE_LABEL = 'stateful-ha.io/data-node';

export const missingNodeAffinity: Rule = {
  meta: {
    id: 'missing-node-affinity',
    defaultSeverity: 'warning',
    scenarios: ['server failure', 'restart'],
    summary: 'Data on node-local storage with nothing pinning the workload to that node',
    docsUrl: docsUrl('missing-node-affinity'),
    fixable: true,
  },
  check(ctx) {
    for (const w of ctx.index.workloads) {
      if (!w.stateful || !isMultiNode(w) || w.placement.pinned) continue;
      // One task per node (swarm global / DaemonSet): each task restarts on its own node, next to its data.
      if (w.global) continue;
      const local = dataMounts(w)
        .map((m) => ({ m, s: storageOf(ctx.index, w, m) }))
        .filter(({ s }) => s.kind === 'node-local' && !s.pinsToNode);
      if (local.length === 0) continue;
      const { m, s } = local[0]!;
      const others =
        local.length > 1
          ? ` (and ${local.length - 1} more node-local mount${local.length > 2 ? 's' : ''})`
          : '';
      const where =
        w.platform === 'compose'
          ? 'no `deploy.placement.constraints` on a node'
          : 'no `nodeSelector` or required node affinity';
      const message =
        `${display(w)} keeps its data on node-local storage — ${describeMountStorage(m, s)}${others} — and ${where} ` +
        `keeps it on the node that holds it. When the node fails or the ${w.platform === 'compose' ? 'task' : 'pod'} is rescheduled, ` +
        `it restarts on another node with an empty data directory while the data stays stranded on the old one.`;
      const related = local
        .slice(1)
        .map(({ m: o }) => ({ range: o.range, message: `also node-local: ${describeMount(o)}` }));
      if (s.definedAt) related.push({ range: s.definedAt, message: s.description });
      const fix = oneFix(() => pinFix(ctx, w));
      ctx.report({
        objectId: w.id,
        workload: w.ref,
        range: tidyRange(ctx, m.range),
        message,
        related,
        fixes: fix,
      });
    }
  },
};

function labelSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]/g, '-');
}

function pinFix(ctx: RuleContext, w: Workload): Fix | undefined {
  if (!w.node || !isMap(w.node)) return undefined;
  const sd = sourceDoc(ctx, w);
  if (!sd) return undefined;
  if (w.platform === 'compose') {
    const label = `${labelSafe(w.name)}-data`;
    const constraint = `node.labels.${label} == true`;
    return {
      title: `Pin \`${w.name}\` to the node labelled ${label}=true (then: docker node update --label-add ${label}=true <node>)`,
      edits: [
        setIn(sd.source, sd.doc, w.node, ['deploy', 'placement', 'constraints'], constraint, {
          append: true,
        }),
      ],
    };
  }
  const pod = podSpecNode(sd.doc, w);
  if (!pod) return undefined;
  const value = labelSafe(w.name);
  return {
    title: `Add nodeSelector ${DATA_NODE_LABEL}: ${value} (then: kubectl label node <node> ${DATA_NODE_LABEL}=${value})`,
    edits: [setIn(sd.source, sd.doc, pod, ['nodeSelector', DATA_NODE_LABEL], value)],
  };
}
