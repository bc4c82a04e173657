package serving

import (
	"bytes"
	"log/slog"
	"testing"
	"time"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNewLoggerDurations checks that both log formats print a duration as Go writes it ("10s"),
// not as JSON's integer nanoseconds, at the top level and inside groups.
func TestNewLoggerDurations(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			logger := NewLogger(&buf, &Config{LogJSON: format == "json"})
			logger.Info("shutting down", "timeout", 10*time.Second,
				slog.Group("call", "elapsed", 1500*time.Millisecond), "n", 3)
			line := buf.String()
			if format == "json" {
				var rec struct {
					Timeout string `json:"timeout"`
					Call    struct {
						Elapsed string `json:"elapsed"`
					} `json:"call"`
					N int `json:"n"`
				}
				require.NoError(t, json.Unmarshal([]byte(line), &rec), line)
				assert.Equal(t, "10s", rec.Timeout)
				assert.Equal(t, "1.5s", rec.Call.Elapsed)
				assert.Equal(t, 3, rec.N, "other kinds are left alone")
				return
			}
			assert.Contains(t, line, " timeout=10s ")
			assert.Contains(t, line, " call.elapsed=1.5s ")
			assert.Contains(t, line, " n=3")
		})
	}
}
