// Parsing the files of `stateful-ha lint` in worker threads: YAML parsing and model building are per file and
// independent, and take ~80 % of a large lint; the index and the rules need the whole workspace and run in
// the main thread afterwards. By the pool's mode (parse-protocol.ts) the workers build the models, or only
// read and tokenize the files for the main thread to build them. Files are sent to the workers in contiguous
// batches, in discovery order, and their results are handed to `consume` in that same order, as soon as they
// arrive, so the workspace is built exactly as by the in-process loop. A batch a worker could not do (it
// crashed, or a model could not be posted) is done in this thread instead: no file is lost, the output stays
// the same.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { fromWire, type ParsedInput, type ReadAhead, type WireInput } from './parse-input.js';
import type { BatchReply, BatchRequest, ParseWorkerData } from './parse-protocol.js';

/** The worker bundle, beside the CLI bundle (dist/parse-worker.js). */
const WORKER_FILE = join(__dirname, 'parse-worker.js');

/** Batches per worker posted ahead, so that a worker never waits for the main thread between batches. */
const BATCHES_IN_FLIGHT = 2;
/** Largest batch: fewer messages per file, and a worker's last batch does not leave the others idle long. */
const MAX_BATCH_FILES = 32;

/** What the pool hands over for a file: its model (mode `models`), its text and events (`events`), or a problem. */
export type PoolResult = ParsedInput | ReadAhead;

export interface PoolOptions {
  /** Does in this thread what a worker would have done with a file: for the batches of a worker that failed. */
  parseHere: (file: PoolFile) => PoolResult;
  /** Batches per worker posted ahead (default 2). */
  batchesInFlight?: number;
}

export interface PoolFile {
  path: string;
  display: string;
}

export interface PoolStats {
  workers: number;
  /** Files whose result came from a worker. */
  inWorkers: number;
  /** Files parsed in this thread because their worker failed. */
  here: number;
  /** Why workers or batches failed. */
  failures: string[];
}

/** Whether the worker bundle is there (not when running from the TypeScript sources). */
export function poolAvailable(): boolean {
  return existsSync(WORKER_FILE);
}

interface Batch {
  start: number;
  end: number;
  worker: Worker;
}

/**
 * Parse workers, started ahead of the files they are to read: they boot (~0.3 s) while the CLI walks the
 * folders. Their replies and losses go to the run they are attached to; a loss before it is kept for it.
 */
export class PoolWorkers {
  readonly workers = new Set<Worker>();
  /** Why workers could not be started. */
  readonly failures: string[] = [];
  private onReply?: (worker: Worker, reply: BatchReply) => void;
  private onLost?: (worker: Worker, reason: string) => void;
  private readonly lostEarly: [Worker, string][] = [];

  constructor(
    count: number,
    readonly workerData: ParseWorkerData,
  ) {
    for (let k = 0; k < count; k++) {
      let worker: Worker;
      try {
        worker = new Worker(WORKER_FILE, { workerData, stdout: true, stderr: true });
      } catch (e) {
        this.failures.push(`cannot start a parse worker: ${(e as Error).message}`);
        continue;
      }
      // A worker prints nothing; a runtime warning it might print would be a second copy of the main thread's.
      worker.stdout.resume();
      worker.stderr.resume();
      this.workers.add(worker);
      const lost = (reason: string) => {
        if (this.onLost) this.onLost(worker, reason);
        else this.lostEarly.push([worker, reason]);
      };
      worker.on('message', (reply: BatchReply) => this.onReply?.(worker, reply));
      worker.on('error', (e) => lost(`parse worker failed: ${e.message}`));
      worker.on('messageerror', (e) => lost(`parse worker message failed: ${e.message}`));
      worker.on('exit', (code) => lost(`parse worker exited (code ${code})`));
    }
  }

  /** Hands the workers' replies and losses (those already met included) to a run. */
  attach(
    onReply: (worker: Worker, reply: BatchReply) => void,
    onLost: (worker: Worker, reason: string) => void,
  ): void {
    this.onReply = onReply;
    this.onLost = onLost;
    for (const [worker, reason] of this.lostEarly.splice(0)) onLost(worker, reason);
  }

  /** Ends the workers (their exits go to the run attached, which ignores the workers it dropped). */
  stop(): void {
    for (const w of this.workers) void w.terminate();
    this.workers.clear();
  }
}

/**
 * Reads (and parses) `files` in the pool's worker threads, then ends them; calls `consume(i, result)` for
 * every file, in index order. Resolves once every file was consumed; rejects if `consume` throws.
 */
export function parseInPool(
  files: readonly PoolFile[],
  pool: PoolWorkers,
  options: PoolOptions,
  consume: (index: number, result: PoolResult) => void,
): Promise<PoolStats> {
  return new Promise((resolve, reject) => {
    const n = files.length;
    const results = new Array<PoolResult | undefined>(n);
    const workers = new Set(pool.workers);
    const stats: PoolStats = { workers: workers.size, inWorkers: 0, here: 0, failures: [...pool.failures] };
    const batches = new Map<number, Batch>();
    let sent = 0;
    let consumed = 0;
    let nextId = 0;
    let settled = false;

    const finish = (error?: unknown): void => {
      if (settled) return;
      settled = true;
      pool.stop();
      workers.clear();
      if (error !== undefined) reject(error instanceof Error ? error : new Error(String(error)));
      else resolve(stats);
    };

    const drain = (): void => {
      try {
        while (consumed < n && results[consumed] !== undefined) {
          const result = results[consumed]!;
          results[consumed] = undefined;
          consume(consumed++, result);
        }
      } catch (e) {
        finish(e);
        return;
      }
      if (consumed === n) finish();
    };

    const feed = (worker: Worker): void => {
      let inFlight = 0;
      for (const b of batches.values()) if (b.worker === worker) inFlight++;
      while (inFlight < (options.batchesInFlight ?? BATCHES_IN_FLIGHT) && sent < n) {
        // Smaller batches towards the end, so that the workers finish together.
        const size = Math.min(MAX_BATCH_FILES, Math.ceil((n - sent) / (workers.size * 4)));
        const batch: Batch = { start: sent, end: Math.min(n, sent + Math.max(1, size)), worker };
        sent = batch.end;
        const id = nextId++;
        batches.set(id, batch);
        const request: BatchRequest = {
          id,
          files: files.slice(batch.start, batch.end).map((f) => ({ path: f.path, display: f.display })),
        };
        worker.postMessage(request);
        inFlight++;
      }
    };

    /** Files a worker could not do are read and parsed here, at once (they may be next to consume). */
    const parseHere = (start: number, end: number): void => {
      try {
        for (let i = start; i < end && !settled; i++) {
          results[i] = options.parseHere(files[i]!);
          stats.here++;
        }
      } catch (e) {
        finish(e);
      }
    };

    /** A worker is gone: its batches, and all the rest if no worker is left, are parsed here. */
    const lose = (worker: Worker, reason: string): void => {
      if (settled || !workers.delete(worker)) return;
      stats.failures.push(reason);
      void worker.terminate();
      for (const [id, b] of batches) {
        if (b.worker !== worker) continue;
        batches.delete(id);
        parseHere(b.start, b.end);
      }
      if (workers.size === 0 && sent < n) {
        const start = sent;
        sent = n;
        parseHere(start, n);
      }
      drain();
    };

    const onReply = (worker: Worker, reply: BatchReply): void => {
      if (settled) return;
      const batch = batches.get(reply.id);
      if (!batch) return;
      batches.delete(reply.id);
      if ('error' in reply) {
        stats.failures.push(reply.error);
        parseHere(batch.start, batch.end);
      } else {
        const events = pool.workerData.mode === 'events';
        for (let k = 0; k < reply.results.length; k++) {
          const result = reply.results[k]!;
          results[batch.start + k] = events ? (result as ReadAhead) : fromWire(result as WireInput);
        }
        stats.inWorkers += reply.results.length;
      }
      if (workers.has(worker)) feed(worker);
      drain();
    };

    pool.attach(onReply, lose);
    if (workers.size === 0) {
      sent = n;
      parseHere(0, n);
      drain();
      return;
    }
    for (const w of workers) feed(w);
  });
}
