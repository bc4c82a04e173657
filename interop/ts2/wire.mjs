// Helpers shared by the TypeScript SDK v2 interop tests: a fetch that records what went over
// the wire, and a bound on every wait.

import assert from 'node:assert/strict';

// Every exchange is bounded so a server that never answers fails the test instead of hanging
// the run; the whole file's budget is a few of these.
export const timeout = 10_000;

// recorder returns a fetch for a transport's `fetch` option and the list it fills: per HTTP
// request its method, its headers (all, lower-cased, and the MCP ones by name), the parsed
// JSON-RPC body, and the response's status, content type and, when it is application/json, its
// parsed body (read from a clone). An event stream is handed on unread, so it stays live.
// responded(method) resolves with the first entry of that HTTP method to get its response.
export function recorder() {
  const sent = [];
  const waiters = [];
  function responded(method) {
    const done = sent.find((e) => e.method === method && e.status !== undefined);
    if (done) {
      return Promise.resolve(done);
    }
    return new Promise((resolve) => waiters.push({ method, resolve }));
  }
  async function recordingFetch(url, init) {
    const headers = new Headers(init?.headers);
    let body;
    if (typeof init?.body === 'string') {
      try {
        body = JSON.parse(init.body);
      } catch {
        body = init.body;
      }
    }
    const entry = {
      method: init?.method ?? 'GET',
      protocolVersion: headers.get('mcp-protocol-version'),
      mcpMethod: headers.get('mcp-method'),
      sessionID: headers.get('mcp-session-id'),
      headers: Object.fromEntries(headers),
      body,
    };
    sent.push(entry);
    const res = fetch(url, init);
    // On the legacy HTTP+SSE transport the answer comes on the GET stream and may arrive before
    // the POST's own response (202): settled lets a test wait for the latter.
    entry.settled = res.then(
      async (r) => {
        entry.status = r.status;
        entry.contentType = r.headers.get('content-type');
        for (const w of waiters.filter((w) => w.method === entry.method)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(entry);
        }
        if (entry.contentType?.startsWith('application/json')) {
          entry.response = await r
            .clone()
            .json()
            .catch(() => undefined);
        }
      },
      () => {},
    );
    await entry.settled;
    return res;
  }
  return { fetch: recordingFetch, sent, responded };
}

// posts returns the JSON-RPC requests (not notifications) POSTed since index from, in order.
export function posts(sent, from = 0) {
  return sent.slice(from).filter((r) => r.method === 'POST' && r.body?.id !== undefined && r.body?.method);
}

// within rejects after ms unless promise settles first; what names the wait in the error.
export function within(promise, ms, what) {
  let timer;
  const expired = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

// textOf returns the text of a result's only content block, failing if it is not one text block.
export function textOf(result) {
  assert.equal(result.content.length, 1, `one content block, got ${JSON.stringify(result.content)}`);
  assert.equal(result.content[0].type, 'text');
  return result.content[0].text;
}
