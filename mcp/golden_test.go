package mcp_test

import (
	"bufio"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/internal/txtar"
	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/server"
)

var update = flag.Bool("update", false, "rewrite the response sections of testdata/*.txtar")

// TestGolden replays each testdata/*.txtar exchange over the in-memory transport: the client
// lines of "-- request --" are written one at a time, and after each the test waits until the
// server is idle (synctest), so the server lines of "-- response --" come in a deterministic
// order. Time is synthetic: a handler's 50 ms sleeps take no real time.
//
// Lines of the request section starting with '#' are directives:
//
//	#sleep 2s          let synthetic time pass
//	#add-tool NAME     register a tool at run time
//	#remove-tool NAME  unregister it
//	#updated URI       report a resource change to subscribers
//	#broadcast METHOD  send a notification to every session (Server.Broadcast)
//	#log-all LEVEL TEXT  log to every session (Server.BroadcastLog)
//	#elicitation-complete ID  end the URL elicitation ID that the elicit_url tool started
//
// The comment may start with "options: pagesize=N" to configure the server.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txtar")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			data, err := os.ReadFile(file)
			require.NoError(t, err)
			ar := txtar.Parse(data)
			request, ok := ar.File("request")
			require.True(t, ok, "no request section")
			got := replay(t, serverOptions(t, ar.Comment), request)
			if *update {
				ar.Set("response", got)
				require.NoError(t, os.WriteFile(file, ar.Format(), 0o644))
				return
			}
			want, _ := ar.File("response")
			assert.Equal(t, want, got)
		})
	}
}

func serverOptions(t *testing.T, comment string) *mcp.ServerOptions {
	opts := &mcp.ServerOptions{}
	for _, line := range strings.Split(comment, "\n") {
		rest, ok := strings.CutPrefix(line, "options:")
		if !ok {
			continue
		}
		for _, kv := range strings.Fields(rest) {
			k, v, _ := strings.Cut(kv, "=")
			switch k {
			case "pagesize":
				n, err := strconv.Atoi(v)
				require.NoError(t, err)
				opts.PageSize = n
			case "timeout":
				d, err := time.ParseDuration(v)
				require.NoError(t, err)
				opts.ClientRequestTimeout = d
			default:
				t.Fatalf("unknown option %q", k)
			}
		}
	}
	return opts
}

func replay(t *testing.T, opts *mcp.ServerOptions, request string) string {
	var out []string
	synctest.Test(t, func(t *testing.T) {
		srv := newFixture(opts)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		conn, wait := server.InMemory(ctx, srv, nil)
		var mu sync.Mutex
		readDone := make(chan struct{})
		go func() {
			defer close(readDone)
			sc := bufio.NewScanner(conn)
			sc.Buffer(make([]byte, 1<<20), 1<<20)
			for sc.Scan() {
				mu.Lock()
				out = append(out, sc.Text())
				mu.Unlock()
			}
		}()
		for _, line := range strings.Split(request, "\n") {
			line = strings.TrimSpace(line)
			switch {
			case line == "":
				continue
			case strings.HasPrefix(line, "#"):
				directive(t, srv, line)
			default:
				_, err := conn.Write([]byte(line + "\n"))
				require.NoError(t, err)
			}
			synctest.Wait()
		}
		require.NoError(t, conn.Close())
		require.NoError(t, wait())
		<-readDone
	})
	if len(out) == 0 {
		return ""
	}
	return strings.Join(out, "\n") + "\n"
}

func directive(t *testing.T, srv *mcp.Server, line string) {
	f := strings.Fields(line)
	require.GreaterOrEqual(t, len(f), 2, "directive %q", line)
	ctx := context.Background()
	switch f[0] {
	case "#sleep":
		d, err := time.ParseDuration(f[1])
		require.NoError(t, err)
		time.Sleep(d)
	case "#add-tool":
		mcp.AddTool(srv, &mcp.Tool{Name: f[1], Description: "Added at run time."},
			func(context.Context, *mcp.Request, struct{}) (string, error) { return "new", nil })
	case "#remove-tool":
		srv.RemoveTools(f[1])
	case "#updated":
		srv.ResourceUpdated(ctx, f[1])
	case "#broadcast":
		require.NoError(t, srv.Broadcast(ctx, f[1], nil))
	case "#log-all":
		require.Len(t, f, 3, "directive %q", line)
		require.NoError(t, srv.BroadcastLog(ctx, mcp.LoggingLevel(f[1]), "broadcast", f[2]))
	case "#elicitation-complete":
		sess, ok := pendingElicitations.LoadAndDelete(f[1])
		require.True(t, ok, "no pending elicitation %q", f[1])
		require.NoError(t, sess.(*mcp.Session).ElicitationComplete(ctx, f[1]))
	default:
		t.Fatalf("unknown directive %q", line)
	}
}
