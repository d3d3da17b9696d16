// Server resilience: a rule that throws is isolated and reported once; a request cancelled mid-validation
// leaves consistent state; a huge workspace with unreadable files (a FIFO named *.yaml, dangling symlinks,
// symlink loops, binary files) is indexed without blocking requests.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { analyze } from '../../server/src/advisor/analyze.js';
import { Catalog } from '../../server/src/advisor/catalog/catalog.js';
import { buildIndex } from '../../server/src/advisor/index/build-index.js';
import { parseFile } from '../../server/src/advisor/parse/parse-file.js';
import { RULES } from '../../server/src/advisor/rules/index.js';
import type { Rule } from '../../server/src/advisor/rules/rule.js';
import { LanguageService, type ServiceHost } from '../../server/src/service/service.js';
import { serveWorkspace, TestClient, workspace } from './client.js';
import { CASSANDRA, COMPOSE, STORAGE_CLASS } from './fixtures.js';

/** Resolves with the time a promise took, or rejects after `ms`. */
async function within<T>(ms: number, p: Promise<T>, what: string): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const value = await Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
  return { value, ms: performance.now() - t0 };
}

// A rule that throws cannot be injected through the protocol: the server takes only severities from its
// settings and the rule registry is compiled in (the `.stateful-ha.yaml` catalog extensions are
// schema-checked data, and no valid value makes a rule throw). So the fault is injected in-process: into
// analyze() directly, and into the registry the transport-free LanguageService runs (what server.ts wraps).
const BOOM: Rule = {
  meta: {
    id: 'test-boom',
    defaultSeverity: 'warning',
    scenarios: ['disaster'],
    summary: 'throws',
    docsUrl: '',
    fixable: false,
  },
  check() {
    throw new Error('boom');
  },
};

describe('resilience: a rule that throws', () => {
  it('is isolated by analyze(): the other rules still report, the failure is returned once', () => {
    const catalog = new Catalog();
    const index = buildIndex([parseFile('db.yaml', CASSANDRA, catalog)], catalog);
    const normal = analyze(index, { catalog });
    const withBoom = analyze(index, { catalog, rules: [BOOM, ...RULES, BOOM] });
    assert.deepEqual(
      withBoom.findings.map((f) => f.rule),
      normal.findings.map((f) => f.rule),
    );
    assert.deepEqual(withBoom.failures, [
      { rule: 'test-boom', message: 'boom' },
      { rule: 'test-boom', message: 'boom' },
    ]);
  });

  it('is reported once by the language service over many validation passes', async () => {
    const logs: string[] = [];
    const warnings: string[] = [];
    const published: { uri: string; diagnostics: Diagnostic[] }[] = [];
    const host: ServiceHost = {
      publishDiagnostics: (uri, diagnostics) => void published.push({ uri, diagnostics }),
      sendCounts: () => undefined,
      log: (m) => logs.push(m),
      showWarning: (m) => warnings.push(m),
    };
    const rules = RULES as Rule[];
    rules.push(BOOM);
    const service = new LanguageService(host);
    try {
      const uri = 'file:///nowhere/db.yaml';
      service.didOpen(uri, CASSANDRA, 1, 'yaml');
      await service.flush();
      for (let v = 2; v < 6; v++) {
        service.didChange(uri, CASSANDRA.replace('replicas: 3', `replicas: ${v}`), v);
        await service.flush();
      }
      assert.equal(logs.filter((m) => m.includes('test-boom')).length, 1, logs.join('\n'));
      assert.equal(warnings.length, 1, warnings.join('\n'));
      // The other rules kept publishing.
      const last = published.filter((p) => p.uri === uri).pop();
      assert.ok(last && last.diagnostics.some((d) => d.code === 'no-dr-target'));
    } finally {
      rules.splice(rules.indexOf(BOOM), 1);
      service.dispose();
    }
  });
});

describe('resilience: cancellation', () => {
  const files: Record<string, string> = { 'db/cassandra.yaml': CASSANDRA, 'compose.yaml': COMPOSE };
  for (let i = 0; i < 400; i++) files[`gen/s${i}.yaml`] = CASSANDRA.replace(/cassandra/g, `c${i}`);
  let client: TestClient;
  const ws = serveWorkspace(files, (c) => (client = c));

  it('a request cancelled mid-validation ($/cancelRequest) leaves consistent state', async () => {
    const baseline = await client.request<{
      errors: number;
      warnings: number;
      files: number;
      scanned: number;
    }>('statefulHa/lintWorkspace');
    // Edit, then start a full validation and cancel it at once (vscode-jsonrpc sends $/cancelRequest).
    const uri = ws.uri('db/cassandra.yaml');
    client.open(uri, CASSANDRA.replace('replicas: 3', 'replicas: 4'));
    const { CancellationTokenSource } = await import('vscode-languageserver-protocol');
    for (let round = 0; round < 5; round++) {
      const source = new CancellationTokenSource();
      const pending = client.connection.sendRequest('statefulHa/lintWorkspace', null, source.token);
      setTimeout(() => source.cancel(), round * 5);
      await pending.then(
        () => undefined,
        () => undefined, // cancelled: either answer is fine, the state is what matters
      );
    }
    assert.ok(client.alive);
    // The edit is validated (quorum-size: 4 members), and a full re-run agrees with the baseline counts.
    const says = (text: string) => (ds: Diagnostic[]) => ds.some((d) => String(d.message).includes(text));
    await client.waitFor(uri, says('runs 4 replicas'));
    client.change(uri, CASSANDRA);
    await client.waitFor(uri, says('runs 3 replicas'));
    const again = await client.request<typeof baseline>('statefulHa/lintWorkspace');
    assert.deepEqual(again, baseline);
    const hover = await within(1000, client.hover(uri, 4, 9), 'hover after cancellation');
    assert.ok(hover.value, 'hover on the workload name');
  });
});

describe('resilience: a huge workspace with unreadable files', () => {
  // The StatefulSets' claims resolve to this class in another file (hovers say so, before and after the
  // compaction lets the resolved workloads go).
  const files: Record<string, string> = { 'open/compose.yaml': COMPOSE, 'storage/px.yaml': STORAGE_CLASS };
  for (let i = 0; i < 10_000; i++) {
    files[`many/d${Math.floor(i / 500)}/f${i}.yaml`] =
      i % 2 === 0
        ? CASSANDRA.replace(/cassandra/g, `c${i}`)
        : `services:\n  s${i}:\n    image: postgres:16\n`;
  }
  const ws = workspace(files);
  let client: TestClient;
  const hoverLatencies: number[] = [];
  let codeActionMs = NaN;
  before(() => {
    const r = ws.root;
    execFileSync('mkfifo', [join(r, 'fifo.yaml')]);
    execFileSync('mkfifo', [join(r, 'many', 'd0', 'docker-compose.yml')]);
    symlinkSync(join(r, 'missing.yaml'), join(r, 'dangling.yaml'));
    mkdirSync(join(r, 'loop'));
    symlinkSync(join(r, 'loop'), join(r, 'loop', 'again'));
    symlinkSync(r, join(r, 'loop', 'root'));
    writeFileSync(
      join(r, 'binary.yaml'),
      Buffer.from(Array.from({ length: 65536 }, (_, i) => (i * 7919) % 256)),
    );
    writeFileSync(join(r, 'secret.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: secret}\n');
    chmodSync(join(r, 'secret.yaml'), 0o000);
    mkdirSync(join(r, 'locked'));
    writeFileSync(join(r, 'locked', 'compose.yaml'), COMPOSE);
    chmodSync(join(r, 'locked'), 0o000);
  });
  after(async () => {
    await client?.stop();
    chmodSync(join(ws.root, 'locked'), 0o755);
    ws.dispose();
  });

  it(
    'indexes without hanging or crashing: hovers answered while indexing, FIFOs, loops and unreadable files skipped',
    { timeout: 180_000 },
    async () => {
      const uri = ws.uri('open/compose.yaml');
      // Started as the extension starts it (client/src/extension.ts): without `--expose-gc`, which the heap
      // compaction (last test) finds for itself.
      client = await TestClient.start(ws.root);
      client.open(uri, COMPOSE, 'dockercompose');
      // Hovers while the scan of 10,000 files runs: every one answered within 1 s.
      const lint = client.request<{ scanned: number }>('statefulHa/lintWorkspace');
      let done = false;
      void lint.finally(() => {
        done = true;
      });
      const latencies: number[] = [];
      while (!done && latencies.length < 2000) {
        // Once the first pass is under way: a code action request on the document just opened waits for
        // its pass at most 1 s, not for the whole first indexing pass.
        if (latencies.length === 100) {
          const range = { start: { line: 2, character: 2 }, end: { line: 2, character: 4 } };
          client.change(uri, COMPOSE);
          codeActionMs = (
            await within(60_000, client.codeActions(uri, range, []), 'code actions while indexing')
          ).ms;
        }
        latencies.push(
          (await within(60_000, client.hover(uri, 2, 3), `hover #${latencies.length} while indexing`)).ms,
        );
        await new Promise((r) => setTimeout(r, 20));
      }
      hoverLatencies.push(...latencies);
      const result = await within(90_000, lint, 'workspace lint');
      assert.ok(result.value.scanned > 100, `scanned ${result.value.scanned}`);
      assert.ok(client.alive);
      // Watched-file events for the unreadable entries must not block the server either (a FIFO blocks
      // open(2) until a writer comes; four of them would take every libuv thread).
      const odd = [
        'fifo.yaml',
        'many/d0/docker-compose.yml',
        'dangling.yaml',
        'secret.yaml',
        'binary.yaml',
        'loop/again',
        'locked/compose.yaml',
      ];
      for (let round = 0; round < 3; round++) {
        client.notify('workspace/didChangeWatchedFiles', {
          changes: odd.map((f) => ({ uri: ws.uri(f), type: 1 + round })),
        });
      }
      await within(1000, client.hover(uri, 2, 3), 'hover after watched-file events');
      client.change(uri, COMPOSE.replace('postgres', 'mysql'));
      await within(5000, client.hover(uri, 2, 3), 'hover after an edit');
      const again = await within(
        60_000,
        client.request<{ scanned: number }>('statefulHa/lintWorkspace'),
        'second workspace lint',
      );
      assert.ok(again.value.scanned > 100);
    },
  );

  it('once quiet, compacts the heap the indexing grew, and still answers at once', async (t) => {
    assert.ok(client?.alive, 'the indexing test ran first');
    // A workload whose storage is resolved across files: the same hover after the compaction, which lets
    // the index's resolved workloads go and resolves them again at this question.
    const statefulSet = ws.uri('many/d0/f0.yaml');
    const hoverText = async (label: string) => {
      const h = (await within(5000, client.hover(statefulSet, 4, 9), label)).value;
      return JSON.stringify(h?.contents ?? null);
    };
    const beforeText = await hoverText('hover before the compaction');
    assert.match(beforeText, /px-repl3/);
    const before = client.rss();
    // No message meanwhile: any request postpones the compaction (2 s of quiet, then a round per 1.5 s).
    await new Promise((r) => setTimeout(r, 9000));
    const after = client.rss();
    const stats = (
      await within(
        5000,
        client.request<{ compactions: number; compactedBytes: number; resolvedReleases?: number }>(
          'statefulHa/stats',
        ),
        'stats',
      )
    ).value;
    const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;
    t.diagnostic(
      `${stats.compactions} compaction rounds gave back ${mb(stats.compactedBytes)} of heap; RSS ${mb(before)} → ${mb(after)}`,
    );
    assert.ok(stats.compactions >= 1, JSON.stringify(stats));
    assert.ok(stats.compactedBytes >= 32 * 1024 * 1024, JSON.stringify(stats));
    assert.ok(after < before * 0.85, `RSS ${mb(before)} → ${mb(after)}`);
    assert.ok((stats.resolvedReleases ?? 0) >= 1, `resolved workloads released: ${JSON.stringify(stats)}`);
    await within(1000, client.hover(ws.uri('open/compose.yaml'), 2, 3), 'hover after the compaction');
    assert.equal(await hoverText('hover after the compaction'), beforeText);
  });

  // Found by the test above: a pass used to analyse and publish a 10,000-file workspace as one synchronous
  // block (hovers waited up to 13 s). Passes now yield every 20 ms: between files, rules and publications.
  it('hover answered within 1 s while indexing 10,000 files', (t) => {
    assert.ok(hoverLatencies.length > 0, 'the indexing test ran first');
    const max = Math.max(...hoverLatencies);
    const sorted = [...hoverLatencies].sort((a, b) => a - b);
    t.diagnostic(
      `${hoverLatencies.length} hovers while indexing: median ${sorted[sorted.length >> 1]!.toFixed(0)} ms, max ${max.toFixed(0)} ms`,
    );
    assert.ok(max < 1000, `slowest of ${hoverLatencies.length} hovers while indexing: ${max.toFixed(0)} ms`);
    // Asked after 100 hovers (here: during the first pass, which took ~4.9 s; without the 1 s cap the answer
    // waited for it: 4,890 ms). A machine that indexes faster may end the pass before: then not measured.
    if (Number.isNaN(codeActionMs))
      t.diagnostic('code actions while indexing: not asked (indexing ended first)');
    else {
      t.diagnostic(`code actions while indexing: ${codeActionMs.toFixed(0)} ms`);
      assert.ok(codeActionMs < 2000, `code actions while indexing: ${codeActionMs.toFixed(0)} ms`);
    }
  });
});
