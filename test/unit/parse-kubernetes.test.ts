// Kubernetes parser: every kind it reads, exact ranges, flow-style YAML, multi-document files, odd types,
// and facts from the real-world and peer-linter corpora.
import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { LineCounter, parseAllDocuments, stringify, type Document } from 'yaml';
import { Catalog } from '../../server/src/advisor/catalog/catalog.js';
import type {
  DisruptionBudgetObject,
  DrTargetObject,
  ManifestObject,
  ParsedDocument,
  PersistentVolumeClaimObject,
  PersistentVolumeObject,
  SourceFile,
  SourceRange,
  StorageClassObject,
  Workload,
} from '../../server/src/advisor/model/model.js';
import type { FileModel } from '../../server/src/advisor/model/workspace.js';
import { parseKubernetesDocumentStrict } from '../../server/src/advisor/parse/kubernetes.js';
import { parseFile } from '../../server/src/advisor/parse/parse-file.js';
import { Locator } from '../../server/src/advisor/yaml/nodes.js';

const FIXTURES = join(__dirname, '../fixtures/kubernetes');
const CORPUS = '/work/shared/corpus';
const catalog = new Catalog();

function load(name: string): FileModel {
  const path = join(FIXTURES, name);
  return parseFile(path, readFileSync(path, 'utf8'), catalog);
}

function workload(model: FileModel, ref: string): Workload {
  const w = model.workloads.find((x) => x.ref === ref);
  assert.ok(w, `workload ${ref} in ${model.path}: have ${model.workloads.map((x) => x.ref).join(', ')}`);
  return w;
}

function object<T extends ManifestObject>(model: FileModel, ref: string, kind?: string): T {
  const o = model.objects.find((x) => x.ref === ref && (kind === undefined || x.kind === kind));
  assert.ok(o, `object ${ref} in ${model.path}: have ${model.objects.map((x) => x.ref).join(', ')}`);
  return o as T;
}

/** The text a range covers (single line ranges only). */
function textAt(model: FileModel, r: SourceRange | undefined): string {
  assert.ok(r, 'range expected');
  assert.equal(r.start.line, r.end.line, 'single-line range');
  const line = model.source!.text.split('\n')[r.start.line]!;
  return line.slice(r.start.character, r.end.character);
}

function pos(r: SourceRange | undefined): [number, number, number, number] {
  assert.ok(r);
  return [r.start.line, r.start.character, r.end.line, r.end.character];
}

describe('kubernetes parser: StatefulSet', () => {
  const m = load('cassandra-statefulset.yaml');
  const w = workload(m, 'StatefulSet/cassandra');

  it('identity, namespace, ranges', () => {
    assert.equal(m.source!.kind, 'kubernetes');
    assert.equal(w.kind, 'StatefulSet');
    assert.equal(w.platform, 'kubernetes');
    assert.equal(w.target, 'kubernetes');
    assert.equal(w.namespace, 'db');
    assert.equal(w.id, `${m.path}#0/StatefulSet/cassandra`);
    assert.deepEqual(pos(w.nameRange), [4, 8, 4, 17]);
    assert.equal(textAt(m, w.nameRange), 'cassandra');
    assert.deepEqual(pos(w.kindRange), [2, 6, 2, 17]);
    assert.deepEqual(pos(w.replicasRange), [13, 12, 13, 13]);
    assert.deepEqual(w.span, m.source!.documents[0]!.range);
    assert.ok(w.span.end.line >= 80);
    assert.ok(w.node);
    assert.equal(w.origin, 'file');
  });

  it('replicas, selector, labels, annotations, intent', () => {
    assert.equal(w.replicas, 3);
    assert.equal(w.replicasExplicit, true);
    assert.equal(w.global, false);
    assert.deepEqual(w.selector, { matchLabels: { app: 'cassandra' }, matchExpressions: [] });
    assert.deepEqual(w.podLabels, { app: 'cassandra', tier: 'db' });
    assert.deepEqual(w.labels, { app: 'cassandra' });
    // Workload annotations merged with the pod template's.
    assert.equal(w.annotations['stateful-ha.io/replication'], 'app');
    assert.equal(w.annotations['stateful-ha.io/dr-target'], 'nightly S3 export');
    assert.equal(w.intent.replication, 'app');
    assert.equal(textAt(m, w.intent.replicationRange), 'app');
    assert.equal(w.intent.drTarget, 'nightly S3 export');
    assert.equal(textAt(m, w.intent.drTargetRange), '"nightly S3 export"');
    assert.equal(w.intent.ignores.length, 1);
    assert.deepEqual(w.intent.ignores[0]!.rules, ['quorum-size', 'short-stop-grace']);
    assert.equal(w.intent.ignores[0]!.reason, 'ring size set by the operator');
    assert.equal(w.intent.ignores[0]!.range.start.line, 10);
  });

  it('containers: image, env literals, args, not initContainers', () => {
    assert.deepEqual(
      w.containers.map((c) => c.name),
      ['cassandra', 'exporter'],
    );
    const c = w.containers[0]!;
    assert.equal(c.image, 'cassandra:4.1');
    assert.equal(textAt(m, c.imageRange), 'cassandra:4.1');
    assert.deepEqual(c.env, { MAX_HEAP_SIZE: '512M' });
    assert.deepEqual(c.args, ['docker-entrypoint.sh', '-R', '--foo=bar', 'baz']);
    assert.deepEqual(c.hostPorts, []);
  });

  it('mounts: claim template, config, emptyDir', () => {
    const [data, config, scratch] = w.containers[0]!.mounts;
    assert.equal(data!.type, 'claim-template');
    assert.equal(data!.claimName, 'data');
    assert.equal(data!.source, 'data');
    assert.equal(data!.target, '/var/lib/cassandra');
    assert.equal(data!.storageClassName, 'px-repl3');
    assert.deepEqual(data!.accessModes, ['ReadWriteOnce']);
    assert.equal(data!.persistent, true);
    assert.equal(data!.isData, true);
    assert.deepEqual(data!.storage, {
      kind: 'unknown',
      copies: null,
      pinsToNode: false,
      description: 'claim `data`',
      declared: false,
    });
    assert.ok(data!.definedAt);
    assert.ok(data!.range.start.line > 0);
    assert.equal(config!.type, 'config');
    assert.equal(config!.isData, false);
    assert.equal(scratch!.type, 'empty-dir');
    assert.equal(scratch!.persistent, false);
    assert.equal(scratch!.isData, false);
  });

  it('engine, stateful, placement, spread, lifecycle fields', () => {
    assert.equal(w.engine?.id, 'cassandra');
    assert.equal(w.engine?.container, 'cassandra');
    assert.equal(w.stateful, true);
    assert.equal(w.placement.pinned, true);
    assert.equal(w.placement.detail, 'nodeSelector disktype=ssd');
    assert.equal(w.spread.ok, true);
    assert.equal(w.spread.detail, 'required pod anti-affinity on kubernetes.io/hostname');
    assert.equal(w.spread.selectorMismatch, undefined);
    assert.equal(w.restartPolicy, 'Always');
    assert.equal(textAt(m, w.restartPolicyRange), 'Always');
    assert.equal(w.stopGraceSeconds, 20);
    assert.equal(textAt(m, w.stopGraceRange), '20');
    assert.equal(w.claimRetentionWhenDeleted, 'Delete');
    assert.equal(textAt(m, w.claimRetentionRange), 'Delete');
    assert.equal(w.updateStrategy, undefined);
    assert.deepEqual(w.dependsOn, []);
  });

  it('one PersistentVolumeClaim object per volumeClaimTemplate', () => {
    const t = object<PersistentVolumeClaimObject>(m, 'PersistentVolumeClaim/data');
    assert.equal(t.templateOf, 'StatefulSet/cassandra');
    assert.equal(t.namespace, 'db');
    assert.equal(t.storageClassName, 'px-repl3');
    assert.equal(textAt(m, t.storageClassRange), 'px-repl3');
    assert.equal(textAt(m, t.nameRange), 'data');
    assert.deepEqual(t.accessModes, ['ReadWriteOnce']);
    assert.notEqual(t.id, w.id);
  });
});

describe('kubernetes parser: StorageClass', () => {
  const m = load('storage-classes.yaml');

  it('provisioner profile with copies from `repl`, and exact parameter ranges', () => {
    const sc = object<StorageClassObject>(m, 'StorageClass/px-repl3');
    assert.equal(sc.provisioner, 'pxd.portworx.com');
    assert.equal(textAt(m, sc.provisionerRange), 'pxd.portworx.com');
    assert.deepEqual(sc.parameters, { repl: '3', io_profile: 'db_remote' });
    assert.deepEqual(pos(sc.parameterRanges.repl), [6, 8, 6, 11]);
    assert.equal(textAt(m, sc.parameterRanges.repl), '"3"');
    assert.equal(sc.reclaimPolicy, 'Retain');
    assert.equal(textAt(m, sc.reclaimPolicyRange), 'Retain');
    assert.equal(sc.volumeBindingMode, 'WaitForFirstConsumer');
    assert.equal(textAt(m, sc.volumeBindingModeRange), 'WaitForFirstConsumer');
    assert.equal(sc.isDefault, false);
    assert.equal(sc.profile.kind, 'replicated');
    assert.equal(sc.profile.copies, 3);
    assert.deepEqual(sc.profile.copiesRange, sc.parameterRanges.repl);
    assert.equal(sc.profile.definedBy, sc.id);
    assert.deepEqual(sc.profile.definedAt, sc.nameRange);
    assert.equal(sc.namespace, '');
  });

  it('default class, pinning provisioner', () => {
    const sc = object<StorageClassObject>(m, 'StorageClass/local-path');
    assert.equal(sc.isDefault, true);
    assert.equal(sc.profile.kind, 'node-local');
    assert.equal(sc.profile.pinsToNode, true);
    assert.equal(sc.reclaimPolicy, undefined);
  });

  it('declared storage overrides the catalog; ignore annotation on an object', () => {
    const sc = object<StorageClassObject>(m, 'StorageClass/mystery');
    assert.equal(sc.profile.kind, 'replicated');
    assert.equal(sc.profile.copies, 2);
    assert.equal(sc.profile.declared, true);
    assert.equal(sc.profile.definedBy, sc.id);
    assert.deepEqual(
      sc.ignores?.map((s) => s.rules),
      [['reclaim-policy-delete']],
    );
  });

  it('a Stork snapshot schedule attached to a class is a DR target for that class', () => {
    const targets = m.objects.filter((o) => o.kind === 'VolumeSnapshotSchedule') as DrTargetObject[];
    assert.equal(targets.length, 1);
    assert.deepEqual(targets[0]!.storageClasses, ['px-snap']);
    assert.equal(targets[0]!.offSite, true);
    assert.equal(new Set(m.objects.map((o) => o.id)).size, m.objects.length, 'ids are unique');
  });
});

describe('kubernetes parser: claims, volumes, objects', () => {
  const m = load('claims.yaml');

  it('PVCs: unset class, explicit "" class, legacy annotation, volumeName', () => {
    const a = object<PersistentVolumeClaimObject>(m, 'PersistentVolumeClaim/default-class');
    assert.equal(a.storageClassName, undefined);
    assert.equal(a.namespace, 'app');
    assert.deepEqual(a.accessModes, ['ReadWriteOnce']);
    const b = object<PersistentVolumeClaimObject>(m, 'PersistentVolumeClaim/static');
    assert.equal(b.storageClassName, '');
    assert.equal(textAt(m, b.storageClassRange), '""');
    const c = object<PersistentVolumeClaimObject>(m, 'PersistentVolumeClaim/by-volume-name');
    assert.equal(c.storageClassName, 'px-repl3');
    assert.equal(textAt(m, c.storageClassRange), 'px-repl3');
    assert.equal(c.volumeName, 'pv-nfs');
  });

  it('PVs: local with nodeAffinity and claimRef, nfs, csi with a declared label', () => {
    const local = object<PersistentVolumeObject>(m, 'PersistentVolume/pv-local');
    assert.equal(local.sourceType, 'local');
    assert.equal(local.nodeAffinity, true);
    assert.equal(local.reclaimPolicy, 'Delete');
    assert.equal(textAt(m, local.reclaimPolicyRange), 'Delete');
    assert.equal(local.storageClassName, '');
    assert.deepEqual(local.claimRef, { name: 'static', namespace: 'app' });
    assert.equal(local.profile.kind, 'node-local');
    assert.equal(local.profile.pinsToNode, true);
    const nfs = object<PersistentVolumeObject>(m, 'PersistentVolume/pv-nfs');
    assert.equal(nfs.sourceType, 'nfs');
    assert.equal(nfs.profile.kind, 'shared');
    assert.equal(nfs.nodeAffinity, false);
    const csi = object<PersistentVolumeObject>(m, 'PersistentVolume/pv-csi');
    assert.equal(csi.sourceType, 'csi');
    assert.equal(csi.driver, 'example.csi.io');
    assert.equal(csi.profile.kind, 'node-local');
    assert.equal(csi.profile.declared, true);
  });

  it('claim mounts carry placeholders; readOnly claims are not data', () => {
    const w = workload(m, 'Deployment/postgres');
    assert.equal(w.updateStrategy, 'RollingUpdate');
    assert.equal(textAt(m, w.updateStrategyRange), 'RollingUpdate');
    assert.equal(w.replicas, 1);
    assert.equal(w.replicasExplicit, false);
    assert.equal(w.replicasRange, undefined);
    const mounts = w.containers[0]!.mounts;
    assert.deepEqual(
      mounts.map((x) => [x.type, x.claimName, x.isData]),
      [
        ['claim', 'default-class', true],
        ['claim', 'static', true],
        ['claim', 'by-volume-name', true],
        ['claim', 'missing', true],
        ['claim', 'static', false],
      ],
    );
    assert.equal(mounts[0]!.storage.description, 'claim `default-class`');
    assert.equal(w.stateful, true);
    assert.equal(w.engine?.id, 'postgresql');
  });
});

describe('kubernetes parser: other workload kinds', () => {
  const m = load('kinds.yaml');

  it('skips Job, Service and unknown kinds', () => {
    assert.deepEqual(
      m.workloads.map((w) => w.ref),
      [
        'DaemonSet/node-agent',
        'ReplicaSet/cache',
        'ReplicationController/legacy',
        'Pod/lonely',
        'Deployment/arbiter',
      ],
    );
    assert.equal(m.objects.length, 0);
  });

  it('DaemonSet: global, unknown replicas; hostPath socket / file / system paths are not data', () => {
    const w = workload(m, 'DaemonSet/node-agent');
    assert.equal(w.replicas, null);
    assert.equal(w.global, true);
    const byTarget = Object.fromEntries(w.containers[0]!.mounts.map((x) => [x.target, x]));
    assert.equal(byTarget['/var/run/docker.sock']!.type, 'host-path');
    assert.equal(byTarget['/var/run/docker.sock']!.isData, false);
    assert.equal(byTarget['/etc/localtime']!.isData, false);
    assert.equal(byTarget['/etc/agent/agent.conf']!.isData, false);
    const state = byTarget['/state']!;
    assert.equal(state.isData, true);
    assert.equal(state.source, '/var/lib/agent');
    assert.equal(state.storage.kind, 'node-local');
    assert.equal(state.storage.pinsToNode, false);
    assert.equal(w.stateful, true);
  });

  it('ReplicaSet: nfs, ephemeral, secret, zonal, unknown source, undeclared volume', () => {
    const w = workload(m, 'ReplicaSet/cache');
    assert.equal(w.replicas, 2);
    const byTarget = Object.fromEntries(w.containers[0]!.mounts.map((x) => [x.target, x]));
    assert.equal(byTarget['/data']!.type, 'other');
    assert.equal(byTarget['/data']!.storage.kind, 'shared');
    assert.equal(byTarget['/data']!.isData, true);
    assert.equal(byTarget['/scratch']!.type, 'ephemeral');
    assert.equal(byTarget['/scratch']!.persistent, false);
    assert.equal(byTarget['/scratch']!.storageClassName, 'px-repl3');
    assert.equal(byTarget['/secret']!.type, 'config');
    assert.equal(byTarget['/secret']!.isData, false);
    assert.equal(byTarget['/disk']!.storage.kind, 'zonal');
    assert.equal(byTarget['/weird']!.storage.kind, 'unknown');
    assert.equal(byTarget['/undeclared']!.type, 'other');
  });

  it('ReplicationController: plain-map selector, hostPort spreads replicas', () => {
    const w = workload(m, 'ReplicationController/legacy');
    assert.deepEqual(w.selector, { matchLabels: { app: 'legacy' }, matchExpressions: [] });
    assert.deepEqual(w.containers[0]!.hostPorts, [8080]);
    assert.equal(w.spread.ok, true);
    assert.match(w.spread.detail ?? '', /hostPort 8080/);
    assert.equal(w.stateful, false);
  });

  it('Pod: restartPolicy, nodeName pinning, optional engine switch, labels as pod labels', () => {
    const w = workload(m, 'Pod/lonely');
    assert.equal(w.replicas, 1);
    assert.equal(w.replicasRange, undefined);
    assert.equal(w.selector, undefined);
    assert.deepEqual(w.podLabels, { app: 'lonely' });
    assert.equal(w.restartPolicy, 'Never');
    assert.equal(w.placement.pinned, true);
    assert.equal(w.placement.detail, 'nodeName node-7');
    assert.equal(textAt(m, w.placement.range), 'node-7');
    assert.equal(w.engine?.id, 'mongodb');
    assert.equal(w.engine?.replicationEnabled, true);
    assert.equal(w.stateful, true);
  });

  it('an arbiter is not stateful; templated replicas are unknown; required node affinity pins', () => {
    const w = workload(m, 'Deployment/arbiter');
    assert.equal(w.engine?.arbiter, true);
    assert.equal(w.stateful, false);
    assert.equal(w.replicas, null);
    assert.equal(w.replicasExplicit, true);
    assert.equal(w.placement.pinned, true);
    assert.equal(w.placement.detail, 'required node affinity node-role In (db)');
  });
});

describe('kubernetes parser: JSON-flow YAML and multi-document files', () => {
  const m = load('flow-style.yaml');

  it('reads a flow-style StatefulSet with topologySpreadConstraints', () => {
    const w = workload(m, 'StatefulSet/etcd');
    assert.equal(w.namespace, 'infra');
    assert.equal(w.replicas, 3);
    assert.equal(textAt(m, w.nameRange), '"etcd"');
    assert.deepEqual(pos(w.replicasRange), [6, 16, 6, 17]);
    assert.equal(w.engine?.id, 'etcd');
    assert.equal(w.spread.ok, true);
    assert.equal(w.spread.detail, 'topologySpreadConstraints on topology.kubernetes.io/zone');
    const mount = w.containers[0]!.mounts[0]!;
    assert.equal(mount.type, 'claim-template');
    assert.equal(mount.storageClassName, 'local-path');
  });

  it('second document: PDB with a percentage', () => {
    const pdb = object<DisruptionBudgetObject>(m, 'PodDisruptionBudget/etcd');
    assert.equal(pdb.docIndex, 1);
    assert.equal(pdb.id, `${m.path}#1/PodDisruptionBudget/etcd`);
    assert.equal(pdb.minAvailable, '67%');
    assert.equal(textAt(m, pdb.minAvailableRange), '"67%"');
    assert.equal(pdb.maxUnavailable, undefined);
  });
});

describe('kubernetes parser: List (kubectl get -o yaml)', () => {
  const m = load('list.yaml');
  const lines = m.source!.text.split('\n');

  it('reads every item as an object of its own, typed lists inside the List too', () => {
    assert.deepEqual(
      m.workloads.map((w) => w.ref),
      ['StatefulSet/pg', 'Deployment/redis', 'Deployment/mongo'],
    );
    assert.deepEqual(
      m.objects.map((o) => o.ref),
      ['StorageClass/local-disk', 'PersistentVolumeClaim/mongo-data'],
    );
    assert.equal(workload(m, 'StatefulSet/pg').namespace, 'data');
    assert.equal(workload(m, 'StatefulSet/pg').engine?.id, 'postgresql');
    const mount = workload(m, 'Deployment/mongo').containers[0]!.mounts[0]!;
    assert.equal(mount.type, 'claim');
    assert.equal(mount.claimName, 'mongo-data');
  });

  it('an item spans its own lines and keeps the document index in its id', () => {
    const pg = workload(m, 'StatefulSet/pg');
    const redis = workload(m, 'Deployment/redis');
    assert.equal(pg.docIndex, 0);
    assert.equal(pg.id, `${m.path}#0/StatefulSet/pg`);
    assert.deepEqual(pos(pg.span), [12, 4, 28, 32]);
    assert.equal(lines[12], '  - apiVersion: apps/v1');
    assert.equal(lines[28]!.slice(0, 32), '              image: postgres:16');
    assert.ok(pg.span.end.line < redis.span.start.line);
    assert.equal(textAt(m, pg.nameRange), 'pg');
    const claim = object(m, 'PersistentVolumeClaim/mongo-data');
    assert.equal(lines[claim.span.start.line], '      - apiVersion: v1');
  });

  it('odd Lists give nothing and never throw: no items, scalar items, nesting past the bound', () => {
    const parse = (text: string) => parseFile('odd.yaml', text, catalog);
    assert.deepEqual(parse('apiVersion: v1\nkind: List\n').workloads, []);
    assert.deepEqual(parse('apiVersion: v1\nkind: List\nitems: 3\n').workloads, []);
    assert.deepEqual(parse('apiVersion: v1\nkind: List\nitems: [1, x, null, []]\n').workloads, []);
    const pod =
      '{apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: [{name: c, image: redis}]}}';
    const nested = (depth: number) => {
      let item = pod;
      for (let i = 0; i < depth; i++) item = `{apiVersion: v1, kind: List, items: [${item}]}`;
      return parse(item).workloads.map((w) => w.ref);
    };
    assert.deepEqual(nested(4), ['Pod/p']);
    assert.deepEqual(nested(5), []);
  });
});

describe('kubernetes parser: spread', () => {
  const spreadOf = (affinity: string) =>
    parseFile(
      'spread.yaml',
      `apiVersion: apps/v1
kind: Deployment
metadata: { name: d }
spec:
  template:
    metadata: { labels: { app: d } }
    spec:
${affinity}
      containers: [{ name: c, image: nginx }]
`,
      catalog,
    ).workloads[0]!.spread;

  it('topologySpreadConstraints whose selector does not match, or on another key', () => {
    const mismatch = spreadOf(`      topologySpreadConstraints:
        - { maxSkew: 1, topologyKey: kubernetes.io/hostname, labelSelector: { matchLabels: { app: other } } }`);
    assert.equal(mismatch.ok, false);
    assert.match(mismatch.selectorMismatch ?? '', /topologySpreadConstraints selector `app=other`.*`app=d`/);
    assert.equal(mismatch.range?.start.line, 8);
    const otherKey = spreadOf(`      topologySpreadConstraints:
        - { maxSkew: 1, topologyKey: rack, labelSelector: { matchLabels: { app: d } } }`);
    assert.deepEqual(otherKey, { ok: false });
    const noSelector = spreadOf(`      topologySpreadConstraints:
        - { maxSkew: 1, topologyKey: topology.kubernetes.io/region }`);
    assert.equal(noSelector.ok, false);
    assert.match(noSelector.selectorMismatch ?? '', /no labelSelector/);
  });

  it('an empty anti-affinity selector matches every pod; a string selector matches none', () => {
    const empty = spreadOf(`      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            - { topologyKey: failure-domain.beta.kubernetes.io/zone, labelSelector: {} }`);
    assert.equal(empty.ok, true);
    const bad = spreadOf(`      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            - { topologyKey: kubernetes.io/hostname, labelSelector: "app=d" }`);
    assert.equal(bad.ok, false);
  });
});

describe('kubernetes parser: disruption budgets', () => {
  const m = load('budgets.yaml');
  it('selectors, numbers, percentages; v1beta1 empty selector selects nothing', () => {
    const expr = object<DisruptionBudgetObject>(m, 'PodDisruptionBudget/kafka-expr');
    assert.equal(expr.maxUnavailable, 1);
    assert.equal(textAt(m, expr.maxUnavailableRange), '1');
    assert.equal(expr.selector?.matchExpressions.length, 4);
    assert.deepEqual(expr.selector?.matchExpressions[0], {
      key: 'app',
      operator: 'In',
      values: ['kafka', 'zookeeper'],
    });
    assert.equal(object<DisruptionBudgetObject>(m, 'PodDisruptionBudget/kafka-notin').maxUnavailable, '0%');
    const none = object<DisruptionBudgetObject>(m, 'PodDisruptionBudget/kafka-no-limits');
    assert.equal(none.minAvailable, undefined);
    assert.equal(none.maxUnavailable, undefined);
    assert.deepEqual(object<DisruptionBudgetObject>(m, 'PodDisruptionBudget/all-pods').selector, {
      matchLabels: {},
      matchExpressions: [],
    });
    assert.equal(object<DisruptionBudgetObject>(m, 'PodDisruptionBudget/beta-empty').selector, undefined);
  });
});

describe('kubernetes parser: DR targets', () => {
  const m = load('dr-targets.yaml');
  const t = (ref: string) => object<DrTargetObject>(m, ref);

  it('Velero Schedules: namespaces, exclusions, selector, storage location', () => {
    const nightly = t('Schedule/nightly');
    assert.equal(nightly.offSite, true);
    assert.deepEqual(nightly.namespaces, ['db', 'app']);
    assert.deepEqual(nightly.excludedNamespaces, ['kube-system']);
    assert.deepEqual(nightly.selector, { matchLabels: { backup: 'true' }, matchExpressions: [] });
    assert.match(nightly.description, /default backup location/);
    const everything = t('Schedule/everything');
    assert.deepEqual(everything.namespaces, ['*']);
    assert.match(everything.description, /secondary/);
    assert.equal(everything.offSite, true);
    assert.deepEqual(t('Schedule/bare').namespaces, ['*']);
  });

  it('snapshots and Stork schedules', () => {
    const snap = t('VolumeSnapshot/pg-snap');
    assert.equal(snap.offSite, false);
    assert.deepEqual(snap.claimNames, ['static']);
    assert.deepEqual(snap.namespaces, []);
    assert.equal(snap.namespace, 'app');
    assert.equal(t('VolumeSnapshotSchedule/pg-cloud').offSite, true);
    assert.deepEqual(t('VolumeSnapshotSchedule/pg-cloud').claimNames, ['default-class']);
    assert.equal(t('VolumeSnapshotSchedule/pg-local').offSite, false);
    const policy = t('SchedulePolicy/daily');
    assert.deepEqual([policy.namespaces, policy.claimNames, policy.storageClasses], [[], [], []]);
    assert.equal(policy.namespace, '');
    const mig = t('MigrationSchedule/to-dr-site');
    assert.equal(mig.offSite, true);
    assert.deepEqual(mig.namespaces, ['db']);
  });

  it('skips a Schedule of another API group and CronJobs', () => {
    assert.equal(m.objects.length, 8);
    assert.ok(!m.objects.some((o) => o.name === 'not-velero' || o.name === 'skipped'));
    assert.equal(m.workloads.length, 0);
  });
});

describe('kubernetes parser: wrong types never throw', () => {
  it('bad-types fixture parses to something sensible', () => {
    const m = load('bad-types.yaml');
    const weird = workload(m, 'Deployment/weird');
    assert.equal(weird.replicas, null);
    assert.equal(weird.stopGraceSeconds, undefined);
    assert.equal(weird.placement.pinned, false);
    assert.equal(weird.spread.ok, false);
    const ok = weird.containers.find((c) => c.name === 'ok');
    assert.equal(ok?.image, 'postgres');
    assert.ok(m.workloads.some((w) => w.kind === 'StatefulSet'));
  });

  it('fuzz: random values anywhere in a workload document', () => {
    const paths = [
      ['metadata'],
      ['metadata', 'labels'],
      ['metadata', 'annotations'],
      ['spec'],
      ['spec', 'replicas'],
      ['spec', 'selector'],
      ['spec', 'template'],
      ['spec', 'template', 'spec'],
      ['spec', 'template', 'spec', 'containers'],
      ['spec', 'template', 'spec', 'volumes'],
      ['spec', 'template', 'spec', 'affinity'],
      ['spec', 'template', 'spec', 'topologySpreadConstraints'],
      ['spec', 'volumeClaimTemplates'],
      ['spec', 'template', 'spec', 'containers', '0', 'volumeMounts'],
      ['spec', 'template', 'spec', 'containers', '0', 'env'],
      ['spec', 'parameters'],
      ['provisioner'],
      ['spec', 'minAvailable'],
    ];
    const kinds = [
      'StatefulSet',
      'Deployment',
      'DaemonSet',
      'ReplicationController',
      'Pod',
      'StorageClass',
      'PersistentVolume',
      'PersistentVolumeClaim',
      'PodDisruptionBudget',
      'Schedule',
      'VolumeSnapshotSchedule',
      'MigrationSchedule',
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...kinds),
        fc.constantFrom(...paths),
        fc.jsonValue(),
        (kind, path, value) => {
          const obj: Record<string, unknown> = {
            apiVersion:
              kind === 'Schedule'
                ? 'velero.io/v1'
                : kind.includes('Schedule')
                  ? 'stork.libopenstorage.org/v1alpha1'
                  : 'apps/v1',
            kind,
            metadata: { name: 'x', labels: { app: 'x' } },
            spec: {
              replicas: 2,
              selector: { matchLabels: { app: 'x' } },
              template: {
                metadata: { labels: { app: 'x' } },
                spec: {
                  containers: [
                    { name: 'c', image: 'postgres', volumeMounts: [{ name: 'd', mountPath: '/d' }] },
                  ],
                  volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'd' } }],
                },
              },
              volumeClaimTemplates: [{ metadata: { name: 'd' }, spec: { storageClassName: 'x' } }],
            },
          };
          let cur: Record<string, unknown> = obj;
          for (const key of path.slice(0, -1)) {
            const next = Array.isArray(cur) ? (cur as unknown[])[Number(key)] : cur[key];
            if (typeof next !== 'object' || next === null) return;
            cur = next as Record<string, unknown>;
          }
          cur[path[path.length - 1]!] = value;
          parseStrict(stringify(obj));
        },
      ),
      { numRuns: 400 },
    );
  });
});

function parseStrict(text: string): void {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter }) as Document.Parsed[];
  const source: SourceFile = {
    path: 'fuzz.yaml',
    text,
    kind: 'kubernetes',
    lineCounter,
    documents: [],
    syntaxErrors: [],
  };
  const locator = new Locator('fuzz.yaml', lineCounter);
  docs.forEach((doc, index) => {
    const parsed: ParsedDocument = { index, doc, range: locator.at(0, text.length) };
    parseKubernetesDocumentStrict({ source, locator, catalog }, parsed);
  });
}

describe('kubernetes parser: corpora', () => {
  const files: string[] = [];
  for (const dir of ['real-world', 'peer-tests/kube-score', 'peer-tests/kube-linter']) {
    for (const f of readdirSync(join(CORPUS, dir)).sort())
      if (/\.ya?ml$/.test(f)) files.push(join(CORPUS, dir, f));
  }
  const models = new Map<string, FileModel>();

  it('parses every corpus file without throwing (strict parser too)', () => {
    assert.ok(files.length >= 60);
    for (const p of files) {
      const text = readFileSync(p, 'utf8');
      const m = parseFile(p, text, catalog);
      models.set(p.slice(CORPUS.length + 1), m);
      if (m.source!.kind === 'kubernetes') parseStrict(text);
    }
  });

  const get = (name: string) => {
    const m = models.get(name);
    assert.ok(m, name);
    return m;
  };

  it('k8s-website zookeeper: zk ×3, ZooKeeper engine, anti-affinity selector mismatch', () => {
    const m = get('real-world/k8s-website--application-zookeeper-zookeeper.yaml');
    const zk = workload(m, 'StatefulSet/zk');
    assert.equal(zk.replicas, 3);
    assert.equal(zk.engine?.id, 'zookeeper');
    assert.equal(zk.stateful, true);
    // Its anti-affinity selects `app: zk`, but the pods are labelled `app.kubernetes.io/name: zk`.
    assert.equal(zk.spread.ok, false);
    assert.match(zk.spread.selectorMismatch ?? '', /app In \(zk\)/);
    assert.match(zk.spread.selectorMismatch ?? '', /app\.kubernetes\.io\/name=zk/);
    assert.equal(
      object<PersistentVolumeClaimObject>(m, 'PersistentVolumeClaim/datadir').templateOf,
      'StatefulSet/zk',
    );
  });

  it('k8s-website rabbitmq (flow style): emptyDir data, RabbitMQ engine', () => {
    const m = get('real-world/k8s-website--application-job-rabbitmq-rabbitmq-statefulset.yaml');
    const w = workload(m, 'StatefulSet/rabbitmq');
    assert.equal(w.engine?.id, 'rabbitmq');
    assert.equal(w.replicas, 1);
    assert.equal(w.containers[0]!.mounts[0]!.type, 'empty-dir');
    assert.deepEqual(w.podLabels, {
      'app.kubernetes.io/name': 'task-queue',
      'app.kubernetes.io/component': 'rabbitmq',
    });
  });

  it('k8s-website portworx StorageClass (flow style): replicated, repl 1', () => {
    const m = get('real-world/k8s-website--storage-storageclass-storageclass-portworx-volume.yaml');
    const sc = object<StorageClassObject>(m, 'StorageClass/portworx-io-priority-high');
    assert.equal(sc.profile.kind, 'replicated');
    assert.equal(sc.profile.copies, 1);
    assert.equal(textAt(m, sc.parameterRanges.repl), '"1"');
  });

  it('k8s-examples cassandra: legacy storage-class annotation on the template', () => {
    const m = get('real-world/k8s-examples--databases-cassandra-cassandra-statefulset.yaml');
    const w = workload(m, 'StatefulSet/cassandra');
    assert.equal(w.containers[0]!.mounts[0]!.storageClassName, 'fast');
    assert.equal(w.stopGraceSeconds, 1800);
    assert.equal(object<StorageClassObject>(m, 'StorageClass/fast').profile.kind, 'node-local');
  });

  it('cockroach: preferred anti-affinity counts; template wins over the same-named pod volume', () => {
    const m = get('real-world/cockroach--cloud-kubernetes-cockroachdb-statefulset.yaml');
    const w = workload(m, 'StatefulSet/cockroachdb');
    assert.equal(w.spread.ok, true);
    assert.equal(w.engine?.id, 'cockroachdb');
    assert.equal(w.containers[0]!.mounts[0]!.type, 'claim-template');
    const pdb = object<DisruptionBudgetObject>(m, 'PodDisruptionBudget/cockroachdb-budget');
    assert.equal(pdb.maxUnavailable, 1);
  });

  it('minio: hostPort keeps replicas apart', () => {
    const w = workload(
      get('real-world/k8s-examples--_archived-storage-minio-minio-distributed-statefulset.yaml'),
      'StatefulSet/minio',
    );
    assert.equal(w.replicas, 4);
    assert.equal(w.spread.ok, true);
  });

  it('kube-score anti-affinity inputs', () => {
    const ks = (f: string) => get(`peer-tests/kube-score/${f}`).workloads[0]!;
    assert.equal(ks('statefulset-host-antiaffinity-required.yaml').spread.ok, true);
    assert.equal(ks('statefulset-host-antiaffinity-preffered.yaml').spread.ok, true);
    assert.equal(ks('statefulset-host-antiaffinity-not-set.yaml').spread.ok, false);
    assert.equal(ks('statefulset-host-antiaffinity-not-set.yaml').spread.selectorMismatch, undefined);
    assert.equal(ks('statefulset-host-antiaffinity-undefined-replicas.yaml').replicas, 1);
    assert.equal(ks('deployment-host-antiaffinity-preffered-selector-expression.yaml').spread.ok, true);
    const noMatch = ks('deployment-host-antiaffinity-preffered-selector-no-match.yaml');
    assert.equal(noMatch.spread.ok, false);
    assert.match(noMatch.spread.selectorMismatch ?? '', /app=not-foo/);
  });

  it('kube-linter: an anti-affinity limited to another namespace does not count', () => {
    const m = get('peer-tests/kube-linter/no-anti-affinity.yml');
    assert.deepEqual(
      m.workloads.map((w) => [w.name, w.spread.ok]),
      [
        ['dont-fire', true],
        ['app1', false],
        ['dont-fire-namespaced-without-namespaces-selector', true],
        ['dont-fire-namespaced-with-namespaces-selector', true],
        ['fire-namespaced-with-namespaces-selector-not-matching', false],
      ],
    );
    const pdbs = get('peer-tests/kube-linter/pdb-max-unavailable.yaml').objects as DisruptionBudgetObject[];
    assert.deepEqual(
      pdbs.map((p) => [p.name, p.namespace, p.maxUnavailable, p.selector]),
      [
        ['baz', 'bar', 1, undefined],
        ['foo', 'bar', 0, undefined],
      ],
    );
  });
});
