#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The whole test suite, as CI runs it (run as root from the source tree, so that the
# tests that need the real cgroupfs run too):
#   1. gcc -O2 with warnings as errors: build, make check, make distcheck
#   2. clang with ASan+UBSan: make check
#   3. valgrind --leak-check=full on every unit test binary
#   4. the libFuzzer harnesses for a short time (clang)
#   5. clang-format and cppcheck
# It ends with one line "stages: N passed, N failed".
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
jobs=$(nproc 2>/dev/null || echo 2)
fuzz_seconds=${CG_FUZZ_SECONDS:-30}
passed=0
failed=0
failed_names=

stage() {
	name=$1
	shift
	printf '\n==== %s ====\n' "$name"
	t0=$(date +%s)
	if "$@"; then
		passed=$((passed + 1))
		printf '==== %s: ok (%ss) ====\n' "$name" $(($(date +%s) - t0))
	else
		failed=$((failed + 1))
		failed_names="$failed_names $name"
		printf '==== %s: FAILED (%ss) ====\n' "$name" $(($(date +%s) - t0))
	fi
}

show_logs() {
	for log in "$1"/tests/*/*.log "$1"/tests/*.log; do
		[ -f "$log" ] || continue
		grep -qE '^(FAIL|ERROR)' "${log%.log}.trs" 2>/dev/null && cat "$log"
	done
	return 1
}

deps() {
	sh scripts/install-deps.sh --test
}

bootstrap() {
	autoreconf -fi
}

gcc_build() {
	rm -rf _build-gcc && mkdir _build-gcc && cd _build-gcc || return 1
	../configure CC=gcc CFLAGS="-O2 -g" --enable-werror >/dev/null &&
		make -j"$jobs" &&
		{ make -j"$jobs" check || show_logs .; } &&
		CG_V2_VM=skip make -j"$jobs" distcheck DISTCHECK_CONFIGURE_FLAGS="--enable-werror"
	r=$?
	cd "$top" || return 1
	return $r
}

asan_build() {
	rm -rf _build-asan && mkdir _build-asan && cd _build-asan || return 1
	ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
	export ASAN_OPTIONS UBSAN_OPTIONS
	../configure CC=clang CFLAGS="-O1 -g" --enable-werror --enable-asan --enable-ubsan >/dev/null &&
		make -j"$jobs" &&
		{ make -j"$jobs" check || show_logs .; }
	r=$?
	cd "$top" || return 1
	return $r
}

leak_check() {
	r=0
	for t in _build-gcc/tests/unit/check_*; do
		case $t in *.o | *.log | *.trs) continue ;; esac
		[ -x "$t" ] || continue
		# the planner's model check runs 5,000 transitions; a few hundred suffice under valgrind
		if ! (cd _build-gcc && CK_FORK=no CG_PLAN_RUNS=200 valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
			--error-exitcode=1 "../$t" >/dev/null); then
			echo "valgrind found errors in $t"
			r=1
		fi
	done
	return $r
}

fuzz() {
	rm -rf _build-fuzz && mkdir _build-fuzz && cd _build-fuzz || return 1
	../configure CC=clang CFLAGS="-O1 -g" --enable-fuzzing >/dev/null &&
		make -j"$jobs" tests/fuzz/fuzz_parser tests/fuzz/fuzz_rules || { cd "$top"; return 1; }
	corpus=$(mktemp -d)
	cp ../examples/*.yaml ../tests/golden/*/*.yaml "$corpus"/ 2>/dev/null
	rcorpus=$(mktemp -d)
	cp ../examples/rules/*.conf ../tests/golden/*/*.conf "$rcorpus"/ 2>/dev/null
	ASAN_OPTIONS=detect_leaks=1 ./tests/fuzz/fuzz_parser -max_total_time="$fuzz_seconds" -max_len=4096 "$corpus" 2>&1 | tail -n 3 &&
		ASAN_OPTIONS=detect_leaks=1 ./tests/fuzz/fuzz_rules -max_total_time="$fuzz_seconds" -max_len=2048 "$rcorpus" 2>&1 | tail -n 3
	r=$?
	# a crash leaves crash-* files; a pipeline hides the fuzzer's status
	if ls crash-* leak-* timeout-* >/dev/null 2>&1; then
		r=1
	fi
	rm -rf "$corpus" "$rcorpus"
	cd "$top" || return 1
	return $r
}

lint() {
	files=$(git ls-files '*.c' '*.h' 2>/dev/null || find lib parser apply cmd tests -name '*.[ch]')
	# shellcheck disable=SC2086 # one file per word
	clang-format --dry-run --Werror $files &&
		cppcheck --quiet --error-exitcode=1 --enable=warning,portability --inline-suppr \
			--std=c11 -I . -D__GNUC__ $files
}

stage deps deps
stage bootstrap bootstrap
stage gcc gcc_build
stage asan-ubsan asan_build
stage valgrind leak_check
stage fuzz fuzz
stage lint lint

printf '\nfailed stages:%s\n' "${failed_names:- none}"
printf 'stages: %d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
