// Kubernetes label selectors: matching (matchLabels + matchExpressions, as the API server does) and
// short human descriptions for messages.
import type { LabelSelector } from '../model/model.js';

/**
 * Whether a selector matches a set of labels. Every `matchLabels` entry and every expression must hold.
 * An empty selector (`{}`) matches everything. Unknown operators never match.
 */
export function selectorMatches(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  const matchLabels = selector.matchLabels ?? {};
  for (const k in matchLabels) {
    if (!hasOwn(labels, k) || labels[k] !== matchLabels[k]) return false;
  }
  for (const e of selector.matchExpressions ?? []) {
    const has = hasOwn(labels, e.key);
    const value = has ? labels[e.key] : undefined;
    switch (e.operator) {
      case 'In':
        if (!has || !e.values.includes(value as string)) return false;
        break;
      case 'NotIn':
        if (has && e.values.includes(value as string)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

function hasOwn(o: object, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, k);
}

export function isEmptySelector(selector: LabelSelector): boolean {
  return (
    Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0
  );
}

/** `app=zk, tier In (db, cache), !legacy` */
export function describeSelector(selector: LabelSelector): string {
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector.matchExpressions ?? []) {
    if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
    else parts.push(`${e.key} ${e.operator} (${e.values.join(', ')})`);
  }
  return parts.length ? parts.join(', ') : '{}';
}

/** `app.kubernetes.io/name=zk, tier=db`, or `(none)`. */
export function describeLabels(labels: Readonly<Record<string, string>>): string {
  const entries = Object.entries(labels);
  return entries.length ? `\`${entries.map(([k, v]) => `${k}=${v}`).join(', ')}\`` : '(none)';
}
