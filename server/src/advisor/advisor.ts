// The advisor as a stateful workspace: files are parsed once per version and cached, the index is
// rebuilt only when a file changed, and analysis can be limited to the files a change can affect.
// Used by the language server, the CLI and the operations code; no I/O here.
import { analysisSteps, analyze, type AnalysisResult, type AnalyzeOptions } from './analyze.js';
import { Catalog } from './catalog/catalog.js';
import type { AdvisorConfig } from './config/config.js';
import { buildIndex, indexSteps } from './index/build-index.js';
import type { ObjectBase, Severity } from './model/model.js';
import { isSharedObject, type FileModel, type WorkspaceIndex } from './model/workspace.js';
import { FixCache } from './fix/fix-cache.js';
import {
  DocumentCache,
  packText,
  parseFile,
  releaseTrees,
  unpackText,
  type TextPacker,
  type Tokens,
} from './parse/parse-file.js';
import { finish } from './steps.js';

export interface AdvisorStats {
  /** Files parsed since creation (a counter: proves unchanged files are not re-parsed). */
  parses: number;
  /** Index builds since creation. */
  indexBuilds: number;
  /**
   * YAML documents handed to the parser since creation (a counter: proves that an edit in one document of
   * a multi-document file re-parses that document only).
   */
  documentParses: number;
  /**
   * Quick fixes built since creation (a counter: proves that an edit rebuilds the fixes of the documents
   * it touched only; the others come from the fix cache).
   */
  fixBuilds: number;
  /** Indexes that let their resolved workloads go (`releaseResolved`, an idle server). */
  resolvedReleases: number;
}

export interface AdvisorOptions {
  /**
   * Files whose parse is cached per document, so that the next version re-parses only the documents that
   * changed (the language server: open documents). Default: every file.
   */
  incremental?: (path: string) => boolean;
  /**
   * Files whose YAML trees are kept after parsing, for quick fixes (the language server: open documents;
   * the CLI: all, for SARIF, or none). The others keep only their model. Default: every file.
   */
  keepTrees?: (path: string) => boolean;
  /** Called with a freshly parsed model just before its trees are released (schema validation needs them). */
  beforeRelease?: (model: FileModel) => void;
  /** Packs the text of a file whose trees are released (the language server compresses closed files'). */
  packText?: TextPacker;
}

export class Advisor {
  private readonly models = new Map<string, FileModel>();
  private readonly caches = new Map<string, DocumentCache>();
  private readonly fixCache = new FixCache(() => this.stats.fixBuilds++);
  private readonly incremental: (path: string) => boolean;
  private readonly keepTrees: (path: string) => boolean;
  private readonly beforeRelease: ((model: FileModel) => void) | undefined;
  private readonly packText: TextPacker | undefined;
  private cachedIndex: WorkspaceIndex | undefined;
  /** The last index built, kept when files change (see `indexFor`). */
  private lastIndex: WorkspaceIndex | undefined;
  private catalog: Catalog;
  private severities: Record<string, Severity | 'off'>;
  readonly stats: AdvisorStats = {
    parses: 0,
    indexBuilds: 0,
    documentParses: 0,
    fixBuilds: 0,
    resolvedReleases: 0,
  };

  constructor(config?: Pick<AdvisorConfig, 'catalog' | 'severities'>, options: AdvisorOptions = {}) {
    this.catalog = config?.catalog ?? new Catalog();
    this.severities = config?.severities ?? {};
    this.incremental = options.incremental ?? (() => true);
    this.keepTrees = options.keepTrees ?? (() => true);
    this.beforeRelease = options.beforeRelease;
    this.packText = options.packText;
  }

  /** Applies a new configuration; every file is re-parsed (the catalog may have changed). */
  configure(config: Pick<AdvisorConfig, 'catalog' | 'severities'>): void {
    this.catalog = config.catalog;
    this.severities = config.severities;
    this.caches.clear();
    this.fixCache.clear();
    for (const [path, model] of this.models) {
      if (model.source) this.models.set(path, this.parse(path, model.source.text));
    }
    this.cachedIndex = undefined;
  }

  /**
   * Adds or updates a file. Returns false when the text is unchanged (nothing re-parsed) — except that a
   * file whose trees were released is parsed again once they are to be kept (a closed file opened).
   * `tokens`: the text's tokens, read ahead in a CLI worker (used when the trees are not kept).
   */
  setFile(path: string, text: string, tokens?: Tokens): boolean {
    const existing = this.models.get(path);
    if (existing?.source?.text === text) {
      const keep = this.keepTrees(path);
      if (!keep && !existing.source.treesReleased) this.release(existing);
      if (!keep || !existing.source.treesReleased) return false;
    }
    this.models.set(path, this.parse(path, text, tokens));
    this.cachedIndex = undefined;
    return true;
  }

  /** Adds or replaces a model built elsewhere (a live cluster snapshot, a file parsed in a CLI worker). */
  setModel(model: FileModel): void {
    this.models.set(model.path, model);
    this.cachedIndex = undefined;
  }

  removeFile(path: string): boolean {
    this.caches.delete(path);
    const had = this.models.delete(path);
    if (had) this.cachedIndex = undefined;
    return had;
  }

  has(path: string): boolean {
    return this.models.has(path);
  }

  model(path: string): FileModel | undefined {
    return this.models.get(path);
  }

  paths(): string[] {
    return [...this.models.keys()];
  }

  getCatalog(): Catalog {
    return this.catalog;
  }

  index(): WorkspaceIndex {
    return finish(this.indexSteps());
  }

  /**
   * The index, built in steps for a caller that yields between them (a whole workspace's index takes
   * ~0.5 s per 5,000 files). Files set meanwhile invalidate the result: the next call builds anew.
   */
  *indexSteps(): Generator<void, WorkspaceIndex, void> {
    if (this.cachedIndex) return this.cachedIndex;
    const models = [...this.models.values()];
    const index = yield* indexSteps(models, this.catalog);
    this.stats.indexBuilds++;
    // Only if nothing changed while it was built.
    if (models.length === this.models.size && models.every((m) => this.models.get(m.path) === m))
      this.cachedIndex = index;
    this.lastIndex = index;
    return index;
  }

  /**
   * Lets the indexes kept go of their resolved workloads (see `WorkspaceIndex.releaseResolved`): for an idle
   * server. The next question that needs them resolves them again.
   */
  releaseResolved(): void {
    // Often one index: its second release finds nothing to let go and is not counted.
    if (this.cachedIndex?.releaseResolved()) this.stats.resolvedReleases++;
    if (this.lastIndex?.releaseResolved()) this.stats.resolvedReleases++;
  }

  /**
   * An index fit for a question about one file (hover, code lens): the current index if built, else the
   * last one built if that file has not changed since — a stale view of other files, for a moment, rather
   * than a whole-workspace build per request while a big workspace is being indexed.
   */
  indexFor(path: string): WorkspaceIndex {
    const last = this.cachedIndex ?? this.lastIndex;
    const model = this.models.get(path);
    if (last && last.files.get(path) === model) return last;
    if (!model || this.cachedIndex) return this.index();
    // No index has this file yet (it was opened while a big workspace is indexed): one of this file and the
    // files holding objects it can depend on (StorageClasses, budgets, schedules…), not of every workload.
    const models = [...this.models.values()].filter((m) => m === model || m.objects.some(isSharedObject));
    return buildIndex(models, this.catalog);
  }

  /**
   * Runs the rules; with `onlyFiles`, findings are limited to those files. `fixes` says which findings get
   * their quick fixes built (default: all).
   */
  analyze(onlyFiles?: ReadonlySet<string>, options: Pick<AnalyzeOptions, 'fixes'> = {}): AnalysisResult {
    const index = this.index();
    return analyze(index, this.analyzeOptions(index, onlyFiles, options));
  }

  /**
   * The same analysis as `analyze`, in steps (one rule each) for a caller that yields between them, over an
   * index from `indexSteps` (files set meanwhile belong to the next run).
   */
  analysisSteps(
    index: WorkspaceIndex,
    onlyFiles?: ReadonlySet<string>,
    options: Pick<AnalyzeOptions, 'fixes'> = {},
  ): Generator<void, AnalysisResult, void> {
    return analysisSteps(index, this.analyzeOptions(index, onlyFiles, options));
  }

  private analyzeOptions(
    index: WorkspaceIndex,
    onlyFiles: ReadonlySet<string> | undefined,
    options: Pick<AnalyzeOptions, 'fixes'>,
  ): AnalyzeOptions {
    return {
      catalog: this.catalog,
      severities: this.severities,
      onlyFiles,
      fixes: options.fixes,
      hydrate: (file) => this.hydrate(index, file),
      fixCache: this.fixCache,
    };
  }

  /**
   * Gives a released file of `index` its YAML trees back, in place: its documents, and the node of each of
   * its objects (in the model and in the index, which may hold resolved copies). Same text and catalog,
   * same objects and ids: the nodes are matched by id.
   */
  private hydrate(index: WorkspaceIndex, file: string): void {
    const model = index.files.get(file);
    const source = model?.source;
    if (!model || !source?.treesReleased) return;
    const parsed = parseFile(file, source.text, this.catalog, { stats: this.stats });
    this.stats.parses++;
    const nodes = new Map<string, ObjectBase['node']>();
    for (const o of [...parsed.workloads, ...parsed.objects]) nodes.set(o.id, o.node);
    for (const o of [...model.workloads, ...model.objects]) {
      o.node = nodes.get(o.id);
      const inIndex = index.objectsById.get(o.id);
      if (inIndex) inIndex.node = o.node;
    }
    unpackText(source);
    source.documents = parsed.source?.documents ?? [];
    source.treesReleased = false;
  }

  private parse(path: string, text: string, tokens?: Tokens): FileModel {
    this.stats.parses++;
    let cache: DocumentCache | undefined;
    if (this.incremental(path)) {
      cache = this.caches.get(path);
      if (!cache) this.caches.set(path, (cache = new DocumentCache()));
    } else this.caches.delete(path);
    const keep = this.keepTrees(path);
    const fast = !keep && !cache;
    const model = parseFile(path, text, this.catalog, {
      cache,
      stats: this.stats,
      fast,
      tokens: fast ? tokens : undefined,
    });
    if (!keep) this.release(model);
    return model;
  }

  private release(model: FileModel): void {
    this.beforeRelease?.(model);
    releaseTrees(model);
    if (this.packText && model.source) packText(model.source, this.packText);
    this.caches.delete(model.path);
    this.cachedIndex = undefined; // its resolved copies of the workloads still point at the trees
  }
}
