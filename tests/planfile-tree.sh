#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Saved plans and stable plan output, with the real binary on a temp tree laid out like
# a v1 cgroupfs (--cgroup-root; plain files, so values keep their length): no root needed.
#   - the plan text and JSON are byte-identical from run to run, whatever the order of
#     the -f files, and --no-color output holds no escape sequence even on a terminal;
#   - plan --out FILE, then apply FILE runs exactly that plan (exit 2 with
#     --detailed-exitcode), and a plan after it has nothing to do;
#   - a value changed by hand after plan --out: apply FILE refuses (exit 4), says what
#     changed, and changes nothing; so do a damaged file, another cgroup root, another
#     --parent; -f/--prune/--force with a plan file are usage errors (64).
set -u
CGAPPLY=${CGAPPLY:-./cgapply}
T=$(mktemp -d /tmp/cgapply-planfile.XXXXXX)
trap 'rm -rf "$T"' EXIT
failures=0
checks=0

check() {
	checks=$((checks + 1))
	if [ "$1" = "$2" ]; then
		echo "ok: $3"
	else
		failures=$((failures + 1))
		echo "FAIL: $3: expected '$2', got '$1'"
		[ -f "$T/out" ] && sed 's/^/    /' "$T/out"
	fi
}

R=$T/root
mkdir -p "$R/memory/web" "$R/memory/batch" "$R/cpu/web" "$R/cpu/batch" "$T/state"
for d in memory memory/web memory/batch; do
	echo 9223372036854771712 >"$R/$d/memory.limit_in_bytes"
	echo 9223372036854771712 >"$R/$d/memory.memsw.limit_in_bytes"
	echo 0 >"$R/$d/memory.usage_in_bytes"
	: >"$R/$d/tasks"
done
for d in cpu cpu/web cpu/batch; do
	echo 1024 >"$R/$d/cpu.shares"
	echo 0 >"$R/$d/cpu.idle"
	: >"$R/$d/tasks"
done
echo 1073741824 >"$R/memory/web/memory.limit_in_bytes"
echo 2147483648 >"$R/memory/web/memory.memsw.limit_in_bytes"
echo 1073741824 >"$R/memory/batch/memory.limit_in_bytes"
echo 2147483648 >"$R/memory/batch/memory.memsw.limit_in_bytes"

cat >"$T/a.yaml" <<'Y'
version: 1
groups:
  web:
    memory: { memory.limit_in_bytes: 2G, memory.memsw.limit_in_bytes: 3G }
    cpu: { cpu.shares: 2048 }
Y
cat >"$T/b.yaml" <<'Y'
version: 1
groups:
  batch:
    cpu: { cpu.shares: 4096 }
    memory: { memory.limit_in_bytes: 1G, memory.memsw.limit_in_bytes: 1G }
Y
O="--cgroup-root $R --state-dir $T/state"
snapshot() {
	(cd "$R" && find . -type f | sort | while read -r f; do echo "$f $(cat "$f")"; done)
}

# --- stable output -------------------------------------------------------------------
# shellcheck disable=SC2086 # $O is a list of options
"$CGAPPLY" plan $O -f "$T/a.yaml" -f "$T/b.yaml" --no-color >"$T/p1" 2>&1
# shellcheck disable=SC2086
"$CGAPPLY" plan $O -f "$T/a.yaml" -f "$T/b.yaml" --no-color >"$T/p2" 2>&1
cmp -s "$T/p1" "$T/p2"
check $? 0 "two plans of the same input are byte-identical"
# shellcheck disable=SC2086
"$CGAPPLY" plan $O -f "$T/b.yaml" -f "$T/a.yaml" --no-color >"$T/p3" 2>&1
cmp -s "$T/p1" "$T/p3"
check $? 0 "the order of the -f files does not change the plan text"
grep -q "Plan: 0 to create, 5 to change, 0 to remove." "$T/p1"
check $? 0 "the plan has the expected summary"
# shellcheck disable=SC2086
"$CGAPPLY" plan $O -f "$T/a.yaml" -f "$T/b.yaml" --json >"$T/j1" 2>&1
# shellcheck disable=SC2086
"$CGAPPLY" plan $O -f "$T/b.yaml" -f "$T/a.yaml" --json >"$T/j2" 2>&1
cmp -s "$T/j1" "$T/j2"
check $? 0 "the JSON plan is byte-identical too"
esc=$(printf '\033')
if command -v script >/dev/null; then
	# a terminal: colour by default, none with --no-color or NO_COLOR
	script -qec "$CGAPPLY plan $O -f $T/a.yaml" /dev/null >"$T/tty" 2>&1
	grep -q "$esc" "$T/tty"
	check $? 0 "on a terminal the plan is coloured"
	script -qec "$CGAPPLY plan $O -f $T/a.yaml --no-color" /dev/null >"$T/tty" 2>&1
	grep -q "$esc" "$T/tty"
	check $? 1 "--no-color: no escape sequence on a terminal"
	NO_COLOR=1 script -qec "$CGAPPLY plan $O -f $T/a.yaml" /dev/null >"$T/tty" 2>&1
	grep -q "$esc" "$T/tty"
	check $? 1 "NO_COLOR: no escape sequence on a terminal"
fi
grep -q "$esc" "$T/p1"
check $? 1 "no escape sequence when not on a terminal"

# --- plan --out, apply FILE ------------------------------------------------------------
# shellcheck disable=SC2086
"$CGAPPLY" plan $O -f "$T/a.yaml" -f "$T/b.yaml" --detailed-exitcode --out "$T/saved" >"$T/out" 2>&1
check $? 2 "plan --out reports the pending changes"
head -n 1 "$T/saved" >"$T/head"
check "$(cat "$T/head")" "cgapply-plan 1" "the plan file starts with its magic line"
cp "$T/saved" "$T/saved.copy"
snapshot >"$T/before"
# shellcheck disable=SC2086
"$CGAPPLY" apply $O "$T/saved" --detailed-exitcode >"$T/out" 2>&1
check $? 2 "apply FILE changes the tree"
check "$(cat "$R/memory/web/memory.limit_in_bytes")" 2147483648 "apply FILE: web memory limit"
check "$(cat "$R/memory/web/memory.memsw.limit_in_bytes")" 3221225472 "apply FILE: web memsw limit"
check "$(cat "$R/cpu/batch/cpu.shares")" 4096 "apply FILE: batch shares"
# shellcheck disable=SC2086
"$CGAPPLY" plan $O -f "$T/a.yaml" -f "$T/b.yaml" --detailed-exitcode >"$T/out" 2>&1
check $? 0 "after apply FILE, the configuration is in sync"
# the same plan again: the state it was made from is gone
snapshot >"$T/after"
# shellcheck disable=SC2086
"$CGAPPLY" apply $O "$T/saved.copy" >"$T/out" 2>&1
check $? 4 "an applied plan file is stale"
snapshot >"$T/after2"
cmp -s "$T/after" "$T/after2"
check $? 0 "a stale plan file changes nothing"

# --- a value changed by hand between plan and apply ------------------------------------
cat >"$T/c.yaml" <<'Y'
version: 1
groups:
  web: { cpu: { cpu.shares: 1024 } }
Y
# shellcheck disable=SC2086
"$CGAPPLY" plan $O -f "$T/c.yaml" --out "$T/saved2" >"$T/out" 2>&1
check $? 0 "plan --out of a change"
echo 3072 >"$R/cpu/web/cpu.shares"
snapshot >"$T/before"
# shellcheck disable=SC2086
"$CGAPPLY" apply $O "$T/saved2" --detailed-exitcode >"$T/out" 2>&1
check $? 4 "apply FILE refuses when a value changed since the plan"
grep -q "cpu/web/cpu.shares' reads '3072', expected '2048'" "$T/out"
check $? 0 "the refusal says what changed"
snapshot >"$T/after"
cmp -s "$T/before" "$T/after"
check $? 0 "the refused apply changed nothing"
# shellcheck disable=SC2086
"$CGAPPLY" apply $O "$T/saved2" --json >"$T/out" 2>/dev/null
check $? 4 "apply FILE --json refuses too"
grep -q '"failed":true' "$T/out"
check $? 0 "the JSON says failed"
echo 2048 >"$R/cpu/web/cpu.shares"

# --- unusable plan files and usage errors ----------------------------------------------
sed 's/"1024"/"1025"/' "$T/saved2" >"$T/edited"
# shellcheck disable=SC2086
"$CGAPPLY" apply $O "$T/edited" >"$T/out" 2>&1
check $? 4 "a hand-edited plan file is refused"
grep -q "does not match its checksum" "$T/out"
check $? 0 "the refusal names the checksum"
head -n 5 "$T/saved2" >"$T/truncated"
# shellcheck disable=SC2086
"$CGAPPLY" apply $O "$T/truncated" >"$T/out" 2>&1
check $? 4 "a truncated plan file is refused"
mkdir "$T/other"
cp -r "$R/memory" "$R/cpu" "$T/other/"
"$CGAPPLY" apply --cgroup-root "$T/other" --state-dir "$T/state" "$T/saved2" >"$T/out" 2>&1
check $? 4 "a plan file made for another cgroup root is refused"
# shellcheck disable=SC2086
"$CGAPPLY" apply $O --parent elsewhere "$T/saved2" >"$T/out" 2>&1
check $? 4 "a plan file made without --parent is refused with one"
# shellcheck disable=SC2086
"$CGAPPLY" apply $O -f "$T/c.yaml" "$T/saved2" >"$T/out" 2>&1
check $? 64 "-f with a plan file is a usage error"
# shellcheck disable=SC2086
"$CGAPPLY" apply $O --prune "$T/saved2" >"$T/out" 2>&1
check $? 64 "--prune with a plan file is a usage error"
# shellcheck disable=SC2086
"$CGAPPLY" apply $O "$T/saved2" "$T/saved" >"$T/out" 2>&1
check $? 64 "two plan files are a usage error"
# shellcheck disable=SC2086
"$CGAPPLY" apply $O "$T/saved2" --detailed-exitcode >"$T/out" 2>&1
check $? 2 "the plan file still applies once the value is back"
check "$(cat "$R/cpu/web/cpu.shares")" 1024 "and the value is the planned one"

# --- examples/ci/cgapply-ci.sh: validate, plan, save; exit 0/2/3 -------------------------
ci=${srcdir:-.}/examples/ci/cgapply-ci.sh
CGAPPLY=$CGAPPLY CGAPPLY_PLAN_ARGS="$O" sh "$ci" "$T/c.yaml" "$T/ci.plan" >"$T/out" 2>&1
check $? 0 "the CI script: in sync is 0"
echo 4096 >"$R/cpu/web/cpu.shares"
CGAPPLY=$CGAPPLY CGAPPLY_PLAN_ARGS="$O" sh "$ci" "$T/c.yaml" "$T/ci.plan" >"$T/out" 2>&1
check $? 2 "the CI script: changes pending is 2"
grep -q "4096 → 1024" "$T/ci.plan.txt"
check $? 0 "the CI script wrote the plan text"
# shellcheck disable=SC2086
"$CGAPPLY" apply $O "$T/ci.plan" --detailed-exitcode >"$T/out" 2>&1
check $? 2 "the plan the CI script saved applies"
printf 'version: 1\ngroups:\n  web: { cpu: { cpu.nope: 1 } }\n' >"$T/bad.yaml"
CGAPPLY=$CGAPPLY CGAPPLY_PLAN_ARGS="$O" sh "$ci" "$T/bad.yaml" "$T/ci.plan" >"$T/out" 2>&1
check $? 3 "the CI script: an invalid configuration is 3"

echo "$((checks - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]
