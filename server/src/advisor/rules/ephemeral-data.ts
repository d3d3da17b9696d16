// ephemeral-data: a known data engine whose data directory has no persistent storage — nothing mounted
// there, or only an emptyDir / tmpfs / anonymous volume. The next container recreation (an upgrade, a
// reschedule, `docker compose down`) starts the database on an empty directory.
import { isMap, isScalar, isSeq, type Document, type YAMLMap } from 'yaml';
import type { Container, DataMount, Fix, Workload } from '../model/model.js';
import { replaceScalar, setIn } from '../fix/yaml-edit.js';
import { get, getIn, items, keySetOf, pairsOf, str } from '../yaml/nodes.js';
import { docsUrl, type Rule, type RuleContext } from './rule.js';
import { containerNode, display, mergeEdits, nodeAt, sourceDoc, tidyRange, oneFix } from './util.js';

export const ephemeralData: Rule = {
  meta: {
    id: 'ephemeral-data',
    defaultSeverity: 'error',
    scenarios: ['restart'],
    summary: "A data engine's data path has no persistent storage",
    docsUrl: docsUrl('ephemeral-data'),
    fixable: true,
  },
  check(ctx) {
    for (const w of ctx.index.workloads) {
      const e = w.engine;
      if (!w.stateful || !e || e.arbiter || e.dataPaths.length === 0) continue;
      const container = w.containers.find((c) => c.name === e.container) ?? w.containers[0];
      if (!container) continue;
      const persistent = container.mounts.filter(isPersistent);
      // The data directory may have moved (custom image, PGDATA, --datadir…): any persistent mount may hold it.
      if ((!e.trustedImage || e.dataDirOverridden) && persistent.length > 0) continue;
      if (e.dataPaths.some((p) => persistent.some((m) => covers(m.target, p)))) continue;
      const ephemeral = container.mounts.find(
        (m) => !isPersistent(m) && e.dataPaths.some((p) => covers(m.target, p)),
      );
      if (!ephemeral && looksLikeCache(w, container)) continue;
      const path = ephemeral?.target ?? e.dataPaths[0]!;
      const what = ephemeral
        ? `only ${ephemeralText(ephemeral)} is mounted there`
        : 'no volume is mounted there, so it lives in the container’s writable layer';
      const loss =
        w.platform === 'compose'
          ? 'The next recreation of the container (an image upgrade, a config change, `docker compose down`, a reschedule) starts it on an empty data directory.'
          : 'The next pod restart elsewhere, eviction or rollout starts it on an empty data directory.';
      const moved = !e.trustedImage || e.dataDirOverridden;
      const where = moved
        ? `a directory set by ${e.dataDirOverridden ? 'its configuration' : 'this image'} (the official image uses ${path})`
        : path;
      const message = `${display(w)} runs ${e.name}, which keeps its data in ${where}, but ${moved ? 'no persistent volume is mounted anywhere in the container' : what}. ${loss}`;
      const range = ephemeral ? tidyRange(ctx, ephemeral.range) : (container.imageRange ?? w.nameRange);
      const fix = oneFix(() =>
        w.platform === 'compose'
          ? composeFix(ctx, w, path, ephemeral)
          : kubeFix(ctx, w, container, path, ephemeral),
      );
      ctx.report({ objectId: w.id, workload: w.ref, range, message, fixes: fix });
    }
  },
};

/**
 * Redis (and its forks) with nothing at all mounted at its data path, outside a StatefulSet and without
 * persistence switched on explicitly, is almost always a cache: losing its contents on restart is the
 * design, not an incident.
 */
function looksLikeCache(w: Workload, c: Container): boolean {
  if (w.engine?.id !== 'redis' || w.kind === 'StatefulSet' || w.engine.replicationEnabled) return false;
  const a = c.args;
  const on = (flag: string, test: (v: string) => boolean) => {
    const i = a.findIndex((x) => x === flag || x.startsWith(`${flag}=`));
    if (i < 0) return false;
    const v = a[i]!.includes('=') ? a[i]!.slice(a[i]!.indexOf('=') + 1) : (a[i + 1] ?? '');
    return test(v);
  };
  const persistence =
    on('--appendonly', (v) => v.toLowerCase() === 'yes') ||
    on('--save', (v) => v !== '' && !v.startsWith('--'));
  return !persistence;
}

function isPersistent(m: DataMount): boolean {
  return m.persistent && m.type !== 'config';
}

function ephemeralText(m: DataMount): string {
  switch (m.type) {
    case 'empty-dir':
      return `an emptyDir volume (\`${m.source ?? ''}\`, deleted with the pod)`;
    case 'tmpfs':
      return 'a tmpfs (memory, gone when the container stops)';
    case 'anonymous':
      return 'an anonymous volume (left behind by `docker compose down` or a rescheduled task: the next container gets a new, empty one)';
    case 'ephemeral':
      return 'a generic ephemeral volume (deleted with the pod)';
    default:
      return `a non-persistent ${m.type} volume`;
  }
}

function norm(p: string): string {
  const s = p.replace(/\/+$/, '');
  return s === '' ? '/' : s;
}

/** A mount at `mountPath` covers `dataPath` when it is the same path, an ancestor or a descendant. */
export function covers(mountPath: string, dataPath: string): boolean {
  const m = norm(mountPath);
  const d = norm(dataPath);
  if (m === d || m === '/') return true;
  return d.startsWith(`${m}/`) || m.startsWith(`${d}/`);
}

function uniqueName(candidates: string[], taken: ReadonlySet<string>): string {
  for (const c of candidates) if (!taken.has(c)) return c;
  let i = 2;
  while (taken.has(`${candidates[0]}-${i}`)) i++;
  return `${candidates[0]}-${i}`;
}

function composeFix(
  ctx: RuleContext,
  w: Workload,
  path: string,
  ephemeral: DataMount | undefined,
): Fix | undefined {
  const e = w.engine!;
  if (!e.trustedImage || e.dataDirOverridden || !w.node || !isMap(w.node)) return undefined;
  const sd = sourceDoc(ctx, w);
  if (!sd) return undefined;
  const { source, doc } = sd;
  const root = doc.contents;
  if (!isMap(root)) return undefined;
  const taken = keySetOf(pairsOf(doc, get(doc, root, 'volumes')));
  const name = uniqueName([`${w.name}-data`, `${w.name}-${e.id}-data`], taken);
  const entry = `${name}:${path}`;
  const edits = [];
  if (ephemeral) {
    // Replace the anonymous `- /path` entry (adding a second mount at the same path is an error).
    if (ephemeral.type !== 'anonymous') return undefined;
    const hit = nodeAt(source, ephemeral.range);
    if (!hit || !isScalar(hit.node)) return undefined;
    edits.push(replaceScalar(source, hit.node, entry));
  } else {
    edits.push(setIn(source, doc, w.node, ['volumes'], entry, { append: true }));
  }
  edits.push(setIn(source, doc, root, ['volumes', name], {}));
  return { title: `Add named volume \`${name}\` at ${path}`, edits: mergeEdits(edits) };
}

function kubeFix(
  ctx: RuleContext,
  w: Workload,
  container: Container,
  path: string,
  ephemeral: DataMount | undefined,
): Fix | undefined {
  const e = w.engine!;
  // Only a StatefulSet gets a per-pod claim by adding a template; an emptyDir already at the path would
  // need its volume removed as well: left to the user.
  if (
    w.kind !== 'StatefulSet' ||
    ephemeral ||
    !e.trustedImage ||
    e.dataDirOverridden ||
    !w.node ||
    !isMap(w.node)
  )
    return undefined;
  const sd = sourceDoc(ctx, w);
  if (!sd) return undefined;
  const { source, doc } = sd;
  const spec = get(doc, w.node, 'spec');
  const pod = getIn(doc, w.node, ['spec', 'template', 'spec']);
  if (!isMap(spec) || !isMap(pod)) return undefined;
  const c = containerNode(doc, pod, container.name);
  if (!c) return undefined;
  const taken = new Set<string>([
    ...names(doc, get(doc, pod, 'volumes')),
    ...templateNames(doc, get(doc, spec, 'volumeClaimTemplates')),
  ]);
  const name = uniqueName(['data', `${e.id}-data`], taken);
  const template = {
    metadata: { name },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } },
  };
  const edits = [
    setIn(source, doc, c, ['volumeMounts'], { name, mountPath: path }, { append: true }),
    setIn(source, doc, spec as YAMLMap, ['volumeClaimTemplates'], template, { append: true }),
  ];
  return { title: `Add volumeClaimTemplate \`${name}\` mounted at ${path}`, edits: mergeEdits(edits) };
}

function names(doc: Document, seq: unknown): string[] {
  return isSeq(seq) ? items(doc, seq).map((i) => str(doc, get(doc, i, 'name')) ?? '') : [];
}

function templateNames(doc: Document, seq: unknown): string[] {
  return isSeq(seq) ? items(doc, seq).map((i) => str(doc, getIn(doc, i, ['metadata', 'name'])) ?? '') : [];
}
