package mcp_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/mcp"
)

// hintOf sends a 2026-07-28 request of method with params (members after _meta) and returns
// the ttlMs (-1 when absent), the cacheScope and the nextCursor of its result.
func hintOf(t *testing.T, s *mcp.Server, method, params string) (ttl int64, scope, next string) {
	t.Helper()
	if params != "" {
		params = "," + params
	}
	got := handleOne(t, s, &mcp.Inbound{ProtocolVersion: mcp.Version20260728},
		`{"jsonrpc":"2.0","id":1,"method":"`+method+`","params":{`+modernMeta+`}`+params+`}}`)
	var resp struct {
		Result struct {
			TTL        *int64 `json:"ttlMs"`
			Scope      string `json:"cacheScope"`
			NextCursor string `json:"nextCursor"`
		} `json:"result"`
	}
	require.NoError(t, json.Unmarshal([]byte(got), &resp), got)
	require.Contains(t, got, `"result"`, got)
	ttl = -1
	if resp.Result.TTL != nil {
		ttl = *resp.Result.TTL
	}
	return ttl, resp.Result.Scope, resp.Result.NextCursor
}

func readText(context.Context, *mcp.Request, string) (*mcp.ReadResourceResult, error) {
	return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{URI: "x", Text: "x"}}}, nil
}

// TestCacheHints: the cache hints of 2026-07-28 results come from the options and the
// registered resources, default to promising nothing, and a list promises no more than its
// least cacheable entry (MCP 2026-07-28, Server § Utilities § Caching).
func TestCacheHints(t *testing.T) {
	public := func(d time.Duration) mcp.CacheHint { return mcp.CacheHint{TTL: d, Scope: mcp.CachePublic} }

	t.Run("defaults", func(t *testing.T) {
		s := mcp.NewServer(nil, nil)
		mcp.AddTool(s, &mcp.Tool{Name: "t"}, func(context.Context, *mcp.Request, struct{}) (string, error) { return "", nil })
		s.AddResource(&mcp.Resource{URI: "test://a", Name: "a"}, readText)
		for _, m := range []string{"server/discover", "tools/list", "prompts/list", "resources/list", "resources/templates/list"} {
			ttl, scope, _ := hintOf(t, s, m, "")
			assert.Equal(t, int64(0), ttl, m)
			assert.Equal(t, "private", scope, m)
		}
		ttl, scope, _ := hintOf(t, s, "resources/read", `"uri":"test://a"`)
		assert.Equal(t, int64(0), ttl)
		assert.Equal(t, "private", scope)
	})

	t.Run("configured", func(t *testing.T) {
		s := mcp.NewServer(nil, &mcp.ServerOptions{DiscoverCache: public(time.Hour), ListCache: public(5 * time.Minute), PageSize: 2})
		mcp.AddTool(s, &mcp.Tool{Name: "t"}, func(context.Context, *mcp.Request, struct{}) (string, error) { return "", nil })
		s.AddPrompt(&mcp.Prompt{Name: "p"}, func(context.Context, *mcp.Request, map[string]string) (*mcp.GetPromptResult, error) {
			return &mcp.GetPromptResult{}, nil
		})
		s.AddResource(&mcp.Resource{URI: "test://long", Name: "long", Cache: public(time.Hour)}, readText)
		s.AddResource(&mcp.Resource{URI: "test://minute", Name: "minute", Cache: public(time.Minute + 999*time.Microsecond)}, readText)
		s.AddResourceTemplate(&mcp.ResourceTemplate{URITemplate: "test://t/{id}", Name: "t", Cache: public(time.Second)}, func(context.Context, *mcp.Request, string, map[string]string) (*mcp.ReadResourceResult, error) {
			return &mcp.ReadResourceResult{}, nil
		})

		for _, tt := range []struct {
			method, params string
			ttl            int64
			scope          string
		}{
			{"server/discover", "", 3600000, "public"},
			{"tools/list", "", 300000, "public"},
			{"prompts/list", "", 300000, "public"},
			// The least TTL of the page's entries, in whole milliseconds.
			{"resources/list", "", 60000, "public"},
			{"resources/templates/list", "", 1000, "public"},
			// A read is the resource's own, not bounded by ListCache.
			{"resources/read", `"uri":"test://long"`, 3600000, "public"},
			{"resources/read", `"uri":"test://t/7"`, 1000, "public"},
			// A retried request (multi round-trip) must not be cached. (A requestState the
			// server did not issue is refused on resources/read; tools/list ignores it.)
			{"resources/read", `"uri":"test://long","inputResponses":{}`, 0, "private"},
			{"tools/list", `"requestState":"abc"`, 0, "private"},
		} {
			ttl, scope, _ := hintOf(t, s, tt.method, tt.params)
			assert.Equal(t, tt.ttl, ttl, "%s %s", tt.method, tt.params)
			assert.Equal(t, tt.scope, scope, "%s %s", tt.method, tt.params)
		}

		// A private entry makes every page of its list private, also the pages that do not
		// hold it ("Servers MUST apply the same cacheScope to all response pages"); each page's
		// TTL is its own entries' least.
		s.AddResource(&mcp.Resource{URI: "test://private", Name: "private", Cache: mcp.CacheHint{TTL: 30 * time.Second}}, readText)
		ttl, scope, next := hintOf(t, s, "resources/list", "")
		assert.Equal(t, int64(60000), ttl)
		assert.Equal(t, "private", scope)
		require.NotEmpty(t, next)
		ttl, scope, _ = hintOf(t, s, "resources/list", fmt.Sprintf("%q:%q", "cursor", next))
		assert.Equal(t, int64(30000), ttl)
		assert.Equal(t, "private", scope)
		ttl, scope, _ = hintOf(t, s, "resources/read", `"uri":"test://private"`)
		assert.Equal(t, int64(30000), ttl)
		assert.Equal(t, "private", scope)

		// An entry with the default hint lowers its list to ttlMs 0.
		s.AddResourceTemplate(&mcp.ResourceTemplate{URITemplate: "test://plain/{id}", Name: "plain"}, func(context.Context, *mcp.Request, string, map[string]string) (*mcp.ReadResourceResult, error) {
			return &mcp.ReadResourceResult{}, nil
		})
		ttl, scope, _ = hintOf(t, s, "resources/templates/list", "")
		assert.Equal(t, int64(0), ttl)
		assert.Equal(t, "private", scope)

		// The 2025 revisions have no hints.
		got := handleOne(t, s, &mcp.Inbound{ProtocolVersion: mcp.Version20251125}, `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`)
		assert.NotContains(t, got, "ttlMs")
		assert.NotContains(t, got, "cacheScope")
	})

	t.Run("ListCache bounds the entries", func(t *testing.T) {
		s := mcp.NewServer(nil, &mcp.ServerOptions{ListCache: mcp.CacheHint{TTL: time.Minute}})
		s.AddResource(&mcp.Resource{URI: "test://long", Name: "long", Cache: public(time.Hour)}, readText)
		ttl, scope, _ := hintOf(t, s, "resources/list", "")
		assert.Equal(t, int64(60000), ttl)
		assert.Equal(t, "private", scope)
	})
}

// TestListOrder: lists come in a deterministic order, the order of registration, the same on
// every request while the set is unchanged (MCP 2026-07-28, Server § Tools: "Servers SHOULD
// return tools in a deterministic order").
func TestListOrder(t *testing.T) {
	s := mcp.NewServer(nil, nil)
	names := []string{"zeta", "alpha", "mu", "beta", "omega", "delta", "kappa", "gamma"}
	for _, n := range names {
		mcp.AddTool(s, &mcp.Tool{Name: n}, func(context.Context, *mcp.Request, struct{}) (string, error) { return "", nil })
	}
	list := func() []string {
		got := handleOne(t, s, &mcp.Inbound{ProtocolVersion: mcp.Version20260728},
			`{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{`+modernMeta+`}}}`)
		var resp struct {
			Result struct {
				Tools []struct {
					Name string `json:"name"`
				} `json:"tools"`
			} `json:"result"`
		}
		require.NoError(t, json.Unmarshal([]byte(got), &resp), got)
		var out []string
		for _, tl := range resp.Result.Tools {
			out = append(out, tl.Name)
		}
		return out
	}
	for range 20 {
		assert.Equal(t, names, list())
	}
	s.RemoveTools("mu")
	mcp.AddTool(s, &mcp.Tool{Name: "mu"}, func(context.Context, *mcp.Request, struct{}) (string, error) { return "", nil })
	want := append(append([]string{}, "zeta", "alpha"), append(names[3:], "mu")...)
	assert.Equal(t, want, list())
}
