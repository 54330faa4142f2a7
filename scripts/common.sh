# scripts/common.sh -- shared by scripts/demo and scripts/test (sourced).
# Installs what is missing (as root) or says exactly what to install,
# then configures and builds in a VPATH build directory.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Debian packages the build, the tests and the demo need.
BUILD_PKGS="autoconf automake make gcc pkg-config libmicrohttpd-dev libcurl4-openssl-dev libjansson-dev libsqlite3-dev libssl-dev"
TEST_PKGS="curl jq sqlite3 python3 procps python3-prometheus-client python3-jsonschema python3-yaml systemd man-db nodejs chromium valgrind"
# `make fuzz` (libFuzzer: clang and its runtime for -fsanitize=fuzzer)
FUZZ_PKGS="clang libclang-rt-14-dev"

missing_pkgs() {
	local p out=""
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			out="$out $p"
	done
	echo "$out"
}

ensure_pkgs() {
	local miss
	miss=$(missing_pkgs "$@")
	[ -z "$miss" ] && return 0
	if [ "$(id -u)" != 0 ]; then
		echo "missing packages; install them with:" >&2
		echo "  sudo apt-get install -y$miss" >&2
		exit 1
	fi
	echo "installing:$miss" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >&2 || exit 1
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $miss >&2 || exit 1
}

# The OpenAPI linter for tests/e2e/openapi_lint.sh: Redocly CLI from the
# npm registry, pinned, installed once into $TOP/.tools (not committed).
REDOCLY_VERSION=2.77.0
# REDOCLY is exported for the tests (make distcheck's copy has no .tools/).
ensure_npm_tools() {
	local bin="$TOP/.tools/node_modules/.bin/redocly"
	export REDOCLY="$bin"
	[ -x "$bin" ] && [ "$(cat "$TOP/.tools/.redocly-version" 2>/dev/null)" = "$REDOCLY_VERSION" ] &&
		return 0
	# a machine may have node and npm from elsewhere (nodesource's nodejs
	# conflicts with Debian's npm): take Debian's only when npm is missing
	command -v npm >/dev/null 2>&1 || ensure_pkgs npm
	mkdir -p "$TOP/.tools"
	npm install --silent --no-audit --no-fund --prefix "$TOP/.tools" \
		"@redocly/cli@$REDOCLY_VERSION" >&2 || exit 1
	echo "$REDOCLY_VERSION" >"$TOP/.tools/.redocly-version"
}

# The browser tests' npm packages (playwright-core, pinned in
# tests/browser/package-lock.json; no browser download: Debian's chromium
# is used).  `npm ci` only when they are missing or the lock file changed.
ensure_browser_deps() {
	local dir="$TOP/tests/browser"
	local stamp="$dir/node_modules/.package-lock.json"
	[ -f "$stamp" ] && [ ! "$dir/package-lock.json" -nt "$stamp" ] && return 0
	command -v npm >/dev/null 2>&1 || ensure_pkgs npm
	(cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --silent --ignore-scripts \
		--no-audit --no-fund) >&2 || exit 1
}

# build DIR CONFIGURE-ARGS... : autoreconf/configure only when needed, then make
build() {
	local dir=$1
	shift
	cd "$TOP" || exit 1
	if [ ! -x configure ] || [ configure.ac -nt configure ]; then
		autoreconf -fi || exit 1
	fi
	mkdir -p "$dir"
	if [ ! -f "$dir/Makefile" ] || [ configure -nt "$dir/Makefile" ] ||
		[ "$(cat "$dir/.configure-args" 2>/dev/null)" != "$*" ]; then
		(cd "$dir" && "$TOP/configure" "$@") >"$dir.configure.log" 2>&1 || {
			tail -n 20 "$dir.configure.log" >&2
			exit 1
		}
		echo "$*" >"$dir/.configure-args"
	fi
	make -C "$dir" -j2 >"$dir.make.log" 2>&1 || {
		grep -E 'error|Error' "$dir.make.log" | head -n 30 >&2
		tail -n 20 "$dir.make.log" >&2
		exit 1
	}
}
