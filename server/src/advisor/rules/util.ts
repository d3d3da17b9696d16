// Helpers shared by several rules. Keep each function small and named for what it answers; append only.
import { isMap, isNode, isSeq, visit, type Document, type Node, type YAMLMap } from 'yaml';
import type {
  DataMount,
  DrTargetObject,
  ManifestObject,
  ObjectBase,
  PersistentVolumeClaimObject,
  PersistentVolumeObject,
  SourceFile,
  StorageClassObject,
  StorageProfile,
  Workload,
} from '../model/model.js';
import type { Fix, SourceRange, TextEdit } from '../model/source.js';
import type { WorkspaceIndex } from '../model/workspace.js';
import { get, getIn, items, str } from '../yaml/nodes.js';
import { selectorMatches } from '../index/selectors.js';
import type { RuleContext } from './rule.js';

// ---------------------------------------------------------------------------------------------------
// Workloads

/** Every data mount of every container of the workload (persistent, writable, not config/socket/file). */
export function dataMounts(workload: Workload): readonly DataMount[] {
  let mounts = dataMountsOf.get(workload);
  if (!mounts)
    dataMountsOf.set(
      workload,
      (mounts = workload.containers.flatMap((c) => c.mounts.filter((m) => m.isData))),
    );
  return mounts;
}
/** Per workload object (models are not changed once built): a dozen rules ask for each workload's. */
const dataMountsOf = new WeakMap<Workload, DataMount[]>();

/** The multi-node rules (missing-node-affinity, single-copy-data, …) apply: swarm stacks and Kubernetes. */
export function isMultiNode(workload: Workload): boolean {
  return workload.target !== 'single-host';
}

/** The engine replicates its data itself (app replication, or optional replication switched on). */
export function appReplicates(workload: Workload): boolean {
  const e = workload.engine;
  if (!e) return false;
  return e.replication === 'app' || (e.replication === 'optional' && e.replicationEnabled);
}

/** A file's compose workloads by document, once per list of the file's workloads (members() runs per workload). */
const composeByDocument = new WeakMap<readonly Workload[], Map<number, Workload[]>>();

function composeWorkloadsOf(index: WorkspaceIndex, file: string, docIndex: number): Workload[] {
  // The index's workloads, not the file model's: the index may hold resolved copies of the parsed workloads.
  const inFile = index.workloadsIn(file);
  let byDoc = composeByDocument.get(inFile);
  if (!byDoc) {
    byDoc = new Map();
    for (const w of inFile) {
      if (w.platform !== 'compose') continue;
      const list = byDoc.get(w.docIndex);
      if (list) list.push(w);
      else byDoc.set(w.docIndex, [w]);
    }
    composeByDocument.set(inFile, byDoc);
  }
  return byDoc.get(docIndex) ?? [];
}

/** Members by engine, per document's compose workloads (members() and the backups are asked per workload). */
const membersByDocument = new WeakMap<Workload[], Map<string, { list: Workload[]; set: Set<Workload> }>>();
const backupsByDocument = new WeakMap<Workload[], Workload[]>();

/**
 * The members of the engine cluster the workload belongs to, in document order. Kubernetes: the
 * workload itself. Compose: every stateful service of the same file running the same engine (clusters
 * written one service per member: `cassandra-1`, `cassandra-2`). Arbiters and backup services are not
 * members.
 */
export function members(index: WorkspaceIndex, workload: Workload): Workload[] {
  if (workload.platform !== 'compose' || !workload.engine) return [workload];
  const engineId = workload.engine.id;
  const inDocument = composeWorkloadsOf(index, workload.file, workload.docIndex);
  let byEngine = membersByDocument.get(inDocument);
  if (!byEngine) membersByDocument.set(inDocument, (byEngine = new Map()));
  let cluster = byEngine.get(engineId);
  if (!cluster) {
    const list = inDocument
      .filter((w) => w.engine?.id === engineId && !w.engine.arbiter && w.stateful && !w.backup)
      .sort(bySpanStart);
    cluster = { list, set: new Set(list) };
    byEngine.set(engineId, cluster);
  }
  // A copy: callers may keep or change their list.
  return cluster.set.has(workload) ? [...cluster.list] : [...cluster.list, workload].sort(bySpanStart);
}

function bySpanStart(a: Workload, b: Workload): number {
  return a.span.start.line - b.span.start.line || a.span.start.character - b.span.start.character;
}

/** The backup services of the workload's compose file and document. */
function composeBackupsOf(index: WorkspaceIndex, workload: Workload): Workload[] {
  const inDocument = composeWorkloadsOf(index, workload.file, workload.docIndex);
  let backups = backupsByDocument.get(inDocument);
  if (!backups) backupsByDocument.set(inDocument, (backups = inDocument.filter((w) => w.backup)));
  return backups;
}

/** Total member count over `members()`: replicas summed; null when any is unknown (global mode). */
export function memberCount(list: Workload[]): number | null {
  let n = 0;
  for (const w of list) {
    if (w.global || w.replicas === null) return null;
    n += w.replicas;
  }
  return n;
}

/** `StatefulSet/postgres` or `service postgres`, for messages. */
export function display(workload: Workload): string {
  return workload.platform === 'compose'
    ? `service \`${workload.name}\``
    : `${workload.kind} \`${workload.name}\``;
}

/** Short description of a mount for messages: "volume `pgdata` at /var/lib/postgresql/data". */
export function describeMount(m: DataMount): string {
  const what: Record<string, string> = {
    'named-volume': 'volume',
    bind: 'bind mount',
    tmpfs: 'tmpfs',
    anonymous: 'anonymous volume',
    claim: 'claim',
    'claim-template': 'volumeClaimTemplate',
    'host-path': 'hostPath volume',
    'empty-dir': 'emptyDir volume',
    ephemeral: 'ephemeral volume',
    config: 'config volume',
    other: 'volume',
  };
  const name = m.claimName ?? m.source;
  return `${what[m.type] ?? 'volume'}${name ? ` \`${name}\`` : ''} at ${m.target}`;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

// ---------------------------------------------------------------------------------------------------
// Kubernetes storage resolution (falls back on the index when the parser could not resolve a claim)

/** The claim object behind a `claim` mount (namespace/name lookup), if in the workspace. */
export function claimOf(
  index: WorkspaceIndex,
  workload: Workload,
  m: DataMount,
): PersistentVolumeClaimObject | undefined {
  if (m.type !== 'claim' || !m.claimName) return undefined;
  return index.claims.get(`${workload.namespace}/${m.claimName}`);
}

/** Access modes of a claim mount: from the mount, or from the claim object. */
export function accessModesOf(index: WorkspaceIndex, workload: Workload, m: DataMount): string[] | undefined {
  if (m.accessModes && m.accessModes.length > 0) return m.accessModes;
  const c = claimOf(index, workload, m);
  return c && c.accessModes.length > 0 ? c.accessModes : undefined;
}

/** A claim that one node at a time can mount (`ReadWriteOnce`, `ReadWriteOncePod`), and nothing wider. */
export function isSingleNodeAccess(modes: string[] | undefined): boolean {
  if (!modes || modes.length === 0) return false;
  return modes.every((m) => m === 'ReadWriteOnce' || m === 'ReadWriteOncePod');
}

/** The storageClassName in effect for a claim / template mount: undefined = unset, '' = static binding. */
export function storageClassNameOf(
  index: WorkspaceIndex,
  workload: Workload,
  m: DataMount,
): string | undefined {
  if (m.storageClassName !== undefined) return m.storageClassName;
  const c = claimOf(index, workload, m);
  if (c) return c.storageClassName ?? c.annotations['volume.beta.kubernetes.io/storage-class'];
  return undefined;
}

/** The StorageClass / PV object a claim mount ends up on, when the workspace says. */
export function storageObjectOf(
  index: WorkspaceIndex,
  workload: Workload,
  m: DataMount,
): StorageClassObject | PersistentVolumeObject | undefined {
  if (m.storage.definedBy) {
    const o = index.objectsById.get(m.storage.definedBy) as ManifestObject | undefined;
    if (o && (o.kind === 'StorageClass' || o.kind === 'PersistentVolume'))
      return o as StorageClassObject | PersistentVolumeObject;
  }
  if (m.type !== 'claim' && m.type !== 'claim-template') return undefined;
  const claim = claimOf(index, workload, m);
  if (claim?.volumeName) {
    const pv = index.persistentVolumes.get(claim.volumeName);
    if (pv) return pv;
  }
  if (claim) {
    for (const pv of index.persistentVolumes.values()) {
      if (pv.claimRef && pv.claimRef.name === claim.name && pv.claimRef.namespace === claim.namespace)
        return pv;
    }
  }
  const cls = storageClassNameOf(index, workload, m);
  if (cls === '') return undefined;
  if (cls === undefined) return m.type === 'claim' && !claim ? undefined : index.defaultStorageClass;
  return index.storageClasses.get(cls);
}

/** The storage profile of a mount: the parser's, or the workspace's StorageClass / PV when it could not tell. */
export function storageOf(index: WorkspaceIndex, workload: Workload, m: DataMount): StorageProfile {
  if (m.storage.kind !== 'unknown' || m.storage.declared) return m.storage;
  const o = storageObjectOf(index, workload, m);
  return o ? o.profile : m.storage;
}

// ---------------------------------------------------------------------------------------------------
// Source and nodes (for fixes)

/** The source file and YAML document an object lives in. */
export function sourceDoc(
  ctx: RuleContext,
  obj: ObjectBase,
): { source: SourceFile; doc: Document } | undefined {
  const source = ctx.sourceOf(obj.file);
  const doc =
    source?.documents.find((d) => d.index === obj.docIndex)?.doc ?? source?.documents[obj.docIndex]?.doc;
  if (!source || !doc) return undefined;
  return { source, doc };
}

/** Offset of a position in a source file. */
export function offsetOf(source: SourceFile, p: { line: number; character: number }): number {
  const starts = source.lineCounter.lineStarts;
  return (starts[p.line] ?? source.text.length) + p.character;
}

/**
 * The YAML node written at `range` (exact start and end; failing that, the innermost scalar ending
 * there). Used to turn a model range (`copiesRange`, `replicasRange`) back into an editable node.
 */
export function nodeAt(source: SourceFile, range: SourceRange): { node: Node; doc: Document } | undefined {
  const start = offsetOf(source, range.start);
  const end = offsetOf(source, range.end);
  let exact: { node: Node; doc: Document } | undefined;
  let ending: { node: Node; doc: Document } | undefined;
  for (const { doc } of source.documents) {
    const r = doc.range;
    if (r && (end < r[0] || start > r[2])) continue;
    visit(doc, (_key, n) => {
      if (!isNode(n) || !n.range) return undefined;
      // A node's children lie within its range: skip subtrees that cannot hold the end offset.
      if (end < n.range[0] || end > n.range[2]) return visit.SKIP;
      if (n.range[0] === start && n.range[1] === end && !exact) exact = { node: n, doc };
      else if (n.range[1] === end && !isMap(n) && !isSeq(n)) ending = { node: n, doc };
      return undefined;
    });
    if (exact) return exact;
  }
  return exact ?? ending;
}

/** `spec.template.spec` (or the kind's equivalent) of a Kubernetes workload node. */
export function podSpecNode(doc: Document, workload: Workload): YAMLMap | undefined {
  const root = workload.node;
  const path =
    workload.kind === 'Pod'
      ? ['spec']
      : workload.kind === 'CronJob'
        ? ['spec', 'jobTemplate', 'spec', 'template', 'spec']
        : ['spec', 'template', 'spec'];
  const n = getIn(doc, root, path);
  return isMap(n) ? n : undefined;
}

/** The container map named `name` under a pod spec (`containers`, then `initContainers`). */
export function containerNode(doc: Document, podSpec: YAMLMap, name: string): YAMLMap | undefined {
  for (const key of ['containers', 'initContainers']) {
    for (const c of items(doc, get(doc, podSpec, key))) {
      if (isMap(c) && str(doc, get(doc, c, 'name')) === name) return c;
    }
  }
  return undefined;
}

/**
 * Merges insertions at the same position into one edit (array order = text order, as LSP specifies), so
 * that edit appliers that do not keep insertion order still produce the intended text.
 */
export function mergeEdits(edits: TextEdit[]): TextEdit[] {
  const out: TextEdit[] = [];
  for (const e of edits) {
    const same = out.find(
      (o) =>
        o.range.file === e.range.file &&
        o.range.start.line === e.range.start.line &&
        o.range.start.character === e.range.start.character &&
        o.range.end.line === o.range.start.line &&
        o.range.end.character === o.range.start.character &&
        e.range.end.line === e.range.start.line &&
        e.range.end.character === e.range.start.character,
    );
    if (same) same.newText += e.newText;
    else out.push({ ...e, range: { ...e.range } });
  }
  return out;
}

/** A lazy fix list of one fix builder (empty when the fix cannot be built), for `Report.fixes`. */
export function oneFix(build: () => Fix | undefined): () => Fix[] {
  return () => {
    const fix = tryFix(build);
    return fix ? [fix] : [];
  };
}

/** Runs a fix builder; a fix that cannot be built (unexpected YAML shape) is dropped, never thrown. */
export function tryFix<T>(build: () => T | undefined): T | undefined {
  try {
    return build();
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------
// Fix targets, Kubernetes paths, DR coverage (no-dr-target, dr-target-same-failure-domain, …)

/** Source, document and the object's own map (compose service entry / Kubernetes root map), for fixes. */
export function objectSource(
  ctx: RuleContext,
  obj: ObjectBase,
): { source: SourceFile; doc: Document; map: YAMLMap } | undefined {
  if (obj.origin !== 'file' || !isMap(obj.node)) return undefined;
  const sd = sourceDoc(ctx, obj);
  return sd ? { ...sd, map: obj.node } : undefined;
}

/** Path from a Kubernetes workload's root map to its pod spec; undefined for unknown kinds. */
export function podSpecPath(kind: string): string[] | undefined {
  if (kind === 'Pod') return ['spec'];
  if (kind === 'CronJob') return ['spec', 'jobTemplate', 'spec', 'template', 'spec'];
  const templated = [
    'Deployment',
    'StatefulSet',
    'ReplicaSet',
    'DaemonSet',
    'Job',
    'ReplicationController',
    'DeploymentConfig',
  ];
  return templated.includes(kind) ? ['spec', 'template', 'spec'] : undefined;
}

/** Kubernetes kinds whose replica count is `spec.replicas`. */
export function hasReplicasField(kind: string): boolean {
  return ['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController', 'DeploymentConfig'].includes(
    kind,
  );
}

/** A DR mechanism covering a workload's data. */
export interface DrCoverage {
  offSite: boolean;
  /** For messages: "Velero Schedule `nightly` (default backup location)". */
  description: string;
  range?: SourceRange;
}

/** Whether a DR object covers a namespace (Velero backs up every namespace when none is listed). */
export function drCoversNamespace(dr: DrTargetObject, namespace: string): boolean {
  if (dr.excludedNamespaces.includes(namespace) || dr.excludedNamespaces.includes('*')) return false;
  if (dr.namespaces.length === 0) return dr.kind === 'Schedule' || dr.namespace === namespace;
  return dr.namespaces.includes(namespace) || dr.namespaces.includes('*');
}

/** A claim mount named in `claimNames` (a template `data` of StatefulSet `pg` makes `data-pg-0`, …). */
export function claimNamedIn(claimNames: string[], m: DataMount, workload: Workload): boolean {
  const name = m.claimName;
  if (!name) return false;
  if (m.type === 'claim') return claimNames.includes(name);
  if (m.type !== 'claim-template') return false;
  return claimNames.some((c) => c === name || c.startsWith(`${name}-${workload.name}-`));
}

/**
 * Every DR mechanism in the workspace covering the workload's data (DESIGN §4 "DR targets"): Velero /
 * migration schedules for its namespace and labels, snapshots / snapshot schedules for its claims or
 * storage class, compose backup services (same file) mounting its volumes or depending on it, a declared
 * `stateful-ha.io/dr-target` (off-site).
 */
export function drTargetsFor(index: WorkspaceIndex, workload: Workload): DrCoverage[] {
  const out: DrCoverage[] = [];
  if (workload.intent.drTarget !== undefined && workload.intent.drTarget.trim() !== '') {
    out.push({
      offSite: true,
      description: `declared DR target "${workload.intent.drTarget}"`,
      range: workload.intent.drTargetRange,
    });
  }
  const mounts = dataMounts(workload);
  if (workload.platform === 'kubernetes') {
    for (const dr of index.drTargets) {
      let covers = false;
      if (dr.storageClasses.length > 0) {
        covers = mounts.some((m) => {
          const cls = storageClassNameOf(index, workload, m) ?? index.defaultStorageClass?.name;
          return cls !== undefined && cls !== '' && dr.storageClasses.includes(cls);
        });
      }
      if (!covers && dr.claimNames.length > 0) {
        covers =
          drCoversNamespace(dr, workload.namespace) &&
          mounts.some((m) => claimNamedIn(dr.claimNames, m, workload));
      }
      // Namespace-wide mechanisms (Velero / Stork backup and migration schedules); a snapshot or snapshot
      // schedule names its claim, and a schedule policy alone protects nothing.
      const perClaim = ['VolumeSnapshot', 'VolumeSnapshotSchedule', 'SchedulePolicy'].includes(dr.kind);
      if (!covers && !perClaim && dr.claimNames.length === 0 && dr.storageClasses.length === 0) {
        covers =
          drCoversNamespace(dr, workload.namespace) &&
          (!dr.selector ||
            selectorMatches(dr.selector, workload.podLabels) ||
            selectorMatches(dr.selector, workload.labels));
      }
      if (covers) out.push({ offSite: dr.offSite, description: dr.description, range: dr.nameRange });
    }
    return out;
  }
  const sources = new Set(mounts.map((m) => m.source).filter((s): s is string => s !== undefined));
  for (const o of composeBackupsOf(index, workload)) {
    if (!o.backup || o.id === workload.id) continue;
    const backupSources = o.containers.flatMap((c) => c.mounts.map((m) => m.source));
    const covers =
      o.dependsOn.includes(workload.name) ||
      o.backup.volumes.some((v) => sources.has(v)) ||
      backupSources.some((s) => s !== undefined && sources.has(s));
    if (!covers) continue;
    out.push({
      offSite: o.backup.offSite,
      description: `backup service \`${o.name}\` (${o.backup.tool}, ${o.backup.offSite ? 'remote target' : 'local target only'})`,
      range: o.nameRange,
    });
  }
  return out;
}

/**
 * A block node's range ends at the start of the next line (the parser keeps the trailing newline):
 * end it at the end of its last line instead, so diagnostics do not spill onto the next line.
 */
export function tidyRange(ctx: RuleContext, range: SourceRange): SourceRange {
  if (range.end.character !== 0 || range.end.line <= range.start.line) return range;
  const source = ctx.sourceOf(range.file);
  if (!source) return range;
  const starts = source.lineCounter.lineStarts;
  const lineStart = starts[range.end.line - 1];
  const next = starts[range.end.line];
  if (lineStart === undefined || next === undefined) return range;
  let len = next - lineStart - 1;
  if (source.text[next - 2] === '\r') len--;
  return { ...range, end: { line: range.end.line - 1, character: Math.max(0, len) } };
}

/** A mount and the storage behind it, for messages: "volume `pgdata` (local driver) at /var/lib/…". */
export function describeMountStorage(m: DataMount, s: StorageProfile): string {
  if (m.type === 'claim' || m.type === 'claim-template' || m.type === 'ephemeral')
    return `${describeMount(m)} on ${s.description}`;
  return `${s.description} at ${m.target}`;
}
