package redisstore_test

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/redisstore"
)

// TestSetLogger: go-redis's own line about a failed dial reaches the slog logger at debug
// level, and nothing of it goes elsewhere.
func TestSetLogger(t *testing.T) {
	var buf bytes.Buffer
	redisstore.SetLogger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	t.Cleanup(func() { redisstore.SetLogger(nil) })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close()) // nothing listens there now
	st, err := redisstore.Open("redis://"+addr+"/0", nil)
	require.NoError(t, err)
	defer st.Close()
	require.Error(t, st.Ping(context.Background()))
	assert.Contains(t, buf.String(), "level=DEBUG msg=\"redis: ")
	assert.Contains(t, buf.String(), "connection refused")
}
