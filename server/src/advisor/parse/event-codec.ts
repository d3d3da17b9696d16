// `js-yaml`'s parse events packed in an Int32Array, seven numbers per event: what the fast path
// (`fast-yaml.ts`) builds its trees from. Packed, a file's events cross threads as one transferred buffer
// (`stateful-ha lint` reads and tokenizes files in a worker on two cores), and the builder reads one
// array of one shape instead of objects of five. Besides the event's own fields, each event has room for
// what the fast path's layout pass finds out before any node is made: the node's range, a plain scalar's
// tag, a document's start marker.
//
// Only the fast path's subset is packed: a file with anchors, tags, aliases, directives or a document end
// marker gets no packed events, and the `yaml` parser reads it, as the builder would have decided anyway.
import {
  EVENT_ALIAS,
  EVENT_DOCUMENT,
  EVENT_MAPPING,
  EVENT_POP,
  EVENT_SCALAR,
  EVENT_SEQUENCE,
  type ChompingMode,
  type Event,
  type ScalarEvent,
  type ScalarStyle,
} from 'js-yaml';

/** Numbers per event. */
export const EVENT_WIDTH = 7;

// Word 0 of an event: its type (3 bits), style (3), chomping (2), `fast` (1), `explicitStart` (1), and the
// layout's plain scalar tag (5).
const TYPE_MASK = 7;
const STYLE_SHIFT = 3;
const CHOMPING_SHIFT = 6;
const FAST_BIT = 1 << 8;
const EXPLICIT_START_BIT = 1 << 9;
const TAG_SHIFT = 10;
const TAG_MASK = 31;
// Words 1–3: a collection's `start` or a scalar's `valueStart`, `valueEnd` and `indent`; a document's start
// marker (set by the layout). Words 4–6: the node's range (set by the layout).
const RANGE = 4;

/**
 * The events packed, their layout words not yet set. Undefined when an event is outside the subset.
 * `into`: an array to pack into when it is long enough (the result is then a view of its start).
 */
export function packEvents(events: readonly Event[], into?: Int32Array): Int32Array | undefined {
  const words = events.length * EVENT_WIDTH;
  const out = into && into.length >= words ? into.subarray(0, words) : new Int32Array(words);
  let o = 0;
  for (const e of events) {
    switch (e.type) {
      case EVENT_DOCUMENT:
        if (e.explicitEnd || e.directives.length > 0) return undefined;
        out[o] = EVENT_DOCUMENT | (e.explicitStart ? EXPLICIT_START_BIT : 0);
        out[o + 1] = -1;
        break;
      case EVENT_SEQUENCE:
      case EVENT_MAPPING:
        if (e.anchorStart >= 0 || e.tagStart >= 0) return undefined;
        out[o] = e.type | (e.style << STYLE_SHIFT);
        out[o + 1] = e.start;
        break;
      case EVENT_SCALAR:
        if (e.anchorStart >= 0 || e.tagStart >= 0) return undefined;
        out[o] =
          EVENT_SCALAR | (e.style << STYLE_SHIFT) | (e.chomping << CHOMPING_SHIFT) | (e.fast ? FAST_BIT : 0);
        out[o + 1] = e.valueStart;
        out[o + 2] = e.valueEnd;
        out[o + 3] = e.indent;
        break;
      case EVENT_POP:
        out[o] = EVENT_POP;
        break;
      case EVENT_ALIAS:
      default:
        return undefined;
    }
    o += EVENT_WIDTH;
  }
  return out;
}

/** Reads packed events by position (`at`: the index of an event's first number). */
export class PackedEvents {
  /** One scalar event, refilled for each `scalarValue` call (`getScalarValue` takes an event object). */
  private readonly scalarEvent: ScalarEvent = {
    type: EVENT_SCALAR,
    valueStart: -1,
    valueEnd: -1,
    anchorStart: -1,
    anchorEnd: -1,
    tagStart: -1,
    tagEnd: -1,
    style: 1,
    chomping: 1,
    indent: 0,
    fast: false,
  };

  constructor(readonly words: Int32Array) {}

  get end(): number {
    return this.words.length;
  }
  type(at: number): number {
    return this.words[at]! & TYPE_MASK;
  }
  /** A collection's or scalar's style (`COLLECTION_STYLE_*`, `SCALAR_STYLE_*`). */
  style(at: number): number {
    return (this.words[at]! >> STYLE_SHIFT) & 7;
  }
  explicitStart(at: number): boolean {
    return (this.words[at]! & EXPLICIT_START_BIT) !== 0;
  }
  /** A collection's start offset. */
  start(at: number): number {
    return this.words[at + 1]!;
  }
  /** A scalar's value offsets (-1: an empty node). */
  valueStart(at: number): number {
    return this.words[at + 1]!;
  }
  valueEnd(at: number): number {
    return this.words[at + 2]!;
  }
  /** The offset of a document's `---` marker (-1: none), as the layout set it. */
  marker(at: number): number {
    return this.words[at + 1]!;
  }
  setMarker(at: number, offset: number): void {
    this.words[at + 1] = offset;
  }
  /** A plain scalar's tag as the layout set it (0: a string; else an index + 1 into the layout's tags). */
  tag(at: number): number {
    return (this.words[at]! >> TAG_SHIFT) & TAG_MASK;
  }
  setTag(at: number, tag: number): void {
    if (tag > TAG_MASK) throw new RangeError(`tag ${tag} does not fit`);
    this.words[at] = (this.words[at]! & ~(TAG_MASK << TAG_SHIFT)) | (tag << TAG_SHIFT);
  }
  /** Word `k` (0–2) of the node's range, as the layout set it. */
  range(at: number, k: number): number {
    return this.words[at + RANGE + k]!;
  }
  setRange(at: number, start: number, end: number, nodeEnd: number): void {
    const w = this.words;
    w[at + RANGE] = start;
    w[at + RANGE + 1] = end;
    w[at + RANGE + 2] = nodeEnd;
  }

  /** The scalar event at `at`, unpacked into one shared object (valid until the next call). */
  scalarAt(at: number): ScalarEvent {
    const w = this.words;
    const e = this.scalarEvent;
    const head = w[at]!;
    e.valueStart = w[at + 1]!;
    e.valueEnd = w[at + 2]!;
    e.indent = w[at + 3]!;
    e.style = ((head >> STYLE_SHIFT) & 7) as ScalarStyle;
    e.chomping = ((head >> CHOMPING_SHIFT) & 3) as ChompingMode;
    e.fast = (head & FAST_BIT) !== 0;
    return e;
  }
}
