#!/usr/bin/env node
// Runs the end-to-end scenarios in test/e2e/scenarios/*.mjs, one VS Code session per scenario module, its
// tests in order. Last line: `N passed, N failed`; exit code 1 when anything failed.
//
//   node test/e2e/run.mjs                  # every scenario (except opt-in ones)
//   node test/e2e/run.mjs editor probe     # scenarios whose file name contains one of the words
//   E2E_GREP=quick node test/e2e/run.mjs   # only tests whose name contains the text
//
// A scenario module exports:
//   name      string (defaults to the file name)
//   options   options for startVSCode() (harness.mjs): vsix, extensionDevelopmentPath, fixture, settings
//   optIn     true: runs only when named on the command line
//   tests     [{ name, fn: async (vs, ctx) => {}, timeout? }] — run in order on one session; a failing
//             test does not stop the next ones (each should make its own preconditions true)
//   before    async (ctx) => {} — optional: runs before VS Code starts (e.g. starts a Docker swarm); when it
//             throws, every test of the module fails and VS Code is not started
//   after     async (ctx) => {} — optional: always runs once the module is done (also when `before`, VS
//             Code or a test failed); must release whatever `before` started
//   options may also be a function (ctx) => options, called after `before` (e.g. settings naming a socket)
//   ctx = { name, state: {} } is shared by before, the tests and after.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ARTIFACTS, E2E_DIR, log, startVSCode } from './harness.mjs';

const TEST_TIMEOUT = Number(process.env.E2E_TEST_TIMEOUT ?? 120_000);
const TOTAL_TIMEOUT = Number(process.env.E2E_TOTAL_TIMEOUT ?? 9 * 60_000);

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const grep = process.env.E2E_GREP;
const dir = path.join(E2E_DIR, 'scenarios');
const files = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.mjs'))
  .sort();

let passed = 0;
let failed = 0;
const failures = [];
const started = Date.now();
let current;
/** The running module's `after`, while it still has to run (the watchdog calls it too). */
let currentAfter;

function finish() {
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (failures.length) {
    console.log('\nFailures:');
    for (const f of failures)
      console.log(
        `  ✗ ${f.name}\n    ${String(f.error?.stack ?? f.error)
          .split('\n')
          .join('\n    ')}`,
      );
  }
  console.log(`\nScreenshots: ${path.relative(process.cwd(), ARTIFACTS) || ARTIFACTS}/  (${secs} s)`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
}

const watchdog = setTimeout(async () => {
  console.log(`\nE2E run exceeded ${TOTAL_TIMEOUT / 1000} s: stopping`);
  failed++;
  failures.push({ name: 'total run time', error: new Error(`over ${TOTAL_TIMEOUT} ms`) });
  await current?.teardown().catch(() => {});
  await currentAfter?.().catch(() => {});
  finish();
  process.exit(1);
}, TOTAL_TIMEOUT);
watchdog.unref();

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

fs.rmSync(ARTIFACTS, { recursive: true, force: true });
fs.mkdirSync(ARTIFACTS, { recursive: true });

for (const file of files) {
  const base = file.replace(/\.mjs$/, '');
  const mod = await import(pathToFileURL(path.join(dir, file)).href);
  const name = mod.name ?? base;
  const named = wanted.some((w) => base.includes(w) || name.includes(w));
  if (wanted.length ? !named : mod.optIn) continue;
  const tests = (mod.tests ?? []).filter((t) => !grep || t.name.includes(grep));
  if (!tests.length) continue;

  console.log(`\n▶ ${name} (${tests.length} test${tests.length === 1 ? '' : 's'})`);
  const ctx = { name, state: {} };
  const runAfter = async () => {
    if (!mod.after) return;
    currentAfter = undefined;
    await withTimeout(
      Promise.resolve().then(() => mod.after(ctx)),
      mod.afterTimeout ?? 90_000,
      `${name}: after`,
    ).catch((e) => {
      failed++;
      failures.push({ name: `${name} › after`, error: e });
      console.log(`  ✗ after: ${String(e?.message ?? e).split('\n')[0]}`);
    });
  };
  currentAfter = mod.after ? runAfter : undefined;
  let vs;
  let stage = 'before';
  try {
    if (mod.before) {
      const t1 = Date.now();
      await withTimeout(
        Promise.resolve().then(() => mod.before(ctx)),
        mod.beforeTimeout ?? TEST_TIMEOUT,
        `${name}: before`,
      );
      console.log(`  ✓ before (${((Date.now() - t1) / 1000).toFixed(1)} s)`);
    }
    stage = 'VS Code start';
    const options = typeof mod.options === 'function' ? mod.options(ctx) : mod.options;
    vs = await startVSCode({ name, ...(options ?? {}) });
    current = vs;
  } catch (e) {
    for (const t of tests) {
      failed++;
      failures.push({
        name: `${name} › ${t.name}`,
        error: t === tests[0] ? e : new Error(`${stage} failed`),
      });
      console.log(
        `  ✗ ${t.name} (${stage} failed${t === tests[0] ? `: ${String(e?.message ?? e).split('\n')[0]}` : ''})`,
      );
    }
    await runAfter();
    continue;
  }
  let scenarioFailed = false;
  try {
    for (const t of tests) {
      const t1 = Date.now();
      try {
        await withTimeout(
          Promise.resolve().then(() => t.fn(vs, ctx)),
          t.timeout ?? TEST_TIMEOUT,
          t.name,
        );
        passed++;
        console.log(`  ✓ ${t.name} (${((Date.now() - t1) / 1000).toFixed(1)} s)`);
      } catch (e) {
        failed++;
        scenarioFailed = true;
        failures.push({ name: `${name} › ${t.name}`, error: e });
        console.log(
          `  ✗ ${t.name} (${((Date.now() - t1) / 1000).toFixed(1)} s): ${String(e?.message ?? e).split('\n')[0]}`,
        );
        const shot = await vs.screenshot(`FAILED-${t.name}`).catch(() => undefined);
        if (shot) console.log(`    screenshot: ${path.relative(process.cwd(), shot)}`);
        // Leave the UI in a known state for the next test.
        await vs.page?.keyboard.press('Escape').catch(() => {});
        await vs.page?.keyboard.press('Escape').catch(() => {});
      }
    }
    if (vs.pageErrors.length) log(`page errors in ${name}:\n  ${vs.pageErrors.slice(0, 5).join('\n  ')}`);
  } finally {
    if (scenarioFailed) {
      try {
        console.log(`  logs: ${path.relative(process.cwd(), vs.saveLogs())}`);
      } catch (e) {
        console.log(`  (could not save logs: ${e.message})`);
      }
    }
    // On failure the run dir (profile, settings, extensions) is kept under test/e2e/.run/ for a look.
    await vs.teardown({ keepRun: scenarioFailed || !!process.env.E2E_KEEP });
    current = undefined;
    await runAfter();
  }
}

clearTimeout(watchdog);
finish();
// Everything is torn down; do not wait for idle keep-alive sockets to time out.
process.exit(process.exitCode);
