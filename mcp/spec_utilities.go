package mcp

import (
	"bytes"
	"fmt"
	"strconv"

	json "github.com/goccy/go-json"
)

// Meta is the _meta object that requests, notifications, results and most definitions may carry
// (schema/2025-11-25/schema.ts: RequestParams._meta, Result._meta; MCP 2025-11-25, Basic § General fields:
// _meta). Keys are reserved as that section says: a prefix of the form "modelcontextprotocol.io/" or
// "mcp.dev/" belongs to MCP.
//
// A decoded Meta holds the numbers it read as [json.Number], not float64, so that it encodes them back
// byte for byte: a progress token 12345678901234567890 must be echoed as it came, not rounded. A nil or
// empty Meta is left out of the wire.
type Meta map[string]any

// UnmarshalJSON decodes a JSON object, keeping numbers as [json.Number]. JSON null gives a nil Meta.
func (m *Meta) UnmarshalJSON(data []byte) error {
	if bytes.Equal(bytes.TrimSpace(data), []byte("null")) {
		*m = nil
		return nil
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v map[string]any
	if err := d.Decode(&v); err != nil {
		return err
	}
	*m = v
	return nil
}

// ProgressToken returns the progressToken of a request's _meta as raw JSON, ready to be put into
// [ProgressNotificationParams.ProgressToken], or nil if there is none (MCP 2025-11-25, Basic § Utilities,
// Progress: the token is a string or an integer, chosen by the sender, and must be echoed unchanged).
// A token decoded by [Meta.UnmarshalJSON] comes back as it was sent; a string comes back as the same string,
// possibly escaped differently.
func (m Meta) ProgressToken() json.RawMessage {
	v, ok := m["progressToken"]
	if !ok || v == nil {
		return nil
	}
	switch t := v.(type) {
	case json.Number:
		return json.RawMessage(t)
	case string:
		return specAppendString(nil, t)
	case int:
		return strconv.AppendInt(nil, int64(t), 10)
	case int64:
		return strconv.AppendInt(nil, t, 10)
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	return data
}

// LoggingLevel is the severity of a log message, one of the eight syslog severities of RFC 5424 § 6.2.1
// (schema/2025-11-25/schema.ts: LoggingLevel). The zero value is not a level.
type LoggingLevel string

// The logging levels, least severe first.
const (
	// LevelDebug is for detailed debugging information.
	LevelDebug LoggingLevel = "debug"
	// LevelInfo is for general informational messages.
	LevelInfo LoggingLevel = "info"
	// LevelNotice is for normal but significant events.
	LevelNotice LoggingLevel = "notice"
	// LevelWarning is for warning conditions.
	LevelWarning LoggingLevel = "warning"
	// LevelError is for error conditions.
	LevelError LoggingLevel = "error"
	// LevelCritical is for critical conditions.
	LevelCritical LoggingLevel = "critical"
	// LevelAlert is for conditions where action must be taken immediately.
	LevelAlert LoggingLevel = "alert"
	// LevelEmergency is for a system that is unusable.
	LevelEmergency LoggingLevel = "emergency"
)

// Severity returns the rank of l, from 0 for [LevelDebug] to 7 for [LevelEmergency], or -1 if l is not one
// of the eight levels. A message at level m is sent to a client that asked for level l (logging/setLevel)
// when m.Severity() >= l.Severity() (MCP 2025-11-25, Server § Utilities, Logging).
func (l LoggingLevel) Severity() int {
	switch l {
	case LevelDebug:
		return 0
	case LevelInfo:
		return 1
	case LevelNotice:
		return 2
	case LevelWarning:
		return 3
	case LevelError:
		return 4
	case LevelCritical:
		return 5
	case LevelAlert:
		return 6
	case LevelEmergency:
		return 7
	}
	return -1
}

// ParseLoggingLevel returns the level named s, which must be spelled as on the wire ("warning", not
// "WARNING" or "warn"). For any other s it returns an error naming s; a server answers a logging/setLevel
// with such a level with -32602 (Invalid params).
func ParseLoggingLevel(s string) (LoggingLevel, error) {
	if l := LoggingLevel(s); l.Severity() >= 0 {
		return l, nil
	}
	return "", fmt.Errorf("mcp: unknown logging level %q", s)
}

// SetLevelParams are the params of logging/setLevel (schema/2025-11-25/schema.ts: SetLevelRequestParams).
// Level is not checked when decoding: check it with [LoggingLevel.Severity].
type SetLevelParams struct {
	Level LoggingLevel `json:"level"`
	Meta  Meta         `json:"_meta,omitempty"`
}

// LoggingMessageParams are the params of notifications/message
// (schema/2025-11-25/schema.ts: LoggingMessageNotificationParams).
type LoggingMessageParams struct {
	Level LoggingLevel `json:"level"`
	// Logger names the logger that issued the message; optional.
	Logger string `json:"logger,omitempty"`
	// Data is any JSON-encodable value: a string message or an object. Always written; nil is null.
	Data any  `json:"data"`
	Meta Meta `json:"_meta,omitempty"`
}

// ProgressNotificationParams are the params of notifications/progress
// (schema/2025-11-25/schema.ts: ProgressNotificationParams).
type ProgressNotificationParams struct {
	// ProgressToken is the token of the request's _meta.progressToken, byte for byte (see
	// [Meta.ProgressToken]).
	ProgressToken json.RawMessage `json:"progressToken"`
	// Progress so far; it should increase with every notification, even when Total is unknown.
	Progress float64 `json:"progress"`
	// Total is the progress at completion, if known.
	Total *float64 `json:"total,omitempty"`
	// Message describes the current progress. Since 2025-03-26.
	Message string `json:"message,omitempty"`
	Meta    Meta   `json:"_meta,omitempty"`
}

// downgrade returns p as a client of version knows it: without Message before 2025-03-26. It returns p
// itself when nothing is left out, and never modifies p.
func (p *ProgressNotificationParams) downgrade(version string) *ProgressNotificationParams {
	if p == nil || p.Message == "" || !specBefore(version, Version20250326) {
		return p
	}
	c := *p
	c.Message = ""
	return &c
}

// CancelledParams are the params of notifications/cancelled
// (schema/2025-11-25/schema.ts: CancelledNotificationParams).
type CancelledParams struct {
	// RequestID is the id of the request to cancel, raw: 1, "1" and 1.5 are three different ids. Required
	// before 2025-11-25; since then it may be absent when a task is cancelled (by tasks/cancel instead).
	RequestID json.RawMessage `json:"requestId,omitempty"`
	// Reason may be logged or shown to the user; optional.
	Reason string `json:"reason,omitempty"`
	Meta   Meta   `json:"_meta,omitempty"`
}

// PaginatedParams are the params of the list requests: tools/list, resources/list,
// resources/templates/list, prompts/list (schema/2025-11-25/schema.ts: PaginatedRequestParams).
type PaginatedParams struct {
	// Cursor is the NextCursor of the previous page; empty for the first page.
	Cursor string `json:"cursor,omitempty"`
	Meta   Meta   `json:"_meta,omitempty"`
}
