// Workspace index: cross-file joins, claim → storage resolution, selectors, budgets, suppressions, and
// re-resolution when FileModels are reused between builds.
import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Catalog } from '../../server/src/advisor/catalog/catalog.js';
import { buildIndex } from '../../server/src/advisor/index/build-index.js';
import { selectorMatches } from '../../server/src/advisor/index/selectors.js';
import type { DataMount, Workload } from '../../server/src/advisor/model/model.js';
import type { FileModel, WorkspaceIndex } from '../../server/src/advisor/model/workspace.js';
import { parseFile } from '../../server/src/advisor/parse/parse-file.js';

const FIXTURES = join(__dirname, '../fixtures/kubernetes');
const CORPUS = '/work/shared/corpus';
const catalog = new Catalog();

function fixture(name: string): FileModel {
  const path = join(FIXTURES, name);
  return parseFile(path, readFileSync(path, 'utf8'), catalog);
}
function corpus(name: string): FileModel {
  const path = join(CORPUS, name);
  return parseFile(path, readFileSync(path, 'utf8'), catalog);
}
function text(path: string, body: string): FileModel {
  return parseFile(path, body, catalog);
}
function wl(index: WorkspaceIndex, ref: string, namespace?: string): Workload {
  const w = index.workloads.find(
    (x) => x.ref === ref && (namespace === undefined || x.namespace === namespace),
  );
  assert.ok(w, `${ref}: have ${index.workloads.map((x) => x.ref).join(', ')}`);
  return w;
}
function mountAt(w: Workload, target: string): DataMount {
  const m = w.containers.flatMap((c) => c.mounts).find((x) => x.target === target);
  assert.ok(m, `${w.ref} mount ${target}`);
  return m;
}

describe('selectorMatches', () => {
  const labels = { app: 'kafka', tier: 'broker' };
  it('matchLabels and every operator', () => {
    assert.equal(selectorMatches({ matchLabels: {}, matchExpressions: [] }, labels), true);
    assert.equal(selectorMatches({ matchLabels: { app: 'kafka' }, matchExpressions: [] }, labels), true);
    assert.equal(
      selectorMatches({ matchLabels: { app: 'kafka', x: 'y' }, matchExpressions: [] }, labels),
      false,
    );
    const expr = (operator: string, values: string[] = [], key = 'tier') => ({
      matchLabels: {},
      matchExpressions: [{ key, operator, values }],
    });
    assert.equal(selectorMatches(expr('In', ['broker', 'x']), labels), true);
    assert.equal(selectorMatches(expr('In', ['x']), labels), false);
    assert.equal(selectorMatches(expr('In', ['x'], 'missing'), labels), false);
    assert.equal(selectorMatches(expr('NotIn', ['x']), labels), true);
    assert.equal(selectorMatches(expr('NotIn', ['broker']), labels), false);
    assert.equal(selectorMatches(expr('NotIn', ['x'], 'missing'), labels), true);
    assert.equal(selectorMatches(expr('Exists'), labels), true);
    assert.equal(selectorMatches(expr('Exists', [], 'missing'), labels), false);
    assert.equal(selectorMatches(expr('DoesNotExist', [], 'missing'), labels), true);
    assert.equal(selectorMatches(expr('DoesNotExist'), labels), false);
    assert.equal(selectorMatches(expr('Gt', ['1']), labels), false);
  });
});

describe('buildIndex: storage resolution', () => {
  it('cross-file: StatefulSet here, StorageClass there → replicated with copies from `repl`', () => {
    const sts = fixture('cassandra-statefulset.yaml');
    const classes = fixture('storage-classes.yaml');
    const index = buildIndex([sts, classes], catalog);
    const w = wl(index, 'StatefulSet/cassandra');
    const data = mountAt(w, '/var/lib/cassandra');
    assert.equal(data.storage.kind, 'replicated');
    assert.equal(data.storage.copies, 3);
    const sc = index.storageClasses.get('px-repl3')!;
    assert.equal(data.storage.definedBy, sc.id);
    assert.equal(data.storage.copiesRange?.file, classes.path);
    assert.deepEqual(data.storage.copiesRange, sc.parameterRanges.repl);
    assert.equal(data.storage.copiesRange?.start.line, 6);
    assert.equal(w.stateful, true);
    // The FileModel itself keeps its placeholder (FileModels are shared between builds).
    const raw = sts.workloads[0]!.containers[0]!.mounts[0]!;
    assert.equal(raw.storage.kind, 'unknown');
    assert.equal(raw.storage.description, 'claim `data`');
  });

  it('without the StorageClass file the class is unknown, and a rebuild re-resolves', () => {
    const sts = fixture('cassandra-statefulset.yaml');
    const first = buildIndex([sts], catalog);
    const m1 = mountAt(wl(first, 'StatefulSet/cassandra'), '/var/lib/cassandra');
    assert.equal(m1.storage.kind, 'unknown');
    assert.match(m1.storage.description, /StorageClass `px-repl3` \(not in the workspace\)/);

    const classes = fixture('storage-classes.yaml');
    const second = buildIndex([sts, classes], catalog);
    assert.equal(mountAt(wl(second, 'StatefulSet/cassandra'), '/var/lib/cassandra').storage.copies, 3);

    // The class file is edited: repl 3 → 2. The unchanged StatefulSet FileModel is reused.
    const edited = text(classes.path, readFileSync(classes.path, 'utf8').replace('repl: "3"', 'repl: "2"'));
    const third = buildIndex([sts, edited], catalog);
    assert.equal(mountAt(wl(third, 'StatefulSet/cassandra'), '/var/lib/cassandra').storage.copies, 2);
    // And back without the class file: unknown again (nothing stale left behind).
    const fourth = buildIndex([sts], catalog);
    assert.equal(mountAt(wl(fourth, 'StatefulSet/cassandra'), '/var/lib/cassandra').storage.kind, 'unknown');
  });

  it('claims: default class, "" class with a claimRef PV, volumeName, missing claim', () => {
    const claims = fixture('claims.yaml');
    const withDefault = buildIndex([claims, fixture('storage-classes.yaml')], catalog);
    assert.equal(withDefault.defaultStorageClass?.name, 'local-path');
    const w = wl(withDefault, 'Deployment/postgres');

    const a = mountAt(w, '/var/lib/postgresql/data');
    assert.equal(a.storageClassName, undefined);
    assert.deepEqual(a.accessModes, ['ReadWriteOnce']);
    assert.equal(a.storage.kind, 'node-local');
    assert.equal(a.storage.pinsToNode, true);
    assert.match(a.storage.description, /local-path/);
    assert.deepEqual(a.definedAt, withDefault.claims.get('app/default-class')!.nameRange);

    const b = mountAt(w, '/b');
    assert.equal(b.storageClassName, '');
    assert.equal(b.storage.kind, 'node-local');
    assert.equal(b.storage.pinsToNode, true);
    assert.equal(b.storage.definedBy, withDefault.persistentVolumes.get('pv-local')!.id);

    const c = mountAt(w, '/c');
    assert.equal(c.storageClassName, 'px-repl3');
    assert.deepEqual(c.accessModes, ['ReadWriteMany']);
    assert.equal(c.storage.kind, 'shared', 'volumeName wins over the class');

    const d = mountAt(w, '/d');
    assert.equal(d.storage.kind, 'unknown');
    assert.match(d.storage.description, /claim `missing` \(not in the workspace\)/);

    // No default class in the workspace: the cluster default is unknown.
    const alone = buildIndex([claims], catalog);
    const a2 = mountAt(wl(alone, 'Deployment/postgres'), '/var/lib/postgresql/data');
    assert.equal(a2.storage.kind, 'unknown');
    assert.match(a2.storage.description, /cluster default StorageClass/);
    assert.equal(alone.defaultStorageClass, undefined);
  });

  it('a class name used only by static PVs (k8s docs `manual`) resolves to those PVs', () => {
    const index = buildIndex(
      [
        corpus('real-world/k8s-website--application-mysql-mysql-deployment.yaml'),
        corpus('real-world/k8s-website--application-mysql-mysql-pv.yaml'),
      ],
      catalog,
    );
    const m = mountAt(wl(index, 'Deployment/mysql'), '/var/lib/mysql');
    assert.equal(m.storageClassName, 'manual');
    assert.equal(m.storage.kind, 'node-local');
    assert.equal(m.storage.provider, 'hostPath');
    assert.equal(m.storage.pinsToNode, false);
  });

  it('claim templates bound to pre-provisioned local PVs (claimRef data-<sts>-N)', () => {
    const index = buildIndex(
      [
        text(
          'sts.yaml',
          `apiVersion: apps/v1
kind: StatefulSet
metadata: { name: web, namespace: shop }
spec:
  replicas: 2
  template:
    spec:
      containers: [{ name: c, image: nginx, volumeMounts: [{ name: data, mountPath: /data }] }]
  volumeClaimTemplates: [{ metadata: { name: data }, spec: { storageClassName: "" } }]
`,
        ),
        text(
          'pv.yaml',
          `apiVersion: v1
kind: PersistentVolume
metadata: { name: pv0 }
spec:
  claimRef: { name: data-web-0, namespace: shop }
  local: { path: /mnt/ssd }
`,
        ),
      ],
      catalog,
    );
    const m = mountAt(wl(index, 'StatefulSet/web'), '/data');
    assert.equal(m.storage.kind, 'node-local');
    assert.equal(m.storage.pinsToNode, true);
    // Templates are not claims by name.
    assert.equal(index.claims.size, 0);
    assert.ok([...index.objectsById.values()].some((o) => o.ref === 'PersistentVolumeClaim/data'));
  });

  it('ephemeral volumes resolve their class; flow-style files resolve across files', () => {
    const index = buildIndex(
      [fixture('kinds.yaml'), fixture('flow-style.yaml'), fixture('storage-classes.yaml')],
      catalog,
    );
    assert.equal(mountAt(wl(index, 'ReplicaSet/cache'), '/scratch').storage.copies, 3);
    const etcd = mountAt(wl(index, 'StatefulSet/etcd'), '/var/run/etcd');
    assert.equal(etcd.storage.kind, 'node-local');
    assert.equal(etcd.storage.pinsToNode, true);
  });
});

describe('buildIndex: collections, order, suppressions', () => {
  it('collects objects from all files, sorted by path; first StorageClass wins', () => {
    const a = text(
      'a.yaml',
      'apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: { name: fast }\nprovisioner: driver.longhorn.io\n',
    );
    const b = text(
      'b.yaml',
      'apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: { name: fast }\nprovisioner: ebs.csi.aws.com\n',
    );
    const i1 = buildIndex([b, a], catalog);
    const i2 = buildIndex([a, b], catalog);
    assert.equal(i1.storageClasses.get('fast')!.provisioner, 'driver.longhorn.io');
    assert.equal(i2.storageClasses.get('fast')!.provisioner, 'driver.longhorn.io');
    assert.deepEqual([...i1.files.keys()], ['a.yaml', 'b.yaml']);
    assert.ok(i1.objectsById.has(b.objects[0]!.id), 'every object stays reachable by id');

    const all = [
      fixture('kinds.yaml'),
      fixture('claims.yaml'),
      fixture('dr-targets.yaml'),
      fixture('budgets.yaml'),
    ];
    const x = buildIndex(all, catalog);
    const y = buildIndex([...all].reverse(), catalog);
    assert.deepEqual(
      x.workloads.map((w) => w.id),
      y.workloads.map((w) => w.id),
    );
    assert.equal(x.persistentVolumes.size, 3);
    assert.equal(x.claims.size, 3);
    assert.equal(x.budgets.length, 6);
    assert.equal(x.drTargets.length, 8);
    assert.equal(x.composeVolumes.length, 0);
    for (const w of x.workloads)
      assert.equal(x.objectsById.get(w.id), w, 'objectsById holds the resolved workload');
  });

  it('releasing the resolved workloads: the next question resolves them again, the same', () => {
    const all = [fixture('kinds.yaml'), fixture('claims.yaml'), fixture('budgets.yaml')];
    const index = buildIndex(all, catalog);
    const workloads = index.workloads;
    const resolvedCopies = workloads.filter((w) => !all.some((m) => m.workloads.includes(w)));
    assert.ok(resolvedCopies.length > 0, 'some workloads have claims resolved across files');
    const selected = workloads.map((w) =>
      w.selector ? index.workloadsSelectedBy(w.selector, w.namespace).map((x) => x.id) : [],
    );
    const budgets = workloads.map((w) => index.budgetsFor(w).map((b) => b.id));
    const byId = workloads.map((w) => index.objectsById.get(w.id)?.id);

    assert.equal(index.releaseResolved(), true);
    assert.equal(index.releaseResolved(), false, 'nothing left to release');
    const again = index.workloads;
    assert.notEqual(again, workloads, 'resolved anew');
    assert.deepEqual(again, workloads);
    assert.deepEqual(
      again.map((w) =>
        w.selector ? index.workloadsSelectedBy(w.selector, w.namespace).map((x) => x.id) : [],
      ),
      selected,
    );
    assert.deepEqual(
      again.map((w) => index.budgetsFor(w).map((b) => b.id)),
      budgets,
    );
    assert.deepEqual(
      again.map((w) => index.objectsById.get(w.id)?.id),
      byId,
    );
    for (const w of again)
      assert.equal(index.objectsById.get(w.id), w, 'the table by id holds the new copies');

    // One file's workloads: the same objects as the whole list's while it is resolved; after a release,
    // that file's alone are resolved again, equal to the whole list's.
    const file = resolvedCopies[0]!.file;
    const inFile = index.workloadsIn(file);
    assert.deepEqual(
      inFile.map((w) => w.id),
      again.filter((w) => w.file === file).map((w) => w.id),
    );
    for (const w of inFile) assert.ok(again.includes(w));
    assert.equal(index.releaseResolved(), true);
    const alone = index.workloadsIn(file);
    assert.deepEqual(alone, inFile);
    assert.equal(index.workloadsIn(file), alone, 'kept until the next release');
    assert.deepEqual(index.workloadsIn('not-in-the-workspace.yaml'), []);
  });

  it('Velero Schedule namespaces and DR targets from several files', () => {
    const index = buildIndex([fixture('dr-targets.yaml'), fixture('storage-classes.yaml')], catalog);
    const byName = new Map(index.drTargets.map((t) => [t.name + ':' + t.kind, t]));
    assert.deepEqual(byName.get('nightly:Schedule')!.namespaces, ['db', 'app']);
    assert.deepEqual(byName.get('everything:Schedule')!.namespaces, ['*']);
    assert.deepEqual(byName.get('px-snap:VolumeSnapshotSchedule')!.storageClasses, ['px-snap']);
    assert.ok(!index.drTargets.some((t) => t.kind === 'StorageClass'));
  });

  it('suppressions: annotation ignores on workloads and objects, comment suppressions', () => {
    const sts = fixture('cassandra-statefulset.yaml');
    const classes = fixture('storage-classes.yaml');
    const w = sts.workloads[0]!;
    const withComment: FileModel = {
      ...sts,
      commentSuppressions: [
        { objectId: w.id, suppression: { rules: ['no-dr-target'], reason: 'tested', range: w.nameRange } },
      ],
    };
    const index = buildIndex([withComment, classes], catalog);
    assert.deepEqual(
      index.suppressions.get(w.id)!.map((s) => s.rules),
      [['no-dr-target'], ['quorum-size', 'short-stop-grace']],
    );
    const mystery = index.storageClasses.get('mystery')!;
    assert.deepEqual(
      index.suppressions.get(mystery.id)!.map((s) => s.reason),
      ['scratch class'],
    );
  });

  it('recomputes `stateful` without touching the FileModel', () => {
    const m = fixture('kinds.yaml');
    const rs = m.workloads.find((w) => w.ref === 'ReplicaSet/cache')!;
    const tampered: FileModel = {
      ...m,
      workloads: m.workloads.map((w) => (w === rs ? { ...w, stateful: false } : w)),
    };
    const index = buildIndex([tampered], catalog);
    assert.equal(wl(index, 'ReplicaSet/cache').stateful, true);
    assert.equal(tampered.workloads.find((w) => w.ref === 'ReplicaSet/cache')!.stateful, false);
    assert.equal(wl(index, 'Deployment/arbiter').stateful, false);
  });
});

describe('buildIndex: selectors and budgets', () => {
  it('budgetsFor: matchExpressions, same namespace only, budgets without limits still returned', () => {
    const index = buildIndex([fixture('budgets.yaml')], catalog);
    const kafka = wl(index, 'StatefulSet/kafka');
    assert.deepEqual(
      index.budgetsFor(kafka).map((b) => b.name),
      ['kafka-expr', 'kafka-no-limits', 'all-pods'],
    );
    assert.deepEqual(
      index
        .workloadsSelectedBy({ matchLabels: { app: 'kafka' }, matchExpressions: [] }, 'stream')
        .map((w) => w.ref),
      ['StatefulSet/kafka'],
    );
    assert.deepEqual(
      index.workloadsSelectedBy({ matchLabels: { app: 'kafka' }, matchExpressions: [] }, 'other'),
      [],
    );
    const notIn = index.budgets.find((b) => b.name === 'kafka-notin')!;
    assert.deepEqual(index.workloadsSelectedBy(notIn.selector!, 'stream'), []);
  });

  it('k8s-website zookeeper: its PDB selects zk; the other zookeeper PDB example does not', () => {
    const zkFile = corpus('real-world/k8s-website--application-zookeeper-zookeeper.yaml');
    const other = corpus(
      'real-world/k8s-website--policy-zookeeper-pod-disruption-budget-maxunavailable.yaml',
    );
    const index = buildIndex([zkFile, other], catalog);
    const zk = wl(index, 'StatefulSet/zk');
    const budgets = index.budgetsFor(zk);
    assert.equal(budgets.length, 1);
    assert.equal(budgets[0]!.file, zkFile.path);
    assert.equal(budgets[0]!.maxUnavailable, 1);
    assert.equal(zk.replicas, 3);
    assert.equal(zk.engine?.id, 'zookeeper');
  });

  it('cockroach: its v1beta1 PDB (minAvailable 67%) selects the StatefulSet', () => {
    const index = buildIndex(
      [corpus('real-world/k8s-examples--_archived-cockroachdb-cockroachdb-statefulset.yaml')],
      catalog,
    );
    const budgets = index.budgetsFor(wl(index, 'StatefulSet/cockroachdb'));
    assert.deepEqual(
      budgets.map((b) => [b.name, b.minAvailable]),
      [['cockroachdb-budget', '67%']],
    );
  });

  it('kube-score PDB inputs: *-matches select, *-no-match and other namespaces do not', () => {
    const dir = join(CORPUS, 'peer-tests/kube-score');
    const files = readdirSync(dir).filter((f) => f.includes('poddisruptionbudget'));
    assert.ok(files.length >= 12);
    for (const f of files) {
      const index = buildIndex([corpus(`peer-tests/kube-score/${f}`)], catalog);
      const w = index.workloads[0]!;
      const selected = index.budgetsFor(w).length > 0;
      const expected = f.includes('-matches') || f.includes('-no-policy');
      assert.equal(selected, expected, f);
    }
  });

  it('kube-linter pdb-min-available: budgets select Deployments in their namespace', () => {
    const index = buildIndex([corpus('peer-tests/kube-linter/pdb-min-available.yaml')], catalog);
    const names = (ref: string, ns: string) => index.budgetsFor(wl(index, ref, ns)).map((b) => b.name);
    assert.deepEqual(names('Deployment/foo', 'bar'), []); // no pod template labels
    assert.deepEqual(names('Deployment/foo2', 'bar2'), ['baz2']);
    assert.deepEqual(names('Deployment/foo3', 'bar3'), ['baz3']);
  });

  it('the whole corpus indexes together', () => {
    const models: FileModel[] = [];
    for (const dir of ['real-world', 'peer-tests/kube-score', 'peer-tests/kube-linter']) {
      for (const f of readdirSync(join(CORPUS, dir)))
        if (/\.ya?ml$/.test(f)) models.push(corpus(`${dir}/${f}`));
    }
    const index = buildIndex(models, catalog);
    assert.ok(index.workloads.filter((w) => w.platform === 'kubernetes').length > 40);
    // `fast` is defined by two corpus files; the first by path wins.
    assert.equal(
      index.storageClasses.get('fast')!.file,
      join(CORPUS, 'real-world/k8s-examples--databases-cassandra-cassandra-statefulset.yaml'),
    );
  });
});
