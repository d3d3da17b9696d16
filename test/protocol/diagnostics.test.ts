// Diagnostics over the real protocol: workspace scan on start, exact ranges and codes, rule docs links,
// related locations across files, cross-file re-validation, syntax and schema problems, silence on other YAML.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { messageOf, serveWorkspace, type TestClient } from './client.js';
import { CASSANDRA, COMPOSE, STORAGE_CLASS } from './fixtures.js';

const DOCS = 'https://github.com/stateful-ha/stateful-ha-advisor/blob/main/docs/rules/';
const codes = (ds: Diagnostic[]) => ds.map((d) => String(d.code));
const has = (code: string) => (ds: Diagnostic[]) => codes(ds).includes(code);
const fixesOf = (d: Diagnostic) => (d.data as { fixes: { title: string }[] }).fixes;
const lacks = (code: string) => (ds: Diagnostic[]) => !codes(ds).includes(code);

describe('diagnostics', () => {
  let client: TestClient;
  const ws = serveWorkspace(
    {
      'db/cassandra.yaml': CASSANDRA,
      'storage/class.yaml': STORAGE_CLASS,
      'compose.yaml': COMPOSE,
      'notes/other.yaml': 'title: not a manifest\nitems: [1, 2\n',
      'node_modules/pkg/compose.yaml': COMPOSE,
    },
    (c) => (client = c),
  );

  it('publishes the workspace on start, with exact ranges, rule codes and docs links', async () => {
    const ds = await client.waitFor(ws.uri('compose.yaml'), has('missing-restart-policy'));
    const d = ds.find((x) => x.code === 'missing-restart-policy')!;
    // The service key `db` (line 3 of the file, 0-based 2).
    assert.deepEqual(d.range, { start: { line: 2, character: 2 }, end: { line: 2, character: 4 } });
    assert.equal(d.severity, 2);
    assert.equal(d.source, 'stateful-ha');
    assert.equal(d.codeDescription?.href, `${DOCS}missing-restart-policy.md`);
    const data = d.data as { rule: string; fixes: { title: string }[] };
    assert.equal(data.rule, 'missing-restart-policy');
    // Closed files are kept as models without their YAML trees: no fixes until the file is opened.
    assert.equal(data.fixes.length, 0, 'a closed file carries no fixes');
    const uri = ws.uri('compose.yaml');
    client.open(uri, COMPOSE, 'dockercompose');
    const opened = await client.waitFor(uri, (ds) =>
      ds.some((x) => x.code === 'missing-restart-policy' && fixesOf(x).length > 0),
    );
    const fixed = opened.find((x) => x.code === 'missing-restart-policy')!;
    assert.deepEqual(fixed.range, d.range);
    assert.ok(fixesOf(fixed).length > 0, 'fixes travel in Diagnostic.data once the file is open');
    client.close(uri);
  });

  it('relates a double replication to the StorageClass in another file', async () => {
    const ds = await client.waitFor(ws.uri('db/cassandra.yaml'), has('double-replication'));
    const d = ds.find((x) => x.code === 'double-replication')!;
    assert.match(messageOf(d), /3 × 3 = 9/);
    const related = d.relatedInformation ?? [];
    const toClass = related.find((r) => r.location.uri === ws.uri('storage/class.yaml'));
    assert.ok(toClass, `related locations: ${JSON.stringify(related)}`);
    // `repl: "3"` is line 7 (0-based 6) of the StorageClass file.
    assert.equal(toClass.location.range.start.line, 6);
  });

  it('skips node_modules and gives other YAML nothing', async () => {
    await client.waitFor(ws.uri('compose.yaml'), has('missing-restart-policy'));
    assert.equal(client.diagnostics.get(ws.uri('node_modules/pkg/compose.yaml')), undefined);
    client.open(ws.uri('notes/other.yaml'), 'title: not a manifest\nitems: [1, 2\n');
    // Another document's publish proves the pass ran; the other YAML still has nothing.
    client.open(ws.uri('compose.yaml'), COMPOSE);
    await client.waitFor(ws.uri('compose.yaml'), (ds) =>
      ds.some((d) => (d.data as { version?: number })?.version === 1),
    );
    const other = client.diagnostics.get(ws.uri('notes/other.yaml'));
    assert.ok(other === undefined || other.diagnostics.length === 0, JSON.stringify(other));
  });

  it('re-validates other files when a StorageClass changes', async () => {
    const cls = ws.uri('storage/class.yaml');
    const sts = ws.uri('db/cassandra.yaml');
    await client.waitFor(sts, has('double-replication'));
    client.open(cls, STORAGE_CLASS);
    client.change(cls, STORAGE_CLASS.replace('repl: "3"', 'repl: "1"'));
    const ds = await client.waitFor(sts, lacks('double-replication'));
    assert.ok(has('no-dr-target')(ds), 'the other findings stay');
    client.change(cls, STORAGE_CLASS);
    await client.waitFor(sts, has('double-replication'));
  });

  it('reports YAML syntax errors mid-edit and keeps answering', async () => {
    const uri = ws.uri('compose.yaml');
    client.open(uri, COMPOSE);
    client.change(uri, COMPOSE.replace('    image: postgres:16', '    image: [postgres:16'));
    const ds = await client.waitFor(uri, has('yaml-syntax'));
    const syntax = ds.filter((d) => d.code === 'yaml-syntax');
    assert.ok(syntax.every((d) => d.severity === 1 || d.severity === 2));
    assert.ok(
      syntax.some((d) => d.range.start.line >= 3),
      JSON.stringify(syntax.map((d) => d.range)),
    );
    // Other documents keep working: a hover on the StatefulSet still answers.
    const hover = await client.hover(ws.uri('db/cassandra.yaml'), 4, 9);
    assert.ok(hover, 'hover answered after a broken document');
    client.change(uri, COMPOSE);
    await client.waitFor(uri, lacks('yaml-syntax'));
    assert.ok(client.alive);
  });

  it('maps schema errors to the offending line', async () => {
    const uri = ws.uri('db/bad.yaml');
    client.open(
      uri,
      CASSANDRA.replace('replicas: 3', 'replicas: three').replace(
        'app: cassandra\n  template',
        'app: 7\n  template',
      ),
    );
    const ds = await client.waitFor(uri, has('schema'));
    const schema = ds.filter((d) => d.code === 'schema');
    const replicas = schema.find((d) => /replicas/.test(messageOf(d)));
    assert.ok(replicas, JSON.stringify(schema.map(messageOf)));
    assert.equal(replicas.range.start.line, 8);
    assert.equal(replicas.severity, 2, 'Kubernetes schema problems are warnings');
    const label = schema.find((d) => /matchLabels\.app/.test(messageOf(d)));
    assert.ok(label, JSON.stringify(schema.map(messageOf)));
    assert.equal(label.range.start.line, 11);

    const compose = ws.uri('compose.override.yaml');
    client.open(
      compose,
      'services:\n  db:\n    image: postgres:16\n    restart: always\n    imagee: typo\n',
      'dockercompose',
    );
    const cds = await client.waitFor(compose, has('schema'));
    const unknown = cds.find((d) => d.code === 'schema' && d.severity === 1)!;
    assert.equal(unknown.range.start.line, 4);
    assert.equal(unknown.severity, 1, 'compose schema problems are errors');
    assert.match(messageOf(unknown), /imagee/);

    // The obsolete top-level `version` is a hint tagged deprecated.
    client.change(compose, "version: '3.8'\nservices:\n  db:\n    image: postgres:16\n    restart: always\n");
    const vds = await client.waitFor(compose, (d) => d.some((x) => x.tags?.includes(2)));
    const version = vds.find((x) => x.tags?.includes(2))!;
    assert.equal(version.severity, 4);
    assert.deepEqual(version.range, { start: { line: 0, character: 0 }, end: { line: 0, character: 7 } });
  });

  it('never publishes an older version after a newer one; a burst of edits is validated twice at most', async () => {
    const uri = ws.uri('compose.yaml');
    // (Re)opened at version 1: wait for that publication, so only the edits' publications are counted.
    client.open(uri, COMPOSE);
    await client.waitFor(uri, () => client.diagnostics.get(uri)?.version === 1);
    const versions: number[] = [];
    const done = client.waitFor(uri, () => {
      const v = client.diagnostics.get(uri)?.version;
      if (v !== undefined) versions.push(v);
      return v === 6;
    });
    let last = 0;
    for (let i = 0; i < 5; i++) last = client.change(uri, `${COMPOSE}# edit ${i}\n`);
    assert.equal(last, 6);
    await done;
    assert.equal(client.diagnostics.get(uri)?.version, 6);
    for (let k = 1; k < versions.length; k++)
      assert.ok(versions[k]! > versions[k - 1]!, `versions published: ${versions.join(',')}`);
    // The first edit after a pause is validated at once; the four quick ones after it wait as one burst.
    assert.ok(versions.length <= 2, `versions published: ${versions.join(',')}`);
  });

  it('answers the lint-workspace request and sends counts', async () => {
    const r = await client.request<{
      scanned: number;
      errors: number;
      warnings: number;
      infos: number;
      files: number;
    }>('statefulHa/lintWorkspace');
    assert.ok(r.scanned >= 3, JSON.stringify(r));
    assert.ok(r.warnings >= 3, JSON.stringify(r));
    assert.ok(client.notifications.some((n) => n.method === 'statefulHa/counts'));
  });

  it('uses fixtures that parse', () => {
    for (const text of [CASSANDRA, STORAGE_CLASS, COMPOSE]) {
      assert.deepEqual(
        parseAllDocuments(text).flatMap((d) => ('errors' in d ? d.errors : [])),
        [],
      );
    }
  });
});

describe('diagnostics: a file with more problems than an editor shows', () => {
  // 600 services of a database without a volume and without a restart policy: 600 errors
  // (ephemeral-data) and 600 warnings (missing-restart-policy), more than the 1,000 published per file.
  const services = Array.from({ length: 600 }, (_, i) => `  db${i}:\n    image: postgres:16\n`).join('');
  let client: TestClient;
  const ws = serveWorkspace({ 'big/compose.yaml': `services:\n${services}` }, (c) => (client = c));

  it('publishes 1,000: the errors first, and one last diagnostic counting the others', async () => {
    const ds = await client.waitFor(ws.uri('big/compose.yaml'), has('more-problems'), 30_000);
    assert.equal(ds.length, 1000);
    const errors = ds.filter((d) => d.severity === 1);
    assert.equal(errors.length, 600);
    assert.ok(
      ds.slice(0, 600).every((d) => d.severity === 1),
      'errors first',
    );
    const last = ds.at(-1)!;
    assert.equal(last.code, 'more-problems');
    const hidden = Number(/^(\d+) more problems in this file/.exec(messageOf(last))?.[1]);
    // Every finding is counted, shown or not: 999 shown + the hidden ones.
    const r = await client.request<{ errors: number; warnings: number }>('statefulHa/lintWorkspace');
    assert.equal(r.errors, 600);
    assert.ok(r.warnings >= 600, JSON.stringify(r));
    assert.equal(999 + hidden, r.errors + r.warnings + (r as { infos?: number }).infos!, JSON.stringify(r));
  });
});
