#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Benchmark of plan and apply on the real cgroupfs (as root): N groups, each with a
# memory limit, cpu shares and pids.max, under a sandbox parent cgapply-bench-<pid> in
# the memory, cpu and pids hierarchies (removed afterwards, also on failure). For each N
# it times apply from empty, a no-op apply and a plan, counts the cgroupfs operations
# from apply's JSON actions, and prints a table. Figures are printed, never asserted.
#   sh bench/apply.sh [N...]        (default: 1000 10000)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
CGAPPLY=${CGAPPLY:-$top/cgapply}
CG_ROOT=${CG_ROOT:-/sys/fs/cgroup}
PARENT=cgapply-bench-$$
HIERS="memory cpu pids"
[ "$(id -u)" -eq 0 ] || { echo "bench/apply.sh: needs root (it writes the real cgroupfs)"; exit 1; }
command -v jq >/dev/null || { echo "bench/apply.sh: needs jq"; exit 1; }
[ -x "$CGAPPLY" ] || { echo "bench/apply.sh: build cgapply first ($CGAPPLY)"; exit 1; }
work=$(mktemp -d /tmp/cgapply-bench.XXXXXX)

cleanup() {
	for h in $HIERS; do
		[ -d "$CG_ROOT/$h/$PARENT" ] || continue
		find "$CG_ROOT/$h/$PARENT" -depth -type d -exec rmdir {} + 2>/dev/null || true
		[ -d "$CG_ROOT/$h/$PARENT" ] && echo "bench: could not remove $CG_ROOT/$h/$PARENT" >&2
	done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

now() { date +%s.%N; }
elapsed() { echo "$1 $2" | awk '{ printf "%.2f", $2 - $1 }'; }

# peak resident memory of a run in KiB, when GNU time is there
timed() {
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f '%M' -o "$work/rss" "$@"
	else
		echo "-" >"$work/rss"
		"$@"
	fi
}

gen() {
	n=$1
	{
		echo "version: 1"
		echo "groups:"
		i=0
		while [ "$i" -lt "$n" ]; do
			printf '  b/g%05d:\n' "$i"
			printf '    memory: { memory.limit_in_bytes: %dM }\n' $((64 + i % 64))
			printf '    cpu: { cpu.shares: %d }\n' $((512 + i % 512))
			printf '    pids: { pids.max: %d }\n' $((100 + i % 100))
			i=$((i + 1))
		done
	} >"$work/conf.yaml"
}

# run CMD [ARGS]: cgapply on the generated configuration, timed for its peak memory
run() {
	cmd=$1
	shift
	timed "$CGAPPLY" "$cmd" -f "$work/conf.yaml" --cgroup-root "$CG_ROOT" --parent "$PARENT" \
		--state-dir "$work/state" "$@"
}

printf '%-7s %-10s %-8s %-8s %-8s %-10s %-10s %-8s %-10s\n' groups "apply(s)" mkdirs writes "rss(KiB)" "noop(s)" "noop-ops" "plan(s)" "plan-rss"
for n in ${*:-1000 10000}; do
	gen "$n"
	t0=$(now)
	run apply --json >"$work/apply.json" 2>"$work/apply.err" || { cat "$work/apply.err"; exit 1; }
	t1=$(now)
	rss=$(tail -n 1 "$work/rss")
	mkdirs=$(jq '[.actions[] | select(.op == "mkdir")] | length' "$work/apply.json")
	writes=$(jq '[.actions[] | select(.op == "write")] | length' "$work/apply.json")
	t2=$(now)
	run apply --json >"$work/noop.json" 2>/dev/null
	t3=$(now)
	noop_ops=$(jq '.actions | length' "$work/noop.json")
	t4=$(now)
	run plan --json >/dev/null 2>&1
	t5=$(now)
	prss=$(tail -n 1 "$work/rss")
	printf '%-7s %-10s %-8s %-8s %-8s %-10s %-10s %-8s %-10s\n' "$n" "$(elapsed "$t0" "$t1")" "$mkdirs" "$writes" "$rss" \
		"$(elapsed "$t2" "$t3")" "$noop_ops" "$(elapsed "$t4" "$t5")" "$prss"
	# start the next size from empty
	for h in $HIERS; do
		find "$CG_ROOT/$h/$PARENT" -depth -mindepth 1 -type d -exec rmdir {} + 2>/dev/null || true
	done
	rm -rf "$work/state"
done
