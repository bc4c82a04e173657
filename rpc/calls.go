package rpc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"

	json "github.com/goccy/go-json"
)

// ErrCallsClosed is returned by [Calls.Call] after [Calls.Close] when Close was given no error.
var ErrCallsClosed = errors.New("rpc: connection closed before the peer replied")

// Calls tracks the requests this side sends to its peer (for an MCP server: sampling,
// elicitation and roots requests to the client) and hands each response to the goroutine
// waiting for it. The zero value is ready to use; it allocates nothing until the first call.
// All methods are safe for concurrent use.
type Calls struct {
	mu sync.Mutex
	// next is the last id issued; guarded by mu.
	next int64
	// prefix, when set, makes the ids strings: prefix and next; guarded by mu.
	prefix string
	// pending maps the id of each request in flight to the channel its caller waits on. Each
	// channel has capacity 1, receives exactly one response from Deliver and is never closed.
	// Guarded by mu.
	pending map[ID]chan callResult
	// closed, once set, fails every call; guarded by mu.
	closed error
}

// callResult is what a waiting call receives: the peer's response, or the error that ended it.
type callResult struct {
	m   *Message
	err error
}

// Call sends a request built from method and params (encoded with goccy/go-json unless it is
// a json.RawMessage) through send and waits for the peer's response, ctx's end, or Close.
//
// It returns the raw result, or the peer's *Error, or ctx's error wrapped with the method name.
// send is called once, synchronously, with the encoded request; its error aborts the call.
func (c *Calls) Call(ctx context.Context, method string, params any, send func(ctx context.Context, msg []byte) error) (json.RawMessage, error) {
	var raw json.RawMessage
	if params != nil {
		var err error
		if raw, err = EncodeResult(params); err != nil {
			return nil, fmt.Errorf("rpc: encoding params of %s: %w", method, err)
		}
	}
	ch := make(chan callResult, 1)
	c.mu.Lock()
	if c.closed != nil {
		err := c.closed
		c.mu.Unlock()
		return nil, err
	}
	c.next++
	id := Int64ID(c.next)
	if c.prefix != "" {
		id = StringID(c.prefix + strconv.FormatInt(c.next, 10))
	}
	if c.pending == nil {
		c.pending = make(map[ID]chan callResult)
	}
	c.pending[id] = ch
	c.mu.Unlock()

	if err := send(ctx, AppendRequest(nil, id, method, raw)); err != nil {
		c.forget(id)
		return nil, err
	}
	select {
	case r := <-ch:
		if r.err != nil {
			return nil, r.err
		}
		if r.m.Error != nil {
			return nil, r.m.Error
		}
		return r.m.Result, nil
	case <-ctx.Done():
		c.forget(id)
		return nil, fmt.Errorf("rpc: %s: no reply from the peer: %w", method, context.Cause(ctx))
	}
}

// SetIDPrefix makes the ids of later calls strings, prefix followed by a counter, instead of
// integers: peers see ids unique across the Calls that use different prefixes (the replicas
// serving one session). prefix must need no escaping in a JSON string.
func (c *Calls) SetIDPrefix(prefix string) {
	c.mu.Lock()
	c.prefix = prefix
	c.mu.Unlock()
}

func (c *Calls) forget(id ID) {
	c.mu.Lock()
	delete(c.pending, id)
	c.mu.Unlock()
}

// Deliver hands a response from the peer to the call waiting for it. It reports false when
// no call with that id is waiting (already answered, timed out, or never sent), so the caller
// can log the stray reply. The response is copied: m and the input it aliases may be reused
// as soon as Deliver returns (transports recycle their read buffers).
func (c *Calls) Deliver(m *Message) bool {
	if m.Kind != KindResponse {
		return false
	}
	c.mu.Lock()
	ch, ok := c.pending[m.ID]
	delete(c.pending, m.ID)
	c.mu.Unlock()
	if ok {
		cp := &Message{Kind: KindResponse, ID: m.ID, Result: bytes.Clone(m.Result)}
		if m.Error != nil {
			e := *m.Error
			e.Data = bytes.Clone(e.Data)
			cp.Error = &e
		}
		ch <- callResult{m: cp} // capacity 1 and deleted above: never blocks
	}
	return ok
}

// Pending returns the number of calls waiting for a reply.
func (c *Calls) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.pending)
}

// Close fails every waiting call and every later one with err (or [ErrCallsClosed] if nil).
func (c *Calls) Close(err error) {
	if err == nil {
		err = ErrCallsClosed
	}
	c.mu.Lock()
	c.closed = err
	pending := c.pending
	c.pending = nil
	c.mu.Unlock()
	for _, ch := range pending {
		ch <- callResult{err: err}
	}
}
