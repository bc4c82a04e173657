package server_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/server"
)

func ExampleNew() {
	srv := mcp.NewServer(&mcp.Implementation{Name: "demo", Version: "1.0.0"}, nil)
	type In struct {
		Text string `json:"text"`
	}
	mcp.AddTool(srv, &mcp.Tool{Name: "echo", Description: "Echoes its text."},
		func(_ context.Context, _ *mcp.Request, in In) (string, error) { return in.Text, nil })

	h := server.New(srv, &server.Options{Stateless: true})
	defer h.Shutdown(context.Background())
	hs := httptest.NewServer(h)
	defer hs.Close()

	body := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello"}}}`
	req, _ := http.NewRequest(http.MethodPost, hs.URL+"/mcp", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("MCP-Protocol-Version", "2025-11-25")
	resp, err := hs.Client().Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, resp.Header.Get("Content-Type"))
	fmt.Println(string(out))
	// Output:
	// 200 application/json
	// {"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"hello"}]}}
}

// ExampleServe serves an MCP endpoint beside a route of the application's own, on one
// listener, and shuts down gracefully: the MCP handler drains (calls in flight finish,
// /readyz answers 503) before the listener closes.
func ExampleServe() {
	srv := mcp.NewServer(&mcp.Implementation{Name: "demo", Version: "1.0.0"}, nil)
	type In struct {
		Text string `json:"text"`
	}
	mcp.AddTool(srv, &mcp.Tool{Name: "echo", Description: "Echoes its text."},
		func(_ context.Context, _ *mcp.Request, in In) (string, error) { return in.Text, nil })
	h := server.New(srv, &server.Options{Stateless: true})

	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "hello from the app\n")
	})
	mux.Handle("/", h) // /mcp, /healthz, /readyz

	// A program would take ctx from signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM).
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	served := make(chan error, 1)
	go func() {
		served <- server.Serve(ctx, ln, mux, &server.ServeOptions{Drain: []*server.Handler{h}})
	}()

	base := "http://" + ln.Addr().String()
	resp, err := http.Get(base + "/hello")
	if err != nil {
		fmt.Println(err)
		return
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Print(string(body))

	req, _ := http.NewRequest(http.MethodPost, base+"/mcp", strings.NewReader(
		`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello from MCP"}}}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("MCP-Protocol-Version", "2025-11-25")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(string(body))

	stop() // SIGTERM
	fmt.Println("stopped:", <-served)
	http.DefaultClient.CloseIdleConnections()
	// Output:
	// hello from the app
	// {"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"hello from MCP"}]}}
	// stopped: <nil>
}

// ExampleAuthOptions protects a tool with a scope: the handler is an OAuth resource server
// whose verifier here accepts one fixed token; a real one checks JWTs (see TokenVerifier).
func ExampleAuthOptions() {
	srv := mcp.NewServer(&mcp.Implementation{Name: "demo", Version: "1.0.0"}, nil)
	mcp.AddTool(srv, &mcp.Tool{Name: "delete", Scopes: []string{"files:write"}},
		func(_ context.Context, r *mcp.Request, _ struct{}) (string, error) {
			return "deleted by " + r.Auth().Principal, nil
		})
	verify := server.TokenVerifierFunc(func(_ context.Context, token, _ string, _ *http.Request) (*mcp.AuthInfo, error) {
		switch token {
		case "reader":
			return &mcp.AuthInfo{Principal: "ann", Scopes: []string{"files:read"}}, nil
		case "writer":
			return &mcp.AuthInfo{Principal: "ann", Scopes: []string{"files:read", "files:write"}}, nil
		}
		return nil, fmt.Errorf("%w: unknown token", server.ErrInvalidToken)
	})
	h := server.New(srv, &server.Options{Stateless: true, Auth: &server.AuthOptions{
		Verifier:             verify,
		Resource:             "https://mcp.example.com/mcp",
		AuthorizationServers: []string{"https://auth.example.com"},
	}})
	defer h.Shutdown(context.Background())

	call := func(token string) {
		body := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"delete","arguments":{}}}`
		req := httptest.NewRequest(http.MethodPost, "/mcp", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("MCP-Protocol-Version", "2025-11-25")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		fmt.Println(w.Code, w.Header().Get("WWW-Authenticate"))
	}
	call("")
	call("reader")
	call("writer")
	// Output:
	// 401 Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp"
	// 403 Bearer error="insufficient_scope", scope="files:write", resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp", error_description="this operation needs the scope files:write"
	// 200
}
