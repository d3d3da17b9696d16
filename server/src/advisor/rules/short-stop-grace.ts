// short-stop-grace (DESIGN §4, decommission): a data engine given less time to stop cleanly than it needs
// (Kubernetes terminationGracePeriodSeconds < 30, compose stop_grace_period < 10s), set explicitly. On a
// drain or rolling update the engine is SIGKILLed mid-flush and restarts into crash recovery.
import type { Fix, Workload } from '../model/model.js';
import { replaceScalar, setIn } from '../fix/yaml-edit.js';
import { getIn } from '../yaml/nodes.js';
import { docsUrl, type Rule, type RuleContext } from './rule.js';
import { objectSource, podSpecPath } from './util.js';

export const K8S_MIN_GRACE = 30;
export const COMPOSE_MIN_GRACE = 10;

export const shortStopGrace: Rule = {
  meta: {
    id: 'short-stop-grace',
    defaultSeverity: 'info',
    scenarios: ['server decommission'],
    summary: 'A data engine with a short stop grace period',
    docsUrl: docsUrl('short-stop-grace'),
    fixable: true,
  },
  check(ctx) {
    for (const w of ctx.index.workloads) {
      if (!w.stateful || !w.engine || w.stopGraceSeconds === undefined) continue;
      const k8s = w.platform === 'kubernetes';
      const min = k8s ? K8S_MIN_GRACE : COMPOSE_MIN_GRACE;
      if (w.stopGraceSeconds >= min) continue;
      const key = k8s ? 'terminationGracePeriodSeconds' : 'stop_grace_period';
      ctx.report({
        objectId: w.id,
        workload: w.ref,
        range: w.stopGraceRange ?? w.nameRange,
        message:
          `${w.engine.name} in \`${w.ref}\` gets ${w.stopGraceSeconds}s to stop (\`${key}\`, under ${min}s) before it is killed: ` +
          'on a node drain, rolling update or `docker stop` it may be SIGKILLed mid-flush and restart into crash recovery ' +
          `or a full resync. Give it ${k8s ? '60s' : '30s'} or more.`,
        fixes: () => fixes(ctx, w),
      });
    }
  },
};

function fixes(ctx: RuleContext, w: Workload): Fix[] {
  const src = objectSource(ctx, w);
  if (!src) return [];
  try {
    if (w.platform === 'kubernetes') {
      const spec = podSpecPath(w.kind);
      if (!spec) return [];
      const path = [...spec, 'terminationGracePeriodSeconds'];
      const node = getIn(src.doc, src.map, path);
      const edit = node?.range
        ? replaceScalar(src.source, node, 60)
        : setIn(src.source, src.doc, src.map, path, 60);
      return [{ title: 'Set terminationGracePeriodSeconds: 60', edits: [edit] }];
    }
    const node = getIn(src.doc, src.map, ['stop_grace_period']);
    const edit = node?.range
      ? replaceScalar(src.source, node, '30s')
      : setIn(src.source, src.doc, src.map, ['stop_grace_period'], '30s');
    return [{ title: 'Set stop_grace_period: 30s', edits: [edit] }];
  } catch {
    return [];
  }
}
