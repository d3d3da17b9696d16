// The rule registry: a list, in catalog order (DESIGN.md §4). Adding a rule = one file + one line here.
import type { Rule } from './rule.js';
import { missingNodeAffinity } from './missing-node-affinity.js';
import { doubleReplication } from './double-replication.js';
import { noDrTarget } from './no-dr-target.js';
import { drTargetSameFailureDomain } from './dr-target-same-failure-domain.js';
import { singleCopyData } from './single-copy-data.js';
import { replicasWithoutAntiAffinity } from './replicas-without-anti-affinity.js';
import { sharedVolumeReplicas } from './shared-volume-replicas.js';
import { ephemeralData } from './ephemeral-data.js';
import { missingRestartPolicy } from './missing-restart-policy.js';
import { quorumSize } from './quorum-size.js';
import { missingDisruptionBudget } from './missing-disruption-budget.js';
import { disruptionBudgetBlocksDrain } from './disruption-budget-blocks-drain.js';
import { reclaimPolicyDelete } from './reclaim-policy-delete.js';
import { immediateVolumeBinding } from './immediate-volume-binding.js';
import { rollingUpdateMultiAttach } from './rolling-update-multi-attach.js';
import { missingStorageClass } from './missing-storage-class.js';
import { shortStopGrace } from './short-stop-grace.js';

export const RULES: readonly Rule[] = [
  missingNodeAffinity,
  doubleReplication,
  noDrTarget,
  drTargetSameFailureDomain,
  singleCopyData,
  replicasWithoutAntiAffinity,
  sharedVolumeReplicas,
  ephemeralData,
  missingRestartPolicy,
  quorumSize,
  missingDisruptionBudget,
  disruptionBudgetBlocksDrain,
  reclaimPolicyDelete,
  immediateVolumeBinding,
  rollingUpdateMultiAttach,
  missingStorageClass,
  shortStopGrace,
];

export const RULES_BY_ID: ReadonlyMap<string, Rule> = new Map(RULES.map((r) => [r.meta.id, r]));
