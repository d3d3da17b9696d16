// The Docker events watcher against a small fake daemon on a unix socket (an HTTP server that streams
// /events like dockerd): bursts are debounced into one change, the filters ask for service/node/container
// lifecycle events only, and a dropped stream is reported and reconnected with backoff.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { resolveEndpoint } from '../../server/src/operations/connection.js';
import { DockerEventsWatcher } from '../../server/src/service/docker-events.js';

type Change = { reason: string; types: string[]; count: number };

function fakeDaemon(socket: string): {
  server: Server;
  streams: ServerResponse[];
  queries: string[];
  listen(): Promise<void>;
} {
  const streams: ServerResponse[] = [];
  const queries: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (!req.url?.startsWith('/events')) {
      res.writeHead(404).end();
      return;
    }
    queries.push(decodeURIComponent(req.url));
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.flushHeaders();
    streams.push(res);
  });
  return {
    server,
    streams,
    queries,
    listen: () => new Promise((r) => server.listen(socket, () => r())),
  };
}

const until = async (what: string, test: () => boolean, ms = 5000): Promise<void> => {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('Docker events watcher', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sha-events-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('debounces a burst into one change, with filters on the request', async () => {
    const socket = join(dir, 'a.sock');
    const d = fakeDaemon(socket);
    await d.listen();
    const changes: Change[] = [];
    const w = new DockerEventsWatcher({ onChange: (c) => changes.push(c), debounceMs: 100, maxWaitMs: 1000 });
    try {
      w.watch(resolveEndpoint({ host: `unix://${socket}` }));
      await until('stream open', () => d.streams.length === 1);
      assert.match(d.queries[0]!, /"type":\["service","node","container"\]/);
      assert.match(d.queries[0]!, /"event":\[[^\]]*"update"/);
      assert.doesNotMatch(d.queries[0]!, /exec_/);
      const s = d.streams[0]!;
      s.write('{"Type":"service","Action":"update"}\n{"Type":"node","Action":"update"}\n');
      s.write('{"Type":"container","Act');
      s.write('ion":"start"}\n');
      await until('one change', () => changes.length === 1);
      await new Promise((r) => setTimeout(r, 250));
      assert.deepEqual(changes, [{ reason: 'events', types: ['container', 'node', 'service'], count: 3 }]);
      // Same endpoint again: no second stream.
      w.watch(resolveEndpoint({ host: `unix://${socket}` }));
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(d.streams.length, 1);
    } finally {
      w.dispose();
      for (const s of d.streams) s.destroy();
      d.server.close();
    }
  });

  it('reports a dropped stream and reconnects with backoff', async () => {
    const socket = join(dir, 'b.sock');
    const d = fakeDaemon(socket);
    await d.listen();
    const changes: Change[] = [];
    const w = new DockerEventsWatcher({
      onChange: (c) => changes.push(c),
      debounceMs: 50,
      minBackoffMs: 100,
      maxBackoffMs: 400,
    });
    try {
      w.watch(resolveEndpoint({ host: `unix://${socket}` }));
      await until('stream open', () => d.streams.length === 1);
      d.streams[0]!.end();
      await until('disconnected', () => changes.some((c) => c.reason === 'disconnected'));
      await until(
        'reconnected',
        () => changes.some((c) => c.reason === 'reconnected') && d.streams.length === 2,
      );
      d.streams[1]!.write('{"Type":"service","Action":"remove"}\n');
      await until('events after reconnect', () => changes.some((c) => c.reason === 'events'));
    } finally {
      w.dispose();
      for (const s of d.streams) s.destroy();
      d.server.close();
    }
  });

  it('keeps retrying a daemon that is not there, and reports when it comes up', async () => {
    const socket = join(dir, 'c.sock');
    const changes: Change[] = [];
    const w = new DockerEventsWatcher({
      onChange: (c) => changes.push(c),
      minBackoffMs: 100,
      maxBackoffMs: 200,
    });
    const d = fakeDaemon(socket);
    try {
      w.watch(resolveEndpoint({ host: `unix://${socket}` }));
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(changes.length, 0, 'never connected: nothing to report yet');
      await d.listen();
      await until('reconnected', () => changes.some((c) => c.reason === 'reconnected'));
    } finally {
      w.dispose();
      for (const s of d.streams) s.destroy();
      d.server.close();
    }
  });
});
