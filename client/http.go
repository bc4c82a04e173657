package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/internal/httpwire"
	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/rpc"
	"github.com/minimcp/minimcp/sse"
)

/*
Design note: the client side of Streamable HTTP.

Every message is its own POST to the one endpoint, with Accept listing application/json and
text/event-stream (MCP 2025-11-25, Transports § Sending Messages to the Server, 1-3). A request
is answered by one JSON object or by an SSE stream that may carry the server's notifications
and requests before the response (5-6). The client reads both; on a stream it skips the
priming event (an id with empty data), hands notifications to the client, answers each
server-to-client request on a goroutine of its own by POSTing the response (answered 202), and
returns when the response with the request's id arrives. The goroutines answering are owned by
the stream: roundTrip waits for them before it returns.

Resumption. A 2025 session's stream may break before its response: the network dropped it, or
the server closed it to be polled (Transports § Resumability and Redelivery; SEP-1699: "the
server MAY close the connection ... the client SHOULD reconnect"). When the stream had an event
id, the client waits the retry hint (1s without one) and GETs the endpoint with Last-Event-ID;
the server replays what followed and goes on live, and the client reads on as if nothing had
happened. Options.MaxResumes bounds the attempts in a row that bring nothing. The session's GET
stream (openStream, for Listen) resumes the same way. A stream without an event id, or of a
2026-07-28 request (which has no session to resume in: closing it cancels the request), ends
the call with an error.

Cancellation. When the caller's context ends, the request's HTTP exchange is dropped; in a
2025 session the client also POSTs notifications/cancelled (Basic § Utilities, Cancellation),
since a dropped connection is no cancellation there (Transports § Sending Messages to the
Server: "Disconnection SHOULD NOT be interpreted as the client cancelling its request. To
cancel, the client SHOULD explicitly send an MCP CancelledNotification"). At 2026-07-28
closing the stream is the cancellation (Transports § Streamable HTTP, Cancellation: "Closing
the SSE response stream MUST be treated by the server as cancellation of that request").
*/

// DefaultResumeDelay is how long the client waits before resuming a broken SSE stream when the
// server gave no retry hint.
const DefaultResumeDelay = time.Second

// Header values sent on every POST, shared read-only by all requests.
var (
	acceptBoth      = []string{"application/json, text/event-stream"}
	acceptSSE       = []string{"text/event-stream"}
	jsonContentType = []string{"application/json"}
)

// Connect connects to the Streamable HTTP endpoint rawURL (http or https), choosing the era
// as the design note in client.go says. It returns an error for a URL that is not absolute
// http(s), and whatever ended connecting: an *HTTPStatusError, an *rpc.Error,
// [ErrNoCommonVersion], or the transport's error.
func Connect(ctx context.Context, rawURL string, opts *Options) (*Client, error) {
	u, err := checkURL(rawURL)
	if err != nil {
		return nil, err
	}
	t := &httpTransport{url: u}
	c := newClient(t, opts)
	t.c = c
	t.hc = c.opts.HTTPClient
	if t.hc == nil {
		t.hc = http.DefaultClient
	}
	return c.start(ctx)
}

// checkURL returns rawURL if it is an absolute http(s) URL.
func checkURL(rawURL string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", fmt.Errorf("client: invalid URL %q: %v", rawURL, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("client: invalid URL %q: want http://host[:port]/path or https://...", rawURL)
	}
	return u.String(), nil
}

// httpTransport is the Streamable HTTP transport.
type httpTransport struct {
	c   *Client
	url string
	hc  *http.Client

	mu sync.Mutex
	// sid is the session id initialize got, "" without one; guarded by mu.
	sid string
}

func (t *httpTransport) modernCapable() bool { return true }

func (t *httpTransport) setSession(sid string) {
	t.mu.Lock()
	t.sid = sid
	t.mu.Unlock()
}

func (t *httpTransport) session() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.sid
}

// newHTTPRequest builds a request to url with the client's headers: Options.Header, the bearer
// token, the session id and the protocol version.
func newHTTPRequest(ctx context.Context, c *Client, method, url string, body []byte, version, sid string) (*http.Request, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return nil, err
	}
	for k, v := range c.opts.Header {
		if http.CanonicalHeaderKey(k) == "Host" {
			if len(v) > 0 {
				req.Host = v[len(v)-1]
			}
			continue
		}
		req.Header[http.CanonicalHeaderKey(k)] = v
	}
	if c.opts.TokenSource != nil {
		tok, err := c.opts.TokenSource(ctx)
		if err != nil {
			return nil, fmt.Errorf("client: token source: %w", err)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if body != nil {
		// Transports § Sending Messages to the Server, 2: "The client MUST include an Accept
		// header, listing both application/json and text/event-stream".
		req.Header["Accept"] = acceptBoth
		req.Header["Content-Type"] = jsonContentType
	}
	if sid != "" {
		// § Session Management, 2: clients "MUST include it in the MCP-Session-Id header on
		// all of their subsequent HTTP requests".
		req.Header["Mcp-Session-Id"] = []string{sid}
	}
	if version != "" {
		// § Protocol Version Header: "the client MUST include the MCP-Protocol-Version:
		// <protocol-version> HTTP header on all subsequent requests".
		req.Header["Mcp-Protocol-Version"] = []string{version}
	}
	return req, nil
}

func (t *httpTransport) roundTrip(ctx context.Context, r *request) (json.RawMessage, error) {
	// The exchange gets its own cancel so that a stream left open after its response is
	// dropped at once, and so that Close ends it.
	if t.c.ctx.Err() != nil {
		return nil, ErrClosed
	}
	hctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(t.c.ctx, cancel)()
	req, err := newHTTPRequest(hctx, t.c, http.MethodPost, t.url, r.body, r.version, t.session())
	if err != nil {
		return nil, err
	}
	if r.modern {
		// MCP 2026-07-28, Transports § Streamable HTTP, Standard Request Headers: the method,
		// and for tools/call, resources/read and prompts/get the name, matching the body.
		req.Header["Mcp-Method"] = []string{r.method}
		if r.name != "" {
			req.Header["Mcp-Name"] = []string{httpwire.HeaderSafe(r.name)}
		}
	}
	for k, v := range r.header {
		req.Header[k] = v
	}
	resp, err := t.hc.Do(req)
	if err != nil {
		return nil, t.cancelled(ctx, r, err)
	}
	defer httpwire.CloseBody(resp.Body)
	if r.method == mcp.MethodInitialize {
		if sid := resp.Header.Get("Mcp-Session-Id"); sid != "" {
			// § Session Management, 1: "The session ID MUST only contain visible ASCII
			// characters (ranging from 0x21 to 0x7E)."
			if !httpwire.VisibleASCII(sid) {
				return nil, malformed(fmt.Sprintf("MCP-Session-Id %q has characters outside 0x21-0x7E", sid))
			}
			t.mu.Lock()
			t.sid = sid
			t.mu.Unlock()
		}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, newHTTPStatusError(resp)
	}
	switch ct := httpwire.MediaType(resp.Header.Get("Content-Type")); ct {
	case "application/json":
		data, err := io.ReadAll(io.LimitReader(resp.Body, int64(t.c.opts.MaxMessageBytes)+1))
		if err != nil {
			return nil, t.cancelled(ctx, r, err)
		}
		if len(data) > t.c.opts.MaxMessageBytes {
			return nil, malformed(fmt.Sprintf("reply larger than %d bytes", t.c.opts.MaxMessageBytes))
		}
		msgs, _, derr := rpc.Decode(nil, data, rpc.Limits{MaxMessageBytes: t.c.opts.MaxMessageBytes})
		if derr != nil {
			return nil, malformed("reply is not JSON-RPC: " + derr.Message)
		}
		res, found, err := httpwire.PickResponse(msgs, r.id)
		if !found {
			return nil, malformed("reply holds no response with id " + r.id.String())
		}
		return res, err
	case "text/event-stream":
		s := &sseStream{t: t, ctx: ctx, version: r.version, modern: r.modern}
		res, err := s.readResponse(resp.Body, r.id)
		if err != nil {
			return nil, t.cancelled(ctx, r, err)
		}
		return res, nil
	case "":
		return nil, malformed(fmt.Sprintf("HTTP %d without a Content-Type, want application/json or text/event-stream", resp.StatusCode))
	default:
		return nil, malformed(fmt.Sprintf("HTTP %d with Content-Type %q, want application/json or text/event-stream", resp.StatusCode, ct))
	}
}

// cancelled returns err, or the caller's cause when ctx ended, after telling a 2025 session's
// server that the request is cancelled (see the design note).
func (t *httpTransport) cancelled(ctx context.Context, r *request, err error) error {
	if ctx.Err() == nil {
		if t.c.ctx.Err() != nil {
			return ErrClosed
		}
		return err
	}
	if sid := t.session(); !r.modern && sid != "" && r.method != mcp.MethodInitialize {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cancelTimeout)
		_ = t.post(cctx, cancelledMessage(r.id, context.Cause(ctx)), r.version)
		cancel()
	}
	return context.Cause(ctx)
}

// post sends a notification or a response, which the server must accept with 202 Accepted
// and no body (Transports § Sending Messages to the Server, 4).
func (t *httpTransport) post(ctx context.Context, msg []byte, version string) error {
	req, err := newHTTPRequest(ctx, t.c, http.MethodPost, t.url, msg, version, t.session())
	if err != nil {
		return err
	}
	resp, err := t.hc.Do(req)
	if err != nil {
		return err
	}
	defer httpwire.CloseBody(resp.Body)
	switch {
	case resp.StatusCode == http.StatusAccepted:
		return nil
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return newHTTPStatusError(resp)
	}
	return malformed(fmt.Sprintf("HTTP %d to a notification or response, want 202 Accepted", resp.StatusCode))
}

func (t *httpTransport) notify(ctx context.Context, msg []byte, version string) error {
	return t.post(ctx, msg, version)
}

// get opens the session's SSE stream with GET (Transports § Listening for Messages from the
// Server), resuming after lastID when it is set (§ Resumability and Redelivery).
func (t *httpTransport) get(ctx context.Context, version, lastID string) (*http.Response, error) {
	req, err := newHTTPRequest(ctx, t.c, http.MethodGet, t.url, nil, version, t.session())
	if err != nil {
		return nil, err
	}
	req.Header["Accept"] = acceptSSE
	if lastID != "" {
		req.Header["Last-Event-Id"] = []string{lastID}
	}
	resp, err := t.hc.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		defer httpwire.CloseBody(resp.Body)
		return nil, newHTTPStatusError(resp)
	}
	if ct := httpwire.MediaType(resp.Header.Get("Content-Type")); ct != "text/event-stream" {
		httpwire.CloseBody(resp.Body)
		return nil, malformed(fmt.Sprintf("GET answered with Content-Type %q, want text/event-stream", ct))
	}
	return resp, nil
}

// openStream keeps the session's GET stream open until ctx ends, resuming it when it breaks.
func (t *httpTransport) openStream(ctx context.Context, ready func() error) error {
	if t.session() == "" {
		return fmt.Errorf("%w: no session, so no GET stream", ErrNotInEra)
	}
	version := t.c.version
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(t.c.ctx, cancel)()
	resp, err := t.get(ctx, version, "")
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("GET: %w", err)
	}
	if err := ready(); err != nil {
		httpwire.CloseBody(resp.Body)
		return err
	}
	s := &sseStream{t: t, ctx: ctx, version: version}
	err = s.readAll(resp)
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// close ends the session with DELETE (Transports § Session Management, 5). 405 (the server
// does not let clients end sessions) and 404 (already gone) are not errors.
func (t *httpTransport) close() error {
	t.mu.Lock()
	sid := t.sid
	t.sid = ""
	t.mu.Unlock()
	if sid == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), cancelTimeout)
	defer cancel()
	req, err := newHTTPRequest(ctx, t.c, http.MethodDelete, t.url, nil, t.c.version, sid)
	if err != nil {
		return fmt.Errorf("DELETE: %w", err)
	}
	resp, err := t.hc.Do(req)
	if err != nil {
		return fmt.Errorf("DELETE: %w", err)
	}
	defer httpwire.CloseBody(resp.Body)
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode <= 299,
		resp.StatusCode == http.StatusMethodNotAllowed,
		resp.StatusCode == http.StatusNotFound:
		return nil
	}
	return fmt.Errorf("DELETE: %w", newHTTPStatusError(resp))
}

// sseStream reads one SSE stream of the server: a POST's answer or the GET stream, resumed
// across reconnections.
type sseStream struct {
	t       *httpTransport
	ctx     context.Context
	version string
	modern  bool

	// hctx is the context of the goroutines answering server requests, cancelled before the
	// stream's reader waits for them (replies).
	hctx    context.Context
	lastID  string
	retry   time.Duration
	replies sync.WaitGroup
}

// errStreamEnded reports a stream that ended cleanly before its response: a server closing
// it to be polled, which resumption recovers from.
var errStreamEnded = errors.New("SSE stream ended before the response")

// readResponse reads body until the response with id, resuming when the stream breaks.
func (s *sseStream) readResponse(body io.Reader, id rpc.ID) (json.RawMessage, error) {
	var cancel context.CancelFunc
	s.hctx, cancel = context.WithCancel(s.ctx)
	defer s.replies.Wait()
	defer cancel()
	var resumed io.ReadCloser
	defer func() {
		if resumed != nil {
			httpwire.CloseBody(resumed)
		}
	}()
	misses := 0
	for {
		res, found, err := s.read(body, &id, &misses)
		if found {
			return res, err
		}
		if resumed != nil {
			httpwire.CloseBody(resumed)
			resumed = nil
		}
		rc, err := s.resume(err, &misses)
		if err != nil {
			return nil, err
		}
		resumed, body = rc, rc
	}
}

// readAll reads the GET stream until ctx ends, resuming when it breaks.
func (s *sseStream) readAll(resp *http.Response) error {
	var cancel context.CancelFunc
	s.hctx, cancel = context.WithCancel(s.ctx)
	defer s.replies.Wait()
	defer cancel()
	body := resp.Body
	misses := 0
	for {
		_, _, err := s.read(body, nil, &misses)
		httpwire.CloseBody(body)
		if s.ctx.Err() != nil {
			return nil
		}
		if body, err = s.resume(err, &misses); err != nil {
			return err
		}
	}
}

// resume reopens the stream after it broke with err, or returns why it cannot: the stream
// was malformed, it cannot be resumed (no event id, no session, a 2026-07-28 request), or
// Options.MaxResumes attempts in a row brought nothing.
func (s *sseStream) resume(err error, misses *int) (io.ReadCloser, error) {
	giveUp := err
	if errors.Is(err, errStreamEnded) {
		giveUp = malformed(err.Error())
	}
	switch {
	case s.ctx.Err() != nil, errors.Is(err, ErrMalformedReply):
		return nil, err
	case s.modern || s.lastID == "" || s.t.session() == "" || *misses >= s.t.c.opts.MaxResumes:
		return nil, giveUp
	}
	*misses++
	delay := s.retry
	if delay <= 0 {
		delay = DefaultResumeDelay
	}
	timer := time.NewTimer(delay)
	select {
	case <-timer.C:
	case <-s.ctx.Done():
		timer.Stop()
		return nil, context.Cause(s.ctx)
	}
	resp, gerr := s.t.get(s.ctx, s.version, s.lastID)
	if gerr != nil {
		return nil, fmt.Errorf("resuming after event %q: %w (the stream had failed: %v)", s.lastID, gerr, err)
	}
	return resp.Body, nil
}

// read reads events from body until the response with *id (id nil: until the stream ends). It
// returns found true with the response's result or error, or found false with why the
// stream ended (errStreamEnded for a clean end).
func (s *sseStream) read(body io.Reader, id *rpc.ID, misses *int) (json.RawMessage, bool, error) {
	lim := s.t.c.opts.MaxMessageBytes
	dec := sse.NewDecoder(body, &sse.DecoderOptions{MaxEventSize: lim})
	for {
		e, err := dec.Next()
		if d, ok := dec.Retry(); ok {
			s.retry = d
		}
		if id := dec.LastEventID(); id != "" {
			s.lastID = id
		}
		switch {
		case err == io.EOF:
			return nil, false, errStreamEnded
		case errors.Is(err, sse.ErrEventTooLarge):
			return nil, true, malformed(err.Error())
		case err != nil:
			return nil, false, err
		}
		if e.Name != "" && e.Name != "message" {
			continue // not a JSON-RPC message event
		}
		if len(e.Data) == 0 {
			continue // the priming event (§ Sending Messages to the Server, 6)
		}
		*misses = 0
		msgs, _, derr := rpc.Decode(nil, e.Data, rpc.Limits{MaxMessageBytes: lim})
		if derr != nil {
			return nil, true, malformed("SSE event is not JSON-RPC: " + derr.Message)
		}
		for i := range msgs {
			m := &msgs[i]
			switch m.Kind {
			case rpc.KindNotification:
				s.t.c.handleNotification(s.ctx, m)
			case rpc.KindRequest:
				s.replies.Add(1)
				go func(m rpc.Message) {
					defer s.replies.Done()
					resp := s.t.c.handleRequest(s.hctx, &m)
					if s.hctx.Err() == nil {
						_ = s.t.post(s.hctx, resp, s.version)
					}
				}(*m)
			}
		}
		if id != nil {
			if res, found, err := httpwire.PickResponse(msgs, *id); found {
				return res, true, err
			}
		}
	}
}
