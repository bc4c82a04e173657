package mcp

import (
	"bytes"
	"errors"
	"strconv"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/internal/jsontext"
	"github.com/minimcp/minimcp/rpc"
)

/*
Design note: requests of the per-request revisions.

From 2026-07-28 on there is no initialize and no session (MCP 2026-07-28, Basic § Versioning):
every request names its version, the client's info and capabilities in _meta. A transport
tells this package that a request is one of those by handing it in with no Session and an
[Inbound.ProtocolVersion] for which [IsModernVersion] holds; the transport has checked the
claim against what the request carries (headers, _meta) before. Such a request:

  - runs with a state read from its own _meta alone (stateFor, requestState), never from an
    earlier request: "Servers MUST NOT infer capabilities from prior requests" (schema,
    RequestMetaObject);
  - may call server/discover, and may not call what the revision removed (initialize, ping,
    logging/setLevel, resources/subscribe and unsubscribe): those are unknown methods;
  - gets log messages only when it set a level in _meta (Request.Log);
  - gets results that carry resultType and the server's identity in _meta (modernResult),
    and the cache hints the schema requires on the cacheable ones (see cache.go);
  - learns of a missing resource by -32602 with data.uri instead of -32002 (changelog, minor
    change 6).
*/

// modern reports whether r is served at a per-request revision (see the design note above).
func (r *Request) modern() bool { return r.sess == nil && IsModernVersion(r.state.ProtocolVersion) }

// DiscoverResult is the result of server/discover (MCP 2026-07-28, Server § Discovery; schema:
// DiscoverResult). resultType, the cache hints and the server's identity in _meta are added to
// it like to every result of the revision.
type DiscoverResult struct {
	// SupportedVersions lists the protocol versions the server supports.
	SupportedVersions []string `json:"supportedVersions"`
	// Capabilities are what the server supports on this endpoint.
	Capabilities ServerCapabilities `json:"capabilities"`
	// Instructions tell the client how to use the server.
	Instructions string `json:"instructions,omitempty"`
}

// discover answers server/discover: every version the server serves (the initialize ones
// too when the endpoint serves both eras: MCP 2026-07-28, Basic § Versioning, Backward
// Compatibility; ServerOptions.ProtocolVersions restricts them), and the capabilities of this
// revision, list_changed and resource subscriptions included: they are delivered on a
// subscriptions/listen stream (listen.go), which every transport serves.
func (s *Server) discover() *DiscoverResult {
	caps := s.capabilities(true)
	if s.offersTasks() {
		// SEP-2663, Capability Negotiation: the server advertises the extension in
		// server/discover; an empty object, no settings being defined.
		caps.Extensions = map[string]json.RawMessage{TasksExtension: emptyObject}
	}
	if s.offersSkills() {
		// SEP-2640, Capability Negotiation: the settings sit inline under the identifier.
		if caps.Extensions == nil {
			caps.Extensions = map[string]json.RawMessage{}
		}
		caps.Extensions[SkillsExtension] = skillsSettings
	}
	return &DiscoverResult{
		SupportedVersions: s.versions,
		Capabilities:      caps,
		Instructions:      s.opts.Instructions,
	}
}

// The members modernResult merges, as they appear in an encoded result; a result whose text
// holds neither (even inside a string) takes the short path.
var (
	resultMetaKey = []byte(`"_meta"`)
	resultTypeKey = []byte(`"resultType"`)
)

// modernResult encodes res as a result of a per-request revision: with resultType "complete"
// unless res names one (schema, Result: "Servers implementing this protocol version MUST
// include this field"), the server's identity in _meta (schema, ResultMetaObject: "Servers
// SHOULD include this field on every response"), and on a complete cacheable result the cache
// hints of the request (r.cache; see the design note in cache.go) unless res has them.
func (s *Server) modernResult(r *Request, res any) (json.RawMessage, error) {
	raw, ok := res.(json.RawMessage)
	if !ok {
		var err error
		if raw, err = json.Marshal(res); err != nil {
			return nil, err
		}
	}
	hints := cacheable(r.Method)
	if !ok && !hints && len(raw) >= 2 && raw[0] == '{' && raw[len(raw)-1] == '}' &&
		!bytes.Contains(raw, resultMetaKey) && !bytes.Contains(raw, resultTypeKey) {
		// The common case (a tools/call result): encoded here, so compact, with no _meta or
		// resultType to merge and no cache hints: the members are appended after the encoded
		// ones rather than each copied on its own.
		const tail = `"resultType":"complete","_meta":{"io.modelcontextprotocol/serverInfo":`
		out := make([]byte, 0, len(raw)+1+len(tail)+len(s.implJSON)+2)
		out = append(out, raw[:len(raw)-1]...)
		if len(raw) > 2 {
			out = append(out, ',')
		}
		out = append(out, tail...)
		out = append(out, s.implJSON...)
		return append(out, '}', '}'), nil
	}
	// A retried request's result is sent with hints that say not to cache it, whatever the
	// handler said.
	noCache := hints && retried(r.Params)
	var (
		meta, typ                    []byte
		hasTTL, hasScope, hasMembers bool
	)
	out := make([]byte, 0, len(raw)+128)
	out = append(out, '{')
	err := jsontext.EachMemberValid(raw, func(k, v []byte) bool {
		switch string(k) {
		case "_meta":
			meta = v
			return true
		case "resultType":
			typ = v
		case "ttlMs":
			if noCache {
				return true
			}
			hasTTL = true
		case "cacheScope":
			if noCache {
				return true
			}
			hasScope = true
		}
		if hasMembers {
			out = append(out, ',')
		}
		hasMembers = true
		out = jsontext.AppendString(out, string(k))
		out = append(out, ':')
		out = append(out, v...)
		return true
	})
	if err != nil {
		return nil, errors.New("mcp: result is not a JSON object")
	}
	sep := func() {
		if hasMembers {
			out = append(out, ',')
		}
		hasMembers = true
	}
	if typ == nil {
		sep()
		out = append(out, `"resultType":"complete"`...)
	}
	// Server § Utilities § Caching: hints on "results with resultType: "complete"" only;
	// interim results "carry no caching hints".
	if hints && (typ == nil || string(typ) == `"complete"`) {
		hint := r.cache
		switch {
		case noCache:
			hint = CacheHint{}
		case r.Method == MethodServerDiscover:
			hint = s.opts.DiscoverCache
		}
		switch {
		case !hasTTL && !hasScope:
			sep()
			out = appendHint(out, hint)
		case !hasTTL:
			sep()
			out = append(out, `"ttlMs":`...)
			out = strconv.AppendInt(out, hint.ttlMs(), 10)
		case !hasScope:
			sep()
			out = append(out, `"cacheScope":"`...)
			out = append(out, hint.normal().Scope...)
			out = append(out, '"')
		}
	}
	sep()
	out = append(out, `"_meta":{"io.modelcontextprotocol/serverInfo":`...)
	out = append(out, s.implJSON...)
	_ = jsontext.EachMemberValid(meta, func(k, v []byte) bool {
		if string(k) != "io.modelcontextprotocol/serverInfo" {
			out = append(out, ',')
			out = jsontext.AppendString(out, string(k))
			out = append(out, ':')
			out = append(out, v...)
		}
		return true
	})
	out = append(out, '}', '}')
	return out, nil
}

// modernError returns err as a request of r's revision gets it: a missing resource is -32602
// with data.uri from 2026-07-28 on (changelog, minor change 6: "Change resource not found
// error code from -32002 to -32602"; Basic § Error Codes: implementations of this version
// "MUST NOT emit" -32002).
//
// A handler that failed for want of a client capability fails the request with -32021 and
// the capability in data.requiredCapabilities (Basic § _meta: "If processing a request
// requires a capability the client did not include in io.modelcontextprotocol/
// clientCapabilities, the server MUST return a MissingRequiredClientCapabilityError (-32021)").
func modernError(r *Request, err error) error {
	if !r.modern() {
		return err
	}
	var ce *CapabilityError
	if errors.As(err, &ce) {
		return ce.rpcError()
	}
	var e *rpc.Error
	if !errors.As(err, &e) || e.Code != CodeResourceNotFound {
		return err
	}
	c := *e
	c.Code = rpc.CodeInvalidParams
	return &c
}

// rpcError returns the MissingRequiredClientCapabilityError for e (schema/2026-07-28).
func (e *CapabilityError) rpcError() *rpc.Error {
	name := e.Capability
	if e.Extension != "" {
		name = "extension " + e.Extension
	}
	return rpc.NewError(CodeMissingRequiredClientCapability,
		"Missing required client capability: "+name).
		WithData(json.RawMessage(`{"requiredCapabilities":` + string(e.requiredCapabilities()) + `}`))
}
