// Performance invariants with behavioural proof: the per-document parse cache re-parses only the edited
// YAML document of a multi-document file (documentParses counter) and yields exactly the findings, ranges
// and fixes of a whole-file parse, also for the documents after the edit whose lines shift; lazy quick
// fixes (built only when asked for) equal the fixes built for every finding.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isNode, visit } from 'yaml';
import { Advisor } from '../../server/src/advisor/advisor.js';
import { Catalog } from '../../server/src/advisor/catalog/catalog.js';
import type { FileModel } from '../../server/src/advisor/model/workspace.js';
import { DocumentCache, parseFile } from '../../server/src/advisor/parse/parse-file.js';
import { yamlFiles } from './helpers.js';

const EXAMPLES = join(__dirname, '../../examples/kubernetes');

/** The example manifests (StatefulSets, StorageClasses, PDBs, Velero…) as one multi-document file. */
const MANIFEST = yamlFiles(EXAMPLES)
  .map((p) =>
    readFileSync(p, 'utf8')
      .replace(/^---\n/, '')
      .trimEnd(),
  )
  .join('\n---\n')
  .concat('\n');
const PATH = 'file:///ws/all.yaml';

/** Everything a parse yields that findings, ranges and fixes depend on (YAML nodes by their ranges). */
function snapshot(model: FileModel): string {
  const s = model.source!;
  const docs = s.documents.map((d) => {
    const ranges: unknown[] = [];
    visit(d.doc, (_k, n) => {
      if (isNode(n)) ranges.push(n.range);
    });
    const text = d.doc.errors.length > 0 ? d.doc.errors.map((e) => e.message).join() : String(d.doc);
    return { index: d.index, range: d.range, doc: d.doc.range, ranges, text };
  });
  const noNodes = (k: string, v: unknown) => (k === 'node' ? undefined : v);
  return JSON.stringify(
    {
      kind: s.kind,
      lines: s.lineCounter.lineStarts,
      docs,
      syntax: s.syntaxErrors,
      w: model.workloads,
      o: model.objects,
    },
    noNodes,
  );
}

function fresh(text: string) {
  const a = new Advisor();
  a.setFile(PATH, text);
  return a.analyze();
}

describe('per-document parse cache', () => {
  const docCount = MANIFEST.split('\n---\n').length;

  it('the example manifest is a multi-document file with findings', () => {
    assert.ok(docCount >= 8, `${docCount} documents`);
    assert.ok(fresh(MANIFEST).findings.length > 0);
  });

  it('an edit in one document re-parses exactly that document, with the findings of a full parse', () => {
    const advisor = new Advisor();
    advisor.setFile(PATH, MANIFEST);
    assert.equal(advisor.stats.documentParses, docCount);
    const edited = MANIFEST.replace(/replicas: 3\b/, 'replicas: 2');
    assert.notEqual(edited, MANIFEST);
    advisor.setFile(PATH, edited);
    assert.equal(advisor.stats.documentParses, docCount + 1, 'one document re-parsed');
    assert.deepEqual(advisor.analyze(), fresh(edited));
    assert.equal(snapshot(advisor.model(PATH)!), snapshot(parseFile(PATH, edited, new Catalog())));
  });

  it('documents after a line-inserting edit shift: same ranges, findings and fixes as a full parse', () => {
    const advisor = new Advisor();
    advisor.setFile(PATH, MANIFEST);
    const before = advisor.stats.documentParses;
    // Two lines into the second document: every later document moves down by two lines.
    const second = MANIFEST.indexOf('\n---\n') + 5;
    const edited = `${MANIFEST.slice(0, second)}# inserted\n# lines\n${MANIFEST.slice(second)}`;
    advisor.setFile(PATH, edited);
    assert.equal(advisor.stats.documentParses, before + 1, 'only the edited document is parsed');
    const expected = fresh(edited);
    assert.deepEqual(advisor.analyze(), expected);
    assert.ok(
      expected.findings.some((f) => f.range.start.line > 100),
      'findings after the edit',
    );
    assert.equal(snapshot(advisor.model(PATH)!), snapshot(parseFile(PATH, edited, new Catalog())));
    // And back: the cached documents move up again.
    advisor.setFile(PATH, MANIFEST);
    assert.equal(advisor.stats.documentParses, before + 2);
    assert.deepEqual(advisor.analyze(), fresh(MANIFEST));
  });

  it('a removed document and a reordered file still match a full parse', () => {
    const docs = MANIFEST.split('\n---\n');
    const advisor = new Advisor();
    advisor.setFile(PATH, MANIFEST);
    const swapped = [docs[1], docs[0], ...docs.slice(3)].join('\n---\n');
    advisor.setFile(PATH, swapped);
    assert.deepEqual(advisor.analyze(), fresh(swapped));
    assert.equal(snapshot(advisor.model(PATH)!), snapshot(parseFile(PATH, swapped, new Catalog())));
  });

  it('falls back to a whole-text parse for broken documents and directives, with identical results', () => {
    const cache = new DocumentCache();
    const catalog = new Catalog();
    for (const text of [
      MANIFEST,
      MANIFEST.replace('kind: StatefulSet', 'kind: [StatefulSet'), // a flow collection left open
      `%YAML 1.2\n---\n${MANIFEST}`,
      MANIFEST.replace(/\n/g, '\r\n'),
      `# leading comment\n\n---\n${MANIFEST}`,
      `a: 1\n---\n${MANIFEST}...\n# after the end marker\n`,
      `--- |\nblock at column 0\n---\n${MANIFEST}`,
      MANIFEST,
    ]) {
      assert.equal(
        snapshot(parseFile(PATH, text, catalog, { cache })),
        snapshot(parseFile(PATH, text, catalog)),
      );
    }
  });
});

describe('lazy quick fixes', () => {
  const advisor = new Advisor();
  advisor.setFile(PATH, MANIFEST);
  advisor.setFile(
    'file:///ws/compose.yaml',
    readFileSync(join(__dirname, '../../examples/compose/docker-compose.yml'), 'utf8'),
  );
  const all = advisor.analyze(undefined, { fixes: true });

  it('fixes built on demand equal the fixes of a run that builds them all', () => {
    assert.ok(all.findings.some((f) => f.fixes.length > 0));
    const none = advisor.analyze(undefined, { fixes: false });
    assert.ok(none.findings.every((f) => f.fixes.length === 0));
    assert.deepEqual(
      none.findings,
      all.findings.map((f) => ({ ...f, fixes: [] })),
    );
    const onlyCompose = advisor.analyze(undefined, { fixes: new Set(['file:///ws/compose.yaml']) });
    assert.deepEqual(
      onlyCompose.findings,
      all.findings.map((f) => (f.range.file === 'file:///ws/compose.yaml' ? f : { ...f, fixes: [] })),
    );
    assert.deepEqual(advisor.analyze(), all, 'fixes are built by default');
  });
});

/** The `metadata:` block of a document indented by 4 instead of 2, each line as long as before. */
function reindentMetadata(doc: string): string {
  return doc.replace(/^metadata:\n((?: {2}\S.*\n)+)/m, (_m, block: string) => {
    const lines = block.split('\n').filter((l) => l !== '');
    return `metadata:\n${lines.map((l) => `  ${l.slice(0, -2)}`).join('\n')}\n`;
  });
}

describe('fix cache', () => {
  const withFixes = (a: { findings: { fixes: unknown[] }[] }) => a.findings.filter((f) => f.fixes.length > 0);

  it('an edit in one document rebuilds only the fixes of that document; all fixes equal a fresh run', () => {
    const advisor = new Advisor();
    advisor.setFile(PATH, MANIFEST);
    const first = advisor.analyze();
    const fixable = withFixes(first).length;
    assert.ok(fixable >= 5, `${fixable} findings with fixes`);
    assert.equal(advisor.stats.fixBuilds, fixable);
    // Same text again: every fix from the cache.
    assert.deepEqual(advisor.analyze(), first);
    assert.equal(advisor.stats.fixBuilds, fixable);
    // One value in one document: its findings' fixes are rebuilt, the others reused.
    const edited = MANIFEST.replace(/replicas: 3\b/, 'replicas: 2');
    advisor.setFile(PATH, edited);
    const before = advisor.stats.fixBuilds;
    assert.deepEqual(advisor.analyze(), fresh(edited));
    const rebuilt = advisor.stats.fixBuilds - before;
    assert.ok(rebuilt >= 1 && rebuilt < fixable / 2, `${rebuilt} of ${fixable} rebuilt`);
  });

  it('whatever the edit, cached fixes equal freshly built ones', () => {
    const docs = MANIFEST.split('\n---\n');
    const second = MANIFEST.indexOf('\n---\n') + 5;
    // Each edit applies to the text before it: the same-length ones follow the original text, so the
    // documents after them are the same parsed documents at the same offsets (only lines or style differ).
    const edits: [string, string][] = [
      // Same length, one more line: the documents after it keep their offsets but move down a line.
      ['a character above swapped for a line break', MANIFEST.replace('# Nightly', '#\n#ightly')],
      ['back to the start', MANIFEST],
      // The first indented line sets the file's indentation step, which every rendered fix follows: the
      // first document's metadata indented by 4, 2 characters fewer per value, nothing else moves.
      ['indentation step changed', [reindentMetadata(docs[0]!), ...docs.slice(1)].join('\n---\n')],
      ['back to the start again', MANIFEST],
      ['same length, earlier document', MANIFEST.replace(/replicas: 3\b/, 'replicas: 5')],
      ['lines inserted above', `${MANIFEST.slice(0, second)}# a\n# b\n${MANIFEST.slice(second)}`],
      [
        'a StorageClass parameter',
        MANIFEST.replace(/provisioner: ([^\n]+)/, 'provisioner: $1\nallowVolumeExpansion: true'),
      ],
      [
        'last document changed (appended fixes)',
        `${MANIFEST}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n`,
      ],
      ['last document removed', docs.slice(0, -1).join('\n---\n')],
      ['documents reordered', [docs[1], docs[0], ...docs.slice(2)].join('\n---\n')],
      ['back to the end', MANIFEST],
    ];
    const advisor = new Advisor();
    advisor.setFile(PATH, MANIFEST);
    advisor.analyze();
    for (const i of [0, 2]) {
      assert.notEqual(edits[i]![1], MANIFEST);
      assert.equal(edits[i]![1].length, MANIFEST.length);
    }
    for (const [what, text] of edits) {
      advisor.setFile(PATH, text);
      assert.deepEqual(advisor.analyze(), fresh(text), what);
    }
  });
});
