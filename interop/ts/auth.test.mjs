// Interoperability test: the official MCP TypeScript SDK client discovering minimcp's OAuth
// protected resource metadata (MCP 2025-11-25, Basic § Authorization, Protected Resource
// Metadata Discovery Requirements; RFC 9728).
//
//	node --test-reporter=spec auth.test.mjs http://127.0.0.1:PORT/mcp TOKEN AUTH_SERVER
//
// The URL is a running `minimcp serve --auth-token TOKEN --auth-server AUTH_SERVER
// --auth-resource URL` (.ci/interop.sh starts it). The SDK's discovery functions must find the
// metadata both from the 401's WWW-Authenticate header and from the well-known URIs; a client
// with an auth provider but no token must fetch the metadata the 401 names; one whose
// provider holds the token must connect.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  discoverOAuthProtectedResourceMetadata,
  extractWWWAuthenticateParams,
  selectResourceURL,
} from '@modelcontextprotocol/sdk/client/auth.js';

const [target, token, authServer] = process.argv.slice(2);
if (!target || !token || !authServer) {
  console.error('usage: node auth.test.mjs URL TOKEN AUTH_SERVER');
  process.exit(2);
}
const serverUrl = new URL(target);
const metadataUrl = new URL(`${serverUrl.origin}/.well-known/oauth-protected-resource${serverUrl.pathname}`);
const timeout = 15_000;

// checkMetadata asserts the document describes this server.
function checkMetadata(md) {
  assert.equal(md.resource, serverUrl.href);
  assert.deepEqual(md.authorization_servers, [authServer]);
  assert.deepEqual(md.bearer_methods_supported, ['header']);
}

// provider is an OAuthClientProvider holding tokens (or none), that records whether it was
// asked to start an authorization.
function provider(tokens) {
  return {
    redirected: null,
    get redirectUrl() { return 'http://127.0.0.1:1/callback'; },
    get clientMetadata() { return { client_name: 'minimcp-interop', redirect_uris: ['http://127.0.0.1:1/callback'] }; },
    clientInformation() { return { client_id: 'minimcp-interop' }; },
    tokens() { return tokens; },
    saveTokens() {},
    redirectToAuthorization(url) { this.redirected = url; },
    saveCodeVerifier() {},
    codeVerifier() { return 'verifier'; },
  };
}

const initialize = JSON.stringify({
  jsonrpc: '2.0', id: 1, method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'minimcp-interop', version: '1' } },
});

describe('TypeScript SDK client: protected resource metadata discovery', { timeout: 4 * timeout }, () => {
  test('the 401 names the metadata, which the SDK finds and accepts', async () => {
    const res = await fetch(serverUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: initialize,
    });
    assert.equal(res.status, 401);
    await res.body?.cancel();
    const params = extractWWWAuthenticateParams(res);
    assert.equal(params.resourceMetadataUrl?.href, metadataUrl.href);

    const md = await discoverOAuthProtectedResourceMetadata(serverUrl, { resourceMetadataUrl: params.resourceMetadataUrl });
    checkMetadata(md);
    // The resource the client will ask tokens for (RFC 8707) is this server.
    assert.equal((await selectResourceURL(serverUrl, {}, md)).href, serverUrl.href);
  });

  test('without the header, the well-known URI of the endpoint serves it', async () => {
    checkMetadata(await discoverOAuthProtectedResourceMetadata(serverUrl));
  });

  test('a client without a token fetches the metadata the 401 names', { timeout }, async () => {
    const fetched = [];
    const recordingFetch = async (url, init) => {
      fetched.push(String(url));
      return fetch(url, init);
    };
    const client = new Client({ name: 'minimcp-interop-ts-auth', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(serverUrl, { authProvider: provider(undefined), fetch: recordingFetch });
    // The authorization server of the test is not there: the flow stops after discovery.
    await assert.rejects(client.connect(transport, { timeout }));
    await client.close();
    assert.ok(fetched.includes(metadataUrl.href), `the metadata was fetched: ${JSON.stringify(fetched)}`);
  });

  test('a client whose provider holds a token connects', { timeout }, async () => {
    const client = new Client({ name: 'minimcp-interop-ts-auth', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(serverUrl, {
      authProvider: provider({ access_token: token, token_type: 'Bearer' }),
    });
    await client.connect(transport, { timeout });
    const { tools } = await client.listTools(undefined, { timeout });
    assert.ok(tools.length > 0);
    await client.close();
  });
});
