// Property-based tests (fast-check) of the whole engine: parse → index → rules → fixes, on compose files
// and Kubernetes manifests generated from the model (test/unit/arbitraries.ts), on mutated YAML and on
// random strings. Default run sized for CI (< 60 s); `FC_NUM_RUNS=1000` scales every property up locally,
// `FC_SEED=<n>` replays a failure.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { analyze } from '../../server/src/advisor/analyze.js';
import { Catalog } from '../../server/src/advisor/catalog/catalog.js';
import { buildIndex } from '../../server/src/advisor/index/build-index.js';
import type { Finding } from '../../server/src/advisor/model/model.js';
import { parseFile } from '../../server/src/advisor/parse/parse-file.js';
import { parse, stringify } from 'yaml';
import { summarize, renderMarkdown } from '../../server/src/advisor/summary.js';
import {
  CANONICAL_LAYOUT,
  PLAIN_STYLE,
  layoutArb,
  mutate,
  mutationArb,
  renderWorkspace,
  styleArb,
  workspaceArb,
  type RenderStyle,
} from './arbitraries.js';
import { applyFix } from './helpers.js';

const BASE_RUNS = Number(process.env.FC_NUM_RUNS ?? 0) || 0;
/** numRuns for a property: its CI default, or FC_NUM_RUNS when set. */
function runs(ciDefault: number): fc.Parameters<unknown> {
  const seed = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : undefined;
  return {
    numRuns: BASE_RUNS || ciDefault,
    includeErrorInReport: true,
    ...(seed !== undefined ? { seed } : {}),
  };
}

/** One engine run must finish within this bound (generous: CI machines are slow and shared). */
const BOUND_MS = 2000;

const catalog = new Catalog();

interface Run {
  findings: Finding[];
  failures: { rule: string; message: string }[];
  yamlErrors: Record<string, string[]>;
  ms: number;
}

/** The real pipeline, plus the hover summary of every workload; never tolerates a rule failure. */
function run(files: Record<string, string>): Run {
  const t0 = performance.now();
  const models = Object.entries(files).map(([path, text]) => parseFile(path, text, catalog));
  const index = buildIndex(models, catalog);
  const { findings, failures } = analyze(index, { catalog });
  for (const w of index.workloads) renderMarkdown(summarize(index, w));
  const yamlErrors: Record<string, string[]> = {};
  for (const m of models) {
    const errs = (m.source?.syntaxErrors ?? []).filter((e) => e.severity === 'error').map((e) => e.message);
    if (errs.length > 0) yamlErrors[m.path] = errs;
  }
  return { findings, failures, yamlErrors, ms: performance.now() - t0 };
}

const key = (f: Pick<Finding, 'rule' | 'workload'>): string => `${f.rule} @ ${f.workload}`;

function counts(findings: Finding[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const f of findings) m.set(key(f), (m.get(key(f)) ?? 0) + 1);
  return m;
}

/** Findings as a sorted multiset of rule+workload (positions differ between renderings). */
function keys(findings: Finding[]): string[] {
  return findings.map(key).sort();
}

function assertSane(r: Run, what: string): void {
  assert.deepEqual(r.failures, [], `${what}: a rule threw`);
  assert.ok(r.ms < BOUND_MS, `${what}: took ${r.ms.toFixed(0)} ms (bound ${BOUND_MS} ms)`);
}

function show(files: Record<string, string>): string {
  return Object.entries(files)
    .map(([f, t]) => `==== ${f}\n${t}`)
    .join('\n');
}

// Knock-on findings a fix may legitimately bring: the fix changes the very thing another rule measures
// (more replicas → anti-affinity and budget rules apply; a new volume → the storage and DR rules apply).
// Anything else appearing after a fix is a defect.
const REPLICA_RULES = [
  'replicas-without-anti-affinity',
  'missing-disruption-budget',
  'shared-volume-replicas',
  'double-replication',
];
const STORAGE_RULES = [
  'no-dr-target',
  'dr-target-same-failure-domain',
  'missing-storage-class',
  'missing-node-affinity',
  'single-copy-data',
  'shared-volume-replicas',
  'double-replication',
  'reclaim-policy-delete',
  'immediate-volume-binding',
  'rolling-update-multi-attach',
  'missing-disruption-budget',
];
export const KNOCK_ON: Record<string, string[]> = {
  // raising the member count to an odd number ≥ 3
  'quorum-size': REPLICA_RULES,
  // replicas down to 1: a quorum engine may now be too small, an app-replicated engine keeps one copy
  'shared-volume-replicas': ['quorum-size', 'single-copy-data', 'disruption-budget-blocks-drain'],
  // adding persistent storage at the data path
  'ephemeral-data': STORAGE_RULES,
  // a compose backup service writing to a local volume only is a same-failure-domain DR target
  'no-dr-target': ['dr-target-same-failure-domain'],
};

describe('properties: the engine never throws and terminates', () => {
  it('on generated compose files and manifests (any style, layout)', () => {
    fc.assert(
      fc.property(workspaceArb, styleArb, layoutArb, (ws, style, layout) => {
        const { files } = renderWorkspace(ws, style, layout);
        const r = run(files);
        assertSane(r, 'generated workspace');
        // Generated text is valid YAML: a YAML error here is an emitter bug, not an engine one.
        assert.deepEqual(r.yamlErrors, {}, show(files));
      }),
      runs(100),
    );
  });

  it('on mutated YAML (byte flips, truncation, indentation shifts, structural tokens)', () => {
    fc.assert(
      fc.property(
        workspaceArb,
        styleArb,
        fc.array(mutationArb, { minLength: 1, maxLength: 8 }),
        (ws, style, ms) => {
          const { files } = renderWorkspace(ws, style);
          const mutated = Object.fromEntries(Object.entries(files).map(([f, t]) => [f, mutate(t, ms)]));
          assertSane(run(mutated), 'mutated workspace');
        },
      ),
      runs(150),
    );
  });

  it('on random strings and token soup', () => {
    const soup = fc
      .array(
        fc.oneof(
          fc.constantFrom(
            'services:',
            'apiVersion: v1',
            'kind: StatefulSet',
            'kind: PersistentVolumeClaim',
            'metadata:',
            'spec:',
            'volumes:',
            'image: postgres',
            'replicas:',
            '- ',
            '  ',
            '\n',
            ':',
            '[',
            ']',
            '{',
            '}',
            ',',
            '&x',
            '*x',
            '<<: *x',
            '!!str',
            '"',
            "'",
            '#',
            '---',
            '|',
            '>',
            '?',
            '\t',
            'volumeClaimTemplates:',
            'deploy:',
            'x-stateful-ha:',
            '# stateful-ha-ignore all',
          ),
          fc.string({ maxLength: 6 }),
        ),
        { maxLength: 60 },
      )
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ maxLength: 300 }), soup),
        (text) => {
          assertSane(run({ 'x.yaml': text, 'docker-compose.yml': text }), 'random text');
        },
      ),
      runs(300),
    );
  });
});

describe('properties: quick fixes', () => {
  it('leave valid YAML, remove their finding, add no unrelated finding, keep comments, and are idempotent', () => {
    let applied = 0;
    fc.assert(
      fc.property(workspaceArb, styleArb, (ws, style) => {
        const { files, comments } = renderWorkspace(ws, style);
        const before = run(files);
        assertSane(before, 'before fix');
        const beforeCounts = counts(before.findings);
        for (const f of before.findings) {
          f.fixes.forEach((fix, i) => {
            applied++;
            const ctx = `fix "${fix.title}" for ${key(f)}\n${show(files)}`;
            const fixed = applyFix(files, f, i);
            const after = run(fixed);
            assertSane(after, ctx);
            assert.deepEqual(after.yamlErrors, {}, `${ctx}\n---- after:\n${show(fixed)}`);
            const afterCounts = counts(after.findings);
            assert.ok(
              (afterCounts.get(key(f)) ?? 0) < beforeCounts.get(key(f))!,
              `finding still there after ${ctx}\n---- after:\n${show(fixed)}`,
            );
            for (const [k, n] of afterCounts) {
              if (n <= (beforeCounts.get(k) ?? 0)) continue;
              const rule = k.split(' @ ')[0]!;
              assert.ok(
                rule === f.rule || (KNOCK_ON[f.rule] ?? []).includes(rule),
                `new finding ${k} after ${ctx}\n---- after:\n${show(fixed)}`,
              );
            }
            const all = Object.values(fixed).join('\n');
            for (const c of comments)
              assert.ok(all.includes(c), `comment "${c}" lost by ${ctx}\n---- after:\n${show(fixed)}`);
            for (const [file, text] of Object.entries(files)) {
              for (const line of text.split('\n')) {
                if (line.trim().startsWith('#'))
                  assert.ok(fixed[file]!.includes(line.trim()), `comment line lost in ${file} by ${ctx}`);
              }
            }
            // Idempotent: the fixed text offers the same fix for the same object no more.
            const again = after.findings.filter(
              (g) => g.workload === f.workload && g.fixes.some((h) => h.title === fix.title),
            );
            assert.deepEqual(
              again.map(key),
              [],
              `fix offered again after ${ctx}\n---- after:\n${show(fixed)}`,
            );
          });
        }
      }),
      runs(120),
    );
    assert.ok(applied > 0, 'no fix was exercised');
  });
});

describe('properties: findings are invariant under semantics-preserving rewrites', () => {
  const canonical = (ws: Parameters<typeof renderWorkspace>[0]): string[] =>
    keys(run(renderWorkspace(ws, PLAIN_STYLE).files).findings);
  const variant = (
    ws: Parameters<typeof renderWorkspace>[0],
    style: RenderStyle,
    layout = CANONICAL_LAYOUT,
  ): string[] => {
    const { files } = renderWorkspace(ws, style, layout);
    const r = run(files);
    assert.deepEqual(r.yamlErrors, {}, show(files));
    return keys(r.findings);
  };
  const check = (
    name: string,
    make: (seed: number) => { style: RenderStyle; layout?: typeof CANONICAL_LAYOUT },
    n = 40,
  ): void => {
    it(name, () => {
      fc.assert(
        fc.property(workspaceArb, fc.integer(), (ws, seed) => {
          const { style, layout } = make(seed);
          const v = variant(ws, style, layout);
          assert.deepEqual(v, canonical(ws), show(renderWorkspace(ws, style, layout).files));
        }),
        runs(n),
      );
    });
  };
  check('key order shuffles', (seed) => ({ style: { ...PLAIN_STYLE, shuffle: true, seed } }));
  check('flow vs block style', (seed) => ({
    style: {
      ...PLAIN_STYLE,
      flow: seed % 3 === 0 ? 'leaves' : 'deep',
      flowDepth: Math.abs(seed) % 4,
      flowMultiline: seed % 2 === 0,
      seed,
    },
  }));
  check('quoting of scalars (and keys)', (seed) => ({
    style: {
      ...PLAIN_STYLE,
      quote: (['single', 'double', 'mixed'] as const)[Math.abs(seed) % 3]!,
      quoteKeys: seed % 2 === 0,
      seed,
    },
  }));
  check('comments sprinkled between keys and after values', (seed) => ({
    style: { ...PLAIN_STYLE, comments: true, seed },
  }));
  check('indentation (2/4 spaces, indented or flush sequences)', (seed) => ({
    style: {
      ...PLAIN_STYLE,
      indent: seed % 2 === 0 ? 4 : 2,
      indentSeq: seed % 3 !== 0,
      leadingMarker: seed % 5 === 0,
      seed,
    },
  }));
  check('document order in a multi-document file', (seed) => ({
    style: PLAIN_STYLE,
    layout: { docOrderSeed: seed || 1, kubeFiles: 1 },
  }));
  check('splitting one file into several files', (seed) => ({
    style: PLAIN_STYLE,
    layout: { docOrderSeed: 0, kubeFiles: 2 + (Math.abs(seed) % 3) },
  }));
  it('all rewrites at once', () => {
    fc.assert(
      fc.property(workspaceArb, styleArb, layoutArb, (ws, style, layout) => {
        assert.deepEqual(
          variant(ws, style, layout),
          canonical(ws),
          show(renderWorkspace(ws, style, layout).files),
        );
      }),
      runs(60),
    );
  });
});

// Compose `extends` is read as compose merges it: a service split into a base holding some of its settings
// (its image stays, so the base runs no engine and joins no cluster) and the service extending that base
// gets the same findings as the service written whole. Maps (`deploy`) are split key by key and the
// volume list into a head it keeps and a tail the base holds, which the merge puts back in order.
describe('properties: compose `extends`', () => {
  it('a service split into a base it extends keeps its findings', () => {
    fc.assert(
      fc.property(
        workspaceArb.filter((ws) => ws.compose !== undefined),
        fc.array(fc.boolean(), { minLength: 64, maxLength: 64 }),
        (ws, coins) => {
          const { files } = renderWorkspace({ compose: ws.compose }, PLAIN_STYLE);
          const [path, text] = Object.entries(files)[0]!;
          const whole = parse(text) as { services: Record<string, Record<string, unknown>> };
          let coin = 0;
          const flip = () => coins[coin++ % coins.length]!;
          const services: Record<string, Record<string, unknown>> = {};
          for (const [name, svc] of Object.entries(whole.services)) {
            const base: Record<string, unknown> = {};
            const own: Record<string, unknown> = { extends: `${name}-base` };
            for (const [key, value] of Object.entries(svc)) {
              if (key === 'image') own[key] = value;
              else if (key === 'deploy' && value && typeof value === 'object') {
                for (const [k, v] of Object.entries(value)) {
                  const side = flip() ? base : own;
                  ((side.deploy ??= {}) as Record<string, unknown>)[k] = v;
                }
              } else if (key === 'volumes' && Array.isArray(value)) {
                let kept = 1;
                while (kept < value.length && !flip()) kept++;
                own.volumes = value.slice(0, kept);
                if (kept < value.length) base.volumes = value.slice(kept);
              } else (flip() ? base : own)[key] = value;
            }
            services[`${name}-base`] = base;
            services[name] = own;
          }
          const split = stringify({ ...whole, services });
          const ofService = (source: string) => {
            const found = run({ [path]: source }).findings;
            return Object.keys(whole.services).map((name) =>
              found
                .filter((f) => f.workload === `service/${name}`)
                .map((f) => `${f.rule} ${f.severity} ${f.message}`)
                .sort(),
            );
          };
          assert.deepEqual(ofService(split), ofService(stringify(whole)), `${split}\n---\n${text}`);
        },
      ),
      runs(100),
    );
  });
});
