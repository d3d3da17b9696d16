// The advisor's model: what a compose file, a Kubernetes manifest or a live Docker cluster says about
// stateful workloads and their storage, normalised so one set of rules covers all three. Every element
// keeps the source range it came from so findings point at the offending key or value.
import type { Document, LineCounter, Node as YamlNode } from 'yaml';
import type { Fix, SourceRange } from './source.js';

export type { Fix, Position, SourceRange, TextEdit } from './source.js';

export type Severity = 'error' | 'warning' | 'info';
export type Scenario = 'app crash' | 'server failure' | 'server decommission' | 'disaster' | 'restart';

/** Where a workload runs: decides whether the multi-node rules apply. */
export type Target = 'single-host' | 'swarm' | 'kubernetes';

// ---------------------------------------------------------------------------------------------------
// Files

export type FileKind = 'compose' | 'kubernetes' | 'other';

export interface SyntaxProblem {
  message: string;
  range: SourceRange;
  /** 'error' for YAML errors that stop parsing a document, 'warning' for YAML warnings. */
  severity: 'error' | 'warning';
}

/** One YAML document of a file, parsed once and kept for positions and fixes. */
export interface ParsedDocument {
  index: number;
  doc: Document.Parsed;
  /** The document's span in the file: from its `---` marker (or its content) to its content's end. */
  range: SourceRange;
}

export interface SourceFile {
  /** Path or URI, used as the file's identity in ranges and findings. */
  path: string;
  text: string;
  kind: FileKind;
  lineCounter: LineCounter;
  documents: ParsedDocument[];
  syntaxErrors: SyntaxProblem[];
  /** Set when the file was not analysed at all (too large, binary…): the reason, shown to the user. */
  skippedReason?: string;
  /**
   * Set when the YAML trees were dropped after the model was built (`documents` is empty and objects have
   * no `node`): the model, ranges and text remain; quick fixes need a new parse. The model is read-only
   * then (its empty lists and maps are shared, frozen values), and the language server keeps the text
   * packed: `text` and `lineCounter` are getters that unpack it (see `packText`).
   */
  treesReleased?: boolean;
}

// ---------------------------------------------------------------------------------------------------
// Objects: anything a finding can be attached to and a suppression can name.

/**
 * The part of the source an object owns: a compose service or top-level volume entry, or a whole
 * Kubernetes document. Suppression comments are resolved against these spans.
 */
export interface ObjectBase {
  /** Unique in the workspace: `${file}#${docIndex}/${ref}`. */
  id: string;
  /** `service/<name>`, `volume/<name>` (compose) or `<Kind>/<name>` (Kubernetes, kind as written). */
  ref: string;
  name: string;
  /** Kubernetes namespace (`default` when unset); '' for compose and live objects. */
  namespace: string;
  file: string;
  docIndex: number;
  /** Span of the whole object (for suppression scope). */
  span: SourceRange;
  /** The name key or value: the default anchor for findings about this object. */
  nameRange: SourceRange;
  /** Kubernetes `kind` value, compose service key. */
  kindRange?: SourceRange;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** The YAML node of the object (a map), for building fixes. Absent for live objects. */
  node?: YamlNode;
  origin: 'file' | 'live';
  /**
   * `stateful-ha.io/ignore` annotation suppressions on a non-workload object (StorageClass, PV, PDB…);
   * workloads carry theirs in `intent.ignores`. The index merges both into `suppressions`.
   */
  ignores?: Suppression[];
}

// ---------------------------------------------------------------------------------------------------
// Storage

export type StorageKind = 'node-local' | 'shared' | 'zonal' | 'replicated' | 'unknown';

/** What the catalog (or a declaration) says about where a volume's bytes live. */
export interface StorageProfile {
  kind: StorageKind;
  /** Copies kept by the storage layer: 1 for node-local/zonal/shared, N for replicated; null = unknown. */
  copies: number | null;
  /** Where the copies count is written (`repl: "3"`), for related locations and fixes. */
  copiesRange?: SourceRange;
  /** Node-local storage whose volumes carry their own node affinity (local PVs, local-path, openebs local). */
  pinsToNode: boolean;
  /** Human description: "StorageClass `px-db` (pxd.portworx.com)", "volume `pgdata` (local driver)". */
  description: string;
  /** The object that defines the storage (StorageClass, PV, compose volume), when in the workspace. */
  definedAt?: SourceRange;
  /** Id of the defining object (StorageClass / PV / compose volume), when in the workspace. */
  definedBy?: string;
  /** True when the profile comes from a `stateful-ha.io/storage` declaration. */
  declared: boolean;
  /** Driver / provisioner / PV source as written (`local`, `pxd.portworx.com`, `hostPath`). */
  provider?: string;
}

export type MountType =
  | 'named-volume' // compose named volume
  | 'bind' // compose bind mount
  | 'tmpfs'
  | 'anonymous' // compose anonymous volume (`- /data`)
  | 'claim' // k8s persistentVolumeClaim volume
  | 'claim-template' // k8s StatefulSet volumeClaimTemplate
  | 'host-path'
  | 'empty-dir'
  | 'ephemeral' // k8s generic ephemeral volume
  | 'config' // configMap / secret / projected / downwardAPI / compose configs+secrets
  | 'other';

/** A volume mounted into a container, resolved to its storage. */
export interface DataMount {
  type: MountType;
  /** Container path. */
  target: string;
  readOnly: boolean;
  /** Survives a container restart on the same node (false for tmpfs, emptyDir, anonymous). */
  persistent: boolean;
  /**
   * Holds data in the DESIGN.md sense: persistent, writable, not the Docker socket, not a bind of a
   * single file, not a secret/config.
   */
  isData: boolean;
  /** Compose volume name / bind source; k8s pod volume name. */
  source?: string;
  /** k8s claim name (for claim templates: the template name). */
  claimName?: string;
  /** k8s storage class name: undefined = not set (cluster default), '' = explicit static binding. */
  storageClassName?: string;
  /** k8s access modes of the claim, when known. */
  accessModes?: string[];
  /** Compose: the top-level volume entry; k8s: the PVC / template object; for related locations. */
  definedAt?: SourceRange;
  /** The mount entry in the container (volumeMounts item / compose volumes item). */
  range: SourceRange;
  storage: StorageProfile;
}

// ---------------------------------------------------------------------------------------------------
// Engines (resolved from the catalog, see catalog/engines.ts)

export type ReplicationModel = 'app' | 'optional' | 'none';

export interface EngineMatch {
  /** Catalog id: `cassandra`, `postgresql`, … */
  id: string;
  /** Display name: `Cassandra`. */
  name: string;
  replication: ReplicationModel;
  /** For `optional` engines: whether this container turns replication on (env / args). */
  replicationEnabled: boolean;
  quorum: boolean;
  /** Data paths for this image flavour (official or Bitnami). */
  dataPaths: string[];
  /** The image is the engine's official or Bitnami image, so the catalog's data path can be trusted. */
  trustedImage: boolean;
  /** An env var or argument that moves the data directory (PGDATA, --datadir…) was found. */
  dataDirOverridden: boolean;
  /** This container is a member that holds no data (MongoDB arbiter). */
  arbiter: boolean;
  /** Name of the container it was found in. */
  container: string;
}

// ---------------------------------------------------------------------------------------------------
// Workloads

export interface Container {
  name: string;
  image: string;
  imageRange?: SourceRange;
  /** Literal environment values only (for engine switches; never shown to users). */
  env: Record<string, string>;
  /** command + args, split into words. */
  args: string[];
  mounts: DataMount[];
  hostPorts: number[];
}

export interface Intent {
  replication?: 'app' | 'storage' | 'both' | 'none';
  replicationRange?: SourceRange;
  drTarget?: string;
  drTargetRange?: SourceRange;
  /** `stateful-ha.io/ignore: "rule[,rule]: reason"` */
  ignores: Suppression[];
}

export interface Suppression {
  rules: string[];
  reason: string;
  range: SourceRange;
}

export interface Placement {
  /** A constraint / selector / required node affinity keeps the workload on a given node (or labelled nodes). */
  pinned: boolean;
  /** What pins it: `node.labels.db == true`, `nodeSelector disktype=ssd`. */
  detail?: string;
  range?: SourceRange;
}

export interface Spread {
  /** Something keeps replicas on different nodes. */
  ok: boolean;
  /** How: `max_replicas_per_node: 1`, `required pod anti-affinity on kubernetes.io/hostname`. */
  detail?: string;
  /**
   * An anti-affinity / spread constraint exists but its selector does not match the pod's own labels.
   * Carries a human explanation for the message.
   */
  selectorMismatch?: string;
  range?: SourceRange;
}

export interface Workload extends ObjectBase {
  kind: string; // 'service' (compose / live swarm), 'container' (live engine), or the k8s kind
  platform: 'compose' | 'kubernetes';
  target: Target;
  containers: Container[];
  engine?: EngineMatch;
  /** Replica count; null when unknown (swarm `mode: global`, DaemonSet). Unset → 1. */
  replicas: number | null;
  replicasRange?: SourceRange;
  /** Swarm `mode: global` / DaemonSet. */
  global: boolean;
  /** k8s pod template labels; compose: service labels. */
  podLabels: Record<string, string>;
  /** k8s workload selector (matchLabels + matchExpressions). */
  selector?: LabelSelector;
  intent: Intent;
  placement: Placement;
  spread: Spread;
  /** Compose `restart`, swarm `restart_policy.condition`, k8s `restartPolicy` (raw value). */
  restartPolicy?: string;
  restartPolicyRange?: SourceRange;
  /** k8s `terminationGracePeriodSeconds` / compose `stop_grace_period`, in seconds, when set. */
  stopGraceSeconds?: number;
  stopGraceRange?: SourceRange;
  /** k8s Deployment `strategy.type` as written (undefined = default RollingUpdate). */
  updateStrategy?: string;
  updateStrategyRange?: SourceRange;
  /** k8s Deployment `strategy.rollingUpdate.maxSurge` as written: a number, or a string such as `25%`. */
  maxSurge?: number | string;
  /** StatefulSet `persistentVolumeClaimRetentionPolicy.whenDeleted`. */
  claimRetentionWhenDeleted?: string;
  claimRetentionRange?: SourceRange;
  /** Compose `depends_on` service names. */
  dependsOn: string[];
  /** Compose: the service image is a known backup tool (the service is a DR target, not a workload). */
  backup?: BackupTool;
  /** Compose `scale` / `deploy.replicas` key present (vs default 1). */
  replicasExplicit: boolean;
  /** Swarm `max_replicas_per_node`. */
  maxReplicasPerNode?: number;
  /** Is this a stateful workload (persistent data or a known data engine; not a backup service, not an arbiter). */
  stateful: boolean;
  /** Live: node each running task is on. */
  tasks?: LiveTask[];
}

export interface LiveTask {
  id: string;
  node: string;
  state: string;
  desiredState: string;
}

export interface BackupTool {
  /** Catalog id of the backup tool image. */
  tool: string;
  /** Configured with a remote repository / bucket (S3, B2, SFTP, WebDAV, SSH…). */
  offSite: boolean;
  /** Names of the compose volumes it mounts (read-only or not). */
  volumes: string[];
}

// ---------------------------------------------------------------------------------------------------
// Kubernetes objects besides workloads

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | string;
  values: string[];
}

export interface LabelSelector {
  matchLabels: Record<string, string>;
  matchExpressions: LabelSelectorRequirement[];
}

export interface StorageClassObject extends ObjectBase {
  kind: 'StorageClass';
  provisioner: string;
  provisionerRange?: SourceRange;
  parameters: Record<string, string>;
  /** Range of each parameter's value, for fixes and related locations. */
  parameterRanges: Record<string, SourceRange>;
  reclaimPolicy?: string;
  reclaimPolicyRange?: SourceRange;
  volumeBindingMode?: string;
  volumeBindingModeRange?: SourceRange;
  isDefault: boolean;
  profile: StorageProfile;
}

export interface PersistentVolumeObject extends ObjectBase {
  kind: 'PersistentVolume';
  storageClassName?: string;
  /** hostPath, local, csi, nfs, awsElasticBlockStore, … */
  sourceType: string;
  /** CSI driver when sourceType is csi. */
  driver?: string;
  nodeAffinity: boolean;
  reclaimPolicy?: string;
  reclaimPolicyRange?: SourceRange;
  claimRef?: { name: string; namespace: string };
  profile: StorageProfile;
}

export interface PersistentVolumeClaimObject extends ObjectBase {
  kind: 'PersistentVolumeClaim';
  /** undefined = not set; '' = explicit static binding. */
  storageClassName?: string;
  storageClassRange?: SourceRange;
  accessModes: string[];
  volumeName?: string;
  /** Set when this claim is a StatefulSet volumeClaimTemplate. */
  templateOf?: string;
}

export interface DisruptionBudgetObject extends ObjectBase {
  kind: 'PodDisruptionBudget';
  selector?: LabelSelector;
  minAvailable?: number | string;
  minAvailableRange?: SourceRange;
  maxUnavailable?: number | string;
  maxUnavailableRange?: SourceRange;
}

/** A DR mechanism found in the workspace. */
export interface DrTargetObject extends ObjectBase {
  kind: string; // Schedule (Velero), VolumeSnapshotSchedule, SchedulePolicy, MigrationSchedule, VolumeSnapshot
  /** Off-site (object storage, another cluster) vs same failure domain (local snapshots). */
  offSite: boolean;
  /** Human description for messages: "Velero Schedule `nightly` (default backup location)". */
  description: string;
  /** Namespaces covered; ['*'] for all. Empty means the object's own namespace only. */
  namespaces: string[];
  excludedNamespaces: string[];
  /** Label selector restricting the objects covered (Velero labelSelector, Stork selectors). */
  selector?: LabelSelector;
  /** Claims covered by name (VolumeSnapshot source, VolumeSnapshotSchedule pvcName). */
  claimNames: string[];
  /** Storage classes covered (a snapshot policy attached to a class). */
  storageClasses: string[];
}

export interface ComposeVolumeObject extends ObjectBase {
  kind: 'volume';
  driver?: string;
  driverOpts: Record<string, string>;
  driverOptRanges: Record<string, SourceRange>;
  external: boolean;
  profile: StorageProfile;
}

export type ManifestObject =
  | StorageClassObject
  | PersistentVolumeObject
  | PersistentVolumeClaimObject
  | DisruptionBudgetObject
  | DrTargetObject
  | ComposeVolumeObject;

// ---------------------------------------------------------------------------------------------------
// Findings

export interface RelatedLocation {
  range: SourceRange;
  message: string;
}

export interface Finding {
  rule: string;
  severity: Severity;
  message: string;
  range: SourceRange;
  /** `service/<name>` or `<Kind>/<name>`: the object the finding is attached to. */
  workload: string;
  /** Id of that object (for suppression scope). */
  objectId: string;
  related: RelatedLocation[];
  fixes: Fix[];
}
