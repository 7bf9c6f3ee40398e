#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Placing real processes by the rules, on the real cgroup v1 hierarchies, inside a sandbox
# parent (tests/integration/lib.sh): apply (with a template group created on demand),
# a second plan in sync, rollback moving them back, classify PID, and the watch daemon
# (new processes, a uid change, SIGHUP reload, a broken reload, SIGTERM). Then the
# shipped cgrules.conf sample and the README's example rules, at apply time and under
# watch.
#
# SAFETY: every rule here matches only processes this test starts. They name either a
# uid or gid that only this test uses (4000000 and up, set with setuid/setgid by
# tests/integration/runas in a forked child), or an executable path that only this test
# has (copies of sleep under its own $WORK directory). Never `*` alone, never root or a
# real user, never a common program. Processes move only into the sandbox's groups (and
# back where they were), and every process started is killed on exit (lib.sh's trap).
set -u
. "${srcdir:-.}/tests/integration/lib.sh"
require_cgroupfs
RUNAS=${RUNAS:-./tests/integration/runas}
[ -x "$RUNAS" ] || skip "tests/integration/runas is not built"
SLEEP=$(command -v sleep)
sandbox_create
chmod 755 "$WORK" # the test's uids must reach their programs

# ids only this test uses
U1=$((4000000 + ($$ % 50000) * 20))
U2=$((U1 + 1))
U3=$((U1 + 2))
G1=$((U1 + 10))
G2=$((U1 + 11))
G3=$((U1 + 12))

# programs only this test has: copies of sleep
mkexe() {
	mkdir -p "$(dirname "$1")"
	cp "$SLEEP" "$1"
	chmod 755 "$(dirname "$1")" "$1"
}
EXE_A=$WORK/bin/cgapply-test-exe-$$-a
EXE_B=$WORK/bin/cgapply-test-exe-$$-b
EXE_C=$WORK/bin/cgapply-test-exe-$$-c
EXE_D=$WORK/bin/cgapply-test-exe-$$-d
for e in "$EXE_A" "$EXE_B" "$EXE_C" "$EXE_D"; do mkexe "$e"; done

# start CMD...: runs it in the background, records the pid in TEST_PIDS and $last
start() {
	"$@" 1000 >/dev/null 2>&1 &
	last=$!
	TEST_PIDS="$TEST_PIDS $last"
}
# the cgroup of a pid in the v1 hierarchy that holds a controller: cg_of PID cpu
cg_of() {
	grep -E "^[0-9]+:([^:]*,)?$2(,[^:]*)?:" "/proc/$1/cgroup" | cut -d: -f3
}
# waits up to 5 s for the pid to be in that cgroup; prints the wait in ms
wait_in() {
	t0=$(date +%s%N)
	i=0
	while [ "$(cg_of "$1" "$2")" != "$3" ] && [ $i -lt 5000 ]; do
		i=$((i + 1))
		[ $i -gt 200 ] && sleep 0.001
	done
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000))
}
wait_log() {
	i=0
	while ! grep -q "$1" "$2" && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	grep -q "$1" "$2"
}

cat >"$WORK/rules.yaml" <<Y
version: 1
groups:
  users: { cpu: { cpu.shares: 512 }, memory: {} }
  users/%U: { cpu: { cpu.shares: 128 }, memory: { memory.limit_in_bytes: 256M } }
  tools: { cpu: { cpu.shares: 256 } }
  tools2: { cpu: { cpu.shares: 300 } }
  grp: { cpu: {} }
rules:
  - { user: $U1, process: "$EXE_A", controllers: [cpu, memory], destination: "users/%U" }
  - { user: "*", process: "$EXE_B", controllers: [cpu], destination: tools }
  - { user: "@$G1", process: "$EXE_C", controllers: [cpu], destination: grp }
  - { user: $U2, controllers: [cpu], destination: grp }
Y

# --- apply places the processes ---------------------------------------------------
start "$RUNAS" "$U1" "$G2" "$EXE_A"
p1=$last
start "$EXE_B"
p2=$last
start "$RUNAS" "$U3" "$G2,$G1" "$EXE_C" # G1 only as a supplementary group
p3=$last
sleep 0.3
orig1=$(cg_of "$p1" cpu)
orig1m=$(cg_of "$p1" memory)
orig2=$(cg_of "$p2" cpu)
orig2m=$(cg_of "$p2" memory)

cga plan -f "$WORK/rules.yaml" --detailed-exitcode >"$WORK/out" 2>&1
check_rc $? 2 "plan shows the template group and the task moves"
check "$(grep -c "^  > pid \($p1\|$p2\|$p3\) " "$WORK/out")" 4 "plan lists the four task moves (pid, uid, exe, from -> to)"
check "$(grep -c "^  > pid $p2 (user $(id -un), $EXE_B) " "$WORK/out")" 1 "a move shows the user's name"
check "$(grep -c "^  > pid $p1 (uid $U1, $EXE_A) " "$WORK/out")" 2 "and the uid when it has no name"
grep -q "Plus 4 task moves." "$WORK/out"
check $? 0 "plan's summary counts them"

cga apply -f "$WORK/rules.yaml" --json >"$WORK/out" 2>"$WORK/err"
check_rc $? 0 "apply"
check "$(jq -r '[.moves[] | select(.status == "done")] | length' "$WORK/out")" 4 "JSON: four moves done"
check "$(cg_of "$p1" cpu)" "/$SANDBOX/users/$U1" "uid $U1 in users/%U (cpu): template instantiated"
check "$(cg_of "$p1" memory)" "/$SANDBOX/users/$U1" "uid $U1 in users/%U (memory)"
check "$(cg_read memory "users/$U1" memory.limit_in_bytes)" 268435456 "the template group got the template's values"
check "$(cg_read cpu "users/$U1" cpu.shares)" 128 "and its cpu.shares"
check "$(cg_of "$p2" cpu)" "/$SANDBOX/tools" "the unique executable in tools"
check "$(jq -r ".moves[] | select(.pid == $p2) | .user" "$WORK/out")" "$(id -un)" "JSON: the user's name, beside the uid"
check "$(jq -r ".moves[] | select(.pid == $p1) | .user" "$WORK/out" | sort -u)" null "JSON: null for a uid without a name"
check "$(cg_of "$p2" memory)" "$orig2m" "a hierarchy the rule does not name is left alone"
check "$(cg_of "$p3" cpu)" "/$SANDBOX/grp" "@group by a supplementary group"

cga plan -f "$WORK/rules.yaml" --detailed-exitcode >"$WORK/out" 2>&1
check_rc $? 0 "a second plan is in sync (no moves)"

# --- rollback moves them back --------------------------------------------------------
# the dry run plans as if the processes were moved back first (the groups they are in
# are then empty and can go)
cga rollback --dry-run --detailed-exitcode >"$WORK/out" 2>&1
check_rc $? 2 "rollback --dry-run of an apply that moved processes into new groups"
check "$(grep -c '4 tasks would be moved back where they were' "$WORK/out")" 1 "the dry run counts the moves back"
check "$(cg_of "$p1" cpu)" "/$SANDBOX/users/$U1" "the dry run moved nothing"
cga rollback >"$WORK/out" 2>&1
check_rc $? 0 "rollback"
check "$(cg_of "$p1" cpu):$(cg_of "$p1" memory)" "$orig1:$orig1m" "rollback moved uid $U1's process back"
check "$(cg_of "$p2" cpu)" "$orig2" "rollback moved the unique executable back"
check "$([ -d "$CG_ROOT/cpu/$SANDBOX/users" ] && echo present || echo absent)" absent "rollback removed the groups it created"

# --- classify PID ------------------------------------------------------------------------
cga apply -f "$WORK/rules.yaml" >"$WORK/out" 2>&1
check_rc $? 0 "apply again"
start "$EXE_B"
p4=$last
start "$EXE_B"
p5=$last
sleep 0.2
cga classify -f "$WORK/rules.yaml" --dry-run "$p5" >"$WORK/out" 2>&1
check_rc $? 0 "classify --dry-run"
check "$(cg_of "$p5" cpu)" "$orig2" "classify --dry-run moves nothing"
cga classify -f "$WORK/rules.yaml" "$p4" >"$WORK/out" 2>&1
check_rc $? 0 "classify PID"
check "$(cg_of "$p4" cpu)" "/$SANDBOX/tools" "classify placed that one"
check "$(cg_of "$p5" cpu)" "$orig2" "and no other"
kill "$p5" 2>/dev/null
cga classify -f "$WORK/rules.yaml" "$p5" >"$WORK/out" 2>&1
check_rc $? 0 "classify of a process that is gone is no failure"

# --- watch ---------------------------------------------------------------------------------
cp "$WORK/rules.yaml" "$WORK/watch.yaml"
"$CGAPPLY" watch --cgroup-root "$CG_ROOT" --parent "$SANDBOX" --state-dir "$STATE_DIR" \
	-f "$WORK/watch.yaml" >"$WORK/watch.log" 2>&1 &
watch=$!
TEST_PIDS="$TEST_PIDS $watch"
wait_log "watching process events" "$WORK/watch.log"
check $? 0 "watch started"
check "$(cg_of "$p5" cpu 2>/dev/null)" "" "(p5 is gone)"

start "$EXE_B"
p6=$last
ms=$(wait_in "$p6" cpu "/$SANDBOX/tools")
check "$(cg_of "$p6" cpu)" "/$SANDBOX/tools" "watch placed a new process (exec event)"
echo "latency: exec -> placed in ${ms} ms (fork+exec+poll included)"
start "$RUNAS" "$U1" "$G2" "$EXE_A"
p7=$last
ms=$(wait_in "$p7" memory "/$SANDBOX/users/$U1")
check "$(cg_of "$p7" memory)" "/$SANDBOX/users/$U1" "watch placed a process of uid $U1 (template group)"
echo "latency: setuid+exec -> placed in ${ms} ms"
start "$RUNAS" --delay-uid 0.2 "$U2" "$G2" "$EXE_D"
p8=$last
sleep 0.1
check "$(cg_of "$p8" cpu)" "$orig2" "before its uid change, the process is where it started"
ms=$(wait_in "$p8" cpu "/$SANDBOX/grp")
check "$(cg_of "$p8" cpu)" "/$SANDBOX/grp" "watch placed a process after its uid change"
echo "latency: uid change -> seen placed after ${ms} ms of polling (it waits 0.2 s before its setuid; the daemon's measure is below)"

# SIGHUP: the unique executable now goes to tools2 (created on demand)
sed -i 's/destination: tools }/destination: tools2 }/' "$WORK/watch.yaml"
kill -HUP "$watch"
wait_log "configuration reloaded" "$WORK/watch.log"
check $? 0 "SIGHUP reloads"
ms=$(wait_in "$p6" cpu "/$SANDBOX/tools2")
check "$(cg_of "$p6" cpu)" "/$SANDBOX/tools2" "after the reload, running processes follow the new rules"
start "$EXE_B"
p9=$last
wait_in "$p9" cpu "/$SANDBOX/tools2" >/dev/null
check "$(cg_of "$p9" cpu)" "/$SANDBOX/tools2" "and new ones too"

# a broken configuration is reported and the old one kept
printf 'version: 1\ngroups: [broken\n' >"$WORK/watch.yaml"
kill -HUP "$watch"
wait_log "keeping the old one" "$WORK/watch.log"
check $? 0 "a broken reload is reported and the old rules kept"
check "$(grep -c 'invalid (1 error); keeping the old one' "$WORK/watch.log")" 1 "the broken reload's errors are counted"
start "$EXE_B"
p10=$last
wait_in "$p10" cpu "/$SANDBOX/tools2" >/dev/null
check "$(cg_of "$p10" cpu)" "/$SANDBOX/tools2" "the old rules still place processes"
kill "$watch"
wait "$watch"
check_rc $? 0 "SIGTERM stops watch cleanly"
grep -c 'moved pid' "$WORK/watch.log" | sed 's/^/watch moved (log lines): /'
# the daemon's own measure: kernel event time -> pid written to cgroup.procs
grep -o '[0-9.]* ms after the event' "$WORK/watch.log" | sed 's/^/latency (daemon): /'

# --- a template below a template, and a destination that is only an implied parent -----
# deep/%U (implied by deep/%U/%p) is a template too: never made as such, made per uid;
# imp exists only as the parent of imp/leaf: classify makes it where imp/leaf is (memory)
EXE_G=$WORK/bin/cgapply-test-exe-$$-g
mkexe "$EXE_G"
cat >"$WORK/tmpl.yaml" <<Y
version: 1
groups:
  deep/%U/%p: { cpu: { cpu.shares: 150 } }
  imp/leaf: { memory: {} }
rules:
  - { user: $U1, process: "$EXE_G", controllers: [cpu], destination: "deep/%U/%p" }
  - { user: "*", process: "$EXE_G", controllers: [memory], destination: imp }
Y
cga plan -f "$WORK/tmpl.yaml" >"$WORK/out" 2>&1
check_rc $? 0 "plan of nested templates"
check "$(grep -c '%U' "$WORK/out")" 0 "the plan makes no directory named after a template"
start "$RUNAS" "$U1" "$G2" "$EXE_G"
pg=$last
sleep 0.2
cga classify -f "$WORK/tmpl.yaml" "$pg" >"$WORK/out" 2>&1
check_rc $? 0 "classify into a nested template and an implied parent"
check "$(cg_of "$pg" cpu)" "/$SANDBOX/deep/$U1/$(basename "$EXE_G")" "placed in deep/%U/%p (both levels instantiated)"
check "$(cg_read cpu "deep/$U1/$(basename "$EXE_G")" cpu.shares)" 150 "the instance got the template's value"
check "$(cg_of "$pg" memory)" "/$SANDBOX/imp" "placed in the implied parent imp, made on demand"
check "$(find "$CG_ROOT/cpu/$SANDBOX" -name '*%*' | wc -l)" 0 "no directory named after a template"
kill "$pg" 2>/dev/null

# --- watch: processes running before it starts, and events lost to an overrun --------------
# EXE_E runs before watch starts: the start scan places it. With a tiny receive buffer a
# burst of short processes (fork, exec, exit events) overruns the socket; the process
# started during the burst, whose exec event may be among those lost, is placed by the
# rescan that follows. The rules match only this test's two programs.
EXE_E=$WORK/bin/cgapply-test-exe-$$-e
EXE_F=$WORK/bin/cgapply-test-exe-$$-f
mkexe "$EXE_E"
mkexe "$EXE_F"
cat >"$WORK/watch3.yaml" <<Y
version: 1
groups:
  early: { cpu: { cpu.shares: 200 } }
  burst: { cpu: { cpu.shares: 210 } }
rules:
  - { user: "*", process: "$EXE_E", controllers: [cpu], destination: early }
  - { user: "*", process: "$EXE_F", controllers: [cpu], destination: burst }
Y
start "$EXE_E"
pe=$last
sleep 0.2
pe_before=$(cg_of "$pe" cpu)
"$CGAPPLY" watch --cgroup-root "$CG_ROOT" --parent "$SANDBOX" --state-dir "$STATE_DIR" \
	--event-buffer 4K -f "$WORK/watch3.yaml" >"$WORK/watch3.log" 2>&1 &
watch=$!
TEST_PIDS="$TEST_PIDS $watch"
wait_log "watching process events" "$WORK/watch3.log"
check $? 0 "watch with a 4K event buffer started"
check "$([ "$pe_before" != "/$SANDBOX/early" ] && cg_of "$pe" cpu)" "/$SANDBOX/early" \
	"watch placed a process that was running before it started"
(
	i=0
	while [ $i -lt 1500 ]; do
		/bin/true
		i=$((i + 1))
	done
) &
burst=$!
sleep 0.3
start "$EXE_F"
pf=$last
wait "$burst"
wait_log "process events were lost" "$WORK/watch3.log"
check $? 0 "a burst of processes overruns the event buffer, and watch says so"
wait_in "$pf" cpu "/$SANDBOX/burst" >/dev/null
check "$(cg_of "$pf" cpu)" "/$SANDBOX/burst" "the process started during the burst is placed all the same"
kill "$watch"
wait "$watch"
check_rc $? 0 "watch stops cleanly after overruns"
grep -c 'process events were lost' "$WORK/watch3.log" | sed 's/^/overruns seen: /'

# --- the shipped cgrules.conf sample and the README's rules ---------------------------
# Rewritten to match only this test's processes: www-data -> $U1, backup -> $U2, 1500 ->
# $U3, @adm -> @$G3; /usr/bin/rsync -> $WORK/sample/usr/bin/rsync (a copy of sleep), tar
# stays a basename (only uid $U2 runs one), "/opt/Nightly Report/run" ->
# "$WORK/sample/opt/Nightly Report/run". The YAML's memory values are shrunk to fit.
S=$WORK/sample
mkexe "$S/usr/bin/rsync"
mkexe "$S/tarbin/tar"
mkexe "$S/opt/Nightly Report/run"
mkexe "$S/usr/local/bin/nightly-report"
sed -e "s|^www-data |$U1 |" -e "s|^backup:/usr/bin/rsync |$U2:$S/usr/bin/rsync |" \
	-e "s|^backup:tar |$U2:tar |" -e "s|^1500 |$U3 |" \
	-e "s|\"\\*:/opt/Nightly Report/run\"|\"*:$S/opt/Nightly Report/run\"|" \
	-e "s|^@adm |@$G3 |" "${srcdir:-.}/examples/rules/cgrules.conf" >"$S/cgrules.conf"
check "$(grep -cE '^(www-data|backup|1500|@adm|"\*:/opt)' "$S/cgrules.conf")" 0 "every rule of the sample was rewritten"
sed -e "s|/usr/local/bin/nightly-report|$S/usr/local/bin/nightly-report|" \
	-e "s|include: rules/cgrules.conf|include: $S/cgrules.conf|" \
	-e 's/10G/1G/g; s/8G/768M/; s/12G/1G/; s/2G/256M/' \
	"${srcdir:-.}/examples/web-batch.yaml" >"$S/web-batch.yaml"
grep -q "$S/cgrules.conf" "$S/web-batch.yaml"
check $? 0 "the example includes the rewritten sample"

start "$RUNAS" "$U1" "$G2" "$EXE_D"
s_www=$last
start "$RUNAS" "$U2" "$G2" "$S/usr/bin/rsync"
s_rsync=$last
start "$RUNAS" "$U2" "$G2" "$S/tarbin/tar"
s_tar=$last
start "$RUNAS" "$U3" "$G2" "$EXE_D"
s_1500=$last
start "$S/opt/Nightly Report/run"
s_night=$last
start "$S/usr/local/bin/nightly-report"
s_report=$last
start "$RUNAS" "$U2" "$G3" "$EXE_D" # backup's other programs: no rule
s_other=$last
sleep 0.3
cga apply -f "$S/web-batch.yaml" >"$WORK/out" 2>&1
check_rc $? 0 "apply of the example with the sample's rules"
sample_checks() {
	check "$(cg_of "$s_www" cpu):$(cg_of "$s_www" memory)" "/$SANDBOX/web:/$SANDBOX/web" "$1: www-data -> web"
	check "$(cg_of "$s_rsync" memory)" "/$SANDBOX/batch" "$1: backup's rsync -> batch"
	check "$(cg_of "$s_tar" cpu)" "/$SANDBOX/batch" "$1: backup's tar (basename) -> batch"
	check "$(cg_of "$s_1500" cpu):$(cg_of "$s_1500" memory)" "/$SANDBOX/web:/$SANDBOX/batch" "$1: uid 1500 -> cpu web, % memory batch"
	check "$(cg_of "$s_night" memory)" "/$SANDBOX/batch" "$1: the quoted path with a space -> batch"
	check "$(cg_of "$s_report" cpu)" "/$SANDBOX/batch" "$1: the YAML rule (nightly-report) -> batch"
	check "$(cg_of "$s_other" cpu)" "$orig2" "$1: backup's other programs stay"
}
sample_checks apply

# the same rules continuously: processes started under watch
"$CGAPPLY" watch --cgroup-root "$CG_ROOT" --parent "$SANDBOX" --state-dir "$STATE_DIR" \
	-f "$S/web-batch.yaml" >"$WORK/watch2.log" 2>&1 &
watch=$!
TEST_PIDS="$TEST_PIDS $watch"
wait_log "watching process events" "$WORK/watch2.log"
check $? 0 "watch with the sample's rules started"
start "$RUNAS" "$U1" "$G2" "$EXE_D"
s_www=$last
start "$RUNAS" "$U2" "$G2" "$S/usr/bin/rsync"
s_rsync=$last
start "$RUNAS" "$U2" "$G2" "$S/tarbin/tar"
s_tar=$last
start "$RUNAS" "$U3" "$G2" "$EXE_D"
s_1500=$last
start "$S/opt/Nightly Report/run"
s_night=$last
start "$S/usr/local/bin/nightly-report"
s_report=$last
start "$RUNAS" "$U2" "$G3" "$EXE_D"
s_other=$last
wait_in "$s_report" cpu "/$SANDBOX/batch" >/dev/null
sleep 0.2
sample_checks watch
kill "$watch"
wait "$watch"

# the README's example: its rule for www-data (-> $U1); its include of /etc/cgrules.conf
# (rules for groups the README does not define) is left out
awk '/^## A configuration/{f=1} f&&/^```yaml/{g=1;next} g&&/^```/{exit} g' "${srcdir:-.}/README.md" |
	sed -e "s|user: www-data, controllers|user: $U1, controllers|" \
		-e "/include: \/etc\/cgrules.conf/d" \
		-e 's/cpuset.cpus: "0-1"/cpuset.cpus: "0"/' >"$S/readme.yaml"
grep -q "user: $U1" "$S/readme.yaml"
check $? 0 "the README's rule was rewritten"
"$CGAPPLY" validate "$S/readme.yaml" >"$WORK/out" 2>&1
check_rc $? 0 "the README's example (rewritten) is valid"
start "$RUNAS" "$U1" "$G2" "$EXE_D"
r_www=$last
sleep 0.2
cga apply -f "$S/readme.yaml" >"$WORK/out" 2>&1
check_rc $? 0 "apply of the README's example"
check "$(cg_of "$r_www" cpu):$(cg_of "$r_www" memory)" "/$SANDBOX/web:/$SANDBOX/web" "README: www-data -> web"

# --- `*` rules, a destination with an escape, rollback after a moves-only apply ------
# `*` places in every hierarchy where the destination group is (cpu,cpuacct and memory
# here), not in all nine; a named controller the group lacks is a validation error.
EXE_E=$WORK/bin/cgapply-test-exe-$$-e
EXE_F=$WORK/bin/cgapply-test-exe-$$-f
mkexe "$EXE_E"
mkexe "$EXE_F"
ST3=$WORK/state3
mkdir -p "$ST3"
cga3() {
	cmd=$1
	shift
	if [ "$cmd" = rollback ]; then
		"$CGAPPLY" rollback --cgroup-root "$CG_ROOT" --state-dir "$ST3" "$@"
	else
		"$CGAPPLY" "$cmd" --cgroup-root "$CG_ROOT" --parent "$SANDBOX" --state-dir "$ST3" "$@"
	fi
}
cat >"$WORK/more.yaml" <<Y
version: 1
groups:
  star: { cpu: { cpu.shares: 200 }, memory: {} }
  rb: { cpu: { cpu.shares: 300 } }
rules:
  - { user: "*", process: "$EXE_E", controllers: "*", destination: star }
  - { user: "*", process: "$EXE_F", controllers: [cpu], destination: "r\\\\b" }
Y
"$CGAPPLY" validate "$WORK/more.yaml" >"$WORK/out" 2>&1
check_rc $? 0 "a destination with a backslash escape validates (it names rb)"
sed 's/controllers: \[cpu\], destination/controllers: [cpu, memory], destination/' \
	"$WORK/more.yaml" >"$WORK/bad.yaml"
"$CGAPPLY" validate "$WORK/bad.yaml" >"$WORK/out" 2>&1
check_rc $? 3 "a named controller the destination group lacks is invalid"
grep -q "bad.yaml:7:[0-9]*: error: controller 'memory' is not in the destination group 'rb'" "$WORK/out"
check $? 0 "located, naming the controller and the group"
grep -q "add 'memory: {}' to group 'rb'" "$WORK/out"
check $? 0 "and saying how to fix it"

start "$EXE_E"
e1=$last
start "$EXE_F"
f1=$last
sleep 0.2
orig_fz=$(cg_of "$e1" freezer)
cga3 plan -f "$WORK/more.yaml" >"$WORK/out" 2>&1
check "$(grep -c "^  > pid $e1 " "$WORK/out")" 2 "plan: the '*' rule moves into the two hierarchies the group is in"
cga3 apply -f "$WORK/more.yaml" >"$WORK/out" 2>&1
check_rc $? 0 "apply with a '*' rule"
check "$(cg_of "$e1" cpu):$(cg_of "$e1" memory)" "/$SANDBOX/star:/$SANDBOX/star" "'*' placed it in cpu and memory"
check "$(cg_of "$e1" freezer)" "$orig_fz" "and left the hierarchies without the group alone"
check "$(cg_of "$f1" cpu)" "/$SANDBOX/rb" "the escaped destination placed its process"
start "$EXE_E"
e2=$last
sleep 0.2
cga classify -f "$WORK/more.yaml" "$e2" >"$WORK/out" 2>&1
check_rc $? 0 "classify with a '*' rule"
grep -q "^2 tasks moved\.$" "$WORK/out"
check $? 0 "classify: 2 tasks moved, none failed"

# apply #2 only moves a new process; rollback undoes both applies' moves and groups
start "$EXE_F"
f2=$last
sleep 0.2
cga3 apply -f "$WORK/more.yaml" >"$WORK/out" 2>&1
check_rc $? 0 "a moves-only apply"
check "$(cg_of "$f2" cpu)" "/$SANDBOX/rb" "it moved the new process"
kill "$e2" 2>/dev/null # classify's move is no apply's: out of the group rollback removes
wait "$e2" 2>/dev/null
cga3 rollback >"$WORK/out" 2>&1
check_rc $? 0 "rollback after a moves-only apply"
check "$(cg_of "$f1" cpu):$(cg_of "$f2" cpu)" "$orig2:$orig2" "both processes moved back"
check "$(cg_of "$e1" cpu):$(cg_of "$e1" memory)" "$orig2:$orig2m" "and the '*' one in both hierarchies"
check "$([ -d "$CG_ROOT/cpu/$SANDBOX/rb" ] && echo present || echo absent)" absent "the groups of the first apply are removed"
cga3 rollback >"$WORK/out" 2>&1
check_rc $? 4 "nothing is left to roll back"

# --- a saved plan holds its task moves; apply FILE re-checks each process -------------
EXE_G=$WORK/bin/cgapply-test-exe-$$-g
mkexe "$EXE_G"
cat >"$WORK/saved.yaml" <<Y
version: 1
groups:
  pl: { cpu: { cpu.shares: 400 } }
rules:
  - { user: "*", process: "$EXE_G", controllers: [cpu], destination: pl }
Y
start "$EXE_G"
g1=$last
start "$EXE_G"
g2=$last
sleep 0.2
cga3 plan -f "$WORK/saved.yaml" --out "$WORK/saved.plan" >"$WORK/out" 2>&1
check_rc $? 0 "plan --out with task moves"
grep -q "^moves 1$" "$WORK/saved.plan"
check $? 0 "the plan file holds the task moves"
kill "$g2"
wait "$g2" 2>/dev/null
cga3 apply "$WORK/saved.plan" --json >"$WORK/out" 2>"$WORK/err"
check_rc $? 0 "apply of the saved plan"
check "$(cg_of "$g1" cpu)" "/$SANDBOX/pl" "apply FILE made the saved move"
check "$(jq -r ".moves[] | select(.pid == $g1) | .status" "$WORK/out")" done "JSON: that move is done"
check "$(jq -r ".moves[] | select(.pid == $g2) | .status" "$WORK/out")" gone "JSON: the process that exited is gone, not moved"
cga3 rollback >"$WORK/out" 2>&1
check_rc $? 0 "rollback of the saved plan's apply"
check "$(cg_of "$g1" cpu)" "$orig2" "it moved the saved plan's process back"

finish
