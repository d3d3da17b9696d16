// A fast path to the same `yaml` trees for plain files. `js-yaml`'s event parser (`parseEvents`, which gives
// each node's source offsets) reads YAML ~5× faster than the `yaml` parser, whose CST keeps every token
// for quick fixes to edit with; a read-only pass needs none of that. The trees built here are `yaml` nodes
// with the starts, content ends (`contentEnd`), values and styles the `yaml` composer gives, so everything
// downstream is unchanged; `test/unit/fast-yaml.test.ts` checks them against the `yaml` parse node by node
// (corpora and mutated generated workspaces), and the models built from both.
//
// Not reproduced: how far a node's range runs over trailing comment lines (`range[2]`, and `range[1]` of
// block collections), which only quick fixes read; files whose trees are kept for fixes use the `yaml`
// parser. Anything outside the subset proven equal is left to the `yaml` parser: undefined is returned
// for syntax errors (the `yaml` parser reports them, with recovery), anchors, aliases, tags, directives,
// explicit keys, document end markers, complex keys, empty nodes in flow collections and implicit pairs
// in flow sequences.
import {
  COLLECTION_STYLE_FLOW,
  EVENT_DOCUMENT,
  EVENT_MAPPING,
  EVENT_POP,
  EVENT_SCALAR,
  SCALAR_STYLE_DOUBLE_QUOTED,
  SCALAR_STYLE_FOLDED_BLOCK,
  SCALAR_STYLE_LITERAL_BLOCK,
  SCALAR_STYLE_PLAIN,
  SCALAR_STYLE_SINGLE_QUOTED,
  getScalarValue,
  parseEvents,
} from 'js-yaml';
import { Document, Pair, Scalar, YAMLMap, YAMLSeq, isScalar, type Node, type ScalarTag } from 'yaml';
import { EVENT_WIDTH, PackedEvents, packEvents } from './event-codec.js';

/** V8's shortest sliced string (`SlicedString::kMinLength`): shorter substrings are copies already. */
const SLICE_MIN_LENGTH = 13;

/** Thrown inside the builder when the input leaves the proven subset; never escapes `parseFast`. */
class NotFast extends Error {}

type Range = [number, number, number];

// Nodes without the `Object.defineProperty` calls of the `yaml` constructors (each node's type mark, a
// collection's `schema`): 8% of a parse worker's time. A kind's nodes inherit both from one node of that
// kind made by its constructor, so `isScalar`, `isMap`… and `instanceof` answer as for the library's own
// (the fast-yaml tests compare every node's kind with the `yaml` parser's). Each sets its own fields.
const scalarPrototype = new Scalar(null);
const mapPrototype = new YAMLMap();
const seqPrototype = new YAMLSeq();
const pairPrototype = new Pair(null);

function newScalar(value: unknown): Scalar {
  const node = Object.create(scalarPrototype) as Scalar;
  node.value = value;
  return node;
}

function newMap(): YAMLMap {
  const node = Object.create(mapPrototype) as YAMLMap;
  node.items = [];
  return node;
}

function newSeq(): YAMLSeq {
  const node = Object.create(seqPrototype) as YAMLSeq;
  node.items = [];
  return node;
}

function newPair(key: Node, value: Node): Pair {
  const pair = Object.create(pairPrototype) as Pair;
  pair.key = key;
  pair.value = value;
  return pair;
}

/** Plain scalar resolution of the `yaml` core schema (the tags the composer tests, in its order). */
const referenceDocument = new Document();
const plainTags = (referenceDocument.schema.tags as ScalarTag[]).filter(
  (t) => (t.default === true || t.default === 'key') && t.test !== undefined,
);
const docOptions = referenceDocument.options;

/**
 * The text's parse events packed (`event-codec.ts`), or undefined when the text needs the `yaml` parser:
 * a syntax error, or events outside the fast path's subset.
 */
export function tokenizeFast(text: string): Int32Array | undefined {
  // Directives (`%YAML`, `%TAG`) change how documents read; `...` ends one. Both are rare: full parser.
  if (/^(?:%|\.\.\.(?:[ \t\r\n]|$))/m.test(text)) return undefined;
  try {
    return packEvents(parseEvents(text, {}));
  } catch {
    return undefined;
  }
}

/**
 * The documents of `text` as the `yaml` parser composes them (`uniqueKeys: false`), or undefined when the
 * text needs the `yaml` parser itself. `packed`: the text's events from `tokenizeFast`, when read already.
 */
export function parseFast(text: string, packed = tokenizeFast(text)): Document.Parsed[] | undefined {
  if (packed === undefined) return undefined;
  try {
    return new Builder(text, new PackedEvents(packed)).documents();
  } catch {
    // NotFast, or anything unforeseen (a stack overflow on deep nesting): the `yaml` parser decides.
    return undefined;
  }
}

/** The collection a node is read in. */
interface Open {
  flow: boolean;
}

class Builder {
  private i = 0;
  private readonly markers: number[] = [];
  private nextMarker = 0;

  constructor(
    private readonly text: string,
    private readonly events: PackedEvents,
  ) {
    const re = /^---(?=[ \t\r\n]|$)/gm;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) !== null) this.markers.push(m.index);
  }

  documents(): Document.Parsed[] {
    const docs: Document.Parsed[] = [];
    const events = this.events;
    while (this.i < events.end) {
      const e = this.i;
      this.i += EVENT_WIDTH;
      if (events.type(e) !== EVENT_DOCUMENT) throw new NotFast();
      const marker = events.explicitStart(e) ? this.takeMarker() : undefined;
      const contents = this.node(undefined, marker === undefined ? 0 : marker + 3);
      if (this.typeAt(this.i) !== EVENT_POP) throw new NotFast();
      this.i += EVENT_WIDTH;
      docs.push(this.document(contents, marker));
    }
    // A file of comments only is one empty document to the `yaml` parser and none to `js-yaml`.
    if (docs.length === 0 || this.nextMarker !== this.markers.length) throw new NotFast();
    return docs;
  }

  private takeMarker(): number {
    const m = this.markers[this.nextMarker++];
    if (m === undefined) throw new NotFast();
    return m;
  }

  private document(contents: Node, marker: number | undefined): Document.Parsed {
    const doc = new Document(undefined, { uniqueKeys: false }) as Document.Parsed;
    doc.contents = contents as Document.Parsed['contents'];
    const r = contents.range!;
    doc.range = [marker ?? r[0], r[1], r[2]];
    if (marker !== undefined) doc.directives.docStart = true;
    return doc;
  }

  /**
   * The node whose event is next. `emptyAt`: where an empty node sits (the `yaml` composer puts it after
   * the indicator and the spaces that follow it).
   */
  private node(parent: Open | undefined, emptyAt: number, atKey = false): Node {
    const events = this.events;
    const e = this.i;
    this.i += EVENT_WIDTH;
    const type = this.typeAt(e);
    // Packed events hold no aliases (nor anchors, tags): a document or pop here is a malformed stream.
    if (type === EVENT_SCALAR) return this.scalar(e, parent, emptyAt, atKey);
    if (type === EVENT_DOCUMENT || type === EVENT_POP || type < 0 || atKey) throw new NotFast();
    const flow = events.style(e) === COLLECTION_STYLE_FLOW;
    const text = this.text;
    const start = events.start(e);
    if (flow && text[start] !== (type === EVENT_MAPPING ? '{' : '[')) throw new NotFast();
    const node = type === EVENT_MAPPING ? newMap() : newSeq();
    if (flow) node.flow = true;
    const open: Open = { flow };
    let end = flow ? start + 1 : start;
    if (node instanceof YAMLMap) {
      while (this.typeAt(this.i) !== EVENT_POP) {
        const keyAt = this.typeAt(this.i) === EVENT_SCALAR ? events.valueStart(this.i) : -1;
        if (keyAt < 0 || (!flow && this.explicitKey(keyAt))) throw new NotFast();
        const key = this.node(open, -1, true) as Scalar;
        if (key.range![1] - key.range![0] > 1024) throw new NotFast();
        const value = this.node(open, this.afterIndicator(key.range![1], ':'));
        node.items.push(newPair(key, value));
        end = value.range![flow ? 1 : 2];
      }
    } else {
      while (this.typeAt(this.i) !== EVENT_POP) {
        const item = this.node(open, flow ? -1 : this.afterIndicator(this.skipToContent(end), '-'));
        node.items.push(item);
        end = item.range![flow ? 1 : 2];
      }
    }
    this.i += EVENT_WIDTH;
    if (flow) {
      const close = this.skipToContent(node.items.length > 0 ? end : start + 1);
      if (text[close] === ',') {
        const after = this.skipToContent(close + 1);
        if (text[after] !== (node instanceof YAMLMap ? '}' : ']')) throw new NotFast();
        end = after + 1;
      } else if (text[close] === (node instanceof YAMLMap ? '}' : ']')) end = close + 1;
      else throw new NotFast();
      node.range = [start, end, parent && !parent.flow ? this.lineEnd(end) : end];
    } else {
      node.range = [start, end, end];
    }
    return node;
  }

  /** The type of the event at `at`; -1 past the last one. */
  private typeAt(at: number): number {
    return at < this.events.end ? this.events.type(at) : -1;
  }

  private scalar(at: number, parent: Open | undefined, emptyAt: number, atKey: boolean): Scalar {
    const e = this.events.scalarAt(at);
    const text = this.text;
    const inFlow = parent?.flow === true;
    let range: Range;
    let scalar: Scalar;
    if (e.valueStart < 0) {
      // An empty node: only where the composer's position is known (after `:`/`-`/`---`).
      if (e.style !== SCALAR_STYLE_PLAIN || emptyAt < 0 || inFlow || atKey) throw new NotFast();
      scalar = newScalar(null);
      scalar.source = '';
      scalar.range = [emptyAt, emptyAt, emptyAt];
      scalar.type = Scalar.PLAIN;
      return scalar;
    }
    // V8 makes a value of 13 characters or more a slice of the text, which keeps the whole text alive for
    // as long as the model keeps the value (a name, an image): a copy lets a released file's text go.
    let value = getScalarValue(text, e);
    if (value.length >= SLICE_MIN_LENGTH) value = (' ' + value).slice(1);
    switch (e.style) {
      case SCALAR_STYLE_PLAIN: {
        scalar = resolvePlain(value, atKey);
        scalar.type = Scalar.PLAIN;
        range = [e.valueStart, e.valueEnd, 0];
        break;
      }
      case SCALAR_STYLE_SINGLE_QUOTED:
      case SCALAR_STYLE_DOUBLE_QUOTED: {
        scalar = newScalar(value);
        scalar.type = e.style === SCALAR_STYLE_SINGLE_QUOTED ? Scalar.QUOTE_SINGLE : Scalar.QUOTE_DOUBLE;
        range = [e.valueStart - 1, e.valueEnd + 1, 0];
        break;
      }
      case SCALAR_STYLE_LITERAL_BLOCK:
      case SCALAR_STYLE_FOLDED_BLOCK: {
        if (atKey || inFlow) throw new NotFast();
        scalar = newScalar(value);
        scalar.type = e.style === SCALAR_STYLE_LITERAL_BLOCK ? Scalar.BLOCK_LITERAL : Scalar.BLOCK_FOLDED;
        const header = blockHeader(text, e.valueStart);
        range = [header, e.valueEnd, e.valueEnd];
        break;
      }
      default:
        throw new NotFast();
    }
    scalar.source = value;
    // Keys and flow items end where their text does; a block value's range runs to its line's end.
    if (range[2] === 0) range[2] = atKey || inFlow ? range[1] : this.lineEnd(range[1]);
    scalar.range = range;
    return scalar;
  }

  /** Whether the key at `offset` follows a `?` (an explicit key). */
  private explicitKey(offset: number): boolean {
    let i = offset - 1;
    while (i >= 0 && (this.text[i] === ' ' || this.text[i] === '\t')) i--;
    return this.text[i] === '?';
  }

  /** After the indicator at or after `offset` (spaces before it) and the spaces after it. */
  private afterIndicator(offset: number, indicator: string): number {
    const text = this.text;
    let i = offset;
    while (text[i] === ' ' || text[i] === '\t') i++;
    if (text[i] !== indicator) throw new NotFast();
    i++;
    while (text[i] === ' ' || text[i] === '\t') i++;
    return i;
  }

  /** The next offset at or after `offset` that is not whitespace or a comment. */
  private skipToContent(offset: number): number {
    const text = this.text;
    let i = offset;
    for (;;) {
      const c = text[i];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') i++;
      else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) {
        const nl = text.indexOf('\n', i);
        i = nl < 0 ? text.length : nl;
      } else return i;
    }
  }

  /** A block value's end: past the spaces and comment that follow it on its line, and the line break. */
  private lineEnd(offset: number): number {
    const text = this.text;
    let i = offset;
    while (text[i] === ' ' || text[i] === '\t') i++;
    if (text[i] === '#') {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl;
    }
    if (text[i] === '\r' && text[i + 1] === '\n') return i + 2;
    if (text[i] === '\n') return i + 1;
    return i;
  }
}

/**
 * The core schema tag of each plain scalar text seen (null: a string), so the same texts (keys, mostly)
 * are not tested against every tag's expression again. Emptied when it grows past 20,000 texts.
 */
const tagOfPlainKey = new Map<string, ScalarTag | null>();
const tagOfPlainValue = new Map<string, ScalarTag | null>();

/** A plain scalar's value as the `yaml` core schema resolves it (first tag whose test matches, else a string). */
function resolvePlain(source: string, atKey: boolean): Scalar {
  if (!mayNotBeString(source)) return newScalar(source);
  const seen = atKey ? tagOfPlainKey : tagOfPlainValue;
  let tag = seen.get(source);
  if (tag === undefined) {
    tag =
      plainTags.find((t) => (t.default === true || (atKey && t.default === 'key')) && t.test!.test(source)) ??
      null;
    if (seen.size >= 20_000) seen.clear();
    seen.set(source, tag);
  }
  if (tag === null) return newScalar(source);
  let failed = false;
  const res = tag.resolve(
    source,
    () => {
      failed = true;
    },
    docOptions,
  );
  if (failed) throw new NotFast();
  const scalar = isScalar(res) ? res : newScalar(res);
  if (tag.format) scalar.format = tag.format;
  return scalar;
}

/**
 * False when no core-schema tag but `str` can match a plain scalar: the null, bool, int and float tags all
 * match only the empty text or texts starting with one of `~nNtTfF0-9+-.` (see `plainTags`; the fast-yaml
 * tests compare every value with the `yaml` parser's). Most keys and values skip the tag lookup.
 */
function mayNotBeString(source: string): boolean {
  if (source.length === 0) return true;
  switch (source.charCodeAt(0)) {
    case 0x7e: // ~
    case 0x6e: // n
    case 0x4e: // N
    case 0x74: // t
    case 0x54: // T
    case 0x66: // f
    case 0x46: // F
    case 0x2b: // +
    case 0x2d: // -
    case 0x2e: // .
      return true;
    default: {
      const c = source.charCodeAt(0);
      return c >= 0x30 && c <= 0x39;
    }
  }
}

/** Where a block scalar's header (`|`, `>-`, …) sits: on the line before its content. */
function blockHeader(text: string, contentStart: number): number {
  const lineEnd = text.lastIndexOf('\n', contentStart - 1);
  if (lineEnd < 0) throw new NotFast();
  const lineStart = text.lastIndexOf('\n', lineEnd - 1) + 1;
  const line = text.slice(lineStart, lineEnd);
  const m = /(?:^|[ \t])([|>][0-9+-]{0,2})[ \t]*(?:#.*)?\r?$/.exec(line);
  if (!m) throw new NotFast();
  return lineStart + m.index + m[0].indexOf(m[1]!);
}
