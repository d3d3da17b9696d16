// `stateful-ha lint` parsing a large workspace in worker threads, in both pool modes (workers building the
// models, or only reading and tokenizing the files): the output (stdout, stderr, exit code) must be byte for
// byte that of the in-process parse (STATEFUL_HA_WORKERS=0), bad input included, the workers must really be
// used, and a worker that dies must not lose its files.
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CLI, runCli, type CliRun } from './helpers.js';

const FILES = 160; // of each kind: 320 manifests and compose files, over the pool's 300-file threshold

let dir: string;
let cli: string;
const root = process.getuid?.() === 0;

function write(rel: string, text: string): string {
  const p = join(dir, rel);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text);
  return p;
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'stateful-ha-pool-'));
  chmodSync(dir, 0o755);
  // The catalog extension changes what the parser makes of `acme/custom-db` and `acme.io/local`: the workers
  // must build the same catalog as the main thread.
  write(
    'ws/.stateful-ha.yaml',
    `engines:
  - id: customdb
    name: CustomDB
    images: [acme/custom-db]
    replication: app
    quorum: true
    dataPaths: [/data]
storage:
  kubernetes:
    - names: [acme.io/local]
      kind: node-local
      pinsToNode: true
`,
  );
  for (let i = 0; i < FILES; i++) {
    write(
      `ws/compose/app-${i}/stack.yml`,
      `services:
  db${i}:
    image: postgres:16
    volumes:
      - pgdata:/var/lib/postgresql/data
    deploy:
      replicas: ${1 + (i % 3)}
  cache:
    image: redis:7
    restart: always
volumes:
  pgdata:
`,
    );
    write(
      `ws/k8s/db-${i}.yaml`,
      `# stateful-ha-ignore missing-node-affinity: placed by the operator
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: custom-${i}
  namespace: team-${i % 7}
spec:
  replicas: ${2 + (i % 2)}
  selector: { matchLabels: { app: c${i} } }
  template:
    metadata: { labels: { app: c${i} } }
    spec:
      containers:
        - name: db
          image: acme/custom-db:1
          volumeMounts: [{ name: data, mountPath: /data }]
  volumeClaimTemplates:
    - metadata: { name: data }
      spec: { storageClassName: acme-local, accessModes: [ReadWriteOnce] }
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: { name: c${i}, namespace: team-${i % 7} }
spec:
  maxUnavailable: 0
  selector: { matchLabels: { app: c${i} } }
`,
    );
  }
  write(
    'ws/k8s/storage.yaml',
    'apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: { name: acme-local }\nprovisioner: acme.io/local\n',
  );
  write('ws/compose/broken/compose.yml', 'services:\n  a:\n    image: [unclosed\n    ports: 3\n');
  write('ws/compose/binary/compose.yml', 'services:\0\u0001\u0002');
  write('ws/k8s/templates/helm.yaml', 'kind: {{ .Values.kind }}\n  bad: indent\n');
  write('ws/compose/secret/compose.yml', 'services:\n  a:\n    image: mysql:8\n');
  chmodSync(join(dir, 'ws', 'compose', 'secret', 'compose.yml'), 0o000);
  // As root every file is readable: the CLI runs as `nobody`, from a copy of the bundles (the checkout may be
  // closed to nobody). The parse worker bundle must sit beside the CLI's.
  cli = CLI;
  if (root) {
    cli = join(dir, 'cli.js');
    copyFileSync(CLI, cli);
    copyFileSync(join(CLI, '..', 'parse-worker.js'), join(dir, 'parse-worker.js'));
  }
});
after(() => rmSync(dir, { recursive: true, force: true }));

function lint(args: string[], env: Record<string, string> = {}): CliRun {
  const options = {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1', STATEFUL_HA_DEBUG: '', STATEFUL_HA_WORKERS: '', ...env },
    ...(root ? { uid: 65534, gid: 65534 } : {}),
  };
  return runCli(['lint', ...args], options, cli);
}

const withoutDebug = (stderr: string): string => stderr.replace(/^debug: .*\n/gm, '');
const MODES = ['models', 'events'] as const;
/** A pool of two workers in the given mode, whatever the cores. */
const pool = (mode: (typeof MODES)[number]) => ({ STATEFUL_HA_WORKERS: '2', STATEFUL_HA_POOL_MODE: mode });

function poolLine(stderr: string): {
  mode: string;
  workers: number;
  files: number;
  inWorkers: number;
  here: number;
  rest: string;
} {
  const m =
    /^debug: parse pool \((\w+)\): (\d+) workers, (\d+) files: (\d+) read in workers, (\d+) in the main thread(.*)$/m.exec(
      stderr,
    );
  assert.ok(m, `no parse pool line in stderr:\n${stderr}`);
  return { mode: m[1]!, workers: +m[2]!, files: +m[3]!, inWorkers: +m[4]!, here: +m[5]!, rest: m[6]! };
}

describe('lint: parse workers', () => {
  let inProcess: CliRun;
  before(() => {
    inProcess = lint(['--format', 'json', 'ws'], { STATEFUL_HA_WORKERS: '0' });
  });

  it('the in-process run sees every kind of input', () => {
    assert.equal(inProcess.code, 2);
    assert.match(inProcess.stderr, /compose\/secret\/compose\.yml: cannot read: permission denied/);
    assert.match(inProcess.stderr, /compose\/broken\/compose\.yml:\d+:\d+: YAML syntax error/);
    assert.match(inProcess.stderr, /compose\/binary\/compose\.yml: binary file: not analysed/);
    assert.doesNotMatch(inProcess.stderr, /helm\.yaml/);
    const out = JSON.parse(inProcess.stdout) as {
      files: number;
      findings: { rule: string; message: string }[];
    };
    assert.ok(out.files > 2 * FILES);
    // Findings that need the configured catalog and cross-file references.
    assert.ok(out.findings.some((f) => f.message.includes('CustomDB')));
    assert.ok(out.findings.some((f) => f.rule === 'disruption-budget-blocks-drain'));
  });

  for (const mode of MODES) {
    describe(`mode ${mode}`, () => {
      it('JSON: the pool gives the same stdout, stderr and exit code', () => {
        const pooled = lint(['--format', 'json', 'ws'], pool(mode));
        assert.equal(pooled.code, inProcess.code);
        assert.equal(pooled.stderr, inProcess.stderr);
        assert.equal(pooled.stdout, inProcess.stdout);
      });

      it('text: the pool gives the same stdout, stderr and exit code', () => {
        const here = lint(['ws', 'ws/k8s/db-1.yaml'], { STATEFUL_HA_WORKERS: '0' });
        const pooled = lint(['ws', 'ws/k8s/db-1.yaml'], pool(mode));
        assert.equal(pooled.code, here.code);
        assert.equal(pooled.stderr, here.stderr);
        assert.equal(pooled.stdout, here.stdout);
      });

      it('the workers really read the files', () => {
        const pooled = lint(['--format', 'json', 'ws'], { ...pool(mode), STATEFUL_HA_DEBUG: '1' });
        const line = poolLine(pooled.stderr);
        assert.equal(line.mode, mode);
        assert.equal(line.workers, 2, pooled.stderr);
        assert.ok(line.files > 2 * FILES);
        assert.equal(line.inWorkers, line.files);
        assert.equal(line.here, 0);
        assert.equal(line.rest, '');
        assert.equal(withoutDebug(pooled.stderr), inProcess.stderr);
        assert.equal(pooled.stdout, inProcess.stdout);
      });

      it('a worker that dies: its files are done in the main thread, the output is the same', () => {
        const pooled = lint(['--format', 'json', 'ws'], {
          ...pool(mode),
          STATEFUL_HA_DEBUG: '1',
          STATEFUL_HA_TEST_WORKER_CRASH: 'app-100/',
        });
        const line = poolLine(pooled.stderr);
        assert.equal(line.workers, 2);
        assert.ok(line.here > 0, pooled.stderr);
        assert.equal(line.inWorkers + line.here, line.files);
        assert.match(line.rest, /parse worker exited \(code 70\)/);
        assert.equal(pooled.code, inProcess.code);
        assert.equal(withoutDebug(pooled.stderr), inProcess.stderr);
        assert.equal(pooled.stdout, inProcess.stdout);
      });
    });
  }

  it('default settings: from 3 cores, model workers (one per core but one, up to 4); on 2, none this small', () => {
    const run = lint(['--format', 'json', 'ws'], { STATEFUL_HA_DEBUG: '1' });
    const cores = availableParallelism();
    if (cores < 3) {
      // A tokenizing worker needs 2,000 files or 10 MB (test/unit/pool-plan.test.ts).
      assert.match(run.stderr, /^debug: parse pool: not used, \d+ files parsed in the main thread$/m);
    } else {
      const line = poolLine(run.stderr);
      assert.deepEqual(
        { mode: line.mode, workers: line.workers },
        { mode: 'models', workers: Math.min(cores - 1, 4) },
      );
    }
    assert.equal(run.stdout, inProcess.stdout);
  });

  it('below the threshold, and for SARIF (quick fixes need the YAML trees), no pool', () => {
    const small = lint(['--format', 'json', 'ws/k8s/db-1.yaml', 'ws/k8s/storage.yaml'], {
      STATEFUL_HA_DEBUG: '1',
    });
    assert.match(small.stderr, /^debug: parse pool: not used, 2 files parsed in the main thread$/m);
    const sarif = lint(['--format', 'sarif', 'ws/k8s/db-1.yaml'], { STATEFUL_HA_DEBUG: '1' });
    assert.doesNotMatch(sarif.stderr, /parse pool/);
  });
});
