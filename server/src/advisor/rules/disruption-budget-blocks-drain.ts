// disruption-budget-blocks-drain (DESIGN §4, decommission): a PodDisruptionBudget that allows no eviction
// even with every pod healthy, so `kubectl drain` waits forever. Percentages scale like Kubernetes (rounded
// up). minAvailable is compared with the replica total of the workloads it selects in the workspace; when
// that is unknown (selects nothing here, or a DaemonSet), only the checks that need no count apply
// (maxUnavailable 0 / 0%, minAvailable 100%). Concerns every budget, whatever it selects.
import { isMap, isNode } from 'yaml';
import type { DisruptionBudgetObject, Fix, RelatedLocation, Workload } from '../model/model.js';
import type { SourceRange, TextEdit } from '../model/source.js';
import { Locator, getPair, keyOf } from '../yaml/nodes.js';
import { docsUrl, type Rule, type RuleContext } from './rule.js';
import { memberCount, objectSource, plural } from './util.js';

export const disruptionBudgetBlocksDrain: Rule = {
  meta: {
    id: 'disruption-budget-blocks-drain',
    defaultSeverity: 'warning',
    scenarios: ['server decommission'],
    summary: 'A PodDisruptionBudget that allows no disruption and blocks node drains',
    docsUrl: docsUrl('disruption-budget-blocks-drain'),
    fixable: true,
  },
  check(ctx) {
    for (const b of ctx.index.budgets) {
      const selected = b.selector ? ctx.index.workloadsSelectedBy(b.selector, b.namespace) : [];
      const total = selected.length > 0 ? memberCount(selected) : null;
      const verdict = blocking(b, total);
      if (!verdict) continue;
      ctx.report({
        objectId: b.id,
        workload: b.ref,
        range: verdict.range ?? b.nameRange,
        message:
          `PodDisruptionBudget \`${b.name}\` allows no voluntary disruption even with every pod healthy: ${verdict.why}. ` +
          '`kubectl drain`, node upgrades and autoscaler scale-downs wait forever on these pods, so the node cannot be decommissioned.',
        related: selectedLocations(selected),
        fixes: () => fixes(ctx, b),
      });
    }
  },
};

/**
 * The workloads a budget selects, as related locations: the first few. A budget over a label every pod
 * carries selects every workload, and N such budgets made N² locations (1,000 budgets: a 94 MB publication).
 */
const MAX_SELECTED_SHOWN = 10;

function selectedLocations(selected: Workload[]): RelatedLocation[] {
  const shown = selected.slice(0, MAX_SELECTED_SHOWN).map((w) => ({
    range: w.replicasRange ?? w.nameRange,
    message: `selected: \`${w.ref}\` (${w.replicas === null ? 'unknown replica count' : plural(w.replicas, 'replica')})`,
  }));
  const more = selected.length - shown.length;
  if (more > 0) shown[shown.length - 1]!.message += `; ${plural(more, 'more workload')} selected, not listed`;
  return shown;
}

interface Verdict {
  why: string;
  range?: SourceRange;
}

/** `"25%"` → 25; undefined when not a whole percentage. */
function percent(v: number | string): number | undefined {
  if (typeof v !== 'string') return undefined;
  const m = /^\s*(\d+)\s*%\s*$/.exec(v);
  return m ? Number(m[1]) : undefined;
}

function integer(v: number | string): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) ? v : undefined;
  return /^\s*\d+\s*$/.test(v) ? Number(v) : undefined;
}

/** Whether the budget blocks drains; `total` = replicas of the selected workloads, null when unknown. */
export function blocking(b: DisruptionBudgetObject, total: number | null): Verdict | undefined {
  const known = total !== null && total > 0;
  const of = known ? ` of ${plural(total, 'replica')}` : '';
  if (b.maxUnavailable !== undefined) {
    const p = percent(b.maxUnavailable);
    const n = integer(b.maxUnavailable);
    // A positive percentage of at least one pod rounds up to ≥1, so only 0 / 0% block.
    if (p === 0 || n === 0) {
      return {
        why: `maxUnavailable ${String(b.maxUnavailable)}${of} lets 0 pods be evicted`,
        range: b.maxUnavailableRange,
      };
    }
  }
  if (b.minAvailable !== undefined) {
    const p = percent(b.minAvailable);
    const n = integer(b.minAvailable);
    if (p !== undefined && p >= 100) {
      return {
        why: `minAvailable ${String(b.minAvailable)} keeps every pod${of}`,
        range: b.minAvailableRange,
      };
    }
    if (known && p !== undefined) {
      const needed = Math.ceil((p * total) / 100);
      if (needed >= total) {
        return {
          why: `minAvailable ${String(b.minAvailable)}${of} rounds up to ${needed}, so 0 pods may be evicted`,
          range: b.minAvailableRange,
        };
      }
    }
    if (known && n !== undefined && n >= total) {
      return {
        why: `minAvailable ${n} with ${plural(total, 'replica')} selected leaves 0 pods that may be evicted`,
        range: b.minAvailableRange,
      };
    }
  }
  return undefined;
}

function fixes(ctx: RuleContext, b: DisruptionBudgetObject): Fix[] {
  const src = objectSource(ctx, b);
  if (!src) return [];
  try {
    const { source, doc, map } = src;
    const loc = new Locator(source.path, source.lineCounter);
    const spec = getPair(doc, map, 'spec')?.value;
    if (!isMap(spec)) return [];
    const max = spec.items.find((p) => keyOf(p) === 'maxUnavailable');
    const min = spec.items.find((p) => keyOf(p) === 'minAvailable');
    const edits: TextEdit[] = [];
    // The whole pair is rewritten, not just the value: `"0%"` → `1` must become an integer, not `"1"`.
    if (max && isNode(max.key) && max.key.range && isNode(max.value) && max.value.range) {
      edits.push({ range: loc.at(max.key.range[0], max.value.range[1]), newText: 'maxUnavailable: 1' });
    }
    if (min && isNode(min.key) && min.key.range) {
      const start = min.key.range[0];
      const end = isNode(min.value) && min.value.range ? min.value.range[1] : min.key.range[1];
      if (edits.length > 0) {
        // maxUnavailable is there too (a budget cannot have both): drop minAvailable.
        const [s, e] = pairExtent(source.text, start, end, spec.flow === true);
        edits.push({ range: loc.at(s, e), newText: '' });
      } else {
        edits.push({ range: loc.at(start, end), newText: 'maxUnavailable: 1' });
      }
    }
    if (edits.length === 0) return [];
    return [{ title: 'Use maxUnavailable: 1', edits }];
  } catch {
    return [];
  }
}

/** The text span to delete for a pair: its whole line (block style) or the entry and its comma (flow). */
function pairExtent(text: string, start: number, end: number, flow: boolean): [number, number] {
  if (flow) {
    const after = /^\s*,\s*/.exec(text.slice(end));
    if (after) return [start, end + after[0].length];
    const before = /,\s*$/.exec(text.slice(0, start));
    return [before ? start - before[0].length : start, end];
  }
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const nl = text.indexOf('\n', end);
  return [lineStart, nl < 0 ? text.length : nl + 1];
}
