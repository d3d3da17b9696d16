// Entry point of a `stateful-ha lint` parse worker (bundled on its own as dist/parse-worker.js, started by
// parse-pool.ts): reads the batches of files it is sent and posts back, by the pool's mode, their released
// models or their texts and packed parse events (parse-protocol.ts). The catalog is rebuilt here from the
// same configuration text, so the models are those of the main thread.
import { parentPort, workerData } from 'node:worker_threads';
import type { Catalog } from '../advisor/catalog/catalog.js';
import { defaultConfig, loadConfig } from '../advisor/config/config.js';
import { parseInput, readAhead, toWire } from './parse-input.js';
import { BUILD_ID, type BatchReply, type BatchRequest, type ParseWorkerData } from './parse-protocol.js';

if (parentPort) {
  const port = parentPort;
  const data = workerData as ParseWorkerData;
  if (data.buildId !== BUILD_ID)
    throw new Error(
      `parse worker from another build (${BUILD_ID}, the CLI is ${data.buildId}): run npm run build`,
    );
  // Only model workers need the catalog (a tokenizing worker starts its first batch sooner without it).
  let catalog: Catalog | undefined;
  const catalogOf = (): Catalog =>
    (catalog ??= data.config
      ? loadConfig(data.config.text, data.config.path, data.config.knownRules).config.catalog
      : defaultConfig().catalog);
  // For the tests only: this worker dies (exit code 70) when sent a file whose path contains this text.
  const crashOn = process.env.STATEFUL_HA_TEST_WORKER_CRASH;
  port.on('message', (request: BatchRequest) => {
    if (crashOn && request.files.some((f) => f.display.includes(crashOn))) process.exit(70);
    try {
      if (data.mode === 'events') {
        const results = request.files.map((file) => readAhead(file, data.maxBytes));
        // The tokens' buffers move to the main thread (no copy); the texts are copied, as strings are.
        const buffers = results.flatMap((r) =>
          'tokens' in r && r.tokens ? [r.tokens.lineStarts.buffer, r.tokens.events.buffer] : [],
        ) as ArrayBuffer[];
        port.postMessage({ id: request.id, results } satisfies BatchReply, buffers);
      } else {
        const results = request.files.map((file) => toWire(parseInput(file, catalogOf(), data.maxBytes)));
        port.postMessage({ id: request.id, results } satisfies BatchReply); // throws if a model cannot be cloned
      }
    } catch (e) {
      port.postMessage({
        id: request.id,
        error: e instanceof Error ? e.message : String(e),
      } satisfies BatchReply);
    }
  });
}
