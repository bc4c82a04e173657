#!/usr/bin/env bash
# The OpenAPI bridge against real descriptions and a real mock server:
#   - every example description of @readme/oas-examples (Swagger 2.0, OpenAPI 3.0 and 3.1, JSON
#     and YAML) loads or is refused with problems that say where and why
#     (internal/openapi: TestExampleDescriptions);
#   - GitHub's REST API description (@octokit/openapi) loads whole with unique tool names, and
#     tools/list pages through it (TestGitHubDescription, TestOpenAPIGitHubToolsList), with the
#     load times reported (BenchmarkParseGitHub: the description read and its tools made;
#     BenchmarkLoadGitHub: served through a manifest, the schemas compiled by the server; one
#     run each);
#   - Stoplight Prism (`prism mock`, which validates every request against the description)
#     serves the Petstore description of @readme/oas-examples, and the manifest's openapi tools
#     call it: path, query and body parameters, both of its security schemes, and a call Prism
#     refuses coming back as a tool error that says why (internal/manifest: TestOpenAPIPrism).
#
#   bash .ci/openapi.sh
#
# Needs Go, Node >= 20 (Prism 5.14.2 is the last release that runs on Node 20; 5.15 needs 24)
# and npm; reaches nothing but loopback and the npm registry. The packages, pinned by
# .ci/openapi/package-lock.json, are installed into .cache/openapi/ and reused while the
# lockfile and the Node major version are unchanged. Logs: .cache/openapi-logs/.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$(lib_root)"
started=$SECONDS
trap lib_stop_all_servers EXIT
trap 'exit 130' INT TERM

node_major=$(node -p 'process.versions.node.split(".")[0]')
((node_major >= 20)) || lib_die "Node >= 20 is needed, found $(node --version)"
dir=$(lib_cache_dir openapi)
logs=$(lib_cache_dir openapi-logs)
stamp=$dir/node_modules/.minimcp-openapi-stamp
want_stamp="$(sha256sum .ci/openapi/package-lock.json | cut -d' ' -f1) node$node_major"
if [[ -f $stamp && $(cat "$stamp") == "$want_stamp" ]]; then
  lib_log "openapi: $dir/node_modules is up to date"
else
  lib_log "openapi: npm ci (.ci/openapi's lockfile, into $dir)"
  cp .ci/openapi/package.json .ci/openapi/package-lock.json "$dir/"
  (cd "$dir" && npm ci --no-audit --no-fund --prefer-offline --loglevel=error)
  echo "$want_stamp" >"$stamp"
fi
nm=$dir/node_modules
# The tests skip without these, unless MINIMCP_OPENAPI_REQUIRE says they must run.
export MINIMCP_OPENAPI_REQUIRE=1
export MINIMCP_OAS_EXAMPLES=$nm/@readme/oas-examples
export MINIMCP_OCTOKIT_OPENAPI=$nm/@octokit/openapi
lib_log "openapi: prism $("$nm/.bin/prism" --version), @readme/oas-examples $(node -p 'require(process.argv[1]).version' "$MINIMCP_OAS_EXAMPLES/package.json"), @octokit/openapi $(node -p 'require(process.argv[1]).version' "$MINIMCP_OCTOKIT_OPENAPI/package.json")"

petstore=$MINIMCP_OAS_EXAMPLES/3.0/json/petstore.json
for attempt in 1 2 3; do
  port=$(lib_free_port)
  if LIB_HEALTH_PATH="" LIB_START_TIMEOUT=60 lib_start_server prism "$port" "$logs/prism.log" -- \
    "$nm/.bin/prism" mock --host 127.0.0.1 --port "$port" "$petstore"; then
    break
  fi
  lib_log "openapi: starting prism failed (attempt $attempt)"
  ((attempt < 3)) || exit 1
done
export MINIMCP_PRISM_URL=http://127.0.0.1:$port

ok=true
lib_log "openapi: tests (descriptions, GitHub's, Prism)"
go test -count=1 -v -run '^(TestExampleDescriptions|TestGitHubDescription|TestOpenAPIPrism|TestOpenAPIGitHubToolsList)$' \
  ./internal/openapi/ ./internal/manifest/ >"$logs/go-test.log" 2>&1 || ok=false
grep -E '^(--- |    --- FAIL|ok |FAIL)|descriptions loaded|operations, ' "$logs/go-test.log" | grep -v -- '--- PASS: TestExampleDescriptions/' || true
if ! $ok; then
  grep -vE '^ *(=== RUN|--- PASS)' "$logs/go-test.log" | tail -n 200
  echo "-- prism log:"
  tail -n 50 "$logs/prism.log"
  exit 1
fi
lib_log "openapi: loading GitHub's description (BenchmarkParseGitHub, BenchmarkLoadGitHub; one run each)"
go test -count=1 -run '^$' -bench '^BenchmarkParseGitHub$' -benchtime 1x ./internal/openapi/ | grep -E '^Benchmark'
go test -count=1 -run '^$' -bench '^BenchmarkLoadGitHub$' -benchtime 1x ./internal/manifest/ | grep -E '^Benchmark'
lib_log "openapi: passed in $((SECONDS - started)) s"
