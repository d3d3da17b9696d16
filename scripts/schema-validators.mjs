// Ajv "standalone" code for the schemas the language server validates against (compose spec + the
// Kubernetes kinds in schemas/kubernetes). esbuild.mjs puts it in place of server/src/service/schema-validators.ts
// in the bundle: compiling the compose spec at run time blocks the server for ~3 s on its first compose file.
// The ajv options must match those of schema-validation.ts (which compiles at run time when unbundled).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';

export const AJV_OPTIONS = { allErrors: true, strict: false, validateFormats: false };

export function schemaValidatorsCode(root) {
  const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true, esm: true } });
  const compose = JSON.parse(readFileSync(join(root, 'schemas/compose-spec.json'), 'utf8'));
  // The compose spec names an https draft-07 meta-schema URI ajv does not know; draft-07 is its default.
  delete compose.$schema;
  compose.$id = 'compose-spec';
  ajv.addSchema(compose);
  const refs = { compose: 'compose-spec' };
  const dir = join(root, 'schemas/kubernetes');
  for (const f of readdirSync(dir).sort()) {
    if (!f.endsWith('.json')) continue;
    const schema = JSON.parse(readFileSync(join(dir, f), 'utf8'));
    ajv.addSchema(schema);
    const kind = schema.properties?.kind?.const;
    if (kind) refs[kind] = schema.$id;
  }
  const code = standaloneCode(ajv, refs);
  return `${code}\nexport const precompiled = { ${Object.keys(refs)
    .map((k) => `${JSON.stringify(k)}: ${k}`)
    .join(', ')} };\n`;
}

// The `.stateful-ha.yaml` validator, for the CLI and the server bundles: compiling it at run time took 50 ms
// of every `stateful-ha lint` of a workspace with a configuration (a third of linting a small one). The
// options must match those of server/src/advisor/config/config.ts (which compiles at run time when unbundled).
export const CONFIG_AJV_OPTIONS = { allErrors: true, strict: false };

export function configValidatorCode(root) {
  const ajv = new Ajv({ ...CONFIG_AJV_OPTIONS, code: { source: true, esm: true } });
  const schema = JSON.parse(readFileSync(join(root, 'schemas/stateful-ha.schema.json'), 'utf8'));
  ajv.addSchema(schema);
  return standaloneCode(ajv, { precompiledConfigValidator: schema.$id });
}
