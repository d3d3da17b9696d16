#!/usr/bin/env node
// Replays inputs the fuzzer saved (test/fuzz/fuzz.mjs --save DIR) against the BUILT server, without a
// deadline, and prints how long each request took: to tell a hang (never answered) from slow linear work.
// An input saved with a `.before.yaml` companion reached the server as a didChange from that text: the
// replay opens the document with it first (and validates it), then changes it to the input. The `.json`
// companion says how it was sent (document name, language id, hover position, raw bytes in the frame);
// `--uri` / `--language-id` override it.
//
//   node test/fuzz/replay.mjs [--server dist/server.js] [--uri compose.yaml|k8s/manifests.yaml|...]
//                             [--language-id yaml] [--timeout-s 600] FILE.yaml...
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { spawn } from 'node:child_process';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-languageserver-protocol/node';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const o = {
  server: join(ROOT, 'dist', 'server.js'),
  uri: undefined,
  languageId: undefined,
  timeoutS: 600,
  files: [],
};
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--server') o.server = resolve(argv[++i]);
  else if (a === '--uri') o.uri = argv[++i];
  else if (a === '--language-id') o.languageId = argv[++i];
  else if (a === '--timeout-s') o.timeoutS = Number(argv[++i]);
  else if (a === '--help' || a === '-h' || a.startsWith('--')) {
    console.log(
      'usage: node test/fuzz/replay.mjs [--server PATH] [--uri REL] [--language-id ID] [--timeout-s S] FILE.yaml...',
    );
    process.exit(a.startsWith('--') && a !== '--help' ? 2 : 0);
  } else o.files.push(resolve(a));
}

const root = mkdtempSync(join(tmpdir(), 'stateful-ha-replay-ws-'));
const rootUri = pathToFileURL(root).href;
const child = spawn(process.execPath, [o.server, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
const connection = createProtocolConnection(
  new StreamMessageReader(child.stdout),
  new StreamMessageWriter(child.stdin),
);
connection.onNotification('window/logMessage', (p) => console.log(`server: ${p.message}`));
connection.onNotification('textDocument/publishDiagnostics', () => {});
connection.onNotification('statefulHa/counts', () => {});
connection.onRequest('workspace/configuration', (p) => p.items.map(() => null));
connection.listen();
child.on('exit', (code, signal) => {
  console.log(`server exited: code ${code}, signal ${signal}`);
  process.exit(1);
});

const timed = async (label, promise) => {
  const t0 = performance.now();
  let timer;
  const result = await Promise.race([
    promise.then(() => 'answered'),
    new Promise((r) => {
      timer = setTimeout(() => r('NO ANSWER'), o.timeoutS * 1000);
    }),
  ]);
  clearTimeout(timer);
  const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0;
  console.log(
    `${label}: ${result} in ${(performance.now() - t0).toFixed(0)} ms (server RSS ${Math.round(rss / 1024)} MB)`,
  );
  if (result !== 'answered') process.exit(1);
};

await connection.sendRequest('initialize', {
  processId: process.pid,
  rootUri,
  workspaceFolders: [{ uri: rootUri, name: 'replay' }],
  capabilities: {},
  initializationOptions: { trusted: true },
});
await connection.sendNotification('initialized', {});
await timed('warm-up lintWorkspace', connection.sendRequest('statefulHa/lintWorkspace', null));

let n = 0;
for (const file of o.files) {
  const metaFile = file.replace(/\.yaml$/, '.json');
  const meta = existsSync(metaFile) ? JSON.parse(readFileSync(metaFile, 'utf8')) : {};
  const rel = o.uri ?? meta.uri ?? 'k8s/manifests.yaml';
  const uri = `${rootUri}/r${n++}/${rel}`;
  const languageId = o.languageId ?? meta.languageId ?? (/compose/.test(rel) ? 'dockercompose' : 'yaml');
  const position = meta.position ?? { line: 3, character: 4 };
  if (meta.input)
    console.log(`${file}: ${meta.input}, sent as ${rel} (${languageId})${meta.raw ? ', raw bytes' : ''}`);
  const before = file.replace(/\.yaml$/, '.before.yaml');
  let version = 1;
  if (!file.endsWith('.before.yaml') && existsSync(before)) {
    const text = readFileSync(before).toString('utf8');
    await connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId, version, text },
    });
    await timed(
      `${before} (${text.length} chars): lintWorkspace`,
      connection.sendRequest('statefulHa/lintWorkspace', null),
    );
    version++;
  }
  const bytes = readFileSync(file);
  const text = bytes.toString('utf8');
  if (version === 1)
    await connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId, version, text },
    });
  else if (meta.raw) {
    // As the fuzzer sent it: the input's bytes, invalid UTF-8 included, inside the JSON-RPC frame.
    const message = {
      jsonrpc: '2.0',
      method: 'textDocument/didChange',
      params: { textDocument: { uri, version }, contentChanges: [{ text: bytes.toString('latin1') }] },
    };
    const body = Buffer.from(JSON.stringify(message), 'latin1');
    child.stdin.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]));
  } else
    await connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version },
      contentChanges: [{ text }],
    });
  await timed(
    `${file} (${text.length} chars): hover`,
    connection.sendRequest('textDocument/hover', {
      textDocument: { uri },
      position,
    }),
  );
  await timed(`${file}: lintWorkspace`, connection.sendRequest('statefulHa/lintWorkspace', null));
  // The next file is replayed alone.
  await connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  await timed('after closing it: lintWorkspace', connection.sendRequest('statefulHa/lintWorkspace', null));
}
child.removeAllListeners('exit');
await connection.sendRequest('shutdown');
await connection.sendNotification('exit');
rmSync(root, { recursive: true, force: true });
setTimeout(() => process.exit(0), 100);
