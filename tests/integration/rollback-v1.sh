#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Failure and recovery on the real cgroup v1 hierarchies, inside a sandbox parent:
#   1. a real kernel refusal in the middle of an apply (a memory limit below the
#      anonymous usage of a process this test started: EBUSY, as this host has no swap)
#      rolls back every change made before it, and removes the groups it created;
#   2. `cgapply rollback` undoes the last successful apply, and refuses on drift;
#   3. an apply killed with SIGKILL half-way leaves a journal: plan and apply refuse
#      (exit 4) and `cgapply rollback` finishes restoring.
set -u
. "${srcdir:-.}/tests/integration/lib.sh"
require_cgroupfs
MEMHOG=${MEMHOG:-./tests/integration/memhog}
[ -x "$MEMHOG" ] || skip "tests/integration/memhog is not built"
sandbox_create

cat >"$WORK/a.yaml" <<'Y'
version: 1
groups:
  r:
    cpu: { cpu.shares: 512 }
    memory: { memory.limit_in_bytes: 512M }
    pids: { pids.max: 100 }
Y
cga apply -f "$WORK/a.yaml" >"$WORK/out" 2>&1
check_rc $? 0 "first apply"

# a process of ours with 64 MiB of anonymous memory, charged to group r
"$MEMHOG" 64 stop >"$WORK/hog.out" &
hog=$!
TEST_PIDS="$TEST_PIDS $hog"
while ! grep -q T "/proc/$hog/stat" 2>/dev/null; do sleep 0.05; done
echo "$hog" >"$CG_ROOT/memory/$SANDBOX/r/tasks"
kill -CONT "$hog"
while ! grep -q ready "$WORK/hog.out"; do sleep 0.05; done

# cpu (and a new group) change first, then the memory limit the kernel refuses
cat >"$WORK/b.yaml" <<'Y'
version: 1
groups:
  r:
    cpu: { cpu.shares: 2048 }
    memory: { memory.limit_in_bytes: 16M }
    pids: { pids.max: 100 }
  r/new:
    cpu: { cpu.shares: 100 }
Y
cga apply -f "$WORK/b.yaml" >"$WORK/out" 2>&1
check_rc $? 1 "apply with a limit below the anonymous usage fails and is rolled back"
grep -q "Device or resource busy" "$WORK/out"
check $? 0 "the failure names the kernel's EBUSY"
check "$(cg_read cpu r cpu.shares)" 512 "cpu.shares written before the failure is restored"
check "$(cg_read memory r memory.limit_in_bytes)" 536870912 "memory limit unchanged"
check "$([ -d "$CG_ROOT/cpu/$SANDBOX/r/new" ] && echo present || echo absent)" absent "the group the failed apply created is removed"
check "$(cat "$CG_ROOT/memory/$SANDBOX/r/tasks")" "$hog" "our process is still in its group"
cga plan -f "$WORK/a.yaml" --detailed-exitcode >"$WORK/out" 2>&1
check_rc $? 0 "after the rollback the first configuration is in sync again"
kill -9 "$hog"
wait "$hog" 2>/dev/null

# rollback of the last successful apply, and its drift check
sed 's/512M/256M/; s/cpu.shares: 512/cpu.shares: 768/' "$WORK/a.yaml" >"$WORK/c.yaml"
cga apply -f "$WORK/c.yaml" >"$WORK/out" 2>&1
check_rc $? 0 "apply of a changed configuration"
echo 900 >"$CG_ROOT/cpu/$SANDBOX/r/cpu.shares"
cga rollback >"$WORK/out" 2>&1
check_rc $? 4 "rollback refuses when a value changed since the apply"
check "$(cg_read cpu r cpu.shares)" 900 "the refused rollback changed nothing"
cga rollback --dry-run --force >"$WORK/out" 2>&1
check_rc $? 0 "rollback --dry-run shows its plan"
check "$(cg_read cpu r cpu.shares)" 900 "the dry run changed nothing"
cga rollback --force >"$WORK/out" 2>&1
check_rc $? 0 "rollback --force restores"
check "$(cg_read cpu r cpu.shares):$(cg_read memory r memory.limit_in_bytes)" 512:536870912 "values from before the apply"

# SIGKILL in the middle of an apply: every write is slowed down so that it can be hit
if command -v strace >/dev/null; then
	cat >"$WORK/d.yaml" <<'Y'
version: 1
groups:
  r:
    cpu: { cpu.shares: 1500 }
    memory: { memory.limit_in_bytes: 128M }
    pids: { pids.max: 42 }
  k1: { cpu: { cpu.shares: 300 }, memory: { memory.limit_in_bytes: 64M } }
  k2: { cpu: { cpu.shares: 301 }, memory: { memory.limit_in_bytes: 65M } }
Y
	strace -f -qq -o /dev/null -e trace=write -e inject=write:delay_exit=200000 \
		"$CGAPPLY" apply --cgroup-root "$CG_ROOT" --parent "$SANDBOX" --state-dir "$STATE_DIR" \
		-f "$WORK/d.yaml" >"$WORK/out" 2>&1 &
	tracer=$!
	TEST_PIDS="$TEST_PIDS $tracer"
	# wait until the apply has changed something, then kill it (not strace) with SIGKILL
	i=0
	while [ "$(cg_read cpu r cpu.shares)" = 512 ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	victim=$(pgrep -P "$tracer" -x cgapply || true)
	[ -n "$victim" ] && kill -9 "$victim"
	wait "$tracer" 2>/dev/null
	check "$(cg_read cpu r cpu.shares)" 1500 "the killed apply had changed cpu.shares"
	cga plan -f "$WORK/a.yaml" >"$WORK/out" 2>&1
	check_rc $? 4 "plan refuses while a journal is unfinished"
	grep -q "rollback" "$WORK/out"
	check $? 0 "and says to run cgapply rollback"
	cga apply -f "$WORK/a.yaml" >"$WORK/out" 2>&1
	check_rc $? 4 "apply refuses too"
	cga rollback >"$WORK/out" 2>&1
	check_rc $? 0 "rollback finishes restoring"
	check "$(cg_read cpu r cpu.shares)" 512 "cpu.shares restored"
	check "$([ -d "$CG_ROOT/cpu/$SANDBOX/k1" ] && echo present || echo absent)" absent "groups the killed apply created are removed"
	cga plan -f "$WORK/a.yaml" --detailed-exitcode >"$WORK/out" 2>&1
	check_rc $? 0 "in sync with the configuration from before the killed apply"

	# SIGKILL in the middle of a rollback: the next rollback finishes it (the state from
	# before the apply), rather than undoing it
	cga apply -f "$WORK/d.yaml" >"$WORK/out" 2>&1
	check_rc $? 0 "apply the second configuration again"
	strace -f -qq -o /dev/null -e trace=write,unlinkat,rmdir -e inject=write:delay_exit=200000 \
		"$CGAPPLY" rollback --cgroup-root "$CG_ROOT" --state-dir "$STATE_DIR" >"$WORK/out" 2>&1 &
	tracer=$!
	TEST_PIDS="$TEST_PIDS $tracer"
	i=0
	while [ "$(cg_read cpu r cpu.shares)" = 1500 ] && [ -d "$CG_ROOT/cpu/$SANDBOX/k1" ] &&
		[ "$(cg_read pids r pids.max)" = 42 ] && [ $i -lt 200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	victim=$(pgrep -P "$tracer" -x cgapply || true)
	[ -n "$victim" ] && kill -9 "$victim"
	wait "$tracer" 2>/dev/null
	cga plan -f "$WORK/a.yaml" >"$WORK/out" 2>&1
	check_rc $? 4 "plan refuses while the rollback's journal is unfinished"
	grep -q "interrupted rollback" "$WORK/out"
	check $? 0 "and names it an interrupted rollback"
	cga rollback >"$WORK/out" 2>&1
	check_rc $? 0 "rollback finishes the interrupted rollback"
	check "$(cg_read cpu r cpu.shares):$(cg_read pids r pids.max)" "512:100" "values from before the apply"
	check "$([ -d "$CG_ROOT/cpu/$SANDBOX/k1" ] && echo present || echo absent)" absent "the apply's groups are removed"
	cga plan -f "$WORK/a.yaml" --detailed-exitcode >"$WORK/out" 2>&1
	check_rc $? 0 "in sync with the configuration from before the apply"
	cga rollback >"$WORK/out" 2>&1
	check_rc $? 4 "nothing is left to roll back"
else
	echo "note: strace missing, the SIGKILL-in-the-middle case is skipped"
fi

finish
