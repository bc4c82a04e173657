package mcp

import (
	"encoding/base64"
	"strconv"

	"github.com/minimcp/minimcp/rpc"
)

// registry holds named items in registration order, which is the order they are listed in.
// It is not safe for concurrent use: the Server's mu guards every registry.
type registry[T any] struct {
	byKey map[string]T
	order []string
}

func (r *registry[T]) init() { r.byKey = make(map[string]T) }

func (r *registry[T]) len() int { return len(r.order) }

func (r *registry[T]) get(key string) (T, bool) {
	v, ok := r.byKey[key]
	return v, ok
}

// add registers v under key; it reports false if the key is taken.
func (r *registry[T]) add(key string, v T) bool {
	if _, dup := r.byKey[key]; dup {
		return false
	}
	r.byKey[key] = v
	r.order = append(r.order, key)
	return true
}

// remove deletes the keys and reports whether any was present.
func (r *registry[T]) remove(keys ...string) bool {
	removed := false
	for _, k := range keys {
		if _, ok := r.byKey[k]; !ok {
			continue
		}
		delete(r.byKey, k)
		removed = true
		for i, o := range r.order {
			if o == k {
				r.order = append(r.order[:i:i], r.order[i+1:]...)
				break
			}
		}
	}
	return removed
}

// all returns the items in order.
func (r *registry[T]) all() []T {
	out := make([]T, len(r.order))
	for i, k := range r.order {
		out[i] = r.byKey[k]
	}
	return out
}

// page returns the items of one page and the cursor of the next ("" on the last page).
//
// Cursors are opaque to clients (MCP 2025-11-25, Utilities § Pagination: "Clients MUST treat
// cursors as opaque tokens"); here they encode an offset. "Invalid cursors SHOULD result in
// an error with code -32602".
func (r *registry[T]) page(cursor string, size int) ([]T, string, error) {
	start := 0
	if cursor != "" {
		n, ok := decodeCursor(cursor)
		if !ok || n > len(r.order) {
			return nil, "", rpc.InvalidParams("invalid cursor %q", cursor)
		}
		start = n
	}
	end := min(start+size, len(r.order))
	out := make([]T, 0, end-start)
	for _, k := range r.order[start:end] {
		out = append(out, r.byKey[k])
	}
	next := ""
	if end < len(r.order) {
		next = encodeCursor(end)
	}
	return out, next, nil
}

const cursorPrefix = "minimcp:"

func encodeCursor(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + strconv.Itoa(offset)))
}

func decodeCursor(c string) (int, bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) <= len(cursorPrefix) || string(b[:len(cursorPrefix)]) != cursorPrefix {
		return 0, false
	}
	n, err := strconv.Atoi(string(b[len(cursorPrefix):]))
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}

// cursorOf reads the cursor of a list request's params.
func cursorOf(r *Request) (string, error) {
	var p struct {
		Cursor string `json:"cursor"`
	}
	if err := unmarshalParams(r.Params, &p); err != nil {
		return "", err
	}
	return p.Cursor, nil
}
