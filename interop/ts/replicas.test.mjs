// Interoperability test: the official MCP TypeScript SDK client running whole sessions
// through three minimcp replicas that share a Redis, behind a round-robin proxy with no
// affinity (rrproxy), so that a session's requests land on every replica.
//
//	node --test-reporter=spec replicas.test.mjs SERVE_URL CONFORMANCE_URL
//
// SERVE_URL is the proxy in front of three `minimcp serve --redis URL` replicas,
// CONFORMANCE_URL the proxy in front of three `minimcp conformance --redis URL` replicas
// (.ci/replicas.sh starts both). The proxy names the replica that answered each request in
// X-Rrproxy-Upstream; a fetch wrapper records it, so the test checks where requests went:
// every replica serves each session, the reply to a sampling or elicitation request lands on
// another replica than its call, a stream the server closed is resumed on another replica
// than its POST, and after DELETE every replica answers the session with 404. Either URL
// may be "-" to leave its part out.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CreateMessageRequestSchema, ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';

const [serveURL, conformanceURL] = process.argv.slice(2);
if (!serveURL || !conformanceURL) {
  console.error('usage: node replicas.test.mjs SERVE_URL CONFORMANCE_URL');
  process.exit(2);
}

const timeout = 15_000;
const requestOptions = { timeout };
const upstreamHeader = 'x-rrproxy-upstream';

// recorder returns a fetch that records each request, in the order sent: method, the JSON-RPC method of a POST
// ('reply' for a response to a server-to-client request), Last-Event-ID, status and the
// replica that answered.
function recorder() {
  const hops = [];
  const recordingFetch = async (url, init) => {
    const headers = new Headers(init?.headers);
    let rpc = '';
    let tool = '';
    if (typeof init?.body === 'string') {
      try {
        const m = JSON.parse(init.body);
        rpc = m.method ?? ('result' in m || 'error' in m ? 'reply' : '');
        tool = m.params?.name ?? '';
      } catch {}
    }
    // Recorded in the order sent; the answer fills it in (settled says when).
    const hop = { method: init?.method ?? 'GET', rpc, tool, lastEventID: headers.get('last-event-id'), status: 0, upstream: null };
    let settle;
    // Not enumerable: kept out of the hops printed in a failure.
    Object.defineProperty(hop, 'settled', { value: new Promise((resolve) => (settle = resolve)) });
    hops.push(hop);
    try {
      const res = await fetch(url, init);
      hop.status = res.status;
      hop.upstream = res.headers.get(upstreamHeader);
      return res;
    } finally {
      settle();
    }
  };
  // since waits until the requests sent from index from on have their answers' headers, and
  // returns them. (The answer to the client's reply can come after the tool's result.)
  const since = async (from) => {
    const sent = hops.slice(from);
    await Promise.all(sent.map((h) => h.settled));
    return sent;
  };
  return { hops, since, fetch: recordingFetch };
}

// textOf returns the text of a result's only content block.
function textOf(result) {
  assert.equal(result.content.length, 1, `one content block, got ${JSON.stringify(result.content)}`);
  assert.equal(result.content[0].type, 'text');
  return result.content[0].text;
}

// assertGoneEverywhere sends three requests in the ended session id (one per replica, round
// robin) and checks that each answers 404.
async function assertGoneEverywhere(url, sessionId, protocolVersion) {
  const seen = new Set();
  for (let i = 0; i < 3; i++) {
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
        'Mcp-Session-Id': sessionId,
        'MCP-Protocol-Version': protocolVersion,
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 100 + i, method: 'tools/list' }),
      signal: AbortSignal.timeout(timeout),
    });
    await res.text();
    assert.equal(res.status, 404, `the deleted session is 404 on ${res.headers.get(upstreamHeader)}`);
    seen.add(res.headers.get(upstreamHeader));
  }
  assert.equal(seen.size, 3, `the 404s came from every replica: ${[...seen]}`);
}

// assertEveryReplica checks that the hops reached three replicas.
function assertEveryReplica(hops) {
  const replicas = new Set(hops.map((h) => h.upstream).filter(Boolean));
  assert.equal(replicas.size, 3, `requests landed on every replica: ${JSON.stringify([...replicas])}`);
}

describe('TypeScript SDK client, three minimcp serve --redis replicas behind round robin', { timeout: 4 * timeout, skip: serveURL === '-' }, () => {
  const rec = recorder();
  const client = new Client({ name: 'minimcp-interop-ts-replicas', version: '1.0.0' });
  let transport;

  before(async () => {
    transport = new StreamableHTTPClientTransport(new URL(serveURL), { fetch: rec.fetch });
    await client.connect(transport, requestOptions);
  });

  after(async () => {
    await client.close();
  });

  test('tools, resources and prompts on every replica', { timeout }, async () => {
    assert.ok(transport.sessionId, 'a stateful session');
    const tools = await client.listTools(undefined, requestOptions);
    assert.ok(tools.tools.some((t) => t.name === 'echo'), JSON.stringify(tools));
    for (let i = 0; i < 3; i++) {
      const res = await client.callTool({ name: 'echo', arguments: { text: `hello ${i}` } }, undefined, requestOptions);
      assert.equal(textOf(res), `hello ${i}`);
    }
    const add = await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } }, undefined, requestOptions);
    assert.deepEqual(add.structuredContent, { sum: 5 });
    const about = await client.readResource({ uri: 'minimcp://about' }, requestOptions);
    assert.ok(about.contents[0].text.length > 0);
    const prompt = await client.getPrompt({ name: 'greet', arguments: { name: 'Ada' } }, requestOptions);
    assert.ok(prompt.messages.length > 0);
    assertEveryReplica(await rec.since(0));
  });

  test('DELETE ends the session on every replica', { timeout }, async () => {
    const id = transport.sessionId;
    const from = rec.hops.length;
    await transport.terminateSession();
    const del = (await rec.since(from)).find((h) => h.method === 'DELETE');
    assert.ok(del, 'DELETE was sent');
    assert.ok(del.status < 300, `DELETE succeeded: ${del.status}`);
    await assertGoneEverywhere(serveURL, id, transport.protocolVersion ?? '2025-11-25');
  });
});

describe('TypeScript SDK client, three minimcp conformance --redis replicas behind round robin', { timeout: 8 * timeout, skip: conformanceURL === '-' }, () => {
  const rec = recorder();
  const client = new Client(
    { name: 'minimcp-interop-ts-replicas', version: '1.0.0' },
    { capabilities: { sampling: {}, elicitation: { form: {} } } },
  );
  let transport;

  before(async () => {
    client.setRequestHandler(CreateMessageRequestSchema, async () => ({
      model: 'interop',
      role: 'assistant',
      content: { type: 'text', text: 'Paris' },
    }));
    client.setRequestHandler(ElicitRequestSchema, async () => ({
      action: 'accept',
      content: { username: 'ada', email: 'ada@example.com' },
    }));
    transport = new StreamableHTTPClientTransport(new URL(conformanceURL), {
      fetch: rec.fetch,
      reconnectionOptions: { initialReconnectionDelay: 100, maxReconnectionDelay: 2000, reconnectionDelayGrowFactor: 1.5, maxRetries: 5 },
    });
    await client.connect(transport, requestOptions);
  });

  after(async () => {
    await client.close();
  });

  // roundTrip calls tool and checks that the client's reply to the server's request landed
  // on another replica than the call.
  async function roundTrip(tool, args) {
    const from = rec.hops.length;
    const res = await client.callTool({ name: tool, arguments: args }, undefined, requestOptions);
    assert.ok(!res.isError, JSON.stringify(res));
    const hops = await rec.since(from);
    const call = hops.find((h) => h.rpc === 'tools/call' && h.tool === tool);
    const reply = hops.find((h) => h.rpc === 'reply');
    assert.ok(call && reply, `the call and the reply went through the proxy: ${JSON.stringify(hops)}`);
    assert.notEqual(call.upstream, reply.upstream, `the reply landed on another replica: ${JSON.stringify(hops)}`);
    return textOf(res);
  }

  test('sampling: the reply reaches the call on another replica', { timeout }, async () => {
    assert.equal(await roundTrip('test_sampling', { prompt: 'Capital of France?' }), 'LLM response: Paris');
  });

  test('elicitation: the reply reaches the call on another replica', { timeout }, async () => {
    const text = await roundTrip('test_elicitation', { message: 'Who are you?' });
    assert.ok(text.startsWith('User response: action=accept'), text);
    assert.ok(text.includes('ada@example.com'), text);
  });

  test('progress notifications reach onprogress', { timeout }, async () => {
    const progress = [];
    const res = await client.callTool({ name: 'test_tool_with_progress', arguments: {} }, undefined, {
      ...requestOptions,
      onprogress: (p) => progress.push(p.progress),
    });
    assert.ok(!res.isError, JSON.stringify(res));
    assert.deepEqual(progress, [0, 50, 100]);
  });

  test('a stream the server closed is resumed on another replica', { timeout: 3 * timeout }, async () => {
    // Round robin sends the resuming GET elsewhere unless other requests came between; a few
    // tries make sure one does.
    let elsewhere = false;
    for (let attempt = 0; attempt < 3 && !elsewhere; attempt++) {
      const from = rec.hops.length;
      const res = await client.callTool({ name: 'test_reconnection', arguments: {} }, undefined, requestOptions);
      assert.ok(textOf(res).startsWith('Reconnection test completed successfully.'), JSON.stringify(res));
      const hops = await rec.since(from);
      const post = hops.find((h) => h.rpc === 'tools/call');
      const resume = hops.find((h) => h.method === 'GET' && h.lastEventID);
      assert.ok(post && resume, `POST, then GET with Last-Event-ID: ${JSON.stringify(hops)}`);
      assert.equal(resume.status, 200);
      elsewhere = post.upstream !== resume.upstream;
    }
    assert.ok(elsewhere, 'the stream was resumed on another replica than its POST');
  });

  test('every replica served the session; DELETE ends it on every one', { timeout }, async () => {
    assertEveryReplica(await rec.since(0));
    const id = transport.sessionId;
    await transport.terminateSession();
    await assertGoneEverywhere(conformanceURL, id, transport.protocolVersion ?? '2025-11-25');
  });
});
