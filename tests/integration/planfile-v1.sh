#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Saved plans on the real cgroup v1 hierarchies of this host, inside a sandbox parent
# (tests/integration/lib.sh): plan --out then apply FILE makes the planned changes; plan
# --out, a value changed by hand, then apply FILE refuses with exit 4 and changes nothing.
set -u
. "${srcdir:-.}/tests/integration/lib.sh"
require_cgroupfs
sandbox_create

cat >"$WORK/a.yaml" <<'Y'
version: 1
groups:
  web:
    memory: { memory.limit_in_bytes: 64M, memory.memsw.limit_in_bytes: 96M }
    cpu: { cpu.shares: 2048 }
  web/static:
    cpu: { cpu.shares: 512 }
Y

# --- plan --out, apply FILE -------------------------------------------------------------
cga plan -f "$WORK/a.yaml" --detailed-exitcode --out "$WORK/saved" >"$WORK/out" 2>&1
check_rc $? 2 "plan --out reports the changes"
check "$(find "$CG_ROOT/memory/$SANDBOX" -mindepth 1 -type d | wc -l)" 0 "plan --out created nothing"
cga apply "$WORK/saved" --detailed-exitcode >"$WORK/out" 2>&1
check_rc $? 2 "apply FILE makes the changes"
check "$(cg_read memory web memory.limit_in_bytes)" 67108864 "web memory limit"
check "$(cg_read memory web memory.memsw.limit_in_bytes)" 100663296 "web memsw limit"
check "$(cg_read cpu web cpu.shares)" 2048 "web shares"
check "$(cg_read cpu web/static cpu.shares)" 512 "web/static shares"
cga plan -f "$WORK/a.yaml" --detailed-exitcode >"$WORK/out" 2>&1
check_rc $? 0 "a plan after apply FILE has nothing to do"
cga rollback >"$WORK/out" 2>&1
check_rc $? 0 "apply FILE is journaled like any apply: rollback undoes it"
check "$(find "$CG_ROOT/cpu/$SANDBOX" -mindepth 1 -type d | wc -l)" 0 "rollback removed the groups apply FILE created"

# --- plan --out, a value changed by hand, apply FILE --------------------------------------
cga apply -f "$WORK/a.yaml" >"$WORK/out" 2>&1
check_rc $? 0 "apply the configuration"
sed -e 's/64M/128M/' -e 's/96M/160M/' -e 's/2048/4096/' "$WORK/a.yaml" >"$WORK/b.yaml"
cga plan -f "$WORK/b.yaml" --detailed-exitcode --out "$WORK/saved2" >"$WORK/out" 2>&1
check_rc $? 2 "plan --out of a change"
echo 1000 >"$CG_ROOT/cpu/$SANDBOX/web/cpu.shares"
cga apply "$WORK/saved2" --detailed-exitcode >"$WORK/out" 2>&1
check_rc $? 4 "apply FILE refuses: a value changed since the plan"
grep -q "cpu.shares' reads '1000', expected '2048'" "$WORK/out"
check $? 0 "the refusal says what changed"
check "$(cg_read cpu web cpu.shares)" 1000 "the hand-set value is kept"
check "$(cg_read memory web memory.limit_in_bytes)" 67108864 "the memory limit is untouched"
check "$(cg_read memory web memory.memsw.limit_in_bytes)" 100663296 "the memsw limit is untouched"
[ -e "$STATE_DIR/journal" ]
check $? 1 "no journal is left behind"
cga apply "$WORK/saved2" --json >"$WORK/out" 2>/dev/null
check_rc $? 4 "apply FILE --json refuses too"
check "$(jq -r '.failed' "$WORK/out" 2>/dev/null || echo jq-missing)" true "JSON: failed"

# a saved --prune plan, then a directory made by hand inside the group it removes: stale
cat >"$WORK/p1.yaml" <<'Y'
version: 1
groups:
  keep: { memory: {}, pids: { pids.max: 50 } }
  gone: { memory: {}, pids: { pids.max: 60 } }
Y
printf 'version: 1\ngroups:\n  keep: { memory: {}, pids: { pids.max: 50 } }\n' >"$WORK/p2.yaml"
cga apply -f "$WORK/p1.yaml" >"$WORK/out" 2>&1
check_rc $? 0 "apply two groups"
cga plan -f "$WORK/p2.yaml" --prune --out "$WORK/saved3" >"$WORK/out" 2>&1
check_rc $? 0 "plan --prune --out"
mkdir "$CG_ROOT/memory/$SANDBOX/gone/by-hand"
cga apply "$WORK/saved3" >"$WORK/out" 2>&1
check_rc $? 4 "apply FILE refuses: a directory appeared in a group it removes"
check "$(grep -c "gone' now holds the directory 'by-hand'" "$WORK/out")" 1 "the refusal names the new directory"
check "$([ -d "$CG_ROOT/pids/$SANDBOX/gone" ] && echo present)" present "nothing was removed"
rmdir "$CG_ROOT/memory/$SANDBOX/gone/by-hand"
cga apply "$WORK/saved3" >"$WORK/out" 2>&1
check_rc $? 0 "without it, the saved plan applies"
check "$([ -d "$CG_ROOT/pids/$SANDBOX/gone" ] && echo present || echo absent)" absent "the group was removed"

finish
