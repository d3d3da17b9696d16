// The `stateful-ha` command: argument parsing and output only; the work is done by the advisor
// (lint, explain, rules) and the operations engine (cluster …).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import pc from 'picocolors';
import { RULES, RULES_BY_ID } from '../advisor/rules/index.js';
import { tuneGarbageCollection } from '../gc-tuning.js';
import { registerClusterCommands } from './cluster.js';
import { formatJson, formatSarif, formatText, TOOL_VERSION } from './format.js';
import { exitCode, lintPaths, type FailOn } from './lint.js';

/** Where the rule docs are: beside the bundle (dist/../docs) or the sources (server/src/cli/../../../docs). */
function docsDir(): string | undefined {
  for (const candidate of [
    join(__dirname, '..', 'docs', 'rules'),
    join(__dirname, '..', '..', '..', 'docs', 'rules'),
  ]) {
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('stateful-ha')
    .description(
      'Stateful HA Advisor: check compose files and Kubernetes manifests for stateful high-availability mistakes, and operate Docker Swarm safely.',
    )
    .version(TOOL_VERSION)
    .showHelpAfterError()
    .exitOverride();

  program
    .command('lint')
    .description(
      'Lint compose files and Kubernetes manifests (files or folders; folders are scanned for *.yml/*.yaml).',
    )
    .argument('[paths...]', 'files or folders to lint', ['.'])
    .addOption(
      new Option('-f, --format <format>', 'output format').choices(['text', 'json', 'sarif']).default('text'),
    )
    .addOption(
      new Option('--fail-on <severity>', 'exit 1 when a finding reaches this severity')
        .choices(['error', 'warning', 'info', 'none'])
        .default('error'),
    )
    .option(
      '-c, --config <file>',
      'configuration file (default: .stateful-ha.yaml in the linted folder or the current directory)',
    )
    .option('--max-file-size <MB>', 'skip files larger than this', (v) => {
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 0)
        throw new InvalidArgumentError('expected a positive number of megabytes');
      return n;
    })
    .option('--no-color', 'disable colors in text output')
    .action(
      async (
        paths: string[],
        opts: {
          format: 'text' | 'json' | 'sarif';
          failOn: FailOn;
          config?: string;
          maxFileSize?: number;
          color: boolean;
        },
      ) => {
        const result = await lintPaths(paths, {
          fixes: opts.format === 'sarif', // only SARIF carries quick fixes
          configPath: opts.config,
          maxFileBytes: opts.maxFileSize ? opts.maxFileSize * 1024 * 1024 : undefined,
        });
        const color =
          opts.color && opts.format === 'text' && process.stdout.isTTY === true && !process.env.NO_COLOR;
        const errColor = opts.color && process.stderr.isTTY === true && !process.env.NO_COLOR;
        for (const p of result.problems) {
          const where = p.line > 0 ? `${p.file}:${p.line}:${p.column}` : p.file;
          process.stderr.write(`${errColor ? pc.red('error') : 'error'} ${where}: ${p.message}\n`);
        }
        for (const n of result.notices) process.stderr.write(`note ${n}\n`);
        for (const f of result.ruleFailures)
          process.stderr.write(`internal error in rule ${f.rule}: ${f.message} (other rules ran)\n`);
        const body =
          opts.format === 'json'
            ? formatJson(result)
            : opts.format === 'sarif'
              ? formatSarif(result)
              : formatText(result, color);
        process.stdout.write(`${body}\n`);
        process.exitCode = exitCode(result, opts.failOn);
      },
    );

  program
    .command('explain')
    .description('Explain a rule: what fires, why, how to fix and how to suppress it.')
    .argument('<rule>', 'rule id, e.g. double-replication')
    .action((id: string) => {
      const rule = RULES_BY_ID.get(id);
      if (!rule) {
        process.stderr.write(`unknown rule \`${id}\`; \`stateful-ha rules\` lists them\n`);
        process.exitCode = 2;
        return;
      }
      const dir = docsDir();
      const file = dir ? join(dir, `${id}.md`) : undefined;
      if (file && existsSync(file)) process.stdout.write(readFileSync(file, 'utf8'));
      else
        process.stdout.write(
          `${rule.meta.id} (${rule.meta.defaultSeverity}): ${rule.meta.summary}\n${rule.meta.docsUrl}\n`,
        );
    });

  program
    .command('rules')
    .description('List the rule catalog.')
    .option('--json', 'print as JSON')
    .action((opts: { json?: boolean }) => {
      if (opts.json) {
        process.stdout.write(
          `${JSON.stringify(
            RULES.map((r) => r.meta),
            null,
            2,
          )}\n`,
        );
        return;
      }
      const rows = RULES.map((r) => [
        r.meta.id,
        r.meta.defaultSeverity,
        r.meta.scenarios.join(', '),
        r.meta.fixable ? 'yes' : '',
        r.meta.summary,
      ]);
      const head = ['RULE', 'SEVERITY', 'SCENARIO', 'FIX', 'CHECKS'];
      const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
      const line = (cells: string[]): string =>
        cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
      process.stdout.write(`${[line(head), ...rows.map(line)].join('\n')}\n`);
    });

  registerClusterCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    const err = e as { code?: string; exitCode?: number; message?: string };
    if (
      err.code === 'commander.helpDisplayed' ||
      err.code === 'commander.version' ||
      err.code === 'commander.help'
    )
      return 0;
    if (err.code?.startsWith('commander.')) return 2; // usage error, already printed by commander
    process.stderr.write(`error: ${err.message ?? String(e)}\n`);
    return 2;
  }
}

if (require.main === module) {
  tuneGarbageCollection();
  void main(process.argv).then((code) => {
    process.exitCode = code;
  });
}
