// Package rrproxy is a round-robin reverse proxy with no affinity of any kind: each request
// goes to the next backend in turn, whatever its Mcp-Session-Id, its client or the request
// before it. It stands for "any balancer" in the multi-replica tests: a session's requests,
// a server-to-client reply, a GET that resumes a stream and a DELETE each land on whichever
// replica is next, so only state the replicas share (Redis) can make the session work.
//
//	srv, err := rrproxy.Start("127.0.0.1:0", []string{"http://127.0.0.1:8081", "http://127.0.0.1:8082"}, nil)
//	if err != nil { ... }
//	defer srv.Close()
//	// talk to srv.URL + "/mcp"
//
// Streaming responses (text/event-stream, or of unknown length) go through unbuffered: each
// write of the backend is flushed to the client at once (httputil.ReverseProxy's immediate
// flush), so an SSE stream's events reach the client one by one. Every end-to-end
// header passes both ways; the proxy adds X-Forwarded-For, X-Forwarded-Host and
// X-Forwarded-Proto to requests and [UpstreamHeader] (the backend that answered) to responses.
//
// A backend that refuses the connection (a replica killed or not yet up) is skipped for
// [Options.DownFor] and the request goes to the next one, as nginx's proxy_next_upstream
// error does: the request never reached the refusing backend, so trying another is safe for
// any method. A request already sent is never retried: a stream that breaks mid-answer ends
// the client's response the same way.
package rrproxy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// UpstreamHeader is the response header naming the backend (scheme://host:port) that
// answered, so that tests see which replica served each request.
const UpstreamHeader = "X-Rrproxy-Upstream"

// Defaults of [Options].
const (
	// DefaultDownFor is how long a backend that refused a connection is skipped.
	DefaultDownFor = time.Second
	// DefaultRetryBodyBytes is the largest request body kept in memory so that the request
	// can go to the next backend after a refused connection.
	DefaultRetryBodyBytes = 1 << 20
	// DefaultIdleConnsPerBackend is how many idle connections the default transport keeps to
	// each backend. http.DefaultTransport keeps 2, so that under more concurrent requests
	// most of them would open a new connection.
	DefaultIdleConnsPerBackend = 1024
)

// Options configure a [Proxy]. The zero value of each field means its default.
type Options struct {
	// DownFor is how long a backend that refused a connection is passed over (it is still
	// tried when every backend is down). If zero, [DefaultDownFor].
	DownFor time.Duration
	// RetryBodyBytes bounds the request body held in memory for a retry on the next backend;
	// a longer body is streamed through and its request is not retried. If zero,
	// [DefaultRetryBodyBytes].
	RetryBodyBytes int64
	// Transport sends the requests to the backends. If nil, a clone of
	// http.DefaultTransport keeping up to [DefaultIdleConnsPerBackend] idle connections per
	// backend.
	Transport http.RoundTripper
	// AccessLog, if set, gets one line per request: method, path, backend, status.
	AccessLog *log.Logger
	// ErrorLog, if set, gets the proxy's errors (a backend unreachable, a stream broken).
	// If nil, they are discarded.
	ErrorLog *log.Logger
}

// Proxy is the round-robin reverse proxy, an http.Handler. It is safe for concurrent use.
type Proxy struct {
	backends []*backend
	opts     Options
	// next counts requests; request n starts at backend n mod len(backends).
	next atomic.Uint64
	rp   *httputil.ReverseProxy
}

// backend is one upstream.
type backend struct {
	url *url.URL
	// name is url's scheme://host, the value of UpstreamHeader.
	name string
	// served counts the responses this backend gave (headers received).
	served atomic.Int64
	// inFlight counts the requests sent to this backend whose response has not ended
	// (failed, or its body closed).
	inFlight atomic.Int64
	// downUntil is the UnixNano time until which the backend is skipped; 0 when up.
	downUntil atomic.Int64
}

// ErrNoBackends is returned by [New] and [Start] for an empty backend list.
var ErrNoBackends = errors.New("rrproxy: no backends")

// New returns a proxy over backends, base URLs such as "http://127.0.0.1:8081" (a path, if
// any, is ignored: the request's path is kept). opts may be nil for defaults.
func New(backends []string, opts *Options) (*Proxy, error) {
	if len(backends) == 0 {
		return nil, ErrNoBackends
	}
	p := &Proxy{}
	if opts != nil {
		p.opts = *opts
	}
	if p.opts.DownFor == 0 {
		p.opts.DownFor = DefaultDownFor
	}
	if p.opts.RetryBodyBytes == 0 {
		p.opts.RetryBodyBytes = DefaultRetryBodyBytes
	}
	if p.opts.Transport == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConns = 0 // no limit over all backends; MaxIdleConnsPerHost bounds each
		t.MaxIdleConnsPerHost = DefaultIdleConnsPerBackend
		p.opts.Transport = t
	}
	if p.opts.ErrorLog == nil {
		p.opts.ErrorLog = log.New(io.Discard, "", 0)
	}
	for _, s := range backends {
		u, err := url.Parse(s)
		if err != nil {
			return nil, fmt.Errorf("rrproxy: backend %q: %w", s, err)
		}
		if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("rrproxy: backend %q: want http://host:port or https://host:port", s)
		}
		p.backends = append(p.backends, &backend{url: u, name: u.Scheme + "://" + u.Host})
	}
	p.rp = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			// The backend is chosen in roundTrip, where a refused connection can move the
			// request to the next one. The client's Host is kept, as a balancer in front
			// of one service usually does.
			pr.SetXForwarded()
		},
		Transport: roundTripFunc(p.roundTrip),
		// FlushInterval 0: ReverseProxy flushes every write at once (as -1 would) for the
		// responses that stream, text/event-stream and those of unknown length, and sends a
		// response of known length (a JSON answer) in one piece. -1 for every response
		// would flush a JSON answer's headers apart from its body, from a timer goroutine:
		// one more write and goroutine per answer, which doubled the proxy's CPU per request.
		FlushInterval: 0,
		BufferPool:    bufferPool{},
		ErrorLog:      p.opts.ErrorLog,
		ErrorHandler:  p.errorHandler,
	}
	return p, nil
}

// ServeHTTP proxies r to the next backend.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Body != nil && r.Body != http.NoBody && r.ContentLength <= p.opts.RetryBodyBytes {
		// Hold the body so that a refused connection can send it again elsewhere.
		buf, err := io.ReadAll(io.LimitReader(r.Body, p.opts.RetryBodyBytes+1))
		if err != nil {
			http.Error(w, "rrproxy: reading the request body: "+err.Error(), http.StatusBadRequest)
			return
		}
		if int64(len(buf)) <= p.opts.RetryBodyBytes {
			r.Body = io.NopCloser(bytes.NewReader(buf))
			r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(buf)), nil }
			r.ContentLength = int64(len(buf))
		} else {
			// Too long to hold: what was read goes first, then the rest, without retry.
			r.Body = readCloser{io.MultiReader(bytes.NewReader(buf), r.Body), r.Body}
		}
	}
	p.rp.ServeHTTP(w, r)
}

// Served returns how many responses each backend gave, in the order of the backends given
// to New.
func (p *Proxy) Served() []int64 {
	n := make([]int64, len(p.backends))
	for i, b := range p.backends {
		n[i] = b.served.Load()
	}
	return n
}

// InFlight returns how many requests each backend has open (sent, and the response not yet
// over), in the order of the backends given to New: a long call or an open SSE stream counts
// until it ends.
func (p *Proxy) InFlight() []int64 {
	n := make([]int64, len(p.backends))
	for i, b := range p.backends {
		n[i] = b.inFlight.Load()
	}
	return n
}

// roundTrip sends req to the next backend in turn, and on to the following ones while the
// connection is refused.
func (p *Proxy) roundTrip(req *http.Request) (*http.Response, error) {
	n := uint64(len(p.backends))
	start := p.next.Add(1) - 1
	now := time.Now().UnixNano()
	var lastErr error
	tried := 0
	for i := range n {
		b := p.backends[(start+i)%n]
		// A backend marked down is passed over, unless it is the last chance.
		if b.downUntil.Load() > now && !(i == n-1 && tried == 0) {
			continue
		}
		if tried > 0 {
			if req.Body != nil && req.GetBody == nil {
				break // the body was streamed and is spent
			}
			if req.GetBody != nil {
				body, err := req.GetBody()
				if err != nil {
					return nil, err
				}
				req.Body = body
			}
		}
		tried++
		out := req.Clone(req.Context())
		out.URL.Scheme, out.URL.Host = b.url.Scheme, b.url.Host
		b.inFlight.Add(1)
		resp, err := p.opts.Transport.RoundTrip(out)
		if err == nil {
			b.downUntil.Store(0)
			b.served.Add(1)
			resp.Body = &countedBody{ReadCloser: resp.Body, n: &b.inFlight}
			resp.Header.Set(UpstreamHeader, b.name)
			if p.opts.AccessLog != nil {
				p.opts.AccessLog.Printf("%s %s -> %s %d", req.Method, req.URL.RequestURI(), b.name, resp.StatusCode)
			}
			return resp, nil
		}
		b.inFlight.Add(-1)
		lastErr = err
		if !refused(err) {
			break
		}
		b.downUntil.Store(time.Now().Add(p.opts.DownFor).UnixNano())
		p.opts.ErrorLog.Printf("rrproxy: %s refused %s %s; trying the next backend: %v", b.name, req.Method, req.URL.Path, err)
	}
	if lastErr == nil {
		lastErr = errors.New("rrproxy: no backend could take the request")
	}
	if p.opts.AccessLog != nil {
		p.opts.AccessLog.Printf("%s %s -> none: %v", req.Method, req.URL.RequestURI(), lastErr)
	}
	return nil, lastErr
}

// errorHandler answers 502 when no backend took the request; a client that went away gets
// nothing.
func (p *Proxy) errorHandler(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	p.opts.ErrorLog.Printf("rrproxy: %s %s: %v", r.Method, r.URL.Path, err)
	http.Error(w, "rrproxy: "+err.Error(), http.StatusBadGateway)
}

// refused reports whether err is a failure to connect, which means the request was not sent.
func refused(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// roundTripFunc adapts a function to http.RoundTripper.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// countedBody decrements n once when closed.
type countedBody struct {
	io.ReadCloser
	n    *atomic.Int64
	once sync.Once
}

func (b *countedBody) Close() error {
	b.once.Do(func() { b.n.Add(-1) })
	return b.ReadCloser.Close()
}

// copyBuffers holds the buffers the ReverseProxy copies response bodies with: without a pool
// it allocates 32 KiB for each response.
var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// bufferPool is an httputil.BufferPool over copyBuffers.
type bufferPool struct{}

func (bufferPool) Get() []byte  { return *copyBuffers.Get().(*[]byte) }
func (bufferPool) Put(b []byte) { copyBuffers.Put(&b) }

// readCloser reads from one reader and closes another.
type readCloser struct {
	io.Reader
	io.Closer
}

// Server is a [Proxy] listening on a TCP address, for tests and the rrproxy command.
type Server struct {
	// URL is the proxy's base URL, "http://127.0.0.1:PORT".
	URL string
	// Proxy is the proxy being served.
	Proxy *Proxy

	srv *http.Server
	// done receives http.Server.Serve's result; never closed.
	done chan error
}

// Start listens on addr ("127.0.0.1:0" picks a free port) and serves a proxy over backends
// until Close. opts may be nil for defaults.
func Start(addr string, backends []string, opts *Options) (*Server, error) {
	p, err := New(backends, opts)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &Server{
		URL:   "http://" + ln.Addr().String(),
		Proxy: p,
		srv:   &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second, ErrorLog: p.opts.ErrorLog},
		done:  make(chan error, 1),
	}
	go func() { s.done <- s.srv.Serve(ln) }()
	return s, nil
}

// Close stops the server at once, ending every open request and stream, and returns when
// it has stopped serving.
func (s *Server) Close() error {
	err := s.srv.Close()
	if serr := <-s.done; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	if t, ok := s.Proxy.opts.Transport.(interface{ CloseIdleConnections() }); ok {
		t.CloseIdleConnections()
	}
	return err
}

// Addr returns the host:port the server listens on.
func (s *Server) Addr() string { return strings.TrimPrefix(s.URL, "http://") }
