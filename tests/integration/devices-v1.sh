#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Devices rules and blkio throttles on the real cgroup v1 hierarchies, inside a sandbox
# parent (tests/integration/lib.sh):
#   1. deny-all plus an allow list on an existing group: devices.list shows the list, a
#      second plan has no change, rollback brings back "a *:* rwm";
#   2. a write refused half-way through the rules (strace fault injection) is rolled
#      back to the devices.list from before;
#   1b. with a child group: an exception added, dropped, fewer access bits: only those
#      differences are written (no `a`), each applies, reads back, and rolls back;
#      a deny rule for an existing allow-all group is a warning;
#   3. a blkio throttle set, then set to unlimited (which the kernel shows as no entry),
#      converges: a second plan has no change.
set -u
. "${srcdir:-.}/tests/integration/lib.sh"
require_cgroupfs
[ -d "$CG_ROOT/devices" ] || skip "no v1 devices hierarchy"
sandbox_create

conf() {
	cat >"$WORK/$1.yaml"
}

# --- 1. deny all, allow a list -------------------------------------------------------
# the group first exists with the default it inherits (an `a` allow changes nothing)
conf d0 <<'Y'
version: 1
groups:
  d: { devices: { devices.allow: "a" } }
Y
conf d1 <<'Y'
version: 1
groups:
  d: { devices: { devices.deny: "a", devices.allow: ["c 1:3 rwm", "c 1:5 rw"] } }
Y
cga apply -f "$WORK/d0.yaml" >"$WORK/out" 2>&1
check_rc $? 0 "devices: the group is created allow-all"
check "$(cg_read devices d devices.list)" "a *:* rwm" "devices: a new group inherits allow-all"
cga apply -f "$WORK/d1.yaml" >"$WORK/out" 2>&1
check_rc $? 0 "devices: deny all and allow a list"
check "$(cg_read devices d devices.list | tr '\n' ' ')" "c 1:3 rwm c 1:5 rw " "devices: devices.list holds the allow list"
cga plan -f "$WORK/d1.yaml" --detailed-exitcode >"$WORK/out" 2>&1
check_rc $? 0 "devices: a second plan is in sync"
grep -q "No changes." "$WORK/out"
check $? 0 "devices: the second plan says 'No changes.'"
cga rollback >"$WORK/out" 2>&1
check_rc $? 0 "devices: rollback"
check "$(cg_read devices d devices.list)" "a *:* rwm" "devices: rollback restores allow-all"

# --- 2. a refusal half-way through the rules ------------------------------------------
# deny a, the first allow, then the second allow fails: everything is undone
strace -f -qq -o /dev/null -P "$CG_ROOT/devices/$SANDBOX/d/devices.allow" \
	-e trace=write -e inject=write:error=EINVAL:when=2 \
	"$CGAPPLY" apply --cgroup-root "$CG_ROOT" --parent "$SANDBOX" --state-dir "$STATE_DIR" \
	-f "$WORK/d1.yaml" >"$WORK/out" 2>&1
check_rc $? 1 "devices: an apply whose second allow is refused fails"
grep -q "c 1:5 rw" "$WORK/out"
check $? 0 "devices: the failure names the refused rule"
check "$(cg_read devices d devices.list)" "a *:* rwm" "devices: the failed apply is rolled back to allow-all"
cga plan -f "$WORK/d0.yaml" --detailed-exitcode >"$WORK/out" 2>&1
check_rc $? 0 "devices: in sync with the configuration from before the failed apply"

# and from a deny-by-default list back to another one
cga apply -f "$WORK/d1.yaml" >"$WORK/out" 2>&1
check_rc $? 0 "devices: deny all and allow a list again"
conf d2 <<'Y'
version: 1
groups:
  d: { devices: { devices.deny: "a", devices.allow: ["c 1:3 r", "c 1:7 rwm", "b 7:0 rw"] } }
Y
# the same default: only the differences (allow c 1:7 rwm, b 7:0 rw; deny c 1:3 wm, c 1:5 rw)
strace -f -qq -o /dev/null -P "$CG_ROOT/devices/$SANDBOX/d/devices.allow" \
	-e trace=write -e inject=write:error=EINVAL:when=2 \
	"$CGAPPLY" apply --cgroup-root "$CG_ROOT" --parent "$SANDBOX" --state-dir "$STATE_DIR" \
	-f "$WORK/d2.yaml" >"$WORK/out" 2>&1
check_rc $? 1 "devices: a refused second allow fails"
check "$(cg_read devices d devices.list | sort | tr '\n' ' ')" "c 1:3 rwm c 1:5 rw " "devices: the list from before is restored (allow refused)"
strace -f -qq -o /dev/null -P "$CG_ROOT/devices/$SANDBOX/d/devices.deny" \
	-e trace=write -e inject=write:error=EINVAL:when=2 \
	"$CGAPPLY" apply --cgroup-root "$CG_ROOT" --parent "$SANDBOX" --state-dir "$STATE_DIR" \
	-f "$WORK/d2.yaml" >"$WORK/out" 2>&1
check_rc $? 1 "devices: a refused second deny fails"
check "$(cg_read devices d devices.list | sort | tr '\n' ' ')" "c 1:3 rwm c 1:5 rw " "devices: the list from before is restored (deny refused)"

# --- 1b. editing the allow list of a deny-all group that has a child -------------------
# The default stays deny-all, so only the differences are written: never `a` (which the
# kernel refuses with a child, and which would deny every device for a moment). A deny
# of the parent reaches the child; an allow does not.
E_BASE='"c 1:3 rwm", "b 254:* r", "c *:* m"'
e_conf() {
	conf "$1" <<Y
version: 1
groups:
  e: { devices: { devices.deny: "a", devices.allow: [$2] } }
  e/sub: { devices: {} }
Y
}
e_list() {
	cg_read devices "$1" devices.list | sort | tr '\n' ' '
}
e_conf e0 "$E_BASE, \"c 1:5 rw\""
e_conf e_add "$E_BASE, \"c 1:5 rw\", \"c 1:7 rw\""
e_conf e_drop "$E_BASE"
e_conf e_bits "\"c 1:3 r\", \"b 254:* r\", \"c *:* m\", \"c 1:5 rw\""
E0="b 254:* r c *:* m c 1:3 rwm c 1:5 rw "
cga apply -f "$WORK/e0.yaml" >"$WORK/out" 2>&1
check_rc $? 0 "devices: a deny-all group and its child"
check "$(e_list e)" "$E0" "devices: the group's list"
check "$(e_list e/sub)" "$E0" "devices: the child copies it at mkdir"

e_step() { # name, expected list of e, expected list of e/sub, what
	cga apply -f "$WORK/$1.yaml" >"$WORK/out" 2>&1
	check_rc $? 0 "devices: $4 with a child group applies"
	grep -Eq "devices\.deny +(= +)?a " "$WORK/out"
	check $? 1 "devices: $4 writes no 'a' rule"
	check "$(e_list e)" "$2" "devices: $4: the group's list"
	check "$(e_list e/sub)" "$3" "devices: $4: the child's list"
	cga plan -f "$WORK/$1.yaml" --detailed-exitcode >"$WORK/out" 2>&1
	check_rc $? 0 "devices: $4: a second plan is in sync"
	cga rollback >"$WORK/out" 2>&1
	check_rc $? 0 "devices: $4: rollback"
	check "$(e_list e)" "$E0" "devices: $4: rollback restores the group's list"
	cga plan -f "$WORK/e0.yaml" --detailed-exitcode >"$WORK/out" 2>&1
	check_rc $? 0 "devices: $4: in sync with the configuration from before"
}
e_step e_add "b 254:* r c *:* m c 1:3 rwm c 1:5 rw c 1:7 rw " "$E0" "adding an exception"
e_step e_drop "b 254:* r c *:* m c 1:3 rwm " "b 254:* r c *:* m c 1:3 rwm " "dropping an exception"
# the kernel does not give the child back what its parent regains (the child has no
# devices configuration of its own, so nothing asks for it)
check "$(e_list e/sub)" "b 254:* r c *:* m c 1:3 rwm " "devices: the child keeps the narrowing"
e_step e_bits "b 254:* r c *:* m c 1:3 r c 1:5 rw " "b 254:* r c *:* m c 1:3 r " \
	"reducing access bits"

# an existing allow-all group: a deny rule cannot be read back; not written, but warned
conf w1 <<'Y'
version: 1
groups:
  w: { devices: { devices.allow: "a" } }
Y
conf w2 <<'Y'
version: 1
groups:
  w: { devices: { devices.deny: "c 1:3 rwm" } }
Y
cga apply -f "$WORK/w1.yaml" >"$WORK/out" 2>&1
check_rc $? 0 "devices: an allow-all group"
cga plan -f "$WORK/w2.yaml" >"$WORK/out" 2>&1
grep -q "warning.*'c 1:3 rwm' in devices.deny of '.*w' is not written" "$WORK/out"
check $? 0 "devices: a deny rule for an existing allow-all group is a warning naming it"

# --- 3. blkio throttles: unlimited is no entry ----------------------------------------
# two block devices of this host (loop devices, the disk)
set -- $(cat /sys/block/*/dev 2>/dev/null | sort -t: -k1,1n -k2,2n | head -n 2)
if [ -d "$CG_ROOT/blkio" ] && [ $# -eq 2 ] &&
	[ -e "$CG_ROOT/blkio/blkio.throttle.write_iops_device" ]; then
	dev1=$1 dev2=$2
	conf b1 <<Y
version: 1
groups:
  b: { blkio: { blkio.throttle.write_iops_device: ["$dev1 100", "$dev2 -1"] } }
Y
	cga apply -f "$WORK/b1.yaml" >"$WORK/out" 2>&1
	check_rc $? 0 "blkio: a limit and an unlimited device"
	check "$(cg_read blkio b blkio.throttle.write_iops_device)" "$dev1 100" "blkio: the unlimited device has no entry"
	cga plan -f "$WORK/b1.yaml" --detailed-exitcode >"$WORK/out" 2>&1
	check_rc $? 0 "blkio: a second plan is in sync"
	sed -i "s/\"$dev1 100\"/\"$dev1 max\"/" "$WORK/b1.yaml"
	cga apply -f "$WORK/b1.yaml" >"$WORK/out" 2>&1
	check_rc $? 0 "blkio: the limit set back to unlimited"
	check "$(cg_read blkio b blkio.throttle.write_iops_device)" "" "blkio: no entry is left"
	cga plan -f "$WORK/b1.yaml" --detailed-exitcode >"$WORK/out" 2>&1
	check_rc $? 0 "blkio: in sync after unsetting"
	grep -q "No changes." "$WORK/out"
	check $? 0 "blkio: the plan says 'No changes.'"
else
	echo "note: no blkio throttle files or fewer than two block devices: blkio part skipped"
fi

finish
