package minimcp_test

import (
	"os/exec"
	"strings"
	"testing"
)

// importRules states the layering of the README (Design: Layers) as data, the way Go's own
// src/go/build/deps_test.go does: for each package (and everything below it), the import
// paths it must not reach, directly or through another package.
//
// A failing rule is fixed by moving code, never by editing this table.
const module = "github.com/minimcp/minimcp"

// yamlModule is the YAML parser that OpenAPI descriptions need: internal/openapi and the
// binary may use it, the core packages must not (README: Dependencies).
const yamlModule = "go.yaml.in/yaml/v3"

var importRules = []struct {
	pkg       string
	forbidden []string
	// extra are third-party modules this package may reach besides allowedModules.
	extra []string
}{
	// The JSON text toolkit under rpc, mcp and jsonschema: stdlib only.
	{"internal/jsontext", []string{"net/http", "encoding/json", "github.com/goccy/go-json", module + "/rpc", module + "/sse", module + "/mcp", module + "/server", module + "/cmd"}, nil},
	// HTTP token syntax, under mcp and cmd/minimcp: stdlib only.
	{"internal/httptoken", []string{"net/http", "encoding/json", "github.com/goccy/go-json", module + "/rpc", module + "/sse", module + "/mcp", module + "/server", module + "/cmd"}, nil},
	{"rpc", []string{"net/http", module + "/sse", module + "/mcp", module + "/server", module + "/cmd", yamlModule, module + "/redisstore"}, nil},
	{"sse", []string{"net/http", "encoding/json", "github.com/goccy/go-json", module + "/rpc", module + "/mcp", module + "/server", module + "/cmd", yamlModule, module + "/redisstore"}, nil},
	{"mcp", []string{"net/http", module + "/sse", module + "/server", module + "/cmd", yamlModule, module + "/redisstore"}, nil},
	// The Redis store (its own module, with go-redis) is linked by the binary alone: the core
	// packages reach neither it nor its client (allowedModules keeps go-redis out).
	{"server", []string{module + "/cmd", yamlModule, module + "/redisstore"}, nil},
	// The binary's engines: the manifest and the load generator serve or drive MCP without the
	// HTTP transports; nothing under cmd is imported back. The manifest reads OpenAPI
	// descriptions, YAML included.
	{"internal/manifest", []string{module + "/server", module + "/cmd"}, []string{yamlModule}},
	{"internal/mcphttp", []string{module + "/server", module + "/cmd"}, nil},
	// MCP's Streamable HTTP wire rules of a client, shared by client and internal/mcphttp.
	{"internal/httpwire", []string{module + "/server", module + "/client", module + "/cmd"}, nil},
	// Tests' in-process requests to an mcp.Server; imported by tests alone.
	{"internal/mcptest", []string{module + "/server", module + "/client", module + "/cmd"}, nil},
	{"internal/loadgen", []string{module + "/server", module + "/cmd"}, nil},
	{"internal/conformance", []string{module + "/cmd"}, nil},
	// The demo set of serve without a manifest: the protocol only, no transport.
	{"internal/builtin", []string{module + "/server", module + "/cmd"}, nil},
	// The --state-key reader: key text to bytes, beside mcp (for the key size) and nothing above.
	{"internal/statekey", []string{module + "/server", module + "/cmd"}, nil},
	// The client commands' work and output, above package client.
	// What runs `minimcp serve` (the server, its transports, metrics); Redis comes in from the
	// binary through Config.Stores, so this package does not link it.
	{"internal/serving", []string{module + "/cmd", module + "/redisstore"}, []string{yamlModule, "github.com/go-jose/go-jose/v4"}},
	// The flag machinery of the commands: flags, environment, usage errors; no transport.
	{"internal/cliflag", []string{module + "/server", module + "/client", module + "/cmd", yamlModule}, nil},
	{"internal/clicmd", []string{module + "/cmd", yamlModule}, nil},
	// serve's bearer tokens: static ones, then internal/jwtauth's JWTs, as a server.TokenVerifier.
	{"internal/bearer", []string{module + "/cmd", yamlModule}, []string{"github.com/go-jose/go-jose/v4"}},
	// The OpenAPI bridge: descriptions to tool definitions and requests, below the manifest
	// engine and above nothing of the protocol.
	{"internal/openapi", []string{module + "/rpc", module + "/sse", module + "/mcp", module + "/server", module + "/cmd"}, []string{yamlModule}},
	// The fake server is for tests: the binary must not reach it.
	// The binary alone verifies JWT access tokens with go-jose, through internal/jwtauth
	// (TestJOSEOnlyInBinary keeps it out of the core packages).
	// It links the Redis store too, and with it go-redis and what go-redis needs.
	{"cmd", []string{module + "/internal/fakemcp"}, append([]string{yamlModule, "github.com/go-jose/go-jose/v4"}, redisModules...)},
	// The client: the protocol, the framing, and server only for ConnectInMemory; no YAML.
	{"client", []string{module + "/cmd", yamlModule}, nil},
}

// redisModules are go-redis and its dependencies, which the binary alone reaches (through
// redisstore, a module of its own).
var redisModules = []string{"github.com/redis/go-redis/v9", "github.com/cespare/xxhash/v2", "go.uber.org/atomic", "golang.org/x/sys"}

// allowedModules are the only third-party modules the core packages may reach.
var allowedModules = []string{
	"github.com/goccy/go-json",
	"github.com/julienschmidt/httprouter",
}

func TestImportRules(t *testing.T) {
	for _, rule := range importRules {
		t.Run(rule.pkg, func(t *testing.T) {
			deps := listDeps(t, "./"+rule.pkg+"/...")
			for _, dep := range deps {
				for _, f := range rule.forbidden {
					if dep == f || strings.HasPrefix(dep, f+"/") {
						t.Errorf("%s must not import %s (reached %s)", rule.pkg, f, dep)
					}
				}
				if strings.Contains(strings.SplitN(dep, "/", 2)[0], ".") && !strings.HasPrefix(dep, module) {
					ok := false
					for _, m := range append(allowedModules[:len(allowedModules):len(allowedModules)], rule.extra...) {
						if dep == m || strings.HasPrefix(dep, m+"/") {
							ok = true
						}
					}
					if !ok {
						t.Errorf("%s reaches third-party package %s, not one of the chosen dependencies", rule.pkg, dep)
					}
				}
			}
		})
	}
}

// listDeps returns every package the pattern's non-test code depends on.
func listDeps(t *testing.T, pattern string) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", pattern).Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		if strings.Contains(stderr, "matched no packages") {
			return nil
		}
		t.Fatalf("go list -deps %s: %v\n%s", pattern, err, stderr)
	}
	return strings.Fields(string(out))
}

// TestJOSEOnlyInBinary: the JOSE library that verifies JWT access tokens
// (github.com/go-jose/go-jose/v4) is the binary's alone, through internal/jwtauth: no core
// package reaches it. (allowedModules implies as much; this names it, so that a change to that
// list cannot let it in unnoticed.)
func TestJOSEOnlyInBinary(t *testing.T) {
	const jose = "github.com/go-jose/go-jose/v4"
	for _, pkg := range []string{"rpc", "sse", "mcp", "server", "internal/jsontext", "internal/jsonschema", "internal/httptoken"} {
		for _, dep := range listDeps(t, "./"+pkg+"/...") {
			if dep == jose || strings.HasPrefix(dep, jose+"/") {
				t.Errorf("%s reaches %s; only internal/jwtauth and the binary's packages above it (internal/bearer, cmd/minimcp) may", pkg, dep)
			}
		}
	}
	found := false
	for _, dep := range listDeps(t, "./internal/jwtauth") {
		found = found || dep == jose
	}
	if !found {
		t.Errorf("internal/jwtauth does not import %s: update this test", jose)
	}
}
