// A real 3-node Docker Swarm (plus one plain engine) on this machine, for the docker tests. The heavy
// lifting is in swarm.sh (namespaces, dockerds, offline busybox image, swarm init/join); this wraps it
// for node:test and guarantees teardown (dockerds killed by PID, namespaces deleted) even when a test
// fails or the process is interrupted. Nothing here touches an address outside this machine: the nodes
// live on a bridge in a namespace with no link to the host network.
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const IMAGE = 'local/busybox:1';
/** A busybox loop that exits on SIGTERM, so stops take no grace period. */
export const LOOP = ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 1; done'];

export interface Swarm {
  base: string;
  id: string;
  /** Unix sockets of node1 (manager), node2, node3 (workers) and node4 (plain engine). */
  sockets: [string, string, string, string];
  namespaces: string[];
  /** veth ends in the switch namespace: `ip -n <switchNs> link set <veth> down` cuts a node off. */
  veths: string[];
  switchNs: string;
  sharedDir: string;
  /** Runs the docker CLI against node i (1-based); returns trimmed stdout. */
  docker(node: number, ...args: string[]): string;
  /** Cuts or restores node i's only network link. */
  link(node: number, up: boolean): void;
  teardown(): void;
}

const SCRIPT = join(__dirname, 'swarm.sh');

export function canRunSwarm(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces, dockerd)';
  for (const bin of ['dockerd', 'docker', 'busybox', 'ip', 'unshare']) {
    if (spawnSync('sh', ['-c', `command -v ${bin}`]).status !== 0)
      return `needs ${bin} (apt-get install docker.io busybox-static)`;
  }
  return undefined;
}

export function startSwarm(): Swarm {
  const r = spawnSync(SCRIPT, ['up'], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`swarm.sh up failed (${r.status}): ${r.stderr}`);
  const vars: Record<string, string> = {};
  for (const line of r.stdout.split('\n')) {
    const m = /^([A-Z_0-9]+)=(.*)$/.exec(line);
    if (m) vars[m[1]!] = m[2]!;
  }
  const base = vars.BASE!;
  let down = false;
  const teardown = (): void => {
    if (down) return;
    down = true;
    spawnSync(SCRIPT, ['down', base], { stdio: 'ignore', timeout: 60_000 });
  };
  // Interrupted runs must not leave daemons and namespaces behind.
  process.once('exit', teardown);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      teardown();
      process.exit(130);
    });
  }
  const sockets = [1, 2, 3, 4].map((i) => vars[`SOCK_${i}`]!) as Swarm['sockets'];
  const veths = [1, 2, 3, 4].map((i) => vars[`VETH_${i}`]!);
  const switchNs = vars.NS_SWITCH!;
  return {
    base,
    id: vars.ID!,
    sockets,
    namespaces: [1, 2, 3, 4].map((i) => vars[`NS_${i}`]!),
    veths,
    switchNs,
    sharedDir: join(base, 'shared'),
    docker: (node, ...args) =>
      execFileSync('docker', ['-H', `unix://${sockets[node - 1]}`, ...args], {
        encoding: 'utf8',
        timeout: 60_000,
        stdio: ['ignore', 'pipe', 'pipe'],
      }).trim(),
    link: (node, up) => {
      execFileSync('ip', ['-n', switchNs, 'link', 'set', veths[node - 1]!, up ? 'up' : 'down']);
    },
    teardown,
  };
}

/** Polls until `fn` returns a value (not undefined) or the deadline passes. */
export async function waitFor<T>(
  what: string,
  fn: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

export interface RunningTask {
  id: string;
  node: string;
  containerId: string;
}

/** The running tasks of a service, as the manager reports them. */
export function runningTasks(swarm: Swarm, service: string): RunningTask[] {
  const ids = swarm
    .docker(1, 'service', 'ps', '-q', '--filter', 'desired-state=running', service)
    .split('\n')
    .filter(Boolean);
  if (ids.length === 0) return [];
  const rows = swarm
    .docker(
      1,
      'inspect',
      '--format',
      '{{.ID}} {{.NodeID}} {{.Status.State}} {{if .Status.ContainerStatus}}{{.Status.ContainerStatus.ContainerID}}{{end}}',
      ...ids,
    )
    .split('\n')
    .map((l) => l.split(' '));
  const nodes = new Map(
    swarm
      .docker(1, 'node', 'ls', '--format', '{{.ID}} {{.Hostname}}')
      .split('\n')
      .map((l) => l.split(' ') as [string, string]),
  );
  return rows
    .filter((r) => r[2] === 'running')
    .map((r) => ({ id: r[0]!, node: nodes.get(r[1]!) ?? r[1]!, containerId: r[3] ?? '' }));
}

/** Node number (1-4) of a hostname `nodeN`. */
export function nodeIndex(hostname: string): number {
  const m = /^node(\d)$/.exec(hostname);
  if (!m) throw new Error(`unexpected hostname ${hostname}`);
  return Number(m[1]);
}

/** Runs a shell command inside a task's container, on the node's own daemon. */
export function execIn(swarm: Swarm, task: RunningTask, script: string): string {
  return swarm.docker(nodeIndex(task.node), 'exec', task.containerId, 'sh', '-c', script);
}

/** `docker service create` arguments every test service shares (no VIP, fast stop, offline image). */
export const SERVICE_CREATE = [
  'service',
  'create',
  '-d',
  '--endpoint-mode',
  'dnsrr',
  '--stop-grace-period',
  '1s',
  '--no-resolve-image',
];

/**
 * The two services the operations tests act on: `db`, node-local data pinned to node2 by the node label
 * `db=true` (draining node2 would strand it), and `files`, on a bind-backed `local` volume declared shared
 * and kept off node2 (its node can be drained safely). `secret` goes into db's environment so tests can
 * check it never leaks.
 */
export function createPinnedAndSharedServices(swarm: Swarm, secret: string): void {
  swarm.docker(1, 'node', 'update', '--label-add', 'db=true', 'node2');
  swarm.docker(
    1,
    ...SERVICE_CREATE,
    '--name',
    'db',
    '--constraint',
    'node.labels.db==true',
    '--env',
    `DB_PASSWORD=${secret}`,
    '--mount',
    'type=volume,source=dbdata,target=/data',
    IMAGE,
    ...LOOP,
  );
  swarm.docker(
    1,
    ...SERVICE_CREATE,
    '--name',
    'files',
    '--constraint',
    'node.labels.db!=true',
    '--mount',
    `type=volume,source=filesdata,target=/data,volume-driver=local,volume-opt=type=none,volume-opt=o=bind,volume-opt=device=${swarm.sharedDir},volume-label=stateful-ha.io/storage=shared`,
    IMAGE,
    ...LOOP,
  );
}
