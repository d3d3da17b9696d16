// Structural validation against JSON schemas: the compose spec (schemas/compose-spec.json) for compose
// files, and the project's structural schemas for the Kubernetes kinds the advisor reads. Errors are
// mapped to the YAML node they concern by the advisor's `schemaProblems` (one clear message per node).
import Ajv, { type AnySchema, type ValidateFunction } from 'ajv';
import { isMap, isScalar, type Document } from 'yaml';
import { DiagnosticSeverity, DiagnosticTag, type Diagnostic } from 'vscode-languageserver-protocol';
import { schemaProblems } from '../advisor/config/schema-errors.js';
import type { SourceFile } from '../advisor/model/model.js';
import { isListKind, MAX_LIST_DEPTH } from '../advisor/parse/kubernetes.js';
import { Locator } from '../advisor/yaml/nodes.js';
import composeSpec from '../../../schemas/compose-spec.json';
import definitions from '../../../schemas/kubernetes/definitions.json';
import statefulSet from '../../../schemas/kubernetes/statefulset.json';
import deployment from '../../../schemas/kubernetes/deployment.json';
import daemonSet from '../../../schemas/kubernetes/daemonset.json';
import replicaSet from '../../../schemas/kubernetes/replicaset.json';
import pod from '../../../schemas/kubernetes/pod.json';
import pvc from '../../../schemas/kubernetes/persistentvolumeclaim.json';
import pv from '../../../schemas/kubernetes/persistentvolume.json';
import storageClass from '../../../schemas/kubernetes/storageclass.json';
import pdb from '../../../schemas/kubernetes/poddisruptionbudget.json';
import veleroSchedule from '../../../schemas/kubernetes/velero-schedule.json';
import { precompiled } from './schema-validators.js';
import { SOURCE } from './validation-constants.js';

export const SCHEMA_CODE = 'schema';

/** kind → (accepted apiVersions, schema). A document of another apiVersion (a CRD named alike) is not checked. */
const KUBERNETES_SCHEMAS: Record<string, { apiVersions: string[]; schema: AnySchema }> = {};
for (const s of [
  statefulSet,
  deployment,
  daemonSet,
  replicaSet,
  pod,
  pvc,
  pv,
  storageClass,
  pdb,
  veleroSchedule,
]) {
  const props = s.properties as { kind: { const: string }; apiVersion: { enum: string[] } };
  KUBERNETES_SCHEMAS[props.kind.const] = { apiVersions: props.apiVersion.enum, schema: s as AnySchema };
}

let ajv: Ajv | undefined;
const validators = new Map<string, ValidateFunction>();

function getAjv(): Ajv {
  // Same options as scripts/schema-validators.mjs (the bundle's precompiled validators). Formats in the
  // compose spec (duration, ports…) are Docker's own: not checked here.
  ajv ??= new Ajv({ allErrors: true, strict: false, validateFormats: false });
  return ajv;
}

/** The validator for `compose` or a Kubernetes kind: precompiled in the bundle, compiled here otherwise. */
function validator(key: string): ValidateFunction | undefined {
  const built = precompiled?.[key];
  if (built) return built;
  let v = validators.get(key);
  if (v) return v;
  const a = getAjv();
  if (key === 'compose') {
    // The compose spec names an https draft-07 meta-schema URI ajv does not know; draft-07 is its default.
    const { $schema: _ignored, ...schema } = composeSpec as Record<string, unknown>;
    v = a.compile(schema);
  } else {
    const entry = KUBERNETES_SCHEMAS[key];
    if (!entry) return undefined;
    if (!a.getSchema(definitions.$id)) a.addSchema(definitions as AnySchema);
    v = a.compile(entry.schema);
  }
  validators.set(key, v);
  return v;
}

/** The kinds with a structural schema (for docs and tests). */
export function schemaKinds(): string[] {
  return Object.keys(KUBERNETES_SCHEMAS);
}

/** YAML 1.2 has no merge keys, but compose files use `<<: *anchor`: expand them as Docker does. */
function expandMergeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(expandMergeKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  const own = value as Record<string, unknown>;
  if ('<<' in own) {
    const sources = Array.isArray(own['<<']) ? (own['<<'] as unknown[]) : [own['<<']];
    for (const s of sources) {
      const expanded = expandMergeKeys(s);
      if (expanded && typeof expanded === 'object' && !Array.isArray(expanded)) Object.assign(out, expanded);
    }
  }
  for (const [k, v] of Object.entries(own)) if (k !== '<<') out[k] = expandMergeKeys(v);
  return out;
}

function toData(doc: Document): unknown {
  try {
    return expandMergeKeys(doc.toJS({ maxAliasCount: 100 }));
  } catch {
    return undefined; // alias bombs and the like: the syntax diagnostics already say enough
  }
}

/**
 * Schema diagnostics per parsed document, for the next validation of the same file: a document the
 * advisor's per-document parse cache reuses (same `Document` object) at the same line, in a file of the
 * same kind, is not converted and validated again.
 */
export type SchemaCache = WeakMap<Document, { line: number; kind: string; diagnostics: Diagnostic[] }>;

/** Schema diagnostics for one parsed file. Documents with YAML errors are skipped (their values may be cut). */
export function schemaDiagnostics(source: SourceFile, cache?: SchemaCache): Diagnostic[] {
  if (source.skippedReason) return [];
  const out: Diagnostic[] = [];
  for (const { doc, range } of source.documents) {
    const hit = cache?.get(doc);
    if (hit && hit.line === range.start.line && hit.kind === source.kind) {
      out.push(...hit.diagnostics);
      continue;
    }
    const diagnostics = documentDiagnostics(source, doc);
    cache?.set(doc, { line: range.start.line, kind: source.kind, diagnostics });
    out.push(...diagnostics);
  }
  return out;
}

function documentDiagnostics(source: SourceFile, doc: Document): Diagnostic[] {
  const locator = new Locator(source.path, source.lineCounter);
  const out: Diagnostic[] = [];
  const push = (
    doc: Document,
    validate: ValidateFunction,
    data: unknown,
    severity: DiagnosticSeverity,
    prefix: string,
    /** JSON pointer of `data` in the document (a List item: `/items/3`). */
    at = '',
  ) => {
    if (validate(data) || !validate.errors) return;
    const errors = at
      ? validate.errors.map((e) => ({ ...e, instancePath: at + e.instancePath }))
      : validate.errors;
    for (const p of schemaProblems(doc, errors, locator)) {
      out.push({
        range: { start: p.range.start, end: p.range.end },
        severity,
        code: SCHEMA_CODE,
        source: SOURCE,
        message: `${prefix}${p.message}`,
      });
    }
  };
  if (doc.errors.length > 0) return out;
  const data = toData(doc);
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return out;
  const obj = data as Record<string, unknown>;
  if (source.kind === 'compose') {
    if (obj.services === undefined || obj.kind !== undefined) return out;
    // Docker refuses a compose file that breaks its spec, so these are errors.
    obsoleteVersion(doc, source, out);
    const validate = validator('compose');
    if (validate) push(doc, validate, obj, DiagnosticSeverity.Error, '');
  } else if (source.kind === 'kubernetes') {
    const object = (o: Record<string, unknown>, at: string, depth: number): void => {
      if (typeof o.kind !== 'string' || typeof o.apiVersion !== 'string') return;
      // The items of a List (`kubectl get -o yaml`) are objects of their own, as the advisor reads them.
      if (isListKind(o.kind)) {
        if (depth < MAX_LIST_DEPTH && Array.isArray(o.items))
          o.items.forEach((item, i) => {
            if (item !== null && typeof item === 'object' && !Array.isArray(item))
              object(item as Record<string, unknown>, `${at}/items/${i}`, depth + 1);
          });
        return;
      }
      const entry = KUBERNETES_SCHEMAS[o.kind];
      if (!entry || !entry.apiVersions.includes(o.apiVersion)) return;
      const validate = validator(o.kind);
      // Our Kubernetes schemas are partial and structural: warnings, the API server has the last word.
      if (validate) push(doc, validate, o, DiagnosticSeverity.Warning, `${o.kind}: `, at);
    };
    object(obj, '', 0);
  }
  return out;
}

/** The spec marks top-level `version` deprecated (Compose ignores it and warns): a hint, struck through. */
function obsoleteVersion(doc: Document, source: SourceFile, out: Diagnostic[]): void {
  if (!isMap(doc.contents)) return;
  const pair = doc.contents.items.find((p) => isScalar(p.key) && p.key.value === 'version');
  const range = (pair?.key as { range?: [number, number, number] } | undefined)?.range;
  if (!range) return;
  const r = new Locator(source.path, source.lineCounter).at(range[0], range[1]);
  out.push({
    range: { start: r.start, end: r.end },
    severity: DiagnosticSeverity.Hint,
    tags: [DiagnosticTag.Deprecated],
    code: SCHEMA_CODE,
    source: SOURCE,
    message: '`version` is obsolete: Compose ignores it.',
  });
}
