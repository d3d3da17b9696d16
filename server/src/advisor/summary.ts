// The HA summary of one workload: the four failure scenarios of DESIGN §1 (app crash, server failure,
// server decommission, disaster) answered from the model, with the effective number of copies
// (app copies × storage copies) and the DR target. Pure; the language server shows it in hovers and code
// lenses, and the CLI or the panel can print it. It reuses the rules' helpers so the summary and the
// findings never disagree about storage, members or DR coverage.
import type { StorageKind, StorageProfile, Workload } from './model/model.js';
import type { WorkspaceIndex } from './model/workspace.js';
import { suppressionOf } from './analyze.js';
import { blocking } from './rules/disruption-budget-blocks-drain.js';
import {
  appReplicates,
  dataMounts,
  drTargetsFor,
  isMultiNode,
  memberCount,
  members,
  storageObjectOf,
  storageOf,
} from './rules/util.js';

export type SummaryScenario = 'app crash' | 'server failure' | 'server decommission' | 'disaster';
export type ScenarioStatus = 'ok' | 'risk' | 'unknown';

export interface ScenarioAnswer {
  scenario: SummaryScenario;
  status: ScenarioStatus;
  /** One or two sentences: what happens in this scenario, for this workload. */
  answer: string;
}

export interface HaSummary {
  workloadId: string;
  /** `StatefulSet/cassandra`, `service/db`. */
  ref: string;
  platform: Workload['platform'];
  target: Workload['target'];
  stateful: boolean;
  engine?: { name: string; replication: 'app' | 'optional' | 'none'; replicates: boolean; quorum: boolean };
  /** Members of the engine cluster (compose: summed over the services running it); null = unknown. */
  members: number | null;
  /** Copies the application keeps: members when it replicates, else 1. null = unknown (global mode). */
  appCopies: number | null;
  /** Copies the storage keeps of each member's data; null = unknown or no persistent data. */
  storageCopies: number | null;
  /** appCopies × storageCopies when both are known. */
  totalCopies: number | null;
  /** Storage of the data mounts: kind 'none' when the workload has no persistent data. */
  storage: { kind: StorageKind | 'none'; descriptions: string[]; pinsToNode: boolean };
  dr: { status: 'off-site' | 'same-failure-domain' | 'none'; targets: string[] };
  scenarios: ScenarioAnswer[];
}

const num = (n: number | null): string => (n === null ? '?' : String(n));

function primaryStorage(index: WorkspaceIndex, w: Workload): StorageProfile[] {
  return dataMounts(w).map((m) => storageOf(index, w, m));
}

/** Storage copies of the data: the smallest known count over the data mounts (the weakest link). */
function storageCopies(profiles: StorageProfile[]): number | null {
  const known = profiles.map((p) => p.copies).filter((c): c is number => c !== null);
  if (known.length === 0 || known.length < profiles.length) return null;
  return Math.min(...known);
}

function storageKind(profiles: StorageProfile[]): StorageKind | 'none' {
  if (profiles.length === 0) return 'none';
  // The weakest kind wins: one node-local mount makes the workload node-bound.
  for (const k of ['node-local', 'unknown', 'zonal', 'shared', 'replicated'] as const) {
    if (profiles.some((p) => p.kind === k)) return k;
  }
  return 'unknown';
}

export function summarize(index: WorkspaceIndex, w: Workload): HaSummary {
  const profiles = primaryStorage(index, w);
  const kind = storageKind(profiles);
  const replicates = appReplicates(w) || w.intent.replication === 'app' || w.intent.replication === 'both';
  const memberList = members(index, w);
  const memberTotal = memberCount(memberList);
  const appCopies = replicates ? memberTotal : memberTotal === null ? null : 1;
  const sCopies = kind === 'none' ? null : storageCopies(profiles);
  const total = appCopies !== null && sCopies !== null ? appCopies * sCopies : null;
  const pinsToNode = profiles.some((p) => p.pinsToNode);

  const coverage = drTargetsFor(index, w);
  const offSite = coverage.filter((c) => c.offSite);
  const dr: HaSummary['dr'] = {
    status: offSite.length > 0 ? 'off-site' : coverage.length > 0 ? 'same-failure-domain' : 'none',
    targets: coverage.map((c) => c.description),
  };

  const s: HaSummary = {
    workloadId: w.id,
    ref: w.ref,
    platform: w.platform,
    target: w.target,
    stateful: w.stateful,
    engine: w.engine && {
      name: w.engine.name,
      replication: w.engine.replication,
      replicates,
      quorum: w.engine.quorum,
    },
    members: memberTotal,
    appCopies,
    storageCopies: sCopies,
    totalCopies: total,
    storage: { kind, descriptions: [...new Set(profiles.map((p) => p.description))], pinsToNode },
    dr,
    scenarios: [],
  };
  s.scenarios = [appCrash(w, s), serverFailure(w, s), decommission(index, w, s), disaster(index, w, s)];
  return s;
}

function appCrash(w: Workload, s: HaSummary): ScenarioAnswer {
  const scenario = 'app crash';
  const policy = w.restartPolicy?.trim().toLowerCase();
  if (w.platform === 'kubernetes') {
    if (policy === 'never') {
      return { scenario, status: 'risk', answer: '`restartPolicy: Never`: a crashed container stays down.' };
    }
    if (w.kind === 'Pod') {
      return {
        scenario,
        status: s.storage.kind === 'none' ? 'ok' : 'risk',
        answer:
          'The kubelet restarts the container in place, but a bare Pod is not recreated by any controller if it is deleted or evicted.',
      };
    }
    return {
      scenario,
      status: 'ok',
      answer: 'The kubelet restarts the container in place, on the same node, with the same volume.',
    };
  }
  if (w.target === 'swarm') {
    if (policy === 'none') {
      return {
        scenario,
        status: 'risk',
        answer: '`restart_policy.condition: none`: swarm does not restart a crashed task.',
      };
    }
    const movesAway = s.storage.kind === 'node-local' && !w.placement.pinned && !s.storage.pinsToNode;
    return movesAway
      ? {
          scenario,
          status: 'risk',
          answer:
            'Swarm replaces the crashed task, but nothing pins it to the node holding its node-local data: the new task may start on another node with an empty volume.',
        }
      : {
          scenario,
          status: 'ok',
          answer:
            'Swarm replaces the crashed task (restart condition `any` by default) with the same volume.',
        };
  }
  if (policy === undefined || policy === '' || policy === 'no' || policy === 'false') {
    return {
      scenario,
      status: 'risk',
      answer: 'No restart policy: a crashed container stays down until someone starts it.',
    };
  }
  return {
    scenario,
    status: 'ok',
    answer: `Docker restarts it in place (\`restart: ${w.restartPolicy}\`) with the same volume.`,
  };
}

function serverFailure(w: Workload, s: HaSummary): ScenarioAnswer {
  const scenario = 'server failure';
  if (!isMultiNode(w)) {
    return {
      scenario,
      status: 'risk',
      answer:
        'Single host: a server failure stops the service until the host is back; the data lives only where that host keeps it.',
    };
  }
  if (s.storage.kind === 'none') {
    return s.engine
      ? {
          scenario,
          status: 'risk',
          answer: 'No persistent storage: the data is lost whenever the container moves.',
        }
      : { scenario, status: 'unknown', answer: 'No persistent data.' };
  }
  const spreadNote =
    s.members !== null && s.members >= 2 && !w.spread.ok
      ? ' Nothing keeps the members on different nodes, so one node can take several down at once.'
      : '';
  if (s.storageCopies !== null && s.storageCopies > 1) {
    return {
      scenario,
      status: spreadNote ? 'risk' : 'ok',
      answer: `The storage keeps ${s.storageCopies} copies: the workload restarts on another node with its data.${spreadNote}`,
    };
  }
  if (s.engine?.replicates && s.members !== null && s.members >= 2) {
    const quorum =
      s.engine.quorum && (s.members < 3 || s.members % 2 === 0)
        ? ` ${s.members} members is a weak quorum.`
        : '';
    return {
      scenario,
      status: spreadNote || quorum ? 'risk' : 'ok',
      answer: `${s.engine.name} keeps ${s.members} copies itself: the other members serve while the lost one is rebuilt on another node.${quorum}${spreadNote}`,
    };
  }
  switch (s.storage.kind) {
    case 'node-local':
      return {
        scenario,
        status: 'risk',
        answer:
          w.placement.pinned || s.storage.pinsToNode
            ? 'One copy of the data, on one node: the workload waits for that node (an outage); a lost disk means a restore.'
            : 'One copy of the data on node-local storage, and nothing pins the workload to it: it may restart elsewhere on an empty volume.',
      };
    case 'zonal':
      return {
        scenario,
        status: 'ok',
        answer: 'The volume re-attaches on another node in the same zone (a zone outage is an outage).',
      };
    case 'shared':
      return { scenario, status: 'ok', answer: 'The shared volume is mounted again on another node.' };
    case 'replicated':
      return { scenario, status: 'unknown', answer: 'Replicated storage, copy count unknown.' };
    default:
      return {
        scenario,
        status: 'unknown',
        answer: 'Storage unknown to the catalog: declare it with `stateful-ha.io/storage`.',
      };
  }
}

function decommission(index: WorkspaceIndex, w: Workload, s: HaSummary): ScenarioAnswer {
  const scenario = 'server decommission';
  if (!isMultiNode(w)) {
    return {
      scenario,
      status: 'risk',
      answer: 'Single host: decommissioning it means downtime and moving the data by hand.',
    };
  }
  const stranded = s.storage.kind === 'node-local';
  if (w.platform === 'kubernetes' && s.members !== null && s.members >= 2) {
    const budgets = index.budgetsFor(w);
    const limiting = budgets.filter((b) => b.minAvailable !== undefined || b.maxUnavailable !== undefined);
    const blocker = limiting.find((b) => blocking(b, s.members) !== undefined);
    if (blocker) {
      return {
        scenario,
        status: 'risk',
        answer: `PodDisruptionBudget \`${blocker.name}\` allows no disruption: drains block forever.`,
      };
    }
    if (limiting.length === 0) {
      return {
        scenario,
        status: 'risk',
        answer: 'No PodDisruptionBudget: a drain may evict several members at once.',
      };
    }
    return {
      scenario,
      status: stranded ? 'risk' : 'ok',
      answer:
        `PodDisruptionBudget \`${limiting[0]!.name}\` lets drains proceed a member at a time.` +
        (stranded ? ' Members on node-local storage must be rebuilt elsewhere before the node goes.' : ''),
    };
  }
  if (stranded) {
    return {
      scenario,
      status: 'risk',
      answer:
        'The data is node-local: draining the node strands it there; move or rebuild it before the node goes.',
    };
  }
  if (s.storage.kind === 'none')
    return { scenario, status: 'ok', answer: 'No persistent data: it moves freely.' };
  return {
    scenario,
    status: 'ok',
    answer: 'It moves to another node with its volume (a short outage for a single member).',
  };
}

function disaster(index: WorkspaceIndex, w: Workload, s: HaSummary): ScenarioAnswer {
  const scenario = 'disaster';
  const deletes = dataMounts(w).some((m) => {
    const o = storageObjectOf(index, w, m);
    if (!o) return false;
    return o.kind === 'StorageClass'
      ? (o.reclaimPolicy ?? 'Delete') === 'Delete'
      : o.reclaimPolicy === 'Delete';
  });
  const deleteNote = deletes ? ' Its volumes are deleted with their claims (reclaim policy `Delete`).' : '';
  if (s.storage.kind === 'none')
    return { scenario, status: 'unknown', answer: 'No persistent data to recover.' };
  if (s.dr.status === 'off-site') {
    return { scenario, status: 'ok', answer: `Recover from ${s.dr.targets.join(', ')}.${deleteNote}` };
  }
  // A suppression with a reason is the team saying the target is outside what the workspace shows (a
  // restic job, a storage-side replication): not verifiable here, so neither ✅ nor ⚠️.
  const declared = (rule: string): string | undefined => {
    const reason = suppressionOf(index, w.id, rule)?.reason.trim();
    return reason ? `\`${rule}\` is suppressed: “${reason}”.` : undefined;
  };
  if (s.dr.status === 'same-failure-domain') {
    const why = declared('dr-target-same-failure-domain');
    return {
      scenario,
      status: why ? 'unknown' : 'risk',
      answer: `Only ${s.dr.targets.join(', ')}: it shares the failure domain of the data, so a site or storage loss takes it too.${why ? ` ${why}` : ''}${deleteNote}`,
    };
  }
  const why = declared('no-dr-target');
  return {
    scenario,
    status: why ? 'unknown' : 'risk',
    answer: `No DR target in the workspace: a lost volume or site cannot be recovered${why ? ` from it; ${why}` : '.'}${deleteNote}`,
  };
}

const SCENARIO_TITLES: Record<SummaryScenario, string> = {
  'app crash': 'App crash',
  'server failure': 'Server failure',
  'server decommission': 'Server decommission',
  disaster: 'Disaster',
};

const STATUS_MARK: Record<ScenarioStatus, string> = { ok: '✅', risk: '⚠️', unknown: '❔' };

/** `app ×3 · storage ×3 = 9 copies` */
export function renderCopies(s: HaSummary): string {
  if (s.storage.kind === 'none') return `app ×${num(s.appCopies)} · storage: none`;
  return `app ×${num(s.appCopies)} · storage ×${num(s.storageCopies)} = ${num(s.totalCopies)} ${s.totalCopies === 1 ? 'copy' : 'copies'}`;
}

const DR_LABEL: Record<HaSummary['dr']['status'], string> = {
  'off-site': 'off-site',
  'same-failure-domain': 'same failure domain',
  none: 'none',
};

/** The code lens title: `HA: app ×3 · storage ×3 = 9 copies · DR: none`. */
export function renderLensTitle(s: HaSummary): string {
  return `HA: ${renderCopies(s)} · DR: ${DR_LABEL[s.dr.status]}`;
}

/** Markdown for hovers and the summary view. */
export function renderMarkdown(s: HaSummary): string {
  const lines: string[] = [];
  const engine = s.engine
    ? ` — ${s.engine.name} (${s.engine.replicates ? 'replicates itself' : s.engine.replication === 'optional' ? 'replication off' : 'no app replication'})`
    : '';
  lines.push(`**HA summary: \`${s.ref}\`**${engine}`);
  lines.push('');
  const members =
    s.members === null ? 'unknown member count' : `${s.members} member${s.members === 1 ? '' : 's'}`;
  // Separate paragraphs: hovers render markdown, where single newlines would run the lines together.
  lines.push(`Copies: ${renderCopies(s)} (${members}).`, '');
  if (s.storage.descriptions.length > 0)
    lines.push(`Storage: ${s.storage.kind}, ${s.storage.descriptions.join('; ')}.`, '');
  lines.push(`DR: ${s.dr.targets.length > 0 ? s.dr.targets.join('; ') : 'none'}.`, '');
  for (const a of s.scenarios)
    lines.push(`- ${STATUS_MARK[a.status]} **${SCENARIO_TITLES[a.scenario]}**: ${a.answer}`);
  return lines.join('\n');
}
