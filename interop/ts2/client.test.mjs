// Interoperability test: the official MCP TypeScript SDK v2 client (@modelcontextprotocol/client,
// the line that implements MCP 2026-07-28) against `minimcp serve`.
//
//	node --test-reporter=spec client.test.mjs streamable http://127.0.0.1:PORT/mcp
//	node --test-reporter=spec client.test.mjs stateless  http://127.0.0.1:PORT/mcp
//	node --test-reporter=spec client.test.mjs sse        http://127.0.0.1:PORT/sse
//	node --test-reporter=spec client.test.mjs stdio      /path/to/minimcp
//
// .ci/interop.sh installs the SDK into .cache/interop-ts2/ and runs copies of these scripts
// there; to run one by hand, use those copies, or `npm ci` here first (node_modules/ is
// gitignored). The HTTP modes expect a running `minimcp serve` at the URL (stateful by
// default, --stateless, or --legacy-sse for sse); stdio spawns `minimcp serve --stdio` itself
// (in 'auto' mode the SDK probes on a second, short-lived process first).
//
// The client connects three ways, and each runs the same exchanges (tools/list, tools/call:
// text, structured, a tool error and an unknown tool; resources/list + resources/read;
// prompts/list + prompts/get):
//   - pinned to 2026-07-28 (versionNegotiation { pin }): server/discover at connect, then every
//     request carries its revision in _meta and the MCP-Protocol-Version header;
//   - 'auto': the client probes with server/discover and must settle on 2026-07-28, the
//     revision minimcp offers first;
//   - the default ('legacy'): the 2025 initialize handshake, as a v1 client does it.
// The legacy HTTP+SSE transport serves only the revisions with sessions: there 'auto' must fall
// back to initialize, and the pinned client must refuse to connect.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  Client,
  ProtocolError,
  ProtocolErrorCode,
  SdkError,
  SdkErrorCode,
  SSEClientTransport,
  StreamableHTTPClientTransport,
} from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';

import { posts, recorder, textOf, timeout } from './wire.mjs';

const [mode, target] = process.argv.slice(2);
const modes = ['streamable', 'stateless', 'sse', 'stdio'];
if (!modes.includes(mode) || !target) {
  console.error(`usage: node client.test.mjs {${modes.join('|')}} URL-or-BINARY`);
  process.exit(2);
}
// Over HTTP a recording fetch shows what went over the wire; stdio has no such hook.
const http = mode !== 'stdio';

const modern = '2026-07-28';
// The latest 2025-era revision, which the SDK's legacy handshake asks for and minimcp supports.
const legacyLatest = '2025-11-25';
const requestOptions = { timeout };

// era is what each negotiation must end in: 'modern' (2026-07-28), 'legacy' (initialize), or
// 'refused' (connect fails). probes says the client sends server/discover first.
const legacySSE = mode === 'sse';
const negotiations = [
  { name: `pinned to ${modern}`, versionNegotiation: { mode: { pin: modern } }, era: legacySSE ? 'refused' : 'modern', probes: true },
  { name: 'auto negotiation', versionNegotiation: { mode: 'auto' }, era: legacySSE ? 'legacy' : 'modern', probes: true },
  { name: 'the default (legacy) mode', versionNegotiation: undefined, era: 'legacy', probes: false },
];

function newTransport(wire) {
  switch (mode) {
    case 'streamable':
    case 'stateless':
      return new StreamableHTTPClientTransport(new URL(target), { fetch: wire.fetch });
    case 'sse':
      return new SSEClientTransport(new URL(target), { fetch: wire.fetch });
    case 'stdio':
      return new StdioClientTransport({ command: target, args: ['serve', '--stdio'], stderr: 'inherit' });
  }
}

for (const n of negotiations.filter((n) => n.era === 'refused')) {
  describe(`TypeScript SDK v2 client over ${mode}, ${n.name}`, { timeout: 2 * timeout }, () => {
    test('connect fails: the server does not offer the pinned revision on this transport', { timeout }, async () => {
      const client = new Client({ name: 'minimcp-interop-ts2', version: '1.0.0' }, { versionNegotiation: n.versionNegotiation });
      try {
        // Refused either by the revision's UnsupportedProtocolVersionError (MCP 2026-07-28,
        // Basic § Versioning), or by the SDK when the probe's answer offers no such revision;
        // not by a timeout.
        await assert.rejects(client.connect(newTransport(recorder()), requestOptions), (err) => {
          if (err instanceof ProtocolError) {
            assert.equal(err.code, ProtocolErrorCode.UnsupportedProtocolVersion, err.message);
          } else {
            assert.ok(err instanceof SdkError, `SdkError or ProtocolError, got ${err}`);
            assert.equal(err.code, SdkErrorCode.EraNegotiationFailed, err.message);
          }
          return true;
        });
      } finally {
        await client.close();
      }
    });
  });
}

for (const n of negotiations.filter((n) => n.era !== 'refused')) {
  describe(`TypeScript SDK v2 client over ${mode}, ${n.name}`, { timeout: 6 * timeout }, () => {
    const wire = http ? recorder() : undefined;
    const client = new Client(
      { name: 'minimcp-interop-ts2', version: '1.0.0' },
      n.versionNegotiation ? { versionNegotiation: n.versionNegotiation } : undefined,
    );
    let transport;

    before(async () => {
      transport = newTransport(wire);
      await client.connect(transport, requestOptions);
    });

    after(async () => {
      await client.close();
    });

    if (n.era === 'modern') {
      test(`connect settles on ${modern} through server/discover`, { timeout }, () => {
        assert.equal(client.getProtocolEra(), 'modern');
        assert.equal(client.getNegotiatedProtocolVersion(), modern, 'the version the client reports');
        if (http) {
          assert.equal(transport.protocolVersion, modern, 'the version the transport sends');
        }
        const discover = client.getDiscoverResult();
        assert.ok(discover?.supportedVersions?.includes(modern), `server/discover offers ${modern}: ${JSON.stringify(discover)}`);
        for (const cap of ['tools', 'resources', 'prompts']) {
          assert.ok(discover.capabilities?.[cap], `capability ${cap} announced: ${JSON.stringify(discover.capabilities)}`);
        }
        // MCP 2026-07-28, Basic § _meta: the server identifies itself in the result's _meta.
        assert.equal(client.getServerVersion()?.name, 'minimcp', JSON.stringify(client.getServerVersion()));
        if (http) {
          const first = posts(wire.sent)[0];
          assert.equal(first?.body?.method, 'server/discover', `the first request: ${JSON.stringify(first)}`);
          assert.equal(first.status, 200);
        }
      });
    } else {
      test(`connect runs initialize and settles on ${legacyLatest}`, { timeout }, () => {
        assert.equal(client.getProtocolEra(), 'legacy');
        assert.equal(client.getNegotiatedProtocolVersion(), legacyLatest, 'the version the client reports');
        assert.equal(client.getServerVersion()?.name, 'minimcp', JSON.stringify(client.getServerVersion()));
        const caps = client.getServerCapabilities();
        for (const cap of ['tools', 'resources', 'prompts']) {
          assert.ok(caps?.[cap], `capability ${cap} announced: ${JSON.stringify(caps)}`);
        }
        if (http && n.probes) {
          // 'auto' asked first, and the answer sent it back to initialize.
          const methods = posts(wire.sent).map((r) => r.body.method);
          assert.deepEqual(methods.slice(0, 2), ['server/discover', 'initialize'], `the first requests: ${methods}`);
        } else if (http) {
          const methods = posts(wire.sent).map((r) => r.body.method);
          assert.equal(methods[0], 'initialize', `the first request: ${methods}`);
          assert.ok(!methods.includes('server/discover'), `no server/discover probe in legacy mode: ${methods}`);
        }
        // MCP 2025-11-25, Transports § Session Management: a stateful server mints the id on
        // the initialize response; a stateless one gives none.
        if (mode === 'streamable') {
          assert.ok(transport.sessionId, 'stateful mode gives an Mcp-Session-Id');
        } else if (mode === 'stateless') {
          assert.equal(transport.sessionId, undefined, 'stateless mode gives no Mcp-Session-Id');
        }
      });
    }

    test('tools/list has echo and add', { timeout }, async () => {
      const { tools } = await client.listTools(undefined, requestOptions);
      const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
      assert.ok(byName.echo, `echo listed: ${tools.map((t) => t.name)}`);
      assert.ok(byName.add, `add listed: ${tools.map((t) => t.name)}`);
      assert.ok(byName.echo.inputSchema.properties?.text, 'echo takes text');
      assert.equal(byName.add.outputSchema?.type, 'object', 'add declares an object output schema');
    });

    test('tools/call echo returns text', { timeout }, async () => {
      const result = await client.callTool({ name: 'echo', arguments: { text: 'hello, v2' } }, requestOptions);
      assert.ok(!result.isError, `not an error: ${JSON.stringify(result)}`);
      assert.equal(textOf(result), 'hello, v2');
    });

    test('tools/call add returns structured content', { timeout }, async () => {
      // The SDK validates structuredContent against the outputSchema cached by tools/list.
      await client.listTools(undefined, requestOptions);
      const result = await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } }, requestOptions);
      assert.ok(!result.isError, `not an error: ${JSON.stringify(result)}`);
      assert.deepEqual(result.structuredContent, { sum: 5 });
    });

    test('tools/call echo with a wrong argument type is a tool error', { timeout }, async () => {
      const result = await client.callTool({ name: 'echo', arguments: { text: 42 } }, requestOptions);
      assert.equal(result.isError, true, `isError: ${JSON.stringify(result)}`);
      assert.ok(textOf(result).length > 0, 'the error says what is wrong');
    });

    test('tools/call of an unknown tool is a protocol error', { timeout }, async () => {
      await assert.rejects(client.callTool({ name: 'no-such-tool', arguments: {} }, requestOptions), (err) => {
        assert.ok(err instanceof ProtocolError, `ProtocolError, got ${err}`);
        assert.equal(err.code, ProtocolErrorCode.InvalidParams);
        return true;
      });
    });

    test('resources/list and resources/read', { timeout }, async () => {
      const { resources } = await client.listResources(undefined, requestOptions);
      assert.ok(resources.length > 0, 'at least one resource');
      for (const r of resources) {
        const { contents } = await client.readResource({ uri: r.uri }, requestOptions);
        assert.ok(contents.length > 0, `${r.uri} has contents`);
        assert.equal(contents[0].uri, r.uri);
        if (r.mimeType?.startsWith('text/')) {
          assert.equal(typeof contents[0].text, 'string', `${r.uri} is text`);
          assert.ok(contents[0].text.length > 0, `${r.uri} is not empty`);
        }
      }
    });

    test('resources/read of an unknown resource is a protocol error', { timeout }, async () => {
      await assert.rejects(client.readResource({ uri: 'minimcp-interop://no-such-resource' }, requestOptions), ProtocolError);
    });

    test('prompts/list and prompts/get greet', { timeout }, async () => {
      const { prompts } = await client.listPrompts(undefined, requestOptions);
      const greet = prompts.find((p) => p.name === 'greet');
      assert.ok(greet, `greet listed: ${prompts.map((p) => p.name)}`);
      assert.ok(greet.arguments?.some((a) => a.name === 'name' && a.required), 'greet requires name');
      const result = await client.getPrompt({ name: 'greet', arguments: { name: 'Ada' } }, requestOptions);
      const text = result.messages.map((m) => (m.content.type === 'text' ? m.content.text : '')).join('\n');
      assert.match(text, /Ada/, 'the argument is used');
    });

    test('prompts/get without a required argument is a protocol error', { timeout }, async () => {
      await assert.rejects(client.getPrompt({ name: 'greet', arguments: {} }, requestOptions), (err) => {
        assert.ok(err instanceof ProtocolError, `ProtocolError, got ${err}`);
        assert.equal(err.code, ProtocolErrorCode.InvalidParams);
        return true;
      });
    });

    if (http) {
      test('every request spoke the negotiated revision', { timeout }, async () => {
        // The probe of 'auto' speaks 2026-07-28 whatever the answer is.
        const reqs = posts(wire.sent).filter((r) => !(n.era === 'legacy' && r.body.method === 'server/discover'));
        await Promise.all(reqs.map((r) => r.settled));
        assert.ok(reqs.length > 5, `requests were recorded: ${reqs.length}`);
        for (const r of reqs) {
          const where = `${r.body.method} (id ${JSON.stringify(r.body.id)})`;
          if (n.era === 'modern') {
            // MCP 2026-07-28, Basic § _meta and Transports § Streamable HTTP: the revision in
            // every request's _meta and header, and no initialize and no session.
            assert.notEqual(r.body.method, 'initialize', where);
            assert.equal(r.body.params?._meta?.['io.modelcontextprotocol/protocolVersion'], modern, `${where}: _meta`);
            assert.equal(r.protocolVersion, modern, `${where}: MCP-Protocol-Version`);
            assert.equal(r.sessionID, null, `${where}: no Mcp-Session-Id`);
          } else if (r.body.method !== 'initialize') {
            assert.equal(r.protocolVersion, legacyLatest, `${where}: MCP-Protocol-Version`);
            assert.equal(r.body.params?._meta?.['io.modelcontextprotocol/protocolVersion'], undefined, `${where}: no 2026 _meta`);
          }
          assert.ok(r.status >= 200 && r.status < 300, `${where}: HTTP ${r.status}`);
        }
      });
    }
  });
}
