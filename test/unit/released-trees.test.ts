// Closed files are kept as models only (their YAML trees released, ~25× lighter): rules must give exactly
// the findings of a full parse, and a fix that edits a closed file (the StorageClass behind a double
// replication, the budget another file declares) must get that file's trees back and be the same fix.
import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { Advisor, type AdvisorOptions } from '../../server/src/advisor/advisor.js';
import type { Finding } from '../../server/src/advisor/model/model.js';
import { isPacked } from '../../server/src/advisor/parse/parse-file.js';
import { deflateText } from '../../server/src/service/text-packing.js';
import { FIXTURES, yamlFiles } from './helpers.js';
import { getHeapSnapshot } from 'node:v8';
import { text as streamText } from 'node:stream/consumers';

const ROOT = join(__dirname, '../..');

/** Every fixture folder and the examples, each one workspace (cross-file references resolve inside it). */
const WORKSPACES = [
  join(ROOT, 'examples'),
  ...readdirSync(FIXTURES)
    .map((d) => join(FIXTURES, d))
    .filter((d) => statSync(d).isDirectory())
    .flatMap((d) => [
      d,
      ...readdirSync(d)
        .map((s) => join(d, s))
        .filter((s) => statSync(s).isDirectory()),
    ]),
].map((dir) => ({
  name: relative(ROOT, dir),
  files: yamlFiles(dir).map((p) => ({ path: p, text: readFileSync(p, 'utf8') })),
}));

function advisorFor(files: { path: string; text: string }[], options: AdvisorOptions): Advisor {
  const a = new Advisor(undefined, options);
  for (const f of files) a.setFile(f.path, f.text);
  return a;
}

const withoutFixes = (fs: Finding[]) => JSON.stringify(fs.map((f) => ({ ...f, fixes: [] })));

describe('released YAML trees', () => {
  it('covers the fixtures', () => {
    assert.ok(WORKSPACES.length > 20, `${WORKSPACES.length} workspaces`);
    assert.ok(WORKSPACES.reduce((n, w) => n + w.files.length, 0) > 100);
  });

  it('rules find exactly what they find with the trees', () => {
    let findings = 0;
    for (const ws of WORKSPACES) {
      const full = advisorFor(ws.files, {}).analyze(undefined, { fixes: false });
      const lean = advisorFor(ws.files, { keepTrees: () => false });
      for (const f of ws.files) {
        const source = lean.model(f.path)!.source!;
        assert.equal(source.treesReleased, true, f.path);
        assert.equal(source.documents.length, 0, f.path);
        for (const o of [...lean.model(f.path)!.workloads, ...lean.model(f.path)!.objects])
          assert.equal(o.node, undefined, `${o.id} keeps its node`);
      }
      const released = lean.analyze(undefined, { fixes: false });
      assert.deepEqual(released.failures, [], ws.name);
      assert.equal(withoutFixes(released.findings), withoutFixes(full.findings), ws.name);
      // The same with the texts packed (the language server's closed files).
      const packed = advisorFor(ws.files, { keepTrees: () => false, packText: deflateText });
      for (const f of ws.files) assert.equal(packed.model(f.path)!.source!.text, f.text, f.path);
      const fromPacked = packed.analyze(undefined, { fixes: false });
      assert.equal(withoutFixes(fromPacked.findings), withoutFixes(full.findings), ws.name);
      findings += full.findings.length;
    }
    assert.ok(findings > 100, `${findings} findings compared`);
  });

  it('a fix for an open file is the same when the files it edits are closed', () => {
    let compared = 0;
    let crossFile = 0;
    for (const ws of WORKSPACES) {
      const full = advisorFor(ws.files, {}).analyze();
      for (const open of ws.files) {
        const want = full.findings.filter((f) => f.range.file === open.path);
        for (const packText of [undefined, deflateText]) {
          const lean = advisorFor(ws.files, { keepTrees: (p) => p === open.path, packText });
          const onlyOpen = new Set([open.path]);
          const got = lean.analyze(onlyOpen, { fixes: onlyOpen }).findings;
          assert.equal(JSON.stringify(got), JSON.stringify(want), `${ws.name}: ${open.path}`);
        }
        for (const f of want) {
          compared += f.fixes.length;
          if (f.fixes.some((x) => x.edits.some((e) => e.range.file !== open.path))) crossFile++;
        }
      }
    }
    assert.ok(compared > 50, `${compared} fixes compared`);
    assert.ok(crossFile > 0, 'some fixes edit a file other than the finding’s');
  });

  it('a closed file opened gets its trees back with the same text', () => {
    const ws = WORKSPACES.find((w) => w.name.endsWith('double-replication'))!;
    const open = new Set<string>();
    const a = advisorFor(ws.files, { keepTrees: (p) => open.has(p) });
    const file = ws.files[0]!;
    const parses = a.stats.parses;
    assert.equal(a.setFile(file.path, file.text), false, 'same text, still closed: nothing parsed');
    assert.equal(a.stats.parses, parses);
    open.add(file.path);
    assert.equal(a.setFile(file.path, file.text), true, 'opened: parsed again');
    assert.equal(a.stats.parses, parses + 1);
    assert.ok(a.model(file.path)!.source!.documents.length > 0);
    open.delete(file.path);
    assert.equal(a.setFile(file.path, file.text), false, 'closed again: released in place');
    assert.equal(a.model(file.path)!.source!.documents.length, 0);
  });

  it('a closed file keeps its text packed, and gets it back as a field when opened', () => {
    const ws = WORKSPACES.find((w) => w.name.endsWith('double-replication'))!;
    const open = new Set<string>();
    let unpacks = 0;
    const a = advisorFor(ws.files, {
      keepTrees: (p) => open.has(p),
      packText: {
        pack: deflateText.pack,
        unpack: (packed) => (unpacks++, deflateText.unpack(packed)),
      },
    });
    const file = ws.files[0]!;
    const source = () => a.model(file.path)!.source!;
    assert.equal(isPacked(source()), true, 'packed');
    assert.equal(
      Object.values(source()).some((v) => v === file.text),
      false,
      'the plain text is not kept beside the packed one',
    );
    const parses = a.stats.parses;
    assert.equal(a.setFile(file.path, file.text), false, 'the same text, compared with the packed one');
    assert.equal(unpacks, 1);
    assert.equal(a.setFile(file.path, `${file.text}\n# changed\n`), true, 'a changed text is parsed');
    assert.equal(a.stats.parses, parses + 1);
    assert.equal(source().text, `${file.text}\n# changed\n`);
    open.add(file.path);
    assert.equal(a.setFile(file.path, file.text), true, 'opened: parsed with its trees');
    assert.equal(isPacked(source()), false, 'unpacked when opened');
    assert.equal(source().text, file.text);
    const reads = unpacks;
    assert.equal(source().text, file.text);
    assert.equal(unpacks, reads, 'an opened file’s text is a plain field: read without unpacking');
  });

  it('a released model’s empty lists and maps are one shared, frozen value', () => {
    const files = WORKSPACES.flatMap((w) => w.files);
    const a = advisorFor(files, { keepTrees: () => false });
    const workloads = files.flatMap((f) => a.model(f.path)!.workloads);
    const noDeps = workloads.filter((w) => w.dependsOn.length === 0);
    const noLabels = workloads.filter((w) => Object.keys(w.annotations).length === 0);
    assert.ok(noDeps.length > 10 && noLabels.length > 10);
    for (const w of noDeps) assert.equal(w.dependsOn, noDeps[0]!.dependsOn, w.id);
    for (const w of noLabels) assert.equal(w.annotations, noLabels[0]!.annotations, w.id);
    assert.ok(Object.isFrozen(noDeps[0]!.dependsOn) && Object.isFrozen(noLabels[0]!.annotations));
    // A list with items stays the model's own.
    const withArgs = workloads.flatMap((w) => w.containers).filter((c) => c.args.length > 0);
    assert.ok(withArgs.length > 0 && withArgs.every((c) => !Object.isFrozen(c.args)));
  });

  it('a packed file’s line starts are counted again from its text', () => {
    const ws = WORKSPACES.find((w) => w.name.endsWith('double-replication'))!;
    const plain = advisorFor(ws.files, { keepTrees: () => false });
    const packed = advisorFor(ws.files, { keepTrees: () => false, packText: deflateText });
    for (const f of ws.files) {
      const want = plain.model(f.path)!.source!.lineCounter.lineStarts;
      assert.ok(want.length > 1, f.path);
      assert.deepEqual(packed.model(f.path)!.source!.lineCounter.lineStarts, want, f.path);
    }
  });

  it('a packed file’s text is not kept in memory through its model’s strings', async () => {
    // Values of 13 characters or more would be slices of the text in V8, keeping all of it: the fast
    // parser copies them. A heap snapshot (taken after a full collection) must not hold the text.
    const marker = `marker-${process.pid}-${Date.now()}`;
    const closed = () => false;
    const a = new Advisor(undefined, { incremental: closed, keepTrees: closed, packText: deflateText });
    const path = '/ws/statefulset.yaml';
    const length = addStatefulSet(a, path, marker);
    assert.ok(a.model(path)!.workloads.some((w) => w.name.startsWith('postgres-primary')));
    assert.ok(a.model(path)!.workloads[0]!.containers[0]!.image.length >= 13);
    const strings = await heapStrings();
    assert.equal(
      strings.some((s) => s.length >= length && s.includes(marker)),
      false,
      'the whole text is still on the heap',
    );
    assert.equal(a.model(path)!.source!.text.length, length, 'and can be read back');
  });
});

/** Sets a file built here (no literal keeps it) and returns its length. */
function addStatefulSet(a: Advisor, path: string, marker: string): number {
  const text = [
    `# ${marker}`,
    'apiVersion: apps/v1',
    'kind: StatefulSet',
    'metadata:',
    `  name: postgres-primary-${marker.length}`,
    'spec:',
    '  replicas: 3',
    '  template:',
    '    spec:',
    '      containers:',
    '        - name: postgres-database',
    '          image: docker.io/library/postgres:16.4-bookworm',
    '          volumeMounts:',
    '            - name: data-volume-claim',
    '              mountPath: /var/lib/postgresql/data',
    '  volumeClaimTemplates:',
    '    - metadata:',
    '        name: data-volume-claim',
    '      spec:',
    '        storageClassName: local-path-provisioner',
    '',
  ].join('\n');
  a.setFile(path, text);
  return text.length;
}

/** Every string on this process's heap (a snapshot). */
async function heapStrings(): Promise<string[]> {
  const snapshot = JSON.parse(await streamText(getHeapSnapshot())) as { strings: string[] };
  return snapshot.strings;
}
