// How many parse workers `stateful-ha lint` starts, and in which mode, by cores and workspace size.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { poolPlan } from '../../server/src/cli/lint.js';

let dir: string;
/** A small and a 560,000-byte file; `files(n, f)` lists one of them n times. */
let small: { path: string };
let big: { path: string };
const files = (n: number, f: { path: string }) => Array.from({ length: n }, () => f);

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'stateful-ha-plan-'));
  small = { path: join(dir, 'small.yaml') };
  big = { path: join(dir, 'big.yaml') };
  writeFileSync(small.path, 'a: 1\n');
  writeFileSync(big.path, 'a: 1\n'.repeat(112_000)); // 560,000 bytes
});
after(() => rmSync(dir, { recursive: true, force: true }));

const noEnv = {};

describe('parse pool plan', () => {
  test('one core, or no files: no pool', () => {
    assert.equal(poolPlan(files(5_000, small), 1, noEnv), undefined);
    assert.equal(poolPlan([], 8, noEnv), undefined);
  });

  test('two cores: one tokenizing worker from 2,000 files or 10 MB', () => {
    assert.deepEqual(poolPlan(files(2_000, small), 2, noEnv), { workers: 1, mode: 'events' });
    assert.equal(poolPlan(files(1_999, small), 2, noEnv), undefined);
    // 19 × 560,000 bytes = 10.1 MiB; 18 are under 10 MiB.
    assert.deepEqual(poolPlan(files(19, big), 2, noEnv), { workers: 1, mode: 'events' });
    assert.equal(poolPlan(files(18, big), 2, noEnv), undefined);
  });

  test('three cores and more: model workers, one per core but one, up to 4, from 300 files or 2 MB', () => {
    assert.deepEqual(poolPlan(files(300, small), 3, noEnv), { workers: 2, mode: 'models' });
    assert.deepEqual(poolPlan(files(300, small), 16, noEnv), { workers: 4, mode: 'models' });
    assert.equal(poolPlan(files(299, small), 3, noEnv), undefined);
    assert.deepEqual(poolPlan(files(4, big), 3, noEnv), { workers: 2, mode: 'models' });
  });

  test('the environment overrides count and mode', () => {
    const env = (workers: string, mode?: string) => ({
      STATEFUL_HA_WORKERS: workers,
      STATEFUL_HA_POOL_MODE: mode,
    });
    assert.equal(poolPlan(files(5_000, small), 8, env('0')), undefined);
    assert.deepEqual(poolPlan(files(10, small), 2, env('2', 'models')), { workers: 2, mode: 'models' });
    assert.deepEqual(poolPlan(files(10, small), 8, env('3', 'events')), { workers: 3, mode: 'events' });
    assert.deepEqual(poolPlan(files(1, small), 2, env('2')), { workers: 1, mode: 'events' });
    // A mode that is not one leaves the default for the cores.
    assert.deepEqual(poolPlan(files(2_000, small), 2, env('', 'fast')), { workers: 1, mode: 'events' });
  });
});
