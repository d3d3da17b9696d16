// no-dr-target (DESIGN §4): persistent data that no disaster-recovery mechanism in the workspace covers.
// Coverage is computed by `drTargetsFor` (shared with dr-target-same-failure-domain): any covering target,
// off-site or not, silences this rule; a local-only one is that other rule's business.
import { isMap, isSeq, type Pair } from 'yaml';
import type { Fix, Workload } from '../model/model.js';
import { appendDocument, appendItem, insertPair, renderDocument, setIn } from '../fix/yaml-edit.js';
import { get, keySetOf } from '../yaml/nodes.js';
import { docsUrl, type Rule, type RuleContext } from './rule.js';
import { dataMounts, drTargetsFor, objectSource } from './util.js';

export const DR_TARGET_KEY = 'stateful-ha.io/dr-target';
const DR_TARGET_PLACEHOLDER = 'TODO: where the off-site copy lives (bucket, site, cluster)';

export const noDrTarget: Rule = {
  meta: {
    id: 'no-dr-target',
    defaultSeverity: 'warning',
    scenarios: ['disaster'],
    summary: 'Persistent data with no disaster-recovery target',
    docsUrl: docsUrl('no-dr-target'),
    fixable: true,
  },
  check(ctx) {
    for (const w of ctx.index.workloads) {
      if (!w.stateful) continue;
      const mounts = dataMounts(w);
      if (mounts.length === 0) continue; // an engine with no persistent storage is ephemeral-data's concern
      if (drTargetsFor(ctx.index, w).length > 0) continue;
      const what = [...new Set(mounts.map((m) => m.claimName ?? m.source ?? m.target))]
        .map((s) => `\`${s}\``)
        .join(', ');
      const looked =
        w.platform === 'kubernetes'
          ? `no Velero Schedule covers namespace \`${w.namespace}\` and its labels, no snapshot or migration schedule covers its claims or storage class`
          : 'no backup service mounts its volumes or depends on it';
      ctx.report({
        objectId: w.id,
        workload: w.ref,
        range: w.nameRange,
        message:
          `\`${w.ref}\` keeps persistent data (${what}) with no disaster-recovery target in the workspace: ${looked}, ` +
          `and no \`${DR_TARGET_KEY}\` is declared. If the volume is deleted, the disk fails or the site is lost, ` +
          'there is nothing to restore from.',
        fixes: () => fixes(ctx, w),
      });
    }
  },
};

function fixes(ctx: RuleContext, w: Workload): Fix[] {
  const src = objectSource(ctx, w);
  if (!src) return [];
  const { source, doc, map } = src;
  const out: Fix[] = [];
  try {
    if (w.platform === 'kubernetes') {
      const matchLabels = Object.keys(w.podLabels).length > 0 ? w.podLabels : (w.selector?.matchLabels ?? {});
      const template: Record<string, unknown> = { includedNamespaces: [w.namespace] };
      if (Object.keys(matchLabels).length > 0) template.labelSelector = { matchLabels: { ...matchLabels } };
      template.ttl = '720h0m0s';
      const schedule = {
        apiVersion: 'velero.io/v1',
        kind: 'Schedule',
        metadata: { name: `${w.name}-backup`, namespace: 'velero' },
        spec: { schedule: '0 2 * * *', template },
      };
      out.push({
        title: `Add a nightly Velero Schedule for namespace ${w.namespace}`,
        edits: [appendDocument(source, renderDocument(source, schedule))],
      });
      out.push({
        title: `Declare the DR target (${DR_TARGET_KEY} annotation)`,
        edits: [setIn(source, doc, map, ['metadata', 'annotations', DR_TARGET_KEY], DR_TARGET_PLACEHOLDER)],
      });
    } else {
      const services = get(doc, doc.contents, 'services');
      const volumes = [
        ...new Set(
          dataMounts(w)
            .filter((m) => (m.type === 'named-volume' || m.type === 'bind') && m.source)
            .map((m) => {
              const name = m.type === 'bind' ? basename(m.source!) : m.source!;
              return `${m.source}:/backup/${name}:ro`;
            }),
        ),
      ];
      if (isMap(services) && volumes.length > 0) {
        const taken = keySetOf(services.items as Pair[]);
        let name = `${w.name}-backup`;
        for (let i = 2; taken.has(name); i++) name = `${w.name}-backup-${i}`;
        out.push({
          title: `Add a backup service (${name}) mounting the data read-only`,
          edits: [
            insertPair(source, services, name, {
              image: 'offen/docker-volume-backup:v2',
              restart: 'unless-stopped',
              environment: { BACKUP_CRON_EXPRESSION: '0 2 * * *' },
              volumes,
            }),
          ],
        });
      }
      const labels = get(doc, map, 'labels');
      out.push({
        title: `Declare the DR target (${DR_TARGET_KEY} label)`,
        edits: [
          isSeq(labels)
            ? appendItem(source, labels, `${DR_TARGET_KEY}=${DR_TARGET_PLACEHOLDER}`)
            : setIn(source, doc, map, ['labels', DR_TARGET_KEY], DR_TARGET_PLACEHOLDER),
        ],
      });
    }
  } catch {
    // A shape the edit primitives cannot handle: report without (further) fixes rather than fail the rule.
  }
  return out;
}

function basename(path: string): string {
  const parts = path.replace(/\/+$/, '').split('/');
  const last = parts[parts.length - 1] ?? '';
  return last === '' || last === '.' || last === '..' ? 'data' : last;
}
