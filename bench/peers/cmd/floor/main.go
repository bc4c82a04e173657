// Command floor is the cheapest correct MCP echo server over Streamable HTTP that net/http and
// encoding/json allow, with no MCP library: the floor every MCP server in bench/ is measured
// against.
//
//	floor -addr 127.0.0.1:8080 -mode stateless|stateful
//
// It serves POST /mcp and answers exactly what the benchmark sends: initialize (with an
// Mcp-Session-Id in stateful mode), notifications/initialized (202), ping, and tools/call of the
// tool "echo", whose result is {"content":[{"type":"text","text":<text>}]}. Anything else gets
// the JSON-RPC error the spec asks for. In stateful mode a session is one entry in a map: any
// request but initialize must carry a live Mcp-Session-Id (else 404), and DELETE ends it.
//
// It prints nothing but errors and serves until SIGINT or SIGTERM.
package main

import (
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"sync"

	"github.com/minimcp/minimcp/bench/peers/internal/serve"
)

// protocolVersion is the MCP revision the floor speaks.
const protocolVersion = "2025-11-25"

// maxBody bounds a request body, as any server exposed to clients must.
const maxBody = 4 << 20

// message is an incoming JSON-RPC message. The id is kept raw so it is echoed byte for byte.
type message struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Method  string          `json:"method"`
	Params  json.RawMessage `json:"params"`
}

// response is an outgoing JSON-RPC response: Result or Error is set.
type response struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Result  any             `json:"result,omitempty"`
	Error   *rpcError       `json:"error,omitempty"`
}

type rpcError struct {
	Code    int64  `json:"code"`
	Message string `json:"message"`
}

type callParams struct {
	Name      string `json:"name"`
	Arguments struct {
		Text string `json:"text"`
	} `json:"arguments"`
}

type textContent struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type callResult struct {
	Content []textContent `json:"content"`
}

// initResult is the smallest InitializeResult the spec allows, encoded once.
var initResult = json.RawMessage(`{"protocolVersion":"` + protocolVersion +
	`","capabilities":{"tools":{}},"serverInfo":{"name":"floor","version":"1.0.0"}}`)

// floor is the handler. sessions is nil in stateless mode.
type floor struct {
	mu sync.RWMutex
	// sessions holds the live session ids; guarded by mu.
	sessions map[string]struct{}
}

func (f *floor) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/mcp" {
		http.NotFound(w, r)
		return
	}
	switch r.Method {
	case http.MethodPost:
		f.post(w, r)
	case http.MethodDelete:
		if f.sessions == nil {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		id := r.Header.Get("Mcp-Session-Id")
		f.mu.Lock()
		_, ok := f.sessions[id]
		delete(f.sessions, id)
		f.mu.Unlock()
		if !ok {
			http.Error(w, "session not found", http.StatusNotFound)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		w.WriteHeader(http.StatusMethodNotAllowed)
	}
}

func (f *floor) post(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		http.Error(w, "cannot read body", http.StatusRequestEntityTooLarge)
		return
	}
	var m message
	if err := json.Unmarshal(body, &m); err != nil || m.JSONRPC != "2.0" || m.Method == "" {
		writeJSON(w, http.StatusBadRequest, &response{JSONRPC: "2.0", ID: json.RawMessage("null"),
			Error: &rpcError{Code: -32700, Message: "parse error"}})
		return
	}
	if f.sessions != nil && m.Method != "initialize" {
		f.mu.RLock()
		_, ok := f.sessions[r.Header.Get("Mcp-Session-Id")]
		f.mu.RUnlock()
		if !ok {
			// MCP 2025-11-25, Transports § Session Management, 3: an unknown session gets 404.
			http.Error(w, "session not found", http.StatusNotFound)
			return
		}
	}
	if m.ID == nil {
		// A notification (notifications/initialized and any other) is accepted with 202.
		w.WriteHeader(http.StatusAccepted)
		return
	}
	resp := &response{JSONRPC: "2.0", ID: m.ID}
	switch m.Method {
	case "initialize":
		if f.sessions != nil {
			id := rand.Text()
			f.mu.Lock()
			f.sessions[id] = struct{}{}
			f.mu.Unlock()
			w.Header().Set("Mcp-Session-Id", id)
		}
		resp.Result = initResult
	case "ping":
		resp.Result = json.RawMessage("{}")
	case "tools/call":
		var p callParams
		switch {
		case json.Unmarshal(m.Params, &p) != nil:
			resp.Error = &rpcError{Code: -32602, Message: "invalid params"}
		case p.Name != "echo":
			resp.Error = &rpcError{Code: -32602, Message: "unknown tool"}
		default:
			resp.Result = &callResult{Content: []textContent{{Type: "text", Text: p.Arguments.Text}}}
		}
	default:
		resp.Error = &rpcError{Code: -32601, Message: "method not found"}
	}
	writeJSON(w, http.StatusOK, resp)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "encoding failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func main() {
	addr, stateful := serve.Flags("floor")
	f := &floor{}
	if stateful {
		f.sessions = make(map[string]struct{})
	}
	serve.Main("floor", addr, f)
}
