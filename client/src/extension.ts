// VS Code side: starts the language server (dist/server.js, node IPC) and relays. It decides nothing about
// HA: commands ask the server and render what it answers.
import * as vscode from 'vscode';
import {
  LanguageClient,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import {
  COUNTS_NOTIFICATION,
  TRUST_NOTIFICATION,
  type Counts,
  type InitializationOptions,
  type Settings,
  type TrustParams,
} from '../../server/src/service/protocol.js';
import { registerCommands } from './commands.js';
import { registerOperations } from './operations-commands.js';
import { CountsStatus } from './status.js';

export const CLIENT_ID = 'statefulHa';

let client: LanguageClient | undefined;

function readSettings(): Partial<Settings> {
  const c = vscode.workspace.getConfiguration(CLIENT_ID);
  return {
    enable: c.get<boolean>('enable', true),
    rules: c.get<Settings['rules']>('rules', {}),
    configFile: c.get<string>('configFile', '.stateful-ha.yaml'),
  };
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('Stateful HA', { log: true });
  context.subscriptions.push(output);
  const serverModule = context.asAbsolutePath('dist/server.js');
  // One glibc malloc arena: the server's native allocations are few, and the per-thread arenas of V8's and
  // libuv's threads held 32 MB after indexing 5,000 files, 19 MB with one (other C libraries ignore the
  // variable). The server compacts its heap once quiet on its own (server/src/service/heap-compaction.ts).
  // 4 MB semi-spaces lowered its peak but left the compaction too little to do in 1 run in 3
  // (bench/RESULTS.md, twelfth pass): not used.
  const env = { ...process.env, MALLOC_ARENA_MAX: '1' };
  const nodeArgs: string[] = [];
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: nodeArgs, env } },
    // `F5` debugging: the server waits for an inspector on port 6010.
    debug: {
      module: serverModule,
      transport: TransportKind.ipc,
      options: { execArgv: [...nodeArgs, '--nolazy', '--inspect=6010'], env },
    },
  };

  const watchers = [
    vscode.workspace.createFileSystemWatcher('**/*.{yml,yaml}'),
    vscode.workspace.createFileSystemWatcher('**/.stateful-ha.yaml'),
  ];
  const configFile = readSettings().configFile;
  const root = vscode.workspace.workspaceFolders?.[0];
  if (root && configFile && !/\.ya?ml$/i.test(configFile)) {
    watchers.push(vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(root, configFile)));
  }
  context.subscriptions.push(...watchers);

  const initializationOptions: InitializationOptions = {
    trusted: vscode.workspace.isTrusted,
    settings: readSettings(),
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { language: 'yaml' },
      { language: 'dockercompose' },
      { scheme: 'file', pattern: '**/{compose,docker-compose}*.{yml,yaml}' },
      { scheme: 'file', pattern: '**/*stack*.{yml,yaml}' },
    ],
    synchronize: { fileEvents: watchers },
    outputChannel: output,
    traceOutputChannel: output,
    initializationOptions,
  };

  client = new LanguageClient(CLIENT_ID, 'Stateful HA', serverOptions, clientOptions);
  const status = new CountsStatus();
  context.subscriptions.push(status);
  context.subscriptions.push(
    client.onNotification(COUNTS_NOTIFICATION, (counts: Counts) => status.update(counts)),
  );
  context.subscriptions.push(
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      const params: TrustParams = { trusted: true };
      void client?.sendNotification(TRUST_NOTIFICATION, params);
    }),
  );
  registerCommands(context, client);
  registerOperations(context, client);
  await client.start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
