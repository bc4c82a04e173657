package server_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/server"
)

// A body that stalls before its end gets 408 once the body read timeout has passed, and the
// connection is closed: nothing of it is held any longer.
func TestBodyReadTimeout(t *testing.T) {
	for _, transport := range []string{"streamable", "legacy"} {
		t.Run(transport, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := server.New(newTestServer().Server, &server.Options{Stateless: transport == "streamable", LegacySSE: true})
				defer shutdown(t, h)
				ps := newPipeServer(t, h)
				path := "/mcp"
				if transport == "legacy" {
					path, _ = legacyEndpoint(t, ps, nil)
				}
				c := ps.dial(t)
				body := call(2, "echo", `{"text":"hi"}`)
				postHead(t, c, path, len(body))
				_, err := io.WriteString(c, body[:len(body)-1]) // all but the last byte
				require.NoError(t, err)
				got := readResponse(bufio.NewReader(c))

				time.Sleep(30*time.Second - time.Millisecond)
				synctest.Wait()
				select {
				case <-got:
					t.Fatal("answered before the body read timeout")
				default:
				}
				time.Sleep(time.Millisecond)
				resp := <-got
				require.NotNil(t, resp)
				assert.Equal(t, http.StatusRequestTimeout, resp.StatusCode)
				assert.True(t, resp.Close, "RFC 9110 §15.5.9: 408 closes the connection")
				code, msg := errorBody(t, resp.body)
				assert.Equal(t, server.CodeServerError, code)
				assert.Contains(t, msg, "Request Timeout")
				assert.Contains(t, string(resp.body), `"id":null`)
				synctest.Wait()
				streams := 0
				if transport == "legacy" {
					streams = 1 // the SSE stream
				}
				assert.Equal(t, streams, server.Active(h), "the request is over")
			})
		})
	}
}

// A body read within the timeout clears the deadline: a handler that runs longer than the
// timeout is not cancelled by it (net/http cancels a request whose connection read fails).
func TestBodyReadDeadlineCleared(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ts := newTestServer()
		h := server.New(ts.Server, &server.Options{Stateless: true})
		defer shutdown(t, h)
		ps := newPipeServer(t, h)
		c := ps.dial(t)
		body := call(2, "block", `{}`)
		postHead(t, c, "/mcp", len(body))
		_, err := io.WriteString(c, body)
		require.NoError(t, err)
		got := readResponse(bufio.NewReader(c))
		<-ts.started
		time.Sleep(2 * time.Minute)
		synctest.Wait()
		close(ts.release)
		resp := <-got
		require.NotNil(t, resp)
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Contains(t, string(resp.body), `"released"`)
	})
}

// stalledPost starts a POST on h whose body declares declared bytes and sends sent of them,
// then stalls; the handler runs on a goroutine of its own. finish ends the body (with an
// error when sent < declared) and returns the answer once the handler has returned.
func stalledPost(t *testing.T, h http.Handler, declared, sent int) (finish func() *httptest.ResponseRecorder) {
	t.Helper()
	pr, pw := io.Pipe()
	r := req(http.MethodPost, "", "")
	r.Body = pr
	r.ContentLength = int64(declared)
	w := httptest.NewRecorder()
	done := make(chan struct{})
	go func() {
		defer close(done)
		h.ServeHTTP(w, r)
	}()
	_, err := pw.Write(bytes.Repeat([]byte(" "), sent)) // returns once the handler has read it all
	require.NoError(t, err)
	return func() *httptest.ResponseRecorder {
		_ = pw.CloseWithError(io.ErrUnexpectedEOF)
		<-done
		return w
	}
}

// The buffer of a body grows with the bytes that arrive, not with the Content-Length the
// peer declares: stalled bodies that declared 4 MiB and sent 16 bytes hold a few KiB each.
func TestBodyBufferGrowsAsBytesArrive(t *testing.T) {
	h := server.New(newTestServer().Server, &server.Options{Stateless: true})
	defer shutdown(t, h)
	const n = 8
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	var finish [n]func() *httptest.ResponseRecorder
	for i := range finish {
		finish[i] = stalledPost(t, h, server.DefaultMaxBodyBytes, 16)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	held := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	assert.Less(t, held, int64(server.DefaultMaxBodyBytes), "%d stalled bodies of 16 bytes hold %d bytes", n, held)
	for _, f := range finish {
		assert.Equal(t, http.StatusBadRequest, f().Code, "the body ended early")
	}
}

// Bodies still arriving share MaxBodyBytesInFlight: one beyond it gets 503 with Retry-After
// and a JSON-RPC error, and gets in once the others are done.
func TestBodyBytesInFlight(t *testing.T) {
	const budget = 64 << 10
	h := server.New(newTestServer().Server, &server.Options{Stateless: true, MaxBodyBytes: budget - 1, MaxBodyBytesInFlight: budget})
	defer shutdown(t, h)
	text := strings.Repeat("a", 40<<10)
	body := call(2, "echo", `{"text":"`+text+`"}`)

	finish := stalledPost(t, h, len(body), 40<<10) // holds a buffer of at least 40 KiB
	w := do(h, req(http.MethodPost, body, ""))
	assert.Equal(t, http.StatusServiceUnavailable, w.Code)
	assert.Equal(t, "1", w.Header().Get("Retry-After"))
	assert.Equal(t, "close", w.Header().Get("Connection"))
	code, msg := errorBody(t, w.Body.Bytes())
	assert.Equal(t, server.CodeServerError, code)
	assert.Equal(t, "Service Unavailable: request bodies being received hold their limit of 65536 bytes; retry later", msg)
	assert.Contains(t, w.Body.String(), `"id":null`)

	small := do(h, req(http.MethodPost, call(3, "echo", `{"text":"small"}`), ""))
	assert.Equal(t, http.StatusOK, small.Code, "a body of a few bytes counts against nothing")

	assert.Equal(t, http.StatusBadRequest, finish().Code)
	w = do(h, req(http.MethodPost, body, ""))
	require.Equal(t, http.StatusOK, w.Code, "the bytes are given back")
	assert.Contains(t, w.Body.String(), text)
}

// Bodies of every size, with a Content-Length or without one (chunked), arrive whole, and
// the limit holds exactly.
func TestBodySizes(t *testing.T) {
	const limit = 80 << 10
	h := server.New(newTestServer().Server, &server.Options{Stateless: true, MaxBodyBytes: limit})
	defer shutdown(t, h)
	empty := len(call(2, "echo", `{"text":""}`))
	for _, size := range []int{0, 100, 1023, 1024, 1500, 4096, 5000, 70000, limit - empty, limit - empty + 1} {
		for _, chunked := range []bool{false, true} {
			t.Run(fmt.Sprintf("%d/chunked=%v", size, chunked), func(t *testing.T) {
				text := strings.Repeat("x", size)
				r := req(http.MethodPost, call(2, "echo", `{"text":"`+text+`"}`), "")
				if chunked {
					r.Body = io.NopCloser(iotest.OneByteReader(r.Body))
					r.ContentLength = -1
				}
				w := do(h, r)
				if size+empty > limit {
					assert.Equal(t, http.StatusRequestEntityTooLarge, w.Code)
					return
				}
				require.Equal(t, http.StatusOK, w.Code, w.Body.String())
				assert.Equal(t, `{"jsonrpc":"2.0","id":2,"result":{"content":[{"type":"text","text":"`+text+`"}]}}`, w.Body.String())
			})
		}
	}
}
