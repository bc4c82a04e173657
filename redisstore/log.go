package redisstore

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/redis/go-redis/v9"
)

// SetLogger sends what go-redis itself logs (a failed dial of its pool, a pub/sub
// reconnection) to l at debug level, rather than to the standard error through the standard
// log package, in a format of its own. The store reports what matters to a request as errors
// (503) and to an operator through Ping (/readyz); go-redis's own lines repeat it per dial.
// go-redis keeps one logger for the whole process, so this is process-wide: call it once,
// before Open. A nil l discards them.
func SetLogger(l *slog.Logger) {
	if l == nil {
		l = slog.New(slog.DiscardHandler)
	}
	redis.SetLogger(slogPrinter{l})
}

// slogPrinter is go-redis's logging interface over a slog.Logger.
type slogPrinter struct{ l *slog.Logger }

func (p slogPrinter) Printf(ctx context.Context, format string, v ...any) {
	if p.l.Enabled(ctx, slog.LevelDebug) {
		p.l.DebugContext(ctx, "redis: "+fmt.Sprintf(format, v...))
	}
}
