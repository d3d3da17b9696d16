// Storage the advisor knows: compose volume drivers and Kubernetes provisioners / PV sources, with where
// their bytes live and how many copies they keep. Unknown drivers stay "unknown": no rule guesses.
import type { StorageKind } from '../model/model.js';

export interface StorageDefinition {
  /** Driver / provisioner names, matched exactly (case-insensitive). */
  names: string[];
  kind: StorageKind;
  /** Fixed copy count (node-local, shared, zonal: 1). */
  copies?: number;
  /** Parameter / driver option holding the replica count, and its default. */
  copiesParameter?: string[];
  defaultCopies?: number;
  /** Node-local storage whose volumes pin the pod to their node (local PVs carry nodeAffinity). */
  pinsToNode?: boolean;
  /**
   * Parameter rules that change the kind (GCE PD regional, Azure ZRS, NFS via the local driver):
   * first match wins.
   */
  variants?: { parameter: string; matches: RegExp; kind: StorageKind; copies?: number }[];
  /** Topology-bound (zonal / node-local): `Immediate` binding may place the volume away from the pod. */
  topologyBound?: boolean;
}

export const COMPOSE_DRIVERS: StorageDefinition[] = [
  {
    names: ['local'],
    kind: 'node-local',
    copies: 1,
    variants: [{ parameter: 'type', matches: /^(nfs|nfs4|cifs|smb)$/i, kind: 'shared', copies: 1 }],
  },
  {
    names: ['pxd', 'portworx', 'pxd.portworx.com'],
    kind: 'replicated',
    copiesParameter: ['repl'],
    defaultCopies: 1,
  },
  { names: ['rexray/ebs', 'rexray/ebs:latest'], kind: 'zonal', copies: 1 },
  { names: ['rexray/efs', 'rexray/s3fs', 'efs'], kind: 'shared', copies: 1 },
  { names: ['nfs', 'netshare', 'trajano/nfs-volume-plugin', 'vieux/sshfs'], kind: 'shared', copies: 1 },
  { names: ['glusterfs', 'gluster'], kind: 'replicated', copiesParameter: ['replica'], defaultCopies: 3 },
  { names: ['rbd', 'ceph', 'rexray/rbd', 'wetopi/rbd'], kind: 'replicated', defaultCopies: 3 },
  { names: ['longhorn'], kind: 'replicated', copiesParameter: ['numberOfReplicas'], defaultCopies: 3 },
];

export const KUBERNETES_PROVISIONERS: StorageDefinition[] = [
  {
    names: ['kubernetes.io/no-provisioner'],
    kind: 'node-local',
    copies: 1,
    pinsToNode: true,
    topologyBound: true,
  },
  {
    names: ['rancher.io/local-path', 'cluster.local/local-path-provisioner'],
    kind: 'node-local',
    copies: 1,
    pinsToNode: true,
    topologyBound: true,
  },
  {
    names: ['openebs.io/local', 'local.csi.openebs.io', 'lvm.csi.openebs.io', 'zfs.csi.openebs.io'],
    kind: 'node-local',
    copies: 1,
    pinsToNode: true,
    topologyBound: true,
  },
  {
    names: ['topolvm.io', 'topolvm.cybozu.com'],
    kind: 'node-local',
    copies: 1,
    pinsToNode: true,
    topologyBound: true,
  },
  {
    names: ['k8s.io/minikube-hostpath', 'hostpath.csi.k8s.io', 'microk8s.io/hostpath', 'docker.io/hostpath'],
    kind: 'node-local',
    copies: 1,
    pinsToNode: false,
    topologyBound: true,
  },
  {
    names: ['pxd.portworx.com', 'kubernetes.io/portworx-volume'],
    kind: 'replicated',
    copiesParameter: ['repl'],
    defaultCopies: 1,
  },
  {
    names: ['driver.longhorn.io', 'rancher.io/longhorn'],
    kind: 'replicated',
    copiesParameter: ['numberOfReplicas'],
    defaultCopies: 3,
  },
  {
    names: [
      'rbd.csi.ceph.com',
      'cephfs.csi.ceph.com',
      'kubernetes.io/rbd',
      'kubernetes.io/cephfs',
      'rook-ceph.rbd.csi.ceph.com',
      'rook-ceph.cephfs.csi.ceph.com',
      'ceph.rook.io/block',
    ],
    kind: 'replicated',
    defaultCopies: 3,
  },
  { names: ['io.openebs.csi-mayastor'], kind: 'replicated', copiesParameter: ['repl'], defaultCopies: 1 },
  {
    names: ['cstor.csi.openebs.io', 'jiva.csi.openebs.io'],
    kind: 'replicated',
    copiesParameter: ['replicaCount'],
    defaultCopies: 3,
  },
  {
    names: ['linstor.csi.linbit.com'],
    kind: 'replicated',
    copiesParameter: ['placementCount', 'autoPlace'],
    defaultCopies: 1,
  },
  {
    names: ['pd.csi.storage.gke.io', 'kubernetes.io/gce-pd'],
    kind: 'zonal',
    copies: 1,
    topologyBound: true,
    variants: [{ parameter: 'replication-type', matches: /^regional-pd$/i, kind: 'replicated', copies: 2 }],
  },
  {
    names: ['disk.csi.azure.com', 'kubernetes.io/azure-disk'],
    kind: 'zonal',
    copies: 1,
    topologyBound: true,
    variants: [
      { parameter: 'skuName', matches: /_ZRS$/i, kind: 'replicated', copies: 3 },
      { parameter: 'storageaccounttype', matches: /_ZRS$/i, kind: 'replicated', copies: 3 },
    ],
  },
  { names: ['ebs.csi.aws.com', 'kubernetes.io/aws-ebs'], kind: 'zonal', copies: 1, topologyBound: true },
  {
    names: ['cinder.csi.openstack.org', 'kubernetes.io/cinder'],
    kind: 'zonal',
    copies: 1,
    topologyBound: true,
  },
  { names: ['csi.vsphere.vmware.com', 'kubernetes.io/vsphere-volume'], kind: 'zonal', copies: 1 },
  {
    names: [
      'efs.csi.aws.com',
      'file.csi.azure.com',
      'kubernetes.io/azure-file',
      'filestore.csi.storage.gke.io',
      'nfs.csi.k8s.io',
      'cluster.local/nfs-subdir-external-provisioner',
      'k8s-sigs.io/nfs-subdir-external-provisioner',
      'kubernetes.io/glusterfs',
    ],
    kind: 'shared',
    copies: 1,
  },
];

/** PV sources (the key under `spec` of a PersistentVolume / pod volume) and their storage. */
export const VOLUME_SOURCES: Record<string, { kind: StorageKind; pinsToNode: boolean }> = {
  hostPath: { kind: 'node-local', pinsToNode: false },
  local: { kind: 'node-local', pinsToNode: true },
  nfs: { kind: 'shared', pinsToNode: false },
  cephfs: { kind: 'replicated', pinsToNode: false },
  rbd: { kind: 'replicated', pinsToNode: false },
  glusterfs: { kind: 'shared', pinsToNode: false },
  awsElasticBlockStore: { kind: 'zonal', pinsToNode: false },
  gcePersistentDisk: { kind: 'zonal', pinsToNode: false },
  azureDisk: { kind: 'zonal', pinsToNode: false },
  azureFile: { kind: 'shared', pinsToNode: false },
  cinder: { kind: 'zonal', pinsToNode: false },
  portworxVolume: { kind: 'replicated', pinsToNode: false },
};

/** Backup tools (compose services whose image is one of these are DR targets, not workloads). */
export interface BackupToolDefinition {
  id: string;
  /** Image repository names (registry-insensitive; may include the namespace). */
  images: string[];
}

export const BACKUP_TOOLS: BackupToolDefinition[] = [
  {
    id: 'docker-volume-backup',
    images: ['offen/docker-volume-backup', 'futurice/docker-volume-backup', 'jareware/docker-volume-backup'],
  },
  {
    id: 'restic',
    images: ['restic/restic', 'mazzolino/restic', 'lobaro/restic-backup-docker', 'instrumentisto/restic'],
  },
  {
    id: 'borgmatic',
    images: [
      'borgmatic',
      'b3vis/borgmatic',
      'modem7/borgmatic-docker',
      'ghcr.io/borgmatic-collective/borgmatic',
    ],
  },
  { id: 'postgres-backup-local', images: ['prodrigestivill/postgres-backup-local'] },
  { id: 'db-backup', images: ['tiredofit/db-backup'] },
  {
    id: 'mysql-backup',
    images: ['databack/mysql-backup', 'fradelg/mysql-cron-backup', 'selim13/automysqlbackup'],
  },
  {
    id: 'postgres-backup-s3',
    images: ['schickling/postgres-backup-s3', 'eeshugerman/postgres-backup-s3', 'itbm/postgresql-backup-s3'],
  },
  { id: 'duplicati', images: ['duplicati/duplicati', 'linuxserver/duplicati'] },
  { id: 'kopia', images: ['kopia/kopia'] },
  { id: 'velero', images: ['velero/velero'] },
];

/**
 * Environment variable names (or name fragments) that point a backup tool at a remote target. Values are
 * never read for display, only tested for a remote scheme.
 */
export const REMOTE_BACKUP_ENV = [
  /^AWS_S3_BUCKET_NAME$/,
  /^AWS_ENDPOINT$/,
  /^S3_/,
  /_S3_/,
  /^B2_/,
  /^AZURE_/,
  /^GOOGLE_/,
  /^SSH_HOST/,
  /^SSH_REMOTE_PATH/,
  /^WEBDAV_/,
  /^DROPBOX_/,
  /^BACKUP_REMOTE/,
  /^REMOTE_/,
  /^DB_BACKUP_S3/,
  /^DEFAULT_BACKUP_LOCATION$/,
];

/** A repository/URL value that is remote (restic / borg / rclone style). */
export const REMOTE_REPOSITORY_VALUE =
  /^(s3:|b2:|azure:|gs:|sftp:|rest:|rclone:|swift:|ssh:\/\/|[\w.-]+@[\w.-]+:|https?:\/\/|webdav)/i;
