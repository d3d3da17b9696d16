// Positions are shared (one frozen object per line and character); the Locator's must be those of the
// `yaml` LineCounter, 0-based, offset by offset.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { LineCounter } from 'yaml';
import { position } from '../../server/src/advisor/model/source.js';
import { Locator } from '../../server/src/advisor/yaml/nodes.js';

function lineCounterOf(text: string): LineCounter {
  const lc = new LineCounter();
  lc.addNewLine(0);
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lc.addNewLine(i + 1);
  return lc;
}

describe('positions', () => {
  it('one frozen object per line and character', () => {
    const a = position(12, 7);
    assert.equal(position(12, 7), a);
    assert.ok(Object.isFrozen(a));
    assert.deepEqual({ ...a }, { line: 12, character: 7 });
    assert.notEqual(position(12, 8), a);
  });

  it('positions past the shared table’s bounds are new objects, with the same values', () => {
    for (const [line, character] of [
      [1 << 19, 0],
      [3, 4096],
    ] as const) {
      const p = position(line, character);
      assert.deepEqual({ ...p }, { line, character });
      assert.notEqual(position(line, character), p);
      assert.ok(Object.isFrozen(p));
    }
  });

  it('the Locator answers as LineCounter.linePos for every offset', () => {
    const text = 'a: 1\n\nbb:\n  - x\r\n  - "y"\n# end\n\nlast';
    const lc = lineCounterOf(text);
    const locator = new Locator('/f.yaml', lc);
    for (let offset = 0; offset <= text.length + 2; offset++) {
      const want = lc.linePos(offset);
      const got = locator.at(offset, offset).start;
      assert.deepEqual({ ...got }, { line: want.line - 1, character: want.col - 1 }, `offset ${offset}`);
    }
    // In any order (the Locator starts from the line it found last), and over typed line starts (tokens).
    const typed = new LineCounter();
    typed.lineStarts = Int32Array.from(lc.lineStarts) as unknown as number[];
    const offsets = Array.from({ length: text.length + 3 }, (_, i) => (i * 17) % (text.length + 3));
    for (const [label, lineCounter] of [
      ['shuffled', lc],
      ['typed', typed],
    ] as const) {
      const shuffled = new Locator('/f.yaml', lineCounter);
      for (const offset of [...offsets, ...offsets.slice().reverse()]) {
        const want = lc.linePos(offset);
        const got = shuffled.at(offset, offset).start;
        assert.deepEqual(
          { ...got },
          { line: want.line - 1, character: want.col - 1 },
          `${label}: offset ${offset}`,
        );
      }
    }
    // No line starts at all: as `linePos` answers (line 0), less one.
    const empty = new Locator('/g.yaml', new LineCounter()).at(5, 5).start;
    assert.deepEqual({ ...empty }, { line: -1, character: 4 });
  });
});
