// The language service: documents, configuration and the validation cycle, over the advisor. Transport-free
// (yaml-language-server style): the LSP adapter (server.ts) forwards events in and publishes through the
// `ServiceHost` it passes; tests can drive it directly.
//
// Validation cycle: edits are debounced; a pass applies the pending texts to the advisor (which re-parses
// only what changed), analyses the whole workspace (a StorageClass edit can change a StatefulSet's findings
// in another file), and publishes only the files whose diagnostics changed. A pass never publishes
// diagnostics for an older version of an open document than the one the client has.
import type {
  CodeAction,
  CodeActionParams,
  CodeLens,
  Diagnostic,
  Hover,
  Position,
} from 'vscode-languageserver-protocol';
import { DiagnosticSeverity } from 'vscode-languageserver-protocol';
import { Advisor } from '../advisor/advisor.js';
import { runSliced } from '../advisor/steps.js';
import { CONFIG_FILE_NAME, defaultConfig, loadConfig, type AdvisorConfig } from '../advisor/config/config.js';
import type { Finding, Severity, SourceFile, Workload } from '../advisor/model/model.js';
import { RULES } from '../advisor/rules/index.js';
import { renderMarkdown, summarize } from '../advisor/summary.js';
import { SUPPRESSION_WITHOUT_REASON } from '../advisor/analyze.js';
import { isSharedObject, type FileModel } from '../advisor/model/workspace.js';
import { codeActions } from './code-actions.js';
import { codeLenses } from './code-lens.js';
import { handledKind, mayBeRelevant } from './documents.js';
import { hover, workloadAt } from './hover.js';
import {
  DEFAULT_SETTINGS,
  type Counts,
  type LintWorkspaceResult,
  type RuleInfo,
  type Settings,
  type SummaryParams,
  type SummaryResult,
} from './protocol.js';
import { schemaDiagnostics, type SchemaCache } from './schema-validation.js';
import { canonicalUri, toUri, uriToPath } from './uri.js';
import { CONFIG_CODE, SOURCE } from './validation-constants.js';
import { diagnosticData, findingToDiagnostic, shownDiagnostics, sourceDiagnostics } from './validation.js';
import { deflateText } from './text-packing.js';
import { ignoreMatcher, readCandidate, scanFolders, type IgnoreMatcher } from './workspace-scan.js';
import { createHash } from 'node:crypto';
import { isAbsolute, join, sep } from 'node:path';

/** The longest wait after an edit before validating (a burst of keystrokes is validated once). */
export const DEBOUNCE_MS = 150;
/** The shortest: small files validate this soon after the last keystroke. */
export const MIN_DEBOUNCE_MS = 15;
/**
 * The longest a validation pass computes before it yields to the event loop (between files parsed, rules
 * run and files published): requests are answered while a big workspace is indexed.
 */
const SLICE_MS = 20;
/** The longest a code action request waits for the pass that brings its document's fixes. */
const CODE_ACTIONS_WAIT_MS = 1000;
/**
 * From this size an opened document is first read without its trees (see `quickOpen`). The `yaml`
 * parser takes ~1 ms per KB here: below this, a second pass would cost more than it saves.
 */
const QUICK_OPEN_CHARS = 16 * 1024;
/** Publications a pass sends before it waits for them to be written (see `ServiceHost.publishDiagnostics`). */
const PUBLISH_BATCH = 50;

export interface ServiceHost {
  /** May return when the message is written: a pass waits for it now and then, so that a request's answer
   * does not queue behind thousands of publications the client has not read yet. */
  publishDiagnostics(uri: string, diagnostics: Diagnostic[], version?: number): void | Promise<void>;
  sendCounts(counts: Counts): void;
  log(message: string): void;
  showWarning(message: string): void;
}

interface OpenDocument {
  text: string;
  version: number;
  languageId: string;
}

export type FileChangeType = 'created' | 'changed' | 'deleted';

export class LanguageService {
  // Open documents are parsed per YAML document (an edit re-parses the documents it touched) and keep their
  // YAML trees for quick fixes; the other workspace files are parsed whole, once per version, schema-checked,
  // and keep only their model (a tree weighs ~25× its text). Opening a file parses it again, with its trees.
  private readonly advisor = new Advisor(undefined, {
    incremental: (uri) => this.open.has(uri) && !this.quickOpen.has(uri),
    keepTrees: (uri) => this.open.has(uri) && !this.quickOpen.has(uri),
    beforeRelease: (model) => {
      if (model.source && model.source.kind !== 'other') this.schemaFor(model.path, model.source);
    },
    packText: deflateText,
  });
  private settings: Settings = { ...DEFAULT_SETTINGS };
  private trusted = true;
  private folders: string[] = [];
  private readonly open = new Map<string, OpenDocument>();
  /**
   * Large documents just opened, whose next pass reads them as a closed file is read (the fast read-only
   * parse, no trees): their diagnostics show ~3× sooner. The pass after it parses them again with their
   * trees, which brings the quick fixes (code actions wait for it) and the per-document cache for edits.
   */
  private readonly quickOpen = new Set<string>();
  /** Texts to hand to the advisor at the next pass (null = remove the file). */
  private readonly pending = new Map<string, string | null>();
  /** Version of each open document whose text the advisor holds. */
  private readonly appliedVersion = new Map<string, number>();
  private readonly published = new Map<string, Publication>();
  private readonly schemaCache = new WeakMap<SourceFile, Diagnostic[]>();
  /** Schema diagnostics per YAML document: an edit re-validates only the documents it changed. */
  private readonly schemaDocCache: SchemaCache = new WeakMap();
  /** When each open document was last edited (performance.now()), to tell a lone edit from a burst. */
  private readonly lastEdit = new Map<string, number>();
  /** How long the last pass that re-applied a document took (ms), for its adaptive debounce. */
  private readonly passMs = new Map<string, number>();
  private fileConfig: AdvisorConfig = defaultConfig();
  private configProblems: Diagnostic[] = [];
  private configUri: string | undefined;
  /** The configuration files of the other workspace folders, which are not read: a warning on each. */
  private unreadConfigs = new Map<string, Diagnostic[]>();
  private ignored: IgnoreMatcher = () => false;
  private readonly reportedFailures = new Set<string>();
  private warnedFailure = false;
  /** The scheduled pass: a timer, or an immediate when it is due now (`setTimeout(0)` waits ≥ 1 ms). */
  private timer: { cancel(): void } | undefined;
  private configTimer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> | undefined;
  private rerun = false;
  /** Files applied to the advisor since the last pass, with their models before and after. */
  private readonly dirty = new Map<string, (FileModel | undefined)[]>();
  /** The next pass analyses everything (start, configuration change, re-scan). */
  private fullPass = true;

  constructor(private readonly host: ServiceHost) {}

  // -------------------------------------------------------------------------------------------------
  // Lifecycle and settings

  initialize(options: { folders: string[]; trusted?: boolean; settings?: Partial<Settings> }): void {
    this.folders = options.folders.map((f) => uriToPath(f) ?? f);
    this.trusted = options.trusted ?? true;
    this.settings = { ...DEFAULT_SETTINGS, ...(options.settings ?? {}) };
    this.configUri = this.computeConfigUri();
  }

  /** Reads the configuration and the whole workspace, then validates. */
  async start(): Promise<void> {
    await this.reloadConfig();
    await this.scan();
    await this.flush();
  }

  async setSettings(settings: Partial<Settings>): Promise<void> {
    const previous = this.settings;
    const next = { ...DEFAULT_SETTINGS, ...settings };
    if (JSON.stringify(next) === JSON.stringify(previous)) return;
    this.settings = next;
    if (previous.configFile !== this.settings.configFile) {
      this.configUri = this.computeConfigUri();
      await this.reloadConfig();
    } else this.applyConfig();
    await this.flush();
  }

  /**
   * Workspace folders added or removed after start. The configuration is the first folder's: it may be
   * another one now. Added folders are scanned; a removed folder's files are forgotten, their diagnostics
   * cleared (open documents stay, as files from elsewhere do).
   */
  async changeFolders(added: string[], removed: string[]): Promise<void> {
    const gone = new Set(removed.map((f) => uriToPath(f) ?? f));
    const kept = this.folders.filter((f) => !gone.has(f));
    const fresh = added.map((f) => uriToPath(f) ?? f).filter((f) => !kept.includes(f));
    this.folders = [...kept, ...fresh];
    this.configUri = this.computeConfigUri();
    await this.configChanged();
  }

  /** Workspace trust as the client last reported it (cluster actions are refused without it). */
  get isTrusted(): boolean {
    return this.trusted;
  }

  async setTrusted(trusted: boolean): Promise<void> {
    if (trusted === this.trusted) return;
    this.trusted = trusted;
    await this.configChanged();
  }

  dispose(): void {
    this.timer?.cancel();
    if (this.configTimer) clearTimeout(this.configTimer);
  }

  /** The configuration may change what is ignored and how files parse: re-read it, re-scan, re-validate. */
  private async configChanged(): Promise<void> {
    await this.reloadConfig();
    await this.scan();
    await this.flush();
  }

  /** `.stateful-ha.yaml`, or the `statefulHa.configFile` setting: relative to the first folder, or absolute. */
  private get configFileName(): string {
    return this.settings.configFile || CONFIG_FILE_NAME;
  }

  private computeConfigUri(): string | undefined {
    const file = this.configFileName;
    if (isAbsolute(file)) return toUri(file);
    const root = this.folders[0];
    return root ? toUri(join(root, file)) : undefined;
  }

  /** Reads `.stateful-ha.yaml` (open editor text first, then disk). Untrusted workspaces never read it. */
  private async reloadConfig(): Promise<void> {
    this.configProblems = [];
    this.fileConfig = defaultConfig();
    if (this.trusted && this.configUri) {
      const text =
        this.open.get(this.configUri)?.text ?? (await readCandidate(uriToPath(this.configUri) ?? ''));
      if (text !== undefined) {
        const { config, problems } = loadConfig(text, this.configUri, [
          ...RULES.map((r) => r.meta.id),
          SUPPRESSION_WITHOUT_REASON,
        ]);
        this.fileConfig = config;
        this.configProblems = problems.map((p) => ({
          range: { start: p.range.start, end: p.range.end },
          severity: DiagnosticSeverity.Warning,
          code: CONFIG_CODE,
          source: SOURCE,
          message: `${p.message} (the rest of the configuration still applies)`,
        }));
      }
    }
    this.unreadConfigs = await this.findUnreadConfigs();
    this.applyConfig();
  }

  /**
   * A workspace has one configuration, the first folder's (or `statefulHa.configFile`'s): the same file in
   * another folder is not read, and would be silently ignored but for the warning it gets here.
   */
  private async findUnreadConfigs(): Promise<Map<string, Diagnostic[]>> {
    const unread = new Map<string, Diagnostic[]>();
    const file = this.configFileName;
    if (!this.trusted || isAbsolute(file) || !this.configUri) return unread;
    const usedPath = uriToPath(this.configUri) ?? this.configUri;
    const used =
      this.open.has(this.configUri) || (await readCandidate(usedPath)) !== undefined
        ? usedPath
        : `${usedPath}, absent: the defaults apply`;
    for (const folder of this.folders.slice(1)) {
      const uri = toUri(join(folder, file));
      if (uri === this.configUri) continue;
      if (!this.open.has(uri) && (await readCandidate(join(folder, file))) === undefined) continue;
      unread.set(uri, [
        {
          range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
          severity: DiagnosticSeverity.Warning,
          code: CONFIG_CODE,
          source: SOURCE,
          message: `This configuration is not read: a workspace of several folders has one, the first folder's (${used}), and it applies to every folder. Move these settings there, or point the statefulHa.configFile setting at this file.`,
        },
      ]);
    }
    return unread;
  }

  /** Whether the file is, or could become, another folder's unread configuration (see `findUnreadConfigs`). */
  private isOtherFolderConfig(uri: string): boolean {
    if (this.unreadConfigs.has(uri)) return true;
    const file = this.configFileName;
    return !isAbsolute(file) && this.folders.slice(1).some((f) => toUri(join(f, file)) === uri);
  }

  /** Another folder's configuration file appeared, changed or went: its warning follows. */
  private async otherFolderConfigChanged(uri: string): Promise<void> {
    this.unreadConfigs = await this.findUnreadConfigs();
    await this.publish(uri, this.unreadConfigs.get(uri) ?? [], undefined);
  }

  private applyConfig(): void {
    const severities: Record<string, Severity | 'off'> = {
      ...this.fileConfig.severities,
      ...this.settings.rules,
    };
    this.advisor.configure({ catalog: this.fileConfig.catalog, severities });
    this.ignored = ignoreMatcher(this.folders, this.fileConfig.ignorePaths);
    this.fullPass = true; // every file was re-parsed with the new catalog and severities
  }

  private isIgnored(uri: string): boolean {
    const path = uriToPath(uri);
    return path !== undefined && this.ignored(path);
  }

  // -------------------------------------------------------------------------------------------------
  // Documents and files

  didOpen(uri: string, text: string, version: number, languageId: string): void {
    uri = canonicalUri(uri);
    this.open.set(uri, { text, version, languageId });
    if (text.length >= QUICK_OPEN_CHARS) this.quickOpen.add(uri);
    else this.quickOpen.delete(uri);
    // Nothing to debounce on open: the user waits for the first diagnostics of the file they just opened.
    this.changed(uri, text, 0);
  }

  didChange(uri: string, text: string, version: number): void {
    uri = canonicalUri(uri);
    const doc = this.open.get(uri);
    // The protocol library reports an opened document as changed too, same text and version: that echo
    // would replace the open's immediate pass with a debounced one.
    if (doc && doc.version === version && doc.text === text) return;
    this.open.set(uri, { text, version, languageId: doc?.languageId ?? 'yaml' });
    this.quickOpen.delete(uri);
    this.changed(uri, text, this.editDelay(uri, text));
  }

  async didClose(uri: string): Promise<void> {
    uri = canonicalUri(uri);
    this.open.delete(uri);
    this.quickOpen.delete(uri);
    this.lastEdit.delete(uri);
    this.appliedVersion.delete(uri);
    this.passMs.delete(uri);
    if (uri === this.configUri) {
      await this.configChanged();
      return;
    }
    // A workspace file keeps its (on-disk) diagnostics; a file from elsewhere is forgotten.
    const path = uriToPath(uri);
    const inWorkspace =
      path !== undefined &&
      this.folders.some((f) => path === f || path.startsWith(f.endsWith(sep) ? f : f + sep));
    const disk = inWorkspace ? await readCandidate(path) : undefined;
    if (this.open.has(uri)) return; // reopened meanwhile
    this.pending.set(uri, disk ?? null);
    this.schedule();
  }

  async didChangeWatchedFiles(changes: { uri: string; type: FileChangeType }[]): Promise<void> {
    let configChanged = false;
    for (const c of changes) {
      const uri = canonicalUri(c.uri);
      if (uri === this.configUri) {
        configChanged = true;
        continue;
      }
      if (this.isOtherFolderConfig(uri)) {
        await this.otherFolderConfigChanged(uri);
        continue;
      }
      if (this.open.has(uri)) continue; // the editor's text wins over the disk
      if (c.type === 'deleted') {
        if (this.advisor.has(uri) || this.pending.has(uri)) this.pending.set(uri, null);
        continue;
      }
      const path = uriToPath(uri);
      if (!path || this.isIgnored(uri)) continue;
      const text = await readCandidate(path);
      if (text !== undefined && !mayBeRelevant(uri, text) && !this.advisor.has(uri)) continue;
      this.pending.set(uri, text ?? null);
    }
    if (configChanged) await this.configChanged();
    else this.schedule();
  }

  private changed(uri: string, text: string, delay = this.debounceFor(uri, text)): void {
    if (uri === this.configUri) {
      // Configuration edits apply live; the file itself is not linted as a manifest.
      if (this.configTimer) clearTimeout(this.configTimer);
      this.configTimer = setTimeout(() => {
        this.configTimer = undefined;
        this.configChanged().catch((e: unknown) =>
          this.host.log(`Configuration reload failed: ${String(e)}`),
        );
      }, DEBOUNCE_MS);
      return;
    }
    // Ignored files are not part of the workspace at all, open or not.
    this.pending.set(uri, this.isIgnored(uri) ? null : text);
    this.schedule(delay);
  }

  /**
   * The wait before validating an edit of an open document. The first edit after a pause (no edit of it
   * for DEBOUNCE_MS) is validated at once: a value changed is answered in one pass's time. Edits that
   * follow it closely are a burst, debounced (`debounceFor`).
   */
  private editDelay(uri: string, text: string): number {
    const now = performance.now();
    const last = this.lastEdit.get(uri);
    this.lastEdit.set(uri, now);
    return last === undefined || now - last >= DEBOUNCE_MS ? 0 : this.debounceFor(uri, text);
  }

  /**
   * The wait before validating an edited document: twice what its last validation took (an estimate from
   * its size before the first), between MIN_DEBOUNCE_MS and DEBOUNCE_MS — a keystroke in a small file is
   * answered at once, a burst of keystrokes in a big one is still validated once.
   */
  private debounceFor(uri: string, text: string): number {
    const estimate = this.passMs.get(uri) ?? text.length / 2000;
    return Math.round(Math.min(DEBOUNCE_MS, Math.max(MIN_DEBOUNCE_MS, 2 * estimate)));
  }

  private async scan(): Promise<number> {
    const { files, truncated } = await scanFolders(
      this.folders,
      this.ignored,
      uriToPath(this.configUri ?? ''),
    );
    this.fullPass = true;
    if (truncated)
      this.host.log(`Workspace scan stopped at ${files.length} files; the rest is not analysed.`);
    const seen = new Set<string>();
    for (const f of files) {
      seen.add(f.uri);
      if (!this.open.has(f.uri)) this.pending.set(f.uri, f.text);
    }
    // Files gone since the last scan (deleted while no watcher ran).
    for (const uri of this.advisor.paths())
      if (!seen.has(uri) && !this.open.has(uri)) this.pending.set(uri, null);
    return files.length;
  }

  // -------------------------------------------------------------------------------------------------
  // Validation

  schedule(delay = DEBOUNCE_MS): void {
    this.timer?.cancel();
    const run = (): void => {
      this.timer = undefined;
      void this.flush();
    };
    if (delay <= 0) {
      const immediate = setImmediate(run);
      this.timer = { cancel: () => clearImmediate(immediate) };
    } else {
      const timeout = setTimeout(run, delay);
      this.timer = { cancel: () => clearTimeout(timeout) };
    }
  }

  /** Runs a validation pass now (or after the running one). Resolves when everything pending is published. */
  async flush(): Promise<void> {
    this.timer?.cancel();
    this.timer = undefined;
    if (this.running) {
      this.rerun = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.rerun = false;
          await this.pass();
        } while (this.rerun || this.pending.size > 0);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /** Hands one pending text to the advisor (parses it if it changed). */
  private apply(uri: string): void {
    if (!this.pending.has(uri)) return;
    const text = this.pending.get(uri);
    this.pending.delete(uri);
    const before = this.advisor.model(uri);
    if (text === null || text === undefined) this.advisor.removeFile(uri);
    else this.advisor.setFile(uri, text);
    const after = this.advisor.model(uri);
    // Always in the next pass's scope (an open document's diagnostics carry its version); the models
    // widen the scope only when the file's content changed.
    const models = this.dirty.get(uri) ?? [];
    this.dirty.set(uri, after !== before ? [...models, before, after] : models);
    const open = this.open.get(uri);
    if (open && text === open.text) this.appliedVersion.set(uri, open.version);
  }

  private async pass(): Promise<void> {
    const started = performance.now();
    const slice = timeSlicer(SLICE_MS);
    const applied = this.pending.size;
    for (const uri of [...this.pending.keys()]) {
      this.apply(uri);
      await slice();
    }
    const scope = this.fullPass ? undefined : this.affectedFiles();
    this.fullPass = false;
    this.dirty.clear();
    // Quick fixes travel in Diagnostic.data: they are built for the open documents published below only
    // (a closed file has no trees to edit; opening it re-parses it). A request answered between two steps
    // may apply a newer text (fresh()): the run keeps the index it started with.
    const fixes = new Set(
      [...this.open.keys()].filter((uri) => (!scope || scope.has(uri)) && !this.quickOpen.has(uri)),
    );
    const index = await runSliced(this.advisor.indexSteps(), slice);
    const { findings, failures } = await runSliced(
      this.advisor.analysisSteps(index, scope, { fixes }),
      slice,
    );
    for (const f of failures) {
      if (this.reportedFailures.has(f.rule)) continue;
      this.reportedFailures.add(f.rule);
      this.host.log(`Rule ${f.rule} failed and was skipped: ${f.message}`);
      if (!this.warnedFailure) {
        this.warnedFailure = true;
        this.host.showWarning(
          `Stateful HA: rule ${f.rule} failed and was skipped; see the Stateful HA output for details.`,
        );
      }
    }
    const byFile = new Map<string, Finding[]>();
    for (const f of findings) {
      const list = byFile.get(f.range.file);
      if (list) list.push(f);
      else byFile.set(f.range.file, [f]);
    }
    const uris = scope ?? new Set([...this.advisor.paths(), ...this.published.keys()]);
    if (this.configUri && !scope) uris.add(this.configUri);
    if (!scope) for (const uri of this.unreadConfigs.keys()) uris.add(uri);
    let publications = 0;
    let lastWritten: Promise<void> | undefined;
    for (const uri of uris) {
      await slice();
      // A file applied since the analysis started (by a request, or a close) is published by the pass its
      // change scheduled: these findings may be older than its model.
      if (this.advisor.model(uri) !== index.files.get(uri)) continue;
      const open = this.open.get(uri);
      // Diagnostics for a text older than the editor's would flash back stale squiggles: the pass that
      // applies the newer text publishes instead.
      if (open && this.advisor.has(uri) && this.appliedVersion.get(uri) !== open.version) continue;
      const written = this.publish(uri, this.diagnosticsFor(uri, byFile.get(uri) ?? []), open?.version);
      if (written) lastWritten = written;
      // Back-pressure: at most PUBLISH_BATCH publications waiting to be written.
      if (written && ++publications % PUBLISH_BATCH === 0) await written.catch(() => undefined);
    }
    this.host.sendCounts(this.counts());
    // Documents read without their trees (just opened, published above): parse them again, with trees —
    // once their diagnostics are written (the transport writes asynchronously; the parse would hold them).
    let reread = false;
    for (const uri of [...this.quickOpen]) {
      if (this.pending.has(uri)) continue;
      this.quickOpen.delete(uri);
      const open = this.open.get(uri);
      if (!open) continue;
      this.pending.set(uri, open.text);
      reread = true;
    }
    if (reread) await lastWritten?.catch(() => undefined);
    if (scope && applied <= 1) {
      const ms = performance.now() - started;
      for (const uri of scope) if (this.open.has(uri)) this.passMs.set(uri, ms);
    }
  }

  private diagnosticsFor(uri: string, findings: Finding[]): Diagnostic[] {
    if (!this.settings.enable) return [];
    if (uri === this.configUri) return this.configProblems;
    const unread = this.unreadConfigs.get(uri);
    if (unread) return unread;
    const source = this.advisor.model(uri)?.source;
    if (!source || this.isIgnored(uri)) return [];
    const open = this.open.get(uri);
    if (!handledKind(uri, source, open?.languageId)) return [];
    return [
      ...sourceDiagnostics(source),
      ...this.schemaFor(uri, source),
      ...findings.map((f) => findingToDiagnostic(f, open?.version)),
    ];
  }

  /** Schema diagnostics of a parsed file, computed once per version (from its trees: before they are released). */
  private schemaFor(uri: string, source: SourceFile): Diagnostic[] {
    let schema = this.schemaCache.get(source);
    if (!schema) {
      try {
        schema = schemaDiagnostics(source, this.schemaDocCache);
      } catch (e) {
        this.host.log(`Schema validation failed for ${uri}: ${e instanceof Error ? e.message : String(e)}`);
        schema = [];
      }
      this.schemaCache.set(source, schema);
    }
    return schema;
  }

  private publish(uri: string, all: Diagnostic[], version: number | undefined): void | Promise<void> {
    const last = this.published.get(uri);
    const diagnostics = shownDiagnostics(all);
    const next = publication(diagnostics, all, version);
    // A new version of an open document carries its version in every finding's data: it always differs
    // from what was published, and its hash is computed only when a later pass needs to compare with it.
    if (version === undefined || last?.version === undefined || last.version === version) {
      // When only some are shown, the counts of all are part of the hash: the status bar shows them.
      next.hash = digest(diagnostics, diagnostics === all ? undefined : next);
      if (last) last.hash ??= digest(last.diagnostics ?? []);
      if (last?.hash === next.hash) return;
    }
    if (diagnostics.length === 0 && !this.advisor.has(uri)) this.published.delete(uri);
    else this.published.set(uri, next);
    if (!last && diagnostics.length === 0) return; // nothing shown before, nothing to clear
    return this.host.publishDiagnostics(uri, diagnostics, version);
  }

  counts(): Counts {
    const c: Counts = { errors: 0, warnings: 0, infos: 0, files: 0 };
    for (const p of this.published.values()) {
      if (p.errors + p.warnings + p.infos > 0) c.files++;
      c.errors += p.errors;
      c.warnings += p.warnings;
      c.infos += p.infos;
    }
    return c;
  }

  /** The diagnostics last published for an open document (a closed file's are not kept). */
  diagnostics(uri: string): Diagnostic[] {
    return this.published.get(canonicalUri(uri))?.diagnostics ?? [];
  }

  /**
   * The files whose findings the changes since the last pass can affect (undefined = all). Compose files
   * only affect themselves (members, volumes and backup services are per file). A Kubernetes file holding
   * only workloads affects itself and the files with budgets, storage classes or volumes (judged against the
   * workloads they select or serve). Any other object (a StorageClass, PDB, claim, DR schedule) may change any
   * workload's findings: everything is re-analysed, and only changed diagnostics are published.
   */
  private affectedFiles(): Set<string> | undefined {
    const files = new Set(this.dirty.keys());
    let workloadsChanged = false;
    for (const model of [...this.dirty.values()].flat()) {
      const kind = model?.source?.kind;
      if (!model || kind === 'compose' || kind === 'other') continue;
      if (model.objects.some(isSharedObject)) return undefined;
      if (model.workloads.length > 0) workloadsChanged = true;
    }
    if (workloadsChanged) {
      for (const path of this.advisor.paths())
        if (this.advisor.model(path)?.objects.some(isSharedObject)) files.add(path);
    }
    return files;
  }

  /** Brings one document's model up to date before answering a request about it. */
  private fresh(uri: string): void {
    if (this.pending.has(uri)) {
      this.apply(uri);
      this.schedule(); // its diagnostics still need publishing
    }
  }

  // -------------------------------------------------------------------------------------------------
  // Requests

  hover(uri: string, position: Position): Hover | null {
    uri = canonicalUri(uri);
    this.fresh(uri);
    if (!this.settings.enable || !this.handles(uri)) return null;
    return hover(this.advisor.indexFor(uri), uri, position, this.diagnostics(uri));
  }

  codeLens(uri: string): CodeLens[] {
    uri = canonicalUri(uri);
    this.fresh(uri);
    if (!this.settings.enable || !this.handles(uri)) return [];
    return codeLenses(this.advisor.indexFor(uri), uri);
  }

  async codeActions(params: CodeActionParams): Promise<CodeAction[]> {
    const uri = canonicalUri(params.textDocument.uri);
    if (!this.settings.enable) return [];
    // A file just opened was analysed closed, without its trees: its fixes come with the pass its opening
    // scheduled (as do those of a text edited since the last pass). Run that pass now — but wait for it at
    // most CODE_ACTIONS_WAIT_MS: while a big workspace is first indexed, a pass takes tens of seconds.
    const open = this.open.get(uri);
    let pass: Promise<void> | undefined;
    if (open && (this.pending.has(uri) || this.dirty.has(uri))) pass = this.flush();
    else if (open && this.published.get(uri)?.version !== open.version) pass = this.running;
    if (pass) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([pass, new Promise((r) => (timer = setTimeout(r, CODE_ACTIONS_WAIT_MS)))]);
      clearTimeout(timer);
    }
    const published = this.diagnostics(uri);
    // The client's copies of those diagnostics may predate the fixes: take the published ones instead.
    const context = params.context.diagnostics.map((d) =>
      diagnosticData(d)?.fixes.length ? d : (published.find((p) => sameDiagnostic(p, d)) ?? d),
    );
    return codeActions({
      uri,
      range: params.range,
      contextDiagnostics: context,
      only: params.context.only,
      fileDiagnostics: published,
      version: this.open.get(uri)?.version,
    });
  }

  summary(params: SummaryParams): SummaryResult | null {
    if (params.uri) this.fresh(canonicalUri(params.uri));
    const index = this.advisor.index();
    const byId = (x: Workload) => x.id === params.workloadId;
    const w = params.workloadId
      ? ((params.uri ? index.workloadsIn(canonicalUri(params.uri)).find(byId) : undefined) ??
        index.workloads.find(byId))
      : params.uri && params.position
        ? workloadAt(index, canonicalUri(params.uri), params.position)
        : undefined;
    if (!w) return null;
    return { workloadId: w.id, ref: w.ref, markdown: renderMarkdown(summarize(index, w)) };
  }

  async lintWorkspace(): Promise<LintWorkspaceResult> {
    await this.reloadConfig();
    await this.scan();
    await this.flush();
    return { ...this.counts(), scanned: this.advisor.paths().length };
  }

  /**
   * Gives back what the service keeps only to answer faster (the index's resolved workloads): called when
   * the server is idle, before its heap is compacted. Nothing is lost: the next question rebuilds it.
   */
  releaseCaches(): void {
    this.advisor.releaseResolved();
  }

  /** Work pending or under way between messages: a pass scheduled or running, texts not yet applied. */
  busy(): boolean {
    return this.running !== undefined || this.timer !== undefined || this.pending.size > 0;
  }

  /** The advisor's counters (a copy), answered to `statefulHa/stats` — benchmarks and tests only. */
  stats(): Advisor['stats'] {
    return { ...this.advisor.stats };
  }

  rules(): RuleInfo[] {
    return RULES.map((r) => ({
      id: r.meta.id,
      summary: r.meta.summary,
      defaultSeverity: r.meta.defaultSeverity,
      docsUrl: r.meta.docsUrl,
      fixable: r.meta.fixable,
    }));
  }

  private handles(uri: string): boolean {
    if (uri === this.configUri || this.isIgnored(uri)) return false;
    return handledKind(uri, this.advisor.model(uri)?.source, this.open.get(uri)?.languageId) !== undefined;
  }
}

function sameDiagnostic(a: Diagnostic, b: Diagnostic): boolean {
  return (
    a.code === b.code &&
    a.message === b.message &&
    a.range.start.line === b.range.start.line &&
    a.range.start.character === b.range.start.character &&
    a.range.end.line === b.range.end.line &&
    a.range.end.character === b.range.end.character
  );
}

/** A function to await between units of work: it yields to the event loop once `ms` have passed since the last yield. */
function timeSlicer(ms: number): () => Promise<void> {
  let last = performance.now();
  return async () => {
    if (performance.now() - last < ms) return;
    await new Promise((r) => setImmediate(r));
    last = performance.now();
  };
}

/** What was last published for a file: its counts and hash, and the diagnostics of an open document. */
interface Publication {
  hash: string | undefined;
  /**
   * Kept for an open document (hover, code actions) only: a closed file's would be most of the server's
   * memory in a large workspace (24 MB for 5,000 files), and opening a file publishes it again.
   */
  diagnostics: Diagnostic[] | undefined;
  version: number | undefined;
  errors: number;
  warnings: number;
  infos: number;
}

/** `diagnostics` as published (its hash set by the caller); the counts are of `all` (the status bar counts every problem). */
function publication(diagnostics: Diagnostic[], all: Diagnostic[], version: number | undefined): Publication {
  const p: Publication = {
    hash: undefined,
    diagnostics: version === undefined ? undefined : diagnostics,
    version,
    errors: 0,
    warnings: 0,
    infos: 0,
  };
  for (const d of all) {
    if (d.severity === DiagnosticSeverity.Error) p.errors++;
    else if (d.severity === DiagnosticSeverity.Warning) p.warnings++;
    else p.infos++;
  }
  return p;
}

/**
 * A digest of a file's diagnostics, to tell whether they changed (kept per file: 28 characters, not the JSON),
 * with the counts of all its problems when only some are published.
 */
function digest(
  diagnostics: Diagnostic[],
  counts?: Pick<Publication, 'errors' | 'warnings' | 'infos'>,
): string {
  const hash = createHash('sha1').update(JSON.stringify(diagnostics));
  if (counts) hash.update(`${counts.errors}/${counts.warnings}/${counts.infos}`);
  return hash.digest('base64');
}
