// reclaim-policy-delete: the volumes of stateful workloads are deleted with their claims — a StorageClass
// with `reclaimPolicy: Delete` (explicit or the default), a PersistentVolume with
// `persistentVolumeReclaimPolicy: Delete`, or a StatefulSet whose
// `persistentVolumeClaimRetentionPolicy.whenDeleted: Delete` deletes the claims with the StatefulSet. A
// `kubectl delete`, an uninstall or a namespace deletion then becomes a data loss with no way back.
import { isMap, isScalar } from 'yaml';
import type {
  DataMount,
  Fix,
  ManifestObject,
  PersistentVolumeObject,
  SourceRange,
  StorageClassObject,
  Workload,
} from '../model/model.js';
import { replaceScalar, setIn } from '../fix/yaml-edit.js';
import { docsUrl, type Rule, type RuleContext } from './rule.js';
import { dataMounts, display, nodeAt, sourceDoc, storageObjectOf, oneFix } from './util.js';

export const reclaimPolicyDelete: Rule = {
  meta: {
    id: 'reclaim-policy-delete',
    defaultSeverity: 'warning',
    scenarios: ['disaster'],
    summary: 'Volumes of stateful workloads are deleted with their claim',
    docsUrl: docsUrl('reclaim-policy-delete'),
    fixable: true,
  },
  check(ctx) {
    const users = new Map<
      string,
      { obj: StorageClassObject | PersistentVolumeObject; uses: { w: Workload; m: DataMount }[] }
    >();
    for (const w of ctx.index.workloads) {
      if (!w.stateful || w.platform !== 'kubernetes') continue;
      for (const m of dataMounts(w)) {
        if (m.type !== 'claim' && m.type !== 'claim-template') continue;
        const obj = storageObjectOf(ctx.index, w, m);
        if (!obj) continue;
        const entry = users.get(obj.id) ?? { obj, uses: [] };
        entry.uses.push({ w, m });
        users.set(obj.id, entry);
      }
      if (w.kind === 'StatefulSet' && w.claimRetentionWhenDeleted === 'Delete' && w.claimRetentionRange) {
        const fix = oneFix(() =>
          scalarFix(ctx, w.claimRetentionRange!, 'Retain', 'Set `whenDeleted: Retain`'),
        );
        ctx.report({
          objectId: w.id,
          workload: w.ref,
          range: w.claimRetentionRange,
          message:
            `${display(w)} has \`persistentVolumeClaimRetentionPolicy.whenDeleted: Delete\`: deleting the StatefulSet (an uninstall, ` +
            `a \`kubectl delete\`, a re-creation to change an immutable field) deletes every replica's claim, and with it the data ` +
            `unless the volumes are retained. Use \`Retain\` and delete claims deliberately.`,
          fixes: fix,
        });
      }
    }
    for (const { obj, uses } of users.values()) {
      const names = [...new Set(uses.map((u) => `${u.w.kind} \`${u.w.name}\``))];
      const who =
        names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
      const related = uses
        .slice(0, 5)
        .map((u) => ({ range: u.m.range, message: `${u.w.ref} keeps its data here` }));
      if (obj.kind === 'StorageClass') {
        const sc = obj;
        if (sc.reclaimPolicy !== undefined && sc.reclaimPolicy !== 'Delete') continue;
        const how =
          sc.reclaimPolicy === undefined
            ? 'no `reclaimPolicy`, so `Delete` (the default)'
            : '`reclaimPolicy: Delete`';
        ctx.report({
          objectId: sc.id,
          workload: sc.ref,
          range: sc.reclaimPolicyRange ?? sc.nameRange,
          message:
            `StorageClass \`${sc.name}\` has ${how} and holds the data of ${who}: deleting a claim — by hand, by an uninstall or with ` +
            `its namespace — deletes the volume and its data for good. Use \`reclaimPolicy: Retain\` for stateful data.`,
          related,
          fixes: oneFix(() => reclaimFix(ctx, sc, 'reclaimPolicy')),
        });
      } else {
        const pv = obj;
        if (pv.reclaimPolicy !== 'Delete') continue; // a pre-created PV defaults to Retain
        ctx.report({
          objectId: pv.id,
          workload: pv.ref,
          range: pv.reclaimPolicyRange ?? pv.nameRange,
          message:
            `PersistentVolume \`${pv.name}\` has \`persistentVolumeReclaimPolicy: Delete\` and holds the data of ${who}: deleting its ` +
            `claim deletes the volume and its data for good. Use \`Retain\`.`,
          related,
          fixes: oneFix(() => reclaimFix(ctx, pv, 'persistentVolumeReclaimPolicy')),
        });
      }
    }
  },
};

function scalarFix(ctx: RuleContext, range: SourceRange, value: string, title: string): Fix | undefined {
  const source = ctx.sourceOf(range.file);
  const hit = source && nodeAt(source, range);
  if (!source || !hit || !isScalar(hit.node)) return undefined;
  return { title, edits: [replaceScalar(source, hit.node, value)] };
}

function reclaimFix(
  ctx: RuleContext,
  obj: ManifestObject & (StorageClassObject | PersistentVolumeObject),
  key: string,
): Fix | undefined {
  const title = `Set \`${key}: Retain\``;
  if (obj.reclaimPolicyRange) return scalarFix(ctx, obj.reclaimPolicyRange, 'Retain', title);
  const sd = sourceDoc(ctx, obj);
  if (!sd || !obj.node || !isMap(obj.node)) return undefined;
  const path = obj.kind === 'StorageClass' ? [key] : ['spec', key];
  return { title, edits: [setIn(sd.source, sd.doc, obj.node, path, 'Retain')] };
}
