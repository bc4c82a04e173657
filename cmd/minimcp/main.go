// Command minimcp serves MCP tools without writing Go, runs the conformance server, and
// checks or load-tests any MCP Streamable HTTP endpoint.
//
//	minimcp serve [--manifest FILE]           serve tools over Streamable HTTP (or --stdio)
//	minimcp serve --openapi SPEC              serve a REST API's operations as tools
//	minimcp conformance                       serve what the official conformance suite tests
//	minimcp bench URL                         load-test an MCP endpoint
//	minimcp tools URL                         list an endpoint's tools
//	minimcp call URL TOOL [JSON]              call one tool and print its result
//	minimcp read URL URI                      read one resource and print its contents
//	minimcp prompt URL NAME [JSON]            get one prompt and print its messages
//	minimcp version                           print the version
//
// Every flag can also be set through a MINIMCP_* environment variable; `minimcp CMD --help`
// lists them.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/minimcp/minimcp/internal/manifest"
)

// command is one subcommand: it parses args, does its work, and returns the exit code.
type command struct {
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) int
	summary string
}

var commands = map[string]command{}

// commandOrder is the order in which usage lists the commands.
var commandOrder = []string{"serve", "conformance", "bench", "tools", "call", "read", "prompt", "version"}

func register(name, summary string, run func(ctx context.Context, args []string, stdout, stderr io.Writer) int) {
	commands[name] = command{run: run, summary: summary}
}

func init() {
	register("version", "print the version", func(_ context.Context, _ []string, stdout, _ io.Writer) int {
		fmt.Fprintf(stdout, "minimcp %s\n", version)
		return 0
	})
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: minimcp COMMAND [flags] [args]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, name := range commandOrder {
		if c, ok := commands[name]; ok {
			fmt.Fprintf(w, "  %-12s %s\n", name, c.summary)
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'minimcp COMMAND --help' for a command's flags.")
}

func main() {
	code := run(os.Args[1:], os.Stdout, os.Stderr)
	manifest.KillProcesses() // nothing an exec tool started outlives minimcp
	os.Exit(code)
}

// run dispatches to a subcommand. The first SIGINT or SIGTERM cancels the context (graceful
// shutdown); a second one exits at once.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "minimcp: unknown command %q (commands: %s; see minimcp --help)\n", args[0], strings.Join(commandOrder, ", "))
		return 2
	}
	ctx, stop := signalContext()
	defer stop()
	return c.run(ctx, args[1:], stdout, stderr)
}

// signalContext returns a context cancelled by the first SIGINT/SIGTERM; the second exits the
// process with status 130.
func signalContext() (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2) // buffered as signal.Notify requires; never closed
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{}) // closed by stop to end the watcher
	go func() {
		select {
		case <-sigs:
			cancel()
		case <-done:
			return
		}
		select {
		case <-sigs:
			fmt.Fprintln(os.Stderr, "minimcp: second signal, exiting now")
			manifest.KillProcesses()
			os.Exit(130)
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(sigs)
		close(done)
		cancel()
	}
}
