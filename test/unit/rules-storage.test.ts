// Storage rules: missing-node-affinity, double-replication, single-copy-data, ephemeral-data,
// shared-volume-replicas, missing-storage-class, reclaim-policy-delete, immediate-volume-binding,
// rolling-update-multi-attach. Fixtures under test/fixtures/rules/<rule>/; every fix is applied and the
// file re-linted: the finding is gone, the YAML still parses, every comment is still there.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseAllDocuments } from 'yaml';
import type { Finding } from '../../server/src/advisor/model/model.js';
import { applyFix, fixture, lint, ofRule } from './helpers.js';

/** Loads fixtures of one rule folder, keyed by file name (names matter: `*stack*` is a swarm stack). */
function load(rule: string, ...names: string[]): Record<string, string> {
  return Object.fromEntries(names.map((n) => [n, fixture(`rules/${rule}/${n}`)]));
}

function findings(files: Record<string, string>, rule: string): Finding[] {
  return ofRule(lint(files), rule);
}

function only(files: Record<string, string>, rule: string): Finding {
  const list = findings(files, rule);
  assert.equal(
    list.length,
    1,
    `expected one ${rule} finding, got ${list.length}: ${list.map((f) => f.message).join(' | ')}`,
  );
  return list[0]!;
}

/** Comments of a text (whole-line and trailing), to check fixes keep them. */
function comments(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const t = line.trim();
    if (t.startsWith('#')) out.push(t);
    else {
      const i = line.indexOf(' #');
      if (i >= 0) out.push(line.slice(i + 1).trim());
    }
  }
  return out;
}

/** Applies fix #i of `finding`, asserts the result is valid, comment-preserving and silences the finding. */
function checkFix(files: Record<string, string>, finding: Finding, i = 0): Record<string, string> {
  const fixed = applyFix(files, finding, i);
  for (const [name, text] of Object.entries(fixed)) {
    const errors = parseAllDocuments(text).flatMap((d) => d.errors);
    assert.deepEqual(
      errors.map((e) => e.message),
      [],
      `${name} does not parse after "${finding.fixes[i]!.title}":\n${text}`,
    );
    for (const c of comments(files[name] ?? ''))
      assert.ok(text.includes(c), `${name} lost comment ${c}:\n${text}`);
  }
  const again = findings(fixed, finding.rule).filter((f) => f.workload === finding.workload);
  assert.deepEqual(
    again.map((f) => f.message),
    [],
    `"${finding.fixes[i]!.title}" did not silence ${finding.rule}:\n${Object.values(fixed).join('\n=====\n')}`,
  );
  return fixed;
}

function start(f: Finding): [number, number] {
  return [f.range.start.line, f.range.start.character];
}

function range(f: Finding): [number, number, number, number] {
  return [f.range.start.line, f.range.start.character, f.range.end.line, f.range.end.character];
}

// ---------------------------------------------------------------------------------------------------

describe('double-replication', () => {
  const R = 'double-replication';

  test('Cassandra ×3 on a Portworx class with repl 3: 9 copies, at the mount, related repl line', () => {
    const files = load(R, 'bad-statefulset.yaml');
    const f = only(files, R);
    assert.equal(f.workload, 'StatefulSet/cassandra');
    assert.equal(f.severity, 'warning');
    assert.deepEqual(range(f), [32, 14, 33, 43]);
    assert.match(f.message, /Cassandra/);
    assert.match(f.message, /3 × 3 = 9 copies/);
    assert.match(f.message, /px-db/);
    const repl = f.related.find((r) => /3 copies/.test(r.message));
    assert.ok(repl, 'related location on the repl parameter');
    assert.deepEqual(
      [repl.range.start.line, repl.range.start.character, repl.range.end.character],
      [9, 8, 11],
    );
    assert.equal(f.fixes.length, 2);
  });

  test('fix 1: repl → "1" keeps quotes and the trailing comment', () => {
    const files = load(R, 'bad-statefulset.yaml');
    const fixed = checkFix(files, only(files, R), 0);
    assert.match(fixed['bad-statefulset.yaml']!, /repl: "1" # three replicas per volume/);
  });

  test('fix 2: declare intent both (annotation)', () => {
    const files = load(R, 'bad-statefulset.yaml');
    const fixed = checkFix(files, only(files, R), 1);
    assert.match(fixed['bad-statefulset.yaml']!, /annotations:\n {4}stateful-ha.io\/replication: both/);
  });

  test('declared intent `both` silences it', () => {
    assert.deepEqual(findings(load(R, 'good-intent-both.yaml'), R), []);
  });

  test('one member, or a non-replicating engine, is not double replication', () => {
    assert.deepEqual(findings(load(R, 'good-single-member.yaml'), R), []);
    assert.deepEqual(findings(load(R, 'good-postgres-no-replication.yaml'), R), []);
  });

  test('cross-file StorageClass (Longhorn default 3 replicas): the fix edits the class file', () => {
    const files = load(R, 'kafka-statefulset.yaml', 'storageclass-longhorn.yaml');
    const f = only(files, R);
    assert.equal(f.workload, 'StatefulSet/kafka');
    assert.equal(f.range.file, 'kafka-statefulset.yaml');
    assert.match(f.message, /Kafka/);
    assert.match(f.message, /3 × 3 = 9 copies/);
    assert.ok(f.related.some((r) => r.range.file === 'storageclass-longhorn.yaml'));
    assert.ok(f.fixes[0]!.edits.every((e) => e.range.file === 'storageclass-longhorn.yaml'));
    const fixed = checkFix(files, f, 0);
    assert.match(
      fixed['storageclass-longhorn.yaml']!,
      /parameters:\n {2}staleReplicaTimeout: "30"\n {2}numberOfReplicas: "1"\n/,
    );
    assert.equal(fixed['kafka-statefulset.yaml'], files['kafka-statefulset.yaml']);
  });

  test('compose cluster written one service per member: counted across services, attached to the first', () => {
    const files = load(R, 'bad-cluster-stack.yml');
    const f = only(files, R);
    assert.equal(f.workload, 'service/cassandra-1');
    assert.deepEqual(range(f), [5, 8, 5, 29]);
    assert.match(f.message, /3 members/);
    assert.match(f.message, /3 × 2 = 6 copies/);
    // The storage fix sets every member's volume to one copy.
    const fixed = checkFix(files, f, 0);
    assert.equal(fixed['bad-cluster-stack.yml']!.match(/repl: "1"/g)?.length, 3);
    assert.match(fixed['bad-cluster-stack.yml']!, /repl: "1" # two copies per volume/);
    // The intent fix labels the first member.
    const declared = checkFix(files, f, 1);
    assert.match(
      declared['bad-cluster-stack.yml']!,
      /cassandra-1:\n {4}image: cassandra:4.1\n[\s\S]*?labels:\n {6}stateful-ha.io\/replication: both/,
    );
  });

  test('compose: the intent fix appends to a `labels` list', () => {
    const text = fixture('rules/double-replication/bad-cluster-stack.yml').replace(
      '  cassandra-1:\n    image: cassandra:4.1\n',
      '  cassandra-1:\n    image: cassandra:4.1\n    labels:\n      - team=data # owners\n',
    );
    const files = { 'cluster-stack.yml': text };
    const fixed = checkFix(files, only(files, R), 1);
    assert.match(
      fixed['cluster-stack.yml']!,
      /labels:\n {6}- team=data # owners\n {6}- stateful-ha.io\/replication=both\n/,
    );
  });

  test('compose: a `both` label on one member silences the cluster', () => {
    assert.deepEqual(findings(load(R, 'good-cluster-stack.yml'), R), []);
  });

  test('intent `app` (or `storage`) does not silence it', () => {
    const text = fixture('rules/double-replication/good-intent-both.yaml').replace(
      'replication: both',
      'replication: app',
    );
    assert.equal(findings({ 'k.yaml': text }, R).length, 1);
  });

  test('suppression comment above the workload', () => {
    const text = fixture('rules/double-replication/bad-statefulset.yaml').replace(
      'kind: StatefulSet',
      '# stateful-ha-ignore double-replication: storage replicas are deliberate\nkind: StatefulSet',
    );
    assert.deepEqual(findings({ 'k.yaml': text }, R), []);
  });
});

describe('missing-node-affinity', () => {
  const R = 'missing-node-affinity';

  test('swarm stack: local volume, no constraint — at the mount entry; fix adds a node-label constraint', () => {
    const files = load(R, 'bad-stack.yml');
    const f = only(files, R);
    assert.equal(f.workload, 'service/db');
    assert.deepEqual(range(f), [6, 8, 6, 39]);
    assert.match(f.message, /volume `pgdata` \(local driver\)/);
    assert.match(f.message, /empty data directory/);
    const fixed = checkFix(files, f);
    assert.match(
      fixed['bad-stack.yml']!,
      /deploy:\n {6}restart_policy:\n {8}condition: any\n {6}placement:\n {8}constraints:\n {10}- node.labels.db-data == true\n/,
    );
  });

  test('pinned by a node label constraint: silent', () => {
    assert.deepEqual(findings(load(R, 'good-stack.yml'), R), []);
  });

  test('single-host compose: multi-node rules do not apply', () => {
    const files = load(R, 'single-host.compose.yml');
    assert.deepEqual(findings(files, R), []);
    assert.deepEqual(findings(files, 'single-copy-data'), []);
  });

  test('k8s hostPath: fires; fix adds a nodeSelector', () => {
    const files = load(R, 'bad-hostpath.yaml');
    const f = only(files, R);
    assert.equal(f.workload, 'Deployment/influx');
    assert.deepEqual(start(f), [17, 14]);
    assert.match(f.message, /hostPath/);
    const fixed = checkFix(files, f);
    assert.match(fixed['bad-hostpath.yaml']!, /nodeSelector:\n {8}stateful-ha.io\/data-node: influx\n/);
  });

  test('k8s nodeSelector pins: silent', () => {
    assert.deepEqual(findings(load(R, 'good-node-selector.yaml'), R), []);
  });

  test('pinning provisioner (local-path) silences it, single-copy-data still fires', () => {
    const files = load(R, 'good-local-path.yaml');
    assert.deepEqual(findings(files, R), []);
    assert.equal(findings(files, 'single-copy-data').length, 1);
  });

  test('minikube-hostpath does not pin: fires', () => {
    const f = only(load(R, 'bad-minikube-hostpath.yaml'), R);
    assert.equal(f.workload, 'StatefulSet/postgres');
    assert.match(f.message, /minikube-hostpath/);
    checkFix(load(R, 'bad-minikube-hostpath.yaml'), f);
  });

  test('compose `extends`: the extending service inherits the unpinned local volume; its fix goes in its own block', () => {
    const text = [
      'services:',
      '  db:',
      '    image: postgres:16',
      '    volumes: [pgdata:/var/lib/postgresql/data] # the base',
      '    deploy:',
      '      restart_policy: { condition: any }',
      '  db-reports:',
      '    extends: db',
      '    environment: { POSTGRES_DB: reports }',
      'volumes:',
      '  pgdata:',
    ].join('\n');
    const files = { 'stack.yml': text };
    const list = findings(files, R);
    assert.deepEqual(list.map((f) => f.workload).sort(), ['service/db', 'service/db-reports']);
    // Both point at the mount the extending service inherits, in the base.
    for (const f of list) assert.deepEqual(start(f), [3, 14]);
    const f = list.find((x) => x.workload === 'service/db-reports')!;
    const fixed = checkFix(files, f);
    const lines = fixed['stack.yml']!.split('\n');
    // The base is unchanged; the constraint is added under `db-reports` (compose merges it with the base's
    // `deploy`), so only the extending service is pinned.
    assert.deepEqual(lines.slice(0, 6), text.split('\n').slice(0, 6));
    assert.match(
      lines.slice(6).join('\n'),
      /db-reports:\n(.*\n)*? {4}deploy:\n {6}placement:\n {8}constraints:/,
    );
    assert.deepEqual(
      findings(fixed, R).map((x) => x.workload),
      ['service/db'],
    );
  });

  test('compose `extends`: a placement in the base pins the extending service too', () => {
    const text = [
      'services:',
      '  db:',
      '    image: postgres:16',
      '    volumes: [pgdata:/var/lib/postgresql/data]',
      '    deploy:',
      '      placement: { constraints: [node.labels.db == true] }',
      '  db-reports:',
      '    extends: { service: db }',
      '    volumes: [reports:/var/lib/postgresql/data]',
      'volumes: { pgdata: {}, reports: {} }',
    ].join('\n');
    assert.deepEqual(findings({ 'stack.yml': text }, R), []);
    // The extending service's own volume replaced the base's at the same target: one copy of its own data.
    const single = findings({ 'stack.yml': text }, 'single-copy-data').find(
      (f) => f.workload === 'service/db-reports',
    );
    assert.match(single?.message ?? '', /volume `reports`/);
  });

  test('swarm global service: each task stays on its node, silent', () => {
    const text = fixture('rules/missing-node-affinity/bad-stack.yml').replace(
      '    deploy:\n',
      '    deploy:\n      mode: global\n',
    );
    assert.deepEqual(findings({ 'stack.yml': text }, R), []);
  });
});

describe('single-copy-data', () => {
  const R = 'single-copy-data';

  test('PostgreSQL without replication on local-path: one copy', () => {
    const f = only(load(R, 'bad-postgres-local-path.yaml'), R);
    assert.equal(f.workload, 'StatefulSet/postgres');
    assert.deepEqual(start(f), [24, 14]);
    assert.match(f.message, /PostgreSQL without replication/);
    assert.match(f.message, /exactly one copy/);
    assert.equal(f.fixes.length, 0);
  });

  test('three Cassandra members on local disks: the app keeps the copies', () => {
    assert.deepEqual(findings(load(R, 'good-cassandra-local-path.yaml'), R), []);
  });

  test('a replica set of one member on a local volume fires (pinned, so missing-node-affinity does not)', () => {
    const files = load(R, 'bad-mongo-single-member-stack.yml');
    const f = only(files, R);
    assert.equal(f.workload, 'service/mongo');
    assert.match(f.message, /single member/);
    assert.deepEqual(findings(files, 'missing-node-affinity'), []);
  });

  test('single-host compose and replicated storage are silent', () => {
    assert.deepEqual(findings(load(R, 'good-single-host.compose.yml'), R), []);
    assert.deepEqual(findings(load(R, 'good-replicated-storage.yaml'), R), []);
  });
});

describe('ephemeral-data', () => {
  const R = 'ephemeral-data';

  test('compose PostgreSQL with no volume: at the image; fix adds a named volume', () => {
    const files = load(R, 'bad-no-volume.compose.yml');
    const f = only(files, R);
    assert.equal(f.workload, 'service/db');
    assert.equal(f.severity, 'error');
    assert.deepEqual(range(f), [3, 11, 3, 22]);
    assert.match(f.message, /\/var\/lib\/postgresql\/data/);
    const fixed = checkFix(files, f);
    assert.match(
      fixed['bad-no-volume.compose.yml']!,
      /volumes:\n {6}- db-data:\/var\/lib\/postgresql\/data\n/,
    );
    assert.match(fixed['bad-no-volume.compose.yml']!, /\nvolumes:\n {2}db-data: \{\}\n/);
  });

  test('anonymous volume at the data path: the fix replaces it with a named one', () => {
    const files = load(R, 'bad-anonymous.compose.yml');
    const f = only(files, R);
    assert.deepEqual(range(f), [6, 8, 6, 22]);
    assert.match(f.message, /anonymous volume/);
    const fixed = checkFix(files, f);
    assert.match(fixed['bad-anonymous.compose.yml']!, /- db-data:\/var\/lib\/mysql\n/);
    assert.doesNotMatch(fixed['bad-anonymous.compose.yml']!, /- \/var\/lib\/mysql\n/);
    assert.match(fixed['bad-anonymous.compose.yml']!, /volumes:\n {2}other: \{\}\n {2}db-data: \{\}\n/);
  });

  test('Bitnami image: its own data path', () => {
    const files = load(R, 'bad-bitnami.compose.yml');
    const f = only(files, R);
    assert.match(f.message, /\/bitnami\/postgresql/);
    const fixed = checkFix(files, f);
    assert.match(fixed['bad-bitnami.compose.yml']!, /- db-data:\/bitnami\/postgresql\n/);
    assert.deepEqual(findings(load(R, 'good-bitnami.compose.yml'), R), []);
  });

  test('PGDATA moves the data directory: any persistent mount silences it', () => {
    assert.deepEqual(findings(load(R, 'good-pgdata-override.compose.yml'), R), []);
  });

  test('data directory moved and nothing persistent mounted: fires, without a fix (the path is unknown)', () => {
    const text =
      'services:\n  db:\n    image: postgres:16\n    restart: always\n    environment:\n      PGDATA: /srv/pg\n';
    const f = only({ 'compose.yaml': text }, R);
    assert.match(f.message, /set by its configuration/);
    assert.equal(f.fixes.length, 0);
  });

  test('a volume at an ancestor of the data path covers it', () => {
    assert.deepEqual(findings(load(R, 'good-ancestor.compose.yml'), R), []);
  });

  test('StatefulSet with no volume: fix adds a volumeClaimTemplate and its mount', () => {
    const files = load(R, 'bad-statefulset.yaml');
    const f = only(files, R);
    assert.equal(f.workload, 'StatefulSet/redis');
    assert.deepEqual(start(f), [15, 17]);
    const fixed = checkFix(files, f);
    const text = fixed['bad-statefulset.yaml']!;
    assert.match(
      text,
      /containerPort: 6379 # client port\n {10}volumeMounts:\n {12}- name: data\n {14}mountPath: \/data\n/,
    );
    assert.match(text, /\n {2}volumeClaimTemplates:\n {4}- metadata:\n {8}name: data\n/);
  });

  test('emptyDir at the data path: fires at the mount, no fix', () => {
    const f = only(load(R, 'bad-emptydir.yaml'), R);
    assert.deepEqual(range(f), [17, 14, 18, 38]);
    assert.match(f.message, /emptyDir/);
    assert.equal(f.fixes.length, 0);
  });

  test('a Redis cache (Deployment, no persistence flags, nothing mounted) is silent; with --appendonly yes it fires', () => {
    const cache = [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: {name: cache}',
      'spec:',
      '  selector: {matchLabels: {app: cache}}',
      '  template:',
      '    metadata: {labels: {app: cache}}',
      '    spec:',
      '      containers:',
      '        - name: redis',
      '          image: redis:7',
      '',
    ].join('\n');
    assert.deepEqual(findings({ 'cache.yaml': cache }, R), []);
    const aof = cache.replace('image: redis:7', 'image: redis:7\n          args: ["--appendonly", "yes"]');
    assert.equal(findings({ 'cache.yaml': aof }, R).length, 1);
  });
});

describe('shared-volume-replicas', () => {
  const R = 'shared-volume-replicas';

  test('compose deploy.replicas 3 on one volume: error at the mount; fix replicas → 1', () => {
    const files = load(R, 'bad-scale.compose.yml');
    const f = only(files, R);
    assert.equal(f.severity, 'error');
    assert.equal(f.workload, 'service/db');
    assert.deepEqual(range(f), [8, 8, 8, 29]);
    assert.match(f.message, /^3 replicas/);
    assert.match(f.message, /MariaDB/);
    const fixed = checkFix(files, f);
    assert.match(fixed['bad-scale.compose.yml']!, /replicas: 1 # "for HA"/);
  });

  test('swarm: replicas may share a local volume on one node; max_replicas_per_node: 1 fix', () => {
    const files = load(R, 'bad-stack.yml');
    const f = only(files, R);
    assert.equal(f.fixes.length, 2);
    const fixed = checkFix(files, f, 1);
    assert.match(fixed['bad-stack.yml']!, /placement:\n {8}max_replicas_per_node: 1\n/);
  });

  test('swarm max_replicas_per_node: 1 silences it', () => {
    assert.deepEqual(findings(load(R, 'good-stack.yml'), R), []);
  });

  test('k8s Deployment ×2 with a ReadWriteOnce claim; fix replicas → 1', () => {
    const files = load(R, 'bad-deployment-rwo.yaml');
    const f = only(files, R);
    assert.equal(f.workload, 'Deployment/app');
    assert.match(f.message, /ReadWriteOnce/);
    assert.match(f.message, /Multi-Attach/);
    assert.equal(f.related[0]!.range.start.line, 16);
    const fixed = checkFix(files, f);
    assert.match(fixed['bad-deployment-rwo.yaml']!, /replicas: 1 # scaled for traffic/);
  });

  test('ReadWriteMany claim for a plain application: silent', () => {
    assert.deepEqual(findings(load(R, 'good-deployment-rwx.yaml'), R), []);
  });
});

describe('missing-storage-class', () => {
  const R = 'missing-storage-class';

  test('standalone claim → PersistentVolumeClaim/<name>; template → its StatefulSet', () => {
    const list = findings(load(R, 'bad-claims.yaml'), R);
    assert.deepEqual(
      list.map((f) => [f.workload, f.severity, ...range(f)]),
      [
        ['PersistentVolumeClaim/pgdata', 'info', 3, 8, 3, 14],
        ['StatefulSet/zk', 'info', 31, 14, 31, 18],
      ],
    );
    assert.match(list[1]!.message, /volumeClaimTemplate `data`/);
  });

  test('storageClassName "" (static binding), a named class and the legacy annotation are not missing', () => {
    assert.deepEqual(findings(load(R, 'good-claims.yaml'), R), []);
  });

  test('a default StorageClass declared in the workspace is not unknown: silent', () => {
    const files = {
      ...load(R, 'bad-claims.yaml'),
      'default.yaml': [
        'apiVersion: storage.k8s.io/v1',
        'kind: StorageClass',
        'metadata:',
        '  name: standard',
        '  annotations:',
        '    storageclass.kubernetes.io/is-default-class: "true"',
        'provisioner: ebs.csi.aws.com',
        '',
      ].join('\n'),
    };
    assert.deepEqual(findings(files, R), []);
  });
});

describe('reclaim-policy-delete', () => {
  const R = 'reclaim-policy-delete';
  const files = (): Record<string, string> => load(R, 'storageclass.yaml', 'statefulsets.yaml');

  test('default and explicit Delete on classes used by stateful workloads, StatefulSet retention policy', () => {
    const list = findings(files(), R);
    assert.deepEqual(
      list.map((f) => [f.workload, f.range.file, ...start(f)]),
      [
        ['StatefulSet/postgres', 'statefulsets.yaml', 7, 17],
        ['StorageClass/gp3', 'storageclass.yaml', 4, 8],
        ['StorageClass/gp3-explicit', 'storageclass.yaml', 15, 15],
      ],
    );
    assert.match(list[1]!.message, /Delete` \(the default\)/);
    assert.match(list[1]!.message, /StatefulSet `postgres`/);
    assert.ok(list[1]!.related.some((r) => r.range.file === 'statefulsets.yaml'));
  });

  test('an unused class is not reported', () => {
    assert.ok(!findings(files(), R).some((f) => f.workload === 'StorageClass/unused'));
  });

  test('fixes: insert reclaimPolicy, replace Delete, whenDeleted → Retain', () => {
    const list = findings(files(), R);
    const by = (w: string): Finding => list.find((f) => f.workload === w)!;
    const inserted = checkFix(files(), by('StorageClass/gp3'));
    assert.match(
      inserted['storageclass.yaml']!,
      /name: gp3\nprovisioner: ebs.csi.aws.com\nvolumeBindingMode: WaitForFirstConsumer\nparameters:\n {2}type: gp3\nreclaimPolicy: Retain\n---/,
    );
    const replaced = checkFix(files(), by('StorageClass/gp3-explicit'));
    assert.match(replaced['storageclass.yaml']!, /reclaimPolicy: Retain # deleted with the claim/);
    const retention = checkFix(files(), by('StatefulSet/postgres'));
    assert.match(retention['statefulsets.yaml']!, /whenDeleted: Retain # clean up on uninstall/);
  });

  test('`stateful-ha.io/ignore` annotation on the StorageClass suppresses its finding only', () => {
    const f = files();
    f['storageclass.yaml'] = f['storageclass.yaml']!.replace(
      '  name: gp3\n',
      '  name: gp3\n  annotations:\n    stateful-ha.io/ignore: "reclaim-policy-delete: CI data"\n',
    );
    assert.deepEqual(
      findings(f, R).map((x) => x.workload),
      ['StatefulSet/postgres', 'StorageClass/gp3-explicit'],
    );
  });

  test('Retain everywhere: silent', () => {
    assert.deepEqual(findings(load(R, 'good-retain.yaml'), R), []);
  });

  test('PersistentVolume with Delete bound to a stateful Pod; fix', () => {
    const pv = load(R, 'bad-pv.yaml');
    const f = only(pv, R);
    assert.equal(f.workload, 'PersistentVolume/pv-mongo');
    assert.deepEqual(range(f), [8, 33, 8, 39]);
    checkFix(pv, f);
  });
});

describe('immediate-volume-binding', () => {
  const R = 'immediate-volume-binding';

  test('node-local class with the default binding, zonal class with explicit Immediate', () => {
    const files = load(R, 'bad-classes.yaml');
    const list = findings(files, R);
    assert.deepEqual(
      list.map((f) => [f.workload, ...range(f)]),
      [
        ['StorageClass/local-path', 5, 13, 5, 34],
        ['StorageClass/ebs', 14, 19, 14, 28],
      ],
    );
    assert.match(list[0]!.message, /one node/);
    assert.match(list[1]!.message, /one zone/);
    const inserted = checkFix(files, list[0]!);
    assert.match(
      inserted['bad-classes.yaml']!,
      /reclaimPolicy: Retain\nvolumeBindingMode: WaitForFirstConsumer\n---/,
    );
    const replaced = checkFix(files, list[1]!);
    assert.match(replaced['bad-classes.yaml']!, /volumeBindingMode: WaitForFirstConsumer # zonal volume/);
  });

  test('flow-style (JSON) class: the fix inserts into the flow map', () => {
    const files = load(R, 'flow-class.yaml');
    const fixed = checkFix(files, only(files, R));
    assert.match(fixed['flow-class.yaml']!, /"volumeBindingMode": "WaitForFirstConsumer"\}/);
  });

  test('WaitForFirstConsumer, or a class reachable from every node: silent', () => {
    assert.deepEqual(findings(load(R, 'good-classes.yaml'), R), []);
  });
});

describe('rolling-update-multi-attach', () => {
  const R = 'rolling-update-multi-attach';

  test('default strategy: at the claim mount; fix adds strategy.type Recreate', () => {
    const files = load(R, 'bad-default-strategy.yaml');
    const f = only(files, R);
    assert.equal(f.workload, 'Deployment/postgres');
    assert.deepEqual(start(f), [27, 14]);
    assert.match(f.message, /ReadWriteOnce/);
    const fixed = checkFix(files, f);
    assert.match(fixed['bad-default-strategy.yaml']!, /strategy:\n {4}type: Recreate\n/);
  });

  test('explicit RollingUpdate with rollingUpdate params: at the type; fix removes rollingUpdate', () => {
    const files = load(R, 'bad-rolling-update.yaml');
    const f = only(files, R);
    assert.deepEqual(range(f), [18, 10, 18, 23]);
    const fixed = checkFix(files, f)['bad-rolling-update.yaml']!;
    assert.match(fixed, /# explicit rolling update\n {2}strategy:\n {4}type: Recreate\n {2}selector:/);
    assert.doesNotMatch(fixed, /rollingUpdate|maxSurge/);
  });

  test('rollingUpdate without type: the fix turns it into type Recreate', () => {
    const files = load(R, 'bad-rolling-no-type.yaml');
    const fixed = checkFix(files, only(files, R))['bad-rolling-no-type.yaml']!;
    assert.match(fixed, /strategy:\n {4}type: Recreate\n {2}selector:/);
  });

  test('Recreate, or maxSurge 0: silent', () => {
    assert.deepEqual(findings(load(R, 'good-recreate.yaml'), R), []);
  });

  test('ReadWriteMany claim: silent', () => {
    const files = load(R, 'bad-default-strategy.yaml');
    files['bad-default-strategy.yaml'] = files['bad-default-strategy.yaml']!.replace(
      '[ReadWriteOnce]',
      '[ReadWriteMany]',
    );
    assert.deepEqual(findings(files, R), []);
  });
});

describe('a kubectl List: its items are linted like documents', () => {
  const files = { 'list.yaml': fixture('kubernetes/list.yaml') };
  const all = lint(files);

  test('findings point into the items, cross-item references resolve', () => {
    assert.deepEqual(
      all.map((f) => `${f.rule} ${f.workload} ${f.range.start.line}`),
      [
        'reclaim-policy-delete StorageClass/local-disk 9',
        'ephemeral-data StatefulSet/pg 28',
        'missing-node-affinity Deployment/redis 45',
        'single-copy-data Deployment/redis 45',
        'no-dr-target Deployment/mongo 63',
        'rolling-update-multi-attach Deployment/mongo 75',
        'single-copy-data Deployment/mongo 75',
      ],
    );
    // The claim inside a typed PersistentVolumeClaimList resolves to the StorageClass of another item.
    assert.match(ofRule(all, 'single-copy-data')[1]!.message, /StorageClass `local-disk`/);
  });

  test('a suppression comment above an item applies to that item only', () => {
    const dr = ofRule(all, 'no-dr-target').map((f) => f.workload);
    assert.deepEqual(dr, ['Deployment/mongo']);
    const unsuppressed = lint({
      'list.yaml': files['list.yaml'].replace(/^ {2}# stateful-ha-ignore no-dr-target.*\n/m, ''),
    });
    assert.deepEqual(
      ofRule(unsuppressed, 'no-dr-target').map((f) => f.workload),
      ['Deployment/redis', 'Deployment/mongo'],
    );
  });

  test('fixes edit the item in place: a volumeClaimTemplate, a nodeSelector', () => {
    const pg = only(files, 'ephemeral-data');
    const fixed = checkFix(files, pg);
    assert.match(fixed['list.yaml']!, /\n {6}volumeClaimTemplates:\n {8}- metadata:\n {12}name: data\n/);
    const redis = only(files, 'missing-node-affinity');
    const pinned = checkFix(files, redis);
    assert.match(
      pinned['list.yaml']!,
      /hostPath: \{path: \/srv\/redis\}\n {10}nodeSelector:\n {12}stateful-ha.io\/data-node: redis\n {2}- apiVersion: v1\n/,
    );
  });
});
