// Command embed shows minimcp inside an existing Go HTTP service. The service keeps its own
// routes (a small order book: GET /orders/{id}) and mounts an MCP endpoint at /mcp whose tool
// reads the same store; both share one http.ServeMux and one listener, and shut down
// together with server.Serve.
//
//	go run ./examples/embed --addr 127.0.0.1:8080
//	curl http://127.0.0.1:8080/orders/A-1001
//	minimcp tools http://127.0.0.1:8080/mcp
//	minimcp call http://127.0.0.1:8080/mcp order_status '{"id": "A-1001"}'
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/server"
)

// order is an order of the service.
type order struct {
	ID     string `json:"id" description:"The order's ID."`
	Item   string `json:"item" description:"What was ordered."`
	Status string `json:"status" description:"pending, shipped or delivered."`
}

// store holds the orders; the REST routes and the MCP tool share it.
type store struct {
	mu     sync.RWMutex
	orders map[string]order // guarded by mu
}

func newStore() *store {
	return &store{orders: map[string]order{
		"A-1001": {ID: "A-1001", Item: "keyboard", Status: "shipped"},
		"A-1002": {ID: "A-1002", Item: "monitor", Status: "pending"},
	}}
}

func (s *store) get(id string) (order, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	o, ok := s.orders[id]
	return o, ok
}

// orderArgs are the arguments of the order_status tool; its input schema is inferred from
// them, and calls are validated against it before the handler runs.
type orderArgs struct {
	ID string `json:"id" description:"The order's ID, such as A-1001." jsonschema:"pattern=^[A-Z]-[0-9]+$"`
}

// newMux returns the service's handler, its own routes plus the MCP endpoint at /mcp, and the
// MCP handler, which its owner shuts down beside the http.Server.
func newMux(s *store) (http.Handler, *server.Handler) {
	srv := mcp.NewServer(&mcp.Implementation{Name: "orders", Version: "1.0.0"}, &mcp.ServerOptions{
		Instructions: "Look up the orders of the shop with order_status.",
	})
	// A typed tool: the result is the order as structured content (plus its JSON as text).
	readOnly := true
	mcp.AddTool(srv, &mcp.Tool{
		Name:        "order_status",
		Description: "Returns an order: what was ordered and whether it has shipped.",
		Annotations: &mcp.ToolAnnotations{ReadOnlyHint: &readOnly},
	}, func(_ context.Context, _ *mcp.Request, in orderArgs) (order, error) {
		o, ok := s.get(in.ID)
		if !ok {
			// A plain error becomes a result with isError, which the model can read.
			return order{}, fmt.Errorf("no order %q", in.ID)
		}
		return o, nil
	})
	mcpHandler := server.New(srv, &server.Options{Path: "/mcp"})

	mux := http.NewServeMux()
	mux.HandleFunc("GET /orders/{id}", func(w http.ResponseWriter, r *http.Request) {
		o, ok := s.get(r.PathValue("id"))
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(o)
	})
	// The MCP handler serves GET, POST and DELETE on its path, and the probes: /readyz
	// answers 503 while it drains, so balancers stop sending traffic.
	mux.Handle("/mcp", mcpHandler)
	mux.Handle("GET /healthz", mcpHandler)
	mux.Handle("GET /readyz", mcpHandler)
	return mux, mcpHandler
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *addr); err != nil {
		log.Fatal(err)
	}
}

// run serves until ctx is cancelled, then shuts down gracefully: server.Serve drains the MCP
// handler (its SSE streams end with a retry hint, calls in flight finish, /readyz and new
// sessions get 503) with the listener still open, then closes it.
func run(ctx context.Context, addr string) error {
	handler, mcpHandler := newMux(newStore())
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	log.Printf("serving on http://%s: GET /orders/{id}, MCP at /mcp", ln.Addr())
	return server.Serve(ctx, ln, handler, &server.ServeOptions{
		ShutdownTimeout: 10 * time.Second,
		Drain:           []*server.Handler{mcpHandler}, // the MCP handler inside the mux
	})
}
