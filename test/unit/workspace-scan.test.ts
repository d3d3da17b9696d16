// Reading workspace files for the language server (scan and watched-file events): only regular files, and
// never a read that can block forever.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readCandidate, scanFolders, SCAN_MAX_FILE_BYTES } from '../../server/src/service/workspace-scan.js';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'stateful-ha-scan-'));
  writeFileSync(join(dir, 'compose.yaml'), 'services:\n  db:\n    image: postgres:16\n');
  writeFileSync(join(dir, 'big.yaml'), `services:\n${'#'.repeat(SCAN_MAX_FILE_BYTES)}\n`);
  execFileSync('mkfifo', [join(dir, 'fifo.yaml')]);
  symlinkSync(join(dir, 'fifo.yaml'), join(dir, 'to-fifo.yaml'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Fails instead of hanging: a FIFO opened for reading blocks until a writer comes. */
function within<T>(ms: number, p: Promise<T>): Promise<T> {
  return Promise.race([
    p,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref(),
    ),
  ]);
}

describe('workspace files', () => {
  it('readCandidate reads a regular file', async () => {
    assert.match((await readCandidate(join(dir, 'compose.yaml')))!, /postgres:16/);
  });

  it('readCandidate returns at once for a FIFO, directly or through a link (no blocked thread)', async () => {
    assert.equal(await within(2000, readCandidate(join(dir, 'fifo.yaml'))), undefined);
    assert.equal(await within(2000, readCandidate(join(dir, 'to-fifo.yaml'))), undefined);
  });

  it('readCandidate skips files over the limit, missing files and folders', async () => {
    assert.equal(await readCandidate(join(dir, 'big.yaml')), undefined);
    assert.equal(await readCandidate(join(dir, 'missing.yaml')), undefined);
    assert.equal(await readCandidate(dir), undefined);
  });

  it('the scan reads the regular files only', async () => {
    const { files } = await within(
      5000,
      scanFolders([dir], () => false),
    );
    assert.deepEqual(
      files.map((f) => f.uri.split('/').pop()),
      ['compose.yaml'],
    );
  });
});
