package server_test

import (
	"bufio"
	"context"
	"io"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/server"
)

// A request that arrives while every slot is held by a handler waiting for the client's reply
// does not stop the reading of the stream: the reply behind it still reaches the handler, and
// both requests are answered (before, the loop waited for a slot and never read the reply).
func TestStdioReadsRepliesWhenSlotsAreFull(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ts := newTestServer()
		inR, inW := io.Pipe()
		outR, outW := io.Pipe()
		done := make(chan error, 1)
		go func() {
			done <- server.ServeStdio(context.Background(), ts.Server, inR, outW, &server.StdioOptions{Concurrency: 1})
			outW.Close()
		}()
		lines := bufio.NewScanner(outR)
		send := func(line string) {
			_, err := io.WriteString(inW, line+"\n")
			require.NoError(t, err)
		}
		next := func() string {
			require.True(t, lines.Scan(), "a line from the server")
			return lines.Text()
		}
		send(strings.Replace(initBody, `"capabilities":{}`, `"capabilities":{"sampling":{}}`, 1))
		require.Contains(t, next(), `"protocolVersion"`)
		send(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)

		send(call(2, "sample", `{}`)) // takes the one slot, then asks the client
		ask := next()
		require.Contains(t, ask, `"method":"sampling/createMessage"`)
		send(call(3, "echo", `{"text":"behind"}`)) // waits for the slot
		id := ask[strings.Index(ask, `"id":`)+5 : strings.Index(ask, `,"method"`)]
		send(`{"jsonrpc":"2.0","id":` + id + `,"result":{"role":"assistant","content":{"type":"text","text":"ok"},"model":"m1"}}`)

		got := next() + "\n" + next()
		assert.Contains(t, got, `{"jsonrpc":"2.0","id":2,"result":{"content":[{"type":"text","text":"m1"}]`)
		assert.Contains(t, got, `"id":3,"result":{"content":[{"type":"text","text":"behind"}]`)
		require.NoError(t, inW.Close())
		require.NoError(t, <-done)
	})
}
