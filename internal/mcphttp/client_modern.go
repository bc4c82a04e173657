package mcphttp

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/internal/httpwire"
	"github.com/minimcp/minimcp/internal/jsontext"
	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/rpc"
)

/*
Design note: the client's two eras.

From MCP 2026-07-28 on there is no initialize and no session: every request carries its
protocol version, the client's info and its capabilities in params._meta (Basic § _meta,
Per-request protocol fields), and on HTTP the version, the method and the name it acts on in
headers too (Transports § Streamable HTTP, Standard Request Headers: MCP-Protocol-Version,
Mcp-Method, Mcp-Name). The client commands speak that revision when the server offers it and
the session era's initialize otherwise, the way a dual-era client detects the server's era
(Basic § Versioning, Backward Compatibility; Transports § Streamable HTTP, Backward
Compatibility):

  - connect first sends server/discover as a 2026-07-28 request (Server § Discovery: "Clients
    MAY call it before sending any other requests to learn the server's supported versions up
    front"). A result listing 2026-07-28 makes the client modern; one without it sends it to
    initialize.
  - An UnsupportedProtocolVersionError (-32022) identifies a modern server that does not
    serve 2026-07-28: the client "retries with a supported version rather than falling
    back", which for this client means initialize when data.supported names a version
    initialize negotiates, and an error naming what the server speaks otherwise.
  - Another recognized modern error (-32020 header mismatch, -32021 missing capability) is
    reported as it is: the server is modern and refused what the client sent.
  - Anything else (a 4xx without a modern error, -32601, a session-required 400) identifies a
    legacy server, and the client falls back to initialize.

--protocol-version pins the version and skips the probe: 2026-07-28 goes straight to
per-request calls, a session-era version to initialize asking for it (and fails if the server
picks another). The client declares no capabilities in either era; a server that needs one
answers -32021, and a 2026-07-28 server that needs input answers input_required, which a
load generator counts as a result like any other. The client commands use package client,
which answers both.
*/

// modernMeta returns the _meta members every request of revision v carries, with the
// client's version in clientInfo (MCP 2026-07-28,
// Basic § _meta: protocolVersion and clientCapabilities are required, clientInfo SHOULD be
// sent), as the opening of a params object: `{"_meta":{...}`.
func modernMeta(v, version string) []byte {
	b := []byte(`{"_meta":{"io.modelcontextprotocol/protocolVersion":`)
	b = jsontext.AppendString(b, v)
	b = append(b, `,"io.modelcontextprotocol/clientInfo":{"name":"minimcp","version":`...)
	b = jsontext.AppendString(b, version)
	return append(b, `},"io.modelcontextprotocol/clientCapabilities":{}}`...)
}

// withMeta returns params with the client's _meta first: meta is modernMeta's opening, params
// a JSON object or empty. A _meta params already has is replaced.
func withMeta(meta []byte, params json.RawMessage) json.RawMessage {
	out := make([]byte, 0, len(meta)+len(params)+1)
	out = append(out, meta...)
	_ = jsontext.EachMember(params, func(k, v []byte) bool {
		if string(k) != "_meta" {
			out = append(out, ',')
			out = jsontext.AppendString(out, string(k))
			out = append(out, ':')
			out = append(out, v...)
		}
		return true
	})
	return append(out, '}')
}

// rpcErrorOf returns the JSON-RPC error err carries: a JSON-RPC error answered with 200, or
// one in the body of a 4xx.
func rpcErrorOf(err error) *rpc.Error {
	var re *rpc.Error
	if errors.As(err, &re) {
		return re
	}
	var se *StatusError
	if errors.As(err, &se) {
		return se.RPC
	}
	return nil
}

// errNoCommonVersion is returned by connect when the server speaks no version of this client.
var errNoCommonVersion = errors.New("the server speaks no protocol version this client does")

// Connect readies c to send requests: per request at a revision without initialize, or in a
// Session opened by initialize (see the design note above). pin, if set, is the version to
// speak (any of mcp.AllVersions). It returns the version in use.
func (c *Client) Connect(ctx context.Context, pin string) (string, error) {
	switch {
	case mcp.IsModernVersion(pin):
		c.UseModern(pin)
		return pin, nil
	case pin != "":
		got, err := c.initializeAt(ctx, pin)
		if err != nil {
			return "", err
		}
		if got != pin {
			return "", fmt.Errorf("%s: the server chose protocol version %s, not the pinned %s (try without --protocol-version)",
				mcp.MethodInitialize, got, pin)
		}
		return pin, nil
	}
	res, err := c.Discover(ctx, mcp.Version20260728)
	if err == nil {
		if slices.Contains(res.SupportedVersions, mcp.Version20260728) {
			return mcp.Version20260728, nil
		}
		c.UseModern("")
		return c.initializeAt(ctx, mcp.LatestVersion)
	}
	e := rpcErrorOf(err)
	switch {
	case e != nil && e.Code == mcp.CodeUnsupportedProtocolVersion:
		// Basic § Versioning: "The client SHOULD select a mutually supported version from
		// the supported list and retry the request, or surface an error to the user if no
		// compatible version exists."
		supported := httpwire.SupportedOf(e)
		if !slices.ContainsFunc(supported, mcp.IsSupportedVersion) {
			return "", fmt.Errorf("%w: it supports %s; this client speaks %s", errNoCommonVersion,
				strings.Join(supported, ", "), strings.Join(mcp.AllVersions(), ", "))
		}
		return c.initializeAt(ctx, mcp.LatestVersion)
	case e != nil && httpwire.IsModernCode(e.Code):
		return "", err
	case errors.As(err, new(*TransportError)) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return "", err
	}
	// A legacy server (Basic § Versioning, Backward Compatibility: "Anything else identifies
	// a legacy server").
	return c.initializeAt(ctx, mcp.LatestVersion)
}

// initializeAt opens a session asking for version v and returns the version negotiated.
func (c *Client) initializeAt(ctx context.Context, v string) (string, error) {
	c.UseModern("")
	c.initVersion = v
	res, err := c.Initialize(ctx)
	if err != nil {
		return "", err
	}
	return res.ProtocolVersion, nil
}

// Modern returns the per-request revision the client speaks, "" in the session era.
func (c *Client) Modern() string { return c.modern }

// UseModern makes every later request one of revision v, "" to go back to the session era.
func (c *Client) UseModern(v string) {
	c.modern = v
	c.meta = nil
	if v != "" {
		c.meta = modernMeta(v, c.version)
	}
}

// Discover sends server/discover as a request of revision v (MCP 2026-07-28, Server §
// Discovery) and leaves c speaking v; the caller resets it when the server is not modern.
func (c *Client) Discover(ctx context.Context, v string) (*mcp.DiscoverResult, error) {
	c.UseModern(v)
	raw, _, err := c.Call(ctx, mcp.MethodServerDiscover, nil)
	if err != nil {
		return nil, err
	}
	var res mcp.DiscoverResult
	if err := json.Unmarshal(raw, &res); err != nil {
		return nil, fmt.Errorf("%s: %w", mcp.MethodServerDiscover, &MalformedReplyError{Reason: "result: " + err.Error()})
	}
	return &res, nil
}
