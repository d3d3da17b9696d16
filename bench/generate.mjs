#!/usr/bin/env node
// Deterministic benchmark inputs (fixed-seed PRNG: the same bytes on every machine and every run).
//
//   node bench/generate.mjs [--out bench/.generated] [--files 5000] [--seed 20240611] [--force]
//
// Writes
//   <out>/large/manifest.yaml   ~5,000-line multi-document Kubernetes manifest, ~200 objects
//                                (StatefulSets with volumeClaimTemplates, StorageClasses incl. Portworx
//                                with `repl`, PDBs, PVCs, Deployments), cross-referenced by name/labels;
//   <out>/ws/                   a workspace of N files (~20 MB for 5,000): Kubernetes manifests under
//                                team-XX/k8s/, compose files under team-XX/compose/ (docker-compose.*.yml)
//                                and swarm stacks under team-XX/swarm/ (docker-compose.stack-*.yml);
//   <out>/schemas/              self-contained copies of the project's schemas for yaml-language-server
//                                (no $id, no remote $ref: nothing is ever fetched);
//   <out>/MANIFEST.json         what was generated (counts, bytes, lines, seed).
// Skips the work when MANIFEST.json matches the requested parameters (use --force to regenerate).
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..');
const GENERATOR_VERSION = 3;

// ---------------------------------------------------------------- PRNG (mulberry32, fixed seed)
export function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (arr) => arr[Math.floor(next() * arr.length)],
    chance: (p) => next() < p,
  };
}

// ---------------------------------------------------------------- catalogs used by the generator
const ENGINES = [
  {
    image: 'postgres:16.3',
    name: 'postgres',
    path: '/var/lib/postgresql/data',
    port: 5432,
    env: ['POSTGRES_DB', 'POSTGRES_USER'],
  },
  {
    image: 'bitnami/postgresql:16',
    name: 'pg',
    path: '/bitnami/postgresql',
    port: 5432,
    env: ['POSTGRESQL_REPLICATION_MODE'],
  },
  { image: 'mysql:8.4', name: 'mysql', path: '/var/lib/mysql', port: 3306, env: ['MYSQL_DATABASE'] },
  { image: 'mariadb:11.4', name: 'mariadb', path: '/var/lib/mysql', port: 3306, env: ['MARIADB_DATABASE'] },
  {
    image: 'cassandra:4.1',
    name: 'cassandra',
    path: '/var/lib/cassandra',
    port: 9042,
    env: ['CASSANDRA_CLUSTER_NAME', 'CASSANDRA_SEEDS'],
  },
  {
    image: 'mongo:7.0',
    name: 'mongo',
    path: '/data/db',
    port: 27017,
    env: ['MONGO_INITDB_DATABASE'],
    args: ['--replSet', 'rs0'],
  },
  { image: 'redis:7.2', name: 'redis', path: '/data', port: 6379, env: ['REDIS_ARGS'] },
  {
    image: 'bitnami/kafka:3.7',
    name: 'kafka',
    path: '/bitnami/kafka',
    port: 9092,
    env: ['KAFKA_CFG_PROCESS_ROLES', 'KAFKA_KRAFT_CLUSTER_ID'],
  },
  { image: 'zookeeper:3.9', name: 'zookeeper', path: '/data', port: 2181, env: ['ZOO_MY_ID', 'ZOO_SERVERS'] },
  {
    image: 'quay.io/coreos/etcd:v3.5.13',
    name: 'etcd',
    path: '/var/run/etcd',
    port: 2379,
    env: ['ETCD_INITIAL_CLUSTER_STATE'],
  },
  {
    image: 'docker.elastic.co/elasticsearch/elasticsearch:8.14.0',
    name: 'elasticsearch',
    path: '/usr/share/elasticsearch/data',
    port: 9200,
    env: ['discovery.seed_hosts', 'cluster.name'],
  },
  {
    image: 'cockroachdb/cockroach:v24.1.0',
    name: 'cockroach',
    path: '/cockroach/cockroach-data',
    port: 26257,
    env: ['COCKROACH_CHANNEL'],
  },
  {
    image: 'rabbitmq:3.13-management',
    name: 'rabbitmq',
    path: '/var/lib/rabbitmq',
    port: 5672,
    env: ['RABBITMQ_ERLANG_COOKIE'],
  },
];
const APPS = [
  'nginx:1.27',
  'ghcr.io/acme/api:2.3.1',
  'ghcr.io/acme/web:1.9.0',
  'traefik:v3.0',
  'grafana/grafana:11.0.0',
  'prom/prometheus:v2.52.0',
  'ghcr.io/acme/worker:0.14.2',
];
const PROVISIONERS = [
  {
    provisioner: 'pxd.portworx.com',
    params: (r) => ({ repl: String(r.pick([1, 2, 3])), io_profile: 'db_remote', priority_io: 'high' }),
  },
  {
    provisioner: 'kubernetes.io/portworx-volume',
    params: (r) => ({ repl: String(r.pick([1, 2, 3])), snap_interval: String(r.pick([0, 60, 240])) }),
  },
  {
    provisioner: 'driver.longhorn.io',
    params: (r) => ({ numberOfReplicas: String(r.pick([1, 2, 3])), staleReplicaTimeout: '30' }),
  },
  { provisioner: 'rancher.io/local-path', params: () => ({}) },
  { provisioner: 'kubernetes.io/no-provisioner', params: () => ({}) },
  { provisioner: 'ebs.csi.aws.com', params: (r) => ({ type: r.pick(['gp3', 'io2']), encrypted: 'true' }) },
  {
    provisioner: 'pd.csi.storage.gke.io',
    params: (r) => ({ type: 'pd-ssd', 'replication-type': r.pick(['none', 'regional-pd']) }),
  },
];
const NAMESPACES = [
  'payments',
  'orders',
  'search',
  'identity',
  'analytics',
  'messaging',
  'catalog',
  'platform',
];

// ---------------------------------------------------------------- YAML emitters (plain text, stable)
const q = (s) =>
  /^[\w./:-]+$/.test(s) && !/^(true|false|yes|no|null|\d[\d.]*)$/i.test(s) ? s : JSON.stringify(s);
function labelsBlock(indent, labels) {
  const pad = ' '.repeat(indent);
  return Object.entries(labels)
    .map(([k, v]) => `${pad}${k}: ${q(v)}`)
    .join('\n');
}

function storageClass(r, name) {
  const p = r.pick(PROVISIONERS);
  const params = p.params(r);
  const lines = [`apiVersion: storage.k8s.io/v1`, `kind: StorageClass`, `metadata:`, `  name: ${name}`];
  if (r.chance(0.3)) lines.push(`  annotations:`, `    storageclass.kubernetes.io/is-default-class: "false"`);
  lines.push(`provisioner: ${p.provisioner}`);
  if (Object.keys(params).length) {
    lines.push(`parameters:`);
    for (const [k, v] of Object.entries(params)) lines.push(`  ${k}: ${JSON.stringify(v)}`);
  }
  if (r.chance(0.6)) lines.push(`reclaimPolicy: ${r.pick(['Retain', 'Delete'])}`);
  if (r.chance(0.7)) lines.push(`volumeBindingMode: ${r.pick(['WaitForFirstConsumer', 'Immediate'])}`);
  if (r.chance(0.5)) lines.push(`allowVolumeExpansion: true`);
  return lines.join('\n');
}

function container(r, engine, indent, opts = {}) {
  const pad = ' '.repeat(indent);
  const L = [];
  L.push(`${pad}- name: ${engine.name}`);
  L.push(`${pad}  image: ${q(engine.image)}`);
  if (r.chance(0.3)) L.push(`${pad}  imagePullPolicy: IfNotPresent`);
  if (engine.args && r.chance(0.7)) {
    L.push(`${pad}  args:`);
    for (const a of engine.args) L.push(`${pad}    - ${q(a)}`);
  }
  L.push(`${pad}  ports:`);
  L.push(`${pad}    - name: main`);
  L.push(`${pad}      containerPort: ${engine.port}`);
  if (r.chance(0.3)) L.push(`${pad}      protocol: TCP`);
  L.push(`${pad}  env:`);
  for (const e of engine.env) {
    L.push(`${pad}    - name: ${e}`);
    L.push(`${pad}      value: ${q(`${engine.name}-${r.int(1, 999)}`)}`);
  }
  if (r.chance(0.25)) {
    L.push(`${pad}    - name: POD_NAME`);
    L.push(`${pad}      valueFrom:`);
    L.push(`${pad}        fieldRef:`);
    L.push(`${pad}          fieldPath: metadata.name`);
  }
  L.push(`${pad}  resources:`);
  L.push(`${pad}    requests:`);
  L.push(`${pad}      cpu: ${q(`${r.int(1, 8) * 250}m`)}`);
  L.push(`${pad}      memory: ${q(`${r.pick([512, 1024, 2048, 4096])}Mi`)}`);
  if (r.chance(0.5)) {
    L.push(`${pad}    limits:`);
    L.push(`${pad}      memory: ${q(`${r.pick([1024, 2048, 4096, 8192])}Mi`)}`);
  }
  if (r.chance(0.25)) {
    L.push(`${pad}  readinessProbe:`);
    L.push(`${pad}    tcpSocket:`);
    L.push(`${pad}      port: ${engine.port}`);
    L.push(`${pad}    initialDelaySeconds: ${r.int(5, 30)}`);
    L.push(`${pad}    periodSeconds: 10`);
  }
  if (opts.mount) {
    L.push(`${pad}  volumeMounts:`);
    L.push(`${pad}    - name: ${opts.mount}`);
    L.push(`${pad}      mountPath: ${engine.path}`);
  }
  return L.join('\n');
}

function antiAffinity(r, indent, app) {
  const pad = ' '.repeat(indent);
  if (r.chance(0.5)) {
    return [
      `${pad}affinity:`,
      `${pad}  podAntiAffinity:`,
      `${pad}    requiredDuringSchedulingIgnoredDuringExecution:`,
      `${pad}      - labelSelector:`,
      `${pad}          matchLabels:`,
      `${pad}            app: ${r.chance(0.85) ? app : `${app}-old`}`,
      `${pad}        topologyKey: kubernetes.io/hostname`,
    ].join('\n');
  }
  if (r.chance(0.5)) {
    return [
      `${pad}topologySpreadConstraints:`,
      `${pad}  - maxSkew: 1`,
      `${pad}    topologyKey: topology.kubernetes.io/zone`,
      `${pad}    whenUnsatisfiable: DoNotSchedule`,
      `${pad}    labelSelector:`,
      `${pad}      matchLabels:`,
      `${pad}        app: ${app}`,
    ].join('\n');
  }
  return `${pad}nodeSelector:\n${pad}  node-role.kubernetes.io/data: "true"`;
}

function statefulSet(r, name, ns, classes) {
  const engine = r.pick(ENGINES);
  const replicas = r.pick([1, 2, 3, 3, 3, 5]);
  const app = name;
  const cls = r.chance(0.85) ? r.pick(classes) : undefined;
  const L = [
    `apiVersion: apps/v1`,
    `kind: StatefulSet`,
    `metadata:`,
    `  name: ${name}`,
    `  namespace: ${ns}`,
    `  labels:`,
    labelsBlock(4, { app, 'app.kubernetes.io/part-of': ns }),
  ];
  if (r.chance(0.2))
    L.push(`  annotations:`, `    stateful-ha.io/replication: ${r.pick(['app', 'both', 'storage'])}`);
  L.push(
    `spec:`,
    `  serviceName: ${name}-hl`,
    `  replicas: ${replicas}`,
    ...(r.chance(0.4) ? [`  podManagementPolicy: ${r.pick(['OrderedReady', 'Parallel'])}`] : []),
    `  selector:`,
    `    matchLabels:`,
    `      app: ${app}`,
    ...(r.chance(0.4) ? [`  updateStrategy:`, `    type: RollingUpdate`] : []),
    `  template:`,
    `    metadata:`,
    `      labels:`,
    labelsBlock(8, { app, tier: 'data' }),
    `    spec:`,
    `      terminationGracePeriodSeconds: ${r.pick([10, 30, 60, 120])}`,
    ...(r.chance(0.3) ? [`      securityContext:`, `        fsGroup: 999`] : []),
    antiAffinity(r, 6, app),
    `      containers:`,
    container(r, engine, 8, { mount: 'data' }),
  );
  if (r.chance(0.3))
    L.push(
      `  persistentVolumeClaimRetentionPolicy:`,
      `    whenDeleted: ${r.pick(['Retain', 'Delete'])}`,
      `    whenScaled: Retain`,
    );
  L.push(
    `  volumeClaimTemplates:`,
    `    - metadata:`,
    `        name: data`,
    `      spec:`,
    `        accessModes: ["ReadWriteOnce"]`,
  );
  if (cls) L.push(`        storageClassName: ${cls}`);
  L.push(
    `        resources:`,
    `          requests:`,
    `            storage: ${r.pick([10, 20, 50, 100, 500])}Gi`,
  );
  return { text: L.join('\n'), app, ns, replicas };
}

function deployment(r, name, ns, claim) {
  const engine =
    claim && r.chance(0.6)
      ? r.pick(ENGINES)
      : { ...r.pick(ENGINES), image: r.pick(APPS), name: 'app', args: undefined };
  const L = [
    `apiVersion: apps/v1`,
    `kind: Deployment`,
    `metadata:`,
    `  name: ${name}`,
    `  namespace: ${ns}`,
    `  labels:`,
    labelsBlock(4, { app: name, 'app.kubernetes.io/part-of': ns }),
    `spec:`,
    `  replicas: ${r.pick([1, 1, 2, 3])}`,
  ];
  if (r.chance(0.4)) L.push(`  strategy:`, `    type: ${r.pick(['Recreate', 'RollingUpdate'])}`);
  L.push(
    `  selector:`,
    `    matchLabels:`,
    `      app: ${name}`,
    `  template:`,
    `    metadata:`,
    `      labels:`,
    `        app: ${name}`,
    `    spec:`,
    `      containers:`,
    container(r, engine, 8, { mount: claim ? 'data' : undefined }),
  );
  if (claim)
    L.push(
      `      volumes:`,
      `        - name: data`,
      `          persistentVolumeClaim:`,
      `            claimName: ${claim}`,
    );
  return L.join('\n');
}

function pvc(r, name, ns, classes) {
  const L = [
    `apiVersion: v1`,
    `kind: PersistentVolumeClaim`,
    `metadata:`,
    `  name: ${name}`,
    `  namespace: ${ns}`,
    `  labels:`,
    `    app: ${name}`,
    `spec:`,
    `  accessModes:`,
    `    - ${r.pick(['ReadWriteOnce', 'ReadWriteOnce', 'ReadWriteMany'])}`,
  ];
  if (r.chance(0.8)) L.push(`  storageClassName: ${r.pick(classes)}`);
  L.push(`  resources:`, `    requests:`, `      storage: ${r.pick([1, 5, 10, 50])}Gi`);
  return L.join('\n');
}

function pdb(r, name, ns, app, replicas) {
  const L = [
    `apiVersion: policy/v1`,
    `kind: PodDisruptionBudget`,
    `metadata:`,
    `  name: ${name}`,
    `  namespace: ${ns}`,
    `spec:`,
  ];
  const k = r.next();
  if (k < 0.6) L.push(`  maxUnavailable: 1`);
  else if (k < 0.75) L.push(`  maxUnavailable: 0`);
  else if (k < 0.9) L.push(`  minAvailable: ${Math.max(1, replicas - 1)}`);
  else L.push(`  minAvailable: ${r.pick(['51%', '67%', '100%'])}`);
  L.push(`  selector:`, `    matchLabels:`, `      app: ${app}`);
  return L.join('\n');
}

/** The large manifest: ~200 objects, ~5,000 lines. */
export function largeManifest(seed, objects = 200) {
  const r = rng(seed);
  const docs = [];
  const classes = [];
  const nClasses = Math.round(objects * 0.1);
  for (let i = 0; i < nClasses; i++) {
    const name = `sc-${String(i).padStart(2, '0')}-${r.pick(['px', 'fast', 'local', 'repl', 'zonal'])}`;
    classes.push(name);
    docs.push(`# StorageClass ${i + 1} of ${nClasses}\n${storageClass(r, name)}`);
  }
  let sts = 0;
  let dep = 0;
  let claims = 0;
  while (docs.length < objects) {
    const ns = r.pick(NAMESPACES);
    const k = r.next();
    if (k < 0.33) {
      const name = `${r.pick(ENGINES).name}-${ns}-${sts++}`;
      const s = statefulSet(r, name, ns, classes);
      docs.push(s.text);
      if (r.chance(0.9) && docs.length < objects) docs.push(pdb(r, `${name}-pdb`, ns, s.app, s.replicas));
    } else if (k < 0.6) {
      const claim = `claim-${ns}-${claims++}`;
      docs.push(pvc(r, claim, ns, classes));
      if (docs.length < objects) docs.push(deployment(r, `app-${ns}-${dep++}`, ns, claim));
    } else if (k < 0.85) {
      docs.push(pvc(r, `claim-${ns}-${claims++}`, ns, classes));
    } else {
      docs.push(deployment(r, `web-${ns}-${dep++}`, ns, undefined));
    }
  }
  return `# Generated by bench/generate.mjs (seed ${seed}): do not edit.\n${docs.join('\n---\n')}\n`;
}

// ---------------------------------------------------------------- compose / swarm
function composeFile(r, idx, swarm) {
  const n = r.int(3, 7);
  const L = [
    `# ${swarm ? 'stack' : 'compose'} ${idx}: generated by bench/generate.mjs`,
    `name: proj-${idx}`,
    `services:`,
  ];
  const volumes = [];
  const svcNames = [];
  for (let i = 0; i < n; i++) {
    const stateful = r.chance(0.6);
    const engine = stateful ? r.pick(ENGINES) : undefined;
    const svc = stateful ? `${engine.name}${r.chance(0.3) ? `-${i + 1}` : ''}` : `app${i}`;
    if (svcNames.includes(svc)) continue;
    svcNames.push(svc);
    L.push(`  ${svc}:`);
    L.push(`    image: ${q(engine ? engine.image : r.pick(APPS))}`);
    if (!swarm && r.chance(0.7))
      L.push(`    restart: ${r.pick(['unless-stopped', 'always', 'on-failure', '"no"'])}`);
    if (engine) {
      L.push(`    environment:`);
      for (const e of engine.env) L.push(`      ${e}: ${q(`${engine.name}-${r.int(1, 999)}`)}`);
      const vk = r.next();
      if (vk < 0.6) {
        const v = `${svc}-data`;
        volumes.push(v);
        L.push(`    volumes:`, `      - ${v}:${engine.path}`);
      } else if (vk < 0.85) {
        L.push(`    volumes:`, `      - ./data/${svc}:${engine.path}`);
      } else if (vk < 0.95) {
        L.push(`    tmpfs:`, `      - ${engine.path}`);
      }
      L.push(
        `    healthcheck:`,
        `      test: ["CMD-SHELL", "nc -z localhost ${engine.port}"]`,
        `      interval: 10s`,
        `      timeout: 5s`,
        `      retries: 5`,
      );
    } else {
      L.push(`    ports:`, `      - "${r.int(8000, 8999)}:80"`);
      if (svcNames.length > 1) L.push(`    depends_on:`, `      - ${svcNames[0]}`);
    }
    L.push(`    networks:`, `      - backend`);
    L.push(
      `    logging:`,
      `      driver: json-file`,
      `      options:`,
      `        max-size: "10m"`,
      `        max-file: "3"`,
    );
    if (swarm || r.chance(0.15)) {
      L.push(`    deploy:`);
      L.push(`      replicas: ${r.pick([1, 1, 2, 3])}`);
      if (swarm) {
        if (r.chance(0.6))
          L.push(
            `      placement:`,
            `        constraints:`,
            `          - node.labels.${r.pick(['db', 'storage', 'zone'])} == ${r.pick(['true', 'a', 'b'])}`,
          );
        if (r.chance(0.3)) L.push(`        max_replicas_per_node: 1`.replace(/^ {8}/, '      '));
        L.push(
          `      restart_policy:`,
          `        condition: ${r.pick(['any', 'on-failure', 'none'])}`,
          `        delay: 5s`,
        );
        L.push(`      update_config:`, `        parallelism: 1`, `        delay: 10s`);
      }
      L.push(`      resources:`, `        limits:`, `          memory: ${r.pick([256, 512, 1024])}M`);
    }
    if (r.chance(0.2)) L.push(`    stop_grace_period: ${r.pick(['5s', '30s', '1m'])}`);
  }
  L.push(`networks:`, `  backend:`, `    driver: ${swarm ? 'overlay' : 'bridge'}`);
  if (volumes.length) {
    L.push(`volumes:`);
    for (const v of volumes) {
      L.push(`  ${v}:`);
      const k = r.next();
      if (k < 0.3)
        L.push(
          `    driver: pxd`,
          `    driver_opts:`,
          `      repl: "${r.pick([1, 2, 3])}"`,
          `      size: "20"`,
        );
      else if (k < 0.45)
        L.push(
          `    driver: local`,
          `    driver_opts:`,
          `      type: nfs`,
          `      o: "addr=10.0.0.5,rw"`,
          `      device: ":/exports/${v}"`,
        );
    }
  }
  return `${L.join('\n')}\n`;
}

function k8sFile(r, idx) {
  const ns = r.pick(NAMESPACES);
  const classes = [`sc-${idx}-a`, `sc-${idx}-b`];
  const docs = [];
  const nObjects = r.int(3, 8);
  if (r.chance(0.35)) docs.push(storageClass(r, classes[0]));
  while (docs.length < nObjects) {
    const k = r.next();
    if (k < 0.5) {
      const s = statefulSet(r, `db-${idx}-${docs.length}`, ns, classes);
      docs.push(s.text);
      if (r.chance(0.6)) docs.push(pdb(r, `db-${idx}-${docs.length}-pdb`, ns, s.app, s.replicas));
    } else if (k < 0.75) {
      const claim = `claim-${idx}-${docs.length}`;
      docs.push(pvc(r, claim, ns, classes), deployment(r, `app-${idx}-${docs.length}`, ns, claim));
    } else {
      docs.push(deployment(r, `web-${idx}-${docs.length}`, ns, undefined));
    }
  }
  return `${docs.join('\n---\n')}\n`;
}

// ---------------------------------------------------------------- schemas for yaml-language-server
/** One self-contained JSON schema per format: refs rewritten to local ones, no $id (nothing to fetch). */
export function bundleSchemas(outDir) {
  const kdir = join(ROOT, 'schemas', 'kubernetes');
  const composePath = join(ROOT, 'schemas', 'compose-spec.json');
  mkdirSync(outDir, { recursive: true });
  const result = { source: 'fallback' };
  if (existsSync(kdir) && existsSync(join(kdir, 'definitions.json'))) {
    const defs = JSON.parse(readFileSync(join(kdir, 'definitions.json'), 'utf8')).definitions;
    const allOf = [];
    const definitions = { ...defs };
    for (const f of readdirSync(kdir).sort()) {
      if (f === 'definitions.json' || !f.endsWith('.json')) continue;
      const s = JSON.parse(readFileSync(join(kdir, f), 'utf8'));
      const kind = s.properties?.kind?.const;
      if (!kind) continue;
      delete s.$id;
      delete s.$schema;
      const key = `kind_${kind}`;
      definitions[key] = s;
      allOf.push({
        if: { properties: { kind: { const: kind } }, required: ['kind'] },
        then: { $ref: `#/definitions/${key}` },
      });
    }
    const text = JSON.stringify({
      $schema: 'http://json-schema.org/draft-07/schema#',
      title: 'Kubernetes kinds the advisor reads (bundled)',
      type: 'object',
      allOf,
      definitions,
    }).replaceAll('"definitions.json#/definitions/', '"#/definitions/');
    writeFileSync(join(outDir, 'kubernetes.json'), text);
    result.source = 'project';
  } else {
    writeFileSync(
      join(outDir, 'kubernetes.json'),
      JSON.stringify({
        $schema: 'http://json-schema.org/draft-07/schema#',
        type: 'object',
        required: ['apiVersion', 'kind'],
        properties: {
          apiVersion: { type: 'string' },
          kind: { type: 'string' },
          metadata: { type: 'object', properties: { name: { type: 'string' } } },
        },
      }),
    );
  }
  if (existsSync(composePath)) {
    const s = JSON.parse(readFileSync(composePath, 'utf8'));
    delete s.$id;
    s.$schema = 'http://json-schema.org/draft-07/schema#';
    writeFileSync(join(outDir, 'compose.json'), JSON.stringify(s));
  } else {
    writeFileSync(
      join(outDir, 'compose.json'),
      JSON.stringify({
        $schema: 'http://json-schema.org/draft-07/schema#',
        type: 'object',
        properties: { services: { type: 'object' } },
      }),
    );
    result.source = 'fallback';
  }
  return result;
}

// ---------------------------------------------------------------- main
export function generate({
  out = join(HERE, '.generated'),
  files = 5000,
  seed = 20240611,
  force = false,
  log = console.log,
} = {}) {
  const manifestPath = join(out, 'MANIFEST.json');
  const params = { version: GENERATOR_VERSION, files, seed };
  if (!force && existsSync(manifestPath)) {
    const m = JSON.parse(readFileSync(manifestPath, 'utf8'));
    if (m.version === params.version && m.files === files && m.seed === seed) {
      m.schemas = bundleSchemas(join(out, 'schemas')); // schemas may have changed since: always refresh
      return m;
    }
  }
  rmSync(join(out, 'ws'), { recursive: true, force: true });
  rmSync(join(out, 'large'), { recursive: true, force: true });
  mkdirSync(join(out, 'large'), { recursive: true });

  const large = largeManifest(seed);
  writeFileSync(join(out, 'large', 'manifest.yaml'), large);
  const largeLines = large.split('\n').length - 1;
  const largeDocs = large.split('\n---\n').length;

  const r = rng(seed ^ 0x5eed);
  let bytes = 0;
  const counts = { kubernetes: 0, compose: 0, swarm: 0 };
  const teams = Math.max(1, Math.round(files / 100));
  for (let i = 0; i < files; i++) {
    const team = `team-${String(i % teams).padStart(2, '0')}`;
    const k = r.next();
    let rel;
    let text;
    if (k < 0.6) {
      rel = join(team, 'k8s', `${r.pick(['db', 'app', 'storage', 'stack'])}-${i}.yaml`);
      text = k8sFile(r, i);
      counts.kubernetes++;
    } else if (k < 0.9) {
      rel = join(team, 'compose', `docker-compose.${i}.yml`);
      text = composeFile(r, i, false);
      counts.compose++;
    } else {
      rel = join(team, 'swarm', `docker-compose.stack-${i}.yml`);
      text = composeFile(r, i, true);
      counts.swarm++;
    }
    const p = join(out, 'ws', rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
    bytes += Buffer.byteLength(text);
  }
  const m = {
    ...params,
    large: {
      path: 'large/manifest.yaml',
      lines: largeLines,
      documents: largeDocs,
      bytes: Buffer.byteLength(large),
    },
    workspace: { path: 'ws', files, bytes, ...counts },
    schemas: bundleSchemas(join(out, 'schemas')),
  };
  writeFileSync(manifestPath, `${JSON.stringify(m, null, 2)}\n`);
  log?.(
    `generated ${out}: large manifest ${largeLines} lines / ${largeDocs} documents; workspace ${files} files, ${(bytes / 1e6).toFixed(1)} MB (${counts.kubernetes} k8s, ${counts.compose} compose, ${counts.swarm} swarm)`,
  );
  return m;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name, def) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : def;
  };
  const m = generate({
    out: resolve(arg('--out', join(HERE, '.generated'))),
    files: Number(arg('--files', 5000)),
    seed: Number(arg('--seed', 20240611)),
    force: process.argv.includes('--force'),
  });
  console.log(JSON.stringify(m, null, 2));
}
