// Planners on live snapshots recorded from the real test swarm (test/fixtures/live/, re-record with
// RECORD_LIVE_FIXTURES=1 node scripts/run-tests.mjs test/docker). Variations (a drained node, a label
// on another node) are edits of the recorded snapshot: the planners are pure functions of it.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Advisor } from '../../server/src/advisor/advisor.js';
import { redactArgs, toFileModel, type LiveSnapshot } from '../../server/src/operations/live-model.js';
import {
  planDecommission,
  planFailover,
  planRestart,
  planUndrain,
  renderPlanText,
} from '../../server/src/operations/plan.js';

const FIXTURES = join(__dirname, '..', 'fixtures', 'live');

function load(name: string): LiveSnapshot {
  return JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as LiveSnapshot;
}

/** The recorded swarm: node1 manager, node2 labelled db=true; db pinned there on a local volume, files on
 * declared-shared storage (not on node2), etcd ×3 one per node on local volumes. */
const swarm = (): LiveSnapshot => load('swarm');

function service(s: LiveSnapshot, name: string) {
  const found = s.services.find((x) => x.name === name);
  assert.ok(found, name);
  return found;
}

function node(s: LiveSnapshot, hostname: string) {
  const found = s.nodes.find((x) => x.hostname === hostname);
  assert.ok(found, hostname);
  return found;
}

describe('live model from a recorded swarm', () => {
  it('translates services into advisor workloads the rules can run on', () => {
    const model = toFileModel(swarm());
    assert.match(model.path, /^docker:\/\//);
    const refs = model.workloads.map((w) => w.ref).sort();
    assert.deepEqual(refs, ['service/db', 'service/etcd', 'service/files']);
    const db = model.workloads.find((w) => w.ref === 'service/db')!;
    assert.equal(db.origin, 'live');
    assert.equal(db.kind, 'service');
    assert.equal(db.target, 'swarm');
    assert.equal(db.placement.pinned, true);
    assert.equal(db.placement.detail, 'node.labels.db==true');
    assert.equal(db.containers[0]!.mounts[0]!.storage.kind, 'node-local');
    assert.equal(db.span.start.line, 0);
    assert.equal(db.span.file, model.path);
    const files = model.workloads.find((w) => w.ref === 'service/files')!;
    assert.equal(files.containers[0]!.mounts[0]!.storage.kind, 'shared');
    assert.equal(files.placement.pinned, false, 'a != constraint does not pin');
    const etcd = model.workloads.find((w) => w.ref === 'service/etcd')!;
    assert.equal(etcd.engine?.id, 'etcd');
    assert.equal(etcd.replicas, 3);
    assert.equal(etcd.spread.ok, true);
    assert.deepEqual(etcd.tasks?.map((t) => t.node).sort(), ['node1', 'node2', 'node3']);
    // Env values are never in the model: names only.
    assert.deepEqual(db.containers[0]!.env, { DB_PASSWORD: '' });
    const advisor = new Advisor();
    advisor.setModel(model);
    const { failures, findings } = advisor.analyze();
    assert.deepEqual(failures, []);
    assert.ok(findings.every((f) => f.range.file === model.path));
  });

  it('translates a plain engine into container workloads', () => {
    const model = toFileModel(load('engine'));
    const kv = model.workloads.find((w) => w.ref === 'container/kv')!;
    assert.equal(kv.kind, 'container');
    assert.equal(kv.target, 'single-host');
    assert.equal(kv.intent.replication, 'none');
    assert.equal(kv.containers[0]!.mounts[0]!.source, 'kvdata');
    assert.equal(kv.stateful, true);
  });

  it('redacts values of secret-looking flags', () => {
    assert.deepEqual(redactArgs(['mongod', '--replSet', 'rs0', '--password=x', '--api-token', 'y']), [
      'mongod',
      '--replSet',
      'rs0',
      '--password=<redacted>',
      '--api-token',
      '<redacted>',
    ]);
  });
});

describe('decommission preflight', () => {
  it('refuses node2: db is pinned there on node-local data, and the etcd member has nowhere to go', () => {
    const plan = planDecommission(swarm(), 'node2');
    assert.equal(plan.ok, false);
    const fates = Object.fromEntries(plan.tasks!.map((t) => [t.service, t]));
    assert.equal(fates.db!.fate, 'stranded');
    assert.match(fates.db!.reason, /pinned to this node by node\.labels\.db==true/);
    assert.equal(fates.etcd!.fate, 'stranded');
    assert.match(fates.etcd!.reason, /max 1 per node/);
    assert.equal(plan.refusals.length, 2);
    assert.match(renderPlanText(plan), /db\.1 \w+ +stranded \(BLOCKS\)/);
  });

  it('node1: shared data moves; an override accepts the stranded etcd member', () => {
    const refused = planDecommission(swarm(), 'node1');
    assert.equal(refused.ok, false);
    assert.equal(refused.tasks!.find((t) => t.service === 'files')!.fate, 'moves-with-data');
    assert.deepEqual(refused.tasks!.find((t) => t.service === 'files')!.candidates, ['node3']);
    const plan = planDecommission(swarm(), 'node1', { overrides: ['etcd'] });
    assert.equal(plan.ok, true, plan.refusals.join('; '));
    assert.equal(plan.tasks!.find((t) => t.service === 'etcd')!.overridden, true);
    assert.match(plan.warnings.join(), /overridden: etcd/);
    assert.equal(plan.node!.availability.to, 'drain');
    assert.equal(plan.node!.version, node(swarm(), 'node1').version);
    assert.deepEqual(
      plan.steps.map((s) => s.id),
      ['drain-node', 'wait', 'verify'],
    );
    assert.equal(plan.rollback, 'stateful-ha cluster undrain node1');
    // Overrides by task id work too.
    const etcdTask = service(swarm(), 'etcd').tasks.find((t) => t.node === 'node1')!;
    assert.equal(planDecommission(swarm(), 'node1', { overrides: [etcdTask.id.slice(0, 8)] }).ok, true);
  });

  it('an app-replicated engine on local storage moves and resyncs when a node is free', () => {
    const s = swarm();
    delete service(s, 'etcd').maxReplicasPerNode;
    const plan = planDecommission(s, 'node3');
    const etcd = plan.tasks!.find((t) => t.service === 'etcd')!;
    assert.equal(etcd.fate, 'moves-and-resyncs');
    assert.match(etcd.reason, /resyncs from its peers/);
    assert.equal(plan.ok, true);
  });

  it('breaks quorum when another member is already on a drained node, or on the same node', () => {
    const s = swarm();
    delete service(s, 'etcd').maxReplicasPerNode;
    node(s, 'node3').availability = 'drain';
    const plan = planDecommission(s, 'node1', { overrides: [] });
    const etcd = plan.tasks!.find((t) => t.service === 'etcd')!;
    assert.equal(etcd.fate, 'breaks-quorum');
    assert.match(etcd.reason, /etcd\.\d is already on an unavailable node/);
    assert.equal(plan.ok, false);

    const s2 = swarm();
    delete service(s2, 'etcd').maxReplicasPerNode;
    const n1 = node(s2, 'node1');
    const moved = service(s2, 'etcd').tasks.find((t) => t.node === 'node3')!;
    moved.node = 'node1';
    moved.nodeId = n1.id;
    const plan2 = planDecommission(s2, 'node1');
    assert.ok(plan2.tasks!.filter((t) => t.service === 'etcd').every((t) => t.fate === 'breaks-quorum'));
    assert.match(plan2.tasks!.find((t) => t.service === 'etcd')!.reason, /on this node too/);
  });

  it('--remove refuses a manager', () => {
    const plan = planDecommission(swarm(), 'node1', { overrides: ['etcd'], remove: true });
    assert.equal(plan.ok, false);
    assert.match(plan.refusals.join(), /manager: demote it/);
    const worker = planDecommission(swarm(), 'node3', { overrides: ['etcd'], remove: true });
    assert.equal(worker.ok, true);
    assert.equal(worker.steps.at(-1)!.id, 'remove-node');
  });

  it('unknown node, worker endpoint, plain engine', () => {
    assert.match(planDecommission(swarm(), 'node9').refusals.join(), /no node "node9"/);
    const w = { ...swarm(), mode: 'swarm-worker' as const };
    assert.match(planDecommission(w, 'node1').refusals.join(), /swarm worker/);
    assert.match(planDecommission(load('engine'), 'node1').refusals.join(), /single Docker engine/);
  });
});

describe('failover plans', () => {
  it('moves shared-storage data with the task, replacing pinning constraints only', () => {
    const plan = planFailover(swarm(), 'files', 'node3');
    assert.equal(plan.ok, true, plan.refusals.join('; '));
    assert.match(plan.data, /^Data follows/);
    assert.deepEqual(plan.service!.constraints, {
      from: ['node.labels.db!=true'],
      to: ['node.labels.db!=true', 'node.hostname==node3'],
    });
    assert.equal(plan.service!.version, service(swarm(), 'files').version);
    assert.deepEqual(plan.service!.expectNodes, ['node3']);
    assert.equal(plan.rollback, 'docker service rollback files');
    // The plan is JSON as it is.
    assert.deepEqual(JSON.parse(JSON.stringify(plan)), plan);
  });

  it('refuses a target its own constraints exclude', () => {
    const plan = planFailover(swarm(), 'files', 'node2');
    assert.equal(plan.ok, false);
    assert.match(plan.refusals.join(), /node\.labels\.db!=true of files excludes node2/);
  });

  it('refuses node-local data unless the empty volume is accepted, and suggests a way', () => {
    const plan = planFailover(swarm(), 'db', 'node3');
    assert.equal(plan.ok, false);
    assert.match(plan.data, /EMPTY volume/);
    assert.match(plan.suggestions.join(), /copy volume dbdata/);
    const accepted = planFailover(swarm(), 'db', 'node3', { acceptEmptyData: true });
    assert.equal(accepted.ok, true);
    assert.deepEqual(accepted.service!.constraints!.to, ['node.hostname==node3']);
    assert.match(accepted.warnings.join(), /empty volume/);
  });

  it('suggests the app-level path for an app-replicated engine, and refuses multi-replica services', () => {
    const plan = planFailover(swarm(), 'etcd', 'node3');
    assert.equal(plan.ok, false);
    assert.match(plan.refusals.join(), /3 replicas/);
    assert.match(plan.suggestions.join(), /etcd replicates itself: add a member on node3/);
  });

  it('refuses a drained target and unknown names', () => {
    const s = swarm();
    node(s, 'node3').availability = 'drain';
    assert.match(planFailover(s, 'files', 'node3').refusals.join(), /node3 is drain, not active/);
    assert.match(planFailover(s, 'nope', 'node3').refusals.join(), /no service "nope"/);
    assert.match(planFailover(s, 'files', 'nope').refusals.join(), /no node "nope"/);
  });

  it('is a no-op when already there and pinned', () => {
    const s = swarm();
    service(s, 'files').constraints = ['node.labels.db!=true', 'node.hostname==node1'];
    const plan = planFailover(s, 'files', 'node1');
    assert.equal(plan.ok, true);
    assert.equal(plan.noop, true);
  });
});

describe('restart plans', () => {
  it('swarm: force update in place; a label matching one node is already a pin', () => {
    const plan = planRestart(swarm(), 'db');
    assert.equal(plan.ok, true);
    assert.equal(plan.service!.forceUpdate, true);
    assert.equal(plan.service!.constraints, undefined);
    assert.deepEqual(plan.service!.expectNodes, ['node2']);
    assert.match(plan.data, /Restart in place: same node \(node2\)/);
  });

  it('swarm: pins node-local data to its current node when several nodes could take it', () => {
    const s = swarm();
    node(s, 'node3').labels.db = 'true';
    const plan = planRestart(s, 'db');
    assert.deepEqual(plan.service!.constraints!.to, ['node.labels.db==true', 'node.hostname==node2']);
    assert.match(plan.warnings.join(), /pins it to node2/);
  });

  it('swarm: shared data may restart anywhere; no node expectation', () => {
    const plan = planRestart(swarm(), 'files');
    assert.equal(plan.ok, true);
    assert.deepEqual(plan.service!.expectNodes, []);
  });

  it('engine: container restart', () => {
    const plan = planRestart(load('engine'), 'kv');
    assert.equal(plan.ok, true);
    assert.equal(plan.container!.name, 'kv');
    assert.deepEqual(
      plan.steps.map((s) => s.id),
      ['restart-container', 'verify'],
    );
    assert.match(planRestart(load('engine'), 'nope').refusals.join(), /no container "nope"/);
  });
});

describe('undrain plans', () => {
  it('no-op on an active node; activates a drained one', () => {
    assert.equal(planUndrain(swarm(), 'node3').noop, true);
    const s = swarm();
    node(s, 'node3').availability = 'drain';
    const plan = planUndrain(s, 'node3');
    assert.equal(plan.ok, true);
    assert.deepEqual(plan.node!.availability, { from: 'drain', to: 'active' });
  });
});
