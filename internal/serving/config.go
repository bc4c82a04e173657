package serving

import (
	"log/slog"
	"time"

	"github.com/minimcp/minimcp/internal/bearer"
	"github.com/minimcp/minimcp/internal/cliflag"
	"github.com/minimcp/minimcp/internal/manifest"
	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/server"
)

// Config is what the serve flags say, checked by cmd/minimcp.
type Config struct {
	Addr            string
	Path            string
	Stateless       bool
	Era             cliflag.Era
	Response        server.ResponseMode
	ResponseName    string
	IdleTimeout     time.Duration // as the server takes it: negative means never
	MaxSessions     int
	MaxPerPrincipal int
	AllowedOrigins  cliflag.StringList
	AllowedHosts    cliflag.StringList
	// Auth is what the --auth-* flags say (see cmd/minimcp/auth.go).
	Auth      bearer.Config
	ReplicaID string
	Stdio     bool
	LegacySSE bool
	LogJSON   bool
	LogLevel  slog.Level
	Manifest  string
	// OpenAPI is --openapi and the flags that go with it; Spec is "" without it.
	OpenAPI         manifest.OpenAPI
	ShutdownTimeout time.Duration
	DrainDelay      time.Duration
	PollAfter       time.Duration
	// MaxSubscriptions and MaxURILength bound what a session keeps for resources/subscribe,
	// and the URIs of one subscriptions/listen.
	MaxSubscriptions int
	MaxURILength     int
	// MaxListens and MaxListensPerPrincipal bound the subscriptions/listen streams open at
	// once (server.Options and StdioOptions.MaxListens; 0 means their defaults); KeepAlive is
	// server.Options.KeepAlive (negative: none).
	MaxListens             int
	MaxListensPerPrincipal int
	KeepAlive              time.Duration
	// BodyReadTimeout, MaxBodyBytesInFlight, WriteTimeout and LegacyMaxInFlight are the
	// server.Options fields of the same names.
	BodyReadTimeout      time.Duration
	MaxBodyBytesInFlight int64
	WriteTimeout         time.Duration
	LegacyMaxInFlight    int
	// MaxProcesses bounds the programs of exec tools running at once.
	MaxProcesses int
	// MaxBodyBytes, SessionEventBytes and EventBytes are server.Options.MaxBodyBytes and the
	// caps of the event store kept for resumption.
	MaxBodyBytes      int64
	SessionEventBytes int
	EventBytes        int
	// ClientRequestTimeout is mcp.ServerOptions.ClientRequestTimeout.
	ClientRequestTimeout time.Duration
	// StateKeys and StateTTL are mcp.ServerOptions.StateKeys and StateTTL: what seals the
	// requestState of 2026-07-28 input-required results, and how long it is accepted.
	StateKeys [][]byte
	StateTTL  time.Duration
	// MaxStateBytes is mcp.ServerOptions.MaxStateBytes.
	MaxStateBytes int
	// TaskTTL, TaskLease, MaxTasks and MaxTasksPerPrincipal are the task options of
	// mcp.ServerOptions (the tasks extension).
	TaskTTL, TaskLease                                 time.Duration
	MaxTasks, MaxTasksPerPrincipal, MaxTaskResultBytes int
	// Metrics counts what the server does (--metrics), nil when off; MetricsAddr is the
	// listener of its own for /metrics and Pprof (--metrics-addr), "" for beside the MCP
	// endpoint; Pprof serves net/http/pprof there (--pprof); AccessLog logs each request
	// (--access-log). See the design note in observe.go.
	Metrics     *server.Metrics
	MetricsAddr string
	Pprof       bool
	AccessLog   bool
	// Version is minimcp's version: the built-in set's serverInfo and the manifest's default,
	// and the start-up line.
	Version string
	// Stores, if set, points the options at stores shared between replicas (--redis): it is
	// called with the server's options (so nil) and then with the transport's (mo nil).
	Stores func(mo *mcp.ServerOptions, so *server.Options)
}
