// The catalog as the rules see it: the built-in data merged with the workspace's `.stateful-ha.yaml`
// extensions, plus the lookups (image → engine, driver/provisioner → storage profile).
import type { Container, EngineMatch, StorageKind, StorageProfile } from '../model/model.js';
import type { SourceRange } from '../model/source.js';
import { ENGINES, type EngineDefinition, type ReplicationSwitch } from './engines.js';
import {
  BACKUP_TOOLS,
  COMPOSE_DRIVERS,
  KUBERNETES_PROVISIONERS,
  REMOTE_BACKUP_ENV,
  REMOTE_REPOSITORY_VALUE,
  type BackupToolDefinition,
  type StorageDefinition,
} from './storage.js';

export interface ParsedImage {
  /** Registry host, if any (`docker.io`, `quay.io`, `gcr.io`). */
  registry?: string;
  /** Path between registry and repository name (`library`, `bitnami`, `confluentinc`). */
  namespace?: string;
  /** Last path segment, lower-case, without tag or digest. */
  repository: string;
  /** Namespace + repository (`bitnami/postgresql`). */
  path: string;
}

export function parseImage(image: string): ParsedImage {
  let parsed = parsedImages.get(image);
  if (parsed === undefined) {
    if (parsedImages.size >= PARSED_IMAGES_MAX) parsedImages.clear();
    parsed = Object.freeze(parseImageRef(image));
    parsedImages.set(image, parsed);
  }
  return parsed;
}

/**
 * Parsed images by reference, shared (frozen): a workspace names few distinct images in many containers
 * (5,000 generated files: ~15,000 containers), and the engine and backup-tool matches parse each one.
 */
const parsedImages = new Map<string, Readonly<ParsedImage>>();
const PARSED_IMAGES_MAX = 4096;

function parseImageRef(image: string): ParsedImage {
  let ref = image.trim().toLowerCase();
  const at = ref.indexOf('@');
  if (at >= 0) ref = ref.slice(0, at);
  const parts = ref.split('/');
  let registry: string | undefined;
  if (parts.length > 1 && /[.:]|^localhost$/.test(parts[0] ?? '')) registry = parts.shift();
  const last = parts.pop() ?? '';
  const colon = last.indexOf(':');
  const repository = colon >= 0 ? last.slice(0, colon) : last;
  const namespace = parts.length ? parts.join('/') : undefined;
  return { registry, namespace, repository, path: namespace ? `${namespace}/${repository}` : repository };
}

export interface StorageParams {
  /** Driver options / StorageClass parameters (literal values). */
  parameters: Record<string, string>;
  /** Ranges of the parameters, to point at `repl`. */
  parameterRanges?: Record<string, SourceRange>;
}

export class Catalog {
  constructor(
    readonly engines: EngineDefinition[] = ENGINES,
    readonly composeDrivers: StorageDefinition[] = COMPOSE_DRIVERS,
    readonly provisioners: StorageDefinition[] = KUBERNETES_PROVISIONERS,
    readonly backupTools: BackupToolDefinition[] = BACKUP_TOOLS,
  ) {
    for (const e of engines) for (const img of e.images) this.engineByRepository.set(img.toLowerCase(), e);
  }

  private readonly engineByRepository = new Map<string, EngineDefinition>();
  /** Each engine's trusted image namespaces, made at its first match. */
  private readonly trustedNamespaces = new Map<EngineDefinition, ReadonlySet<string>>();

  engineById(id: string): EngineDefinition | undefined {
    return this.engines.find((e) => e.id === id);
  }

  /** Which engine (if any) a container runs, with the facts the rules need about this container. */
  matchEngine(container: Container): EngineMatch | undefined {
    const img = parseImage(container.image);
    if (!img.repository) return undefined;
    // User entries may name a full path (`acme/pg-custom`), built-ins name the repository.
    const def = this.engineByRepository.get(img.path) ?? this.engineByRepository.get(img.repository);
    if (!def) return undefined;
    const bitnami = img.namespace === 'bitnami' || (img.namespace ?? '').endsWith('/bitnami');
    let trustedNamespaces = this.trustedNamespaces.get(def);
    if (!trustedNamespaces) {
      trustedNamespaces = new Set(['library', 'bitnami', ...(def.trustedNamespaces ?? [])]);
      this.trustedNamespaces.set(def, trustedNamespaces);
    }
    const trustedImage =
      img.namespace === undefined ||
      trustedNamespaces.has(img.namespace) ||
      (img.registry !== undefined && trustedNamespaces.has(img.registry)) ||
      this.engineByRepository.get(img.path) === def;
    const words = container.args;
    const dataDirOverridden =
      (def.dataDirSettings?.env ?? []).some((name) => name in container.env) ||
      (def.dataDirSettings?.args ?? []).some((a) => hasArg(words, a));
    const arbiter = (def.arbiter ?? []).some((s) => switchMatches(s, container));
    const replicationEnabled =
      def.replication === 'app' ||
      (def.replication === 'optional' &&
        (def.replicationSwitches ?? []).some((s) => switchMatches(s, container)));
    return {
      id: def.id,
      name: def.name,
      replication: def.replication,
      replicationEnabled,
      quorum: def.quorum,
      dataPaths: bitnami && def.bitnamiDataPaths ? def.bitnamiDataPaths : def.dataPaths,
      trustedImage,
      dataDirOverridden,
      arbiter,
      container: container.name,
    };
  }

  /** Storage profile of a compose volume driver (undefined driver = `local`). */
  composeVolumeProfile(
    driver: string | undefined,
    params: StorageParams,
    description: string,
  ): StorageProfile {
    return profileFrom(this.composeDrivers, driver ?? 'local', params, description);
  }

  /** Storage profile of a Kubernetes provisioner (StorageClass) or CSI driver (PV). */
  provisionerProfile(provisioner: string, params: StorageParams, description: string): StorageProfile {
    return profileFrom(this.provisioners, provisioner, params, description);
  }

  /** Node-local or zonal provisioners, for which `Immediate` binding can strand a pod. */
  isTopologyBound(provisioner: string): boolean {
    return findDefinition(this.provisioners, provisioner)?.topologyBound === true;
  }

  /** The backup tool a compose service image is, if any. */
  matchBackupTool(image: string): BackupToolDefinition | undefined {
    const img = parseImage(image);
    this.backupToolImages ??= this.backupTools.map((tool) => ({ tool, images: tool.images.map(parseImage) }));
    return this.backupToolImages.find(({ images }) =>
      images.some(
        (c) => c.path === img.path || (c.namespace === undefined && c.repository === img.repository),
      ),
    )?.tool;
  }

  /** The backup tools' images, parsed once (every compose service is matched against all of them). */
  private backupToolImages: { tool: BackupToolDefinition; images: ParsedImage[] }[] | undefined;

  /** Whether a backup container is configured with a remote (off-site) target. Values are only tested. */
  backupIsOffSite(env: Record<string, string>, args: string[]): boolean {
    for (const [name, value] of Object.entries(env)) {
      if (REMOTE_BACKUP_ENV.some((re) => re.test(name)) && value !== '') return true;
      if (/REPOSITORY|REPO|TARGET|DESTINATION|URL/i.test(name) && REMOTE_REPOSITORY_VALUE.test(value))
        return true;
    }
    return args.some((a) => REMOTE_REPOSITORY_VALUE.test(a.replace(/^-[\w-]+=/, '')));
  }
}

function hasArg(words: string[], arg: string): boolean {
  return words.some(
    (w) => w === arg || w.startsWith(`${arg}=`) || (arg.startsWith('http') && w.includes(arg)),
  );
}

function switchMatches(s: ReplicationSwitch, container: Container): boolean {
  if (s.env !== undefined) {
    const value = container.env[s.env];
    if (value === undefined || value === '') return false;
    return s.values === undefined || s.values.includes(value.toLowerCase());
  }
  if (s.arg !== undefined) {
    const wordMatch = hasArg(container.args, s.arg);
    if (!wordMatch) return false;
    if (s.values === undefined) return true;
    const idx = container.args.findIndex((w) => w === s.arg);
    const v = idx >= 0 ? container.args[idx + 1] : undefined;
    return v !== undefined && s.values.includes(v.toLowerCase());
  }
  return false;
}

function findDefinition(defs: StorageDefinition[], name: string): StorageDefinition | undefined {
  const n = name.toLowerCase();
  return defs.find((d) => d.names.some((x) => x.toLowerCase() === n));
}

function profileFrom(
  defs: StorageDefinition[],
  name: string,
  { parameters, parameterRanges }: StorageParams,
  description: string,
): StorageProfile {
  const def = findDefinition(defs, name);
  if (!def)
    return { kind: 'unknown', copies: null, pinsToNode: false, description, declared: false, provider: name };
  let kind: StorageKind = def.kind;
  let copies: number | null = def.copies ?? def.defaultCopies ?? null;
  let copiesRange: SourceRange | undefined;
  const variant = def.variants?.find((v) => v.matches.test(parameters[v.parameter] ?? ''));
  if (variant) {
    kind = variant.kind;
    copies = variant.copies ?? copies;
  } else if (def.copiesParameter) {
    for (const p of def.copiesParameter) {
      const key = Object.keys(parameters).find((k) => k.toLowerCase() === p.toLowerCase());
      if (key === undefined) continue;
      const n = Number.parseInt(parameters[key] ?? '', 10);
      if (Number.isFinite(n) && n > 0) {
        copies = n;
        copiesRange = parameterRanges?.[key];
      }
      break;
    }
  }
  return {
    kind,
    copies,
    copiesRange,
    pinsToNode: kind === 'node-local' && def.pinsToNode === true,
    description,
    declared: false,
    provider: name,
  };
}

/**
 * A `stateful-ha.io/storage` declaration overrides the catalog (labels on compose volumes, Docker volumes,
 * annotations/labels on StorageClasses and PVs).
 */
export function declaredProfile(labels: Record<string, string>, fallback: StorageProfile): StorageProfile {
  const declared = labels['stateful-ha.io/storage']?.trim().toLowerCase();
  if (!declared || !['node-local', 'shared', 'zonal', 'replicated'].includes(declared)) return fallback;
  const kind = declared as StorageKind;
  const n = Number.parseInt(labels['stateful-ha.io/storage-copies'] ?? '', 10);
  return {
    ...fallback,
    kind,
    copies: kind === 'replicated' ? (Number.isFinite(n) && n > 0 ? n : null) : 1,
    copiesRange: undefined,
    pinsToNode: false,
    declared: true,
  };
}
