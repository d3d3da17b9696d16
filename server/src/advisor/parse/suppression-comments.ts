// `# stateful-ha-ignore <rule>[, <rule>]: <reason>` comments. A comment on its own line applies to the
// object (compose service or volume, Kubernetes object) containing the next line that is not blank, a
// comment or a document marker — so it can stand above the offending key, above the service key, or
// above/below a document's `---`. A comment at the end of a line applies to that line's object.
import type { ObjectBase, SourceFile, Suppression } from '../model/model.js';
import { position } from '../model/source.js';

const DIRECTIVE = /(?:^|\s)#\s*stateful-ha-ignore\b[ \t]*([^\n]*)$/;

export interface ParsedDirective {
  rules: string[];
  reason: string;
}

/** Parses the text after `stateful-ha-ignore`: `rule-a, rule-b: reason`. */
export function parseDirective(rest: string): ParsedDirective {
  const colon = rest.indexOf(':');
  const list = colon >= 0 ? rest.slice(0, colon) : rest;
  const reason = colon >= 0 ? rest.slice(colon + 1).trim() : '';
  const rules = list
    .split(/[,\s]+/)
    .map((r) => r.trim())
    .filter((r) => r !== '');
  return { rules, reason };
}

export function resolveCommentSuppressions(
  source: SourceFile,
  objects: ObjectBase[],
): { objectId: string; suppression: Suppression }[] {
  if (!source.text.includes('stateful-ha-ignore') || objects.length === 0) return [];
  const lines = source.text.split('\n');
  const out: { objectId: string; suppression: Suppression }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.includes('stateful-ha-ignore')) continue;
    const m = DIRECTIVE.exec(line);
    if (!m) continue;
    const directive = parseDirective(m[1]!.replace(/\r$/, ''));
    if (directive.rules.length === 0) continue;
    const hashAt = line.indexOf('#', m.index);
    const ownLine = line.slice(0, hashAt).trim() === '';
    let target = i;
    if (ownLine) {
      target = -1;
      for (let j = i + 1; j < lines.length; j++) {
        const t = lines[j]!.trim();
        if (t === '' || t.startsWith('#') || t === '---' || t.startsWith('--- ') || t === '...') continue;
        target = j;
        break;
      }
    }
    if (target < 0) continue;
    const object = innermostAt(objects, target);
    if (!object) continue;
    out.push({
      objectId: object.id,
      suppression: {
        rules: directive.rules,
        reason: directive.reason,
        range: {
          file: source.path,
          start: position(i, hashAt),
          end: position(i, line.replace(/\r$/, '').length),
        },
      },
    });
  }
  return out;
}

function innermostAt(objects: ObjectBase[], line: number): ObjectBase | undefined {
  let best: ObjectBase | undefined;
  for (const o of objects) {
    if (o.origin !== 'file' || line < o.span.start.line || line > o.span.end.line) continue;
    // A volumeClaimTemplate belongs to its StatefulSet: suppressions inside it apply to the StatefulSet.
    if ((o as { templateOf?: string }).templateOf) continue;
    // A span ending at column 0 of a line does not include that line.
    if (line === o.span.end.line && o.span.end.character === 0 && o.span.end.line > o.span.start.line)
      continue;
    const size = o.span.end.line - o.span.start.line;
    if (!best || size < best.span.end.line - best.span.start.line) best = o;
  }
  return best;
}
