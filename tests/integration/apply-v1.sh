#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# plan, apply and rollback with the real binary on the real cgroup v1 hierarchies of this
# host, inside a sandbox parent (tests/integration/lib.sh). Each step checks what the
# kernel then holds, read straight from cgroupfs.
set -u
. "${srcdir:-.}/tests/integration/lib.sh"
require_cgroupfs
command -v jq >/dev/null || skip "jq is not installed (scripts/install-deps.sh --test)"
sandbox_create

conf() {
	cat >"$WORK/$1.yaml"
}

# --- the three-user example, with the cpusets this host has ---------------------
# (without its rules: they name uids 1001-1003, whose processes are not the test's;
# tests/integration/rules-v1.sh places processes, with rules that match only its own)
sed -e 's/"0-7,12-19"/"0-1"/' -e 's/cpuset.mems: "0-1"/cpuset.mems: "0"/' -e '/^rules:/,$d' \
	"${srcdir:-.}/examples/three-users.yaml" >"$WORK/three.yaml"
cga plan -f "$WORK/three.yaml" --detailed-exitcode >"$WORK/out" 2>&1
check_rc $? 2 "plan of the three-user example reports changes"
cga apply -f "$WORK/three.yaml" --detailed-exitcode >"$WORK/out" 2>&1
check_rc $? 2 "apply of the three-user example changes the system"
check "$(cg_read memory zorro memory.limit_in_bytes)" 4294967296 "zorro memory limit"
check "$(cg_read memory zorro memory.memsw.limit_in_bytes)" 6442450944 "zorro memsw limit"
check "$(cg_read memory shrek memory.limit_in_bytes)" 1610612736 "shrek memory limit (1536M)"
check "$(cg_read cpu zorro cpu.cfs_quota_us)" 600000 "zorro cfs quota"
check "$(cg_read cpu jerry cpu.shares)" 1000 "jerry shares"
check "$(cg_read cpuset zorro cpuset.cpus)" 0-1 "zorro cpus"
check "$(cg_read cpuset jerry cpuset.mems)" 0 "jerry mems"
check "$(stat -c %u:%g:%a "$CG_ROOT/memory/$SANDBOX/zorro/tasks")" 1001:1001:660 "zorro task file owner and mode"
check "$(stat -c %u:%g:%a "$CG_ROOT/memory/$SANDBOX/zorro")" 0:0:775 "zorro directory owner and dperm"
check "$(stat -c %a "$CG_ROOT/memory/$SANDBOX/zorro/memory.limit_in_bytes")" 664 "zorro admin fperm"

# an owner with only a uid or only a gid: the other id is left as it is
conf half <<'Y'
version: 1
groups:
  half-uid: { perm: { task: { uid: 1001 } }, pids: { pids.max: 10 } }
  half-gid: { perm: { admin: { gid: 1002 } }, pids: { pids.max: 11 } }
Y
cga apply -f "$WORK/half.yaml" >"$WORK/out" 2>&1
check_rc $? 0 "apply of owners with only a uid or only a gid"
check "$(stat -c %u:%g "$CG_ROOT/pids/$SANDBOX/half-uid/tasks")" 1001:0 "only the uid of the task file changed"
check "$(stat -c %u:%g "$CG_ROOT/pids/$SANDBOX/half-gid")" 0:1002 "only the gid of the directory changed"
cga plan -f "$WORK/half.yaml" --detailed-exitcode >"$WORK/out" 2>&1
check_rc $? 0 "owners with one id: in sync after apply"

# a second plan shows no change, a second apply writes nothing
cga plan -f "$WORK/three.yaml" --detailed-exitcode >"$WORK/out" 2>&1
check_rc $? 0 "plan right after apply is in sync"
grep -q "No changes." "$WORK/out"
check $? 0 "plan says 'No changes.'"
if command -v strace >/dev/null; then
	strace -f -qq -e trace=write,mkdir,mkdirat,rmdir,unlinkat,fchownat,fchmodat,fchown,fchmod \
		-o "$WORK/trace" "$CGAPPLY" apply --cgroup-root "$CG_ROOT" --parent "$SANDBOX" \
		--state-dir "$STATE_DIR" -f "$WORK/three.yaml" --detailed-exitcode >"$WORK/out" 2>&1
	check_rc $? 0 "a no-op apply reports nothing to do"
	# writes to stdout/stderr and the state dir are fine; nothing may touch cgroupfs
	n=$(grep -cE 'mkdir|rmdir|unlinkat|chown|chmod' "$WORK/trace")
	check "$n" 0 "a no-op apply creates, removes or chowns nothing"
	n=$(grep -E '^[0-9]+ +write\(' "$WORK/trace" | grep -cvE 'write\([12],')
	check "$n" 0 "a no-op apply makes no write except to stdout/stderr"
else
	echo "note: strace missing, the zero-write check of a no-op apply is skipped"
fi
cga apply -f "$WORK/three.yaml" --json >"$WORK/out" 2>/dev/null
check "$(jq -r '.changed' "$WORK/out")" false "a no-op apply: JSON changed is false"
check "$(jq -r '.actions | length' "$WORK/out")" 0 "a no-op apply: no actions"

# --- memory limit and memsw: grow, then shrink (one apply each) -----------------
conf mem <<'Y'
version: 1
groups:
  m: { memory: { memory.limit_in_bytes: 64M, memory.memsw.limit_in_bytes: 96M } }
Y
cga apply -f "$WORK/mem.yaml" >"$WORK/out" 2>&1
check_rc $? 0 "memory: first apply"
sed -i -e 's/64M/512M/' -e 's/96M/768M/' "$WORK/mem.yaml"
cga apply -f "$WORK/mem.yaml" >"$WORK/out" 2>&1
check_rc $? 0 "memory: grow both above the old memsw"
check "$(cg_read memory m memory.limit_in_bytes):$(cg_read memory m memory.memsw.limit_in_bytes)" \
	536870912:805306368 "memory: grown"
sed -i -e 's/512M/32M/' -e 's/768M/48M/' "$WORK/mem.yaml"
cga apply -f "$WORK/mem.yaml" >"$WORK/out" 2>&1
check_rc $? 0 "memory: shrink both below the old limit"
check "$(cg_read memory m memory.limit_in_bytes):$(cg_read memory m memory.memsw.limit_in_bytes)" \
	33554432:50331648 "memory: shrunk"
sed -i -e 's/32M/-1/' -e 's/48M/-1/' "$WORK/mem.yaml"
cga apply -f "$WORK/mem.yaml" >"$WORK/out" 2>&1
check_rc $? 0 "memory: to unlimited"
check "$(cg_read memory m memory.limit_in_bytes)" 9223372036854771712 "memory: unlimited"

# --- CFS: parent/child ratio lowered, then raised --------------------------------
conf cfs <<'Y'
version: 1
groups:
  p: { cpu: { cpu.cfs_quota_us: 80000, cpu.cfs_period_us: 100000 } }
  p/c: { cpu: { cpu.cfs_quota_us: 60000, cpu.cfs_period_us: 100000 } }
Y
cga apply -f "$WORK/cfs.yaml" >"$WORK/out" 2>&1
check_rc $? 0 "cfs: first apply"
sed -i -e 's/80000/30000/' -e 's/60000/20000/' "$WORK/cfs.yaml"
cga apply -f "$WORK/cfs.yaml" >"$WORK/out" 2>&1
check_rc $? 0 "cfs: parent lowered below the child's old ratio"
check "$(cg_read cpu p cpu.cfs_quota_us):$(cg_read cpu p/c cpu.cfs_quota_us)" 30000:20000 "cfs: lowered"
sed -i -e 's/30000/150000/' -e 's/20000/120000/' "$WORK/cfs.yaml"
cga apply -f "$WORK/cfs.yaml" >"$WORK/out" 2>&1
check_rc $? 0 "cfs: child raised above the parent's old ratio"
check "$(cg_read cpu p cpu.cfs_quota_us):$(cg_read cpu p/c cpu.cfs_quota_us)" 150000:120000 "cfs: raised"

# --- cpuset: parent and child narrowed, then widened -----------------------------
all=$(cat "$CG_ROOT/cpuset/$SANDBOX/cpuset.cpus")
conf cs <<Y
version: 1
groups:
  s: { cpuset: { cpuset.cpus: "$all", cpuset.mems: "0" } }
  s/c: { cpuset: { cpuset.cpus: "$all", cpuset.mems: "0" } }
Y
cga apply -f "$WORK/cs.yaml" >"$WORK/out" 2>&1
check_rc $? 0 "cpuset: first apply"
sed -i "s/\"$all\"/\"0\"/g" "$WORK/cs.yaml"
cga apply -f "$WORK/cs.yaml" >"$WORK/out" 2>&1
check_rc $? 0 "cpuset: parent and child narrowed"
check "$(cg_read cpuset s cpuset.cpus):$(cg_read cpuset s/c cpuset.cpus)" 0:0 "cpuset: narrowed"
if [ "$all" != 0 ]; then
	# moved from cpu 0 to cpu 1: the parent widens (0-1), the child moves, the parent
	# narrows; the text plan shows the groups apart, so its step numbers give the order
	sed -i 's/cpuset.cpus: "0"/cpuset.cpus: "1"/g' "$WORK/cs.yaml"
	cga plan -f "$WORK/cs.yaml" --no-color >"$WORK/plan.txt" 2>&1
	nums=$(awk '$3 ~ /\/s\/cpuset\.cpus$/ { printf "%s ", $1 } $3 ~ /\/s\/c\/cpuset\.cpus$/ { printf "c%s ", $1 }' "$WORK/plan.txt")
	check "$nums" "1 3 c2 " "cpuset: the plan numbers the steps in run order (parent, child, parent)"
	cga apply -f "$WORK/cs.yaml" >"$WORK/out" 2>&1
	check_rc $? 0 "cpuset: parent and child moved to another cpu"
	check "$(cg_read cpuset s cpuset.cpus):$(cg_read cpuset s/c cpuset.cpus)" 1:1 "cpuset: moved"
	sed -i 's/cpuset.cpus: "1"/cpuset.cpus: "0"/g' "$WORK/cs.yaml"
	cga apply -f "$WORK/cs.yaml" >"$WORK/out" 2>&1
	check_rc $? 0 "cpuset: back to cpu 0"
fi
sed -i "s/\"0\"/\"$all\"/g; s/cpuset.mems: \"$all\"/cpuset.mems: \"0\"/g" "$WORK/cs.yaml"
cga apply -f "$WORK/cs.yaml" >"$WORK/out" 2>&1
check_rc $? 0 "cpuset: parent and child widened"
check "$(cg_read cpuset s cpuset.cpus):$(cg_read cpuset s/c cpuset.cpus)" "$all:$all" "cpuset: widened"
if [ "$all" != 0 ] && command -v taskset >/dev/null; then
	# a task of the test pinned to cpu 1 in s/c: narrowing to cpu 0 takes its cpu away
	sleep 300 &
	pin=$!
	TEST_PIDS="$TEST_PIDS $pin"
	echo "$pin" >"$CG_ROOT/cpuset/$SANDBOX/s/c/tasks"
	taskset -pc 1 "$pin" >/dev/null
	sed -i "s/\"$all\"/\"0\"/g" "$WORK/cs.yaml"
	cga plan -f "$WORK/cs.yaml" >"$WORK/out" 2>&1
	check "$(grep -c "of 'cpuset/$SANDBOX/s/c' takes CPUs from 1 task pinned to them ($pin on 1)" "$WORK/out")" 1 \
		"cpuset: the plan names the task pinned to a cpu the group loses"
	check "$(grep -c "of 'cpuset/$SANDBOX/s' takes CPUs" "$WORK/out")" 0 "cpuset: the parent holds no pinned task"
	taskset -pc "$all" "$pin" >/dev/null
	cga plan -f "$WORK/cs.yaml" >"$WORK/out" 2>&1
	check "$(grep -c 'takes CPUs from' "$WORK/out")" 0 "cpuset: a task that is not pinned is not named"
	kill "$pin"
	wait "$pin" 2>/dev/null
	sed -i "s/\"0\"/\"$all\"/g; s/cpuset.mems: \"$all\"/cpuset.mems: \"0\"/g" "$WORK/cs.yaml"
fi

# --- --prune removes only groups cgapply created ----------------------------------
conf prune <<'Y'
version: 1
groups:
  keep: { cpu: { cpu.shares: 256 } }
  gone: { cpu: { cpu.shares: 300 } }
  gone/sub: { cpu: { cpu.shares: 200 } }
Y
cga apply -f "$WORK/prune.yaml" >"$WORK/out" 2>&1
check_rc $? 0 "prune: first apply"
mkdir "$CG_ROOT/cpu/$SANDBOX/by-hand"
cat >"$WORK/prune.yaml" <<'Y'
version: 1
groups:
  keep: { cpu: { cpu.shares: 256 } }
Y
cga apply -f "$WORK/prune.yaml" --detailed-exitcode >"$WORK/out" 2>&1
check_rc $? 0 "without --prune, groups dropped from the configuration are left alone"
check "$([ -d "$CG_ROOT/cpu/$SANDBOX/gone/sub" ] && echo present)" present "gone/sub still there"
cga plan -f "$WORK/prune.yaml" --prune >"$WORK/out" 2>&1
check_rc $? 0 "plan --prune"
check "$(grep -c '^ *[0-9]* - cpu/.*/gone' "$WORK/out")" 2 "plan --prune shows the two removals"
cga apply -f "$WORK/prune.yaml" --prune >"$WORK/out" 2>&1
check_rc $? 0 "apply --prune"
check "$([ -d "$CG_ROOT/cpu/$SANDBOX/gone" ] && echo present || echo absent)" absent "the dropped groups are removed, child first"
check "$([ -d "$CG_ROOT/cpu/$SANDBOX/by-hand" ] && echo present || echo absent)" present "a group made by hand is never pruned"
check "$([ -d "$CG_ROOT/cpu/$SANDBOX/keep" ] && echo present || echo absent)" present "a configured group stays"
printf '  gone2: { cpu: { cpu.shares: 310 } }\n' >>"$WORK/prune.yaml"
cga apply -f "$WORK/prune.yaml" >"$WORK/out" 2>&1
mkdir "$CG_ROOT/cpu/$SANDBOX/gone2/foreign"
sed -i '/gone2/d' "$WORK/prune.yaml"
cga apply -f "$WORK/prune.yaml" --prune >"$WORK/out" 2>&1
check_rc $? 4 "--prune refuses a group that holds one cgapply did not create"
grep -q "did not create" "$WORK/out"
check $? 0 "and says which"
check "$([ -d "$CG_ROOT/cpu/$SANDBOX/gone2/foreign" ] && echo present)" present "nothing was removed"

finish
