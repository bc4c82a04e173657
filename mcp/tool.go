package mcp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"

	json "github.com/goccy/go-json"
	gojsontext "github.com/goccy/go-json/jsontext"
	jsonv2 "github.com/goccy/go-json/v2"

	"github.com/minimcp/minimcp/internal/jsonschema"
	"github.com/minimcp/minimcp/internal/jsontext"
	"github.com/minimcp/minimcp/rpc"
)

// ToolHandler handles tools/call for a tool registered with [Server.AddRawTool]. args are the
// call's arguments, already validated against the tool's input schema ({} when absent). A handler
// that decodes them into a struct should match names case-sensitively and refuse a name given
// twice, as [AddTool] does (goccy/go-json/v2 with MatchCaseInsensitiveNames(false) and
// jsontext.AllowDuplicateNames(false)): encoding/json does neither, and so can fill a field with a
// value the schema did not check.
//
// A tool that fails returns a result with IsError set, or a plain error, which becomes such a
// result with the error's text (MCP 2025-11-25, Server § Tools, Error Handling: tool errors are
// reported in the result so the model can see them). Only an *rpc.Error becomes a JSON-RPC
// error.
type ToolHandler func(ctx context.Context, req *Request, args json.RawMessage) (*CallToolResult, error)

// ToolHandlerFor is the handler of a typed tool registered with [AddTool]: it receives the
// arguments decoded into In (names matched case-sensitively, as the schema matched them; an
// object with a name twice is refused) and returns Out, which becomes the result's
// structuredContent (and its JSON text, for older clients). An Out of type *CallToolResult is
// sent as the result itself. Errors are reported as for [ToolHandler].
type ToolHandlerFor[In, Out any] func(ctx context.Context, req *Request, in In) (Out, error)

// toolEntry is a registered tool.
type toolEntry struct {
	tool    *Tool
	input   *jsonschema.Schema
	output  *jsonschema.Schema // nil without an output schema
	handler ToolHandler
	// headers are the parameters the input schema mirrors into HTTP headers.
	headers []ToolHeader
}

// AddRawTool registers a tool whose input schema the caller supplies (t.InputSchema, kept
// intact in tools/list, $schema, $defs, $ref and additionalProperties included; a schema
// written on several lines is compacted to one). Arguments are validated against it before h
// runs. If t.InputSchema is empty, it is {"type":"object"}.
//
// With t.OutputSchema, every result of h that is not a tool error (IsError) must have a
// StructuredContent that conforms to it; one that does not is answered with a JSON-RPC internal
// error (-32603) naming the first mismatch, instead of the result.
//
// AddRawTool panics on programmer errors: a nil tool or handler, an empty or duplicate name,
// an input or output schema that does not compile (it uses a keyword the validator refuses,
// such as unevaluatedProperties) or is not of type object (MCP 2025-11-25, Server § Tools:
// inputSchema is a JSON Schema object), an x-mcp-header annotation that breaks the spec's
// constraints (MCP 2026-07-28, Server § Tools, x-mcp-header; see [Server.ToolHeaders]).
func (s *Server) AddRawTool(t *Tool, h ToolHandler) {
	if t == nil || h == nil {
		panic("mcp: AddRawTool with a nil tool or handler")
	}
	tool := *t
	if len(tool.InputSchema) == 0 {
		tool.InputSchema = json.RawMessage(`{"type":"object"}`)
	}
	in, err := jsonschema.Compile(tool.InputSchema)
	if err != nil {
		panic(fmt.Sprintf("mcp: tool %q: input schema: %v", tool.Name, err))
	}
	if !in.IsObject() {
		panic(fmt.Sprintf("mcp: tool %q: input schema must have \"type\": \"object\"", tool.Name))
	}
	var out *jsonschema.Schema
	if len(tool.OutputSchema) > 0 {
		out, err = jsonschema.Compile(tool.OutputSchema)
		if err != nil {
			panic(fmt.Sprintf("mcp: tool %q: output schema: %v", tool.Name, err))
		}
		if !out.IsObject() {
			panic(fmt.Sprintf("mcp: tool %q: output schema must have \"type\": \"object\"", tool.Name))
		}
	}
	// Kept on one line, as tools/list sends them (see specAppendRaw): compacted once here
	// rather than on every list.
	if hasNewline(tool.InputSchema) {
		tool.InputSchema = appendCompact(nil, tool.InputSchema)
	}
	if hasNewline(tool.OutputSchema) {
		tool.OutputSchema = appendCompact(nil, tool.OutputSchema)
	}
	s.addTool(&toolEntry{tool: &tool, input: in, output: out, handler: h})
}

// AddTool registers a typed tool: its input schema is inferred from In and its output schema
// from Out (unless t sets them), arguments are validated and decoded into In before h runs,
// and Out is returned as structuredContent plus its JSON as text. A validation failure is a
// result with isError and a message naming the bad field (MCP 2025-11-25, Server § Tools:
// input validation errors are tool execution errors), not a protocol error.
//
// Out is encoded as encoding/json does, except that a nil slice or map is [] or {}, not null.
// The result is validated against the output schema as for [Server.AddRawTool], so that the
// constraints of Out's jsonschema tags hold; a nil pointer field of Out without omitempty is
// null, which the inferred schema refuses, and so an internal error: tag such fields omitempty.
//
// In must be a struct (or a map) so its schema is an object. AddTool panics where
// [Server.AddRawTool] does, and when a schema cannot be inferred from In or Out.
func AddTool[In, Out any](s *Server, t *Tool, h ToolHandlerFor[In, Out]) {
	if t == nil || h == nil {
		panic("mcp: AddTool with a nil tool or handler")
	}
	tool := *t
	if len(tool.InputSchema) == 0 {
		in, err := jsonschema.ForType(reflect.TypeFor[In](), nil)
		if err != nil {
			panic(fmt.Sprintf("mcp: tool %q: cannot infer the input schema: %v", tool.Name, err))
		}
		tool.InputSchema = in.Raw()
	}
	_, passThrough := any(*new(Out)).(*CallToolResult)
	structured := false
	if !passThrough {
		out, err := jsonschema.ForType(reflect.TypeFor[Out](), nil)
		if err != nil {
			panic(fmt.Sprintf("mcp: tool %q: cannot infer the output schema: %v", tool.Name, err))
		}
		// structuredContent is an object (schema/2025-11-25/schema.ts: CallToolResult), so
		// only an object-typed Out is sent as structured content; others are text only.
		structured = out.IsObject()
		if structured && len(tool.OutputSchema) == 0 {
			tool.OutputSchema = out.Raw()
		}
	}
	s.AddRawTool(&tool, func(ctx context.Context, req *Request, args json.RawMessage) (*CallToolResult, error) {
		var in In
		if err := jsonv2.Unmarshal(args, &in, typedArgsOptions); err != nil {
			return ErrorResult(fmt.Sprintf("invalid arguments for tool %s: %v", tool.Name, err)), nil
		}
		out, err := h(ctx, req, in)
		if err != nil {
			return nil, err
		}
		if passThrough {
			res := any(out).(*CallToolResult)
			if res == nil {
				res = &CallToolResult{}
			}
			return res, nil
		}
		if str, ok := any(out).(string); ok && !structured {
			return TextResult(str), nil // no encoding needed
		}
		raw, err := jsonv2.Marshal(out, typedOutputOptions)
		if err != nil {
			return nil, fmt.Errorf("encoding the tool's output: %w", err)
		}
		if !structured {
			return TextResult(string(raw)), nil
		}
		// MCP 2025-06-18, Server § Tools, Structured Content: "a tool that returns structured
		// content SHOULD also return the serialized JSON in a TextContent block".
		return &CallToolResult{Content: []Content{&TextContent{Text: string(raw)}}, StructuredContent: raw}, nil
	})
}

/*
Design note: a typed tool's handler sees what the schema validated.

JSON Schema matches member names exactly ("properties", "required" and "additionalProperties"
compare code points), but encoding/json, and goccy/go-json's Unmarshal with it, matches them to
struct fields case-insensitively and, for a name given twice, decodes the second value into the
struct or map the first one filled. Either way a handler could receive a value the schema never
saw: {"mode":"safe","MODE":"evil"} passes an enum on "mode" ("MODE" is just another member) and
then sets Mode to "evil"; {"o":{"x":1000},"o":{}} passes "maximum": 5 on o.x (the validator, like
a decoder, checks the last "o") and then leaves o.x at 1000.

So the arguments of a typed tool are decoded with the semantics of encoding/json in everything but
two: names match fields exactly, and a name given twice in an object is an error (RFC 8259 § 4:
names SHOULD be unique; RFC 7493 § 2.3 makes it a MUST). A member whose name differs from a field's
only in case is then an unknown member, ignored as it always was, and the field keeps the value
the schema checked. (A field tagged with the json option case:ignore opts out of the first rule.)
*/

// typedOutputOptions encode the Out of a typed tool as encoding/json does, but for a nil slice
// or map, which is [] or {} rather than null: the output schema inferred from Out says "array"
// or "object" for them, and structuredContent must conform to it.
var typedOutputOptions = jsonv2.JoinOptions(
	json.DefaultOptionsV1(),
	jsonv2.FormatNilSliceAsNull(false),
	jsonv2.FormatNilMapAsNull(false),
)

// typedArgsOptions decode the arguments of a typed tool: see the design note above.
var typedArgsOptions = jsonv2.JoinOptions(
	json.DefaultOptionsV1(),
	jsonv2.MatchCaseInsensitiveNames(false),
	gojsontext.AllowDuplicateNames(false),
	json.ReportErrorsWithLegacySemantics(false), // errors name the member by JSON Pointer, not the Go field
)

func (s *Server) addTool(e *toolEntry) {
	if e.tool.Name == "" {
		panic("mcp: tool with an empty name")
	}
	headers, err := toolHeaders(e.tool.InputSchema)
	if err != nil {
		panic(fmt.Sprintf("mcp: tool %q: input schema: %v", e.tool.Name, err))
	}
	e.headers = headers
	s.mu.Lock()
	ok := s.tools.add(e.tool.Name, e)
	s.mu.Unlock()
	if !ok {
		panic(fmt.Sprintf("mcp: duplicate tool %q", e.tool.Name))
	}
	s.listChanged(NotificationToolListChanged)
}

// RemoveTools unregisters the named tools; unknown names are ignored. Clients get
// notifications/tools/list_changed if anything was removed.
func (s *Server) RemoveTools(names ...string) {
	s.mu.Lock()
	removed := s.tools.remove(names...)
	s.mu.Unlock()
	if removed {
		s.listChanged(NotificationToolListChanged)
	}
}

// listChanged tells every initialized session that a list changed (MCP 2025-11-25, Server §
// Tools/Resources/Prompts, List Changed Notification). It is sent on the session's stream for
// server-initiated messages; sessions without one miss it, as the transport spec allows. The
// change goes to the bus too, for subscriptions/listen streams (MCP 2026-07-28) and the
// sessions a transport feeds from there ([Session.SetChangeFeed]), which the direct
// notification skips.
func (s *Server) listChanged(method string) {
	s.regGen.Add(1) // the capabilities may have changed: cached initialize results are stale
	ctx := context.Background()
	s.notifyAll(ctx, method, nil, func(ss *Session) bool { return !ss.fed.Load() })
	s.publish(ctx, Change{Kind: ChangeKind(method)})
}

// publish hands c to the bus; a failure is logged, as a notification lost on a broken stream is.
func (s *Server) publish(ctx context.Context, c Change) {
	if err := s.bus.Publish(ctx, c); err != nil {
		s.logger().WarnContext(ctx, "mcp: change not published to the bus", "kind", string(c.Kind), "uri", c.URI, "err", err)
	}
}

// TextResult returns a successful tool result with one text block.
func TextResult(text string) *CallToolResult {
	// One allocation for the result, its content slice and the block.
	b := &struct {
		res     CallToolResult
		text    TextContent
		content [1]Content
	}{}
	b.text.Text = text
	b.content[0] = &b.text
	b.res.Content = b.content[:]
	return &b.res
}

// ErrorResult returns a failed tool result (isError) with one text block saying why.
func ErrorResult(text string) *CallToolResult {
	r := TextResult(text)
	r.IsError = true
	return r
}

func (s *Server) listTools(r *Request) (any, error) {
	cursor, err := cursorOf(r)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	entries, next, err := s.tools.page(cursor, s.opts.PageSize)
	s.mu.RUnlock()
	r.cache = s.opts.ListCache
	if err != nil {
		return nil, err
	}
	tools := make([]*Tool, len(entries))
	for i, e := range entries {
		tools[i] = e.tool
	}
	return &ListToolsResult{Tools: tools, NextCursor: next}, nil
}

var emptyObject = json.RawMessage(`{}`)

// readCallToolParams reads the members of tools/call params the server needs without
// decoding the rest: name, arguments and _meta.progressToken (values alias params). A name or
// arguments given twice, or in another case, is refused in the same pass (see onceMembers).
func readCallToolParams(params json.RawMessage) (name, args, token json.RawMessage, err error) {
	if len(params) == 0 {
		return nil, nil, nil, nil
	}
	var seenName, seenArgs bool
	dup := ""
	err = jsontext.EachMemberValid(params, func(k, v []byte) bool {
		switch string(k) {
		case "name":
			name = v
		case "arguments":
			args = v
		case "_meta":
			_ = jsontext.EachMemberValid(v, func(mk, mv []byte) bool {
				if string(mk) == "progressToken" {
					token = mv
					return false
				}
				return true
			})
			return true
		}
		var seen *bool
		switch {
		case len(k) == 4 && strings.EqualFold(string(k), "name"):
			seen, dup = &seenName, "name"
		case len(k) == 9 && strings.EqualFold(string(k), "arguments"):
			seen, dup = &seenArgs, "arguments"
		default:
			return true
		}
		if *seen {
			return false // dup names it
		}
		*seen, dup = true, ""
		return true
	})
	switch {
	case err != nil:
		err = rpc.InvalidParams("%s", err)
	case dup != "":
		err = rpc.InvalidParams("%s: %q given twice (names that differ only in case are the same name)", MethodToolsCall, dup)
	}
	return name, args, token, err
}

func (s *Server) callTool(ctx context.Context, r *Request) (any, error) {
	nameLit, args, token, err := readCallToolParams(r.Params)
	if err != nil {
		return nil, err
	}
	if len(nameLit) == 0 {
		return nil, rpc.InvalidParams("tools/call: name is required")
	}
	if nameLit[0] != '"' {
		return nil, rpc.InvalidParams("tools/call: name must be a string")
	}
	var (
		e  *toolEntry
		ok bool
	)
	s.mu.RLock()
	if bytes.IndexByte(nameLit, '\\') < 0 {
		e, ok = s.tools.byKey[string(nameLit[1:len(nameLit)-1])] // no allocation
	} else {
		name, _ := jsontext.Unquote(nameLit)
		e, ok = s.tools.byKey[name]
	}
	s.mu.RUnlock()
	if !ok {
		name, _ := jsontext.Unquote(nameLit)
		return nil, UnknownTool(name)
	}
	name := e.tool.Name
	if err := r.checkScopes(e.tool.Scopes); err != nil {
		return nil, err // before the handler runs (see the design note in auth.go)
	}
	r.tool = e
	if e.tool.TaskSupport == TaskRequired && r.modern() && !declaresTasks(r.state) {
		// The tool cannot be served without a task (SEP-2663, Capability Negotiation): -32021
		// before its handler runs.
		return nil, tasksRequired(MethodToolsCall)
	}
	if len(token) > 0 && string(token) != "null" {
		r.progressToken = token
	}
	if len(args) == 0 || string(args) == "null" {
		args = emptyObject
	}
	if err := e.input.Validate(args); err != nil {
		r.toolError = true
		return ErrorResult("invalid arguments for tool " + name + ": " + err.Error()), nil
	}
	res, err := e.handler(ctx, r, args)
	if r.createdTask != nil {
		// The call became a task (RunTask): it is answered with the task, whatever the
		// handler returned after.
		return createTaskResult(r.createdTask), nil
	}
	if err != nil {
		var rerr *rpc.Error
		if errors.As(err, &rerr) {
			return nil, rerr
		}
		if ctx.Err() != nil && r.cancelledByClient() {
			return nil, err // the reply is suppressed anyway
		}
		if ce := (*CapabilityError)(nil); r.modern() && errors.As(err, &ce) {
			return nil, ce // a protocol error at 2026-07-28 (see modernError)
		}
		if r.input != nil && errors.Is(err, ErrInputRequired) {
			// The round ends with an InputRequiredResult (see dispatch). Without a round (a 2025
			// request, whose asks never return it) it is a failing tool like any other.
			return nil, err
		}
		r.toolError = true
		return ErrorResult(err.Error()), nil
	}
	if res == nil {
		res = &CallToolResult{}
	}
	r.toolError = res.IsError
	if e.output != nil && !res.IsError {
		if err := checkStructured(name, e.output, res.StructuredContent); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// checkStructured checks a result's structuredContent against the tool's output schema.
//
// MCP 2025-11-25, Server § Tools, Output Schema: "If an output schema is provided: Servers MUST
// provide structured results that conform to this schema." A result that does not is the
// server's fault, not the call's: the arguments were valid, and the model cannot correct the
// tool's output by calling again. So it is answered as an internal error (-32603), as the
// official Go SDK does, rather than as a tool error, which the spec reserves for failures the
// model can act on (Error Handling: tool execution errors carry "actionable feedback that
// language models can use to self-correct"); and the client, which SHOULD validate structured
// results, does not receive a result it would have to reject. A tool error (isError) carries no
// structured result, and is not checked.
func checkStructured(name string, schema *jsonschema.Schema, content json.RawMessage) error {
	if len(content) == 0 {
		return rpc.Errorf(rpc.CodeInternalError, "tool %s: the tool has an output schema but returned no structuredContent", name)
	}
	err := schema.Validate(content)
	if err == nil {
		return nil
	}
	msg := err.Error()
	var verr *jsonschema.ValidationError
	if errors.As(err, &verr) {
		msg = verr.Message
		if verr.Path != "" {
			msg = verr.Path + ": " + msg
		}
	}
	return rpc.Errorf(rpc.CodeInternalError, "tool %s: structuredContent does not match the output schema: %s", name, msg)
}
