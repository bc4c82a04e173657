package mcp

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRequestContext(t *testing.T) {
	boom := errors.New("boom")
	t.Run("cancel before anyone looked", func(t *testing.T) {
		c := newRequestContext(context.Background())
		require.NoError(t, c.Err())
		c.cancelWith(boom)
		assert.ErrorIs(t, c.Err(), context.Canceled)
		assert.ErrorIs(t, context.Cause(c), boom)
		select {
		case <-c.Done():
		default:
			t.Fatal("Done not closed after cancel")
		}
	})
	t.Run("cancel while waiting", func(t *testing.T) {
		c := newRequestContext(context.Background())
		done := c.Done()
		c.cancelWith(boom)
		<-done
		assert.ErrorIs(t, context.Cause(c), boom)
		c.cancelWith(errors.New("second")) // only the first counts
		assert.ErrorIs(t, context.Cause(c), boom)
	})
	t.Run("parent cancellation", func(t *testing.T) {
		parent, cancel := context.WithCancelCause(context.Background())
		c := newRequestContext(parent)
		cancel(boom)
		assert.ErrorIs(t, c.Err(), context.Canceled, "seen without Done")
		<-c.Done()
		assert.ErrorIs(t, context.Cause(c), boom)
	})
	t.Run("children and values", func(t *testing.T) {
		type key struct{}
		parent := context.WithValue(context.Background(), key{}, "v")
		c := newRequestContext(parent)
		assert.Equal(t, "v", c.Value(key{}))
		child, stop := context.WithTimeout(c, time.Hour)
		defer stop()
		c.cancelWith(boom)
		<-child.Done()
		assert.ErrorIs(t, context.Cause(child), boom)
	})
	t.Run("release", func(t *testing.T) {
		c := newRequestContext(context.Background())
		c.release()
		assert.ErrorIs(t, c.Err(), context.Canceled)
		c2 := newRequestContext(context.Background())
		_ = c2.Done()
		c2.release()
		<-c2.Done()
	})
}
