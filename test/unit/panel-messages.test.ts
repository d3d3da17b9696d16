// The panel's webview messages are validated against a schema before the extension acts on them:
// well-formed messages pass, anything else (unknown command, extra properties, ids that are not Docker
// names, wrong types) is rejected with a reason.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { PANEL_COMMANDS, validatePanelMessage } from '../../client/src/panel/messages.js';

describe('panel message validation', () => {
  it('accepts every valid message', () => {
    const valid: unknown[] = [
      { command: 'ready' },
      { command: 'refresh' },
      { command: 'openSettings' },
      { command: 'openRule', rule: 'double-replication' },
      { command: 'failover', service: 'pg_db' },
      { command: 'restart', service: 'db' },
      { command: 'restart', service: 'whofmuda84ipkazrb8sn7iryf' },
      { command: 'decommission', node: 'node2' },
      { command: 'decommission', node: 'worker-1.example.com' },
      { command: 'undrain', node: 'node2' },
    ];
    for (const m of valid) {
      const r = validatePanelMessage(m);
      assert.ok(r.ok, `${JSON.stringify(m)}: ${r.ok ? '' : r.error}`);
      assert.deepEqual(r.ok && r.message, m);
    }
    // Every command the schema knows is covered above.
    assert.deepEqual(
      [...new Set(valid.map((m) => (m as { command: string }).command))].sort(),
      [...PANEL_COMMANDS].sort(),
    );
  });

  it('rejects unknown commands', () => {
    for (const command of ['exec', 'runCommand', 'FAILOVER', '', 'decommission ']) {
      const r = validatePanelMessage({ command, node: 'node2' });
      assert.equal(r.ok, false, command);
      assert.match(!r.ok ? r.error : '', /allowed values/);
    }
  });

  it('rejects extra properties', () => {
    for (const m of [
      { command: 'ready', x: 1 },
      { command: 'refresh', command2: 'failover' },
      { command: 'failover', service: 'db', node: 'node3' },
      { command: 'decommission', node: 'node2', overrides: ['db'] },
      { command: 'openRule', rule: 'quorum-size', url: 'https://example.com' },
    ]) {
      const r = validatePanelMessage(m);
      assert.equal(r.ok, false, JSON.stringify(m));
      assert.match(!r.ok ? r.error : '', /additional properties/);
    }
  });

  it('rejects bad ids and rule names', () => {
    for (const m of [
      { command: 'decommission', node: '../../etc/passwd' },
      { command: 'decommission', node: '' },
      { command: 'decommission', node: 'node2; rm -rf /' },
      { command: 'undrain', node: '-node2' },
      { command: 'failover', service: 'db\nx' },
      { command: 'restart', service: 'a'.repeat(300) },
      { command: 'openRule', rule: 'Double_Replication' },
      { command: 'openRule', rule: 'javascript:alert(1)' },
    ]) {
      const r = validatePanelMessage(m);
      assert.equal(r.ok, false, JSON.stringify(m));
      assert.match(!r.ok ? r.error : '', /must match pattern/);
    }
  });

  it('rejects missing arguments, wrong types and non-objects', () => {
    for (const m of [
      { command: 'failover' },
      { command: 'decommission', node: 42 },
      { command: 'undrain', node: ['node2'] },
      { node: 'node2' },
      null,
      undefined,
      'refresh',
      42,
      ['refresh'],
    ]) {
      assert.equal(validatePanelMessage(m).ok, false, JSON.stringify(m));
    }
  });
});
