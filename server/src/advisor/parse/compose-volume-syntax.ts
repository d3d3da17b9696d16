// The short syntax of a compose service's volume entry (`name:/path:ro`, `./dir:/path`, `/path`): pure, no
// YAML. Used by the compose parser and by `extends`, which merges volume entries by target.

/** A volume entry written in the short syntax, split into its parts. */
export interface ShortVolume {
  type: 'named-volume' | 'bind' | 'anonymous';
  /** Volume name or host path (absent for anonymous volumes). */
  source?: string;
  target: string;
  readOnly: boolean;
  /** Mode part as written (`ro`, `rw,z`…). */
  mode?: string;
}

const VOLUME_MODES =
  /^(ro|rw|z|Z|nocopy|shared|rshared|slave|rslave|private|rprivate|consistent|cached|delegated)(,(ro|rw|z|Z|nocopy|shared|rshared|slave|rslave|private|rprivate|consistent|cached|delegated))*$/;

/** Splits on `:` except inside `${…}` interpolations and after a Windows drive letter (`C:\data`). */
function splitVolumeSpec(spec: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let depth = 0;
  for (let i = 0; i < spec.length; i++) {
    const c = spec[i]!;
    if (c === '$' && spec[i + 1] === '{') {
      depth++;
      cur += '${';
      i++;
      continue;
    }
    if (c === '}' && depth > 0) depth--;
    if (c === ':' && depth === 0) {
      // `C:\x` / `C:/x` at the start of a part is a drive letter, not a separator.
      if (/^[A-Za-z]$/.test(cur) && (spec[i + 1] === '\\' || spec[i + 1] === '/')) {
        cur += c;
        continue;
      }
      parts.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  parts.push(cur);
  return parts;
}

/** A source that is a host path rather than a volume name: `.`, `/`, `~`, `$…` or a Windows drive. */
export function isBindSource(source: string): boolean {
  return /^[./~$\\]/.test(source) || /^[A-Za-z]:[\\/]/.test(source);
}

/** Parses `name:/path[:ro]`, `./dir:/path`, `/abs:/path`, `~/x:/p`, `/path` (anonymous). */
export function mountFromShortSyntax(spec: string): ShortVolume | undefined {
  const s = spec.trim();
  if (s === '') return undefined;
  const parts = splitVolumeSpec(s);
  let source: string | undefined;
  let target: string;
  let mode: string | undefined;
  if (parts.length === 1) {
    target = parts[0]!;
  } else if (parts.length === 2) {
    if (VOLUME_MODES.test(parts[1]!) && parts[0]!.startsWith('/')) {
      target = parts[0]!;
      mode = parts[1];
    } else {
      source = parts[0];
      target = parts[1]!;
    }
  } else {
    source = parts[0];
    target = parts[1]!;
    mode = parts.slice(2).join(':');
  }
  if (source === '') source = undefined;
  const readOnly = mode !== undefined && mode.split(',').includes('ro');
  if (source === undefined) return { type: 'anonymous', target, readOnly, mode };
  return { type: isBindSource(source) ? 'bind' : 'named-volume', source, target, readOnly, mode };
}
