// rolling-update-multi-attach: a Deployment with a ReadWriteOnce claim and the RollingUpdate strategy
// (the default). A rollout starts the new pod before stopping the old one (maxSurge 25% → 1 pod): on
// another node the volume cannot attach (Multi-Attach error, the rollout hangs), on the same node two
// processes open one data directory. `Recreate` stops the old pod first.
import { isMap, type Node } from 'yaml';
import type { Fix, SourceFile, Workload } from '../model/model.js';
import { setIn } from '../fix/yaml-edit.js';
import { Locator, get, getPair } from '../yaml/nodes.js';
import type { TextEdit } from '../model/source.js';
import { docsUrl, type Rule, type RuleContext } from './rule.js';
import { accessModesOf, dataMounts, isSingleNodeAccess, sourceDoc, tidyRange, oneFix } from './util.js';

export const rollingUpdateMultiAttach: Rule = {
  meta: {
    id: 'rolling-update-multi-attach',
    defaultSeverity: 'warning',
    scenarios: ['restart'],
    summary: 'A Deployment with a ReadWriteOnce claim rolls updates with two pods at once',
    docsUrl: docsUrl('rolling-update-multi-attach'),
    fixable: true,
  },
  check(ctx) {
    for (const w of ctx.index.workloads) {
      if (w.kind !== 'Deployment' || w.platform !== 'kubernetes' || !w.stateful || w.replicas === 0) continue;
      if (w.updateStrategy !== undefined && w.updateStrategy !== 'RollingUpdate') continue;
      const m = dataMounts(w).find(
        (d) => d.type === 'claim' && isSingleNodeAccess(accessModesOf(ctx.index, w, d)),
      );
      if (!m) continue;
      if (noSurge(w)) continue; // maxSurge: 0 stops an old pod before starting a new one
      const modes = accessModesOf(ctx.index, w, m)!.join(', ');
      const how =
        w.updateStrategy === undefined ? 'the default RollingUpdate strategy' : 'the RollingUpdate strategy';
      const message =
        `Deployment \`${w.name}\` mounts claim \`${m.claimName}\` (${modes}) and uses ${how}: every rollout starts the new pod ` +
        `before the old one stops. On another node the volume cannot attach (Multi-Attach error, the rollout hangs); on the same ` +
        `node two processes open one data directory. Use \`strategy.type: Recreate\`.`;
      const range = w.updateStrategyRange ?? tidyRange(ctx, m.range);
      const related = w.updateStrategyRange
        ? [{ range: m.range, message: `${modes} claim \`${m.claimName}\`` }]
        : [];
      const fix = oneFix(() => recreateFix(ctx, w));
      ctx.report({ objectId: w.id, workload: w.ref, range, message, related, fixes: fix });
    }
  },
};

function noSurge(w: Workload): boolean {
  if (w.maxSurge === undefined) return false;
  return typeof w.maxSurge === 'number' ? w.maxSurge === 0 : /^0+%$/.test(w.maxSurge);
}

function recreateFix(ctx: RuleContext, w: Workload): Fix | undefined {
  const sd = sourceDoc(ctx, w);
  if (!sd || !w.node || !isMap(w.node)) return undefined;
  const { source, doc } = sd;
  const title = 'Set `strategy.type: Recreate`';
  const spec = get(doc, w.node, 'spec');
  if (!isMap(spec)) return undefined;
  const strategy = get(doc, spec, 'strategy');
  if (!isMap(strategy)) return { title, edits: [setIn(source, doc, spec, ['strategy', 'type'], 'Recreate')] };
  const typePair = getPair(doc, strategy, 'type');
  const rollingPair = getPair(doc, strategy, 'rollingUpdate');
  if (strategy.flow) {
    // `strategy: {type: RollingUpdate, rollingUpdate: {...}}`: rewrite the whole flow value.
    const r = strategy.range!;
    return { title, edits: [rangeEdit(source, r[0], r[1], '{ type: Recreate }')] };
  }
  const edits: TextEdit[] = [];
  if (!rollingPair) return { title, edits: [setIn(source, doc, strategy, ['type'], 'Recreate')] };
  // `rollingUpdate` is invalid with Recreate: remove it (or turn it into the `type` line).
  const keyNode = rollingPair.key as Node;
  if (typePair) {
    edits.push(setIn(source, doc, strategy, ['type'], 'Recreate'));
    edits.push(removeLines(source, keyNode, rollingPair.value as Node | null));
  } else {
    const end = (rollingPair.value as Node | null)?.range?.[1] ?? keyNode.range![1];
    // A block value's range runs to the start of the next line: keep that line break.
    const nl = source.text[end - 1] === '\n' ? (source.text[end - 2] === '\r' ? '\r\n' : '\n') : '';
    edits.push(rangeEdit(source, keyNode.range![0], end, `type: Recreate${nl}`));
  }
  return { title, edits };
}

function rangeEdit(source: SourceFile, start: number, end: number, newText: string): TextEdit {
  return { range: new Locator(source.path, source.lineCounter).at(start, end), newText };
}

/** Deletes a block pair: from the start of its key's line through the end of its value's last line. */
function removeLines(source: SourceFile, key: Node, value: Node | null): TextEdit {
  const text = source.text;
  const lineStart = text.lastIndexOf('\n', key.range![0] - 1) + 1;
  let end = value?.range?.[1] ?? key.range![1];
  // A block value's range ends at the start of the next line; a scalar's at its last character.
  if (end > 0 && text[end - 1] !== '\n') {
    const nl = text.indexOf('\n', end);
    end = nl < 0 ? text.length : nl + 1;
  }
  return rangeEdit(source, lineStart, end, '');
}
