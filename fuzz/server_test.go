package fuzz

import (
	"bytes"
	"context"
	stdjson "encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf8"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/server"
	"github.com/minimcp/minimcp/sse"
)

// The header values FuzzStreamablePost picks from, by index.
var (
	fuzzContentTypes = []string{"application/json", "application/json; charset=utf-8", "text/plain", ""}
	fuzzAccepts      = []string{"application/json, text/event-stream", "application/json", "text/event-stream", "*/*", ""}
	fuzzVersions     = []string{"", "2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05", "1999-01-01", "2026-07-28", " 2026-07-28 "}
	// The standard request headers of 2026-07-28 (MCP 2026-07-28, Transports § Streamable
	// HTTP, Standard Request Headers), picked by the high bits of ct and accept.
	fuzzMethods = []string{"", "tools/call", "tools/list", "server/discover", "resources/read", "prompts/get", "TOOLS/CALL", "subscriptions/listen"}
	fuzzNames   = []string{"", "echo", " echo ", "=?base64?ZWNobw==?=", "=?base64?!!?=", "fuzz://r", "p"}
)

// fuzzStatuses are the statuses a POST may get (MCP 2025-11-25, Transports): an answer, 202
// for notifications and responses, and the errors the transport names (408, a body not
// received in time, needs a real connection: it cannot happen here).
var fuzzStatuses = map[int]bool{
	http.StatusOK: true, http.StatusAccepted: true, http.StatusBadRequest: true,
	http.StatusNotFound: true, http.StatusNotAcceptable: true, http.StatusRequestTimeout: true,
	http.StatusRequestEntityTooLarge: true, http.StatusUnsupportedMediaType: true,
	http.StatusServiceUnavailable: true,
}

// newFuzzServer is the MCP server behind FuzzStreamablePost: a plain tool, one that notifies
// before its result (so answers upgrade to SSE), a resource and a prompt.
func newFuzzServer() *mcp.Server {
	s := mcp.NewServer(&mcp.Implementation{Name: "fuzz", Version: "1"}, nil)
	type echoIn struct {
		Text string `json:"text"`
	}
	mcp.AddTool(s, &mcp.Tool{Name: "echo"}, func(_ context.Context, _ *mcp.Request, in echoIn) (string, error) {
		return in.Text, nil
	})
	mcp.AddTool(s, &mcp.Tool{Name: "log"}, func(ctx context.Context, req *mcp.Request, in echoIn) (string, error) {
		_ = req.Log(ctx, mcp.LevelInfo, "fuzz", in.Text)
		_ = req.Progress(ctx, 1, 2, in.Text)
		return in.Text, nil
	})
	s.AddResource(&mcp.Resource{URI: "fuzz://r", Name: "r"}, func(_ context.Context, _ *mcp.Request, uri string) (*mcp.ReadResourceResult, error) {
		return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{URI: uri, Text: "r"}}}, nil
	})
	s.AddPrompt(&mcp.Prompt{Name: "p", Arguments: []mcp.PromptArgument{{Name: "a", Required: true}}},
		func(_ context.Context, _ *mcp.Request, args map[string]string) (*mcp.GetPromptResult, error) {
			return &mcp.GetPromptResult{Messages: []mcp.PromptMessage{{Role: mcp.RoleUser, Content: &mcp.TextContent{Text: args["a"]}}}}, nil
		})
	return s
}

// FuzzStreamablePost sends arbitrary bodies, with headers picked from realistic and wrong
// values, to the Streamable HTTP endpoint, stateful (in an initialized session, a bogus one,
// or none) and stateless, with a Content-Length or without. It must never panic, answer with
// a status the transport names, and every answer must be well-formed: an error status
// carries a JSON-RPC error with id null (503 with Retry-After; 413 closes the connection),
// 202 has no body, a JSON answer is JSON-RPC responses, an SSE answer decodes and carries
// JSON-RPC messages.
func FuzzStreamablePost(f *testing.F) {
	stateful := server.New(newFuzzServer(), &server.Options{MaxSessions: 1000, MaxBodyBytes: 64 << 10, KeepAlive: -1})
	stateless := server.New(newFuzzServer(), &server.Options{Stateless: true, MaxBodyBytes: 64 << 10})
	f.Cleanup(func() {
		_ = stateful.Shutdown(context.Background())
		_ = stateless.Shutdown(context.Background())
	})
	sid := fuzzInitialize(f, stateful)

	for _, body := range []string{
		`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}}}`,
		`{"jsonrpc":"2.0","id":"a","method":"tools/call","params":{"name":"log","arguments":{"text":"hi"},"_meta":{"progressToken":7}}}`,
		`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`,
		`{"jsonrpc":"2.0","id":3,"method":"resources/read","params":{"uri":"fuzz://r"}}`,
		`{"jsonrpc":"2.0","id":4,"method":"prompts/get","params":{"name":"p","arguments":{"a":"x"}}}`,
		`{"jsonrpc":"2.0","id":5,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"f","version":"1"}}}`,
		`{"jsonrpc":"2.0","method":"notifications/initialized"}`,
		`[{"jsonrpc":"2.0","id":6,"method":"ping"},{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":6}}]`,
		`{"jsonrpc":"2.0","id":7,"method":"logging/setLevel","params":{"level":"debug"}}`,
		`{"jsonrpc":"2.0","id":8,"result":{}}`,
		`not json`,
		`{"jsonrpc":"2.0","id":10,"method":"tools/call","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},"io.modelcontextprotocol/logLevel":"debug","progressToken":1},"name":"log","arguments":{"text":"hi"}}}`,
		`{"jsonrpc":"2.0","id":"d","method":"server/discover","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}`,
		`{"jsonrpc":"2.0","id":11,"method":"ping","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2099-01-01"}}}`,
		`{"jsonrpc":"2.0","id":12,"method":"subscriptions/listen","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}},"notifications":{"toolsListChanged":true,"resourceSubscriptions":["fuzz://r"]}}}`,
	} {
		f.Add([]byte(body), uint8(0), uint8(0), uint8(0), uint8(0))
		f.Add([]byte(body), uint8(0), uint8(0), uint8(3), uint8(1))
		f.Add([]byte(body), uint8(0), uint8(0), uint8(0), uint8(5))
		f.Add([]byte(body), uint8(1<<4), uint8(1<<4), uint8(6), uint8(0))
		f.Add([]byte(body), uint8(3<<4), uint8(3<<4), uint8(6), uint8(1))
	}
	f.Add([]byte(`{"jsonrpc":"2.0","id":12,"method":"subscriptions/listen","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}},"notifications":{"promptsListChanged":true}}}`),
		uint8(7<<4), uint8(0), uint8(6), uint8(1))
	f.Add([]byte(`{"jsonrpc":"2.0","id":13,"method":"subscriptions/listen","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}},"notifications":{"resourceSubscriptions":[""]}}}`),
		uint8(7<<4), uint8(0), uint8(6), uint8(0))
	f.Add([]byte(`{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"echo","arguments":{"text":"`+strings.Repeat("x", 64<<10)+`"}}}`),
		uint8(0), uint8(0), uint8(0), uint8(4))
	f.Fuzz(func(t *testing.T, body []byte, ct, accept, version, mode uint8) {
		h, session := stateful, ""
		switch mode % 4 {
		case 0:
			session = sid
		case 1:
			h = stateless
		case 2:
			session = "NOT-A-SESSION"
		}
		r := httptest.NewRequest(http.MethodPost, "/mcp", bytes.NewReader(body))
		if mode&4 != 0 {
			// No Content-Length (a chunked body), in small reads: the buffer grows as it goes.
			r.Body = io.NopCloser(iotest.HalfReader(bytes.NewReader(body)))
			r.ContentLength = -1
		}
		setHeader(r, "Content-Type", fuzzContentTypes[int(ct)%len(fuzzContentTypes)])
		setHeader(r, "Accept", fuzzAccepts[int(accept)%len(fuzzAccepts)])
		setHeader(r, "MCP-Protocol-Version", fuzzVersions[int(version)%len(fuzzVersions)])
		setHeader(r, "Mcp-Session-Id", session)
		setHeader(r, "Mcp-Method", fuzzMethods[int(ct>>4)%len(fuzzMethods)])
		setHeader(r, "Mcp-Name", fuzzNames[int(accept>>4)%len(fuzzNames)])
		if r.Header.Get("Mcp-Method") == "subscriptions/listen" {
			// A listen lasts until its client leaves: this one has left already, so the
			// answer is the acknowledgment and the closing result, or the refusal.
			ctx, cancel := context.WithCancel(r.Context())
			cancel()
			r = r.WithContext(ctx)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		checkPostAnswer(t, w, requestID(body))
	})
}

func setHeader(r *http.Request, k, v string) {
	if v != "" {
		r.Header.Set(k, v)
	}
}

// fuzzInitialize opens a session on h and returns its id.
func fuzzInitialize(f *testing.F, h http.Handler) string {
	post := func(body, session string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, "/mcp", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Accept", "application/json, text/event-stream")
		setHeader(r, "Mcp-Session-Id", session)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	w := post(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"f","version":"1"}}}`, "")
	id := w.Header().Get("Mcp-Session-Id")
	if w.Code != http.StatusOK || id == "" {
		f.Fatalf("initialize: %d %s", w.Code, w.Body)
	}
	if w = post(`{"jsonrpc":"2.0","method":"notifications/initialized"}`, id); w.Code != http.StatusAccepted {
		f.Fatalf("initialized: %d %s", w.Code, w.Body)
	}
	return id
}

// checkPostAnswer checks that one answer is well-formed. reqID is the raw id of the request body, nil when the body is not one request: an error
// status carries it when a 2026-07-28 request is refused (MCP 2026-07-28, Transports §
// Streamable HTTP, Server Validation), and id null otherwise.
func checkPostAnswer(t *testing.T, w *httptest.ResponseRecorder, reqID []byte) {
	t.Helper()
	body := w.Body.Bytes()
	if !fuzzStatuses[w.Code] {
		t.Fatalf("status %d is not one the transport answers a POST with: %s", w.Code, body)
	}
	if !utf8.Valid(body) {
		t.Fatalf("the answer is not UTF-8 (RFC 8259 §8.1): %q", body)
	}
	ct := w.Header().Get("Content-Type")
	switch {
	case w.Code == http.StatusAccepted:
		if len(body) != 0 {
			t.Fatalf("202 with a body: %s", body)
		}
	case w.Code >= 400:
		mustSingleErrorReply(t, body, reqID)
		if w.Code == http.StatusServiceUnavailable && w.Header().Get("Retry-After") == "" {
			t.Fatalf("503 without Retry-After: %s", body)
		}
		if (w.Code == http.StatusRequestEntityTooLarge || w.Code == http.StatusRequestTimeout) && w.Header().Get("Connection") != "close" {
			// The rest of the body is unread: the connection cannot carry another request.
			t.Fatalf("%d without Connection: close: %s", w.Code, body)
		}
	case ct == "application/json":
		checkReplies(t, body)
	case ct == "text/event-stream":
		dec := sse.NewDecoder(bytes.NewReader(body), nil)
		for ev, err := range dec.Events() {
			if err != nil {
				t.Fatalf("the SSE answer does not decode: %v\n%s", err, body)
			}
			if len(ev.Data) > 0 && !stdjson.Valid(ev.Data) {
				t.Fatalf("an SSE event is not JSON: %q", ev.Data)
			}
		}
	default:
		t.Fatalf("200 with Content-Type %q: %s", ct, body)
	}
}

// mustSingleErrorReply checks an error status's body: one JSON-RPC error, id null or reqID.
func mustSingleErrorReply(t *testing.T, body, reqID []byte) {
	t.Helper()
	var r struct {
		JSONRPC string             `json:"jsonrpc"`
		ID      stdjson.RawMessage `json:"id"`
		Error   *struct {
			Code    int64  `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := stdjson.Unmarshal(body, &r); err != nil || r.JSONRPC != "2.0" || r.Error == nil || r.Error.Code == 0 || r.Error.Message == "" || string(r.ID) != "null" && (reqID == nil || !bytes.Equal(r.ID, reqID)) {
		t.Fatalf("an error status without a JSON-RPC error reply (id null or the request's, non-zero code, a message): %s", body)
	}
}

// requestID returns the raw id of body when it is one JSON-RPC request, else nil.
func requestID(body []byte) []byte {
	var m struct {
		ID     stdjson.RawMessage `json:"id"`
		Method *string            `json:"method"`
	}
	if stdjson.Unmarshal(body, &m) != nil || m.Method == nil || len(m.ID) == 0 {
		return nil
	}
	return m.ID
}

// checkReplies checks a JSON answer: one response or an array of them.
func checkReplies(t *testing.T, body []byte) {
	t.Helper()
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && trimmed[0] == '[' {
		var replies []stdjson.RawMessage
		if err := stdjson.Unmarshal(trimmed, &replies); err != nil || len(replies) == 0 {
			t.Fatalf("a batch answer that is not a non-empty array: %s", body)
		}
		for _, r := range replies {
			checkResponse(t, r, mustID(t, r))
		}
		return
	}
	checkResponse(t, trimmed, mustID(t, trimmed))
}

// mustID returns a reply's id as raw JSON, failing when it has none.
func mustID(t *testing.T, reply []byte) string {
	t.Helper()
	var r struct {
		ID stdjson.RawMessage `json:"id"`
	}
	if err := stdjson.Unmarshal(reply, &r); err != nil || len(r.ID) == 0 {
		t.Fatalf("a reply without an id: %s", reply)
	}
	return string(r.ID)
}
