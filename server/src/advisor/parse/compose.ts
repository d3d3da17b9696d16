// PLACEHOLDER — being written (compose parser). Signature is the contract.
import type { ParsedDocument, ManifestObject, Workload } from '../model/model.js';
import type { ParseContext } from './parse-file.js';

export function parseComposeFile(
  _ctx: ParseContext,
  _doc: ParsedDocument,
  _options: { fileName: string },
): { workloads: Workload[]; objects: ManifestObject[] } {
  return { workloads: [], objects: [] };
}
