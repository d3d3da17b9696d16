// The heap compactor's schedule: rounds only once quiet, never while a handler runs, spaced so V8 can see a
// low allocation rate (it shrinks the young generation only then), and `maxRounds` per quiet period once begun.
// The collection itself is the real `gc` where exposed; here a recorder stands in for it, since what is
// tested is when it is called, not what V8 does.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { HeapCompactor } from '../../server/src/service/heap-compaction.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function recorder() {
  const at: number[] = [];
  return { at, gc: () => void at.push(performance.now()) };
}

// Every round is worth another (no growth or freed-bytes threshold): only the schedule decides.
const OPTIONS = {
  checkMs: 10,
  idleMs: 100,
  minGrowthBytes: -Infinity,
  minFreedBytes: -Infinity,
  maxRounds: 3,
  roundIntervalMs: 150,
};

describe('heap compaction schedule', () => {
  it('waits for quiet, spaces its rounds, stops at maxRounds', async () => {
    const r = recorder();
    const started = performance.now();
    const c = new HeapCompactor(r.gc, () => false, OPTIONS);
    try {
      await sleep(900);
      assert.equal(r.at.length, 3, `rounds at ${r.at.map((t) => Math.round(t - started)).join(', ')} ms`);
      assert.ok(r.at[0]! - started >= 100, 'first round after idleMs');
      for (let i = 1; i < r.at.length; i++) assert.ok(r.at[i]! - r.at[i - 1]! >= 150, 'rounds 150 ms apart');
      assert.equal(c.stats.rounds, 3);
    } finally {
      c.dispose();
    }
  });

  it('never runs while a handler is in flight or the server is busy; activity starts a new quiet period', async () => {
    const r = recorder();
    let busy = true;
    const c = new HeapCompactor(r.gc, () => busy, OPTIONS);
    try {
      await sleep(300);
      assert.equal(r.at.length, 0, 'busy: no round');
      busy = false;
      let handlerEnded = 0;
      const handlerDone = c.during(async () => {
        await sleep(300);
        handlerEnded = performance.now();
      });
      await sleep(250);
      assert.equal(r.at.length, 0, 'a handler in flight: no round');
      await handlerDone;
      await sleep(600);
      assert.ok(r.at.length >= 1, 'rounds once quiet again');
      assert.ok(r.at[0]! - handlerEnded >= 100, 'first round idleMs after the handler ended');
    } finally {
      c.dispose();
    }
  });

  it("runs all of a quiet period's rounds, whatever each gives back; the next period only if the last gave back enough", async () => {
    const MB = 1024 * 1024;
    let heap = 500 * MB; // the committed heap the compactor sees; each round gives back the next figure
    const freed = [50, 1, 30, 2, 2, 2];
    const c = new HeapCompactor(
      () => void (heap -= (freed[c.stats.rounds] ?? 0) * MB),
      () => false,
      { ...OPTIONS, minGrowthBytes: 96 * MB, minFreedBytes: 8 * MB },
      () => heap,
    );
    try {
      heap += 100 * MB; // a burst
      await sleep(700);
      assert.equal(c.stats.rounds, 3, 'the round giving back 1 MB did not end the quiet period');
      assert.equal(c.stats.freedBytes, 81 * MB);
      // Activity, then quiet: the last round gave back 30 MB, so the compaction goes on.
      await c.during(() => undefined);
      await sleep(700);
      assert.equal(c.stats.rounds, 6);
      // That period's last round gave back 2 MB: after more activity, no round without new growth.
      await c.during(() => undefined);
      await sleep(500);
      assert.equal(c.stats.rounds, 6);
    } finally {
      c.dispose();
    }
  });

  it('does nothing without an exposed gc', async () => {
    const c = new HeapCompactor(undefined, () => false, OPTIONS);
    await sleep(300);
    assert.equal(c.stats.rounds, 0);
    c.dispose();
  });

  it('gets a real full collection in a process started without --expose-gc', () => {
    // A child process, so that the runner's own flags cannot hide the case: an object only a WeakRef holds
    // is gone after the collection, and `gc` was not there before.
    const script = `
      const { fullCollection } = require(${JSON.stringify(join(__dirname, '../../server/src/gc-tuning.ts'))});
      const before = typeof globalThis.gc;
      const collect = fullCollection();
      let ref = new WeakRef({ big: new Array(1000).fill(0) });
      setTimeout(() => {
        collect();
        setTimeout(() => console.log(JSON.stringify({ before, collected: ref.deref() === undefined })), 0);
      }, 0);
    `;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], {
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { before: 'undefined', collected: true });
  });
});
