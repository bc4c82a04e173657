package server_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/minimcp/minimcp/server"
)

func TestAccepts(t *testing.T) {
	tests := []struct {
		accept    string
		json, sse bool
	}{
		{"", true, true},
		{"application/json, text/event-stream", true, true},
		{"text/event-stream", false, true},
		{"Application/JSON", true, false},
		{"*/*", true, true},
		{"text/*;q=0.5, application/*", true, true},
		{"text/html", false, false},
		{"application/json;q=0, text/event-stream", false, true},
		{"application/json; q=0.000", false, false},
		{"application/json; q=0.1", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.accept, func(t *testing.T) {
			j, s := server.Accepts(tt.accept)
			assert.Equal(t, tt.json, j, "json")
			assert.Equal(t, tt.sse, s, "sse")
		})
	}
}

func TestContentTypeAndHost(t *testing.T) {
	for ct, ok := range map[string]bool{
		"application/json": true, "application/json; charset=utf-8": true, "APPLICATION/JSON": true,
		" application/json ;charset=utf-8": true, "application/jsonx": false, "text/plain": false, "": false,
		"application/json-seq": false,
	} {
		assert.Equal(t, ok, server.IsJSONContentType(ct), ct)
	}
	for in, want := range map[string]string{
		"localhost:8080": "localhost", "[::1]:80": "::1", "[::1]": "::1", "example.com": "example.com",
		"::1": "::1", "127.0.0.1:9": "127.0.0.1",
	} {
		assert.Equal(t, want, server.HostOnly(in), in)
	}
	for host, ok := range map[string]bool{
		"localhost": true, "LOCALHOST.": true, "app.localhost": true, "127.0.0.1": true, "127.1.2.3": true,
		"::1": true, "[::1]": true, "evil.example.com": false, "10.0.0.1": false, "": false, "localhost.evil.com": false,
	} {
		assert.Equal(t, ok, server.IsLoopbackName(host), host)
	}
}
