package manifest

import (
	json "github.com/goccy/go-json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/internal/mcptest"
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
	mux.HandleFunc("/locked", func(w http.ResponseWriter, _ *http.Request) {
		// No body: the headers say why.
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		w.Header().Set("X-Error-Detail", "token expired")
		w.Header().Set("X-Other", "not shown")
		w.WriteHeader(http.StatusUnauthorized)
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
		{"name": "locked", `+noArgs+`, "http": {"url": "${MINIMCP_TEST_UPSTREAM}/locked"}},
		{"name": "big", `+noArgs+`, "http": {"url": "${MINIMCP_TEST_UPSTREAM}/big", "maxResponseBytes": 10}},
		{"name": "hang", `+noArgs+`, "http": {"url": "${MINIMCP_TEST_UPSTREAM}/hang", "timeout": "50ms"}},
		{"name": "refused", `+noArgs+`, "http": {"url": "${MINIMCP_TEST_CLOSED}/x?key=${MINIMCP_TEST_SECRET}"}}
	]}`)

	t.Run("GET", func(t *testing.T) {
		res := mcptest.Tool(t, srv, "get", `{"id": "a b/c", "n": 2.5, "tags": ["x", "y z"], "verbose": true, "skip": null}`)
		require.False(t, res.IsError, "%q", mcptest.Texts(res))
		assert.Equal(t, []string{`{"id":7,"name":"widget"}`}, mcptest.Texts(res))
		assert.JSONEq(t, `{"id": 7, "name": "widget"}`, string(res.StructuredContent))
		r, body := up.lastRequest()
		assert.Equal(t, http.MethodGet, r.Method)
		assert.Equal(t, "/items/a%20b%2Fc?fixed=1&q=a+b%2Fc&n=2.5&tags=x&tags=y+z&verbose=true", r.RequestURI)
		assert.Equal(t, "Bearer s3cret", r.Header.Get("Authorization"))
		assert.Equal(t, "yes", r.Header.Get("X-Fixed"))
		assert.Equal(t, "minimcp/dev", r.Header.Get("User-Agent"))
		assert.Empty(t, body)
	})
	t.Run("POST", func(t *testing.T) {
		res := mcptest.Tool(t, srv, "post", `{"id": "7", "tags": ["x"], "n": 1}`)
		require.False(t, res.IsError, "%q", mcptest.Texts(res))
		r, body := up.lastRequest()
		assert.Equal(t, http.MethodPost, r.Method)
		assert.Equal(t, "/echo/7", r.RequestURI)
		assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
		assert.Equal(t, `{"n":1,"tags":["x"]}`, body)
		assert.JSONEq(t, body, string(res.StructuredContent))
	})
	t.Run("PUT without a body", func(t *testing.T) {
		res := mcptest.Tool(t, srv, "put-none", `{"id": "7", "n": 1}`)
		require.False(t, res.IsError, "%q", mcptest.Texts(res))
		r, body := up.lastRequest()
		assert.Equal(t, http.MethodPut, r.Method)
		assert.Equal(t, "/echo/7?n=1", r.RequestURI)
		assert.Empty(t, body)
	})
	t.Run("DELETE", func(t *testing.T) {
		res := mcptest.Tool(t, srv, "delete", `{"id": "7", "n": 1}`)
		require.False(t, res.IsError, "%q", mcptest.Texts(res))
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
		{"locked", true, `upstream answered 401 Unauthorized: (no body; Www-Authenticate: Bearer error="invalid_token"; X-Error-Detail: token expired)`, false},
		{"big", false, "{\"data\": \"\n[truncated: the answer is longer than 10 bytes]", false},
		{"hang", true, `upstream did not answer within 50ms`, false},
	}
	for _, tt := range tests {
		t.Run(tt.tool, func(t *testing.T) {
			res := mcptest.Tool(t, srv, tt.tool, `{}`)
			assert.Equal(t, tt.isError, res.IsError)
			assert.Equal(t, []string{tt.want}, mcptest.Texts(res))
			assert.Equal(t, tt.structured, len(res.StructuredContent) > 0)
		})
	}
	t.Run("refused", func(t *testing.T) {
		res := mcptest.Tool(t, srv, "refused", `{}`)
		assert.True(t, res.IsError)
		require.Len(t, mcptest.Texts(res), 1)
		msg := mcptest.Texts(res)[0]
		assert.True(t, strings.HasPrefix(msg, "GET request failed: "), msg)
		assert.Contains(t, msg, "connection refused")
		assert.NotContains(t, msg, "s3cret", "an error must not show what came from the environment")
	})
}

// recorder is an upstream that answers 200 {} to everything and records every request, to
// show which requests a tool sent and with what.
type recorder struct {
	*httptest.Server

	mu sync.Mutex
	// got holds every request received, in order; guarded by mu.
	got []*http.Request
}

func newRecorder(t *testing.T, h http.HandlerFunc) *recorder {
	r := &recorder{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.got = append(r.got, req)
		r.mu.Unlock()
		if h != nil {
			h(w, req)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{}`)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *recorder) requests() []*http.Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*http.Request(nil), r.got...)
}

// TestHTTPToolPathDotSegments checks that a path placeholder cannot climb out of the path the
// manifest wrote: a value that is, or decodes to, "." or ".." is a tool error, and no request
// is sent.
func TestHTTPToolPathDotSegments(t *testing.T) {
	up := newRecorder(t, nil)
	t.Setenv("MINIMCP_TEST_UPSTREAM", up.URL)
	srv := manifestServer(t, `{"tools": [{"name": "user",
		"inputSchema": {"type": "object", "required": ["id", "sub"], "properties": {"id": {"type": "string"}, "sub": {"type": "string"}}},
		"http": {"url": "${MINIMCP_TEST_UPSTREAM}/api/v1/users/{{id}}/{{sub}}", "headers": {"X-Api-Key": "apikey123"}}}]}`)
	refused := []struct{ name, id string }{
		{"dot-dot", ".."},
		{"dot", "."},
		{"encoded dot-dot", "%2e%2E"},
		{"double-encoded dot-dot", "%252e%252e"},
		{"dot-dot and a slash", "../admin"},
		{"dot-dot after a slash", "x/.."},
		{"dot-dot and a backslash", `..\admin`},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			args, err := json.Marshal(map[string]string{"id": tt.id, "sub": "admin"})
			require.NoError(t, err)
			res := mcptest.Tool(t, srv, "user", string(args))
			assert.True(t, res.IsError, "%q", mcptest.Texts(res))
			assert.Equal(t, []string{`argument "id": "." and ".." are not allowed as a path segment`}, mcptest.Texts(res))
			assert.Empty(t, up.requests(), "a request was sent")
		})
	}
	allowed := []struct{ id, uri string }{
		{"...", "/api/v1/users/.../admin"},
		{"a.b", "/api/v1/users/a.b/admin"},
		{".hidden", "/api/v1/users/.hidden/admin"},
		{"a/b", "/api/v1/users/a%2Fb/admin"},
	}
	for _, tt := range allowed {
		t.Run(tt.id, func(t *testing.T) {
			args, err := json.Marshal(map[string]string{"id": tt.id, "sub": "admin"})
			require.NoError(t, err)
			res := mcptest.Tool(t, srv, "user", string(args))
			require.False(t, res.IsError, "%q", mcptest.Texts(res))
			got := up.requests()
			require.NotEmpty(t, got)
			assert.Equal(t, tt.uri, got[len(got)-1].RequestURI)
		})
	}
}

// TestHTTPToolRedirects checks that an http tool follows redirects within its URL's origin
// only, with its headers, and refuses one to another host or port, which gets no request.
func TestHTTPToolRedirects(t *testing.T) {
	other := newRecorder(t, nil)
	var up *recorder
	up = newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/away":
			http.Redirect(w, r, other.URL+"/stolen", http.StatusFound)
		case "/same":
			http.Redirect(w, r, "/final", http.StatusFound)
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		default:
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"at": "final"}`)
		}
	})
	t.Setenv("MINIMCP_TEST_UPSTREAM", up.URL)
	tool := func(name, path string) string {
		return `{"name": "` + name + `", "inputSchema": {"type": "object"}, "http": {"url": "${MINIMCP_TEST_UPSTREAM}` + path + `",
			"headers": {"Authorization": "Bearer s3cret", "X-Api-Key": "apikey123"}}}`
	}
	srv := manifestServer(t, `{"tools": [`+tool("away", "/away")+`,`+tool("same", "/same")+`,`+tool("loop", "/loop")+`]}`)

	t.Run("another origin", func(t *testing.T) {
		res := mcptest.Tool(t, srv, "away", `{}`)
		assert.True(t, res.IsError)
		assert.Equal(t, []string{"GET request failed: the upstream redirected to " + other.URL +
			", another origin (http tools follow redirects within the origin of their URL only)"}, mcptest.Texts(res))
		assert.Empty(t, other.requests(), "the redirect was followed")
	})
	t.Run("same origin", func(t *testing.T) {
		res := mcptest.Tool(t, srv, "same", `{}`)
		require.False(t, res.IsError, "%q", mcptest.Texts(res))
		assert.Equal(t, []string{`{"at":"final"}`}, mcptest.Texts(res))
		got := up.requests()
		last := got[len(got)-1]
		assert.Equal(t, "/final", last.URL.Path)
		assert.Equal(t, "Bearer s3cret", last.Header.Get("Authorization"))
		assert.Equal(t, "apikey123", last.Header.Get("X-Api-Key"))
	})
	t.Run("too many", func(t *testing.T) {
		before := len(up.requests())
		res := mcptest.Tool(t, srv, "loop", `{}`)
		assert.True(t, res.IsError)
		assert.Equal(t, []string{"GET request failed: the upstream redirected more than 5 times"}, mcptest.Texts(res))
		assert.Equal(t, 6, len(up.requests())-before)
	})
}

// TestHTTPToolFixedQuery checks that an argument cannot set a query parameter the URL sets
// itself: the call is a tool error and nothing is sent.
func TestHTTPToolFixedQuery(t *testing.T) {
	up := newRecorder(t, nil)
	t.Setenv("MINIMCP_TEST_UPSTREAM", up.URL)
	srv := manifestServer(t, `{"tools": [{"name": "search",
		"inputSchema": {"type": "object", "required": ["q"], "properties": {"q": {"type": "string"}}},
		"http": {"url": "${MINIMCP_TEST_UPSTREAM}/search?key=apikey123&q={{q}}&flag"}}]}`)
	for _, args := range []string{
		`{"q": "x", "key": "attacker-key"}`,
		`{"q": "x", "KEY": "attacker-key"}`,
		`{"q": "x", "flag": "1"}`,
	} {
		t.Run(args, func(t *testing.T) {
			res := mcptest.Tool(t, srv, "search", args)
			assert.True(t, res.IsError, "%q", mcptest.Texts(res))
			require.Len(t, mcptest.Texts(res), 1)
			assert.Contains(t, mcptest.Texts(res)[0], "is a query parameter the URL sets")
			assert.Empty(t, up.requests(), "a request was sent")
		})
	}
	t.Run("other arguments", func(t *testing.T) {
		res := mcptest.Tool(t, srv, "search", `{"q": "x", "page": 2}`)
		require.False(t, res.IsError, "%q", mcptest.Texts(res))
		got := up.requests()
		require.Len(t, got, 1)
		assert.Equal(t, "/search?key=apikey123&q=x&flag&page=2", got[0].RequestURI)
	})
}
