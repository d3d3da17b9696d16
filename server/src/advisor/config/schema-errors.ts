// Turns ajv's error list into one clear problem per YAML node: the message names the key, and the range
// is the node the error concerns (so the editor squiggles the right place and the CLI names the line).
import type { ErrorObject } from 'ajv';
import { isMap, isScalar, isSeq, type Document, type Node } from 'yaml';
import type { SourceRange } from '../model/source.js';
import type { Locator } from '../yaml/nodes.js';

export interface SchemaProblem {
  message: string;
  /** Dotted path of the offending key (`rules.no-such-rule`). */
  path: string;
  range: SourceRange;
}

function nodeAt(doc: Document, segments: string[]): { node: Node | undefined; keyNode: Node | undefined } {
  let cur: unknown = doc.contents;
  let keyNode: Node | undefined;
  for (const seg of segments) {
    if (isMap(cur)) {
      const pair = cur.items.find((p) => isScalar(p.key) && String(p.key.value) === seg);
      if (!pair) return { node: cur as Node, keyNode };
      keyNode = pair.key as Node;
      cur = pair.value;
    } else if (isSeq(cur)) {
      const item = cur.items[Number(seg)];
      if (item === undefined) return { node: cur as Node, keyNode };
      keyNode = undefined;
      cur = item;
    } else return { node: (cur as Node) ?? undefined, keyNode };
  }
  return { node: (cur as Node) ?? undefined, keyNode };
}

function describe(e: ErrorObject): string {
  switch (e.keyword) {
    case 'additionalProperties':
      return `unknown key \`${String((e.params as { additionalProperty: string }).additionalProperty)}\``;
    case 'enum':
      return `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => `\`${String(v)}\``).join(', ')}`;
    case 'type':
      return `must be ${(e.params as { type: string }).type}`;
    case 'required':
      return `missing required key \`${(e.params as { missingProperty: string }).missingProperty}\``;
    case 'pattern':
      return `does not match ${(e.params as { pattern: string }).pattern}`;
    default:
      return e.message ?? e.keyword;
  }
}

/**
 * Maps ajv errors to problems. Keeps one problem per instance path (the most specific keyword), and drops
 * the `anyOf`/`oneOf` summaries that repeat their branches' errors.
 */
export function schemaProblems(doc: Document, errors: ErrorObject[], locator: Locator): SchemaProblem[] {
  const byPath = new Map<string, ErrorObject>();
  for (const e of errors) {
    if (e.keyword === 'anyOf' || e.keyword === 'oneOf' || e.keyword === 'if') continue;
    const path =
      e.keyword === 'additionalProperties'
        ? `${e.instancePath}/${String((e.params as { additionalProperty: string }).additionalProperty)}`
        : e.instancePath;
    if (!byPath.has(path)) byPath.set(path, e);
  }
  const out: SchemaProblem[] = [];
  for (const [path, e] of byPath) {
    const segments = path
      .split('/')
      .slice(1)
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    const { node, keyNode } = nodeAt(doc, segments);
    const target = e.keyword === 'additionalProperties' ? (keyNode ?? node) : (node ?? keyNode);
    const dotted = segments.join('.') || '(root)';
    out.push({ message: `${dotted}: ${describe(e)}`, path: dotted, range: locator.node(target) });
  }
  return out;
}
