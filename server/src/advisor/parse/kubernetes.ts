// Kubernetes manifests → the advisor model. One call per YAML document (parse-file.ts already split the
// file and checked that the document has `apiVersion` + `kind`). Workload kinds become `Workload`s; storage,
// disruption-budget and DR-target kinds become `ManifestObject`s. Cross-object joins (a claim to its
// StorageClass, a PDB to the pods it selects) are left to the workspace index (index/build-index.ts).
//
// Nothing here throws on unexpected shapes: every value is read through the typed accessors of
// yaml/nodes.ts, which return undefined / [] for the wrong type.
import { isScalar, parse as parseYaml, type Document, type Node } from 'yaml';
import type {
  Container,
  DataMount,
  DisruptionBudgetObject,
  DrTargetObject,
  EngineMatch,
  Intent,
  LabelSelector,
  ManifestObject,
  ObjectBase,
  ParsedDocument,
  PersistentVolumeClaimObject,
  PersistentVolumeObject,
  Placement,
  Spread,
  StorageClassObject,
  StorageProfile,
  Suppression,
  Workload,
} from '../model/model.js';
import type { SourceRange } from '../model/source.js';
import { declaredProfile } from '../catalog/catalog.js';
import { VOLUME_SOURCES } from '../catalog/storage.js';
import { describeLabels, describeSelector, isEmptySelector, selectorMatches } from '../index/selectors.js';
import { asMap, get, getIn, items, keyOf, num, pairsOf, str, stringMap, words } from '../yaml/nodes.js';
import type { ParseContext } from './parse-file.js';
import { withFields } from '../model/with-fields.js';

export const WORKLOAD_KINDS = new Set([
  'StatefulSet',
  'Deployment',
  'ReplicaSet',
  'DaemonSet',
  'ReplicationController',
  'Pod',
]);

/** Topology keys that keep replicas on different nodes (or zones / regions). */
export const SPREAD_TOPOLOGY_KEYS = new Set([
  'kubernetes.io/hostname',
  'topology.kubernetes.io/zone',
  'topology.kubernetes.io/region',
  'failure-domain.beta.kubernetes.io/zone',
  'failure-domain.beta.kubernetes.io/region',
]);

export const ANNOTATION_REPLICATION = 'stateful-ha.io/replication';
export const ANNOTATION_DR_TARGET = 'stateful-ha.io/dr-target';
export const ANNOTATION_IGNORE = 'stateful-ha.io/ignore';
export const ANNOTATION_LEGACY_STORAGE_CLASS = 'volume.beta.kubernetes.io/storage-class';
export const ANNOTATION_DEFAULT_CLASS = 'storageclass.kubernetes.io/is-default-class';
const ANNOTATION_DEFAULT_CLASS_BETA = 'storageclass.beta.kubernetes.io/is-default-class';
/** Stork: a StorageClass parameter attaching a snapshot schedule to every volume of the class. */
const STORK_CLASS_SCHEDULE_PREFIX = 'snapshotschedule.stork.libopenstorage.org/';

type Result = { workloads: Workload[]; objects: ManifestObject[] };

/** Parses one Kubernetes document. Never throws: an unexpected failure yields nothing for the document. */
export function parseKubernetesDocument(ctx: ParseContext, doc: ParsedDocument): Result {
  try {
    return parseKubernetesDocumentStrict(ctx, doc);
  } catch {
    return { workloads: [], objects: [] };
  }
}

/** Same as parseKubernetesDocument but lets exceptions through (tests use it to find throwing inputs). */
export function parseKubernetesDocumentStrict(ctx: ParseContext, parsed: ParsedDocument): Result {
  const out: Result = { workloads: [], objects: [] };
  const root = asMap(parsed.doc, parsed.doc.contents);
  if (root) parseObject(ctx, parsed, root, out, 0);
  return out;
}

/**
 * `kubectl get -o yaml` writes a `List` (`kind: List`, or a typed list such as `StatefulSetList`) whose
 * `items` are the objects. Each item is read as if it were a document of its own, spanning its item, so
 * suppressions, hovers and fixes address the item; ids keep the document's index (`${file}#${doc}/${ref}`).
 */
export function isListKind(kind: string): boolean {
  return kind === 'List' || (kind.length > 4 && kind.endsWith('List'));
}

/** Lists inside list items are read too, to this depth (kubectl writes none; a bound all the same). */
export const MAX_LIST_DEPTH = 4;

/** How many objects a document holds: 1, or for a List the objects among its items (nested Lists too). */
export function objectCount(doc: Document, root: Node | undefined, depth = 0): number {
  const kind = str(doc, get(doc, root, 'kind')) ?? '';
  if (!isListKind(kind)) return 1;
  if (depth >= MAX_LIST_DEPTH) return 0;
  let n = 0;
  for (const item of items(doc, get(doc, root, 'items'))) n += objectCount(doc, item, depth + 1);
  return n;
}

function parseObject(
  ctx: ParseContext,
  parsed: ParsedDocument,
  root: Node,
  out: Result,
  depth: number,
): void {
  const doc = parsed.doc;
  const kind = str(doc, get(doc, root, 'kind')) ?? '';
  if (isListKind(kind)) {
    if (depth >= MAX_LIST_DEPTH) return;
    for (const item of items(doc, get(doc, root, 'items'))) {
      const map = asMap(doc, item);
      if (map) parseObject(ctx, { ...parsed, range: ctx.locator.node(map) }, map, out, depth + 1);
    }
    return;
  }
  const apiVersion = str(doc, get(doc, root, 'apiVersion')) ?? '';
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '';
  const p = new DocParser(ctx, parsed, root, kind);

  if (WORKLOAD_KINDS.has(kind)) {
    const w = p.workload();
    out.workloads.push(w);
    if (kind === 'StatefulSet') out.objects.push(...p.claimTemplates(w.ref).map((t) => t.object));
    return;
  }
  switch (kind) {
    case 'StorageClass': {
      const sc = p.storageClass();
      out.objects.push(sc, ...p.classSnapshotSchedules(sc));
      break;
    }
    case 'PersistentVolume':
      out.objects.push(p.persistentVolume());
      break;
    case 'PersistentVolumeClaim':
      out.objects.push(p.persistentVolumeClaim());
      break;
    case 'PodDisruptionBudget':
      out.objects.push(p.disruptionBudget(apiVersion));
      break;
    case 'Schedule':
      if (group === 'velero.io') out.objects.push(p.veleroSchedule());
      break;
    case 'VolumeSnapshot':
      if (group.includes('snapshot')) out.objects.push(p.volumeSnapshot());
      break;
    case 'VolumeSnapshotSchedule':
      if (group === 'stork.libopenstorage.org') out.objects.push(p.storkSnapshotSchedule());
      break;
    case 'SchedulePolicy':
      if (group === 'stork.libopenstorage.org') out.objects.push(p.storkSchedulePolicy());
      break;
    case 'MigrationSchedule':
    case 'ApplicationBackupSchedule':
      if (group === 'stork.libopenstorage.org') out.objects.push(p.storkNamespacesSchedule());
      break;
    default:
      break;
  }
}

// ---------------------------------------------------------------------------------------------------

interface PodVolume {
  name: string;
  node: Node;
}

interface ClaimTemplate {
  name: string;
  node: Node;
  storageClassName?: string;
  storageClassRange?: SourceRange;
  accessModes: string[];
  object: PersistentVolumeClaimObject;
}

class DocParser {
  readonly doc: Document;
  readonly metadata: Node | undefined;
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly annotationNodes: Record<string, Node>;
  private templates?: ClaimTemplate[];

  constructor(
    readonly ctx: ParseContext,
    readonly parsed: ParsedDocument,
    readonly root: Node,
    readonly kind: string,
  ) {
    this.doc = parsed.doc;
    this.metadata = get(this.doc, root, 'metadata');
    this.name =
      str(this.doc, get(this.doc, this.metadata, 'name')) ??
      str(this.doc, get(this.doc, this.metadata, 'generateName')) ??
      '';
    this.namespace = str(this.doc, get(this.doc, this.metadata, 'namespace')) || 'default';
    this.labels = stringMap(this.doc, get(this.doc, this.metadata, 'labels')).values;
    const ann = stringMap(this.doc, get(this.doc, this.metadata, 'annotations'));
    this.annotations = ann.values;
    this.annotationNodes = ann.ranges;
  }

  get spec(): Node | undefined {
    return get(this.doc, this.root, 'spec');
  }

  range(node: Node | null | undefined, fallback?: SourceRange): SourceRange {
    return this.ctx.locator.node(node, fallback ?? this.parsed.range);
  }

  base(options: { clusterScoped?: boolean } = {}): ObjectBase {
    const ref = `${this.kind}/${this.name}`;
    const kindNode = get(this.doc, this.root, 'kind');
    const nameNode = get(this.doc, this.metadata, 'name') ?? get(this.doc, this.metadata, 'generateName');
    const kindRange = this.range(kindNode);
    return {
      id: `${this.ctx.source.path}#${this.parsed.index}/${ref}`,
      ref,
      name: this.name,
      namespace: options.clusterScoped ? '' : this.namespace,
      file: this.ctx.source.path,
      docIndex: this.parsed.index,
      span: this.parsed.range,
      nameRange: nameNode ? this.range(nameNode) : kindRange,
      kindRange,
      labels: this.labels,
      annotations: this.annotations,
      node: this.root,
      origin: 'file',
    };
  }

  /** Base of a non-workload object, with its `stateful-ha.io/ignore` annotation. */
  objectBase(options: { clusterScoped?: boolean } = {}): ObjectBase {
    const b = this.base(options);
    const ignores = parseIgnores(
      this.annotations[ANNOTATION_IGNORE],
      this.annotationNodes[ANNOTATION_IGNORE],
      (n) => this.range(n),
    );
    if (ignores.length) b.ignores = ignores;
    return b;
  }

  // -------------------------------------------------------------------------------------------------
  // Workloads

  workload(): Workload {
    const doc = this.doc;
    const kind = this.kind;
    const spec = this.spec;
    const isPod = kind === 'Pod';
    const template = isPod ? this.root : get(doc, spec, 'template');
    const templateMeta = isPod ? this.metadata : get(doc, template, 'metadata');
    const podSpec = isPod ? spec : get(doc, template, 'spec');
    const podLabels = isPod ? { ...this.labels } : stringMap(doc, get(doc, templateMeta, 'labels')).values;

    // Annotations: the workload's own win over the pod template's.
    const tplAnn = isPod ? { values: {}, ranges: {} } : stringMap(doc, get(doc, templateMeta, 'annotations'));
    const annotations: Record<string, string> = { ...tplAnn.values, ...this.annotations };
    const annotationNodes: Record<string, Node> = { ...tplAnn.ranges, ...this.annotationNodes };

    const b = this.base();
    b.annotations = annotations;

    // Pod volumes and claim templates, by name.
    const volumes = new Map<string, PodVolume>();
    for (const v of items(doc, get(doc, podSpec, 'volumes'))) {
      const name = str(doc, get(doc, v, 'name'));
      if (name !== undefined && !volumes.has(name)) volumes.set(name, { name, node: v });
    }
    const templates = new Map<string, ClaimTemplate>();
    if (kind === 'StatefulSet')
      for (const t of this.claimTemplates(b.ref)) if (!templates.has(t.name)) templates.set(t.name, t);

    const containers: Container[] = items(doc, get(doc, podSpec, 'containers')).map((c) =>
      this.container(c, volumes, templates),
    );

    // Replicas.
    let replicas: number | null = 1;
    let replicasRange: SourceRange | undefined;
    let replicasExplicit = false;
    let global = false;
    if (kind === 'DaemonSet') {
      replicas = null;
      global = true;
    } else if (!isPod) {
      const r = get(doc, spec, 'replicas');
      if (r !== undefined && !(isScalar(r) && r.value == null)) {
        replicasExplicit = true;
        replicasRange = this.range(r);
        const n = num(doc, r);
        replicas = n !== undefined && Number.isInteger(n) && n >= 0 ? n : null;
      }
    }

    // Selector.
    let selector: LabelSelector | undefined;
    if (kind === 'ReplicationController') {
      const s = get(doc, spec, 'selector');
      if (asMap(doc, s)) selector = { matchLabels: stringMap(doc, s).values, matchExpressions: [] };
    } else if (!isPod) {
      selector = parseSelector(doc, get(doc, spec, 'selector'));
    }

    let engine: EngineMatch | undefined;
    for (const c of containers) {
      engine = this.ctx.catalog.matchEngine(c);
      if (engine) break;
    }

    const restart = get(doc, podSpec, 'restartPolicy');
    const grace = get(doc, podSpec, 'terminationGracePeriodSeconds');
    const strategyType = kind === 'Deployment' ? getIn(doc, spec, ['strategy', 'type']) : undefined;
    const maxSurge =
      kind === 'Deployment' ? getIn(doc, spec, ['strategy', 'rollingUpdate', 'maxSurge']) : undefined;
    const whenDeleted =
      kind === 'StatefulSet'
        ? getIn(doc, spec, ['persistentVolumeClaimRetentionPolicy', 'whenDeleted'])
        : undefined;
    const graceSeconds = num(doc, grace);

    const w = withFields<Workload>(b, {
      kind,
      platform: 'kubernetes',
      target: 'kubernetes',
      containers,
      engine,
      replicas,
      replicasRange,
      global,
      podLabels,
      selector,
      intent: this.intent(annotations, annotationNodes),
      placement: this.placement(podSpec),
      spread: this.spread(podSpec, podLabels, containers),
      restartPolicy: str(doc, restart),
      restartPolicyRange: str(doc, restart) !== undefined ? this.range(restart) : undefined,
      stopGraceSeconds: graceSeconds,
      stopGraceRange: graceSeconds !== undefined ? this.range(grace) : undefined,
      updateStrategy: str(doc, strategyType),
      updateStrategyRange: str(doc, strategyType) !== undefined ? this.range(strategyType) : undefined,
      maxSurge: num(doc, maxSurge) ?? str(doc, maxSurge)?.trim(),
      claimRetentionWhenDeleted: str(doc, whenDeleted),
      claimRetentionRange: str(doc, whenDeleted) !== undefined ? this.range(whenDeleted) : undefined,
      dependsOn: [],
      replicasExplicit,
      stateful: false,
    });
    w.stateful = isStateful(w);
    return w;
  }

  private container(
    c: Node,
    volumes: Map<string, PodVolume>,
    templates: Map<string, ClaimTemplate>,
  ): Container {
    const doc = this.doc;
    const imageNode = get(doc, c, 'image');
    const env: Record<string, string> = {};
    for (const e of items(doc, get(doc, c, 'env'))) {
      const name = str(doc, get(doc, e, 'name'));
      const value = str(doc, get(doc, e, 'value'));
      if (name !== undefined && value !== undefined) env[name] = value;
    }
    const hostPorts: number[] = [];
    for (const port of items(doc, get(doc, c, 'ports'))) {
      const hp = num(doc, get(doc, port, 'hostPort'));
      if (hp !== undefined && hp > 0) hostPorts.push(hp);
    }
    const mounts: DataMount[] = [];
    for (const m of items(doc, get(doc, c, 'volumeMounts'))) {
      const mount = this.mount(m, volumes, templates);
      if (mount) mounts.push(mount);
    }
    return {
      name: str(doc, get(doc, c, 'name')) ?? '',
      image: str(doc, imageNode) ?? '',
      imageRange: imageNode ? this.range(imageNode) : undefined,
      env,
      args: [...words(doc, get(doc, c, 'command')), ...words(doc, get(doc, c, 'args'))],
      mounts,
      hostPorts,
    };
  }

  private mount(
    m: Node,
    volumes: Map<string, PodVolume>,
    templates: Map<string, ClaimTemplate>,
  ): DataMount | undefined {
    const doc = this.doc;
    const name = str(doc, get(doc, m, 'name'));
    const target = str(doc, get(doc, m, 'mountPath'));
    if (name === undefined || target === undefined) return undefined;
    const mountReadOnly = boolish(doc, get(doc, m, 'readOnly'));
    const range = this.range(m);
    // Each mount below is one object literal, `target`, `source` and `range` included: a shared
    // `{ ...base, … }` would give every mount a hidden class of its own (see `withFields`).

    // A volumeClaimTemplate replaces a pod volume of the same name (StatefulSet controller behaviour).
    const tpl = templates.get(name);
    if (tpl) {
      return finishMount({
        target,
        source: name,
        range,
        type: 'claim-template',
        readOnly: mountReadOnly,
        persistent: true,
        isData: false,
        claimName: tpl.name,
        storageClassName: tpl.storageClassName,
        accessModes: tpl.accessModes,
        definedAt: this.range(tpl.node),
        storage: claimPlaceholder(tpl.name),
      });
    }
    const vol = volumes.get(name);
    if (!vol) {
      return finishMount({
        target,
        source: name,
        range,
        type: 'other',
        readOnly: mountReadOnly,
        persistent: true,
        isData: false,
        storage: unknownProfile(`volume \`${name}\` (not declared in the pod)`),
      });
    }
    const definedAt = this.range(vol.node);
    const sourceKey = pairsOf(doc, vol.node)
      .map(keyOf)
      .find((k) => k !== undefined && k !== 'name');
    const src = sourceKey ? get(doc, vol.node, sourceKey) : undefined;

    switch (sourceKey) {
      case 'persistentVolumeClaim': {
        const claimName = str(doc, get(doc, src, 'claimName')) ?? '';
        return finishMount({
          target,
          source: name,
          range,
          type: 'claim',
          readOnly: mountReadOnly || boolish(doc, get(doc, src, 'readOnly')),
          persistent: true,
          isData: false,
          claimName,
          definedAt,
          storage: claimPlaceholder(claimName),
        });
      }
      case 'hostPath': {
        const path = str(doc, get(doc, src, 'path')) ?? '';
        const hostType = str(doc, get(doc, src, 'type')) ?? '';
        return finishMount(
          {
            target,
            source: path || name,
            range,
            type: 'host-path',
            readOnly: mountReadOnly,
            persistent: true,
            isData: false,
            definedAt,
            storage: {
              kind: 'node-local',
              copies: 1,
              pinsToNode: false,
              description: `hostPath volume \`${name}\` (${path || 'no path'})`,
              declared: false,
              provider: 'hostPath',
            },
          },
          { hostPath: path, hostType },
        );
      }
      case 'emptyDir':
        return finishMount({
          target,
          source: name,
          range,
          type: 'empty-dir',
          readOnly: mountReadOnly,
          persistent: false,
          isData: false,
          definedAt,
          storage: {
            kind: 'node-local',
            copies: 1,
            pinsToNode: false,
            description: `emptyDir volume \`${name}\``,
            declared: false,
            provider: 'emptyDir',
          },
        });
      case 'ephemeral': {
        const tplSpec = getIn(doc, src, ['volumeClaimTemplate', 'spec']);
        const cls = get(doc, tplSpec, 'storageClassName');
        return finishMount({
          target,
          source: name,
          range,
          type: 'ephemeral',
          readOnly: mountReadOnly,
          persistent: false,
          isData: false,
          storageClassName: cls === undefined ? undefined : (str(doc, cls) ?? undefined),
          accessModes: stringList(doc, get(doc, tplSpec, 'accessModes')),
          definedAt,
          storage: unknownProfile(`ephemeral volume \`${name}\``),
        });
      }
      case 'configMap':
      case 'secret':
      case 'projected':
      case 'downwardAPI':
        return finishMount({
          target,
          source: name,
          range,
          type: 'config',
          readOnly: true,
          persistent: false,
          isData: false,
          definedAt,
          storage: unknownProfile(`${sourceKey} volume \`${name}\``),
        });
      case 'gitRepo':
        return finishMount({
          target,
          source: name,
          range,
          type: 'other',
          readOnly: mountReadOnly,
          persistent: false,
          isData: false,
          definedAt,
          storage: unknownProfile(`gitRepo volume \`${name}\``),
        });
      case 'csi': {
        const driver = str(doc, get(doc, src, 'driver')) ?? '';
        const attrs = stringMap(doc, get(doc, src, 'volumeAttributes'));
        return finishMount({
          target,
          source: name,
          range,
          type: 'other',
          readOnly: mountReadOnly || boolish(doc, get(doc, src, 'readOnly')),
          persistent: true,
          isData: false,
          definedAt,
          storage: this.ctx.catalog.provisionerProfile(
            driver,
            { parameters: attrs.values, parameterRanges: nodeRanges(attrs.ranges, (n) => this.range(n)) },
            `CSI volume \`${name}\` (${driver})`,
          ),
        });
      }
      default: {
        const known = sourceKey ? VOLUME_SOURCES[sourceKey] : undefined;
        return finishMount({
          target,
          source: name,
          range,
          type: 'other',
          readOnly: mountReadOnly || boolish(doc, get(doc, src, 'readOnly')),
          persistent: true,
          isData: false,
          definedAt,
          storage: known
            ? {
                kind: known.kind,
                copies: known.kind === 'replicated' ? null : 1,
                pinsToNode: known.pinsToNode,
                description: `${sourceKey} volume \`${name}\``,
                declared: false,
                provider: sourceKey,
              }
            : unknownProfile(`${sourceKey ?? 'unknown'} volume \`${name}\``, sourceKey),
        });
      }
    }
  }

  /** The StatefulSet's volumeClaimTemplates (parsed once per document). */
  claimTemplates(ownerRef: string): ClaimTemplate[] {
    if (this.templates) return this.templates;
    const doc = this.doc;
    const out: ClaimTemplate[] = [];
    for (const t of items(doc, get(doc, this.spec, 'volumeClaimTemplates'))) {
      const meta = get(doc, t, 'metadata');
      const nameNode = get(doc, meta, 'name');
      const name = str(doc, nameNode);
      if (name === undefined) continue;
      const tSpec = get(doc, t, 'spec');
      const labels = stringMap(doc, get(doc, meta, 'labels')).values;
      const ann = stringMap(doc, get(doc, meta, 'annotations'));
      const cls = this.storageClassOf(tSpec, ann.values, ann.ranges);
      const accessModes = stringList(doc, get(doc, tSpec, 'accessModes'));
      const ref = `PersistentVolumeClaim/${name}`;
      const object: PersistentVolumeClaimObject = {
        id: `${this.ctx.source.path}#${this.parsed.index}/${this.kind}/${this.name}/${ref}`,
        ref,
        name,
        namespace: this.namespace,
        file: this.ctx.source.path,
        docIndex: this.parsed.index,
        // The owning StatefulSet's document: findings about a template attach to the StatefulSet.
        span: this.parsed.range,
        nameRange: this.range(nameNode),
        labels,
        annotations: ann.values,
        node: t,
        origin: 'file',
        kind: 'PersistentVolumeClaim',
        storageClassName: cls.name,
        storageClassRange: cls.range,
        accessModes,
        volumeName: str(this.doc, get(doc, tSpec, 'volumeName')),
        templateOf: ownerRef,
      };
      out.push({
        name,
        node: t,
        storageClassName: cls.name,
        storageClassRange: cls.range,
        accessModes,
        object,
      });
    }
    this.templates = out;
    return out;
  }

  /** `spec.storageClassName` ('' kept), else the legacy beta annotation. */
  private storageClassOf(
    spec: Node | undefined,
    annotations: Record<string, string>,
    annotationNodes: Record<string, Node>,
  ): { name?: string; range?: SourceRange } {
    const doc = this.doc;
    const node = get(doc, spec, 'storageClassName');
    if (node !== undefined) {
      const value = str(doc, node);
      // `storageClassName: ""` → ''; `storageClassName:` (null) → unset.
      if (value !== undefined) return { name: value, range: this.range(node) };
    }
    const legacy = annotations[ANNOTATION_LEGACY_STORAGE_CLASS];
    if (legacy !== undefined)
      return { name: legacy, range: this.range(annotationNodes[ANNOTATION_LEGACY_STORAGE_CLASS]) };
    return {};
  }

  private intent(annotations: Record<string, string>, nodes: Record<string, Node>): Intent {
    const intent: Intent = { ignores: [] };
    const rep = annotations[ANNOTATION_REPLICATION]?.trim().toLowerCase();
    if (rep === 'app' || rep === 'storage' || rep === 'both' || rep === 'none') {
      intent.replication = rep;
      intent.replicationRange = this.range(nodes[ANNOTATION_REPLICATION]);
    }
    const dr = annotations[ANNOTATION_DR_TARGET]?.trim();
    if (dr) {
      intent.drTarget = dr;
      intent.drTargetRange = this.range(nodes[ANNOTATION_DR_TARGET]);
    }
    intent.ignores = parseIgnores(annotations[ANNOTATION_IGNORE], nodes[ANNOTATION_IGNORE], (n) =>
      this.range(n),
    );
    return intent;
  }

  private placement(podSpec: Node | undefined): Placement {
    const doc = this.doc;
    const nodeSelector = get(doc, podSpec, 'nodeSelector');
    const sel = stringMap(doc, nodeSelector).values;
    const selEntries = Object.entries(sel);
    if (asMap(doc, nodeSelector) && selEntries.length > 0) {
      return {
        pinned: true,
        detail: `nodeSelector ${selEntries.map(([k, v]) => `${k}=${v}`).join(', ')}`,
        range: this.range(nodeSelector),
      };
    }
    const required = getIn(doc, podSpec, [
      'affinity',
      'nodeAffinity',
      'requiredDuringSchedulingIgnoredDuringExecution',
    ]);
    if (required !== undefined && asMap(doc, required)) {
      const exprs: string[] = [];
      for (const term of items(doc, get(doc, required, 'nodeSelectorTerms'))) {
        for (const e of [
          ...items(doc, get(doc, term, 'matchExpressions')),
          ...items(doc, get(doc, term, 'matchFields')),
        ]) {
          const key = str(doc, get(doc, e, 'key')) ?? '?';
          const op = str(doc, get(doc, e, 'operator')) ?? '?';
          const values = stringList(doc, get(doc, e, 'values'));
          exprs.push(values.length ? `${key} ${op} (${values.join(', ')})` : `${key} ${op}`);
        }
      }
      return {
        pinned: true,
        detail: `required node affinity${exprs.length ? ` ${exprs.join(' or ')}` : ''}`,
        range: this.range(required),
      };
    }
    const nodeName = get(doc, podSpec, 'nodeName');
    const nodeNameValue = str(doc, nodeName);
    if (nodeNameValue)
      return { pinned: true, detail: `nodeName ${nodeNameValue}`, range: this.range(nodeName) };
    return { pinned: false };
  }

  private spread(
    podSpec: Node | undefined,
    podLabels: Record<string, string>,
    containers: Container[],
  ): Spread {
    const doc = this.doc;
    interface Term {
      how: string;
      topologyKey: string;
      node: Node;
      selectorNode: Node | undefined;
      namespaces: string[];
    }
    const terms: Term[] = [];
    const anti = getIn(doc, podSpec, ['affinity', 'podAntiAffinity']);
    for (const t of items(doc, get(doc, anti, 'requiredDuringSchedulingIgnoredDuringExecution'))) {
      terms.push(this.term(t, t, 'required pod anti-affinity'));
    }
    for (const w of items(doc, get(doc, anti, 'preferredDuringSchedulingIgnoredDuringExecution'))) {
      const t = get(doc, w, 'podAffinityTerm');
      if (t) terms.push(this.term(t, w, 'preferred pod anti-affinity'));
    }
    for (const c of items(doc, get(doc, podSpec, 'topologySpreadConstraints'))) {
      terms.push(this.term(c, c, 'topologySpreadConstraints'));
    }

    let mismatch: { text: string; range: SourceRange } | undefined;
    for (const t of terms) {
      if (!SPREAD_TOPOLOGY_KEYS.has(t.topologyKey)) continue;
      const selector = asMap(doc, t.selectorNode) ? parseSelector(doc, t.selectorNode) : undefined;
      const nsOk = t.namespaces.length === 0 || t.namespaces.includes(this.namespace);
      if (selector && nsOk && selectorMatches(selector, podLabels)) {
        return { ok: true, detail: `${t.how} on ${t.topologyKey}`, range: this.range(t.node) };
      }
      if (!mismatch) {
        const labels = describeLabels(podLabels);
        let text: string;
        if (!selector)
          text = `the ${t.how} on ${t.topologyKey} has no labelSelector, so it matches no pods (the pod's labels are ${labels})`;
        else if (!nsOk)
          text = `the ${t.how} on ${t.topologyKey} only counts pods in namespaces ${t.namespaces.join(', ')}, not this workload's namespace \`${this.namespace}\``;
        else
          text = `the ${t.how} selector \`${describeSelector(selector)}\` does not match the pod's own labels ${labels}`;
        mismatch = { text, range: this.range(t.selectorNode ?? t.node) };
      }
    }
    for (const c of containers) {
      if (c.hostPorts.length > 0) {
        return {
          ok: true,
          detail: `hostPort ${c.hostPorts[0]} (at most one pod per node)`,
          range: c.imageRange,
        };
      }
    }
    if (mismatch) return { ok: false, selectorMismatch: mismatch.text, range: mismatch.range };
    return { ok: false };
  }

  private term(t: Node, whole: Node, how: string) {
    const doc = this.doc;
    return {
      how,
      topologyKey: str(doc, get(doc, t, 'topologyKey')) ?? '',
      node: whole,
      selectorNode: get(doc, t, 'labelSelector'),
      namespaces: stringList(doc, get(doc, t, 'namespaces')),
    };
  }

  // -------------------------------------------------------------------------------------------------
  // Storage objects

  storageClass(): StorageClassObject {
    const doc = this.doc;
    const b = this.objectBase({ clusterScoped: true });
    const provNode = get(doc, this.root, 'provisioner');
    const provisioner = str(doc, provNode) ?? '';
    const params = stringMap(doc, get(doc, this.root, 'parameters'));
    const parameterRanges = nodeRanges(params.ranges, (n) => this.range(n));
    const reclaim = get(doc, this.root, 'reclaimPolicy');
    const binding = get(doc, this.root, 'volumeBindingMode');
    const isDefault =
      (this.annotations[ANNOTATION_DEFAULT_CLASS] ?? this.annotations[ANNOTATION_DEFAULT_CLASS_BETA] ?? '')
        .trim()
        .toLowerCase() === 'true';
    let profile = this.ctx.catalog.provisionerProfile(
      provisioner,
      { parameters: params.values, parameterRanges },
      `StorageClass \`${this.name}\` (${provisioner || 'no provisioner'})`,
    );
    profile = declaredProfile({ ...this.labels, ...this.annotations }, profile);
    profile.definedAt = b.nameRange;
    profile.definedBy = b.id;
    return withFields<StorageClassObject>(b, {
      kind: 'StorageClass',
      provisioner,
      provisionerRange: provNode ? this.range(provNode) : undefined,
      parameters: params.values,
      parameterRanges,
      reclaimPolicy: str(doc, reclaim),
      reclaimPolicyRange: str(doc, reclaim) !== undefined ? this.range(reclaim) : undefined,
      volumeBindingMode: str(doc, binding),
      volumeBindingModeRange: str(doc, binding) !== undefined ? this.range(binding) : undefined,
      isDefault,
      profile,
    });
  }

  /** Stork snapshot schedules attached to a StorageClass (`snapshotschedule.stork.libopenstorage.org/<name>`). */
  classSnapshotSchedules(sc: StorageClassObject): DrTargetObject[] {
    const out: DrTargetObject[] = [];
    for (const [key, value] of Object.entries(sc.parameters)) {
      if (!key.startsWith(STORK_CLASS_SCHEDULE_PREFIX)) continue;
      const scheduleName = key.slice(STORK_CLASS_SCHEDULE_PREFIX.length);
      let offSite: boolean;
      try {
        const body: unknown = parseYaml(value);
        const ann = isRecord(body) && isRecord(body.annotations) ? body.annotations : {};
        offSite = Object.entries(ann).some(
          ([k, v]) => k.endsWith('snapshot-type') && String(v).toLowerCase() === 'cloud',
        );
      } catch {
        offSite = /snapshot-type['"]?\s*:\s*['"]?cloud/i.test(value);
      }
      out.push({
        id: `${sc.id}/snapshotschedule/${scheduleName}`,
        ref: sc.ref,
        name: sc.name,
        namespace: '',
        file: sc.file,
        docIndex: sc.docIndex,
        span: sc.span,
        nameRange: sc.parameterRanges[key] ?? sc.nameRange,
        kindRange: sc.kindRange,
        labels: sc.labels,
        annotations: sc.annotations,
        node: sc.node,
        origin: 'file',
        kind: 'VolumeSnapshotSchedule',
        offSite,
        description: `Stork snapshot schedule \`${scheduleName}\` on StorageClass \`${sc.name}\` (${offSite ? 'cloud snapshots' : 'local snapshots'})`,
        namespaces: ['*'],
        excludedNamespaces: [],
        claimNames: [],
        storageClasses: [sc.name],
      });
    }
    return out;
  }

  persistentVolume(): PersistentVolumeObject {
    const doc = this.doc;
    const b = this.objectBase({ clusterScoped: true });
    const spec = this.spec;
    const skip = new Set([
      'accessModes',
      'capacity',
      'claimRef',
      'mountOptions',
      'nodeAffinity',
      'persistentVolumeReclaimPolicy',
      'storageClassName',
      'volumeMode',
      'volumeAttributesClassName',
    ]);
    const sourceType =
      pairsOf(doc, spec)
        .map(keyOf)
        .find((k): k is string => k !== undefined && !skip.has(k)) ?? 'unknown';
    const src = get(doc, spec, sourceType);
    const nodeAffinity = getIn(doc, spec, ['nodeAffinity', 'required']) !== undefined;
    let driver: string | undefined;
    let profile: StorageProfile;
    const description = `PersistentVolume \`${this.name}\` (${sourceType})`;
    if (sourceType === 'csi') {
      driver = str(doc, get(doc, src, 'driver')) ?? '';
      const attrs = stringMap(doc, get(doc, src, 'volumeAttributes'));
      profile = this.ctx.catalog.provisionerProfile(
        driver,
        { parameters: attrs.values, parameterRanges: nodeRanges(attrs.ranges, (n) => this.range(n)) },
        `PersistentVolume \`${this.name}\` (${driver})`,
      );
      if (profile.kind === 'node-local' && nodeAffinity) profile.pinsToNode = true;
    } else {
      const known = VOLUME_SOURCES[sourceType];
      profile = known
        ? {
            kind: known.kind,
            copies: known.kind === 'replicated' ? null : 1,
            // A node-local PV with a required nodeAffinity keeps its pod on the data's node.
            pinsToNode: known.kind === 'node-local' && (known.pinsToNode || nodeAffinity),
            description,
            declared: false,
            provider: sourceType,
          }
        : unknownProfile(description, sourceType);
    }
    profile = declaredProfile({ ...this.labels, ...this.annotations }, profile);
    profile.definedAt = b.nameRange;
    profile.definedBy = b.id;
    const reclaim = get(doc, spec, 'persistentVolumeReclaimPolicy');
    const claimRef = get(doc, spec, 'claimRef');
    const claimRefName = str(doc, get(doc, claimRef, 'name'));
    const cls = this.storageClassOf(spec, this.annotations, this.annotationNodes);
    return withFields<PersistentVolumeObject>(b, {
      kind: 'PersistentVolume',
      storageClassName: cls.name,
      sourceType,
      driver,
      nodeAffinity,
      reclaimPolicy: str(doc, reclaim),
      reclaimPolicyRange: str(doc, reclaim) !== undefined ? this.range(reclaim) : undefined,
      claimRef: claimRefName
        ? { name: claimRefName, namespace: str(doc, get(doc, claimRef, 'namespace')) || 'default' }
        : undefined,
      profile,
    });
  }

  persistentVolumeClaim(): PersistentVolumeClaimObject {
    const doc = this.doc;
    const b = this.objectBase();
    const spec = this.spec;
    const cls = this.storageClassOf(spec, this.annotations, this.annotationNodes);
    return withFields<PersistentVolumeClaimObject>(b, {
      kind: 'PersistentVolumeClaim',
      storageClassName: cls.name,
      storageClassRange: cls.range,
      accessModes: stringList(doc, get(doc, spec, 'accessModes')),
      volumeName: str(doc, get(doc, spec, 'volumeName')) || undefined,
    });
  }

  disruptionBudget(apiVersion: string): DisruptionBudgetObject {
    const doc = this.doc;
    const spec = this.spec;
    const selNode = get(doc, spec, 'selector');
    let selector = asMap(doc, selNode) ? parseSelector(doc, selNode) : undefined;
    // policy/v1beta1: an empty selector selects no pods (policy/v1: every pod of the namespace).
    if (selector && apiVersion === 'policy/v1beta1' && isEmptySelector(selector)) selector = undefined;
    const min = get(doc, spec, 'minAvailable');
    const max = get(doc, spec, 'maxUnavailable');
    const minValue = intOrString(doc, min);
    const maxValue = intOrString(doc, max);
    return withFields<DisruptionBudgetObject>(this.objectBase(), {
      kind: 'PodDisruptionBudget',
      selector,
      minAvailable: minValue,
      minAvailableRange: minValue !== undefined ? this.range(min) : undefined,
      maxUnavailable: maxValue,
      maxUnavailableRange: maxValue !== undefined ? this.range(max) : undefined,
    });
  }

  // -------------------------------------------------------------------------------------------------
  // DR targets

  private drTarget(
    fields: Omit<DrTargetObject, keyof ObjectBase | 'kind'>,
    clusterScoped = false,
  ): DrTargetObject {
    return withFields<DrTargetObject>(this.objectBase({ clusterScoped }), { kind: this.kind, ...fields });
  }

  veleroSchedule(): DrTargetObject {
    const doc = this.doc;
    const tpl = getIn(doc, this.spec, ['template']);
    let namespaces = stringList(doc, get(doc, tpl, 'includedNamespaces'));
    if (namespaces.length === 0 || namespaces.includes('*')) namespaces = ['*'];
    const location = str(doc, get(doc, tpl, 'storageLocation'));
    const selNode = get(doc, tpl, 'labelSelector');
    const selector = asMap(doc, selNode) ? parseSelector(doc, selNode) : undefined;
    return this.drTarget({
      // Velero always writes backups to a BackupStorageLocation (object storage).
      offSite: true,
      description: `Velero Schedule \`${this.name}\` (${location ? `backup location \`${location}\`` : 'default backup location'})`,
      namespaces,
      excludedNamespaces: stringList(doc, get(doc, tpl, 'excludedNamespaces')),
      selector: selector && !isEmptySelector(selector) ? selector : undefined,
      claimNames: [],
      storageClasses: [],
    });
  }

  volumeSnapshot(): DrTargetObject {
    const doc = this.doc;
    const claim =
      str(doc, getIn(doc, this.spec, ['source', 'persistentVolumeClaimName'])) ??
      str(doc, get(doc, this.spec, 'persistentVolumeClaimName'));
    const cloud = this.snapshotTypeIsCloud(this.annotations);
    return this.drTarget({
      offSite: cloud,
      description: `VolumeSnapshot \`${this.name}\` (${cloud ? 'cloud snapshot' : 'snapshot on the same storage system'})`,
      namespaces: [],
      excludedNamespaces: [],
      claimNames: claim ? [claim] : [],
      storageClasses: [],
    });
  }

  storkSnapshotSchedule(): DrTargetObject {
    const doc = this.doc;
    const tpl = get(doc, this.spec, 'template');
    const tplAnn = stringMap(doc, getIn(doc, tpl, ['metadata', 'annotations'])).values;
    const claim = str(doc, getIn(doc, tpl, ['spec', 'persistentVolumeClaimName']));
    const cloud = this.snapshotTypeIsCloud({ ...tplAnn, ...this.annotations });
    const policy = str(doc, get(doc, this.spec, 'schedulePolicyName'));
    return this.drTarget({
      offSite: cloud,
      description: `Stork VolumeSnapshotSchedule \`${this.name}\`${policy ? ` (policy \`${policy}\`)` : ''} (${cloud ? 'cloud snapshots' : 'local snapshots'})`,
      namespaces: [],
      excludedNamespaces: [],
      claimNames: claim ? [claim] : [],
      storageClasses: [],
    });
  }

  storkSchedulePolicy(): DrTargetObject {
    // A policy says when, not what: by itself it covers nothing (cluster-scoped: namespace '').
    return this.drTarget(
      {
        offSite: false,
        description: `Stork SchedulePolicy \`${this.name}\` (a schedule policy alone protects nothing)`,
        namespaces: [],
        excludedNamespaces: [],
        claimNames: [],
        storageClasses: [],
      },
      true,
    );
  }

  storkNamespacesSchedule(): DrTargetObject {
    const doc = this.doc;
    const tplSpec = getIn(doc, this.spec, ['template', 'spec']);
    let namespaces = stringList(doc, get(doc, tplSpec, 'namespaces'));
    if (namespaces.includes('*')) namespaces = ['*'];
    const selectors = stringMap(doc, get(doc, tplSpec, 'selectors')).values;
    const cluster = str(doc, get(doc, tplSpec, 'clusterPair'));
    const location = str(doc, get(doc, tplSpec, 'backupLocation'));
    const what =
      this.kind === 'MigrationSchedule'
        ? `migration to cluster pair \`${cluster ?? '?'}\``
        : `backups to \`${location ?? '?'}\``;
    return this.drTarget({
      offSite: true,
      description: `Stork ${this.kind} \`${this.name}\` (${what})`,
      namespaces: namespaces.length ? namespaces : [this.namespace],
      excludedNamespaces: [],
      selector: Object.keys(selectors).length ? { matchLabels: selectors, matchExpressions: [] } : undefined,
      claimNames: [],
      storageClasses: [],
    });
  }

  private snapshotTypeIsCloud(annotations: Record<string, string>): boolean {
    return Object.entries(annotations).some(
      ([k, v]) => /(^|\/)snapshot-type$/.test(k) && v.trim().toLowerCase() === 'cloud',
    );
  }
}

// ---------------------------------------------------------------------------------------------------
// Helpers

export function claimPlaceholder(claimName: string): StorageProfile {
  return {
    kind: 'unknown',
    copies: null,
    pinsToNode: false,
    description: `claim \`${claimName}\``,
    declared: false,
  };
}

function unknownProfile(description: string, provider?: string): StorageProfile {
  return { kind: 'unknown', copies: null, pinsToNode: false, description, declared: false, provider };
}

const DOCKER_SOCKETS = new Set(['/var/run/docker.sock', '/run/docker.sock']);
/** Host paths that are system interfaces, not data. */
const SYSTEM_HOST_PATHS = /^\/(proc|sys|dev)(\/|$)|^\/etc\/(localtime|timezone|machine-id)$|\.sock$/;
const FILE_HOST_PATH_TYPES = new Set(['File', 'FileOrCreate', 'Socket', 'CharDevice', 'BlockDevice']);

/** Sets isData from the other fields (DESIGN.md: persistent, writable, not config, not the socket, not a file). */
function finishMount(m: DataMount, host?: { hostPath: string; hostType: string }): DataMount {
  let isData = m.persistent && !m.readOnly && m.type !== 'config';
  if (isData && host) {
    const path = host.hostPath.replace(/\/+$/, '');
    if (DOCKER_SOCKETS.has(path) || SYSTEM_HOST_PATHS.test(path) || FILE_HOST_PATH_TYPES.has(host.hostType))
      isData = false;
    else if (looksLikeFile(path) || looksLikeFile(m.target)) isData = false;
  }
  if (isData && m.type === 'host-path' && DOCKER_SOCKETS.has(m.target)) isData = false;
  m.isData = isData;
  return m;
}

function looksLikeFile(path: string): boolean {
  const last = path.replace(/\/+$/, '').split('/').pop() ?? '';
  return /^[^.].*\.[A-Za-z0-9]{1,8}$/.test(last);
}

/** `stateful` per DESIGN.md: persistent data or a known engine; never an arbiter or a backup service. */
export function isStateful(w: Pick<Workload, 'engine' | 'containers' | 'backup'>): boolean {
  if (w.backup || w.engine?.arbiter) return false;
  return w.engine !== undefined || w.containers.some((c) => c.mounts.some((m) => m.isData));
}

export function parseSelector(doc: Document, node: unknown): LabelSelector {
  const matchLabels = stringMap(doc, get(doc, node, 'matchLabels')).values;
  const matchExpressions = items(doc, get(doc, node, 'matchExpressions')).map((e) => ({
    key: str(doc, get(doc, e, 'key')) ?? '',
    operator: str(doc, get(doc, e, 'operator')) ?? '',
    values: stringList(doc, get(doc, e, 'values')),
  }));
  return { matchLabels, matchExpressions };
}

function stringList(doc: Document, node: unknown): string[] {
  return items(doc, node)
    .map((i) => str(doc, i))
    .filter((s): s is string => s !== undefined);
}

function boolish(doc: Document, node: unknown): boolean {
  const s = str(doc, node);
  return s !== undefined && s.toLowerCase() === 'true';
}

function intOrString(doc: Document, node: Node | undefined): number | string | undefined {
  const s = str(doc, node);
  if (s === undefined) return undefined;
  const n = num(doc, node);
  if (n !== undefined && /^\s*\d+\s*$/.test(s)) return n;
  return s;
}

function nodeRanges(
  nodes: Record<string, Node>,
  range: (n: Node) => SourceRange,
): Record<string, SourceRange> {
  const out: Record<string, SourceRange> = {};
  for (const [k, n] of Object.entries(nodes)) out[k] = range(n);
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `stateful-ha.io/ignore: "rule[,rule]: reason"`; several entries may be separated by `;`. */
export function parseIgnores(
  value: string | undefined,
  node: Node | undefined,
  range: (n: Node | undefined) => SourceRange,
): Suppression[] {
  if (value === undefined || value.trim() === '') return [];
  const r = range(node);
  const out: Suppression[] = [];
  for (const entry of value.split(/;(?=\s*[a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*\s*(?::|$))/i)) {
    const colon = entry.indexOf(':');
    const rulesPart = colon >= 0 ? entry.slice(0, colon) : entry;
    const reason = colon >= 0 ? entry.slice(colon + 1).trim() : '';
    const rules = rulesPart
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    if (rules.length) out.push({ rules, reason, range: r });
  }
  return out;
}
