// The workspace index: every file parsed once, then joined so rules can resolve names and selectors
// across files (a StatefulSet here, its StorageClass, PDB and Velero Schedule there).
import type {
  DisruptionBudgetObject,
  DrTargetObject,
  ComposeVolumeObject,
  LabelSelector,
  ManifestObject,
  ObjectBase,
  PersistentVolumeClaimObject,
  PersistentVolumeObject,
  SourceFile,
  StorageClassObject,
  Suppression,
  Workload,
} from './model.js';

/** What one file (or one live cluster snapshot) contributes to the workspace. Built once per file version. */
export interface FileModel {
  /** Absent for live cluster snapshots. */
  source?: SourceFile;
  /** Identity: the file path/URI, or `docker://<endpoint>` for a live snapshot. */
  path: string;
  workloads: Workload[];
  objects: ManifestObject[];
  /** `# stateful-ha-ignore` comments, resolved to the object they apply to. */
  commentSuppressions: { objectId: string; suppression: Suppression }[];
}

export interface WorkspaceIndex {
  files: ReadonlyMap<string, FileModel>;
  /** The workloads, Kubernetes mounts resolved to the storage behind them. */
  workloads: readonly Workload[];
  /**
   * The workloads of one file, as in `workloads` (the same objects once those are resolved). After
   * `releaseResolved`, only that file's are resolved: a hover does not bring back the whole workspace's.
   */
  workloadsIn(file: string): readonly Workload[];
  /** Every object (workloads and manifest objects) by id. */
  objectsById: ReadonlyMap<string, ObjectBase>;
  /** Cluster-scoped: by name. Later files do not override earlier ones (first wins, in path order). */
  storageClasses: ReadonlyMap<string, StorageClassObject>;
  defaultStorageClass?: StorageClassObject;
  persistentVolumes: ReadonlyMap<string, PersistentVolumeObject>;
  /** By `${namespace}/${name}`. */
  claims: ReadonlyMap<string, PersistentVolumeClaimObject>;
  budgets: readonly DisruptionBudgetObject[];
  drTargets: readonly DrTargetObject[];
  composeVolumes: readonly ComposeVolumeObject[];
  /** Suppressions by object id (comments and `stateful-ha.io/ignore`). */
  suppressions: ReadonlyMap<string, Suppression[]>;
  /** Kubernetes workloads in `namespace` whose pod labels the selector matches. */
  workloadsSelectedBy(selector: LabelSelector, namespace: string): Workload[];
  /** Budgets in the workload's namespace whose selector matches its pod labels. */
  budgetsFor(workload: Workload): DisruptionBudgetObject[];
  /**
   * Lets go of what the index derives from the workloads (their resolved copies, the tables by id and by
   * selector, remembered answers); the next question builds it again, the same. For an idle server.
   * Returns whether there was anything to let go.
   */
  releaseResolved(): boolean;
}

/**
 * A manifest object other files' findings can depend on: a StorageClass, PV, claim, budget, DR schedule…
 * (a claim template belongs to its StatefulSet).
 */
export function isSharedObject(o: ManifestObject): boolean {
  return !(o.kind === 'PersistentVolumeClaim' && (o as PersistentVolumeClaimObject).templateOf !== undefined);
}
