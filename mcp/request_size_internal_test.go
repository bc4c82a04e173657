package mcp

import (
	"testing"
	"unsafe"
)

// TestRequestSize: a Request stays in the 240-byte allocation size class, where it was before
// middleware and transport trace contexts: every request allocates one, so a field more would
// cost every request 16 bytes, middleware or not. Find room (a hole, a rarely used field moved
// behind a pointer) before raising this.
func TestRequestSize(t *testing.T) {
	if n := unsafe.Sizeof(Request{}); n > 240 {
		t.Errorf("Request is %d bytes, over 240", n)
	}
}
