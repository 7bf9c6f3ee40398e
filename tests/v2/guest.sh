#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The cgroup v2 suite proper. It runs inside the throw-away VM of tests/v2/vm.sh (a real
# kernel with cgroup_no_v1=all), chrooted into the host's / (read-only), from
# /tmp/payload (a tmpfs) that also holds the cgapply binary, memhog and the example.
# NEVER run it on a host: it writes the root cgroup's cgroup.subtree_control, which is
# fine only in a VM that exists for this test. Every cgapply run still goes under
# --parent cgapply-test-v2, to exercise --parent on v2.
# Prints "ok:"/"FAIL:" lines and "N passed, N failed"; exit 0 only if nothing failed.
set -u
CG=/sys/fs/cgroup
P=cgapply-test-v2
S=$CG/$P
CGAPPLY=${CGAPPLY:-/tmp/payload/cgapply}
MEMHOG=/tmp/payload/memhog
W=$(mktemp -d /tmp/v2.XXXXXX)
# the host's sanitizer settings (tests/v2/run.sh); LeakSanitizer cannot run under ptrace,
# so the runs under strace switch it off
[ -f /tmp/payload/env.sh ] && . /tmp/payload/env.sh
NOLEAK="ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
STATE=$W/state
failures=0
checks=0
HOGS=

check() {
	checks=$((checks + 1))
	if [ "$1" = "$2" ]; then
		echo "ok: $3"
	else
		failures=$((failures + 1))
		echo "FAIL: $3: expected '$2', got '$1'"
		[ -f "$W/out" ] && sed 's/^/    /' "$W/out"
	fi
	rm -f "$W/out"
}

cga() {
	cmd=$1
	shift
	if [ "$cmd" = rollback ]; then
		timeout -k 5 30 "$CGAPPLY" rollback --state-dir "$STATE" --no-color "$@"
	else
		timeout -k 5 30 "$CGAPPLY" "$cmd" --parent "$P" --state-dir "$STATE" --no-color "$@"
	fi
}

rd() {
	cat "$S/$1" 2>&1
}

conf() {
	cat >"$W/$1.yaml"
}

# a memhog of $2 MiB placed in group $1 of the sandbox; waits until it holds the memory
hog() {
	log=$W/hog.$(echo "$1" | tr / _)
	sh -c 'echo $$ >"$1/cgroup.procs" && exec "$2" "$3"' hog "$S/$1" "$MEMHOG" "$2" >"$log" 2>&1 &
	HOGS="$HOGS $!"
	for _ in $(seq 100); do
		grep -q ready "$log" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "note: memhog in $1 did not get ready"
}

cleanup() {
	for p in $HOGS; do
		kill -9 "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	[ -d "$S" ] && find "$S" -depth -type d -exec rmdir {} \; 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT

# ---------------------------------------------------------------- the VM itself
check "$(stat -f -c %T $CG)" cgroup2fs "$CG is cgroup2 only"
check "$(grep -c ' - cgroup ' /proc/self/mountinfo)" 0 "no cgroup v1 hierarchy mounted"
for c in memory cpu io pids; do
	echo "+$c" >$CG/cgroup.subtree_control
done
mkdir "$S" "$STATE"
check "$(cat $S/cgroup.controllers)" "cpu io memory pids" "the sandbox parent gets the controllers"
check "$(cat $S/cgroup.subtree_control)" "" "the sandbox parent enables none yet"

# ---------------------------------------------------------------- discovery, plan, apply
conf base <<'Y'
version: 1
groups:
  app:
    cgroup: { cgroup.max.descendants: 10 }
    memory: { memory.max: 256M, memory.high: 200M, memory.low: 16M }
    cpu: { cpu.max: "50000 100000", cpu.weight: 200 }
    io: { io.weight: default 300 }
    pids: { pids.max: 100 }
  app/worker:
    memory: { memory.max: 128M }
    cpu: { cpu.max: "20000 100000" }
    pids: { pids.max: 50 }
Y
cga plan -f "$W/base.yaml" --detailed-exitcode >"$W/out" 2>&1
check $? 2 "plan of a v2 config on pure v2 reports changes"
cga plan -f "$W/base.yaml" --json >"$W/plan.json" 2>"$W/out"
check $? 0 "plan --json"
if command -v strace >/dev/null; then
	env "$NOLEAK" timeout -k 5 30 strace -f -qq -y -s 200 -e trace=write -o "$W/trace" \
		"$CGAPPLY" apply --parent "$P" --state-dir "$STATE" -f "$W/base.yaml" --detailed-exitcode >"$W/out" 2>&1
	check $? 2 "apply of the config (under strace)"
	grep -E "write\([0-9]+</sys/fs/cgroup/[^>]*cgroup.subtree_control>" "$W/trace" >"$W/sub" || true
	check "$(grep -c '"[+-][a-z]* ' "$W/sub")" 0 "subtree_control: one controller per write"
	first_p=$(grep -n "$P/cgroup.subtree_control>" "$W/sub" | head -n 1 | cut -d: -f1)
	first_app=$(grep -n "$P/app/cgroup.subtree_control>" "$W/sub" | head -n 1 | cut -d: -f1)
	check "$([ -n "$first_p" ] && [ -n "$first_app" ] && [ "$first_p" -lt "$first_app" ] && echo yes)" yes \
		"subtree_control: the sandbox parent is enabled before app (top-down)"
	check "$(grep -c '/sys/fs/cgroup/cgroup.subtree_control>' "$W/sub")" 0 "the root's subtree_control is not written"
else
	cga apply -f "$W/base.yaml" --detailed-exitcode >"$W/out" 2>&1
	check $? 2 "apply of the config"
	echo "note: no strace, the one-controller-per-write checks are skipped"
fi
check "$(rd cgroup.subtree_control)" "cpu io memory pids" "sandbox parent: controllers enabled"
check "$(rd app/cgroup.subtree_control)" "cpu memory pids" "app: controllers enabled for worker"
check "$(rd app/memory.max)" 268435456 "app memory.max"
check "$(rd app/memory.high)" 209715200 "app memory.high"
check "$(rd app/memory.low)" 16777216 "app memory.low"
check "$(rd app/cpu.max)" "50000 100000" "app cpu.max"
check "$(rd app/cpu.weight)" 200 "app cpu.weight"
check "$(rd app/io.weight)" "default 300" "app io.weight"
check "$(rd app/pids.max)" 100 "app pids.max"
check "$(rd app/cgroup.max.descendants)" 10 "app cgroup.max.descendants"
check "$(rd app/worker/memory.max)" 134217728 "worker memory.max"
check "$(rd app/worker/cpu.max)" "20000 100000" "worker cpu.max"
check "$(rd app/worker/pids.max)" 50 "worker pids.max"

cga plan -f "$W/base.yaml" --detailed-exitcode >"$W/out" 2>&1
check $? 0 "a second plan is in sync"
cga plan -f "$W/base.yaml" >"$W/out" 2>&1
check "$(grep -c 'No changes.' "$W/out")" 1 "a second plan says 'No changes.'"
if command -v strace >/dev/null; then
	env "$NOLEAK" timeout -k 5 30 strace -f -qq -y -e trace=write,mkdir,mkdirat,rmdir,unlinkat,fchownat,fchmodat,fchown,fchmod -o "$W/trace" \
		"$CGAPPLY" apply --parent "$P" --state-dir "$STATE" -f "$W/base.yaml" --detailed-exitcode >"$W/out" 2>&1
	check $? 0 "a no-op apply has nothing to do"
	check "$(grep -c '/sys/fs/cgroup' "$W/trace")" 0 "a no-op apply writes nothing to cgroupfs"
fi

# ---------------------------------------------------------------- memory.max grow / shrink
sed -e 's/memory.max: 256M/memory.max: 1G/' -e 's/memory.max: 128M/memory.max: 512M/' "$W/base.yaml" >"$W/grow.yaml"
cga apply -f "$W/grow.yaml" >"$W/out" 2>&1
check $? 0 "memory.max: grow"
check "$(rd app/memory.max):$(rd app/worker/memory.max)" 1073741824:536870912 "memory.max: grown"
sed -e 's/memory.max: 256M/memory.max: 64M/' -e 's/memory.max: 128M/memory.max: 32M/' \
	-e 's/memory.high: 200M/memory.high: 48M/' "$W/base.yaml" >"$W/shrink.yaml"
cga apply -f "$W/shrink.yaml" >"$W/out" 2>&1
check $? 0 "memory.max: shrink (and memory.high below the old one)"
check "$(rd app/memory.max):$(rd app/worker/memory.max):$(rd app/memory.high)" 67108864:33554432:50331648 \
	"memory.max: shrunk"
sed -e 's/memory.max: 128M/memory.max: max/' "$W/base.yaml" >"$W/unl.yaml"
cga apply -f "$W/unl.yaml" >"$W/out" 2>&1
check $? 0 "memory.max: to max"
check "$(rd app/worker/memory.max)" max "memory.max: unlimited reads 'max'"
cga plan -f "$W/unl.yaml" --detailed-exitcode >"$W/out" 2>&1
check $? 0 "memory.max max: in sync after apply"

# ---------------------------------------------------------------- cpu.max lower / raise
sed -e 's/"50000 100000"/"30000 100000"/' -e 's/"20000 100000"/"10000 50000"/' "$W/base.yaml" >"$W/cpulo.yaml"
cga apply -f "$W/cpulo.yaml" >"$W/out" 2>&1
check $? 0 "cpu.max: lower parent and child"
check "$(rd app/cpu.max)|$(rd app/worker/cpu.max)" "30000 100000|10000 50000" "cpu.max: lowered"
sed -e 's/"50000 100000"/max 100000/' -e 's/"20000 100000"/"80000 100000"/' "$W/base.yaml" >"$W/cpuhi.yaml"
cga apply -f "$W/cpuhi.yaml" >"$W/out" 2>&1
check $? 0 "cpu.max: raise parent and child"
check "$(rd app/cpu.max)|$(rd app/worker/cpu.max)" "max 100000|80000 100000" "cpu.max: raised"
cga plan -f "$W/cpuhi.yaml" --detailed-exitcode >"$W/out" 2>&1
check $? 0 "cpu.max: in sync after raise"
cga apply -f "$W/base.yaml" >"$W/out" 2>&1
check $? 0 "back to the base config"

# ---------------------------------------------------------------- memory.max below usage
hog app/worker 24
cur=$(rd app/worker/memory.current)
check "$([ "$cur" -gt 20000000 ] && echo yes)" yes "memhog's 24M are charged to worker ($cur)"
sed -e 's/memory.max: 128M/memory.max: 8M/' "$W/base.yaml" >"$W/below.yaml"
cga apply -f "$W/below.yaml" >"$W/out" 2>&1
check $? 4 "memory.max below memory.current is refused without --force"
check "$(rd app/worker/memory.max)" 134217728 "refused: worker memory.max unchanged"

# ---------------------------------------------------------------- a kernel refusal mid-apply
# worker holds a task, so v2 refuses to enable a domain controller (memory) in it for a
# new child (no internal processes: EBUSY; a threaded one such as pids would be allowed).
# The writes before it must be undone.
conf busy <<'Y'
version: 1
groups:
  app:
    cgroup: { cgroup.max.descendants: 10 }
    memory: { memory.max: 300M, memory.high: 250M, memory.low: 16M }
    cpu: { cpu.max: "60000 100000", cpu.weight: 300 }
    io: { io.weight: default 300 }
    pids: { pids.max: 100 }
  app/worker:
    memory: { memory.max: 100M }
    cpu: { cpu.max: "20000 100000" }
    pids: { pids.max: 40 }
  app/worker/sub:
    memory: { memory.max: 16M }
Y
cat "$S/app/memory.max" "$S/app/cpu.max" "$S/app/cpu.weight" "$S/app/worker/memory.max" \
	"$S/app/worker/pids.max" "$S/app/worker/cgroup.subtree_control" >"$W/before"
cga apply -f "$W/busy.yaml" >"$W/out" 2>&1
rc=$?
cp "$W/out" "$W/busy.out"
check $rc 1 "enable in a group with its own task fails and is rolled back"
grep -q 'cgroup.subtree_control' "$W/busy.out"
check $? 0 "the error names cgroup.subtree_control"
cat "$S/app/memory.max" "$S/app/cpu.max" "$S/app/cpu.weight" "$S/app/worker/memory.max" \
	"$S/app/worker/pids.max" "$S/app/worker/cgroup.subtree_control" >"$W/after"
check "$(cmp -s "$W/before" "$W/after" && echo same)" same "rollback restored every value"
check "$([ -d "$S/app/worker/sub" ] && echo exists)" "" "rollback removed the new group"
cga plan -f "$W/base.yaml" --detailed-exitcode >"$W/out" 2>&1
check $? 0 "after the rollback the base config is in sync"

# with --force the limit below usage goes through: the kernel OOM-kills the hog
cga apply -f "$W/below.yaml" --force >"$W/out" 2>&1
check $? 0 "memory.max below usage with --force"
check "$(rd app/worker/memory.max)" 8388608 "forced: worker memory.max"
sleep 0.5
check "$(grep -c '^oom_kill [1-9]' "$S/app/worker/memory.events")" 1 "forced: the kernel OOM-killed the hog"

# ---------------------------------------------------------------- rollback of the last apply
cga apply -f "$W/base.yaml" >"$W/out" 2>&1
check $? 0 "apply the base config again"
cga apply -f "$W/grow.yaml" >"$W/out" 2>&1
check $? 0 "apply the grown config"
cga rollback --detailed-exitcode >"$W/out" 2>&1
check $? 2 "cgapply rollback of the last apply"
check "$(rd app/memory.max):$(rd app/worker/memory.max)" 268435456:134217728 "rollback restored memory.max"
cga plan -f "$W/base.yaml" --detailed-exitcode >"$W/out" 2>&1
check $? 0 "after rollback the base config is in sync"

# ---------------------------------------------------------------- the example
if [ -f /tmp/payload/cgroup-v2.yaml ]; then
	"$CGAPPLY" validate /tmp/payload/cgroup-v2.yaml >"$W/out" 2>&1
	check $? 0 "examples/cgroup-v2.yaml validates"
	# no 259:0 disk in the VM: the example minus its per-device io lines, minus the rules
	sed -e '/259:0/d' -e '/^rules:/,$d' /tmp/payload/cgroup-v2.yaml >"$W/ex.yaml"
	cga plan -f "$W/ex.yaml" --detailed-exitcode >"$W/out" 2>&1
	check $? 2 "examples/cgroup-v2.yaml plans under the sandbox parent"
	cga apply -f "$W/ex.yaml" --detailed-exitcode >"$W/out" 2>&1
	check $? 2 "examples/cgroup-v2.yaml applies under the sandbox parent"
	check "$(rd workloads/db/cpu.max)|$(rd workloads/web/cpu.max)" "400000 100000|50000 100000" "example: cpu.max"
	check "$(rd workloads/db/memory.min)" 4294967296 "example: memory.min"
	check "$(rd workloads/batch/memory.oom.group)" 1 "example: memory.oom.group"
	check "$(rd workloads/cgroup.max.depth)" 3 "example: cgroup.max.depth"
	cga plan -f "$W/ex.yaml" --detailed-exitcode >"$W/out" 2>&1
	check $? 0 "example: in sync after apply"
fi

echo "$((checks - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]
