package mcp_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/mcp"
)

// allCaps is the _meta of a 2026-07-28 client that takes every input kind.
const allCaps = `"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{"elicitation":{},"sampling":{},"roots":{}}}`

// modernIn is the Inbound of a 2026-07-28 request of principal.
func modernIn(principal string) *mcp.Inbound {
	return &mcp.Inbound{ProtocolVersion: mcp.Version20260728, Principal: principal}
}

// reply is a decoded JSON-RPC reply.
type reply struct {
	Result struct {
		ResultType    string                     `json:"resultType"`
		InputRequests map[string]json.RawMessage `json:"inputRequests"`
		RequestState  string                     `json:"requestState"`
		Content       []struct{ Text string }    `json:"content"`
		TTL           *int                       `json:"ttlMs"`
	} `json:"result"`
	Error *struct {
		Code    int64
		Message string
		Data    json.RawMessage
	} `json:"error"`
}

func call(t *testing.T, s *mcp.Server, in *mcp.Inbound, params string) reply {
	t.Helper()
	got := handleOne(t, s, in, `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{`+params+`}}`)
	var r reply
	require.NoError(t, json.Unmarshal([]byte(got), &r), got)
	return r
}

// interviewServer has a tool that asks two things in sequence, the way a 2025 handler is
// written: Elicit, then CreateMessage.
func interviewServer(opts *mcp.ServerOptions) (*mcp.Server, *int) {
	s := mcp.NewServer(nil, opts)
	runs := 0
	mcp.AddTool(s, &mcp.Tool{Name: "interview"}, func(ctx context.Context, req *mcp.Request, in struct{ Topic string }) (string, error) {
		runs++
		name, err := req.Elicit(ctx, &mcp.ElicitParams{Message: "name?", RequestedSchema: json.RawMessage(`{"type":"object","properties":{"name":{"type":"string"}}}`)})
		if err != nil {
			return "", err
		}
		poem, err := req.CreateMessage(ctx, &mcp.CreateMessageParams{MaxTokens: 5,
			Messages: []mcp.SamplingMessage{{Role: mcp.RoleUser, Content: &mcp.TextContent{Text: "a poem on " + in.Topic}}}})
		if err != nil {
			return "", err
		}
		return name.Content["name"].(string) + ": " + poem.Content.(*mcp.TextContent).Text, nil
	})
	return s, &runs
}

// TestInputRequiredRounds: at 2026-07-28 a handler's asks end the round with an
// InputRequiredResult and the handler runs again on each retry, answers of earlier rounds
// replayed from the sealed requestState (MCP 2026-07-28, Basic § Multi Round-Trip Requests).
func TestInputRequiredRounds(t *testing.T) {
	s, runs := interviewServer(nil)
	in := modernIn("alice")
	args := `"name":"interview","arguments":{"Topic":"tea"},` + allCaps

	r1 := call(t, s, in, args)
	require.Nil(t, r1.Error)
	assert.Equal(t, "input_required", r1.Result.ResultType)
	assert.JSONEq(t, `{"method":"elicitation/create","params":{"message":"name?","requestedSchema":{"type":"object","properties":{"name":{"type":"string"}}}}}`,
		string(r1.Result.InputRequests["elicitation-1"]))
	assert.Len(t, r1.Result.InputRequests, 1, "the second ask is not reached before the first is answered")
	require.NotEmpty(t, r1.Result.RequestState)
	assert.NotContains(t, r1.Result.RequestState, "alice", "the state is sealed, not readable")

	// Round 2: the name arrives; the sampling is asked. The arguments come back in another
	// member order and spacing: still the same request.
	r2 := call(t, s, in, `"inputResponses":{"elicitation-1":{"action":"accept","content":{"name":"Ada"}}},"requestState":"`+r1.Result.RequestState+`",`+
		allCaps+`, "arguments":{ "Topic" : "tea" },"name":"interview"`)
	require.Nil(t, r2.Error)
	assert.Equal(t, "input_required", r2.Result.ResultType)
	assert.Contains(t, string(r2.Result.InputRequests["sampling-1"]), `"method":"sampling/createMessage"`)
	assert.NotEqual(t, r1.Result.RequestState, r2.Result.RequestState)

	// Round 3: only the sampling answer is sent; the name comes from the state.
	r3 := call(t, s, in, args+`,"inputResponses":{"sampling-1":{"role":"assistant","content":{"type":"text","text":"steam rises"},"model":"m"}},"requestState":"`+r2.Result.RequestState+`"`)
	require.Nil(t, r3.Error)
	assert.Equal(t, "complete", r3.Result.ResultType)
	require.Len(t, r3.Result.Content, 1)
	assert.Equal(t, "Ada: steam rises", r3.Result.Content[0].Text)
	assert.Equal(t, 3, *runs)

	// A retry without the answer it needs is asked again, not refused (Error Handling: "the
	// server SHOULD respond with a new InputRequiredResult requesting the missing information
	// again"); keys it does not know are ignored.
	again := call(t, s, in, args+`,"inputResponses":{"wrong_key":{"action":"accept"}},"requestState":"`+r2.Result.RequestState+`"`)
	require.Nil(t, again.Error)
	assert.Contains(t, again.Result.InputRequests, "sampling-1")
}

// TestRequestStateRefused: a requestState that is tampered with, expired, issued to another
// principal, for another request, or under a key the server no longer holds is refused with
// -32602 before the handler runs (Basic § Multi Round-Trip Requests: servers "MUST reject state
// that fails verification").
func TestRequestStateRefused(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		key1 := make([]byte, mcp.StateKeySize)
		key2 := make([]byte, mcp.StateKeySize)
		key2[0] = 1
		s, runs := interviewServer(&mcp.ServerOptions{StateKeys: [][]byte{key1}, StateTTL: time.Minute})
		args := `"name":"interview","arguments":{"Topic":"tea"},` + allCaps
		answer := `"inputResponses":{"elicitation-1":{"action":"accept","content":{"name":"Ada"}}}`
		state := call(t, s, modernIn("alice"), args).Result.RequestState
		require.NotEmpty(t, state)
		retry := func(s *mcp.Server, principal, args, state string) reply {
			return call(t, s, modernIn(principal), args+","+answer+`,"requestState":"`+state+`"`)
		}

		// One character of the sealed text changed for another of the base64url alphabet.
		b := []byte(state)
		if b[len(b)-5] == 'A' {
			b[len(b)-5] = 'B'
		} else {
			b[len(b)-5] = 'A'
		}
		for name, c := range map[string]struct {
			principal, args, state, want string
		}{
			"tampered":          {"alice", args, string(b), "failed verification"},
			"suffixed":          {"alice", args, state + "-TAMPERED", "requestState"},
			"not ours":          {"alice", args, "eyJsb2NhdGlvbiI6Ik5ldyBZb3JrIn0", "not one this server issued"},
			"another principal": {"mallory", args, state, "another principal"},
			"another request":   {"alice", strings.Replace(args, "tea", "coffee", 1), state, "another request"},
		} {
			before := *runs
			r := retry(s, c.principal, c.args, c.state)
			require.NotNil(t, r.Error, name)
			assert.Equal(t, int64(-32602), r.Error.Code, name)
			assert.Contains(t, r.Error.Message, c.want, name)
			assert.Equal(t, before, *runs, "%s: the handler does not run", name)
		}

		// Rotation: a server whose ring has a new key first still opens states of the old key;
		// one without the old key refuses them.
		rotated, _ := interviewServer(&mcp.ServerOptions{StateKeys: [][]byte{key2, key1}})
		assert.Nil(t, retry(rotated, "alice", args, state).Error)
		dropped, _ := interviewServer(&mcp.ServerOptions{StateKeys: [][]byte{key2}})
		r := retry(dropped, "alice", args, state)
		require.NotNil(t, r.Error)
		assert.Contains(t, r.Error.Message, "failed verification")

		time.Sleep(time.Minute)
		r = retry(s, "alice", args, state)
		require.NotNil(t, r.Error)
		assert.Contains(t, r.Error.Message, "expired")
	})
}

// TestInputResponsesChecked: inputResponses that are not an object, or an answer of the wrong
// shape, are -32602 naming what was wrong; an answer sent without any requestState is used
// (the ask is the handler's, the answer the client's either way).
func TestInputResponsesChecked(t *testing.T) {
	s, _ := interviewServer(nil)
	in := modernIn("")
	args := `"name":"interview","arguments":{"Topic":"tea"},` + allCaps
	r := call(t, s, in, args+`,"inputResponses":null`)
	require.NotNil(t, r.Error)
	assert.Equal(t, int64(-32602), r.Error.Code)
	assert.Contains(t, r.Error.Message, "inputResponses must be an object")

	r = call(t, s, in, args+`,"inputResponses":{"elicitation-1":12345}`)
	require.NotNil(t, r.Error)
	assert.Equal(t, int64(-32602), r.Error.Code)
	assert.Contains(t, r.Error.Message, `inputResponses["elicitation-1"] is not a valid answer to elicitation/create`)

	r = call(t, s, in, args+`,"inputResponses":{"elicitation-1":{"action":"maybe"}}`)
	require.NotNil(t, r.Error)
	assert.Contains(t, r.Error.Message, "action must be accept, decline or cancel")

	r = call(t, s, in, args+`,"requestState":17`)
	require.NotNil(t, r.Error)
	assert.Contains(t, r.Error.Message, "requestState must be a string")

	r = call(t, s, in, args+`,"inputResponses":{"elicitation-1":{"action":"accept","content":{"name":"Ada"}}}`)
	require.Nil(t, r.Error)
	assert.Contains(t, r.Result.InputRequests, "sampling-1")
}

// TestAskCapabilities: an ask for an input kind the client did not declare is never sent
// (Basic § Multi Round-Trip Requests: "Servers MUST NOT send an inputRequests that the client
// has not declared support for"): the request fails with -32021 naming it.
func TestAskCapabilities(t *testing.T) {
	s, _ := interviewServer(nil)
	r := call(t, s, modernIn(""), `"name":"interview","arguments":{"Topic":"tea"},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{"sampling":{}}}`)
	require.NotNil(t, r.Error)
	assert.Equal(t, mcp.CodeMissingRequiredClientCapability, r.Error.Code)
	assert.JSONEq(t, `{"requiredCapabilities":{"elicitation":{}}}`, string(r.Error.Data))
}

// TestAskOnlyWhereAllowed: only tools/call, prompts/get and resources/read may answer with an
// InputRequiredResult (Supported Requests); a resource's round carries no cache hints; an ask
// elsewhere fails with ErrInputNotAllowed.
func TestAskOnlyWhereAllowed(t *testing.T) {
	s := mcp.NewServer(nil, nil)
	roots := func(ctx context.Context, req *mcp.Request) error {
		_, err := req.ListRoots(ctx)
		return err
	}
	s.AddResource(&mcp.Resource{URI: "test://r", Name: "r"}, func(ctx context.Context, req *mcp.Request, uri string) (*mcp.ReadResourceResult, error) {
		return nil, roots(ctx, req)
	})
	var completeErr error
	s.AddPrompt(&mcp.Prompt{Name: "p", Arguments: []mcp.PromptArgument{{Name: "a"}}}, func(ctx context.Context, req *mcp.Request, _ map[string]string) (*mcp.GetPromptResult, error) {
		return nil, roots(ctx, req)
	})
	s.AddPromptCompletion("p", func(ctx context.Context, req *mcp.Request, _, _ string, _ map[string]string) ([]string, error) {
		completeErr = roots(ctx, req)
		return nil, nil
	})
	in := modernIn("")
	got := handleOne(t, s, in, `{"jsonrpc":"2.0","id":1,"method":"resources/read","params":{"uri":"test://r",`+allCaps+`}}`)
	assert.Contains(t, got, `"resultType":"input_required","inputRequests":{"roots-1":{"method":"roots/list","params":{}}}`)
	assert.NotContains(t, got, "ttlMs")
	got = handleOne(t, s, in, `{"jsonrpc":"2.0","id":2,"method":"prompts/get","params":{"name":"p",`+allCaps+`}}`)
	assert.Contains(t, got, `"resultType":"input_required"`)
	handleOne(t, s, in, `{"jsonrpc":"2.0","id":3,"method":"completion/complete","params":{"ref":{"type":"ref/prompt","name":"p"},"argument":{"name":"a","value":""},`+allCaps+`}}`)
	assert.ErrorIs(t, completeErr, mcp.ErrInputNotAllowed)
}

// TestAskMany: Ask asks several things in one round under the handler's keys, and what the
// handler kept comes back on the retry.
func TestAskMany(t *testing.T) {
	s := mcp.NewServer(nil, nil)
	mcp.AddTool(s, &mcp.Tool{Name: "many"}, func(ctx context.Context, req *mcp.Request, _ struct{}) (string, error) {
		kept := string(req.KeptState())
		req.KeepState([]byte("expensive result"))
		res, err := req.Ask(ctx, map[string]mcp.InputRequest{
			"who":   {Elicit: &mcp.ElicitParams{Message: "who?"}},
			"where": {Roots: true},
		})
		if err != nil {
			return "", err
		}
		return kept + " / " + res["who"].Elicit.Action + " / " + res["where"].Roots.Roots[0].URI, nil
	})
	in := modernIn("")
	r1 := call(t, s, in, `"name":"many",`+allCaps)
	assert.Equal(t, []string{"where", "who"}, keys(r1.Result.InputRequests))
	r2 := call(t, s, in, `"name":"many",`+allCaps+`,"requestState":"`+r1.Result.RequestState+`","inputResponses":{"who":{"action":"decline"},"where":{"roots":[{"uri":"file:///w"}]}}`)
	require.Nil(t, r2.Error)
	require.Len(t, r2.Result.Content, 1)
	assert.Equal(t, "expensive result / decline / file:///w", r2.Result.Content[0].Text)

	// A malformed InputRequest is the handler's bug: a tool error that says so.
	mcp.AddTool(s, &mcp.Tool{Name: "bad"}, func(ctx context.Context, req *mcp.Request, _ struct{}) (string, error) {
		_, err := req.Ask(ctx, map[string]mcp.InputRequest{"x": {Roots: true, Elicit: &mcp.ElicitParams{}}})
		return "", err
	})
	r := call(t, s, in, `"name":"bad",`+allCaps)
	require.Len(t, r.Result.Content, 1)
	assert.Contains(t, r.Result.Content[0].Text, "sets exactly one of Elicit, Sample and Roots")
}

func keys(m map[string]json.RawMessage) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	if len(ks) == 2 && ks[0] > ks[1] {
		ks[0], ks[1] = ks[1], ks[0]
	}
	return ks
}

// TestStateKeySize: a key of the wrong size is refused when the server is made.
func TestStateKeySize(t *testing.T) {
	assert.PanicsWithValue(t, "mcp: NewServer: mcp: state key 1 is 16 bytes; it must be 32 (AES-256)", func() {
		mcp.NewServer(nil, &mcp.ServerOptions{StateKeys: [][]byte{make([]byte, 16)}})
	})
	assert.False(t, errors.Is(mcp.ErrInputNotAllowed, mcp.ErrInputRequired))
}

// TestInputRequiredOutsideRounds: ErrInputRequired from a tool that has no round to end (a
// 2025 request, where asks never return it) is a failing tool like any other error, an
// isError result (MCP 2025-11-25, Server § Tools, Error Handling), not a -32603.
func TestInputRequiredOutsideRounds(t *testing.T) {
	s := mcp.NewServer(nil, nil)
	mcp.AddTool(s, &mcp.Tool{Name: "t"}, func(ctx context.Context, req *mcp.Request, _ struct{}) (string, error) {
		return "", fmt.Errorf("wrapped: %w", mcp.ErrInputRequired)
	})
	got := handleOne(t, s, &mcp.Inbound{ProtocolVersion: mcp.Version20250618}, `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"t"}}`)
	assert.Contains(t, got, `"result":{"content":[{"type":"text","text":"wrapped: mcp: input required`)
	assert.Contains(t, got, `"isError":true`)
}

// TestAskURLModern: a URL elicitation asked at 2026-07-28 goes out without elicitationId,
// which the revision removed with notifications/elicitation/complete (schema/2026-07-28:
// ElicitRequestURLParams is mode, message and url): a handler written for 2025-11-25 sets it.
func TestAskURLModern(t *testing.T) {
	s := mcp.NewServer(nil, nil)
	mcp.AddTool(s, &mcp.Tool{Name: "connect"}, func(ctx context.Context, req *mcp.Request, _ struct{}) (string, error) {
		res, err := req.Elicit(ctx, &mcp.ElicitParams{Mode: "url", Message: "connect", URL: "https://example.com/connect", ElicitationID: "e-1"})
		if err != nil {
			return "", err
		}
		return res.Action, nil
	})
	r := call(t, s, modernIn(""), `"name":"connect","_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{"elicitation":{"url":{}}}}`)
	require.Nil(t, r.Error)
	assert.JSONEq(t, `{"method":"elicitation/create","params":{"mode":"url","message":"connect","url":"https://example.com/connect"}}`,
		string(r.Result.InputRequests["elicitation-1"]))
}

// TestInputResponsesEscapedNames: a member name is the same name however its characters are
// escaped (RFC 8259 §7), so "input\u0052esponses" carries the answers and
// "request\u0053tate" is verified like any requestState.
func TestInputResponsesEscapedNames(t *testing.T) {
	s, _ := interviewServer(nil)
	in := modernIn("")
	args := `"name":"interview","arguments":{"Topic":"tea"},` + allCaps
	r := call(t, s, in, args+`,"input\u0052esponses":{"elicitation-1":{"action":"accept","content":{"name":"Ada"}}}`)
	require.Nil(t, r.Error)
	assert.Contains(t, r.Result.InputRequests, "sampling-1", "the escaped inputResponses answered the elicitation")

	r = call(t, s, in, args+`,"request\u0053tate":"s1.forged"`)
	require.NotNil(t, r.Error, "an escaped requestState is verified too")
	assert.Equal(t, int64(-32602), r.Error.Code)
}

// TestElicitContentChecked: at 2026-07-28 the content of an accepted form elicitation comes in
// the retry, from the client, and is checked against the requestedSchema the handler asked
// with before the handler sees it (client/elicitation, Security Considerations: "Servers SHOULD
// validate received data matches the requested schema"; Basic § Multi Round-Trip Requests,
// Error Handling: a JSON-RPC error for an invalid answer). A decline carries no content.
func TestElicitContentChecked(t *testing.T) {
	s := mcp.NewServer(nil, nil)
	mcp.AddTool(s, &mcp.Tool{Name: "pay"}, func(ctx context.Context, req *mcp.Request, _ struct{}) (string, error) {
		res, err := req.Elicit(ctx, &mcp.ElicitParams{Message: "how much?",
			RequestedSchema: json.RawMessage(`{"type":"object","properties":{"amount":{"type":"integer","maximum":100}},"required":["amount"]}`)})
		if err != nil {
			return "", err
		}
		return fmt.Sprint(res.Action, " ", res.Content["amount"]), nil
	})
	in := modernIn("")
	answer := func(a string) reply {
		return call(t, s, in, `"name":"pay",`+allCaps+`,"inputResponses":{"elicitation-1":`+a+`}`)
	}
	r := answer(`{"action":"accept","content":{"amount":50}}`)
	require.Nil(t, r.Error)
	assert.Equal(t, "accept 50", r.Result.Content[0].Text)
	r = answer(`{"action":"decline"}`)
	require.Nil(t, r.Error)
	assert.Equal(t, "decline <nil>", r.Result.Content[0].Text)
	for _, bad := range []string{
		`{"action":"accept","content":{"amount":1000000}}`,
		`{"action":"accept","content":{"amount":"all of it"}}`,
		`{"action":"accept","content":{}}`,
		`{"action":"accept"}`,
		`{"action":"accept","content":{"amount":50},"Content":{"amount":1000000}}`,
		`{"action":"accept","CONTENT":{"amount":1000000}}`,
	} {
		r := answer(bad)
		require.NotNil(t, r.Error, bad)
		assert.Equal(t, int64(-32602), r.Error.Code, bad)
		assert.Contains(t, r.Error.Message, `inputResponses["elicitation-1"]`, bad)
	}
}

// TestInputRequiredStateOnly: a handler that returns ErrInputRequired without asking anything
// (it kept its progress, and sheds load) ends the round with a requestState alone, which the
// client may retry at once (Basic § Multi Round-Trip Requests: "If the InputRequiredResult does
// not contain the inputRequests field, the client MAY retry the original request immediately";
// schema/2026-07-28: "InputRequiredResult with request state only (load shedding)").
func TestInputRequiredStateOnly(t *testing.T) {
	s := mcp.NewServer(nil, nil)
	mcp.AddTool(s, &mcp.Tool{Name: "slow"}, func(ctx context.Context, req *mcp.Request, _ struct{}) (string, error) {
		done := len(req.KeptState())
		if done < 2 {
			req.KeepState(append(req.KeptState(), 'x'))
			return "", mcp.ErrInputRequired
		}
		return "done after " + strconv.Itoa(done) + " rounds", nil
	})
	in := modernIn("")
	state := ""
	for round := 1; round <= 2; round++ {
		extra := ""
		if state != "" {
			extra = `,"requestState":"` + state + `"`
		}
		got := handleOne(t, s, in, `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"slow",`+allCaps+extra+`}}`)
		require.Contains(t, got, `"resultType":"input_required"`, "round %d", round)
		assert.NotContains(t, got, "inputRequests", "round %d", round)
		var r reply
		require.NoError(t, json.Unmarshal([]byte(got), &r))
		require.NotEmpty(t, r.Result.RequestState)
		state = r.Result.RequestState
	}
	r := call(t, s, in, `"name":"slow",`+allCaps+`,"requestState":"`+state+`"`)
	require.Nil(t, r.Error)
	assert.Equal(t, "done after 2 rounds", r.Result.Content[0].Text)
}

// TestStateOptions: Options reports the requestState limits with their defaults filled in, as
// it does every other field.
func TestStateOptions(t *testing.T) {
	o := mcp.NewServer(nil, nil).Options()
	assert.Equal(t, mcp.DefaultStateTTL, o.StateTTL)
}

// TestStateSizeBounded: a round whose requestState would pass ServerOptions.MaxStateBytes
// fails with -32603 naming the limit, instead of sending a state the client could not send
// back within the transport's body limit; under the limit the round ends as usual. The
// operator is warned when the handler's kept data makes the state too large; answers are the
// client's to make large, so those get a debug record only.
func TestStateSizeBounded(t *testing.T) {
	for _, c := range []struct {
		max, keep, answer int
		fails             bool
		level             slog.Level
	}{
		{0, mcp.DefaultMaxStateBytes, 0, true, slog.LevelWarn},
		{0, mcp.DefaultMaxStateBytes / 2, 0, false, 0},
		{1000, 1000, 0, true, slog.LevelWarn},
		{1000, 100, 0, false, 0},
		{1000, 0, 1000, true, slog.LevelDebug},
	} {
		logs := &recordingHandler{}
		s := mcp.NewServer(nil, &mcp.ServerOptions{MaxStateBytes: c.max, Logger: slog.New(logs)})
		mcp.AddTool(s, &mcp.Tool{Name: "big"}, func(ctx context.Context, req *mcp.Request, _ struct{}) (string, error) {
			req.KeepState(make([]byte, c.keep))
			_, err := req.Ask(ctx, map[string]mcp.InputRequest{"a": {Roots: true}, "b": {Roots: true}})
			return "", err
		})
		answer := ""
		if c.answer > 0 {
			answer = `,"inputResponses":{"a":{"roots":[{"uri":"file:///` + strings.Repeat("x", c.answer) + `"}]}}`
		}
		r := call(t, s, modernIn(""), `"name":"big",`+allCaps+answer)
		if !c.fails {
			require.Nil(t, r.Error, "%+v", c)
			assert.Equal(t, "input_required", r.Result.ResultType)
			continue
		}
		require.NotNil(t, r.Error, "%+v", c)
		assert.Equal(t, int64(-32603), r.Error.Code)
		assert.Contains(t, r.Error.Message, "MaxStateBytes")
		if recs := logs.find("MaxStateBytes"); assert.Len(t, recs, 1, "%+v", c) {
			assert.Equal(t, c.level, recs[0].level, "%+v", c)
		}
	}
	assert.Equal(t, mcp.DefaultMaxStateBytes, mcp.NewServer(nil, nil).Options().MaxStateBytes)
}

// TestNamingMembersOnce: the member that names what tools/call, prompts/get and
// resources/read act on (and the arguments of the first two) must be given once. Readers
// disagree on a name given twice or in another case: the Streamable HTTP transport checks the
// Mcp-Name header against the first exact "name" or "uri" (MCP 2026-07-28, Transports §
// Streamable HTTP, Standard Request Headers), the requestState digest keeps them all, and the
// params decoders took the last one, matching case-insensitively; so Mcp-Name: echo could
// call another tool, or read another resource. Refused with -32602 in every era, as the
// JSON-RPC layer refuses a duplicate id or method.
func TestNamingMembersOnce(t *testing.T) {
	s := mcp.NewServer(nil, nil)
	mcp.AddTool(s, &mcp.Tool{Name: "a"}, func(ctx context.Context, req *mcp.Request, _ struct{}) (string, error) { return "a", nil })
	mcp.AddTool(s, &mcp.Tool{Name: "b"}, func(ctx context.Context, req *mcp.Request, _ struct{}) (string, error) { return "b", nil })
	s.AddPrompt(&mcp.Prompt{Name: "a"}, func(ctx context.Context, req *mcp.Request, _ map[string]string) (*mcp.GetPromptResult, error) {
		return &mcp.GetPromptResult{Description: "a"}, nil
	})
	s.AddPrompt(&mcp.Prompt{Name: "b"}, func(ctx context.Context, req *mcp.Request, _ map[string]string) (*mcp.GetPromptResult, error) {
		return &mcp.GetPromptResult{Description: "b"}, nil
	})
	for _, u := range []string{"test://a", "test://b"} {
		s.AddResource(&mcp.Resource{URI: u, Name: u}, func(ctx context.Context, req *mcp.Request, uri string) (*mcp.ReadResourceResult, error) {
			return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{URI: uri, Text: uri}}}, nil
		})
	}
	meta := `"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}`
	for _, c := range []struct{ method, params string }{
		{"tools/call", `"name":"a","name":"b"`},
		{"tools/call", `"name":"a","arguments":{},"arguments":{"x":1}`},
		{"prompts/get", `"name":"a","Name":"b"`},
		{"prompts/get", `"name":"a","name":"b"`},
		{"prompts/get", `"name":"a","arguments":{},"ARGUMENTS":{"x":"1"}`},
		{"resources/read", `"uri":"test://a","URI":"test://b"`},
		{"resources/read", `"uri":"test://a","uri":"test://b"`},
	} {
		for _, in := range []*mcp.Inbound{modernIn(""), {ProtocolVersion: mcp.Version20251125}} {
			got := handleOne(t, s, in, `{"jsonrpc":"2.0","id":1,"method":"`+c.method+`","params":{`+meta+`,`+c.params+`}}`)
			assert.Contains(t, got, `"code":-32602`, "%s %s at %s", c.method, c.params, in.ProtocolVersion)
			assert.Contains(t, got, "given twice", "%s %s", c.method, c.params)
		}
	}
	got := handleOne(t, s, modernIn(""), `{"jsonrpc":"2.0","id":1,"method":"resources/read","params":{`+meta+`,"uri":"test://a"}}`)
	assert.Contains(t, got, `"text":"test://a"`, "one uri is read as before")
}

// TestAskAfterPending: once an ask of a run waits for the client, every later ask of the run
// returns ErrInputRequired too, even one the retry answered, so that nothing after a waiting
// ask runs in a round that will be repeated; the answers it found are kept for the next round.
func TestAskAfterPending(t *testing.T) {
	s := mcp.NewServer(nil, nil)
	var errB error
	mcp.AddTool(s, &mcp.Tool{Name: "two"}, func(ctx context.Context, req *mcp.Request, _ struct{}) (string, error) {
		_, errA := req.Ask(ctx, map[string]mcp.InputRequest{"a": {Roots: true}})
		var b map[string]mcp.InputResponse
		b, errB = req.Ask(ctx, map[string]mcp.InputRequest{"b": {Elicit: &mcp.ElicitParams{Message: "b?"}}})
		if err := errors.Join(errA, errB); err != nil {
			return "", err
		}
		return b["b"].Elicit.Action, nil
	})
	in := modernIn("")
	r1 := call(t, s, in, `"name":"two",`+allCaps+`,"inputResponses":{"b":{"action":"decline"}}`)
	assert.ErrorIs(t, errB, mcp.ErrInputRequired)
	assert.Equal(t, []string{"a"}, keys(r1.Result.InputRequests))
	r2 := call(t, s, in, `"name":"two",`+allCaps+`,"inputResponses":{"a":{"roots":[]}},"requestState":"`+r1.Result.RequestState+`"`)
	require.Nil(t, r2.Error)
	require.Len(t, r2.Result.Content, 1)
	assert.Equal(t, "decline", r2.Result.Content[0].Text, "b's answer came back in the state")
}
