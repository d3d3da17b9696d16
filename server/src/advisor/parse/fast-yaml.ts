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
import { NO_MERGE_KEYS, type MergeFlagged } from '../yaml/nodes.js';
import { EVENT_WIDTH, PackedEvents, packEvents } from './event-codec.js';

/** V8's shortest sliced string (`SlicedString::kMinLength`): shorter substrings are copies already. */
const SLICE_MIN_LENGTH = 13;

/** Thrown inside the builder when the input leaves the proven subset; never escapes `parseFast`. */
class NotFast extends Error {}

// Nodes without the `Object.defineProperty` calls of the `yaml` constructors (each node's type mark, a
// collection's `schema`): 8% of a parse worker's time. A kind's nodes inherit both from one node of that
// kind made by its constructor, so `isScalar`, `isMap`… and `instanceof` answer as for the library's own
// (the fast-yaml tests compare every node's kind with the `yaml` parser's). Each is made by a constructor of
// ours whose prototype is that node and which sets all of a node's fields at once, in one order: every node
// of a kind has one shape, its fields in the object (not added one by one, which grows a property store).
const scalarPrototype = new Scalar(null);
const mapPrototype = new YAMLMap();
const seqPrototype = new YAMLSeq();
const pairPrototype = new Pair(null);

type Range = [number, number, number];

function FastScalar(this: Scalar, value: unknown, type: Scalar.Type, source: string, range: Range): void {
  this.value = value;
  this.type = type;
  this.source = source;
  this.range = range;
}
function FastMap(this: MergeFlagged, flow: boolean, range: Range): void {
  this.items = [];
  this.flow = flow;
  this.range = range;
  this[NO_MERGE_KEYS] = undefined;
}
function FastSeq(this: YAMLSeq, flow: boolean, range: Range): void {
  this.items = [];
  this.flow = flow;
  this.range = range;
}
function FastPair(this: Pair, key: Node, value: Node): void {
  this.key = key;
  this.value = value;
}
FastScalar.prototype = scalarPrototype;
FastMap.prototype = mapPrototype;
FastSeq.prototype = seqPrototype;
FastPair.prototype = pairPrototype;
const FastScalarNode = FastScalar as unknown as new (
  v: unknown,
  t: Scalar.Type,
  s: string,
  r: Range,
) => Scalar;
const FastMapNode = FastMap as unknown as new (flow: boolean, range: Range) => MergeFlagged;
const FastSeqNode = FastSeq as unknown as new (flow: boolean, range: Range) => YAMLSeq;
const FastPairNode = FastPair as unknown as new (key: Node, value: Node) => Pair;

// Documents likewise: the `Document` constructor builds a schema and directives for each (12 µs a document).
// Each shares the reference document's options and schema and inherits its directives, which it never
// changes but for its own `docStart`.
const documentPrototype = new Document(undefined, { uniqueKeys: false }) as Document.Parsed;

function newDocument(contents: Node, range: Range, docStart: boolean): Document.Parsed {
  const doc = Object.create(documentPrototype) as Document.Parsed;
  doc.commentBefore = null;
  doc.comment = null;
  doc.errors = [];
  doc.warnings = [];
  doc.options = documentPrototype.options;
  doc.schema = documentPrototype.schema;
  doc.directives = Object.create(documentPrototype.directives) as Document.Parsed['directives'];
  if (docStart) doc.directives.docStart = true;
  doc.contents = contents as Document.Parsed['contents'];
  doc.range = range;
  return doc;
}

/** Plain scalar resolution of the `yaml` core schema (the tags the composer tests, in its order). */
const plainTags = (documentPrototype.schema.tags as ScalarTag[]).filter(
  (t) => (t.default === true || t.default === 'key') && t.test !== undefined,
);
const docOptions = documentPrototype.options;

/**
 * The text's parse events packed and laid out (`event-codec.ts`), or undefined when the text needs the
 * `yaml` parser: a syntax error, or events outside the fast path's subset. `reuse`: pack into this thread's
 * packing space (valid until the next call) rather than an array of their own, which can be posted.
 */
export function tokenizeFast(text: string, reuse = false): Int32Array | undefined {
  // Directives (`%YAML`, `%TAG`) change how documents read; `...` ends one. Both are rare: full parser.
  if (/^(?:%|\.\.\.(?:[ \t\r\n]|$))/m.test(text)) return undefined;
  try {
    const events = parseEvents(text, {});
    const packed = packEvents(events, reuse ? scratchFor(events.length * EVENT_WIDTH) : undefined);
    if (packed) new Layout(text, new PackedEvents(packed)).run();
    return packed;
  } catch {
    // A syntax error, NotFast, or anything unforeseen (a stack overflow on deep nesting): the `yaml` parser.
    return undefined;
  }
}

/**
 * Packing space reused file after file by the parse in this thread (`reuse`): an array made for every file
 * costs its allocation and, being memory outside the heap, earlier collections. Files with more events get
 * an array of their own, so that this one stays under 4 MB.
 */
let scratch = new Int32Array(1 << 16);
const SCRATCH_MAX_WORDS = 1 << 20;

function scratchFor(words: number): Int32Array | undefined {
  if (words <= scratch.length) return scratch;
  if (words > SCRATCH_MAX_WORDS) return undefined;
  scratch = new Int32Array(Math.min(SCRATCH_MAX_WORDS, Math.max(words, scratch.length * 2)));
  return scratch;
}

/**
 * The documents of `text` as the `yaml` parser composes them (`uniqueKeys: false`), or undefined when the
 * text needs the `yaml` parser itself. `packed`: the text's events from `tokenizeFast`, when read already.
 */
export function parseFast(text: string, packed = tokenizeFast(text, true)): Document.Parsed[] | undefined {
  if (packed === undefined) return undefined;
  try {
    return new Builder(text, new PackedEvents(packed)).documents();
  } catch {
    return undefined; // a plain scalar its tag cannot resolve (NotFast)
  }
}

/** The collection a node is read in. */
interface Open {
  flow: boolean;
}

/**
 * The layout pass, before any node is made: checks the events against the subset the fast path reproduces
 * (throws NotFast otherwise) and sets in them each node's range, each plain scalar's tag and each document's
 * start marker. Only numbers and the text are read and written: in the CLI this runs in the tokenizing
 * worker, leaving the main thread only the nodes to make.
 */
class Layout {
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

  run(): void {
    const events = this.events;
    let documents = 0;
    while (this.i < events.end) {
      const e = this.i;
      this.i += EVENT_WIDTH;
      if (events.type(e) !== EVENT_DOCUMENT) throw new NotFast();
      const marker = events.explicitStart(e) ? this.takeMarker() : -1;
      events.setMarker(e, marker);
      this.node(undefined, marker < 0 ? 0 : marker + 3);
      if (this.typeAt(this.i) !== EVENT_POP) throw new NotFast();
      this.i += EVENT_WIDTH;
      documents++;
    }
    // A file of comments only is one empty document to the `yaml` parser and none to `js-yaml`.
    if (documents === 0 || this.nextMarker !== this.markers.length) throw new NotFast();
  }

  private takeMarker(): number {
    const m = this.markers[this.nextMarker++];
    if (m === undefined) throw new NotFast();
    return m;
  }

  /** The type of the event at `at`; -1 past the last one. */
  private typeAt(at: number): number {
    return at < this.events.end ? this.events.type(at) : -1;
  }

  /**
   * Lays out the node whose event is next; returns that event's position. `emptyAt`: where an empty node
   * sits (the `yaml` composer puts it after the indicator and the spaces that follow it).
   */
  private node(parent: Open | undefined, emptyAt: number, atKey = false): number {
    const events = this.events;
    const e = this.i;
    this.i += EVENT_WIDTH;
    const type = this.typeAt(e);
    // Packed events hold no aliases (nor anchors, tags): a document or pop here is a malformed stream.
    if (type === EVENT_SCALAR) {
      this.scalar(e, parent, emptyAt, atKey);
      return e;
    }
    if (type === EVENT_DOCUMENT || type === EVENT_POP || type < 0 || atKey) throw new NotFast();
    const flow = events.style(e) === COLLECTION_STYLE_FLOW;
    const isMap = type === EVENT_MAPPING;
    const text = this.text;
    const start = events.start(e);
    if (flow && text[start] !== (isMap ? '{' : '[')) throw new NotFast();
    const open: Open = { flow };
    let end = flow ? start + 1 : start;
    let items = 0;
    if (isMap) {
      while (this.typeAt(this.i) !== EVENT_POP) {
        const keyAt = this.typeAt(this.i) === EVENT_SCALAR ? events.valueStart(this.i) : -1;
        if (keyAt < 0 || (!flow && this.explicitKey(keyAt))) throw new NotFast();
        const key = this.node(open, -1, true);
        if (events.range(key, 1) - events.range(key, 0) > 1024) throw new NotFast();
        const value = this.node(open, this.afterIndicator(events.range(key, 1), ':'));
        end = events.range(value, flow ? 1 : 2);
        items++;
      }
    } else {
      while (this.typeAt(this.i) !== EVENT_POP) {
        const item = this.node(open, flow ? -1 : this.afterIndicator(this.skipToContent(end), '-'));
        end = events.range(item, flow ? 1 : 2);
        items++;
      }
    }
    this.i += EVENT_WIDTH;
    if (flow) {
      const close = this.skipToContent(items > 0 ? end : start + 1);
      if (text[close] === ',') {
        const after = this.skipToContent(close + 1);
        if (text[after] !== (isMap ? '}' : ']')) throw new NotFast();
        end = after + 1;
      } else if (text[close] === (isMap ? '}' : ']')) end = close + 1;
      else throw new NotFast();
      events.setRange(e, start, end, parent && !parent.flow ? this.lineEnd(end) : end);
    } else {
      events.setRange(e, start, end, end);
    }
    return e;
  }

  private scalar(at: number, parent: Open | undefined, emptyAt: number, atKey: boolean): void {
    const events = this.events;
    const e = events.scalarAt(at);
    const text = this.text;
    const inFlow = parent?.flow === true;
    if (e.valueStart < 0) {
      // An empty node: only where the composer's position is known (after `:`/`-`/`---`).
      if (e.style !== SCALAR_STYLE_PLAIN || emptyAt < 0 || inFlow || atKey) throw new NotFast();
      events.setRange(at, emptyAt, emptyAt, emptyAt);
      return;
    }
    let start: number;
    let end: number;
    switch (e.style) {
      case SCALAR_STYLE_PLAIN:
        // A plain scalar's value starts where its text does.
        if (mayNotBeString(e.valueEnd > e.valueStart ? text.charCodeAt(e.valueStart) : -1))
          events.setTag(at, plainTagOf(getScalarValue(text, e), atKey));
        start = e.valueStart;
        end = e.valueEnd;
        break;
      case SCALAR_STYLE_SINGLE_QUOTED:
      case SCALAR_STYLE_DOUBLE_QUOTED:
        start = e.valueStart - 1;
        end = e.valueEnd + 1;
        break;
      case SCALAR_STYLE_LITERAL_BLOCK:
      case SCALAR_STYLE_FOLDED_BLOCK:
        if (atKey || inFlow) throw new NotFast();
        events.setRange(at, blockHeader(text, e.valueStart), e.valueEnd, e.valueEnd);
        return;
      default:
        throw new NotFast();
    }
    // Keys and flow items end where their text does; a block value's range runs to its line's end.
    events.setRange(at, start, end, atKey || inFlow ? end : this.lineEnd(end));
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

/** Makes the nodes of laid-out events: only allocation and values are left to do. */
class Builder {
  private i = 0;

  constructor(
    private readonly text: string,
    private readonly events: PackedEvents,
  ) {}

  documents(): Document.Parsed[] {
    const docs: Document.Parsed[] = [];
    const events = this.events;
    while (this.i < events.end) {
      const e = this.i;
      this.i += EVENT_WIDTH;
      const contents = this.node();
      this.i += EVENT_WIDTH; // the document's pop
      const marker = events.marker(e);
      const r = contents.range!;
      docs.push(newDocument(contents, [marker < 0 ? r[0] : marker, r[1], r[2]], marker >= 0));
    }
    return docs;
  }

  private node(): Node {
    const events = this.events;
    const e = this.i;
    this.i += EVENT_WIDTH;
    const type = events.type(e);
    const range: Range = [events.range(e, 0), events.range(e, 1), events.range(e, 2)];
    if (type === EVENT_SCALAR) return this.scalar(e, range);
    const flow = events.style(e) === COLLECTION_STYLE_FLOW;
    if (type === EVENT_MAPPING) {
      const map = new FastMapNode(flow, range);
      let merges = false;
      while (events.type(this.i) !== EVENT_POP) {
        const key = this.node() as Scalar; // keys are scalars (the layout refuses any other)
        if (key.value === '<<') merges = true;
        map.items.push(new FastPairNode(key, this.node()));
      }
      this.i += EVENT_WIDTH;
      if (!merges) map[NO_MERGE_KEYS] = true;
      return map;
    }
    const seq = new FastSeqNode(flow, range);
    while (events.type(this.i) !== EVENT_POP) seq.items.push(this.node());
    this.i += EVENT_WIDTH;
    return seq;
  }

  private scalar(at: number, range: Range): Scalar {
    const events = this.events;
    const e = events.scalarAt(at);
    if (e.valueStart < 0) return new FastScalarNode(null, Scalar.PLAIN, '', range);
    // V8 makes a value of 13 characters or more a slice of the text, which keeps the whole text alive for
    // as long as the model keeps the value (a name, an image): a copy lets a released file's text go.
    let value = getScalarValue(this.text, e);
    if (value.length >= SLICE_MIN_LENGTH) value = (' ' + value).slice(1);
    switch (e.style) {
      case SCALAR_STYLE_PLAIN:
        return resolvePlain(value, events.tag(at), range);
      case SCALAR_STYLE_SINGLE_QUOTED:
        return new FastScalarNode(value, Scalar.QUOTE_SINGLE, value, range);
      case SCALAR_STYLE_DOUBLE_QUOTED:
        return new FastScalarNode(value, Scalar.QUOTE_DOUBLE, value, range);
      case SCALAR_STYLE_LITERAL_BLOCK:
        return new FastScalarNode(value, Scalar.BLOCK_LITERAL, value, range);
      default:
        return new FastScalarNode(value, Scalar.BLOCK_FOLDED, value, range);
    }
  }
}

/**
 * The core schema tag of each plain scalar text seen (0: a string; else its index in `plainTags` + 1), so
 * the same texts (keys, mostly) are not tested against every tag's expression again. Emptied when it grows
 * past 20,000 texts.
 */
const tagOfPlainKey = new Map<string, number>();
const tagOfPlainValue = new Map<string, number>();

/** Which core schema tag a plain scalar resolves by: the first whose test matches (0: none, a string). */
function plainTagOf(source: string, atKey: boolean): number {
  const seen = atKey ? tagOfPlainKey : tagOfPlainValue;
  let tag = seen.get(source);
  if (tag === undefined) {
    tag =
      plainTags.findIndex(
        (t) => (t.default === true || (atKey && t.default === 'key')) && t.test!.test(source),
      ) + 1;
    if (seen.size >= 20_000) seen.clear();
    seen.set(source, tag);
  }
  return tag;
}

/** A plain scalar as the `yaml` core schema resolves it, by the tag `plainTagOf` found. */
function resolvePlain(source: string, tagIndex: number, range: Range): Scalar {
  const tag = tagIndex === 0 ? undefined : plainTags[tagIndex - 1];
  if (tag === undefined) return new FastScalarNode(source, Scalar.PLAIN, source, range);
  let failed = false;
  const res = tag.resolve(
    source,
    () => {
      failed = true;
    },
    docOptions,
  );
  if (failed) throw new NotFast();
  let scalar: Scalar;
  if (isScalar(res)) {
    scalar = res;
    scalar.type = Scalar.PLAIN;
    scalar.source = source;
    scalar.range = range;
  } else scalar = new FastScalarNode(res, Scalar.PLAIN, source, range);
  if (tag.format) scalar.format = tag.format;
  return scalar;
}

/**
 * False when no core-schema tag but `str` can match a plain scalar starting with the character `code` (-1:
 * the empty text): the null, bool, int and float tags all match only the empty text or texts starting with
 * one of `~nNtTfF0-9+-.` (see `plainTags`; the fast-yaml tests compare every value with the `yaml` parser's).
 * Most keys and values skip the tag lookup.
 */
function mayNotBeString(code: number): boolean {
  switch (code) {
    case -1:
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
    default:
      return code >= 0x30 && code <= 0x39;
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
