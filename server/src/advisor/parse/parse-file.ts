// One entry point from text to model: parse the YAML once (all documents, with positions), classify the
// file by content (compose: a top-level `services` map; Kubernetes: documents with apiVersion + kind),
// and hand each document to the parser of its kind.
import { LineCounter, isMap, parseAllDocuments, type Document } from 'yaml';
import type { Catalog } from '../catalog/catalog.js';
import type { FileKind, ParsedDocument, SourceFile, SyntaxProblem } from '../model/model.js';
import type { FileModel } from '../model/workspace.js';
import { Locator, get, str } from '../yaml/nodes.js';
import { parseComposeFile } from './compose.js';
import { parseKubernetesDocument } from './kubernetes.js';
import { resolveCommentSuppressions } from './suppression-comments.js';

/** Files above this size are not analysed (the editor must never freeze on a generated dump). */
export const MAX_FILE_BYTES = 8 * 1024 * 1024;
/** Documents beyond this count in one file are not analysed. */
export const MAX_DOCUMENTS = 20_000;
/**
 * Nesting deeper than this is not handed to the YAML parser: it recurses per level, and a stack overflow
 * while V8 compiles a regular expression is a fatal out-of-memory error that kills the process (found by
 * fuzzing the language server with 10,000 nested `[`). Real manifests nest ~20 levels.
 */
export const MAX_NESTING = 1000;

export interface ParseContext {
  source: SourceFile;
  locator: Locator;
  catalog: Catalog;
}

export interface ParseOptions {
  /** File name hint for compose swarm-stack detection (`*stack*`). Defaults to the path. */
  fileName?: string;
}

function looksBinary(text: string): boolean {
  const sample = text.slice(0, 8192);
  // NUL bytes or a high share of replacement/control characters: not a text file.
  let odd = 0;
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    if (c === 0) return true;
    if (c === 0xfffd || (c < 32 && c !== 9 && c !== 10 && c !== 13)) odd++;
  }
  return sample.length > 0 && odd / sample.length > 0.1;
}

/**
 * Whether the text may nest deeper than `limit`: open flow brackets (outside quotes and comments), or a
 * line starting with more than `limit` columns of indentation and block indicators (`- - - …`, `? ? …`).
 * An over-estimate is fine: it only has to be cheap and never miss.
 */
function nestingExceeds(text: string, limit: number): boolean {
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

/** Parses a file's text into the advisor model. Never throws on bad input: problems become syntax errors. */
export function parseFile(path: string, text: string, catalog: Catalog, options: ParseOptions = {}): FileModel {
  const lineCounter = new LineCounter();
  const source: SourceFile = { path, text, kind: 'other', lineCounter, documents: [], syntaxErrors: [] };
  const locator = new Locator(path, lineCounter, text);
  if (text.length > MAX_FILE_BYTES) {
    source.skippedReason = `file is ${(text.length / 1024 / 1024).toFixed(1)} MB; files over ${MAX_FILE_BYTES / 1024 / 1024} MB are not analysed`;
    return emptyModel(source);
  }
  if (looksBinary(text)) {
    source.skippedReason = 'binary file: not analysed';
    return emptyModel(source);
  }
  if (nestingExceeds(text, MAX_NESTING)) {
    source.skippedReason = `YAML nested more than ${MAX_NESTING} levels deep: not analysed`;
    return emptyModel(source);
  }

  let docs: Document.Parsed[];
  try {
    docs = parseAllDocuments(text, { lineCounter, uniqueKeys: false, prettyErrors: false }) as Document.Parsed[];
    if (!Array.isArray(docs)) docs = [docs as unknown as Document.Parsed];
  } catch (e) {
    source.syntaxErrors.push({ message: `YAML could not be parsed: ${(e as Error).message}`, range: locator.at(0, 0), severity: 'error' });
    return emptyModel(source);
  }
  if (docs.length > MAX_DOCUMENTS) {
    source.skippedReason = `file has ${docs.length} YAML documents; only files with up to ${MAX_DOCUMENTS} are analysed`;
    return emptyModel(source);
  }

  const documents: ParsedDocument[] = docs.map((doc, index) => ({
    index,
    doc,
    range: locator.at(doc.range?.[0] ?? 0, doc.range?.[2] ?? doc.range?.[1] ?? 0),
  }));
  source.documents = documents;
  for (const doc of docs) {
    for (const err of doc.errors) source.syntaxErrors.push(problem(locator, err, 'error'));
    for (const warn of doc.warnings) source.syntaxErrors.push(problem(locator, warn, 'warning'));
  }
  source.kind = classify(documents);
  const model = emptyModel(source);
  const ctx: ParseContext = { source, locator, catalog };
  if (source.kind === 'compose') {
    const composeDoc = documents.find((d) => isMap(d.doc.contents) && get(d.doc, d.doc.contents, 'services') !== undefined);
    if (composeDoc && composeDoc.doc.errors.length === 0) {
      const part = parseComposeFile(ctx, composeDoc, { fileName: options.fileName ?? path });
      model.workloads.push(...part.workloads);
      model.objects.push(...part.objects);
    }
  } else if (source.kind === 'kubernetes') {
    for (const d of documents) {
      // A document with YAML errors is reported as such and not interpreted (its values may be cut short).
      if (d.doc.errors.length > 0 || !isKubernetesObject(d.doc)) continue;
      const part = parseKubernetesDocument(ctx, d);
      model.workloads.push(...part.workloads);
      model.objects.push(...part.objects);
    }
  }
  model.commentSuppressions = resolveCommentSuppressions(source, [...model.workloads, ...model.objects]);
  return model;
}

function problem(locator: Locator, err: { message: string; pos: [number, number] }, severity: SyntaxProblem['severity']): SyntaxProblem {
  const [start, end] = err.pos;
  // The library's message repeats the position; keep the first line only.
  const message = err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  return { message, range: locator.at(start, Math.max(end, start)), severity };
}

function isKubernetesObject(doc: Document): boolean {
  const c = doc.contents;
  return isMap(c) && str(doc, get(doc, c, 'apiVersion')) !== undefined && str(doc, get(doc, c, 'kind')) !== undefined;
}

function classify(documents: ParsedDocument[]): FileKind {
  let kube = false;
  for (const { doc } of documents) {
    const c = doc.contents;
    if (!isMap(c)) continue;
    if (isMap(get(doc, c, 'services')) && get(doc, c, 'kind') === undefined) return 'compose';
    if (isKubernetesObject(doc)) kube = true;
  }
  return kube ? 'kubernetes' : 'other';
}
