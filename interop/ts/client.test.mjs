// Interoperability test: the official MCP TypeScript SDK client against `minimcp serve`.
//
//	node --test-reporter=spec client.test.mjs streamable http://127.0.0.1:PORT/mcp
//	node --test-reporter=spec client.test.mjs stateless  http://127.0.0.1:PORT/mcp
//	node --test-reporter=spec client.test.mjs sse        http://127.0.0.1:PORT/sse
//	node --test-reporter=spec client.test.mjs stdio      /path/to/minimcp
//
// .ci/interop.sh installs the SDK into .cache/interop-ts/ and runs copies of these scripts
// there; to run one by hand, use those copies, or `npm ci` here first (node_modules/ is
// gitignored).
//
// The HTTP modes expect a server already running at the URL (.ci/interop.sh starts it);
// stdio spawns `minimcp serve --stdio` itself, as a host application would. Every mode runs
// the same exchanges: initialize, tools/list, tools/call (text, structured, a tool error and
// an unknown tool), resources/list + resources/read, prompts/list + prompts/get, ping.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';

const [mode, target] = process.argv.slice(2);
const modes = ['streamable', 'stateless', 'sse', 'stdio'];
if (!modes.includes(mode) || !target) {
  console.error(`usage: node client.test.mjs {${modes.join('|')}} URL-or-BINARY`);
  process.exit(2);
}

// Every exchange is bounded so a server that never answers fails the test instead of hanging
// the run.
const timeout = 15_000;
const requestOptions = { timeout };

function newTransport() {
  switch (mode) {
    case 'streamable':
    case 'stateless':
      return new StreamableHTTPClientTransport(new URL(target));
    case 'sse':
      return new SSEClientTransport(new URL(target));
    case 'stdio':
      return new StdioClientTransport({ command: target, args: ['serve', '--stdio'], stderr: 'inherit' });
  }
}

// textOf returns the text of a result's only content block, failing if it is not one text block.
function textOf(result) {
  assert.equal(result.content.length, 1, `one content block, got ${JSON.stringify(result.content)}`);
  assert.equal(result.content[0].type, 'text');
  return result.content[0].text;
}

describe(`TypeScript SDK client over ${mode}`, { timeout: 4 * timeout }, () => {
  const client = new Client({ name: 'minimcp-interop-ts', version: '1.0.0' });
  let transport;

  before(async () => {
    transport = newTransport();
    await client.connect(transport, requestOptions);
  });

  after(async () => {
    await client.close();
  });

  test('initialize negotiates a session', { timeout }, () => {
    const info = client.getServerVersion();
    assert.ok(info?.name, `serverInfo.name is set: ${JSON.stringify(info)}`);
    assert.ok(info?.version, `serverInfo.version is set: ${JSON.stringify(info)}`);
    const caps = client.getServerCapabilities();
    for (const cap of ['tools', 'resources', 'prompts']) {
      assert.ok(caps?.[cap], `capability ${cap} announced: ${JSON.stringify(caps)}`);
    }
    if (mode === 'streamable') {
      // MCP 2025-11-25, Transports § Session Management: a stateful server mints the id on
      // the initialize response.
      assert.ok(transport.sessionId, 'stateful mode gives an Mcp-Session-Id');
    }
    if (mode === 'stateless') {
      assert.equal(transport.sessionId, undefined, 'stateless mode gives no Mcp-Session-Id');
    }
    if (mode === 'streamable' || mode === 'stateless') {
      // The client asks for the latest revision it knows; minimcp supports it.
      assert.equal(transport.protocolVersion, '2025-11-25', 'the latest revision is negotiated');
    }
  });

  test('ping', { timeout }, async () => {
    assert.deepEqual(await client.ping(requestOptions), {});
  });

  test('tools/list has echo and add', { timeout }, async () => {
    const { tools } = await client.listTools(undefined, requestOptions);
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    assert.ok(byName.echo, `echo listed: ${tools.map((t) => t.name)}`);
    assert.ok(byName.add, `add listed: ${tools.map((t) => t.name)}`);
    assert.equal(byName.echo.inputSchema.type, 'object');
    assert.ok(byName.echo.inputSchema.properties?.text, 'echo takes text');
    assert.ok(byName.add.inputSchema.properties?.a && byName.add.inputSchema.properties?.b, 'add takes a and b');
    assert.equal(byName.add.outputSchema?.type, 'object', 'add declares an object output schema');
  });

  test('tools/call echo returns text', { timeout }, async () => {
    const result = await client.callTool({ name: 'echo', arguments: { text: 'hello, interop' } }, undefined, requestOptions);
    assert.ok(!result.isError, `not an error: ${JSON.stringify(result)}`);
    assert.equal(textOf(result), 'hello, interop');
  });

  test('tools/call add returns structured content', { timeout }, async () => {
    // The SDK validates structuredContent against the outputSchema cached by tools/list.
    await client.listTools(undefined, requestOptions);
    const result = await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } }, undefined, requestOptions);
    assert.ok(!result.isError, `not an error: ${JSON.stringify(result)}`);
    assert.deepEqual(result.structuredContent, { sum: 5 });
  });

  test('tools/call echo with a wrong argument type is a tool error', { timeout }, async () => {
    // MCP 2025-11-25, Server § Tools, Error Handling: input validation errors are tool
    // execution errors (isError: true), not protocol errors.
    const result = await client.callTool({ name: 'echo', arguments: { text: 42 } }, undefined, requestOptions);
    assert.equal(result.isError, true, `isError: ${JSON.stringify(result)}`);
    assert.ok(textOf(result).length > 0, 'the error says what is wrong');
  });

  test('tools/call of an unknown tool is a protocol error', { timeout }, async () => {
    await assert.rejects(
      client.callTool({ name: 'no-such-tool', arguments: {} }, undefined, requestOptions),
      (err) => {
        assert.ok(err instanceof McpError, `McpError, got ${err}`);
        assert.equal(err.code, ErrorCode.InvalidParams);
        return true;
      },
    );
  });

  test('resources/list and resources/read', { timeout }, async () => {
    const { resources } = await client.listResources(undefined, requestOptions);
    assert.ok(resources.length > 0, 'at least one resource');
    for (const r of resources) {
      const { contents } = await client.readResource({ uri: r.uri }, requestOptions);
      assert.ok(contents.length > 0, `${r.uri} has contents`);
      assert.equal(contents[0].uri, r.uri);
      assert.ok('text' in contents[0] || 'blob' in contents[0], `${r.uri}: text or blob`);
      if (r.mimeType?.startsWith('text/')) {
        assert.equal(typeof contents[0].text, 'string', `${r.uri} is text`);
        assert.ok(contents[0].text.length > 0, `${r.uri} is not empty`);
      }
    }
  });

  test('resources/read of an unknown resource is a protocol error', { timeout }, async () => {
    await assert.rejects(client.readResource({ uri: 'minimcp-interop://no-such-resource' }, requestOptions), McpError);
  });

  test('prompts/list and prompts/get greet', { timeout }, async () => {
    const { prompts } = await client.listPrompts(undefined, requestOptions);
    const greet = prompts.find((p) => p.name === 'greet');
    assert.ok(greet, `greet listed: ${prompts.map((p) => p.name)}`);
    assert.ok(greet.arguments?.some((a) => a.name === 'name' && a.required), 'greet requires name');
    const result = await client.getPrompt({ name: 'greet', arguments: { name: 'Ada' } }, requestOptions);
    assert.ok(result.messages.length > 0, 'at least one message');
    const text = result.messages.map((m) => (m.content.type === 'text' ? m.content.text : '')).join('\n');
    assert.match(text, /Ada/, 'the argument is used');
  });

  test('prompts/get without a required argument is a protocol error', { timeout }, async () => {
    await assert.rejects(client.getPrompt({ name: 'greet', arguments: {} }, requestOptions), (err) => {
      assert.ok(err instanceof McpError, `McpError, got ${err}`);
      assert.equal(err.code, ErrorCode.InvalidParams);
      return true;
    });
  });

  if (mode === 'streamable') {
    test('DELETE ends the session', { timeout }, async () => {
      const id = transport.sessionId;
      await transport.terminateSession();
      assert.equal(transport.sessionId, undefined);
      // MCP 2025-11-25, Transports § Session Management: once the session is terminated the
      // server MUST answer requests carrying its id with 404 Not Found.
      const res = await fetch(target, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-session-id': id,
          'mcp-protocol-version': transport.protocolVersion,
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
        signal: AbortSignal.timeout(timeout),
      });
      await res.body?.cancel();
      assert.equal(res.status, 404, 'a request in the deleted session');
    });
  }
});
