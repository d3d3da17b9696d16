// What the panel gets from the server: the status built from a recorded live snapshot (nodes, stateful
// workloads with their findings and docs links, actions), connection errors explained, and no secrets —
// labels and environment never reach the client, even when the snapshot carries them.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Advisor } from '../../server/src/advisor/advisor.js';
import {
  ConnectionConfigError,
  DockerConnection,
  DockerUnreachableError,
} from '../../server/src/operations/connection.js';
import { takeSnapshot, toFileModel, type LiveSnapshot } from '../../server/src/operations/live-model.js';
import { buildStatus, explainError } from '../../server/src/service/cluster-status.js';
import { matchesLiveName, serviceAtLine } from '../../client/src/compose-service.js';

const FIXTURES = join(__dirname, '..', 'fixtures', 'live');
const load = (name: string): LiveSnapshot =>
  JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as LiveSnapshot;

function statusOf(snapshot: LiveSnapshot) {
  const advisor = new Advisor();
  advisor.setModel(toFileModel(snapshot));
  const { findings } = advisor.analyze();
  return buildStatus(snapshot, findings, { endpoint: snapshot.endpoint, source: 'test' }, true);
}

describe('cluster status for the panel', () => {
  it('lists nodes with stateful task counts and stateful services with findings', () => {
    const s = statusOf(load('swarm'));
    assert.equal(s.ok, true);
    assert.equal(s.connection.mode, 'swarm-manager');
    assert.deepEqual(
      s.nodes.map((n) => n.hostname),
      ['node1', 'node2', 'node3'],
    );
    const node2 = s.nodes.find((n) => n.hostname === 'node2')!;
    assert.ok(node2.statefulTasks >= 1, JSON.stringify(node2));
    assert.ok(node2.tasks >= node2.statefulTasks);
    const db = s.workloads.find((w) => w.name === 'db');
    assert.ok(db, s.workloads.map((w) => w.name).join(','));
    assert.equal(db.data, 'node-local');
    assert.deepEqual(db.actions, ['failover', 'restart']);
    assert.deepEqual(
      db.tasks.map((t) => t.node),
      ['node2'],
    );
    const etcd = s.workloads.find((w) => w.name === 'etcd')!;
    // A three-member cluster moves by draining nodes, not by failover.
    assert.deepEqual(etcd.actions, ['restart']);
    const all = s.workloads.flatMap((w) => w.findings);
    assert.ok(all.length > 0);
    for (const f of all) {
      assert.match(f.docsUrl, new RegExp(`${f.rule}\\.md$`));
      assert.ok(['error', 'warning', 'info'].includes(f.severity));
    }
  });

  it('never carries labels, environment or arguments to the client', () => {
    const snapshot = load('swarm');
    const secret = 'sup3r-secret-label-value';
    for (const svc of snapshot.services) {
      svc.labels = { ...svc.labels, 'traefik.http.middlewares.auth.basicauth.users': secret };
      svc.containerLabels = { ...svc.containerLabels, token: secret };
      svc.envNames = [...svc.envNames, 'DB_PASSWORD'];
      svc.args = [...svc.args, `--password=${secret}`];
    }
    for (const n of snapshot.nodes) n.labels = { ...n.labels, secret };
    const text = JSON.stringify(statusOf(snapshot));
    assert.ok(!text.includes(secret), 'a label or argument value reached the status');
    assert.ok(!text.includes('DB_PASSWORD'), 'environment names reached the status');
    assert.ok(!/"(env|envNames|labels|args|containerLabels)"/.test(text), text.slice(0, 200));
  });

  it('plain engine: stateful containers, restart only', () => {
    const s = statusOf(load('engine'));
    assert.equal(s.connection.mode, 'engine');
    assert.deepEqual(s.nodes, []);
    for (const w of s.workloads) {
      assert.equal(w.kind, 'container');
      assert.deepEqual(w.actions, ['restart']);
    }
  });

  it('swarm worker: explained, with where to point instead', () => {
    const snapshot = { ...load('swarm'), mode: 'swarm-worker' as const, nodes: [], services: [] };
    const s = statusOf(snapshot);
    assert.equal(s.error?.code, 'worker');
    assert.match(s.error!.hints.join(' '), /manager/);
  });
});

describe('connection errors explained', () => {
  it('no daemon: says how to point at one (setting, context, DOCKER_HOST)', async () => {
    const conn = DockerConnection.fromOptions({ host: 'unix:///nonexistent/docker.sock', timeoutMs: 1000 });
    const e = await takeSnapshot(conn).then(
      () => undefined,
      (x: unknown) => x,
    );
    assert.ok(e instanceof DockerUnreachableError, String(e));
    const x = explainError(e);
    assert.equal(x.code, 'unreachable');
    const hints = x.hints.join(' ');
    for (const want of [
      'statefulHa.docker.host',
      'statefulHa.docker.context',
      'DOCKER_HOST',
      'docker context ls',
    ])
      assert.ok(hints.includes(want), want);
  });

  it('bad settings: a config error', () => {
    const x = explainError(new ConnectionConfigError('Docker context "nope" not found'));
    assert.equal(x.code, 'config');
    assert.match(x.message, /nope/);
  });
});

describe('compose service at the cursor (Show in cluster)', () => {
  const text = [
    'version: "3.8"',
    'services:',
    '  # the database',
    '  db:',
    '    image: postgres:16',
    '    volumes:',
    '      - pgdata:/var/lib/postgresql/data',
    '',
    '  "web-app":',
    '    image: nginx',
    'volumes:',
    '  pgdata: {}',
  ].join('\n');

  it('finds the service of the key line and of lines inside its block', () => {
    assert.equal(serviceAtLine(text, 3), 'db');
    assert.equal(serviceAtLine(text, 4), 'db');
    assert.equal(serviceAtLine(text, 6), 'db');
    assert.equal(serviceAtLine(text, 8), 'web-app');
    assert.equal(serviceAtLine(text, 9), 'web-app');
  });

  it('is undefined outside the services block', () => {
    assert.equal(serviceAtLine(text, 0), undefined);
    assert.equal(serviceAtLine(text, 1), undefined);
    assert.equal(serviceAtLine(text, 2), undefined);
    assert.equal(serviceAtLine(text, 10), undefined);
    assert.equal(serviceAtLine(text, 11), undefined);
    assert.equal(serviceAtLine(text, 99), undefined);
    assert.equal(serviceAtLine('apiVersion: v1\nkind: Pod\n', 1), undefined);
  });

  it('matches stack services by suffix', () => {
    assert.ok(matchesLiveName('db', 'db'));
    assert.ok(matchesLiveName('prod_db', 'db'));
    assert.ok(!matchesLiveName('prod_mydb', 'db'));
    assert.ok(!matchesLiveName('db_backup', 'db'));
  });
});
