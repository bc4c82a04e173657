package server

import (
	"context"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/rpc"
)

/*
Design note: one message exchange for every transport.

Each transport carries frames: the body of a Streamable HTTP POST, the body of a POST to an
HTTP+SSE session's /message, a line of stdio. Between the bytes of a frame and the bytes of
its answer, every transport does the same thing, and the exchange is where it is done, once:

  - decode: rpc.Decode under the transport's size limit; a frame is one message or a batch;
  - batch rules: batches exist in protocol 2025-03-26 only (MCP 2025-03-26, Basic §
    Batching: implementations "MUST support receiving JSON-RPC batches"; dropped by the
    2025-06-18 changelog: "Remove support for JSON-RPC batching"), and initialize never goes
    in one (MCP 2025-03-26, Basic § Lifecycle: "The initialize request MUST NOT be part of a
    JSON-RPC batch");
  - dispatch: every message to mcp.Server.Handle, the members of a batch concurrently under
    ServerOptions.BatchConcurrency, replies in request order; messages that get no reply
    (responses, notifications) in the order they came;
  - encoding: one reply as an object, a batch's replies as an array.

A transport keeps what is its own: reading the frame, the session and its headers, which
protocol version is in force (the session's, or an HTTP request's MCP-Protocol-Version), and
where and when the answer goes (a JSON body, an SSE stream, a line, 202 first and the reply on
a stream later). It hands that version to the batch rule, so the rule is the same everywhere
while its error names the version the way the transport knows it.

Era classification goes here too. The 2026-07-28 revision has no initialize and no protocol
session: a request whose _meta carries io.modelcontextprotocol/protocolVersion is served at
that revision, sessionless, on the same endpoint as 2025 clients (MCP 2026-07-28, Basic §
Versioning, Backward Compatibility: "A request carrying modern per-request _meta is served
statelessly according to this revision"). Which rules serve a frame is therefore decided per
frame, after decoding and before any session is looked up or any version checked: classify
below is that step. It reads the claim from the _meta of a lone request or notification; a
claim of a revision initialize negotiates is no claim (clients of those revisions may send
the same _meta keys, and get today's behaviour). The transports branch on the era before
their session and batch logic, which stay the session era's. A Streamable HTTP POST that
names an MCP-Protocol-Version it does not serve is refused only once its body showed a
session-era frame (servePost); for a modern frame that header is checked against the
frame's claim instead (modernLadder).
*/

// exchange is the message exchange shared by every transport (see the design note above).
// It is immutable and safe for concurrent use.
type exchange struct {
	srv *mcp.Server
	// limits bound one frame (MaxMessageBytes: its size).
	limits rpc.Limits
	// batchConcurrency bounds the members of a batch that run at once
	// (mcp.ServerOptions.BatchConcurrency).
	batchConcurrency int
}

func newExchange(srv *mcp.Server, limits rpc.Limits) exchange {
	return exchange{srv: srv, limits: limits, batchConcurrency: srv.Options().BatchConcurrency}
}

// era names the set of protocol rules that serve a frame (see the design note above).
type era uint8

const (
	// eraSession is the revisions up to 2025-11-25: a protocol session opened by
	// initialize, the version negotiated there (or named by the transport, for stateless
	// HTTP).
	eraSession era = iota
	// eraModern is the revisions from 2026-07-28 on: no initialize and no session; every
	// request carries its version, the client's info and capabilities in _meta.
	eraModern
)

// frame is one decoded frame: a single message, or the members of a batch.
type frame struct {
	msgs  []rpc.Message
	batch bool
	era   era
	// claim is what the _meta of a lone request or notification says of its protocol.
	claim claim
}

// decode decodes one frame, its messages appended to dst (a single message allocates nothing
// when dst has room for one). The error is the reply to a frame that is no JSON-RPC at all
// (-32700, or -32600 for an empty batch or a frame over the limit); it has no id.
func (x *exchange) decode(dst []rpc.Message, data []byte) (frame, *rpc.Error) {
	msgs, batch, derr := rpc.Decode(dst, data, x.limits)
	if derr != nil {
		return frame{}, derr
	}
	f := frame{msgs: msgs, batch: batch}
	f.era = classify(&f)
	return f, nil
}

// classify reads the claim of f and returns the era that serves it (see the design note
// above): modern when a lone request or notification claims a protocol version in its _meta
// that initialize does not negotiate.
func classify(f *frame) era {
	if f.batch {
		return eraSession
	}
	m := &f.msgs[0]
	if m.Kind != rpc.KindRequest && m.Kind != rpc.KindNotification {
		return eraSession
	}
	f.claim = readClaim(m.Params)
	if f.claim.present && !mcp.IsSupportedVersion(f.claim.version) {
		return eraModern
	}
	return eraSession
}

// isInitialize reports whether f is a lone initialize request, which opens a session.
func (f *frame) isInitialize() bool {
	return !f.batch && f.msgs[0].Kind == rpc.KindRequest && f.msgs[0].Method == mcp.MethodInitialize
}

// hasCalls reports whether f holds anything that gets a reply: a request or an invalid
// message.
func (f *frame) hasCalls() bool {
	for i := range f.msgs {
		if k := f.msgs[i].Kind; k == rpc.KindRequest || k == rpc.KindInvalid {
			return true
		}
	}
	return false
}

// batchError returns the error that refuses a batch at protocol version, nil when batches
// are allowed: in 2025-03-26 only (MCP 2025-03-26, Basic § Batching; MCP 2025-06-18
// changelog: "Remove support for JSON-RPC batching"). ofSession says that
// version is what the client's session negotiated (stdio, HTTP+SSE), "" when it negotiated
// nothing yet; otherwise it is the version an HTTP request declared or was assumed to have.
func batchError(version string, ofSession bool) *rpc.Error {
	if version == mcp.Version20250326 {
		return nil
	}
	if !ofSession {
		return rpc.Errorf(rpc.CodeInvalidRequest,
			"Invalid Request: JSON-RPC batches are only allowed in protocol version 2025-03-26, not %s", version)
	}
	if version == "" {
		version = "none negotiated yet"
	}
	return rpc.Errorf(rpc.CodeInvalidRequest,
		"Invalid Request: JSON-RPC batches are only allowed in protocol version 2025-03-26 (this session: %s)", version)
}

// negotiated returns the version sess negotiated, "" when none yet.
func negotiated(sess *mcp.Session) string {
	if st := sess.State(); st != nil {
		return st.ProtocolVersion
	}
	return ""
}

// deliver hands the messages of f that get no reply (responses, notifications) to the
// protocol, in the order they came: notifications/initialized before what follows it.
func (x *exchange) deliver(ctx context.Context, in *mcp.Inbound, f frame) {
	for i := range f.msgs {
		x.srv.Handle(ctx, in, &f.msgs[i])
	}
}

// dispatch hands the messages of f to the protocol and returns their replies: a single
// message's appended to dst (nothing is allocated when dst has room for one), a batch's in a
// slice of their own. A batch's members run
// concurrently, at most batchConcurrency at once, and their replies keep the order of the
// requests (JSON-RPC 2.0 §6 allows any order; request order is easy to read and to test). A
// request the client cancelled gets no reply (see the protocol's Handle). dispatch returns
// once every handler it started has returned.
func (x *exchange) dispatch(ctx context.Context, in *mcp.Inbound, f frame, dst []rpc.Response) []rpc.Response {
	if !f.batch {
		if resp, ok := x.srv.Handle(ctx, in, &f.msgs[0]); ok {
			return append(dst, resp)
		}
		return dst
	}
	// The closure takes the messages, not the frame, which then stays on the stack.
	msgs := f.msgs
	replies := make([]rpc.Response, len(msgs))
	has := make([]bool, len(msgs))
	rpc.Parallel(len(msgs), x.batchConcurrency, func(i int) {
		m := &msgs[i]
		if m.Kind == rpc.KindRequest && m.Method == mcp.MethodInitialize {
			// MCP 2025-03-26, Basic § Lifecycle: "The initialize request MUST NOT be part of
			// a JSON-RPC batch, as other requests and notifications are not possible until
			// initialization has completed".
			replies[i], has[i] = rpc.Response{ID: m.ID, Error: rpc.NewError(rpc.CodeInvalidRequest,
				"Invalid Request: initialize must not be part of a JSON-RPC batch")}, true
			return
		}
		replies[i], has[i] = x.srv.Handle(ctx, in, m)
	})
	out := replies[:0]
	for i := range replies {
		if has[i] {
			out = append(out, replies[i])
		}
	}
	return out
}

// encode appends the encoding of replies to dst: one reply as an object, the replies of a
// batch as an array, nothing when there are none.
func encode(dst []byte, replies []rpc.Response, batch bool) []byte {
	if len(replies) == 0 {
		return dst
	}
	if batch {
		return rpc.AppendBatch(dst, replies)
	}
	return rpc.AppendResponse(dst, &replies[0])
}
