package server_test

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/server"
)

// A client that never reads its JSON answer holds it no longer than the write timeout: the
// write fails, the request ends and its memory goes; a Shutdown begun meanwhile waits no
// longer than that either.
func TestJSONAnswerWriteTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := server.New(newTestServer().Server, &server.Options{Stateless: true})
		defer shutdown(t, h)
		ps := newPipeServer(t, h)
		c := ps.dial(t)
		body := call(2, "echo", `{"text":"`+strings.Repeat("a", 1<<20)+`"}`)
		postHead(t, c, "/mcp", len(body))
		_, err := io.WriteString(c, body)
		require.NoError(t, err)
		synctest.Wait() // the answer is being written to a client that does not read
		require.Equal(t, 1, server.Active(h))

		shut := make(chan error, 1)
		go func() { shut <- h.Shutdown(context.Background()) }()
		time.Sleep(30*time.Second - time.Millisecond)
		synctest.Wait()
		assert.Equal(t, 1, server.Active(h), "the client has until the write timeout")
		time.Sleep(time.Millisecond)
		synctest.Wait()
		assert.Zero(t, server.Active(h), "the write timed out and the request ended")
		select {
		case err := <-shut:
			assert.NoError(t, err)
		default:
			t.Fatal("Shutdown still waits after the write timeout")
		}
	})
}

// Write deadlines set for an answer are gone when it is complete: the next request on the
// same connection, however much later, is answered.
func TestWriteDeadlineDoesNotOutliveAnswer(t *testing.T) {
	for _, tool := range []string{"echo", "notify"} { // a JSON answer, an SSE answer
		t.Run(tool, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := server.New(newTestServer().Server, &server.Options{Stateless: true})
				defer shutdown(t, h)
				ps := newPipeServer(t, h)
				c := ps.dial(t)
				br := bufio.NewReader(c)
				post := func(body string) *pipeResponse {
					postHead(t, c, "/mcp", len(body))
					_, err := io.WriteString(c, body)
					require.NoError(t, err)
					return <-readResponse(br)
				}
				resp := post(call(2, tool, `{"text":"hi"}`))
				require.NotNil(t, resp)
				require.Equal(t, http.StatusOK, resp.StatusCode)
				time.Sleep(time.Minute)
				resp = post(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)
				require.NotNil(t, resp, "the connection failed")
				assert.Equal(t, http.StatusAccepted, resp.StatusCode)
			})
		})
	}
}
