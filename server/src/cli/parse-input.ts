// Reading and parsing one input file of `stateful-ha lint`: the same code in the main thread and in the
// parse workers (parse-worker.ts), so both give the same problems and the same models. Also the wire form
// of a parsed model: a released model (no YAML trees) is plain data except its `yaml` LineCounter.
import { readFileSync, statSync } from 'node:fs';
import { LineCounter } from 'yaml';
import type { Catalog } from '../advisor/catalog/catalog.js';
import type { SourceFile } from '../advisor/model/model.js';
import type { FileModel } from '../advisor/model/workspace.js';
import { FileSource, parseFile, releaseTrees, tokenize, type Tokens } from '../advisor/parse/parse-file.js';
import { describeFsError } from './discover.js';

/** A file's text (BOM removed), or why it is not linted (a whole-file input problem). */
export type ReadResult = { text: string } | { problem: string };

/** A file's model with its YAML trees released, or why it is not linted. */
export type ParsedInput = { model: FileModel } | { problem: string };

/**
 * Reads a file to lint: regular files only (a FIFO or device would block or never end), up to maxBytes.
 * Synchronous: the lint has nothing else to do meanwhile, and each asynchronous call is a round trip to the
 * libuv thread pool (five per file), whose threads compete for the cores with the parse workers.
 */
export function readInput(path: string, maxBytes: number): ReadResult {
  let text: string;
  try {
    const st = statSync(path);
    if (!st.isFile()) return { problem: 'not a regular file: not linted' };
    if (st.size > maxBytes) {
      return {
        problem: `file is ${(st.size / 1024 / 1024).toFixed(1)} MB, over the ${(maxBytes / 1024 / 1024).toFixed(0)} MB limit: not linted`,
      };
    }
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return { problem: `cannot read: ${describeFsError(e)}` };
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { text };
}

/**
 * Reads and parses a file as `Advisor.setFile` does for a file whose trees are not kept (`keepTrees` false,
 * not incremental): the model is keyed by `display`, the path users see.
 */
export function parseInput(
  file: { path: string; display: string },
  catalog: Catalog,
  maxBytes: number,
): ParsedInput {
  const read = readInput(file.path, maxBytes);
  if ('problem' in read) return read;
  const model = parseFile(file.display, read.text, catalog, { fast: true });
  releaseTrees(model);
  return { model };
}

/**
 * A file read and tokenized ahead, in a parse worker: its text and tokens (none when the fast path cannot
 * read it: the main thread's `parseFile` then decides, and reports its problems).
 */
export type ReadAhead = { text: string; tokens?: Tokens } | { problem: string };

export function readAhead(file: { path: string }, maxBytes: number): ReadAhead {
  const read = readInput(file.path, maxBytes);
  if ('problem' in read) return read;
  const tokens = tokenize(read.text);
  return tokens ? { text: read.text, tokens } : read;
}

/** A released model as posted between threads: the LineCounter (it holds closures) as its line starts. */
export interface WireModel {
  model: Omit<FileModel, 'source'> & { source?: Omit<SourceFile, 'lineCounter'> };
  lineStarts?: number[];
}

export type WireInput = WireModel | { problem: string };

export function toWire(input: ParsedInput): WireInput {
  if ('problem' in input) return input;
  const { source, ...rest } = input.model;
  if (!source) return { model: rest };
  if (!source.treesReleased)
    throw new Error(`${input.model.path}: YAML trees cannot be posted to another thread`);
  const { path, text, kind, documents, syntaxErrors, skippedReason, treesReleased, lineCounter } = source;
  return {
    model: { ...rest, source: { path, text, kind, documents, syntaxErrors, skippedReason, treesReleased } },
    lineStarts: lineCounter.lineStarts,
  };
}

export function fromWire(wire: WireInput): ParsedInput {
  if ('problem' in wire) return wire;
  const { source, ...rest } = wire.model;
  if (!source) return { model: rest };
  const lineCounter = new LineCounter();
  for (const offset of wire.lineStarts ?? []) lineCounter.addNewLine(offset);
  return { model: { source: FileSource.of(source, lineCounter), ...rest } };
}
