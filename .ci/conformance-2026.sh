#!/usr/bin/env bash
# .ci/conformance-2026.sh: the official MCP conformance suite's 2026-07-28 line
# (@modelcontextprotocol/conformance 0.2.0 pre-releases) against `minimcp conformance`, stateful
# and --stateless, with `--requirements 2026-07-28`, and then `--requirements 2025-11-25`
# stateful. The extension scenarios that `--requirements` leaves out (the skills extension's,
# SEP-2640: .ci/conformance-2026.ext) run one by one with `--scenario`, in both modes.
#
# Expected: every scenario named in .ci/conformance-2026.pass passes in both modes (a
# regression gate: every scenario the run holds is listed, the tasks extension's included),
# every one of .ci/conformance-2026.ext passes whole (no check failed or skipped) in both
# modes, and the 2025-11-25 run passes whole.
# A scenario that passes but is not in the list is reported, so the list can be extended. The
# suite's output and checks go to .cache/conformance-2026-logs/<run>/.
#
# Needs what .ci/conformance.sh needs (Node 22 is installed into .cache by lib_node22).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$(lib_root)"

CONF_VERSION=0.2.0-alpha.12
trap lib_stop_all_servers EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

node=$(lib_node22)
pkgdir=$(lib_cache_dir "conformance-$CONF_VERSION")
lib_npm_install "$pkgdir" "@modelcontextprotocol/conformance@$CONF_VERSION"
cli=$pkgdir/node_modules/@modelcontextprotocol/conformance/dist/index.js
[[ -f $cli ]] || lib_die "$cli is missing after npm install"
bin=$(lib_build_minimcp)
logs=$(lib_cache_dir conformance-2026-logs)
rm -rf "${logs:?}"/*
mapfile -t want < <(grep -v '^#' .ci/conformance-2026.pass | grep .)

failed=0
# run NAME REQUIREMENTS [FLAG...] starts a server, runs the suite, and prints the scenarios
# that passed, one a line, into $logs/NAME/passed.
run() {
	local name=$1 req=$2 port out
	shift 2
	port=$(lib_free_port)
	mkdir -p "$logs/$name"
	lib_start_server "conf2026-$name" "$port" "$logs/$name/server.log" -- \
		"$bin" conformance --addr "127.0.0.1:$port" --log-level warn "$@"
	out=$logs/$name/suite.out
	"$node" "$cli" server --url "http://127.0.0.1:$port/mcp" --requirements "$req" -o "$logs/$name" >"$out" 2>&1 || true
	{ grep -a '^✓ ' "$out" || true; } | sed 's/^✓ \([^:]*\):.*/\1/' | sort -u >"$logs/$name/passed"
	{ grep -a '^✗ ' "$out" || true; } | sed 's/^✗ \([^:]*\):.*/\1/' | sort -u >"$logs/$name/failed"
	lib_log "conformance $CONF_VERSION $name: $(grep -a '^Total:' "$out" || echo 'no total')"
}

for mode in stateful stateless; do
	flags=()
	[[ $mode == stateless ]] && flags=(--stateless)
	run "$mode" 2026-07-28 "${flags[@]}"
	for s in "${want[@]}"; do
		if ! grep -qx "$s" "$logs/$mode/passed"; then
			echo "DEVIATION: $mode $s: expected to pass (log: $logs/$mode/suite.out)"
			failed=$((failed + 1))
		fi
	done
	extra=$(comm -23 "$logs/$mode/passed" <(printf '%s\n' "${want[@]}" | sort -u) | tr '\n' ' ')
	[[ -n $extra ]] && lib_log "$mode: passing but not yet in .ci/conformance-2026.pass: $extra"
done

# run_ext NAME [FLAG...] starts a server and runs each scenario of .ci/conformance-2026.ext
# against it; one with a failed check is a deviation.
run_ext() {
	local name=$1 port out s
	shift
	port=$(lib_free_port)
	mkdir -p "$logs/$name"
	lib_start_server "conf2026-$name" "$port" "$logs/$name/server.log" -- \
		"$bin" conformance --addr "127.0.0.1:$port" --log-level warn "$@"
	for s in "${ext[@]}"; do
		out=$logs/$name/$s.out
		"$node" "$cli" server --url "http://127.0.0.1:$port/mcp" --scenario "$s" -o "$logs/$name" >"$out" 2>&1 || true
		# A skipped check is a deviation too: the scenarios skip everything when the
		# extension is not declared, and still report every check run as passed.
		if ! grep -qaE '^Passed: ([0-9]+)/\1, 0 failed' "$out" || grep -qa 'SKIPPED' "$out"; then
			echo "DEVIATION: $name $s: $(grep -a '^Passed:' "$out" || echo 'no result'), $(grep -ac 'SKIPPED' "$out") skipped (log: $out)"
			failed=$((failed + 1))
		fi
	done
	lib_log "conformance $CONF_VERSION $name: ${#ext[@]} extension scenarios run"
}

mapfile -t ext < <(grep -v '^#' .ci/conformance-2026.ext | grep .)
run_ext stateful-ext
run_ext stateless-ext --stateless

run stateful-2025 2025-11-25
if [[ -s $logs/stateful-2025/failed ]] || ! grep -qa '^Total: [0-9]* passed, 0 failed' "$logs/stateful-2025/suite.out"; then
	echo "DEVIATION: --requirements 2025-11-25 stateful: failing: $(tr '\n' ' ' <"$logs/stateful-2025/failed")"
	failed=$((failed + 1))
fi

if ((failed > 0)); then
	echo "conformance $CONF_VERSION: $failed deviation(s); logs in $logs"
	exit 1
fi
echo "conformance $CONF_VERSION: OK (${#want[@]} scenarios required in each mode, ${#ext[@]} extension scenarios; 2025-11-25 whole)"
