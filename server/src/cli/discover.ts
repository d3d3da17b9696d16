// Finding the files to lint: files named on the command line are taken as they are (classified by
// content later); folders are walked for *.yml / *.yaml, minus ignore paths, node_modules and .git.
import { promises as fs, type Dirent, type Stats } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { minimatch } from 'minimatch';

export interface DiscoveredFile {
  /** Path as shown to users: the command-line argument joined with the relative path. */
  display: string;
  /** Absolute or cwd-relative path to read. */
  path: string;
  /** Named explicitly on the command line (not found by a folder scan). */
  explicit: boolean;
}

export interface DiscoveryProblem {
  path: string;
  message: string;
}

const SKIP_DIRS = new Set(['node_modules', '.git', '.hg', '.svn']);
export const MAX_WALK_FILES = 200_000;

/**
 * The YAML files under `args`, without `ignore` paths: globs relative to any of `roots` (the
 * configuration's folder, the linted folders, the current directory), as the language server matches them
 * relative to each workspace folder.
 */
export async function discover(
  args: string[],
  ignore: string[],
  roots: string[],
): Promise<{ files: DiscoveredFile[]; problems: DiscoveryProblem[] }> {
  const files: DiscoveredFile[] = [];
  const problems: DiscoveryProblem[] = [];
  const seenDirs = new Set<string>();
  const ignored = (p: string): boolean =>
    ignore.length > 0 &&
    roots.some((root) => {
      const rel = relative(root, p).split(sep).join('/');
      if (rel === '' || rel === '..' || rel.startsWith('../')) return false;
      return ignore.some(
        (g) =>
          minimatch(rel, g, { dot: true }) || minimatch(rel, `${g.replace(/\/$/, '')}/**`, { dot: true }),
      );
    });

  const walk = async (dir: string, display: string): Promise<void> => {
    let real: string;
    try {
      real = await fs.realpath(dir);
    } catch (e) {
      problems.push({ path: display, message: describeFsError(e) });
      return;
    }
    // Symlink loops and folders reached twice are walked once.
    if (seenDirs.has(real)) return;
    seenDirs.add(real);
    let entries: Dirent[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (e) {
      problems.push({ path: display, message: describeFsError(e) });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (files.length >= MAX_WALK_FILES) return;
      const p = join(dir, entry.name);
      const d = join(display, entry.name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        try {
          const st = await fs.stat(p);
          isDir = st.isDirectory();
          isFile = st.isFile();
        } catch {
          continue; // dangling link
        }
      }
      if (isDir) {
        if (SKIP_DIRS.has(entry.name) || ignored(p)) continue;
        await walk(p, d);
      } else if (isFile && /\.ya?ml$/i.test(entry.name) && !ignored(p)) {
        files.push({ display: d, path: p, explicit: false });
      }
    }
  };

  for (const arg of args) {
    let st: Stats;
    try {
      st = await fs.stat(arg);
    } catch (e) {
      problems.push({ path: arg, message: describeFsError(e) });
      continue;
    }
    if (st.isDirectory()) await walk(arg, arg);
    else files.push({ display: arg, path: arg, explicit: true });
  }
  return { files, problems };
}

export function describeFsError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case 'ELOOP':
      return 'too many symbolic links (a loop?)';
    default:
      return err.message ?? String(e);
  }
}
