// Small, typed accessors over the `yaml` library's node tree. Parsers read YAML through these so every
// value comes with its source range, and aliases/merge keys resolve the way YAML says.
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  type Document,
  type LineCounter,
  type Node,
  type Pair,
  type YAMLMap,
} from 'yaml';
import { position, type Position, type SourceRange } from '../model/source.js';

/** Converts offsets to ranges for one file. */
export class Locator {
  constructor(
    readonly file: string,
    private readonly lineCounter: LineCounter,
    /** The file's text: when given, node ranges are trimmed of the trailing newline block collections own. */
    private readonly text?: string,
  ) {}

  /** End offset without trailing whitespace/newlines (a block map's range runs to the next line's start). */
  private trimEnd(start: number, end: number): number {
    const t = this.text;
    if (t === undefined) return end;
    let e = end;
    while (e > start && /\s/.test(t[e - 1]!)) e--;
    return e;
  }

  at(start: number, end: number): SourceRange {
    return { file: this.file, start: this.position(start), end: this.position(end) };
  }

  /** The line `position` found last: ranges are mostly asked for in reading order. */
  private line = 0;

  /**
   * The (shared) position of an offset: the line counter's `linePos`, without its result object and
   * starting from the line found last (a model's ranges come in reading order, mostly).
   */
  private position(offset: number): Position {
    const starts = this.lineCounter.lineStarts;
    const n = starts.length;
    let line = this.line;
    if (!(line < n && starts[line]! <= offset && (line + 1 === n || offset < starts[line + 1]!))) {
      // The last line starting at or before the offset.
      let low = 0;
      let high = n;
      while (low < high) {
        const mid = (low + high) >> 1;
        if (starts[mid]! <= offset) low = mid + 1;
        else high = mid;
      }
      if (low === 0) return position(-1, offset - 1); // before the first line: what `linePos` says
      line = low - 1;
      this.line = line;
    }
    return position(line, offset - starts[line]!);
  }

  /** Range of a node's content (without trailing comments/whitespace). */
  node(node: Node | null | undefined, fallback?: SourceRange): SourceRange {
    const r = node?.range;
    if (!r) return fallback ?? this.at(0, 0);
    return this.at(r[0], this.trimEnd(r[0], contentEnd(node!)));
  }

  /** Range of a pair: from its key to the end of its value. */
  pair(pair: Pair): SourceRange {
    const k = (pair.key as Node | null)?.range;
    if (!k) return this.node(pair.value as Node);
    const value = pair.value as Node | null;
    const end = value?.range ? contentEnd(value) : k[1];
    return this.at(k[0], this.trimEnd(k[0], Math.max(end, k[1])));
  }
}

/**
 * Where a node's content ends. The parser's range of a block collection also holds the comment lines
 * after its last item, by rules of its own (indentation, which collection is open); a finding's range
 * ends with the last item's content instead, the same however the file was parsed. An empty last value
 * (`key:`, `-`) ends where the parser places the empty node: after its indicator and the spaces after it.
 */
export function contentEnd(node: Node): number {
  let n = node;
  for (;;) {
    if ((isMap(n) || isSeq(n)) && !n.flow && n.items.length > 0) {
      const last = n.items[n.items.length - 1];
      const next = (isPair(last) ? (last.value ?? last.key) : last) as Node | null;
      if (next?.range) {
        if (isEmptyNode(next)) return next.range[0];
        n = next;
        continue;
      }
    }
    return n.range![1];
  }
}

/** An empty value (`key:`, `-`, an empty document): a null scalar the parser placed at a point. */
export function isEmptyNode(node: Node): boolean {
  return isScalar(node) && !!node.range && node.range[0] === node.range[1];
}

/** Follows an alias to its anchored node. */
export function deref(doc: Document, node: unknown): Node | undefined {
  if (node == null) return undefined;
  if (isAlias(node)) {
    const target = node.resolve(doc);
    return target ?? undefined;
  }
  return node as Node;
}

/** Key of a pair as a string (keys are scalars in the files we read). */
export function keyOf(pair: Pair): string | undefined {
  const k = pair.key;
  if (isScalar(k)) return String(k.value);
  return undefined;
}

/**
 * The keys of a list of pairs (`keyOf`, '' for a non-scalar key), computed once per list: quick fixes ask
 * for the names taken in a file's `services` or `volumes` once per service (a 10,000-service file spent 20 s
 * re-listing them). The lists are a map's `items` or `pairsOf`'s memo, which fixes never change.
 */
export function keySetOf(pairs: readonly Pair[]): ReadonlySet<string> {
  let keys = keySets.get(pairs);
  if (!keys) keySets.set(pairs, (keys = new Set(pairs.map((p) => keyOf(p) ?? ''))));
  return keys;
}
const keySets = new WeakMap<readonly Pair[], ReadonlySet<string>>();

/**
 * The pairs of a map, with `<<` merge keys expanded (merged maps first, own keys override) and alias
 * values resolved.
 */
export function pairsOf(doc: Document, node: unknown): Pair<Node, Node>[] {
  const map = deref(doc, node);
  if (!isMap(map)) return [];
  if ((map as MergeFlagged)[NO_MERGE_KEYS] === true || !hasMergeKey(map))
    return map.items as Pair<Node, Node>[];
  // Memoised per map, each merged key kept once: a map merged many times over (billion laughs through
  // `<<`, found by fuzzing) costs its size once, not 2^depth. A map merging itself merges nothing.
  const cached = mergedPairs.get(map);
  if (cached) return cached;
  mergedPairs.set(map, []);
  const own: Pair<Node, Node>[] = [];
  const merged: Pair<Node, Node>[] = [];
  const mergedKeys = new Set<string | undefined>();
  for (const item of map.items) {
    if (!isPair(item)) continue;
    const key = keyOf(item);
    if (key === '<<') {
      const v = deref(doc, item.value);
      const sources = isSeq(v) ? v.items : [v];
      // Earlier sources win over later ones (YAML merge key semantics).
      for (const s of sources) {
        for (const p of pairsOf(doc, s)) {
          if (mergedKeys.has(keyOf(p))) continue;
          mergedKeys.add(keyOf(p));
          merged.push(p);
        }
      }
      continue;
    }
    own.push(item as Pair<Node, Node>);
  }
  let result = own;
  if (merged.length > 0) {
    const ownKeys = new Set(own.map(keyOf));
    result = [...merged.filter((p) => !ownKeys.has(keyOf(p))), ...own];
  }
  mergedPairs.set(map, result);
  return result;
}

/**
 * Set on maps known to hold only pairs and no `<<` key (the fast path's, as it builds them), so that
 * `pairsOf` does not look through their keys at every lookup.
 */
export const NO_MERGE_KEYS = Symbol('no merge keys');
export type MergeFlagged = YAMLMap & { [NO_MERGE_KEYS]?: true };

/** A `<<` key among a map's own keys (rare: most maps are their own pairs, with nothing to memoise). */
function hasMergeKey(map: YAMLMap): boolean {
  for (const item of map.items) if (!isPair(item) || keyOf(item) === '<<') return true;
  return false;
}

/** pairsOf results per map node (a parsed document is never mutated; fixes edit the text). */
const mergedPairs = new WeakMap<YAMLMap, Pair<Node, Node>[]>();

export function getPair(doc: Document, map: unknown, key: string): Pair<Node, Node> | undefined {
  const pairs = pairsOf(doc, map);
  for (let i = pairs.length - 1; i >= 0; i--) if (keyOf(pairs[i]!) === key) return pairs[i];
  return undefined;
}

export function get(doc: Document, map: unknown, key: string): Node | undefined {
  return deref(doc, getPair(doc, map, key)?.value);
}

export function getIn(doc: Document, node: unknown, path: string[]): Node | undefined {
  let cur: Node | undefined = deref(doc, node);
  for (const key of path) {
    if (!cur) return undefined;
    cur = get(doc, cur, key);
  }
  return cur;
}

/** A scalar's value as a string (numbers and booleans stringified); undefined for non-scalars/null. */
export function str(doc: Document, node: unknown): string | undefined {
  const n = deref(doc, node);
  if (!isScalar(n) || n.value === null || n.value === undefined) return undefined;
  return String(n.value);
}

export function num(doc: Document, node: unknown): number | undefined {
  const n = deref(doc, node);
  if (!isScalar(n)) return undefined;
  if (typeof n.value === 'number') return n.value;
  if (typeof n.value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(n.value)) return Number(n.value);
  return undefined;
}

export function bool(doc: Document, node: unknown): boolean | undefined {
  const n = deref(doc, node);
  if (!isScalar(n)) return undefined;
  if (typeof n.value === 'boolean') return n.value;
  if (typeof n.value === 'string') {
    const v = n.value.toLowerCase();
    if (v === 'true' || v === 'yes') return true;
    if (v === 'false' || v === 'no') return false;
  }
  return undefined;
}

export function items(doc: Document, node: unknown): Node[] {
  const n = deref(doc, node);
  if (!isSeq(n)) return [];
  return n.items.map((i) => deref(doc, i)).filter((i): i is Node => i !== undefined);
}

export function asMap(doc: Document, node: unknown): YAMLMap | undefined {
  const n = deref(doc, node);
  return isMap(n) ? n : undefined;
}

/**
 * A string map written as a map (`KEY: value`) or a list (`- KEY=value`), as compose allows for
 * `environment` and `labels`. Values that are not scalars are skipped.
 */
export function stringMap(
  doc: Document,
  node: unknown,
): { values: Record<string, string>; ranges: Record<string, Node> } {
  const values: Record<string, string> = {};
  const ranges: Record<string, Node> = {};
  const n = deref(doc, node);
  if (isMap(n)) {
    for (const p of pairsOf(doc, n)) {
      const k = keyOf(p);
      if (k === undefined) continue;
      const v = str(doc, p.value);
      values[k] = v ?? '';
      ranges[k] = (p.value ?? p.key) as Node;
    }
  } else if (isSeq(n)) {
    for (const item of items(doc, n)) {
      const s = str(doc, item);
      if (s === undefined) continue;
      const eq = s.indexOf('=');
      const k = eq >= 0 ? s.slice(0, eq) : s;
      values[k] = eq >= 0 ? s.slice(eq + 1) : '';
      ranges[k] = item;
    }
  }
  return { values, ranges };
}

/** Splits a command given as a string or a list into words (shell-like, quotes honoured). */
export function words(doc: Document, node: unknown): string[] {
  const n = deref(doc, node);
  if (isSeq(n))
    return items(doc, n)
      .map((i) => str(doc, i) ?? '')
      .filter((w) => w !== '')
      .flatMap(splitWords);
  const s = str(doc, n);
  return s === undefined ? [] : splitWords(s);
}

function splitWords(s: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) out.push(m[1] ?? m[2] ?? m[3] ?? '');
  return out;
}
