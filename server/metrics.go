package server

import (
	"context"
	"io"
	"math"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/minimcp/minimcp/mcp"
)

/*
Design note: metrics.

Metrics are counted with atomics in fixed arrays and written in the Prometheus text exposition
format (version 0.0.4) by hand, rather than with prometheus/client_golang, which the core may
not import (its layers take stdlib, rpc, sse, mcp and httprouter only) and which the binary
would pay for: see the README's dependency section for the measurements. What this costs a
request with the metrics on is a clock read, a switch on the method and three atomic adds; no
allocation. Without them, nothing: the middleware is not installed and the transport's
counters are methods on a nil *Metrics.

Every label value is from a fixed set, never from the client: the method is one the protocol
knows, or "other"; the outcome is one of mcp.Outcome's; a rejection's reason and a store's
name are constants here. So a client cannot grow the series, and a series can be an array
slot rather than a map entry. Tool names are no label for the same reason (a client may name
any tool); the access log and the OpenTelemetry spans carry them.

Gauges (sessions, streams, event-store bytes, bodies arriving) are read from the Handlers
that count into the Metrics when /metrics is scraped, not kept up to date on every change.

A histogram's buckets are counted apart and summed when written; its _count is their sum, so
a scrape taken while requests finish stays consistent (_count equals the +Inf bucket) even
though the atomics are read one by one.
*/

// Metrics counts what the protocol and the transports do, for Prometheus: requests by method
// and outcome, their latency by method, live sessions, open SSE and listen streams, bytes held
// by the event store and by request bodies still arriving, refusals by reason and store
// errors. It is an http.Handler writing them in the Prometheus text exposition format.
//
// Create it with [NewMetrics]. Put [Metrics.Middleware] in mcp.ServerOptions.Middleware (it
// counts and times requests, on every transport) and set [Options.Metrics] on each Handler
// (refusals, store errors, and the gauges of that Handler); serve it at
// [Options.MetricsPath] or wherever you like. All methods are safe for concurrent use; the
// methods that count do nothing on a nil *Metrics.
type Metrics struct {
	methods     [numMethods]methodStats
	rejections  [numReasons]atomic.Uint64
	storeErrors [numStores]atomic.Uint64

	mu sync.Mutex
	// handlers are the Handlers that count into m, for the gauges; guarded by mu. A Handler
	// joins in New and leaves when its Shutdown completes.
	handlers []*Handler
}

// NewMetrics returns metrics with every count at zero.
func NewMetrics() *Metrics { return &Metrics{} }

// methodStats counts the calls of one method.
type methodStats struct {
	outcomes [numOutcomes]atomic.Uint64
	// buckets counts the calls by latency bucket (latencyBuckets; the last is +Inf), each
	// call in one bucket only.
	buckets [len(latencyBuckets) + 1]atomic.Uint64
	// sumNanos is the sum of the latencies, in nanoseconds.
	sumNanos atomic.Int64
}

// latencyBuckets are the upper bounds of the latency histogram, in seconds: from 100 µs (a
// call answered from memory) to five minutes (a tool that runs a program).
var latencyBuckets = [...]float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
	0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300}

// latencyBucketNanos are latencyBuckets in nanoseconds, for observe.
var latencyBucketNanos = func() (b [len(latencyBuckets)]int64) {
	for i, s := range latencyBuckets {
		b[i] = int64(math.Round(s * 1e9))
	}
	return b
}()

// methodNames are the methods counted under their own name, in the order of their index;
// the last, "other", is every method the protocol does not know. Clients' methods only.
var methodNames = [...]string{
	mcp.MethodInitialize, mcp.MethodPing, mcp.MethodServerDiscover,
	mcp.MethodToolsList, mcp.MethodToolsCall,
	mcp.MethodResourcesList, mcp.MethodResourcesTemplatesList, mcp.MethodResourcesRead,
	mcp.MethodResourcesSubscribe, mcp.MethodResourcesUnsubscribe, mcp.MethodResourcesDirectoryRead,
	mcp.MethodPromptsList, mcp.MethodPromptsGet, mcp.MethodCompletionComplete, mcp.MethodLoggingSetLevel,
	mcp.MethodSubscriptionsListen, mcp.MethodSkillsList, mcp.MethodSkillsGet,
	mcp.MethodTasksGet, mcp.MethodTasksUpdate, mcp.MethodTasksCancel, mcp.MethodTasksResult, mcp.MethodTasksList,
	mcp.NotificationInitialized, mcp.NotificationCancelled, mcp.NotificationProgress,
	mcp.NotificationRootsListChanged,
	"other",
}

const numMethods = len(methodNames)

// methodIndex returns the index of method in methodNames ("other" for one not there).
func methodIndex(method string) int {
	switch method {
	case mcp.MethodToolsCall: // the common case first
		return 4
	}
	for i, n := range methodNames[:numMethods-1] {
		if n == method {
			return i
		}
	}
	return numMethods - 1
}

// outcomeNames are the outcomes of mcp.Outcome, in the order of their index.
var outcomeNames = [...]string{
	mcp.OutcomeOK, mcp.OutcomeToolError, mcp.OutcomeInputRequired, mcp.OutcomeCancelled,
	mcp.OutcomeParseError, mcp.OutcomeInvalidRequest, mcp.OutcomeMethodNotFound, mcp.OutcomeInvalidParams,
	mcp.OutcomeInternalError, mcp.OutcomeServerError, mcp.OutcomeOtherError, mcp.OutcomeRejected,
}

const numOutcomes = len(outcomeNames)

func outcomeIndex(outcome string) int {
	if i := slices.Index(outcomeNames[:], outcome); i >= 0 {
		return i
	}
	return slices.Index(outcomeNames[:], mcp.OutcomeOtherError)
}

// reason is why a transport refused a request before the protocol saw it (a label value).
type reason uint8

const (
	reasonHost           reason = iota // Host not allowed (DNS rebinding protection): 403
	reasonOrigin                       // Origin not allowed: 403
	reasonAuth                         // authentication failed: 401 (503 when the verifier could not answer)
	reasonScope                        // the token lacks a scope the request needs: 403 insufficient_scope
	reasonSize                         // body over MaxBodyBytes: 413
	reasonBodyTimeout                  // body not received within BodyReadTimeout: 408
	reasonBodyMemory                   // bodies arriving hold MaxBodyBytesInFlight: 503
	reasonSessionCap                   // MaxSessions reached: 503
	reasonListenCap                    // MaxListens reached: 503
	reasonQuota                        // a per-principal or per-session quota: 429
	reasonDraining                     // shutting down: 503
	reasonSessionUnknown               // unknown, expired or missing session: 404 (400 without an id)
	reasonProtocol                     // the request breaks a transport rule: 400, 405, 406, 409, 415
	reasonStore                        // the session store failed to create a session: 503
	numReasons
)

var reasonNames = [numReasons]string{"host", "origin", "auth", "scope", "size", "body_timeout", "body_memory",
	"session_cap", "listen_cap", "quota", "draining", "session_unknown", "protocol", "store"}

// store names a store whose errors are counted (a label value).
type store uint8

const (
	storeSessions store = iota
	storeEvents
	numStores
)

var storeNames = [numStores]string{"sessions", "events"}

// Middleware returns the middleware that counts every request and notification by method and
// outcome and times it (see [Metrics]). Put it first in mcp.ServerOptions.Middleware to time
// what the others cost as well.
func (m *Metrics) Middleware() mcp.Middleware {
	return func(next mcp.MethodHandler) mcp.MethodHandler {
		if m == nil {
			return next
		}
		return func(ctx context.Context, req *mcp.Request) (any, error) {
			start := time.Now()
			res, err := next(ctx, req)
			m.observe(req.Method, mcp.Outcome(req, err), time.Since(start))
			return res, err
		}
	}
}

// observe counts one call of method that ended with outcome after d.
func (m *Metrics) observe(method, outcome string, d time.Duration) {
	s := &m.methods[methodIndex(method)]
	s.outcomes[outcomeIndex(outcome)].Add(1)
	ns := int64(d)
	b := len(latencyBucketNanos)
	for i, le := range latencyBucketNanos {
		if ns <= le {
			b = i
			break
		}
	}
	s.buckets[b].Add(1)
	s.sumNanos.Add(ns)
}

// reject counts a refusal for r; a request whose method is known counts as a call of it with
// the outcome "rejected" too (method "" when it is not).
func (m *Metrics) reject(r reason, method string) {
	if m == nil {
		return
	}
	m.rejections[r].Add(1)
	if method != "" {
		m.methods[methodIndex(method)].outcomes[outcomeIndex(mcp.OutcomeRejected)].Add(1)
	}
}

// storeError counts a failed operation of a store.
func (m *Metrics) storeError(s store) {
	if m == nil {
		return
	}
	m.storeErrors[s].Add(1)
}

// add makes h one of the Handlers whose gauges m reports.
func (m *Metrics) add(h *Handler) {
	if m == nil {
		return
	}
	m.mu.Lock()
	m.handlers = append(m.handlers, h)
	m.mu.Unlock()
}

// remove drops h from the Handlers m reports.
func (m *Metrics) remove(h *Handler) {
	if m == nil {
		return
	}
	m.mu.Lock()
	m.handlers = slices.DeleteFunc(m.handlers, func(x *Handler) bool { return x == h })
	m.mu.Unlock()
}

// EventStoreBytes is implemented by an [EventStore] that knows how many bytes of events it
// holds ([MemoryEventStore]); [Metrics] reports it.
type EventStoreBytes interface {
	Bytes() int
}

// ServeHTTP writes the metrics in the Prometheus text exposition format, version 0.0.4.
func (m *Metrics) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	_, _ = w.Write(m.AppendText(nil))
}

// WriteTo writes the metrics to w in the Prometheus text exposition format.
func (m *Metrics) WriteTo(w io.Writer) (int64, error) {
	n, err := w.Write(m.AppendText(nil))
	return int64(n), err
}

// AppendText appends the metrics in the Prometheus text exposition format to b.
func (m *Metrics) AppendText(b []byte) []byte {
	b = header(b, "minimcp_requests_total", "counter", "Requests and notifications handled, by method and outcome (ok, tool_error, input_required, cancelled, the class of a JSON-RPC error code, or rejected by the transport).")
	for i := range m.methods {
		for j := range m.methods[i].outcomes {
			if n := m.methods[i].outcomes[j].Load(); n > 0 {
				b = sample(b, "minimcp_requests_total", n, "method", methodNames[i], "outcome", outcomeNames[j])
			}
		}
	}

	const hist = "minimcp_request_duration_seconds"
	b = header(b, hist, "histogram", "Time from a request or notification reaching the protocol to its result, by method.")
	for i := range m.methods {
		s := &m.methods[i]
		var counts [len(latencyBuckets) + 1]uint64
		var total uint64
		for k := range s.buckets {
			counts[k] = s.buckets[k].Load()
			total += counts[k]
		}
		if total == 0 {
			continue
		}
		var cum uint64
		for k, le := range latencyBuckets {
			cum += counts[k]
			b = sample(b, hist+"_bucket", cum, "method", methodNames[i], "le", strconv.FormatFloat(le, 'g', -1, 64))
		}
		b = sample(b, hist+"_bucket", total, "method", methodNames[i], "le", "+Inf")
		b = sampleFloat(b, hist+"_sum", float64(s.sumNanos.Load())/1e9, "method", methodNames[i])
		b = sample(b, hist+"_count", total, "method", methodNames[i])
	}

	b = header(b, "minimcp_rejections_total", "counter", "Requests refused by the transport before the protocol saw them, by reason.")
	for r := range m.rejections {
		b = sample(b, "minimcp_rejections_total", m.rejections[r].Load(), "reason", reasonNames[r])
	}
	b = header(b, "minimcp_store_errors_total", "counter", "Failed operations of the session and event stores.")
	for s := range m.storeErrors {
		b = sample(b, "minimcp_store_errors_total", m.storeErrors[s].Load(), "store", storeNames[s])
	}

	var sessions, streams, listens, bodies, events int64
	m.mu.Lock()
	seen := map[EventStoreBytes]bool{}
	for _, h := range m.handlers {
		sessions += int64(h.SessionCount())
		streams += h.sseStreams.Load()
		listens += int64(h.ListenCount())
		bodies += h.bodyBytes.Load()
		if es, ok := h.events.(EventStoreBytes); ok && !seen[es] {
			seen[es] = true
			events += int64(es.Bytes())
		}
	}
	m.mu.Unlock()
	for _, g := range []struct {
		name, help string
		v          int64
	}{
		{"minimcp_sessions", "Sessions live on this replica.", sessions},
		{"minimcp_sse_streams", "SSE streams open: POST answers upgraded to SSE, GET streams, subscriptions/listen streams and HTTP+SSE streams.", streams},
		{"minimcp_listen_streams", "subscriptions/listen streams open (2026-07-28), also counted in minimcp_sse_streams.", listens},
		{"minimcp_event_store_bytes", "Bytes of SSE events held for resumption by an event store that knows them (the in-memory one).", events},
		{"minimcp_body_bytes_in_flight", "Bytes of buffers of request bodies still arriving, beyond the first 4 KiB of each.", bodies},
		{"go_goroutines", "Goroutines of the process.", int64(runtime.NumGoroutine())},
	} {
		b = header(b, g.name, "gauge", g.help)
		b = sample(b, g.name, uint64(max(g.v, 0)))
	}
	return b
}

// header appends the HELP and TYPE lines of a metric family.
func header(b []byte, name, typ, help string) []byte {
	b = append(b, "# HELP "...)
	b = append(b, name...)
	b = append(b, ' ')
	b = appendEscaped(b, help, false)
	b = append(b, "\n# TYPE "...)
	b = append(b, name...)
	b = append(b, ' ')
	b = append(b, typ...)
	return append(b, '\n')
}

// sample appends one sample line: name{k="v",...} value.
func sample(b []byte, name string, v uint64, labels ...string) []byte {
	b = appendSeries(b, name, labels)
	b = strconv.AppendUint(b, v, 10)
	return append(b, '\n')
}

func sampleFloat(b []byte, name string, v float64, labels ...string) []byte {
	b = appendSeries(b, name, labels)
	b = strconv.AppendFloat(b, v, 'g', -1, 64)
	return append(b, '\n')
}

func appendSeries(b []byte, name string, labels []string) []byte {
	b = append(b, name...)
	if len(labels) > 0 {
		b = append(b, '{')
		for i := 0; i+1 < len(labels); i += 2 {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, labels[i]...)
			b = append(b, `="`...)
			b = appendEscaped(b, labels[i+1], true)
			b = append(b, '"')
		}
		b = append(b, '}')
	}
	return append(b, ' ')
}

// appendEscaped appends s escaped as the text format asks: backslash and newline in HELP
// text, and double quote too in a label value.
func appendEscaped(b []byte, s string, quote bool) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			b = append(b, `\\`...)
		case c == '\n':
			b = append(b, `\n`...)
		case c == '"' && quote:
			b = append(b, `\"`...)
		default:
			b = append(b, c)
		}
	}
	return b
}
