package client_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/client"
	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/server"
)

// minimcpBin is the minimcp binary TestMain built, "" when the build failed.
var minimcpBin string

// buildMinimcp builds ./cmd/minimcp into a temporary directory once for the stdio tests.
func buildMinimcp() (cleanup func()) {
	dir, err := os.MkdirTemp("", "client-test")
	if err != nil {
		return func() {}
	}
	bin := filepath.Join(dir, "minimcp")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/minimcp/minimcp/cmd/minimcp")
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "client tests: building minimcp failed, stdio tests skip: %v\n%s", err, out)
	} else {
		minimcpBin = bin
	}
	return func() { os.RemoveAll(dir) }
}

type addIn struct {
	A int `json:"a"`
	B int `json:"b"`
}

type addOut struct {
	Sum int `json:"sum"`
}

// hooks lets a test reach into the fixture's tools.
type hooks struct {
	// slowStarted receives once the slow tool runs; slowDone when its context ends.
	slowStarted chan struct{}
	slowDone    chan error
	// pollRelease lets the poll tool finish after it closed its stream.
	pollRelease chan struct{}
}

// newServer returns a server with tools, resources, prompts and completions that exercise
// every call of the client, and the hooks into it. More than a page of tools makes listing
// paginate.
func newServer(t *testing.T, opts *mcp.ServerOptions) (*mcp.Server, *hooks) {
	t.Helper()
	o := mcp.ServerOptions{PageSize: 3}
	if opts != nil {
		o = *opts
		if o.PageSize == 0 {
			o.PageSize = 3
		}
	}
	srv := mcp.NewServer(&mcp.Implementation{Name: "fixture", Version: "1.2.3"}, &o)
	h := &hooks{slowStarted: make(chan struct{}, 1), slowDone: make(chan error, 1), pollRelease: make(chan struct{})}
	mcp.AddTool(srv, &mcp.Tool{Name: "add", Description: "Adds."}, func(ctx context.Context, req *mcp.Request, in addIn) (addOut, error) {
		return addOut{Sum: in.A + in.B}, nil
	})
	srv.AddRawTool(&mcp.Tool{Name: "echo", Description: "Echoes text.", InputSchema: json.RawMessage(`{"type":"object","properties":{"text":{"type":"string"}}}`)},
		func(ctx context.Context, req *mcp.Request, args json.RawMessage) (*mcp.CallToolResult, error) {
			var in struct{ Text string }
			_ = json.Unmarshal(args, &in)
			return mcp.TextResult(in.Text), nil
		})
	srv.AddRawTool(&mcp.Tool{Name: "fail", Description: "Fails.", InputSchema: json.RawMessage(`{"type":"object"}`)},
		func(ctx context.Context, req *mcp.Request, args json.RawMessage) (*mcp.CallToolResult, error) {
			return mcp.ErrorResult("it broke"), nil
		})
	srv.AddRawTool(&mcp.Tool{Name: "ask", Description: "Asks the user, the model and the roots.", InputSchema: json.RawMessage(`{"type":"object"}`)},
		func(ctx context.Context, req *mcp.Request, args json.RawMessage) (*mcp.CallToolResult, error) {
			el, err := req.Elicit(ctx, &mcp.ElicitParams{Message: "Your name?", RequestedSchema: json.RawMessage(`{"type":"object","properties":{"name":{"type":"string"}}}`)})
			if err != nil {
				return nil, err
			}
			sm, err := req.CreateMessage(ctx, &mcp.CreateMessageParams{MaxTokens: 10,
				Messages: []mcp.SamplingMessage{{Role: mcp.RoleUser, Content: &mcp.TextContent{Text: "Say hi"}}}})
			if err != nil {
				return nil, err
			}
			roots, err := req.ListRoots(ctx)
			if err != nil {
				return nil, err
			}
			text := sm.Content.(*mcp.TextContent).Text
			return mcp.TextResult(fmt.Sprintf("%s %v, %s, %d root(s): %s", el.Action, el.Content["name"], text, len(roots.Roots), roots.Roots[0].URI)), nil
		})
	srv.AddRawTool(&mcp.Tool{Name: "progress", Description: "Reports progress.", InputSchema: json.RawMessage(`{"type":"object"}`)},
		func(ctx context.Context, req *mcp.Request, args json.RawMessage) (*mcp.CallToolResult, error) {
			for i := 1; i <= 3; i++ {
				if err := req.Progress(ctx, float64(i), 3, fmt.Sprintf("step %d", i)); err != nil {
					return nil, err
				}
			}
			_ = req.Log(ctx, mcp.LevelInfo, "progress", "done")
			return mcp.TextResult("done"), nil
		})
	srv.AddRawTool(&mcp.Tool{Name: "slow", Description: "Runs until cancelled.", InputSchema: json.RawMessage(`{"type":"object"}`)},
		func(ctx context.Context, req *mcp.Request, args json.RawMessage) (*mcp.CallToolResult, error) {
			h.slowStarted <- struct{}{}
			<-ctx.Done()
			h.slowDone <- context.Cause(ctx)
			return nil, ctx.Err()
		})
	srv.AddRawTool(&mcp.Tool{Name: "poll", Description: "Closes its stream, then answers.", InputSchema: json.RawMessage(`{"type":"object"}`)},
		func(ctx context.Context, req *mcp.Request, args json.RawMessage) (*mcp.CallToolResult, error) {
			_ = req.Progress(ctx, 1, 2, "before")
			if err := req.CloseStream(ctx); err != nil {
				return mcp.ErrorResult("CloseStream: " + err.Error()), nil
			}
			select {
			case <-h.pollRelease:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			_ = req.Progress(ctx, 2, 2, "after")
			return mcp.TextResult("polled"), nil
		})
	srv.AddRawTool(&mcp.Tool{Name: "trace", Description: "Returns the request's traceparent.", InputSchema: json.RawMessage(`{"type":"object"}`)},
		func(ctx context.Context, req *mcp.Request, args json.RawMessage) (*mcp.CallToolResult, error) {
			return mcp.TextResult(req.TraceContext().TraceParent), nil
		})
	srv.AddResource(&mcp.Resource{URI: "file:///notes.txt", Name: "notes", MimeType: "text/plain"},
		func(ctx context.Context, req *mcp.Request, uri string) (*mcp.ReadResourceResult, error) {
			return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{URI: uri, MimeType: "text/plain", Text: "hello notes"}}}, nil
		})
	srv.AddResourceTemplate(&mcp.ResourceTemplate{URITemplate: "file:///docs/{name}", Name: "docs"},
		func(ctx context.Context, req *mcp.Request, uri string, vars map[string]string) (*mcp.ReadResourceResult, error) {
			return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{URI: uri, Text: "doc " + vars["name"]}}}, nil
		})
	srv.AddPrompt(&mcp.Prompt{Name: "greet", Arguments: []mcp.PromptArgument{{Name: "name", Required: true}}},
		func(ctx context.Context, req *mcp.Request, args map[string]string) (*mcp.GetPromptResult, error) {
			return &mcp.GetPromptResult{Messages: []mcp.PromptMessage{{Role: mcp.RoleUser, Content: &mcp.TextContent{Text: "Hello, " + args["name"]}}}}, nil
		})
	srv.AddPromptCompletion("greet", func(ctx context.Context, req *mcp.Request, argument, value string, context map[string]string) ([]string, error) {
		var out []string
		for _, n := range []string{"Ada", "Alan", "Grace"} {
			if strings.HasPrefix(n, value) {
				out = append(out, n)
			}
		}
		return out, nil
	})
	return srv, h
}

// askHandlers are the handlers that answer the ask tool.
func askHandlers(o *client.Options) *client.Options {
	o.ElicitationHandler = func(ctx context.Context, p *mcp.ElicitParams) (*mcp.ElicitResult, error) {
		return &mcp.ElicitResult{Action: "accept", Content: map[string]any{"name": "Ada"}}, nil
	}
	o.CreateMessageHandler = func(ctx context.Context, p *mcp.CreateMessageParams) (*mcp.CreateMessageResult, error) {
		return &mcp.CreateMessageResult{Role: mcp.RoleAssistant, Content: &mcp.TextContent{Text: "hi from the model"}, Model: "test"}, nil
	}
	o.RootsHandler = func(ctx context.Context) ([]mcp.Root, error) {
		return []mcp.Root{{URI: "file:///work", Name: "work"}}, nil
	}
	return o
}

// transportCase connects a client to a fixture server over one transport and era.
type transportCase struct {
	name    string
	version string // the version the connection must end up speaking
	connect func(t *testing.T, srv *mcp.Server, opts *client.Options) *client.Client
}

// httpConnect serves srv with server.New(srvOpts) on httptest and connects with opts plus
// pin.
func httpConnect(srvOpts *server.Options, pin string, legacy bool) func(t *testing.T, srv *mcp.Server, opts *client.Options) *client.Client {
	return func(t *testing.T, srv *mcp.Server, opts *client.Options) *client.Client {
		t.Helper()
		ts := serveHTTP(t, srv, srvOpts)
		o := *opts
		o.HTTPClient = ts.Client()
		if o.ProtocolVersion == "" {
			o.ProtocolVersion = pin
		}
		var (
			c   *client.Client
			err error
		)
		if legacy {
			c, err = client.ConnectSSE(t.Context(), ts.URL+"/sse", &o)
		} else {
			c, err = client.Connect(t.Context(), ts.URL+"/mcp", &o)
		}
		require.NoError(t, err)
		t.Cleanup(func() { require.NoError(t, c.Close()) })
		return c
	}
}

func memoryConnect(pin string) func(t *testing.T, srv *mcp.Server, opts *client.Options) *client.Client {
	return func(t *testing.T, srv *mcp.Server, opts *client.Options) *client.Client {
		t.Helper()
		o := *opts
		if o.ProtocolVersion == "" {
			o.ProtocolVersion = pin
		}
		c, err := client.ConnectInMemory(t.Context(), srv, &o)
		require.NoError(t, err)
		t.Cleanup(func() { require.NoError(t, c.Close()) })
		return c
	}
}

// serveHTTP serves srv with server.New(opts) on httptest until the test ends.
func serveHTTP(t *testing.T, srv *mcp.Server, opts *server.Options) *httptest.Server {
	t.Helper()
	h := server.New(srv, opts)
	ts := httptest.NewServer(h)
	t.Cleanup(func() {
		ts.CloseClientConnections()
		_ = h.Shutdown(context.Background())
		ts.Close()
	})
	return ts
}

// transports lists every transport and era the client speaks, against minimcp's server.
func transports() []transportCase {
	return []transportCase{
		{"http-2026", mcp.Version20260728, httpConnect(nil, "", false)},
		{"http-stateful-2025", mcp.Version20251125, httpConnect(&server.Options{Polling: true, Retry: 1e6}, mcp.Version20251125, false)},
		{"http-stateless-2026", mcp.Version20260728, httpConnect(&server.Options{Stateless: true}, "", false)},
		{"memory-2026", mcp.Version20260728, memoryConnect("")},
		{"memory-2025", mcp.Version20251125, memoryConnect(mcp.Version20251125)},
		{"legacy-sse", mcp.Version20251125, httpConnect(&server.Options{LegacySSE: true}, "", true)},
	}
}
