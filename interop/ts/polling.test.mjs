// Interoperability test: the official MCP TypeScript SDK client resuming a stream that the
// server closed mid-call (MCP 2025-11-25, Transports § Sending Messages to the Server; SEP-1699).
//
//	node --test-reporter=spec polling.test.mjs http://127.0.0.1:PORT/mcp
//
// The URL is a running `minimcp conformance` (.ci/interop.sh starts it), whose server polls
// (server.Options.Polling) and whose test_reconnection tool closes its POST's connection
// before it answers. The client must reconnect with a GET carrying Last-Event-ID, after the
// server's retry hint, and get the tool's result there. A fetch wrapper records what went over
// the wire, so the test proves the connection was closed and resumed rather than answered
// in one piece.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const [target] = process.argv.slice(2);
if (!target) {
  console.error('usage: node polling.test.mjs URL');
  process.exit(2);
}

const timeout = 15_000;
const reconnectionText = 'Reconnection test completed successfully.';

// Every request the transport makes: method, Last-Event-ID, and the response's content type.
const sent = [];
async function recordingFetch(url, init) {
  const headers = new Headers(init?.headers);
  const res = await fetch(url, init);
  sent.push({
    method: init?.method ?? 'GET',
    lastEventID: headers.get('last-event-id'),
    contentType: res.headers.get('content-type'),
    status: res.status,
  });
  return res;
}

describe('TypeScript SDK client resuming a stream the server closed', { timeout: 4 * timeout }, () => {
  const client = new Client({ name: 'minimcp-interop-ts-polling', version: '1.0.0' });

  before(async () => {
    // A short backoff cap: the server's retry hint (1 s) decides the wait anyway.
    const transport = new StreamableHTTPClientTransport(new URL(target), {
      fetch: recordingFetch,
      reconnectionOptions: { initialReconnectionDelay: 100, maxReconnectionDelay: 2000, reconnectionDelayGrowFactor: 1.5, maxRetries: 5 },
    });
    await client.connect(transport, { timeout });
  });

  after(async () => {
    await client.close();
  });

  test('the result of test_reconnection arrives on the resumed GET stream', { timeout }, async () => {
    const from = sent.length;
    const result = await client.callTool({ name: 'test_reconnection', arguments: {} }, undefined, { timeout });
    assert.equal(result.isError, undefined, JSON.stringify(result));
    assert.ok(result.content[0].text.startsWith(reconnectionText), JSON.stringify(result));

    const exchange = sent.slice(from);
    const post = exchange.find((r) => r.method === 'POST');
    assert.ok(post, `a POST was sent: ${JSON.stringify(exchange)}`);
    assert.equal(post.contentType, 'text/event-stream', 'the POST was answered with an SSE stream');
    const resume = exchange.find((r) => r.method === 'GET' && r.lastEventID);
    assert.ok(resume, `the client resumed with GET and Last-Event-ID: ${JSON.stringify(exchange)}`);
    assert.match(resume.lastEventID, /^p\d+-\d+$/, 'the id names the POST stream');
    assert.equal(resume.status, 200);
  });
});
