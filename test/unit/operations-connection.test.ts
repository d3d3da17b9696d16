// Endpoint resolution (the docker CLI's precedence: --host, --context, DOCKER_HOST, DOCKER_CONTEXT, the
// config's currentContext, the local socket) and engine classification. No daemon needed.
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { classify, ConnectionConfigError, resolveEndpoint } from '../../server/src/operations/connection.js';

function dockerHome(contexts: Record<string, string>, current?: string): string {
  const home = mkdtempSync(join(tmpdir(), 'sha-ctx-'));
  const dir = join(home, '.docker');
  for (const [name, host] of Object.entries(contexts)) {
    const id = createHash('sha256').update(name).digest('hex');
    mkdirSync(join(dir, 'contexts', 'meta', id), { recursive: true });
    writeFileSync(
      join(dir, 'contexts', 'meta', id, 'meta.json'),
      JSON.stringify({
        Name: name,
        Metadata: {},
        Endpoints: { docker: { Host: host, SkipTLSVerify: false } },
      }),
    );
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify(current ? { currentContext: current } : {}));
  return home;
}

describe('resolveEndpoint', () => {
  it('defaults to the local socket', () => {
    const e = resolveEndpoint({ env: {}, home: dockerHome({}) });
    assert.equal(e.url, 'unix:///var/run/docker.sock');
    assert.equal(e.options.socketPath, '/var/run/docker.sock');
    assert.equal(e.options.timeout, 5000);
  });

  it('honours DOCKER_HOST (unix, tcp with TLS, ssh)', () => {
    assert.equal(
      resolveEndpoint({ env: { DOCKER_HOST: 'unix:///tmp/x.sock' } }).options.socketPath,
      '/tmp/x.sock',
    );
    const tcp = resolveEndpoint({ env: { DOCKER_HOST: 'tcp://10.0.0.5:2375' } });
    assert.equal(tcp.url, 'tcp://10.0.0.5:2375');
    assert.equal(tcp.options.protocol, 'http');
    const certs = mkdtempSync(join(tmpdir(), 'sha-certs-'));
    for (const f of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(join(certs, f), `pem ${f}`);
    const tls = resolveEndpoint({
      env: { DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs },
    });
    assert.equal(tls.options.protocol, 'https');
    assert.equal(String(tls.options.ca), 'pem ca.pem');
    const ssh = resolveEndpoint({ env: { DOCKER_HOST: 'ssh://ops@db1.example:2222' } });
    assert.equal(ssh.url, 'ssh://ops@db1.example:2222');
    assert.equal(ssh.options.protocol, 'ssh');
    assert.equal(ssh.options.username, 'ops');
    assert.equal(ssh.options.port, 2222);
  });

  it('uses the current context, unless DOCKER_HOST or --host says otherwise', () => {
    const home = dockerHome({ prod: 'tcp://prod:2375', lab: 'unix:///run/lab.sock' }, 'prod');
    assert.equal(resolveEndpoint({ env: {}, home }).url, 'tcp://prod:2375');
    assert.equal(resolveEndpoint({ env: {}, home }).source, 'context prod');
    assert.equal(resolveEndpoint({ env: { DOCKER_CONTEXT: 'lab' }, home }).url, 'unix:///run/lab.sock');
    assert.equal(resolveEndpoint({ env: { DOCKER_HOST: 'unix:///a.sock' }, home }).url, 'unix:///a.sock');
    assert.equal(
      resolveEndpoint({ env: { DOCKER_HOST: 'unix:///a.sock' }, home, context: 'lab' }).url,
      'unix:///run/lab.sock',
    );
    assert.equal(resolveEndpoint({ env: {}, home, host: 'unix:///b.sock' }).url, 'unix:///b.sock');
    assert.equal(resolveEndpoint({ env: {}, home, context: 'default' }).url, 'unix:///var/run/docker.sock');
  });

  it('rejects unknown contexts, bad hosts, and --host with --context', () => {
    const home = dockerHome({});
    assert.throws(() => resolveEndpoint({ env: {}, home, context: 'nope' }), ConnectionConfigError);
    assert.throws(() => resolveEndpoint({ env: {}, host: 'ftp://x' }), /unsupported scheme/);
    assert.throws(
      () => resolveEndpoint({ env: {}, host: 'unix:///a', context: 'b' }),
      /either --host or --context/,
    );
  });
});

describe('classify', () => {
  it('tells engine, manager and worker apart', () => {
    assert.equal(classify({ Name: 'h', Swarm: { LocalNodeState: 'inactive' } }, '1.41').mode, 'engine');
    assert.equal(
      classify({ Name: 'h', Swarm: { LocalNodeState: 'active', ControlAvailable: true, Nodes: 3 } }, '1.41')
        .mode,
      'swarm-manager',
    );
    const w = classify({ Name: 'h', Swarm: { LocalNodeState: 'active', ControlAvailable: false } }, '1.41');
    assert.equal(w.mode, 'swarm-worker');
    assert.match(w.description, /need a manager/);
  });
});
