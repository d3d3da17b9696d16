// missing-restart-policy (DESIGN §4, app crash): nothing restarts the stateful container in place after a
// crash. Compose single-host: no `restart` or `restart: "no"`. Swarm: `deploy.restart_policy.condition:
// none` (the swarm default is `any`; a plain `restart:` key is ignored by swarm). Kubernetes: a bare Pod
// holding data (no controller recreates it), or `restartPolicy: Never` on a controller. Jobs/CronJobs are
// batch work whose controller creates new pods: silent.
import type { Workload } from '../model/model.js';
import { setIn } from '../fix/yaml-edit.js';
import { docsUrl, type Rule, type RuleContext } from './rule.js';
import { dataMounts, objectSource, oneFix, podSpecPath } from './util.js';

export const missingRestartPolicy: Rule = {
  meta: {
    id: 'missing-restart-policy',
    defaultSeverity: 'warning',
    scenarios: ['app crash'],
    summary: 'A stateful container that nothing restarts after a crash',
    docsUrl: docsUrl('missing-restart-policy'),
    fixable: true,
  },
  check(ctx) {
    for (const w of ctx.index.workloads) {
      if (!w.stateful) continue;
      if (w.platform === 'kubernetes') checkKubernetes(ctx, w);
      else if (w.target === 'swarm') checkSwarm(ctx, w);
      else checkSingleHost(ctx, w);
    }
  },
};

function checkSingleHost(ctx: RuleContext, w: Workload): void {
  const policy = w.restartPolicy?.trim().toLowerCase();
  if (policy !== undefined && policy !== '' && policy !== 'no' && policy !== 'false') return;
  const what = policy === undefined || policy === '' ? 'has no `restart` policy' : `has \`restart: "no"\``;
  const src = objectSource(ctx, w);
  const fixes = oneFix(() =>
    src
      ? {
          title: 'Set restart: unless-stopped',
          edits: [setIn(src.source, src.doc, src.map, ['restart'], 'unless-stopped')],
        }
      : undefined,
  );
  ctx.report({
    objectId: w.id,
    workload: w.ref,
    range: w.restartPolicyRange ?? w.nameRange,
    message:
      `\`${w.ref}\` ${what}: when the process crashes or is OOM-killed, the container stays down ` +
      '(and does not come back after a daemon or host reboot) until someone restarts it by hand.',
    fixes,
  });
}

function checkSwarm(ctx: RuleContext, w: Workload): void {
  // Swarm: the model's restartPolicy is `deploy.restart_policy.condition`.
  if (w.restartPolicy?.trim().toLowerCase() !== 'none') return;
  const src = objectSource(ctx, w);
  const fixes = oneFix(() =>
    src
      ? {
          title: 'Set deploy.restart_policy.condition: any',
          edits: [setIn(src.source, src.doc, src.map, ['deploy', 'restart_policy', 'condition'], 'any')],
        }
      : undefined,
  );
  ctx.report({
    objectId: w.id,
    workload: w.ref,
    range: w.restartPolicyRange ?? w.nameRange,
    message:
      `\`${w.ref}\` has \`deploy.restart_policy.condition: none\`: when the task crashes, swarm does not start a new one, ` +
      'so the service stays down until someone redeploys it.',
    fixes,
  });
}

function checkKubernetes(ctx: RuleContext, w: Workload): void {
  if (w.kind === 'Job' || w.kind === 'CronJob') return;
  if (w.kind === 'Pod') {
    if (dataMounts(w).length === 0) return; // "a naked Pod holding data"
    const never =
      w.restartPolicy === 'Never'
        ? ' (and `restartPolicy: Never` does not even restart a crashed container in place)'
        : '';
    ctx.report({
      objectId: w.id,
      workload: w.ref,
      range: w.nameRange,
      message:
        `\`${w.ref}\` is a bare Pod holding data${never}: no controller recreates it when it is evicted, its node is drained ` +
        'or fails, so the data service stays down. Run it as a StatefulSet (replicas: 1) instead.',
    });
    return;
  }
  if (w.restartPolicy !== 'Never') return;
  const src = objectSource(ctx, w);
  const spec = podSpecPath(w.kind);
  const fixes = oneFix(() =>
    src && spec
      ? {
          title: 'Set restartPolicy: Always',
          edits: [setIn(src.source, src.doc, src.map, [...spec, 'restartPolicy'], 'Always')],
        }
      : undefined,
  );
  ctx.report({
    objectId: w.id,
    workload: w.ref,
    range: w.restartPolicyRange ?? w.nameRange,
    message: `\`${w.ref}\` has \`restartPolicy: Never\`: a crashed container is not restarted in place, so the data service stays down.`,
    fixes,
  });
}
