// The LSP adapter: wires a vscode-languageserver connection (stdio or node IPC, chosen by the command line)
// to the transport-free language service. Every handler is guarded: an exception is logged and answered
// with an empty result, never allowed to take the server down.
import {
  createConnection,
  DidChangeConfigurationNotification,
  FileChangeType,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { FIX_ALL_KIND } from './service/code-actions.js';
import {
  COUNTS_NOTIFICATION,
  LINT_WORKSPACE_REQUEST,
  RULES_REQUEST,
  STATS_REQUEST,
  SUMMARY_REQUEST,
  TRUST_NOTIFICATION,
  type InitializationOptions,
  type Settings,
  type SummaryParams,
  type TrustParams,
} from './service/protocol.js';
import { fullCollection, tuneGarbageCollection } from './gc-tuning.js';
import { HeapCompactor } from './service/heap-compaction.js';
import { LanguageService, type FileChangeType as ServiceChangeType } from './service/service.js';
import { registerOperationsHandlers } from './service/operations-requests.js';
import { CodeActionKind } from 'vscode-languageserver-protocol';

tuneGarbageCollection();
const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);

const describe = (e: unknown): string => (e instanceof Error ? (e.stack ?? e.message) : String(e));

const service = new LanguageService({
  publishDiagnostics: (uri, diagnostics, version) =>
    connection.sendDiagnostics({ uri, diagnostics, version }),
  sendCounts: (counts) => void connection.sendNotification(COUNTS_NOTIFICATION, counts),
  log: (message) => connection.console.log(message),
  showWarning: (message) => void connection.window.showWarningMessage(message),
});

// The heap a workspace's first pass grew is compacted once the server is quiet, after the service let go of
// what it can rebuild.
const collect = fullCollection();
const compactor = new HeapCompactor(
  () => {
    service.releaseCaches();
    collect();
  },
  () => service.busy(),
);

/** Runs a handler; on an exception logs it and returns the fallback. */
function guard<P extends unknown[], R>(name: string, fallback: R, fn: (...args: P) => R | Promise<R>) {
  return async (...args: P): Promise<R> => {
    try {
      return await compactor.during(() => fn(...args));
    } catch (e) {
      connection.console.error(`${name} failed: ${describe(e)}`);
      return fallback;
    }
  };
}

let pullConfiguration = false;
let folderEvents = false;

connection.onInitialize((params): InitializeResult => {
  const options = (params.initializationOptions ?? {}) as InitializationOptions;
  const folders = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
  service.initialize({ folders, trusted: options.trusted, settings: options.settings });
  pullConfiguration = params.capabilities.workspace?.configuration === true;
  folderEvents = params.capabilities.workspace?.workspaceFolders === true;
  return {
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
      hoverProvider: true,
      codeLensProvider: { resolveProvider: false },
      codeActionProvider: {
        codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND],
        resolveProvider: false,
      },
      workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
    },
    serverInfo: { name: 'stateful-ha-language-server', version: '0.1.0' },
  };
});

async function fetchSettings(): Promise<Partial<Settings> | undefined> {
  if (!pullConfiguration) return undefined;
  const value = (await connection.workspace.getConfiguration({
    section: 'statefulHa',
  })) as Partial<Settings> | null;
  return value ?? undefined;
}

connection.onInitialized(
  guard('initialized', undefined, async () => {
    if (pullConfiguration) {
      void connection.client.register(DidChangeConfigurationNotification.type, { section: 'statefulHa' });
    }
    // Folders added to or removed from the workspace: scanned, or their files forgotten.
    if (folderEvents)
      connection.workspace.onDidChangeWorkspaceFolders(
        guard('didChangeWorkspaceFolders', undefined, (e) =>
          service.changeFolders(
            e.added.map((f) => f.uri),
            e.removed.map((f) => f.uri),
          ),
        ),
      );
    const settings = await fetchSettings();
    if (settings) await service.setSettings(settings);
    await service.start();
  }),
);

connection.onDidChangeConfiguration(
  guard('didChangeConfiguration', undefined, async (params) => {
    const pushed = (params.settings as { statefulHa?: Partial<Settings> } | undefined)?.statefulHa;
    const settings = pushed ?? (await fetchSettings());
    if (settings) await service.setSettings(settings);
  }),
);

documents.onDidOpen(
  guard('didOpen', undefined, (e) =>
    service.didOpen(e.document.uri, e.document.getText(), e.document.version, e.document.languageId),
  ),
);
documents.onDidChangeContent(
  guard('didChange', undefined, (e) =>
    service.didChange(e.document.uri, e.document.getText(), e.document.version),
  ),
);
documents.onDidClose(guard('didClose', undefined, (e) => service.didClose(e.document.uri)));

const CHANGE_TYPES: Record<number, ServiceChangeType> = {
  [FileChangeType.Created]: 'created',
  [FileChangeType.Changed]: 'changed',
  [FileChangeType.Deleted]: 'deleted',
};
connection.onDidChangeWatchedFiles(
  guard('didChangeWatchedFiles', undefined, (params) =>
    service.didChangeWatchedFiles(
      params.changes.map((c) => ({ uri: c.uri, type: CHANGE_TYPES[c.type] ?? 'changed' })),
    ),
  ),
);

connection.onHover(guard('hover', null, (params) => service.hover(params.textDocument.uri, params.position)));
connection.onCodeLens(guard('codeLens', [], (params) => service.codeLens(params.textDocument.uri)));
connection.onCodeAction(guard('codeAction', [], (params) => service.codeActions(params)));

connection.onRequest(
  LINT_WORKSPACE_REQUEST,
  guard('lintWorkspace', null, () => service.lintWorkspace()),
);
connection.onRequest(
  SUMMARY_REQUEST,
  guard('summary', null, (params: SummaryParams) => service.summary(params ?? {})),
);
connection.onRequest(
  RULES_REQUEST,
  guard('rules', [], () => service.rules()),
);
// Benchmarks/tests (bench/run.mjs): the advisor's parse/index counters, to prove unchanged files are not re-parsed.
connection.onRequest(
  STATS_REQUEST,
  guard('stats', null, () => ({
    ...service.stats(),
    compactions: compactor.stats.rounds,
    compactedBytes: compactor.stats.freedBytes,
  })),
);
connection.onNotification(
  TRUST_NOTIFICATION,
  guard('setTrusted', undefined, (params: TrustParams) => service.setTrusted(params.trusted === true)),
);

const operations = registerOperationsHandlers(connection, { isTrusted: () => service.isTrusted });

connection.onShutdown(() => {
  compactor.dispose();
  operations.dispose();
  service.dispose();
});

// A bug in a handler must not kill the server: log anything that escapes the guards too.
process.on('uncaughtException', (e) => connection.console.error(`uncaught: ${describe(e)}`));
process.on('unhandledRejection', (e) => connection.console.error(`unhandled rejection: ${describe(e)}`));

documents.listen(connection);
connection.listen();
