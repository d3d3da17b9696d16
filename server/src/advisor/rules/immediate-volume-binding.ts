// immediate-volume-binding: a StorageClass whose volumes are bound to a node or a zone (local PVs,
// local-path, EBS, zonal PD…) with `volumeBindingMode: Immediate` (the default). The volume is created
// before the scheduler has picked a node, in whatever node/zone the provisioner chooses; the pod then
// has to follow it — possibly to a zone with no capacity, away from its anti-affinity spread, or it stays
// Pending. `WaitForFirstConsumer` creates the volume where the pod is scheduled.
import type { StorageClassObject } from '../model/model.js';
import { replaceScalar, setIn } from '../fix/yaml-edit.js';
import { isMap, isScalar } from 'yaml';
import { docsUrl, type Rule, type RuleContext } from './rule.js';
import { nodeAt, sourceDoc, oneFix } from './util.js';

export const immediateVolumeBinding: Rule = {
  meta: {
    id: 'immediate-volume-binding',
    defaultSeverity: 'warning',
    scenarios: ['server failure'],
    summary: 'A topology-bound StorageClass binds volumes before the pod is scheduled',
    docsUrl: docsUrl('immediate-volume-binding'),
    fixable: true,
  },
  check(ctx) {
    for (const model of ctx.index.files.values()) {
      for (const o of model.objects) {
        if (o.kind !== 'StorageClass') continue;
        const sc = o as StorageClassObject;
        if (sc.volumeBindingMode !== undefined && sc.volumeBindingMode !== 'Immediate') continue;
        const declaredBound =
          sc.profile.declared && (sc.profile.kind === 'node-local' || sc.profile.kind === 'zonal');
        if (!ctx.catalog.isTopologyBound(sc.provisioner) && !declaredBound) continue;
        const scope = sc.profile.kind === 'node-local' ? 'node' : 'zone';
        const how =
          sc.volumeBindingMode === undefined
            ? 'binds volumes `Immediate`ly (the default)'
            : 'has `volumeBindingMode: Immediate`';
        const message =
          `StorageClass \`${sc.name}\` (${sc.provisioner}) ${how}, but its volumes belong to one ${scope}: each volume is created ` +
          `before the scheduler picks a node for the pod, so the pod must then follow its volume — it can stay Pending or break its ` +
          `spread when that ${scope} lacks room, and after a server failure a replacement volume may land in the wrong ${scope}. ` +
          `Use \`volumeBindingMode: WaitForFirstConsumer\`.`;
        const range = sc.volumeBindingModeRange ?? sc.provisionerRange ?? sc.nameRange;
        const fix = oneFix(() => bindingFix(ctx, sc));
        ctx.report({ objectId: sc.id, workload: sc.ref, range, message, fixes: fix });
      }
    }
  },
};

function bindingFix(ctx: RuleContext, sc: StorageClassObject) {
  const title = 'Set `volumeBindingMode: WaitForFirstConsumer` (recreate the class: it is immutable)';
  if (sc.volumeBindingModeRange) {
    const source = ctx.sourceOf(sc.volumeBindingModeRange.file);
    const hit = source && nodeAt(source, sc.volumeBindingModeRange);
    if (!source || !hit || !isScalar(hit.node)) return undefined;
    return { title, edits: [replaceScalar(source, hit.node, 'WaitForFirstConsumer')] };
  }
  const sd = sourceDoc(ctx, sc);
  if (!sd || !sc.node || !isMap(sc.node)) return undefined;
  return { title, edits: [setIn(sd.source, sd.doc, sc.node, ['volumeBindingMode'], 'WaitForFirstConsumer')] };
}
