// `stateful-ha cluster …`: status, failover, restart, decommission, undrain against a live engine or swarm.
// Argument parsing and output only; the work is in server/src/operations. Every action is a dry-run plan
// unless --yes. Exit codes: 0 ok, 1 refused or failed, 2 usage error or daemon unreachable.
import { InvalidArgumentError, type Command } from 'commander';
import { Advisor } from '../advisor/advisor.js';
import type { Finding } from '../advisor/model/model.js';
import { ConnectionConfigError, DockerConnection, DockerUnreachableError } from '../operations/connection.js';
import { executePlan, type ExecutionResult, type ProgressEvent } from '../operations/execute.js';
import { dataClass } from '../operations/plan.js';
import { isStateful, takeSnapshot, toFileModel, type LiveSnapshot } from '../operations/live-model.js';
import {
  planDecommission,
  planFailover,
  planRestart,
  planUndrain,
  renderPlanText,
  type Plan,
} from '../operations/plan.js';

interface GlobalOpts {
  host?: string;
  context?: string;
  json?: boolean;
  yes?: boolean;
  timeout?: number;
}

function seconds(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number of seconds');
  return n;
}

function out(text: string): void {
  process.stdout.write(`${text}\n`);
}

function err(text: string): void {
  process.stderr.write(`${text}\n`);
}

/** Connects and snapshots; on failure prints why and sets exit code 2. */
async function connect(
  opts: GlobalOpts,
): Promise<{ conn: DockerConnection; snapshot: LiveSnapshot } | undefined> {
  try {
    const conn = DockerConnection.fromOptions({ host: opts.host, context: opts.context });
    const snapshot = await takeSnapshot(conn);
    return { conn, snapshot };
  } catch (e) {
    if (e instanceof DockerUnreachableError || e instanceof ConnectionConfigError) err(`error: ${e.message}`);
    else err(`error: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 2;
    return undefined;
  }
}

function progressLine(e: ProgressEvent): string {
  const t = `${(e.elapsedMs / 1000).toFixed(1).padStart(5)}s`;
  const tag = e.level === 'error' ? 'FAIL ' : e.level === 'warn' ? 'warn ' : '';
  return `[${t}] ${e.step}: ${tag}${e.message}`;
}

/** Plan → (dry run | execute with progress) → result, with the exit code. */
async function runPlan(conn: DockerConnection, plan: Plan, opts: GlobalOpts): Promise<void> {
  if (!opts.yes || !plan.ok || plan.noop) {
    if (opts.json) out(JSON.stringify({ plan, executed: false }, null, 2));
    else {
      out(renderPlanText(plan));
      if (plan.ok && !plan.noop) out('Dry run: nothing changed. Run again with --yes to execute.');
    }
    process.exitCode = plan.ok ? 0 : 1;
    return;
  }
  const controller = new AbortController();
  const onSigint = (): void => {
    err('cancelling…');
    controller.abort();
  };
  process.once('SIGINT', onSigint);
  if (!opts.json) out(renderPlanText(plan));
  let result: ExecutionResult;
  try {
    result = await executePlan(conn, plan, {
      timeoutMs: (opts.timeout ?? 120) * 1000,
      signal: controller.signal,
      onProgress: (e) => {
        if (!opts.json && e.step !== 'done') out(progressLine(e));
      },
    });
  } finally {
    process.off('SIGINT', onSigint);
  }
  if (opts.json) {
    out(JSON.stringify({ plan, executed: true, result }, null, 2));
  } else {
    out(
      `${result.ok ? 'OK' : result.outcome.toUpperCase()}: ${result.message} (${(result.durationMs / 1000).toFixed(1)} s)`,
    );
    if (!result.ok && result.stateLeft) {
      out('State left:');
      const n = result.stateLeft.node;
      if (n) out(`  node ${n.hostname}: ${n.availability}, ${n.state}`);
      for (const t of result.stateLeft.tasks) {
        out(
          `  ${t.service}${t.slot !== undefined ? `.${t.slot}` : ''} ${t.id.slice(0, 12)} on ${t.node}: ${t.state} (desired ${t.desiredState})${t.error ? ` — ${t.error}` : ''}`,
        );
      }
      for (const p of result.stateLeft.problems) out(`  problem: ${p}`);
    }
    if (!result.ok && result.rollback)
      out(`Rollback (${result.rollback.description}): ${result.rollback.command}`);
  }
  process.exitCode = result.ok ? 0 : result.outcome === 'unreachable' ? 2 : 1;
}

function globals(cmd: Command): GlobalOpts {
  return cmd.optsWithGlobals<GlobalOpts>();
}

function statusText(snapshot: LiveSnapshot, findings: Finding[]): string {
  const lines: string[] = [];
  lines.push(
    `Docker at ${snapshot.endpoint}: ${snapshot.mode} (${snapshot.hostname}, engine ${snapshot.serverVersion})`,
  );
  if (snapshot.mode === 'swarm-worker') {
    lines.push('This is a swarm worker: connect to a manager (--host / --context) to see the cluster.');
    return lines.join('\n');
  }
  if (snapshot.nodes.length > 0) {
    lines.push('', 'NODES');
    const rows = snapshot.nodes.map((n) => [
      n.hostname,
      n.id.slice(0, 12),
      `${n.role}${n.leader ? ' (leader)' : ''}`,
      n.availability,
      n.state,
      n.addr,
      Object.entries(n.labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
    ]);
    lines.push(...table(['HOSTNAME', 'ID', 'ROLE', 'AVAILABILITY', 'STATE', 'ADDR', 'LABELS'], rows));
  }
  const workloads = [
    ...snapshot.services.map((s) => ({
      ref: `service/${s.name}`,
      s,
      where: s.tasks
        .filter((t) => t.desiredState === 'running')
        .map((t) => `${t.node || '?'}:${t.state}`)
        .join(' '),
      replicas: s.global ? 'global' : String(s.replicas),
    })),
    ...snapshot.containers.map((c) => ({ ref: `container/${c.name}`, s: c, where: c.state, replicas: '1' })),
  ];
  const stateful = workloads.filter((w) => isStateful(w.s));
  lines.push('', `STATEFUL WORKLOADS (${stateful.length} of ${workloads.length})`);
  if (stateful.length === 0) lines.push('  none');
  for (const w of stateful) {
    const data = dataClass(w.s.mounts);
    const storage = w.s.mounts
      .filter((m) => m.isData)
      .map(
        (m) =>
          `${m.source ?? '(anonymous)'}→${m.target} ${m.storage.kind}${m.storage.declared ? ' (declared)' : ''}`,
      )
      .join(', ');
    const engine = w.s.engine
      ? `${w.s.engine.name} (replication ${w.s.engine.replication}${w.s.engine.replicationEnabled ? ', on' : ''})`
      : 'no known engine';
    const placement =
      'constraints' in w.s && w.s.constraints.length ? w.s.constraints.join(', ') : 'unpinned';
    lines.push(`  ${w.ref}  replicas ${w.replicas}  ${engine}`);
    lines.push(
      `    data: ${storage || 'none'} → ${data.kind === 'follows' ? 'follows the task' : data.kind === 'none' ? 'no data' : 'stays on its node'}`,
    );
    lines.push(`    placement: ${placement}; tasks: ${w.where || 'none'}`);
    for (const f of findings.filter((x) => x.workload === w.ref))
      lines.push(`    ${f.severity} ${f.rule}: ${f.message}`);
  }
  return lines.join('\n');
}

function table(head: string[], rows: string[][]): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    `  ${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')}`.trimEnd();
  return [line(head), ...rows.map(line)];
}

export function registerClusterCommands(program: Command): void {
  const cluster = program
    .command('cluster')
    .description(
      'Live Docker engine / Swarm: status with HA findings, failover, restart, decommission (dry run unless --yes).',
    )
    .option(
      '-H, --host <url>',
      'Docker endpoint (unix:///var/run/docker.sock, tcp://host:2376, ssh://user@host); default DOCKER_HOST, then the current context',
    )
    .option('--context <name>', 'Docker context to use');

  cluster
    .command('status')
    .description('Nodes, stateful services and their live HA findings.')
    .option('--json', 'print JSON')
    .action(async (_opts: unknown, cmd: Command) => {
      const opts = globals(cmd);
      const c = await connect(opts);
      if (!c) return;
      const advisor = new Advisor();
      const model = toFileModel(c.snapshot);
      advisor.setModel(model);
      const { findings, failures } = advisor.analyze();
      for (const f of failures) err(`internal error in rule ${f.rule}: ${f.message} (other rules ran)`);
      if (opts.json) {
        out(
          JSON.stringify(
            {
              snapshot: c.snapshot,
              findings: findings.map((f) => ({
                rule: f.rule,
                severity: f.severity,
                workload: f.workload,
                message: f.message,
              })),
            },
            null,
            2,
          ),
        );
      } else {
        out(statusText(c.snapshot, findings));
      }
      process.exitCode = 0;
    });

  cluster
    .command('failover')
    .description(
      'Move a stateful service to another node (updates its placement). Refuses when its data would not follow.',
    )
    .argument('<service>', 'service name or id')
    .requiredOption('--to <node>', 'target node (hostname or id)')
    .option(
      '--accept-empty-data',
      'move even though node-local data stays behind (the task starts on an empty volume)',
    )
    .option('--yes', 'execute (default: print the plan only)')
    .option('--json', 'print JSON')
    .option('--timeout <s>', 'convergence timeout in seconds', seconds, 120)
    .action(async (service: string, o: { to: string; acceptEmptyData?: boolean }, cmd: Command) => {
      const opts = globals(cmd);
      const c = await connect(opts);
      if (!c) return;
      await runPlan(
        c.conn,
        planFailover(c.snapshot, service, o.to, { acceptEmptyData: o.acceptEmptyData }),
        opts,
      );
    });

  cluster
    .command('restart')
    .description('Restart a service (swarm) or container (engine) in place: same node, same volume.')
    .argument('<target>', 'service or container name or id')
    .option('--yes', 'execute (default: print the plan only)')
    .option('--json', 'print JSON')
    .option('--timeout <s>', 'convergence timeout in seconds', seconds, 120)
    .action(async (target: string, _o: unknown, cmd: Command) => {
      const opts = globals(cmd);
      const c = await connect(opts);
      if (!c) return;
      await runPlan(c.conn, planRestart(c.snapshot, target), opts);
    });

  cluster
    .command('decommission')
    .description(
      'Drain a node: preflight every task (moves with data / resyncs / stranded / breaks quorum), then drain and wait.',
    )
    .argument('<node>', 'node hostname or id')
    .option(
      '--override <task|service...>',
      'accept a stranded or quorum-breaking task (task id, service name or id)',
    )
    .option('--remove', 'remove the node from the swarm once drained')
    .option('--yes', 'execute (default: print the plan only)')
    .option('--json', 'print JSON')
    .option('--timeout <s>', 'convergence timeout in seconds', seconds, 120)
    .action(async (node: string, o: { override?: string[]; remove?: boolean }, cmd: Command) => {
      const opts = globals(cmd);
      const c = await connect(opts);
      if (!c) return;
      await runPlan(
        c.conn,
        planDecommission(c.snapshot, node, { overrides: o.override ?? [], remove: o.remove }),
        opts,
      );
    });

  cluster
    .command('undrain')
    .description('Set a drained node active again.')
    .argument('<node>', 'node hostname or id')
    .option('--yes', 'execute (default: print the plan only)')
    .option('--json', 'print JSON')
    .action(async (node: string, _o: unknown, cmd: Command) => {
      const opts = globals(cmd);
      const c = await connect(opts);
      if (!c) return;
      await runPlan(c.conn, planUndrain(c.snapshot, node), opts);
    });
}
