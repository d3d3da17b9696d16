// Operations panel against a real 3-node Docker Swarm (test/docker/swarm.sh: one dockerd per network
// namespace, on a bridge with no link to the host network; needs root, docker.io, busybox-static):
//   node2 (= X)   `db`: pinned by the node label db=true, data on a node-local `local` volume
//   Y (node1|3)   `files`: data on a bind-backed `local` volume declared shared
//                 (label stateful-ha.io/storage=shared); a stateless `web` on the manager steers it to node3
// VS Code's user settings point the panel at the manager's socket (statefulHa.docker.host). Then, as a
// user: open the Stateful HA view, decommission Y from its button (plan modal → confirm → progress
// notification → verified), try to decommission X (refused: the modal names the stranded, pinned `db`),
// reactivate Y. Every outcome is checked through the Docker API too, not only on screen.
import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO, log, waitFor } from '../harness.mjs';

export const name = 'panel';

const SWARM_SH = path.join(REPO, 'test/docker/swarm.sh');
const IMAGE = 'local/busybox:1';
/** A busybox loop that exits on SIGTERM, so task stops take no grace period. */
const LOOP = ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 1; done'];
const X = 'node2';
const execFileP = promisify(execFile);

// ------------------------------------------------------------------ the swarm

function prerequisites() {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces, dockerd)';
  for (const bin of ['dockerd', 'docker', 'busybox', 'ip', 'unshare']) {
    if (spawnSync('sh', ['-c', 'command -v "$1"', 'sh', bin]).status !== 0)
      return `needs ${bin} (apt-get install docker.io busybox-static)`;
  }
  return undefined;
}

/** Docker CLI against one node's socket; arguments as an array, never a shell string. */
async function docker(sock, ...args) {
  const { stdout } = await execFileP('docker', ['-H', `unix://${sock}`, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return stdout.trim();
}

/** Where a service's tasks run, per the manager: [{ node, state }] of tasks whose desired state is running. */
async function tasksOf(swarm, service) {
  const out = await docker(
    swarm.manager,
    'service',
    'ps',
    '--filter',
    'desired-state=running',
    '--format',
    '{{.Node}}\t{{.CurrentState}}',
    service,
  );
  return out
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [node, state] = l.split('\t');
      return { node, state: state.split(' ')[0].toLowerCase() };
    });
}

async function runningOn(swarm, service) {
  return (await tasksOf(swarm, service)).filter((t) => t.state === 'running').map((t) => t.node);
}

async function availability(swarm, node) {
  return docker(swarm.manager, 'node', 'inspect', '--format', '{{.Spec.Availability}}', node);
}

/** Stops every dockerd of the swarm by PID and deletes its namespaces (swarm.sh down), synchronously. */
function swarmDownSync(state) {
  if (!state.swarmBase || state.swarmDown) return;
  state.swarmDown = true;
  if (state.swarmUpPid) {
    try {
      process.kill(state.swarmUpPid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  spawnSync(SWARM_SH, ['down', state.swarmBase], { stdio: 'ignore', timeout: 60_000 });
}

/** Starts the swarm (swarm.sh up into a fresh temp dir) and the services; state.swarm = { manager, … }. */
export async function before(ctx) {
  const missing = prerequisites();
  if (missing) throw new Error(`the panel scenario ${missing}; or run only: node test/e2e/run.mjs editor`);
  const state = ctx.state;
  const t0 = Date.now();
  // /tmp/sha-swarm-*, like swarm.sh's own default: short socket paths (unix sockets: 107 bytes at most),
  // and .ci/run's backstop (`swarm.sh down` on every /tmp/sha-swarm-*) covers a runner killed with -9.
  state.swarmBase = fs.mkdtempSync('/tmp/sha-swarm-e2e-');
  // An interrupted run (SIGINT, the run's watchdog, a crash) still stops the daemons.
  state.onExit = () => swarmDownSync(state);
  process.on('exit', state.onExit);

  const up = spawn(SWARM_SH, ['up', state.swarmBase], { stdio: ['ignore', 'pipe', 'pipe'] });
  state.swarmUpPid = up.pid;
  let stdout = '';
  let stderr = '';
  up.stdout.on('data', (d) => (stdout += d));
  up.stderr.on('data', (d) => (stderr += d));
  state.swarmUpExit = new Promise((resolve) => up.on('exit', (c, sig) => resolve(c ?? sig)));
  const code = await state.swarmUpExit;
  state.swarmUpPid = undefined;
  if (code !== 0) throw new Error(`swarm.sh up failed (${code}): ${stderr.trim()}`);
  const vars = Object.fromEntries(
    stdout
      .split('\n')
      .map((l) => /^([A-Z_0-9]+)=(.*)$/.exec(l))
      .filter(Boolean)
      .map((m) => [m[1], m[2]]),
  );
  const swarm = {
    base: vars.BASE,
    manager: vars.SOCK_1,
    sharedDir: path.join(vars.BASE, 'shared'),
  };
  state.swarm = swarm;
  log(`swarm up in ${((Date.now() - t0) / 1000).toFixed(1)} s (${swarm.base})`);

  await docker(swarm.manager, 'node', 'update', '--label-add', 'db=true', X);
  const common = [
    'service',
    'create',
    '-d',
    '--endpoint-mode',
    'dnsrr',
    '--stop-grace-period',
    '1s',
    '--no-resolve-image',
  ];
  // Stateless, on the manager: the spread scheduler then puts `files` on the emptier node3.
  await docker(
    swarm.manager,
    ...common,
    '--name',
    'web',
    '--constraint',
    'node.role==manager',
    IMAGE,
    ...LOOP,
  );
  // X: a database on node-local storage, pinned by a node label.
  await docker(
    swarm.manager,
    ...common,
    '--name',
    'db',
    '--constraint',
    'node.labels.db==true',
    '--mount',
    'type=volume,source=dbdata,target=/data',
    IMAGE,
    ...LOOP,
  );
  await waitFor(async () => (await runningOn(swarm, 'web')).length === 1, {
    timeout: 60_000,
    interval: 500,
    what: 'web running',
  });
  // Y: shared storage (a bind-backed local volume, visible from every node here, declared shared).
  await docker(
    swarm.manager,
    ...common,
    '--name',
    'files',
    '--constraint',
    'node.labels.db!=true',
    '--mount',
    `type=volume,source=filesdata,target=/data,volume-driver=local,volume-opt=type=none,volume-opt=o=bind,volume-opt=device=${swarm.sharedDir},volume-label=stateful-ha.io/storage=shared`,
    IMAGE,
    ...LOOP,
  );
  const where = await waitFor(
    async () => {
      const db = await runningOn(swarm, 'db');
      const files = await runningOn(swarm, 'files');
      return db.length === 1 && files.length === 1 ? { db: db[0], files: files[0] } : null;
    },
    { timeout: 60_000, interval: 500, what: 'db and files running' },
  );
  assert.equal(where.db, X);
  swarm.Y = where.files;
  assert.notEqual(swarm.Y, X);
  log(`services up ${((Date.now() - t0) / 1000).toFixed(1)} s after start: db on ${X}, files on ${swarm.Y}`);
}

/** Tears the swarm down by PID (swarm.sh down), whatever happened before. */
export async function after(ctx) {
  const state = ctx.state;
  if (state.onExit) process.off('exit', state.onExit);
  if (!state.swarmBase || state.swarmDown) return;
  state.swarmDown = true;
  // `before` timed out while swarm.sh up was still starting daemons: stop it first (by its PID).
  const upPid = state.swarmUpPid;
  if (upPid) {
    for (const sig of ['SIGTERM', 'SIGKILL']) {
      try {
        process.kill(upPid, sig);
      } catch {
        break; // already gone
      }
      if (
        (await Promise.race([state.swarmUpExit, new Promise((r) => setTimeout(r, 5_000, false))])) !== false
      )
        break;
    }
  }
  const t0 = Date.now();
  const down = spawn(SWARM_SH, ['down', state.swarmBase], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  down.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise((resolve) => down.on('exit', (c, sig) => resolve(c ?? sig)));
  if (code !== 0) throw new Error(`swarm.sh down failed (${code}): ${stderr.trim()}`);
  // swarm.sh down removes the base dir; without an id file (up never got that far) it is ours to remove.
  if (!fs.existsSync(path.join(state.swarmBase, 'id')))
    fs.rmSync(state.swarmBase, { recursive: true, force: true });
  log(`swarm down in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

export const options = (ctx) => ({
  settings: { 'statefulHa.docker.host': `unix://${ctx.state.swarm.manager}` },
});

// ------------------------------------------------------------------ UI helpers

/** The Cluster view's document (a webview: iframe.webview → iframe#active-frame). */
const panel = (vs) => vs.page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
const nodeRow = (vs, node) => panel(vs).locator(`[data-testid="node-row"][data-node="${node}"]`);

/** Opens the "Stateful HA" activity-bar container and waits for a loaded status. */
async function openPanel(vs) {
  const item = vs.page.locator('.activitybar .action-item:has(a[aria-label^="Stateful HA"])').first();
  await item.waitFor({ state: 'visible' });
  if ((await item.getAttribute('class'))?.split(/\s+/).includes('checked') !== true)
    await item.locator('a').click();
  await panel(vs).locator('body[data-status="ok"]').waitFor({ state: 'attached', timeout: 45_000 });
}

/** Waits until the panel shows `node` with availability `avail` (the view refreshes on Docker events). */
async function waitForNodeRow(vs, node, avail, { timeout = 45_000 } = {}) {
  const row = nodeRow(vs, node);
  await waitFor(async () => (await row.getAttribute('data-availability', { timeout: 2_000 })) === avail, {
    timeout,
    interval: 500,
    what: `the panel to show ${node} ${avail}`,
  });
}

/** The open modal dialog: { box, message, detail }. */
async function waitForDialog(vs, { timeout = 30_000 } = {}) {
  const box = vs.page.locator('.monaco-dialog-box');
  await box.waitFor({ state: 'visible', timeout });
  const message = (await box.locator('.dialog-message-text').innerText()).trim();
  const detail = (
    await box
      .locator('.dialog-message-detail')
      .innerText()
      .catch(() => '')
  ).trim();
  return { box, message, detail };
}

async function clickDialogButton(vs, box, label) {
  await box
    .locator('.dialog-buttons .monaco-button')
    .filter({ hasText: new RegExp(`^\\s*${label}\\s*$`) })
    .first()
    .click();
  await box.waitFor({ state: 'hidden', timeout: 10_000 });
}

/** Texts of the notification toasts (message + progress). */
async function toasts(vs) {
  return vs.page.locator('.notifications-toasts .notification-toast').allInnerTexts();
}

async function waitForToast(vs, re, { timeout = 30_000, interval = 100, what } = {}) {
  return waitFor(async () => (await toasts(vs)).find((t) => re.test(t)), {
    timeout,
    interval,
    what: what ?? `a notification matching ${re}`,
  });
}

/** Best effort, for the screenshot: until the toast matching `re` has finished fading in. */
async function waitForToastShown(vs, re) {
  const shown = vs.page.locator('.notifications-toasts .notification-fade-in-done').filter({ hasText: re });
  await waitFor(() => shown.count(), { timeout: 3_000, interval: 100 }).catch(() => {});
}

/** Best effort, for the screenshot: a finished action's progress toast lingers a moment. */
async function waitForProgressGone(vs) {
  const progress = vs.page.locator(
    '.notifications-toasts .notification-toast:has(.monaco-progress-container.active)',
  );
  await waitFor(async () => (await progress.count()) === 0, { timeout: 5_000, interval: 200 }).catch(
    () => {},
  );
}

async function clearNotifications(vs) {
  await vs.runCommand('Notifications: Clear All Notifications').catch(() => {});
}

// ------------------------------------------------------------------ tests

export const tests = [
  {
    name: 'the Stateful HA view lists the swarm’s 3 nodes and its stateful services',
    fn: async (vs) => {
      await openPanel(vs);
      const p = panel(vs);
      await waitFor(async () => (await p.locator('[data-testid="node-row"]').count()) === 3, {
        what: '3 node rows',
      });
      const nodes = await p
        .locator('[data-testid="node-row"]')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-node')).sort());
      assert.deepEqual(nodes, ['node1', 'node2', 'node3']);
      const connection = p.locator('[data-testid="connection"]');
      assert.equal(await connection.getAttribute('data-mode'), 'swarm-manager');
      assert.match(await connection.innerText(), /unix:\/\/.*node1\.sock/);
      await waitFor(
        async () =>
          (await p.locator('[data-testid="service-row"][data-service="db"]').count()) === 1 &&
          (await p.locator('[data-testid="service-row"][data-service="files"]').count()) === 1,
        { what: 'the services db and files in the panel' },
      );
      const db = p.locator('[data-testid="service-row"][data-service="db"]');
      const files = p.locator('[data-testid="service-row"][data-service="files"]');
      assert.equal(await db.getAttribute('data-data'), 'node-local');
      assert.equal(await files.getAttribute('data-data'), 'follows');
      assert.match(await db.locator('[data-field="tasks"]').innerText(), new RegExp(X));
      // The stateless `web` is not a stateful service.
      assert.equal(await p.locator('[data-testid="service-row"][data-service="web"]').count(), 0);
      for (const n of nodes) assert.equal(await nodeRow(vs, n).getAttribute('data-availability'), 'active');
      // The icons are VS Code's codicon font, shipped in the .vsix (dist/codicons) and loaded under the
      // webview's CSP: a missing file or a blocked font would leave empty boxes.
      const font = await p.locator('[data-testid="refresh"] .codicon').evaluate(async (e) => {
        await document.fonts.ready;
        const face = [...document.fonts].find((f) => f.family.replace(/["']/g, '') === 'codicon');
        return { family: getComputedStyle(e, '::before').fontFamily, status: face?.status };
      });
      assert.match(font.family, /codicon/);
      assert.equal(font.status, 'loaded');
      await vs.screenshot('cluster-view');
    },
  },
  {
    name: 'decommission the node whose task is on shared storage: plan, confirm, progress, drained, task moved',
    fn: async (vs, ctx) => {
      const swarm = ctx.state.swarm;
      const Y = swarm.Y;
      await openPanel(vs);
      await clearNotifications(vs);
      await nodeRow(vs, Y).locator('[data-testid="action-decommission"]').click();
      const plan = await waitForDialog(vs);
      assert.match(plan.message, new RegExp(`^Decommission node ${Y}\\b`), plan.message);
      assert.match(plan.detail, /^Plan: decommission node/m, plan.detail);
      // (rendered text: runs of spaces collapse)
      assert.match(plan.detail, /files\.1 \S+\s+moves-with-data → /, plan.detail);
      await vs.screenshot('decommission-plan');
      await clickDialogButton(vs, plan.box, 'Decommission');

      // The cancellable progress notification with the streamed steps, then the verified result. Every
      // toast text seen on the way is kept: the steps come and go within seconds.
      const seen = new Set();
      const collect = async (re) => {
        for (const t of await toasts(vs)) seen.add(t.replace(/\s+/g, ' ').trim());
        return [...seen].find((t) => re.test(t));
      };
      const title = new RegExp(`Stateful HA: decommission node ${Y} \\(worker, active, ready\\)`);
      await waitFor(() => collect(title), { interval: 100, what: 'the progress notification' });
      await waitForToastShown(vs, title);
      await vs.screenshot('decommission-progress');
      const done = await waitFor(() => collect(/\(verified\)\./), {
        timeout: 90_000,
        interval: 100,
        what: 'the "(verified)" result',
      });
      log(`notifications: ${[...seen].join(' ‖ ')}`);
      assert.ok(
        [...seen].some((t) => title.test(t) && /: (drain-node|wait|verify): /.test(t)),
        `no streamed step in the progress notification: ${[...seen].join(' ‖ ')}`,
      );
      assert.match(done, new RegExp(`Stateful HA: ${Y} drained: 1 task\\(s\\) running on other nodes`));

      // The truth is in Docker: Y drained, files running elsewhere.
      assert.equal(await availability(swarm, Y), 'drain');
      const on = await waitFor(
        async () => {
          const r = await runningOn(swarm, 'files');
          return r.length === 1 && r[0] !== Y ? r : null;
        },
        { timeout: 30_000, interval: 500, what: `files running on a node other than ${Y}` },
      );
      log(`files moved ${Y} → ${on[0]}`);
      assert.deepEqual(await runningOn(swarm, 'db'), [X]);

      await waitForNodeRow(vs, Y, 'drain');
      await nodeRow(vs, Y).locator('[data-testid="action-undrain"]').waitFor({ state: 'visible' });
      await waitForProgressGone(vs);
      await vs.screenshot('decommission-done');
    },
  },
  {
    name: 'decommission the node of the pinned local-data service: refused with the reason, node stays active',
    fn: async (vs, ctx) => {
      const swarm = ctx.state.swarm;
      await openPanel(vs);
      await clearNotifications(vs);
      await nodeRow(vs, X).locator('[data-testid="action-decommission"]').click();
      const refusal = await waitForDialog(vs);
      assert.match(refusal.message, new RegExp(`^Refused: decommission node ${X}\\b`), refusal.message);
      assert.match(refusal.detail, /db\.1 \S+\s+stranded \(BLOCKS\)/, refusal.detail);
      assert.match(refusal.detail, /pinned to this node by node\.labels\.db==true/, refusal.detail);
      assert.match(refusal.detail, /^Refused: db .*stranded/m, refusal.detail);
      await vs.screenshot('decommission-refused');
      await clickDialogButton(vs, refusal.box, 'Cancel');

      // Nothing changed, in Docker and on screen.
      assert.equal(await availability(swarm, X), 'active');
      assert.deepEqual(await runningOn(swarm, 'db'), [X]);
      assert.equal(await nodeRow(vs, X).getAttribute('data-availability'), 'active');
      assert.equal(await nodeRow(vs, X).locator('[data-testid="action-decommission"]').count(), 1);
      await vs.screenshot('refused-node-still-active');
    },
  },
  {
    name: 'reactivate the drained node from the panel',
    fn: async (vs, ctx) => {
      const swarm = ctx.state.swarm;
      const Y = swarm.Y;
      await openPanel(vs);
      await clearNotifications(vs);
      if ((await availability(swarm, Y)) === 'active') assert.fail(`${Y} was not drained by the test before`);
      await nodeRow(vs, Y).locator('[data-testid="action-undrain"]').click();
      const plan = await waitForDialog(vs);
      assert.match(plan.message, new RegExp(Y), plan.message);
      await clickDialogButton(vs, plan.box, 'Reactivate');
      await waitForToast(vs, /\(verified\)\./, { timeout: 60_000, interval: 250 });
      assert.equal(await availability(swarm, Y), 'active');
      await waitForNodeRow(vs, Y, 'active');
      await waitForProgressGone(vs);
      await vs.screenshot('reactivated');
    },
  },
];
