// The protocol fuzzer's short run (test/fuzz/fuzz.mjs against the BUILT server): mutated corpus files,
// fixtures and pathological YAML pushed through didOpen/didChange; every hover and validation pass must be
// answered, the server must stay alive and its memory bounded. The long run is
// `node test/fuzz/fuzz.mjs --count 100000`.
//
// CI machines are shared and slow: a "hang" here is no answer within 5 s (+10 ms per KB of input), well
// beyond any parse time, so the test catches hangs and crashes without flaking on a busy runner.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const FUZZ = join(__dirname, '..', 'fuzz', 'fuzz.mjs');
const SERVER = join(__dirname, '..', '..', 'dist', 'server.js');

interface FuzzReport {
  inputs: number;
  crashes: number;
  hangs: number;
  memoryOverruns: number;
  handlerErrors: number;
  maxLatencyMs: number;
  maxRssMb: number;
  problems: { kind: string; input: string; file: string; detail: string }[];
}

describe('protocol fuzzing (short run)', () => {
  it(
    'survives 2,000 mutated documents / 60 s: no crash, no hang, bounded memory',
    { timeout: 180_000 },
    () => {
      assert.ok(existsSync(SERVER), 'dist/server.js is missing: run `npm run build` first');
      const count = process.env.FUZZ_COUNT ?? '2000';
      const seconds = process.env.FUZZ_SECONDS ?? '60';
      const r = spawnSync(
        process.execPath,
        [
          FUZZ,
          '--count',
          count,
          '--seconds',
          seconds,
          '--seed',
          process.env.FUZZ_SEED ?? '20240601',
          '--deadline',
          '5000',
          '--ms-per-kb',
          '10',
          '--max-rss-mb',
          '1024',
          '--json',
          '--quiet',
        ],
        { encoding: 'utf8', timeout: 170_000, maxBuffer: 16 * 1024 * 1024 },
      );
      assert.equal(r.error, undefined, String(r.error));
      const last = r.stdout.trim().split('\n').pop() ?? '';
      const report = JSON.parse(last) as FuzzReport;
      const problems = report.problems
        .map((p) => `${p.kind}: ${p.input} (${p.file}): ${p.detail}`)
        .join('\n');
      assert.ok(report.inputs > 0, 'no input ran');
      assert.equal(report.crashes, 0, problems);
      assert.equal(report.hangs, 0, problems);
      assert.equal(report.memoryOverruns, 0, problems);
      assert.equal(r.status, 0, r.stderr);
    },
  );
});
