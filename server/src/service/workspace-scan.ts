// The workspace scan: every *.yml / *.yaml under the workspace folders that may matter to the advisor,
// minus node_modules/.git, the configured ignore paths and oversized files. Async, so the server keeps
// answering while a large workspace is read.
import { constants } from 'node:fs';
import { open, readdir, type FileHandle } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { minimatch } from 'minimatch';
import { CONFIG_FILE_NAME } from '../advisor/config/config.js';
import { isYamlFileName, mayBeRelevant } from './documents.js';
import { toUri } from './uri.js';

/** The scan reads no file larger than this (generated dumps would only slow the editor down). */
export const SCAN_MAX_FILE_BYTES = 2 * 1024 * 1024;
/** Nor more files than this. */
export const SCAN_MAX_FILES = 5000;

const SKIPPED_DIRS = new Set(['node_modules', '.git', '.hg', '.svn']);

export type IgnoreMatcher = (path: string) => boolean;

/**
 * Matches paths against `ignore` globs, relative to each workspace folder (a workspace has one
 * configuration, for all its folders). A pattern naming a folder covers its content.
 */
export function ignoreMatcher(roots: readonly string[], patterns: readonly string[]): IgnoreMatcher {
  if (roots.length === 0 || patterns.length === 0) return () => false;
  const globs = patterns.map((p) => p.replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/$/, ''));
  // Relative to each workspace folder: one configuration applies to every folder of the workspace.
  return (path) =>
    roots.some((root) => {
      const rel = relative(root, path).split(sep).join('/');
      if (rel === '' || rel.startsWith('../') || rel === '..') return false;
      return globs.some((g) => minimatch(rel, g, { dot: true }) || minimatch(rel, `${g}/**`, { dot: true }));
    });
}

export interface ScannedFile {
  uri: string;
  text: string;
}

export interface ScanResult {
  files: ScannedFile[];
  /** True when SCAN_MAX_FILES was reached. */
  truncated: boolean;
}

export async function scanFolders(
  folders: readonly string[],
  ignored: IgnoreMatcher,
  configFile?: string,
): Promise<ScanResult> {
  const files: ScannedFile[] = [];
  let truncated = false;
  const walk = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return; // unreadable folder: nothing to lint there
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (files.length >= SCAN_MAX_FILES) {
        truncated = true;
        return;
      }
      const path = join(dir, e.name);
      // Symbolic links are not followed: they can loop, and their targets are usually linted elsewhere.
      if (e.isDirectory()) {
        if (!SKIPPED_DIRS.has(e.name) && !ignored(path)) await walk(path);
        continue;
      }
      if (
        !e.isFile() ||
        !isYamlFileName(e.name) ||
        e.name === CONFIG_FILE_NAME ||
        path === configFile ||
        ignored(path)
      )
        continue;
      // Undefined when it vanished, grew too large or became unreadable since the readdir.
      const text = await readCandidate(path);
      if (text === undefined) continue;
      const uri = toUri(path);
      if (mayBeRelevant(uri, text)) files.push({ uri, text });
    }
  };
  for (const f of folders) await walk(f);
  return { files, truncated };
}

/** Reads one file (scan, watched-file event); undefined when it is gone, not a regular file, too large or unreadable. */
export async function readCandidate(path: string): Promise<string | undefined> {
  let handle: FileHandle | undefined;
  try {
    // Opened non-blocking and checked on the open handle: a FIFO (or a file replaced by one after a stat)
    // would block open(2), and with it one of libuv's four threads, until a writer comes — forever.
    handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    const st = await handle.stat();
    if (!st.isFile() || st.size > SCAN_MAX_FILE_BYTES) return undefined;
    return await handle.readFile('utf8');
  } catch {
    return undefined;
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
