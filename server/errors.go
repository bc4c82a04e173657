package server

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/minimcp/minimcp/rpc"
)

// Error codes in the JSON-RPC bodies of HTTP errors. The spec names the HTTP statuses; the
// codes follow the TypeScript SDK so clients can tell the cases apart.
const (
	// CodeSessionNotFound accompanies 404 for an expired, deleted or unknown session.
	CodeSessionNotFound int64 = -32001
	// CodeServerError accompanies 4xx/5xx statuses that are not about the JSON-RPC message
	// (origin, host, auth, capacity).
	CodeServerError int64 = -32000
	// CodeRequestCancelled answers a request the client cancelled while its POST waited for
	// the answer. The code is the Language Server Protocol's RequestCancelled: JSON-RPC leaves
	// it unassigned and MCP names none.
	CodeRequestCancelled int64 = -32800
)

// Sentinel errors of the package.
var (
	// ErrSessionNotFound is returned by a SessionStore for an unknown or expired id.
	ErrSessionNotFound = errors.New("server: session not found")
	// ErrSessionLimit is returned by a SessionStore that holds its maximum of sessions.
	ErrSessionLimit = errors.New("server: too many sessions")
	// ErrPrincipalSessionLimit is returned by a SessionStore when the principal of a new
	// session holds its maximum of sessions.
	ErrPrincipalSessionLimit = errors.New("server: too many sessions for one principal")
	// ErrEventNotFound is returned by an EventStore for a Last-Event-ID it does not hold.
	ErrEventNotFound = errors.New("server: event not found")
	// ErrShuttingDown is returned by Shutdown's callers' requests while the handler drains.
	ErrShuttingDown = errors.New("server: shutting down")
)

// writeError answers with status and a JSON-RPC error body whose id is null (these errors
// are about the HTTP request, not one message). Extra headers must be set before the call.
func writeError(w http.ResponseWriter, status int, code int64, message string) {
	buf := rpc.GetBuffer()
	defer rpc.PutBuffer(buf)
	*buf = rpc.AppendResponse(*buf, &rpc.Response{ID: rpc.NullID, Error: &rpc.Error{Code: code, Message: message}})
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(*buf)))
	w.WriteHeader(status)
	_, _ = w.Write(*buf)
}
