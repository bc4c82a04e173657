// Command idle measures what idle sessions cost an MCP server: it opens many sessions over a
// few keep-alive connections, then sends nothing, and reads the server's resident memory
// before and after.
//
//	idle -url http://127.0.0.1:8080/mcp -pid PID [-n 10000] [-c 32] [-hold 5s]
//
// Each session is what a client makes (MCP 2025-11-25, Basic § Lifecycle, Initialization):
// initialize, whose answer carries an Mcp-Session-Id, then notifications/initialized with that
// id, which must get 202. -c workers open the sessions back to back over one HTTP transport
// that keeps -c connections, so the connections cost the server the same whatever it is and
// however many sessions it holds.
//
// It reads VmRSS from /proc/PID/status before the first request and again one second after the
// last, prints one JSON object (below) on stdout, then keeps its connections open for -hold
// before it exits, so that the caller can inspect the server in that state (bench/run.sh sends
// it SIGQUIT and counts the goroutines in the dump). The exit status is 1 if any session failed
// to open.
//
//	sessions            sessions opened (initialize and notifications/initialized both succeeded)
//	errors              sessions that failed
//	errors_by_kind      {kind: count}: http_<status>, no_session_id, transport
//	conns               connections used (-c)
//	open_s              wall time to open them all, seconds
//	open_rate           sessions / open_s
//	rss_before_kb       server VmRSS before the first request, KiB
//	rss_after_kb        server VmRSS one second after the last, KiB
//	bytes_per_session   (rss_after_kb - rss_before_kb) * 1024 / sessions
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// protocolVersion is the MCP revision the harness asks for.
const protocolVersion = "2025-11-25"

var (
	initBody = []byte(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"` +
		protocolVersion + `","capabilities":{},"clientInfo":{"name":"idle","version":"1.0.0"}}}`)
	initializedBody = []byte(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)
)

// report is the JSON object printed on stdout; the package doc describes its fields.
type report struct {
	Sessions        int64            `json:"sessions"`
	Errors          int64            `json:"errors"`
	ErrorsByKind    map[string]int64 `json:"errors_by_kind"`
	Conns           int              `json:"conns"`
	OpenSeconds     float64          `json:"open_s"`
	OpenRate        float64          `json:"open_rate"`
	RSSBeforeKB     int64            `json:"rss_before_kb"`
	RSSAfterKB      int64            `json:"rss_after_kb"`
	BytesPerSession float64          `json:"bytes_per_session"`
}

func main() {
	url := flag.String("url", "http://127.0.0.1:8080/mcp", "the MCP endpoint (loopback)")
	pid := flag.Int("pid", 0, "the server's process id, to read its VmRSS")
	n := flag.Int("n", 10000, "sessions to open")
	c := flag.Int("c", 32, "workers, each with its own keep-alive connection")
	hold := flag.Duration("hold", 5*time.Second, "how long to keep the connections open after measuring")
	flag.Parse()
	if *pid <= 0 || *n < 1 || *c < 1 {
		fmt.Fprintln(os.Stderr, "idle: need -pid, -n >= 1 and -c >= 1")
		os.Exit(2)
	}
	rep, err := run(*url, *pid, *n, *c)
	if err != nil {
		fmt.Fprintf(os.Stderr, "idle: %v\n", err)
		os.Exit(1)
	}
	b, _ := json.Marshal(rep)
	fmt.Printf("%s\n", b)
	time.Sleep(*hold)
	if rep.Errors > 0 {
		os.Exit(1)
	}
}

// run opens n sessions with c workers and measures the server with process id pid.
func run(url string, pid, n, c int) (*report, error) {
	before, err := vmRSS(pid)
	if err != nil {
		return nil, err
	}
	hc := &http.Client{
		Transport: &http.Transport{
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
			MaxIdleConns:        c,
			MaxIdleConnsPerHost: c,
			MaxConnsPerHost:     c,
		},
		Timeout: 30 * time.Second,
	}
	var (
		next   atomic.Int64
		ok     atomic.Int64
		mu     sync.Mutex
		byKind = map[string]int64{} // guarded by mu
		wg     sync.WaitGroup
	)
	start := time.Now()
	for range c {
		wg.Go(func() {
			for next.Add(1) <= int64(n) {
				if kind := open(hc, url); kind != "" {
					mu.Lock()
					byKind[kind]++
					mu.Unlock()
					continue
				}
				ok.Add(1)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	time.Sleep(time.Second) // let the server finish what the last requests started
	after, err := vmRSS(pid)
	if err != nil {
		return nil, err
	}
	rep := &report{
		Sessions:     ok.Load(),
		Errors:       int64(n) - ok.Load(),
		ErrorsByKind: byKind,
		Conns:        c,
		OpenSeconds:  elapsed.Seconds(),
		OpenRate:     float64(ok.Load()) / elapsed.Seconds(),
		RSSBeforeKB:  before,
		RSSAfterKB:   after,
	}
	if rep.Sessions > 0 {
		rep.BytesPerSession = float64(after-before) * 1024 / float64(rep.Sessions)
	}
	return rep, nil
}

// open opens one session and returns "" or the kind of error that stopped it.
func open(hc *http.Client, url string) string {
	resp, kind := post(hc, url, initBody, "")
	if kind != "" {
		return kind
	}
	sid := resp.Header.Get("Mcp-Session-Id")
	if resp.StatusCode != http.StatusOK {
		return "http_" + strconv.Itoa(resp.StatusCode)
	}
	if sid == "" {
		return "no_session_id"
	}
	resp, kind = post(hc, url, initializedBody, sid)
	if kind != "" {
		return kind
	}
	if resp.StatusCode != http.StatusAccepted {
		return "http_" + strconv.Itoa(resp.StatusCode)
	}
	return ""
}

// post sends one message and reads the whole reply, so that the connection is reused. The
// returned response's body is already closed.
func post(hc *http.Client, url string, body []byte, sid string) (*http.Response, string) {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, "transport"
	}
	req.Header["Content-Type"] = []string{"application/json"}
	req.Header["Accept"] = []string{"application/json, text/event-stream"}
	if sid != "" {
		req.Header["Mcp-Session-Id"] = []string{sid}
		req.Header["Mcp-Protocol-Version"] = []string{protocolVersion}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, "transport"
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, "transport"
	}
	return resp, ""
}

// vmRSS returns the resident set size of process pid in KiB.
func vmRSS(pid int) (int64, error) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, errors.New("no VmRSS in /proc/" + strconv.Itoa(pid) + "/status")
}
