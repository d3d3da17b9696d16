// What the `stateful-ha lint` main thread and its parse workers exchange (parse-pool.ts, parse-worker.ts).
import type { ReadAhead, WireInput } from './parse-input.js';

/** Set by esbuild.mjs, the same in the CLI bundle and the worker bundle. */
declare const STATEFUL_HA_BUILD_ID: string | undefined;
/** This bundle's build ('sources' when run from the TypeScript sources). */
export const BUILD_ID = typeof STATEFUL_HA_BUILD_ID === 'string' ? STATEFUL_HA_BUILD_ID : 'sources';

/**
 * What workers do with a file. `models`: read, parse and build its model (released), posted back as plain
 * data. `events`: only read it and tokenize it (`tokenize`), posted back as its text and its tokens (two
 * transferred buffers); the main thread builds the model. Decoding a posted model costs the main thread most of what
 * building it from the events does, so `events` is the mode when the workers and the main thread share two
 * cores, `models` when each has a core of its own.
 */
export type PoolMode = 'models' | 'events';

/** What the pool passes to each worker. */
export interface ParseWorkerData {
  /** The CLI's build: a worker bundle from another build could make other models (other output). */
  buildId: string;
  mode: PoolMode;
  maxBytes: number;
  /** The configuration file as the main thread read it; absent: the defaults. */
  config?: { text: string; path: string; knownRules: string[] };
}

export interface BatchRequest {
  id: number;
  files: { path: string; display: string }[];
}

/** The batch's results in order, or why the batch could not be done (the main thread then does it). */
export type BatchReply = { id: number; results: WireInput[] | ReadAhead[] } | { id: number; error: string };
