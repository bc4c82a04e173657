package clicmd

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/client"
)

// reportInputRequired reports on out.Stderr an input-required result the client could not
// answer (a *client.InputRequiredError: the commands declare no client capabilities, so they
// answer none) and returns [ExitFailed], or returns ok false for any other error. It says what
// the server asked for (MCP 2026-07-28, schema: InputRequiredResult) and, with asJSON, prints
// the result as it came.
func reportInputRequired(err error, asJSON bool, out *Output) (code int, ok bool) {
	var ire *client.InputRequiredError
	if !errors.As(err, &ire) {
		return 0, false
	}
	if asJSON {
		WriteJSON(out.Stdout, ire.Result)
	}
	fmt.Fprintf(out.Stderr, "minimcp: %s: the server needs input before it can answer (resultType input_required); minimcp does not provide it:\n", ire.Method)
	for _, d := range describeInputRequired(ire.Result) {
		fmt.Fprintf(out.Stderr, "  %s\n", d)
	}
	return ExitFailed, true
}

// describeInputRequired describes an InputRequiredResult (MCP 2026-07-28, schema:
// InputRequiredResult): what the server asks the client for, one line per input request in
// the order of their keys, and whether it sent a requestState to retry with.
func describeInputRequired(raw json.RawMessage) []string {
	var res struct {
		InputRequests map[string]struct {
			Method string `json:"method"`
			Params struct {
				Message string `json:"message"`
				URL     string `json:"url"`
			} `json:"params"`
		} `json:"inputRequests"`
		RequestState *string `json:"requestState"`
	}
	_ = json.Unmarshal(raw, &res)
	var desc []string
	for _, k := range slices.Sorted(maps.Keys(res.InputRequests)) {
		ir := res.InputRequests[k]
		line := fmt.Sprintf("%s: %s", k, ir.Method)
		switch {
		case ir.Params.URL != "":
			line += fmt.Sprintf(" (%s, %s)", ir.Params.Message, ir.Params.URL)
		case ir.Params.Message != "":
			line += fmt.Sprintf(" (%s)", ir.Params.Message)
		}
		desc = append(desc, line)
	}
	if res.RequestState != nil {
		desc = append(desc, "requestState: sent, to be passed back on a retry")
	}
	return desc
}

// WriteJSON writes raw indented, with a final newline; raw that does not indent is written as
// is.
func WriteJSON(w io.Writer, raw []byte) {
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		buf.Reset()
		buf.Write(raw)
	}
	buf.WriteByte('\n')
	_, _ = w.Write(buf.Bytes())
}

// compactJSON returns raw on one line.
func compactJSON(raw []byte) string {
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return oneLine(string(raw))
	}
	return buf.String()
}

// oneLine joins the lines of s with spaces.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}
