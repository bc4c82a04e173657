package interop

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Bounds on the processes the tests start, so a server that hangs fails the test instead of
// the run.
const (
	// startTimeout bounds the wait for a started server to answer /healthz.
	startTimeout = 15 * time.Second
	// stopTimeout bounds the graceful stop (SIGTERM) of a server before it is killed.
	stopTimeout = 5 * time.Second
	// startAttempts is how many free ports are tried: another process may take the port
	// between the probe that found it free and the server's bind.
	startAttempts = 3
)

// logBuffer collects a process's output; safe for the process's writer goroutines and the
// test reading it.
type logBuffer struct {
	mu sync.Mutex
	// buf is guarded by mu.
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// serveHTTP starts `minimcp serve --addr 127.0.0.1:PORT args...` on a free loopback port,
// waits until it answers /healthz, and returns its base URL ("http://127.0.0.1:PORT"). The
// server is stopped (SIGTERM, then SIGKILL after stopTimeout) when t ends; its output is
// logged if t failed.
//
// Close the clients' idle connections before the server stops (a t.Cleanup registered after
// serveHTTP runs first): http.Transport keeps connections it dialed for a request that
// another connection served, and http.Server.Shutdown waits 5 s for such connections that
// never sent a request.
func serveHTTP(t *testing.T, args ...string) string {
	t.Helper()
	return runHTTP(t, "serve", args...)
}

// runHTTP is serveHTTP for another minimcp command that serves HTTP on --addr (conformance).
func runHTTP(t *testing.T, command string, args ...string) string {
	t.Helper()
	return runProcess(t, command, args...).base
}

// process is a minimcp command serving HTTP, started by runProcess.
type process struct {
	// base is its URL, "http://127.0.0.1:PORT".
	base string
	cmd  *exec.Cmd
	// exited receives cmd.Wait's result once; never closed.
	exited <-chan error
	logs   *logBuffer
}

// kill ends the process with SIGKILL, as a crash would, and waits for it to exit; the
// cleanup that stops it later is then a no-op.
func (p *process) kill() {
	_ = p.cmd.Process.Kill()
	<-p.exited
	p.exited = nil
}

// runProcess starts `minimcp COMMAND --addr 127.0.0.1:PORT args...` on a free loopback port
// and waits until it answers /healthz, as serveHTTP does, and returns the process.
func runProcess(t *testing.T, command string, args ...string) *process {
	t.Helper()
	var lastErr error
	for range startAttempts {
		addr, err := freeAddr()
		require.NoError(t, err)
		p, err := startHTTP(t, addr, command, args)
		if err == nil {
			return p
		}
		lastErr = err
	}
	require.NoError(t, lastErr, "starting minimcp %s %s", command, strings.Join(args, " "))
	return nil
}

// startHTTP is one attempt of runProcess at addr.
func startHTTP(t *testing.T, addr, command string, args []string) (*process, error) {
	t.Helper()
	logs := &logBuffer{}
	cmd := exec.Command(minimcpBin, append([]string{command, "--addr", addr}, args...)...)
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	exited := make(chan error, 1) // receives cmd.Wait's result; never closed
	go func() { exited <- cmd.Wait() }()

	p := &process{base: "http://" + addr, cmd: cmd, exited: exited, logs: logs}
	if err := waitHealthy(p.base, exited); err != nil {
		stopProcess(cmd, exited)
		return nil, fmt.Errorf("%w; server output:\n%s", err, logs)
	}
	t.Cleanup(func() {
		if p.exited != nil {
			stopProcess(cmd, p.exited)
		}
		if t.Failed() {
			t.Logf("minimcp %s %s output:\n%s", command, strings.Join(args, " "), logs)
		}
	})
	return p, nil
}

// waitHealthy polls base+"/healthz" until it answers 200, the process exits, or
// startTimeout passes.
func waitHealthy(base string, exited <-chan error) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(startTimeout)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			return fmt.Errorf("minimcp serve exited before answering /healthz: %v", err)
		default:
		}
		resp, err := client.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return errors.New("minimcp serve did not answer /healthz within " + startTimeout.String())
}

// stopProcess asks cmd to stop with SIGTERM and kills it if it has not exited after
// stopTimeout. exited is the channel receiving cmd.Wait's result.
func stopProcess(cmd *exec.Cmd, exited <-chan error) {
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(stopTimeout):
		_ = cmd.Process.Kill()
		<-exited
	}
}

// freeAddr returns a loopback address with a port that was free a moment ago.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// postJSON sends one JSON-RPC message to an MCP endpoint as a Streamable HTTP client would,
// with extra headers, and returns the status and body. It is for checks the SDK client
// cannot make, such as reusing a session id after the session has ended.
func postJSON(ctx context.Context, client *http.Client, url, body string, header map[string]string) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, err = b.ReadFrom(resp.Body)
	return resp.StatusCode, b.String(), err
}
