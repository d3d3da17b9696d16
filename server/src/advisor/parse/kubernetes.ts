// PLACEHOLDER — being written (Kubernetes parser). Signature is the contract.
import type { ParsedDocument, ManifestObject, Workload } from '../model/model.js';
import type { ParseContext } from './parse-file.js';

export function parseKubernetesDocument(
  _ctx: ParseContext,
  _doc: ParsedDocument,
): { workloads: Workload[]; objects: ManifestObject[] } {
  return { workloads: [], objects: [] };
}
