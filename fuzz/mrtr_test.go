package fuzz

import (
	"context"
	"strings"
	"testing"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/rpc"
)

// newStateServer is the server behind FuzzRequestState: a tool that asks the user's name and
// answers with it (MCP 2026-07-28, Basic § Multi Round-Trip Requests), under a fixed state key.
func newStateServer() *mcp.Server {
	s := mcp.NewServer(nil, &mcp.ServerOptions{StateKeys: [][]byte{[]byte("0123456789abcdef0123456789abcdef")}})
	mcp.AddTool(s, &mcp.Tool{Name: "ask"}, func(ctx context.Context, req *mcp.Request, _ struct{}) (string, error) {
		res, err := req.Ask(ctx, map[string]mcp.InputRequest{"name": {Elicit: &mcp.ElicitParams{Message: "name?"}}})
		if err != nil {
			return "", err
		}
		if req.Resumed() {
			return "resumed " + res["name"].Elicit.Action, nil
		}
		return "fresh " + res["name"].Elicit.Action, nil
	})
	return s
}

const stateMeta = `"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{"elicitation":{}}}`

// askState sends tools/call ask with the given requestState and inputResponses members (raw
// JSON, or "" for none) and returns the reply.
func askState(s *mcp.Server, principal, state, responses string) (rpc.Response, bool) {
	params := `{"name":"ask","arguments":{},` + stateMeta
	if state != "" {
		params += `,"requestState":` + state
	}
	if responses != "" {
		params += `,"inputResponses":` + responses
	}
	params += "}"
	msgs, _, derr := rpc.Decode(nil, []byte(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":`+params+`}`), rpc.Limits{})
	if derr != nil || len(msgs) != 1 || msgs[0].Kind != rpc.KindRequest {
		return rpc.Response{}, false
	}
	return s.Handle(context.Background(), &mcp.Inbound{ProtocolVersion: mcp.Version20260728, Principal: principal}, &msgs[0])
}

// FuzzRequestState opens requestState values the client controls, with inputResponses beside
// them: the state the server issued (in this process: each fuzz worker has its own) with one
// character replaced by an arbitrary string, or an arbitrary string alone. Invariants: no
// panic; the issued state resumes the request for its principal only; any other state is
// refused with -32602, never resumed; a reply is always a result or an error.
func FuzzRequestState(f *testing.F) {
	s := newStateServer()
	first, ok := askState(s, "alice", "", "")
	if !ok || first.Error != nil {
		f.Fatalf("first round: %+v", first)
	}
	var r1 struct {
		RequestState string `json:"requestState"`
	}
	if err := json.Unmarshal(first.Result, &r1); err != nil || r1.RequestState == "" {
		f.Fatalf("first round has no requestState: %s", first.Result)
	}
	issued := r1.RequestState
	answer := `{"name":{"action":"accept","content":{"name":"Ada"}}}`
	f.Add(uint16(0), "s", false, answer, false)
	f.Add(uint16(0), "s", false, answer, true)
	f.Add(uint16(7), "A", false, answer, false)
	f.Add(uint16(3), "", false, `{"name":12345}`, false)
	f.Add(uint16(0), "s1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", true, answer, false)
	f.Add(uint16(0), "", true, `null`, false)
	f.Add(uint16(0), strings.Repeat("s1.", 100), true, `{}`, false)
	f.Add(uint16(0), "s", false, `{},"request\u0053tate":"s1.x"`, false) // a second requestState, its name escaped
	f.Fuzz(func(t *testing.T, pos uint16, repl string, alone bool, responses string, mallory bool) {
		principal := "alice"
		if mallory {
			principal = "mallory"
		}
		state := repl
		if !alone {
			p := int(pos) % len(issued)
			state = issued[:p] + repl + issued[p+1:]
		}
		lit, err := json.Marshal(state)
		if err != nil {
			return
		}
		resp, ok := askState(s, principal, string(lit), responses)
		if !ok {
			return // not a request: the transport's decoder answers that, not this code
		}
		if (resp.Error == nil) == (resp.Result == nil) {
			t.Fatalf("neither one result nor one error: %+v", resp)
		}
		if resp.Error != nil && resp.Error.Code != rpc.CodeInvalidParams {
			t.Fatalf("refused with %d, not -32602: %s", resp.Error.Code, resp.Error.Message)
		}
		if responses != "" && !json.Valid([]byte(responses)) {
			// Not one value: it closes inputResponses and adds members of its own (a second
			// requestState, however its name is escaped, another name or arguments), so this
			// is no longer the request the state was issued for.
			return
		}
		genuine := state == issued && !mallory
		if resp.Error == nil && !genuine {
			t.Fatalf("a requestState the server did not issue to %s was accepted: %q -> %s", principal, state, resp.Result)
		}
		if genuine && resp.Error != nil && !strings.Contains(resp.Error.Message, "inputResponses") {
			t.Fatalf("the issued requestState was refused: %s", resp.Error.Message)
		}
	})
}
