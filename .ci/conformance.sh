#!/usr/bin/env bash
# .ci/conformance.sh: run the official MCP conformance suite (npm @modelcontextprotocol/conformance,
# server scenarios) against `minimcp conformance`, stateful and then --stateless, and check the
# outcome scenario by scenario.
#
# Expected:
#   stateful   every active scenario passes, and so does the pending json-schema-2020-12.
#   stateless  the same, except the four scenarios in which the server asks the client something
#              (sampling, elicitation x3): they need a session to route the client's answer, so
#              they must FAIL, and fail fast: each scenario within FAST_LIMIT seconds of its
#              start (Node's start-up left out; far below the suite's 60 s request time-out,
#              which is what a server that waited for the client would hit), with an isError
#              tool result wherever the suite records it. A direct probe then calls the four
#              tools with one POST each and requires an isError result within CALL_LIMIT
#              seconds, timed inside one Node process.
#   stateful   the pending server-sse-polling (SEP-1699) passes with every check a SUCCESS and
#              no warning: the server closes the POST's stream mid-call (Options.Polling) and
#              the result arrives on the client's GET with Last-Event-ID.
#   stateless  server-sse-polling runs for information (without a session the stream cannot
#              be resumed, so the answer stays plain JSON): only a FAILURE check counts.
#
# On a fresh machine it installs what it needs into .cache/ (Node 22 from the npm package
# node-linux-<arch>, the conformance package) and reuses it afterwards. One scenario runs per
# Node process; each one's output and checks.json go to .cache/conformance-logs/<mode>/. It
# prints a table of scenario, mode, result and seconds, prints the log of every scenario that
# did not do what it should, and exits non-zero if anything deviates. Servers it started are
# stopped on any exit.
#
# The server's own log must stay clean: an ERROR record (a handler panic is one), a Go panic or,
# with CONFORMANCE_RACE=1, a data race reported by the race detector is a deviation too.
#
# Environment: CONFORMANCE_TIMEOUT (seconds one scenario may take before it is killed; 60),
# CONFORMANCE_RACE=1 (build minimcp with -race), LIB_NODE (a Node >= 22 binary to use instead of
# installing one).
set -euo pipefail
export LC_ALL=C # the decimal point of EPOCHREALTIME

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$(lib_root)"
started=$SECONDS

CONF_VERSION=0.1.16
# The scenarios in which the server sends requests to the client during a tool call, and the
# tool calls they make (name, then arguments).
SERVER_TO_CLIENT=(tools-call-sampling tools-call-elicitation elicitation-sep1034-defaults elicitation-sep1330-enums)
SERVER_TO_CLIENT_CALLS='[["test_sampling",{"prompt":"Test prompt for sampling"}],
 ["test_elicitation",{"message":"Please provide your information"}],
 ["test_elicitation_sep1034_defaults",{}],["test_elicitation_sep1330_enums",{}]]'
# Pending scenarios that must pass all the same.
PENDING_REQUIRED=(json-schema-2020-12)
# The pending scenario of server-initiated stream closes, strict in stateful mode.
POLLING_SCENARIO=server-sse-polling
# Seconds within which each expected stateless failure must have finished: the scenario, and
# one direct tools/call. Both are generous for a loaded 2-core machine and far below the 60 s
# that a server waiting for the client's answer would take.
FAST_LIMIT=5
CALL_LIMIT=2
SCENARIO_TIMEOUT=${CONFORMANCE_TIMEOUT:-60}
# What must not appear in the server's log.
SERVER_LOG_BAD='level=ERROR|^panic:|WARNING: DATA RACE'

trap lib_stop_all_servers EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

node=$(lib_node22)
lib_log "node $("$node" --version) at $node"
pkgdir=$(lib_cache_dir "conformance-$CONF_VERSION")
lib_npm_install "$pkgdir" "@modelcontextprotocol/conformance@$CONF_VERSION"
cli=$pkgdir/node_modules/@modelcontextprotocol/conformance/dist/index.js
[[ -f $cli ]] || lib_die "$cli is missing after npm install"
if [[ ${CONFORMANCE_RACE:-0} == 1 ]]; then
	bin=$(lib_build_minimcp "$(lib_cache_dir bin)/minimcp-race" -race)
else
	bin=$(lib_build_minimcp)
fi
logs=$(lib_cache_dir conformance-logs)
rm -rf "${logs:?}"/*

# suite NAME prints the scenarios of the package's suite NAME (active or pending), one a line.
# The CLI has no command for that (`list` shows every scenario without telling the pending ones
# apart), so the suite is run against a port nothing listens on: every scenario fails at once,
# and the runner announces each by name first.
suite() {
	local port
	port=$(lib_free_port)
	{ "$node" "$cli" server --url "http://127.0.0.1:$port/mcp" --suite "$1" 2>"$logs/suite-$1.err" || true; } |
		sed -n 's/^=== Running scenario: \(.*\) ===$/\1/p'
}

contains() { # contains WORD LIST...
	local w=$1
	shift
	local x
	for x in "$@"; do [[ $x == "$w" ]] && return 0; done
	return 1
}

mapfile -t active < <(suite active)
mapfile -t pending < <(suite pending)
((${#active[@]} > 0)) || lib_die "could not read the active suite from $cli: $(head -c 2000 "$logs/suite-active.err")"
lib_log "conformance $CONF_VERSION: ${#active[@]} active scenarios, ${#pending[@]} pending (${pending[*]})"
for s in "${SERVER_TO_CLIENT[@]}"; do
	contains "$s" "${active[@]}" || lib_die "scenario $s is not in the active suite: update SERVER_TO_CLIENT"
done
for s in "${PENDING_REQUIRED[@]}" "$POLLING_SCENARIO"; do
	contains "$s" "${active[@]}" "${pending[@]}" || lib_die "scenario $s is not in the package: update PENDING_REQUIRED or POLLING_SCENARIO"
done
scenarios=("${active[@]}")
for s in "${pending[@]}"; do
	contains "$s" "${scenarios[@]}" || scenarios+=("$s")
done

# checks_summary DIR prints "SUCCESS FAILURE WARNING ISERROR INFO NOTE", tab-separated, for the
# checks.json files under DIR: counts by status; ISERROR is yes, no or - (whether a tool result
# the suite recorded had isError); INFO is the first INFO check's message; NOTE is the first
# failure's message, or the first warning's.
checks_summary() {
	"$node" -e '
const fs = require("fs"), path = require("path");
const n = {SUCCESS: 0, FAILURE: 0, WARNING: 0};
let isError = "-", fail = "", warn = "", info = "";
const walk = (d) => {
  for (const e of fs.readdirSync(d, {withFileTypes: true})) {
    const p = path.join(d, e.name);
    if (e.isDirectory()) { walk(p); continue; }
    if (e.name !== "checks.json") continue;
    for (const c of JSON.parse(fs.readFileSync(p, "utf8"))) {
      n[c.status] = (n[c.status] || 0) + 1;
      const msg = c.errorMessage || (c.details && c.details.message) || c.description || "";
      if (c.status === "FAILURE" && !fail) fail = msg;
      if (c.status === "WARNING" && !warn) warn = msg;
      if (c.status === "INFO" && !info && c.details && c.details.message) info = c.details.message;
      const r = c.details && c.details.result;
      if (r && typeof r === "object" && "content" in r) {
        isError = r.isError ? "yes" : "no";
        const t = (r.content || []).find((b) => b.type === "text");
        if (r.isError && t) fail += " (tool said: " + t.text + ")";
      }
    }
  }
};
try { walk(process.argv[1]); } catch (e) { fail = fail || "no checks.json: " + e.message; }
const flat = (x) => x.replace(/\s+/g, " ") || "-";
console.log([n.SUCCESS, n.FAILURE, n.WARNING, isError, flat(info), flat(fail || warn)].join("\t"));
' "$1"
}

# probe_calls URL makes each call of SERVER_TO_CLIENT_CALLS with one POST to the stateless
# server at URL and prints "TOOL SECONDS OUTCOME TEXT", tab-separated, a line each; OUTCOME is
# isError, ok, or none (no result: TEXT says why).
probe_calls() {
	"$node" -e '
const [url, calls] = [process.argv[1], JSON.parse(process.argv[2])];
(async () => {
  for (const [name, args] of calls) {
    const t0 = performance.now();
    let outcome = "none", text = "";
    try {
      const r = await fetch(url, {
        method: "POST",
        headers: {"Content-Type": "application/json", "Accept": "application/json, text/event-stream",
                  "MCP-Protocol-Version": "2025-11-25"},
        body: JSON.stringify({jsonrpc: "2.0", id: 1, method: "tools/call", params: {name, arguments: args}}),
        signal: AbortSignal.timeout(30000),
      });
      const body = await r.text();
      let msg;
      if ((r.headers.get("content-type") || "").includes("text/event-stream")) {
        for (const line of body.split("\n")) {
          if (!line.startsWith("data:")) continue;
          try { const m = JSON.parse(line.slice(5)); if (m.id === 1) msg = m; } catch {}
        }
      } else {
        msg = JSON.parse(body);
      }
      const res = msg && msg.result;
      if (res) {
        outcome = res.isError ? "isError" : "ok";
        const t = (res.content || []).find((b) => b.type === "text");
        text = t ? t.text : "";
      } else {
        text = "HTTP " + r.status + ": " + body.slice(0, 200);
      }
    } catch (e) {
      text = e.message;
    }
    const secs = (performance.now() - t0) / 1000;
    console.log([name, secs.toFixed(3), outcome, text.replace(/\s+/g, " ") || "-"].join("\t"));
  }
})();
' "$1" "$SERVER_TO_CLIENT_CALLS"
}

# stamp FILE copies its input to its output and writes to FILE the time (in microseconds)
# its first line arrived.
stamp() {
	local line
	if IFS= read -r line; then
		printf '%s\n' "${EPOCHREALTIME/./}" >"$1"
		printf '%s\n' "$line"
		cat
	fi
	return 0
}

# fmt_us US prints microseconds as seconds with two decimals.
fmt_us() { printf '%d.%02d' $(($1 / 1000000)) $(($1 % 1000000 / 10000)); }

# Results, indexed by "mode scenario". secs is the whole Node process; run the scenario alone.
declare -A result secs run expect note info warnings
deviations=()
probes=() # the stateless probe's rows, "call:TOOL"

# run_mode MODE [SERVER FLAGS...] starts the server and runs every scenario against it.
run_mode() {
	local mode=$1
	shift
	local port url
	port=$(lib_free_port)
	url="http://127.0.0.1:$port/mcp"
	mkdir -p "$logs/$mode"
	lib_start_server "conformance-$mode" "$port" "$logs/$mode/server.log" -- \
		"$bin" conformance --addr "127.0.0.1:$port" --log-level debug "$@"
	lib_log "$mode: running ${#scenarios[@]} scenarios against $url"
	local s key t0 t1 us rc ok fail warn iserr inf msg exp res
	for s in "${scenarios[@]}"; do
		key="$mode $s"
		t0=${EPOCHREALTIME/./}
		rm -f "$logs/$mode/$s.start"
		if timeout -k 5 "$SCENARIO_TIMEOUT" "$node" "$cli" server --url "$url" --scenario "$s" -o "$logs/$mode/$s" 2>&1 |
			stamp "$logs/$mode/$s.start" >"$logs/$mode/$s.log"; then
			rc=0
		else
			rc=${PIPESTATUS[0]}
		fi
		t1=${EPOCHREALTIME/./}
		secs[$key]=$(fmt_us $((t1 - t0)))
		# The scenario's own time: from the runner's first line, once Node has loaded the suite.
		us=$((t1 - $(cat "$logs/$mode/$s.start" 2>/dev/null || echo "$t0")))
		run[$key]=$(fmt_us "$us")
		IFS=$'\t' read -r ok fail warn iserr inf msg < <(checks_summary "$logs/$mode/$s") || true
		warnings[$key]=$warn
		note[$key]=${msg#-}
		info[$key]=${inf#-}
		if ((rc == 124 || rc == 137)); then
			res=TIMEOUT
		elif ((rc == 0 && fail == 0)); then
			res=PASS
		else
			res=FAIL
		fi
		result[$key]=$res

		# What this scenario must do in this mode.
		if [[ $mode == stateless ]] && contains "$s" "${SERVER_TO_CLIENT[@]}"; then
			exp="FAIL<${FAST_LIMIT}s"
			if [[ $res != FAIL ]]; then
				deviations+=("$key: expected a fast FAIL (no session for a server-to-client request), got $res")
			elif ((us >= FAST_LIMIT * 1000000)); then
				deviations+=("$key: failed as expected but ran ${run[$key]}s (limit ${FAST_LIMIT}s): the server waited instead of failing at once")
			elif [[ $iserr == no ]]; then
				deviations+=("$key: failed as expected but the tool result was not isError")
			fi
		elif [[ $mode == stateful && $s == "$POLLING_SCENARIO" ]]; then
			exp="PASS, 0 warn"
			if [[ $res != PASS ]] || ((warn > 0 || ok == 0)); then
				deviations+=("$key: expected every SEP-1699 check to succeed, got $res with $ok successes and $warn warnings: ${note[$key]}")
			fi
		elif contains "$s" "${active[@]}" || contains "$s" "${PENDING_REQUIRED[@]}"; then
			exp=PASS
			[[ $res == PASS ]] || deviations+=("$key: expected PASS, got $res")
		else
			exp="PASS (info)"
			[[ $res == PASS ]] || deviations+=("$key: pending scenario had FAILURE checks (warnings alone are allowed), got $res")
		fi
		expect[$key]=$exp
	done
	if [[ $mode == stateless ]]; then
		local tool t outcome text
		while IFS=$'\t' read -r tool t outcome text; do
			key="$mode call:$tool"
			probes+=("call:$tool")
			secs[$key]=$t
			run[$key]=$t
			expect[$key]="isError<${CALL_LIMIT}s"
			note[$key]=$text
			warnings[$key]=0
			result[$key]=FAIL
			if [[ $outcome != isError ]]; then
				deviations+=("$key: expected an isError result, got $outcome")
			elif ((10#${t/./} >= CALL_LIMIT * 1000)); then # t has three decimals: milliseconds
				deviations+=("$key: isError came after ${t}s (limit ${CALL_LIMIT}s): the server waited instead of failing at once")
			else
				result[$key]=PASS
			fi
		done < <(probe_calls "$url")
		((${#probes[@]} == ${#SERVER_TO_CLIENT[@]})) || deviations+=("stateless probe: ${#probes[@]} of ${#SERVER_TO_CLIENT[@]} tool calls answered")
	fi
	lib_stop_server "conformance-$mode"
	if grep -qE "$SERVER_LOG_BAD" "$logs/$mode/server.log"; then
		deviations+=("$mode server: its log has an error, a panic or a data race ($logs/$mode/server.log)")
	fi
}

run_mode stateful
run_mode stateless --stateless

# The table.
# SECONDS is the whole scenario process; RUN leaves out Node's start-up (the fast limits apply to it).
printf '\n%-40s %-9s %-7s %-12s %7s %6s  %s\n' SCENARIO MODE RESULT EXPECTED SECONDS RUN NOTE
for mode in stateful stateless; do
	rows=("${scenarios[@]}")
	[[ $mode == stateless ]] && rows+=("${probes[@]}")
	for s in "${rows[@]}"; do
		key="$mode $s"
		n=""
		if ((${warnings[$key]:-0} > 0)); then
			n="${warnings[$key]} warning(s): ${note[$key]}"
		elif [[ ${result[$key]} != PASS ]]; then
			n=${note[$key]}
		elif [[ $s == call:* ]]; then
			n=${note[$key]}
		elif [[ ${expect[$key]} == *info* && -n ${info[$key]} ]]; then
			n="info: ${info[$key]}"
		fi
		printf '%-40s %-9s %-7s %-12s %7s %6s  %.140s\n' "$s" "$mode" "${result[$key]}" "${expect[$key]}" "${secs[$key]}" "${run[$key]}" "$n"
	done
done

# The log of every scenario that failed: whole for a deviation, up to its failed checks for an
# expected failure (enough to see it failed for the expected reason).
for mode in stateful stateless; do
	for s in "${scenarios[@]}"; do
		key="$mode $s"
		deviated=no
		for d in "${deviations[@]}"; do [[ ${d%%:*} == "$key" ]] && deviated=yes; done
		[[ ${result[$key]} != PASS || $deviated == yes ]] || continue
		if [[ $deviated == yes ]]; then
			printf '\n----- %s (%s), DEVIATION: %s.log -----\n' "$s" "$mode" "$logs/$mode/$s"
			sed 's/\x1b\[[0-9;]*m//g' "$logs/$mode/$s.log"
		else
			printf '\n----- %s (%s), expected failure: %s.log (head) -----\n' "$s" "$mode" "$logs/$mode/$s"
			sed -n '/^Checks:/,/^ *Error:/p' "$logs/$mode/$s.log" | sed 's/\x1b\[[0-9;]*m//g'
		fi
	done
done

for mode in stateful stateless; do
	if grep -qE "$SERVER_LOG_BAD" "$logs/$mode/server.log"; then
		printf '\n----- server log (%s), DEVIATION: %s -----\n' "$mode" "$logs/$mode/server.log"
		grep -nE -A 30 "$SERVER_LOG_BAD" "$logs/$mode/server.log" | head -n 300
	fi
done

total=$((${#scenarios[@]} * 2))
printf '\nconformance %s: %d scenario runs in %ds, %d deviation(s); logs in %s\n' \
	"$CONF_VERSION" "$total" $((SECONDS - started)) "${#deviations[@]}" "$logs"
if ((${#deviations[@]} > 0)); then
	printf 'DEVIATIONS:\n'
	printf '  %s\n' "${deviations[@]}"
	exit 1
fi
printf 'OK: stateful passes every active scenario, json-schema-2020-12 and server-sse-polling; stateless fails only the %d server-to-client scenarios, each within %ds (isError within %ss per call)\n' \
	"${#SERVER_TO_CLIENT[@]}" "$FAST_LIMIT" "$CALL_LIMIT"
