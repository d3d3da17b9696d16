// The `stateful-ha lint` CLI, run as a process: output formats (JSON shape of DESIGN.md §5, SARIF valid
// against the official 2.1.0 schema), exit codes, and bad input that must give clear messages.
import assert from 'node:assert/strict';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Ajv from 'ajv';
import AjvDraft04 from 'ajv-draft-04';
import { CLI, ROOT, runCli } from './helpers.js';

interface JsonOutput {
  files: number;
  findings: {
    rule: string;
    severity: string;
    file: string;
    line: number;
    column: number;
    endLine: number;
    endColumn: number;
    workload: string;
    message: string;
  }[];
}

const outputSchema = JSON.parse(readFileSync(join(ROOT, 'schemas', 'lint-output.schema.json'), 'utf8'));
const validateOutput = new Ajv({ allErrors: true }).compile(outputSchema);

function lintJson(args: string[]): { out: JsonOutput; code: number; stderr: string } {
  const r = runCli(['lint', '--format', 'json', ...args]);
  const out = JSON.parse(r.stdout) as JsonOutput;
  assert.ok(validateOutput(out), JSON.stringify(validateOutput.errors));
  return { out, code: r.code, stderr: r.stderr };
}

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'stateful-ha-cli-'));
  chmodSync(dir, 0o755);
});
after(() => rmSync(dir, { recursive: true, force: true }));

function write(rel: string, text: string | Buffer): string {
  const p = join(dir, rel);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text);
  return p;
}

const POSTGRES_STACK = `services:
  db:
    image: postgres:16
    volumes:
      - pgdata:/var/lib/postgresql/data
    deploy:
      replicas: 1
volumes:
  pgdata:
`;

describe('lint --format json on the example workspace', () => {
  it('matches the DESIGN.md §5 shape, with 1-based positions and file paths joined to the argument', () => {
    const { out } = lintJson(['examples', '--fail-on', 'none']);
    assert.equal(out.files, 7);
    assert.ok(out.findings.length > 0);
    for (const f of out.findings) {
      assert.ok(f.file.startsWith('examples/'), f.file);
      assert.ok(f.line >= 1 && f.column >= 1);
      assert.ok(f.endLine > f.line || (f.endLine === f.line && f.endColumn >= f.column), JSON.stringify(f));
      assert.deepEqual(Object.keys(f).sort(), [
        'column',
        'endColumn',
        'endLine',
        'file',
        'line',
        'message',
        'rule',
        'severity',
        'workload',
      ]);
    }
  });

  it('finds the planted problems', () => {
    const { out } = lintJson(['examples', '--fail-on', 'none']);
    const has = (rule: string, workload: string, file: string): boolean =>
      out.findings.some((f) => f.rule === rule && f.workload === workload && f.file === file);
    assert.ok(
      has('double-replication', 'StatefulSet/cassandra', 'examples/kubernetes/cassandra.yaml'),
      'cassandra on px-db repl 3',
    );
    assert.ok(has('quorum-size', 'StatefulSet/etcd', 'examples/kubernetes/etcd.yaml'), 'etcd with 2 members');
    assert.ok(has('quorum-size', 'service/etcd', 'examples/swarm/stack.yml'), 'swarm etcd with 2 replicas');
    assert.ok(
      has('missing-node-affinity', 'service/postgres', 'examples/swarm/stack.yml'),
      'local volume, no constraint',
    );
    assert.ok(
      has('single-copy-data', 'Deployment/orders-db', 'examples/kubernetes/postgres.yaml'),
      'postgres on local-path',
    );
    assert.ok(
      has('missing-restart-policy', 'service/db', 'examples/compose/docker-compose.yml'),
      'single-host db without restart',
    );
    // The config raises missing-storage-class to warning for the etcd claim template.
    const msc = out.findings.find(
      (f) => f.rule === 'missing-storage-class' && f.workload === 'StatefulSet/etcd',
    );
    assert.equal(msc?.severity, 'warning');
    // Cassandra is covered by the Velero schedule of its namespace; the Cassandra message gives the numbers.
    assert.ok(!has('no-dr-target', 'StatefulSet/cassandra', 'examples/kubernetes/cassandra.yaml'));
    const dr = out.findings.find((f) => f.rule === 'double-replication');
    assert.match(dr!.message, /9 copies/);
    // The swarm etcd is backed up off-site by the backup service; the nginx file bind is not data.
    assert.ok(!has('no-dr-target', 'service/etcd', 'examples/swarm/stack.yml'));
    assert.ok(!out.findings.some((f) => f.workload === 'service/web'));
  });

  it('never shows environment values', () => {
    const r = runCli(['lint', 'examples', '--fail-on', 'none']);
    assert.doesNotMatch(r.stdout + r.stderr, /s3cr3t/);
  });
});

describe('lint --format sarif', () => {
  it('is valid SARIF 2.1.0 (official schema) with one rule per catalog entry and helpUri', () => {
    const r = runCli(['lint', 'examples', '--format', 'sarif', '--fail-on', 'none']);
    assert.equal(r.code, 0);
    const log = JSON.parse(r.stdout) as {
      runs: { tool: { driver: { rules: unknown[] } }; results: unknown[] }[];
    };
    const schema = JSON.parse(
      readFileSync(
        join(ROOT, 'node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'),
        'utf8',
      ),
    );
    // The official schema has a pattern that is not valid with the `u` flag (a lone `]`): compile without it.
    const ajv = new AjvDraft04({
      allErrors: true,
      strict: false,
      validateFormats: false,
      unicodeRegExp: false,
    });
    const validate = ajv.compile(schema);
    assert.ok(validate(log), JSON.stringify(validate.errors?.slice(0, 5)));
    const rules = log.runs[0]!.tool.driver.rules as { id: string; helpUri: string }[];
    assert.ok(rules.length >= 17);
    for (const rule of rules) assert.match(rule.helpUri, new RegExp(`docs/rules/${rule.id}\\.md$`));
    const results = log.runs[0]!.results as { ruleId: string; ruleIndex: number }[];
    assert.ok(results.length > 0);
    for (const res of results) assert.equal(rules[res.ruleIndex]!.id, res.ruleId);
  });
});

describe('text output', () => {
  it('groups by file and prints file:line:col severity rule message', () => {
    const p = write('text/stack.yml', POSTGRES_STACK);
    const r = runCli(['lint', p, '--fail-on', 'none']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, new RegExp(`^${p}$`, 'm'));
    assert.match(r.stdout, new RegExp(`^${p}:\\d+:\\d+ warning missing-node-affinity `, 'm'));
    assert.match(r.stdout, /\d+ findings? \(/);
  });
});

describe('exit codes', () => {
  it('0 when nothing reaches --fail-on, 1 when something does', () => {
    const p = write('codes/stack.yml', POSTGRES_STACK);
    assert.equal(runCli(['lint', p]).code, 0, 'warnings do not reach the default --fail-on error');
    assert.equal(runCli(['lint', p, '--fail-on', 'warning']).code, 1);
    assert.equal(runCli(['lint', p, '--fail-on', 'none']).code, 0);
  });

  it('2 on usage errors and missing paths', () => {
    assert.equal(runCli(['lint', '--format', 'xml', 'examples']).code, 2);
    const missing = runCli(['lint', join(dir, 'does-not-exist.yaml')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /does-not-exist\.yaml: no such file or directory/);
  });
});

describe('bad input: clear message with file and line, never a stack trace, other files still linted', () => {
  it('broken YAML names the file and line and exits 2; the other file is linted', () => {
    const broken = write(
      'bad/broken/compose.yaml',
      'services:\n  db:\n    image: postgres:16\n    volumes: [unclosed\n',
    );
    const good = write('bad/broken/stack.yml', POSTGRES_STACK);
    const r = runCli(['lint', '--format', 'json', broken, good]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, new RegExp(`${broken.replace(/[.]/g, '\\.')}:\\d+:\\d+: YAML syntax error`));
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    const out = JSON.parse(r.stdout) as JsonOutput;
    assert.ok(out.findings.some((f) => f.file === good && f.rule === 'missing-node-affinity'));
  });

  it('a tab-indented file is a YAML error with its line', () => {
    const p = write('bad/tabs/compose.yml', 'services:\n\tdb:\n\t\timage: postgres\n');
    const r = runCli(['lint', p]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /compose\.yml:2:\d+: YAML syntax error/);
  });

  it('a 20 MB file is skipped with a message; a binary file too', () => {
    const big = write(
      'bad/big/huge.yaml',
      `services:\n  x:\n    image: busybox\n    command: "${'a'.repeat(20 * 1024 * 1024)}"\n`,
    );
    const bin = write('bad/big/junk.yaml', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2, 3, 0, 255, 254]));
    const r = runCli(['lint', big, bin]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /huge\.yaml: file is 20\.0 MB, over the 8 MB limit/);
    assert.match(r.stderr, /junk\.yaml: binary file/);
  });

  it('empty files, scalar and list documents are noted, not errors', () => {
    const empty = write('bad/other/empty.yaml', '');
    const scalar = write('bad/other/scalar.yaml', 'just a string\n');
    const list = write('bad/other/list.yaml', '- a\n- b\n');
    const r = runCli(['lint', empty, scalar, list]);
    assert.equal(r.code, 0);
    assert.match(r.stderr, /empty\.yaml: empty file/);
    assert.match(r.stderr, /scalar\.yaml: a scalar/);
    assert.match(r.stderr, /list\.yaml: a list/);
  });

  it('unreadable files and symlink loops in a folder: reported, the rest linted', () => {
    const folder = join(dir, 'bad', 'tree');
    write('bad/tree/ok/stack.yml', POSTGRES_STACK);
    write('bad/tree/secret/compose.yml', POSTGRES_STACK);
    chmodSync(join(folder, 'secret', 'compose.yml'), 0o000);
    symlinkSync(folder, join(folder, 'ok', 'loop'));
    // As root every file is readable, so run the CLI as `nobody` to meet a real EACCES. The checkout may sit
    // in a folder `nobody` cannot enter (mktemp -d is 0700): run a copy of the self-contained bundle from here.
    const root = process.getuid?.() === 0;
    const cli = join(dir, 'cli.js');
    if (root) {
      copyFileSync(CLI, cli);
      chmodSync(cli, 0o755);
    }
    const r = root
      ? runCli(['lint', '--format', 'json', folder], { uid: 65534, gid: 65534, cwd: dir }, cli)
      : runCli(['lint', '--format', 'json', folder]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /secret\/compose\.yml: cannot read: permission denied/);
    const out = JSON.parse(r.stdout) as JsonOutput;
    assert.equal(out.files, 1);
    assert.ok(out.findings.some((f) => f.file === join(folder, 'ok', 'stack.yml')));
  });

  it('a wrong config names file, line and key; the defaults still run', () => {
    write('cfg/.stateful-ha.yaml', 'rules:\n  missing-node-affinity: loud\n  no-such-rule: off\nignore: 3\n');
    write('cfg/stack.yml', POSTGRES_STACK);
    const r = runCli(['lint', '--format', 'json', join(dir, 'cfg')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /\.stateful-ha\.yaml:2:\d+: config: rules\.missing-node-affinity: must be one of/);
    assert.match(r.stderr, /\.stateful-ha\.yaml:3:\d+: config: rules\.no-such-rule: unknown rule/);
    assert.match(r.stderr, /\.stateful-ha\.yaml:4:\d+: config: ignore: must be array/);
    const out = JSON.parse(r.stdout) as JsonOutput;
    assert.ok(out.findings.some((f) => f.rule === 'missing-node-affinity' && f.severity === 'warning'));
  });

  it('a valid config changes severities and disables rules', () => {
    write('cfg2/.stateful-ha.yaml', 'rules:\n  missing-node-affinity: error\n  single-copy-data: off\n');
    write('cfg2/stack.yml', POSTGRES_STACK);
    const { out, code } = lintJson([join(dir, 'cfg2')]);
    assert.equal(code, 1);
    assert.ok(out.findings.some((f) => f.rule === 'missing-node-affinity' && f.severity === 'error'));
    assert.ok(!out.findings.some((f) => f.rule === 'single-copy-data'));
  });

  it('ignore paths are relative to the configuration’s folder, wherever the CLI runs from', () => {
    write('ign/.stateful-ha.yaml', 'ignore:\n  - vendor\n');
    write('ign/stack.yml', POSTGRES_STACK);
    write('ign/vendor/stack.yml', POSTGRES_STACK);
    const folder = join(dir, 'ign');
    // Run from the repository root (runCli's cwd) and from the folder itself: the same files.
    for (const [args, cwd] of [
      [[folder], undefined],
      [['.'], folder],
    ] as const) {
      const r = runCli(['lint', '--format', 'json', ...args], cwd ? { cwd } : {});
      const out = JSON.parse(r.stdout) as JsonOutput;
      assert.equal(out.files, 1, `${args.join(' ')} from ${cwd ?? 'the repository'}`);
      assert.ok(out.findings.length > 0 && out.findings.every((f) => !f.file.includes('vendor')));
    }
  });

  it('two linted folders with a config each: the first folder’s applies to both, the other is named as unread', () => {
    write('cfg3/a/.stateful-ha.yaml', 'rules:\n  missing-node-affinity: error\n');
    write('cfg3/a/stack.yml', POSTGRES_STACK);
    write('cfg3/b/.stateful-ha.yaml', 'rules:\n  missing-node-affinity: off\n');
    write('cfg3/b/stack.yml', POSTGRES_STACK);
    const { out, code, stderr } = lintJson([join(dir, 'cfg3', 'a'), join(dir, 'cfg3', 'b')]);
    assert.equal(code, 1);
    const affinity = out.findings.filter((f) => f.rule === 'missing-node-affinity');
    assert.deepEqual(
      affinity.map((f) => [f.file, f.severity]),
      [
        [join(dir, 'cfg3', 'a', 'stack.yml'), 'error'],
        [join(dir, 'cfg3', 'b', 'stack.yml'), 'error'],
      ],
    );
    assert.equal(
      stderr,
      `note ${join(dir, 'cfg3', 'b', '.stateful-ha.yaml')}: not read; this run's configuration is ${join(dir, 'cfg3', 'a', '.stateful-ha.yaml')} (one per run: lint the folders separately, or name one with --config)\n`,
    );
    // Named explicitly, a configuration leaves no other unread.
    const explicit = lintJson([
      '--config',
      join(dir, 'cfg3', 'b', '.stateful-ha.yaml'),
      join(dir, 'cfg3', 'a'),
      join(dir, 'cfg3', 'b'),
    ]);
    assert.equal(explicit.stderr, '');
    assert.ok(!explicit.out.findings.some((f) => f.rule === 'missing-node-affinity'));
  });
});

describe('explain and rules', () => {
  it('explain prints the rule page; unknown rule exits 2', () => {
    const r = runCli(['explain', 'double-replication']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /double-replication/);
    assert.match(r.stdout, /stateful-ha-ignore/);
    assert.equal(runCli(['explain', 'nope']).code, 2);
  });

  it('rules lists all 17 catalog entries', () => {
    const r = runCli(['rules', '--json']);
    const rules = JSON.parse(r.stdout) as { id: string }[];
    assert.equal(rules.length, 17);
    const table = runCli(['rules']).stdout;
    for (const rule of rules) assert.match(table, new RegExp(`^${rule.id} `, 'm'));
  });
});
