// Edit primitives (fix/yaml-edit.ts): each edit must leave valid YAML with every other byte unchanged,
// in block and flow style, LF and CRLF.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { LineCounter, parseAllDocuments, type Document, type YAMLMap, type YAMLSeq } from 'yaml';
import {
  appendItem,
  indentStyle,
  insertPair,
  replaceScalar,
  setIn,
} from '../../server/src/advisor/fix/yaml-edit.js';
import type { SourceFile, TextEdit } from '../../server/src/advisor/model/model.js';
import { getIn } from '../../server/src/advisor/yaml/nodes.js';
import { applyEdits } from './helpers.js';

function source(text: string): SourceFile {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter }) as Document.Parsed[];
  return {
    path: 'f.yaml',
    text,
    kind: 'other',
    lineCounter,
    documents: docs.map((doc, index) => ({
      index,
      doc,
      range: { file: 'f.yaml', start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    })),
    syntaxErrors: [],
  };
}

function doc(s: SourceFile, i = 0): Document {
  return s.documents[i]!.doc;
}

function at<T>(s: SourceFile, path: string[], i = 0): T {
  const d = doc(s, i);
  return (path.length === 0 ? d.contents : getIn(d, d.contents, path)) as T;
}

function apply(s: SourceFile, e: TextEdit | TextEdit[]): string {
  const out = applyEdits(s.text, s.path, Array.isArray(e) ? e : [e]);
  const errors = parseAllDocuments(out).flatMap((d) => d.errors);
  assert.deepEqual(errors, [], `edited text does not parse:\n${out}`);
  return out;
}

describe('insertPair', () => {
  test('block map: after the last entry, at its indentation, comments kept', () => {
    const s = source('a:\n  b: 1\n  c: 2 # c\nd: 3\n');
    assert.equal(
      apply(s, insertPair(s, at(s, ['a']), 'x', { y: [1, 2] })),
      'a:\n  b: 1\n  c: 2 # c\n  x:\n    y:\n      - 1\n      - 2\nd: 3\n',
    );
  });
  test('block map at end of file without a newline', () => {
    const s = source('a:\n  b: 1');
    assert.equal(apply(s, insertPair(s, at(s, ['a']), 'x', 'v')), 'a:\n  b: 1\n  x: v\n');
  });
  test('block map whose last value is a nested map, a flush sequence or a block scalar', () => {
    let s = source('a:\n  b:\n    c: 1\n');
    assert.equal(apply(s, insertPair(s, at(s, ['a']), 'x', 'v')), 'a:\n  b:\n    c: 1\n  x: v\n');
    s = source('a:\n  b:\n  - 1\n  - 2\nz: 1\n');
    assert.equal(apply(s, insertPair(s, at(s, ['a']), 'x', 'v')), 'a:\n  b:\n  - 1\n  - 2\n  x: v\nz: 1\n');
    s = source('a:\n  b: |\n    line1\n    line2\nz: 1\n');
    assert.equal(
      apply(s, insertPair(s, at(s, ['a']), 'x', 'v')),
      'a:\n  b: |\n    line1\n    line2\n  x: v\nz: 1\n',
    );
  });
  test('block map followed by a comment line keeps the comment', () => {
    const s = source('a:\n  b: 1\n# about z\nz: 1\n');
    assert.equal(apply(s, insertPair(s, at(s, ['a']), 'x', 'v')), 'a:\n  b: 1\n  x: v\n# about z\nz: 1\n');
  });
  test('map inside a sequence item', () => {
    const s = source('a:\n  - name: x\n    v: 1\n  - name: y\n');
    const seq = at<YAMLSeq>(s, ['a']);
    assert.equal(
      apply(s, insertPair(s, seq.items[0] as YAMLMap, 'k', 'v')),
      'a:\n  - name: x\n    v: 1\n    k: v\n  - name: y\n',
    );
  });
  test('flow map: plain, empty, JSON style, multi-line with trailing comma', () => {
    let s = source('a: {b: 1}\n');
    assert.equal(apply(s, insertPair(s, at(s, ['a']), 'x', 'v')), 'a: {b: 1, x: v}\n');
    s = source('a: {}\n');
    assert.equal(apply(s, insertPair(s, at(s, ['a']), 'x', 'v')), 'a: {x: v}\n');
    s = source('{"a": {"b": 1}}\n');
    assert.equal(apply(s, insertPair(s, at(s, ['a']), 'x', { y: 1 })), '{"a": {"b": 1, "x": {"y":1}}}\n');
    s = source('a: {\n  b: 1,\n}\n');
    assert.equal(apply(s, insertPair(s, at(s, ['a']), 'x', 'v')), 'a: {\n  b: 1,\n  x: v,\n}\n');
  });
  test('CRLF file: inserted lines use CRLF', () => {
    const s = source('a:\r\n  b: 1\r\nz: 1\r\n');
    assert.equal(
      apply(s, insertPair(s, at(s, ['a']), 'x', { y: 1 })),
      'a:\r\n  b: 1\r\n  x:\r\n    y: 1\r\nz: 1\r\n',
    );
  });
});

describe('appendItem', () => {
  test('block sequence: indented and flush, scalar and map items', () => {
    let s = source('a:\n  - 1\n  - 2 # two\nb: 1\n');
    assert.equal(apply(s, appendItem(s, at(s, ['a']), 'x')), 'a:\n  - 1\n  - 2 # two\n  - x\nb: 1\n');
    s = source('a:\n- 1\n- 2\nb: 1\n');
    assert.equal(
      apply(s, appendItem(s, at(s, ['a']), { k: 'v', l: 2 })),
      'a:\n- 1\n- 2\n- k: v\n  l: 2\nb: 1\n',
    );
    s = source('a:\n  - name: x\n    v: 1\nb: 1\n');
    assert.equal(
      apply(s, appendItem(s, at(s, ['a']), { name: 'y', v: 2 })),
      'a:\n  - name: x\n    v: 1\n  - name: y\n    v: 2\nb: 1\n',
    );
  });
  test('block sequence whose last item holds a nested sequence', () => {
    const s = source('c:\n  - name: a\n    m:\n      - 1\n  - name: b\n    m:\n      - 2\n');
    assert.equal(
      apply(s, appendItem(s, at(s, ['c']), { name: 'c' })),
      'c:\n  - name: a\n    m:\n      - 1\n  - name: b\n    m:\n      - 2\n  - name: c\n',
    );
  });
  test('flow sequence: plain, empty, JSON style', () => {
    let s = source('a: [1, 2]\n');
    assert.equal(apply(s, appendItem(s, at(s, ['a']), 'x y')), 'a: [1, 2, x y]\n');
    s = source('a: []\n');
    assert.equal(apply(s, appendItem(s, at(s, ['a']), 'x')), 'a: [x]\n');
    s = source('{"a": ["p"]}\n');
    assert.equal(apply(s, appendItem(s, at(s, ['a']), 'q')), '{"a": ["p", "q"]}\n');
  });
});

describe('setIn', () => {
  test('creates the missing part of a path under the deepest existing map', () => {
    const s = source('spec:\n  template:\n    spec:\n      containers: []\n');
    assert.equal(
      apply(s, setIn(s, doc(s), at(s, []), ['spec', 'template', 'spec', 'nodeSelector', 'k/x'], 'v')),
      'spec:\n  template:\n    spec:\n      containers: []\n      nodeSelector:\n        k/x: v\n',
    );
  });
  test('replaces an existing scalar, keeping its quotes and trailing comment', () => {
    const s = source('a:\n  b: "3" # c\n');
    assert.equal(apply(s, setIn(s, doc(s), at(s, []), ['a', 'b'], '1')), 'a:\n  b: "1" # c\n');
  });
  test('append: to an existing flow or block sequence, or as a new sequence', () => {
    let s = source('deploy:\n  placement:\n    constraints: [a == 1]\n');
    assert.equal(
      apply(
        s,
        setIn(s, doc(s), at(s, []), ['deploy', 'placement', 'constraints'], 'c == 1', { append: true }),
      ),
      'deploy:\n  placement:\n    constraints: [a == 1, c == 1]\n',
    );
    s = source('deploy:\n  placement:\n    constraints:\n      - a == 1\n');
    assert.equal(
      apply(
        s,
        setIn(s, doc(s), at(s, []), ['deploy', 'placement', 'constraints'], 'c == 1', { append: true }),
      ),
      'deploy:\n  placement:\n    constraints:\n      - a == 1\n      - c == 1\n',
    );
    s = source('deploy: {replicas: 2}\n');
    assert.equal(
      apply(
        s,
        setIn(s, doc(s), at(s, []), ['deploy', 'placement', 'constraints'], 'c == 1', { append: true }),
      ),
      'deploy: {replicas: 2, placement: { constraints: [ c == 1 ] }}\n',
    );
  });
  test('key with an empty value, a comment or an explicit null', () => {
    let s = source('deploy:\n  placement:\nx: 1\n');
    assert.equal(
      apply(s, setIn(s, doc(s), at(s, []), ['deploy', 'placement', 'constraints'], 'c', { append: true })),
      'deploy:\n  placement:\n    constraints:\n      - c\nx: 1\n',
    );
    s = source('deploy:\n  placement: # here\nx: 1\n');
    assert.equal(
      apply(s, setIn(s, doc(s), at(s, []), ['deploy', 'placement', 'constraints'], 'c', { append: true })),
      'deploy:\n  placement: # here\n    constraints:\n      - c\nx: 1\n',
    );
    s = source('deploy:\n  placement: null\nx: 1\n');
    assert.equal(
      apply(s, setIn(s, doc(s), at(s, []), ['deploy', 'placement', 'constraints'], 'c', { append: true })),
      'deploy:\n  placement:\n    constraints:\n      - c\nx: 1\n',
    );
  });
  test('CRLF file: a key with an empty value gets whole CRLF line breaks', () => {
    const s = source('deploy:\r\n  placement:\r\nx: 1\r\n');
    assert.equal(
      apply(s, setIn(s, doc(s), at(s, []), ['deploy', 'placement', 'constraints'], 'c', { append: true })),
      'deploy:\r\n  placement:\r\n    constraints:\r\n      - c\r\nx: 1\r\n',
    );
  });
  test('second document of a multi-document file', () => {
    const s = source('a: 1\n---\nb:\n  c: 1\n');
    assert.equal(
      apply(s, setIn(s, doc(s, 1), at(s, [], 1), ['b', 'x'], 'v')),
      'a: 1\n---\nb:\n  c: 1\n  x: v\n',
    );
  });
});

describe('replaceScalar', () => {
  test('keeps the quoting style; quotes a plain string that would read as a number', () => {
    const s = source("a: '3'\nb: 3\nc: x\n");
    const d = doc(s);
    assert.equal(apply(s, replaceScalar(s, getIn(d, d.contents, ['a'])!, '1')), "a: '1'\nb: 3\nc: x\n");
    assert.equal(apply(s, replaceScalar(s, getIn(d, d.contents, ['b'])!, '1')), 'a: \'3\'\nb: "1"\nc: x\n');
    assert.equal(
      apply(s, replaceScalar(s, getIn(d, d.contents, ['c'])!, 'Retain')),
      "a: '3'\nb: 3\nc: Retain\n",
    );
  });
});

describe('indentStyle', () => {
  const style = (text: string) => indentStyle({ ...source('a: 1\n'), text });

  test('the step is the first indentation that is not an item', () => {
    assert.deepEqual(style('a:\n  b: 1\n'), { step: 2, indentSeq: true });
    assert.deepEqual(style('# c\na:\n    b:\n      c: 1\n'), { step: 4, indentSeq: true });
    assert.equal(style('a:\n  - x\nb:\n    c: 1\n').step, 4);
    assert.equal(style('a: 1\n').step, 2); // nothing nested: the default
  });

  test('sequences under a key: flush or indented, by majority', () => {
    assert.equal(style('a:\n- x\n- y\nb:\n- z\n').indentSeq, false);
    assert.equal(style('a:\n  - x\nb:\n  - y\n').indentSeq, true);
    // A key followed by a comment is still a key alone on its line.
    assert.equal(style('a: # c\n- x\nb:   # d\n- y\nc:\n  - z\n').indentSeq, false);
    assert.equal(style('a:\r\n- x\r\nb:\r\n- y\r\nc:\r\n  - z\r\n').indentSeq, false);
    // A key with a value, or a `#` inside it, is not.
    assert.equal(style('a: b\n- x\nc: d\n- y\ne:\n  - z\n').indentSeq, true);
    // An item holding a key alone (`- name:`): what is nested under it counts from after the `- `.
    assert.equal(style('list:\n- name:\n    - x\n- b:\n    - y\nc:\n- z\n').indentSeq, true);
    assert.equal(style('list:\n- name:\n  - x\n- b:\n  - y\nc:\n  - z\n').indentSeq, false);
  });

  test('only the first 5,000 lines are read', () => {
    const indented = 'k:\n  - x\n'.repeat(2500);
    const flush = 'k:\n- x\n'.repeat(5000);
    assert.equal(style(indented + flush).indentSeq, true);
    assert.equal(style(flush + indented).indentSeq, false);
  });
});
