// Source positions. Everything in the advisor is 0-based (LSP convention); the CLI converts to 1-based.

export interface Position {
  line: number;
  character: number;
}

/** A span of text in one file. `file` is the path as the caller gave it (CLI) or the document URI (server). */
export interface SourceRange {
  file: string;
  start: Position;
  end: Position;
}

/** One replacement in one file. A fix may touch several files (e.g. the StorageClass behind a claim). */
export interface TextEdit {
  range: SourceRange;
  newText: string;
}

export interface Fix {
  title: string;
  edits: TextEdit[];
}

export function comparePositions(a: Position, b: Position): number {
  return a.line - b.line || a.character - b.character;
}

export function rangeContains(outer: SourceRange, inner: SourceRange): boolean {
  return (
    outer.file === inner.file &&
    comparePositions(outer.start, inner.start) <= 0 &&
    comparePositions(inner.end, outer.end) <= 0
  );
}
