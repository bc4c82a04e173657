// Command rrproxy is a round-robin reverse proxy with no affinity (package
// github.com/minimcp/minimcp/interop/rrproxy): each request goes to the next backend in
// turn, responses stream through unbuffered, and X-Rrproxy-Upstream names the backend that
// answered.
//
//	rrproxy [-addr 127.0.0.1:0] [-access-log] http://127.0.0.1:8081 http://127.0.0.1:8082 ...
//
// It prints "rrproxy: serving http://HOST:PORT" on stdout once it listens, and stops on
// SIGINT or SIGTERM.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"

	"github.com/minimcp/minimcp/interop/rrproxy"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on (port 0 picks a free one)")
	access := flag.Bool("access-log", false, "log each request (method, path, backend, status) to stderr")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: rrproxy [-addr HOST:PORT] [-access-log] BACKEND_URL...\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	opts := &rrproxy.Options{ErrorLog: log.New(os.Stderr, "", log.LstdFlags|log.Lmicroseconds)}
	if *access {
		opts.AccessLog = opts.ErrorLog
	}
	srv, err := rrproxy.Start(*addr, flag.Args(), opts)
	if err != nil {
		fmt.Fprintf(os.Stderr, "rrproxy: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("rrproxy: serving %s -> %v\n", srv.URL, flag.Args())
	sig := make(chan os.Signal, 1) // receives SIGINT and SIGTERM; never closed
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	if err := srv.Close(); err != nil {
		fmt.Fprintf(os.Stderr, "rrproxy: %v\n", err)
		os.Exit(1)
	}
}
