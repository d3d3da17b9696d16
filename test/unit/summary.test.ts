// The HA summary behind hover, code lens and the summary request: the disaster answer when the team has
// suppressed a DR rule with a reason (the target is outside what the workspace shows).
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { Catalog } from '../../server/src/advisor/catalog/catalog.js';
import { buildIndex } from '../../server/src/advisor/index/build-index.js';
import { parseFile } from '../../server/src/advisor/parse/parse-file.js';
import { summarize, type ScenarioAnswer } from '../../server/src/advisor/summary.js';

function disaster(compose: string): ScenarioAnswer {
  const catalog = new Catalog();
  const index = buildIndex([parseFile('compose.yaml', compose, catalog)], catalog);
  const w = index.workloads.find((x) => x.ref === 'service/db');
  assert.ok(w);
  return summarize(index, w).scenarios.find((s) => s.scenario === 'disaster')!;
}

const db = (comment: string) =>
  `services:\n${comment}  db:\n    image: postgres:16\n    restart: always\n    volumes: [pgdata:/var/lib/postgresql/data]\nvolumes:\n  pgdata: {}\n`;

describe('HA summary: disaster', () => {
  it('no DR target: a risk', () => {
    const d = disaster(db(''));
    assert.equal(d.status, 'risk');
    assert.equal(d.answer, 'No DR target in the workspace: a lost volume or site cannot be recovered.');
  });

  it('no-dr-target suppressed with a reason: not verifiable here, the reason quoted', () => {
    const d = disaster(
      db('  # stateful-ha-ignore no-dr-target: nightly pg_dump to S3 by the platform team\n'),
    );
    assert.equal(d.status, 'unknown');
    assert.equal(
      d.answer,
      'No DR target in the workspace: a lost volume or site cannot be recovered from it; `no-dr-target` is suppressed: “nightly pg_dump to S3 by the platform team”.',
    );
  });

  it('a suppression without a reason, or of another rule, changes nothing', () => {
    assert.equal(disaster(db('  # stateful-ha-ignore no-dr-target\n')).status, 'risk');
    assert.equal(disaster(db('  # stateful-ha-ignore missing-restart-policy: on purpose\n')).status, 'risk');
  });
});
