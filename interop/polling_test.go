package interop

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// wireRecord is one HTTP exchange seen by recordingTransport.
type wireRecord struct {
	method, lastEventID, contentType string
	status                           int
}

// recordingTransport records the method, Last-Event-ID and answer of every request.
type recordingTransport struct {
	base http.RoundTripper

	mu sync.Mutex
	// seen is guarded by mu.
	seen []wireRecord
}

func (r *recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.seen = append(r.seen, wireRecord{req.Method, req.Header.Get("Last-Event-ID"), resp.Header.Get("Content-Type"), resp.StatusCode})
	r.mu.Unlock()
	return resp, nil
}

func (r *recordingTransport) records() []wireRecord {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]wireRecord(nil), r.seen...)
}

// TestGoSDKClientResumesClosedStream: `minimcp conformance` polls (server.Options.Polling),
// and its test_reconnection tool closes its POST's connection before it answers (MCP
// 2025-11-25, Transports § Sending Messages to the Server; SEP-1699). The Go SDK client must
// resume with a GET carrying Last-Event-ID and get the result there.
func TestGoSDKClientResumesClosedStream(t *testing.T) {
	base := runHTTP(t, "conformance")
	rec := &recordingTransport{base: http.DefaultTransport.(*http.Transport).Clone()}
	httpClient := &http.Client{Transport: rec}
	t.Cleanup(httpClient.CloseIdleConnections) // before the server stops

	ctx, cancel := context.WithTimeout(t.Context(), sessionTimeout)
	defer cancel()
	client := mcp.NewClient(&mcp.Implementation{Name: "minimcp-interop-go-polling", Version: "1.0.0"}, nil)
	// Resumption belongs to the revisions with sessions (MCP 2026-07-28 changelog: SSE
	// resumability removed), so the session is pinned to one.
	cs, err := client.Connect(ctx, &mcp.StreamableClientTransport{Endpoint: base + "/mcp", HTTPClient: httpClient},
		&mcp.ClientSessionOptions{ProtocolVersion: latestVersion})
	require.NoError(t, err, "connect and initialize")
	defer cs.Close()

	from := len(rec.records())
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "test_reconnection", Arguments: map[string]any{}})
	require.NoError(t, err)
	require.False(t, res.IsError, "tool error: %v", res.Content)
	assert.True(t, strings.HasPrefix(onlyText(t, res.Content), "Reconnection test completed successfully."))

	var post, resume *wireRecord
	exchange := rec.records()[from:]
	for i := range exchange {
		switch r := &exchange[i]; {
		case r.method == http.MethodPost && post == nil:
			post = r
		case r.method == http.MethodGet && r.lastEventID != "":
			resume = r
		}
	}
	require.NotNil(t, post, "the call was POSTed: %+v", exchange)
	assert.Equal(t, "text/event-stream", post.contentType, "the POST was answered with an SSE stream")
	require.NotNil(t, resume, "the client resumed with GET and Last-Event-ID: %+v", exchange)
	assert.Regexp(t, `^p\d+-\d+$`, resume.lastEventID, "the id names the POST's stream")
	assert.Equal(t, http.StatusOK, resume.status)
}
