// One entry point from text to model: parse the YAML once (all documents, with positions), classify the
// file by content (compose: a top-level `services` map; Kubernetes: documents with apiVersion + kind),
// and hand each document to the parser of its kind.
import { LineCounter, isMap, isNode, parseAllDocuments, visit, type Document, type Node } from 'yaml';
import type { Catalog } from '../catalog/catalog.js';
import type {
  ComposeVolumeObject,
  FileKind,
  ManifestObject,
  ParsedDocument,
  SourceFile,
  StorageClassObject,
  StorageProfile,
  SyntaxProblem,
  Workload,
} from '../model/model.js';
import type { SourceRange } from '../model/source.js';
import type { FileModel } from '../model/workspace.js';
import { Locator, contentEnd, get, isEmptyNode, str } from '../yaml/nodes.js';
import { parseComposeFile } from './compose.js';
import { parseFast, tokenizeFast } from './fast-yaml.js';
import { objectCount, parseKubernetesDocument } from './kubernetes.js';
import { resolveCommentSuppressions } from './suppression-comments.js';

/** Files above this size are not analysed (the editor must never freeze on a generated dump). */
export const MAX_FILE_BYTES = 8 * 1024 * 1024;
/** Documents beyond this count in one file are not analysed. */
export const MAX_DOCUMENTS = 20_000;
/**
 * Nor compose files with more services and top-level volumes than this (a Kubernetes object is a document,
 * capped above): 100,000 services took 15 s and 1.2 GB to lint, for ~400,000 findings no editor can show.
 */
export const MAX_COMPOSE_ENTRIES = 20_000;
/**
 * Nesting deeper than this is not handed to the YAML parser: it recurses per level, and a stack overflow
 * while V8 compiles a regular expression is a fatal out-of-memory error that kills the process (found by
 * fuzzing the language server with 10,000 nested `[`). Real manifests nest ~20 levels.
 */
export const MAX_NESTING = 1000;
/** YAML problems listed per file (the rest are counted in one last problem). */
export const MAX_SYNTAX_PROBLEMS = 100;

export interface ParseContext {
  source: SourceFile;
  locator: Locator;
  catalog: Catalog;
}

export interface ParseOptions {
  /** File name hint for compose swarm-stack detection (`*stack*`). Defaults to the path. */
  fileName?: string;
  /**
   * Per-document cache of the previous parse of this file (the language server keeps one per open
   * document): documents whose text is unchanged are not parsed again, and their model parts are reused.
   */
  cache?: DocumentCache;
  /**
   * Read-only parse: try the fast path (`parseFast`) before the `yaml` parser. Its trees carry what the
   * advisor reads but not the trailing-comment extents quick fixes edit with: for files whose trees are
   * released after parsing (the CLI without fixes, a workspace's closed files).
   */
  fast?: boolean;
  /** The text's tokens (`tokenize`), when another thread read them already; only with `fast`. */
  tokens?: Tokens;
  /** Counters to add to: `documentParses` counts YAML documents handed to the parser. */
  stats?: { documentParses: number };
}

type Part = { workloads: Workload[]; objects: ManifestObject[] };

/** One chunk of a file (a `---` line to the next one) as parsed last time. */
interface CachedChunk {
  /** The offset the documents' node ranges currently point at. */
  offset: number;
  docs: Document.Parsed[];
  /** Kubernetes model parts per document, valid for that first line, first document index and catalog. */
  parts?: { line: number; index: number; catalog: Catalog; results: (Part | undefined)[] };
}

/**
 * The documents of one file's last parse, by chunk text. A chunk whose text reappears (anywhere in the
 * next version of the file) reuses its parsed documents, their node ranges shifted to the new offset.
 * Entries not used by a parse are dropped by it.
 */
export class DocumentCache {
  chunks = new Map<string, CachedChunk[]>();
  clear(): void {
    this.chunks.clear();
  }
}

function looksBinary(text: string): boolean {
  const sample = text.length > 8192 ? text.slice(0, 8192) : text;
  // NUL bytes or a high share of replacement/control characters: not a text file. Native scans: a text
  // file has none of them, and a loop over its characters was ~2% of a lint run.
  if (sample.includes('\0')) return true;
  const odd = sample.match(ODD_CHARACTERS)?.length ?? 0;
  return sample.length > 0 && odd / sample.length > 0.1;
}
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const ODD_CHARACTERS = /[\x01-\x08\x0b\x0c\x0e-\x1f\ufffd]/g;

/** `---` lines at column 0 (document start markers), counted up to `limit` with native scans. */
function documentMarkers(text: string, limit: number): number {
  const at = (i: number) => text.charCodeAt(i);
  // `---` alone, or followed by a space, tab or line break (not `----` or `---x`).
  const marker = (i: number) =>
    Number.isNaN(at(i)) || at(i) === 32 || at(i) === 9 || at(i) === 10 || at(i) === 13;
  let n = text.startsWith('---') && marker(3) ? 1 : 0;
  for (let i = text.indexOf('\n---'); i >= 0 && n < limit; i = text.indexOf('\n---', i + 4)) {
    if (marker(i + 4)) n++;
  }
  return n;
}

/**
 * Whether the text may nest deeper than `limit`: open flow brackets (outside quotes and comments), or a
 * line starting with more than `limit` columns of indentation and block indicators (`- - - …`, `? ? …`).
 * An over-estimate is fine: it only has to be cheap and never miss.
 */
function nestingExceeds(text: string, limit: number, lineStarts: readonly number[]): boolean {
  // Fast path (native scans): fewer brackets than the limit and no line indented that deep cannot nest deeper.
  let brackets = 0;
  for (let i = text.indexOf('['); i >= 0 && brackets <= limit; i = text.indexOf('[', i + 1)) brackets++;
  for (let i = text.indexOf('{'); i >= 0 && brackets <= limit; i = text.indexOf('{', i + 1)) brackets++;
  // Both patterns below need a line longer than the limit (an edit's pass scanned every line of a 5,000-line
  // manifest with them: 0.6 ms).
  let longest = text.length - (lineStarts[lineStarts.length - 1] ?? 0);
  for (let i = 1; i < lineStarts.length && longest <= limit; i++)
    longest = Math.max(longest, lineStarts[i]! - lineStarts[i - 1]!);
  if (brackets <= limit && longest <= limit) return false;
  // Compact nested sequences (`- - - …`) nest one level per indicator, also after a key on the same line
  // (`kind: - - - …`, found by fuzzing: 3,000,000 levels took the parser 55 s and 3.2 GB, then aborted).
  if (new RegExp(`(?:[?-][ \\t]+){${limit + 1}}`).test(text)) return true;
  if (brackets <= limit && !new RegExp(`^[ \\t?-]{${limit + 1}}`, 'm').test(text)) return false;
  let depth = 0;
  let quote = '';
  let lineStart = true;
  let lead = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') {
      lineStart = true;
      lead = 0;
      continue;
    }
    if (lineStart) {
      if (c === ' ' || c === '\t' || c === '-' || c === '?') {
        if (++lead > limit) return true;
        continue;
      }
      lineStart = false;
    }
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = '';
      continue;
    }
    if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) {
      const nl = text.indexOf('\n', i);
      if (nl < 0) break;
      i = nl - 1;
      continue;
    }
    if ((c === '"' || c === "'") && depth > 0 && /[[{,:\s]/.test(text[i - 1] ?? ' ')) quote = c;
    else if (c === '[' || c === '{') {
      if (++depth > limit) return true;
    } else if ((c === ']' || c === '}') && depth > 0) depth--;
  }
  return false;
}

function emptyModel(source: SourceFile): FileModel {
  return { source, path: source.path, workloads: [], objects: [], commentSuppressions: [] };
}

/** What `tokenize` reads of a text ahead of `parseFile` (in a CLI worker), as typed arrays. */
export interface Tokens {
  /** Where each line starts (what `countLines` gives). */
  lineStarts: Int32Array;
  /** The packed, laid-out parse events of the fast path (`tokenizeFast`). */
  events: Int32Array;
}

/**
 * The text's tokens for `parseFile`'s `tokens` option. Undefined when `parseFile` would not parse the text
 * (the same guards: it then says why) or would not take the fast path.
 */
export function tokenize(text: string): Tokens | undefined {
  const lineCounter = new LineCounter();
  if (skipReason(text, lineCounter) !== undefined) return undefined;
  const events = tokenizeFast(text);
  return events ? { lineStarts: Int32Array.from(lineCounter.lineStarts), events } : undefined;
}

/** Why a text is not parsed at all (too large, binary, too many documents, nested too deep); counts its lines. */
function skipReason(text: string, lineCounter: LineCounter): string | undefined {
  if (text.length > MAX_FILE_BYTES)
    return `file is ${(text.length / 1024 / 1024).toFixed(1)} MB; files over ${MAX_FILE_BYTES / 1024 / 1024} MB are not analysed`;
  if (looksBinary(text)) return 'binary file: not analysed';
  // Each `---` line starts a document: more of them than the cap means more documents. Counted before
  // parsing: 100,000 documents would take the parser seconds, only to be skipped.
  if (documentMarkers(text, MAX_DOCUMENTS + 1) > MAX_DOCUMENTS)
    return `file has more than ${MAX_DOCUMENTS} YAML documents; only files with up to ${MAX_DOCUMENTS} are analysed`;
  countLines(text, lineCounter);
  if (nestingExceeds(text, MAX_NESTING, lineCounter.lineStarts))
    return `YAML nested more than ${MAX_NESTING} levels deep: not analysed`;
  return undefined;
}

/** Parses a file's text into the advisor model. Never throws on bad input: problems become syntax errors. */
export function parseFile(
  path: string,
  text: string,
  catalog: Catalog,
  options: ParseOptions = {},
): FileModel {
  // Every object of the file keeps the path, and every id starts with it: one flat string (see `flat`;
  // `path.join` builds a tree of parts).
  flat(path);
  const lineCounter = new LineCounter();
  const source = new FileSource(path, text, lineCounter);
  const locator = new Locator(path, lineCounter, text);
  if (options.fast && options.tokens) {
    // Tokenized by `tokenize`, which passed the text through the same guards. The line starts stay a typed
    // array: the line counter's `linePos` and the rules only index them.
    lineCounter.lineStarts = options.tokens.lineStarts as unknown as number[];
  } else {
    const reason = skipReason(text, lineCounter);
    if (reason !== undefined) {
      source.skippedReason = reason;
      return emptyModel(source);
    }
  }

  let docs: Document.Parsed[];
  let chunkOf: ChunkUse[] | undefined;
  try {
    const chunked = options.cache ? parseChunked(text, lineCounter, options.cache, options.stats) : undefined;
    if (chunked) {
      docs = chunked.docs;
      chunkOf = chunked.uses;
    } else {
      docs = (options.fast ? parseFast(text, options.tokens?.events) : undefined) ?? parseAll(text);
      if (options.stats) options.stats.documentParses += docs.length;
    }
  } catch (e) {
    source.syntaxErrors.push({
      message: `YAML could not be parsed: ${(e as Error).message}`,
      range: locator.at(0, 0),
      severity: 'error',
    });
    return emptyModel(source);
  }
  if (docs.length > MAX_DOCUMENTS) {
    source.skippedReason = `file has ${docs.length} YAML documents; only files with up to ${MAX_DOCUMENTS} are analysed`;
    return emptyModel(source);
  }

  const documents: ParsedDocument[] = docs.map((doc, index) => ({
    index,
    doc,
    range: documentRange(locator, doc, text, options.cache !== undefined),
  }));
  source.documents = documents;
  for (const doc of docs) {
    for (const err of doc.errors) source.syntaxErrors.push(problem(locator, err, 'error'));
    for (const warn of doc.warnings) source.syntaxErrors.push(problem(locator, warn, 'warning'));
    // The parser's error objects carry stack traces (~1.3 KB each): a document keeps a few (enough to know
    // it has errors), not 60,000 of them.
    doc.errors.length = Math.min(doc.errors.length, MAX_SYNTAX_PROBLEMS);
    doc.warnings.length = Math.min(doc.warnings.length, MAX_SYNTAX_PROBLEMS);
  }
  capSyntaxProblems(source);
  source.kind = classify(documents);
  const model = emptyModel(source);
  const ctx: ParseContext = { source, locator, catalog };
  if (source.kind === 'compose') {
    const composeDoc = documents.find(
      (d) => isMap(d.doc.contents) && get(d.doc, d.doc.contents, 'services') !== undefined,
    );
    const entries = composeDoc ? composeEntries(composeDoc.doc) : 0;
    if (entries > MAX_COMPOSE_ENTRIES) {
      source.skippedReason = `file has ${entries} compose services and volumes; only files with up to ${MAX_COMPOSE_ENTRIES} are analysed`;
      source.documents = [];
      return model;
    }
    if (composeDoc && composeDoc.doc.errors.length === 0) {
      const part = parseComposeFile(ctx, composeDoc, { fileName: options.fileName ?? path });
      model.workloads.push(...part.workloads);
      model.objects.push(...part.objects);
    }
  } else if (source.kind === 'kubernetes') {
    // A document with YAML errors is reported as such and not interpreted (its values may be cut short).
    const manifests = documents.filter(
      (d) => d.doc.errors.length === 0 && documentKind(d.doc) === 'kubernetes',
    );
    // The items of `kind: List` documents count as the objects they are, against the documents' cap.
    let objects = 0;
    for (const d of manifests) objects += objectsIn(d.doc);
    if (objects > MAX_DOCUMENTS) {
      source.skippedReason = `file has ${objects} Kubernetes objects (List items included); only files with up to ${MAX_DOCUMENTS} are analysed`;
      source.documents = [];
      return model;
    }
    for (const d of manifests) {
      const use = chunkOf?.[d.index];
      const part = use
        ? cachedPart(use, d, catalog, () => parseKubernetesDocument(ctx, d))
        : parseKubernetesDocument(ctx, d);
      model.workloads.push(...part.workloads);
      model.objects.push(...part.objects);
    }
  }
  model.commentSuppressions = resolveCommentSuppressions(source, [...model.workloads, ...model.objects]);
  return model;
}

/** The services and top-level volumes of a compose document. */
function composeEntries(doc: Document.Parsed): number {
  let n = 0;
  for (const key of ['services', 'volumes']) {
    const node = isMap(doc.contents) ? get(doc, doc.contents, key) : undefined;
    if (isMap(node)) n += node.items.length;
  }
  return n;
}

/**
 * A document's range: from its `---` (or its content, when it has no marker) to the end of its content;
 * comments before the next document are not part of it. `remember`: the document is cached for the next
 * parse, so its span is kept for that parse to reuse.
 */
function documentRange(locator: Locator, doc: Document.Parsed, text: string, remember: boolean): SourceRange {
  const r = doc.range ?? [0, 0, 0];
  const contents = doc.contents as Node | null;
  if (!contents?.range || isEmptyNode(contents)) {
    return locator.at(r[0], doc.directives?.docStart ? Math.min(r[0] + 3, text.length) : r[0]);
  }
  let span = remember ? documentSpans.get(doc) : undefined;
  if (!span) {
    const start = doc.directives?.docStart ? r[0] : contents.range[0];
    span = [start - r[0], Math.max(start, contentEnd(contents)) - r[0]];
    if (remember) documentSpans.set(doc, span);
  }
  return locator.at(r[0] + span[0], r[0] + span[1]);
}

/** A document's span relative to its own start: edits above it move the document, not the span. */
const documentSpans = new WeakMap<Document.Parsed, [number, number]>();

/**
 * Drops the YAML trees a model holds (documents and every object's node): a parsed `Document` weighs ~25×
 * its text, and a workspace's closed files need only their model. Rules check models; quick fixes, which
 * edit the trees, are then unavailable until the file is parsed again.
 */
export function releaseTrees(model: FileModel): void {
  if (!model.source || model.source.treesReleased) return;
  model.source.documents = NO_ITEMS;
  model.source.treesReleased = true;
  for (const o of model.workloads) o.node = undefined;
  for (const o of model.objects) o.node = undefined;
  compactReleased(model);
}

// A released model is read-only (the index copies what it resolves; a fix gives the file its trees back
// by setting nodes only). Its empty lists and maps, and its "nothing here" placement, spread and intent,
// become these shared, frozen values: 190,000 objects (8 MB) for the 5,000-file benchmark workspace. Its
// other lists are copied to their length (a list grown by `push` keeps spare room: 3 MB there).
const NO_ITEMS: never[] = Object.freeze([]) as unknown as never[];
const NO_ENTRIES: Record<string, never> = Object.freeze({});
const NOT_PINNED: Workload['placement'] = Object.freeze({ pinned: false });
const NO_SPREAD: Workload['spread'] = Object.freeze({ ok: false });
const NO_INTENT: Workload['intent'] = Object.freeze({ ignores: NO_ITEMS });

/** The shared empty value when `value` is empty; else `value`, a list copied to its length. */
function compacted<T extends object>(value: T): T {
  if (Array.isArray(value)) return (value.length === 0 ? NO_ITEMS : value.slice()) as T;
  for (const _ in value) return value;
  return NO_ENTRIES as T;
}

/** Whether `key` is `o`'s only key. */
function hasOnlyKey(o: object, key: string): boolean {
  const own = Object.keys(o);
  return own.length === 1 && own[0] === key;
}

/**
 * `s`, made flat. V8 keeps a string built by `+` or a template literal (an id, a description) as a tree
 * of its parts, 20–32 bytes a part, until a character of it is read: reading one makes it flat, and the
 * next collection drops the tree. A released model's ids, references and descriptions were 250,000 such
 * parts (8 MB) for the 5,000-file benchmark workspace.
 */
function flat(s: string): string {
  s.charCodeAt(0);
  return s;
}

function flatProfile(p: StorageProfile): void {
  flat(p.description);
  if (p.definedBy !== undefined) flat(p.definedBy);
}

/** Flattens the strings a released model keeps that the parsers built by concatenation (see `flat`). */
function flattenBuiltStrings(model: FileModel): void {
  for (const o of model.objects) {
    flat(o.id);
    flat(o.ref);
    if ('profile' in o) flatProfile((o as StorageClassObject).profile);
    if ('description' in o) flat((o as { description: string }).description);
    if ('templateOf' in o && typeof o.templateOf === 'string') flat(o.templateOf);
  }
  for (const w of model.workloads) {
    flat(w.id);
    flat(w.ref);
    if (w.placement.detail !== undefined) flat(w.placement.detail);
    if (w.spread.detail !== undefined) flat(w.spread.detail);
    if (w.spread.selectorMismatch !== undefined) flat(w.spread.selectorMismatch);
    for (const c of w.containers) for (const m of c.mounts) flatProfile(m.storage);
  }
}

function compactReleased(model: FileModel): void {
  flattenBuiltStrings(model);
  model.commentSuppressions = compacted(model.commentSuppressions);
  model.workloads = compacted(model.workloads);
  model.objects = compacted(model.objects);
  if (model.source) model.source.syntaxErrors = compacted(model.source.syntaxErrors);
  for (const o of [...model.workloads, ...model.objects]) {
    o.labels = compacted(o.labels);
    o.annotations = compacted(o.annotations);
    if ('selector' in o && o.selector) o.selector.matchExpressions = compacted(o.selector.matchExpressions);
  }
  for (const w of model.workloads) {
    w.podLabels = compacted(w.podLabels);
    w.dependsOn = compacted(w.dependsOn);
    w.intent.ignores = compacted(w.intent.ignores);
    if (w.intent.ignores === NO_ITEMS && hasOnlyKey(w.intent, 'ignores')) w.intent = NO_INTENT;
    if (w.placement.pinned === false && hasOnlyKey(w.placement, 'pinned')) w.placement = NOT_PINNED;
    if (w.spread.ok === false && hasOnlyKey(w.spread, 'ok')) w.spread = NO_SPREAD;
    w.containers = compacted(w.containers);
    for (const c of w.containers) {
      c.args = compacted(c.args);
      c.hostPorts = compacted(c.hostPorts);
      c.mounts = compacted(c.mounts);
      c.env = compacted(c.env);
    }
  }
  for (const o of model.objects) {
    if (o.kind === 'volume') {
      const v = o as ComposeVolumeObject;
      v.driverOpts = compacted(v.driverOpts);
      v.driverOptRanges = compacted(v.driverOptRanges);
    } else if (o.kind === 'StorageClass') {
      const sc = o as StorageClassObject;
      sc.parameters = compacted(sc.parameters);
      sc.parameterRanges = compacted(sc.parameterRanges);
    }
  }
}

/**
 * Keeps released files' texts in another form: the language server deflates closed files' texts (18.5 MB
 * of text is 4.9 MB for 5,000 files). One packer serves every file.
 */
export interface TextPacker {
  pack(text: string): Uint8Array;
  unpack(packed: Uint8Array): string;
}

/**
 * A file's text, kind, documents and syntax errors. A released file's text can be packed (`packText`):
 * `text` and `lineCounter` then unpack it when read, and the line starts are counted again. The accessors
 * are the class's: accessors of each source's own (`Object.defineProperty`) made each of 5,000 packed
 * sources a dictionary with three closures (5 MB).
 */
export class FileSource implements SourceFile {
  kind: FileKind = 'other';
  documents: ParsedDocument[] = [];
  syntaxErrors: SyntaxProblem[] = [];
  skippedReason: string | undefined = undefined;
  treesReleased: boolean | undefined = undefined;
  private plainText: string | undefined;
  private plainLines: LineCounter | undefined;
  /** The packed text and its packer, while packed. */
  private packed: Uint8Array | undefined = undefined;
  private packer: TextPacker | undefined = undefined;

  constructor(
    readonly path: string,
    text: string,
    lineCounter: LineCounter,
  ) {
    this.plainText = text;
    this.plainLines = lineCounter;
  }

  /** A source with these fields (a model posted from another thread). */
  static of(fields: Omit<SourceFile, 'lineCounter'>, lineCounter: LineCounter): FileSource {
    const source = new FileSource(fields.path, fields.text, lineCounter);
    source.kind = fields.kind;
    source.documents = fields.documents;
    source.syntaxErrors = fields.syntaxErrors;
    source.skippedReason = fields.skippedReason;
    source.treesReleased = fields.treesReleased;
    return source;
  }

  get text(): string {
    return this.plainText ?? this.unpacked().text;
  }

  set text(text: string) {
    this.unpack();
    this.plainText = text;
  }

  get lineCounter(): LineCounter {
    if (this.plainLines) return this.plainLines;
    const u = this.unpacked();
    if (!u.lineCounter) countLines(u.text, (u.lineCounter = new LineCounter()));
    return u.lineCounter;
  }

  set lineCounter(lineCounter: LineCounter) {
    this.unpack();
    this.plainLines = lineCounter;
  }

  get isPacked(): boolean {
    return this.packed !== undefined;
  }

  /** Replaces the text with a packed copy and drops the line starts (8 MB for 5,000 files). */
  pack(packer: TextPacker): void {
    if (this.packed || this.plainText === undefined) return;
    this.packed = packer.pack(this.plainText);
    this.packer = packer;
    this.plainText = undefined;
    this.plainLines = undefined;
  }

  /** Gives a packed source its text and line starts back as plain fields. */
  unpack(): void {
    if (!this.packed) return;
    const u = this.unpacked();
    this.plainText = u.text;
    this.plainLines = this.lineCounter;
    this.packed = this.packer = undefined;
    if (lastUnpacked === u) lastUnpacked = undefined;
  }

  private unpacked(): Unpacked {
    if (lastUnpacked?.source !== this)
      lastUnpacked = { source: this, text: this.packer!.unpack(this.packed!) };
    return lastUnpacked;
  }
}

interface Unpacked {
  source: FileSource;
  text: string;
  lineCounter?: LineCounter;
}

/**
 * The text and line starts last unpacked, for callers that read them again and again (a rule, finding
 * after finding, or a fix after the setFile that compared the text).
 */
let lastUnpacked: Unpacked | undefined;

/**
 * Packs a released file's text (see `FileSource`). Only a released file is packed: its model's strings
 * are its own copies (see `fast-yaml.ts`), so nothing else keeps the text alive. Texts with surrogates are
 * left as they are: the packer works on UTF-8 bytes, where a lone surrogate does not survive (and astral
 * characters are rare in manifests).
 */
export function packText(source: SourceFile, packer: TextPacker): void {
  if (!source.treesReleased || !(source instanceof FileSource) || source.isPacked) return;
  if (/[\ud800-\udfff]/.test(source.text)) return;
  source.pack(packer);
}

/** Whether the source's text is packed. */
export function isPacked(source: SourceFile): boolean {
  return source instanceof FileSource && source.isPacked;
}

/** Gives a packed file its text and line starts back as plain fields (it is parsed again with its trees). */
export function unpackText(source: SourceFile): void {
  if (source instanceof FileSource) source.unpack();
}

function parseAll(text: string): Document.Parsed[] {
  const docs = parseAllDocuments(text, { uniqueKeys: false, prettyErrors: false }) as Document.Parsed[];
  return Array.isArray(docs) ? docs : [docs as unknown as Document.Parsed];
}

/**
 * Fills the line counter from the text: a line starts at 0 and after every LF (CRLF included). The same
 * for a whole-text and a per-document parse, and exact even where the `yaml` lexer, recovering from an
 * error, skips reporting a line break (found by fuzzing: positions after it were off by lines).
 */
function countLines(text: string, lineCounter: LineCounter): void {
  lineCounter.addNewLine(0);
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineCounter.addNewLine(i + 1);
}

/** Where a document of the file came from: its chunk (cache entry), the chunk's first line and document. */
interface ChunkUse {
  chunk: CachedChunk;
  line: number;
  firstIndex: number;
}

/**
 * Splits the text into chunks at `---` lines (column 0, nothing else on the line). The `yaml` lexer ends a
 * document at such a line in every context (block and quoted scalars included), so parsing the chunks
 * separately gives the documents of a whole-text parse. Undefined when a safe split is uncertain:
 * directives (`%YAML`, `%TAG` apply across documents), a lone CR or U+2028/9 (line breaks to the split's
 * regular expression, not all of them to YAML).
 */
function splitChunks(text: string): { start: number; text: string }[] | undefined {
  if (/^%/m.test(text) || /\r(?!\n)|[\u2028\u2029]/.test(text)) return undefined;
  const starts: number[] = [];
  const re = /^---[ \t]*\r?$/gm;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) starts.push(m.index);
  // Text before the first marker: its own chunk when it holds content (a bare first document); leading
  // comments and blank lines belong to the first marked document, as in a whole-text parse.
  if (
    starts.length === 0 ||
    (starts[0]! > 0 && !/^(?:[ \t]*(?:#[^\n]*)?\r?\n)*$/.test(text.slice(0, starts[0])))
  )
    starts.unshift(0);
  else starts[0] = 0;
  const out: { start: number; text: string }[] = [];
  for (let i = 0; i < starts.length; i++) {
    const start = starts[i]!;
    const end = i + 1 < starts.length ? starts[i + 1]! : text.length;
    out.push({ start, text: text.slice(start, end) });
  }
  return out;
}

/** Moves every offset of parsed documents by `delta` (node ranges, document ranges, error positions). */
function shiftDocuments(docs: Document.Parsed[], delta: number): void {
  const shift = (r: number[] | undefined | null) => {
    if (r) for (let i = 0; i < r.length; i++) r[i]! += delta;
  };
  for (const doc of docs) {
    shift(doc.range);
    for (const e of doc.errors) shift(e.pos);
    for (const w of doc.warnings) shift(w.pos);
    visit(doc, (_key, node) => {
      if (isNode(node)) shift(node.range);
    });
  }
}

/** Parses the text chunk by chunk, reusing the cache's documents for chunks seen in the last parse. */
function parseChunked(
  text: string,
  lineCounter: LineCounter,
  cache: DocumentCache,
  stats: { documentParses: number } | undefined,
): { docs: Document.Parsed[]; uses: ChunkUse[] } | undefined {
  const chunks = splitChunks(text);
  if (!chunks) {
    cache.clear();
    return undefined;
  }
  const next = new Map<string, CachedChunk[]>();
  const docs: Document.Parsed[] = [];
  const uses: ChunkUse[] = [];
  for (const c of chunks) {
    const reusable = cache.chunks.get(c.text);
    let chunk = reusable?.shift();
    if (chunk) {
      if (chunk.offset !== c.start) shiftDocuments(chunk.docs, c.start - chunk.offset);
      chunk.offset = c.start;
    } else {
      const parsed = parseAll(c.text);
      if (stats) stats.documentParses += parsed.length;
      shiftDocuments(parsed, c.start);
      chunk = { offset: c.start, docs: parsed };
    }
    const list = next.get(c.text);
    if (list) list.push(chunk);
    else next.set(c.text, [chunk]);
    const use: ChunkUse = { chunk, line: lineCounter.linePos(c.start).line - 1, firstIndex: docs.length };
    for (const d of chunk.docs) {
      docs.push(d);
      uses.push(use);
    }
  }
  cache.chunks = next;
  // A document with YAML errors may have cut its neighbours short or taken their comments in a whole-text
  // parse (error recovery does not stop at `---`): the per-document result is only trusted without errors.
  if (docs.some((d) => d.errors.length > 0)) return undefined;
  return { docs, uses };
}

/** A document's Kubernetes model part: from the cache when its chunk's line and index are unchanged. */
function cachedPart(use: ChunkUse, d: ParsedDocument, catalog: Catalog, build: () => Part): Part {
  const { chunk } = use;
  if (
    !chunk.parts ||
    chunk.parts.line !== use.line ||
    chunk.parts.index !== use.firstIndex ||
    chunk.parts.catalog !== catalog
  )
    chunk.parts = { line: use.line, index: use.firstIndex, catalog, results: [] };
  const i = d.index - use.firstIndex;
  return (chunk.parts.results[i] ??= build());
}

/**
 * Keeps the first MAX_SYNTAX_PROBLEMS YAML problems of a file and says how many more there are: a broken
 * file can have one per token (60,000 for a 300 KB file found by fuzzing: 12 MB of diagnostics).
 */
function capSyntaxProblems(source: SourceFile): void {
  const all = source.syntaxErrors;
  if (all.length <= MAX_SYNTAX_PROBLEMS) return;
  const errors = all.filter((e) => e.severity === 'error');
  // Errors first: a file with errors is not analysed, warnings matter less.
  const kept = [...errors, ...all.filter((e) => e.severity !== 'error')].slice(0, MAX_SYNTAX_PROBLEMS);
  kept.sort(
    (a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character,
  );
  const last = kept[kept.length - 1]!;
  kept.push({
    message: `${all.length - kept.length} more YAML problems after this one are not listed (${all.length} in all; fix these first)`,
    range: last.range,
    severity: errors.length > 0 ? 'error' : 'warning',
  });
  source.syntaxErrors = kept;
}

function problem(
  locator: Locator,
  err: { message: string; pos: [number, number] },
  severity: SyntaxProblem['severity'],
): SyntaxProblem {
  const [start, end] = err.pos;
  // The library's message repeats the position; keep the first line only.
  const message = err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  return { message, range: locator.at(start, Math.max(end, start)), severity };
}

/**
 * What a document is, remembered per parsed `Document`: an open file's unchanged documents keep theirs
 * across edits (per-chunk cache), and a one-line edit in a 200-document manifest classified all 200 twice.
 */
const documentKinds = new WeakMap<Document, FileKind>();

/** Kubernetes objects per parsed `Document`, remembered like its kind: an edit re-counts its own document only. */
const documentObjects = new WeakMap<Document, number>();

function objectsIn(doc: Document): number {
  let n = documentObjects.get(doc);
  if (n === undefined) documentObjects.set(doc, (n = objectCount(doc, doc.contents ?? undefined)));
  return n;
}

function documentKind(doc: Document): FileKind {
  let kind = documentKinds.get(doc);
  if (kind === undefined) {
    const c = doc.contents;
    if (!isMap(c)) kind = 'other';
    else if (isMap(get(doc, c, 'services')) && get(doc, c, 'kind') === undefined) kind = 'compose';
    else if (str(doc, get(doc, c, 'apiVersion')) !== undefined && str(doc, get(doc, c, 'kind')) !== undefined)
      kind = 'kubernetes';
    else kind = 'other';
    documentKinds.set(doc, kind);
  }
  return kind;
}

function classify(documents: ParsedDocument[]): FileKind {
  let kube = false;
  for (const { doc } of documents) {
    const kind = documentKind(doc);
    if (kind === 'compose') return 'compose';
    if (kind === 'kubernetes') kube = true;
  }
  return kube ? 'kubernetes' : 'other';
}
