// The server's custom requests and notifications, shared by the server and the VS Code client.
// Types and names only: the client imports this file and must stay free of HA logic.
import type { Position } from 'vscode-languageserver-protocol';

/** Client → server: re-scan the workspace and re-validate everything; returns the totals. */
export const LINT_WORKSPACE_REQUEST = 'statefulHa/lintWorkspace';
/** Client → server: the HA summary of a workload (by id, or the one at a position). */
export const SUMMARY_REQUEST = 'statefulHa/summary';
/** Client → server: the rule catalog (for "Explain Rule…"). */
export const RULES_REQUEST = 'statefulHa/rules';
/** Server → client: problem totals over the workspace, after every validation pass. */
export const COUNTS_NOTIFICATION = 'statefulHa/counts';
/** Client → server: workspace trust was granted (the configuration file may now be read). */
export const TRUST_NOTIFICATION = 'statefulHa/setTrusted';
/** Client → server: the advisor's counters (`AdvisorStats`: parses, indexBuilds). For benchmarks and tests:
 *  proves that unchanged files are not re-parsed (bench/run.mjs reads it around incremental edits). */
export const STATS_REQUEST = 'statefulHa/stats';

export interface Counts {
  errors: number;
  warnings: number;
  infos: number;
  /** Files with at least one problem. */
  files: number;
}

export interface LintWorkspaceResult extends Counts {
  /** Files the advisor analysed. */
  scanned: number;
}

export interface SummaryParams {
  workloadId?: string;
  uri?: string;
  position?: Position;
}

export interface SummaryResult {
  workloadId: string;
  ref: string;
  markdown: string;
}

export interface RuleInfo {
  id: string;
  summary: string;
  defaultSeverity: string;
  docsUrl: string;
  fixable: boolean;
}

export interface TrustParams {
  trusted: boolean;
}

/** `initializationOptions` the client sends. */
export interface InitializationOptions {
  trusted?: boolean;
  settings?: Partial<Settings>;
}

export interface Settings {
  enable: boolean;
  /** Severity overrides per rule id (`off` disables), applied over `.stateful-ha.yaml`. */
  rules: Record<string, 'error' | 'warning' | 'info' | 'off'>;
  /** The configuration file, relative to the first workspace folder (or absolute). */
  configFile: string;
}

export const DEFAULT_SETTINGS: Settings = { enable: true, rules: {}, configFile: '.stateful-ha.yaml' };
