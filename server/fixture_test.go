package server_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/sse"
)

// testServer is the MCP server behind every transport test.
type testServer struct {
	*mcp.Server
	// started receives the name of a blocking tool when its handler starts.
	started chan string
	// release unblocks the "block" tool.
	release chan struct{}
	// cancelled receives the cause when a blocking handler's context ends.
	cancelled chan error
	// hold unblocks the "stubborn" tool, which ignores cancellation.
	hold chan struct{}
}

func newTestServer() *testServer { return newTestServerWith(nil) }

// newTestServerWith is newTestServer with options.
func newTestServerWith(opts *mcp.ServerOptions) *testServer {
	ts := &testServer{
		Server:    mcp.NewServer(&mcp.Implementation{Name: "transport-test", Version: "1.0.0"}, opts),
		started:   make(chan string, 16),
		release:   make(chan struct{}),
		cancelled: make(chan error, 16),
		hold:      make(chan struct{}),
	}
	type echoIn struct {
		Text string `json:"text"`
	}
	mcp.AddTool(ts.Server, &mcp.Tool{Name: "echo", Description: "Echoes text."},
		func(_ context.Context, _ *mcp.Request, in echoIn) (*mcp.CallToolResult, error) {
			return mcp.TextResult(in.Text), nil
		})
	mcp.AddTool(ts.Server, &mcp.Tool{Name: "block", Description: "Blocks until released or cancelled."},
		func(ctx context.Context, _ *mcp.Request, _ struct{}) (string, error) {
			ts.started <- "block"
			select {
			case <-ts.release:
				return "released", nil
			case <-ctx.Done():
				ts.cancelled <- context.Cause(ctx)
				return "", ctx.Err()
			}
		})
	mcp.AddTool(ts.Server, &mcp.Tool{Name: "stubborn", Description: "Logs, waits for hold even when cancelled, logs again."},
		func(ctx context.Context, req *mcp.Request, _ struct{}) (string, error) {
			_ = req.Log(ctx, mcp.LevelInfo, "t", "before")
			ts.started <- "stubborn"
			<-ts.hold
			_ = req.Log(ctx, mcp.LevelInfo, "t", "after")
			return "done", nil
		})
	mcp.AddTool(ts.Server, &mcp.Tool{Name: "poll", Description: "Logs, closes its stream, waits for hold or cancellation, logs again."},
		func(ctx context.Context, req *mcp.Request, _ struct{}) (string, error) {
			_ = req.Log(ctx, mcp.LevelInfo, "t", "before")
			if err := req.CloseStream(ctx); err != nil {
				return "", err
			}
			ts.started <- "poll"
			select {
			case <-ts.hold:
			case <-ctx.Done():
				ts.cancelled <- context.Cause(ctx)
				return "", ctx.Err()
			}
			_ = req.Log(ctx, mcp.LevelInfo, "t", "after")
			return "polled", nil
		})
	mcp.AddTool(ts.Server, &mcp.Tool{Name: "notify", Description: "Logs twice, then answers."},
		func(ctx context.Context, req *mcp.Request, _ struct{}) (string, error) {
			_ = req.Log(ctx, mcp.LevelInfo, "t", "one")
			_ = req.Log(ctx, mcp.LevelInfo, "t", "two")
			return "notified", nil
		})
	mcp.AddTool(ts.Server, &mcp.Tool{Name: "sample", Description: "Asks the client's LLM."},
		func(ctx context.Context, req *mcp.Request, _ struct{}) (string, error) {
			res, err := req.CreateMessage(ctx, &mcp.CreateMessageParams{MaxTokens: 10,
				Messages: []mcp.SamplingMessage{{Role: mcp.RoleUser, Content: &mcp.TextContent{Text: "hi"}}}})
			if err != nil {
				return "", err
			}
			return fmt.Sprint(res.Model), nil
		})
	ts.AddResource(&mcp.Resource{URI: "test://r", Name: "r"}, func(_ context.Context, _ *mcp.Request, uri string) (*mcp.ReadResourceResult, error) {
		return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{URI: uri, Text: "r"}}}, nil
	})
	return ts
}

const initBody = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{"sampling":{}},"clientInfo":{"name":"t","version":"1"}}}`

// req builds a POST with the headers a conforming client sends.
func req(method, body, session string, hdr ...string) *http.Request {
	r := httptest.NewRequest(method, "/mcp", strings.NewReader(body))
	if method == http.MethodPost {
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Accept", "application/json, text/event-stream")
	} else {
		r.Header.Set("Accept", "text/event-stream")
	}
	if session != "" {
		r.Header.Set("Mcp-Session-Id", session)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i] == "Host" {
			r.Host = hdr[i+1]
			continue
		}
		if hdr[i+1] == "" {
			r.Header.Del(hdr[i])
		} else {
			r.Header.Set(hdr[i], hdr[i+1])
		}
	}
	return r
}

func do(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// initialize opens a session and returns its id.
func initialize(t testing.TB, h http.Handler) string {
	t.Helper()
	w := do(h, req(http.MethodPost, initBody, ""))
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	id := w.Header().Get("Mcp-Session-Id")
	require.NotEmpty(t, id)
	w = do(h, req(http.MethodPost, `{"jsonrpc":"2.0","method":"notifications/initialized"}`, id))
	require.Equal(t, http.StatusAccepted, w.Code, w.Body.String())
	return id
}

func call(id int, tool, args string) string {
	return fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":%q,"arguments":%s}}`, id, tool, args)
}

// errorBody decodes a JSON-RPC error body.
func errorBody(t *testing.T, body []byte) (code int64, msg string) {
	t.Helper()
	var r struct {
		ID    json.RawMessage `json:"id"`
		Error struct {
			Code    int64  `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	require.NoError(t, json.Unmarshal(body, &r), string(body))
	return r.Error.Code, r.Error.Message
}

// events decodes an SSE body into its events' data.
func events(t *testing.T, body io.Reader) []sse.Event {
	t.Helper()
	var out []sse.Event
	dec := sse.NewDecoder(body, nil)
	for e, err := range dec.Events() {
		require.NoError(t, err)
		out = append(out, e)
	}
	return out
}

func dataOf(evs []sse.Event) []string {
	var out []string
	for _, e := range evs {
		if len(e.Data) > 0 {
			out = append(out, string(e.Data))
		}
	}
	return out
}
