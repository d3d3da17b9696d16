// Quick fixes of the last analysis, reused while everything they were built from is unchanged. The language
// server rebuilds the fixes of an open file's findings on every edit (they travel in `Diagnostic.data`);
// a one-line edit in a 200-document manifest left 210 of its 211 fixes as they were, and rebuilding them was
// a third of the pass.
//
// A fix is built from its finding (rule, object, message, ranges) and from the YAML documents it sits in,
// relates to and edits, plus the file's indentation style. An open file's unchanged documents keep their
// parsed `Document` (per-chunk cache), so "unchanged" is: the same finding, and for each of those places
// the same `Document` object, at the same offset and line, with the same indentation style.
import type { Document } from 'yaml';
import type { SourceFile } from '../model/model.js';
import type { Fix, SourceRange } from '../model/source.js';
import type { Report } from '../rules/rule.js';
import { indentStyle, type IndentStyle } from './yaml-edit.js';

/** One place a fix depends on. */
interface Place {
  file: string;
  doc: Document;
  offset: number;
  line: number;
  style: IndentStyle;
}

interface Entry {
  /** The finding the fixes were built for (rule and object are in the key). */
  report: Pick<Report, 'message' | 'range' | 'related'>;
  fixes: Fix[];
  places: Place[];
}

export class FixCache {
  /** Entries by the file of their finding, then by `findingKey` (several findings may share one). */
  private entries = new Map<string, Map<string, Entry[]>>();
  /** Entries used or built by the running analysis. */
  private next = new Map<string, Map<string, Entry[]>>();

  /** `onBuild`: called for each finding whose fixes are built (not taken from the cache). */
  constructor(private readonly onBuild?: () => void) {}

  /** The fixes of `report` (rule `rule`), from the cache when still valid, else built by `build`. */
  fixes(
    rule: string,
    report: Report,
    sourceOf: (file: string) => SourceFile | undefined,
    build: () => Fix[],
  ): Fix[] {
    const file = report.range.file;
    const key = findingKey(rule, report);
    const cached = this.entries
      .get(file)
      ?.get(key)
      ?.find((e) => sameFinding(e.report, report));
    if (cached && cached.places.every((p) => samePlace(p, sourceOf))) {
      this.keep(file, key, cached);
      return cached.fixes;
    }
    const fixes = build();
    this.onBuild?.();
    const ranges = [report.range, ...(report.related ?? []).map((r) => r.range)];
    for (const f of fixes) for (const e of f.edits) ranges.push(e.range);
    const places: Place[] = [];
    for (const range of ranges) {
      const place = placeOf(range, sourceOf);
      // A fix that depends on text outside any parsed document (or a file without trees) is not kept.
      if (!place) return fixes;
      places.push(place);
    }
    // Not the report itself: its `fixes` closure holds the whole index of this analysis.
    const { message, range, related } = report;
    this.keep(file, key, { report: { message, range, related }, fixes, places });
    return fixes;
  }

  /**
   * Ends an analysis whose findings were limited to `files` (all files: undefined): the entries of those
   * files not used by it are dropped; other files keep theirs.
   */
  finish(files: ReadonlySet<string> | undefined): void {
    if (!files) this.entries = this.next;
    else {
      for (const file of files) this.entries.delete(file);
      for (const [file, entries] of this.next) this.entries.set(file, entries);
    }
    this.next = new Map();
  }

  clear(): void {
    this.entries.clear();
    this.next.clear();
  }

  private keep(file: string, key: string, entry: Entry): void {
    let entries = this.next.get(file);
    if (!entries) this.next.set(file, (entries = new Map()));
    const list = entries.get(key);
    if (list) list.push(entry);
    else entries.set(key, [entry]);
  }
}

/**
 * A short key (rule, object, where the finding starts); `sameFinding` compares the rest. Keying by the
 * whole finding (messages run to 400 characters) cost more than the lookups it saved.
 */
function findingKey(rule: string, r: Report): string {
  return `${rule}\u0000${r.objectId}\u0000${r.range.start.line}:${r.range.start.character}`;
}

function sameFinding(a: Entry['report'], b: Report): boolean {
  if (a.message !== b.message || !sameRange(a.range, b.range)) return false;
  const ra = a.related ?? [];
  const rb = b.related ?? [];
  return (
    ra.length === rb.length &&
    ra.every((x, i) => x.message === rb[i]!.message && sameRange(x.range, rb[i]!.range))
  );
}

function sameRange(a: SourceRange, b: SourceRange): boolean {
  return (
    a.file === b.file &&
    a.start.line === b.start.line &&
    a.start.character === b.start.character &&
    a.end.line === b.end.line &&
    a.end.character === b.end.character
  );
}

/** The parsed document holding `range`'s start (past the last one: the last one), with where it is. */
function placeOf(range: SourceRange, sourceOf: (file: string) => SourceFile | undefined): Place | undefined {
  const source = sourceOf(range.file);
  if (!source || source.treesReleased || source.documents.length === 0) return undefined;
  const lineStart = source.lineCounter.lineStarts[range.start.line];
  if (lineStart === undefined) return undefined;
  const doc = documentAt(source, lineStart + range.start.character);
  if (!doc?.range) return undefined;
  return {
    file: range.file,
    doc,
    offset: doc.range[0],
    line: source.lineCounter.linePos(doc.range[0]).line,
    style: indentStyle(source),
  };
}

function samePlace(p: Place, sourceOf: (file: string) => SourceFile | undefined): boolean {
  const source = sourceOf(p.file);
  if (!source || source.treesReleased || p.doc.range?.[0] !== p.offset) return false;
  if (documentAt(source, p.offset) !== p.doc) return false;
  if (source.lineCounter.linePos(p.offset).line !== p.line) return false;
  const style = indentStyle(source);
  return style.step === p.style.step && style.indentSeq === p.style.indentSeq;
}

/** The last document starting at or before `offset` (documents are in text order). */
function documentAt(source: SourceFile, offset: number): Document | undefined {
  const docs = source.documents;
  let lo = 0;
  let hi = docs.length - 1;
  let found: Document | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const d = docs[mid]!.doc;
    if ((d.range?.[0] ?? 0) <= offset) {
      found = d;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}
