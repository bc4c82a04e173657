package main

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// upstream is an HTTP API for http tools to call; it records the last request.
type upstream struct {
	*httptest.Server

	mu sync.Mutex
	// last is the last request received and body its body; guarded by mu.
	last *http.Request
	body string
}

func newUpstream(t *testing.T) *upstream {
	u := &upstream{}
	mux := http.NewServeMux()
	mux.HandleFunc("/items/", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = io.WriteString(w, "{\n  \"id\": 7,\n  \"name\": \"widget\"\n}\n")
	})
	mux.HandleFunc("/echo/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, u.lastBody())
	})
	mux.HandleFunc("/list", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `[1, 2, 3]`)
	})
	mux.HandleFunc("/text", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "plain words")
	})
	mux.HandleFunc("/binary", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write([]byte{0x89, 'P', 'N', 'G', 0, 0xff})
	})
	mux.HandleFunc("/missing", func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "no such item", http.StatusNotFound)
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"data": "0123456789abcdefghij"}`)
	})
	mux.HandleFunc("/hang", func(_ http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // until the tool gives up
	})
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		u.mu.Lock()
		u.last, u.body = r, string(b)
		u.mu.Unlock()
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(u.Close)
	return u
}

func (u *upstream) lastRequest() (*http.Request, string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.last, u.body
}

func (u *upstream) lastBody() string {
	_, b := u.lastRequest()
	return b
}

// refusedURL returns the URL of a port nobody listens on.
func refusedURL(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return "http://" + addr
}

func TestHTTPTool(t *testing.T) {
	up := newUpstream(t)
	t.Setenv("MINIMCP_TEST_UPSTREAM", up.URL)
	t.Setenv("MINIMCP_TEST_CLOSED", refusedURL(t))
	t.Setenv("MINIMCP_TEST_SECRET", "s3cret")
	schema := `"inputSchema": {"type": "object", "required": ["id"], "properties": {
		"id": {"type": "string"}, "n": {"type": "number"}, "tags": {"type": "array"},
		"verbose": {"type": "boolean"}, "skip": {"type": "null"}}}`
	noArgs := `"inputSchema": {"type": "object"}`
	srv := manifestServer(t, `{"tools": [
		{"name": "get", `+schema+`, "http": {"url": "${MINIMCP_TEST_UPSTREAM}/items/{{id}}?fixed=1&q={{ id }}",
			"headers": {"Authorization": "Bearer ${MINIMCP_TEST_SECRET}", "X-Fixed": "yes"}}},
		{"name": "post", `+schema+`, "http": {"method": "post", "url": "${MINIMCP_TEST_UPSTREAM}/echo/{{id}}"}},
		{"name": "put-none", `+schema+`, "http": {"method": "PUT", "url": "${MINIMCP_TEST_UPSTREAM}/echo/{{id}}", "body": "none"}},
		{"name": "delete", `+schema+`, "http": {"method": "DELETE", "url": "${MINIMCP_TEST_UPSTREAM}/echo/{{id}}"}},
		{"name": "list", `+noArgs+`, "http": {"url": "${MINIMCP_TEST_UPSTREAM}/list"}},
		{"name": "text", `+noArgs+`, "http": {"url": "${MINIMCP_TEST_UPSTREAM}/text"}},
		{"name": "binary", `+noArgs+`, "http": {"url": "${MINIMCP_TEST_UPSTREAM}/binary"}},
		{"name": "missing", `+noArgs+`, "http": {"url": "${MINIMCP_TEST_UPSTREAM}/missing"}},
		{"name": "big", `+noArgs+`, "http": {"url": "${MINIMCP_TEST_UPSTREAM}/big", "maxResponseBytes": 10}},
		{"name": "hang", `+noArgs+`, "http": {"url": "${MINIMCP_TEST_UPSTREAM}/hang", "timeout": "50ms"}},
		{"name": "refused", `+noArgs+`, "http": {"url": "${MINIMCP_TEST_CLOSED}/x?key=${MINIMCP_TEST_SECRET}"}}
	]}`)

	t.Run("GET", func(t *testing.T) {
		res := inProcTool(t, srv, "get", `{"id": "a b/c", "n": 2.5, "tags": ["x", "y z"], "verbose": true, "skip": null}`)
		require.False(t, res.IsError, "%q", texts(res))
		assert.Equal(t, []string{`{"id":7,"name":"widget"}`}, texts(res))
		assert.JSONEq(t, `{"id": 7, "name": "widget"}`, string(res.StructuredContent))
		r, body := up.lastRequest()
		assert.Equal(t, http.MethodGet, r.Method)
		assert.Equal(t, "/items/a%20b%2Fc?fixed=1&n=2.5&q=a+b%2Fc&tags=x&tags=y+z&verbose=true", r.RequestURI)
		assert.Equal(t, "Bearer s3cret", r.Header.Get("Authorization"))
		assert.Equal(t, "yes", r.Header.Get("X-Fixed"))
		assert.Equal(t, "minimcp/"+version, r.Header.Get("User-Agent"))
		assert.Empty(t, body)
	})
	t.Run("POST", func(t *testing.T) {
		res := inProcTool(t, srv, "post", `{"id": "7", "tags": ["x"], "n": 1}`)
		require.False(t, res.IsError, "%q", texts(res))
		r, body := up.lastRequest()
		assert.Equal(t, http.MethodPost, r.Method)
		assert.Equal(t, "/echo/7", r.RequestURI)
		assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
		assert.Equal(t, `{"n":1,"tags":["x"]}`, body)
		assert.JSONEq(t, body, string(res.StructuredContent))
	})
	t.Run("PUT without a body", func(t *testing.T) {
		res := inProcTool(t, srv, "put-none", `{"id": "7", "n": 1}`)
		require.False(t, res.IsError, "%q", texts(res))
		r, body := up.lastRequest()
		assert.Equal(t, http.MethodPut, r.Method)
		assert.Equal(t, "/echo/7?n=1", r.RequestURI)
		assert.Empty(t, body)
	})
	t.Run("DELETE", func(t *testing.T) {
		res := inProcTool(t, srv, "delete", `{"id": "7", "n": 1}`)
		require.False(t, res.IsError, "%q", texts(res))
		r, _ := up.lastRequest()
		assert.Equal(t, http.MethodDelete, r.Method)
		assert.Equal(t, "/echo/7?n=1", r.RequestURI)
	})

	tests := []struct {
		tool       string
		isError    bool
		want       string
		structured bool
	}{
		{"list", false, `[1,2,3]`, false},
		{"text", false, `plain words`, false},
		{"binary", false, `(the upstream answered 6 bytes of image/png, which is not text)`, false},
		{"missing", true, `upstream answered 404 Not Found: no such item`, false},
		{"big", false, "{\"data\": \"\n[truncated: the answer is longer than 10 bytes]", false},
		{"hang", true, `upstream did not answer within 50ms`, false},
	}
	for _, tt := range tests {
		t.Run(tt.tool, func(t *testing.T) {
			res := inProcTool(t, srv, tt.tool, `{}`)
			assert.Equal(t, tt.isError, res.IsError)
			assert.Equal(t, []string{tt.want}, texts(res))
			assert.Equal(t, tt.structured, len(res.StructuredContent) > 0)
		})
	}
	t.Run("refused", func(t *testing.T) {
		res := inProcTool(t, srv, "refused", `{}`)
		assert.True(t, res.IsError)
		require.Len(t, texts(res), 1)
		msg := texts(res)[0]
		assert.True(t, strings.HasPrefix(msg, "GET request failed: "), msg)
		assert.Contains(t, msg, "connection refused")
		assert.NotContains(t, msg, "s3cret", "an error must not show what came from the environment")
	})
}
