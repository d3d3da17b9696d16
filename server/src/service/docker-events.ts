// Watches a Docker endpoint's event stream (service, node and container lifecycle events) and reports
// changes debounced, so the panel refreshes when the cluster changes instead of polling. The stream is
// long-lived: it gets no idle timeout (the shared client's 5 s deadline would cut it), only a connect
// timeout, and it reconnects with exponential backoff when the daemon goes away.
import type Docker from 'dockerode';
import { newDockerClient } from '../operations/docker-client.js';
import type { Endpoint } from '../operations/connection.js';

export interface EventsWatcherOptions {
  onChange: (change: {
    reason: 'events' | 'disconnected' | 'reconnected';
    types: string[];
    count: number;
  }) => void;
  log?: (message: string) => void;
  /** Quiet time before reporting a burst of events. */
  debounceMs?: number;
  /** Longest a continuous burst (a drain) is held back. */
  maxWaitMs?: number;
  /** First and largest reconnect delays. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  connectTimeoutMs?: number;
}

// exec_*, health_status and attach events fire constantly (health checks) and change nothing we show.
const EVENTS = [
  'create',
  'update',
  'remove',
  'start',
  'die',
  'destroy',
  'restart',
  'oom',
  'pause',
  'unpause',
];
const TYPES = ['service', 'node', 'container'];

export class DockerEventsWatcher {
  private endpointKey: string | undefined;
  private endpoint: Endpoint | undefined;
  private controller: AbortController | undefined;
  private stream: NodeJS.ReadableStream | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private debounceTimer: NodeJS.Timeout | undefined;
  private burstStart = 0;
  private pendingTypes = new Set<string>();
  private pendingCount = 0;
  private backoff: number;
  private connectedOnce = false;
  private down = false;
  private disposed = false;

  constructor(private readonly opts: EventsWatcherOptions) {
    this.backoff = opts.minBackoffMs ?? 1000;
  }

  /** The endpoint being watched (its url), if any. */
  get watching(): string | undefined {
    return this.endpoint?.url;
  }

  /** Starts watching `endpoint`, or keeps watching when it is the one already watched. */
  watch(endpoint: Endpoint): void {
    const key = JSON.stringify([endpoint.url, endpoint.source]);
    if (this.disposed || key === this.endpointKey) return;
    this.stop();
    this.endpointKey = key;
    this.endpoint = endpoint;
    this.backoff = this.opts.minBackoffMs ?? 1000;
    this.connectedOnce = false;
    this.down = false;
    this.connect();
  }

  stop(): void {
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.debounceTimer);
    this.reconnectTimer = undefined;
    this.debounceTimer = undefined;
    this.controller?.abort();
    this.controller = undefined;
    const s = this.stream as (NodeJS.ReadableStream & { destroy?: () => void }) | undefined;
    s?.removeAllListeners();
    s?.destroy?.();
    this.stream = undefined;
    this.endpointKey = undefined;
    this.endpoint = undefined;
    this.pendingTypes.clear();
    this.pendingCount = 0;
  }

  dispose(): void {
    this.stop();
    this.disposed = true;
  }

  private connect(): void {
    const endpoint = this.endpoint;
    if (!endpoint || this.disposed) return;
    const controller = new AbortController();
    this.controller = controller;
    const docker = newDockerClient({
      ...endpoint.options,
      // No idle timeout on a stream that is quiet by nature; the connect timeout still bounds a dead host.
      timeout: 0,
      connectionTimeout: this.opts.connectTimeoutMs ?? 5000,
    } as Docker.DockerOptions);
    const connectDeadline = setTimeout(() => controller.abort(), (this.opts.connectTimeoutMs ?? 5000) + 1000);
    docker
      .getEvents({
        filters: { type: TYPES, event: EVENTS },
        abortSignal: controller.signal,
      } as Docker.GetEventsOptions)
      .then((stream) => {
        clearTimeout(connectDeadline);
        if (controller !== this.controller) {
          (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
          return;
        }
        this.stream = stream;
        this.opts.log?.(`watching Docker events at ${endpoint.url}`);
        const connectedAt = Date.now();
        if (this.down) {
          this.down = false;
          this.opts.onChange({ reason: 'reconnected', types: [], count: 0 });
        }
        this.connectedOnce = true;
        let buffer = '';
        stream.on('data', (chunk: Buffer | string) => {
          buffer += chunk.toString();
          let nl: number;
          while ((nl = buffer.indexOf('\n')) >= 0) {
            const line = buffer.slice(0, nl).trim();
            buffer = buffer.slice(nl + 1);
            if (line) this.onEvent(line);
          }
        });
        const ended = (why: string): void => {
          if (controller !== this.controller) return;
          // A stream that lived a while was healthy: start the backoff over.
          if (Date.now() - connectedAt > 30_000) this.backoff = this.opts.minBackoffMs ?? 1000;
          this.lost(why);
        };
        stream.on('end', () => ended('the event stream ended'));
        stream.on('error', (e: Error) => ended(e.message));
      })
      .catch((e: unknown) => {
        clearTimeout(connectDeadline);
        if (controller !== this.controller) return;
        this.lost(e instanceof Error ? e.message : String(e));
      });
  }

  private lost(why: string): void {
    this.stream = undefined;
    this.controller?.abort();
    this.controller = undefined;
    if (this.disposed || !this.endpoint) return;
    const delay = this.backoff;
    this.backoff = Math.min(this.backoff * 2, this.opts.maxBackoffMs ?? 30_000);
    this.opts.log?.(
      `Docker events at ${this.endpoint.url}: ${why}; reconnecting in ${Math.round(delay / 1000)} s`,
    );
    if (!this.down && this.connectedOnce) {
      this.opts.onChange({ reason: 'disconnected', types: [], count: 0 });
    }
    this.down = true;
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private onEvent(line: string): void {
    let type = 'unknown';
    try {
      const e = JSON.parse(line) as { Type?: string; Action?: string };
      type = e.Type ?? type;
    } catch {
      // Not JSON: still a sign of change.
    }
    this.pendingTypes.add(type);
    this.pendingCount++;
    const now = Date.now();
    if (this.pendingCount === 1) this.burstStart = now;
    clearTimeout(this.debounceTimer);
    const debounce = this.opts.debounceMs ?? 750;
    const maxWait = this.opts.maxWaitMs ?? 3000;
    const wait = Math.max(0, Math.min(debounce, this.burstStart + maxWait - now));
    this.debounceTimer = setTimeout(() => this.flush(), wait);
  }

  private flush(): void {
    this.debounceTimer = undefined;
    if (this.pendingCount === 0) return;
    const change = {
      reason: 'events' as const,
      types: [...this.pendingTypes].sort(),
      count: this.pendingCount,
    };
    this.pendingTypes.clear();
    this.pendingCount = 0;
    this.opts.onChange(change);
  }
}
