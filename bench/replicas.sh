#!/usr/bin/env bash
# bench/replicas.sh: a 2025-11-25 tools/call in an existing session (`minimcp bench --mode
# stateful`: each worker opens a session, then calls echo in it back to back) against
#
#   memory    one `minimcp serve`, sessions in process memory
#   redis     one `minimcp serve --redis URL`
#   proxy     one `minimcp serve` behind rrproxy (interop/rrproxy): what the proxy hop costs
#   redis-3   three `minimcp serve --redis URL` behind rrproxy, round robin, no affinity
#
# then, on one `serve --redis` replica: the Redis work of a request (INFO commandstats and
# stats around a counted run: commands, read events (round trips) and Redis CPU per request)
# and a CPU profile of the replica under load (serve --metrics-addr --pprof, then
# /debug/pprof/profile read during the load; go tool pprof -top).
#
#   bash bench/replicas.sh           the full run (about 3 minutes)
#   bash bench/replicas.sh --quick   one short window per setup (a smoke)
#
# Every server-side process (replicas, proxy, redis-server) runs on CPU 0, the load generator
# on CPU 1, each Go process with GOMAXPROCS=1. On a 2-core machine the redis-3 figure is
# therefore a contention measurement (three replicas, the proxy and Redis share one core), not
# a scaling one: the per-request CPU columns, summed over the server-side processes, are what
# predicts scaling on more cores. Each window gets fresh processes (and an empty Redis), a
# warm-up run, then a measured run; tables show medians over REPS windows.
#
# Results: .cache/bench-replicas/results.md; raw reports, logs, the profile and its -top in
# .cache/bench-replicas/raw. All traffic is on 127.0.0.1; every process it starts is stopped
# by its pid on exit.
#
# Environment: REPS (3), WARMUP (2s), MEASURE (5s), CONC (32), COUNT_REQUESTS (20000),
# PROFILE (seconds, 10), SETUPS ("memory redis proxy redis-3"), MINIMCP_BIN (a minimcp with --redis
# built elsewhere), REDIS_SERVER (default: redis-server on PATH), BENCH_PRIO (as in
# bench/run.sh: "rr" for SCHED_RR, a number for that niceness; shields the measured processes
# from other work on a shared machine, needs root).
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."
root=$(pwd)

quick=0
case "${1:-}" in
  --quick) quick=1 ;;
  "") ;;
  -h|--help) sed -n '2,31p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "usage: bash bench/replicas.sh [--quick]" >&2; exit 2 ;;
esac
reps=${REPS:-3}
warmup=${WARMUP:-2s}
measure=${MEASURE:-5s}
conc=${CONC:-32}
count_requests=${COUNT_REQUESTS:-20000}
profile_secs=${PROFILE:-10}
read -r -a setups <<<"${SETUPS:-memory redis proxy redis-3}"
if [ "$quick" = 1 ]; then
  reps=1 warmup=1s measure=2s count_requests=3000 profile_secs=3
fi
server_cpu=0
client_cpu=1
if [ "$(nproc)" -lt 2 ]; then client_cpu=0; fi
prio=${BENCH_PRIO:-}
case $prio in
  "") prio_cmd=() prio_desc="normal scheduling" ;;
  rr) prio_cmd=(chrt -r 1) prio_desc="SCHED_RR priority 1 (BENCH_PRIO=rr)" ;;
  -[0-9]*|[0-9]*) prio_cmd=(nice -n "$prio") prio_desc="niceness $prio (BENCH_PRIO)" ;;
  *) echo "BENCH_PRIO=$prio: want rr or a niceness" >&2; exit 2 ;;
esac

out=$root/.cache/bench-replicas
raw=$out/raw
bin=$out/bin
rm -rf "$raw"
mkdir -p "$raw" "$bin"
log() { printf '== [%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

# Processes of the current window, stopped by pid.
pids=()
stop_all() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
}
trap stop_all EXIT
trap 'exit 130' INT TERM

# --- build ---------------------------------------------------------------------------------------
redis_bin=${REDIS_SERVER:-$(command -v redis-server || true)}
[ -n "$redis_bin" ] || { echo "redis-server is missing (apt-get install redis-server)" >&2; exit 1; }
if [ -n "${MINIMCP_BIN:-}" ]; then
  cp "$MINIMCP_BIN" "$bin/minimcp"
else
  go build -o "$bin/minimcp" ./cmd/minimcp
fi
(cd interop && go build -o "$bin/rrproxy" ./cmd/rrproxy)
with_redis=0
case " ${setups[*]} " in *" redis "*|*" redis-3 "*) with_redis=1 ;; esac
help=$("$bin/minimcp" serve --help 2>&1 || true) # whole, not piped to grep -q: pipefail and SIGPIPE
if [ "$with_redis" = 1 ] && [[ $help != *--redis* ]]; then
  echo "this minimcp has no --redis" >&2
  exit 1
fi
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain 2>/dev/null)" ]; then commit="$commit+dirty"; fi
hz=$(getconf CLK_TCK)

# --- helpers -------------------------------------------------------------------------------------

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null ||
    echo $((20000 + RANDOM % 30000))
}

# wait_port PORT PID: until 127.0.0.1:PORT accepts, or PID exits (fatal).
wait_port() {
  local i
  for i in $(seq 200); do
    kill -0 "$2" 2>/dev/null || { echo "process $2 exited at start (logs in $raw)" >&2; exit 1; }
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.05
  done
  echo "nothing listens on $1 after 10 s" >&2
  exit 1
}

# run NAME PORT CMD...: starts CMD on the server CPU (GOMAXPROCS=1), logs to $raw/NAME.log,
# and waits for PORT. Sets $last_pid.
run() {
  local name=$1 port=$2
  shift 2
  GOMAXPROCS=1 "${prio_cmd[@]}" taskset -c "$server_cpu" "$@" >"$raw/$name.log" 2>&1 &
  last_pid=$!
  pids+=("$last_pid")
  wait_port "$port" "$last_pid"
}

# start_setup SETUP TAG [SERVE FLAGS...]: starts the processes of SETUP and sets $url (the MCP
# endpoint to load), $server_pids (every server-side process) and $redis_port.
start_setup() {
  local setup=$1 tag=$2 port i backends=()
  shift 2
  server_pids=()
  redis_port=""
  case $setup in
    redis|redis-3)
      redis_port=$(free_port)
      run "redis.$tag" "$redis_port" "$redis_bin" --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$raw"
      server_pids+=("$last_pid") ;;
  esac
  local n=1 redis_flags=()
  [ "$setup" = redis-3 ] && n=3
  [ -n "$redis_port" ] && redis_flags=(--redis "redis://127.0.0.1:$redis_port/0")
  for ((i = 0; i < n; i++)); do
    port=$(free_port)
    run "replica$i.$setup.$tag" "$port" "$bin/minimcp" serve --addr "127.0.0.1:$port" --response json --log-level error \
      --replica-id "r$i" "${redis_flags[@]}" "$@"
    server_pids+=("$last_pid")
    backends+=("http://127.0.0.1:$port")
  done
  case $setup in
    proxy|redis-3)
      port=$(free_port)
      run "proxy.$setup.$tag" "$port" "$bin/rrproxy" -addr "127.0.0.1:$port" "${backends[@]}"
      server_pids+=("$last_pid")
      url=http://127.0.0.1:$port/mcp ;;
    *) url=${backends[0]}/mcp ;;
  esac
}

# cpu_ticks PID...: user+system CPU time of the processes, in clock ticks, summed.
cpu_ticks() {
  local pid s total=0
  for pid in "$@"; do
    s=$(<"/proc/$pid/stat")
    s=${s##*) }
    # shellcheck disable=SC2086
    set -- $s
    total=$((total + ${12} + ${13}))
  done
  echo "$total"
}

# loadgen OUT FLAGS...: one run of the load generator on the client CPU, stateful echo.
loadgen() {
  local out=$1 rc=0
  shift
  GOMAXPROCS=1 timeout 300 "${prio_cmd[@]}" taskset -c "$client_cpu" "$bin/minimcp" bench "$url" -c "$conc" --mode stateful \
    --tool echo --args '{"text":"hello"}' --json "$@" >"$out" 2>>"$raw/loadgen.err" || rc=$?
  if [ "$rc" != 0 ] && [ "$rc" != 1 ]; then
    echo "minimcp bench exited with $rc; see $raw/loadgen.err" >&2
    tail -5 "$raw/loadgen.err" >&2
    exit 1
  fi
}

# field FILE NAME: a number from a bench --json report ("throughput_rps", "p50", "p99",
# "requests", "errors").
field() { tr -d ' \n' <"$1" | tr ',{}' '\n\n\n' | awk -F: -v k="\"$2\"" '$1 == k {print $2; exit}'; }

median() { sort -g | awk '{a[NR] = $1} END {if (NR == 0) print "nan"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

# redis_info PORT: "calls usec reads cpu_us" over every command since start.
redis_info() {
  redis-cli -p "$1" INFO all | tr -d '\r' | awk -F'[:,=]' '
    /^cmdstat_/ {for (i = 2; i < NF; i += 2) {if ($i == "calls") c += $(i + 1); if ($i == "usec") u += $(i + 1)}}
    /^total_reads_processed:/ {r = $2}
    /^used_cpu_(user|sys):/ {cpu += $2 * 1e6}
    END {printf "%d %d %d %d\n", c, u, r, cpu}'
}

load_start=$(cut -d' ' -f1-3 /proc/loadavg)

# --- the windows ---------------------------------------------------------------------------------
log "bench/replicas.sh: ${setups[*]}, c=$conc, warm-up $warmup, measure $measure, $reps window(s) each; minimcp $commit"
declare -A rps p50 p99 errs cpu shares
for ((rep = 1; rep <= reps; rep++)); do
  for setup in "${setups[@]}"; do
    start_setup "$setup" "$rep"
    loadgen "$raw/warmup.$setup.$rep.json" -d "$warmup"
    t0=$(cpu_ticks "${server_pids[@]}")
    loadgen "$raw/bench.$setup.$rep.json" -d "$measure"
    t1=$(cpu_ticks "${server_pids[@]}")
    stop_all
    f=$raw/bench.$setup.$rep.json
    n=$(field "$f" requests)
    rps[$setup]+="$(field "$f" throughput_rps) "
    p50[$setup]+="$(field "$f" p50) "
    p99[$setup]+="$(field "$f" p99) "
    errs[$setup]+="$(field "$f" errors) "
    # Server-side CPU per request, in microseconds (the measured run's ticks over its requests;
    # the sessions' initialize and DELETE are a few dozen requests of thousands).
    cpu[$setup]+="$(awk -v t=$((t1 - t0)) -v hz="$hz" -v n="$n" 'BEGIN {printf "%.1f", n ? t / hz * 1e6 / n : 0}') "
    shares[$setup]=$(tr -d '\n ' <"$f" | grep -o '"replicas":\[[^]]*\]' | grep -o '"share":[0-9.]*' | cut -d: -f2 | paste -sd/ - || true)
    log "$setup window $rep: $(field "$f" throughput_rps) req/s, p99 $(field "$f" p99) ms, $(field "$f" errors) errors"
  done
done

# --- Redis work per request ----------------------------------------------------------------------
cmds_per=- usec_per=- reads_per=- rcpu_per=- replica_us=- counted=0
: >"$raw/commandstats.txt"
: >"$raw/parts.tsv"
: >"$raw/profile.top"
if [ "$with_redis" = 1 ]; then
log "counting Redis work: $count_requests tools/call on one serve --redis replica"
start_setup redis count
loadgen "$raw/count.warmup.json" -d "$warmup"
before=$(redis_info "$redis_port")
loadgen "$raw/count.json" -n "$count_requests"
after=$(redis_info "$redis_port")
redis-cli -p "$redis_port" INFO commandstats | tr -d '\r' >"$raw/commandstats.txt"
stop_all
read -r c0 u0 r0 cpu0 <<<"$before"
read -r c1 u1 r1 cpu1 <<<"$after"
counted=$(field "$raw/count.json" requests)
per_req() { awk -v d="$1" -v n="$counted" 'BEGIN {printf "%.2f", n ? d / n : 0}'; }
cmds_per=$(per_req $((c1 - c0)))
usec_per=$(per_req $((u1 - u0)))
reads_per=$(per_req $((r1 - r0)))
rcpu_per=$(per_req $((cpu1 - cpu0)))

# --- profile -------------------------------------------------------------------------------------
log "profiling one serve --redis replica for ${profile_secs}s"
metrics_port=$(free_port)
start_setup redis profile --metrics-addr "127.0.0.1:$metrics_port" --pprof
loadgen "$raw/profile.warmup.json" -d "$warmup"
# The profile covers the measured run: it starts with it and the run lasts a second longer.
curl -fsS -o "$raw/replica.pprof" "http://127.0.0.1:$metrics_port/debug/pprof/profile?seconds=$profile_secs" &
curl_pid=$!
p0=$(cpu_ticks "${server_pids[1]}")
loadgen "$raw/profile.json" -d "$((profile_secs + 1))s"
p1=$(cpu_ticks "${server_pids[1]}")
wait "$curl_pid" || { echo "reading the profile from /debug/pprof/profile failed" >&2; exit 1; }
stop_all
prof_n=$(field "$raw/profile.json" requests)
replica_us=$(awk -v t=$((p1 - p0)) -v hz="$hz" -v n="$prof_n" 'BEGIN {printf "%.1f", n ? t / hz * 1e6 / n : 0}')
go tool pprof -top -nodecount=25 "$bin/minimcp" "$raw/replica.pprof" >"$raw/profile.top" 2>/dev/null
go tool pprof -top -cum -nodecount=40 "$bin/minimcp" "$raw/replica.pprof" >"$raw/profile.cum" 2>/dev/null
# focus_share REGEXP: the percentage of the replica's CPU samples whose stack has a function
# matching REGEXP.
focus_share() {
  go tool pprof -top -focus "$1" "$bin/minimcp" "$raw/replica.pprof" 2>/dev/null |
    awk '/^Showing nodes accounting for/ {gsub(/[(),%]/, " "); for (i = 1; i <= NF; i++) if ($i == "of") {print $(i - 1); exit}}'
}
# Where one request's time goes: each part's share of the samples, and the microseconds it
# makes of the replica's CPU per request.
parts=(
  "reading and parsing the HTTP request|net/http\.\(\*conn\)\.readRequest"
  "the session's Redis round trip (SessionStore.Load)|redisstore\.\(\*SessionStore\)\.Load"
  "the Redis client (go-redis), all of it|redis/go-redis"
  "MCP: decoding, dispatch, the tool, encoding|minimcp/mcp\.|minimcp/rpc\."
  "writing the HTTP answer|net/http\.\(\*response\)\.finishRequest"
  "system calls (all network I/O)|^syscall\."
  "garbage collection|runtime\.gcBgMarkWorker"
)
: >"$raw/parts.tsv"
for part in "${parts[@]}"; do
  share=$(focus_share "${part#*|}")
  printf '%s\t%s\t%s\n' "${part%%|*}" "${share:-0}" \
    "$(awk -v s="${share:-0}" -v u="$replica_us" 'BEGIN {printf "%.1f", s / 100 * u}')" >>"$raw/parts.tsv"
done
fi

# --- report --------------------------------------------------------------------------------------
{
  echo "# minimcp replicas benchmark"
  echo
  echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ); minimcp $commit; $("$redis_bin" --version | cut -d' ' -f1-3); $(go version | cut -d' ' -f3)"
  echo "- machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- load: \`minimcp bench --mode stateful -c $conc --tool echo\` (a session per worker, tools/call in it), warm-up $warmup, measured $measure, median of $reps window(s); server-side processes on CPU $server_cpu, the load generator on CPU $client_cpu, GOMAXPROCS=1 each; $prio_desc; load average at the start: $load_start"
  echo
  echo "| setup | req/s | p50 ms | p99 ms | errors | server-side CPU us/request | requests per replica |"
  echo "|---|---:|---:|---:|---:|---:|---|"
  for setup in "${setups[@]}"; do
    printf '| %s | %.0f | %.2f | %.2f | %s | %s | %s |\n' "$setup" \
      "$(tr ' ' '\n' <<<"${rps[$setup]}" | grep . | median)" \
      "$(tr ' ' '\n' <<<"${p50[$setup]}" | grep . | median)" \
      "$(tr ' ' '\n' <<<"${p99[$setup]}" | grep . | median)" \
      "$(tr ' ' '\n' <<<"${errs[$setup]}" | awk '{s += $1} END {print s + 0}')" \
      "$(tr ' ' '\n' <<<"${cpu[$setup]}" | grep . | median)" \
      "${shares[$setup]:--}"
  done
  echo
  echo "Redis work per tools/call (one serve --redis replica, $counted requests counted after a warm-up, INFO before and after):"
  echo
  echo "| Redis commands | read events (round trips) | Redis time in commands us | Redis CPU us | replica CPU us (profile run) |"
  echo "|---:|---:|---:|---:|---:|"
  echo "| $cmds_per | $reads_per | $usec_per | $rcpu_per | $replica_us |"
  echo
  echo "Commands (INFO commandstats over the whole counted process, warm-up and sessions included):"
  echo
  echo '```'
  grep '^cmdstat_' "$raw/commandstats.txt" | sed 's/,rejected_calls.*//' || true
  echo '```'
  echo
  echo "Where one request's time goes: a profile of the replica under load (\`serve --metrics-addr ADDR --pprof\`, /debug/pprof/profile for ${profile_secs}s, $replica_us us of replica CPU per request; parts overlap: system calls are inside the others):"
  echo
  echo "| part | share of samples | us per request |"
  echo "|---|---:|---:|"
  while IFS=$'\t' read -r what share us; do
    echo "| $what | $share% | $us |"
  done <"$raw/parts.tsv"
  echo
  echo "\`go tool pprof -top\` of the same profile:"
  echo
  echo '```'
  sed -n '1,40p' "$raw/profile.top"
  echo '```'
} >"$out/results.md"
cat "$out/results.md"
