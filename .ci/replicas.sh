#!/usr/bin/env bash
# .ci/replicas.sh: minimcp as three replicas sharing one Redis, behind a round-robin proxy with
# no affinity (interop/rrproxy: every request to the next replica, whatever its session), run
# as real processes:
#
#   - a redis-server of its own (loopback, a free port, no persistence);
#   - three `minimcp serve --redis URL --replica-id serve-N` behind one proxy, and three
#     `minimcp conformance --redis URL` behind another;
#   (a) the official conformance suite 0.1.16, every scenario (active and pending: sampling,
#       elicitation and SSE polling included), stateful, against the conformance trio through
#       its proxy: each must pass, server-sse-polling with no warning, and the suite's
#       requests must have reached every replica;
#   (b) the TypeScript SDK v1 client (interop/ts/replicas.test.mjs): a session on each trio
#       whose requests land on every replica: tools, resources and prompts; sampling and
#       elicitation whose replies land on another replica than their call; progress; a stream
#       the server closed resumed on another replica; DELETE, then 404 on every replica;
#   (c) the Go SDK client (interop/replicas_test.go, MINIMCP_REPLICAS=1), with clusters of its
#       own (redis-server, three replicas, the proxy in process): the same session through
#       conformance replicas; (d) a serve replica SIGKILLed while it runs a call: that call
#       is lost, the session goes on through the other two; (e) Redis killed under serve
#       replicas: 503 with a JSON-RPC error at once, /readyz failing, then Redis back on the
#       same port and the replicas serving again by themselves;
#   (e) here too, mid-run, under the script's own six replicas: Redis killed, a request
#       refused with 503 and a JSON-RPC error through each proxy, every /readyz failing;
#       Redis started again on its port, every /readyz passing, and the TypeScript sessions
#       run again on both trios without restarting a replica.
#
#   bash .ci/replicas.sh                    build ./cmd/minimcp and run everything
#   MINIMCP_BIN=path bash .ci/replicas.sh   test a binary built elsewhere
#
# Needs Go, Node >= 20 with npm, and redis-server (installed with apt-get when missing, as
# .ci/run does). Reaches nothing but loopback and the package registries. Logs, one per
# process and step, go to .cache/replicas/; every process it starts is stopped on exit.
set -euo pipefail
export LC_ALL=C
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$(lib_root)"
trap lib_stop_all_servers EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

CONF_VERSION=0.1.16
# Scenarios that must be in the suite and pass: the server asks the client something in the
# first four; the last closes its stream mid-call (SEP-1699) and must pass with no warning.
REQUIRED=(tools-call-sampling tools-call-elicitation elicitation-sep1034-defaults elicitation-sep1330-enums
	json-schema-2020-12 server-sse-polling)
POLLING_SCENARIO=server-sse-polling
# What must not appear in a replica's log.
SERVER_LOG_BAD='level=ERROR|^panic:|WARNING: DATA RACE'
# Seconds a request may take to be refused while Redis is down (far below the time a replica
# waiting for Redis would take).
FAIL_FAST=5

# Installs first, so that the time reported is the run's.
if ! command -v redis-server >/dev/null 2>&1; then
	lib_log "replicas: installing redis-server (apt-get)"
	sudo=()
	((EUID == 0)) || sudo=(sudo)
	"${sudo[@]}" apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq redis-server >&2
fi
redis_bin=$(command -v redis-server)
node=$(lib_node22)
pkgdir=$(lib_cache_dir "conformance-$CONF_VERSION")
lib_npm_install "$pkgdir" "@modelcontextprotocol/conformance@$CONF_VERSION"
cli=$pkgdir/node_modules/@modelcontextprotocol/conformance/dist/index.js
[[ -f $cli ]] || lib_die "$cli is missing after npm install"
tsdir=$(lib_cache_dir interop-ts)
lib_node_scripts interop/ts "$tsdir"
logs=$(lib_cache_dir replicas)
rm -rf "${logs:?}"/*
if [[ -n ${MINIMCP_BIN:-} ]]; then
	bin=$(cd "$(dirname "$MINIMCP_BIN")" && pwd)/$(basename "$MINIMCP_BIN")
	lib_log "replicas: testing MINIMCP_BIN=$bin"
else
	bin=$(lib_build_minimcp "$logs/minimcp")
fi
proxy_bin=$logs/rrproxy
(cd interop && go build -o "$proxy_bin" ./cmd/rrproxy)
(cd interop && go test -c -o "$logs/interop.test" .) # compiled before the clock starts
help=$("$bin" serve --help 2>&1 || true) # whole, not piped to grep -q: pipefail and SIGPIPE
[[ $help == *--redis* ]] || lib_die "$bin has no --redis flag"

started=$SECONDS
lib_log "replicas: $("$bin" version 2>/dev/null | head -n 1), $("$redis_bin" --version | cut -d' ' -f1-3), node $(node --version)"

results=()
failed=0
# record NAME STATUS [NOTE] adds a line to the summary.
record() {
	results+=("$(printf '%-44s %s %s' "$1" "$2" "${3:-}")")
	[[ $2 == PASS ]] || failed=$((failed + 1))
}

# Redis, restartable on its port.
redis_port=$(lib_free_port)
redis_url=redis://127.0.0.1:$redis_port/0
mkdir -p "$logs/redis"
start_redis() {
	LIB_HEALTH_PATH="" lib_start_server redis "$redis_port" "$logs/redis.log" -- \
		"$redis_bin" --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$logs/redis"
}
start_redis

# replica_id_flag COMMAND prints yes if `minimcp COMMAND` takes --replica-id (X-Served-By).
replica_id_flag() {
	local help
	help=$("$bin" "$1" --help 2>&1 || true)
	[[ $help == *--replica-id* ]] && echo yes || echo no
}

# trio NAME COMMAND [FLAGS...] starts three `minimcp COMMAND --redis URL FLAGS...` as servers
# NAME-0..2 and a round-robin proxy in front of them as NAME-proxy, and sets the globals
# NAME_url (the proxy's MCP endpoint) and NAME_backends.
declare -A trio_url trio_backends
trio() {
	local name=$1 command=$2 i port ids=() backends=()
	shift 2
	for i in 0 1 2; do
		port=$(lib_free_port)
		ids=()
		[[ $(replica_id_flag "$command") == yes ]] && ids=(--replica-id "$name-$i")
		lib_start_server "$name-$i" "$port" "$logs/$name-$i.log" -- \
			"$bin" "$command" --addr "127.0.0.1:$port" --redis "$redis_url" --log-level debug "${ids[@]}" "$@"
		backends+=("http://127.0.0.1:$port")
	done
	port=$(lib_free_port)
	lib_start_server "$name-proxy" "$port" "$logs/$name-proxy.log" -- "$proxy_bin" -addr "127.0.0.1:$port" -access-log "${backends[@]}"
	trio_url[$name]=http://127.0.0.1:$port/mcp
	trio_backends[$name]="${backends[*]}"
}
trio serve serve
trio conformance conformance

# served_by NAME prints how many requests the proxy of trio NAME sent each replica, from its
# access log ("... METHOD PATH -> BACKEND STATUS").
served_by() {
	local b n out=()
	for b in ${trio_backends[$1]}; do
		n=$(grep -c -- "-> $b " "$logs/$1-proxy.log" || true)
		out+=("${b##*:}=$n")
	done
	printf '%s\n' "${out[*]}"
}
# every_replica_served NAME succeeds if each replica of trio NAME answered a request.
every_replica_served() {
	local b
	for b in ${trio_backends[$1]}; do
		grep -q -- "-> $b " "$logs/$1-proxy.log" || return 1
	done
}

# (a) The conformance suite, every scenario in one runner process.
lib_log "replicas: conformance $CONF_VERSION, every scenario, against ${trio_url[conformance]}"
t0=$SECONDS
"$node" "$cli" server --url "${trio_url[conformance]}" --suite all -o "$logs/conformance" >"$logs/conformance.log" 2>&1 || true
# One row per scenario: NAME RESULT SUCCESS FAILURE WARNING NOTE, tab-separated.
"$node" -e '
const fs = require("fs"), path = require("path");
const log = fs.readFileSync(process.argv[1], "utf8").replace(/\x1b\[[0-9;]*m/g, "");
let name = null;
const dirs = [];
for (const line of log.split("\n")) {
  let m = line.match(/^=== Running scenario: (.*) ===$/);
  if (m) { name = m[1]; dirs.push([name, null]); continue; }
  m = line.match(/^Results saved to (.*)$/);
  if (m && name) dirs[dirs.length - 1][1] = m[1].trim();
}
for (const [name, dir] of dirs) {
  const n = {SUCCESS: 0, FAILURE: 0, WARNING: 0};
  let note = "";
  try {
    for (const c of JSON.parse(fs.readFileSync(path.join(dir, "checks.json"), "utf8"))) {
      n[c.status] = (n[c.status] || 0) + 1;
      if ((c.status === "FAILURE" || c.status === "WARNING") && !note) note = c.errorMessage || c.description || "";
    }
  } catch (e) { n.FAILURE++; note = "no checks.json: " + e.message; }
  const res = n.FAILURE === 0 && n.SUCCESS > 0 ? "PASS" : "FAIL";
  console.log([name, res, n.SUCCESS, n.FAILURE, n.WARNING, note.replace(/\s+/g, " ") || "-"].join("\t"));
}
' "$logs/conformance.log" >"$logs/conformance.tsv"
conf_ok=true
conf_notes=()
declare -A seen_scenario=()
printf '\n%-36s %-6s %7s %7s %7s  %s\n' SCENARIO RESULT SUCCESS FAILURE WARNING NOTE
while IFS=$'\t' read -r name res ok fail warn note; do
	seen_scenario[$name]=1
	[[ $note == - ]] && note=""
	printf '%-36s %-6s %7s %7s %7s  %.100s\n' "$name" "$res" "$ok" "$fail" "$warn" "$note"
	if [[ $res != PASS ]]; then
		conf_ok=false
		conf_notes+=("$name: $note")
	elif [[ $name == "$POLLING_SCENARIO" ]] && ((warn > 0)); then
		conf_ok=false
		conf_notes+=("$name: $warn warning(s): $note")
	fi
done <"$logs/conformance.tsv"
count=${#seen_scenario[@]}
for s in "${REQUIRED[@]}"; do
	[[ -n ${seen_scenario[$s]:-} ]] || { conf_ok=false; conf_notes+=("$s: not run (is it still in the package?)"); }
done
((count >= 30)) || { conf_ok=false; conf_notes+=("only $count scenarios ran: $(tail -n 5 "$logs/conformance.log")"); }
every_replica_served conformance || { conf_ok=false; conf_notes+=("not every replica served the suite: $(served_by conformance)"); }
for i in 0 1 2; do
	if grep -qE "$SERVER_LOG_BAD" "$logs/conformance-$i.log"; then
		conf_ok=false
		conf_notes+=("conformance-$i's log has an error, a panic or a data race: $(grep -m1 -E "$SERVER_LOG_BAD" "$logs/conformance-$i.log")")
	fi
done
if $conf_ok; then
	record "conformance $CONF_VERSION ($count scenarios)" PASS "in $((SECONDS - t0)) s; requests per replica: $(served_by conformance)"
else
	record "conformance $CONF_VERSION ($count scenarios)" FAIL "$(printf '%s; ' "${conf_notes[@]}")"
fi

# ts RUN runs the TypeScript sessions on both trios, logging to ts-RUN.log.
ts() {
	lib_log "replicas: TypeScript SDK client sessions ($1)"
	if (cd "$tsdir" && node --test-reporter=spec replicas.test.mjs "${trio_url[serve]}" "${trio_url[conformance]}") >"$logs/ts-$1.log" 2>&1; then
		record "typescript sessions ($1)" PASS
	else
		record "typescript sessions ($1)" FAIL "see $logs/ts-$1.log"
		grep -v '^ *at ' "$logs/ts-$1.log" | tail -n 60
	fi
}
# (b)
ts first

# (c), (d), (e) in the Go tests, each with its own Redis and replicas.
lib_log "replicas: Go SDK client (interop, TestReplicas*)"
if (cd interop && MINIMCP_BIN=$bin MINIMCP_REPLICAS=1 REDIS_SERVER=$redis_bin "$logs/interop.test" -test.count=1 -test.v -test.run '^TestReplicas') >"$logs/go-test.log" 2>&1; then
	:
else
	grep -vE '^ *(=== RUN|--- PASS)' "$logs/go-test.log" | tail -n 80
fi
for t in TestReplicasGoSDKSession TestReplicasSurviveKilledReplica TestReplicasRedisRestart; do
	if grep -q "^--- PASS: $t " "$logs/go-test.log"; then
		record "go $t" PASS
	else
		record "go $t" FAIL "see $logs/go-test.log"
	fi
done

# (e) mid-run: Redis killed under the six replicas, and started again.
lib_log "replicas: Redis killed under the running replicas"
kill -KILL "$(lib_server_pid redis)"
lib_stop_server redis # reaps it
down_ok=true
down_notes=()
for name in serve conformance; do
	body=$(curl -sS --max-time "$FAIL_FAST" -o - -w '\n%{http_code}' -X POST "${trio_url[$name]}" \
		-H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
		-d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"replicas.sh","version":"1"}}}' 2>&1) || true
	status=${body##*$'\n'}
	body=${body%$'\n'*}
	printf '%s\n' "$name, Redis down: initialize -> $status $body" >>"$logs/redis-down.log"
	if [[ $status != 503 ]]; then
		down_ok=false
		down_notes+=("$name: initialize got $status, want 503 within ${FAIL_FAST}s")
	elif ! node -e 'const m = JSON.parse(process.argv[1].replace(/^[\s\S]*?data:/, "")); if (m.jsonrpc !== "2.0" || !m.error || !m.error.code) process.exit(1)' "$body" 2>/dev/null; then
		down_ok=false
		down_notes+=("$name: the 503 is not a JSON-RPC error: $body")
	fi
	for b in ${trio_backends[$name]}; do
		if lib_http_ok "$b/readyz"; then
			down_ok=false
			down_notes+=("$b/readyz passes with Redis down")
		fi
	done
done
if $down_ok; then
	record "redis down: 503 + JSON-RPC error, /readyz fails" PASS
else
	record "redis down: 503 + JSON-RPC error, /readyz fails" FAIL "$(printf '%s; ' "${down_notes[@]}")"
fi
start_redis
up_ok=true
for name in serve conformance; do
	for b in ${trio_backends[$name]}; do
		deadline=$((SECONDS + 20))
		until lib_http_ok "$b/readyz"; do
			if ((SECONDS >= deadline)); then
				up_ok=false
				break
			fi
			sleep 0.1
		done
	done
done
if $up_ok; then
	record "redis back: every /readyz passes" PASS
else
	record "redis back: every /readyz passes" FAIL "a replica's /readyz still failed 20 s after Redis came back"
fi
ts after-redis-restart

for name in serve conformance; do
	for i in 0 1 2; do
		lib_server_pid "$name-$i" >/dev/null && kill -0 "$(lib_server_pid "$name-$i")" 2>/dev/null ||
			record "$name-$i still running" FAIL "it exited: see $logs/$name-$i.log"
	done
done

lib_log "replicas: summary ($((SECONDS - started)) s after installs and builds; logs in $logs)"
printf '%s\n' "${results[@]}"
echo "$((${#results[@]} - failed)) passed, $failed failed"
((failed == 0))
