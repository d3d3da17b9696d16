// Rules about scheduling, disruption and DR: no-dr-target, dr-target-same-failure-domain,
// replicas-without-anti-affinity, missing-restart-policy, quorum-size, missing-disruption-budget,
// disruption-budget-blocks-drain, short-stop-grace. Through the real pipeline (parse → index → rules).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Finding } from '../../server/src/advisor/model/model.js';
import { applyFix, fixture, lint, ofRule } from './helpers.js';

const PEERS = '/work/shared/corpus/peer-tests';

function peer(rel: string): string {
  return readFileSync(join(PEERS, rel), 'utf8');
}

function rule(id: string, files: Record<string, string>): Finding[] {
  return ofRule(lint(files), id);
}

function only(id: string, files: Record<string, string>): Finding {
  const found = rule(id, files);
  assert.equal(
    found.length,
    1,
    `expected one ${id} finding, got ${found.length}: ${found.map((f) => f.workload).join(', ')}`,
  );
  return found[0]!;
}

/** Text of the line(s) a finding's range covers. */
function textAt(files: Record<string, string>, f: Finding): string {
  const lines = (files[f.range.file] ?? '').split('\n');
  if (f.range.start.line === f.range.end.line) {
    return (lines[f.range.start.line] ?? '').slice(f.range.start.character, f.range.end.character);
  }
  return lines.slice(f.range.start.line, f.range.end.line + 1).join('\n');
}

/** The finding points at `value`, or at the `key: value` pair holding it. */
function assertPointsAt(files: Record<string, string>, f: Finding, value: string): void {
  const text = textAt(files, f);
  assert.ok(
    text === value || new RegExp(`^[\\w.-]+: ${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`).test(text),
    `finding points at ${JSON.stringify(text)}, expected ${value}`,
  );
}

/** `# …` comments of a text (end-of-line and full-line). */
function comments(text: string): string[] {
  return text
    .split('\n')
    .map((l) => /(?:^|\s)(#.*)$/.exec(l)?.[1])
    .filter((c): c is string => c !== undefined);
}

/**
 * Applies fix `fixIndex` of `finding`, then checks: every touched file parses without YAML errors, keeps
 * all its comments, and the finding (same rule, same object) is gone. Returns the fixed files.
 */
function assertFixWorks(
  files: Record<string, string>,
  finding: Finding,
  fixIndex = 0,
): Record<string, string> {
  assert.ok(
    finding.fixes.length > fixIndex,
    `${finding.rule} on ${finding.workload} has no fix #${fixIndex}`,
  );
  const fixed = applyFix(files, finding, fixIndex);
  for (const [file, text] of Object.entries(fixed)) {
    if (text === files[file]) continue;
    const docs = parseAllDocuments(text);
    const docList = Array.isArray(docs) ? docs : [docs];
    for (const d of docList) assert.deepEqual(d.errors, [], `fixed ${file} has YAML errors:\n${text}`);
    for (const c of comments(files[file] ?? ''))
      assert.ok(text.includes(c), `comment lost by the fix: ${c}\n${text}`);
  }
  const after = ofRule(lint(fixed), finding.rule).filter((f) => f.workload === finding.workload);
  assert.deepEqual(
    after.map((f) => f.message),
    [],
    `${finding.rule} still fires after "${finding.fixes[fixIndex]!.title}":\n${Object.values(fixed).join('\n#####\n')}`,
  );
  return fixed;
}

// ---------------------------------------------------------------------------------------------------

describe('no-dr-target', () => {
  const sts = fixture('rules/no-dr-target/statefulset-no-dr.yaml');

  test('fires on a StatefulSet with claims and no DR target, at its name', () => {
    const files = { 'db.yaml': sts };
    const f = only('no-dr-target', files);
    assert.equal(f.workload, 'StatefulSet/orders-db');
    assert.equal(f.severity, 'warning');
    assertPointsAt(files, f, 'orders-db');
    assert.match(f.message, /namespace `shop`/);
  });

  test('a Velero Schedule for another namespace does not count', () => {
    const files = {
      'db.yaml': sts,
      'velero.yaml': fixture('rules/no-dr-target/velero-other-namespace.yaml'),
    };
    assert.equal(rule('no-dr-target', files).length, 1);
  });

  test('a Velero Schedule excluding the namespace, or selecting other labels, does not count', () => {
    for (const other of ['velero-excluded.yaml', 'velero-label-mismatch.yaml']) {
      const files = { 'db.yaml': sts, 'velero.yaml': fixture(`rules/no-dr-target/${other}`) };
      assert.equal(rule('no-dr-target', files).length, 1, other);
    }
  });

  test('a Velero Schedule covering the namespace and labels (another file) silences it, off-site', () => {
    const files = { 'db.yaml': sts, 'velero.yaml': fixture('rules/no-dr-target/velero-covers.yaml') };
    assert.equal(rule('no-dr-target', files).length, 0);
    assert.equal(rule('dr-target-same-failure-domain', files).length, 0);
  });

  test('fix 1 appends a Velero Schedule for the namespace and labels', () => {
    const files = { 'db.yaml': sts };
    const fixed = assertFixWorks(files, only('no-dr-target', files), 0);
    assert.match(fixed['db.yaml']!, /kind: Schedule/);
    assert.match(fixed['db.yaml']!, /includedNamespaces:\n\s*- shop/);
    assert.equal(rule('dr-target-same-failure-domain', fixed).length, 0);
  });

  test('fix 2 declares the DR target', () => {
    const files = { 'db.yaml': sts };
    const fixed = assertFixWorks(files, only('no-dr-target', files), 1);
    assert.match(fixed['db.yaml']!, /stateful-ha\.io\/dr-target/);
  });

  test('compose: fires without a backup service; the backup-service fix silences it', () => {
    const files = { 'compose.yaml': fixture('rules/no-dr-target/compose-no-backup.yaml') };
    const f = only('no-dr-target', files);
    assert.equal(f.workload, 'service/db');
    assertPointsAt(files, f, 'db');
    const fixed = assertFixWorks(files, f, 0);
    assert.match(fixed['compose.yaml']!, /offen\/docker-volume-backup/);
    assert.match(fixed['compose.yaml']!, /pgdata:\/backup\/pgdata:ro/);
    // The added backup writes locally until a remote target is configured: the other rule says so.
    assert.equal(rule('dr-target-same-failure-domain', fixed).length, 1);
    assertFixWorks(files, f, 1);
  });

  test('compose: a remote backup service or a declared target silences both DR rules', () => {
    for (const name of ['compose-remote-backup.yaml', 'compose-declared.yaml']) {
      const files = { 'compose.yaml': fixture(`rules/no-dr-target/${name}`) };
      assert.equal(rule('no-dr-target', files).length, 0, name);
      assert.equal(rule('dr-target-same-failure-domain', files).length, 0, name);
    }
  });

  test('stateless workloads are not concerned', () => {
    assert.equal(
      rule('no-dr-target', { 'web.yaml': fixture('rules/no-dr-target/stateless-deployment.yaml') }).length,
      0,
    );
  });

  test('compose label-list declaration fix appends to the list', () => {
    const text = [
      'services:',
      '  db:',
      '    image: postgres:16',
      '    restart: always',
      '    labels:',
      '      - team=payments # owner',
      '    volumes: [pg:/var/lib/postgresql/data]',
      'volumes:',
      '  pg: {}',
      '',
    ].join('\n');
    const files = { 'compose.yaml': text };
    assertFixWorks(files, only('no-dr-target', files), 1);
  });
});

describe('dr-target-same-failure-domain', () => {
  test('a local VolumeSnapshot: dr-target-same-failure-domain, not no-dr-target', () => {
    const files = {
      'db.yaml': fixture('rules/no-dr-target/statefulset-no-dr.yaml'),
      'snap.yaml': fixture('rules/dr-target-same-failure-domain/local-snapshot.yaml'),
    };
    assert.equal(rule('no-dr-target', files).length, 0);
    const f = only('dr-target-same-failure-domain', files);
    assert.equal(f.workload, 'StatefulSet/orders-db');
    assert.match(f.message, /orders-db-snap/);
    assert.deepEqual(f.fixes, []);
    assert.ok(f.related.some((r) => r.range.file === 'snap.yaml'));
  });

  test('a snapshot of another claim covers nothing', () => {
    const files = {
      'db.yaml': fixture('rules/no-dr-target/statefulset-no-dr.yaml'),
      'snap.yaml': fixture('rules/dr-target-same-failure-domain/local-snapshot.yaml').replace(
        'data-orders-db-0',
        'data-other-0',
      ),
    };
    assert.equal(rule('no-dr-target', files).length, 1);
    assert.equal(rule('dr-target-same-failure-domain', files).length, 0);
  });

  test('compose: a backup service writing only locally', () => {
    const files = {
      'compose.yaml': fixture('rules/dr-target-same-failure-domain/compose-local-backup.yaml'),
    };
    assert.equal(rule('no-dr-target', files).length, 0);
    const f = only('dr-target-same-failure-domain', files);
    assert.equal(f.workload, 'service/db');
    assert.match(f.message, /backup/);
  });

  test('local plus off-site: silent', () => {
    const files = {
      'db.yaml': fixture('rules/no-dr-target/statefulset-no-dr.yaml'),
      'snap.yaml': fixture('rules/dr-target-same-failure-domain/local-snapshot.yaml'),
      'velero.yaml': fixture('rules/no-dr-target/velero-covers.yaml'),
    };
    assert.equal(rule('dr-target-same-failure-domain', files).length, 0);
  });
});

// ---------------------------------------------------------------------------------------------------

describe('replicas-without-anti-affinity', () => {
  test('fires on 3 replicas with nothing spreading them, at the replicas value; fix adds anti-affinity', () => {
    const files = {
      'cache.yaml': fixture('rules/replicas-without-anti-affinity/statefulset-no-spread.yaml'),
    };
    const f = only('replicas-without-anti-affinity', files);
    assert.equal(f.workload, 'StatefulSet/cache');
    assertPointsAt(files, f, '3');
    assert.match(f.message, /3 replicas/);
    const fixed = assertFixWorks(files, f);
    assert.match(fixed['cache.yaml']!, /podAntiAffinity:/);
    assert.match(fixed['cache.yaml']!, /topologyKey: kubernetes\.io\/hostname/);
  });

  test("an anti-affinity whose selector does not match the pod's labels fires and says so; the fix adds a matching term", () => {
    const files = { 'cache.yaml': fixture('rules/replicas-without-anti-affinity/selector-mismatch.yaml') };
    const f = only('replicas-without-anti-affinity', files);
    assert.match(f.message, /selector does not match the pod's labels/);
    assertFixWorks(files, f);
  });

  test('topologySpreadConstraints on the hostname are accepted', () => {
    const files = { 'cache.yaml': fixture('rules/replicas-without-anti-affinity/topology-spread.yaml') };
    assert.equal(rule('replicas-without-anti-affinity', files).length, 0);
  });

  test('swarm: fires without max_replicas_per_node (fix sets it); global mode is silent', () => {
    const files = { 'stack.yml': fixture('rules/replicas-without-anti-affinity/swarm-stack.yaml') };
    const f = only('replicas-without-anti-affinity', files);
    assert.equal(f.workload, 'service/cassandra');
    assertPointsAt(files, f, '3');
    const fixed = assertFixWorks(files, f);
    assert.match(fixed['stack.yml']!, /max_replicas_per_node: 1/);
  });

  test('single-host compose is not a multi-node target', () => {
    const files = {
      'compose.yaml': fixture('rules/replicas-without-anti-affinity/compose-single-host.yaml'),
    };
    assert.equal(rule('replicas-without-anti-affinity', files).length, 0);
  });

  // kube-score / kube-linter inputs: their workloads run `foo:bar` with no storage, so they are not
  // stateful and our rule stays silent. With a data engine image they become stateful, and the
  // expectations follow kube-score's for replicas ≥ 2.
  const kubeScore = [
    ['statefulset-host-antiaffinity-not-set.yaml', true],
    ['statefulset-host-antiaffinity-preffered.yaml', false],
    ['statefulset-host-antiaffinity-required.yaml', false],
    ['statefulset-host-antiaffinity-1-replica.yaml', false],
    ['statefulset-host-antiaffinity-undefined-replicas.yaml', false],
    ['deployment-host-antiaffinity-not-set.yaml', true],
    ['deployment-host-antiaffinity-preffered.yaml', false],
    ['deployment-host-antiaffinity-required.yaml', false],
    ['deployment-host-antiaffinity-1-replica.yaml', false],
    ['deployment-host-antiaffinity-preffered-selector-expression.yaml', false],
    ['deployment-host-antiaffinity-preffered-selector-no-match.yaml', true],
  ] as const;
  for (const [file, firesWhenStateful] of kubeScore) {
    test(`kube-score ${file}: silent as written; ${firesWhenStateful ? 'fires' : 'silent'} with a data engine`, () => {
      const text = peer(`kube-score/${file}`);
      assert.equal(rule('replicas-without-anti-affinity', { [file]: text }).length, 0);
      const stateful = text.replace(/image: foo:bar/g, 'image: redis:7');
      assert.notEqual(stateful, text);
      const found = rule('replicas-without-anti-affinity', { [file]: stateful });
      assert.equal(found.length, firesWhenStateful ? 1 : 0, found.map((f) => f.message).join('\n'));
      if (file.includes('selector-no-match'))
        assert.match(found[0]!.message, /selector does not match the pod's labels/);
    });
  }

  test('kube-linter no-anti-affinity.yml: no stateful workloads, silent', () => {
    const files = { 'no-anti-affinity.yml': peer('kube-linter/no-anti-affinity.yml') };
    assert.equal(rule('replicas-without-anti-affinity', files).length, 0);
  });
});

// ---------------------------------------------------------------------------------------------------

describe('missing-restart-policy', () => {
  const compose = fixture('rules/missing-restart-policy/compose.yaml');

  test('compose single-host: no restart and restart "no" fire; unless-stopped and stateless services do not', () => {
    const files = { 'compose.yaml': compose };
    const found = rule('missing-restart-policy', files);
    assert.deepEqual(found.map((f) => f.workload).sort(), ['service/db', 'service/queue']);
    const db = found.find((f) => f.workload === 'service/db')!;
    assertPointsAt(files, db, 'db');
    const queue = found.find((f) => f.workload === 'service/queue')!;
    assertPointsAt(files, queue, '"no"');
  });

  test('compose fixes: add `restart: unless-stopped` / replace "no"', () => {
    const files = { 'compose.yaml': compose };
    for (const f of rule('missing-restart-policy', files)) {
      const fixed = assertFixWorks(files, f);
      assert.match(fixed['compose.yaml']!, /restart: unless-stopped/);
    }
  });

  test('swarm: condition none fires (fix → any); no restart key is fine in swarm', () => {
    const files = { 'stack.yml': fixture('rules/missing-restart-policy/swarm-stack.yaml') };
    const f = only('missing-restart-policy', files);
    assert.equal(f.workload, 'service/db');
    assertPointsAt(files, f, 'none');
    const fixed = assertFixWorks(files, f);
    assert.match(fixed['stack.yml']!, /condition: any # set during a migration/);
  });

  test('k8s: restartPolicy Never on a controller fires; fix sets Always', () => {
    const text = fixture('rules/missing-restart-policy/naked-pod.yaml');
    const sts = text
      .slice(text.indexOf('---\n') + 4)
      .replace(
        '    spec:\n      containers:',
        '    spec:\n      restartPolicy: Never # debugging\n      containers:',
      );
    const files = { 'sts.yaml': sts };
    const f = only('missing-restart-policy', files);
    assert.equal(f.workload, 'StatefulSet/managed-db');
    assertPointsAt(files, f, 'Never');
    const fixed = assertFixWorks(files, f);
    assert.match(fixed['sts.yaml']!, /restartPolicy: Always # debugging/);
  });

  test('k8s: a bare Pod holding data fires (no fix); a StatefulSet does not', () => {
    const files = { 'pods.yaml': fixture('rules/missing-restart-policy/naked-pod.yaml') };
    const f = only('missing-restart-policy', files);
    assert.equal(f.workload, 'Pod/scratch-db');
    assert.match(f.message, /bare Pod/);
    assert.match(f.message, /restartPolicy: Never/);
    assert.deepEqual(f.fixes, []);
  });
});

// ---------------------------------------------------------------------------------------------------

describe('quorum-size', () => {
  const etcd2 = fixture('rules/quorum-size/compose-etcd-2.yaml');

  test('compose one-service-per-member etcd with 2 members: one finding on the first member, no fix', () => {
    const files = { 'compose.yaml': etcd2 };
    const f = only('quorum-size', files);
    assert.equal(f.workload, 'service/etcd1');
    assert.match(
      f.message,
      /etcd .*has 2 members: a quorum of 2 tolerates no member loss; use 3 \(tolerates 1\) or 5/,
    );
    assert.deepEqual(f.fixes, []);
    assert.ok(f.related.some((r) => textAt(files, { ...f, range: r.range }) === 'etcd2'));
  });

  test('compose etcd with 3 members: silent', () => {
    assert.equal(
      rule('quorum-size', { 'compose.yaml': fixture('rules/quorum-size/compose-etcd-3.yaml') }).length,
      0,
    );
  });

  test('a suppression comment with a reason above the service silences it', () => {
    const text = etcd2.replace(
      '  etcd1:\n',
      '  # stateful-ha-ignore quorum-size: second member is a learner for the migration\n  etcd1:\n',
    );
    const findings = lint({ 'compose.yaml': text });
    assert.equal(ofRule(findings, 'quorum-size').length, 0);
    assert.equal(ofRule(findings, 'suppression-without-reason').length, 0);
  });

  test('a suppression without a reason still suppresses, and is reported as info', () => {
    const text = etcd2.replace('  etcd1:\n', '  # stateful-ha-ignore quorum-size\n  etcd1:\n');
    const findings = lint({ 'compose.yaml': text });
    assert.equal(ofRule(findings, 'quorum-size').length, 0);
    const info = ofRule(findings, 'suppression-without-reason');
    assert.equal(info.length, 1);
    assert.equal(info[0]!.severity, 'info');
    assert.equal(info[0]!.workload, 'service/etcd1');
  });

  test('k8s ZooKeeper with 4 replicas fires at the replicas value; fix sets 5', () => {
    const files = { 'zk.yaml': fixture('rules/quorum-size/zookeeper-4.yaml') };
    const f = only('quorum-size', files);
    assertPointsAt(files, f, '4');
    assert.match(
      f.message,
      /ZooKeeper has 4 members: a quorum of 3 tolerates the loss of 1 member; use 5 \(tolerates 2\)/,
    );
    const fixed = assertFixWorks(files, f);
    assert.match(fixed['zk.yaml']!, /replicas: 5 # grew by one last quarter/);
  });

  test('k8s with replicas unset (1) fires; fix adds replicas: 3', () => {
    const text = fixture('rules/quorum-size/zookeeper-4.yaml').replace(
      '  replicas: 4 # grew by one last quarter\n',
      '',
    );
    const files = { 'zk.yaml': text };
    const f = only('quorum-size', files);
    assert.match(f.message, /has 1 member:/);
    const fixed = assertFixWorks(files, f);
    assert.match(fixed['zk.yaml']!, /replicas: 3/);
  });

  test('MongoDB replica set with 2 data members and an arbiter has 3 voters: silent', () => {
    assert.equal(
      rule('quorum-size', { 'compose.yaml': fixture('rules/quorum-size/compose-mongo-arbiter.yaml') }).length,
      0,
    );
  });

  test('MongoDB replica set with 1 data member and an arbiter has 2 voters: fires', () => {
    const text = fixture('rules/quorum-size/compose-mongo-arbiter.yaml').replace(
      / {2}mongodb-secondary:[\s\S]*?(?= {2}mongodb-arbiter:)/,
      '',
    );
    const f = only('quorum-size', { 'compose.yaml': text });
    assert.equal(f.workload, 'service/mongodb-primary');
    assert.match(f.message, /2 voting members \(1 arbiter\)/);
  });

  test('MongoDB without a replica set is not a quorum', () => {
    const text =
      'services:\n  mongo:\n    image: mongo:7\n    restart: always\n    volumes: [m:/data/db]\nvolumes:\n  m: {}\n';
    assert.equal(rule('quorum-size', { 'compose.yaml': text }).length, 0);
  });

  test('Kafka KRaft controllers are a quorum; Kafka without controller role is not', () => {
    const text = fixture('rules/quorum-size/kafka-kraft.yaml');
    const f = only('quorum-size', { 'kafka.yaml': text });
    assert.match(f.message, /KRaft controller quorum has 2 members/);
    assertFixWorks({ 'kafka.yaml': text }, f);
    const zkMode = text.replace('controller,broker', 'broker');
    assert.equal(rule('quorum-size', { 'kafka.yaml': zkMode }).length, 0);
  });

  test('compose single service with deploy.replicas: fix sets the next odd count', () => {
    const text = [
      'services:',
      '  consul:',
      '    image: hashicorp/consul:1.18',
      '    command: agent -server -bootstrap-expect=2',
      '    volumes: [c:/consul/data]',
      '    deploy:',
      '      replicas: 2 # two servers',
      '      max_replicas_per_node: 1',
      'volumes:',
      '  c: {}',
      '',
    ].join('\n');
    const files = { 'stack.yml': text };
    const f = only('quorum-size', files);
    assertPointsAt(files, f, '2');
    const fixed = assertFixWorks(files, f);
    assert.match(fixed['stack.yml']!, /replicas: 3 # two servers/);
  });

  test('swarm global members: unknown count, silent', () => {
    const text =
      'services:\n  etcd:\n    image: bitnami/etcd\n    volumes: [e:/bitnami/etcd]\n    deploy:\n      mode: global\nvolumes:\n  e: {}\n';
    assert.equal(rule('quorum-size', { 'stack.yml': text }).length, 0);
  });
});

// ---------------------------------------------------------------------------------------------------

describe('missing-disruption-budget', () => {
  const sts = fixture('rules/missing-disruption-budget/statefulset.yaml');

  test('fires on a 3-replica StatefulSet with no budget, at replicas; fix appends a PDB', () => {
    const files = { 'cassandra.yaml': sts };
    const f = only('missing-disruption-budget', files);
    assert.equal(f.workload, 'StatefulSet/cassandra');
    assertPointsAt(files, f, '3');
    const fixed = assertFixWorks(files, f);
    assert.match(fixed['cassandra.yaml']!, /kind: PodDisruptionBudget/);
    assert.match(fixed['cassandra.yaml']!, /maxUnavailable: 1/);
    assert.match(fixed['cassandra.yaml']!, /namespace: data/);
    assert.equal(rule('disruption-budget-blocks-drain', fixed).length, 0);
  });

  test('a budget in another namespace does not count', () => {
    const files = {
      'cassandra.yaml': sts,
      'pdb.yaml': fixture('rules/missing-disruption-budget/pdb-other-namespace.yaml'),
    };
    assert.equal(rule('missing-disruption-budget', files).length, 1);
  });

  test('a matching budget in the same namespace (another file) silences it', () => {
    const files = {
      'cassandra.yaml': sts,
      'pdb.yaml': fixture('rules/missing-disruption-budget/pdb-matches.yaml'),
    };
    assert.equal(rule('missing-disruption-budget', files).length, 0);
  });

  test('a budget with neither minAvailable nor maxUnavailable does not count; fix completes it', () => {
    const files = {
      'cassandra.yaml': sts,
      'pdb.yaml': fixture('rules/missing-disruption-budget/pdb-no-limit.yaml'),
    };
    const f = only('missing-disruption-budget', files);
    assert.match(f.message, /limits nothing/);
    const fixed = assertFixWorks(files, f);
    assert.equal(fixed['cassandra.yaml'], sts);
    assert.match(fixed['pdb.yaml']!, /maxUnavailable: 1/);
  });

  test('a Deployment with claims counts; one without claims does not', () => {
    const files = { 'deploy.yaml': fixture('rules/missing-disruption-budget/deployment-claim.yaml') };
    const f = only('missing-disruption-budget', files);
    assert.equal(f.workload, 'Deployment/files');
    assertFixWorks(files, f);
  });

  test('kube-score PDB inputs: StatefulSets with 1 replica (and no storage) never fire', () => {
    for (const file of [
      'statefulset-poddisruptionbudget-v1beta1-matches.yaml',
      'statefulset-poddisruptionbudget-v1beta1-no-match.yaml',
      'statefulset-poddisruptionbudget-v1beta1-expression-matches.yaml',
      'statefulset-poddisruptionbudget-v1beta1-expression-no-match.yaml',
      'deployment-poddisruptionbudget-v1-no-match.yaml',
      'deployment-poddisruptionbudget-v1-no-policy.yaml',
    ]) {
      assert.equal(rule('missing-disruption-budget', { [file]: peer(`kube-score/${file}`) }).length, 0, file);
    }
  });

  test('kube-score StatefulSet PDB inputs made stateful with 3 replicas: fire only when no budget matches', () => {
    const cases = [
      ['statefulset-poddisruptionbudget-v1beta1-matches.yaml', false],
      ['statefulset-poddisruptionbudget-v1beta1-expression-matches.yaml', false],
      ['statefulset-poddisruptionbudget-v1beta1-no-match.yaml', true],
      ['statefulset-poddisruptionbudget-v1beta1-expression-no-match.yaml', true],
    ] as const;
    for (const [file, fires] of cases) {
      const text = peer(`kube-score/${file}`)
        .replace('image: foo:bar', 'image: cassandra:4.1')
        .replace(/(kind: StatefulSet[\s\S]*?spec:\n)/, '$1  replicas: 3\n');
      assert.equal(rule('missing-disruption-budget', { [file]: text }).length, fires ? 1 : 0, file);
    }
  });
});

// ---------------------------------------------------------------------------------------------------

describe('disruption-budget-blocks-drain', () => {
  const etcd = fixture('rules/disruption-budget-blocks-drain/budgets.yaml');
  const tpl = fixture('rules/disruption-budget-blocks-drain/pdb.yaml.tpl');
  const pdb = (limit: string, namespace = 'infra'): string =>
    tpl.replace('NAMESPACE', namespace).replace('LIMIT', limit);

  const cases: [string, boolean, string?][] = [
    ['maxUnavailable: 0', true, '0'],
    ['maxUnavailable: "0%"', true, '"0%"'],
    ['maxUnavailable: 1', false],
    ['maxUnavailable: "10%"', false], // ceil(0.3) = 1
    ['minAvailable: "67%"', true, '"67%"'], // ceil(2.01) = 3 of 3
    ['minAvailable: "50%"', false], // ceil(1.5) = 2 of 3
    ['minAvailable: 100%', true, '100%'],
    ['minAvailable: 3', true, '3'],
    ['minAvailable: 4', true, '4'],
    ['minAvailable: 2', false],
  ];
  for (const [limit, blocks, value] of cases) {
    test(`${limit} with 3 replicas ${blocks ? 'blocks' : 'does not block'}`, () => {
      const files = { 'etcd.yaml': etcd, 'pdb.yaml': pdb(limit) };
      const found = rule('disruption-budget-blocks-drain', files);
      assert.equal(found.length, blocks ? 1 : 0, found.map((f) => f.message).join('\n'));
      if (!blocks) return;
      const f = found[0]!;
      assert.equal(f.workload, 'PodDisruptionBudget/etcd');
      assert.equal(f.range.file, 'pdb.yaml');
      assertPointsAt(files, f, value!);
      assert.ok(f.related.some((r) => r.range.file === 'etcd.yaml'));
      const fixed = assertFixWorks(files, f);
      assert.match(fixed['pdb.yaml']!, /^ {2}maxUnavailable: 1 # the limit under test$/m);
      assert.doesNotMatch(fixed['pdb.yaml']!, /minAvailable/);
    });
  }

  test('selecting nothing in the workspace: only the count-free checks apply', () => {
    const expectations: [string, boolean][] = [
      ['maxUnavailable: 0', true],
      ['maxUnavailable: 0%', true],
      ['minAvailable: 100%', true],
      ['minAvailable: 5', false],
      ['minAvailable: "99%"', false],
    ];
    for (const [limit, blocks] of expectations) {
      const files = { 'pdb.yaml': pdb(limit, 'elsewhere'), 'etcd.yaml': etcd };
      assert.equal(rule('disruption-budget-blocks-drain', files).length, blocks ? 1 : 0, limit);
    }
  });

  test('both keys set: the fix sets maxUnavailable to 1 and drops minAvailable', () => {
    const files = { 'etcd.yaml': etcd, 'pdb.yaml': pdb('minAvailable: 3\n  maxUnavailable: 0') };
    const f = only('disruption-budget-blocks-drain', files);
    const fixed = assertFixWorks(files, f);
    assert.doesNotMatch(fixed['pdb.yaml']!, /minAvailable/);
  });

  test('a budget over many workloads lists the first 10 as related, and counts the rest', () => {
    const workloads = Array.from(
      { length: 12 },
      (_, i) =>
        `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w${i}}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: x}}\n  template:\n    metadata: {labels: {app: x}}\n    spec: {containers: [{name: c, image: nginx}]}\n`,
    ).join('---\n');
    const budget =
      'apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: all}\nspec:\n  maxUnavailable: 0\n  selector: {matchLabels: {app: x}}\n';
    const f = only('disruption-budget-blocks-drain', { 'apps.yaml': workloads, 'pdb.yaml': budget });
    assert.equal(f.related.length, 10);
    assert.deepEqual(
      f.related.map((r) => r.range.start.line),
      Array.from({ length: 10 }, (_, i) => i * 10 + 4),
      'each at its workload’s replicas',
    );
    assert.equal(f.related[0]!.message, 'selected: `Deployment/w0` (2 replicas)');
    assert.equal(
      f.related[9]!.message,
      'selected: `Deployment/w9` (2 replicas); 2 more workloads selected, not listed',
    );
  });

  test('flow-style budget spec', () => {
    const text =
      'apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: etcd, namespace: infra}\nspec: {minAvailable: 3, selector: {matchLabels: {app: etcd}}}\n';
    const files = { 'etcd.yaml': etcd, 'pdb.yaml': text };
    const fixed = assertFixWorks(files, only('disruption-budget-blocks-drain', files));
    assert.match(fixed['pdb.yaml']!, /spec: \{maxUnavailable: 1, selector/);
  });

  test('the stateful-ha.io/ignore annotation on the budget (with a reason) suppresses it', () => {
    const text = pdb('maxUnavailable: 0').replace(
      '  namespace: infra\n',
      '  namespace: infra\n  annotations:\n    stateful-ha.io/ignore: "disruption-budget-blocks-drain: drained by the operator only"\n',
    );
    const findings = lint({ 'etcd.yaml': etcd, 'pdb.yaml': text });
    assert.equal(ofRule(findings, 'disruption-budget-blocks-drain').length, 0);
    assert.equal(ofRule(findings, 'suppression-without-reason').length, 0);
  });

  test('kube-linter pdb-max-unavailable: maxUnavailable 0 fires, 1 does not', () => {
    const found = rule('disruption-budget-blocks-drain', {
      'pdb.yaml': peer('kube-linter/pdb-max-unavailable.yaml'),
    });
    assert.deepEqual(
      found.map((f) => f.workload),
      ['PodDisruptionBudget/foo'],
    );
  });

  test('kube-linter pdb-min-available: minAvailable 1 over 1 replica fires; over a template-less Deployment stays silent', () => {
    const found = rule('disruption-budget-blocks-drain', {
      'pdb.yaml': peer('kube-linter/pdb-min-available.yaml'),
    });
    assert.deepEqual(found.map((f) => f.workload).sort(), [
      'PodDisruptionBudget/baz2',
      'PodDisruptionBudget/baz3',
    ]);
  });

  test('kube-score PDB inputs: minAvailable 2 over an unset-replicas (1) workload blocks; no match stays silent', () => {
    const fires = (file: string): number =>
      rule('disruption-budget-blocks-drain', { [file]: peer(`kube-score/${file}`) }).length;
    assert.equal(fires('statefulset-poddisruptionbudget-v1beta1-matches.yaml'), 1);
    assert.equal(fires('statefulset-poddisruptionbudget-v1beta1-expression-matches.yaml'), 1);
    assert.equal(fires('statefulset-poddisruptionbudget-v1beta1-no-match.yaml'), 0);
    assert.equal(fires('statefulset-poddisruptionbudget-v1beta1-expression-no-match.yaml'), 0);
  });
});

// ---------------------------------------------------------------------------------------------------

describe('short-stop-grace', () => {
  test('k8s terminationGracePeriodSeconds 10 on PostgreSQL fires; fix sets 60', () => {
    const files = { 'pg.yaml': fixture('rules/short-stop-grace/statefulset.yaml') };
    const f = only('short-stop-grace', files);
    assert.equal(f.severity, 'info');
    assertPointsAt(files, f, '10');
    assert.match(f.message, /10s/);
    const fixed = assertFixWorks(files, f);
    assert.match(fixed['pg.yaml']!, /terminationGracePeriodSeconds: 60/);
  });

  test('k8s 30 or unset: silent', () => {
    const text = fixture('rules/short-stop-grace/statefulset.yaml');
    assert.equal(
      rule('short-stop-grace', { 'pg.yaml': text.replace('Seconds: 10', 'Seconds: 30') }).length,
      0,
    );
    assert.equal(
      rule('short-stop-grace', { 'pg.yaml': text.replace('      terminationGracePeriodSeconds: 10\n', '') })
        .length,
      0,
    );
  });

  test('compose: 5s on MySQL fires (fix 30s); 1m30s and non-engine services do not', () => {
    const files = { 'compose.yaml': fixture('rules/short-stop-grace/compose.yaml') };
    const f = only('short-stop-grace', files);
    assert.equal(f.workload, 'service/db');
    assertPointsAt(files, f, '"5s"');
    const fixed = assertFixWorks(files, f);
    assert.match(fixed['compose.yaml']!, /stop_grace_period: "30s" # too short for InnoDB/);
  });
});
