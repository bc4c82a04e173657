# shellcheck shell=bash
# .ci/lib.sh: helpers shared by the CI scripts (conformance, interop). Source it; do not run it.
#
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#
# It sets no shell options and runs nothing when sourced; it only defines functions (prefix
# lib_) and a few variables (prefix LIB_). Functions print their result on stdout and their
# diagnostics on stderr, and return non-zero on failure, so they work under `set -euo pipefail`.
#
# Directories
#   lib_root                      the repository root (absolute)
#   lib_cache_dir [SUB]           create and print <root>/.cache[/SUB]; .cache holds a .gitignore
#                                 of "*", so nothing under it is ever committed
#
# Logging
#   lib_log MSG...                "== [HH:MM:SS] MSG" on stderr
#   lib_die MSG...                lib_log MSG, then exit 1
#
# Tools (installed on first use into .cache and reused afterwards; a fresh machine needs only
# Go, Node >= 18 with npm, and the npm registry)
#   lib_node22                    path of a Node >= 22 binary: $LIB_NODE if set, else `node` on
#                                 PATH if new enough, else the npm package node-linux-<arch>@22
#                                 installed into .cache/node22
#   lib_npm_install DIR SPEC...   `npm install` the package specs (name@version) into the prefix
#                                 DIR unless each is already there at that exact version
#   lib_node_scripts SRC DIR      install the packages of SRC's package-lock.json into DIR (npm ci;
#                                 reused while the lockfile and Node's major version are the
#                                 same) and copy SRC's *.mjs scripts there, beside their
#                                 node_modules (Node's ES module resolution looks for packages
#                                 only in node_modules directories above the importing file)
#   lib_build_minimcp [OUT [FLAG...]]
#                                 go build ./cmd/minimcp into OUT (default, or when empty:
#                                 .cache/bin/minimcp), version stamped from git, with extra
#                                 go build FLAGs (e.g. -race); print OUT
#
# Servers (each started server is remembered by NAME; stop them all from an EXIT trap)
#   lib_free_port                 a TCP port free on 127.0.0.1 right now
#   lib_http_ok URL               succeed if URL answers 2xx within 2 s (curl if present, else
#                                 bash's /dev/tcp)
#   lib_wait_port PORT [SECS]     wait until something accepts on 127.0.0.1:PORT
#   lib_start_server NAME PORT LOG -- CMD [ARG...]
#                                 start CMD in the background, stdout and stderr to LOG, and wait
#                                 (up to $LIB_START_TIMEOUT s, default 20) until
#                                 http://127.0.0.1:PORT$LIB_HEALTH_PATH answers 2xx
#                                 (LIB_HEALTH_PATH defaults to /healthz; set it empty to wait for
#                                 the port to accept connections instead). If CMD exits or the
#                                 wait times out, print LOG's tail and fail.
#   lib_server_pid NAME           the pid of a started server
#   lib_stop_server NAME          SIGTERM, then SIGKILL after $LIB_STOP_GRACE s (default 5);
#                                 reaps the process; a no-op for an unknown or stopped NAME
#   lib_stop_all_servers          stop every server still running; use `trap lib_stop_all_servers EXIT`
#
# Example
#   source .ci/lib.sh
#   trap lib_stop_all_servers EXIT
#   bin=$(lib_build_minimcp)
#   port=$(lib_free_port)
#   lib_start_server demo "$port" "$(lib_cache_dir logs)/demo.log" -- "$bin" serve --addr "127.0.0.1:$port"
#   ... talk to http://127.0.0.1:$port/mcp ...
#   lib_stop_server demo

# LIB_SERVERS maps a server's NAME to its pid.
declare -gA LIB_SERVERS=()

lib_root() {
	(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
}

lib_cache_dir() {
	local dir
	dir="$(lib_root)/.cache"
	mkdir -p "$dir"
	[[ -f $dir/.gitignore ]] || printf '# Installed tools, builds and logs of .ci scripts: never committed.\n*\n' >"$dir/.gitignore"
	if [[ $# -gt 0 && -n $1 ]]; then
		dir="$dir/$1"
		mkdir -p "$dir"
	fi
	printf '%s\n' "$dir"
}

lib_log() {
	printf '== [%(%H:%M:%S)T] %s\n' -1 "$*" >&2
}

lib_die() {
	lib_log "FATAL: $*"
	exit 1
}

# lib_node_major BIN prints the major version of the Node binary BIN, or fails.
lib_node_major() {
	local v
	v=$("$1" --version 2>/dev/null) || return 1
	v=${v#v}
	printf '%s\n' "${v%%.*}"
}

lib_node22() {
	local bin major
	if [[ -n ${LIB_NODE:-} ]]; then
		major=$(lib_node_major "$LIB_NODE") || { lib_log "LIB_NODE=$LIB_NODE does not run"; return 1; }
		((major >= 22)) || { lib_log "LIB_NODE=$LIB_NODE is Node $major; need >= 22"; return 1; }
		printf '%s\n' "$LIB_NODE"
		return 0
	fi
	if bin=$(command -v node 2>/dev/null) && major=$(lib_node_major "$bin") && ((major >= 22)); then
		printf '%s\n' "$bin"
		return 0
	fi
	local arch
	case $(uname -m) in
	x86_64 | amd64) arch=x64 ;;
	aarch64 | arm64) arch=arm64 ;;
	*) lib_log "no Node 22 package for $(uname -m)"; return 1 ;;
	esac
	local dir
	dir=$(lib_cache_dir node22)
	bin="$dir/node_modules/node-linux-$arch/bin/node"
	if ! { [[ -x $bin ]] && major=$(lib_node_major "$bin") && ((major >= 22)); }; then
		lib_log "installing Node 22 (npm package node-linux-$arch@22) into $dir"
		lib_npm_install "$dir" "node-linux-$arch@22" || return 1
		major=$(lib_node_major "$bin") || { lib_log "$bin does not run"; return 1; }
		((major >= 22)) || { lib_log "$bin is Node $major; need >= 22"; return 1; }
	fi
	printf '%s\n' "$bin"
}

lib_npm_install() {
	local dir=$1
	shift
	local spec name want have missing=()
	for spec in "$@"; do
		name=${spec%@*}
		want=${spec##*@}
		[[ $name == "$spec" || -z $name ]] && { name=$spec; want=""; }
		have=""
		if [[ -f $dir/node_modules/$name/package.json ]]; then
			have=$(sed -n 's/^[[:space:]]*"version":[[:space:]]*"\([^"]*\)".*/\1/p' "$dir/node_modules/$name/package.json" | head -n 1)
		fi
		# A range such as "22" is satisfied by any installed 22.x; an exact version must match.
		if [[ -z $have ]] || { [[ -n $want ]] && [[ $have != "$want" && $have != "$want".* ]]; }; then
			missing+=("$spec")
		fi
	done
	((${#missing[@]} == 0)) && return 0
	mkdir -p "$dir"
	lib_log "npm install ${missing[*]} (prefix $dir)"
	npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "${missing[@]}" >&2
}

lib_node_scripts() {
	local src=$1 dir=$2 stamp want_stamp major
	major=$(lib_node_major node) || { lib_log "no node on PATH"; return 1; }
	mkdir -p "$dir"
	stamp=$dir/node_modules/.minimcp-interop-stamp
	want_stamp="$(sha256sum "$src/package-lock.json" | cut -d' ' -f1) node$major"
	if [[ -f $stamp && $(cat "$stamp") == "$want_stamp" ]]; then
		lib_log "$dir/node_modules is up to date"
	else
		lib_log "npm ci ($src's lockfile, into $dir)"
		cp "$src/package.json" "$src/package-lock.json" "$dir/"
		(cd "$dir" && npm ci --no-audit --no-fund --prefer-offline --loglevel=error) >&2 || return 1
		echo "$want_stamp" >"$stamp"
	fi
	cp "$src"/*.mjs "$dir/"
}

lib_build_minimcp() {
	local root out ver
	root=$(lib_root)
	out=${1:-}
	[[ -n $out ]] || out=$(lib_cache_dir bin)/minimcp
	(($# > 0)) && shift
	ver=$(git -C "$root" describe --always --dirty 2>/dev/null || echo dev)
	lib_log "go build${*:+ $*} ./cmd/minimcp -> $out ($ver)"
	(cd "$root" && go build "$@" -ldflags "-X main.version=$ver" -o "$out" ./cmd/minimcp) >&2 || return 1
	printf '%s\n' "$out"
}

lib_free_port() {
	local port node
	# The kernel's choice, when any Node is at hand: bind port 0, read the port, release it.
	if node=$(command -v node 2>/dev/null); then
		port=$("$node" -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})' 2>/dev/null) &&
			[[ $port =~ ^[0-9]+$ ]] && { printf '%s\n' "$port"; return 0; }
	fi
	# Otherwise probe random ports above the usual ephemeral range's start.
	local i
	for ((i = 0; i < 100; i++)); do
		port=$((20000 + RANDOM % 30000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			printf '%s\n' "$port"
			return 0
		fi
	done
	lib_log "no free port found"
	return 1
}

lib_http_ok() {
	local url=$1
	if command -v curl >/dev/null 2>&1; then
		curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null
		return
	fi
	# http://HOST:PORT/PATH only, which is all the scripts need.
	local rest=${url#http://} hostport path host port status
	hostport=${rest%%/*}
	path=/${rest#*/}
	[[ $rest == "$hostport" ]] && path=/
	host=${hostport%:*}
	port=${hostport##*:}
	[[ $port == "$hostport" ]] && port=80
	status=$(
		exec 3<>"/dev/tcp/$host/$port" || exit 1
		printf 'GET %s HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n\r\n' "$path" "$hostport" >&3
		IFS= read -r -t 2 line <&3 && printf '%s\n' "$line"
	) 2>/dev/null || return 1
	[[ $status =~ ^HTTP/[0-9.]+\ 2[0-9][0-9] ]]
}

lib_wait_port() {
	local port=$1 secs=${2:-20} deadline
	deadline=$((SECONDS + secs))
	until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
		((SECONDS < deadline)) || return 1
		sleep 0.1
	done
}

lib_start_server() {
	local name=$1 port=$2 log=$3
	shift 3
	[[ ${1:-} == -- ]] && shift
	[[ $# -gt 0 ]] || { lib_log "lib_start_server $name: no command"; return 1; }
	if [[ -n ${LIB_SERVERS[$name]:-} ]]; then
		lib_log "lib_start_server: a server named $name is already running"
		return 1
	fi
	mkdir -p "$(dirname "$log")"
	"$@" >"$log" 2>&1 </dev/null &
	local pid=$!
	LIB_SERVERS[$name]=$pid
	local health=${LIB_HEALTH_PATH-/healthz} timeout=${LIB_START_TIMEOUT:-20} deadline
	deadline=$((SECONDS + timeout))
	while :; do
		if ! kill -0 "$pid" 2>/dev/null; then
			local rc=0
			wait "$pid" 2>/dev/null || rc=$?
			unset "LIB_SERVERS[$name]"
			lib_log "server $name exited with status $rc while starting; last lines of $log:"
			tail -n 30 "$log" >&2
			return 1
		fi
		if [[ -n $health ]]; then
			lib_http_ok "http://127.0.0.1:$port$health" && break
		else
			(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
		fi
		if ((SECONDS >= deadline)); then
			lib_log "server $name not ready on port $port after ${timeout}s; last lines of $log:"
			tail -n 30 "$log" >&2
			lib_stop_server "$name"
			return 1
		fi
		sleep 0.1
	done
	lib_log "server $name ready on 127.0.0.1:$port (pid $pid, log $log)"
}

lib_server_pid() {
	[[ -n ${LIB_SERVERS[$1]:-} ]] || return 1
	printf '%s\n' "${LIB_SERVERS[$1]}"
}

lib_stop_server() {
	local name=$1 pid
	pid=${LIB_SERVERS[$name]:-}
	[[ -n $pid ]] || return 0
	unset "LIB_SERVERS[$name]"
	if kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		local deadline=$((SECONDS + ${LIB_STOP_GRACE:-5}))
		while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
			sleep 0.1
		done
		if kill -0 "$pid" 2>/dev/null; then
			lib_log "server $name (pid $pid) ignored SIGTERM; killing it"
			kill -KILL "$pid" 2>/dev/null || true
		fi
	fi
	wait "$pid" 2>/dev/null || true
}

lib_stop_all_servers() {
	local name
	for name in "${!LIB_SERVERS[@]}"; do
		lib_stop_server "$name"
	done
}
