// Package fakemcp is a small MCP Streamable HTTP server for testing clients: three tools over
// an mcp.Server, with knobs for sessions, SSE replies, failures, expiry and replica names. It is
// imported by tests only.
package fakemcp

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/rpc"
	"github.com/minimcp/minimcp/sse"
)

// Options choose how a Server behaves. The zero value is a stateless server answering
// every request with application/json.
type Options struct {
	// SSE answers requests with text/event-stream: a priming event, a notification and a
	// server-to-client ping request, then the response.
	SSE bool
	// Stateful mints an MCP-Session-Id on initialize and requires it afterwards: 400 without
	// one, 404 for an unknown one. DELETE ends a session.
	Stateful bool
	// ExpireOn makes requests of this method answer 404 "session not found", as if the
	// session had just expired.
	ExpireOn string
	// ServedBy is sent as X-Served-By.
	ServedBy string
	// FailEvery makes every FailEvery-th POST fail with FailStatus (503 if zero).
	FailEvery  int
	FailStatus int
	// PageSize is the tools/list page size (2 if zero, so that the three tools take two pages).
	PageSize int
	// Legacy makes the server one of the 2025 revisions alone, which knows nothing of
	// 2026-07-28: a request naming it in MCP-Protocol-Version gets 400 without a JSON-RPC
	// body (as an MCP-Protocol-Version it does not support: MCP 2025-11-25, Transports §
	// Protocol Version Header). Without it the server, over mcp.Server, serves 2026-07-28
	// requests too.
	Legacy bool
}

// Server is a minimal MCP Streamable HTTP server over mcp.Server, for testing the client
// side. Its tools: echo (returns its text), fail (isError), image (a text and an image block).
type Server struct {
	opts Options
	srv  *mcp.Server

	Posts atomic.Int64 // POSTs received

	mu sync.Mutex
	// sessions maps live session ids to sessions; guarded by mu.
	sessions map[string]*mcp.Session
	// minted counts sessions created, deleted those ended by DELETE; guarded by mu.
	minted, deleted int
	// lastPost holds the headers of the latest POST other than initialize; guarded by mu.
	lastPost http.Header
}

// NewHandler returns a fake server not bound to any listener (for synctest).
func NewHandler(opts Options) *Server {
	if opts.PageSize == 0 {
		opts.PageSize = 2
	}
	if opts.FailStatus == 0 {
		opts.FailStatus = http.StatusServiceUnavailable
	}
	s := mcp.NewServer(&mcp.Implementation{Name: "fake", Version: "1.0.0"}, &mcp.ServerOptions{PageSize: opts.PageSize})
	type echoIn struct {
		Text string `json:"text"`
	}
	mcp.AddTool(s, &mcp.Tool{Name: "echo", Description: "Returns its text."},
		func(_ context.Context, _ *mcp.Request, in echoIn) (*mcp.CallToolResult, error) {
			return mcp.TextResult(in.Text), nil
		})
	mcp.AddTool(s, &mcp.Tool{Name: "fail", Description: "Always fails,\nwith a message."},
		func(context.Context, *mcp.Request, struct{}) (*mcp.CallToolResult, error) {
			return nil, errors.New("the disk is full")
		})
	mcp.AddTool(s, &mcp.Tool{Name: "image", Description: "Returns a text and an image."},
		func(context.Context, *mcp.Request, struct{}) (*mcp.CallToolResult, error) {
			return &mcp.CallToolResult{Content: []mcp.Content{
				&mcp.TextContent{Text: "a picture:"},
				&mcp.ImageContent{Data: []byte("PNG"), MimeType: "image/png"},
			}}, nil
		})
	return &Server{opts: opts, srv: s, sessions: map[string]*mcp.Session{}}
}

// Start starts a fake server on 127.0.0.1 and returns it with its URL; the test's cleanup
// stops it.
func Start(t *testing.T, opts Options) (*Server, string) {
	t.Helper()
	f := NewHandler(opts)
	ts := httptest.NewServer(f)
	t.Cleanup(func() {
		ts.Close()
		f.CloseSessions()
	})
	return f, ts.URL + "/mcp"
}

func (f *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if f.opts.ServedBy != "" {
		w.Header().Set("X-Served-By", f.opts.ServedBy)
	}
	switch r.Method {
	case http.MethodPost:
		f.post(w, r)
	case http.MethodDelete:
		f.mu.Lock()
		sess := f.sessions[r.Header.Get("Mcp-Session-Id")]
		if sess != nil {
			delete(f.sessions, sess.ID())
			f.deleted++
		}
		f.mu.Unlock()
		if !f.opts.Stateful {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		if sess == nil {
			writeRPCError(w, http.StatusNotFound, "session not found")
			return
		}
		sess.Close()
		w.WriteHeader(http.StatusNoContent)
	default:
		w.WriteHeader(http.StatusMethodNotAllowed)
	}
}

func (f *Server) post(w http.ResponseWriter, r *http.Request) {
	n := f.Posts.Add(1)
	if f.opts.FailEvery > 0 && n%int64(f.opts.FailEvery) == 0 {
		http.Error(w, "injected failure", f.opts.FailStatus)
		return
	}
	if f.opts.Legacy && mcp.IsModernVersion(r.Header.Get("MCP-Protocol-Version")) {
		http.Error(w, "unsupported MCP-Protocol-Version", http.StatusBadRequest)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	msgs, _, derr := rpc.Decode(nil, body, rpc.Limits{})
	if derr != nil {
		writeRPCError(w, http.StatusBadRequest, derr.Message)
		return
	}
	isInit := len(msgs) == 1 && msgs[0].Method == mcp.MethodInitialize
	if !isInit {
		f.mu.Lock()
		f.lastPost = r.Header.Clone()
		f.mu.Unlock()
	}
	in := &mcp.Inbound{ProtocolVersion: r.Header.Get("MCP-Protocol-Version")}
	if f.opts.Stateful {
		sid := r.Header.Get("Mcp-Session-Id")
		expire := f.opts.ExpireOn != "" && len(msgs) == 1 && msgs[0].Method == f.opts.ExpireOn
		f.mu.Lock()
		switch {
		case isInit && sid == "":
			f.minted++
			sid = "session-" + strconv.Itoa(f.minted)
			in.Session = f.srv.NewSession(sid)
			f.sessions[sid] = in.Session
			w.Header().Set("Mcp-Session-Id", sid)
		case sid != "":
			in.Session = f.sessions[sid]
			if expire && in.Session != nil {
				delete(f.sessions, sid)
				in.Session.Close()
				in.Session = nil
			}
		}
		f.mu.Unlock()
		switch {
		case sid == "":
			writeRPCError(w, http.StatusBadRequest, "missing MCP-Session-Id")
			return
		case in.Session == nil:
			writeRPCError(w, http.StatusNotFound, "session not found")
			return
		}
	}
	var replies []rpc.Response
	for i := range msgs {
		if resp, ok := f.srv.Handle(r.Context(), in, &msgs[i]); ok {
			replies = append(replies, resp)
		}
	}
	if len(replies) == 0 {
		w.WriteHeader(http.StatusAccepted)
		return
	}
	if !f.opts.SSE {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(rpc.AppendResponse(nil, &replies[0]))
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	enc := sse.NewEncoder(w)
	for _, e := range []*sse.Event{
		{ID: "1"}, // priming: an id and empty data
		{ID: "2", Data: []byte(`{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":"working"}}`)},
		{ID: "3", Data: []byte(`{"jsonrpc":"2.0","id":"srv-1","method":"ping"}`)},
		{ID: "4", Data: rpc.AppendResponse(nil, &replies[0])},
	} {
		if err := enc.Encode(e); err != nil {
			return
		}
		w.(http.Flusher).Flush()
	}
}

// CloseSessions ends the sessions still open.
func (f *Server) CloseSessions() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for id, s := range f.sessions {
		s.Close()
		delete(f.sessions, id)
	}
}

// Stats returns the sessions minted, deleted with DELETE, and still open.
func (f *Server) Stats() (minted, deleted, open int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.minted, f.deleted, len(f.sessions)
}

// LastHeaders returns the headers of the latest POST other than initialize.
func (f *Server) LastHeaders() http.Header {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.lastPost.Clone()
}

// writeRPCError writes an HTTP error whose body is a JSON-RPC error without an id
// (Transports § Sending Messages to the Server, 4).
func writeRPCError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	b := []byte(`{"jsonrpc":"2.0","error":`)
	b = rpc.AppendError(b, &rpc.Error{Code: -32001, Message: msg})
	_, _ = w.Write(append(b, '}'))
}

// ClosedURL returns the URL of a port on 127.0.0.1 that nothing listens on any more.
func ClosedURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return "http://" + addr + "/mcp"
}
