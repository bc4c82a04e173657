package redisstore_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minimcp/minimcp/internal/leak"
	"github.com/minimcp/minimcp/redisstore"
)

// shared is the redis-server most tests use, each under a prefix of its own; nil when
// redis-server is not installed (outside CI).
var shared *redisServer

// missing says why there is no redis-server, when there is none.
var missing string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if _, err := exec.LookPath("redis-server"); err != nil {
		missing = "redis-server is not installed (Debian: apt-get install redis-server); the redisstore tests need a real Redis"
		if os.Getenv("CI") != "" {
			fmt.Fprintln(os.Stderr, "redisstore: "+missing+", and CI is set: failing")
			return 1
		}
	} else {
		dir, err := os.MkdirTemp("", "redisstore-test-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		shared, err = startRedisServer(dir, 0)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer shared.stop()
	}
	return leak.Check(m)
}

// redisServer is a redis-server process of the tests, on a loopback port.
type redisServer struct {
	dir  string
	port int
	cmd  *exec.Cmd
}

// freePort returns a loopback port nothing listens on (redis-server refuses --port 0).
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// startRedisServer starts redis-server with no persistence in dir, on port (a free one if
// zero), and waits until it answers.
func startRedisServer(dir string, port int, extra ...string) (*redisServer, error) {
	if port == 0 {
		var err error
		if port, err = freePort(); err != nil {
			return nil, err
		}
	}
	args := []string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", dir, "--protected-mode", "yes"}
	cmd := exec.Command("redis-server", append(args, extra...)...)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting redis-server: %w", err)
	}
	// No goroutine waits for the process (the leak check would count it): stop does.
	rs := &redisServer{dir: dir, port: port, cmd: cmd}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if len(extra) > 0 {
			// A server with a password or TLS answers PING otherwise: wait for the port only.
			c, err := net.DialTimeout("tcp", rs.addr(), 100*time.Millisecond)
			if err == nil {
				c.Close()
				return rs, nil
			}
			if time.Now().After(deadline) {
				rs.stop()
				return nil, fmt.Errorf("redis-server on port %d did not listen within 10s", port)
			}
			time.Sleep(20 * time.Millisecond)
			continue
		}
		c, err := net.DialTimeout("tcp", rs.addr(), 100*time.Millisecond)
		if err == nil {
			_, err = c.Write([]byte("PING\r\n"))
			buf := make([]byte, 7)
			if err == nil {
				_ = c.SetReadDeadline(time.Now().Add(time.Second))
				_, err = c.Read(buf)
			}
			c.Close()
			if err == nil && string(buf) == "+PONG\r\n" {
				return rs, nil
			}
		}
		if time.Now().After(deadline) {
			rs.stop()
			return nil, fmt.Errorf("redis-server on port %d did not answer within 10s (port taken?)", port)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (rs *redisServer) addr() string { return "127.0.0.1:" + strconv.Itoa(rs.port) }
func (rs *redisServer) url() string  { return "redis://" + rs.addr() + "/0" }

// stop kills the process and waits for it.
func (rs *redisServer) stop() {
	_ = rs.cmd.Process.Kill()
	_ = rs.cmd.Wait()
}

// needRedis skips t when there is no redis-server outside CI (TestMain fails in CI).
func needRedis(t testing.TB) {
	t.Helper()
	if shared == nil {
		t.Skip("skipped: " + missing)
	}
}

var prefixes atomic.Int64

// open returns a Store on the shared redis-server under a prefix of the test's own, closed
// (its keys deleted) at the end of the test.
func open(t testing.TB, opts *redisstore.Options) *redisstore.Store {
	t.Helper()
	needRedis(t)
	o := redisstore.Options{}
	if opts != nil {
		o = *opts
	}
	if o.Prefix == "" {
		o.Prefix = fmt.Sprintf("test%d:", prefixes.Add(1))
	}
	st, err := redisstore.Open(shared.url(), &o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		keys, _ := st.Client().Keys(ctx, o.Prefix+"*").Result()
		if len(keys) > 0 {
			st.Client().Del(ctx, keys...)
		}
		_ = st.Close()
	})
	return st
}
