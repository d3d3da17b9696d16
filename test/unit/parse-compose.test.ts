// Compose parser: compose files (and swarm stacks) → Workload + ComposeVolumeObject, with exact ranges.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { Catalog } from '../../server/src/advisor/catalog/catalog.js';
import { parseFile } from '../../server/src/advisor/parse/parse-file.js';
import { mountFromShortSyntax } from '../../server/src/advisor/parse/compose-volume-syntax.js';
import {
  hostPortsFromShortSyntax,
  isStackFileName,
  parseDurationSeconds,
  parseIgnoreValue,
  targetLooksLikeFile,
} from '../../server/src/advisor/parse/compose.js';
import type { ComposeVolumeObject, DataMount, Workload } from '../../server/src/advisor/model/model.js';
import type { FileModel } from '../../server/src/advisor/model/workspace.js';

const FIXTURES = join(__dirname, '..', 'fixtures', 'compose');
const CORPUS = '/work/shared/corpus/real-world';
const catalog = new Catalog();

function parseFixture(name: string): FileModel {
  return parseFile(name, readFileSync(join(FIXTURES, name), 'utf8'), catalog);
}

function parseText(text: string, path = 'compose.yaml'): FileModel {
  return parseFile(path, text, catalog);
}

function service(model: FileModel, name: string): Workload {
  const w = model.workloads.find((x) => x.name === name);
  assert.ok(w, `service ${name} not found among ${model.workloads.map((x) => x.name).join(', ')}`);
  return w;
}

function volume(model: FileModel, name: string): ComposeVolumeObject {
  const v = model.objects.find((o) => o.kind === 'volume' && o.name === name) as
    ComposeVolumeObject | undefined;
  assert.ok(v, `volume ${name} not found`);
  return v;
}

function mount(w: Workload, target: string): DataMount {
  const m = w.containers[0]!.mounts.find((x) => x.target === target);
  assert.ok(m, `mount ${target} not found in ${w.name}`);
  return m;
}

function pos(line: number, character: number) {
  return { line, character };
}

describe('compose: services and volumes', () => {
  const model = parseFixture('mounts.compose.yml');

  test('one workload per service, one object per top-level volume', () => {
    assert.equal(model.source?.kind, 'compose');
    assert.deepEqual(
      model.workloads.map((w) => w.ref),
      ['service/db', 'service/app', 'service/replicated'],
    );
    assert.deepEqual(
      model.objects.map((o) => o.ref),
      [
        'volume/pgdata',
        'volume/uploads',
        'volume/pxdata',
        'volume/nfsdata',
        'volume/extdata',
        'volume/declared',
      ],
    );
    const db = service(model, 'db');
    assert.equal(db.id, 'mounts.compose.yml#0/service/db');
    assert.equal(db.kind, 'service');
    assert.equal(db.platform, 'compose');
    assert.equal(db.origin, 'file');
    assert.equal(db.namespace, '');
    assert.equal(db.target, 'single-host');
    assert.equal(db.containers.length, 1);
    assert.equal(db.containers[0]!.name, 'db');
    assert.equal(db.containers[0]!.image, 'postgres:16');
    assert.ok(db.node, 'service node kept for fixes');
    assert.equal(db.selector, undefined);
  });

  test('exact ranges: service key, span, image, mount item', () => {
    const db = service(model, 'db');
    assert.deepEqual(db.nameRange.start, pos(2, 2));
    assert.deepEqual(db.nameRange.end, pos(2, 4));
    assert.deepEqual(db.kindRange, db.nameRange);
    assert.deepEqual(db.span.start, pos(2, 2));
    // The span ends at the end of the service's last value (`- "8000"`), not on the blank line after it.
    assert.deepEqual(db.span.end, pos(21, 14));
    assert.deepEqual(db.containers[0]!.imageRange?.start, pos(3, 11));
    assert.deepEqual(db.containers[0]!.imageRange?.end, pos(3, 22));
    const data = mount(db, '/var/lib/postgresql/data');
    assert.equal(data.range.file, 'mounts.compose.yml');
    assert.deepEqual(data.range.start, pos(10, 8));
    assert.deepEqual(data.range.end, pos(10, 39));
    // Long syntax: the whole item map, without its trailing newline.
    const uploads = mount(service(model, 'app'), '/srv/uploads');
    assert.deepEqual(uploads.range.start, pos(31, 8));
    assert.deepEqual(uploads.range.end, pos(33, 28));
    // Volume object: key range, and the mount's definedAt is that entry.
    const pg = volume(model, 'pgdata');
    assert.equal(pg.id, 'mounts.compose.yml#0/volume/pgdata');
    assert.deepEqual(pg.nameRange.start, pos(64, 2));
    assert.deepEqual(pg.nameRange.end, pos(64, 8));
    assert.deepEqual(data.definedAt, pg.span);
    assert.equal(data.storage.definedBy, pg.id);
  });

  test('short syntax: named, bind dir, bind file, anonymous, read-only; tmpfs key; secrets', () => {
    const db = service(model, 'db');
    const m = db.containers[0]!.mounts;
    assert.deepEqual(
      m.map((x) => [x.type, x.source, x.target, x.readOnly, x.persistent, x.isData]),
      [
        ['named-volume', 'pgdata', '/var/lib/postgresql/data', false, true, true],
        ['bind', './init', '/docker-entrypoint-initdb.d', true, true, false],
        ['bind', './postgresql.conf', '/etc/postgresql/postgresql.conf', false, true, false],
        ['anonymous', undefined, '/var/lib/postgresql/tmp', false, false, false],
        ['tmpfs', undefined, '/run/postgresql', false, false, false],
        ['config', 'db_password', '/run/secrets/db_password', true, true, false],
      ],
    );
    assert.equal(m[0]!.storage.kind, 'node-local');
    assert.equal(m[0]!.storage.copies, 1);
    assert.equal(m[0]!.storage.provider, 'local');
    assert.equal(m[1]!.storage.kind, 'node-local');
    assert.match(m[1]!.storage.description, /bind mount `\.\/init`/);
  });

  test('long syntax: volume, docker socket, ro bind with ~, tmpfs, anonymous; undeclared named; ${VAR} bind; configs', () => {
    const app = service(model, 'app');
    const m = app.containers[0]!.mounts;
    assert.deepEqual(
      m.map((x) => [x.type, x.source, x.target, x.readOnly, x.isData]),
      [
        ['named-volume', 'uploads', '/srv/uploads', false, true],
        ['bind', '/var/run/docker.sock', '/var/run/docker.sock', false, false],
        ['bind', '~/app-cache', '/cache', true, false],
        ['tmpfs', undefined, '/scratch', false, false],
        ['anonymous', undefined, '/anon', false, false],
        ['named-volume', 'undeclared', '/srv/undeclared', false, true],
        ['bind', '${DATA_DIR:-./data}', '/data', false, true],
        ['config', 'app_config', '/etc/app/config.yaml', true, false],
      ],
    );
    const undeclared = mount(app, '/srv/undeclared');
    assert.equal(undeclared.storage.kind, 'node-local');
    assert.equal(undeclared.definedAt, undefined);
    assert.equal(mount(app, '/data').storage.kind, 'node-local');
  });

  test('environment (map and list), entrypoint + command, ports, depends_on, stop_grace_period', () => {
    const db = service(model, 'db');
    assert.equal(db.containers[0]!.env['PGDATA'], '/var/lib/postgresql/data/pgdata');
    assert.deepEqual(db.containers[0]!.hostPorts, [5432, 9187]);
    assert.equal(db.stopGraceSeconds, 90);
    assert.deepEqual(db.stopGraceRange?.start, pos(5, 4));
    assert.equal(db.restartPolicy, 'unless-stopped');
    assert.deepEqual(db.restartPolicyRange?.start, pos(4, 4));
    assert.deepEqual(db.restartPolicyRange?.end, pos(4, 27));
    assert.equal(db.engine?.id, 'postgresql');
    assert.equal(db.engine?.dataDirOverridden, true);
    assert.equal(db.stateful, true);
    const app = service(model, 'app');
    assert.deepEqual(app.containers[0]!.env, { MODE: 'production', DEBUG: '' });
    assert.deepEqual(app.containers[0]!.args, ['/docker-entrypoint.sh', 'serve', '--port', '8080']);
    assert.deepEqual(app.dependsOn, ['db']);
    assert.equal(app.stopGraceSeconds, 0.5);
    assert.equal(app.restartPolicy, undefined);
    assert.equal(app.engine, undefined);
    assert.equal(app.stateful, true, 'a writable named volume is persistent data');
  });

  test('volume profiles: pxd repl range, nfs via local, external, declared labels', () => {
    const px = volume(model, 'pxdata');
    assert.equal(px.driver, 'pxd');
    assert.deepEqual(px.driverOpts, { repl: '3', size: '10' });
    assert.equal(px.profile.kind, 'replicated');
    assert.equal(px.profile.copies, 3);
    assert.deepEqual(px.profile.copiesRange?.start, pos(70, 12));
    assert.deepEqual(px.profile.copiesRange?.end, pos(70, 15));
    assert.deepEqual(px.driverOptRanges['repl'], px.profile.copiesRange);
    const replicated = service(model, 'replicated');
    const pxMount = mount(replicated, '/var/lib/cassandra');
    assert.equal(pxMount.storage.copies, 3);
    assert.deepEqual(pxMount.storage.copiesRange, px.profile.copiesRange);

    const nfs = volume(model, 'nfsdata');
    assert.equal(nfs.profile.kind, 'shared');
    assert.equal(mount(replicated, '/shared').storage.kind, 'shared');

    const ext = volume(model, 'extdata');
    assert.equal(ext.external, true);
    assert.equal(ext.profile.kind, 'unknown');
    assert.equal(ext.profile.copies, null);
    assert.equal(mount(replicated, '/ext').storage.kind, 'unknown');

    const declared = volume(model, 'declared');
    assert.equal(declared.profile.declared, true);
    assert.equal(declared.profile.kind, 'replicated');
    assert.equal(declared.profile.copies, 2);
    assert.equal(declared.labels['stateful-ha.io/storage'], 'replicated');
    assert.equal(volume(model, 'uploads').profile.kind, 'node-local');
  });

  test('replicas: scale, unset', () => {
    const replicated = service(model, 'replicated');
    assert.equal(replicated.replicas, 3);
    assert.equal(replicated.replicasExplicit, true);
    assert.deepEqual(replicated.replicasRange?.start, pos(56, 4));
    assert.equal(replicated.engine?.id, 'cassandra');
    const db = service(model, 'db');
    assert.equal(db.replicas, 1);
    assert.equal(db.replicasExplicit, false);
    assert.equal(db.replicasRange, undefined);
    assert.equal(db.global, false);
  });
});

describe('compose: swarm', () => {
  test('target is swarm when a service uses swarm-only deploy keys', () => {
    const model = parseFixture('swarm-keys.compose.yml');
    assert.ok(model.workloads.length === 4);
    for (const w of model.workloads) assert.equal(w.target, 'swarm');
  });

  test('target by file name: *stack* is swarm; deploy.replicas/resources alone is single-host', () => {
    const stack = parseFixture('docker-stack.yml');
    assert.equal(service(stack, 'redis').target, 'swarm');
    const plain = parseFixture('plain.compose.yml');
    assert.equal(service(plain, 'redis').target, 'single-host');
    assert.equal(service(plain, 'redis').replicas, 2);
    // The basename decides, not a directory named like a stack.
    const text = readFileSync(join(FIXTURES, 'plain.compose.yml'), 'utf8');
    assert.equal(service(parseFile('/srv/stacks/compose.yml', text, catalog), 'redis').target, 'single-host');
    assert.equal(
      service(parseFile('/srv/app/prod.stack.yaml', text, catalog, { fileName: 'prod.stack.yaml' }), 'redis')
        .target,
      'swarm',
    );
  });

  test('placement: equality constraint on node.labels pins; node.role and != do not', () => {
    const model = parseFixture('swarm-keys.compose.yml');
    const pg = service(model, 'pg');
    assert.equal(pg.placement.pinned, true);
    assert.equal(pg.placement.detail, 'node.labels.db == true');
    assert.deepEqual(pg.placement.range?.start, pos(10, 12));
    assert.deepEqual(pg.placement.range?.end, pos(10, 34));
    const etcd = service(model, 'etcd');
    assert.equal(etcd.placement.pinned, false, '`node.hostname != x` does not pin');
    assert.equal(service(model, 'web').placement.pinned, false);
  });

  test('restart policy from deploy.restart_policy.condition in swarm', () => {
    const model = parseFixture('swarm-keys.compose.yml');
    const pg = service(model, 'pg');
    assert.equal(pg.restartPolicy, 'on-failure');
    assert.deepEqual(pg.restartPolicyRange?.start, pos(12, 8));
    assert.equal(pg.stopGraceSeconds, 10);
    // `restart:` is ignored by swarm.
    assert.equal(service(model, 'web').restartPolicy, undefined);
  });

  test('replicas, max_replicas_per_node, global; spread', () => {
    const model = parseFixture('swarm-keys.compose.yml');
    const etcd = service(model, 'etcd');
    assert.equal(etcd.replicas, 3);
    assert.equal(etcd.maxReplicasPerNode, 1);
    assert.equal(etcd.spread.ok, true);
    assert.match(etcd.spread.detail ?? '', /max_replicas_per_node: 1/);
    assert.deepEqual(etcd.spread.range?.start, pos(29, 8));
    assert.equal(etcd.engine?.id, 'etcd');
    const agent = service(model, 'agent');
    assert.equal(agent.global, true);
    assert.equal(agent.replicas, null);
    assert.equal(agent.spread.ok, true);
    assert.match(agent.spread.detail ?? '', /global/);
    const pg = service(model, 'pg');
    assert.equal(pg.replicas, 1);
    assert.equal(pg.replicasExplicit, true);
    assert.equal(pg.spread.ok, false);
  });

  test('host ports in swarm: only long syntax with mode: host', () => {
    const model = parseFixture('swarm-keys.compose.yml');
    assert.deepEqual(service(model, 'etcd').containers[0]!.hostPorts, [2379]);
  });

  test('docker socket and docker state binds are not data', () => {
    const agent = service(parseFixture('swarm-keys.compose.yml'), 'agent');
    assert.ok(agent.containers[0]!.mounts.every((m) => !m.isData));
    assert.equal(agent.stateful, false);
  });
});

describe('compose: intent from labels and x-stateful-ha', () => {
  const model = parseFixture('intent.compose.yml');

  test('service labels + deploy.labels (map form)', () => {
    const c = service(model, 'cassandra');
    assert.equal(c.intent.replication, 'both');
    assert.deepEqual(c.intent.replicationRange?.start, pos(5, 34));
    assert.equal(c.intent.drTarget, 's3://backups/cassandra');
    assert.equal(c.labels['com.example.team'], 'data');
    assert.equal(c.labels['stateful-ha.io/dr-target'], 's3://backups/cassandra');
    assert.deepEqual(c.annotations, c.labels);
    assert.deepEqual(c.podLabels, { 'com.example.team': 'data', 'stateful-ha.io/replication': 'both' });
  });

  test('list-form labels with an ignore', () => {
    const m = service(model, 'mongo');
    assert.equal(m.labels['app'], 'mongo');
    assert.equal(m.intent.ignores.length, 1);
    assert.deepEqual(m.intent.ignores[0]!.rules, ['no-dr-target', 'single-copy-data']);
    assert.equal(m.intent.ignores[0]!.reason, 'dev only');
    assert.deepEqual(m.intent.ignores[0]!.range.start, pos(16, 8));
  });

  test('x-stateful-ha short keys', () => {
    const k = service(model, 'kafka');
    assert.equal(k.intent.replication, 'app');
    assert.equal(k.intent.drTarget, 'mirrormaker to dc2');
    assert.deepEqual(k.intent.ignores, [
      { rules: ['quorum-size'], reason: '', range: k.intent.ignores[0]!.range },
    ]);
    assert.deepEqual(k.intent.ignores[0]!.range.start, pos(25, 14));
    assert.equal(k.labels['stateful-ha.io/replication'], 'app');
    assert.equal(k.engine?.id, 'kafka');
  });

  test('x-stateful-ha full keys; invalid replication ignored; list of ignores', () => {
    const z = service(model, 'zk');
    assert.equal(z.intent.replication, undefined);
    assert.deepEqual(
      z.intent.ignores.map((i) => [i.rules, i.reason]),
      [
        [['missing-restart-policy'], 'managed by systemd'],
        [['short-stop-grace'], ''],
      ],
    );
    assert.equal(z.stateful, true, 'a known engine is stateful even without a volume');
  });
});

describe('compose: backup services', () => {
  const model = parseFixture('backup.compose.yml');

  test('offen/docker-volume-backup with an S3 bucket is off-site', () => {
    const b = service(model, 'backup-offsite');
    assert.deepEqual(b.backup, { tool: 'docker-volume-backup', offSite: true, volumes: ['db_data'] });
    assert.equal(b.stateful, false);
  });

  test('restic with a local repository is not off-site; long depends_on', () => {
    const b = service(model, 'backup-local');
    assert.equal(b.backup?.tool, 'restic');
    assert.equal(b.backup?.offSite, false);
    assert.deepEqual(b.backup?.volumes, ['db_data']);
    assert.deepEqual(b.dependsOn, ['db']);
    assert.equal(b.stateful, false);
  });

  test('the database itself is a stateful workload, not a backup', () => {
    const db = service(model, 'db');
    assert.equal(db.backup, undefined);
    assert.equal(db.stateful, true);
  });
});

describe('compose: anchors, aliases and merge keys', () => {
  const model = parseFixture('anchors.compose.yml');

  test('x- top-level keys are not services; merged values apply', () => {
    assert.deepEqual(
      model.workloads.map((w) => w.name),
      ['galera-1', 'galera-2', 'galera-3', 'galera-alias'],
    );
    const g1 = service(model, 'galera-1');
    assert.equal(g1.containers[0]!.image, 'mariadb:11');
    assert.equal(g1.restartPolicy, undefined, 'swarm target: `restart` is not the swarm policy');
    assert.equal(g1.intent.replication, 'app');
    assert.equal(g1.replicas, 2);
    assert.equal(g1.maxReplicasPerNode, 1);
    assert.equal(g1.spread.ok, true);
    assert.equal(g1.target, 'swarm');
    assert.equal(g1.engine?.id, 'mariadb');
    assert.equal(mount(g1, '/var/lib/mysql').source, 'galera1');
    // The merged image's range points at the anchor's source.
    assert.deepEqual(g1.containers[0]!.imageRange?.start, pos(1, 9));
  });

  test('own keys override merged ones (also in nested merges)', () => {
    const g2 = service(model, 'galera-2');
    assert.equal(g2.containers[0]!.image, 'mariadb:10.11');
    assert.deepEqual(g2.containers[0]!.env, {
      MARIADB_ROOT_PASSWORD: 'secret',
      MARIADB_GALERA_CLUSTER_NAME: 'galera',
    });
    assert.equal(g2.replicas, 1);
    assert.equal(g2.maxReplicasPerNode, 1);
  });

  test('merge key with a list, and a service that is an alias of another', () => {
    const g3 = service(model, 'galera-3');
    assert.equal(g3.containers[0]!.image, 'mariadb:11');
    assert.equal(g3.replicas, 1);
    const alias = service(model, 'galera-alias');
    assert.equal(alias.containers[0]!.image, 'mariadb:11');
    assert.equal(mount(alias, '/var/lib/mysql').source, 'galera3');
    assert.deepEqual(alias.nameRange.start, pos(37, 2));
  });
});

describe('compose: `extends` within the file', () => {
  const text = [
    'services:', // 0
    '  base:', // 1
    '    image: redis:7', // 2
    '    command: redis-server --appendonly yes', // 3
    '    restart: always', // 4
    '    volumes: [rdata:/data, ./conf:/usr/local/etc/redis]', // 5
    '    environment:', // 6
    '      A: "1"', // 7
    '      B: "1"', // 8
    '    deploy:', // 9
    '      resources: { limits: { memory: 1g } }', // 10
    '  child:', // 11
    '    extends: base', // 12
    '    command: redis-server --replicaof base 6379', // 13
    '    volumes: [cdata:/data]', // 14
    '    environment:', // 15
    '      B: "2"', // 16
    '    deploy:', // 17
    '      mode: replicated', // 18
    '  grandchild:', // 19
    '    extends: { service: child }', // 20
    '  loop-a: { extends: loop-b, image: postgres:16 }', // 21
    '  loop-b: { extends: loop-a }', // 22
    '  elsewhere:', // 23
    '    extends: { file: common.yml, service: db }', // 24
    '    image: busybox', // 25
    '  missing: { extends: nobody, image: busybox }', // 26
    'volumes: { rdata: {}, cdata: {} }', // 27
  ].join('\n');
  const model = parseText(text);

  test('an extending service inherits what it does not set: image, restart policy, mounts', () => {
    const child = service(model, 'child');
    assert.equal(child.containers[0]!.image, 'redis:7');
    assert.equal(child.engine?.id, 'redis');
    assert.equal(child.restartPolicy, 'always');
    // The inherited key keeps its range in the base service.
    assert.deepEqual(child.restartPolicyRange?.start, pos(4, 4));
    assert.deepEqual(child.containers[0]!.imageRange?.start, pos(2, 11));
    assert.equal(child.stateful, true);
  });

  test("one mount per target, the extending service's own first; mappings merge key by key", () => {
    const child = service(model, 'child');
    assert.deepEqual(
      child.containers[0]!.mounts.map((m) => [m.target, m.source]),
      [
        ['/data', 'cdata'],
        ['/usr/local/etc/redis', './conf'],
      ],
    );
    assert.deepEqual(mount(child, '/data').range.start, pos(14, 14));
    assert.deepEqual(child.containers[0]!.env, { A: '1', B: '2' });
  });

  test('command is replaced, not appended', () => {
    assert.deepEqual(service(model, 'child').containers[0]!.args, [
      'redis-server',
      '--replicaof',
      'base',
      '6379',
    ]);
    assert.deepEqual(service(model, 'base').containers[0]!.args, ['redis-server', '--appendonly', 'yes']);
  });

  test("chains resolve through every base; the model keeps the service's own map for fixes", () => {
    const grandchild = service(model, 'grandchild');
    assert.equal(grandchild.containers[0]!.image, 'redis:7');
    assert.equal(mount(grandchild, '/data').source, 'cdata');
    assert.deepEqual(grandchild.containers[0]!.env, { A: '1', B: '2' });
    const node = grandchild.node as { range?: number[] };
    assert.equal(text.slice(node.range![0], node.range![1]).trim(), 'extends: { service: child }');
  });

  test('cycles, other files and unknown bases: the service is read as written', () => {
    assert.equal(service(model, 'loop-a').containers[0]!.image, 'postgres:16');
    assert.equal(service(model, 'loop-b').containers[0]!.image, '');
    assert.equal(service(model, 'elsewhere').containers[0]!.image, 'busybox');
    assert.equal(service(model, 'missing').containers[0]!.image, 'busybox');
    // The base is still a service of its own, unchanged.
    assert.deepEqual(
      service(model, 'base').containers[0]!.mounts.map((m) => m.target),
      ['/data', '/usr/local/etc/redis'],
    );
  });

  test('placement and swarm keys inherited from the base count', () => {
    const swarm = parseText(
      [
        'services:',
        '  base:',
        '    image: postgres:16',
        '    volumes: [pg:/var/lib/postgresql/data]',
        '    deploy:',
        '      placement: { constraints: [node.hostname == db-1] }',
        '  replica:',
        '    extends: base',
        '    volumes: [pg2:/var/lib/postgresql/data]',
        'volumes: { pg: {}, pg2: {} }',
      ].join('\n'),
    );
    const replica = service(swarm, 'replica');
    assert.equal(replica.target, 'swarm');
    assert.equal(replica.placement.pinned, true);
    assert.equal(mount(replica, '/var/lib/postgresql/data').source, 'pg2');
  });
});

describe('compose: bad input never throws', () => {
  test('binary files are recognised in their first 8 KB: a NUL, or over 10% control characters', () => {
    const text = 'services:\n  db:\n    image: postgres:16\n';
    const reason = (t: string) => parseFile('compose.yaml', t, new Catalog()).source!.skippedReason;
    assert.equal(reason(`${text}# \0\n`), 'binary file: not analysed');
    // 26 control and replacement characters (tab, CR and LF are not) in 67 characters, no NUL.
    const controls = '\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u000b\u000c\u000e\u001f\ufffd';
    assert.equal(reason(`${controls}${controls}\n${text}`), 'binary file: not analysed');
    // A few control characters are a text file's: it is parsed.
    assert.equal(reason(`# \u0007\ufffd\n${text}`), undefined);
    // Past the first 8 KB, nothing is looked at.
    assert.equal(reason(`${text}# ${'x'.repeat(8192)}\0\n`), undefined);
  });
  test('wrong types in a fixture are skipped', () => {
    const model = parseFixture('bad-types.compose.yml');
    assert.deepEqual(
      model.workloads.map((w) => w.name),
      ['weird', 'weirder'],
    );
    assert.equal(model.objects.length, 0);
    const weird = service(model, 'weird');
    assert.equal(weird.replicas, null, 'an unparsable scale is unknown');
    assert.deepEqual(weird.dependsOn, []);
    assert.equal(weird.stopGraceSeconds, undefined);
    assert.equal(weird.restartPolicy, undefined);
    const weirder = service(model, 'weirder');
    assert.equal(weirder.containers[0]!.image, '');
    assert.equal(weirder.placement.pinned, false);
    assert.deepEqual(weirder.intent.ignores, []);
  });

  test('odd documents', () => {
    for (const text of [
      'services: {}\n',
      'services:\n  a: {image: redis, volumes: [{type: volume}]}\n',
      'services:\n  a:\n    image: redis\n    volumes: *missing\n',
      'services:\n  a: {image: redis, deploy: {placement: [1]}}\nvolumes: [a, b]\n',
      'services:\n  a: {image: redis}\nvolumes:\n  v: {driver: [x], driver_opts: [1], external: {name: y}, labels: [1]}\n',
      'services:\n  a:\n    <<: 5\n    image: x\n',
      'services:\n  ? [a, b]\n  : {image: x}\n',
      'services:\n  a: &a {image: x, depends_on: *a}\n',
    ]) {
      assert.doesNotThrow(() => parseText(text), text);
    }
  });

  test('a duplicated service key counts once (the last one)', () => {
    const model = parseText('services:\n  a: {image: redis}\n  a: {image: postgres}\nvolumes:\n  v:\n  v:\n');
    assert.deepEqual(
      model.workloads.map((w) => w.containers[0]!.image),
      ['postgres'],
    );
    assert.equal(model.objects.length, 1);
  });

  test('property: arbitrary values anywhere in a service never throw', () => {
    const value = fc.jsonValue({ maxDepth: 3 });
    const keys = fc.constantFrom(
      'image',
      'volumes',
      'tmpfs',
      'secrets',
      'configs',
      'ports',
      'environment',
      'labels',
      'deploy',
      'scale',
      'restart',
      'stop_grace_period',
      'depends_on',
      'command',
      'entrypoint',
      'x-stateful-ha',
    );
    fc.assert(
      fc.property(fc.dictionary(keys, value), fc.jsonValue({ maxDepth: 3 }), (svc, volumes) => {
        const text = stringify({ services: { s: svc }, volumes });
        const model = parseText(text, 'stack.yml');
        assert.equal(model.workloads.length, 1);
      }),
      { numRuns: 300 },
    );
  });
});

describe('compose: pure helpers', () => {
  test('mountFromShortSyntax', () => {
    assert.deepEqual(mountFromShortSyntax('data:/var/lib/x:ro'), {
      type: 'named-volume',
      source: 'data',
      target: '/var/lib/x',
      readOnly: true,
      mode: 'ro',
    });
    assert.equal(mountFromShortSyntax('./d:/x')?.type, 'bind');
    assert.equal(mountFromShortSyntax('/abs:/x:rw,z')?.readOnly, false);
    assert.equal(mountFromShortSyntax('~/d:/x')?.type, 'bind');
    assert.equal(mountFromShortSyntax('${HOME}/d:/x')?.source, '${HOME}/d');
    assert.equal(mountFromShortSyntax('C:\\data:/x')?.type, 'bind');
    assert.equal(mountFromShortSyntax('C:\\data:/x')?.source, 'C:\\data');
    assert.deepEqual(mountFromShortSyntax('/data'), {
      type: 'anonymous',
      target: '/data',
      readOnly: false,
      mode: undefined,
    });
    assert.equal(mountFromShortSyntax(''), undefined);
  });

  test('durations, ports, file targets, ignore values, stack names', () => {
    assert.equal(parseDurationSeconds('1m30s'), 90);
    assert.equal(parseDurationSeconds('2h'), 7200);
    assert.equal(parseDurationSeconds('500ms'), 0.5);
    assert.equal(parseDurationSeconds('15'), 15);
    assert.equal(parseDurationSeconds('soon'), undefined);
    assert.deepEqual(hostPortsFromShortSyntax('8080:80'), [8080]);
    assert.deepEqual(hostPortsFromShortSyntax('127.0.0.1:8080:80/udp'), [8080]);
    assert.deepEqual(hostPortsFromShortSyntax('[::1]:5000:5000'), [5000]);
    assert.deepEqual(hostPortsFromShortSyntax('9000-9001:9000-9001'), [9000, 9001]);
    assert.deepEqual(hostPortsFromShortSyntax('80'), []);
    assert.deepEqual(hostPortsFromShortSyntax('127.0.0.1::80'), []);
    assert.equal(targetLooksLikeFile('/etc/nginx/nginx.conf'), true);
    assert.equal(targetLooksLikeFile('/var/lib/postgresql/data'), false);
    assert.equal(targetLooksLikeFile('/root/.ssh'), false);
    assert.deepEqual(parseIgnoreValue('a, b: because'), { rules: ['a', 'b'], reason: 'because' });
    assert.deepEqual(parseIgnoreValue('a'), { rules: ['a'], reason: '' });
    assert.equal(isStackFileName('file:///x/docker-stack.yml'), true);
    assert.equal(isStackFileName('/stacks/compose.yml'), false);
  });

  test('property: string helpers accept any string', () => {
    const spec = fc.stringMatching(/^[a-z0-9./~${}:\\,\-[\] ]{0,30}$/);
    fc.assert(
      fc.property(spec, (s) => {
        const m = mountFromShortSyntax(s);
        if (m) assert.ok(m.type === 'anonymous' || m.source !== undefined);
        for (const p of hostPortsFromShortSyntax(s)) assert.ok(p > 0 && p <= 65535);
        const d = parseDurationSeconds(s);
        if (d !== undefined) assert.ok(d >= 0);
        parseIgnoreValue(s);
        targetLooksLikeFile(s);
      }),
      { numRuns: 500 },
    );
  });
});

describe('compose: real-world corpus', () => {
  const files = readdirSync(CORPUS).filter((f) => /\.ya?ml$/.test(f));
  const models = new Map<string, FileModel>();
  for (const f of files) models.set(f, parseFile(f, readFileSync(join(CORPUS, f), 'utf8'), catalog));

  test('every compose file parses without exceptions into workloads', () => {
    const compose = [...models.entries()].filter(([, m]) => m.source?.kind === 'compose');
    assert.ok(compose.length >= 15, `found ${compose.length} compose files`);
    for (const [f, m] of compose) {
      assert.ok(m.workloads.length > 0, `${f} has services`);
      for (const w of m.workloads) {
        assert.equal(w.platform, 'compose', f);
        assert.ok(w.span.start.line <= w.nameRange.start.line, f);
      }
    }
  });

  test('bitnami etcd cluster: 3 services running etcd, single-host', () => {
    const m = models.get('bitnami-docker-etcd--docker-compose-cluster.yml')!;
    assert.deepEqual(
      m.workloads.map((w) => [w.name, w.engine?.id, w.target]),
      [
        ['etcd1', 'etcd', 'single-host'],
        ['etcd2', 'etcd', 'single-host'],
        ['etcd3', 'etcd', 'single-host'],
      ],
    );
    assert.equal(m.workloads[0]!.containers[0]!.env['ETCD_NAME'], 'etcd1');
  });

  test('docker-elk stack file is a swarm target; configs are not data', () => {
    const m = models.get('docker-elk--docker-stack.yml')!;
    assert.deepEqual(
      m.workloads.map((w) => w.name),
      ['elasticsearch', 'logstash', 'kibana'],
    );
    for (const w of m.workloads) assert.equal(w.target, 'swarm');
    const es = service(m, 'elasticsearch');
    assert.equal(es.engine?.id, 'elasticsearch');
    assert.deepEqual(
      es.containers[0]!.mounts.map((x) => [x.type, x.isData]),
      [['config', false]],
    );
    // Short-syntax ports go through the routing mesh in swarm: no host port.
    assert.deepEqual(es.containers[0]!.hostPorts, []);
  });

  test('bitnami mongodb replica set: the arbiter is not stateful', () => {
    const m = models.get('bitnami-docker-mongodb--docker-compose-replicaset.yml')!;
    const arbiter = service(m, 'mongodb-arbiter');
    assert.equal(arbiter.engine?.arbiter, true);
    assert.equal(arbiter.stateful, false);
    assert.equal(service(m, 'mongodb-primary').stateful, true);
  });

  test('bitnami kafka cluster and awesome-compose nextcloud', () => {
    const kafka = models.get('bitnami-docker-kafka--docker-compose-cluster.yml')!;
    assert.equal(kafka.workloads.filter((w) => w.engine?.id === 'kafka').length, 3);
    assert.equal(mount(service(kafka, 'kafka-0'), '/bitnami/kafka').source, 'kafka_0_data');
    const nc = models.get('awesome-compose--nextcloud-postgres-compose.yaml')!;
    const db = service(nc, 'db');
    assert.equal(db.engine?.id, 'postgresql');
    assert.equal(mount(db, '/var/lib/postgresql/data').storage.definedBy, volume(nc, 'db_data').id);
  });
});
