package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/sse"
)

// exampleManifest is the manifest of the examples, written as people write JSON: indented,
// each inputSchema on many lines.
const exampleManifest = "../../examples/manifest.json"

// Messages of the transport tests: initialize, then tools/list.
const (
	transportInit = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`
	transportList = `{"jsonrpc":"2.0","id":2,"method":"tools/list"}`
)

// checkToolsList checks one message carrying the answer to tools/list: a single line (MCP
// 2025-11-25, Transports § stdio: messages "MUST NOT contain embedded newlines"; over SSE a
// message spanning lines would come as several data lines) listing every tool of the example
// manifest with its schema.
func checkToolsList(t *testing.T, msg []byte) {
	t.Helper()
	assert.NotContains(t, string(bytes.TrimRight(msg, "\n")), "\n", "one line")
	var reply struct {
		ID     json.RawMessage      `json:"id"`
		Result *mcp.ListToolsResult `json:"result"`
		Error  json.RawMessage      `json:"error"`
	}
	require.NoError(t, json.Unmarshal(msg, &reply), "%s", msg)
	require.Equal(t, "2", string(reply.ID))
	require.NotNil(t, reply.Result, "%s", msg)
	var names []string
	for _, tool := range reply.Result.Tools {
		names = append(names, tool.Name)
		var schema struct {
			Type string `json:"type"`
		}
		require.NoError(t, json.Unmarshal(tool.InputSchema, &schema), tool.Name)
		assert.Equal(t, "object", schema.Type, tool.Name)
	}
	assert.Contains(t, names, "grep")
}

// serveStdioLines runs serve --stdio with args, writes the client lines to its stdin, closes
// it, and returns the lines of its stdout: serve answers everything it read before it exits at
// EOF, so nothing can be missed and nothing can hang.
func serveStdioLines(t *testing.T, args []string, lines ...string) []string {
	t.Helper()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	var logs syncBuffer
	codes := make(chan int, 1) // serve's exit code; never closed
	go func() {
		codes <- serve(context.Background(), append([]string{"--stdio"}, args...), &serveIO{Stdin: inR, Stdout: outW, Stderr: &logs})
		outW.Close()
	}()
	outc := make(chan []byte, 1) // all of stdout; never closed
	go func() {
		b, _ := io.ReadAll(outR)
		outc <- b
	}()
	_, err := io.WriteString(inW, strings.Join(lines, "\n")+"\n")
	require.NoError(t, err)
	require.NoError(t, inW.Close())
	out := <-outc
	require.Equal(t, 0, <-codes, logs.String())
	if len(out) == 0 {
		return nil
	}
	return strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
}

// TestServeExampleManifest serves the example manifest over every transport and lists its
// tools: over stdio, a pretty-printed manifest once made tools/list go unanswered.
func TestServeExampleManifest(t *testing.T) {
	t.Run("stdio", func(t *testing.T) {
		lines := serveStdioLines(t, []string{"--manifest", exampleManifest},
			transportInit, `{"jsonrpc":"2.0","method":"notifications/initialized"}`, transportList)
		require.Len(t, lines, 2)
		checkToolsList(t, []byte(lines[1]))
	})

	for _, mode := range []struct {
		name string
		args []string
	}{
		{"http", nil},
		{"http stateless", []string{"--stateless"}},
		{"http sse", []string{"--response", "sse"}},
	} {
		t.Run(mode.name, func(t *testing.T) {
			r := startServe(t, append([]string{"--manifest", exampleManifest}, mode.args...)...)
			c := newTestMCP(t, r.base+"/mcp", "")
			answer := func(body string) []byte {
				t.Helper()
				resp := c.post(t.Context(), []byte(body))
				defer closeResp(resp)
				require.Equal(t, http.StatusOK, resp.StatusCode)
				if id := resp.Header.Get("Mcp-Session-Id"); id != "" {
					c.session = id
				}
				if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
					b, err := io.ReadAll(resp.Body)
					require.NoError(t, err)
					return b
				}
				for ev, err := range sse.NewDecoder(resp.Body, nil).Events() {
					require.NoError(t, err)
					if len(ev.Data) > 0 {
						return ev.Data
					}
				}
				t.Fatal("the stream ended without an answer")
				return nil
			}
			var init struct {
				Result struct {
					Capabilities mcp.ServerCapabilities `json:"capabilities"`
				} `json:"result"`
			}
			raw := answer(transportInit)
			require.NoError(t, json.Unmarshal(raw, &init), "%s", raw)
			caps := init.Result.Capabilities
			require.NotNil(t, caps.Tools)
			require.NotNil(t, caps.Resources)
			// Without sessions nothing can reach the client outside an answer, so the server
			// promises no subscriptions and no list_changed notifications.
			withSession := c.session != ""
			assert.Equal(t, withSession, caps.Tools.ListChanged, "tools.listChanged")
			assert.Equal(t, withSession, caps.Resources.Subscribe, "resources.subscribe")
			assert.Equal(t, withSession, caps.Resources.ListChanged, "resources.listChanged")
			checkToolsList(t, answer(transportList))
		})
	}

	t.Run("legacy sse", func(t *testing.T) {
		r := startServe(t, "--manifest", exampleManifest, "--legacy-sse")
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		tr := &http.Transport{}
		defer tr.CloseIdleConnections()
		hc := &http.Client{Transport: tr}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.base+"/sse", nil)
		require.NoError(t, err)
		req.Header.Set("Accept", "text/event-stream")
		stream, err := hc.Do(req)
		require.NoError(t, err)
		defer stream.Body.Close()
		require.Equal(t, http.StatusOK, stream.StatusCode)
		dec := sse.NewDecoder(stream.Body, nil)
		next := func() sse.Event {
			t.Helper()
			for {
				ev, err := dec.Next()
				require.NoError(t, err)
				if len(ev.Data) > 0 {
					return ev
				}
			}
		}
		endpoint := next()
		require.Equal(t, "endpoint", endpoint.Name)
		send := func(body string) {
			t.Helper()
			resp, err := hc.Post(r.base+string(endpoint.Data), "application/json", strings.NewReader(body))
			require.NoError(t, err)
			closeResp(resp)
			require.Equal(t, http.StatusAccepted, resp.StatusCode)
		}
		send(transportInit)
		next()
		send(transportList)
		checkToolsList(t, next().Data)
		cancel()
	})
}

// TestServeSubscriptionLimits checks --max-subscriptions and --max-uri-length (and their
// environment variables).
func TestServeSubscriptionLimits(t *testing.T) {
	t.Setenv("MINIMCP_TEST_UPSTREAM", "http://127.0.0.1:1")
	t.Setenv("MINIMCP_TEST_SECRET", "s")
	t.Setenv("MINIMCP_MAX_URI_LENGTH", "30")
	subscribe := func(id int, uri string) string {
		return `{"jsonrpc":"2.0","id":` + strconv.Itoa(id) + `,"method":"resources/subscribe","params":{"uri":"` + uri + `"}}`
	}
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	var logs syncBuffer
	codes := make(chan int, 1) // serve's exit code; never closed
	go func() {
		codes <- serve(context.Background(), []string{"--stdio", "--manifest", testManifest, "--max-subscriptions", "1"},
			&serveIO{Stdin: inR, Stdout: outW, Stderr: &logs})
		outW.Close()
	}()
	out := bufio.NewReader(outR)
	exchange := func(msg string) string { // one at a time: the order of subscriptions matters
		t.Helper()
		_, err := io.WriteString(inW, msg+"\n")
		require.NoError(t, err)
		line, err := out.ReadString('\n')
		require.NoError(t, err)
		return strings.TrimSuffix(line, "\n")
	}
	exchange(transportInit)
	assert.Equal(t, `{"jsonrpc":"2.0","id":2,"result":{}}`, exchange(subscribe(2, "file:///notes.txt")))
	assert.Equal(t, `{"jsonrpc":"2.0","id":3,"error":{"code":-32602,"message":"Invalid params: resources/subscribe: this session already holds 1 subscriptions, the most allowed; unsubscribe from one first"}}`,
		exchange(subscribe(3, "file:///docs/hello.md")))
	assert.Equal(t, `{"jsonrpc":"2.0","id":4,"error":{"code":-32602,"message":"Invalid params: resources/subscribe: uri is 31 bytes long, more than the limit of 30"}}`,
		exchange(subscribe(4, "file:///docs/"+strings.Repeat("x", 18))))
	require.NoError(t, inW.Close())
	require.Equal(t, 0, <-codes, logs.String())

	for _, flag := range []string{"--max-subscriptions", "--max-uri-length"} {
		var stderr bytes.Buffer
		code := serve(t.Context(), []string{flag, "0"}, &serveIO{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: &stderr})
		assert.Equal(t, 2, code, flag)
		assert.Contains(t, stderr.String(), "minimcp serve: "+flag+": must be positive, got 0", flag)
	}
}

// TestServeListenLimits checks --max-listens (through its environment variable) on stdio,
// and the checks of the listen and keep-alive flags.
func TestServeListenLimits(t *testing.T) {
	t.Setenv("MINIMCP_TEST_UPSTREAM", "http://127.0.0.1:1")
	t.Setenv("MINIMCP_TEST_SECRET", "s")
	t.Setenv("MINIMCP_MAX_LISTENS", "1")
	listen := func(id int) string {
		return `{"jsonrpc":"2.0","id":` + strconv.Itoa(id) + `,"method":"subscriptions/listen","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}},"notifications":{}}}`
	}
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	var logs syncBuffer
	codes := make(chan int, 1) // serve's exit code; never closed
	go func() {
		codes <- serve(context.Background(), []string{"--stdio", "--manifest", testManifest},
			&serveIO{Stdin: inR, Stdout: outW, Stderr: &logs})
		outW.Close()
	}()
	out := bufio.NewReader(outR)
	exchange := func(msg string) string {
		t.Helper()
		_, err := io.WriteString(inW, msg+"\n")
		require.NoError(t, err)
		line, err := out.ReadString('\n')
		require.NoError(t, err)
		return strings.TrimSuffix(line, "\n")
	}
	assert.Equal(t, `{"jsonrpc":"2.0","method":"notifications/subscriptions/acknowledged","params":{"_meta":{"io.modelcontextprotocol/subscriptionId":1},"notifications":{}}}`,
		exchange(listen(1)))
	assert.Equal(t, `{"jsonrpc":"2.0","id":2,"error":{"code":-32000,"message":"Too many listen streams: this connection holds 1 subscriptions/listen streams, the most allowed; cancel one first"}}`,
		exchange(listen(2)))
	require.NoError(t, inW.Close()) // ends the open listen too
	require.Equal(t, 0, <-codes, logs.String())

	for _, tc := range []struct{ flag, value, want string }{
		{"--max-listens", "-1", "want a positive number or 0"},
		{"--max-listens-per-principal", "-2", "want a positive number, 0 (a tenth of --max-listens) or -1"},
		{"--keep-alive", "-1s", "must not be negative"},
	} {
		var stderr bytes.Buffer
		code := serve(t.Context(), []string{tc.flag, tc.value}, &serveIO{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: &stderr})
		assert.Equal(t, 2, code, tc.flag)
		assert.Contains(t, stderr.String(), "minimcp serve: "+tc.flag+": "+tc.want, tc.flag)
	}
}
