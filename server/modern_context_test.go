package server_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/server"
	"github.com/minimcp/minimcp/sse"
)

// addContextTool registers "ctx", which logs at info and reports progress, then answers with
// what its request says of the client.
func addContextTool(ts *testServer) {
	mcp.AddTool(ts.Server, &mcp.Tool{Name: "ctx", Description: "Reports the request's context."},
		func(ctx context.Context, req *mcp.Request, _ struct{}) (string, error) {
			_ = req.Log(ctx, mcp.LevelInfo, "t", "info line")
			if err := req.Progress(ctx, 1, 2, "half"); err != nil {
				return "", err
			}
			tc := req.TraceContext()
			return fmt.Sprintf("client=%s/%s sampling=%t elicitation=%t level=%s session=%q trace=%s version=%s",
				req.ClientInfo().Name, req.ClientInfo().Version, req.ClientCapabilities().Sampling != nil,
				req.ClientCapabilities().Elicitation != nil, req.LogLevel(), req.SessionID(), tc.TraceParent, req.ProtocolVersion()), nil
		})
}

// modernTransports serve one 2026-07-28 request line and return the messages of its answer,
// the reply last.
var modernTransports = []struct {
	name  string
	serve func(t *testing.T, ts *testServer, line string) []string
}{
	{"http-stateful", func(t *testing.T, ts *testServer, line string) []string { return serveHTTP(t, ts, line, false) }},
	{"http-stateless", func(t *testing.T, ts *testServer, line string) []string { return serveHTTP(t, ts, line, true) }},
	{"stdio", func(t *testing.T, ts *testServer, line string) []string {
		var out strings.Builder
		require.NoError(t, server.ServeStdio(t.Context(), ts.Server, strings.NewReader(line+"\n"), &out, nil))
		return strings.Split(strings.TrimSpace(out.String()), "\n")
	}},
}

func serveHTTP(t *testing.T, ts *testServer, line string, stateless bool) []string {
	h := server.New(ts.Server, &server.Options{Stateless: stateless})
	defer shutdown(t, h)
	w := do(h, modernReq(line, "tools/call", "ctx"))
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.Empty(t, w.Header().Get("Mcp-Session-Id"))
	if strings.HasPrefix(w.Header().Get("Content-Type"), "text/event-stream") {
		return dataOf(events(t, w.Body))
	}
	return []string{w.Body.String()}
}

// TestModernRequestContext: over every transport, a 2026-07-28 request's handler sees the
// client's info, capabilities and log level of its own _meta (MCP 2026-07-28, Basic § _meta,
// Per-request protocol fields); it gets notifications/message only when it set a level
// (schema, RequestMetaObject: "If absent, the server MUST NOT send any notifications/message
// notifications for this request"), and its progress and log messages go with its own answer
// (Transports § Streamable HTTP, Receiving Messages: notifications "MUST relate to the
// originating client request").
func TestModernRequestContext(t *testing.T) {
	const caps = `"io.modelcontextprotocol/clientCapabilities":{"sampling":{}}`
	meta := strings.Replace(modernMeta, `"io.modelcontextprotocol/clientCapabilities":{}`, caps, 1)
	line := func(extra string) string {
		m := meta
		if extra != "" {
			m = strings.TrimSuffix(m, "}") + "," + extra + "}"
		}
		return `{"jsonrpc":"2.0","id":"c1","method":"tools/call","params":{` + m + `,"name":"ctx","arguments":{}}}`
	}
	const trace = `"traceparent":"00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01"`
	for _, tr := range modernTransports {
		t.Run(tr.name, func(t *testing.T) {
			ts := newTestServer()
			addContextTool(ts)

			got := tr.serve(t, ts, line(trace))
			require.Len(t, got, 1, "no level, no progress token: the reply alone")
			assert.Contains(t, got[0], `"id":"c1"`)
			assert.Contains(t, got[0], `client=t/1 sampling=true elicitation=false level=info session=\"\" trace=00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01 version=2026-07-28`)

			got = tr.serve(t, ts, line(`"io.modelcontextprotocol/logLevel":"debug","progressToken":"p1"`))
			require.Len(t, got, 3, got)
			assert.Contains(t, got[0], `"method":"notifications/message"`)
			assert.Contains(t, got[0], `"info line"`)
			assert.Contains(t, got[1], `"method":"notifications/progress"`)
			assert.Contains(t, got[1], `"progressToken":"p1"`)
			assert.Contains(t, got[2], `"id":"c1"`)
			assert.Contains(t, got[2], `level=debug`)

			got = tr.serve(t, ts, line(`"io.modelcontextprotocol/logLevel":"warning"`))
			require.Len(t, got, 1, "info is below the level asked for")
			assert.Contains(t, got[0], `level=warning`)
		})
	}
}

// TestModernProgressOnOwnStream: in a stateful handler with a 2025 session and its GET stream
// open, a 2026-07-28 request's progress goes on its own SSE answer, never on the session's
// stream.
func TestModernProgressOnOwnStream(t *testing.T) {
	ts, _, hs := live(t, &server.Options{KeepAlive: -1})
	addContextTool(ts)
	id := liveInit(t, hs)
	getCtx, stopGet := context.WithCancel(context.Background())
	defer stopGet()
	get := open(t, getCtx, hs, http.MethodGet, "", id)
	defer get.Body.Close()
	require.Equal(t, http.StatusOK, get.StatusCode)
	gotGet := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(get.Body)
		gotGet <- string(b)
	}()

	body := `{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{` + strings.TrimSuffix(modernMeta, "}") + `,"progressToken":4},"name":"ctx","arguments":{}}}`
	r := modernReq(body, "tools/call", "ctx", "Mcp-Session-Id", id)
	resp := open(t, context.Background(), hs, http.MethodPost, body, "", flatten(r.Header)...)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	evs := dataOf(events(t, resp.Body))
	require.Len(t, evs, 2, evs)
	assert.Contains(t, evs[0], `"notifications/progress"`)
	assert.Contains(t, evs[1], `"id":4`)
	stopGet()
	assert.NotContains(t, <-gotGet, "notifications/progress")
}

// flatten returns the headers of hd as name, value pairs.
func flatten(hd http.Header) []string {
	var out []string
	for k, vs := range hd {
		for _, v := range vs {
			out = append(out, k, v)
		}
	}
	return out
}

// TestModernDisconnectCancels: over Streamable HTTP, a 2026-07-28 client that closes the
// answer's stream cancels the handler (MCP 2026-07-28, Basic § Cancellation, Transport-Specific
// Cancellation: "The server MUST treat a client disconnect as cancellation of that request"),
// in the stateful handler as in the stateless one.
func TestModernDisconnectCancels(t *testing.T) {
	for _, md := range modes {
		t.Run(md.name, func(t *testing.T) {
			ts, _, hs := live(t, &md.opts)
			ctx, cancel := context.WithCancel(context.Background())
			errc := make(chan error, 1)
			go func() {
				body := modernCall(2, "block", `{}`, "")
				r, err := http.NewRequestWithContext(ctx, http.MethodPost, hs.URL+"/mcp", strings.NewReader(body))
				if err == nil {
					r.Header = modernReq(body, "tools/call", "block").Header
					var resp *http.Response
					if resp, err = hs.Client().Do(r); err == nil {
						resp.Body.Close()
					}
				}
				errc <- err
			}()
			<-ts.started
			cancel()
			require.ErrorIs(t, <-ts.cancelled, context.Canceled, "the handler's context ends with the client's connection")
			require.Error(t, <-errc)
		})
	}
}

// TestModernStdioCancel: over stdio, notifications/cancelled naming a 2026-07-28 request in
// flight cancels it, and it gets no reply (MCP 2026-07-28, Basic § Cancellation: "stdio: ...
// The client MUST send a notifications/cancelled notification referencing the request ID";
// receivers SHOULD "Not send a response for the cancelled request"). One naming no request in
// flight is ignored.
func TestModernStdioCancel(t *testing.T) {
	for _, note := range []struct{ name, meta string }{
		{"plain", ""},
		{"with modern _meta", `,"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}`},
	} {
		t.Run(note.name, func(t *testing.T) {
			ts := newTestServer()
			inR, inW := io.Pipe()
			outR, outW := io.Pipe()
			done := make(chan error, 1)
			go func() {
				done <- server.ServeStdio(context.Background(), ts.Server, inR, outW, nil)
				outW.Close()
			}()
			lines := make(chan string, 16)
			go func() {
				sc := bufio.NewScanner(outR)
				for sc.Scan() {
					lines <- sc.Text()
				}
				close(lines)
			}()
			send := func(line string) {
				_, err := io.WriteString(inW, line+"\n")
				require.NoError(t, err)
			}
			send(modernCall(7, "block", `{}`, ""))
			<-ts.started
			send(`{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":8` + note.meta + `}}`)
			send(`{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":7,"reason":"user"` + note.meta + `}}`)
			err := <-ts.cancelled
			require.Error(t, err)
			assert.Contains(t, err.Error(), "user")
			send(modernCall(9, "echo", `{"text":"after"}`, ""))
			assert.Contains(t, <-lines, `"id":9`, "the cancelled request has no reply")
			require.NoError(t, inW.Close())
			require.NoError(t, <-done)
			_, more := <-lines
			assert.False(t, more, "nothing else was written")
		})
	}
}

// TestModernGetDelete: a GET or DELETE naming 2026-07-28, which has neither a GET stream nor
// sessions, gets 405 with Allow: POST (MCP 2026-07-28, Transports § Streamable HTTP,
// Earlier Streamable HTTP Revisions: "HTTP GET or DELETE to the MCP endpoint: respond with 405
// Method Not Allowed"), whatever the handler's mode and a session id say.
func TestModernGetDelete(t *testing.T) {
	for _, md := range modes {
		h := server.New(newTestServer().Server, &md.opts)
		sid := ""
		if !md.opts.Stateless {
			sid = initialize(t, h)
		}
		for _, method := range []string{http.MethodGet, http.MethodDelete} {
			for _, session := range []string{"", sid} {
				t.Run(fmt.Sprintf("%s/%s/session=%t", md.name, method, session != ""), func(t *testing.T) {
					w := do(h, req(method, "", session, "MCP-Protocol-Version", mcp.Version20260728, "Accept", ""))
					assert.Equal(t, http.StatusMethodNotAllowed, w.Code, w.Body.String())
					assert.Equal(t, "POST", w.Header().Get("Allow"))
					code, msg := errorBody(t, w.Body.Bytes())
					assert.NotZero(t, code)
					assert.Contains(t, msg, "Method Not Allowed")
				})
			}
		}
		if sid != "" {
			// The 2025 session is still there for its own GET and DELETE.
			assert.Equal(t, http.StatusNoContent, do(h, req(http.MethodDelete, "", sid)).Code)
		}
		shutdown(t, h)
	}
}

// TestModernLegacySSE: a 2026-07-28 request posted to an HTTP+SSE session, a transport of
// 2024-11-05 that the revision does not use, is refused with an UnsupportedProtocolVersionError
// naming the versions that transport serves and where to go instead, sent the way that transport
// answers (202, then a message event), and the session goes on.
func TestModernLegacySSE(t *testing.T) {
	_, _, hs := live(t, &server.Options{LegacySSE: true})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r, err := http.NewRequestWithContext(ctx, http.MethodGet, hs.URL+"/sse", nil)
	require.NoError(t, err)
	r.Header.Set("Accept", "text/event-stream")
	stream, err := hs.Client().Do(r)
	require.NoError(t, err)
	defer stream.Body.Close()
	dec := sse.NewDecoder(stream.Body, nil)
	endpoint, err := dec.Next()
	require.NoError(t, err)

	post := func(body string) (int, string) {
		resp, err := hs.Client().Post(hs.URL+string(endpoint.Data), "application/json", strings.NewReader(body))
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	// 202, and the error on the stream, as every reply of this transport: the SDKs probing
	// with server/discover treat a 4xx to the POST as a transport failure and never read it.
	status, body := post(modernCall(5, "echo", `{"text":"x"}`, ""))
	require.Equal(t, http.StatusAccepted, status, body)
	ev := nextData(t, dec)
	got := string(ev.Data)
	assert.Contains(t, got, `"id":5`)
	assert.Contains(t, got, fmt.Sprintf(`"code":%d`, mcp.CodeUnsupportedProtocolVersion))
	assert.Contains(t, got, `"supported":["2025-11-25","2025-06-18","2025-03-26","2024-11-05"]`)
	assert.Contains(t, got, `"requested":"2026-07-28"`)

	// The session goes on for its own era.
	status, body = post(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2024-11-05","capabilities":{},"clientInfo":{"name":"old","version":"1"}}}`)
	require.Equal(t, http.StatusAccepted, status, body)
	ev = nextData(t, dec)
	assert.Contains(t, string(ev.Data), `"id":1,"result"`, "the next message on the stream is initialize's reply")
}
