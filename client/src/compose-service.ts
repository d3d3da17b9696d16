// "Show in cluster": which compose service the cursor is in, read from the text by indentation alone.
// Deliberately not a YAML parse: it must work on a half-edited file, and a compose file's `services:`
// block is always a plain block mapping in practice. No vscode import (unit-tested directly).

const KEY = /^(\s*)("([^"]+)"|'([^']+)'|([A-Za-z0-9._-]+))\s*:(\s*(#.*)?)?$/;
const TOP = /^(\S[^:#]*):/;

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

function blank(line: string): boolean {
  const t = line.trim();
  return t === '' || t.startsWith('#');
}

/**
 * The name of the service whose block contains `line` (0-based), or undefined when the line is not inside
 * the top-level `services:` mapping (or is the `services:` line itself).
 */
export function serviceAtLine(text: string, line: number): string | undefined {
  const lines = text.split(/\r?\n/);
  if (line < 0 || line >= lines.length) return undefined;
  // The top-level key the cursor is under.
  let top = -1;
  for (let i = line; i >= 0; i--) {
    const l = lines[i]!;
    if (!blank(l) && indentOf(l) === 0 && TOP.test(l)) {
      top = i;
      break;
    }
  }
  if (top < 0 || top === line || !/^services\s*:\s*(#.*)?$/.test(lines[top]!)) return undefined;
  // Service keys sit at the indentation of the first non-blank line under `services:`.
  let serviceIndent = -1;
  for (let i = top + 1; i < lines.length; i++) {
    if (!blank(lines[i]!)) {
      serviceIndent = indentOf(lines[i]!);
      break;
    }
  }
  if (serviceIndent <= 0) return undefined;
  for (let i = line; i > top; i--) {
    const l = lines[i]!;
    if (blank(l)) continue;
    const ind = indentOf(l);
    if (ind < serviceIndent) return undefined;
    if (ind === serviceIndent) {
      const m = KEY.exec(l);
      return m ? (m[3] ?? m[4] ?? m[5]) : undefined;
    }
  }
  return undefined;
}

/** Live services a compose service name matches: the name itself, or `<stack>_<name>` (stack deploys). */
export function matchesLiveName(liveName: string, composeName: string): boolean {
  return liveName === composeName || liveName.endsWith(`_${composeName}`);
}
