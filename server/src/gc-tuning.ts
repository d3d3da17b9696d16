// V8's allocation-site pretenuring, turned off for the language server and the CLI. When most objects
// from one allocation site survive a scavenge, V8 starts allocating that site's objects straight in the old
// generation. Parsing a workspace fools it: the YAML nodes and events of one file are all alive while the
// file is parsed, then all garbage. Pretenured, they pile up in the old generation until a full collection.
// Linting the 5,000-file bench workspace (one thread), interleaved runs: 389 → 185 MB promoted by
// scavenges, peak RSS 447–461 → 369–378 MB, CPU 8.0–9.7 → 7.4–8.1 s (bench/RESULTS.md, eighth pass).
// The flag is read at each garbage collection, so setting it at start-up, before any parsing, is enough.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export function tuneGarbageCollection(): void {
  setFlagsFromString('--no-allocation-site-pretenuring');
}

/**
 * V8's full collection, for the language server's compaction when idle (service/heap-compaction.ts):
 * Node's `gc` when started with `--expose-gc`, else exposed here on first use, so that the server gives
 * memory back whichever editor starts it, with whichever flags. The flag applies to contexts made after it
 * is set, hence a new context for the function (0.4 MB of heap, under 1 ms).
 */
export function fullCollection(): () => void {
  let gc = (globalThis as { gc?: () => void }).gc;
  return () => {
    if (!gc) {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as () => void;
    }
    gc();
  };
}
