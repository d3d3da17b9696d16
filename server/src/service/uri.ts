// File identities. The server uses document URIs as advisor file identities; files found by the
// workspace scan get the same canonical form as documents the client opens, so one file never shows up
// twice (VS Code percent-encodes more characters than Node's pathToFileURL).
import { fileURLToPath, pathToFileURL } from 'node:url';

const SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]+:/;

/** Canonical form of a URI (file URIs re-encoded from their path); other schemes are kept as given. */
export function canonicalUri(uri: string): string {
  if (!uri.startsWith('file:')) return uri;
  let canonical = canonicalUris.get(uri);
  if (canonical === undefined) {
    try {
      canonical = pathToFileURL(fileURLToPath(uri)).href;
    } catch {
      canonical = uri;
    }
    if (canonicalUris.size >= 10_000) canonicalUris.clear();
    canonicalUris.set(uri, canonical);
  }
  return canonical;
}

/**
 * Results of `canonicalUri`: every finding's file is converted on every publication (two URL parses
 * each, ~2 ms of a one-line edit's pass over 211 findings).
 */
const canonicalUris = new Map<string, string>();

/** A path or URI (the advisor's `range.file`) as a canonical URI. */
export function toUri(fileOrUri: string): string {
  return SCHEME.test(fileOrUri) && !/^[a-zA-Z]:[\\/]/.test(fileOrUri)
    ? canonicalUri(fileOrUri)
    : pathToFileURL(fileOrUri).href;
}

/** The file system path of a file URI; undefined for other schemes. */
export function uriToPath(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

/** Last path segment of a URI, decoded. */
export function baseName(uri: string): string {
  const path = uri.replace(/[?#].*$/, '');
  const last = path.slice(path.lastIndexOf('/') + 1);
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}
