package mcp

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/internal/jsonschema"
	"github.com/minimcp/minimcp/internal/jsontext"
	"github.com/minimcp/minimcp/rpc"
)

/*
Design note: one way to ask the client, in every era.

A handler that needs something from the client (an elicitation, a sampling, the roots) calls
[Request.Elicit], [Request.CreateMessage], [Request.ListRoots] or, for several things at once,
[Request.Ask]. What happens depends on the era of the request, never on the handler:

  - 2025 revisions in a session: a server-to-client request goes out on the session and the
    call returns the client's reply, as it always did;
  - 2025 revisions without a session (stateless HTTP): nothing can carry the request; the call
    fails with ErrNoSession;
  - 2026-07-28 (Basic § Multi Round-Trip Requests): "Servers MUST send server-to-client requests
    ... using the MRTR pattern". The call returns ErrInputRequired, which the handler returns;
    the request is then answered with an InputRequiredResult naming what was asked
    (inputRequests) and a sealed requestState (request_state.go). The client retries the same
    request with inputResponses and the state, and the handler runs again from the start: this
    time each ask finds its answer, from the retry's inputResponses or, for asks answered in
    earlier rounds, from the state, and returns it. A handler written as a sequence of asks
    reads the same in every era; what it does before an ask is done once a round, so side
    effects belong after the asks.

Each ask has a key, the inputRequests key: given to Ask, or, for Elicit, CreateMessage and
ListRoots, "elicitation-N", "sampling-N" and "roots-N", N counting from 1 the asks of that kind
in this run of the handler. A deterministic handler asks the same things under the same keys
in every round, which is what lets an answer find its ask; asks made concurrently from several
goroutines get keys in the order they are made, so a handler that asks concurrently uses Ask.

Only tools/call, prompts/get and resources/read may answer with an InputRequiredResult
("Servers MUST NOT send InputRequiredResult responses on any other client requests"); an ask
from any other request fails with ErrInputNotAllowed. An ask for an input kind the client did
not declare fails with a *CapabilityError before anything is sent ("Servers MUST NOT send an
inputRequests that the client has not declared support for in its capabilities"), which a
2026-07-28 request answers with -32021 and a tool of a 2025 session reports as a tool error.
*/

var (
	// ErrInputRequired is returned by the asks of [Request] on a 2026-07-28 request whose client
	// has not answered them yet. The handler returns it (wrapped or not); the request is then
	// answered with an InputRequiredResult and the handler runs again when the client retries
	// with the answers (see [Request.Ask]). A handler of tools/call, prompts/get or
	// resources/read may also return it without asking anything, to have the client retry
	// later with what it kept ([Request.KeepState]): the result then holds the requestState
	// alone. Anywhere else it is an error like any other.
	ErrInputRequired = errors.New("mcp: input required from the client: return this error; the handler runs again when the client retries with the answers")
	// ErrInputNotAllowed is returned by the asks of [Request] on a 2026-07-28 request other than
	// tools/call, prompts/get and resources/read, which alone may ask the client for input
	// (MCP 2026-07-28, Basic § Multi Round-Trip Requests, Supported Requests).
	ErrInputNotAllowed = errors.New("mcp: only tools/call, prompts/get and resources/read may ask the client for input at 2026-07-28")
	// ErrStateTooLarge is wrapped by the error that ends a round whose requestState would pass
	// [ServerOptions].MaxStateBytes; the request is answered -32603.
	ErrStateTooLarge = errors.New("mcp: requestState over the server's MaxStateBytes")
)

// InputRequest is one thing a handler asks the client for: exactly one field is set.
type InputRequest struct {
	// Elicit asks the client to ask its user (elicitation/create).
	Elicit *ElicitParams
	// Sample asks the client to sample its language model (sampling/createMessage).
	Sample *CreateMessageParams
	// Roots asks the client for its roots (roots/list).
	Roots bool
}

// InputResponse is the client's answer to an [InputRequest]: the field of the request's kind
// is set.
type InputResponse struct {
	Elicit *ElicitResult
	Sample *CreateMessageResult
	Roots  *ListRootsResult
}

// check returns the method of q and the capability error for it, if the client of r cannot
// take it.
func (q *InputRequest) check(r *Request) (method string, err error) {
	n := 0
	caps := &r.state.ClientCapabilities
	if q.Elicit != nil {
		n++
		method = MethodElicitationCreate
		mode := q.Elicit.Mode
		if mode == "" {
			mode = "form"
		}
		if caps.Elicitation == nil {
			err = &CapabilityError{Capability: "elicitation", Method: method}
		} else if !caps.SupportsElicitationMode(mode) {
			err = &CapabilityError{Capability: "elicitation." + mode, Method: method}
		}
	}
	if q.Sample != nil {
		n++
		method = MethodSamplingCreateMessage
		if caps.Sampling == nil {
			err = &CapabilityError{Capability: "sampling", Method: method}
		} else if caps.Sampling.Tools == nil && q.Sample.usesTools() {
			// MCP 2025-11-25, Client § Sampling: "Servers MUST NOT send tool-enabled sampling
			// requests to Clients that have not declared support for tool use".
			err = &CapabilityError{Capability: "sampling.tools", Method: method}
		}
	}
	if q.Roots {
		n++
		method = MethodRootsList
		if caps.Roots == nil {
			err = &CapabilityError{Capability: "roots", Method: method}
		}
	}
	if n != 1 {
		return "", fmt.Errorf("mcp: an InputRequest sets exactly one of Elicit, Sample and Roots; this one sets %d", n)
	}
	return method, err
}

// params returns what q sends as params, for a client of version: nothing for roots/list,
// which has none.
func (q *InputRequest) params(version string) any {
	switch {
	case q.Elicit != nil:
		if q.Elicit.ElicitationID != "" && IsModernVersion(version) {
			// schema/2026-07-28: ElicitRequestURLParams has no elicitationId; the revision
			// removed notifications/elicitation/complete, which it named.
			c := *q.Elicit
			c.ElicitationID = ""
			return &c
		}
		return q.Elicit.downgrade(version)
	case q.Sample != nil:
		return q.Sample.downgrade(version)
	}
	return nil
}

// decode reads raw, the client's answer to q.
func (q *InputRequest) decode(raw []byte) (InputResponse, error) {
	var (
		resp InputResponse
		err  error
	)
	switch {
	case q.Elicit != nil:
		resp.Elicit = new(ElicitResult)
		if err = json.Unmarshal(raw, resp.Elicit); err == nil {
			switch resp.Elicit.Action {
			case "accept", "decline", "cancel":
			default:
				err = fmt.Errorf("action must be accept, decline or cancel, got %q", resp.Elicit.Action)
			}
		}
	case q.Sample != nil:
		resp.Sample = new(CreateMessageResult)
		err = json.Unmarshal(raw, resp.Sample)
	default:
		resp.Roots = new(ListRootsResult)
		err = json.Unmarshal(raw, resp.Roots)
	}
	if err == nil && (len(raw) == 0 || raw[0] != '{') {
		err = errors.New("not an object")
	}
	return resp, err
}

// Ask asks the client for everything in asks at once, by key, and returns the answers by
// the same keys (see the design note in mrtr.go for what happens in each era). On a
// 2026-07-28 request it returns [ErrInputRequired] until the client has answered every ask;
// the handler returns that error as it is, and runs again on the client's retry. Once an ask
// of this run waits for the client, every later ask of the run returns ErrInputRequired too,
// even one already answered (its answer is kept for the next round), so that nothing after a
// waiting ask runs in a round that will be repeated. Keys are what the client sees as
// inputRequests keys: the same ask keeps the same key across rounds. Keys of the form
// "elicitation-N", "sampling-N" and "roots-N" are those of [Request.Elicit],
// [Request.CreateMessage] and [Request.ListRoots]: a handler that mixes them with Ask uses
// other keys.
//
// It fails with a [*CapabilityError] when the client did not declare what an ask needs, with
// [ErrNoSession] on a 2025 request without a session, with [ErrInputNotAllowed] on a
// 2026-07-28 request that may not ask, and when the client's answer to an ask is not the kind
// of result asked for: at 2026-07-28 with a -32602 error naming the inputResponses key, in a
// 2025 session with an error saying the reply to the method is malformed.
func (r *Request) Ask(ctx context.Context, asks map[string]InputRequest) (map[string]InputResponse, error) {
	if r.isDone() {
		return nil, ErrRequestDone
	}
	modern := r.modern()
	if !modern && r.sess == nil {
		return nil, ErrNoSession
	}
	keys := make([]string, 0, len(asks))
	for k := range asks {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	methods := make([]string, len(keys))
	for i, k := range keys {
		q := asks[k]
		m, err := q.check(r)
		if err != nil {
			return nil, err
		}
		methods[i] = m
	}
	if modern && r.task != nil {
		return r.task.ask(ctx, r, keys, methods, asks)
	}
	if modern {
		return r.askRound(keys, methods, asks)
	}
	out := make(map[string]InputResponse, len(keys))
	for i, k := range keys {
		q := asks[k]
		var raw json.RawMessage
		if err := r.call(ctx, methods[i], q.params(r.state.ProtocolVersion), &raw); err != nil {
			return nil, err
		}
		resp, err := q.decode(raw)
		if err != nil {
			return nil, fmt.Errorf("mcp: the client's reply to %s is malformed: %w", methods[i], err)
		}
		out[k] = resp
	}
	return out, nil
}

// ask1 asks one thing under the next key of its kind.
func (r *Request) ask1(ctx context.Context, kind string, q InputRequest) (InputResponse, error) {
	key := kind
	if r.modern() {
		r.mu.Lock()
		if r.askSeq == nil {
			r.askSeq = make(map[string]int, 1)
		}
		r.askSeq[kind]++
		key = kind + "-" + strconv.Itoa(r.askSeq[kind])
		r.mu.Unlock()
	}
	res, err := r.Ask(ctx, map[string]InputRequest{key: q})
	if err != nil {
		return InputResponse{}, err
	}
	return res[key], nil
}

// checkElicited checks the content of res, an accepted answer to the form elicitation p,
// against p's requestedSchema (MCP 2026-07-28, Client § Elicitation, Security Considerations:
// "Servers SHOULD validate received data matches the requested schema"). At 2026-07-28 the
// answer is part of the retry, attacker-controlled like the rest of it, and the handler reads
// it as the form it asked for. What is checked is the content as decoded, the handler's view
// of it: the answer's own text may hold "content" twice, or in another case. A schema this
// package cannot compile is not checked: the handler chose it and checks the content itself.
func checkElicited(p *ElicitParams, res *ElicitResult) error {
	if p.Mode == "url" || len(p.RequestedSchema) == 0 {
		return nil
	}
	schema, err := jsonschema.Compile(p.RequestedSchema)
	if err != nil {
		return nil
	}
	content := []byte(`{}`) // an accepted form without content submitted nothing
	if res.Content != nil {
		if content, err = json.Marshal(res.Content); err != nil {
			return err
		}
	}
	if err := schema.Validate(content); err != nil {
		return fmt.Errorf("content does not match the requestedSchema: %v", err)
	}
	return nil
}

// mrtrMethod reports whether method may answer with an InputRequiredResult (MCP 2026-07-28,
// Basic § Multi Round-Trip Requests, Supported Requests).
func mrtrMethod(method string) bool {
	return method == MethodToolsCall || method == MethodPromptsGet || method == MethodResourcesRead
}

// inputRound is what a 2026-07-28 request that may ask for input knows of its rounds.
type inputRound struct {
	// responses are the retry's inputResponses, by key; answers are those of earlier rounds,
	// from the requestState; kept is what the handler kept; resumed says a requestState came
	// and verified.
	responses map[string]json.RawMessage
	answers   map[string]json.RawMessage
	kept      []byte
	resumed   bool
	digest    []byte

	// Guarded by Request.mu.
	used    map[string]json.RawMessage // answers the handler took in this run
	pending map[string]json.RawMessage // asks not answered yet, encoded as InputRequests values
	keep    []byte
	keepSet bool
}

// askRound serves asks on a 2026-07-28 request: each is answered from the retry or the state,
// or becomes pending.
func (r *Request) askRound(keys, methods []string, asks map[string]InputRequest) (map[string]InputResponse, error) {
	in := r.input
	if in == nil {
		return nil, ErrInputNotAllowed
	}
	out := make(map[string]InputResponse, len(keys))
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, k := range keys {
		q := asks[k]
		raw, ok := in.answers[k]
		if !ok {
			raw, ok = in.responses[k]
		}
		if ok {
			resp, err := q.decode(raw)
			if err == nil && q.Elicit != nil && resp.Elicit.Action == "accept" {
				err = checkElicited(q.Elicit, resp.Elicit)
			}
			if err != nil {
				// Basic § Multi Round-Trip Requests, Error Handling: "Servers SHOULD validate
				// that the data provided by the client is a valid InputResponses object".
				return nil, rpc.InvalidParams("inputResponses[%q] is not a valid answer to %s: %v", k, methods[i], err)
			}
			if in.used == nil {
				in.used = make(map[string]json.RawMessage)
			}
			in.used[k] = raw
			out[k] = resp
			continue
		}
		params := []byte(`{}`) // an InputRequests value is a request object, params and all
		if p := q.params(r.state.ProtocolVersion); p != nil {
			var err error
			if params, err = json.Marshal(p); err != nil {
				return nil, fmt.Errorf("mcp: encoding the params of %s: %w", methods[i], err)
			}
		}
		// Basic § Multi Round-Trip Requests, InputRequests: "values are request objects".
		b := append([]byte(`{"method":`), jsontext.AppendString(nil, methods[i])...)
		b = append(b, `,"params":`...)
		b = append(b, params...)
		b = append(b, '}')
		if in.pending == nil {
			in.pending = make(map[string]json.RawMessage)
		}
		in.pending[k] = b
	}
	if len(in.pending) > 0 {
		return nil, ErrInputRequired
	}
	return out, nil
}

// KeepState keeps data for the next round of this request: if the request ends with an
// InputRequiredResult, data travels sealed in its requestState and [Request.KeptState] returns
// it when the client retries. Answers to asks travel on their own; this is for what the
// handler computed and does not want to compute again. Only 2026-07-28 requests have rounds;
// elsewhere it does nothing.
func (r *Request) KeepState(data []byte) {
	if r.input == nil {
		return
	}
	r.mu.Lock()
	r.input.keep, r.input.keepSet = bytes.Clone(data), true
	r.mu.Unlock()
}

// KeptState returns what the handler last kept with [Request.KeepState] in an earlier round of
// this request (a round that keeps nothing passes on what it found), nil on a first round.
func (r *Request) KeptState() []byte {
	if r.input == nil {
		return nil
	}
	return r.input.kept
}

// Resumed reports whether the request is a retry that carried a requestState this server
// issued and verified (for this principal, this request, within its expiry).
func (r *Request) Resumed() bool { return r.input != nil && r.input.resumed }

// The tails of "inputResponses" and "requestState", which openRound looks for.
var (
	responsesTail = []byte(`Responses"`)
	stateTail     = []byte(`State"`)
)

// openRound reads the inputResponses and requestState of a 2026-07-28 request that may ask for
// input, and verifies the state: an unverifiable state fails the request before its handler
// runs (Basic § Multi Round-Trip Requests: servers "MUST reject state that fails
// verification"), with -32602 and what was wrong.
func (s *Server) openRound(r *Request) error {
	in := &inputRound{}
	r.input = in
	// The first round of most requests names neither member: skip the scan. The search is for
	// the members' tails, which begin with a byte JSON seldom holds (searching for a quote
	// stops at every string). A name may be written with escapes ("request\u0053tate" is
	// requestState, RFC 8259 §7), so params with a backslash anywhere are scanned.
	if !bytes.Contains(r.Params, responsesTail) && !bytes.Contains(r.Params, stateTail) &&
		bytes.IndexByte(r.Params, '\\') < 0 {
		return nil
	}
	var (
		state    string
		hasState bool
		perr     error
	)
	_ = jsontext.EachMemberValid(r.Params, func(k, v []byte) bool {
		switch string(k) {
		case "inputResponses":
			if len(v) == 0 || v[0] != '{' {
				perr = rpc.InvalidParams("inputResponses must be an object mapping the keys of inputRequests to the client's results")
				return false
			}
			in.responses = make(map[string]json.RawMessage)
			_ = jsontext.EachMemberValid(v, func(rk, rv []byte) bool {
				in.responses[string(rk)] = rv // keys come unescaped
				return true
			})
		case "requestState":
			var ok bool
			if state, ok = jsontext.Unquote(v); !ok || len(v) == 0 || v[0] != '"' {
				perr = rpc.InvalidParams("requestState must be a string, echoed as the server sent it")
				return false
			}
			hasState = true
		}
		return true
	})
	if perr != nil {
		return perr
	}
	if !hasState {
		return nil
	}
	in.digest = requestDigest(r.Method, r.Params)
	p, err := s.states.open(state, r.principal, in.digest, time.Now())
	if err != nil {
		return rpc.InvalidParams("%v", err)
	}
	in.answers, in.kept, in.resumed = p.Answers, p.Kept, true
	return nil
}

// inputRequired returns the InputRequiredResult that ends r's round (Basic § Multi Round-Trip
// Requests, InputRequiredResult): the pending asks and a requestState holding the answers the
// handler took and what it kept ("Servers MUST include at least one of inputRequests or
// requestState": the state is always there). A handler that returned ErrInputRequired without
// asking anything gets the state alone, which the client may retry at once (Client
// Requirements: "If the InputRequiredResult does not contain the inputRequests field, the
// client MAY retry the original request immediately"; the schema's example of it is load
// shedding). The server's identity goes in _meta as on every result of the revision; no cache
// hints: a round's answer is never cacheable.
func (s *Server) inputRequired(r *Request) (json.RawMessage, error) {
	in := r.input
	r.mu.Lock()
	defer r.mu.Unlock()
	p := &statePayload{
		Principal: r.principal,
		Expires:   time.Now().Add(s.states.ttl).UnixMilli(),
		Digest:    in.digest,
		Answers:   in.used,
		Kept:      in.kept,
	}
	if in.keepSet {
		p.Kept = in.keep
	}
	if p.Digest == nil {
		p.Digest = requestDigest(r.Method, r.Params)
	}
	state, err := s.states.seal(p)
	if err != nil {
		return nil, fmt.Errorf("mcp: sealing requestState: %w", err)
	}
	if len(state) > s.opts.MaxStateBytes {
		// A state the client cannot echo within the transport's body limit would fail the
		// retry with a bare 413; fail this round instead, saying why. The operator hears of
		// it when the handler's kept data makes most of the state; answers are the client's
		// (it can send large ones on purpose), so those are only a debug record.
		err := fmt.Errorf("%w: %d bytes of %s for %d answers and %d bytes kept, over %d",
			ErrStateTooLarge, len(state), r.Method, len(p.Answers), len(p.Kept), s.opts.MaxStateBytes)
		level := slog.LevelDebug
		if 2*base64.StdEncoding.EncodedLen(len(p.Kept)) > len(state) {
			level = slog.LevelWarn
		}
		s.logger().Log(context.Background(), level, err.Error())
		return nil, err
	}
	keys := make([]string, 0, len(in.pending))
	for k := range in.pending {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b := append(make([]byte, 0, 256), `{"resultType":"input_required",`...)
	if len(keys) > 0 {
		b = append(b, `"inputRequests":{`...)
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsontext.AppendString(b, k)
			b = append(b, ':')
			b = append(b, in.pending[k]...)
		}
		b = append(b, `},`...)
	}
	b = append(b, `"requestState":`...)
	b = jsontext.AppendString(b, state)
	b = append(b, `,"_meta":{"io.modelcontextprotocol/serverInfo":`...)
	b = append(b, s.implJSON...)
	b = append(b, '}', '}')
	return b, nil
}
