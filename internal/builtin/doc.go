// Package builtin is the demo set `minimcp serve` offers without --manifest or --openapi, so
// that a first run can be connected to and tried at once: two tools (echo answers text, add
// structured content), a resource ([AboutURI], which says how to serve your own tools) and a
// prompt with an argument (greet).
//
//	srv, tools := builtin.New(&mcp.ServerOptions{Logger: logger}, "v1.2.3")
//	h := server.New(srv, nil)
//
// It builds on package mcp alone: the transport is the caller's.
package builtin
