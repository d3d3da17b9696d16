// Regressions found by the property-based tests (test/unit/properties.test.ts) and the protocol fuzzer
// (test/fuzz/fuzz.mjs). Each test is named after the input that found the defect; the inputs are under
// test/fixtures/regressions/.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { Catalog } from '../../server/src/advisor/catalog/catalog.js';
import {
  MAX_COMPOSE_ENTRIES,
  MAX_DOCUMENTS,
  MAX_NESTING,
  MAX_SYNTAX_PROBLEMS,
  parseFile,
} from '../../server/src/advisor/parse/parse-file.js';
import { analyze, MAX_RELATED } from '../../server/src/advisor/analyze.js';
import { buildIndex } from '../../server/src/advisor/index/build-index.js';
import { RULES } from '../../server/src/advisor/rules/index.js';
import type { Rule } from '../../server/src/advisor/rules/rule.js';
import { fixture, lint, ofRule } from './helpers.js';

function timed<T>(fn: () => T): { value: T; ms: number } {
  const t0 = performance.now();
  const value = fn();
  return { value, ms: performance.now() - t0 };
}

describe('regressions', () => {
  it('regression: merge-key-bomb.compose.yml (fuzz: billion laughs through `<<` merge keys)', () => {
    // 40 levels, each merging the previous level twice: expanding merges without sharing was 2^40 work.
    const { value: findings, ms } = timed(() =>
      lint({ 'compose.yaml': fixture('regressions/merge-key-bomb.compose.yml') }),
    );
    assert.ok(ms < 2000, `took ${ms.toFixed(0)} ms`);
    // The merged keys are still seen: image postgres (an engine) and its restart policy.
    assert.equal(ofRule(findings, 'missing-restart-policy').length, 0);
    assert.equal(ofRule(findings, 'no-dr-target').length, 1);
  });

  it('regression: merge-key precedence (earlier merge sources win, as YAML merge keys specify)', () => {
    const text = [
      'x-a: &a {image: postgres:16, restart: unless-stopped}',
      'x-b: &b {image: nginx:1.25, restart: "no"}',
      'services:',
      '  db:',
      '    <<: [*a, *b]',
      '    volumes: [pgdata:/var/lib/postgresql/data]',
      'volumes: {pgdata: {}}',
      '',
    ].join('\n');
    const findings = lint({ 'compose.yaml': text });
    assert.equal(
      ofRule(findings, 'missing-restart-policy').length,
      0,
      'restart comes from *a (unless-stopped)',
    );
  });

  it('regression: fuzz-0004 deep flow nesting (10,000 `[` after a BOM: the YAML parser overflowed the stack and V8 aborted with a fatal RegExpCompiler OOM)', () => {
    const text = fixture('regressions/fuzz-0004-deep-flow-nesting.yaml');
    const { value: model, ms } = timed(() => parseFile('k.yaml', text, new Catalog()));
    assert.match(model.source!.skippedReason ?? '', /nested more than \d+ levels/);
    assert.ok(ms < 500, `took ${ms.toFixed(0)} ms`);
    // Other shapes of the same attack: nested maps, compact nested sequences, deep indentation.
    for (const deep of [
      `kind: ${'{a: '.repeat(MAX_NESTING + 1)}1${'}'.repeat(MAX_NESTING + 1)}`,
      `services:\n  a:\n    ${'- '.repeat(MAX_NESTING + 1)}x`,
      `services:\n${' '.repeat(MAX_NESTING + 1)}a: 1`,
    ]) {
      assert.match(parseFile('compose.yaml', deep, new Catalog()).source!.skippedReason ?? '', /nested/);
    }
    // Brackets inside quotes and comments do not count; ordinary nesting is parsed.
    const fine = `# ${'['.repeat(5000)}\nservices:\n  db: {image: "${'['.repeat(5000)}", labels: [a, [b, {c: d}]]}\n`;
    const m = parseFile('compose.yaml', fine, new Catalog());
    assert.equal(m.source!.skippedReason, undefined);
    assert.equal(m.workloads.length, 1);
  });

  it('regression: fuzz hang-j0-s20251129-0007845 compact nested sequences after a key (`kind: - - - …`: the nesting guard counted indicators at line starts only; 3,000,000 levels took the parser 55 s and 3.2 GB, then V8 aborted out of memory)', () => {
    const text = fixture('regressions/fuzz-hang-0007845-compact-nested-sequences.yaml');
    const model = parseFile('pdb.yaml', text, new Catalog());
    assert.match(model.source!.skippedReason ?? '', /nested more than \d+ levels/);
    // The found input's size: 3,000,000 indicators on one line, also separated by tabs.
    const stats = { documentParses: 0 };
    for (const sep of [' ', '\t']) {
      const huge = `apiVersion: apps/v1\nkind: ${`-${sep}`.repeat(3_000_000)}Deployment\n`;
      const m = parseFile('huge.yaml', huge, new Catalog(), { stats });
      assert.match(m.source!.skippedReason ?? '', /nested more than \d+ levels/);
    }
    assert.equal(stats.documentParses, 0, 'nothing handed to the YAML parser');
    // A list item's dash and ordinary text with dashes stay fine.
    const fine =
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n  note: "a - b - c"\n  list: |\n    - x\n';
    assert.equal(parseFile('cm.yaml', fine, new Catalog()).source!.skippedReason, undefined);
  });

  it('regression: fuzz memory-j0-s20240601-0000038 (block keys after a flow-style manifest: 60,026 YAML problems, 12 MB of diagnostics, 78 MB of parser errors kept) lists the first 100 and counts the rest', () => {
    const keys = Array.from({ length: 20_000 }, (_, i) => `  k${i}: v${i}`).join('\n');
    const text = `---\n{\n  apiVersion: "storage.k8s.io/v1",\n  kind: "StorageClass",\n  metadata: {name: "fast"},\n}\n\nx-many:\n${keys}\n`;
    const model = parseFile('sc.yaml', text, new Catalog());
    const problems = model.source!.syntaxErrors;
    assert.equal(problems.length, MAX_SYNTAX_PROBLEMS + 1);
    const more = Number(/^(\d+) more YAML problems/.exec(problems.at(-1)!.message)?.[1]);
    assert.ok(more > 10_000, problems.at(-1)!.message);
    assert.ok(problems.slice(0, -1).every((p) => p.severity === 'error'));
    // The parsed document keeps a bounded number of the parser's own error objects.
    assert.ok(model.source!.documents.every((d) => d.doc.errors.length <= MAX_SYNTAX_PROBLEMS));
    assert.ok(
      model.source!.documents.some((d) => d.doc.errors.length > 0),
      'still known to have errors',
    );
  });

  it('caps: 100,000 objects in one file are reported and not parsed; the cap counts `---` markers exactly', () => {
    const doc = (i: number) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c${i}}\n`;
    const huge = Array.from({ length: 100_000 }, (_, i) => `---\n${doc(i)}`).join('');
    const stats = { documentParses: 0 };
    const model = parseFile('huge.yaml', huge, new Catalog(), { stats });
    assert.match(model.source!.skippedReason ?? '', /more than 20000 YAML documents/);
    assert.equal(stats.documentParses, 0, 'nothing handed to the YAML parser');
    // Exactly at the cap: parsed. `----` and `---x` lines are not markers.
    const atCap =
      Array.from({ length: MAX_DOCUMENTS }, (_, i) => `---\n${doc(i)}`).join('') + '----\n---x: 1\n';
    const ok = parseFile('cap.yaml', atCap, new Catalog(), { stats });
    assert.equal(ok.source!.skippedReason, undefined);
    assert.equal(ok.source!.documents.length, MAX_DOCUMENTS);
  });

  it('caps: a compose file with more services and volumes than the cap is reported, not analysed', () => {
    const compose = (services: number, volumes: number) =>
      `services:\n${Array.from({ length: services }, (_, i) => `  s${i}: {image: postgres:16}\n`).join('')}` +
      (volumes > 0 ? `volumes:\n${Array.from({ length: volumes }, (_, i) => `  v${i}:\n`).join('')}` : '');
    const over = parseFile('compose.yaml', compose(MAX_COMPOSE_ENTRIES - 10, 11), new Catalog());
    assert.equal(
      over.source!.skippedReason,
      `file has ${MAX_COMPOSE_ENTRIES + 1} compose services and volumes; only files with up to ${MAX_COMPOSE_ENTRIES} are analysed`,
    );
    assert.equal(over.workloads.length, 0);
    assert.equal(over.source!.documents.length, 0, 'the trees of a skipped file are not kept');
    const atCap = parseFile('compose.yaml', compose(MAX_COMPOSE_ENTRIES - 10, 10), new Catalog());
    assert.equal(atCap.source!.skippedReason, undefined);
    assert.equal(atCap.workloads.length, MAX_COMPOSE_ENTRIES - 10);
  });

  it('caps: the items of a List count against the objects cap, with the documents beside it', () => {
    const list = (n: number) =>
      `apiVersion: v1\nkind: List\nitems:\n${'  - {apiVersion: v1, kind: ConfigMap, metadata: {name: c}}\n'.repeat(n)}`;
    const pod =
      'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: redis}]}\n';
    const over = parseFile('list.yaml', `${pod}---\n${list(MAX_DOCUMENTS)}`, new Catalog());
    assert.equal(
      over.source!.skippedReason,
      `file has ${MAX_DOCUMENTS + 1} Kubernetes objects (List items included); only files with up to ${MAX_DOCUMENTS} are analysed`,
    );
    assert.equal(over.workloads.length, 0);
    const atCap = parseFile('list.yaml', `${pod}---\n${list(MAX_DOCUMENTS - 1)}`, new Catalog());
    assert.equal(atCap.source!.skippedReason, undefined);
    assert.deepEqual(
      atCap.workloads.map((w) => w.ref),
      ['Pod/p'],
    );
  });

  it('caps: a finding carries at most MAX_RELATED related locations, the last one counting the rest', () => {
    // 1,000 budgets over the same 1,000 pods listed every pod in every finding: a 94 MB publication and a
    // 518 MB SARIF file. The rule now lists 10; the cap in the analysis bounds any rule. A rule of this test
    // reports 120 related locations through the real analysis.
    const catalog = new Catalog();
    const model = parseFile(
      'a.yaml',
      'apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: pv}\n',
      catalog,
    );
    const pv = model.objects[0]!;
    const manyRelated: Rule = {
      meta: { ...RULES[0]!.meta, id: 'many-related' },
      check(ctx) {
        ctx.report({
          objectId: pv.id,
          workload: pv.ref,
          range: pv.nameRange,
          message: 'm',
          related: Array.from({ length: 120 }, (_, i) => ({ range: pv.nameRange, message: `r${i}` })),
        });
      },
    };
    const { findings } = analyze(buildIndex([model], catalog), { catalog, rules: [manyRelated] });
    assert.equal(findings.length, 1);
    const related = findings[0]!.related;
    assert.equal(related.length, MAX_RELATED);
    assert.equal(related[0]!.message, 'r0');
    assert.equal(related[MAX_RELATED - 1]!.message, `r${MAX_RELATED - 1} (and ${120 - MAX_RELATED} more)`);
  });
});
