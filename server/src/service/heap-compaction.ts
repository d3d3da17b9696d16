// Gives the memory of a burst of work back to the system once the server is idle. V8 keeps the heap it grew
// to: after the first pass over a 5,000-file workspace the server held 408–426 MB RSS for a 137–146 MB live
// set, the same 15 s later (Node runs no idle-time collection). A few full collections while nobody waits
// compact it: measured 415 → 237 MB after 6 rounds of ~150–220 ms each. The server gives it V8's full
// collection (gc-tuning.ts, `fullCollection`); without one, it does nothing.
import { getHeapStatistics } from 'node:v8';

export interface CompactionOptions {
  /** How often to look (ms). */
  checkMs: number;
  /** Quiet time (no message handled, no pass running) before a round (ms). */
  idleMs: number;
  /**
   * Growth of the committed heap since the last compaction that is worth a round (bytes). 48 MB: once
   * closed files' models got lighter, indexing the 10,000-file test workspace grew it by less than the
   * 96 MB this was, and the server kept 194–199 MB RSS that compaction brings to 122 MB.
   */
  minGrowthBytes: number;
  /**
   * After a quiet period's rounds, whether the next quiet period continues without new growth: only if its
   * last round still shrank the committed heap by this much.
   */
  minFreedBytes: number;
  /**
   * Rounds per quiet period (each one blocks the thread for a full collection), all of them once started:
   * the young generation shrinks in a later round than the old one. Stopping at the first round that gave
   * back under 8 MB left 130–186 MB of heap pages 20 s after the 5,000-file pass; all 6 rounds 135–137 MB.
   */
  maxRounds: number;
  /**
   * Time between rounds (ms). V8 shrinks its young generation (34 MB at 5,000 files) in a full collection
   * only once its recent allocation rate is low, which rounds in quick succession never see: 6 rounds
   * 0.5 s apart left 269 MB RSS, 1.5 s apart 237 MB (in-process, after the 5,000-file pass).
   */
  roundIntervalMs: number;
}

const DEFAULTS: CompactionOptions = {
  checkMs: 500,
  idleMs: 2000,
  minGrowthBytes: 48 * 1024 * 1024,
  minFreedBytes: 8 * 1024 * 1024,
  maxRounds: 6,
  roundIntervalMs: 1500,
};

export interface CompactionStats {
  /** Full collections run by the compactor. */
  rounds: number;
  /** Committed heap given back by them (bytes; total_heap_size before minus after). */
  freedBytes: number;
}

export class HeapCompactor {
  readonly stats: CompactionStats = { rounds: 0, freedBytes: 0 };
  private readonly options: CompactionOptions;
  private readonly timer: ReturnType<typeof setInterval> | undefined;
  private inFlight = 0;
  private lastActivity = performance.now();
  /** Rounds run since the last activity. */
  private roundsThisQuiet = 0;
  /** The last round freed enough for the next quiet period to continue. */
  private unfinished = false;
  /** The committed heap after the last round (at start: when created). */
  private baseline: number;
  private lastRound = -Infinity;

  constructor(
    private readonly gc: (() => void) | undefined,
    /** Work the server does on its own, between messages (a scheduled or running pass). */
    private readonly busy: () => boolean,
    options: Partial<CompactionOptions> = {},
    /** The committed heap (V8's; the tests give their own figures). */
    private readonly heapSize: () => number = () => getHeapStatistics().total_heap_size,
  ) {
    this.options = { ...DEFAULTS, ...options };
    this.baseline = this.heapSize();
    if (gc) this.timer = setInterval(() => this.tick(), this.options.checkMs).unref();
  }

  /** Runs a message handler, which postpones compaction until it is done and the server is quiet again. */
  async during<R>(fn: () => R | Promise<R>): Promise<R> {
    this.inFlight++;
    this.activity();
    try {
      return await fn();
    } finally {
      this.inFlight--;
      this.activity();
    }
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private activity(): void {
    this.lastActivity = performance.now();
    this.roundsThisQuiet = 0;
  }

  private tick(): void {
    if (!this.gc || this.inFlight > 0 || this.busy()) return;
    if (performance.now() - this.lastActivity < this.options.idleMs) return;
    if (this.roundsThisQuiet >= this.options.maxRounds) return;
    if (performance.now() - this.lastRound < this.options.roundIntervalMs) return;
    const before = this.heapSize();
    // Only after a burst: the heap grew well past what the last compaction left (what is live is unknown
    // until a collection, so growth is the cue, not the unused part of the heap). Once started, a quiet
    // period's rounds go on.
    if (
      this.roundsThisQuiet === 0 &&
      !this.unfinished &&
      before - this.baseline < this.options.minGrowthBytes
    )
      return;
    this.gc();
    this.lastRound = performance.now();
    const after = this.heapSize();
    this.stats.rounds++;
    this.stats.freedBytes += Math.max(0, before - after);
    this.baseline = after;
    this.roundsThisQuiet++;
    this.unfinished = before - after >= this.options.minFreedBytes;
  }
}
