// End-to-end harness: a real VS Code (code-server 4.100.3 = VS Code 1.100.3) with the built extension
// installed, driven through Debian's chromium by playwright-core. Plain ESM, no build step.
//
//   const vs = await startVSCode({ name: 'editor' });   // code-server + chromium, fixture workspace open
//   try { await vs.openFile('swarm/stack.yml'); await vs.waitForSquiggles(); … } finally { await vs.teardown(); }
//
// Everything waits by polling the DOM with a timeout; nothing sleeps blindly. Processes are stopped by
// their process-group id in teardown(), which is also run on SIGINT/SIGTERM and on process exit.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const E2E_DIR = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(E2E_DIR, '../..');
export const VENDOR = path.join(E2E_DIR, 'vendor');
export const CODE_SERVER = path.join(VENDOR, 'node_modules/.bin/code-server');
export const FIXTURE = path.join(E2E_DIR, 'workspace-fixture');
export const ARTIFACTS = path.resolve(process.env.E2E_ARTIFACTS ?? path.join(REPO, 'artifacts/e2e'));
export const DEFAULT_VSIX = path.join(REPO, 'stateful-ha-advisor.vsix');
const CHROMIUM = process.env.E2E_CHROMIUM ?? '/usr/bin/chromium';

/** Default per-wait timeout (ms). Diagnostics appear 14–19 s after launch on a 2-core machine. */
export const TIMEOUT = Number(process.env.E2E_TIMEOUT ?? 30_000);

const t0 = Date.now();
export function log(...args) {
  console.log(`[e2e ${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s]`, ...args);
}

function loadPlaywright() {
  const require = createRequire(path.join(VENDOR, 'package.json'));
  try {
    return require('playwright-core');
  } catch (e) {
    throw new Error(
      `playwright-core is not installed in ${VENDOR}: run \`bash test/e2e/setup.sh\` as root first (${e.message})`,
      { cause: e },
    );
  }
}

export function checkPrerequisites(vsix) {
  const missing = [];
  if (!fs.existsSync(CODE_SERVER)) missing.push(`${CODE_SERVER} (run: bash test/e2e/setup.sh)`);
  if (!fs.existsSync(CHROMIUM)) missing.push(`${CHROMIUM} (run: bash test/e2e/setup.sh)`);
  if (vsix && !fs.existsSync(vsix)) missing.push(`${vsix} (run: npm run package)`);
  return missing;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Polls fn() until it returns a truthy value; throws `what` after timeout ms. */
export async function waitFor(fn, { timeout = TIMEOUT, interval = 200, what = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  let lastError;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeout} ms waiting for ${what}${lastError ? ` (last error: ${lastError.message})` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Process groups this module started, stopped on exit even when a test throws or the run is interrupted. */
const liveGroups = new Set();
const liveSessions = new Set();
let handlersInstalled = false;
function installExitHandlers() {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', () => {
    for (const pid of liveGroups) killGroup(pid, 'SIGKILL');
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(sig, async () => {
      log(`${sig}: tearing down`);
      await Promise.allSettled([...liveSessions].map((s) => s.teardown()));
      process.exit(130);
    });
  }
}

const DEFAULT_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'git.enabled': false,
  'security.workspace.trust.enabled': false,
  'files.autoSave': 'off',
  'editor.hover.delay': 300,
  'editor.minimap.enabled': false,
  'window.commandCenter': false,
  'chat.commandCenter.enabled': false,
  'workbench.editor.enablePreview': false,
};

/**
 * Starts code-server (fresh user-data and extensions dirs under test/e2e/.run/<id>/, the .vsix installed,
 * a copy of the fixture workspace open) and chromium, and returns a session with UI helpers.
 *
 * options: name (used in the run id and screenshot names), vsix (default: stateful-ha-advisor.vsix; null
 * for none), extensionDevelopmentPath (load an unpacked extension instead), fixture (folder to copy),
 * settings (merged over the defaults), viewport.
 */
export async function startVSCode(options = {}) {
  const name = options.name ?? 'session';
  const vsix = options.vsix === undefined ? DEFAULT_VSIX : options.vsix;
  const missing = checkPrerequisites(vsix);
  if (missing.length) throw new Error(`e2e prerequisites missing:\n  ${missing.join('\n  ')}`);
  installExitHandlers();

  const id = `${new Date().toISOString().replace(/[:.]/g, '-')}-${name}-${process.pid}`;
  const run = path.join(E2E_DIR, '.run', id);
  const dirs = {
    run,
    exts: path.join(run, 'exts'),
    udd: path.join(run, 'udd'),
    xdg: path.join(run, 'xdg'),
    profile: path.join(run, 'chromium'),
  };
  for (const d of [dirs.exts, path.join(dirs.udd, 'User'), dirs.xdg, dirs.profile])
    fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(
    path.join(dirs.udd, 'User/settings.json'),
    JSON.stringify({ ...DEFAULT_SETTINGS, ...(options.settings ?? {}) }, null, 2),
  );
  // The workspace is a copy, so quick fixes and saves never touch the repository.
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), `stateful-ha-e2e-${name}-`));
  fs.cpSync(options.fixture ?? FIXTURE, workspace, { recursive: true });

  const env = {
    ...process.env,
    XDG_CONFIG_HOME: dirs.xdg,
    XDG_DATA_HOME: dirs.xdg,
    XDG_CACHE_HOME: path.join(dirs.xdg, 'cache'),
  };
  delete env.VSCODE_IPC_HOOK_CLI; // never talk to an enclosing VS Code
  const common = ['--extensions-dir', dirs.exts, '--user-data-dir', dirs.udd];

  const session = new Session({ name, id, dirs, workspace });
  liveSessions.add(session);
  try {
    if (vsix) {
      const t = Date.now();
      const r = spawnSync(CODE_SERVER, [...common, '--install-extension', vsix], {
        env,
        encoding: 'utf8',
        timeout: 120_000,
      });
      if (r.status !== 0)
        throw new Error(`--install-extension failed (${r.status ?? r.signal}): ${r.stdout}\n${r.stderr}`);
      log(`installed ${path.basename(vsix)} in ${Date.now() - t} ms: ${r.stdout.trim().split('\n').pop()}`);
    }

    const port = await freePort();
    const logFd = fs.openSync(path.join(run, 'code-server.log'), 'a');
    const child = spawn(
      CODE_SERVER,
      [
        ...common,
        '--auth',
        'none',
        '--bind-addr',
        `127.0.0.1:${port}`,
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-workspace-trust',
        '--disable-getting-started-override',
        '--ignore-last-opened',
        workspace,
      ],
      { env, detached: true, stdio: ['ignore', logFd, logFd] }, // detached: its own process group
    );
    fs.closeSync(logFd);
    session.codeServerPid = child.pid;
    liveGroups.add(child.pid);
    child.on('exit', (code, signal) => {
      session.codeServerExit = { code, signal };
    });
    const base = `http://127.0.0.1:${port}`;
    session.url = base;
    await waitFor(
      async () => {
        if (session.codeServerExit)
          throw new Error(
            `code-server exited: ${JSON.stringify(session.codeServerExit)}; see ${run}/code-server.log`,
          );
        const res = await fetch(`${base}/healthz`).catch(() => null);
        return res?.ok;
      },
      { timeout: 30_000, what: 'code-server /healthz' },
    );
    log(`code-server up on ${base} (pid ${child.pid})`);

    const { chromium } = loadPlaywright();
    const viewport = options.viewport ?? { width: 1600, height: 1000 };
    session.context = await chromium.launchPersistentContext(dirs.profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport,
      timeout: 30_000,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-dev-shm-usage',
      ],
    });
    session.context.setDefaultTimeout(TIMEOUT);
    const page = session.context.pages()[0] ?? (await session.context.newPage());
    session.page = page;
    page.on('pageerror', (e) => session.pageErrors.push(String(e)));
    let folderUrl = `${base}/?folder=${encodeURIComponent(workspace)}`;
    if (options.extensionDevelopmentPath) {
      const payload = [
        [
          'extensionDevelopmentPath',
          `vscode-remote://127.0.0.1:${port}${path.resolve(options.extensionDevelopmentPath)}`,
        ],
      ];
      folderUrl += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    }
    await page.goto(folderUrl, { timeout: 30_000 });
    await page.locator('.monaco-workbench').waitFor({ timeout: 45_000 });
    await waitFor(() => page.locator('.explorer-folders-view .monaco-list-row').count(), {
      timeout: 30_000,
      what: 'the explorer to list the workspace',
    });
    log(`workbench ready (${workspace})`);
    return session;
  } catch (e) {
    await session.screenshot('startup-failure').catch(() => {});
    try {
      log(`startup failed; logs in ${session.saveLogs()}`);
    } catch (logError) {
      log(`startup failed; could not save logs: ${logError.message}`);
    }
    await session.teardown({ keepRun: true });
    throw e;
  }
}

let shotCounter = 0;

export class Session {
  constructor({ name, id, dirs, workspace }) {
    this.name = name;
    this.id = id;
    this.dirs = dirs;
    this.workspace = workspace;
    this.page = undefined;
    this.context = undefined;
    this.codeServerPid = undefined;
    this.pageErrors = [];
    this.tornDown = false;
  }

  /** Absolute path of a workspace file (the temporary copy). */
  file(rel) {
    return path.join(this.workspace, rel);
  }

  readFile(rel) {
    return fs.readFileSync(this.file(rel), 'utf8');
  }

  // ---------------------------------------------------------------- screenshots

  /** Saves artifacts/e2e/<NN>-<session>-<name>.png and returns its path. */
  async screenshot(name) {
    if (!this.page) return undefined;
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const file = path.join(
      ARTIFACTS,
      `${String(++shotCounter).padStart(2, '0')}-${this.name}-${name.replace(/[^\w.-]+/g, '_')}.png`,
    );
    await this.page.screenshot({ path: file, timeout: 15_000 });
    return file;
  }

  // ---------------------------------------------------------------- keyboard and the command palette

  async press(keys) {
    await this.page.keyboard.press(keys);
  }

  /** Focuses the active editor (so that editor keybindings apply). */
  async focusEditor() {
    await this.page.locator('.editor-group-container.active .monaco-editor textarea').first().focus();
  }

  async closeQuickInput() {
    const widget = this.page.locator('.quick-input-widget');
    if (await widget.isVisible().catch(() => false)) {
      await this.page.keyboard.press('Escape');
      await widget.waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => {});
    }
  }

  /**
   * Runs a command from the palette (F1) by its exact label, e.g. 'View: Toggle Maximized Panel'. The
   * palette does not refresh while open, and some commands register late (the Extensions view's once its
   * contribution loads): it is reopened until the command is listed.
   */
  async runCommand(label, { timeout = TIMEOUT } = {}) {
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    const index = await waitFor(
      async () => {
        await this.closeQuickInput();
        await this.page.keyboard.press('F1');
        await input.waitFor({ state: 'visible', timeout: 5_000 });
        await input.fill(`>${label}`);
        // Exactly that label: a substring match would also pick e.g. "Disable All Installed Extensions".
        return waitFor(
          async () => {
            const i = (await this.quickPickLabels()).indexOf(label);
            return i >= 0 ? i + 1 : 0;
          },
          { timeout: 3_000, what: `"${label}" listed` },
        ).catch(() => 0);
      },
      { timeout, what: `the command "${label}" in the palette`, interval: 500 },
    );
    await this.page
      .locator('.quick-input-widget .quick-input-list .monaco-list-row')
      .nth(index - 1)
      .click();
    await this.page
      .locator('.quick-input-widget')
      .waitFor({ state: 'hidden', timeout: 5_000 })
      .catch(() => {});
  }

  /** Labels of the rows rendered in the open quick input (palette, Quick Open, a quick pick). */
  async quickPickLabels() {
    return this.page
      .locator('.quick-input-widget .quick-input-list .monaco-list-row')
      .evaluateAll((els) =>
        els.map((e) =>
          (e.querySelector('.label-name')?.textContent ?? e.getAttribute('aria-label') ?? '').trim(),
        ),
      );
  }

  /** Labels of the palette commands matching `filter` (the palette is closed again). */
  async listCommands(filter, { timeout = 10_000 } = {}) {
    await this.closeQuickInput();
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout });
    await input.fill(`>${filter}`);
    const rows = this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
    await rows
      .first()
      .waitFor({ state: 'visible', timeout })
      .catch(() => {});
    const labels = await rows.evaluateAll((els) =>
      els.map((e) => e.getAttribute('aria-label') ?? e.textContent ?? ''),
    );
    await this.closeQuickInput();
    return labels;
  }

  // ---------------------------------------------------------------- files and editors

  /** The tab of an open editor, by file name. */
  tab(fileName) {
    return this.page.locator(`.tabs-container .tab[data-resource-name="${fileName}"]`);
  }

  /**
   * Opens a workspace file by its relative path: through Quick Open (Ctrl+P), or with via: 'explorer'
   * by clicking through the explorer tree. Waits until its editor is active and its text rendered.
   */
  async openFile(rel, { via = 'quickopen', timeout = TIMEOUT } = {}) {
    const base = path.basename(rel);
    await this.closeQuickInput();
    if (via === 'explorer') {
      const parts = rel.split('/');
      for (let i = 0; i < parts.length; i++) {
        const row = this.page
          .locator(`.explorer-folders-view .monaco-list-row[aria-label="${parts[i]}"]`)
          .first();
        await row.waitFor({ state: 'visible', timeout });
        const expanded = await row.getAttribute('aria-expanded');
        if (i < parts.length - 1) {
          if (expanded !== 'true') await row.click();
          await waitFor(async () => (await row.getAttribute('aria-expanded')) === 'true', {
            timeout,
            what: `${parts[i]} expanded`,
          });
        } else {
          await row.dblclick();
        }
      }
    } else {
      // Open Quick Open through the palette command when Ctrl+P does not reach the workbench.
      await this.page
        .locator('.monaco-workbench')
        .click({ position: { x: 5, y: 5 }, trial: true })
        .catch(() => {});
      await this.page.keyboard.press('Control+P');
      const input = this.page.locator('.quick-input-widget .quick-input-box input');
      await input.waitFor({ state: 'visible', timeout });
      await input.fill(rel);
      const dir = path.dirname(rel) === '.' ? '' : path.dirname(rel);
      const row = this.page
        .locator('.quick-input-widget .quick-input-list .monaco-list-row')
        .filter({ hasText: base })
        .filter({ hasText: dir })
        .first();
      await row.waitFor({ state: 'visible', timeout });
      await row.click();
    }
    await this.tab(base).first().waitFor({ state: 'visible', timeout });
    await waitFor(
      async () =>
        (await this.page.locator('.tabs-container .tab.active').getAttribute('data-resource-name')) === base,
      { timeout, what: `${rel} to be the active editor` },
    );
    await this.activeEditor()
      .locator('.view-lines .view-line')
      .first()
      .waitFor({ state: 'visible', timeout });
    await this.focusEditor();
    log(`opened ${rel}`);
  }

  activeEditor() {
    return this.page.locator('.editor-group-container.active .monaco-editor').first();
  }

  /** Moves the cursor to a 1-based line and column (Ctrl+G). */
  async gotoLine(line, column = 1) {
    await this.focusEditor();
    await this.page.keyboard.press('Control+G');
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(`:${line}:${column}`); // Ctrl+G is Quick Open with the ':' prefix
    await this.page.keyboard.press('Enter');
    await this.page
      .locator('.quick-input-widget')
      .waitFor({ state: 'hidden', timeout: 5_000 })
      .catch(() => {});
    await waitFor(async () => (await this.cursorPosition())?.line === line, {
      timeout: 5_000,
      what: `cursor on line ${line}`,
    });
  }

  /** The cursor position from the status bar ("Ln 6, Col 9"). */
  async cursorPosition() {
    const text = await this.page
      .locator('.statusbar-item[id="status.editor.selection"]')
      .innerText({ timeout: 5_000 })
      .catch(() => '');
    const m = /Ln (\d+), Col (\d+)/.exec(text);
    return m ? { line: Number(m[1]), column: Number(m[2]) } : undefined;
  }

  /** 1-based line/column of the first occurrence of `text` in the workspace file (as saved on disk). */
  locate(rel, text, occurrence = 1) {
    const lines = this.readFile(rel).split('\n');
    let seen = 0;
    for (let i = 0; i < lines.length; i++) {
      let from = 0;
      for (;;) {
        const col = lines[i].indexOf(text, from);
        if (col < 0) break;
        if (++seen === occurrence) return { line: i + 1, column: col + 1 };
        from = col + 1;
      }
    }
    throw new Error(`"${text}" not found in ${rel}`);
  }

  async save() {
    await this.focusEditor();
    await this.page.keyboard.press('Control+S');
    await waitFor(
      async () =>
        !(await this.page.locator('.tabs-container .tab.active').getAttribute('class'))?.includes('dirty'),
      {
        timeout: 10_000,
        what: 'the editor to be saved',
      },
    );
  }

  // ---------------------------------------------------------------- diagnostics

  /** Waits until the active editor shows squiggles of a severity ('warning' | 'error' | 'info' | 'any'); returns the count. */
  async waitForSquiggles({ severity = 'any', min = 1, timeout = TIMEOUT } = {}) {
    const sel =
      severity === 'any' ? '.squiggly-error, .squiggly-warning, .squiggly-info' : `.squiggly-${severity}`;
    const loc = this.activeEditor().locator(sel);
    return waitFor(
      async () => {
        const n = await loc.count();
        return n >= min ? n : 0;
      },
      { timeout, what: `${min}+ ${severity} squiggles in the active editor` },
    );
  }

  async squiggleCount(severity = 'any') {
    const sel =
      severity === 'any' ? '.squiggly-error, .squiggly-warning, .squiggly-info' : `.squiggly-${severity}`;
    return this.activeEditor().locator(sel).count();
  }

  /** Opens the Problems panel (Ctrl+Shift+M) and waits for it. */
  async openProblems({ timeout = TIMEOUT } = {}) {
    const panel = this.page.locator('.markers-panel');
    if (!(await panel.isVisible().catch(() => false))) {
      await this.page.keyboard.press('Control+Shift+M');
      await panel.waitFor({ state: 'visible', timeout: 10_000 }).catch(async () => {
        await this.runCommand('View: Focus Problems');
        await panel.waitFor({ state: 'visible', timeout });
      });
    }
    return panel;
  }

  /**
   * Entries of the Problems panel: [{ file } | { severity, message, source, code, line, column, text }].
   * The panel is a virtual list: only rendered rows are read (it is maximized first when `maximize`).
   */
  async readProblems({ maximize = true } = {}) {
    const panel = await this.openProblems();
    if (maximize) await this.maximizePanel(true);
    const rows = panel.locator('.monaco-list-row');
    await rows
      .first()
      .waitFor({ state: 'visible', timeout: 10_000 })
      .catch(() => {});
    return rows.evaluateAll((els) =>
      els.map((el) => {
        const q = (s) => el.querySelector(s)?.textContent?.trim() ?? '';
        const aria = el.getAttribute('aria-label') ?? '';
        if (el.querySelector('.marker-message-details, .marker-message')) {
          const pos = /\[Ln (\d+), Col (\d+)\]/.exec(q('.marker-line') || el.textContent || '');
          const icon = el.querySelector('.marker-icon');
          const cls = icon?.className ?? '';
          const severity = /error/.test(cls)
            ? 'error'
            : /warning/.test(cls)
              ? 'warning'
              : /info/.test(cls)
                ? 'info'
                : '';
          return {
            kind: 'marker',
            severity,
            message: q('.marker-message') || q('.marker-message-details'),
            source: q('.marker-source'),
            code: q('.marker-code').replace(/^\(|\)$/g, ''),
            line: pos ? Number(pos[1]) : undefined,
            column: pos ? Number(pos[2]) : undefined,
            text: el.textContent?.trim() ?? '',
            aria,
          };
        }
        return { kind: 'file', text: el.textContent?.trim() ?? '', aria };
      }),
    );
  }

  /** Problems entries (markers only), polled until `predicate(entries)` holds. */
  async waitForProblems(predicate, { timeout = TIMEOUT, what = 'Problems entries' } = {}) {
    let last = [];
    try {
      return await waitFor(
        async () => {
          last = (await this.readProblems()).filter((e) => e.kind === 'marker');
          return predicate(last) ? last : null;
        },
        { timeout, what, interval: 500 },
      );
    } catch (e) {
      e.message += `\nProblems shown:\n${last.map((p) => `  ${p.severity} ${p.code} ${p.line}:${p.column} ${p.message.slice(0, 80)}`).join('\n')}`;
      throw e;
    }
  }

  /** Whether the bottom panel is maximized (the workbench marks it with no class: judged by its height). */
  async isPanelMaximized() {
    return this.page.evaluate(() => {
      const panel = document.querySelector('.part.panel');
      const bench = document.querySelector('.monaco-workbench');
      if (!panel || !bench) return false;
      return panel.getBoundingClientRect().height > 0.7 * bench.getBoundingClientRect().height;
    });
  }

  /** Maximizes the bottom panel (so that the virtual Problems list renders more rows), or restores it. */
  async maximizePanel(on) {
    if ((await this.isPanelMaximized()) === on) return;
    await this.runCommand('View: Toggle Maximized Panel').catch(() => {});
    await waitFor(async () => (await this.isPanelMaximized()) === on, {
      timeout: 5_000,
      what: `the panel ${on ? 'maximized' : 'restored'}`,
    }).catch(() => {});
  }

  /** Hides the bottom panel (Problems, Output, …). */
  async closePanel() {
    await this.maximizePanel(false);
    if (
      await this.page
        .locator('.part.panel')
        .isVisible()
        .catch(() => false)
    ) {
      await this.runCommand('View: Hide Panel').catch(() => {});
    }
  }

  // ---------------------------------------------------------------- quick fixes

  /**
   * Opens the quick fixes at a position (Ctrl+.) and returns the titles offered. `at` is { line, column }
   * or a string located in the file on disk.
   */
  async quickFixTitles(rel, at, { timeout = TIMEOUT } = {}) {
    const pos = typeof at === 'string' ? this.locate(rel, at) : at;
    await this.gotoLine(pos.line, pos.column);
    const widget = this.page.locator('.action-widget');
    const rows = widget.locator('.monaco-list-row.action');
    await waitFor(
      async () => {
        if (!(await widget.isVisible().catch(() => false))) {
          await this.focusEditor();
          await this.page.keyboard.press('Control+.');
        }
        await rows.first().waitFor({ state: 'visible', timeout: 3_000 });
        return true;
      },
      { timeout, what: 'the quick fix menu (Ctrl+.)', interval: 1_000 },
    );
    return rows.evaluateAll((els) =>
      els.map((e) => (e.getAttribute('aria-label') ?? e.textContent ?? '').trim()),
    );
  }

  /**
   * Ctrl+. at a position and picks the action whose title contains `title` (string or RegExp), by
   * keyboard. Retries the menu until the action is offered (the server may still be computing
   * diagnostics), and the whole pick until it took effect: by default until one more editor tab is dirty
   * (pass `applied: async () => boolean` for a fix that edits a file that is not open).
   */
  async quickFix(rel, at, title, { timeout = TIMEOUT, screenshot, applied } = {}) {
    const matches = (t) => (title instanceof RegExp ? title.test(t) : t.includes(title));
    const dirtyTabs = () => this.page.locator('.tabs-container .tab.dirty').count();
    const dirtyBefore = await dirtyTabs();
    const tookEffect = applied ?? (async () => (await dirtyTabs()) > dirtyBefore);
    let titles = [];
    let attempt = 0;
    await waitFor(
      async () => {
        attempt++;
        titles = await this.quickFixTitles(rel, at, { timeout: 10_000 });
        if (!titles.some(matches)) {
          await this.page.keyboard.press('Escape');
          return false;
        }
        if (screenshot && attempt === 1) await this.screenshot(screenshot);
        // Pick by keyboard: a pointer-blocking layer of the context view intercepts mouse clicks on the menu.
        const focused = this.page.locator('.action-widget .monaco-list-row.action.focused');
        for (let i = 0; ; i++) {
          const label = (
            (await focused.getAttribute('aria-label', { timeout: 2_000 }).catch(() => null)) ?? ''
          ).trim();
          if (matches(label)) break;
          if (i >= titles.length) return false; // the menu changed under us: start again
          await this.page.keyboard.press('ArrowDown');
        }
        await this.page.keyboard.press('Enter');
        await this.page
          .locator('.action-widget')
          .waitFor({ state: 'hidden', timeout: 5_000 })
          .catch(() => {});
        const ok = await waitFor(tookEffect, {
          timeout: 5_000,
          what: 'the quick fix to edit the file',
        }).catch(() => false);
        if (!ok) {
          log(`quick fix "${title}" did not take effect (attempt ${attempt}); retrying`);
          await this.page.keyboard.press('Escape');
        }
        return ok;
      },
      { timeout, what: `the quick fix "${title}" to be offered and applied`, interval: 1_000 },
    ).catch((e) => {
      e.message += `; offered: ${JSON.stringify(titles)}`;
      throw e;
    });
    log(`applied quick fix "${titles.find(matches)}"`);
    return titles;
  }

  // ---------------------------------------------------------------- hover and code lens

  /**
   * Hovers the mouse over the first on-screen occurrence of `text` in the active editor and returns the
   * hover's text (polls until a hover with content shows; `contains` narrows which hover counts).
   */
  async hoverAt(text, { contains, timeout = TIMEOUT } = {}) {
    const editor = this.activeEditor();
    const hover = this.page.locator('.monaco-hover .monaco-hover-content').filter({ visible: true });
    return waitFor(
      async () => {
        const box = await editor.evaluate((root, needle) => {
          for (const line of root.querySelectorAll('.view-lines .view-line')) {
            const idx = (line.textContent ?? '').replace(/\u00a0/g, ' ').indexOf(needle); // Monaco renders spaces as nbsp
            if (idx < 0) continue;
            // Find the text node and offset that hold the middle of the needle.
            const target = idx + Math.floor(needle.length / 2);
            const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
            let seen = 0;
            for (let n = walker.nextNode(); n; n = walker.nextNode()) {
              const len = n.textContent.length;
              if (seen + len > target) {
                const r = document.createRange();
                r.setStart(n, target - seen);
                r.setEnd(n, target - seen + 1);
                const b = r.getBoundingClientRect();
                return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
              }
              seen += len;
            }
          }
          return null;
        }, text);
        if (!box) throw new Error(`"${text}" is not on screen in the active editor`);
        await this.page.mouse.move(box.x - 40, box.y - 40);
        await this.page.mouse.move(box.x, box.y, { steps: 4 });
        await hover.first().waitFor({ state: 'visible', timeout: 4_000 });
        const all = await hover.allInnerTexts();
        const joined = all.join('\n---\n');
        if (contains && !(contains instanceof RegExp ? contains.test(joined) : joined.includes(contains)))
          return null;
        return joined;
      },
      { timeout, what: `a hover over "${text}"${contains ? ` containing ${contains}` : ''}`, interval: 500 },
    );
  }

  async dismissHover() {
    await this.page.mouse.move(1, 1);
    await this.page.keyboard.press('Escape');
  }

  /** Code lens titles in the active editor (waits for at least `min`). */
  async codeLenses({ min = 1, timeout = TIMEOUT } = {}) {
    const lens = this.activeEditor().locator('.contentWidgets .codelens-decoration');
    return waitFor(
      async () => {
        const texts = (await lens.allInnerTexts()).map((t) => t.trim()).filter(Boolean);
        return texts.length >= min ? texts : null;
      },
      { timeout, what: `${min}+ code lenses` },
    );
  }

  // ---------------------------------------------------------------- views, output, notifications

  /** Opens the Extensions view filtered to the enabled extensions and returns their names. */
  async enabledExtensions({ timeout = TIMEOUT } = {}) {
    await this.runCommand('Extensions: Show Enabled Extensions');
    const rows = this.page.locator('.extensions-viewlet .monaco-list-row .extension-list-item .name');
    return waitFor(
      async () => {
        const names = (await rows.allInnerTexts()).map((t) => t.trim()).filter(Boolean);
        return names.length ? names : null;
      },
      { timeout, what: 'enabled extensions listed' },
    );
  }

  /** Names of the Output view's channels, read from the "Output: Show Output Channels..." quick pick. */
  async outputChannels({ timeout = TIMEOUT } = {}) {
    await this.runCommand('Output: Show Output Channels...');
    const names = await waitFor(
      async () => {
        const labels = (await this.quickPickLabels()).filter(Boolean);
        return labels.length ? labels : null;
      },
      { timeout, what: 'the output channel list' },
    );
    await this.closeQuickInput();
    return names;
  }

  /** Texts of the visible notification toasts. */
  async notifications() {
    return this.page
      .locator('.notifications-toasts .notification-toast .notification-list-item-message')
      .allInnerTexts();
  }

  /**
   * Copies the logs of this session (code-server, VS Code's server and extension host logs, the
   * extension's output channels) to artifacts/e2e/<session>-logs/ and returns that folder.
   */
  saveLogs() {
    const dest = path.join(ARTIFACTS, `${this.name}-logs`);
    fs.mkdirSync(dest, { recursive: true });
    const csLog = path.join(this.dirs.run, 'code-server.log');
    if (fs.existsSync(csLog)) fs.copyFileSync(csLog, path.join(dest, 'code-server.log'));
    const logs = path.join(this.dirs.udd, 'logs');
    if (fs.existsSync(logs)) fs.cpSync(logs, path.join(dest, 'vscode-logs'), { recursive: true });
    return dest;
  }

  // ---------------------------------------------------------------- teardown

  /** Stops chromium and code-server (by process group), whatever state they are in. Idempotent. */
  async teardown({ keepWorkspace = !!process.env.E2E_KEEP, keepRun = !!process.env.E2E_KEEP } = {}) {
    if (this.tornDown) return;
    this.tornDown = true;
    liveSessions.delete(this);
    if (this.context) {
      await Promise.race([this.context.close().catch(() => {}), new Promise((r) => setTimeout(r, 10_000))]);
    }
    const pid = this.codeServerPid;
    if (pid) {
      killGroup(pid, 'SIGTERM');
      const deadline = Date.now() + 5_000;
      while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      killGroup(pid, 'SIGKILL'); // the extension host and language server too, if anything lingers
      liveGroups.delete(pid);
    }
    if (!keepWorkspace) fs.rmSync(this.workspace, { recursive: true, force: true });
    if (!keepRun) fs.rmSync(this.dirs.run, { recursive: true, force: true });
    log(
      `torn down ${this.name}${keepWorkspace ? ` (workspace kept: ${this.workspace})` : ''}${keepRun ? ` (run dir kept: ${this.dirs.run})` : ''}`,
    );
  }
}
