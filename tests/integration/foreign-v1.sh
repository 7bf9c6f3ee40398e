#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Directories the configuration does not have (a child made by hand, a sibling left
# over) on the real v1 cpuset and cpu hierarchies: the kernel checks writes against
# them, so the plan must refuse (exit 4, naming the directory) what the kernel would
# refuse because of them, write nothing, and never write them. An unmanaged child that
# is in nobody's way changes nothing in the plan.
set -u
. "${srcdir:-.}/tests/integration/lib.sh"
require_cgroupfs
sandbox_create

conf() {
	cat >"$WORK/$1.yaml"
}

# refused NAME DIR: plan and apply of $WORK/NAME.yaml exit 4, the message names DIR
refused() {
	cga plan -f "$WORK/$1.yaml" >"$WORK/out" 2>&1
	check_rc $? 4 "$1: plan refuses"
	grep -q "'$2', which the configuration does not manage" "$WORK/out"
	check $? 0 "$1: the refusal names '$2'"
	cga apply -f "$WORK/$1.yaml" >"$WORK/out" 2>&1
	check_rc $? 4 "$1: apply refuses before any write"
}

S=$SANDBOX

# --- cpuset: a hand-made child keeps cpus its parent would drop -----------------
conf cs <<'Y'
version: 1
groups:
  p: { cpuset: { cpuset.cpus: "0-1", cpuset.mems: "0" } }
Y
cga apply -f "$WORK/cs.yaml" >"$WORK/out" 2>&1
check_rc $? 0 "cpuset: first apply"
mkdir "$CG_ROOT/cpuset/$S/p/x"
echo 0-1 >"$CG_ROOT/cpuset/$S/p/x/cpuset.cpus"
echo 0 >"$CG_ROOT/cpuset/$S/p/x/cpuset.mems"
# the unmanaged child is in nobody's way: the plan is still empty
cga plan -f "$WORK/cs.yaml" --detailed-exitcode >"$WORK/out" 2>&1
check_rc $? 0 "cpuset: an unmanaged child that fits changes nothing"
sed -i 's/"0-1"/"0"/' "$WORK/cs.yaml"
refused cs "cpuset/$S/p/x"
grep -q "cannot narrow 'cpuset.cpus' of 'cpuset/$S/p' to 0: its child 'cpuset/$S/p/x', which the configuration does not manage, has 0-1; narrow or remove it first" "$WORK/out"
check $? 0 "cpuset: the message says what the child holds"
check "$(cg_read cpuset p cpuset.cpus)" 0-1 "cpuset: p kept its cpus"
check "$(cg_read cpuset p/x cpuset.cpus)" 0-1 "cpuset: the unmanaged child was not written"

# --- CFS: a hand-made child's quota/period above the parent's new ratio ---------
conf cfs <<'Y'
version: 1
groups:
  q: { cpu: { cpu.cfs_period_us: 100000, cpu.cfs_quota_us: 100000 } }
Y
cga apply -f "$WORK/cfs.yaml" >"$WORK/out" 2>&1
check_rc $? 0 "cfs: first apply"
mkdir "$CG_ROOT/cpu/$S/q/y"
echo 90000 >"$CG_ROOT/cpu/$S/q/y/cpu.cfs_quota_us"
cga plan -f "$WORK/cfs.yaml" --detailed-exitcode >"$WORK/out" 2>&1
check_rc $? 0 "cfs: an unmanaged child within the parent's ratio changes nothing"
sed -i 's/cpu.cfs_quota_us: 100000/cpu.cfs_quota_us: 50000/' "$WORK/cfs.yaml"
refused cfs "cpu/$S/q/y"
check "$(cg_read cpu q cpu.cfs_quota_us)" 100000 "cfs: q kept its quota"
check "$(cg_read cpu q/y cpu.cfs_quota_us)" 90000 "cfs: the unmanaged child was not written"

# --- RT: a sibling outside the configuration holds the parent's budget ----------
if echo 100000 >"$CG_ROOT/cpu/$S/cpu.rt_runtime_us" 2>/dev/null; then
	mkdir "$CG_ROOT/cpu/$S/other"
	echo 60000 >"$CG_ROOT/cpu/$S/other/cpu.rt_runtime_us"
	conf rt <<'Y'
version: 1
groups:
  r: { cpu: { cpu.rt_runtime_us: 30000 } }
Y
	cga plan -f "$WORK/rt.yaml" --detailed-exitcode >"$WORK/out" 2>&1
	check_rc $? 2 "rt: a budget that fits next to the unmanaged sibling is planned"
	sed -i 's/30000/50000/' "$WORK/rt.yaml"
	refused rt "cpu/$S/other"
	check "$([ -d "$CG_ROOT/cpu/$S/r" ] && echo made || echo absent)" absent "rt: nothing was created"
	check "$(cat "$CG_ROOT/cpu/$S/other/cpu.rt_runtime_us")" 60000 "rt: the unmanaged sibling was not written"
	echo 0 >"$CG_ROOT/cpu/$S/other/cpu.rt_runtime_us"
	echo 0 >"$CG_ROOT/cpu/$S/cpu.rt_runtime_us"
else
	echo "note: the sandbox cannot get an RT budget here; the RT case is skipped"
fi

# --- exclusive cpuset: a leftover sibling holds the cpu the group would own -----
# (the sandbox itself is not made exclusive: that would refuse the cpus of every other
# test's sandbox; the plan names every reason, the parent and the sibling)
conf ex <<'Y'
version: 1
groups:
  e: { cpuset: { cpuset.cpus: "0-1", cpuset.mems: "0" } }
Y
cga apply -f "$WORK/ex.yaml" >"$WORK/out" 2>&1
check_rc $? 0 "exclusive: first apply"
mkdir "$CG_ROOT/cpuset/$S/e/b"
echo 1 >"$CG_ROOT/cpuset/$S/e/b/cpuset.cpus"
echo 0 >"$CG_ROOT/cpuset/$S/e/b/cpuset.mems"
conf ex <<'Y'
version: 1
groups:
  e: { cpuset: { cpuset.cpus: "0-1", cpuset.mems: "0", cpuset.cpu_exclusive: 1 } }
  e/a: { cpuset: { cpuset.cpus: "1", cpuset.mems: "0", cpuset.cpu_exclusive: 1 } }
Y
refused ex "cpuset/$S/e/b"
check "$([ -d "$CG_ROOT/cpuset/$S/e/a" ] && echo made || echo absent)" absent "exclusive: nothing was created"
check "$(cg_read cpuset e/b cpuset.cpus)" 1 "exclusive: the leftover sibling was not written"

finish
