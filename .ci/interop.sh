#!/usr/bin/env bash
# Interoperability with the official MCP clients, run against the real `minimcp serve`:
#   - the TypeScript SDK client (interop/ts, pinned by its package-lock.json) over Streamable
#     HTTP (stateful and --stateless), the legacy HTTP+SSE transport (--legacy-sse) and stdio,
#     resuming a stream the server closed mid-call (`minimcp conformance`, SEP-1699), and
#     discovering the OAuth protected resource metadata (RFC 9728) of a server with auth;
#   - the TypeScript SDK v2 client (interop/ts2, @modelcontextprotocol/client, pinned the same
#     way) over Streamable HTTP (stateful and --stateless) and stdio: pinned to 2026-07-28, in
#     'auto' negotiation and in its default (legacy) mode against `minimcp serve` (over
#     --legacy-sse: 'auto' falls back to initialize, the pin is refused), and the
#     input-required elicitation round trip, progress and subscriptions/listen against
#     `minimcp conformance`;
#   - the Go SDK client (interop/, a module of its own) over the same transports and every
#     protocol revision minimcp speaks, and resuming a stream the server closed;
#   - the other way round, minimcp's client commands (`minimcp tools`, `minimcp call`) against
#     the Go SDK's conformance everything-server (built from the module interop/ requires;
#     stateful Streamable HTTP, once as the commands pick the era, once pinned to the
#     2025-11-25 session) and a TypeScript SDK v2 server (interop/ts2-server:
#     @modelcontextprotocol/server's createMcpHandler, 2026-07-28, and 2025 requests served
#     statelessly);
#   - minimcp's client package (interop/client_test.go, Go tests) against the same two servers
#     (the everything-server stateful and stateless) and `minimcp serve`/`conformance` in every mode.
#
#   bash .ci/interop.sh                    build ./cmd/minimcp and run everything
#   MINIMCP_BIN=path bash .ci/interop.sh   test a binary built elsewhere
#
# Needs Go, Node >= 20 and npm; reaches nothing but loopback and the package registries. Every
# server it starts is stopped on exit. Logs: .cache/interop/. The TypeScript SDK is installed
# into .cache/interop-ts/ (from interop/ts's package-lock.json), the v2 client into
# .cache/interop-ts2/ (from interop/ts2's), the v2 server into .cache/interop-ts2-server/ (from
# interop/ts2-server's), and the test scripts run from copies placed there,
# beside their node_modules: Node's ES module resolution looks for packages only in
# node_modules directories above the importing file (NODE_PATH does not apply to import), and
# nothing is installed into the source tree.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$(lib_root)"
started=$SECONDS
trap lib_stop_all_servers EXIT
trap 'exit 130' INT TERM

logs=$(lib_cache_dir interop)
node_major=$(node -p 'process.versions.node.split(".")[0]')
((node_major >= 20)) || lib_die "Node >= 20 is needed, found $(node --version)"
lib_log "interop: $(go env GOVERSION), node $(node --version), npm $(npm --version 2>/dev/null)"

tsdir=$(lib_cache_dir interop-ts)
lib_node_scripts interop/ts "$tsdir"
ts2dir=$(lib_cache_dir interop-ts2)
lib_node_scripts interop/ts2 "$ts2dir"
ts2srvdir=$(lib_cache_dir interop-ts2-server)
lib_node_scripts interop/ts2-server "$ts2srvdir"
sdk_ts=$(node -p 'require(process.argv[1]).version' "$tsdir/node_modules/@modelcontextprotocol/sdk/package.json")
sdk_ts2=$(node -p 'require(process.argv[1]).version' "$ts2dir/node_modules/@modelcontextprotocol/client/package.json")
sdk_ts2srv=$(node -p 'require(process.argv[1]).version' "$ts2srvdir/node_modules/@modelcontextprotocol/server/package.json")
sdk_go=$(cd interop && go list -m -f '{{.Version}}' github.com/modelcontextprotocol/go-sdk)
lib_log "interop: TypeScript SDK $sdk_ts, TypeScript SDK v2 client $sdk_ts2, server $sdk_ts2srv, Go SDK $sdk_go"

if [[ -n ${MINIMCP_BIN:-} ]]; then
  # Made absolute: the clients run in other directories.
  bin=$(cd "$(dirname "$MINIMCP_BIN")" && pwd)/$(basename "$MINIMCP_BIN")
  lib_log "interop: testing MINIMCP_BIN=$bin"
else
  bin=$(lib_build_minimcp "$logs/minimcp")
fi

# serve NAME [COMMAND] FLAGS... starts `minimcp serve --addr 127.0.0.1:PORT FLAGS...` (or
# COMMAND instead of serve, when it is "conformance") as server NAME, waits for /healthz and
# sets $port; @PORT@ in FLAGS becomes the port. Three ports are tried, in case another process
# takes one between lib_free_port and the bind.
serve() {
  local name=$1 cmd=serve attempt
  shift
  if [[ ${1:-} == conformance ]]; then
    cmd=conformance
    shift
  fi
  for attempt in 1 2 3; do
    port=$(lib_free_port)
    if lib_start_server "$name" "$port" "$logs/$name.log" -- "$bin" "$cmd" --addr "127.0.0.1:$port" "${@//@PORT@/$port}"; then
      return 0
    fi
    lib_log "interop: starting $name failed (attempt $attempt)"
  done
  return 1
}

results=()
# record NAME STATUS adds a line to the summary.
record() {
  results+=("$(printf '%-36s %s' "$1" "$2")")
}

# ts MODE TARGET [SERVER] runs the TypeScript client in MODE against TARGET; on failure it
# prints the log of server SERVER.
ts() {
  lib_log "interop: TypeScript SDK client, $1"
  if (cd "$tsdir" && node --test-reporter=spec client.test.mjs "$1" "$2"); then
    record "typescript $1" PASS
  else
    record "typescript $1" FAIL
    if [[ -n ${3:-} ]]; then
      echo "-- minimcp serve log ($3):"
      cat "$logs/$3.log"
    fi
  fi
}

# ts2 NAME SCRIPT MODE TARGET SERVER runs the TypeScript SDK v2 client's SCRIPT in MODE against
# TARGET and records it as NAME; on failure it prints the log of server SERVER (if not empty).
ts2() {
  lib_log "interop: TypeScript SDK v2 client, $1"
  if (cd "$ts2dir" && node --test-reporter=spec "$2" "$3" "$4"); then
    record "typescript-v2 $1" PASS
  else
    record "typescript-v2 $1" FAIL
    if [[ -n $5 ]]; then
      echo "-- minimcp log ($5):"
      cat "$logs/$5.log"
    fi
  fi
}

serve stateful
ts streamable "http://127.0.0.1:$port/mcp" stateful
ts2 streamable client.test.mjs streamable "http://127.0.0.1:$port/mcp" stateful
serve stateless --stateless
ts stateless "http://127.0.0.1:$port/mcp" stateless
ts2 stateless client.test.mjs stateless "http://127.0.0.1:$port/mcp" stateless
serve legacy --legacy-sse
ts sse "http://127.0.0.1:$port/sse" legacy
ts2 sse client.test.mjs sse "http://127.0.0.1:$port/sse" legacy
ts stdio "$bin"
ts2 stdio client.test.mjs stdio "$bin" ""
# SEP-1699: the conformance server closes test_reconnection's POST stream mid-call.
serve polling conformance
lib_log "interop: TypeScript SDK client, resuming a stream the server closed"
if (cd "$tsdir" && node --test-reporter=spec polling.test.mjs "http://127.0.0.1:$port/mcp"); then
  record "typescript polling" PASS
else
  record "typescript polling" FAIL
  echo "-- minimcp conformance log (polling):"
  cat "$logs/polling.log"
fi
ts2 conformance conformance.test.mjs streamable "http://127.0.0.1:$port/mcp" polling
serve conformance-stateless conformance --stateless
ts2 conformance-stateless conformance.test.mjs stateless "http://127.0.0.1:$port/mcp" conformance-stateless
# RFC 9728: the TypeScript SDK client's protected resource discovery finds minimcp's metadata.
serve auth --auth-token interop-token --auth-server http://127.0.0.1:9 --auth-resource "http://127.0.0.1:@PORT@/mcp"
lib_log "interop: TypeScript SDK client, protected resource metadata discovery"
if (cd "$tsdir" && node --test-reporter=spec auth.test.mjs "http://127.0.0.1:$port/mcp" interop-token http://127.0.0.1:9); then
  record "typescript auth discovery" PASS
else
  record "typescript auth discovery" FAIL
  echo "-- minimcp serve log (auth):"
  cat "$logs/auth.log"
fi
lib_stop_all_servers

# serve_other NAME COMMAND... starts COMMAND, with {PORT} in its arguments replaced by a free
# port, as server NAME, waits until the port accepts connections (these servers have no
# /healthz) and sets $port.
serve_other() {
  local name=$1 attempt
  shift
  for attempt in 1 2 3; do
    port=$(lib_free_port)
    if LIB_HEALTH_PATH='' lib_start_server "$name" "$port" "$logs/$name.log" -- "${@//'{PORT}'/$port}"; then
      return 0
    fi
    lib_log "interop: starting $name failed (attempt $attempt)"
  done
  return 1
}

# client NAME CODE TEXT SERVER COMMAND... runs a minimcp client command and records NAME: PASS
# when it exits with CODE (any but 0 for "fail") and its output (stdout and stderr) contains
# TEXT. On failure it prints the output and the log of server SERVER.
client() {
  local name=$1 want_code=$2 want=$3 server=$4 out code=0
  shift 4
  out=$("$bin" "$@" 2>&1) || code=$?
  if [[ ($code == "$want_code" || ($want_code == fail && $code != 0)) && $out == *"$want"* ]]; then
    record "$name" PASS
  else
    record "$name" FAIL
    echo "-- minimcp $*: exit $code (want $want_code), output (want it to contain \"$want\"):"
    printf '%s\n' "$out"
    echo "-- $server log:"
    cat "$logs/$server.log"
  fi
}

lib_log "interop: minimcp tools and call against the Go SDK's conformance everything-server"
if (cd interop && go build -o "$logs/everything-server" github.com/modelcontextprotocol/go-sdk/conformance/everything-server) &&
  serve_other go-everything "$logs/everything-server" -http '127.0.0.1:{PORT}' -stateless=false; then
  u="http://127.0.0.1:$port/mcp"
  simple="This is a simple text response for testing."
  client "client go-sdk server: tools" 0 test_simple_text go-everything tools "$u"
  client "client go-sdk server: call" 0 "$simple" go-everything call "$u" test_simple_text
  client "client go-sdk server: call, headers" 0 region=eu-west go-everything call "$u" test_x_mcp_header '{"region":"eu-west","level":3}'
  client "client go-sdk server: call isError" 1 "intentionally returns an error" go-everything call "$u" test_error_handling
  client "client go-sdk server: tools, 2025" 0 test_simple_text go-everything tools "$u" --protocol-version 2025-11-25
  client "client go-sdk server: call, 2025" 0 region=eu-west go-everything call "$u" test_x_mcp_header '{"region":"eu-west"}' --protocol-version 2025-11-25
else
  record "client go-sdk server" FAIL
fi
lib_log "interop: minimcp tools and call against a TypeScript SDK v2 server (createMcpHandler)"
if serve_other ts2-server node "$ts2srvdir/server.mjs" '{PORT}'; then
  u="http://127.0.0.1:$port/mcp"
  client "client ts2 server: tools" 0 "Adds two numbers." ts2-server tools "$u"
  client "client ts2 server: call" 0 hello ts2-server call "$u" echo '{"text":"hello"}'
  client "client ts2 server: call, structured" 0 '"structuredContent"' ts2-server call "$u" add '{"a":2,"b":0.5}' --json
  client "client ts2 server: call, progress tool" 0 "counted to 3" ts2-server call "$u" count '{"n":3}'
  # The tool elicits; the commands provide no input (minimcp declares no elicitation
  # capability, so the server refuses the call), and the error names what was asked.
  client "client ts2 server: call, elicits" fail elicitation/create ts2-server call "$u" confirm '{"action":"deploy"}'
  client "client ts2 server: call, 2025" 0 '{"sum":5}' ts2-server call "$u" add '{"a":2,"b":3}' --protocol-version 2025-11-25
else
  record "client ts2 server" FAIL
fi
lib_stop_all_servers

lib_log "interop: Go SDK client (cd interop && go test -count=1 ./...)"
# One line per transport and revision, then, on failure, the log without its RUN and PASS lines
# (the whole log stays in .cache/interop/go-test.log).
go_ok=true
(cd interop && MINIMCP_BIN=$bin go test -count=1 -v ./...) >"$logs/go-test.log" 2>&1 || go_ok=false
grep -E '^        --- (PASS|FAIL)|^--- (PASS|FAIL): Test(Legacy|GoSDKClientResumes)' "$logs/go-test.log" || true
if $go_ok; then
  grep -E '^(ok|PASS)\b' "$logs/go-test.log" || true
else
  grep -vE '^ *(=== RUN|--- PASS)' "$logs/go-test.log" || true
fi
for mode in streamable-stateful streamable-stateless legacy-sse stdio; do
  if grep -q "^    --- PASS: TestGoSDKClient/$mode " "$logs/go-test.log"; then
    record "go $mode" PASS
  else
    record "go $mode" FAIL
  fi
done
if grep -q '^--- PASS: TestGoSDKClientResumesClosedStream ' "$logs/go-test.log"; then
  record "go polling" PASS
else
  record "go polling" FAIL
fi
if grep -q '^--- PASS: TestLegacySSEEndpointReady ' "$logs/go-test.log"; then
  record "go legacy-sse endpoint race" PASS
else
  record "go legacy-sse endpoint race" FAIL
fi
if ! grep -q '^ok ' "$logs/go-test.log"; then
  record "go test ./... (interop)" FAIL
fi

# minimcp's client package (interop/client_test.go) against the foreign servers: the Go SDK's
# everything-server stateful (2025-11-25: server-to-client sampling and elicitation, progress,
# logging, resources, subscriptions, prompts, completion) and stateless (2026-07-28:
# input-required rounds), and the TypeScript SDK v2 server (2026-07-28: the elicitation answered
# through an input-required round, progress, structured content). The same file's tests against
# minimcp itself in every mode ran in `go test ./...` above; their lines are recorded here.
lib_log "interop: minimcp's client package against the Go SDK and TypeScript SDK v2 servers"
go_client_env=()
if [[ -x $logs/everything-server ]] &&
  serve_other go-everything-client "$logs/everything-server" -http '127.0.0.1:{PORT}' -stateless=false; then
  go_client_env+=("MINIMCP_GOSDK_EVERYTHING_URL=http://127.0.0.1:$port/mcp")
fi
if [[ -x $logs/everything-server ]] &&
  serve_other go-everything-client-stateless "$logs/everything-server" -http '127.0.0.1:{PORT}' -stateless=true; then
  go_client_env+=("MINIMCP_GOSDK_EVERYTHING_STATELESS_URL=http://127.0.0.1:$port/mcp")
fi
if serve_other ts2-server-client node "$ts2srvdir/server.mjs" '{PORT}'; then
  go_client_env+=("MINIMCP_TS2_SERVER_URL=http://127.0.0.1:$port/mcp")
fi
(cd interop && env "${go_client_env[@]}" MINIMCP_BIN="$bin" go test -count=1 -v -run '^TestClient(GoSDKEverythingServer|TS2Server)$' .) \
  >"$logs/go-client-test.log" 2>&1 || true
grep -vE '^ *(=== RUN|--- PASS)' "$logs/go-client-test.log" | grep -vE '^(ok|PASS)\b' || true
# client_result TEST NAME records NAME as PASS when TEST passed (not skipped) in LOG.
client_result() {
  if grep -q "^ *--- PASS: $1 " "$3"; then
    record "$2" PASS
  else
    record "$2" FAIL
  fi
}
for sub in stateful/2025-11-25 stateful/negotiated stateless/negotiated; do
  client_result "TestClientGoSDKEverythingServer/$sub" "client package go-sdk server: $sub" "$logs/go-client-test.log"
done
client_result TestClientTS2Server "client package ts2 server" "$logs/go-client-test.log"
client_result TestClientMinimcp "client package minimcp: every mode" "$logs/go-test.log"
client_result TestClientMinimcpConformance "client package minimcp conformance" "$logs/go-test.log"
client_result TestClientMinimcpPagination "client package minimcp pagination" "$logs/go-test.log"
lib_stop_all_servers

lib_log "interop: summary (TypeScript SDK $sdk_ts, TypeScript SDK v2 client $sdk_ts2, server $sdk_ts2srv, Go SDK $sdk_go, $((SECONDS - started)) s)"
printf '%s\n' "${results[@]}"
passed=0
for r in "${results[@]}"; do
  [[ $r == *PASS ]] && passed=$((passed + 1))
done
failed=$((${#results[@]} - passed))
echo "$passed passed, $failed failed"
((failed == 0))
