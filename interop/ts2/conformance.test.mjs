// Interoperability test: the official MCP TypeScript SDK v2 client against `minimcp conformance`
// (the same binary, serving the conformance suite's fixtures), for what only that server has:
// a tool that asks the user something, one that reports progress, and one that changes the
// tool list.
//
//	node --test-reporter=spec conformance.test.mjs streamable http://127.0.0.1:PORT/mcp
//	node --test-reporter=spec conformance.test.mjs stateless  http://127.0.0.1:PORT/mcp
//
// The URL is a running `minimcp conformance` (stateful by default, or --stateless);
// .ci/interop.sh starts it. Pinned to 2026-07-28, the client must:
//   - fulfil test_elicitation's input-required result (MCP 2026-07-28, Basic § Multi
//     Round-Trip Requests) through its elicitation/create handler and retry the call with the
//     answer in inputResponses and the server's requestState echoed, on a fresh request id;
//     and test_sampling's the same way, through its sampling/createMessage handler;
//   - deliver test_tool_with_progress's notifications/progress to the call's onprogress, and
//     test_tool_with_logging's notifications/message when the call's _meta asks for a level;
//   - mirror test_header_tool's x-mcp-header parameter into its Mcp-Param-Region header;
//   - open subscriptions/listen for tool list changes (MCP 2026-07-28, Basic § Subscriptions),
//     get the acknowledgement, and receive notifications/tools/list_changed after
//     test_trigger_tool_change;
//   - given ClientOptions.listChanged, open that subscription itself at connect for the lists
//     server/discover says change, and hand onChanged the refreshed tool and prompt lists after
//     test_trigger_tool_change and test_trigger_prompt_change.
// On a stateful server the default (legacy, 2025-11-25) client must still answer the same
// tool's elicitation/create request, sent to it by the server as before, and hear the list
// changes on its session's GET stream.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { Client, LOG_LEVEL_META_KEY, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';

import { posts, recorder, textOf, timeout, within } from './wire.mjs';

const [mode, target] = process.argv.slice(2);
const modes = ['streamable', 'stateless'];
if (!modes.includes(mode) || !target) {
  console.error(`usage: node conformance.test.mjs {${modes.join('|')}} URL`);
  process.exit(2);
}

const modern = '2026-07-28';
const requestOptions = { timeout };
const elicitMessage = 'Please provide your information';
const elicitAnswer = { username: 'ada', email: 'ada@example.com' };

const sampledText = 'The answer is four.';

// newClient returns a client that declares form elicitation and sampling, answers every
// elicitation/create with elicitAnswer and every sampling/createMessage with sampledText, and
// records the requests its handlers got in the returned lists.
function newClient(name, versionNegotiation) {
  const client = new Client(
    { name, version: '1.0.0' },
    { capabilities: { elicitation: { form: {} }, sampling: {} }, ...(versionNegotiation ? { versionNegotiation } : {}) },
  );
  const elicited = [];
  client.setRequestHandler('elicitation/create', async (req) => {
    elicited.push(req.params);
    return { action: 'accept', content: elicitAnswer };
  });
  const sampled = [];
  client.setRequestHandler('sampling/createMessage', async (req) => {
    sampled.push(req.params);
    return { model: 'minimcp-interop-model', role: 'assistant', content: { type: 'text', text: sampledText } };
  });
  return { client, elicited, sampled };
}

// assertElicited checks test_elicitation's result and the one elicitation/create the client's
// handler got for it.
function assertElicited(result, elicited) {
  assert.ok(!result.isError, `not an error: ${JSON.stringify(result)}`);
  const m = textOf(result).match(/^User response: action=accept, content=(.*)$/s);
  assert.ok(m, `the tool reports the answer: ${JSON.stringify(result)}`);
  assert.deepEqual(JSON.parse(m[1]), elicitAnswer, 'the server got the answer the handler gave');
  assert.equal(elicited.length, 1, `one elicitation/create reached the handler: ${JSON.stringify(elicited)}`);
  assert.equal(elicited[0].message, elicitMessage);
  assert.deepEqual(Object.keys(elicited[0].requestedSchema?.properties ?? {}).sort(), ['email', 'username']);
}

describe(`TypeScript SDK v2 client pinned to ${modern} against minimcp conformance (${mode})`, { timeout: 6 * timeout }, () => {
  const wire = recorder();
  const { client, elicited, sampled } = newClient('minimcp-interop-ts2-conformance', { mode: { pin: modern } });

  before(async () => {
    await client.connect(new StreamableHTTPClientTransport(new URL(target), { fetch: wire.fetch }), requestOptions);
    assert.equal(client.getNegotiatedProtocolVersion(), modern);
  });

  after(async () => {
    await client.close();
  });

  test('test_elicitation: an input-required result is fulfilled by the elicitation handler and retried', { timeout }, async () => {
    const from = wire.sent.length;
    const result = await client.callTool({ name: 'test_elicitation', arguments: { message: elicitMessage } }, requestOptions);
    assertElicited(result, elicited);

    const calls = posts(wire.sent, from).filter((r) => r.body.method === 'tools/call');
    assert.equal(calls.length, 2, `the call and one retry: ${JSON.stringify(calls.map((c) => c.body))}`);
    const [first, retry] = calls;
    assert.equal(first.body.params.inputResponses, undefined, 'the first call carries no answers');
    assert.notEqual(retry.body.id, first.body.id, 'the retry is a new request');
    assert.equal(retry.body.params.name, 'test_elicitation');
    assert.deepEqual(retry.body.params.arguments, { message: elicitMessage }, 'the retry repeats the arguments');
    const answers = Object.values(retry.body.params.inputResponses ?? {});
    assert.deepEqual(answers, [{ action: 'accept', content: elicitAnswer }], 'the retry carries the answer');
    // What the server asked, when it answered with JSON rather than an event stream: the retry
    // answers under the server's key and echoes its requestState byte for byte.
    const asked = first.response?.result;
    if (asked) {
      assert.equal(asked.resultType, 'input_required', JSON.stringify(first.response));
      const keys = Object.keys(asked.inputRequests ?? {});
      assert.equal(keys.length, 1, `one input request: ${JSON.stringify(asked)}`);
      assert.equal(asked.inputRequests[keys[0]].method, 'elicitation/create');
      assert.deepEqual(Object.keys(retry.body.params.inputResponses), keys, 'answered under the server\'s key');
      assert.equal(retry.body.params.requestState, asked.requestState, 'requestState echoed');
    }
  });

  test('test_sampling: an input-required result is fulfilled by the sampling handler and retried', { timeout }, async () => {
    const result = await client.callTool({ name: 'test_sampling', arguments: { prompt: 'What is 2+2?' } }, requestOptions);
    assert.ok(!result.isError, `not an error: ${JSON.stringify(result)}`);
    assert.equal(textOf(result), `LLM response: ${sampledText}`);
    assert.equal(sampled.length, 1, `one sampling/createMessage reached the handler: ${JSON.stringify(sampled)}`);
    assert.equal(sampled[0].messages?.[0]?.content?.text, 'What is 2+2?');
  });

  test('test_tool_with_progress: notifications/progress reach onprogress', { timeout }, async () => {
    const progress = [];
    const result = await client.callTool(
      { name: 'test_tool_with_progress', arguments: {} },
      { ...requestOptions, onprogress: (p) => progress.push(p) },
    );
    assert.ok(!result.isError, `not an error: ${JSON.stringify(result)}`);
    assert.deepEqual(
      progress.map((p) => [p.progress, p.total]),
      [
        [0, 100],
        [50, 100],
        [100, 100],
      ],
      `three steps: ${JSON.stringify(progress)}`,
    );
    // The tool answers with the progress token it was given, which the SDK chose.
    assert.notEqual(textOf(result), 'none', 'the request carried a progress token');
  });

  test('test_tool_with_logging: notifications/message only when the request asks for a log level', { timeout }, async () => {
    const logged = [];
    client.setNotificationHandler('notifications/message', (n) => logged.push(n.params));
    try {
      // MCP 2026-07-28, Basic § _meta: the log level travels in the request's _meta; a request
      // without one gets no log messages.
      let result = await client.callTool({ name: 'test_tool_with_logging', arguments: {} }, requestOptions);
      assert.ok(!result.isError, `not an error: ${JSON.stringify(result)}`);
      assert.deepEqual(logged, [], 'no log messages without a level');
      result = await client.callTool(
        { name: 'test_tool_with_logging', arguments: {}, _meta: { [LOG_LEVEL_META_KEY]: 'info' } },
        requestOptions,
      );
      assert.ok(!result.isError, `not an error: ${JSON.stringify(result)}`);
      assert.deepEqual(
        logged.map((p) => [p.level, p.data]),
        [
          ['info', 'Tool execution started'],
          ['info', 'Tool processing data'],
          ['info', 'Tool execution completed'],
        ],
      );
    } finally {
      client.removeNotificationHandler('notifications/message');
    }
  });

  test('test_header_tool: the x-mcp-header parameter is mirrored into Mcp-Param-Region and accepted', { timeout }, async () => {
    // MCP 2026-07-28, Transports § Streamable HTTP (SEP-2243): the client copies a parameter
    // marked x-mcp-header into its header, from the schema tools/list gave; the server checks
    // that the two agree.
    await client.listTools(undefined, requestOptions);
    const from = wire.sent.length;
    const result = await client.callTool({ name: 'test_header_tool', arguments: { region: 'eu-west' } }, requestOptions);
    assert.ok(!result.isError, `not an error: ${JSON.stringify(result)}`);
    assert.match(textOf(result), /eu-west/);
    const call = posts(wire.sent, from).find((r) => r.body.method === 'tools/call');
    assert.equal(call?.headers['mcp-param-region'], 'eu-west', `headers: ${JSON.stringify(call?.headers)}`);
    assert.equal(call.headers['mcp-name'], 'test_header_tool');
  });

  test('subscriptions/listen: notifications/tools/list_changed after test_trigger_tool_change', { timeout: 2 * timeout }, async () => {
    let changed;
    const notified = new Promise((resolve) => {
      changed = resolve;
    });
    client.setNotificationHandler('notifications/tools/list_changed', (n) => changed(n));

    const sub = await client.listen({ toolsListChanged: true }, requestOptions);
    try {
      // MCP 2026-07-28, Basic § Subscriptions: the acknowledgement says which part of the
      // filter the server honours.
      assert.equal(sub.honoredFilter.toolsListChanged, true, `honoured: ${JSON.stringify(sub.honoredFilter)}`);
      const result = await client.callTool({ name: 'test_trigger_tool_change', arguments: {} }, requestOptions);
      assert.ok(!result.isError, `not an error: ${JSON.stringify(result)}`);
      const n = await within(notified, timeout, 'notifications/tools/list_changed');
      assert.equal(n.method, 'notifications/tools/list_changed');
    } finally {
      await sub.close();
    }
    assert.equal(await within(sub.closed, timeout, 'the subscription closing'), 'local');
  });
});

// listChangedClient returns a client configured with ClientOptions.listChanged for tools and
// prompts (no debounce), and a promise per list that its first onChanged settles with the
// refreshed list.
function listChangedClient(name, versionNegotiation) {
  const changed = {};
  const listChanged = {};
  for (const kind of ['tools', 'prompts']) {
    changed[kind] = new Promise((resolve, reject) => {
      listChanged[kind] = { debounceMs: 0, onChanged: (err, items) => (err ? reject(err) : resolve(items)) };
    });
  }
  const client = new Client(
    { name, version: '1.0.0' },
    { listChanged, ...(versionNegotiation ? { versionNegotiation } : {}) },
  );
  return { client, changed };
}

// triggerAndAwaitChanges calls both trigger tools and checks that onChanged got each list,
// refreshed.
async function triggerAndAwaitChanges(client, changed) {
  for (const tool of ['test_trigger_tool_change', 'test_trigger_prompt_change']) {
    const result = await client.callTool({ name: tool, arguments: {} }, requestOptions);
    assert.ok(!result.isError, `${tool}: ${JSON.stringify(result)}`);
  }
  const tools = await within(changed.tools, timeout, 'onChanged of the tool list');
  assert.ok(tools.some((t) => t.name === 'test_trigger_tool_change'), `the refreshed tool list: ${tools.map((t) => t.name)}`);
  const prompts = await within(changed.prompts, timeout, 'onChanged of the prompt list');
  assert.ok(prompts.some((p) => p.name === 'test_simple_prompt'), `the refreshed prompt list: ${prompts.map((p) => p.name)}`);
}

describe(`TypeScript SDK v2 client pinned to ${modern} with ClientOptions.listChanged (${mode})`, { timeout: 3 * timeout }, () => {
  const { client, changed } = listChangedClient('minimcp-interop-ts2-list-changed', { mode: { pin: modern } });

  before(async () => {
    await client.connect(new StreamableHTTPClientTransport(new URL(target)), requestOptions);
  });

  after(async () => {
    await client.close();
  });

  test('connect opens subscriptions/listen for the lists server/discover says change, and onChanged hears both', { timeout: 2 * timeout }, async () => {
    // MCP 2026-07-28, Server § Tools and Prompts, List Changed Notification: announced by
    // listChanged in the capabilities server/discover returns.
    const caps = client.getDiscoverResult()?.capabilities;
    assert.equal(caps?.tools?.listChanged, true, JSON.stringify(caps));
    assert.equal(caps?.prompts?.listChanged, true, JSON.stringify(caps));
    const sub = client.autoOpenedSubscription;
    assert.ok(sub, 'the client opened a subscription at connect');
    assert.equal(sub.honoredFilter.toolsListChanged, true, JSON.stringify(sub.honoredFilter));
    assert.equal(sub.honoredFilter.promptsListChanged, true, JSON.stringify(sub.honoredFilter));
    await triggerAndAwaitChanges(client, changed);
  });
});

if (mode === 'streamable') {
  describe('TypeScript SDK v2 client in the default (legacy) mode with ClientOptions.listChanged', { timeout: 3 * timeout }, () => {
    const { client, changed } = listChangedClient('minimcp-interop-ts2-list-changed-legacy');
    const wire = recorder();

    before(async () => {
      await client.connect(new StreamableHTTPClientTransport(new URL(target), { fetch: wire.fetch }), requestOptions);
      assert.equal(client.getProtocolEra(), 'legacy');
      // The SDK opens the session's GET stream after initialize without waiting for it; a
      // change before the server has the stream would have nowhere to go (MCP 2025-11-25,
      // Transports § Listening for Messages from the Server), so the test waits for it.
      const get = await within(wire.responded('GET'), timeout, 'the GET stream');
      assert.equal(get.status, 200, `GET: ${JSON.stringify(get)}`);
    });

    after(async () => {
      await client.close();
    });

    test('the session\'s GET stream carries both list changes to onChanged', { timeout: 2 * timeout }, async () => {
      const caps = client.getServerCapabilities();
      assert.equal(caps?.tools?.listChanged, true, JSON.stringify(caps));
      await triggerAndAwaitChanges(client, changed);
    });
  });

  describe('TypeScript SDK v2 client in the default (legacy) mode against minimcp conformance', { timeout: 3 * timeout }, () => {
    const { client, elicited } = newClient('minimcp-interop-ts2-conformance-legacy');

    before(async () => {
      await client.connect(new StreamableHTTPClientTransport(new URL(target)), requestOptions);
      assert.equal(client.getProtocolEra(), 'legacy');
    });

    after(async () => {
      await client.close();
    });

    test('test_elicitation: the server sends elicitation/create and gets the answer', { timeout }, async () => {
      const result = await client.callTool({ name: 'test_elicitation', arguments: { message: elicitMessage } }, requestOptions);
      assertElicited(result, elicited);
    });
  });
}
