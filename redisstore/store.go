package redisstore

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"github.com/minimcp/minimcp/server"
)

// Defaults of [Options] fields left zero.
const (
	DefaultPrefix = "minimcp:"
	// DefaultTimeout bounds each call to Redis, retries included: long enough for a loaded
	// Redis, short enough that a request fails (503) rather than hangs when it is gone.
	DefaultTimeout = 2 * time.Second
	// DefaultDialTimeout bounds the opening of a connection.
	DefaultDialTimeout = time.Second
	// DefaultPoolSize is the most connections to Redis a process holds for commands (the bus
	// holds one more).
	DefaultPoolSize = 64
	// DefaultSessionMaxAge is the hard cap on a session's life, however active it is.
	DefaultSessionMaxAge = 24 * time.Hour
	// DefaultStreamMaxLen is the length a stream of events is trimmed to (approximately).
	DefaultStreamMaxLen = 1000
	// DefaultMaxFollowers is the most streams a process follows at once.
	DefaultMaxFollowers = 256
)

// ErrUnavailable is wrapped by the errors of calls that could not reach Redis (refused,
// timed out, connection lost).
var ErrUnavailable = errors.New("redisstore: redis unavailable")

// Options configures a [Store]. The zero value of every field means its default.
type Options struct {
	// Prefix starts every key. If empty, [DefaultPrefix].
	Prefix string
	// Timeout bounds each call to Redis, retries included. If zero, [DefaultTimeout].
	Timeout time.Duration
	// DialTimeout bounds the opening of a connection. If zero, [DefaultDialTimeout].
	DialTimeout time.Duration
	// PoolSize caps the connections for commands; a call that finds them all busy waits for
	// one, within Timeout. If zero, [DefaultPoolSize].
	PoolSize int

	// SessionIdleTimeout is the sliding expiry of a session record: it expires this long
	// after the last activity a replica reported (Touch), so a session whose every replica
	// died is forgotten. Set it to the server's SessionIdleTimeout. If zero,
	// [server.DefaultSessionIdleTimeout]; negative means no sliding expiry (SessionMaxAge
	// still applies).
	SessionIdleTimeout time.Duration
	// SessionMaxAge is the hard cap on a session's life from its creation, however active.
	// If zero, [DefaultSessionMaxAge]; negative means none.
	SessionMaxAge time.Duration
	// MaxSessions caps the sessions held, all replicas together; Create fails with
	// [server.ErrSessionLimit] beyond it. Zero means no cap.
	MaxSessions int
	// MaxSessionsPerPrincipal caps the sessions of one principal; Create fails with
	// [server.ErrPrincipalSessionLimit] beyond it. Zero means no cap.
	MaxSessionsPerPrincipal int

	// SessionEventBytes caps the bytes of SSE events one session keeps for replay; past it
	// the oldest go first. If zero, [server.DefaultSessionEventBytes].
	SessionEventBytes int
	// StreamMaxLen trims each SSE stream's Redis Stream to about this many events (XADD
	// MAXLEN ~). If zero, [DefaultStreamMaxLen].
	StreamMaxLen int

	// MaxTasks caps the task records held, all replicas together; Create fails with
	// [mcp.ErrTaskLimit] beyond it. Zero means no cap.
	MaxTasks int
	// MaxTasksPerPrincipal caps the task records of one principal; Create fails with
	// [mcp.ErrPrincipalTaskLimit] beyond it. Zero means no cap.
	MaxTasksPerPrincipal int

	// MaxFollowers caps the streams this process follows at once ([EventStore.Follow]), each
	// holding a connection of its own while it waits; Follow beyond it fails. If zero,
	// [DefaultMaxFollowers].
	MaxFollowers int
}

// Store is a connection to Redis and the stores built on it. It is safe for concurrent use.
// Close it when done: it owns the connection pool and the bus's subscriber goroutine.
type Store struct {
	rdb  *redis.Client
	opts Options
	// block is the client of blocking reads (Follow), apart from rdb's pool.
	block *redis.Client
	// followers holds a token per Follow running; its capacity is MaxFollowers.
	followers chan struct{}

	sessions *SessionStore
	events   *EventStore
	tasks    *TaskStore
	bus      *Bus
	relay    *Relay

	closeOnce sync.Once
}

// Open connects to the Redis at url (redis://[user:password@]host:port[/db], rediss:// for
// TLS). It does not wait for Redis to answer: see [Store.Ping]. It returns an error only
// for a bad URL.
func Open(url string, opts *Options) (*Store, error) {
	ro, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("redisstore: %w", err)
	}
	return newStore(ro, opts), nil
}

func newStore(ro *redis.Options, opts *Options) *Store {
	s := &Store{}
	if opts != nil {
		s.opts = *opts
	}
	o := &s.opts
	if o.Prefix == "" {
		o.Prefix = DefaultPrefix
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.DialTimeout <= 0 {
		o.DialTimeout = DefaultDialTimeout
	}
	if o.PoolSize <= 0 {
		o.PoolSize = DefaultPoolSize
	}
	if o.SessionIdleTimeout == 0 {
		o.SessionIdleTimeout = server.DefaultSessionIdleTimeout
	}
	if o.SessionMaxAge == 0 {
		o.SessionMaxAge = DefaultSessionMaxAge
	}
	if o.SessionEventBytes <= 0 {
		o.SessionEventBytes = server.DefaultSessionEventBytes
	}
	if o.StreamMaxLen <= 0 {
		o.StreamMaxLen = DefaultStreamMaxLen
	}
	if o.MaxFollowers <= 0 {
		o.MaxFollowers = DefaultMaxFollowers
	}
	ro.DialTimeout = o.DialTimeout
	ro.ReadTimeout = o.Timeout
	ro.WriteTimeout = o.Timeout
	ro.ContextTimeoutEnabled = true
	ro.PoolSize = o.PoolSize
	// Bounded: without MaxActiveConns the pool opens connections beyond PoolSize.
	ro.MaxActiveConns = o.PoolSize
	ro.PoolTimeout = o.Timeout
	// One retry: a connection Redis closed (a restart) is replaced at once; a Redis that is
	// down is not knocked at for the whole timeout.
	ro.MaxRetries = 1
	// One dial per attempt: go-redis would otherwise dial five times, 100 ms apart, before
	// reporting a refused connection, so that a request would wait most of a second to learn
	// that Redis is down.
	ro.DialerRetries = 1
	ro.DisableIdentity = true
	ro.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	bo := *ro
	bo.PoolSize, bo.MaxActiveConns = o.MaxFollowers, o.MaxFollowers
	bo.PipelinePoolSize = -1
	s.rdb = redis.NewClient(ro)
	s.block = redis.NewClient(&bo)
	s.followers = make(chan struct{}, o.MaxFollowers)
	s.sessions = &SessionStore{s: s}
	s.events = &EventStore{s: s, keys: eventKeys{o.Prefix}}
	s.tasks = &TaskStore{s: s}
	s.bus = &Bus{s: s}
	s.relay = &Relay{s: s, subs: make(map[*relaySub]struct{})}
	return s
}

// Client returns the underlying client, for what the stores do not cover (and for tests).
func (s *Store) Client() *redis.Client { return s.rdb }

// Prefix returns the prefix of the store's keys.
func (s *Store) Prefix() string { return s.opts.Prefix }

// Sessions returns the session store.
func (s *Store) Sessions() *SessionStore { return s.sessions }

// Events returns the event store.
func (s *Store) Events() *EventStore { return s.events }

// Tasks returns the task store.
func (s *Store) Tasks() *TaskStore { return s.tasks }

// Bus returns the bus.
func (s *Store) Bus() *Bus { return s.bus }

// Relay returns the relay between replicas.
func (s *Store) Relay() *Relay { return s.relay }

// Ping checks that Redis answers, within the call timeout. It is what /readyz asks.
func (s *Store) Ping(ctx context.Context) error {
	ctx, cancel := s.call(ctx)
	defer cancel()
	return s.wrap(s.rdb.Ping(ctx).Err())
}

// Close stops the bus's subscriber and closes the connections. Calls after Close fail.
func (s *Store) Close() error {
	var err error
	s.closeOnce.Do(func() {
		s.bus.close()
		s.relay.close()
		err = errors.Join(s.rdb.Close(), s.block.Close())
	})
	return err
}

// call bounds one call to Redis by the timeout.
func (s *Store) call(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, s.opts.Timeout)
}

// wrap marks the errors that mean Redis could not be reached with ErrUnavailable; Redis's
// own answers (a script error) and nil pass as they are.
func (s *Store) wrap(err error) error {
	if err == nil || errors.Is(err, redis.Nil) {
		return err
	}
	var ne net.Error
	switch {
	case errors.As(err, &ne), errors.Is(err, context.DeadlineExceeded), errors.Is(err, redis.ErrClosed),
		errors.Is(err, redis.ErrPoolTimeout), errors.Is(err, net.ErrClosed), isConnErr(err):
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return fmt.Errorf("redisstore: %w", err)
}

// isConnErr reports errors of a connection Redis dropped or is not yet serving on.
func isConnErr(err error) bool {
	var oe *net.OpError
	if errors.As(err, &oe) {
		return true
	}
	msg := err.Error()
	for _, s := range []string{"EOF", "connection reset", "broken pipe", "LOADING", "connection refused"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// created returns what a create script of a session or task answered: n is 0 when the record
// was stored, 1 when the store holds limit records already, 2 when the principal holds its
// share (principalLimit), 3 when the id is taken.
func (s *Store) created(n int, err error, limit, principalLimit error, kind string) error {
	if err != nil {
		return s.wrap(err)
	}
	switch n {
	case 1:
		return limit
	case 2:
		return principalLimit
	case 3:
		return errors.New("redisstore: " + kind + " id already in use")
	}
	return nil
}
