// PLACEHOLDER — being written.
import type { ObjectBase, SourceFile, Suppression } from '../model/model.js';

export function resolveCommentSuppressions(
  _source: SourceFile,
  _objects: ObjectBase[],
): { objectId: string; suppression: Suppression }[] {
  return [];
}
