#!/usr/bin/env bash
# test.sh - the README's test command: install dependencies, build with
# warnings as errors, run every test suite, then build a second tree with
# AddressSanitizer and UndefinedBehaviorSanitizer (clang, which also builds
# the libFuzzer targets) and run the unit, integration and fuzz-regression
# suites there.  Exits non-zero on any failure.
#
#   scripts/test.sh              everything
#   scripts/test.sh --quick      the first build and its tests only
#   MESON_TEST_ARGS="--suite hashsync" scripts/test.sh --quick
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
quick=0
[[ ${1:-} == --quick ]] && quick=1

bash scripts/setup-deps.sh

# The e2e suites build network namespaces and load BPF programs: root only.
suites=()
if [[ $(id -u) -ne 0 ]]; then
	echo "test.sh: not root, skipping the e2e suite" >&2
	suites=(--no-suite e2e)
fi

run_tree() { # dir compiler meson-setup-args... -- meson-test-args...
	local dir=$1 compiler=$2
	shift 2
	local setup=() test=()
	while [[ $# -gt 0 && $1 != -- ]]; do setup+=("$1"); shift; done
	[[ ${1:-} == -- ]] && shift
	test=("$@")
	if [[ ! -f $dir/build.ninja ]]; then
		CC=$compiler meson setup "$dir" --werror "${setup[@]}" >/dev/null
	fi
	ninja -C "$dir" >/dev/null || ninja -C "$dir"
	# shellcheck disable=SC2086
	meson test -C "$dir" --print-errorlogs --num-processes 2 "${test[@]}" ${MESON_TEST_ARGS:-}
}

summary() { # dirs...
	python3 - "$@" <<'PY'
import json, sys
passed = failed = skipped = 0
for d in sys.argv[1:]:
    try:
        lines = open(f"{d}/meson-logs/testlog.json").read().splitlines()
    except OSError:
        continue
    for line in lines:
        r = json.loads(line)["result"]
        if r in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif r == "SKIP":
            skipped += 1
        else:
            failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
}

# Any sanitizer report fails the test that triggered it.
export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}

rc=0
run_tree build gcc -Dbuildtype=debugoptimized -- "${suites[@]}" || rc=1
trees=(build)
if [[ $quick -eq 0 ]]; then
	run_tree build-asan clang -Dbuildtype=debug -Db_sanitize=address,undefined \
		-Db_lundef=false -- --suite unit --suite integration --suite fuzz-regress || rc=1
	trees+=(build-asan)
fi
summary "${trees[@]}"
exit $rc
