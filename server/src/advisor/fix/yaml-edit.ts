// Text edits that change one value or add one entry while leaving every other byte of the file as it
// was (comments, quoting, key order, indentation style). Positions come from the `yaml` Document API
// (node ranges); only the new fragment is rendered, with the file's own indentation.
import {
  isMap,
  isScalar,
  isSeq,
  Scalar,
  stringify as yamlStringify,
  type Document,
  type Node,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';
import type { SourceFile } from '../model/model.js';
import type { TextEdit } from '../model/source.js';
import { Locator, getPair, keyOf } from '../yaml/nodes.js';

/**
 * `yaml`'s stringify, memoised by value and options: the language server rebuilds the quick fixes of a
 * file on every validation, and rendering the same fragments again was most of a pass's time.
 */
const rendered = new Map<string, string>();
function stringify(
  value: unknown,
  options: { indent?: number; indentSeq?: boolean; lineWidth?: number; collectionStyle?: 'flow' },
): string {
  const key = JSON.stringify([value, options]);
  let text = rendered.get(key);
  if (text === undefined) {
    text = yamlStringify(value, options);
    if (rendered.size >= 10_000) rendered.clear();
    rendered.set(key, text);
  }
  return text;
}

export interface IndentStyle {
  /** Spaces per nesting level. */
  step: number;
  /** Whether block sequences under a key are indented (`key:\n  - a`) rather than flush (`key:\n- a`). */
  indentSeq: boolean;
}

const styleCache = new WeakMap<SourceFile, IndentStyle>();

function isPrintableAscii(c: number): boolean {
  return c > 32 && c < 127;
}

/** JavaScript's `\s` (what `trimStart` removes). */
function isSpace(c: number): boolean {
  return (
    c === 32 ||
    (c >= 9 && c <= 13) ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/**
 * Whether text[from, to) holds only a key, maybe with a comment: what `/^[^#\s][^#]*:\s*(#.*)?$/` says,
 * read in place (the regular expression on a slice of every line was most of an edit pass's style check).
 */
function isKeyOnly(text: string, from: number, to: number): boolean {
  if (from >= to) return false;
  const first = text.charCodeAt(from);
  if (first === 35 /* # */ || isSpace(first)) return false;
  let comment = from;
  while (comment < to && text.charCodeAt(comment) !== 35) comment++;
  let last = comment - 1;
  while (last > from && isSpace(text.charCodeAt(last))) last--;
  if (last <= from || text.charCodeAt(last) !== 58 /* : */) return false;
  // A comment runs to the end of the line: `.` matches no line terminator.
  for (let i = comment + 1; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13 || c === 0x2028 || c === 0x2029) return false;
  }
  return true;
}

/** The file's indentation habits, read from its text. */
export function indentStyle(source: SourceFile): IndentStyle {
  const cached = styleCache.get(source);
  if (cached) return cached;

  let step = 0;
  let flushSeq = 0;
  let indentedSeq = 0;
  let prevIndent = 0;
  // The previous content line's text after its indentation and `- ` (read only when an item follows).
  let prevBody = -1;
  let prevEnd = -1;
  const text = source.text;
  // The first 5,000 lines, read in place (no string per line: this runs on every edit's pass).
  for (let n = 0, next = 0; n < 5000 && next >= 0; n++) {
    const lineStart = next;
    const nl = text.indexOf('\n', lineStart);
    const lineEnd = nl < 0 ? text.length : nl;
    next = nl < 0 ? -1 : nl + 1;
    // Where the line's content starts, as `trimStart` has it (any other leading space: the exact way).
    let at = lineStart;
    while (at < lineEnd && (text.charCodeAt(at) === 32 || text.charCodeAt(at) === 9)) at++;
    if (at < lineEnd && !isPrintableAscii(text.charCodeAt(at))) {
      const line = text.slice(lineStart, lineEnd);
      at = lineEnd - line.trimStart().length;
    }
    if (at === lineEnd || text.charCodeAt(at) === 35 /* # */) continue;
    const indent = at - lineStart;
    const item = text.startsWith('- ', at);
    if (indent > prevIndent && step === 0 && !item) step = indent - prevIndent;
    if (item && prevBody >= 0 && isKeyOnly(text, prevBody, prevEnd)) {
      if (indent === prevIndent) flushSeq++;
      else if (indent > prevIndent) indentedSeq++;
    }
    const body = item ? at + 2 : at;
    prevIndent = indent + (item && isKeyOnly(text, body, lineEnd) ? 2 : 0);
    prevBody = body;
    prevEnd = lineEnd;
  }
  const style = { step: step > 0 && step <= 8 ? step : 2, indentSeq: indentedSeq >= flushSeq };
  styleCache.set(source, style);
  return style;
}

function locator(source: SourceFile): Locator {
  return new Locator(source.path, source.lineCounter);
}

function edit(source: SourceFile, start: number, end: number, newText: string): TextEdit {
  // Inserted lines follow the file's line endings (a CRLF file stays CRLF).
  const text = usesCrlf(source) ? newText.replace(/\r?\n/g, '\r\n') : newText;
  return { range: locator(source).at(start, end), newText: text };
}

function usesCrlf(source: SourceFile): boolean {
  const nl = source.text.indexOf('\n');
  return nl > 0 && source.text[nl - 1] === '\r';
}

/** Renders a value as a flow/JSON-ish scalar or collection for insertion into flow context. */
function flowText(value: unknown, jsonStyle: boolean): string {
  if (jsonStyle) return JSON.stringify(value);
  return stringify(value, { collectionStyle: 'flow', lineWidth: 0 }).trimEnd();
}

/** Renders `key: value` as block YAML lines, each prefixed with `indent` spaces. */
function blockEntry(key: string, value: unknown, indent: number, style: IndentStyle): string {
  const text = stringify({ [key]: value }, { indent: style.step, indentSeq: style.indentSeq, lineWidth: 0 });
  const pad = ' '.repeat(indent);
  return text
    .trimEnd()
    .split('\n')
    .map((l) => pad + l)
    .join('\n');
}

/** Renders a list item as block YAML lines at `indent`. */
function blockItem(value: unknown, indent: number, style: IndentStyle): string {
  const text = stringify([value], { indent: style.step, indentSeq: style.indentSeq, lineWidth: 0 });
  const pad = ' '.repeat(indent);
  return text
    .trimEnd()
    .split('\n')
    .map((l) => pad + l)
    .join('\n');
}

/** Offset just after the end of the line that contains `offset - 1` (start of the next line). */
function lineEndAfter(text: string, offset: number): { at: number; needsNewline: boolean } {
  const idx = text.indexOf('\n', Math.max(0, offset - 1));
  if (idx < 0) return { at: text.length, needsNewline: true };
  return { at: idx + 1, needsNewline: false };
}

function columnOf(text: string, offset: number): number {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return offset - lineStart;
}

/** Replaces a scalar's value, keeping its quoting style. */
export function replaceScalar(source: SourceFile, node: Node, value: string | number | boolean): TextEdit {
  if (!node.range) throw new Error('node has no range');
  let text = String(value);
  if (isScalar(node)) {
    if (node.type === Scalar.QUOTE_DOUBLE) text = JSON.stringify(String(value));
    else if (node.type === Scalar.QUOTE_SINGLE) text = `'${String(value).replace(/'/g, "''")}'`;
    else if (typeof value === 'string') text = stringify(value, { lineWidth: 0 }).trimEnd();
  }
  return edit(source, node.range[0], node.range[1], text);
}

/** Adds `key: value` at the end of a map (block or flow). The key must not exist yet. */
export function insertPair(source: SourceFile, map: YAMLMap, key: string, value: unknown): TextEdit {
  const text = source.text;
  if (!map.range) throw new Error('map has no range');
  if (map.flow) {
    const close = text.lastIndexOf('}', map.range[1] - 1);
    const jsonStyle = /"[^"\n]*"\s*:/.test(text.slice(map.range[0], map.range[1]));
    const keyText = jsonStyle ? JSON.stringify(key) : key;
    const entry = `${keyText}: ${flowText(value, jsonStyle)}`;
    // Put the new entry after the last one, keeping a trailing comma if the author used one.
    const before = text.slice(map.range[0] + 1, close);
    const trimmed = before.trimEnd();
    if (trimmed.trim() === '') return edit(source, close, close, entry);
    const lastNonSpace = map.range[0] + 1 + trimmed.length;
    if (trimmed.endsWith(',')) {
      const multiline = before.slice(trimmed.length).includes('\n');
      const lastLineStart = text.lastIndexOf('\n', lastNonSpace - 1) + 1;
      const itemIndent = text.slice(lastLineStart).length - text.slice(lastLineStart).trimStart().length;
      const pad = multiline ? '\n' + ' '.repeat(itemIndent) : ' ';
      return edit(source, lastNonSpace, lastNonSpace, `${pad}${entry},`);
    }
    return edit(source, lastNonSpace, lastNonSpace, `, ${entry}`);
  }
  const first = map.items[0];
  const firstKey = first?.key as Node | undefined;
  const style = indentStyle(source);
  const indent = firstKey?.range ? columnOf(text, firstKey.range[0]) : columnOf(text, map.range[0]);
  const last = map.items[map.items.length - 1];
  const lastEnd =
    (last?.value as Node | undefined)?.range?.[1] ??
    (last?.key as Node | undefined)?.range?.[1] ??
    map.range[1];
  const { at, needsNewline } = lineEndAfter(text, lastEnd);
  return edit(source, at, at, `${needsNewline ? '\n' : ''}${blockEntry(key, value, indent, style)}\n`);
}

/** Appends an item to a sequence (block or flow). */
export function appendItem(source: SourceFile, seq: YAMLSeq, value: unknown): TextEdit {
  const text = source.text;
  if (!seq.range) throw new Error('sequence has no range');
  if (seq.flow) {
    const close = text.lastIndexOf(']', seq.range[1] - 1);
    const jsonStyle = /"/.test(text.slice(seq.range[0], seq.range[1]));
    const inner = text.slice(seq.range[0] + 1, close).trimEnd();
    const at = seq.range[0] + 1 + inner.length;
    const v = flowText(value, jsonStyle);
    if (inner.trim() === '') return edit(source, close, close, v);
    return edit(source, at, at, inner.endsWith(',') ? ` ${v},` : `, ${v}`);
  }
  const style = indentStyle(source);
  const indent = columnOf(text, seq.range[0]);
  const last = seq.items[seq.items.length - 1] as Node | undefined;
  const { at, needsNewline } = lineEndAfter(text, last?.range?.[1] ?? seq.range[1]);
  return edit(source, at, at, `${needsNewline ? '\n' : ''}${blockItem(value, indent, style)}\n`);
}

/**
 * Sets `path` under `root` to `value`: replaces the scalar if the key exists, otherwise adds the
 * missing part of the path under the deepest map that exists. When `append` is set and the target is a
 * sequence, the value is appended as an item instead.
 */
export function setIn(
  source: SourceFile,
  doc: Document,
  root: YAMLMap,
  path: string[],
  value: unknown,
  options: { append?: boolean } = {},
): TextEdit {
  let map: YAMLMap = root;
  for (let i = 0; i < path.length; i++) {
    const key = path[i]!;
    const pair = getPair(doc, map, key);
    const rest = path.slice(i + 1);
    const nested = rest.reduceRight<unknown>((acc, k) => ({ [k]: acc }), options.append ? [value] : value);
    if (!pair || !map.items.includes(pair as never)) {
      // Missing here (or only present through a merge key, which we must not edit): add it to this map.
      return insertPair(source, map, key, nested);
    }
    const v = pair.value as Node | null;
    if (i === path.length - 1) {
      if (options.append && isSeq(v)) return appendItem(source, v, value);
      if (v && isScalar(v) && v.range && v.source !== undefined && v.value !== null) {
        return replaceScalar(source, v, value as string | number | boolean);
      }
    }
    if (isMap(v)) {
      map = v;
      continue;
    }
    if (v === null || (isScalar(v) && v.value === null)) {
      // `key:` with no value: write the rest of the path as its value.
      return replaceEmptyValue(source, map, pair.key as Node, v, nested);
    }
    if (isScalar(v) && v.range) return replaceScalar(source, v, value as string | number | boolean);
    throw new Error(`cannot set ${path.join('.')}: ${key} is not a map`);
  }
  throw new Error('empty path');
}

function replaceEmptyValue(
  source: SourceFile,
  parent: YAMLMap,
  key: Node,
  value: Node | null,
  nested: unknown,
): TextEdit {
  const text = source.text;
  const written = value?.range && value.range[1] > value.range[0] ? value.range : undefined; // `null` / `~`
  if (parent.flow) {
    const at = written ? written[0] : text.indexOf(':', key.range![1]) + 1;
    return edit(source, at, written ? written[1] : at, `${written ? '' : ' '}${flowText(nested, false)}`);
  }
  const style = indentStyle(source);
  const indent = columnOf(text, key.range![0]) + style.step;
  const body = isPlainObject(nested)
    ? Object.entries(nested as Record<string, unknown>)
        .map(([k, v]) => blockEntry(k, v, indent, style))
        .join('\n')
    : blockItem(nested, indent, style);
  if (written) {
    // `key: null` → `key:` + the new block (no trailing space left after the colon).
    let from = written[0];
    while (from > 0 && (text[from - 1] === ' ' || text[from - 1] === '\t')) from--;
    return edit(source, from, written[1], `\n${body}`);
  }
  // After the key's line (and any comment on it).
  const lineEnd = text.indexOf('\n', key.range![1]);
  // Before the line break (`\r\n` included, so a CRLF file keeps whole CRLF pairs).
  const at = lineEnd < 0 ? text.length : text[lineEnd - 1] === '\r' ? lineEnd - 1 : lineEnd;
  return edit(source, at, at, `\n${body}`);
}

function isPlainObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Appends a new YAML document (`---` + text) at the end of the file. */
export function appendDocument(source: SourceFile, yamlText: string): TextEdit {
  const text = source.text;
  const sep = text.length === 0 ? '' : text.endsWith('\n') ? '' : '\n';
  const body = yamlText.endsWith('\n') ? yamlText : `${yamlText}\n`;
  return edit(source, text.length, text.length, `${sep}---\n${body}`);
}

/** Renders an object as a block YAML document in the file's indentation style. */
export function renderDocument(source: SourceFile, value: unknown): string {
  const style = indentStyle(source);
  return stringify(value, { indent: style.step, indentSeq: style.indentSeq, lineWidth: 0 });
}

export { keyOf };
