// Compose `extends` within one file: a service that extends another (`extends: base`, or
// `extends: { service: base }`) runs with the base's configuration merged under its own, so that is what
// the advisor reads — an extending service inherits the base's image, volumes, restart policy and
// placement. The merge follows the compose rules (https://docs.docker.com/reference/compose-file/merge/):
// mappings merge key by key, sequences add up, `command` and `entrypoint` (and a healthcheck's `test`) are
// replaced whole, and `volumes`, `secrets` and `configs` keep one entry per target, the extending
// service's. `extends: { file: … }` names another file, which a parse of one file cannot read: such a
// service is read as written.
//
// The merged view is made of the file's own nodes (an inherited key keeps its range in the base service),
// under new map and sequence nodes where both services set the same key. The model's `node` stays the
// extending service's own map: quick fixes edit what its author wrote.
import { isMap, isScalar, isSeq, Pair, YAMLMap, YAMLSeq, type Document, type Node } from 'yaml';
import { deref, get, keyOf, pairsOf, str } from '../yaml/nodes.js';
import { mountFromShortSyntax } from './compose-volume-syntax.js';

/** Keys whose later value replaces the earlier one whole (shell commands). */
const REPLACED = new Set(['command', 'entrypoint']);

/** Sequences holding one entry per target: the extending service's entry replaces the base's. */
const ONE_PER_TARGET = new Set(['volumes', 'secrets', 'configs']);

/** Bases followed at most: a longer chain is read as far as this. */
const MAX_DEPTH = 16;

/**
 * The service named `name` as compose runs it: its own map when it extends nothing in this file, else its
 * base (itself resolved the same way) merged with it. `services`: the file's service maps by name. A chain
 * that comes back to a service it passed through is an error to compose: its services are read as written.
 */
export function extendedService(
  doc: Document,
  services: ReadonlyMap<string, Node | undefined>,
  name: string,
): Node | undefined {
  const chain: YAMLMap[] = [];
  const seen = new Set<string>();
  for (let at: string | undefined = name; at !== undefined;) {
    if (seen.has(at)) return services.get(name); // a cycle
    const map = services.get(at);
    if (!isMap(map) || chain.length > MAX_DEPTH) break;
    seen.add(at);
    chain.push(map);
    at = baseServiceName(doc, map);
  }
  // The last base first, each extending service merged over what it extends.
  let merged: YAMLMap | undefined;
  for (let i = chain.length - 1; i >= 0; i--)
    merged = merged ? mergeMaps(doc, merged, chain[i]!, 'service') : chain[i];
  return merged ?? services.get(name);
}

/** The service that `service` extends in the same file, if any. */
function baseServiceName(doc: Document, service: YAMLMap): string | undefined {
  const ext = get(doc, service, 'extends');
  if (isScalar(ext)) return str(doc, ext);
  if (!isMap(ext) || get(doc, ext, 'file') !== undefined) return undefined;
  return str(doc, get(doc, ext, 'service'));
}

/** `own` over `base`, key by key. `within`: the key the maps are the value of ('service' at the top). */
function mergeMaps(doc: Document, base: YAMLMap, own: YAMLMap, within: string): YAMLMap {
  const ownPairs = pairsOf(doc, own);
  const ownByKey = new Map<string | undefined, Pair<Node, Node>>();
  for (const p of ownPairs) ownByKey.set(keyOf(p), p);
  const merged = new YAMLMap<Node, Node>();
  merged.range = own.range;
  const taken = new Set<string | undefined>();
  for (const p of pairsOf(doc, base)) {
    const key = keyOf(p);
    // The base's own `extends` was followed already; the extending service's is its own business.
    if (within === 'service' && key === 'extends') continue;
    const mine = ownByKey.get(key);
    if (!mine) {
      merged.items.push(p);
      continue;
    }
    taken.add(key);
    const replaced = REPLACED.has(key ?? '') || (within === 'healthcheck' && key === 'test');
    const value = replaced
      ? undefined
      : mergeValues(doc, key ?? '', deref(doc, p.value), deref(doc, mine.value));
    merged.items.push(value ? new Pair<Node, Node>(mine.key, value) : mine);
  }
  for (const p of ownPairs) if (!taken.has(keyOf(p))) merged.items.push(p);
  return merged;
}

/** The merge of two values of `key`, or undefined when the extending service's value wins whole. */
function mergeValues(
  doc: Document,
  key: string,
  base: Node | undefined,
  own: Node | undefined,
): Node | undefined {
  if (isMap(base) && isMap(own)) return mergeMaps(doc, base, own, key);
  if (!isSeq(base) || !isSeq(own)) return undefined;
  const merged = new YAMLSeq<Node>();
  merged.range = own.range;
  const ownItems = own.items as Node[];
  let inherited = base.items as Node[];
  if (ONE_PER_TARGET.has(key)) {
    const targets = new Set(ownItems.map((i) => targetOf(doc, key, i)));
    inherited = inherited.filter((i) => {
      const t = targetOf(doc, key, i);
      return t === undefined || !targets.has(t);
    });
  }
  // Compose appends the extending service's entries; they come first here so that a finding about the
  // service points at a line of its own when it can (the order means nothing to the advisor).
  merged.items.push(...ownItems, ...inherited);
  return merged;
}

/** Where a `volumes` / `secrets` / `configs` entry lands in the container (its identity when merging). */
function targetOf(doc: Document, key: string, item: Node): string | undefined {
  const node = deref(doc, item);
  if (isScalar(node)) {
    const spec = str(doc, node);
    if (spec === undefined) return undefined;
    return key === 'volumes' ? mountFromShortSyntax(spec)?.target : spec;
  }
  if (!isMap(node)) return undefined;
  return str(doc, get(doc, node, 'target')) ?? str(doc, get(doc, node, 'source'));
}
