#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Benchmark of plan and apply on the real cgroupfs (as root): N groups, each with a
# memory limit, cpu shares and pids.max, under a sandbox parent cgapply-bench-<pid> in
# the memory, cpu and pids hierarchies (removed afterwards, also on failure). For each N
# it times apply from empty, a no-op apply and a plan, counts the steps of apply's JSON
# and (with strace, in separate untimed runs) the calls that change cgroupfs, and prints
# a table. Figures are printed, never asserted.
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

# syscalls CMD [ARGS]: the calls of a cgapply run that change cgroupfs (write, mkdir,
# rmdir, chown, chmod on a path below $CG_ROOT), counted by strace; "-" without strace.
# A separate, untimed run: strace slows every call down.
syscalls() {
	if ! command -v strace >/dev/null; then
		echo -
		return
	fi
	cmd=$1
	shift
	strace -f -qq -y -o "$work/trace" \
		-e trace=write,pwrite64,mkdir,mkdirat,rmdir,unlinkat,fchown,fchownat,fchmod,fchmodat \
		"$CGAPPLY" "$cmd" -f "$work/conf.yaml" --cgroup-root "$CG_ROOT" --parent "$PARENT" \
		--state-dir "$work/state" "$@" >/dev/null 2>&1
	grep -c "$CG_ROOT[/>]" "$work/trace" || true
}

empty_sandbox() {
	for h in $HIERS; do
		find "$CG_ROOT/$h/$PARENT" -depth -mindepth 1 -type d -exec rmdir {} + 2>/dev/null || true
	done
	rm -rf "$work/state"
}

printf '%-7s %-9s %-7s %-7s %-9s %-8s %-9s %-8s %-9s %-8s\n' groups "apply(s)" mkdirs writes "rss(KiB)" \
	"noop(s)" "plan(s)" "plan-rss" "sys:apply" "sys:noop"
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
	t4=$(now)
	run plan --json >/dev/null 2>&1
	t5=$(now)
	prss=$(tail -n 1 "$work/rss")
	sys_noop=$(syscalls apply)
	# from empty again, under strace this time: the calls apply really makes
	empty_sandbox
	sys_apply=$(syscalls apply)
	printf '%-7s %-9s %-7s %-7s %-9s %-8s %-9s %-8s %-9s %-8s\n' "$n" "$(elapsed "$t0" "$t1")" "$mkdirs" \
		"$writes" "$rss" "$(elapsed "$t2" "$t3")" "$(elapsed "$t4" "$t5")" "$prss" "$sys_apply" "$sys_noop"
	# start the next size from empty
	empty_sandbox
done
echo "apply/noop/plan: wall seconds; mkdirs, writes: the steps of apply's JSON; rss: peak KiB"
echo "sys:apply, sys:noop: calls that change cgroupfs (write, mkdir, chown, chmod...), by strace"
