// The cluster requests over real JSON-RPC against the built server, with no Docker daemon: the status
// explains how to point at one, plans are refused with the reason, and execute/rollback refuse anything
// that is not a confirmed plan. (With a real swarm: test/docker/operations-requests.test.ts.)
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import type {
  ClusterStatus,
  ExecuteResponse,
  PlanResponse,
} from '../../server/src/service/operations-protocol.js';
import { TestClient, workspace } from './client.js';

describe('cluster requests without a daemon', () => {
  const ws = workspace({ 'compose.yaml': 'services:\n  web:\n    image: nginx\n' });
  let client: TestClient;

  before(async () => {
    client = await TestClient.start(ws.root, {
      settings: { docker: { host: 'unix:///nonexistent/stateful-ha-test.sock' } },
    });
  });
  after(async () => {
    await client.stop();
    ws.dispose();
  });

  it('status: unreachable, explained, from the setting', async () => {
    const s = await client.request<ClusterStatus>('statefulHa/cluster/status', { watch: false });
    assert.equal(s.ok, false);
    assert.equal(s.error?.code, 'unreachable');
    assert.equal(s.connection.endpoint, 'unix:///nonexistent/stateful-ha-test.sock');
    assert.equal(s.connection.source, 'setting statefulHa.docker.host');
    assert.match(s.error!.message, /cannot reach Docker/);
    assert.match(
      s.error!.hints.join(' '),
      /statefulHa\.docker\.host.*statefulHa\.docker\.context.*DOCKER_HOST/s,
    );
    assert.deepEqual(s.nodes, []);
  });

  it('plan: refused with the connection error, no plan id', async () => {
    const r = await client.request<PlanResponse>('statefulHa/cluster/plan', {
      action: 'decommission',
      node: 'node2',
    });
    assert.equal(r.plan.ok, false);
    assert.equal(r.planId, undefined);
    assert.equal(r.error?.code, 'unreachable');
    assert.match(r.text, /Refused/);
  });

  it('plan: invalid parameters are refused with the reason', async () => {
    for (const params of [
      { action: 'explode', node: 'node2' },
      { action: 'decommission', node: '../x' },
      { action: 'failover', node: 'node2' },
      { action: 'decommission', node: 'node2', overrides: [1] },
    ]) {
      const r = await client.request<PlanResponse>('statefulHa/cluster/plan', params);
      assert.equal(r.plan.ok, false, JSON.stringify(params));
      assert.equal(r.planId, undefined);
    }
  });

  it('execute and rollback refuse unconfirmed or unknown plans', async () => {
    const cases: [string, unknown, RegExp][] = [
      ['statefulHa/cluster/execute', { planId: 'nope', confirmationToken: 'x' }, /unknown or expired plan/],
      ['statefulHa/cluster/execute', {}, /planId/],
      [
        'statefulHa/cluster/execute',
        { plan: { action: 'undrain', node: 'node2' } },
        /confirmationToken "undrain:node2"/,
      ],
      [
        'statefulHa/cluster/execute',
        { plan: { action: 'undrain', node: 'node2' }, confirmationToken: 'yes' },
        /confirmationToken/,
      ],
      ['statefulHa/cluster/rollback', { planId: 'nope' }, /unknown plan/],
    ];
    for (const [method, params, why] of cases) {
      const r = await client.request<ExecuteResponse>(method, params);
      assert.equal(r.ok, false);
      assert.equal(r.outcome, 'invalid');
      assert.match(r.message, why);
    }
    assert.ok(client.alive);
  });
});

describe('cluster requests in an untrusted workspace', () => {
  const ws = workspace({});
  let client: TestClient;
  before(async () => {
    client = await TestClient.start(ws.root, {
      initializationOptions: { trusted: false },
      settings: { docker: { host: 'unix:///nonexistent/stateful-ha-test.sock' } },
    });
  });
  after(async () => {
    await client.stop();
    ws.dispose();
  });

  it('status says actions are disabled; execute is refused', async () => {
    const s = await client.request<ClusterStatus>('statefulHa/cluster/status', { watch: false });
    assert.equal(s.actionsEnabled, false);
    const r = await client.request<ExecuteResponse>('statefulHa/cluster/execute', {
      plan: { action: 'undrain', node: 'node2' },
      confirmationToken: 'undrain:node2',
    });
    assert.equal(r.outcome, 'invalid');
    assert.match(r.message, /untrusted/);
  });
});
