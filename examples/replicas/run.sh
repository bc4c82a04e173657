#!/usr/bin/env bash
# examples/replicas/run.sh: minimcp as three replicas sharing one Redis, behind a round-robin
# balancer with no affinity, on this machine: the production layout in miniature.
#
#   sudo apt-get install -y redis-server    # once (or set REDIS_URL to a Redis you have)
#   bash examples/replicas/run.sh           # then point any MCP client at http://127.0.0.1:8080/mcp
#
# It builds minimcp and rrproxy (the round-robin proxy of interop/rrproxy, standing for any
# balancer: nginx, HAProxy, a cloud load balancer; no session affinity needed) into a temporary
# directory, starts redis-server on 127.0.0.1:6390 without persistence (unless REDIS_URL is
# set), three `minimcp serve --redis URL` on 127.0.0.1:8081-8083 (--replica-id r1..r3, shown in
# each answer's X-Served-By) sharing one --state-key, and the balancer on 127.0.0.1:8080. Every
# request of a session may land on any replica: sampling and elicitation replies, resumed
# streams and DELETE find their way over Redis. Kill a replica (its pid is printed) and the
# sessions go on through the other two. Ctrl-C stops everything it started.
#
# Environment: PORT (the balancer's, 8080), REPLICA_PORT (the first replica's, 8081),
# REDIS_PORT (6390), REDIS_URL (use this Redis instead of starting one), MANIFEST (a manifest
# for the replicas; default the built-in demo tools).
set -euo pipefail
cd "$(dirname "$0")/../.."

port=${PORT:-8080}
replica_port=${REPLICA_PORT:-8081}
redis_port=${REDIS_PORT:-6390}
redis_url=${REDIS_URL:-}
manifest=()
[[ -n ${MANIFEST:-} ]] && manifest=(--manifest "$(cd "$(dirname "$MANIFEST")" && pwd)/$(basename "$MANIFEST")")

dir=$(mktemp -d)
pids=()
stop() {
	local pid
	for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
	for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
	rm -rf "$dir"
}
trap stop EXIT
trap 'exit 130' INT TERM

# wait_http URL: until URL answers 2xx (20 s at most).
wait_http() {
	local i
	for i in $(seq 200); do
		curl -fsS -o /dev/null --max-time 1 "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "no answer from $1; logs in $dir" >&2
	exit 1
}

echo "building minimcp and rrproxy into $dir"
go build -o "$dir/minimcp" ./cmd/minimcp
(cd interop && go build -o "$dir/rrproxy" ./cmd/rrproxy)

if [[ -z $redis_url ]]; then
	command -v redis-server >/dev/null || { echo "redis-server is missing: sudo apt-get install -y redis-server (or set REDIS_URL)" >&2; exit 1; }
	redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir" >"$dir/redis.log" 2>&1 &
	pids+=($!)
	for _ in $(seq 100); do
		redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break
		sleep 0.1
	done
	redis_url=redis://127.0.0.1:$redis_port/0
	echo "redis-server on $redis_url (pid ${pids[-1]}, no persistence)"
fi

# Replicas behind one endpoint share the key sealing 2026-07-28 input-required state.
state_key=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
backends=()
for i in 1 2 3; do
	p=$((replica_port + i - 1))
	"$dir/minimcp" serve --addr "127.0.0.1:$p" --redis "$redis_url" --replica-id "r$i" --state-key "$state_key" \
		"${manifest[@]}" >"$dir/r$i.log" 2>&1 &
	pids+=($!)
	wait_http "http://127.0.0.1:$p/readyz"
	echo "replica r$i on http://127.0.0.1:$p (pid ${pids[-1]}, log $dir/r$i.log)"
	backends+=("http://127.0.0.1:$p")
done
"$dir/rrproxy" -addr "127.0.0.1:$port" "${backends[@]}" >"$dir/balancer.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$port/healthz"

cat <<EOF

balancer (round robin, no affinity) on http://127.0.0.1:$port/mcp; Ctrl-C stops everything.
Try, from another terminal:
  $dir/minimcp tools http://127.0.0.1:$port/mcp
  $dir/minimcp bench --mode stateful -d 5s http://127.0.0.1:$port/mcp   # prints the share of each replica
EOF
wait "${pids[-1]}"
