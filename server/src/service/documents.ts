// Which documents the server handles: compose files (by name or the `dockercompose` language id, or by
// content: a top-level `services` map) and YAML files holding Kubernetes objects. Any other YAML gets no
// diagnostics, no lens and no hover — the extension activates on every YAML file and must stay silent there.
import type { SourceFile } from '../advisor/model/model.js';
import { baseName } from './uri.js';

export const COMPOSE_LANGUAGE_ID = 'dockercompose';

/** `compose*.y*ml`, `docker-compose*.y*ml`, `*stack*.y*ml` (swarm stacks). */
export function isComposeFileName(name: string): boolean {
  const n = name.toLowerCase();
  if (!/\.ya?ml$/.test(n)) return false;
  return n.startsWith('compose') || n.startsWith('docker-compose') || n.includes('stack');
}

export function isYamlFileName(name: string): boolean {
  return /\.ya?ml$/i.test(name);
}

/**
 * A cheap text test for files whose YAML is (momentarily) broken: the parser could not classify them,
 * but their syntax errors still belong to the user.
 */
export function looksLikeKubernetes(text: string): boolean {
  return /^\s*apiVersion\s*:/m.test(text) && /^\s*kind\s*:/m.test(text);
}

/** Quick pre-filter for the workspace scan: could this file matter to the advisor? */
export function mayBeRelevant(uri: string, text: string): boolean {
  return isComposeFileName(baseName(uri)) || looksLikeKubernetes(text) || /^services\s*:/m.test(text);
}

export type HandledKind = 'compose' | 'kubernetes';

/** What the server does with a file: undefined = nothing (other YAML). */
export function handledKind(
  uri: string,
  source: SourceFile | undefined,
  languageId?: string,
): HandledKind | undefined {
  if (source?.kind === 'compose' || source?.kind === 'kubernetes') return source.kind;
  if (languageId === COMPOSE_LANGUAGE_ID || isComposeFileName(baseName(uri))) return 'compose';
  if (source && looksLikeKubernetes(source.text)) return 'kubernetes';
  return undefined;
}
