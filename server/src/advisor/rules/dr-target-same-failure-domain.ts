// dr-target-same-failure-domain (DESIGN §4): the workload's data is covered by DR targets, but every one
// of them lives where the data lives (plain VolumeSnapshots, local snapshot schedules, a backup service
// writing only to a local volume/bind). No quick fix: where the off-site copy goes is a decision.
import { docsUrl, type Rule } from './rule.js';
import { dataMounts, drTargetsFor } from './util.js';

export const drTargetSameFailureDomain: Rule = {
  meta: {
    id: 'dr-target-same-failure-domain',
    defaultSeverity: 'warning',
    scenarios: ['disaster'],
    summary: 'The only disaster-recovery targets live in the same failure domain as the data',
    docsUrl: docsUrl('dr-target-same-failure-domain'),
    fixable: false,
  },
  check(ctx) {
    for (const w of ctx.index.workloads) {
      if (!w.stateful || dataMounts(w).length === 0) continue;
      const targets = drTargetsFor(ctx.index, w);
      if (targets.length === 0 || targets.some((t) => t.offSite)) continue;
      const list = targets.map((t) => t.description).join(', ');
      const how =
        w.platform === 'kubernetes'
          ? 'add a Velero Schedule (default object-storage location) or a cloud/off-site snapshot schedule, or declare the off-site target with `stateful-ha.io/dr-target`'
          : 'point the backup service at a remote target (S3/B2/SFTP/WebDAV/SSH repository or bucket), or declare the off-site target with `stateful-ha.io/dr-target`';
      ctx.report({
        objectId: w.id,
        workload: w.ref,
        range: w.nameRange,
        message:
          `\`${w.ref}\`'s only disaster-recovery ${targets.length === 1 ? 'target is' : 'targets are'} in the same failure domain as the data: ${list}. ` +
          `Losing the storage system, the host or the site loses the copies with the data; ${how}.`,
        related: targets
          .filter((t) => t.range !== undefined)
          .map((t) => ({ range: t.range!, message: `same-failure-domain DR target: ${t.description}` })),
      });
    }
  },
};
