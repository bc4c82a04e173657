// Command profile serves minimcp's echo tool as `minimcp serve` does, with net/http/pprof on a
// second listener, so that a CPU profile of minimcp under load can be taken with the Go
// profiler (which, unlike perf, follows stack growth back to the function that caused it).
//
//	profile -addr 127.0.0.1:8080 -mode stateless|stateful [-pprof 127.0.0.1:6060] [-memrate N]
//	go tool pprof -top http://127.0.0.1:6060/debug/pprof/profile?seconds=5
//	go tool pprof -sample_index=inuse_space -top http://127.0.0.1:6060/debug/pprof/heap?gc=1
//
// The server is built from this checkout of minimcp (go.mod replaces the module with ../..):
// mcp.NewServer, mcp.AddTool with a typed echo handler returning its text (as the built-in echo
// of `minimcp serve` does), and server.New with JSON answers, stateless or stateful with the
// default session limits. It prints nothing but errors and serves until SIGINT or SIGTERM.
package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"runtime"
	"strconv"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/server"

	"github.com/minimcp/minimcp/bench/peers/internal/serve"
)

type echoArgs struct {
	Text string `json:"text" description:"The text to echo back."`
}

func main() {
	// -pprof ADDR and -memrate N are taken off the command line before the flags every peer
	// shares.
	pprofAddr := "127.0.0.1:6060"
	args := os.Args[1:]
	for i := 0; i+1 < len(args); {
		switch args[i] {
		case "-pprof":
			pprofAddr = args[i+1]
		case "-memrate":
			// runtime.MemProfileRate: 1 records every allocation, for an exact heap profile
			// of idle sessions; the default samples one every 512 KiB.
			n, err := strconv.Atoi(args[i+1])
			if err != nil || n < 1 {
				fmt.Fprintf(os.Stderr, "profile: -memrate %q: want a positive integer\n", args[i+1])
				os.Exit(2)
			}
			runtime.MemProfileRate = n
		default:
			i++
			continue
		}
		args = append(args[:i:i], args[i+2:]...)
	}
	os.Args = append(os.Args[:1], args...)
	addr, stateful := serve.Flags("profile")

	srv := mcp.NewServer(&mcp.Implementation{Name: "minimcp-profile", Version: "1.0.0"}, nil)
	mcp.AddTool(srv, &mcp.Tool{Name: "echo", Description: "Returns the text it is given."},
		func(_ context.Context, _ *mcp.Request, in echoArgs) (string, error) { return in.Text, nil })
	h := server.New(srv, &server.Options{Stateless: !stateful, Response: server.ResponseJSON})
	defer h.Shutdown(context.Background())

	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	ln, err := net.Listen("tcp", pprofAddr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "profile: pprof: %v\n", err)
		os.Exit(1)
	}
	// The pprof server lives as long as the process; it is never shut down.
	go func() { _ = http.Serve(ln, mux) }()
	serve.Main("profile", addr, h)
}
