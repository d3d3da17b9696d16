// A real JSON-RPC client for the protocol tests: spawns the BUILT server (`node dist/server.js --stdio`),
// speaks LSP over its stdio, records published diagnostics, and answers the server's own requests
// (workspace/configuration, client/registerCapability) like an editor would.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { after, before } from 'node:test';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type CodeAction,
  type CodeLens,
  type Diagnostic,
  type Hover,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type Range,
  type WorkspaceEdit,
} from 'vscode-languageserver-protocol/node';
import { TextDocument } from 'vscode-languageserver-textdocument';

export const SERVER = join(__dirname, '..', '..', 'dist', 'server.js');

export function uriOf(path: string): string {
  return pathToFileURL(path).href;
}

/** A temporary workspace folder with the given files (relative path → text). */
export function workspace(files: Record<string, string>): {
  root: string;
  uri: (rel: string) => string;
  dispose(): void;
} {
  const root = mkdtempSync(join(tmpdir(), 'stateful-ha-ws-'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return {
    root,
    uri: (rel) => uriOf(join(root, rel)),
    dispose: () => rmSync(root, { recursive: true, force: true }),
  };
}

/**
 * A temporary workspace of `files`, with a server started on it before the suite's tests (handed to
 * `started`), stopped and the folder removed after them.
 */
export function serveWorkspace(
  files: Record<string, string>,
  started: (client: TestClient) => void,
  options?: Parameters<typeof TestClient.start>[1],
): ReturnType<typeof workspace> {
  const ws = workspace(files);
  let client: TestClient | undefined;
  before(async () => {
    client = await TestClient.start(ws.root, options);
    started(client);
  });
  after(async () => {
    await client?.stop();
    ws.dispose();
  });
  return ws;
}

type Waiter = { uri: string; test: (d: Diagnostic[]) => boolean; resolve: (d: Diagnostic[]) => void };

export class TestClient {
  readonly diagnostics = new Map<string, PublishDiagnosticsParams>();
  readonly notifications: { method: string; params: unknown }[] = [];
  readonly messages: string[] = [];
  private waiters: Waiter[] = [];
  private readonly texts = new Map<string, { text: string; version: number }>();

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    readonly connection: ProtocolConnection,
  ) {}

  static async start(
    root: string,
    options: {
      initializationOptions?: unknown;
      settings?: unknown;
      nodeArgs?: string[];
      /** More workspace folders, after `root`. */
      folders?: string[];
    } = {},
  ): Promise<TestClient> {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), SERVER, '--stdio'], {
      stdio: 'pipe',
    });
    const connection = createProtocolConnection(
      new StreamMessageReader(child.stdout),
      new StreamMessageWriter(child.stdin),
    );
    const client = new TestClient(child, connection);
    child.stderr.on('data', (d: Buffer) => client.messages.push(`stderr: ${d.toString()}`));
    connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      client.diagnostics.set(p.uri, p);
      client.waiters = client.waiters.filter((w) => {
        if (w.uri !== p.uri || !w.test(p.diagnostics)) return true;
        w.resolve(p.diagnostics);
        return false;
      });
    });
    connection.onNotification('statefulHa/counts', (params: unknown) => {
      client.notifications.push({ method: 'statefulHa/counts', params });
    });
    connection.onNotification('window/logMessage', (p: { message: string }) => {
      client.messages.push(p.message);
    });
    connection.onNotification('window/showMessage', (p: { message: string }) => {
      client.messages.push(`show: ${p.message}`);
    });
    connection.onRequest('window/showMessageRequest', (p: { message: string }) => {
      client.messages.push(`show: ${p.message}`);
      return null;
    });
    connection.onRequest('workspace/configuration', (p: { items: unknown[] }) =>
      p.items.map(() => options.settings ?? null),
    );
    connection.onRequest('client/registerCapability', () => null);
    connection.listen();
    await connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: uriOf(root),
      workspaceFolders: [root, ...(options.folders ?? [])].map((f, i) => ({
        uri: uriOf(f),
        name: i === 0 ? 'ws' : `ws${i + 1}`,
      })),
      capabilities: {
        workspace: {
          configuration: true,
          didChangeConfiguration: { dynamicRegistration: true },
          workspaceFolders: true,
        },
        textDocument: {
          publishDiagnostics: {
            relatedInformation: true,
            versionSupport: true,
            codeDescriptionSupport: true,
            dataSupport: true,
          },
          codeAction: {
            codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source.fixAll'] } },
          },
          hover: { contentFormat: ['markdown', 'plaintext'] },
        },
      },
      initializationOptions: options.initializationOptions ?? { trusted: true },
    });
    await connection.sendNotification('initialized', {});
    return client;
  }

  /** Resolves with the latest diagnostics of `uri` once they satisfy `test` (immediately if they already do). */
  waitFor(uri: string, test: (d: Diagnostic[]) => boolean, timeoutMs = 8000): Promise<Diagnostic[]> {
    const current = this.diagnostics.get(uri);
    if (current && test(current.diagnostics)) return Promise.resolve(current.diagnostics);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { uri, test, resolve };
      this.waiters.push(waiter);
      setTimeout(() => {
        if (!this.waiters.includes(waiter)) return;
        this.waiters = this.waiters.filter((w) => w !== waiter);
        const last = JSON.stringify(
          this.diagnostics.get(uri)?.diagnostics.map((d) => [d.code, d.range.start.line, d.message]),
        );
        reject(new Error(`timed out waiting for diagnostics on ${uri}; last: ${last}`));
      }, timeoutMs);
    });
  }

  open(uri: string, text: string, languageId = 'yaml'): void {
    this.texts.set(uri, { text, version: 1 });
    void this.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId, version: 1, text },
    });
  }

  /** Sends the whole new text (a full-content change). */
  change(uri: string, text: string): number {
    const version = (this.texts.get(uri)?.version ?? 0) + 1;
    this.texts.set(uri, { text, version });
    void this.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version },
      contentChanges: [{ text }],
    });
    return version;
  }

  close(uri: string): void {
    this.texts.delete(uri);
    void this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  text(uri: string): string | undefined {
    return this.texts.get(uri)?.text;
  }

  hover(uri: string, line: number, character: number): Promise<Hover | null> {
    return this.connection.sendRequest('textDocument/hover', {
      textDocument: { uri },
      position: { line, character },
    });
  }

  codeLens(uri: string): Promise<CodeLens[] | null> {
    return this.connection.sendRequest('textDocument/codeLens', { textDocument: { uri } });
  }

  codeActions(
    uri: string,
    range: Range,
    diagnostics: Diagnostic[],
    only?: string[],
  ): Promise<CodeAction[] | null> {
    return this.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range,
      context: only ? { diagnostics, only } : { diagnostics },
    });
  }

  request<R>(method: string, params?: unknown): Promise<R> {
    return this.connection.sendRequest(method, params);
  }

  notify(method: string, params: unknown): void {
    void this.connection.sendNotification(method, params);
  }

  /** Applies a WorkspaceEdit's changes to the given texts (uri → text), as an editor would. */
  static applyEdit(edit: WorkspaceEdit, texts: Record<string, string>): Record<string, string> {
    const out = { ...texts };
    for (const [uri, edits] of Object.entries(edit.changes ?? {})) {
      const doc = TextDocument.create(uri, 'yaml', 0, out[uri] ?? '');
      out[uri] = TextDocument.applyEdits(doc, edits);
    }
    return out;
  }

  async stop(): Promise<void> {
    const exited = new Promise<void>((resolve) => {
      if (this.child.exitCode !== null) resolve();
      this.child.once('exit', () => resolve());
    });
    try {
      await Promise.race([this.connection.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
      await this.connection.sendNotification('exit');
    } catch {
      // already gone
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
    this.connection.dispose();
    if (this.child.exitCode === null) this.child.kill();
  }

  /** The server's resident memory (VmRSS, bytes), from /proc. */
  rss(): number {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${this.child.pid}/status`, 'utf8'));
    if (!m) throw new Error('no VmRSS for the server process');
    return Number(m[1]) * 1024;
  }

  get alive(): boolean {
    return this.child.exitCode === null;
  }
}

/** A diagnostic's message as text (LSP 3.18 allows markup). */
export function messageOf(d: Diagnostic): string {
  return typeof d.message === 'string' ? d.message : d.message.value;
}
