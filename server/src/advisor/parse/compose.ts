// Compose files (the compose spec, including swarm `deploy`) → the advisor model: one Workload per
// service and one ComposeVolumeObject per top-level volume, every element with its source range.
// Nothing here throws on a wrong type: what does not make sense is skipped (the schema reports it).
//
// The small pure helpers (port parsing, durations, storage profile of a compose volume, intent labels) are
// exported so the live Docker translation can build the same model. The short volume syntax is in
// `compose-volume-syntax.ts`, `extends` in `compose-extends.ts`.
import { isMap, isScalar, isSeq, type Document, type Node, type Pair } from 'yaml';
import { declaredProfile, type Catalog } from '../catalog/catalog.js';
import type {
  BackupTool,
  ComposeVolumeObject,
  Container,
  DataMount,
  Intent,
  ManifestObject,
  MountType,
  ParsedDocument,
  Placement,
  Spread,
  StorageProfile,
  Target,
  Workload,
} from '../model/model.js';
import type { SourceRange } from '../model/source.js';
import { deref, get, getPair, items, keyOf, num, pairsOf, str, stringMap, words } from '../yaml/nodes.js';
import { extendedService } from './compose-extends.js';
import { isBindSource, mountFromShortSyntax } from './compose-volume-syntax.js';
import type { ParseContext } from './parse-file.js';

// ---------------------------------------------------------------------------------------------------
// Pure helpers (no YAML): reusable for live Docker specs.

/** Intent / suppression label names. */
export const LABEL_REPLICATION = 'stateful-ha.io/replication';
export const LABEL_DR_TARGET = 'stateful-ha.io/dr-target';
export const LABEL_IGNORE = 'stateful-ha.io/ignore';

/** `deploy` keys that only a swarm honours: their presence makes a compose file a swarm stack. */
const SWARM_ONLY_DEPLOY_KEYS = ['placement', 'max_replicas_per_node', 'restart_policy', 'update_config'];

/** Whether the file name (basename of a path or URI) names a swarm stack file (`docker-stack.yml`). */
export function isStackFileName(fileName: string): boolean {
  const base = fileName.split(/[\\/]/).pop() ?? '';
  return /stack/i.test(base);
}

/** The Docker engine's socket (or named pipe): mounting it gives control of the engine, it holds no data. */
export function isDockerSocket(path: string | undefined): boolean {
  if (!path) return false;
  return /(^|[\\/])docker\.sock$/.test(path) || /[\\/]pipe[\\/]docker_engine$/.test(path);
}

/** The last path segment has an extension (`/etc/nginx/nginx.conf`): a single file, not a data directory. */
export function targetLooksLikeFile(target: string): boolean {
  const last =
    target
      .replace(/[\\/]+$/, '')
      .split(/[\\/]/)
      .pop() ?? '';
  const dot = last.lastIndexOf('.');
  return dot > 0 && dot < last.length - 1;
}

/** Host paths that are obviously not application data (kernel/system views, time zone). */
export function isSystemPath(path: string | undefined): boolean {
  if (!path) return false;
  const p = path.replace(/\/+$/, '');
  return (
    /^\/(proc|sys|dev)(\/|$)/.test(p) ||
    p === '/etc/localtime' ||
    p === '/etc/timezone' ||
    p === '/etc/hostname' ||
    p === '/etc/hosts' ||
    p === '/lib/modules' ||
    p === '/usr/share/zoneinfo' ||
    /^\/(var\/)?run(\/|$)/.test(p) ||
    /^\/var\/lib\/docker(\/|$)/.test(p) ||
    /^\/var\/log(\/|$)/.test(p)
  );
}

/**
 * Whether a mount holds data (DESIGN.md "Not data"): persistent, writable, not a secret/config, not the
 * Docker socket, not a bind of a single file or of a system path.
 */
export function mountIsData(m: {
  type: MountType;
  source?: string;
  target: string;
  readOnly: boolean;
  persistent: boolean;
}): boolean {
  if (!m.persistent || m.readOnly) return false;
  if (m.type === 'config' || m.type === 'tmpfs' || m.type === 'anonymous' || m.type === 'other') return false;
  if (isDockerSocket(m.source) || isDockerSocket(m.target)) return false;
  if (
    m.type === 'bind' &&
    (targetLooksLikeFile(m.target) || isSystemPath(m.source) || isSystemPath(m.target))
  )
    return false;
  return true;
}

/** Storage of a bind mount: the host's own disk. */
export function bindProfile(source: string): StorageProfile {
  return {
    kind: 'node-local',
    copies: 1,
    pinsToNode: false,
    description: `bind mount \`${source}\``,
    declared: false,
    provider: 'bind',
  };
}

/** Storage of an anonymous volume or tmpfs: on this node, gone with the container. */
export function ephemeralProfile(description: string): StorageProfile {
  return { kind: 'node-local', copies: 1, pinsToNode: false, description, declared: false };
}

function configProfile(description: string): StorageProfile {
  return { kind: 'unknown', copies: null, pinsToNode: false, description, declared: false };
}

/** What is known about a compose (or live Docker) named volume. */
export interface ComposeVolumeDefinition {
  name: string;
  /** Driver as written; undefined = `local`. */
  driver?: string;
  driverOpts: Record<string, string>;
  driverOptRanges?: Record<string, SourceRange>;
  external: boolean;
  labels: Record<string, string>;
  /** Declared in the file's top-level `volumes` (false: used by a service only). */
  declared?: boolean;
  definedAt?: SourceRange;
  definedBy?: string;
}

/**
 * Storage profile of a compose named volume: the catalog by driver (default `local`; `local` with
 * `driver_opts.type: nfs` is shared), an external volume without a driver is unknown, and a
 * `stateful-ha.io/storage` label overrides both.
 */
export function composeVolumeStorage(catalog: Catalog, v: ComposeVolumeDefinition): StorageProfile {
  let profile: StorageProfile;
  if (v.external && v.driver === undefined) {
    profile = {
      kind: 'unknown',
      copies: null,
      pinsToNode: false,
      description: `external volume \`${v.name}\` (driver not in the file)`,
      declared: false,
    };
  } else {
    const driver = v.driver ?? 'local';
    const type = v.driverOpts['type'];
    const extra = type ? `, type ${type}` : '';
    const undeclared = v.declared === false ? ', not declared in top-level `volumes`' : '';
    profile = catalog.composeVolumeProfile(
      driver,
      { parameters: v.driverOpts, parameterRanges: v.driverOptRanges },
      `${v.external ? 'external ' : ''}volume \`${v.name}\` (${driver} driver${extra}${undeclared})`,
    );
  }
  profile = declaredProfile(v.labels, profile);
  if (v.definedAt) profile.definedAt = v.definedAt;
  if (v.definedBy) profile.definedBy = v.definedBy;
  return profile;
}

/** Parses a Go-style duration (`1m30s`, `10s`, `500ms`, `2h`; a bare number is seconds) into seconds. */
export function parseDurationSeconds(text: string): number | undefined {
  const s = text.trim();
  if (s === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s);
  const unit: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6, µs: 1e-6, ns: 1e-9 };
  const re = /(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/gy;
  let total = 0;
  let pos = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    total += Number(m[1]) * unit[m[2]!]!;
    pos = re.lastIndex;
  }
  return pos === s.length && pos > 0 ? total : undefined;
}

function portRange(text: string): number[] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text.trim());
  if (!m) return [];
  const a = Number(m[1]);
  const b = m[2] !== undefined ? Number(m[2]) : a;
  if (!(a > 0 && a <= 65535) || b < a || b > 65535) return [];
  const out: number[] = [];
  for (let p = a; p <= b && out.length < 1000; p++) out.push(p);
  return out;
}

/** Host ports of a short-syntax port (`8080:80`, `127.0.0.1:8080:80/tcp`, `[::1]:80:80`); [] when none. */
export function hostPortsFromShortSyntax(spec: string): number[] {
  const s = spec.trim().replace(/\/[a-z]+$/i, '');
  const m = /^(?:(?:\[[^\]]*\]|[^:]*):)?([^:]*):([^:]+)$/.exec(s);
  return m ? portRange(m[1]!) : [];
}

/** Parses `stateful-ha.io/ignore: "rule[,rule]: reason"`. */
export function parseIgnoreValue(value: string): { rules: string[]; reason: string } {
  const colon = value.indexOf(':');
  const rulesText = colon >= 0 ? value.slice(0, colon) : value;
  const reason = colon >= 0 ? value.slice(colon + 1).trim() : '';
  const rules = rulesText
    .split(/[,\s]+/)
    .map((r) => r.trim())
    .filter((r) => r !== '');
  return { rules, reason };
}

/**
 * Intent from merged labels (later sources override earlier ones for replication/dr-target; every
 * ignore is kept). `rangeOf` gives the range of a label's value.
 */
export function intentFromLabels(
  sources: { values: Record<string, string>; rangeOf: (key: string) => SourceRange }[],
): Intent {
  const intent: Intent = { ignores: [] };
  for (const { values, rangeOf } of sources) {
    const replication = values[LABEL_REPLICATION]?.trim().toLowerCase();
    if (
      replication === 'app' ||
      replication === 'storage' ||
      replication === 'both' ||
      replication === 'none'
    ) {
      intent.replication = replication;
      intent.replicationRange = rangeOf(LABEL_REPLICATION);
    }
    const dr = values[LABEL_DR_TARGET]?.trim();
    if (dr) {
      intent.drTarget = dr;
      intent.drTargetRange = rangeOf(LABEL_DR_TARGET);
    }
    const ignore = values[LABEL_IGNORE];
    if (ignore !== undefined) {
      const { rules, reason } = parseIgnoreValue(ignore);
      if (rules.length > 0) intent.ignores.push({ rules, reason, range: rangeOf(LABEL_IGNORE) });
    }
  }
  return intent;
}

// ---------------------------------------------------------------------------------------------------
// The file parser

interface FileState {
  ctx: ParseContext;
  doc: Document;
  docIndex: number;
  file: string;
  volumes: Map<string, { object: ComposeVolumeObject; labels: Record<string, string> }>;
}

export function parseComposeFile(
  ctx: ParseContext,
  parsed: ParsedDocument,
  options: { fileName: string },
): { workloads: Workload[]; objects: ManifestObject[] } {
  const doc = parsed.doc;
  const root = doc.contents;
  const state: FileState = { ctx, doc, docIndex: parsed.index, file: ctx.source.path, volumes: new Map() };
  const objects: ManifestObject[] = [];
  const workloads: Workload[] = [];
  if (!isMap(root)) return { workloads, objects };

  for (const pair of lastOfEachKey(pairsOf(doc, get(doc, root, 'volumes')))) {
    const v = safely(() => parseTopLevelVolume(state, pair));
    if (v) {
      objects.push(v.object);
      state.volumes.set(v.object.name, v);
    }
  }

  const servicePairs = lastOfEachKey(pairsOf(doc, get(doc, root, 'services'))).filter((p) =>
    isMap(deref(doc, p.value)),
  );
  // Each service as compose runs it: with what it inherits through `extends` (compose-extends.ts).
  const serviceMaps = new Map<string, Node | undefined>();
  for (const p of servicePairs) serviceMaps.set(keyOf(p) ?? '', deref(doc, p.value));
  const specs = servicePairs.map((p) => safely(() => extendedService(doc, serviceMaps, keyOf(p) ?? '')));
  const swarm =
    isStackFileName(options.fileName) ||
    specs.some((spec) => safely(() => usesSwarmKeys(doc, spec)) === true);
  const target: Target = swarm ? 'swarm' : 'single-host';
  servicePairs.forEach((pair, i) => {
    const w = safely(() => parseService(state, pair, specs[i], target));
    if (w) workloads.push(w);
  });
  return { workloads, objects };
}

/** A duplicated key (the file is parsed with `uniqueKeys: false`) counts once: the last one wins, as in `get`. */
function lastOfEachKey(pairs: Pair<Node, Node>[]): Pair<Node, Node>[] {
  const last = new Map<string | undefined, Pair<Node, Node>>();
  for (const p of pairs) last.set(keyOf(p), p);
  return pairs.filter((p) => last.get(keyOf(p)) === p);
}

/** Last line of defence: a surprise in one service must not lose the rest of the file. */
function safely<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

function usesSwarmKeys(doc: Document, service: Node | undefined): boolean {
  const deploy = get(doc, service, 'deploy');
  if (!isMap(deploy)) return false;
  if (SWARM_ONLY_DEPLOY_KEYS.some((k) => getPair(doc, deploy, k) !== undefined)) return true;
  const mode = str(doc, get(doc, deploy, 'mode'));
  return mode === 'global' || mode === 'global-job';
}

function parseTopLevelVolume(
  state: FileState,
  pair: Pair<Node, Node>,
): { object: ComposeVolumeObject; labels: Record<string, string> } | undefined {
  const { ctx, doc } = state;
  const name = keyOf(pair);
  if (name === undefined || name === '') return undefined;
  const value = deref(doc, pair.value);
  const map = isMap(value) ? value : undefined;
  const ref = `volume/${name}`;
  const id = `${state.file}#${state.docIndex}/${ref}`;
  const nameRange = ctx.locator.node(pair.key, ctx.locator.at(0, 0));
  const span = ctx.locator.pair(pair);

  const driver = str(doc, get(doc, map, 'driver'));
  const driverOpts: Record<string, string> = {};
  const driverOptRanges: Record<string, SourceRange> = {};
  for (const p of pairsOf(doc, get(doc, map, 'driver_opts'))) {
    const k = keyOf(p);
    const v = str(doc, p.value);
    if (k === undefined || v === undefined) continue;
    driverOpts[k] = v;
    driverOptRanges[k] = ctx.locator.node(deref(doc, p.value), span);
  }
  const externalNode = get(doc, map, 'external');
  // `external: true`, or the legacy `external: { name: x }`.
  const external =
    (isScalar(externalNode) &&
      (externalNode.value === true || String(externalNode.value).toLowerCase() === 'true')) ||
    isMap(externalNode);
  const labelMap = stringMap(doc, get(doc, map, 'labels'));
  const labels = labelMap.values;

  const profile = composeVolumeStorage(ctx.catalog, {
    name,
    driver,
    driverOpts,
    driverOptRanges,
    external,
    labels,
    declared: true,
    definedAt: span,
    definedBy: id,
  });
  const ignores = intentFromLabels([
    { values: labelMap.values, rangeOf: (key) => ctx.locator.node(labelMap.ranges[key], nameRange) },
  ]).ignores;
  const object: ComposeVolumeObject = {
    id,
    ref,
    name,
    namespace: '',
    file: state.file,
    docIndex: state.docIndex,
    span,
    nameRange,
    kindRange: nameRange,
    labels,
    annotations: { ...labels },
    node: map,
    origin: 'file',
    ...(ignores.length > 0 ? { ignores } : {}),
    kind: 'volume',
    driver,
    driverOpts,
    driverOptRanges,
    external,
    profile,
  };
  return { object, labels };
}

/** `spec`: the service's configuration with what it inherits (`extends`); the model's node is its own map. */
function parseService(
  state: FileState,
  pair: Pair<Node, Node>,
  spec: Node | undefined,
  target: Target,
): Workload | undefined {
  const { ctx, doc } = state;
  const name = keyOf(pair);
  const own = deref(doc, pair.value);
  const service = spec ?? own;
  if (name === undefined || name === '' || !isMap(own) || !isMap(service)) return undefined;
  const ref = `service/${name}`;
  const id = `${state.file}#${state.docIndex}/${ref}`;
  const nameRange = ctx.locator.node(pair.key, ctx.locator.at(0, 0));
  const span = ctx.locator.pair(pair);
  const deploy = get(doc, service, 'deploy');
  const placementNode = get(doc, deploy, 'placement');

  // Container
  const imageNode = get(doc, service, 'image');
  const image = str(doc, imageNode) ?? '';
  const env = stringMap(doc, get(doc, service, 'environment')).values;
  const args = [...words(doc, get(doc, service, 'entrypoint')), ...words(doc, get(doc, service, 'command'))];
  const mounts = [
    ...serviceVolumes(state, service, nameRange),
    ...tmpfsMounts(state, service, nameRange),
    ...configMounts(state, service, 'secrets', nameRange),
    ...configMounts(state, service, 'configs', nameRange),
  ];
  const container: Container = {
    name,
    image,
    imageRange: imageNode && image ? ctx.locator.node(imageNode, nameRange) : undefined,
    env,
    args,
    mounts,
    hostPorts: hostPorts(doc, get(doc, service, 'ports'), target),
  };

  // Replicas
  const mode = str(doc, get(doc, deploy, 'mode'));
  const global = mode === 'global' || mode === 'global-job';
  const replicasPair = getPair(doc, deploy, 'replicas') ?? getPair(doc, service, 'scale');
  const replicasExplicit = replicasPair !== undefined && deref(doc, replicasPair.value) !== undefined;
  let replicas: number | null = 1;
  if (global) replicas = null;
  else if (replicasExplicit) {
    const n = num(doc, replicasPair!.value);
    // Present but not a number (`${REPLICAS}`): unknown, so count-based rules stay silent.
    replicas = n !== undefined && Number.isInteger(n) && n >= 0 ? n : null;
  }
  const maxPerNodePair =
    getPair(doc, placementNode, 'max_replicas_per_node') ?? getPair(doc, deploy, 'max_replicas_per_node');
  const maxReplicasPerNode = maxPerNodePair ? num(doc, maxPerNodePair.value) : undefined;

  // Placement and spread
  const placement = placementOf(state, placementNode);
  let spread: Spread = { ok: false };
  if (maxReplicasPerNode === 1 && maxPerNodePair) {
    spread = { ok: true, detail: 'max_replicas_per_node: 1', range: ctx.locator.pair(maxPerNodePair) };
  } else if (global) {
    const modePair = getPair(doc, deploy, 'mode');
    spread = { ok: true, detail: 'mode: global', range: modePair ? ctx.locator.pair(modePair) : undefined };
  }

  // Restart policy
  let restartPair: Pair<Node, Node> | undefined;
  if (target === 'swarm') restartPair = getPair(doc, get(doc, deploy, 'restart_policy'), 'condition');
  else restartPair = getPair(doc, service, 'restart');
  const restartPolicy = restartPair ? str(doc, restartPair.value) : undefined;

  // Stop grace period
  const gracePair = getPair(doc, service, 'stop_grace_period');
  const graceText = gracePair ? str(doc, gracePair.value) : undefined;
  const stopGraceSeconds = graceText !== undefined ? parseDurationSeconds(graceText) : undefined;

  // Labels and intent
  const serviceLabels = stringMap(doc, get(doc, service, 'labels'));
  const deployLabels = stringMap(doc, get(doc, deploy, 'labels'));
  const extension = extensionLabels(doc, get(doc, service, 'x-stateful-ha'));
  const rangeIn = (ranges: Record<string, Node>) => (key: string) => ctx.locator.node(ranges[key], nameRange);
  const labels = { ...serviceLabels.values, ...deployLabels.values, ...extension.values };
  const intent = intentFromLabels([
    { values: serviceLabels.values, rangeOf: rangeIn(serviceLabels.ranges) },
    { values: deployLabels.values, rangeOf: rangeIn(deployLabels.ranges) },
    { values: extension.values, rangeOf: rangeIn(extension.ranges) },
  ]);
  for (const extra of extension.extraIgnores) {
    intent.ignores.push({
      rules: extra.rules,
      reason: extra.reason,
      range: ctx.locator.node(extra.node, nameRange),
    });
  }

  // Engine and backup
  const engine = image ? ctx.catalog.matchEngine(container) : undefined;
  const tool = image ? ctx.catalog.matchBackupTool(image) : undefined;
  const backup: BackupTool | undefined = tool
    ? {
        tool: tool.id,
        offSite: ctx.catalog.backupIsOffSite(env, args),
        volumes: [
          ...new Set(mounts.filter((m) => m.type === 'named-volume' && m.source).map((m) => m.source!)),
        ],
      }
    : undefined;

  const stateful = !backup && !engine?.arbiter && (mounts.some((m) => m.isData) || engine !== undefined);

  return {
    id,
    ref,
    name,
    namespace: '',
    file: state.file,
    docIndex: state.docIndex,
    span,
    nameRange,
    kindRange: nameRange,
    labels,
    annotations: { ...labels },
    node: own,
    origin: 'file',
    kind: 'service',
    platform: 'compose',
    target,
    containers: [container],
    engine,
    replicas,
    replicasRange: replicasPair ? ctx.locator.pair(replicasPair) : undefined,
    global,
    podLabels: { ...serviceLabels.values },
    selector: undefined,
    intent,
    placement,
    spread,
    restartPolicy,
    restartPolicyRange: restartPair ? ctx.locator.pair(restartPair) : undefined,
    stopGraceSeconds,
    stopGraceRange: gracePair && stopGraceSeconds !== undefined ? ctx.locator.pair(gracePair) : undefined,
    dependsOn: dependsOn(doc, get(doc, service, 'depends_on')),
    backup,
    replicasExplicit,
    maxReplicasPerNode,
    stateful,
  };
}

/** `x-stateful-ha: { replication, dr-target, ignore }` (short or full `stateful-ha.io/…` keys). */
function extensionLabels(
  doc: Document,
  node: Node | undefined,
): {
  values: Record<string, string>;
  ranges: Record<string, Node>;
  extraIgnores: { rules: string[]; reason: string; node: Node }[];
} {
  const values: Record<string, string> = {};
  const ranges: Record<string, Node> = {};
  const extraIgnores: { rules: string[]; reason: string; node: Node }[] = [];
  for (const p of pairsOf(doc, node)) {
    const k = keyOf(p);
    if (k === undefined) continue;
    const full = k.startsWith('stateful-ha.io/') ? k : `stateful-ha.io/${k}`;
    const valueNode = deref(doc, p.value);
    if (full === LABEL_IGNORE && isSeq(valueNode)) {
      // A list of ignores: each item one `rule[,rule]: reason`.
      for (const item of items(doc, valueNode)) {
        const s = str(doc, item);
        if (s === undefined) continue;
        const parsed = parseIgnoreValue(s);
        if (parsed.rules.length > 0) extraIgnores.push({ ...parsed, node: item });
      }
      continue;
    }
    const v = str(doc, valueNode);
    if (v === undefined) continue;
    values[full] = v;
    ranges[full] = valueNode ?? (p.key as Node);
  }
  return { values, ranges, extraIgnores };
}

function placementOf(state: FileState, placementNode: Node | undefined): Placement {
  const { doc, ctx } = state;
  for (const item of items(doc, get(doc, placementNode, 'constraints'))) {
    const text = str(doc, item);
    if (text === undefined) continue;
    if (/^\s*node\.(hostname|id|labels\.[^\s=!]+)\s*==\s*\S/.test(text)) {
      return { pinned: true, detail: text.trim(), range: ctx.locator.node(item, ctx.locator.at(0, 0)) };
    }
  }
  return { pinned: false };
}

function dependsOn(doc: Document, node: Node | undefined): string[] {
  if (isSeq(node)) return items(doc, node).flatMap((i) => str(doc, i) ?? []);
  if (isMap(node)) return pairsOf(doc, node).flatMap((p) => keyOf(p) ?? []);
  return [];
}

function hostPorts(doc: Document, node: Node | undefined, target: Target): number[] {
  const out: number[] = [];
  for (const item of items(doc, node)) {
    if (isMap(item)) {
      const published = str(doc, get(doc, item, 'published'));
      if (published === undefined) continue;
      // In a swarm, only `mode: host` binds the port on the node itself (ingress is the routing mesh).
      const mode = str(doc, get(doc, item, 'mode'));
      if (target === 'swarm' && mode !== 'host') continue;
      out.push(...portRange(published));
    } else if (target !== 'swarm') {
      // Short syntax: a number is a container port only; `host:container` publishes.
      const n = deref(doc, item);
      if (!isScalar(n) || typeof n.value !== 'string') continue;
      out.push(...hostPortsFromShortSyntax(n.value));
    }
  }
  return [...new Set(out)];
}

function namedVolumeMount(
  state: FileState,
  source: string,
  target: string,
  readOnly: boolean,
  range: SourceRange,
): DataMount {
  const declared = state.volumes.get(source);
  const storage = declared
    ? { ...declared.object.profile }
    : composeVolumeStorage(state.ctx.catalog, {
        name: source,
        driverOpts: {},
        external: false,
        labels: {},
        declared: false,
      });
  return persistentMount('named-volume', source, target, readOnly, range, storage, declared?.object.span);
}

function bindMount(source: string, target: string, readOnly: boolean, range: SourceRange): DataMount {
  return persistentMount('bind', source, target, readOnly, range, bindProfile(source), undefined);
}

/** A named volume or bind mount, as one literal (one object layout for both, see `withFields`). */
function persistentMount(
  type: 'named-volume' | 'bind',
  source: string,
  target: string,
  readOnly: boolean,
  range: SourceRange,
  storage: StorageProfile,
  definedAt: SourceRange | undefined,
): DataMount {
  const isData = mountIsData({ type, source, target, readOnly, persistent: true });
  return { type, source, target, readOnly, persistent: true, isData, definedAt, range, storage };
}

function anonymousMount(target: string, readOnly: boolean, range: SourceRange): DataMount {
  return {
    type: 'anonymous',
    target,
    readOnly,
    persistent: false,
    isData: false,
    range,
    storage: ephemeralProfile(`anonymous volume at \`${target}\``),
  };
}

function tmpfsMount(target: string, range: SourceRange): DataMount {
  return {
    type: 'tmpfs',
    target,
    readOnly: false,
    persistent: false,
    isData: false,
    range,
    storage: ephemeralProfile(`tmpfs at \`${target}\` (memory)`),
  };
}

function serviceVolumes(state: FileState, service: Node, fallback: SourceRange): DataMount[] {
  const { doc, ctx } = state;
  const out: DataMount[] = [];
  for (const item of items(doc, get(doc, service, 'volumes'))) {
    const range = ctx.locator.node(item, fallback);
    if (isScalar(item)) {
      const spec = str(doc, item);
      const short = spec !== undefined ? mountFromShortSyntax(spec) : undefined;
      if (!short || short.target === '') continue;
      if (short.type === 'anonymous') out.push(anonymousMount(short.target, short.readOnly, range));
      else if (short.type === 'bind') out.push(bindMount(short.source!, short.target, short.readOnly, range));
      else out.push(namedVolumeMount(state, short.source!, short.target, short.readOnly, range));
      continue;
    }
    if (!isMap(item)) continue;
    const type = str(doc, get(doc, item, 'type'));
    const source = str(doc, get(doc, item, 'source'));
    const target = str(doc, get(doc, item, 'target')) ?? str(doc, get(doc, item, 'destination'));
    if (target === undefined || target === '') continue;
    const readOnlyNode = deref(doc, get(doc, item, 'read_only'));
    const readOnly =
      isScalar(readOnlyNode) && (readOnlyNode.value === true || String(readOnlyNode.value) === 'true');
    const effectiveType =
      type ?? (source === undefined || source === '' ? 'volume' : isBindSource(source) ? 'bind' : 'volume');
    switch (effectiveType) {
      case 'volume':
        if (source === undefined || source === '') out.push(anonymousMount(target, readOnly, range));
        else out.push(namedVolumeMount(state, source, target, readOnly, range));
        break;
      case 'bind':
        if (source !== undefined && source !== '') out.push(bindMount(source, target, readOnly, range));
        break;
      case 'tmpfs':
        out.push(tmpfsMount(target, range));
        break;
      default: {
        // npipe, cluster, image…: not data the advisor can reason about.
        out.push({
          type: 'other',
          source,
          target,
          readOnly,
          persistent: effectiveType !== 'npipe',
          isData: false,
          range,
          storage: configProfile(`${effectiveType} mount at \`${target}\``),
        });
      }
    }
  }
  return out;
}

function tmpfsMounts(state: FileState, service: Node, fallback: SourceRange): DataMount[] {
  const { doc, ctx } = state;
  const node = get(doc, service, 'tmpfs');
  const entries = isSeq(node) ? items(doc, node) : node !== undefined ? [node] : [];
  const out: DataMount[] = [];
  for (const entry of entries) {
    const s = str(doc, entry);
    if (s === undefined || s.trim() === '') continue;
    const target = s.trim().split(':')[0]!;
    out.push(tmpfsMount(target, ctx.locator.node(entry, fallback)));
  }
  return out;
}

function configMounts(
  state: FileState,
  service: Node,
  key: 'secrets' | 'configs',
  fallback: SourceRange,
): DataMount[] {
  const { doc, ctx } = state;
  const out: DataMount[] = [];
  for (const item of items(doc, get(doc, service, key))) {
    let source: string | undefined;
    let target: string | undefined;
    if (isMap(item)) {
      source = str(doc, get(doc, item, 'source'));
      target = str(doc, get(doc, item, 'target'));
    } else {
      source = str(doc, item);
    }
    if (source === undefined) continue;
    if (target === undefined) target = key === 'secrets' ? `/run/secrets/${source}` : `/${source}`;
    else if (key === 'secrets' && !target.startsWith('/')) target = `/run/secrets/${target}`;
    out.push({
      type: 'config',
      source,
      target,
      readOnly: true,
      persistent: true,
      isData: false,
      range: ctx.locator.node(item, fallback),
      storage: configProfile(`${key === 'secrets' ? 'secret' : 'config'} \`${source}\``),
    });
  }
  return out;
}
