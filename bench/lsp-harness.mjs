// A generic LSP client over stdio for benchmarks: starts a server process, initializes it with a
// workspace folder, answers the server's requests (workspace/configuration from a settings object,
// capability registration, progress creation), and measures
//   - time from didOpen / didChange to the first publishDiagnostics for that URI,
//   - time to the "settled" state: the last publishDiagnostics for that URI before a quiet window,
//   - the server's resident memory (VmRSS from /proc/<pid>/status).
// Uses vscode-jsonrpc from the project's node_modules (no extra dependency).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(HERE, '..', 'package.json'));
const rpc = require('vscode-jsonrpc/node');

export const toUri = (path) => pathToFileURL(path).href;

/** Resident set size of a process in bytes (Linux), or undefined. */
export function rssOf(pid) {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** CPU time (user + system) a process has used so far, in ms (Linux; 10 ms granularity). */
export function cpuMsOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10; // utime + stime, in clock ticks of 10 ms
  } catch {
    return undefined;
  }
}

/** Peak resident set size (VmHWM) in bytes. */
export function peakRssOf(pid) {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function section(settings, name) {
  if (!name) return settings;
  let v = settings;
  for (const part of name.split('.')) {
    if (v === null || typeof v !== 'object' || !(part in v)) return null;
    v = v[part];
  }
  return v;
}

export class LspClient {
  /**
   * @param {object} o
   * @param {string} o.name           label for logs
   * @param {string} o.command        executable (e.g. process.execPath)
   * @param {string[]} o.args
   * @param {object} [o.settings]     answered to workspace/configuration (by section) and pushed with didChangeConfiguration
   * @param {object} [o.initializationOptions]
   * @param {string} [o.passNotification] a server notification that marks the end of a validation pass
   *                                   (lets the harness see "no diagnostics" when a server publishes nothing)
   * @param {boolean} [o.verbose]     print the server's log messages and stderr
   */
  constructor(o) {
    this.o = o;
    this.diagnostics = new Map(); // uri -> last params
    this.events = []; // {uri, t, version, count}
    this.passes = []; // times of pass notifications
    this.waiters = new Set();
    this.logs = [];
  }

  async start(workspaceFolder) {
    const { command, args, env, settings = {}, initializationOptions, verbose } = this.o;
    this.proc = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    this.pid = this.proc.pid;
    this.proc.stderr.on('data', (d) => {
      if (verbose) process.stderr.write(`[${this.o.name} stderr] ${d}`);
    });
    this.exited = new Promise((resolve) => this.proc.on('exit', (code, signal) => resolve({ code, signal })));
    this.conn = rpc.createMessageConnection(
      new rpc.StreamMessageReader(this.proc.stdout),
      new rpc.StreamMessageWriter(this.proc.stdin),
    );
    this.conn.onNotification('textDocument/publishDiagnostics', (p) => {
      const t = performance.now();
      this.diagnostics.set(p.uri, p);
      const e = { uri: p.uri, t, version: p.version, count: p.diagnostics.length };
      this.events.push(e);
      for (const w of [...this.waiters]) w(e);
    });
    if (this.o.passNotification) {
      this.conn.onNotification(this.o.passNotification, () => {
        const e = { pass: true, t: performance.now() };
        this.passes.push(e.t);
        for (const w of [...this.waiters]) w(e);
      });
    }
    this.conn.onNotification('window/logMessage', (p) => {
      this.logs.push(p.message);
      if (verbose) process.stderr.write(`[${this.o.name}] ${p.message}\n`);
    });
    this.conn.onNotification('window/showMessage', (p) => {
      this.logs.push(p.message);
      if (verbose) process.stderr.write(`[${this.o.name} showMessage] ${p.message}\n`);
    });
    this.conn.onNotification(() => {}); // telemetry, progress, custom notifications
    this.conn.onRequest('workspace/configuration', (p) => p.items.map((i) => section(settings, i.section)));
    this.conn.onRequest('client/registerCapability', () => null);
    this.conn.onRequest('client/unregisterCapability', () => null);
    this.conn.onRequest('window/workDoneProgress/create', () => null);
    this.conn.onRequest('window/showMessageRequest', () => null);
    this.conn.onRequest('workspace/workspaceFolders', () =>
      this.folder ? [{ uri: toUri(this.folder), name: 'bench' }] : null,
    );
    this.conn.onRequest(() => null);
    this.conn.listen();

    this.folder = workspaceFolder;
    const t0 = performance.now();
    this.initResult = await this.conn.sendRequest('initialize', {
      processId: process.pid,
      clientInfo: { name: 'stateful-ha-bench' },
      rootUri: workspaceFolder ? toUri(workspaceFolder) : null,
      workspaceFolders: workspaceFolder ? [{ uri: toUri(workspaceFolder), name: 'bench' }] : null,
      initializationOptions,
      capabilities: {
        workspace: {
          configuration: true,
          workspaceFolders: true,
          didChangeConfiguration: { dynamicRegistration: true },
        },
        textDocument: {
          synchronization: { dynamicRegistration: false, didSave: false },
          publishDiagnostics: {
            relatedInformation: true,
            versionSupport: true,
            codeDescriptionSupport: true,
            dataSupport: true,
          },
        },
        window: { workDoneProgress: false },
      },
    });
    this.conn.sendNotification('initialized', {});
    this.conn.sendNotification('workspace/didChangeConfiguration', { settings });
    this.initMs = performance.now() - t0;
    const sync = this.initResult.capabilities.textDocumentSync;
    this.syncKind = typeof sync === 'number' ? sync : (sync?.change ?? 1);
    return this;
  }

  rss() {
    return rssOf(this.pid);
  }

  cpuMs() {
    return cpuMsOf(this.pid);
  }

  peakRss() {
    return peakRssOf(this.pid);
  }

  /** Waits for an event matching `pred` (checked against events after `since`), or times out. */
  waitFor(pred, timeoutMs) {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(w);
        resolve(undefined);
      }, timeoutMs);
      const w = (e) => {
        if (!pred(e)) return;
        clearTimeout(timer);
        this.waiters.delete(w);
        resolve(e);
      };
      this.waiters.add(w);
    });
  }

  /**
   * Measures from `t0` to the first diagnostics for `uri` (with `version` ≥ minVersion when the server
   * sends versions), then to the settled state (no further diagnostics for `quietMs`).
   * With a pass notification, a pass that ends without diagnostics for the URI also ends the wait.
   */
  async measure(uri, t0, { minVersion, quietMs = 250, timeoutMs = 60_000, minPassMs = 0 } = {}) {
    const cpu0 = this.cpuMs();
    const matches = (e) =>
      e.uri === uri &&
      (minVersion === undefined || e.version === undefined || e.version === null || e.version >= minVersion);
    // A pass that ends sooner than the server's debounce after t0 was started by an earlier event.
    const first = await this.waitFor(
      (e) => (e.pass ? e.t > t0 + Math.max(1, minPassMs) : matches(e)),
      timeoutMs,
    );
    if (!first) return { timeout: true };
    let firstEvent = first;
    if (first.pass) {
      // The pass ended: did it publish for this URI just before its end notification?
      const published = this.events.find((e) => e.t >= t0 && matches(e));
      if (published) firstEvent = published;
    }
    let last = firstEvent;
    for (;;) {
      const next = await this.waitFor((e) => !e.pass && matches(e), quietMs);
      if (!next) break;
      last = next;
    }
    return {
      cpuMs: this.cpuMs() - cpu0,
      firstMs: firstEvent.t - t0,
      settledMs: last.t - t0,
      diagnostics: firstEvent.pass ? 0 : (this.diagnostics.get(uri)?.diagnostics.length ?? 0),
      published: !firstEvent.pass,
    };
  }

  async open(uri, text, { languageId = 'yaml', version = 1, ...opts } = {}) {
    const t0 = performance.now();
    this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version, text } });
    return this.measure(uri, t0, { minVersion: version, ...opts });
  }

  /**
   * A one-line edit: replaces line `line` of `oldText` by `newLine`. Sent as an incremental change when the
   * server accepts those, else as the full text. Returns the new text and the measurement.
   */
  async changeLine(uri, oldText, line, newLine, version, opts = {}) {
    const lines = oldText.split('\n');
    const oldLine = lines[line];
    lines[line] = newLine;
    const newText = lines.join('\n');
    const contentChanges =
      this.syncKind === 2
        ? [
            {
              range: { start: { line, character: 0 }, end: { line, character: oldLine.length } },
              text: newLine,
            },
          ]
        : [{ text: newText }];
    const t0 = performance.now();
    this.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges });
    const m = await this.measure(uri, t0, { minVersion: version, ...opts });
    return { text: newText, ...m };
  }

  close(uri) {
    this.conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  request(method, params) {
    return this.conn.sendRequest(method, params);
  }

  /** Waits until the server has been silent (no diagnostics, no pass notification) for `quietMs`. */
  async quiesce(quietMs = 300, timeoutMs = 120_000) {
    const end = performance.now() + timeoutMs;
    while (performance.now() < end) {
      const e = await this.waitFor(() => true, quietMs);
      if (!e) return true;
    }
    return false;
  }

  async stop() {
    try {
      await Promise.race([this.conn.sendRequest('shutdown'), sleep(3000)]);
      this.conn.sendNotification('exit');
    } catch {
      // already gone
    }
    const exited = await Promise.race([this.exited, sleep(3000).then(() => undefined)]);
    if (!exited) this.proc.kill('SIGKILL');
    this.conn.dispose();
  }
}
