package client

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"

	"github.com/minimcp/minimcp/internal/httpwire"
	"github.com/minimcp/minimcp/sse"
)

// ConnectSSE connects to a server of the legacy HTTP+SSE transport (MCP 2024-11-05,
// Transports § HTTP with SSE) at rawURL, its SSE endpoint (minimcp serves it at /sse): the
// client opens the event stream, learns from its first event ("endpoint") where to POST, and
// then POSTs every message there while the answers come on the stream. The transport has only
// the session era: the client initializes, asking for Options.ProtocolVersion or the newest
// session version. Close closes the stream, which ends the session.
func ConnectSSE(ctx context.Context, rawURL string, opts *Options) (*Client, error) {
	u, err := checkURL(rawURL)
	if err != nil {
		return nil, err
	}
	lc := &legacyConn{url: u}
	t := newStreamTransport(lc, false)
	c := newClient(t, opts)
	t.c = c
	lc.c = c
	lc.hc = c.opts.HTTPClient
	if lc.hc == nil {
		lc.hc = http.DefaultClient
	}
	if err := lc.open(ctx); err != nil {
		c.cancel()
		return nil, err
	}
	t.start()
	return c.start(ctx)
}

// legacyConn is the msgConn of the HTTP+SSE transport: reads are the stream's message events,
// writes are POSTs to the endpoint it named.
type legacyConn struct {
	c   *Client
	url string
	hc  *http.Client

	// Set by open.
	endpoint string
	body     io.ReadCloser
	dec      *sse.Decoder
	// stop cancels the stream's request; called by close.
	stop      context.CancelFunc
	closeOnce sync.Once
}

// open GETs the stream and reads its endpoint event (2024-11-05, Transports § HTTP with SSE:
// "When a client connects, the server MUST send an endpoint event containing a URI for the
// client to use for sending messages"). The stream outlives ctx, which bounds only the opening.
func (l *legacyConn) open(ctx context.Context) error {
	sctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	l.stop = stop
	unwatch := context.AfterFunc(ctx, stop)
	defer unwatch()
	fail := func(err error) error {
		stop()
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		return err
	}
	req, err := newHTTPRequest(sctx, l.c, http.MethodGet, l.url, nil, "", "")
	if err != nil {
		return fail(err)
	}
	req.Header["Accept"] = acceptSSE
	resp, err := l.hc.Do(req)
	if err != nil {
		return fail(err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		defer httpwire.CloseBody(resp.Body)
		return fail(newHTTPStatusError(resp))
	}
	if ct := httpwire.MediaType(resp.Header.Get("Content-Type")); ct != "text/event-stream" {
		httpwire.CloseBody(resp.Body)
		return fail(malformed(fmt.Sprintf("GET answered with Content-Type %q, want text/event-stream", ct)))
	}
	l.body = resp.Body
	l.dec = sse.NewDecoder(resp.Body, &sse.DecoderOptions{MaxEventSize: l.c.opts.MaxMessageBytes})
	for {
		e, err := l.dec.Next()
		if err != nil {
			httpwire.CloseBody(resp.Body)
			if err == io.EOF {
				err = malformed("the stream ended before its endpoint event")
			}
			return fail(err)
		}
		if e.Name != "endpoint" {
			continue
		}
		ref, err := url.Parse(string(e.Data))
		if err != nil {
			httpwire.CloseBody(resp.Body)
			return fail(malformed(fmt.Sprintf("endpoint %q: %v", e.Data, err)))
		}
		base, _ := url.Parse(l.url)
		ep := base.ResolveReference(ref)
		// A server naming another origin would have the client send its messages, and its
		// token, elsewhere.
		if ep.Scheme != base.Scheme || ep.Host != base.Host {
			httpwire.CloseBody(resp.Body)
			return fail(malformed(fmt.Sprintf("endpoint %q is not on the stream's origin", e.Data)))
		}
		l.endpoint = ep.String()
		return nil
	}
}

func (l *legacyConn) read() ([]byte, error) {
	for {
		e, err := l.dec.Next()
		if err != nil {
			return nil, err
		}
		if (e.Name == "" || e.Name == "message") && len(e.Data) > 0 {
			return e.Data, nil
		}
	}
}

// write POSTs msg to the endpoint; the server accepts it with 202 and answers on the stream.
func (l *legacyConn) write(ctx context.Context, msg []byte) error {
	req, err := newHTTPRequest(ctx, l.c, http.MethodPost, l.endpoint, msg, "", "")
	if err != nil {
		return err
	}
	resp, err := l.hc.Do(req)
	if err != nil {
		return err
	}
	defer httpwire.CloseBody(resp.Body)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return newHTTPStatusError(resp)
	}
	return nil
}

func (l *legacyConn) close(readerDone <-chan struct{}) error {
	l.closeOnce.Do(l.stop)
	<-readerDone
	// The stream's request was cancelled above: what Close says of its body is no news.
	_ = l.body.Close()
	return nil
}
