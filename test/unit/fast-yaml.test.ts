// The fast path (js-yaml events → `yaml` nodes) against the `yaml` parser: where it answers, the trees read
// the same (kinds, starts, content ends, values, styles) and the models built from them are identical;
// where the input needs the `yaml` parser (errors, anchors, tags…), it declines.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { isMap, isPair, isScalar, isSeq, Pair, parseDocument, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { Catalog } from '../../server/src/advisor/catalog/catalog.js';
import { EVENT_SCALAR, getScalarValue, parseEvents, type ScalarEvent } from 'js-yaml';
import { EVENT_WIDTH, PackedEvents, packEvents } from '../../server/src/advisor/parse/event-codec.js';
import { parseFast, tokenizeFast } from '../../server/src/advisor/parse/fast-yaml.js';
import { parseFile, releaseTrees } from '../../server/src/advisor/parse/parse-file.js';
import { mutate, mutationArb, renderWorkspace, styleArb, workspaceArb } from './arbitraries.js';
import { FIXTURES, yamlFiles } from './helpers.js';
import { treeDifference, yamlParse } from './yaml-trees.js';

const CORPORA = ['/work/shared/corpus/real-world', '/work/shared/corpus/peer-tests', FIXTURES];
const catalog = new Catalog();

/** The model of a file as JSON, its trees released (what the advisor keeps of a closed file). */
function modelJson(path: string, text: string, fast: boolean): string {
  const model = parseFile(path, text, catalog, { fast });
  releaseTrees(model);
  return JSON.stringify({ ...model, source: { ...model.source, lineCounter: undefined } });
}

/** Asserts the fast path's answer for `text`; returns whether it answered. */
function check(text: string, label: string): boolean {
  const fast = parseFast(text);
  if (!fast) return false;
  const difference = treeDifference(text, yamlParse(text), fast);
  assert.equal(difference, undefined, `${label}: ${difference}`);
  return true;
}

describe('fast YAML path', () => {
  test('corpus files: the same trees and models as the yaml parser; most files take the fast path', () => {
    let fast = 0;
    let all = 0;
    for (const dir of CORPORA) {
      for (const file of yamlFiles(dir)) {
        const text = readFileSync(file, 'utf8');
        all++;
        if (!check(text, file)) continue;
        fast++;
        assert.equal(modelJson(file, text, true), modelJson(file, text, false), `model of ${file}`);
      }
    }
    assert.ok(all > 150, `corpus files found: ${all}`);
    // 166 of 170 at the time of writing: the rest use anchors or have YAML errors.
    assert.ok(fast / all > 0.9, `fast path taken for ${fast} of ${all} files`);
  });

  test('generated workspaces in every style, mutated: never a different tree', () => {
    let answered = 0;
    let runs = 0;
    fc.assert(
      fc.property(workspaceArb, styleArb, fc.array(mutationArb, { maxLength: 3 }), (ws, style, mutations) => {
        runs++;
        for (const [name, text] of Object.entries(renderWorkspace(ws, style).files)) {
          const mutated = mutate(text, mutations);
          if (check(mutated, name)) {
            answered++;
            assert.equal(modelJson(name, mutated, true), modelJson(name, mutated, false), `model of ${name}`);
          }
        }
      }),
      { numRuns: 600, seed: 20261129 },
    );
    // Unmutated and lightly mutated files are mostly plain YAML: the comparison must have had material.
    assert.ok(answered > runs / 2, `fast path answered ${answered} files in ${runs} runs`);
  });

  test('declines what it does not reproduce', () => {
    const declined: Record<string, string> = {
      anchor: 'a: &x 1\nb: *x\n',
      tag: 'a: !!str 1\n',
      directive: '%YAML 1.2\n---\na: 1\n',
      'document end': 'a: 1\n...\n',
      'explicit key': '? a\n: 1\n',
      'complex key': '[a, b]: 1\n',
      'comments only': '# nothing here\n',
      'syntax error': 'a: b: c\n',
      'unclosed flow': 'a: [1, 2\n',
      'bad indentation': 'a:\n  b: 1\n c: 2\n',
      'implicit pair in a flow sequence': 'a: [b: 1]\n',
    };
    for (const [what, text] of Object.entries(declined)) {
      assert.equal(parseFast(text), undefined, what);
    }
  });

  test('reads what plain manifests use: flow, quoting, block scalars, empty values, numbers, documents', () => {
    const texts = [
      'a: [x, "y", {z: 1}]\nb: { }\nc: []\n',
      "a: 'it''s'\nb: \"\\u00e9\\n\"\nc: |\n  one\n  two\nd: >-\n  folded\n  text\n\ne: |+\n  kept\n\n",
      'a:\nb:   # comment\nc:\n  -\n  - \n  - x\n',
      'n: 0o17\nh: 0x1F\nf: 1.5e3\ni: .inf\nt: True\nz: ~\ns: 1.2.3\nq: "3"\n',
      '# lead\n---\na: 1\n# trail\n---\n---\nb:\n  - c: 1\n    d: 2\n',
      'a:\r\n  b: 1\r\n  c: [1, 2]\r\n',
      'a: plain\n  continued\nb: "quoted\n  continued"\n',
    ];
    for (const text of texts)
      assert.ok(check(text, JSON.stringify(text)), `fast path declined ${JSON.stringify(text)}`);
  });

  test("its nodes are the library's: type guards, classes, own items, and the library's own methods", () => {
    const text = 'a: [1, {b: two}]\nc:\n  - x\n  - y: null\n';
    const [doc] = parseFast(text) ?? [];
    assert.ok(doc, 'fast path declined');
    const root = doc.contents;
    assert.ok(isMap(root) && root instanceof YAMLMap);
    const [a, c] = root.items;
    assert.ok(isPair(a) && a instanceof Pair && isPair(c));
    assert.ok(isScalar(a.key) && a.key instanceof Scalar && a.key.value === 'a');
    assert.ok(isSeq(a.value) && a.value instanceof YAMLSeq && isSeq(c.value));
    // Each collection has its own items (none shares the prototype node's array).
    assert.notEqual(a.value.items, c.value.items);
    assert.notEqual(root.items, (a.value.items[1] as YAMLMap).items);
    // Methods of the library work on them as on its own nodes.
    assert.deepEqual(doc.toJS(), { a: [1, { b: 'two' }], c: ['x', { y: null }] });
    assert.equal(String(doc), String(parseDocument(text)));
    assert.deepEqual(root.clone().toJSON(), parseDocument(text).contents!.toJSON());
  });

  test('packed events: every event kept, scalars give the same values; anchors, tags, aliases, directives refused', () => {
    const texts = [
      "a: 'it''s'\nb: \"\\u00e9\\n\\\"x\"\nc: |\n  one\n  two\nd: >-\n  folded\n  text\n\ne: |+\n  kept\n\n",
      'a:\nb: [1, {c: d}]\nf: plain\n  continued\n---\n- x\n-\n',
    ];
    for (const text of texts) {
      const events = parseEvents(text, {});
      const packed = packEvents(events);
      assert.ok(packed, JSON.stringify(text));
      assert.equal(packed.length, events.length * EVENT_WIDTH);
      const reader = new PackedEvents(packed);
      let scalars = 0;
      events.forEach((e, k) => {
        const at = k * EVENT_WIDTH;
        assert.equal(reader.type(at), e.type);
        if (e.type !== EVENT_SCALAR) return;
        scalars++;
        const unpacked = reader.scalarAt(at);
        for (const key of ['valueStart', 'valueEnd', 'style', 'chomping', 'indent', 'fast'] as const)
          assert.equal(unpacked[key], (e as ScalarEvent)[key], `${key} of scalar ${k}`);
        assert.equal(getScalarValue(text, unpacked), getScalarValue(text, e));
      });
      assert.ok(scalars > 8);
      // What a worker hands over: the fast path builds the same documents from it.
      assert.equal(String(parseFast(text, tokenizeFast(text))), String(parseFast(text)));
    }
    const refused = [
      'a: &x 1\nb: *x\n',
      'a: !!str 1\n',
      '- !custom [1]\n',
      '%YAML 1.2\n---\na: 1\n',
      'a: 1\n...\n',
    ];
    for (const text of refused) assert.equal(packEvents(parseEvents(text, {})), undefined, text);
  });
});
