import type { ObjectBase } from './model.js';

/**
 * An object of a kind: its fields (one object literal at the call site), completed with the base every
 * object has. Not `{ ...base, ...fields }` nor `Object.assign(base, fields)`: in Node 20's V8 the first
 * gives every object a hidden class of its own, the second (like the bundles' lowered spread) turns a
 * 40-property object into a dictionary. Copying the base into the literal keeps one shared, fast layout
 * per call site (fields first, then the base: the keys are disjoint, only their order differs).
 */
export function withFields<T extends ObjectBase>(base: ObjectBase, fields: Omit<T, keyof ObjectBase>): T {
  return Object.assign(fields, base) as T;
}

/**
 * A copy of `object` with some of its fields replaced: a native spread alone, then assignments. Fields the
 * object already has keep the copy in its original's layout (the spread's hidden class is shared), where
 * `{ ...object, field }` gives each copy a class of its own; a field it lacks is added as by that spread.
 */
export function copyWith<T extends object>(object: T, changes: Partial<T>): T {
  return Object.assign({ ...object }, changes);
}
