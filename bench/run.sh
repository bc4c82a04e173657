#!/usr/bin/env bash
# bench/run.sh: minimcp side by side with a bare net/http floor, mcp-go and the official go-sdk,
# serving an echo tool over Streamable HTTP, in one run on this machine.
#
#   bash bench/run.sh           the full run (about 6.5 minutes): every server in stateless+JSON,
#                               modern and stateful mode at c=32 and c=256, then 10,000 idle
#                               sessions
#   bash bench/run.sh --quick   a smoke of minimcp stateless and modern at c=32 (CI)
#
# Modes: stateless is 2025-11-25 tools/call without a session; modern is 2026-07-28 tools/call
# (per-request _meta and headers, no initialize, "minimcp bench --mode modern") to the same
# stateless servers; stateful is a 2025-11-25 session per worker. The floor answers a modern
# request's bytes as it answers the others (it reads params.name and arguments and ignores
# _meta and the headers): the cost of the bigger body, not of the revision's checks.
#
# The server runs on CPU 0 and the load generator ("minimcp bench") on CPU 1, each with
# GOMAXPROCS=1. Each measured window gets a fresh server and a warm-up; the tables show medians
# over REPS windows. Results: .cache/bench/results.md (.cache is gitignored), raw files in
# .cache/bench/raw, binaries in .cache/bench/bin. All traffic goes to 127.0.0.1; every process
# this script starts is stopped by its pid when it ends, however it ends.
#
# Environment: BENCH_PORT (default 18731), REPS (2), WARMUP (2s), MEASURE (5s),
# IDLE_SESSIONS (10000), IDLE_CONNS (32), SERVERS ("floor minimcp mcp-go go-sdk"),
# MODES ("stateless modern stateful"), BENCH_PRIO.
#
# BENCH_PRIO shields the measured processes from other work on a shared machine (it needs
# root): "rr" runs the server and the load generator under SCHED_RR at priority 1 (chrt), so a
# request wakes them at once instead of after another task's time slice; a number runs them at
# that niceness. Unset, they run as anything else does. On a busy machine the request/response
# loop is bound by wake-up latency, not CPU, and without "rr" the numbers mostly measure the
# other work. Under "rr" the kernel's RT throttling (sched_rt_runtime_us, 95% by default)
# pauses them for 50 ms each second, which shows up as max latencies near 50 ms.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

quick=0
case "${1:-}" in
  --quick) quick=1 ;;
  "") ;;
  -h|--help) sed -n '2,32p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "usage: bash bench/run.sh [--quick]" >&2; exit 2 ;;
esac

port=${BENCH_PORT:-18731}
addr=127.0.0.1:$port
url=http://$addr/mcp
reps=${REPS:-2}
warmup=${WARMUP:-2s}
measure=${MEASURE:-5s}
idle_sessions=${IDLE_SESSIONS:-10000}
idle_conns=${IDLE_CONNS:-32}
concs=(32 256)
read -r -a servers <<<"${SERVERS:-floor minimcp mcp-go go-sdk}"
read -r -a modes <<<"${MODES:-stateless modern stateful}"
if [ "$quick" = 1 ]; then
  reps=1 warmup=1s measure=4s concs=(32) servers=(minimcp) modes=(stateless modern)
fi
server_cpu=0
client_cpu=1
# prio_cmd prefixes the measured processes' commands as BENCH_PRIO asks.
prio=${BENCH_PRIO:-}
case $prio in
  "") prio_cmd=() prio_desc="normal scheduling" ;;
  rr) prio_cmd=(chrt -r 1) prio_desc="SCHED_RR priority 1 (BENCH_PRIO=rr; RT throttling $(cat /proc/sys/kernel/sched_rt_runtime_us 2>/dev/null || echo ?) us per $(cat /proc/sys/kernel/sched_rt_period_us 2>/dev/null || echo ?) us)" ;;
  -[0-9]*|[0-9]*) prio_cmd=(nice -n "$prio") prio_desc="niceness $prio (BENCH_PRIO)" ;;
  *) echo "BENCH_PRIO=$prio: want rr or a niceness" >&2; exit 2 ;;
esac

out=$root/.cache/bench
raw=$out/raw
bin=$out/bin
rm -rf "$raw"
mkdir -p "$raw" "$bin"
start_time=$(date +%s)

# Processes this script started, stopped by pid on exit.
server_pid=""
client_pid=""
cleanup() {
  for pid in $client_pid $server_pid; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  client_pid="" server_pid=""
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '%s\n' "$*"; }

if ! command -v taskset >/dev/null; then
  log "taskset missing: installing util-linux"
  apt-get update -qq && apt-get install -y -qq util-linux >/dev/null
fi
if [ "$(nproc)" -lt 2 ]; then
  log "warning: fewer than 2 CPUs; server and load generator share CPU 0"
  client_cpu=0
fi

# --- build -------------------------------------------------------------------------------------
log "== build"
go build -o "$bin/minimcp" ./cmd/minimcp
# cmd/profile, the profiling harness, is left out: it is built by hand when needed.
(cd bench/peers && go build -o "$bin/" ./cmd/floor ./cmd/gosdk ./cmd/mcpgo ./cmd/idle ./cmd/report)

# --- machine and versions ----------------------------------------------------------------------
peer_versions=$(cd bench/peers && go list -m -f '{{.Path}} {{.Version}}' github.com/mark3labs/mcp-go github.com/modelcontextprotocol/go-sdk)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain 2>/dev/null)" ]; then commit="$commit+dirty"; fi
{
  echo "# minimcp side-by-side benchmark"
  echo
  echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "- machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), kernel $(uname -r), $(free -g | awk '/^Mem:/{print $2}') GiB"
  echo "- $(go version)"
  echo "- minimcp: $commit"
  echo "- peers: $(echo "$peer_versions" | paste -sd, - | sed 's/,/, /g')"
  echo "- setup: server on CPU $server_cpu, load generator (\`minimcp bench\`) on CPU $client_cpu, GOMAXPROCS=1 each; echo tool, args {\"text\":\"hello\"}; warm-up $warmup then $measure measured, $reps times, a fresh server each time; $prio_desc"
  echo "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
} > "$raw/header.md"
cat "$raw/header.md"
if [ -z "$prio" ] && awk -v n="$(nproc)" '{exit !($1 > n / 2)}' /proc/loadavg; then
  log "warning: load average $(cut -d' ' -f1 /proc/loadavg) on $(nproc) CPUs: other work will dominate the"
  log "  numbers (look at the server CPU column); BENCH_PRIO=rr shields the measured processes"
fi

# --- helpers -----------------------------------------------------------------------------------

# start_server NAME MODE TAG [EXTRA...]: starts a server pinned to the server CPU and waits
# until it accepts connections. Its stderr goes to $raw/server.NAME.MODE.TAG.err. Modern mode
# runs the stateless server (2026-07-28 has no sessions).
start_server() {
  local name=$1 mode=$2 tag=$3
  shift 3
  local cmd smode=$mode
  if [ "$mode" = modern ]; then smode=stateless; fi
  case $name in
    floor) cmd=("$bin/floor" -addr "$addr" -mode "$smode") ;;
    mcp-go) cmd=("$bin/mcpgo" -addr "$addr" -mode "$smode") ;;
    go-sdk) cmd=("$bin/gosdk" -addr "$addr" -mode "$smode") ;;
    minimcp)
      cmd=("$bin/minimcp" serve --addr "$addr" --response json --log-level error "$@")
      if [ "$smode" = stateless ]; then cmd+=(--stateless); fi ;;
    *) echo "unknown server $name" >&2; exit 2 ;;
  esac
  GOMAXPROCS=1 GOTRACEBACK=all "${prio_cmd[@]}" taskset -c "$server_cpu" "${cmd[@]}" >/dev/null 2>"$raw/server.$name.$mode.$tag.err" &
  server_pid=$!
  local i
  for i in $(seq 100); do
    if ! kill -0 "$server_pid" 2>/dev/null; then
      echo "$name ($mode) exited at start:" >&2; cat "$raw/server.$name.$mode.$tag.err" >&2; exit 1
    fi
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "$name ($mode) did not listen on $addr within 10s" >&2
  exit 1
}

# stop_server [SIGNAL]: stops the server and waits for it.
stop_server() {
  if [ -n "$server_pid" ]; then
    kill "-${1:-TERM}" "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
}

# cpu_ticks PID: user+system CPU time of a process, in clock ticks.
cpu_ticks() {
  local s
  s=$(<"/proc/$1/stat")
  s=${s##*) }
  set -- $s
  echo $(( ${12} + ${13} ))
}

rss_kb() { awk '/^VmRSS:/{print $2}' "/proc/$1/status"; }

hz=$(getconf CLK_TCK)

# loadgen MODE C DURATION OUTFILE: one run of the load generator on the client CPU.
loadgen() {
  local rc=0
  GOMAXPROCS=1 timeout 120 "${prio_cmd[@]}" taskset -c "$client_cpu" "$bin/minimcp" bench "$url" -c "$2" -d "$3" \
    --mode "$1" --tool echo --args '{"text":"hello"}' --json >"$4" 2>>"$raw/loadgen.err" || rc=$?
  # 1 means the run completed with errors, which the tables show; anything else is fatal.
  if [ "$rc" != 0 ] && [ "$rc" != 1 ]; then
    echo "minimcp bench exited with $rc; see $raw/loadgen.err" >&2
    tail -5 "$raw/loadgen.err" >&2
    exit 1
  fi
}

summary() { # FILE: req/s, p99 and errors of one bench report
  tr ',' '\n' <"$1" | awk -F: '/"throughput_rps"/{r=$2} /"p99"/{p=$2} /"errors":/{e=$2} END{printf "%8.0f req/s  p99 %6.2f ms  errors %s", r, p, e}'
}

# --- throughput --------------------------------------------------------------------------------
log ""
log "== throughput: echo tools/call (warm-up $warmup, $reps x $measure)"
# The repetitions of one c interleave the modes and the servers (both in reverse order on even
# repetitions), so that a change in the machine's background load hits all of them
# alike: the modes too are compared (modern against stateless), not only the servers.
for c in "${concs[@]}"; do
  for rep in $(seq "$reps"); do
    order=("${servers[@]}") morder=("${modes[@]}")
    if [ $((rep % 2)) = 0 ]; then
      order=() morder=()
      for ((i = ${#servers[@]} - 1; i >= 0; i--)); do order+=("${servers[$i]}"); done
      for ((i = ${#modes[@]} - 1; i >= 0; i--)); do morder+=("${modes[$i]}"); done
    fi
    for mode in "${morder[@]}"; do
      for name in "${order[@]}"; do
        start_server "$name" "$mode" "c$c.r$rep"
        loadgen "$mode" "$c" "$warmup" "$raw/warmup.$name.$mode.$c.$rep.json"
        f=$raw/tput.$name.$mode.$c.$rep.json
        t0=$(cpu_ticks "$server_pid")
        loadgen "$mode" "$c" "$measure" "$f"
        t1=$(cpu_ticks "$server_pid")
        echo "$((t1 - t0)) $hz" >"$raw/cpu.$name.$mode.$c.$rep.txt"
        rss_kb "$server_pid" >"$raw/rss.$name.$mode.$c.$rep.txt"
        stop_server
        log "$(printf '%-8s %-9s c=%-4s rep %s: ' "$name" "$mode" "$c" "$rep")$(summary "$f")  server CPU $(( (t1 - t0) * 100 / hz ))cs"
      done
    done
  done
done

# --- idle sessions -----------------------------------------------------------------------------
# count_goroutines FILE: the goroutines in a SIGQUIT dump ("goroutine 0" is a thread's system
# stack, not a goroutine).
count_goroutines() { grep -cE '^goroutine [1-9][0-9]* ' "$1" || true; }

if [ "$quick" = 0 ]; then
  log ""
  log "== idle sessions: $idle_sessions stateful sessions over $idle_conns connections"
  for name in "${servers[@]}"; do
    extra=()
    if [ "$name" = minimcp ]; then extra=(--max-sessions $((idle_sessions * 2)) --session-idle-timeout 1h); fi
    # A fresh server's goroutines, from its SIGQUIT dump.
    start_server "$name" stateful fresh "${extra[@]}"
    sleep 0.5
    stop_server QUIT
    count_goroutines "$raw/server.$name.stateful.fresh.err" >"$raw/gor.$name.fresh.txt"
    # The same server holding the sessions.
    start_server "$name" stateful idle "${extra[@]}"
    sleep 0.5
    f=$raw/idle.$name.json
    GOMAXPROCS=1 "${prio_cmd[@]}" taskset -c "$client_cpu" "$bin/idle" -url "$url" -pid "$server_pid" \
      -n "$idle_sessions" -c "$idle_conns" -hold 60s >"$f" 2>>"$raw/idle.err" &
    client_pid=$!
    for _ in $(seq 1200); do
      if [ -s "$f" ] || ! kill -0 "$client_pid" 2>/dev/null; then break; fi
      sleep 0.1
    done
    sleep 0.2
    stop_server QUIT
    count_goroutines "$raw/server.$name.stateful.idle.err" >"$raw/gor.$name.idle.txt"
    kill -TERM "$client_pid" 2>/dev/null || true
    wait "$client_pid" 2>/dev/null || true
    client_pid=""
    log "$(printf '%-8s ' "$name")$(cat "$f") goroutines $(cat "$raw/gor.$name.fresh.txt") -> $(cat "$raw/gor.$name.idle.txt")"
  done

  log ""
  log "== minimcp BenchmarkIdleSessions (server package, in process)"
  go test -c -o "$bin/server.test" ./server
  (cd server && GOMAXPROCS=1 taskset -c "$server_cpu" "$bin/server.test" -test.run '^$' \
    -test.bench '^BenchmarkIdleSessions$' -test.benchtime 1x) >"$raw/benchidle.txt" 2>&1 || true
  grep -E 'BenchmarkIdleSessions|FAIL' "$raw/benchidle.txt" || true
fi

# --- report ------------------------------------------------------------------------------------
end_time=$(date +%s)
{
  cat "$raw/header.md"
  "$bin/report" -raw "$raw"
  echo "- load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- wall time: $((end_time - start_time)) s"
} >"$out/results.md"
log ""
cat "$out/results.md"

# The run fails if any request or session failed.
if grep -qsE '"errors": *[1-9]' "$raw"/tput.*.json "$raw"/idle.*.json; then
  echo "FAIL: some requests failed (see the errors columns)" >&2
  exit 1
fi
echo "bench: ok, no errors"
