package fuzz

import (
	"bytes"
	"context"
	"encoding/base64"
	stdjson "encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/server"
	"github.com/minimcp/minimcp/sse"
)

// fuzzModernCalls are the requests FuzzModernPost builds, by index: a method and the
// params.name or params.uri it carries ("" for none).
var fuzzModernCalls = []struct{ method, name string }{
	{"tools/call", "echo"},
	{"tools/call", "hdr"},
	{"tools/call", "log"},
	{"tools/call", "ask"},
	{"tools/call", "nope"},
	{"tools/list", ""},
	{"resources/list", ""},
	{"resources/templates/list", ""},
	{"resources/read", "fuzz://r"},
	{"resources/read", "fuzz://t/7"},
	{"prompts/list", ""},
	{"prompts/get", "p"},
	{"server/discover", ""},
	{"completion/complete", ""},
	{"ping", ""},
	{"initialize", ""},
	{"logging/setLevel", ""},
	{"resources/subscribe", ""},
	{"no/such", ""},
}

// The standard headers' values FuzzModernPost picks, by two bits each.
const (
	hdrFromBody = iota // the value the body says (the version of _meta, the method, the name)
	hdrAbsent
	hdrFuzzed   // the fuzzer's string
	hdrVariant  // per header: the version 2026-07-28, the method twice, the name Base64 encoded
	hdrBitsEach = 2
)

var fuzzModernAccepts = []string{"application/json, text/event-stream", "application/json", "text/event-stream", "*/*"}

// newFuzzModernServer is the server behind FuzzModernPost: newFuzzServer's, plus a tool with
// x-mcp-header parameters, one that needs the sampling capability, and a resource template.
func newFuzzModernServer() *mcp.Server {
	s := newFuzzServer()
	s.AddRawTool(&mcp.Tool{Name: "hdr", InputSchema: stdjson.RawMessage(`{"type":"object","properties":{` +
		`"region":{"type":"string","x-mcp-header":"Region"},"n":{"type":"integer","x-mcp-header":"N"},"text":{"type":"string"}}}`)},
		func(context.Context, *mcp.Request, stdjson.RawMessage) (*mcp.CallToolResult, error) {
			return mcp.TextResult("ok"), nil
		})
	mcp.AddTool(s, &mcp.Tool{Name: "ask"}, func(ctx context.Context, req *mcp.Request, _ struct{}) (string, error) {
		_, err := req.CreateMessage(ctx, &mcp.CreateMessageParams{MaxTokens: 1})
		return "", err
	})
	s.AddResourceTemplate(&mcp.ResourceTemplate{URITemplate: "fuzz://t/{id}", Name: "t"},
		func(_ context.Context, _ *mcp.Request, uri string, _ map[string]string) (*mcp.ReadResourceResult, error) {
			return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{URI: uri, Text: "t"}}}, nil
		})
	return s
}

// FuzzModernPost sends 2026-07-28 requests to the Streamable HTTP endpoint, stateful and
// stateless: a method of the registry or not, its name or URI, arbitrary arguments and _meta
// members, and the standard headers (MCP-Protocol-Version, Mcp-Method, Mcp-Name,
// Mcp-Param-{Name}) matching the body, missing, repeated, Base64 sentinel encoded or
// arbitrary. The body is always one JSON-RPC message (FuzzStreamablePost fuzzes the bytes).
// It must never panic, and the answer must be what the revision's validation ladder says
// (MCP 2026-07-28, Transports § Streamable HTTP, Server Validation; Basic § _meta; Basic §
// Versioning):
//
//   - a request gets one JSON-RPC response with its id, byte for byte: 200 with a result or
//     an error of the protocol, 400 with -32602, -32020, -32022 or -32021, 404 with -32601;
//     those five codes never come with another status;
//   - a notification gets 202 without a body or 400 with an error whose id is null;
//   - a request the server does not serve at a per-request revision (a _meta claim of a
//     session-era version, or none) gets an answer of the session era: see checkPostAnswer;
//   - a result at 2026-07-28 says its resultType; an SSE answer carries notifications, then
//     the response last.
func FuzzModernPost(f *testing.F) {
	stateful := server.New(newFuzzModernServer(), &server.Options{MaxSessions: 1000, MaxBodyBytes: 64 << 10, KeepAlive: -1})
	stateless := server.New(newFuzzModernServer(), &server.Options{Stateless: true, MaxBodyBytes: 64 << 10})
	f.Cleanup(func() {
		_ = stateful.Shutdown(context.Background())
		_ = stateless.Shutdown(context.Background())
	})
	sid := fuzzInitialize(f, stateful)

	for i := range fuzzModernCalls {
		f.Add(uint8(i), "1", "", []byte(`{"text":"hi","region":"us-west1","n":42}`), []byte(``), uint16(0), "", "", "", "", "")
		f.Add(uint8(i), "a", "", []byte(`{}`), []byte(`"io.modelcontextprotocol/logLevel":"debug","progressToken":"p"`), uint16(1<<9), "", "", "", "", "")
		f.Add(uint8(i), "b", "", []byte(`{}`), []byte(``), uint16(0), "", "", "", "", "log")
	}
	for _, seed := range []struct {
		call       uint8
		name       string
		args, meta string
		hdr        uint16
		v, m, n, p string
	}{
		{1, "", `{"region":"us-west1","n":42}`, ``, hdrVariant << 4, "", "", "", ""},                         // Base64 name
		{1, "", `{"region":"Hé"}`, ``, hdrVariant << 6, "", "", "", ""},                                      // Base64 parameter
		{1, "", `{"region":"us"}`, ``, hdrFuzzed << 6, "", "", "", "=?base64?!!?="},                          // a bad sentinel
		{1, "", `{"n":42}`, ``, hdrFuzzed<<6 | 1<<14, "", "", "", "42.0"},                                    // N compared as a number
		{0, "", `{"text":"x"}`, ``, hdrFuzzed, "2025-11-25", "", "", ""},                                     // version header differs
		{0, "", `{"text":"x"}`, ``, hdrFuzzed << 2, "", "TOOLS/CALL", "", ""},                                // method header differs
		{0, "", `{"text":"x"}`, ``, hdrVariant << 2, "", "", "", ""},                                         // method header repeated
		{0, "  echo\t", `{"text":"x"}`, ``, hdrFuzzed << 4, "", "", "  echo\t", ""},                          // whitespace around
		{5, "", `{}`, ``, 1 << 11, "", "", "", ""},                                                           // no clientCapabilities
		{5, "", `{}`, ``, 2<<11 | hdrFuzzed, "2099-01-01", "", "", ""},                                       // unsupported version
		{5, "", `{}`, ``, 2<<11 | hdrFuzzed, "2025-11-25", "", "", ""},                                       // a session-era claim
		{5, "", `{}`, ``, 3 << 11, "", "", "", ""},                                                           // no _meta
		{5, "", `{}`, ``, 1 << 8, "", "", "", ""},                                                            // a notification
		{0, "", `{"text":"x"}`, `"io.modelcontextprotocol/protocolVersion":"2025-11-25"`, 0, "", "", "", ""}, // a later claim wins
		{3, "", `{}`, ``, 0, "", "", "", ""},                                                                 // -32021
		{8, "fuzz://nope", `{}`, ``, 0, "", "", "", ""},                                                      // -32602, data.uri
		{0, "", `{"text":"x"}`, `"traceparent":"00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01","baggage":"k=v"`, 1 << 10, "", "", "", ""},
	} {
		f.Add(seed.call, "7", seed.name, []byte(seed.args), []byte(seed.meta), seed.hdr, seed.v, seed.m, seed.n, seed.p, "")
	}

	// dup, when not empty, is a second params.name or params.uri after the first: the
	// request is served with the last, and the Mcp-Name rung must compare that one.
	f.Fuzz(func(t *testing.T, call uint8, id, name string, args, extra []byte, hdr uint16, vHdr, mHdr, nHdr, pHdr, dup string) {
		c := fuzzModernCalls[int(call)%len(fuzzModernCalls)]
		if name == "" {
			name = c.name
		}
		notification := hdr&(1<<8) != 0
		h := stateful
		if hdr&(1<<9) != 0 {
			h = stateless
		}

		// The body: one message, valid JSON whatever the fuzzer gave.
		meta := []string{}
		switch hdr >> 11 & 3 {
		case 0:
			meta = append(meta, `"io.modelcontextprotocol/protocolVersion":"2026-07-28"`, `"io.modelcontextprotocol/clientCapabilities":{}`)
		case 1:
			meta = append(meta, `"io.modelcontextprotocol/protocolVersion":"2026-07-28"`)
		case 2:
			meta = append(meta, `"io.modelcontextprotocol/protocolVersion":`+quote(vHdr), `"io.modelcontextprotocol/clientCapabilities":{}`)
		}
		meta = append(meta, `"io.modelcontextprotocol/clientInfo":{"name":"fuzz","version":"1"}`)
		if len(extra) > 0 {
			if obj := "{" + string(extra) + "}"; stdjson.Valid([]byte(obj)) {
				if inner := strings.TrimSpace(string(extra)); inner != "" {
					meta = append(meta, inner)
				}
			} else {
				meta = append(meta, `"x-fuzz":`+quote(string(extra)))
			}
		}
		if !stdjson.Valid(args) || len(bytes.TrimSpace(args)) == 0 {
			args = []byte(`{"text":` + quote(string(args)) + `}`)
		}
		params := []string{}
		if hdr>>11&3 != 3 {
			params = append(params, `"_meta":{`+strings.Join(meta, ",")+`}`)
		}
		switch c.method {
		case "tools/call":
			params = append(params, `"name":`+quote(name), `"arguments":`+string(args))
		case "prompts/get":
			params = append(params, `"name":`+quote(name), `"arguments":{"a":"x"}`)
		case "resources/read", "resources/subscribe":
			params = append(params, `"uri":`+quote(name))
		}
		if dup != "" {
			switch c.method {
			case "tools/call", "prompts/get":
				params = append(params, `"name":`+quote(dup))
			case "resources/read":
				params = append(params, `"uri":`+quote(dup))
			}
		}
		switch c.method {
		case "completion/complete":
			params = append(params, `"ref":{"type":"ref/prompt","name":"p"}`, `"argument":{"name":"a","value":`+quote(name)+`}`)
		case "logging/setLevel":
			params = append(params, `"level":"debug"`)
		case "initialize":
			params = append(params, `"protocolVersion":"2026-07-28","capabilities":{},"clientInfo":{"name":"f","version":"1"}`)
		}
		rawID := quote(id)
		if hdr&(1<<13) != 0 {
			rawID = strconv.Itoa(len(id))
		}
		msg := `{"jsonrpc":"2.0",`
		if !notification {
			msg += `"id":` + rawID + `,`
		}
		msg += `"method":` + quote(c.method) + `,"params":{` + strings.Join(params, ",") + `}}`
		body := []byte(msg)
		if !stdjson.Valid(body) {
			t.Fatalf("the fuzz target built invalid JSON: %s", body)
		}

		// The headers.
		r := httptest.NewRequest(http.MethodPost, "/mcp", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Accept", fuzzModernAccepts[int(hdr>>14)%len(fuzzModernAccepts)])
		if hdr&(1<<10) != 0 {
			r.Header.Set("Mcp-Session-Id", sid)
		}
		claimed, isString := claimOf(body)
		bodyVersion := "2026-07-28"
		if isString {
			bodyVersion = claimed
		}
		setStd(r, "MCP-Protocol-Version", hdr&3, bodyVersion, vHdr, "2026-07-28")
		setStd(r, "Mcp-Method", hdr>>2&3, c.method, mHdr, "")
		if hdr>>2&3 == hdrVariant {
			r.Header.Add("Mcp-Method", c.method)
			r.Header.Add("Mcp-Method", c.method)
		}
		sentinel := "=?base64?" + base64.StdEncoding.EncodeToString([]byte(name)) + "?="
		switch hdr >> 4 & 3 {
		case hdrFromBody:
			r.Header.Set("Mcp-Name", name)
		case hdrFuzzed:
			r.Header.Set("Mcp-Name", nHdr)
		case hdrVariant:
			r.Header.Set("Mcp-Name", sentinel)
		}
		region := argString(args, "region")
		switch hdr >> 6 & 3 {
		case hdrFromBody:
			r.Header.Set("Mcp-Param-Region", region)
			r.Header.Set("Mcp-Param-N", argRaw(args, "n"))
		case hdrFuzzed:
			r.Header.Set("Mcp-Param-Region", pHdr)
			r.Header.Set("Mcp-Param-N", pHdr)
		case hdrVariant:
			r.Header.Set("Mcp-Param-Region", "=?base64?"+base64.StdEncoding.EncodeToString([]byte(region))+"?=")
		}

		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)

		hv := r.Header.Get("MCP-Protocol-Version")
		// The era as the server decides it: a claim of a version initialize does not negotiate,
		// or a header naming a per-request revision.
		modern := hasClaim(body) && !mcp.IsSupportedVersion(claimed) || mcp.IsModernVersion(hv)
		if !modern {
			checkPostAnswer(t, w, requestID(body))
			return
		}
		if checkModernAnswer(t, w, notification, []byte(rawID)) {
			// Served: the Mcp-Name the ladder let through names what the request was served
			// with, as a decoder reads the body (the last of a repeated member).
			var p struct {
				Params struct {
					Name *string `json:"name"`
					URI  *string `json:"uri"`
				} `json:"params"`
			}
			_ = stdjson.Unmarshal(body, &p)
			served := p.Params.Name
			if c.method == "resources/read" {
				served = p.Params.URI
			}
			if c.method == "tools/call" || c.method == "prompts/get" || c.method == "resources/read" {
				if got, ok := decodedName(r); served != nil && (!ok || got != *served) {
					t.Fatalf("served %q while Mcp-Name says %q: %s", *served, got, w.Body.Bytes())
				}
			}
		}
	})
}

// decodedName returns the Mcp-Name header of r as the server compares it: trimmed, Base64
// sentinel decoded; ok is false when it is missing, repeated or badly encoded.
func decodedName(r *http.Request) (string, bool) {
	vs := r.Header.Values("Mcp-Name")
	if len(vs) != 1 {
		return "", false
	}
	v := strings.Trim(vs[0], " \t")
	if len(v) >= len("=?base64??=") && strings.HasPrefix(v, "=?base64?") && strings.HasSuffix(v, "?=") {
		b, err := base64.StdEncoding.DecodeString(v[len("=?base64?") : len(v)-len("?=")])
		return string(b), err == nil
	}
	return v, true
}

// setStd sets header k as how (two bits) says: the body's value, absent, the fuzzer's, or
// variant (when not "").
func setStd(r *http.Request, k string, how uint16, fromBody, fuzzed, variant string) {
	switch how {
	case hdrFromBody:
		r.Header.Set(k, fromBody)
	case hdrFuzzed:
		r.Header.Set(k, fuzzed)
	case hdrVariant:
		if variant != "" {
			r.Header.Set(k, variant)
		}
	}
}

func quote(s string) string {
	b, _ := stdjson.Marshal(s)
	return string(b)
}

// argRaw returns the raw JSON of member k of the object args, "" when there is none.
func argRaw(args []byte, k string) string {
	var m map[string]stdjson.RawMessage
	if stdjson.Unmarshal(args, &m) != nil {
		return ""
	}
	return string(m[k])
}

// argString returns member k of the object args when it is a string, else its raw JSON.
func argString(args []byte, k string) string {
	raw := argRaw(args, k)
	var s string
	if stdjson.Unmarshal([]byte(raw), &s) == nil {
		return s
	}
	return raw
}

// metaOf returns the members of params._meta of body, the last of a repeated key winning as
// the server reads them.
func metaOf(body []byte) map[string]stdjson.RawMessage {
	var m struct {
		Params struct {
			Meta map[string]stdjson.RawMessage `json:"_meta"`
		} `json:"params"`
	}
	_ = stdjson.Unmarshal(body, &m)
	return m.Params.Meta
}

// hasClaim reports whether body's _meta has io.modelcontextprotocol/protocolVersion.
func hasClaim(body []byte) bool {
	_, ok := metaOf(body)["io.modelcontextprotocol/protocolVersion"]
	return ok
}

// claimOf returns the protocolVersion of body's _meta and whether it is a string.
func claimOf(body []byte) (string, bool) {
	var v string
	raw, ok := metaOf(body)["io.modelcontextprotocol/protocolVersion"]
	if !ok || stdjson.Unmarshal(raw, &v) != nil {
		return "", false
	}
	return v, true
}

// ladderCodes are the errors of the modern validation ladder and the status each comes with
// (MCP 2026-07-28, Basic § _meta: -32602 "On HTTP, the response status MUST be 400";
// Transports § Streamable HTTP, Server Validation: -32020 and -32022 with 400, -32601 with
// 404; schema, MissingRequiredClientCapabilityError: "For HTTP, the response status code MUST
// be 400 Bad Request").
var ladderCodes = map[int64]int{
	-32602:                                  http.StatusBadRequest,
	mcp.CodeHeaderMismatch:                  http.StatusBadRequest,
	mcp.CodeUnsupportedProtocolVersion:      http.StatusBadRequest,
	mcp.CodeMissingRequiredClientCapability: http.StatusBadRequest,
	-32601:                                  http.StatusNotFound,
}

// checkModernAnswer checks the answer to a message served at a per-request revision (see
// FuzzModernPost for what it must be), and reports whether it is a result. id is the
// request's raw id.
func checkModernAnswer(t *testing.T, w *httptest.ResponseRecorder, notification bool, id []byte) bool {
	t.Helper()
	body := w.Body.Bytes()
	if !utf8.Valid(body) {
		t.Fatalf("the answer is not UTF-8: %q", body)
	}
	if notification {
		switch w.Code {
		case http.StatusAccepted:
			if len(body) != 0 {
				t.Fatalf("202 with a body: %s", body)
			}
		case http.StatusBadRequest:
			mustSingleErrorReply(t, body, nil)
		default:
			t.Fatalf("a notification answered %d: %s", w.Code, body)
		}
		return false
	}
	reply := body
	switch w.Code {
	case http.StatusOK:
		switch ct := w.Header().Get("Content-Type"); ct {
		case "application/json":
		case "text/event-stream":
			var evs [][]byte
			for ev, err := range sse.NewDecoder(bytes.NewReader(body), nil).Events() {
				if err != nil {
					t.Fatalf("the SSE answer does not decode: %v\n%s", err, body)
				}
				if len(ev.Data) > 0 {
					evs = append(evs, ev.Data)
				}
			}
			if len(evs) == 0 {
				t.Fatalf("an SSE answer without the response: %s", body)
			}
			for _, ev := range evs[:len(evs)-1] {
				var n struct {
					ID     stdjson.RawMessage `json:"id"`
					Method string             `json:"method"`
				}
				if stdjson.Unmarshal(ev, &n) != nil || n.ID != nil || !strings.HasPrefix(n.Method, "notifications/") {
					t.Fatalf("an SSE event before the response that is not a notification: %s", ev)
				}
			}
			reply = evs[len(evs)-1]
		default:
			t.Fatalf("200 with Content-Type %q: %s", ct, body)
		}
	case http.StatusBadRequest, http.StatusNotFound:
		if ct := w.Header().Get("Content-Type"); ct != "application/json" {
			t.Fatalf("%d with Content-Type %q: %s", w.Code, ct, body)
		}
	default:
		t.Fatalf("a request answered %d, which the ladder does not name: %s", w.Code, body)
	}
	var resp struct {
		JSONRPC string             `json:"jsonrpc"`
		ID      stdjson.RawMessage `json:"id"`
		Result  *struct {
			ResultType *string `json:"resultType"`
		} `json:"result"`
		Error *struct {
			Code    int64  `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := stdjson.Unmarshal(reply, &resp); err != nil || resp.JSONRPC != "2.0" {
		t.Fatalf("not a JSON-RPC response: %v\n%s", err, reply)
	}
	if !bytes.Equal(resp.ID, id) {
		t.Fatalf("the response's id is %s, the request's %s: %s", resp.ID, id, reply)
	}
	if (resp.Result == nil) == (resp.Error == nil) {
		t.Fatalf("a response needs a result or an error, not both: %s", reply)
	}
	if resp.Result != nil {
		if w.Code != http.StatusOK {
			t.Fatalf("a result with status %d: %s", w.Code, reply)
		}
		if resp.Result.ResultType == nil || *resp.Result.ResultType == "" {
			t.Fatalf("a 2026-07-28 result without resultType: %s", reply)
		}
		return true
	}
	if resp.Error.Code == 0 || resp.Error.Message == "" {
		t.Fatalf("an error without a code or a message: %s", reply)
	}
	want, ladder := ladderCodes[resp.Error.Code]
	switch {
	case w.Code == http.StatusOK && ladder && resp.Error.Code != -32602:
		t.Fatalf("error %d with status 200, not %d: %s", resp.Error.Code, want, reply)
	case w.Code != http.StatusOK && (!ladder || want != w.Code):
		t.Fatalf("status %d with error %d: %s", w.Code, resp.Error.Code, reply)
	}
	return false
}
