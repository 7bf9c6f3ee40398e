# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=sh
# Shared by the integration tests that run the real cgapply binary against the real
# cgroupfs. Safety of the machine comes first:
#   - every cgroup a test makes lives under its own parent, cgapply-test-<pid>, in each
#     v1 hierarchy; cleanup (an EXIT trap, so also on failure) kills the processes the
#     test started and removes that parent's whole subtree, deepest first;
#   - a test moves only processes it started, and never writes a root-cgroup file.
# A test that cannot run here (not root, no v1 hierarchies) exits 77 (SKIP) with a reason.

CG_ROOT=${CG_ROOT:-/sys/fs/cgroup}
CGAPPLY=${CGAPPLY:-./cgapply}
SANDBOX=cgapply-test-$$
V1_HIERS="cpu cpuacct cpuset memory devices freezer blkio pids"
TEST_PIDS=
failures=0
checks=0

skip() {
	echo "SKIP: $*"
	exit 77
}

require_cgroupfs() {
	[ "$(id -u)" -eq 0 ] || skip "needs root to write the real cgroupfs"
	for h in memory cpu cpuset; do
		[ -w "$CG_ROOT/$h" ] || skip "no writable v1 '$h' hierarchy under $CG_ROOT"
	done
	[ -e "$CG_ROOT/memory/memory.memsw.limit_in_bytes" ] ||
		skip "the memory hierarchy has no memsw (swap accounting is off)"
}

# Creates the sandbox parent in every mounted v1 hierarchy; cpuset gets its parent's
# cpus and mems so that children can be given some.
sandbox_create() {
	STATE_DIR=$(mktemp -d /tmp/cgapply-state.XXXXXX)
	WORK=$(mktemp -d /tmp/cgapply-work.XXXXXX)
	trap sandbox_cleanup EXIT
	trap 'exit 1' INT TERM
	for h in $V1_HIERS; do
		[ -d "$CG_ROOT/$h" ] || continue
		mkdir "$CG_ROOT/$h/$SANDBOX"
	done
	cat "$CG_ROOT/cpuset/cpuset.cpus" >"$CG_ROOT/cpuset/$SANDBOX/cpuset.cpus"
	cat "$CG_ROOT/cpuset/cpuset.mems" >"$CG_ROOT/cpuset/$SANDBOX/cpuset.mems"
}

# Removes a directory tree of cgroups, deepest first (rmdir(2), never rm -r).
rmdir_tree() {
	[ -d "$1" ] || return 0
	find "$1" -depth -type d | while read -r d; do
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			rmdir "$d" 2>/dev/null && break
			[ -d "$d" ] || break
			sleep 0.1
		done
	done
}

sandbox_cleanup() {
	for p in $TEST_PIDS; do
		kill -9 "$p" 2>/dev/null
	done
	for p in $TEST_PIDS; do
		wait "$p" 2>/dev/null
	done
	# anything still inside the sandbox was put there by this test (a child of a child)
	for h in $V1_HIERS; do
		[ -d "$CG_ROOT/$h/$SANDBOX" ] || continue
		find "$CG_ROOT/$h/$SANDBOX" -name tasks -exec cat {} + 2>/dev/null
	done | sort -u | while read -r p; do
		kill -9 "$p" 2>/dev/null
	done
	for h in $V1_HIERS; do
		# a frozen group would keep its killed tasks: thaw before removing
		[ -f "$CG_ROOT/$h/$SANDBOX/freezer.state" ] &&
			find "$CG_ROOT/$h/$SANDBOX" -name freezer.state -exec sh -c 'echo THAWED > "$1"' _ {} \; 2>/dev/null
		rmdir_tree "$CG_ROOT/$h/$SANDBOX"
		if [ -d "$CG_ROOT/$h/$SANDBOX" ]; then
			echo "cleanup: could not remove $CG_ROOT/$h/$SANDBOX" >&2
		fi
	done
	rm -rf "$STATE_DIR" "$WORK"
}

# Runs cgapply with the sandbox options; the arguments follow the command name.
# (rollback takes no --parent: its journal names the directories it restores)
cga() {
	cmd=$1
	shift
	if [ "$cmd" = rollback ]; then
		"$CGAPPLY" rollback --cgroup-root "$CG_ROOT" --state-dir "$STATE_DIR" "$@"
	else
		"$CGAPPLY" "$cmd" --cgroup-root "$CG_ROOT" --parent "$SANDBOX" --state-dir "$STATE_DIR" "$@"
	fi
}

# The value the kernel holds for a file of a group in the sandbox: cg_read memory web memory.limit_in_bytes
cg_read() {
	cat "$CG_ROOT/$1/$SANDBOX/$2/$3"
}

check() {
	checks=$((checks + 1))
	if [ "$1" = "$2" ]; then
		echo "ok: $3"
	else
		failures=$((failures + 1))
		echo "FAIL: $3: expected '$2', got '$1'"
	fi
}

check_rc() {
	checks=$((checks + 1))
	if [ "$1" -eq "$2" ]; then
		echo "ok: $3 (exit $1)"
	else
		failures=$((failures + 1))
		echo "FAIL: $3: expected exit $2, got $1"
		[ -f "$WORK/out" ] && sed 's/^/    /' "$WORK/out"
	fi
}

finish() {
	echo "$((checks - failures)) passed, $failures failed"
	[ "$failures" -eq 0 ]
}
