// The operations engine against a real 3-node Docker Swarm (and one plain engine) in network namespaces:
// live model, plans, execution, failure reports and rollback. No mocks: every fault is produced for real
// (a missing socket, a silent socket, a cut network link, a concurrent spec change).
// Run as root: `node scripts/run-tests.mjs test/docker`. Set RECORD_LIVE_FIXTURES=1 to re-record the
// JSON fixtures the planner unit tests replay (test/fixtures/live/).
import { strict as assert } from 'node:assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Advisor } from '../../server/src/advisor/advisor.js';
import { main } from '../../server/src/cli/main.js';
import { DockerConnection, DockerUnreachableError } from '../../server/src/operations/connection.js';
import {
  executePlan,
  executePlanStream,
  rollbackPlan,
  type ProgressEvent,
} from '../../server/src/operations/execute.js';
import { takeSnapshot, toFileModel, type LiveSnapshot } from '../../server/src/operations/live-model.js';
import {
  planDecommission,
  planFailover,
  planRestart,
  planUndrain,
} from '../../server/src/operations/plan.js';
import {
  IMAGE,
  SERVICE_CREATE,
  createPinnedAndSharedServices,
  LOOP,
  canRunSwarm,
  execIn,
  nodeIndex,
  runningTasks,
  startSwarm,
  waitFor,
  type Swarm,
} from './swarm-harness.js';

const skip = canRunSwarm();
const FIXTURES = join(__dirname, '..', 'fixtures', 'live');
const SECRET = 'hunter2-must-not-leak';

/** Drops volatile fields so re-recorded fixtures diff cleanly, and checks no env value slipped in. */
function record(name: string, snapshot: LiveSnapshot): void {
  if (!process.env.RECORD_LIVE_FIXTURES) return;
  mkdirSync(FIXTURES, { recursive: true });
  const text = JSON.stringify(snapshot, null, 2);
  assert.ok(!text.includes(SECRET));
  writeFileSync(join(FIXTURES, `${name}.json`), `${text}\n`);
}

/** CLI run in-process; returns the exit code and what it printed. */
async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  const chunks: string[] = [];
  const orig = process.stdout.write.bind(process.stdout);
  const origErr = process.stderr.write.bind(process.stderr);
  const capture = (c: string | Uint8Array): boolean => {
    chunks.push(String(c));
    return true;
  };
  process.stdout.write = capture as typeof process.stdout.write;
  process.stderr.write = capture as typeof process.stderr.write;
  process.exitCode = undefined;
  try {
    const code = await main(['node', 'stateful-ha', ...args]);
    return { code, out: chunks.join('') };
  } finally {
    process.stdout.write = orig;
    process.stderr.write = origErr;
    process.exitCode = undefined;
  }
}

describe('operations against a real swarm', { skip, timeout: 360_000 }, () => {
  let swarm: Swarm;
  let manager: DockerConnection;
  const timings: Record<string, number> = {};

  before(async () => {
    const t0 = Date.now();
    swarm = startSwarm();
    timings['swarm up'] = Date.now() - t0;
    manager = DockerConnection.fromOptions({ host: `unix://${swarm.sockets[0]}` });
    for (const i of [1, 2, 3]) swarm.docker(i, 'tag', IMAGE, 'bitnami/etcd:3.5');
    createPinnedAndSharedServices(swarm, SECRET);
    // An app-replicated quorum engine (by image name) on local volumes, one member per node.
    swarm.docker(
      1,
      ...SERVICE_CREATE,
      '--name',
      'etcd',
      '--replicas',
      '3',
      '--replicas-max-per-node',
      '1',
      '--mount',
      'type=volume,source=etcddata,target=/bitnami/etcd',
      'bitnami/etcd:3.5',
      ...LOOP,
    );
    await waitFor('services running', () =>
      runningTasks(swarm, 'db').length === 1 &&
      runningTasks(swarm, 'files').length === 1 &&
      runningTasks(swarm, 'etcd').length === 3
        ? true
        : undefined,
    );
    timings['services up'] = Date.now() - t0;
  });

  after(() => {
    swarm?.teardown();
    console.log(`timings (ms): ${JSON.stringify(timings)}`);
  });

  it('reports a missing daemon socket clearly within 5 s', async () => {
    const socket = join(swarm.base, 'no-such.sock');
    const conn = DockerConnection.fromOptions({ host: `unix://${socket}` });
    const t0 = Date.now();
    await assert.rejects(conn.info(), (e: unknown) => {
      assert.ok(e instanceof DockerUnreachableError);
      assert.match(
        e.message,
        new RegExp(
          `cannot reach Docker at unix://${socket}: .*ENOENT.*is dockerd running\\? set DOCKER_HOST or --context`,
        ),
      );
      return true;
    });
    assert.ok(Date.now() - t0 < 5000);
    const r = await cli('cluster', '--host', `unix://${socket}`, 'status');
    assert.equal(r.code, 2);
    assert.match(r.out, /cannot reach Docker/);
    // DOCKER_HOST is honoured the same way.
    const prev = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = `unix://${socket}`;
    try {
      const r2 = await cli('cluster', 'status');
      assert.equal(r2.code, 2);
      assert.match(r2.out, new RegExp(`unix://${socket}`));
    } finally {
      if (prev === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = prev;
    }
  });

  it('gives up on a daemon that accepts connections but never answers (deadline, not a hang)', async () => {
    const socket = join(swarm.base, 'silent.sock');
    const server: Server = createServer(() => {
      /* accept and say nothing */
    });
    await new Promise<void>((r) => server.listen(socket, r));
    try {
      const conn = DockerConnection.fromOptions({ host: `unix://${socket}` });
      const t0 = Date.now();
      await assert.rejects(conn.info(), /cannot reach Docker at unix:\/\/.*silent\.sock/);
      const took = Date.now() - t0;
      timings['silent daemon error'] = took;
      assert.ok(took < 6000, `took ${took} ms`);
    } finally {
      server.close();
    }
  });

  it('detects swarm manager, swarm worker and plain engine', async () => {
    const m = await manager.info();
    assert.equal(m.mode, 'swarm-manager');
    const w = await DockerConnection.fromOptions({ host: `unix://${swarm.sockets[1]}` }).info();
    assert.equal(w.mode, 'swarm-worker');
    const e = await DockerConnection.fromOptions({ host: `unix://${swarm.sockets[3]}` }).info();
    assert.equal(e.mode, 'engine');
    // Cluster operations on a worker are refused with the reason.
    const ws = await takeSnapshot(DockerConnection.fromOptions({ host: `unix://${swarm.sockets[1]}` }));
    const plan = planDecommission(ws, 'node3');
    assert.equal(plan.ok, false);
    assert.match(plan.refusals.join(), /swarm worker: connect to a manager/);
  });

  it('builds the live model and runs the advisor on it; no env value leaks', async () => {
    const t0 = Date.now();
    const snap = await takeSnapshot(manager);
    timings.snapshot = Date.now() - t0;
    record('swarm', snap);
    assert.deepEqual(
      snap.nodes.map((n) => [n.hostname, n.role, n.availability, n.state]),
      [
        ['node1', 'manager', 'active', 'ready'],
        ['node2', 'worker', 'active', 'ready'],
        ['node3', 'worker', 'active', 'ready'],
      ],
    );
    const db = snap.services.find((s) => s.name === 'db')!;
    assert.equal(db.mounts[0]!.storage.kind, 'node-local');
    assert.deepEqual(db.envNames, ['DB_PASSWORD']);
    assert.equal(db.tasks[0]!.node, 'node2');
    const files = snap.services.find((s) => s.name === 'files')!;
    assert.equal(files.mounts[0]!.storage.kind, 'shared');
    assert.equal(files.mounts[0]!.storage.declared, true);
    const etcd = snap.services.find((s) => s.name === 'etcd')!;
    assert.equal(etcd.engine?.id, 'etcd');
    assert.equal(etcd.maxReplicasPerNode, 1);

    const model = toFileModel(snap);
    assert.ok(model.path.startsWith('docker://'));
    const wdb = model.workloads.find((w) => w.ref === 'service/db')!;
    assert.equal(wdb.origin, 'live');
    assert.equal(wdb.target, 'swarm');
    assert.equal(wdb.placement.pinned, true);
    assert.equal(wdb.stateful, true);
    assert.equal(wdb.tasks?.[0]?.node, 'node2');
    const advisor = new Advisor();
    advisor.setModel(model);
    const { findings, failures } = advisor.analyze();
    assert.deepEqual(failures, []);
    assert.ok(findings.every((f) => f.range.file === model.path));
    const everything = JSON.stringify({ snap, model, findings });
    assert.ok(!everything.includes(SECRET), 'an env value reached the snapshot, the model or a finding');
    const status = await cli('cluster', '--host', `unix://${swarm.sockets[0]}`, 'status');
    assert.equal(status.code, 0);
    assert.match(status.out, /swarm-manager/);
    assert.match(status.out, /service\/db/);
    assert.ok(!status.out.includes(SECRET));

    // The plain engine, for the engine-mode fixture.
    const eng = await takeSnapshot(DockerConnection.fromOptions({ host: `unix://${swarm.sockets[3]}` }));
    assert.equal(eng.mode, 'engine');
    swarm.docker(1, 'service', 'rm', 'etcd');
  });

  it('decommission refuses a node holding a pinned service on node-local storage, and names it', async () => {
    const snap = await takeSnapshot(manager);
    const plan = planDecommission(snap, 'node2');
    assert.equal(plan.ok, false);
    const fate = plan.tasks!.find((t) => t.service === 'db')!;
    assert.equal(fate.fate, 'stranded');
    assert.match(fate.reason, /node\.labels\.db==true/);
    assert.match(plan.refusals.join('\n'), /^db .*stranded/m);
    const r = await cli('cluster', '--host', `unix://${swarm.sockets[0]}`, 'decommission', 'node2', '--yes');
    assert.equal(r.code, 1);
    assert.match(r.out, /Refused: db/);
    // Nothing was changed.
    assert.equal(swarm.docker(1, 'node', 'inspect', '--format', '{{.Spec.Availability}}', 'node2'), 'active');
  });

  it('decommission drains a node with shared storage: the task moves and the data is still there', async () => {
    const [before] = runningTasks(swarm, 'files');
    assert.ok(before);
    execIn(swarm, before, 'echo written-before-drain > /data/proof');
    const snap = await takeSnapshot(manager);
    const plan = planDecommission(snap, before.node);
    assert.equal(plan.ok, true, plan.refusals.join('; '));
    assert.equal(plan.tasks!.find((t) => t.service === 'files')!.fate, 'moves-with-data');
    const events: ProgressEvent[] = [];
    const stream = executePlanStream(manager, plan, {
      timeoutMs: 60_000,
      verify: async ({ tasks }) => {
        const t = runningTasks(swarm, 'files')[0];
        if (!t) return 'files is not running';
        if (!tasks.some((x) => x.id === t.id)) return 'verified task differs from the running one';
        const text = execIn(swarm, t, 'cat /data/proof');
        return text === 'written-before-drain' ? undefined : `read back "${text}"`;
      },
    });
    for await (const e of stream) events.push(e);
    const result = await stream.result;
    assert.equal(result.ok, true, result.message);
    timings['drain (files moves)'] = result.durationMs;
    assert.ok(events.some((e) => e.step === 'drain-node'));
    assert.ok(events.some((e) => e.step === 'verify'));
    const [afterTask] = runningTasks(swarm, 'files');
    assert.notEqual(afterTask!.node, before.node);
    assert.equal(execIn(swarm, afterTask!, 'cat /data/proof'), 'written-before-drain');

    const undrain = await executePlan(manager, planUndrain(await takeSnapshot(manager), before.node));
    assert.equal(undrain.ok, true, undrain.message);
    assert.equal(
      swarm.docker(1, 'node', 'inspect', '--format', '{{.Spec.Availability}}', before.node),
      'active',
    );
  });

  it('fails over a service to a named node, verified by where its task runs', async () => {
    const [before] = runningTasks(swarm, 'files');
    const target = before!.node === 'node1' ? 'node3' : 'node1';
    const snap = await takeSnapshot(manager);
    // node2 is excluded by the service's own constraint: refused, with the reason.
    const bad = planFailover(snap, 'files', 'node2');
    assert.equal(bad.ok, false);
    assert.match(bad.refusals.join(), /node\.labels\.db!=true .*excludes node2/);
    // The node-local database would start empty elsewhere: refused unless accepted.
    const dbPlan = planFailover(snap, 'db', 'node3');
    assert.equal(dbPlan.ok, false);
    assert.match(dbPlan.data, /EMPTY volume/);

    const r = await cli(
      'cluster',
      '--host',
      `unix://${swarm.sockets[0]}`,
      'failover',
      'files',
      '--to',
      target,
      '--yes',
    );
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /update-service: updated files placement → node\.labels\.db!=true, node\.hostname==/);
    const [afterTask] = runningTasks(swarm, 'files');
    assert.equal(afterTask!.node, target);
    assert.equal(execIn(swarm, afterTask!, 'cat /data/proof'), 'written-before-drain');
    const m = /OK: .*\((\d+\.\d) s\)/.exec(r.out);
    if (m) timings.failover = Number(m[1]) * 1000;
  });

  it('rolls a failover back to the previous spec (Engine server-side rollback)', async () => {
    const [before] = runningTasks(swarm, 'files');
    const previous = swarm.docker(
      1,
      'service',
      'inspect',
      '--format',
      '{{json .Spec.TaskTemplate.Placement.Constraints}}',
      'files',
    );
    const target = before!.node === 'node1' ? 'node3' : 'node1';
    const plan = planFailover(await takeSnapshot(manager), 'files', target);
    const result = await executePlan(manager, plan, { timeoutMs: 60_000 });
    assert.equal(result.ok, true, result.message);
    const rb = await rollbackPlan(manager, plan);
    assert.equal(rb.ok, true, rb.message);
    assert.equal(
      swarm.docker(
        1,
        'service',
        'inspect',
        '--format',
        '{{json .Spec.TaskTemplate.Placement.Constraints}}',
        'files',
      ),
      previous,
    );
    const [back] = await waitFor('files back on its node', () => {
      const t = runningTasks(swarm, 'files');
      return t.length === 1 && t[0]!.node === before!.node ? t : undefined;
    });
    assert.equal(execIn(swarm, back!, 'cat /data/proof'), 'written-before-drain');
  });

  it('restarts a service in place: same node, same volume, new task', async () => {
    const [before] = runningTasks(swarm, 'db');
    execIn(swarm, before!, 'echo kept > /data/proof');
    const plan = planRestart(await takeSnapshot(manager), 'db');
    assert.equal(plan.ok, true, plan.refusals.join('; '));
    // Only node2 carries the label: already pinned to one node, no extra constraint needed.
    assert.equal(plan.service!.constraints, undefined);
    const result = await executePlan(manager, plan, { timeoutMs: 60_000 });
    assert.equal(result.ok, true, result.message);
    timings.restart = result.durationMs;
    const [afterTask] = runningTasks(swarm, 'db');
    assert.notEqual(afterTask!.id, before!.id);
    assert.equal(afterTask!.node, before!.node);
    assert.equal(execIn(swarm, afterTask!, 'cat /data/proof'), 'kept');
  });

  it('detects a concurrent change between plan and execute, and changes nothing', async () => {
    const [before] = runningTasks(swarm, 'files');
    const target = before!.node === 'node1' ? 'node3' : 'node1';
    const plan = planFailover(await takeSnapshot(manager), 'files', target);
    assert.equal(plan.ok, true);
    swarm.docker(1, 'service', 'update', '-d', '--label-add', 'touched=by-someone-else', 'files');
    const result = await executePlan(manager, plan);
    assert.equal(result.ok, false);
    assert.equal(result.outcome, 'conflict');
    assert.match(result.message, /changed since the plan was made.*re-plan/);
    assert.equal(result.rollback, undefined);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(runningTasks(swarm, 'files')[0]!.node, before!.node);
    const constraints = swarm.docker(
      1,
      'service',
      'inspect',
      '--format',
      '{{json .Spec.TaskTemplate.Placement.Constraints}}',
      'files',
    );
    assert.ok(!constraints.includes(target), constraints);
  });

  it('restarts a plain container in place on a single engine', async () => {
    swarm.docker(
      4,
      'run',
      '-d',
      '--name',
      'kv',
      '--stop-timeout',
      '1',
      '-v',
      'kvdata:/data',
      '--label',
      'stateful-ha.io/replication=none',
      IMAGE,
      ...LOOP,
    );
    const id = swarm.docker(4, 'inspect', '--format', '{{.Id}}', 'kv');
    swarm.docker(4, 'exec', 'kv', 'sh', '-c', 'echo kept > /data/proof');
    const conn = DockerConnection.fromOptions({ host: `unix://${swarm.sockets[3]}` });
    const snap = await takeSnapshot(conn);
    record('engine', snap);
    const w = toFileModel(snap).workloads.find((x) => x.ref === 'container/kv')!;
    assert.equal(w.kind, 'container');
    assert.equal(w.target, 'single-host');
    assert.equal(w.containers[0]!.mounts[0]!.storage.kind, 'node-local');
    const plan = planRestart(snap, 'kv');
    assert.equal(plan.ok, true);
    const result = await executePlan(conn, plan);
    assert.equal(result.ok, true, result.message);
    timings['container restart'] = result.durationMs;
    assert.equal(swarm.docker(4, 'inspect', '--format', '{{.Id}} {{.State.Status}}', 'kv'), `${id} running`);
    assert.equal(swarm.docker(4, 'exec', 'kv', 'cat', '/data/proof'), 'kept');
    // Failover is a swarm operation: refused on a plain engine.
    assert.match(planFailover(snap, 'kv', 'x').refusals.join(), /single Docker engine/);
  });

  it('a node cut off mid-drain: reports the stranded task, no success; rollback works once the link is back', async () => {
    // Free node2 so the cut-off worker's task has a place to go, and the test is about the cut only.
    swarm.docker(1, 'service', 'rm', 'db');
    // Ignores SIGTERM (PID 1 without a handler) with a 5 s grace: the stop is still in flight when the link goes.
    swarm.docker(
      1,
      'service',
      'create',
      '-d',
      '--no-resolve-image',
      '--endpoint-mode',
      'dnsrr',
      '--stop-grace-period',
      '5s',
      '--name',
      'slow',
      '--constraint',
      'node.role==worker',
      '--mount',
      `type=volume,source=slowdata,target=/data,volume-driver=local,volume-opt=type=none,volume-opt=o=bind,volume-opt=device=${swarm.sharedDir},volume-label=stateful-ha.io/storage=shared`,
      IMAGE,
      'sleep',
      '1000000',
    );
    const [task] = await waitFor('slow running', () => {
      const t = runningTasks(swarm, 'slow');
      return t.length === 1 ? t : undefined;
    });
    const victim = nodeIndex(task!.node);
    const plan = planDecommission(await takeSnapshot(manager), task!.node);
    assert.equal(plan.ok, true, plan.refusals.join('; '));
    let cut = false;
    let result;
    try {
      result = await executePlan(manager, plan, {
        timeoutMs: 12_000,
        onProgress: (e) => {
          if (e.step === 'drain-node' && !cut) {
            swarm.link(victim, false);
            cut = true;
          }
        },
      });
    } finally {
      swarm.link(victim, true);
    }
    assert.ok(cut);
    assert.equal(result.ok, false);
    assert.equal(result.outcome, 'timeout');
    const problems = result.stateLeft!.problems.join('\n');
    assert.match(problems, new RegExp(`stranded on ${task!.node}: slow`));
    assert.equal(result.stateLeft!.node!.availability, 'drain');
    assert.ok(result.stateLeft!.tasks.some((t) => t.service === 'slow' && t.node === task!.node));
    assert.equal(result.rollback?.command, `stateful-ha cluster undrain ${task!.node}`);

    const t0 = Date.now();
    await waitFor(
      `${task!.node} ready again`,
      async () => {
        const s = await takeSnapshot(manager);
        return s.nodes.find((n) => n.hostname === task!.node)?.state === 'ready' ? true : undefined;
      },
      60_000,
    );
    const rb = await rollbackPlan(manager, plan);
    assert.equal(rb.ok, true, rb.message);
    timings['link back → rolled back'] = Date.now() - t0;
    assert.equal(
      swarm.docker(1, 'node', 'inspect', '--format', '{{.Spec.Availability}}', task!.node),
      'active',
    );
    // The swarm settles on exactly one running copy.
    await waitFor(
      'one copy of slow',
      () => (runningTasks(swarm, 'slow').length === 1 ? true : undefined),
      60_000,
    );
  });
});
