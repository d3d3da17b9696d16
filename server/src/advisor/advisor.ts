// The advisor as a stateful workspace: files are parsed once per version and cached, the index is
// rebuilt only when a file changed, and analysis can be limited to the files a change can affect.
// Used by the language server, the CLI and the operations code; no I/O here.
import { analyze, type AnalysisResult, type AnalyzeOptions } from './analyze.js';
import { Catalog } from './catalog/catalog.js';
import type { AdvisorConfig } from './config/config.js';
import { buildIndex } from './index/build-index.js';
import type { Severity } from './model/model.js';
import type { FileModel, WorkspaceIndex } from './model/workspace.js';
import { DocumentCache, parseFile } from './parse/parse-file.js';

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
}

export interface AdvisorOptions {
  /**
   * Files whose parse is cached per document, so that the next version re-parses only the documents that
   * changed (the language server: open documents). Default: every file.
   */
  incremental?: (path: string) => boolean;
}

export class Advisor {
  private readonly models = new Map<string, FileModel>();
  private readonly caches = new Map<string, DocumentCache>();
  private readonly incremental: (path: string) => boolean;
  private cachedIndex: WorkspaceIndex | undefined;
  private catalog: Catalog;
  private severities: Record<string, Severity | 'off'>;
  readonly stats: AdvisorStats = { parses: 0, indexBuilds: 0, documentParses: 0 };

  constructor(config?: Pick<AdvisorConfig, 'catalog' | 'severities'>, options: AdvisorOptions = {}) {
    this.catalog = config?.catalog ?? new Catalog();
    this.severities = config?.severities ?? {};
    this.incremental = options.incremental ?? (() => true);
  }

  /** Applies a new configuration; every file is re-parsed (the catalog may have changed). */
  configure(config: Pick<AdvisorConfig, 'catalog' | 'severities'>): void {
    this.catalog = config.catalog;
    this.severities = config.severities;
    this.caches.clear();
    for (const [path, model] of this.models) {
      if (model.source) this.models.set(path, this.parse(path, model.source.text));
    }
    this.cachedIndex = undefined;
  }

  /** Adds or updates a file. Returns false when the text is unchanged (nothing re-parsed). */
  setFile(path: string, text: string): boolean {
    const existing = this.models.get(path);
    if (existing?.source?.text === text) return false;
    this.models.set(path, this.parse(path, text));
    this.cachedIndex = undefined;
    return true;
  }

  /** Adds or replaces a model built elsewhere (a live cluster snapshot). */
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
    if (!this.cachedIndex) {
      this.cachedIndex = buildIndex([...this.models.values()], this.catalog);
      this.stats.indexBuilds++;
    }
    return this.cachedIndex;
  }

  /**
   * Runs the rules; with `onlyFiles`, findings are limited to those files. `fixes` says which findings get
   * their quick fixes built (default: all).
   */
  analyze(onlyFiles?: ReadonlySet<string>, options: Pick<AnalyzeOptions, 'fixes'> = {}): AnalysisResult {
    return analyze(this.index(), {
      catalog: this.catalog,
      severities: this.severities,
      onlyFiles,
      fixes: options.fixes,
    });
  }

  private parse(path: string, text: string): FileModel {
    this.stats.parses++;
    let cache: DocumentCache | undefined;
    if (this.incremental(path)) {
      cache = this.caches.get(path);
      if (!cache) this.caches.set(path, (cache = new DocumentCache()));
    } else this.caches.delete(path);
    return parseFile(path, text, this.catalog, { cache, stats: this.stats });
  }
}
