// Bundles the entry points: one file each for the VS Code client, the language server and the CLI, plus the
// CLI's parse worker (dist/parse-worker.js, only the parser: a worker starts in ~0.1 s instead of ~0.4 s for
// the whole CLI bundle with its Docker client).
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { schemaValidatorsCode } from './scripts/schema-validators.mjs';

// `yaml` as ES modules (its browser build: the same code, without `process`): bundled from CommonJS, every
// use of an import (`isMap`, `isScalar`… on every node) goes through an interop getter, ~3% of a lint run.
const yamlAsModules = {
  name: 'yaml-as-modules',
  setup(build) {
    const entry = fileURLToPath(new URL('./node_modules/yaml/browser/index.js', import.meta.url));
    build.onResolve({ filter: /^yaml$/ }, () => ({ path: entry }));
  },
};

const production = process.argv.includes('--production');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  // Object spread lowered to property-by-property copies: Node 20's V8 gives every object built by a native
  // `{ ...a, b }` a hidden class of its own (195 classes for 200 objects of 4 shapes). On the 5,000-file
  // workspace that was 20 MB of classes, megamorphic reads in every rule, and js-yaml's events (built that
  // way) parsing 3x slower: the lint run went from 15 s to 11 s on one thread, the server's first pass from
  // 24 s to 16 s.
  supported: { 'object-rest-spread': false },
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  plugins: [yamlAsModules],
  // ssh2's optional native helpers are not needed: dockerode falls back to pure JS.
  external: ['vscode', 'cpu-features', './crypto/build/Release/sshcrypto.node'],
};

// The language server's schema validators, compiled here once instead of at every server start.
const precompiledSchemas = {
  name: 'precompiled-schemas',
  setup(build) {
    build.onLoad({ filter: /[\\/]server[\\/]src[\\/]service[\\/]schema-validators\.ts$/ }, () => ({
      contents: schemaValidatorsCode(process.cwd()),
      loader: 'js',
      resolveDir: process.cwd(),
    }));
  },
};

// The CLI and its parse worker carry the same build id: a worker bundle from another build is not used.
const cliBuild = { STATEFUL_HA_BUILD_ID: JSON.stringify(`${Date.now()}-${process.pid}`) };

await Promise.all([
  esbuild.build({ ...common, entryPoints: ['client/src/extension.ts'], outfile: 'dist/client.js' }),
  esbuild.build({
    ...common,
    entryPoints: ['server/src/server.ts'],
    outfile: 'dist/server.js',
    plugins: [yamlAsModules, precompiledSchemas],
  }),
  esbuild.build({
    ...common,
    entryPoints: ['server/src/cli/main.ts'],
    outfile: 'dist/cli.js',
    banner: { js: '#!/usr/bin/env node' },
    define: cliBuild,
  }),
  esbuild.build({
    ...common,
    entryPoints: ['server/src/cli/parse-worker.ts'],
    outfile: 'dist/parse-worker.js',
    define: cliBuild,
  }),
]);
