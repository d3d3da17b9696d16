// Connecting to a Docker engine the way the docker CLI does (explicit host, --context, DOCKER_HOST,
// DOCKER_CONTEXT, the config's current context, then the local socket), with a hard deadline on every
// call: an unreachable daemon must give a clear error in seconds, never a hang in the editor or in CI.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { newDockerClient } from './docker-client.js';

export const DEFAULT_SOCKET = '/var/run/docker.sock';
export const DEFAULT_TIMEOUT_MS = 5000;

export interface ConnectionOptions {
  /** `--host`: unix:///path, tcp://host:port, ssh://user@host. Wins over everything. */
  host?: string;
  /** `--context`: a Docker context name. */
  context?: string;
  /** Environment (DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH, DOCKER_CONTEXT, DOCKER_CONFIG). */
  env?: NodeJS.ProcessEnv;
  /** Per-call deadline; default 5 s. */
  timeoutMs?: number;
  /** Home directory (for ~/.docker); tests point it elsewhere. */
  home?: string;
}

/** Where the daemon is and how it was chosen; `url` is safe to show (no credentials). */
export interface Endpoint {
  url: string;
  /** `--host`, `DOCKER_HOST`, `context <name>`, `default socket`. */
  source: string;
  options: Docker.DockerOptions;
}

export type ClusterMode = 'engine' | 'swarm-manager' | 'swarm-worker';

export interface EngineInfo {
  mode: ClusterMode;
  /** Human sentence: "swarm manager (node node1, 3 nodes)". */
  description: string;
  serverVersion: string;
  apiVersion: string;
  nodeId?: string;
  hostname: string;
}

/** The daemon could not be reached or did not answer in time (CLI exit code 2). */
export class DockerUnreachableError extends Error {
  constructor(
    message: string,
    readonly endpoint: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'DockerUnreachableError';
  }
}

/** Bad connection settings: unknown context, malformed DOCKER_HOST (CLI exit code 2). */
export class ConnectionConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConnectionConfigError';
  }
}

function dockerConfigDir(opts: ConnectionOptions): string {
  const env = opts.env ?? process.env;
  return env.DOCKER_CONFIG || join(opts.home ?? homedir(), '.docker');
}

/** The context the docker CLI would use (same precedence), or undefined for the default one. */
export function resolveContextName(opts: ConnectionOptions): string | undefined {
  const env = opts.env ?? process.env;
  if (opts.context) return opts.context === 'default' ? undefined : opts.context;
  if (opts.host || env.DOCKER_HOST) return undefined;
  if (env.DOCKER_CONTEXT) return env.DOCKER_CONTEXT === 'default' ? undefined : env.DOCKER_CONTEXT;
  const configPath = join(dockerConfigDir(opts), 'config.json');
  if (!existsSync(configPath)) return undefined;
  try {
    const config = JSON.parse(readFileSync(configPath, 'utf8')) as { currentContext?: string };
    return config.currentContext && config.currentContext !== 'default' ? config.currentContext : undefined;
  } catch {
    return undefined;
  }
}

interface ContextMeta {
  Name?: string;
  Endpoints?: { docker?: { Host?: string; SkipTLSVerify?: boolean } };
}

/** Resolves the endpoint without contacting it. Throws ConnectionConfigError on bad settings. */
export function resolveEndpoint(opts: ConnectionOptions = {}): Endpoint {
  const env = opts.env ?? process.env;
  const timeout = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (opts.host && opts.context) throw new ConnectionConfigError('use either --host or --context, not both');
  if (opts.host) return fromHost(opts.host, '--host', timeout, tlsFromEnv(env));
  const contextName = resolveContextName(opts);
  if (contextName) {
    // The CLI stores contexts under the SHA-256 of their name.
    const id = createHash('sha256').update(contextName).digest('hex');
    const dir = dockerConfigDir(opts);
    const metaPath = join(dir, 'contexts', 'meta', id, 'meta.json');
    if (!existsSync(metaPath)) {
      throw new ConnectionConfigError(`Docker context "${contextName}" not found (no ${metaPath})`);
    }
    let meta: ContextMeta;
    try {
      meta = JSON.parse(readFileSync(metaPath, 'utf8')) as ContextMeta;
    } catch (e) {
      throw new ConnectionConfigError(
        `Docker context "${contextName}": unreadable ${metaPath}: ${errText(e)}`,
      );
    }
    const docker = meta.Endpoints?.docker;
    if (!docker?.Host)
      throw new ConnectionConfigError(`Docker context "${contextName}" has no docker endpoint`);
    const tlsDir = join(dir, 'contexts', 'tls', id, 'docker');
    const tls =
      existsSync(join(tlsDir, 'ca.pem')) || existsSync(join(tlsDir, 'cert.pem')) ? tlsDir : undefined;
    return fromHost(docker.Host, `context ${contextName}`, timeout, {
      certPath: tls,
      verify: tls !== undefined && !docker.SkipTLSVerify,
    });
  }
  if (env.DOCKER_HOST) return fromHost(env.DOCKER_HOST, 'DOCKER_HOST', timeout, tlsFromEnv(env));
  return {
    url: `unix://${DEFAULT_SOCKET}`,
    source: 'default socket',
    options: { socketPath: DEFAULT_SOCKET, timeout },
  };
}

interface TlsSettings {
  certPath?: string;
  verify: boolean;
}

function tlsFromEnv(env: NodeJS.ProcessEnv): TlsSettings {
  const verify =
    env.DOCKER_TLS_VERIFY !== undefined && env.DOCKER_TLS_VERIFY !== '' && env.DOCKER_TLS_VERIFY !== '0';
  return { certPath: env.DOCKER_CERT_PATH || (verify ? join(homedir(), '.docker') : undefined), verify };
}

function fromHost(host: string, source: string, timeout: number, tls: TlsSettings): Endpoint {
  if (host.startsWith('unix://')) {
    const socketPath = host.slice('unix://'.length) || DEFAULT_SOCKET;
    return { url: `unix://${socketPath}`, source, options: { socketPath, timeout } };
  }
  if (host.startsWith('npipe://')) {
    const socketPath = host.slice('npipe://'.length) || '//./pipe/docker_engine';
    return { url: host, source, options: { socketPath, timeout } };
  }
  let url: URL;
  try {
    url = new URL(host);
  } catch {
    throw new ConnectionConfigError(`${source}: "${host}" is not a Docker host (unix://, tcp:// or ssh://)`);
  }
  if (url.protocol === 'ssh:') {
    const shown = `ssh://${url.username ? `${url.username}@` : ''}${url.hostname}${url.port ? `:${url.port}` : ''}`;
    return {
      url: shown,
      source,
      options: {
        protocol: 'ssh',
        host: url.hostname,
        port: url.port ? Number(url.port) : 22,
        username: url.username || undefined,
        // The agent is the only credential we use: keys stay with ssh-agent.
        sshOptions: { agent: process.env.SSH_AUTH_SOCK },
        timeout,
      },
    };
  }
  if (url.protocol !== 'tcp:' && url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConnectionConfigError(`${source}: unsupported scheme in "${host}" (unix://, tcp:// or ssh://)`);
  }
  const port = url.port ? Number(url.port) : tls.verify ? 2376 : 2375;
  const https = url.protocol === 'https:' || tls.verify || tls.certPath !== undefined || port === 2376;
  const options: Docker.DockerOptions = {
    protocol: https ? 'https' : 'http',
    host: url.hostname,
    port,
    timeout,
  };
  if (https && tls.certPath) {
    const read = (f: string): Buffer | undefined => {
      const p = join(tls.certPath!, f);
      return existsSync(p) ? readFileSync(p) : undefined;
    };
    options.ca = read('ca.pem');
    options.cert = read('cert.pem');
    options.key = read('key.pem');
  }
  return { url: `tcp://${url.hostname}:${port}`, source, options };
}

function errText(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as NodeJS.ErrnoException).code;
    const msg = e.message.replace(/\s+/g, ' ').trim();
    return code && !msg.includes(code) ? `${code} ${msg}` : msg;
  }
  return String(e);
}

/** The daemon answered with an error status. `daemonMessage` is its own explanation. */
export class DockerApiError extends Error {
  constructor(
    message: string,
    readonly statusCode: number,
    readonly daemonMessage: string,
  ) {
    super(message);
    this.name = 'DockerApiError';
  }
}

function toApiError(err: unknown, what: string): unknown {
  const e = err as { statusCode?: number; json?: { message?: string } | string | null; message?: string };
  if (typeof e?.statusCode !== 'number') return err;
  const daemon =
    (typeof e.json === 'object' && e.json?.message) ||
    (typeof e.json === 'string' ? e.json : '') ||
    e.message ||
    '';
  return new DockerApiError(
    `${what}: ${String(daemon).trim()} (HTTP ${e.statusCode})`,
    e.statusCode,
    String(daemon).trim(),
  );
}

/** Engine answer to a versioned update whose version is stale: someone changed the object meanwhile. */
export function isOutOfSequence(e: unknown): boolean {
  return e instanceof DockerApiError && /out of sequence/i.test(e.daemonMessage);
}

/** A network-level failure (as opposed to an error answer from a daemon that is there). */
function isUnreachable(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const code = (e as NodeJS.ErrnoException).code ?? '';
  return (
    [
      'ENOENT',
      'ECONNREFUSED',
      'EACCES',
      'EHOSTUNREACH',
      'ENETUNREACH',
      'ETIMEDOUT',
      'ECONNRESET',
      'EPIPE',
    ].includes(code) ||
    code.startsWith('ERR_SSL') ||
    /timeout|socket hang up|ENOTFOUND|EAI_AGAIN/i.test(e.message)
  );
}

/** A connected Docker client whose every call has a deadline and a clear failure message. */
export class DockerConnection {
  readonly docker: Docker;

  constructor(
    readonly endpoint: Endpoint,
    readonly timeoutMs: number = DEFAULT_TIMEOUT_MS,
  ) {
    this.docker = newDockerClient(endpoint.options);
  }

  private readonly clients = new Map<number, Docker>();

  private clientWithTimeout(timeout: number): Docker {
    let c = this.clients.get(timeout);
    if (!c) {
      c = newDockerClient({ ...this.endpoint.options, timeout });
      this.clients.set(timeout, c);
    }
    return c;
  }

  static fromOptions(opts: ConnectionOptions = {}): DockerConnection {
    return new DockerConnection(resolveEndpoint(opts), opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  }

  /**
   * Runs one API call under a deadline. dockerode's own `timeout` covers the socket; the race also covers
   * a daemon that accepts the connection and never answers, and an ssh handshake that stalls.
   */
  async call<T>(
    what: string,
    fn: (signal: AbortSignal) => Promise<T>,
    outer?: AbortSignal,
    timeoutMs: number = this.timeoutMs,
  ): Promise<T> {
    const controller = new AbortController();
    const onAbort = (): void => controller.abort();
    outer?.addEventListener('abort', onAbort, { once: true });
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(
          new DockerUnreachableError(
            `cannot reach Docker at ${this.endpoint.url}: no answer to ${what} within ${Math.round(timeoutMs / 100) / 10} s — is dockerd running and responsive? set DOCKER_HOST or --context`,
            this.endpoint.url,
          ),
        );
      }, timeoutMs);
    });
    try {
      return await Promise.race([fn(controller.signal), deadline]);
    } catch (e) {
      if (e instanceof DockerUnreachableError) throw e;
      if (outer?.aborted) throw new Error('cancelled', { cause: e });
      if (isUnreachable(e)) {
        throw new DockerUnreachableError(
          `cannot reach Docker at ${this.endpoint.url}: ${errText(e)} — is dockerd running? set DOCKER_HOST or --context`,
          this.endpoint.url,
          { cause: e },
        );
      }
      throw e;
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * One Engine API request through dockerode's modem (its socket/TLS/ssh plumbing), with the JSON typed
   * by the caller. Error answers become DockerApiError with the daemon's own message.
   */
  async api<T>(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    opts: {
      query?: Record<string, string | number | boolean>;
      body?: unknown;
      signal?: AbortSignal;
      /** For calls that legitimately last (a container restart waits for the stop grace period). */
      timeoutMs?: number;
    } = {},
  ): Promise<T> {
    const what = `${method} ${path}`;
    return this.call(
      what,
      (signal) =>
        new Promise<T>((resolve, reject) => {
          const options: Record<string, unknown> = {};
          if (opts.query && Object.keys(opts.query).length > 0) options._query = opts.query;
          // `_body` must be set for POST, or the modem sends the query object as the body.
          if (method === 'POST') options._body = opts.body ?? {};
          // dockerode's socket timeout is an idle timeout: a long call needs a client with a longer one.
          const client =
            opts.timeoutMs && opts.timeoutMs > this.timeoutMs
              ? this.clientWithTimeout(opts.timeoutMs)
              : this.docker;
          client.modem.dial(
            {
              path: `${path}?`,
              method,
              options,
              abortSignal: signal,
              statusCodes: {
                200: true,
                201: true,
                204: true,
                304: true,
                400: 'bad parameter',
                404: 'not found',
                406: 'not a swarm node',
                409: 'conflict',
                500: 'server error',
                503: 'unavailable',
              },
            } as never,
            (err: unknown, data: unknown) => {
              if (err) reject(toApiError(err, what));
              else resolve(data as T);
            },
          );
        }),
      opts.signal,
      opts.timeoutMs,
    );
  }

  /** Pings and classifies the daemon: plain engine, swarm manager or swarm worker. */
  async info(signal?: AbortSignal): Promise<EngineInfo> {
    const [info, version] = await Promise.all([
      this.api<DockerInfo>('GET', '/info', { signal }),
      this.api<{ ApiVersion?: string }>('GET', '/version', { signal }),
    ]);
    return classify(info, version.ApiVersion ?? '');
  }
}

/** The part of GET /info that decides the mode. */
export interface DockerInfo {
  Name?: string;
  ServerVersion?: string;
  Swarm?: {
    LocalNodeState?: string;
    ControlAvailable?: boolean;
    NodeID?: string;
    Nodes?: number;
    Managers?: number;
  };
}

export function classify(info: DockerInfo, apiVersion: string): EngineInfo {
  const swarm = info.Swarm;
  const hostname = info.Name ?? '';
  const base = { serverVersion: info.ServerVersion ?? '', apiVersion, hostname };
  if (swarm?.LocalNodeState === 'active' && swarm.ControlAvailable) {
    return {
      ...base,
      mode: 'swarm-manager',
      nodeId: swarm.NodeID,
      description: `swarm manager (node ${hostname}, ${swarm.Nodes ?? '?'} nodes, ${swarm.Managers ?? '?'} managers)`,
    };
  }
  if (swarm?.LocalNodeState === 'active') {
    return {
      ...base,
      mode: 'swarm-worker',
      nodeId: swarm.NodeID,
      description: `swarm worker (node ${hostname}): cluster operations need a manager's endpoint`,
    };
  }
  const state =
    swarm?.LocalNodeState && swarm.LocalNodeState !== 'inactive' ? ` (swarm ${swarm.LocalNodeState})` : '';
  return { ...base, mode: 'engine', description: `single Docker engine ${hostname}${state}` };
}
