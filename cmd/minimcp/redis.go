package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"time"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/redisstore"
	"github.com/minimcp/minimcp/server"
)

/*
Design note: --redis.

With --redis URL, replicas of serve (or conformance) opened on the same Redis and prefix are
one server: sessions, the events of resumable streams, the bus of subscriptions/listen and
tasks live in Redis (package redisstore), and the relay between replicas goes through it, so
a balancer needs no affinity. The store is
opened before the server is built, and serve starts whether or not Redis answers: while it
does not, /readyz answers 503 and requests that need it 503 with Retry-After, and service
resumes by itself when it does; a warning at start says so.
*/

// redisConfig is what the --redis flags say.
type redisConfig struct {
	url           string
	prefix        string
	timeout       time.Duration
	poolSize      int
	sessionMaxAge time.Duration
	streamMaxLen  int
	maxFollowers  int
}

// register declares the --redis flags on fs.
func (rc *redisConfig) register(fs *flag.FlagSet) {
	fs.StringVar(&rc.url, "redis", "", "share sessions, resumable streams, the subscriptions bus and tasks with every replica on this Redis: redis://[user:password@]host:port[/db], rediss:// for TLS; unset: this process alone")
	fs.StringVar(&rc.prefix, "redis-prefix", redisstore.DefaultPrefix, "prefix of every key in Redis; replicas serving one endpoint share it, other deployments on the same Redis use another")
	fs.DurationVar(&rc.timeout, "redis-timeout", redisstore.DefaultTimeout, "bound on each call to Redis; a request that needs Redis when it does not answer in time gets 503")
	fs.IntVar(&rc.poolSize, "redis-pool-size", redisstore.DefaultPoolSize, "most connections to Redis for commands (the bus holds one more)")
	fs.DurationVar(&rc.sessionMaxAge, "session-max-age", redisstore.DefaultSessionMaxAge, "with --redis, the longest a session lives in Redis, however active (its idle expiry is --session-idle-timeout); 0: no cap")
	fs.IntVar(&rc.streamMaxLen, "redis-stream-max-len", redisstore.DefaultStreamMaxLen, "with --redis, the events one SSE stream keeps for resumption, about (XADD MAXLEN ~); --max-session-event-bytes bounds them too")
	fs.IntVar(&rc.maxFollowers, "redis-max-followers", redisstore.DefaultMaxFollowers, "with --redis, most streams written on other replicas that this one follows at once for resuming clients, each holding a connection to Redis; a resume beyond it gets the stored events, then the stream ends")
}

// check validates the flags; the error names the flag.
func (rc *redisConfig) check() error {
	switch {
	case rc.timeout <= 0:
		return fmt.Errorf("--redis-timeout: must be positive, got %v", rc.timeout)
	case rc.poolSize <= 0:
		return fmt.Errorf("--redis-pool-size: must be positive, got %d", rc.poolSize)
	case rc.sessionMaxAge < 0:
		return fmt.Errorf("--session-max-age: must not be negative, got %v", rc.sessionMaxAge)
	case rc.streamMaxLen <= 0:
		return fmt.Errorf("--redis-stream-max-len: must be positive, got %d", rc.streamMaxLen)
	case rc.maxFollowers <= 0:
		return fmt.Errorf("--redis-max-followers: must be positive, got %d", rc.maxFollowers)
	case rc.prefix == "":
		return fmt.Errorf("--redis-prefix: must not be empty")
	}
	if rc.url == "" {
		return nil
	}
	st, err := redisstore.Open(rc.url, nil) // checks the URL; connects to nothing
	if err != nil {
		return fmt.Errorf("--redis: %v", err)
	}
	return st.Close()
}

// open connects to Redis with the caps given; it warns, and goes on, when Redis does not
// answer yet.
func (rc *redisConfig) open(ctx context.Context, o redisstore.Options, logger *slog.Logger) (*redisstore.Store, error) {
	o.Prefix, o.Timeout, o.PoolSize, o.StreamMaxLen = rc.prefix, rc.timeout, rc.poolSize, rc.streamMaxLen
	o.MaxFollowers = rc.maxFollowers
	o.SessionMaxAge = rc.sessionMaxAge
	if o.SessionMaxAge == 0 {
		o.SessionMaxAge = -1 // the store: negative means no cap
	}
	// go-redis's own lines (each failed dial) go to the log at debug level, in its format.
	redisstore.SetLogger(logger)
	st, err := redisstore.Open(rc.url, &o)
	if err != nil {
		return nil, err
	}
	if err := st.Ping(ctx); err != nil {
		logger.Warn("redis does not answer yet; /readyz fails and requests that need it get 503 until it does", "err", err)
	}
	return st, nil
}

// redisOptions are the store's caps for serve's flags: the session caps the server would
// enforce itself (server.Options ignores them with a shared store), the per-session event
// bytes, and room for ten times the tasks that may run, as the memory task store has.
func redisOptions(cfg *serveConfig) redisstore.Options {
	o := redisstore.Options{
		SessionIdleTimeout: cfg.IdleTimeout, // negative: never, as for the server
		MaxSessions:        cfg.MaxSessions,
		SessionEventBytes:  cfg.SessionEventBytes,
		MaxTasks:           10 * cfg.MaxTasks,
	}
	if cfg.Auth.Enabled() {
		switch {
		case cfg.MaxPerPrincipal == 0:
			o.MaxSessionsPerPrincipal = max(cfg.MaxSessions/10, 1)
		case cfg.MaxPerPrincipal > 0:
			o.MaxSessionsPerPrincipal = cfg.MaxPerPrincipal
		}
	}
	return o
}

// useRedis points the server's and the transport's options at st; the transport waits for
// each call to it as long as --redis-timeout lets the store try (server.Options.StoreTimeout).
func (rc *redisConfig) useRedis(st *redisstore.Store, mo *mcp.ServerOptions, so *server.Options) {
	if mo != nil {
		mo.Bus, mo.TaskStore = st.Bus(), st.Tasks()
	}
	if so != nil {
		so.Sessions, so.Events, so.Relay = st.Sessions(), st.Events(), st.Relay()
		so.StoreTimeout = rc.timeout
	}
}
