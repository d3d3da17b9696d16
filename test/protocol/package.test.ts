// Packaging: `npm run package` builds the production bundle and a .vsix with vsce; the archive must hold
// only what the installed extension needs, and the manifest must accept VS Code 1.100 (code-server 4.100.3).
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = join(__dirname, '..', '..');

/** Entry names of a zip archive, read from its central directory (no unzip tool needed). */
function zipEntries(buf: Buffer): string[] {
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  assert.ok(eocd >= 0, 'not a zip archive');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    assert.equal(buf.readUInt32LE(p), 0x02014b50, 'bad central directory entry');
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    names.push(buf.toString('utf8', p + 46, p + 46 + nameLen));
    p += 46 + nameLen + extraLen + commentLen;
  }
  return names;
}

/** `^1.91.0`-style ranges only (what engines.vscode uses). */
function caretAccepts(range: string, version: string): boolean {
  const m = /^\^(\d+)\.(\d+)\.(\d+)$/.exec(range.trim());
  assert.ok(m, `unexpected engines.vscode range ${range}`);
  const [maj, min, pat] = version.split('.').map(Number) as [number, number, number];
  const [rMaj, rMin, rPat] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (maj !== rMaj) return false;
  return min > rMin || (min === rMin && pat >= rPat);
}

describe('packaging', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    main: string;
    engines: { vscode: string };
    contributes: { commands: { command: string }[]; configuration: { properties: Record<string, unknown> } };
    activationEvents: string[];
    capabilities: { untrustedWorkspaces: { supported: string; restrictedConfigurations: string[] } };
  };

  it('declares a manifest VS Code 1.100 accepts', () => {
    assert.ok(caretAccepts(pkg.engines.vscode, '1.100.3'), pkg.engines.vscode);
    assert.ok(caretAccepts(pkg.engines.vscode, '1.91.0'));
    assert.equal(pkg.main, './dist/client.js');
    const commands = pkg.contributes.commands.map((c) => c.command);
    for (const c of ['statefulHa.lintWorkspace', 'statefulHa.explainRule', 'statefulHa.showSummary'])
      assert.ok(commands.includes(c), c);
    for (const s of [
      'statefulHa.enable',
      'statefulHa.rules',
      'statefulHa.configFile',
      'statefulHa.trace.server',
    ]) {
      assert.ok(s in pkg.contributes.configuration.properties, s);
    }
    assert.ok(pkg.activationEvents.includes('onLanguage:dockercompose'));
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.deepEqual(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations.sort(), [
      'statefulHa.configFile',
      'statefulHa.docker.context',
      'statefulHa.docker.host',
      'statefulHa.rules',
    ]);
    assert.ok(!('yamlValidation' in pkg.contributes));
  });

  it('packages a .vsix with only the runtime files', { timeout: 300_000 }, () => {
    const r = spawnSync('npm', ['run', 'package'], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    const entries = zipEntries(readFileSync(join(ROOT, 'stateful-ha-advisor.vsix')))
      .filter((e) => e.startsWith('extension/'))
      .map((e) => e.slice('extension/'.length));
    const allowed = [
      /^package\.json$/,
      // vsce renames README.md to readme.md and LICENSE to LICENSE.txt.
      /^readme\.md$/i,
      /^LICENSE(\.txt)?$/,
      /^changelog\.md$/i,
      /^dist\/(client|server)\.js$/,
      // The panel's icon font and its licence.
      /^dist\/codicons\/(codicon\.(css|ttf)|LICENSE)$/,
      /^schemas\/.+\.(json|md)$/,
      /^media\/.+$/,
      /^docs\/rules\/[a-z0-9-]+\.md$/,
    ];
    const extra = entries.filter((e) => !allowed.some((a) => a.test(e)));
    assert.deepEqual(extra, [], 'unexpected files in the .vsix');
    for (const need of [
      'package.json',
      'dist/client.js',
      'dist/server.js',
      'schemas/compose-spec.json',
      'LICENSE',
      'dist/codicons/codicon.css',
      'dist/codicons/codicon.ttf',
      'dist/codicons/LICENSE',
    ]) {
      assert.ok(
        entries.includes(need) || entries.includes(`${need}.txt`),
        `missing ${need}: ${entries.join(', ')}`,
      );
    }
    assert.ok(!entries.some((e) => e.endsWith('.map')), 'no source maps in the production package');
  });
});
