// The workspace configuration (`.stateful-ha.yaml`): severities, disabled rules, ignore paths, and
// catalog extensions. Validated against schemas/stateful-ha.schema.json; a wrong config yields problems
// naming file, line and key, and the defaults still run.
import Ajv from 'ajv';
import { LineCounter, parseDocument } from 'yaml';
import configSchema from '../../../../schemas/stateful-ha.schema.json';
import { Catalog } from '../catalog/catalog.js';
import { ENGINES, type EngineDefinition } from '../catalog/engines.js';
import {
  BACKUP_TOOLS,
  COMPOSE_DRIVERS,
  KUBERNETES_PROVISIONERS,
  type BackupToolDefinition,
  type StorageDefinition,
} from '../catalog/storage.js';
import type { Severity } from '../model/model.js';
import { Locator } from '../yaml/nodes.js';
import { precompiledConfigValidator } from './config-validator.js';
import { schemaProblems, type SchemaProblem } from './schema-errors.js';

export const CONFIG_FILE_NAME = '.stateful-ha.yaml';

export interface AdvisorConfig {
  catalog: Catalog;
  severities: Record<string, Severity | 'off'>;
  ignorePaths: string[];
}

export interface RawConfig {
  rules?: Record<string, Severity | 'off'>;
  ignore?: string[];
  engines?: (Omit<EngineDefinition, 'name' | 'quorum' | 'dataPaths'> & {
    name?: string;
    quorum?: boolean;
    dataPaths?: string[];
  })[];
  storage?: { compose?: StorageDefinition[]; kubernetes?: StorageDefinition[] };
  backupTools?: BackupToolDefinition[];
}

export interface ConfigResult {
  config: AdvisorConfig;
  problems: SchemaProblem[];
}

let validator: ReturnType<Ajv['compile']> | undefined;
function validate(data: unknown): ReturnType<Ajv['compile']> {
  // Bundled: compiled at build time with these options (scripts/schema-validators.mjs).
  validator ??=
    precompiledConfigValidator ?? new Ajv({ allErrors: true, strict: false }).compile(configSchema);
  validator(data);
  return validator;
}

export function defaultConfig(): AdvisorConfig {
  return { catalog: new Catalog(), severities: {}, ignorePaths: [] };
}

/** Builds the configuration from the raw (already validated) values. User entries come first, so they win. */
export function configFrom(raw: RawConfig): AdvisorConfig {
  const engines: EngineDefinition[] = [
    ...(raw.engines ?? []).map((e) => ({
      ...e,
      name: e.name ?? e.id,
      quorum: e.quorum ?? false,
      dataPaths: e.dataPaths ?? [],
    })),
    ...ENGINES,
  ];
  // Built-ins register their images after user entries; Catalog keeps the first registration.
  const catalog = new Catalog(
    dedupeEngines(engines),
    [...(raw.storage?.compose ?? []), ...COMPOSE_DRIVERS],
    [...(raw.storage?.kubernetes ?? []), ...KUBERNETES_PROVISIONERS],
    [...(raw.backupTools ?? []), ...BACKUP_TOOLS],
  );
  return { catalog, severities: { ...(raw.rules ?? {}) }, ignorePaths: [...(raw.ignore ?? [])] };
}

function dedupeEngines(engines: EngineDefinition[]): EngineDefinition[] {
  const seenImages = new Set<string>();
  return engines.map((e) => {
    const images = e.images.filter((i) => !seenImages.has(i.toLowerCase()));
    for (const i of images) seenImages.add(i.toLowerCase());
    return { ...e, images };
  });
}

/**
 * Parses and validates `.stateful-ha.yaml`. Invalid parts are reported and dropped: a bad rule severity
 * does not disable the other settings; a config that does not parse at all gives the defaults.
 */
export function loadConfig(text: string, file: string, knownRules?: readonly string[]): ConfigResult {
  const lineCounter = new LineCounter();
  const locator = new Locator(file, lineCounter);
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const problems: SchemaProblem[] = [];
  for (const e of doc.errors) {
    problems.push({
      message: `YAML: ${e.message.split('\n')[0]}`,
      path: '(root)',
      range: locator.at(e.pos[0], e.pos[1]),
    });
  }
  if (doc.errors.length > 0) return { config: defaultConfig(), problems };
  const data: unknown = doc.toJS({ maxAliasCount: 100 }) ?? {};
  const v = validate(data);
  if (v.errors?.length) problems.push(...schemaProblems(doc, v.errors, locator));
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    return { config: defaultConfig(), problems };

  const raw = data as RawConfig;
  const bad = new Set(problems.map((p) => p.path.split('.')[0]));
  const kept: RawConfig = {};
  if (!bad.has('ignore') && Array.isArray(raw.ignore)) kept.ignore = raw.ignore;
  if (raw.rules && typeof raw.rules === 'object') {
    kept.rules = {};
    for (const [id, sev] of Object.entries(raw.rules)) {
      if (problems.some((p) => p.path === `rules.${id}`)) continue;
      if (knownRules && !knownRules.includes(id)) {
        const node = doc.getIn(['rules', id], true) as { range?: [number, number] } | undefined;
        const keyPair = (
          doc.getIn(['rules'], true) as
            { items?: { key: { value: unknown; range?: [number, number] } }[] } | undefined
        )?.items?.find((p) => p.key.value === id);
        const r = keyPair?.key.range ?? node?.range;
        problems.push({
          message: `rules.${id}: unknown rule \`${id}\``,
          path: `rules.${id}`,
          range: r ? locator.at(r[0], r[1]) : locator.at(0, 0),
        });
        continue;
      }
      kept.rules[id] = sev;
    }
  }
  if (!bad.has('engines') && Array.isArray(raw.engines)) kept.engines = raw.engines;
  if (!bad.has('storage') && raw.storage) kept.storage = raw.storage;
  if (!bad.has('backupTools') && Array.isArray(raw.backupTools)) kept.backupTools = raw.backupTools;
  return { config: configFrom(kept), problems };
}
