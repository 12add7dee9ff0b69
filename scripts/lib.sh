# Sourced by the scripts in this folder: installs missing Debian packages and builds the tree.
# shellcheck shell=bash

BCP_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Every Debian package the build, the tests and the scripts need. Later issues add theirs here.
BCP_PACKAGES=(
  build-essential cmake ninja-build pkg-config python3 groff-base jq tzdata time
  libcli11-dev nlohmann-json3-dev libfmt-dev libtomlplusplus-dev doctest-dev
  libhowardhinnant-date-dev libsqlite3-dev sqlite3 libcurl4-openssl-dev libcpp-httplib-dev libxml2-dev
  dovecot-imapd chromium poppler-utils
  postgresql-15 libpq-dev faketime
  python3-icalendar
  clang libclang-rt-14-dev llvm clang-tidy cppcheck
  dpkg-dev lintian file
)

bcp_log() { printf '%s\n' "$*" >&2; }

# Installs whatever is missing; apt-get update runs first, as on a fresh machine it must.
bcp_install_deps() {
  local missing=() p
  for p in "${BCP_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  bcp_log "installing Debian packages: ${missing[*]}"
  local sudo=()
  [ "$(id -u)" -ne 0 ] && sudo=(sudo)
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq || return 2
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null || return 2
}

# bcp_build BUILD_DIR [cmake args...]: configure (once) and build with warnings as errors.
bcp_build() {
  local dir=$1; shift
  local jobs
  jobs=$(nproc 2>/dev/null || echo 2)
  # The test suite is on in every build dir of the scripts (the demo runs the test gateway, the
  # benchmarks the gateway and the unit binaries); a plain cmake build leaves it off.
  # -O2 with line tables only (-g1): backtraces, sanitizer reports and perf keep file:line,
  # and the tree builds in about two thirds of the time of full -g (measured: notice.cpp 25 s
  # against 19 s, a tool's main 18 s against 12 s). Callers may pass their own flags after.
  if [ ! -f "$dir/CMakeCache.txt" ]; then
    cmake -S "$BCP_ROOT" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBCP_WERROR=ON \
      -DBCP_BUILD_TESTS=ON "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG" "$@" >/dev/null || return 2
  elif ! grep -qx 'BCP_BUILD_TESTS:BOOL=ON' "$dir/CMakeCache.txt"; then
    cmake "$dir" -DBCP_BUILD_TESTS=ON >/dev/null || return 2
  fi
  # BCP_TARGETS (words): build only these, e.g. what the demo runs.
  local targets=()
  [ -n "${BCP_TARGETS:-}" ] && read -r -a targets <<<"$BCP_TARGETS" && targets=("${targets[@]/#/--target=}")
  cmake --build "$dir" -j "$jobs" "${targets[@]}" || return 2
}
