// Editor scenarios against the packaged extension (stateful-ha-advisor.vsix installed into a real
// VS Code 1.100 by code-server) on a copy of ../workspace-fixture:
//   swarm/stack.yml              postgres on a `local` volume, no placement constraint → missing-node-affinity
//   kubernetes/cassandra.yaml    3 Cassandra replicas on StorageClass px-db (storage/px-db.yaml, repl "3")
//                                → double-replication; code lens `HA: app ×3 · storage ×3 = 9 copies …`
//   kubernetes/etcd.yaml         etcd with 2 replicas → quorum-size; quick fix "Set replicas to 3"
import assert from 'node:assert/strict';
import { waitFor } from '../harness.mjs';

export const name = 'editor';

const has = (rule) => (ps) => ps.some((p) => p.code === rule || p.text.includes(rule));
const find = (ps, rule) => ps.find((p) => p.code === rule || p.text.includes(rule));

export const tests = [
  {
    name: 'the extension is installed and enabled',
    fn: async (vs) => {
      const names = await vs.enabledExtensions();
      assert.ok(
        names.some((n) => /Stateful HA Advisor/i.test(n)),
        `enabled: ${names.join(', ')}`,
      );
      await vs.screenshot('extensions-view');
      await vs.runCommand('View: Show Explorer');
    },
  },
  {
    name: 'swarm stack: postgres on a local volume → missing-node-affinity squiggle and Problems entry',
    fn: async (vs) => {
      await vs.openFile('swarm/stack.yml');
      await vs.waitForSquiggles({ severity: 'warning' });
      await vs.screenshot('stack-squiggles');
      const ps = await vs.waitForProblems(has('missing-node-affinity'), {
        what: 'missing-node-affinity in Problems',
      });
      const p = find(ps, 'missing-node-affinity');
      const at = vs.locate('swarm/stack.yml', '- pgdata:/var/lib/postgresql/data');
      assert.equal(p.severity, 'warning');
      assert.equal(p.line, at.line, JSON.stringify(p));
      assert.match(p.message, /postgres/);
      await vs.screenshot('stack-problems');
      await vs.closePanel();
    },
  },
  {
    name: 'the extension is active: output channel "Stateful HA"',
    fn: async (vs) => {
      const channels = await vs.outputChannels();
      assert.ok(channels.includes('Stateful HA'), `output channels: ${channels.join(', ')}`);
    },
  },
  {
    name: 'swarm stack: quick fix pins postgres to its node',
    fn: async (vs) => {
      const rel = 'swarm/stack.yml';
      await vs.openFile(rel);
      const at = vs.locate(rel, 'pgdata:/var/lib/postgresql/data');
      await vs.quickFix(
        rel,
        { line: at.line, column: at.column + 2 },
        'Pin `postgres` to the node labelled',
        {
          screenshot: 'stack-quickfix-menu',
        },
      );
      await vs.save();
      const text = vs.readFile(rel);
      assert.match(text, /placement:\n\s+constraints:\n\s+- node\.labels\.postgres-data == true/, text);
      await vs.waitForProblems((ps) => !has('missing-node-affinity')(ps), {
        what: 'missing-node-affinity to disappear',
      });
      await vs.screenshot('stack-after-quickfix');
      await vs.closePanel();
    },
  },
  {
    name: 'Cassandra StatefulSet on a repl "3" StorageClass in another file → double-replication',
    fn: async (vs) => {
      await vs.openFile('kubernetes/cassandra.yaml');
      await vs.waitForSquiggles({ severity: 'warning' });
      const ps = await vs.waitForProblems(has('double-replication'), {
        what: 'double-replication in Problems',
      });
      const p = find(ps, 'double-replication');
      // Reported on the data volume's mount in the StatefulSet (the StorageClass is a related location).
      assert.equal(p.line, vs.locate('kubernetes/cassandra.yaml', '- name: data').line, JSON.stringify(p));
      assert.equal(p.source, 'stateful-ha');
      assert.match(p.message, /3 × 3 = 9 copies/);
      await vs.screenshot('cassandra-problems');
      await vs.closePanel();
    },
  },
  {
    name: 'code lens `HA: app ×3 · storage ×3 = 9 copies` above the Cassandra StatefulSet',
    fn: async (vs) => {
      await vs.openFile('kubernetes/cassandra.yaml');
      const lenses = await vs.codeLenses();
      assert.ok(
        lenses.some((l) => /^HA: app ×3 · storage ×3 = 9 copies/.test(l)),
        `code lenses: ${JSON.stringify(lenses)}`,
      );
      await vs.screenshot('cassandra-codelens');
    },
  },
  {
    name: 'hover on the workload name shows the HA summary',
    fn: async (vs) => {
      await vs.openFile('kubernetes/cassandra.yaml');
      const text = await vs.hoverAt('name: cassandra', { contains: /server failure/i });
      assert.match(text, /HA summary/i);
      assert.match(text, /disaster/i);
      await vs.screenshot('cassandra-hover');
      await vs.dismissHover();
    },
  },
  {
    name: 'etcd with 2 replicas → quorum-size; quick fix sets replicas to 3',
    fn: async (vs) => {
      const rel = 'kubernetes/etcd.yaml';
      await vs.openFile(rel, { via: 'explorer' });
      await vs.waitForSquiggles({ severity: 'warning' });
      const ps = await vs.waitForProblems(has('quorum-size'), { what: 'quorum-size in Problems' });
      assert.equal(find(ps, 'quorum-size').line, vs.locate(rel, 'replicas: 2').line);
      await vs.screenshot('etcd-problems');
      await vs.closePanel();
      const at = vs.locate(rel, 'replicas: 2');
      await vs.quickFix(
        rel,
        { line: at.line, column: at.column + 'replicas: '.length },
        'Set replicas to 3',
        {
          screenshot: 'etcd-quickfix-menu',
        },
      );
      await vs.save();
      assert.match(vs.readFile(rel), /^ {2}replicas: 3$/m);
      await vs.waitForProblems((ps2) => !has('quorum-size')(ps2), { what: 'quorum-size to disappear' });
      await waitFor(async () => (await vs.squiggleCount()) === 0, { what: 'no squiggles left in etcd.yaml' });
      await vs.closePanel();
      await vs.screenshot('etcd-after-quickfix');
    },
  },
];
