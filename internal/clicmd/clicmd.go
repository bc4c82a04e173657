package clicmd

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/minimcp/minimcp/client"
	"github.com/minimcp/minimcp/internal/cliflag"
	"github.com/minimcp/minimcp/mcp"
)

// Exit statuses of the client commands (tools, call, read, prompt, bench).
const (
	// ExitOK: everything succeeded.
	ExitOK = 0
	// ExitFailed: the tool reported an error, or the server answered the request with an error
	// (call, read, prompt), or some requests failed (bench).
	ExitFailed = 1
	// ExitUsage: bad flags or arguments.
	ExitUsage = cliflag.ExitUsage
	// ExitProtocol: the server could not be reached, or broke the protocol.
	ExitProtocol = 3
)

// Conn says where a command connects and how.
type Conn struct {
	// URL is the endpoint, already checked to be an http(s) URL.
	URL string
	// Timeout bounds the whole command, connecting included; it must be positive.
	Timeout time.Duration
	// Header holds extra headers sent with every request (--header); nil for none.
	Header http.Header
	// AuthToken is sent as "Authorization: Bearer AuthToken" (--auth-token); "" for none.
	AuthToken string
	// ProtocolVersion pins the protocol version (--protocol-version); "" lets the client pick:
	// 2026-07-28 when server/discover offers it, else initialize's latest.
	ProtocolVersion string
	// Version is minimcp's version, sent in clientInfo.
	Version string
}

// Output is where a command prints, and how.
type Output struct {
	Stdout, Stderr io.Writer
	// JSON prints the result as the server sent it (--json) instead of for a person.
	JSON bool
}

// Run connects to conn.URL with package client (per request at 2026-07-28 when the server
// offers it, else with initialize), runs f and closes the client, which ends the session if
// there is one, all within conn.Timeout. The caller's trace context, from the TRACEPARENT,
// TRACESTATE and BAGGAGE environment variables (see envTrace), goes with every request. It
// returns f's exit status, or [ExitProtocol] after
// reporting on stderr that connecting failed.
func Run(ctx context.Context, conn *Conn, stderr io.Writer, f func(context.Context, *client.Client) int) int {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	defer tr.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(ctx, conn.Timeout)
	defer cancel()
	// The caller's trace, if it runs inside one, reaches the server with every request.
	if tc := envTrace(); tc.TraceParent != "" {
		ctx = client.WithTraceContext(ctx, tc)
	}
	c, err := client.Connect(ctx, conn.URL, conn.options(&http.Client{Transport: tr}))
	if err != nil {
		fmt.Fprintf(stderr, "minimcp: %v\n", err)
		return ExitProtocol
	}
	// Transports § Session Management, 5: clients that no longer need a session SHOULD end
	// it; Close does, bounded by its own timeout even if the command's time is up.
	defer c.Close()
	return f(ctx, c)
}

// options returns the client options conn describes, sending with hc.
func (conn *Conn) options(hc *http.Client) *client.Options {
	o := &client.Options{
		ClientInfo:      mcp.Implementation{Name: "minimcp", Version: conn.Version},
		ProtocolVersion: conn.ProtocolVersion,
		HTTPClient:      hc,
		Header:          conn.Header,
	}
	if tok := conn.AuthToken; tok != "" {
		o.TokenSource = func(context.Context) (string, error) { return tok, nil }
	}
	return o
}
