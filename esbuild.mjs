// Bundles the entry points: one file each for the VS Code client, the language server and the CLI, plus the
// CLI's parse worker (dist/parse-worker.js, only the parser: a worker starts in ~0.1 s instead of ~0.4 s for
// the whole CLI bundle with its Docker client).
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { configValidatorCode, schemaValidatorsCode } from './scripts/schema-validators.mjs';

// `yaml` as ES modules (its browser build: the same code, without `process`): bundled from CommonJS, every
// use of an import (`isMap`, `isScalar`… on every node) goes through an interop getter, ~3% of a lint run.
const yamlAsModules = {
  name: 'yaml-as-modules',
  setup(build) {
    const entry = fileURLToPath(new URL('./node_modules/yaml/browser/index.js', import.meta.url));
    build.onResolve({ filter: /^yaml$/ }, () => ({ path: entry }));
  },
};

// js-yaml's object spreads lowered to property-by-property copies. Node 20's V8 gives every object built
// by a native `{ ...a, b }` a hidden class of its own, and js-yaml builds its parser state that way, once
// per parse: every read of that state in the parser's loop went megamorphic. Its event parser ran 3x faster
// on the 5,000-file workspace (4.1 s to 1.3 s). Not done for the whole bundle: copying a 40-property model
// object property by property turns it into a dictionary. esbuild lowers `{ ...a, b: 1 }` to
// `__spreadProps(__spreadValues({}, a), { b: 1 })`, whose `Object.defineProperties` took 20 µs per parse
// (100 ms on the workspace); js-yaml's literals are plain data (no accessors), so their properties are
// copied by value as the spread itself would: events 1.14–1.21 → 0.90–1.04 s on the workspace's first pass.
const lowerJsYamlSpreads = {
  name: 'lower-js-yaml-spreads',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/]js-yaml[\\/].*\.m?js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const { code } = await esbuild.transform(source, {
        loader: 'js',
        target: 'node20',
        supported: { 'object-rest-spread': false },
        sourcefile: args.path,
      });
      return { contents: code.replaceAll('__spreadProps(', '__spreadValues('), loader: 'js' };
    });
  },
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

// The `.stateful-ha.yaml` validator, compiled here once instead of at every CLI run and server start.
const precompiledConfigValidator = {
  name: 'precompiled-config-validator',
  setup(build) {
    build.onLoad({ filter: /[\\/]server[\\/]src[\\/]advisor[\\/]config[\\/]config-validator\.ts$/ }, () => ({
      contents: configValidatorCode(process.cwd()),
      loader: 'js',
      resolveDir: process.cwd(),
    }));
  },
};

const production = process.argv.includes('--production');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  plugins: [yamlAsModules, lowerJsYamlSpreads, precompiledConfigValidator],
  // ssh2's optional native helpers are not needed: dockerode falls back to pure JS.
  external: ['vscode', 'cpu-features', './crypto/build/Release/sshcrypto.node'],
};

// The CLI and its parse worker carry the same build id: a worker bundle from another build is not used.
const cliBuild = { STATEFUL_HA_BUILD_ID: JSON.stringify(`${Date.now()}-${process.pid}`) };

// The panel's icons: VS Code's own icon font (CC BY 4.0, its licence shipped beside it), in the extension
// because a webview cannot load the workbench's copy. Copied, not bundled: the stylesheet names the font.
const codicons = 'node_modules/@vscode/codicons';
await mkdir('dist/codicons', { recursive: true });
await Promise.all(
  [
    ['dist/codicon.css', 'codicon.css'],
    ['dist/codicon.ttf', 'codicon.ttf'],
    ['LICENSE', 'LICENSE'],
  ].map(([from, to]) => copyFile(`${codicons}/${from}`, `dist/codicons/${to}`)),
);

const bundles = [
  { ...common, entryPoints: ['client/src/extension.ts'], outfile: 'dist/client.js' },
  {
    ...common,
    entryPoints: ['server/src/server.ts'],
    outfile: 'dist/server.js',
    plugins: [...common.plugins, precompiledSchemas],
  },
  {
    ...common,
    entryPoints: ['server/src/cli/main.ts'],
    outfile: 'dist/cli.js',
    banner: { js: '#!/usr/bin/env node' },
    define: cliBuild,
  },
  {
    ...common,
    entryPoints: ['server/src/cli/parse-worker.ts'],
    outfile: 'dist/parse-worker.js',
    define: cliBuild,
  },
];
await Promise.all(bundles.map((options) => esbuild.build(options)));

// Bundles in ASCII. V8 keeps a script's source for as long as the script lives, two bytes per character if a
// single one is outside Latin-1: the dashes and arrows of our own messages (esbuild escapes strings, not
// template literals, regular expressions or the comments it keeps) made the server's 4.7 MB bundle a 9.3 MB
// string in its heap. `\uXXXX` means the same character in a string, template, regular expression,
// identifier or comment. (Columns after an escaped character on its line shift in the source map; only a
// few lines have one.)
for (const { outfile: file } of bundles) {
  const code = await readFile(file, 'utf8');
  // The one place where an escape would not mean the same: a raw template.
  // eslint-disable-next-line no-control-regex -- the characters outside ASCII
  if (/String\.raw`[^`]*[^\x00-\x7f]/.test(code)) throw new Error(`${file}: String.raw with non-ASCII text`);
  // eslint-disable-next-line no-control-regex -- the characters outside ASCII
  const ascii = code.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (ascii !== code) await writeFile(file, ascii);
}
