// missing-storage-class: a claim or volumeClaimTemplate with no storageClassName gets the cluster's
// default StorageClass at creation time — whatever that is on the day. Whether its data survives a node
// loss (replicated, node-local, zonal) and what happens when the claim is deleted is decided outside
// the manifest. `storageClassName: ""` is an explicit choice (static binding) and does not fire.
import type { PersistentVolumeClaimObject, Workload } from '../model/model.js';
import { docsUrl, type Rule } from './rule.js';

export const missingStorageClass: Rule = {
  meta: {
    id: 'missing-storage-class',
    defaultSeverity: 'info',
    scenarios: ['app crash', 'server failure', 'server decommission', 'disaster'],
    summary: "A claim relies on the cluster's unknown default StorageClass",
    docsUrl: docsUrl('missing-storage-class'),
    fixable: false,
  },
  check(ctx) {
    // A default StorageClass declared in the workspace is not unknown: the other rules see it.
    if (ctx.index.defaultStorageClass) return;
    for (const model of ctx.index.files.values()) {
      for (const o of model.objects) {
        if (o.kind !== 'PersistentVolumeClaim') continue;
        const pvc = o as PersistentVolumeClaimObject;
        if (pvc.storageClassName !== undefined) continue;
        if (pvc.templateOf === undefined) {
          if (ctx.index.objectsById.get(pvc.id) !== pvc) continue; // a duplicate of an earlier file's object
          // A claim bound by name to a PV keeps that PV's storage.
          const bound = pvc.volumeName
            ? ` (bound to PersistentVolume \`${pvc.volumeName}\`, which must then have no class either)`
            : '';
          ctx.report({
            objectId: pvc.id,
            workload: pvc.ref,
            range: pvc.nameRange,
            message:
              `PersistentVolumeClaim \`${pvc.name}\` sets no storageClassName${bound}: it gets the cluster's default StorageClass, ` +
              `so whether its data survives a server failure (replicated, node-local or zonal storage) and whether the volume is ` +
              `deleted with the claim is decided outside this file. Name the class (or \`""\` for a pre-created volume).`,
          });
          continue;
        }
        // Workload ids are `${file}#${docIndex}/${ref}`: a direct lookup, not a scan per template.
        const owner = ctx.index.objectsById.get(`${pvc.file}#${pvc.docIndex}/${pvc.templateOf}`) as
          Workload | undefined;
        if (!owner) continue;
        ctx.report({
          objectId: owner.id,
          workload: owner.ref,
          range: pvc.nameRange,
          message:
            `volumeClaimTemplate \`${pvc.name}\` of ${owner.kind} \`${owner.name}\` sets no storageClassName: every replica's claim ` +
            `gets the cluster's default StorageClass, so whether the data survives a server failure (replicated, node-local or ` +
            `zonal storage) and whether volumes are deleted with their claims is decided outside this file. Name the class.`,
        });
      }
    }
  },
};
