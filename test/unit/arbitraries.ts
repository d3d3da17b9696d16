// fast-check generators for property-based tests: random compose files and Kubernetes manifests built from
// the advisor's model (engines from the catalog, replicas, volumes, storage classes, placement,
// anti-affinity, disruption budgets, DR targets, suppressions), then rendered as YAML text by a small
// emitter that can vary everything that must NOT change the findings: key order, block vs flow style,
// scalar quoting, indentation, sprinkled comments, document order and the split into files.
import fc from 'fast-check';
import { parse } from 'yaml';

// ---------------------------------------------------------------------------------------------------
// A tiny YAML tree (ordered maps, comments attached to entries) and its emitter.

export type YNode = YMap | YSeq | YScalar;
export interface YEntry {
  key: string;
  value: YNode;
  /** Comment lines written above the key (without `#`), e.g. a suppression directive. */
  comments?: string[];
}
export interface YMap {
  t: 'map';
  entries: YEntry[];
  /** Key order carries meaning (compose `services`: clusters anchor on the first member). */
  fixedOrder?: boolean;
}
export interface YSeq {
  t: 'seq';
  items: YNode[];
}
export interface YScalar {
  t: 'scalar';
  v: string | number | boolean;
}
export interface YDoc {
  root: YMap;
  /** Comment lines above the document's content (below its `---`). */
  head?: string[];
}

/** Converts a plain JS value (objects keep their insertion order) into a YNode. */
export function y(v: unknown): YNode {
  if (Array.isArray(v)) return { t: 'seq', items: v.map(y) };
  if (typeof v === 'object' && v !== null) {
    return {
      t: 'map',
      entries: Object.entries(v)
        .filter(([, x]) => x !== undefined)
        .map(([key, x]) => ({ key, value: y(x) })),
    };
  }
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return { t: 'scalar', v };
  throw new Error(`cannot convert ${String(v)}`);
}

function ymap(v: Record<string, unknown>): YMap {
  return y(v) as YMap;
}

export interface RenderStyle {
  indent: 2 | 4;
  /** `key:\n  - a` (true) or `key:\n- a` (false). */
  indentSeq: boolean;
  /** 'none': block everywhere; 'leaves': collections of scalars in flow style; 'deep': flow from `flowDepth` down. */
  flow: 'none' | 'leaves' | 'deep';
  /** Depth from which 'deep' renders flow (0 = the whole document). */
  flowDepth: number;
  /** Multi-line flow collections (`{\n  a: 1,\n  b: 2\n}`) instead of one line. */
  flowMultiline: boolean;
  quote: 'plain' | 'single' | 'double' | 'mixed';
  quoteKeys: boolean;
  /** Sprinkle decorative comments between keys and after values. */
  comments: boolean;
  /** Shuffle the keys of every map whose order carries no meaning. */
  shuffle: boolean;
  /** Start the first document with `---`. */
  leadingMarker: boolean;
  seed: number;
}

export const PLAIN_STYLE: RenderStyle = {
  indent: 2,
  indentSeq: true,
  flow: 'none',
  flowDepth: 0,
  flowMultiline: false,
  quote: 'plain',
  quoteKeys: false,
  comments: false,
  shuffle: false,
  leadingMarker: false,
  seed: 1,
};

/** Deterministic PRNG (mulberry32), so a style's random choices shrink and replay with its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const plainCache = new Map<string, boolean>();
/** A string that reads back as the same string when written plain (block or flow context). */
function plainSafe(s: string, flow: boolean): boolean {
  const k = `${flow ? 'f' : 'b'}${s}`;
  const hit = plainCache.get(k);
  if (hit !== undefined) return hit;
  let ok = s !== '' && s.trim() === s && !/[\n#]/.test(s);
  if (ok) {
    try {
      const back = flow ? (parse(`[${s}]`) as unknown[])[0] : (parse(`k: ${s}`) as Record<string, unknown>).k;
      ok = back === s && (!flow || (parse(`[${s}]`) as unknown[]).length === 1);
    } catch {
      ok = false;
    }
  }
  plainCache.set(k, ok);
  return ok;
}

/** Text of a comment marker: unique per render so tests can check each one survives a fix. */
let commentCounter = 0;
const COMMENT_TEXTS = [
  'note',
  'TODO: tune this',
  'key: value-looking comment',
  '- list-looking comment',
  'a # in a comment',
  '',
];

/** Whether a node holds entries with comments (which only block style can carry). */
function hasComments(n: YNode): boolean {
  if (n.t === 'map') return n.entries.some((e) => (e.comments?.length ?? 0) > 0 || hasComments(e.value));
  if (n.t === 'seq') return n.items.some(hasComments);
  return false;
}

class Emitter {
  private readonly r: () => number;
  readonly comments: string[] = [];
  constructor(private readonly s: RenderStyle) {
    this.r = rng(s.seed);
  }

  private chance(p: number): boolean {
    return this.r() < p;
  }

  private comment(): string {
    const text = COMMENT_TEXTS[Math.floor(this.r() * COMMENT_TEXTS.length)]!;
    const marker = `c${++commentCounter}`;
    const c = `# ${marker}${text ? ' ' + text : ''}`;
    this.comments.push(c);
    return c;
  }

  scalar(v: string | number | boolean, flow: boolean, isKey = false): string {
    if (typeof v !== 'string') return String(v);
    const safe = plainSafe(v, flow);
    let mode = this.s.quote;
    if (isKey && !this.s.quoteKeys) mode = 'plain';
    if (mode === 'mixed') mode = (['plain', 'single', 'double'] as const)[Math.floor(this.r() * 3)]!;
    if (mode === 'plain' && safe) return v;
    if (mode === 'single') return `'${v.replace(/'/g, "''")}'`;
    return JSON.stringify(v);
  }

  private entries(m: YMap): YEntry[] {
    if (!this.s.shuffle || m.fixedOrder) return m.entries;
    const out = [...m.entries];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.r() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }

  private isLeaf(n: YNode): boolean {
    if (n.t === 'scalar') return true;
    return n.t === 'map'
      ? n.entries.every((e) => e.value.t === 'scalar')
      : n.items.every((i) => i.t === 'scalar');
  }

  private flowAt(n: YNode, depth: number): boolean {
    if (n.t === 'scalar') return false;
    if ((n.t === 'map' ? n.entries.length : n.items.length) === 0) return true;
    if (this.s.flow === 'leaves') return this.isLeaf(n);
    if (this.s.flow === 'deep') return depth >= this.s.flowDepth && !hasComments(n);
    return false;
  }

  /** One-line (or multi-line) flow rendering; continuation lines indented by `indent`. */
  flow(n: YNode, indent: number): string {
    if (n.t === 'scalar') return this.scalar(n.v, true);
    const parts =
      n.t === 'map'
        ? this.entries(n).map(
            (e) => `${this.scalar(e.key, true, true)}: ${this.flow(e.value, indent + this.s.indent)}`,
          )
        : n.items.map((i) => this.flow(i, indent + this.s.indent));
    const [open, close] = n.t === 'map' ? ['{', '}'] : ['[', ']'];
    if (parts.length === 0) return `${open}${close}`;
    if (this.s.flowMultiline && parts.length > 1) {
      const pad = ' '.repeat(indent + this.s.indent);
      const trailing = this.chance(0.5) ? ',' : '';
      return `${open}\n${parts.map((p) => pad + p).join(',\n')}${trailing}\n${' '.repeat(indent)}${close}`;
    }
    return `${open}${parts.join(', ')}${close}`;
  }

  private trailing(): string {
    return this.s.comments && this.chance(0.15) ? ` ${this.comment()}` : '';
  }

  private commentLine(indent: number): string[] {
    if (!this.s.comments || !this.chance(0.2)) return [];
    // Comment lines may stand at any indentation.
    const at = this.chance(0.7) ? indent : Math.floor(this.r() * (indent + 3));
    return [' '.repeat(at) + this.comment()];
  }

  blockMap(m: YMap, indent: number, depth: number, inSeqItem = false): string[] {
    const lines: string[] = [];
    const pad = ' '.repeat(indent);
    this.entries(m).forEach((e, i) => {
      const first = inSeqItem && i === 0;
      if (!first) lines.push(...this.commentLine(indent));
      if (!first) for (const c of e.comments ?? []) lines.push(`${pad}# ${c}`);
      const key = this.scalar(e.key, false, true);
      const v = e.value;
      if (v.t === 'scalar') lines.push(`${pad}${key}: ${this.scalar(v.v, false)}${this.trailing()}`);
      else if (this.flowAt(v, depth + 1))
        lines.push(`${pad}${key}: ${this.flow(v, indent)}${this.trailing()}`);
      else if (v.t === 'map') {
        lines.push(`${pad}${key}:${this.trailing()}`);
        lines.push(...this.blockMap(v, indent + this.s.indent, depth + 1));
      } else {
        lines.push(`${pad}${key}:${this.trailing()}`);
        lines.push(...this.blockSeq(v, this.s.indentSeq ? indent + this.s.indent : indent, depth + 1));
      }
    });
    return lines;
  }

  blockSeq(s: YSeq, indent: number, depth: number): string[] {
    const lines: string[] = [];
    const pad = ' '.repeat(indent);
    for (const item of s.items) {
      lines.push(...this.commentLine(indent));
      if (item.t === 'scalar') lines.push(`${pad}- ${this.scalar(item.v, false)}${this.trailing()}`);
      else if (item.t === 'seq' || this.flowAt(item, depth + 1))
        lines.push(`${pad}- ${this.flow(item, indent + 2)}${this.trailing()}`);
      else {
        const inner = this.blockMap(item, indent + 2, depth + 1, true);
        inner[0] = `${pad}- ${inner[0]!.slice(indent + 2)}`;
        lines.push(...inner);
      }
    }
    return lines;
  }

  doc(d: YDoc): string {
    const lines = (d.head ?? []).map((c) => `# ${c}`);
    if (this.flowAt(d.root, 0) && d.root.entries.length > 0) lines.push(this.flow(d.root, 0));
    else lines.push(...this.blockMap(d.root, 0, 0));
    return lines.join('\n') + '\n';
  }
}

export interface Rendered {
  text: string;
  /** Every decorative comment written (each carries a unique marker `cN`). */
  comments: string[];
}

/** Renders documents as one multi-document YAML text. */
export function renderDocs(docs: YDoc[], style: RenderStyle): Rendered {
  const e = new Emitter(style);
  const text = docs.map((d, i) => (i > 0 || style.leadingMarker ? '---\n' : '') + e.doc(d)).join('');
  return { text, comments: e.comments };
}

export const styleArb: fc.Arbitrary<RenderStyle> = fc.record({
  indent: fc.constantFrom(2 as const, 4 as const),
  indentSeq: fc.boolean(),
  flow: fc.constantFrom('none' as const, 'leaves' as const, 'deep' as const),
  flowDepth: fc.integer({ min: 0, max: 4 }),
  flowMultiline: fc.boolean(),
  quote: fc.constantFrom('plain' as const, 'single' as const, 'double' as const, 'mixed' as const),
  quoteKeys: fc.boolean(),
  comments: fc.boolean(),
  shuffle: fc.boolean(),
  leadingMarker: fc.boolean(),
  seed: fc.integer(),
});

// ---------------------------------------------------------------------------------------------------
// The catalog the generators draw from.

export interface ImageSpec {
  image: string;
  /** The engine's data path for this image flavour (or a plausible path for non-engines). */
  dataPath: string;
}

export const IMAGES: ImageSpec[] = [
  { image: 'cassandra:4.1', dataPath: '/var/lib/cassandra' },
  { image: 'bitnami/cassandra:4.1', dataPath: '/bitnami/cassandra' },
  { image: 'postgres:16', dataPath: '/var/lib/postgresql/data' },
  { image: 'bitnami/postgresql:16', dataPath: '/bitnami/postgresql' },
  { image: 'bitnami/etcd:3.5', dataPath: '/bitnami/etcd' },
  { image: 'quay.io/coreos/etcd:v3.5.9', dataPath: '/var/lib/etcd' },
  { image: 'mongo:7', dataPath: '/data/db' },
  { image: 'bitnami/kafka:3.7', dataPath: '/bitnami/kafka' },
  { image: 'confluentinc/cp-kafka:7.6.0', dataPath: '/var/lib/kafka/data' },
  { image: 'redis:7', dataPath: '/data' },
  { image: 'zookeeper:3.9', dataPath: '/data' },
  { image: 'cockroachdb/cockroach:v23.1.0', dataPath: '/cockroach/cockroach-data' },
  { image: 'mysql:8', dataPath: '/var/lib/mysql' },
  { image: 'elasticsearch:8.13.0', dataPath: '/usr/share/elasticsearch/data' },
  { image: 'rabbitmq:3', dataPath: '/var/lib/rabbitmq' },
  { image: 'nginx:1.25', dataPath: '/usr/share/nginx/html' },
  { image: 'ghcr.io/acme/app:1.2', dataPath: '/var/lib/app' },
];

export const RULE_IDS = [
  'missing-node-affinity',
  'double-replication',
  'no-dr-target',
  'dr-target-same-failure-domain',
  'single-copy-data',
  'replicas-without-anti-affinity',
  'shared-volume-replicas',
  'ephemeral-data',
  'missing-restart-policy',
  'quorum-size',
  'missing-disruption-budget',
  'disruption-budget-blocks-drain',
  'reclaim-policy-delete',
  'immediate-volume-binding',
  'rolling-update-multi-attach',
  'missing-storage-class',
  'short-stop-grace',
];

/** true with probability p. */
function rare(p: number): fc.Arbitrary<boolean> {
  return fc.integer({ min: 0, max: 99 }).map((x) => x < p * 100);
}

const NAMES = [
  'db',
  'cache',
  'queue',
  'etcd',
  'pg',
  'cass-1',
  'cass-2',
  'web',
  'store',
  'search',
  'kv',
  'broker',
];

export interface SuppressionSpec {
  rules: string[];
  reason: string;
  /** Compose / Kubernetes: as a comment; Kubernetes/compose label: as the `stateful-ha.io/ignore` annotation. */
  as: 'comment' | 'annotation';
}

const suppressionArb: fc.Arbitrary<SuppressionSpec | undefined> = fc.option(
  fc.record({
    rules: fc.subarray(RULE_IDS, { minLength: 1, maxLength: 2 }),
    reason: fc.constantFrom('', 'deliberate: covered by ops runbook'),
    as: fc.constantFrom('comment' as const, 'annotation' as const),
  }),
  { freq: 4 },
);

function ignoreValue(s: SuppressionSpec): string {
  return `${s.rules.join(',')}${s.reason ? `: ${s.reason}` : ''}`;
}
function ignoreComment(s: SuppressionSpec): string {
  return `stateful-ha-ignore ${s.rules.join(', ')}${s.reason ? `: ${s.reason}` : ''}`;
}

// ---------------------------------------------------------------------------------------------------
// Compose

export interface ComposeMountSpec {
  kind: 'named' | 'bind' | 'tmpfs' | 'anonymous';
  /** Named volume name (from the file's volumes) or bind source. */
  source: string;
  /** 'data' = the image's data path; otherwise a path elsewhere. */
  at: 'data' | 'parent' | 'other';
  readOnly: boolean;
  long: boolean;
}

export interface ComposeServiceSpec {
  name: string;
  image: ImageSpec;
  replicas?: { via: 'deploy' | 'scale'; n: number };
  restart?: 'always' | 'unless-stopped' | 'no' | 'on-failure';
  restartCondition?: 'any' | 'none' | 'on-failure';
  constraint?: 'node.hostname == node-1' | 'node.labels.db == true' | 'node.role == manager';
  maxReplicasPerNode?: number;
  global: boolean;
  stopGrace?: '5s' | '1m30s';
  intent?: 'both' | 'app' | 'storage';
  drTarget: boolean;
  labelsAsList: boolean;
  mounts: ComposeMountSpec[];
  replSet: boolean;
  suppression?: SuppressionSpec;
}

export interface ComposeVolumeSpec {
  name: string;
  driver?: 'local' | 'pxd' | 'longhorn' | 'nfs' | 'rexray/ebs';
  copies?: number;
  declared?: 'node-local' | 'replicated';
}

export interface ComposeSpec {
  fileName: 'docker-compose.yml' | 'compose.yaml' | 'db-stack.yml';
  version: boolean;
  services: ComposeServiceSpec[];
  volumes: ComposeVolumeSpec[];
  backup?: { volume: string; offSite: boolean };
}

const VOLUME_NAMES = ['data', 'pgdata', 'shared'];

const composeMountArb: fc.Arbitrary<ComposeMountSpec> = fc.record({
  kind: fc.constantFrom(
    'named' as const,
    'named' as const,
    'bind' as const,
    'tmpfs' as const,
    'anonymous' as const,
  ),
  source: fc.constantFrom(...VOLUME_NAMES),
  at: fc.constantFrom('data' as const, 'data' as const, 'parent' as const, 'other' as const),
  readOnly: rare(0.15),
  long: fc.boolean(),
});

function composeServiceArb(name: string): fc.Arbitrary<ComposeServiceSpec> {
  return fc.record({
    name: fc.constant(name),
    image: fc.constantFrom(...IMAGES),
    replicas: fc.option(
      fc.record({
        via: fc.constantFrom('deploy' as const, 'scale' as const),
        n: fc.integer({ min: 1, max: 5 }),
      }),
      {
        nil: undefined,
      },
    ),
    restart: fc.option(
      fc.constantFrom('always' as const, 'unless-stopped' as const, 'no' as const, 'on-failure' as const),
      { nil: undefined },
    ),
    restartCondition: fc.option(fc.constantFrom('any' as const, 'none' as const, 'on-failure' as const), {
      nil: undefined,
      freq: 3,
    }),
    constraint: fc.option(
      fc.constantFrom(
        'node.hostname == node-1' as const,
        'node.labels.db == true' as const,
        'node.role == manager' as const,
      ),
      { nil: undefined, freq: 3 },
    ),
    maxReplicasPerNode: fc.option(fc.integer({ min: 1, max: 2 }), { nil: undefined, freq: 3 }),
    global: rare(0.1),
    stopGrace: fc.option(fc.constantFrom('5s' as const, '1m30s' as const), { nil: undefined, freq: 3 }),
    intent: fc.option(fc.constantFrom('both' as const, 'app' as const, 'storage' as const), {
      nil: undefined,
      freq: 4,
    }),
    drTarget: fc.boolean(),
    labelsAsList: fc.boolean(),
    mounts: fc.array(composeMountArb, { maxLength: 2 }),
    replSet: fc.boolean(),
    suppression: suppressionArb.map((s) => s ?? undefined),
  });
}

const composeVolumeArb = (name: string): fc.Arbitrary<ComposeVolumeSpec> =>
  fc.record({
    name: fc.constant(name),
    driver: fc.option(
      fc.constantFrom(
        'local' as const,
        'pxd' as const,
        'longhorn' as const,
        'nfs' as const,
        'rexray/ebs' as const,
      ),
      {
        nil: undefined,
      },
    ),
    copies: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
    declared: fc.option(fc.constantFrom('node-local' as const, 'replicated' as const), {
      nil: undefined,
      freq: 6,
    }),
  });

export const composeArb: fc.Arbitrary<ComposeSpec> = fc
  .uniqueArray(fc.constantFrom(...NAMES), { minLength: 1, maxLength: 3 })
  .chain((names) =>
    fc.record({
      fileName: fc.constantFrom(
        'docker-compose.yml' as const,
        'compose.yaml' as const,
        'db-stack.yml' as const,
      ),
      version: fc.boolean(),
      services: fc.tuple(...names.map(composeServiceArb)),
      volumes: fc.tuple(...VOLUME_NAMES.map(composeVolumeArb)),
      backup: fc.option(fc.record({ volume: fc.constantFrom(...VOLUME_NAMES), offSite: fc.boolean() }), {
        nil: undefined,
        freq: 3,
      }),
    }),
  );

function parentPath(p: string): string {
  const i = p.lastIndexOf('/');
  return i > 0 ? p.slice(0, i) : p;
}

function mountTarget(image: ImageSpec, at: ComposeMountSpec['at']): string {
  return at === 'data' ? image.dataPath : at === 'parent' ? parentPath(image.dataPath) : '/srv/cache';
}

function composeMount(
  s: ComposeServiceSpec,
  m: ComposeMountSpec,
): { short?: string; long?: Record<string, unknown>; tmpfs?: string } {
  const target = mountTarget(s.image, m.at);
  const ro = m.readOnly ? ':ro' : '';
  switch (m.kind) {
    case 'named':
      return m.long
        ? { long: { type: 'volume', source: m.source, target, ...(m.readOnly ? { read_only: true } : {}) } }
        : { short: `${m.source}:${target}${ro}` };
    case 'bind':
      return m.long
        ? {
            long: {
              type: 'bind',
              source: `./${m.source}`,
              target,
              ...(m.readOnly ? { read_only: true } : {}),
            },
          }
        : { short: `./${m.source}:${target}${ro}` };
    case 'tmpfs':
      return m.long ? { long: { type: 'tmpfs', target } } : { tmpfs: target };
    case 'anonymous':
      return { short: target };
  }
}

/** The compose file as YAML documents (a compose file is one document). */
export function composeDocs(c: ComposeSpec): YDoc[] {
  const services: YEntry[] = [];
  const used = new Set<string>();
  for (const s of c.services) {
    const svc: Record<string, unknown> = { image: s.image.image };
    if (s.restart) svc.restart = s.restart;
    if (s.replicas?.via === 'scale') svc.scale = s.replicas.n;
    const deploy: Record<string, unknown> = {};
    if (s.global) deploy.mode = 'global';
    if (s.replicas?.via === 'deploy' && !s.global) deploy.replicas = s.replicas.n;
    const placement: Record<string, unknown> = {};
    if (s.constraint) placement.constraints = [s.constraint];
    if (s.maxReplicasPerNode !== undefined) placement.max_replicas_per_node = s.maxReplicasPerNode;
    if (Object.keys(placement).length > 0) deploy.placement = placement;
    if (s.restartCondition) deploy.restart_policy = { condition: s.restartCondition };
    if (Object.keys(deploy).length > 0) svc.deploy = deploy;
    if (s.stopGrace) svc.stop_grace_period = s.stopGrace;
    const labels: Record<string, string> = {};
    if (s.intent) labels['stateful-ha.io/replication'] = s.intent;
    if (s.drTarget) labels['stateful-ha.io/dr-target'] = 's3://backups/' + s.name;
    if (s.suppression?.as === 'annotation') labels['stateful-ha.io/ignore'] = ignoreValue(s.suppression);
    if (Object.keys(labels).length > 0) {
      svc.labels = s.labelsAsList ? Object.entries(labels).map(([k, v]) => `${k}=${v}`) : labels;
    }
    if (s.replSet && s.image.image.startsWith('mongo')) svc.command = ['mongod', '--replSet', 'rs0'];
    const volumes: unknown[] = [];
    const tmpfs: string[] = [];
    const targets = new Set<string>();
    for (const m of s.mounts) {
      const r = composeMount(s, m);
      const t =
        r.tmpfs ??
        (r.long?.target as string | undefined) ??
        r.short!.split(':')[r.short!.includes(':') ? 1 : 0]!;
      if (targets.has(t)) continue; // one mount per target
      targets.add(t);
      if (m.kind === 'named') used.add(m.source);
      if (r.tmpfs) tmpfs.push(r.tmpfs);
      else volumes.push(r.long ?? r.short);
    }
    if (volumes.length > 0) svc.volumes = volumes;
    if (tmpfs.length > 0) svc.tmpfs = tmpfs;
    services.push({
      key: s.name,
      value: ymap(svc),
      comments: s.suppression?.as === 'comment' ? [ignoreComment(s.suppression)] : undefined,
    });
  }
  if (c.backup) {
    const env: Record<string, string> = { BACKUP_CRON_EXPRESSION: '0 2 * * *' };
    if (c.backup.offSite) env.AWS_S3_BUCKET_NAME = 'db-backups';
    services.push({
      key: 'backup',
      value: ymap({
        image: 'offen/docker-volume-backup:v2',
        restart: 'unless-stopped',
        environment: env,
        volumes: [`${c.backup.volume}:/backup/${c.backup.volume}:ro`],
      }),
    });
    used.add(c.backup.volume);
  }
  const root: YEntry[] = [];
  if (c.version) root.push({ key: 'version', value: y('3.8') });
  root.push({ key: 'services', value: { t: 'map', entries: services, fixedOrder: true } });
  const vols: YEntry[] = [];
  for (const v of c.volumes) {
    if (!used.has(v.name)) continue;
    const def: Record<string, unknown> = {};
    if (v.driver === 'nfs')
      Object.assign(def, {
        driver: 'local',
        driver_opts: { type: 'nfs', o: 'addr=10.0.0.1', device: ':/export' },
      });
    else if (v.driver) {
      def.driver = v.driver;
      const param = v.driver === 'pxd' ? 'repl' : v.driver === 'longhorn' ? 'numberOfReplicas' : undefined;
      if (param && v.copies !== undefined) def.driver_opts = { [param]: String(v.copies) };
    }
    if (v.declared) {
      def.labels = {
        'stateful-ha.io/storage': v.declared,
        ...(v.declared === 'replicated' ? { 'stateful-ha.io/storage-copies': String(v.copies ?? 2) } : {}),
      };
    }
    vols.push({ key: v.name, value: ymap(def) });
  }
  if (vols.length > 0) root.push({ key: 'volumes', value: { t: 'map', entries: vols } });
  return [{ root: { t: 'map', entries: root } }];
}

// ---------------------------------------------------------------------------------------------------
// Kubernetes

export interface StorageClassSpec {
  name: string;
  provisioner:
    | 'pxd.portworx.com'
    | 'driver.longhorn.io'
    | 'rancher.io/local-path'
    | 'kubernetes.io/no-provisioner'
    | 'ebs.csi.aws.com'
    | 'k8s.io/minikube-hostpath'
    | 'example.com/unknown';
  copies?: number;
  reclaimPolicy?: 'Delete' | 'Retain';
  bindingMode?: 'Immediate' | 'WaitForFirstConsumer';
  isDefault: boolean;
}

export interface KubeWorkloadSpec {
  kind: 'StatefulSet' | 'Deployment' | 'Pod';
  name: string;
  namespace: string;
  writeNamespace: boolean;
  image: ImageSpec;
  replicas?: number;
  extraLabel: boolean;
  volume: 'template' | 'claim' | 'hostPath' | 'emptyDir' | 'none';
  mountAt: 'data' | 'parent' | 'other';
  /** Storage class of the claim / template: index into the classes, 'unset' or 'static' (""). */
  storageClass: number | 'unset' | 'static';
  accessMode: 'ReadWriteOnce' | 'ReadWriteMany';
  spread: 'none' | 'required' | 'preferred' | 'mismatch' | 'topology' | 'hostPort';
  nodeSelector: boolean;
  grace?: number;
  strategy?: 'Recreate' | 'RollingUpdate';
  restartPolicy?: 'Always' | 'Never';
  intent?: 'both' | 'app';
  drTarget: boolean;
  retentionDelete: boolean;
  replSet: boolean;
  suppression?: SuppressionSpec;
}

export interface PdbSpec {
  name: string;
  /** Index of the workload it selects (modulo the count). */
  target: number;
  limit: { key: 'minAvailable' | 'maxUnavailable'; value: number | string } | undefined;
}

export interface KubeSpec {
  classes: StorageClassSpec[];
  workloads: KubeWorkloadSpec[];
  pdbs: PdbSpec[];
  velero?: { namespaces: string[] | undefined; storageLocation: boolean };
}

const NAMESPACES = ['default', 'db', 'infra'];

const classArb = (name: string, isDefault: boolean): fc.Arbitrary<StorageClassSpec> =>
  fc.record({
    name: fc.constant(name),
    provisioner: fc.constantFrom(
      'pxd.portworx.com' as const,
      'driver.longhorn.io' as const,
      'rancher.io/local-path' as const,
      'kubernetes.io/no-provisioner' as const,
      'ebs.csi.aws.com' as const,
      'k8s.io/minikube-hostpath' as const,
      'example.com/unknown' as const,
    ),
    copies: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
    reclaimPolicy: fc.option(fc.constantFrom('Delete' as const, 'Retain' as const), { nil: undefined }),
    bindingMode: fc.option(fc.constantFrom('Immediate' as const, 'WaitForFirstConsumer' as const), {
      nil: undefined,
    }),
    isDefault: fc.constant(isDefault),
  });

const kubeWorkloadArb = (name: string, classCount: number): fc.Arbitrary<KubeWorkloadSpec> =>
  fc.record({
    kind: fc.constantFrom(
      'StatefulSet' as const,
      'StatefulSet' as const,
      'Deployment' as const,
      'Pod' as const,
    ),
    name: fc.constant(name),
    namespace: fc.constantFrom(...NAMESPACES),
    writeNamespace: fc.boolean(),
    image: fc.constantFrom(...IMAGES),
    replicas: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
    extraLabel: fc.boolean(),
    volume: fc.constantFrom(
      'template' as const,
      'claim' as const,
      'hostPath' as const,
      'emptyDir' as const,
      'none' as const,
    ),
    mountAt: fc.constantFrom('data' as const, 'data' as const, 'parent' as const, 'other' as const),
    storageClass:
      classCount > 0
        ? fc.oneof(
            fc.integer({ min: 0, max: classCount - 1 }),
            fc.constantFrom('unset' as const, 'static' as const),
          )
        : fc.constantFrom('unset' as const, 'static' as const),
    accessMode: fc.constantFrom('ReadWriteOnce' as const, 'ReadWriteMany' as const),
    spread: fc.constantFrom(
      'none' as const,
      'required' as const,
      'preferred' as const,
      'mismatch' as const,
      'topology' as const,
      'hostPort' as const,
    ),
    nodeSelector: rare(0.3),
    grace: fc.option(fc.constantFrom(10, 60), { nil: undefined }),
    strategy: fc.option(fc.constantFrom('Recreate' as const, 'RollingUpdate' as const), { nil: undefined }),
    restartPolicy: fc.option(fc.constantFrom('Always' as const, 'Never' as const), {
      nil: undefined,
      freq: 4,
    }),
    intent: fc.option(fc.constantFrom('both' as const, 'app' as const), { nil: undefined, freq: 4 }),
    drTarget: rare(0.2),
    retentionDelete: rare(0.2),
    replSet: fc.boolean(),
    suppression: suppressionArb.map((s) => s ?? undefined),
  });

const pdbLimitArb = fc.option(
  fc.record({
    key: fc.constantFrom('minAvailable' as const, 'maxUnavailable' as const),
    value: fc.oneof(fc.integer({ min: 0, max: 4 }), fc.constantFrom('0%', '25%', '50%', '67%', '100%')),
  }),
  { nil: undefined, freq: 6 },
);

export const kubeArb: fc.Arbitrary<KubeSpec> = fc
  .record({
    classNames: fc.uniqueArray(
      fc.constantFrom('px-repl', 'longhorn', 'local-path', 'local-storage', 'gp3', 'hostpath', 'fast'),
      {
        maxLength: 3,
      },
    ),
    defaultClass: fc.integer({ min: -1, max: 2 }),
    names: fc.uniqueArray(fc.constantFrom(...NAMES), { minLength: 1, maxLength: 3 }),
  })
  .chain(({ classNames, defaultClass, names }) =>
    fc.record({
      classes: fc.tuple(...classNames.map((n, i) => classArb(n, i === defaultClass))),
      workloads: fc.tuple(...names.map((n) => kubeWorkloadArb(n, classNames.length))),
      pdbs: fc.uniqueArray(
        fc.record({ name: fc.constantFrom('pdb-a', 'pdb-b'), target: fc.nat(5), limit: pdbLimitArb }),
        {
          maxLength: 2,
          selector: (p) => p.name,
        },
      ),
      velero: fc.option(
        fc.record({
          namespaces: fc.option(fc.subarray(NAMESPACES, { minLength: 1 }), { nil: undefined }),
          storageLocation: fc.boolean(),
        }),
        { nil: undefined, freq: 3 },
      ),
    }),
  );

function meta(
  name: string,
  namespace: string | undefined,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { name, ...(namespace !== undefined ? { namespace } : {}), ...extra };
}

function workloadDocs(k: KubeSpec, w: KubeWorkloadSpec): YDoc[] {
  const out: YDoc[] = [];
  const ns = w.writeNamespace || w.namespace !== 'default' ? w.namespace : undefined;
  const labels: Record<string, string> = { app: w.name, ...(w.extraLabel ? { tier: 'data' } : {}) };
  const annotations: Record<string, string> = {};
  if (w.intent) annotations['stateful-ha.io/replication'] = w.intent;
  if (w.drTarget) annotations['stateful-ha.io/dr-target'] = 'offsite cluster';
  if (w.suppression?.as === 'annotation') annotations['stateful-ha.io/ignore'] = ignoreValue(w.suppression);
  const className =
    typeof w.storageClass === 'number'
      ? k.classes[w.storageClass]?.name
      : w.storageClass === 'static'
        ? ''
        : undefined;
  const claimSpec = (): Record<string, unknown> => ({
    accessModes: [w.accessMode],
    ...(className !== undefined ? { storageClassName: className } : {}),
    resources: { requests: { storage: '10Gi' } },
  });
  const container: Record<string, unknown> = { name: w.name, image: w.image.image };
  if (w.replSet && w.image.image.startsWith('mongo')) container.args = ['--replSet', 'rs0'];
  if (w.spread === 'hostPort') container.ports = [{ containerPort: 5432, hostPort: 5432 }];
  const volumes: unknown[] = [];
  const template = w.volume === 'template' && w.kind === 'StatefulSet';
  if (w.volume !== 'none' && (w.volume !== 'template' || template)) {
    container.volumeMounts = [{ name: 'data', mountPath: mountTarget(w.image, w.mountAt) }];
    if (w.volume === 'claim') {
      volumes.push({ name: 'data', persistentVolumeClaim: { claimName: `${w.name}-pvc` } });
      out.push({
        root: ymap({
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: meta(`${w.name}-pvc`, ns),
          spec: claimSpec(),
        }),
      });
    } else if (w.volume === 'hostPath')
      volumes.push({ name: 'data', hostPath: { path: `/mnt/${w.name}`, type: 'DirectoryOrCreate' } });
    else if (w.volume === 'emptyDir') volumes.push({ name: 'data', emptyDir: {} });
  }
  const pod: Record<string, unknown> = { containers: [container] };
  if (volumes.length > 0) pod.volumes = volumes;
  if (w.nodeSelector) pod.nodeSelector = { 'kubernetes.io/hostname': 'node-1' };
  if (w.grace !== undefined) pod.terminationGracePeriodSeconds = w.grace;
  if (w.restartPolicy) pod.restartPolicy = w.restartPolicy;
  const selLabels = w.spread === 'mismatch' ? { app: `${w.name}-other` } : { app: w.name };
  if (w.spread === 'required' || w.spread === 'mismatch') {
    pod.affinity = {
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          { labelSelector: { matchLabels: selLabels }, topologyKey: 'kubernetes.io/hostname' },
        ],
      },
    };
  } else if (w.spread === 'preferred') {
    pod.affinity = {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          {
            weight: 100,
            podAffinityTerm: {
              labelSelector: { matchLabels: selLabels },
              topologyKey: 'kubernetes.io/hostname',
            },
          },
        ],
      },
    };
  } else if (w.spread === 'topology') {
    pod.topologySpreadConstraints = [
      {
        maxSkew: 1,
        topologyKey: 'topology.kubernetes.io/zone',
        whenUnsatisfiable: 'DoNotSchedule',
        labelSelector: { matchLabels: selLabels },
      },
    ];
  }
  const metadata = meta(w.name, ns, Object.keys(annotations).length > 0 ? { annotations } : {});
  let root: Record<string, unknown>;
  if (w.kind === 'Pod') {
    root = { apiVersion: 'v1', kind: 'Pod', metadata: { ...metadata, labels }, spec: pod };
  } else {
    const spec: Record<string, unknown> = {};
    if (w.replicas !== undefined) spec.replicas = w.replicas;
    if (w.kind === 'StatefulSet') spec.serviceName = w.name;
    spec.selector = { matchLabels: { app: w.name } };
    if (w.kind === 'Deployment' && w.strategy) spec.strategy = { type: w.strategy };
    spec.template = { metadata: { labels }, spec: pod };
    if (template) spec.volumeClaimTemplates = [{ metadata: { name: 'data' }, spec: claimSpec() }];
    if (w.kind === 'StatefulSet' && w.retentionDelete)
      spec.persistentVolumeClaimRetentionPolicy = { whenDeleted: 'Delete', whenScaled: 'Retain' };
    root = { apiVersion: 'apps/v1', kind: w.kind, metadata, spec };
  }
  out.unshift({
    root: ymap(root),
    head: w.suppression?.as === 'comment' ? [ignoreComment(w.suppression)] : undefined,
  });
  return out;
}

/** The manifests as YAML documents (one object per document), in a canonical order. */
export function kubeDocs(k: KubeSpec): YDoc[] {
  const docs: YDoc[] = [];
  for (const c of k.classes) {
    const parameters: Record<string, string> = {};
    const param =
      c.provisioner === 'pxd.portworx.com'
        ? 'repl'
        : c.provisioner === 'driver.longhorn.io'
          ? 'numberOfReplicas'
          : undefined;
    if (param && c.copies !== undefined) parameters[param] = String(c.copies);
    const root: Record<string, unknown> = {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: meta(
        c.name,
        undefined,
        c.isDefault ? { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } : {},
      ),
      provisioner: c.provisioner,
    };
    if (Object.keys(parameters).length > 0) root.parameters = parameters;
    if (c.reclaimPolicy) root.reclaimPolicy = c.reclaimPolicy;
    if (c.bindingMode) root.volumeBindingMode = c.bindingMode;
    docs.push({ root: ymap(root) });
  }
  for (const w of k.workloads) docs.push(...workloadDocs(k, w));
  for (const p of k.pdbs) {
    const w = k.workloads[p.target % k.workloads.length]!;
    const ns = w.writeNamespace || w.namespace !== 'default' ? w.namespace : undefined;
    const spec: Record<string, unknown> = {};
    if (p.limit) spec[p.limit.key] = p.limit.value;
    spec.selector = { matchLabels: { app: w.name } };
    docs.push({
      root: ymap({
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: meta(`${p.name}-${w.name}`, ns),
        spec,
      }),
    });
  }
  if (k.velero) {
    const template: Record<string, unknown> = {};
    if (k.velero.namespaces) template.includedNamespaces = k.velero.namespaces;
    if (k.velero.storageLocation) template.storageLocation = 'default';
    template.ttl = '720h0m0s';
    docs.push({
      root: ymap({
        apiVersion: 'velero.io/v1',
        kind: 'Schedule',
        metadata: meta('nightly', 'velero'),
        spec: { schedule: '0 3 * * *', template },
      }),
    });
  }
  // PDB names must be unique per namespace: drop duplicates (same name, same namespace).
  const seen = new Set<string>();
  return docs.filter((d) => {
    const m = d.root.entries.find((e) => e.key === 'metadata')?.value as YMap;
    const kind = (d.root.entries.find((e) => e.key === 'kind')?.value as YScalar).v;
    const name = (m.entries.find((e) => e.key === 'name')?.value as YScalar).v;
    const ns = (m.entries.find((e) => e.key === 'namespace')?.value as YScalar | undefined)?.v ?? 'default';
    const key = `${kind}/${ns}/${name}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

// ---------------------------------------------------------------------------------------------------
// Workspaces

export interface WorkspaceSpec {
  compose?: ComposeSpec;
  kube?: KubeSpec;
}

export const workspaceArb: fc.Arbitrary<WorkspaceSpec> = fc.oneof(
  fc.record({ compose: composeArb }),
  fc.record({ kube: kubeArb }),
  fc.record({ compose: composeArb, kube: kubeArb }),
);

export interface RenderedWorkspace {
  files: Record<string, string>;
  comments: string[];
}

export interface Layout {
  /** Permutation seed for the Kubernetes documents (0 = canonical order). */
  docOrderSeed: number;
  /** Number of files the Kubernetes documents are spread over (1 = one multi-document file). */
  kubeFiles: number;
}

export const CANONICAL_LAYOUT: Layout = { docOrderSeed: 0, kubeFiles: 1 };

export const layoutArb: fc.Arbitrary<Layout> = fc.record({
  docOrderSeed: fc.integer(),
  kubeFiles: fc.integer({ min: 1, max: 4 }),
});

/** Renders a workspace: the compose file under its name, the manifests over `kubeFiles` files. */
export function renderWorkspace(
  ws: WorkspaceSpec,
  style: RenderStyle,
  layout: Layout = CANONICAL_LAYOUT,
): RenderedWorkspace {
  const files: Record<string, string> = {};
  const comments: string[] = [];
  if (ws.compose) {
    const r = renderDocs(composeDocs(ws.compose), style);
    files[`app/${ws.compose.fileName}`] = r.text;
    comments.push(...r.comments);
  }
  if (ws.kube) {
    let docs = kubeDocs(ws.kube);
    if (layout.docOrderSeed !== 0) {
      const r = rng(layout.docOrderSeed);
      docs = [...docs];
      for (let i = docs.length - 1; i > 0; i--) {
        const j = Math.floor(r() * (i + 1));
        [docs[i], docs[j]] = [docs[j]!, docs[i]!];
      }
    }
    const n = Math.max(1, Math.min(layout.kubeFiles, docs.length));
    for (let f = 0; f < n; f++) {
      const part = docs.filter((_, i) => i % n === f);
      const r = renderDocs(part, { ...style, seed: style.seed + f });
      files[n === 1 ? 'k8s/manifests.yaml' : `k8s/part-${f}.yaml`] = r.text;
      comments.push(...r.comments);
    }
  }
  return { files, comments };
}

// ---------------------------------------------------------------------------------------------------
// Mutations of valid YAML text (for "never throws" properties).

export type Mutation =
  | { op: 'delete'; at: number; len: number }
  | { op: 'insert'; at: number; text: string }
  | { op: 'truncate'; at: number }
  | { op: 'duplicate-line'; line: number }
  | { op: 'indent'; line: number; by: number }
  | { op: 'flip'; at: number; char: string };

const TOKENS = [
  '[',
  ']',
  '{',
  '}',
  ':',
  '- ',
  '\t',
  '\n',
  '&a ',
  '*a',
  '<<: *a',
  '!!binary ',
  '"',
  "'",
  '#',
  '---\n',
  '...\n',
  '? ',
  '|',
  '>',
  '%YAML 1.1\n',
  '\uFEFF',
  '\u0000',
  '\uFFFD',
  'é',
  '\r\n',
  '~',
  ' ',
  'null',
  '0x1F',
];

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 20 }) }),
  fc.record({
    op: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 4 })),
  }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('duplicate-line' as const), line: fc.nat() }),
  fc.record({ op: fc.constant('indent' as const), line: fc.nat(), by: fc.integer({ min: -4, max: 4 }) }),
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), char: fc.constantFrom(...TOKENS) }),
);

export function mutate(text: string, ms: Mutation[]): string {
  let t = text;
  for (const m of ms) {
    const n = t.length + 1;
    switch (m.op) {
      case 'delete': {
        const at = m.at % n;
        t = t.slice(0, at) + t.slice(at + m.len);
        break;
      }
      case 'insert': {
        const at = m.at % n;
        t = t.slice(0, at) + m.text + t.slice(at);
        break;
      }
      case 'truncate':
        t = t.slice(0, m.at % n);
        break;
      case 'flip': {
        const at = m.at % n;
        t = t.slice(0, at) + m.char + t.slice(at + 1);
        break;
      }
      case 'duplicate-line':
      case 'indent': {
        const lines = t.split('\n');
        const i = m.line % lines.length;
        if (m.op === 'duplicate-line') lines.splice(i, 0, lines[i]!);
        else
          lines[i] =
            m.by >= 0 ? ' '.repeat(m.by) + lines[i]! : lines[i]!.replace(new RegExp(`^ {0,${-m.by}}`), '');
        t = lines.join('\n');
        break;
      }
    }
  }
  return t;
}
