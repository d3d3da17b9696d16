// Compares the `yaml` trees of the fast path (js-yaml events) with the `yaml` parser's, node by node: what
// the advisor reads of a node (kind, start, content end, scalar value and style) must be the same.
import { isMap, isPair, isScalar, isSeq, parseAllDocuments, type Document, type Node } from 'yaml';
import { contentEnd } from '../../server/src/advisor/yaml/nodes.js';

/** The first difference between two parses of `text`, as a path and message; undefined when equal. */
export function treeDifference(
  text: string,
  expected: Document.Parsed[],
  actual: Document.Parsed[],
): string | undefined {
  if (expected.length !== actual.length) return `documents: ${expected.length} vs ${actual.length}`;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    const a = actual[i]!;
    if (e.errors.length > 0 || e.warnings.length > 0)
      return `doc ${i}: yaml reports ${[...e.errors, ...e.warnings].map((x) => x.code).join(', ')}`;
    if (Boolean(e.directives.docStart) !== Boolean(a.directives.docStart)) return `doc ${i}: docStart`;
    if (e.directives.docStart && e.range[0] !== a.range[0])
      return `doc ${i}: marker at ${e.range[0]} vs ${a.range[0]}`;
    const d = nodeDifference(text, e.contents as Node | null, a.contents as Node | null, `doc ${i}`);
    if (d) return d;
  }
  return undefined;
}

function nodeDifference(text: string, e: Node | null, a: Node | null, path: string): string | undefined {
  if (e === null || a === null) return e === a ? undefined : `${path}: null vs node`;
  const kind = (n: Node) => (isMap(n) ? 'map' : isSeq(n) ? 'seq' : isScalar(n) ? 'scalar' : 'other');
  if (kind(e) !== kind(a)) return `${path}: ${kind(e)} vs ${kind(a)}`;
  if (e.range![0] !== a.range![0]) return `${path}: start ${e.range![0]} vs ${a.range![0]}`;
  // As `Locator.node` reads them: the content end, trailing whitespace trimmed.
  const ee = trimmed(text, e.range![0], contentEnd(e));
  const ae = trimmed(text, a.range![0], contentEnd(a));
  if (ee !== ae)
    return `${path}: content end ${ee} vs ${ae} (${JSON.stringify(text.slice(e.range![0], ee))})`;
  if (isScalar(e) && isScalar(a)) {
    if (!Object.is(e.value, a.value) && !(typeof e.value === 'bigint' && e.value === a.value))
      return `${path}: value ${JSON.stringify(e.value)} vs ${JSON.stringify(a.value)}`;
    if (e.type !== a.type) return `${path}: type ${e.type} vs ${a.type}`;
    if (trimmed(text, e.range![0], e.range![1]) !== trimmed(text, a.range![0], a.range![1]))
      return `${path}: value end ${e.range![1]} vs ${a.range![1]}`;
    if (e.format !== a.format) return `${path}: format ${e.format} vs ${a.format}`;
    return undefined;
  }
  if ((isMap(e) || isSeq(e)) && (isMap(a) || isSeq(a))) {
    if (Boolean(e.flow) !== Boolean(a.flow)) return `${path}: flow ${e.flow} vs ${a.flow}`;
    if (e.items.length !== a.items.length) return `${path}: ${e.items.length} vs ${a.items.length} items`;
    for (let i = 0; i < e.items.length; i++) {
      const ei = e.items[i];
      const ai = a.items[i];
      if (isPair(ei) && isPair(ai)) {
        const k = nodeDifference(text, ei.key as Node | null, ai.key as Node | null, `${path}.${i}(key)`);
        if (k) return k;
        const v = nodeDifference(
          text,
          ei.value as Node | null,
          ai.value as Node | null,
          `${path}.${String((ei.key as { value?: unknown })?.value)}`,
        );
        if (v) return v;
      } else if (!isPair(ei) && !isPair(ai)) {
        const d = nodeDifference(text, ei as Node, ai as Node, `${path}[${i}]`);
        if (d) return d;
      } else return `${path}[${i}]: pair vs node`;
    }
  }
  return undefined;
}

function trimmed(text: string, start: number, end: number): number {
  let i = end;
  while (i > start && /\s/.test(text[i - 1]!)) i--;
  return i;
}

export function yamlParse(text: string): Document.Parsed[] {
  return parseAllDocuments(text, { uniqueKeys: false, prettyErrors: false }) as unknown as Document.Parsed[];
}
