// The cluster requests end to end: the BUILT language server (`node dist/server.js --stdio`) spoken to
// over JSON-RPC, pointed at a real 3-node swarm's manager through the statefulHa.docker.host setting.
// Status lists nodes and stateful services (and no env value); a decommission that would strand pinned
// local data is refused with the reason; a decommission of a shared-storage node streams $/progress and
// the task really runs elsewhere afterwards (checked through the Docker API); rollback reactivates it;
// Docker events reach the client as statefulHa/cluster/changed.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import {
  CancellationTokenSource,
  WorkDoneProgress,
  type WorkDoneProgressBegin,
  type WorkDoneProgressReport,
} from 'vscode-languageserver-protocol';
import type {
  ClusterChangedParams,
  ClusterStatus,
  ExecuteResponse,
  PlanResponse,
} from '../../server/src/service/operations-protocol.js';
import { TestClient, workspace } from '../protocol/client.js';
import {
  canRunSwarm,
  createPinnedAndSharedServices,
  runningTasks,
  startSwarm,
  waitFor,
  type Swarm,
} from './swarm-harness.js';

const skip = canRunSwarm();
const SECRET = 'hunter2-must-not-reach-the-client';

describe('cluster requests against a real swarm', { skip, timeout: 360_000 }, () => {
  let swarm: Swarm;
  let client: TestClient;
  const ws = workspace({});
  const changes: ClusterChangedParams[] = [];

  before(async () => {
    swarm = startSwarm();
    createPinnedAndSharedServices(swarm, SECRET);
    await waitFor('services running', () =>
      runningTasks(swarm, 'db').length === 1 && runningTasks(swarm, 'files').length === 1 ? true : undefined,
    );
    client = await TestClient.start(ws.root, {
      settings: { docker: { host: `unix://${swarm.sockets[0]}` } },
    });
    client.connection.onNotification('statefulHa/cluster/changed', (p: ClusterChangedParams) => {
      changes.push(p);
    });
  });

  after(async () => {
    await client?.stop();
    swarm?.teardown();
    ws.dispose();
  });

  it('status: the manager, its nodes and the stateful services with findings; no env value', async () => {
    const s = await client.request<ClusterStatus>('statefulHa/cluster/status', { watch: true });
    assert.equal(s.ok, true, JSON.stringify(s.error));
    assert.equal(s.connection.mode, 'swarm-manager');
    assert.equal(s.connection.source, 'setting statefulHa.docker.host');
    assert.deepEqual(
      s.nodes.map((n) => [n.hostname, n.role, n.availability, n.state]),
      [
        ['node1', 'manager', 'active', 'ready'],
        ['node2', 'worker', 'active', 'ready'],
        ['node3', 'worker', 'active', 'ready'],
      ],
    );
    assert.equal(s.nodes.find((n) => n.hostname === 'node2')!.statefulTasks, 1);
    const db = s.workloads.find((w) => w.name === 'db');
    assert.ok(db, JSON.stringify(s.workloads.map((w) => w.name)));
    assert.equal(db.data, 'node-local');
    assert.deepEqual(
      db.tasks.map((t) => t.node),
      ['node2'],
    );
    const files = s.workloads.find((w) => w.name === 'files')!;
    assert.equal(files.data, 'follows');
    assert.ok(s.workloads.flatMap((w) => w.findings).every((f) => f.docsUrl.endsWith(`${f.rule}.md`)));
    assert.ok(!JSON.stringify(s).includes(SECRET), 'an env value reached the client');
    assert.ok(!JSON.stringify(s).includes('DB_PASSWORD'), 'env names reached the client');
  });

  it('plan: decommissioning the node with pinned local data is refused, with the reason', async () => {
    const r = await client.request<PlanResponse>('statefulHa/cluster/plan', {
      action: 'decommission',
      node: 'node2',
    });
    assert.equal(r.plan.ok, false);
    assert.equal(r.planId, undefined);
    const fate = r.plan.tasks?.find((t) => t.service === 'db');
    assert.equal(fate?.fate, 'stranded');
    assert.equal(fate?.blocking, true);
    assert.match(r.plan.refusals.join('\n'), /db .*stranded: pinned to this node by node\.labels\.db==true/);
    assert.match(r.text, /Refused:/);
    assert.ok(!JSON.stringify(r).includes(SECRET));
  });

  it('execute: decommission of the shared-storage node streams progress; the task runs elsewhere; rollback', async () => {
    const from = runningTasks(swarm, 'files')[0]!.node;
    const r = await client.request<PlanResponse>('statefulHa/cluster/plan', {
      action: 'decommission',
      node: from,
    });
    assert.equal(r.plan.ok, true, r.text);
    assert.ok(r.planId && r.confirmationToken);
    assert.equal(r.plan.tasks?.find((t) => t.service === 'files')?.fate, 'moves-with-data');

    // A wrong token is refused and changes nothing.
    const wrong = await client.request<ExecuteResponse>('statefulHa/cluster/execute', {
      planId: r.planId,
      confirmationToken: 'guess',
    });
    assert.equal(wrong.outcome, 'invalid');

    const token = 'exec-1';
    const progress: (WorkDoneProgressBegin | WorkDoneProgressReport | { kind: 'end'; message?: string })[] =
      [];
    const sub = client.connection.onProgress(WorkDoneProgress.type, token, (v) => {
      progress.push(v);
    });
    const changedBefore = changes.length;
    const result = await client.request<ExecuteResponse>('statefulHa/cluster/execute', {
      planId: r.planId,
      confirmationToken: r.confirmationToken,
      workDoneToken: token,
      timeoutSeconds: 90,
    });
    sub.dispose();
    assert.equal(result.ok, true, `${result.message}\n${JSON.stringify(result.stateLeft)}`);
    assert.equal(result.outcome, 'succeeded');
    assert.equal(progress[0]?.kind, 'begin');
    assert.equal(progress.at(-1)?.kind, 'end');
    const reports = progress
      .filter((p) => p.kind === 'report')
      .map((p) => (p as WorkDoneProgressReport).message);
    assert.ok(
      reports.some((m) => m?.startsWith('drain-node:')),
      reports.join('\n'),
    );
    assert.ok(
      reports.some((m) => m?.startsWith('verify:')),
      reports.join('\n'),
    );

    // Through the Docker API, not the server: drained, and the task runs on another node.
    assert.equal(swarm.docker(1, 'node', 'inspect', '--format', '{{.Spec.Availability}}', from), 'drain');
    const now = runningTasks(swarm, 'files');
    assert.equal(now.length, 1);
    assert.notEqual(now[0]!.node, from);
    await waitFor(
      'cluster/changed after execute',
      () => (changes.length > changedBefore ? true : undefined),
      10_000,
    );

    // Single use.
    const again = await client.request<ExecuteResponse>('statefulHa/cluster/execute', {
      planId: r.planId,
      confirmationToken: r.confirmationToken,
    });
    assert.equal(again.outcome, 'invalid');
    assert.match(again.message, /already executed/);

    const rb = await client.request<ExecuteResponse>('statefulHa/cluster/rollback', { planId: r.planId });
    assert.equal(rb.ok, true, rb.message);
    assert.equal(swarm.docker(1, 'node', 'inspect', '--format', '{{.Spec.Availability}}', from), 'active');
  });

  it('execute honours cancellation ($/cancelRequest → abort): cancelled before any change', async () => {
    const r = await client.request<PlanResponse>('statefulHa/cluster/plan', {
      action: 'decommission',
      node: 'node3',
    });
    assert.equal(r.plan.ok, true, r.text);
    const source = new CancellationTokenSource();
    const pending = client.connection.sendRequest<ExecuteResponse>(
      'statefulHa/cluster/execute',
      { planId: r.planId, confirmationToken: r.confirmationToken },
      source.token,
    );
    source.cancel();
    const result = await pending;
    assert.equal(result.outcome, 'cancelled', result.message);
    assert.match(result.message, /before any change/);
    assert.equal(result.rollback, undefined);
    assert.equal(swarm.docker(1, 'node', 'inspect', '--format', '{{.Spec.Availability}}', 'node3'), 'active');
  });

  it('Docker events reach the client as statefulHa/cluster/changed (debounced)', async () => {
    // The watcher started with the first status (watch: true).
    const n = changes.length;
    swarm.docker(1, 'node', 'update', '--label-add', 'touched=1', 'node3');
    const got = await waitFor(
      'cluster/changed from events',
      () => changes.slice(n).find((c) => c.reason === 'events'),
      10_000,
    );
    assert.ok(got.types.includes('node'), JSON.stringify(got));
    assert.equal(got.endpoint, `unix://${swarm.sockets[0]}`);
  });
});
