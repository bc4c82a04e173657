// An MCP server built on the official TypeScript SDK v2 (@modelcontextprotocol/server, pinned
// by package-lock.json): createMcpHandler serves 2026-07-28 per request (and 2025 requests
// statelessly) at /mcp, behind a few lines of node:http. .ci/interop.sh starts it and runs
// `minimcp tools` and `minimcp call` against it.
//
//   node server.mjs PORT    from a directory whose node_modules holds the package
//
// Tools: echo (text), add (structuredContent, with an output schema), confirm (asks the user
// through an elicitation, an input_required result at 2026-07-28) and count (progress
// notifications while it works, when the call asked for them with a progressToken).
import http from 'node:http';

import { acceptedContent, createMcpHandler, fromJsonSchema, inputRequired, McpServer } from '@modelcontextprotocol/server';

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) {
    console.error('usage: node server.mjs PORT');
    process.exit(2);
}

const object = (properties, required = Object.keys(properties)) => fromJsonSchema({ type: 'object', properties, required });

// newServer is the factory createMcpHandler calls for every request it serves.
function newServer() {
    const s = new McpServer({ name: 'ts2-interop', version: '1.0.0' });
    s.registerTool('echo', { description: 'Returns its text.', inputSchema: object({ text: { type: 'string' } }) }, async ({ text }) => ({
        content: [{ type: 'text', text }]
    }));
    s.registerTool(
        'add',
        {
            description: 'Adds two numbers.',
            inputSchema: object({ a: { type: 'number' }, b: { type: 'number' } }),
            outputSchema: object({ sum: { type: 'number' } })
        },
        async ({ a, b }) => {
            const out = { sum: a + b };
            return { content: [{ type: 'text', text: JSON.stringify(out) }], structuredContent: out };
        }
    );
    s.registerTool(
        'confirm',
        { description: 'Asks the user to confirm an action before doing it.', inputSchema: object({ action: { type: 'string' } }) },
        async ({ action }, ctx) => {
            const answer = acceptedContent(ctx.mcpReq.inputResponses, 'confirm');
            if (answer?.confirm !== true) {
                return inputRequired({
                    inputRequests: {
                        confirm: inputRequired.elicit({
                            message: `Really ${action}?`,
                            requestedSchema: { type: 'object', properties: { confirm: { type: 'boolean' } }, required: ['confirm'] }
                        })
                    }
                });
            }
            return { content: [{ type: 'text', text: `${action}: done` }] };
        }
    );
    s.registerTool('count', { description: 'Counts to n, reporting progress at each step.', inputSchema: object({ n: { type: 'integer' } }) }, async ({ n }, ctx) => {
        const token = ctx.mcpReq._meta?.progressToken;
        for (let i = 1; i <= n; i++) {
            if (token !== undefined) {
                await ctx.mcpReq.notify({ method: 'notifications/progress', params: { progressToken: token, progress: i, total: n } });
            }
        }
        return { content: [{ type: 'text', text: `counted to ${n}` }] };
    });
    return s;
}

const handler = createMcpHandler(newServer, { onerror: err => console.error('ts2-server:', err) });

// toRequest turns a node:http request (its body already read) into the web Request the
// handler takes; abort fires when the client goes away.
function toRequest(req, body, abort) {
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) {
        for (const one of Array.isArray(v) ? v : [v]) {
            if (one !== undefined) headers.append(k, one);
        }
    }
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    return new Request(`http://${req.headers.host}${req.url}`, { method: req.method, headers, body: hasBody ? body : undefined, signal: abort.signal });
}

const server = http.createServer(async (req, res) => {
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    try {
        if (new URL(req.url, 'http://x').pathname !== '/mcp') {
            res.writeHead(404).end();
            return;
        }
        const chunks = [];
        for await (const c of req) chunks.push(c);
        const response = await handler.fetch(toRequest(req, Buffer.concat(chunks), abort));
        res.writeHead(response.status, Object.fromEntries(response.headers));
        if (response.body) {
            for await (const chunk of response.body) res.write(chunk); // SSE events as they come
        }
        res.end();
    } catch (err) {
        console.error('ts2-server:', err);
        if (!res.headersSent) res.writeHead(500);
        res.end();
    }
});

server.listen(port, '127.0.0.1', () => console.log(`ts2-server: serving http://127.0.0.1:${port}/mcp`));
for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, async () => {
        await handler.close();
        server.close();
        process.exit(0);
    });
}
