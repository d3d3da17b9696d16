// The workspace index: joins what every file contributed (FileModel) so rules can resolve names and
// selectors across files — a StatefulSet here, its StorageClass, PDB and Velero Schedule there.
//
// FileModels are built once per file version and reused between index builds, so the index never
// mutates them: workloads whose mounts need resolving (Kubernetes claims) are shallow-copied with resolved
// mounts, which share the storage profile of the object behind them (profiles are read-only once parsed).
// Rebuilding the index from the same FileModels always gives the same result, and so does resolving the
// workloads again after an idle server released them (`ResolvedWorkloads`).
import type { Catalog } from '../catalog/catalog.js';
import type {
  ComposeVolumeObject,
  Container,
  DataMount,
  DisruptionBudgetObject,
  DrTargetObject,
  LabelSelector,
  ObjectBase,
  PersistentVolumeClaimObject,
  PersistentVolumeObject,
  StorageClassObject,
  StorageProfile,
  Suppression,
  Workload,
} from '../model/model.js';
import type { FileModel, WorkspaceIndex } from '../model/workspace.js';
import { isStateful } from '../parse/kubernetes.js';
import { selectorMatches } from './selectors.js';
import { finish } from '../steps.js';
import { copyWith } from '../model/with-fields.js';

const NO_WORKLOADS: readonly Workload[] = Object.freeze([]);

const NON_DR_KINDS = new Set([
  'StorageClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'PodDisruptionBudget',
  'volume',
]);

export function buildIndex(models: FileModel[], catalog?: Catalog): WorkspaceIndex {
  return finish(indexSteps(models, catalog));
}

/** Files, then workloads, handled between two yields of `indexSteps`. */
const STEP_SIZE = 500;

/**
 * The same build, yielding every few hundred files and workloads: the language server builds the index of
 * a big workspace a slice at a time, answering requests in between. The models must not change meanwhile
 * (the caller builds from one list of models).
 */
export function* indexSteps(models: FileModel[], _catalog?: Catalog): Generator<void, WorkspaceIndex, void> {
  const sorted = [...models].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const files = new Map<string, FileModel>();
  for (const m of sorted) if (!files.has(m.path)) files.set(m.path, m);

  const storageClasses = new Map<string, StorageClassObject>();
  let defaultStorageClass: StorageClassObject | undefined;
  const persistentVolumes = new Map<string, PersistentVolumeObject>();
  const claims = new Map<string, PersistentVolumeClaimObject>();
  const budgets: DisruptionBudgetObject[] = [];
  const drTargets: DrTargetObject[] = [];
  const composeVolumes: ComposeVolumeObject[] = [];
  /** Manifest objects by id (the workloads join them in `ResolvedWorkloads`). */
  const objects = new Map<string, ObjectBase>();
  const suppressions = new Map<string, Suppression[]>();
  const rawWorkloads: Workload[] = [];

  const addSuppression = (objectId: string, s: Suppression) => {
    const list = suppressions.get(objectId);
    if (list) list.push(s);
    else suppressions.set(objectId, [s]);
  };

  let step = 0;
  for (const model of files.values()) {
    for (const w of model.workloads) rawWorkloads.push(w);
    for (const o of model.objects) {
      if (!objects.has(o.id)) objects.set(o.id, o);
      for (const s of o.ignores ?? []) addSuppression(o.id, s);
      switch (o.kind) {
        case 'StorageClass': {
          const sc = o as StorageClassObject;
          if (!storageClasses.has(sc.name)) storageClasses.set(sc.name, sc);
          if (sc.isDefault && !defaultStorageClass) defaultStorageClass = sc;
          break;
        }
        case 'PersistentVolume': {
          const pv = o as PersistentVolumeObject;
          if (!persistentVolumes.has(pv.name)) persistentVolumes.set(pv.name, pv);
          break;
        }
        case 'PersistentVolumeClaim': {
          const pvc = o as PersistentVolumeClaimObject;
          // Templates are not claims by that name (their claims are `<template>-<statefulset>-<ordinal>`).
          const key = `${pvc.namespace}/${pvc.name}`;
          if (pvc.templateOf === undefined && !claims.has(key)) claims.set(key, pvc);
          break;
        }
        case 'PodDisruptionBudget':
          budgets.push(o as DisruptionBudgetObject);
          break;
        case 'volume':
          composeVolumes.push(o as ComposeVolumeObject);
          break;
        default:
          if (!NON_DR_KINDS.has(o.kind)) drTargets.push(o as DrTargetObject);
      }
    }
    for (const { objectId, suppression } of model.commentSuppressions) addSuppression(objectId, suppression);
    if (++step % STEP_SIZE === 0) yield;
  }
  for (const w of rawWorkloads) for (const s of w.intent?.ignores ?? []) addSuppression(w.id, s);

  const resolver = new StorageResolver(storageClasses, defaultStorageClass, persistentVolumes, claims);
  const workloads = new ResolvedWorkloads(rawWorkloads, resolver, objects, files);
  // The analysis reads them all: resolved now, in steps, rather than at its first question.
  yield* workloads.resolveSteps();

  // Budgets by namespace and by their first matchLabels pair, so a workload only tests the budgets that
  // can match one of its labels (plus the expression-only / empty ones).
  const budgetBuckets = new Map<string, DisruptionBudgetObject[]>();
  for (const b of budgets) {
    if (!b.selector) continue;
    const first = firstLabel(b.selector);
    const key = first ? labelKey(b.namespace, first[0], first[1]) : `${b.namespace}\u0000*`;
    const list = budgetBuckets.get(key);
    if (list) list.push(b);
    else budgetBuckets.set(key, [b]);
  }
  const budgetOrder = new Map(budgets.map((b, i) => [b, i]));
  // budgetsFor is asked by several rules for the same workload: remember the answer per workload object
  // (until the resolved workloads are released).
  let budgetsMemo = new WeakMap<Workload, DisruptionBudgetObject[]>();

  return {
    files,
    get workloads() {
      return workloads.resolved().list;
    },
    workloadsIn(file: string): readonly Workload[] {
      return workloads.workloadsIn(file);
    },
    get objectsById() {
      return workloads.resolved().byId;
    },
    storageClasses,
    defaultStorageClass,
    persistentVolumes,
    claims,
    budgets,
    drTargets,
    composeVolumes,
    suppressions,
    workloadsSelectedBy(selector: LabelSelector, namespace: string): Workload[] {
      return workloads
        .resolved()
        .selectable.candidates(namespace, selector)
        .filter((w) => selectorMatches(selector, w.podLabels));
    },
    budgetsFor(workload: Workload): DisruptionBudgetObject[] {
      if (workload.platform !== 'kubernetes') return [];
      const memo = budgetsMemo.get(workload);
      if (memo) return [...memo];
      const found = new Set<DisruptionBudgetObject>();
      const consider = (list: DisruptionBudgetObject[] | undefined) => {
        for (const b of list ?? []) if (selectorMatches(b.selector!, workload.podLabels)) found.add(b);
      };
      consider(budgetBuckets.get(`${workload.namespace}\u0000*`));
      for (const [k, v] of Object.entries(workload.podLabels))
        consider(budgetBuckets.get(labelKey(workload.namespace, k, v)));
      const result = [...found].sort((a, b) => budgetOrder.get(a)! - budgetOrder.get(b)!);
      budgetsMemo.set(workload, result);
      return [...result];
    },
    releaseResolved(): boolean {
      budgetsMemo = new WeakMap();
      return workloads.release();
    },
  };
}

/**
 * The workloads as the rules see them: Kubernetes mounts resolved to the storage behind them (copies of the
 * models' workloads), `stateful` settled, and the tables built from them (by id, by selector; each built at
 * its first question). All of it derives from the models and the shared objects, so it can be released when
 * the server is idle (a seventh of a big workspace's heap) and is built again, the same, when next needed.
 */
class ResolvedWorkloads {
  private current: Resolved | undefined;
  /** Files' workloads resolved on their own, while the whole list is released. */
  private perFile = new Map<string, readonly Workload[]>();

  constructor(
    private readonly raw: readonly Workload[],
    private readonly resolver: StorageResolver,
    private readonly objects: ReadonlyMap<string, ObjectBase>,
    private readonly files: ReadonlyMap<string, FileModel>,
  ) {}

  resolved(): Resolved {
    return this.current ?? finish(this.resolveSteps());
  }

  *resolveSteps(): Generator<void, Resolved, void> {
    const list: Workload[] = [];
    let step = 0;
    for (const raw of this.raw) {
      list.push(this.resolve(raw));
      if (++step % STEP_SIZE === 0) yield;
    }
    this.current = new Resolved(list, this.objects);
    this.perFile.clear();
    return this.current;
  }

  workloadsIn(file: string): readonly Workload[] {
    if (this.current) return this.current.workloadsIn(file);
    let list = this.perFile.get(file);
    if (!list)
      this.perFile.set(file, (list = (this.files.get(file)?.workloads ?? []).map((w) => this.resolve(w))));
    return list;
  }

  /** Whether anything was resolved. */
  release(): boolean {
    const had = this.current !== undefined || this.perFile.size > 0;
    this.current = undefined;
    this.perFile = new Map();
    return had;
  }

  private resolve(raw: Workload): Workload {
    const w = raw.platform === 'kubernetes' ? this.resolver.resolveWorkload(raw) : raw;
    const stateful = isStateful(w);
    return stateful !== w.stateful ? copyWith(w, { stateful }) : w;
  }
}

class Resolved {
  private bySelector: SelectorIndex<Workload> | undefined;
  private byFile: Map<string, Workload[]> | undefined;
  readonly byId: ObjectsById;

  constructor(
    readonly list: readonly Workload[],
    objects: ReadonlyMap<string, ObjectBase>,
  ) {
    this.byId = new ObjectsById(objects, list);
  }

  workloadsIn(file: string): readonly Workload[] {
    if (!this.byFile) {
      this.byFile = new Map();
      for (const w of this.list) push(this.byFile, w.file, w);
    }
    return this.byFile.get(file) ?? NO_WORKLOADS;
  }

  get selectable(): SelectorIndex<Workload> {
    if (!this.bySelector) {
      this.bySelector = new SelectorIndex<Workload>();
      for (const w of this.list)
        if (w.platform === 'kubernetes') this.bySelector.add(w.namespace, w.podLabels, w);
    }
    return this.bySelector;
  }
}

/**
 * Every object by id: the manifest objects, then the first (resolved) workload of each other id. The
 * workloads' table is built at the first question about an id that is not a manifest object's (most
 * lookups are of the storage behind a mount): building it for every index cost a quarter of its resolution.
 */
class ObjectsById implements ReadonlyMap<string, ObjectBase> {
  private workloadsById: Map<string, Workload> | undefined;

  constructor(
    private readonly objects: ReadonlyMap<string, ObjectBase>,
    private readonly workloads: readonly Workload[],
  ) {}

  get(id: string): ObjectBase | undefined {
    return this.objects.get(id) ?? this.byWorkload().get(id);
  }

  has(id: string): boolean {
    return this.objects.has(id) || this.byWorkload().has(id);
  }

  get size(): number {
    return this.objects.size + this.byWorkload().size;
  }

  forEach(fn: (value: ObjectBase, key: string, map: ReadonlyMap<string, ObjectBase>) => void): void {
    for (const [k, v] of this) fn(v, k, this);
  }

  *entries(): MapIterator<[string, ObjectBase]> {
    yield* this.objects.entries();
    yield* this.byWorkload().entries();
  }

  *keys(): MapIterator<string> {
    for (const [k] of this.entries()) yield k;
  }

  *values(): MapIterator<ObjectBase> {
    for (const [, v] of this.entries()) yield v;
  }

  [Symbol.iterator](): MapIterator<[string, ObjectBase]> {
    return this.entries();
  }

  private byWorkload(): Map<string, Workload> {
    if (!this.workloadsById) {
      this.workloadsById = new Map();
      for (const w of this.workloads)
        if (!this.objects.has(w.id) && !this.workloadsById.has(w.id)) this.workloadsById.set(w.id, w);
    }
    return this.workloadsById;
  }
}

// ---------------------------------------------------------------------------------------------------

/** Resolves Kubernetes claim / claim-template / ephemeral mounts to the storage behind them. */
class StorageResolver {
  /** PVs pre-bound to a claim (`spec.claimRef`), by `${namespace}/${claim}`. */
  private readonly pvByClaimRef = new Map<string, PersistentVolumeObject>();
  /** PVs pre-bound to an ordinal claim (`<template>-<statefulset>-<N>`), by `${namespace}/<template>-<statefulset>`. */
  private readonly pvByOrdinalClaim = new Map<string, PersistentVolumeObject>();
  /** Unbound-or-bound PVs by storage class name ('' for none), for static provisioning. */
  private readonly pvsByClass = new Map<string, PersistentVolumeObject[]>();

  constructor(
    private readonly storageClasses: ReadonlyMap<string, StorageClassObject>,
    private readonly defaultStorageClass: StorageClassObject | undefined,
    private readonly persistentVolumes: ReadonlyMap<string, PersistentVolumeObject>,
    private readonly claims: ReadonlyMap<string, PersistentVolumeClaimObject>,
  ) {
    for (const pv of persistentVolumes.values()) {
      if (pv.claimRef) {
        const key = `${pv.claimRef.namespace}/${pv.claimRef.name}`;
        if (!this.pvByClaimRef.has(key)) this.pvByClaimRef.set(key, pv);
        // `data-web-0` → `data-web`: a StatefulSet claim, found by template + StatefulSet name.
        const ordinal = /^(.+)-\d+$/.exec(pv.claimRef.name);
        const prefixKey = ordinal ? `${pv.claimRef.namespace}/${ordinal[1]}` : undefined;
        if (prefixKey && !this.pvByOrdinalClaim.has(prefixKey)) this.pvByOrdinalClaim.set(prefixKey, pv);
      }
      const cls = pv.storageClassName ?? '';
      const list = this.pvsByClass.get(cls);
      if (list) list.push(pv);
      else this.pvsByClass.set(cls, [pv]);
    }
  }

  resolveWorkload(w: Workload): Workload {
    let changed = false;
    const containers: Container[] = w.containers.map((c) => {
      let cChanged = false;
      const mounts = c.mounts.map((m) => {
        const r = this.resolveMount(m, w);
        if (r !== m) cChanged = true;
        return r;
      });
      if (!cChanged) return c;
      changed = true;
      return copyWith(c, { mounts });
    });
    return changed ? copyWith(w, { containers }) : w;
  }

  private resolveMount(m: DataMount, w: Workload): DataMount {
    const ns = w.namespace;
    if (m.type === 'claim') {
      const claimName = m.claimName ?? '';
      const pvc = this.claims.get(`${ns}/${claimName}`);
      const boundPv = this.pvByClaimRef.get(`${ns}/${claimName}`);
      if (!pvc) {
        // No claim object: a PV pre-bound to it still tells us the storage.
        const storage = boundPv ? boundPv.profile : unknown(`claim \`${claimName}\` (not in the workspace)`);
        return copyWith(m, { storage });
      }
      return copyWith(m, {
        storageClassName: pvc.storageClassName,
        accessModes: pvc.accessModes,
        definedAt: pvc.nameRange,
        storage: this.storageFor(pvc.storageClassName, pvc.volumeName, boundPv, ns, claimName),
      });
    }
    if (m.type === 'claim-template') {
      const boundPv = this.templatePv(ns, m.claimName ?? '', w.name);
      return copyWith(m, {
        storage: this.storageFor(m.storageClassName, undefined, boundPv, ns, m.claimName ?? ''),
      });
    }
    if (m.type === 'ephemeral') {
      return copyWith(m, { storage: this.storageFor(m.storageClassName, undefined, undefined, ns, '') });
    }
    return m;
  }

  /** A PV pre-bound (claimRef) to one of a StatefulSet's claims `<template>-<statefulset>-<ordinal>`. */
  private templatePv(ns: string, template: string, statefulSet: string): PersistentVolumeObject | undefined {
    return this.pvByOrdinalClaim.get(`${ns}/${template}-${statefulSet}`);
  }

  private storageFor(
    storageClassName: string | undefined,
    volumeName: string | undefined,
    boundPv: PersistentVolumeObject | undefined,
    ns: string,
    claimName: string,
  ): StorageProfile {
    if (volumeName) {
      const pv = this.persistentVolumes.get(volumeName);
      return pv ? pv.profile : unknown(`PersistentVolume \`${volumeName}\` (not in the workspace)`);
    }
    if (boundPv) return boundPv.profile;
    if (storageClassName === '') {
      return (
        this.staticVolume('', ns, claimName) ??
        unknown('a statically bound PersistentVolume (storageClassName ""), not identified in the workspace')
      );
    }
    if (storageClassName !== undefined) {
      const sc = this.storageClasses.get(storageClassName);
      if (sc) return sc.profile;
      // A class name used only to match static PVs (no StorageClass object: `manual` in the k8s docs).
      return (
        this.staticVolume(storageClassName, ns, claimName) ??
        unknown(`StorageClass \`${storageClassName}\` (not in the workspace)`)
      );
    }
    if (this.defaultStorageClass) return this.defaultStorageClass.profile;
    return unknown('the cluster default StorageClass, not in the workspace');
  }

  /**
   * Static binding: the PVs of a class that the claim may bind to. When they all keep the data the same
   * way, that is the claim's storage; otherwise it is unknown.
   */
  private staticVolume(cls: string, ns: string, claimName: string): StorageProfile | undefined {
    const candidates = (this.pvsByClass.get(cls) ?? []).filter(
      (pv) => !pv.claimRef || (pv.claimRef.namespace === ns && pv.claimRef.name === claimName),
    );
    const first = candidates[0];
    if (!first) return undefined;
    const same = candidates.every(
      (pv) =>
        pv.profile.kind === first.profile.kind &&
        pv.profile.copies === first.profile.copies &&
        pv.profile.pinsToNode === first.profile.pinsToNode,
    );
    return same ? first.profile : undefined;
  }
}

function unknown(description: string): StorageProfile {
  return { kind: 'unknown', copies: null, pinsToNode: false, description, declared: false };
}

function labelKey(namespace: string, key: string, value: string): string {
  return `${namespace}\u0000${key}\u0000${value}`;
}

function firstLabel(selector: LabelSelector): [string, string] | undefined {
  for (const k in selector.matchLabels) return [k, selector.matchLabels[k]!];
  return undefined;
}

/** Items (workloads) by namespace and by each of their labels, for selector lookups. */
class SelectorIndex<T> {
  private readonly byNamespace = new Map<string, T[]>();
  private readonly byLabel = new Map<string, T[]>();

  add(namespace: string, labels: Record<string, string>, item: T): void {
    push(this.byNamespace, namespace, item);
    for (const k in labels) push(this.byLabel, labelKey(namespace, k, labels[k]!), item);
  }

  /** Items that may match: those carrying the selector's first matchLabels pair, else the whole namespace. */
  candidates(namespace: string, selector: LabelSelector): T[] {
    const first = firstLabel(selector);
    return (
      (first ? this.byLabel.get(labelKey(namespace, first[0], first[1])) : this.byNamespace.get(namespace)) ??
      []
    );
  }
}

function push<T>(map: Map<string, T[]>, key: string, item: T): void {
  const list = map.get(key);
  if (list) list.push(item);
  else map.set(key, [item]);
}
