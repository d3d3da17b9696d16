// Harness self-test (opt-in: `node test/e2e/run.mjs harness-probe`): exercises every UI helper of
// harness.mjs against the tiny probe extension in ../probe-extension (loaded as a development extension),
// so a broken helper can be told apart from a broken product. Needs no .vsix.
import assert from 'node:assert/strict';
import path from 'node:path';
import { E2E_DIR, waitFor } from '../harness.mjs';

export const name = 'harness-probe';
export const optIn = true;
export const options = { vsix: null, extensionDevelopmentPath: path.join(E2E_DIR, 'probe-extension') };

export const tests = [
  {
    name: 'open a file via the explorer; squiggle from the probe',
    fn: async (vs) => {
      await vs.openFile('kubernetes/etcd.yaml', { via: 'explorer' });
      assert.ok((await vs.waitForSquiggles({ severity: 'warning' })) >= 1);
      await vs.screenshot('explorer-open-squiggle');
    },
  },
  {
    name: 'Problems panel lists the probe finding with its code and position',
    fn: async (vs) => {
      const entries = await vs.waitForProblems((ps) => ps.some((p) => p.code === 'probe-quorum'));
      const p = entries.find((e) => e.code === 'probe-quorum');
      assert.equal(p.severity, 'warning');
      assert.equal(p.line, vs.locate('kubernetes/etcd.yaml', 'replicas: 2').line);
      await vs.screenshot('problems');
      await vs.closePanel();
    },
  },
  {
    name: 'quick fix (Ctrl+.) removes the finding and edits the file',
    fn: async (vs) => {
      const at = vs.locate('kubernetes/etcd.yaml', 'replicas: 2');
      await vs.quickFix(
        'kubernetes/etcd.yaml',
        { line: at.line, column: at.column + 'replicas: '.length },
        'Set replicas to 3',
        {
          screenshot: 'quickfix-menu',
        },
      );
      await waitFor(async () => (await vs.squiggleCount('warning')) === 0, { what: 'the squiggle to go' });
      await vs.save();
      assert.match(vs.readFile('kubernetes/etcd.yaml'), /^ {2}replicas: 3$/m);
      await vs.screenshot('after-quickfix');
    },
  },
  {
    name: 'hover and code lens',
    fn: async (vs) => {
      const lenses = await vs.codeLenses();
      assert.deepEqual(lenses, ['HA: probe ×1', 'HA: probe ×1'].slice(0, lenses.length));
      const text = await vs.hoverAt('name: etcd', { contains: 'server failure' });
      assert.match(text, /disaster/);
      await vs.screenshot('hover');
      await vs.dismissHover();
    },
  },
  {
    name: 'Quick Open, command palette, notification',
    fn: async (vs) => {
      await vs.openFile('swarm/stack.yml');
      await vs.runCommand('E2E Probe: Say Hello');
      await waitFor(
        async () => (await vs.notifications()).some((t) => t.includes('Hello from the e2e probe')),
        { what: 'the notification' },
      );
      await vs.screenshot('command-notification');
    },
  },
];
