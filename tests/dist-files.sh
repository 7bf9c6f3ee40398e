#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The boot files and the completion, without root: the systemd units (cgapply.service
# and cgapply-watch.service) pass systemd-analyze verify; cgapply.service has the shape
# of systemd-sysctl.service (oneshot, early, no ExecStop, a reload that applies again);
# the init script and the completion parse; under systemd ($INVOCATION_ID), stderr lines
# carry "<N>" priority prefixes.
set -u
srcdir=${srcdir:-.}
CGAPPLY=${CGAPPLY:-./cgapply}
UNIT=dist/cgapply.service
INIT=dist/init.d/cgapply
failures=0
checks=0
WORK=$(mktemp -d /tmp/cgapply-dist.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

check() {
	checks=$((checks + 1))
	if [ "$1" = "$2" ]; then
		echo "ok: $3"
	else
		failures=$((failures + 1))
		echo "FAIL: $3: expected '$2', got '$1'"
	fi
}

key() {
	grep -c "^$1\$" "$UNIT"
}

# --- the unit ---------------------------------------------------------------------
check "$(key 'DefaultDependencies=no')" 1 "unit: no default dependencies"
check "$(key 'Type=oneshot')" 1 "unit: oneshot"
check "$(key 'RemainAfterExit=yes')" 1 "unit: remains active after the apply"
check "$(grep -c '^ExecStop' "$UNIT")" 0 "unit: no ExecStop (nothing is torn down)"
check "$(grep -c '^ExecReload=.*cgapply apply ' "$UNIT")" 1 "unit: reload applies again"
check "$(grep -c '^Before=sysinit.target' "$UNIT")" 1 "unit: before sysinit.target"
check "$(grep -c '@[a-z]*@' "$UNIT")" 0 "unit: every @dir@ is substituted"
WATCH_UNIT=dist/cgapply-watch.service
check "$(grep -c '^ExecStart=.*cgapply watch ' "$WATCH_UNIT")" 1 "watch unit: runs cgapply watch"
check "$(grep -c '^ExecReload=/bin/kill -HUP \$MAINPID' "$WATCH_UNIT")" 1 "watch unit: reload is SIGHUP"
check "$(grep -c '@[a-z]*@' "$WATCH_UNIT")" 0 "watch unit: every @dir@ is substituted"
if command -v systemd-analyze >/dev/null; then
	# verify wants the programs it names to exist: point them at the built binary
	abs=$(cd "$(dirname "$CGAPPLY")" && pwd)/$(basename "$CGAPPLY")
	for u in "$UNIT" "$WATCH_UNIT"; do
		name=$(basename "$u")
		sed "s|^\(Exec[A-Za-z]*=\)[^ ]*/cgapply |\1$abs |" "$u" >"$WORK/$name"
	done
	# both units in one run: the watch unit's After=/Wants=cgapply.service then resolve
	for name in cgapply.service cgapply-watch.service; do
		(cd "$WORK" && systemd-analyze verify --man=no "$name") >"$WORK/verify" 2>&1
		rc=$?
		check "$rc" 0 "systemd-analyze verify $name exits 0"
		# unknown keys and bad values are only warnings: none may name our units
		n=$(grep -c 'cgapply' "$WORK/verify")
		check "$n" 0 "systemd-analyze verify says nothing about $name"
		[ "$n" -eq 0 ] || sed 's/^/    /' "$WORK/verify"
	done
else
	echo "note: systemd-analyze is missing (scripts/install-deps.sh --test installs systemd): the units are not verified"
fi

# --- the init script and the completion ---------------------------------------------
sh -n "$INIT"
check $? 0 "init script: sh -n"
check "$(grep -c '^### BEGIN INIT INFO' "$INIT")" 1 "init script: LSB header"
check "$(grep -c '@[a-z]*@' "$INIT")" 0 "init script: every @dir@ is substituted"
"$INIT" bogus >/dev/null 2>&1
check $? 2 "init script: an unknown action is a usage error"
if command -v bash >/dev/null; then
	out=$(PATH=$(dirname "$CGAPPLY"):$PATH bash -c '
		. "$1/dist/bash-completion/cgapply" || exit 1
		complete -p cgapply | grep -q _cgapply || exit 1
		COMP_WORDS=(cgapply ap); COMP_CWORD=1; _cgapply; echo "${COMPREPLY[*]}"
		COMP_WORDS=(cgapply plan --det); COMP_CWORD=2; _cgapply; echo "${COMPREPLY[*]}"
		COMP_WORDS=(cgapply apply --ou); COMP_CWORD=2; _cgapply; echo "[${COMPREPLY[*]}]"
		COMP_WORDS=(cgapply watch --ev); COMP_CWORD=2; _cgapply; echo "${COMPREPLY[*]}"' _ "$srcdir")
	check "$out" "apply
--detailed-exitcode
[]
--event-buffer" "bash completion: commands and options from cgapply's help (option lines only)"
fi

# --- log priorities under systemd --------------------------------------------------
printf 'version: 1\ngroups:\n  a: { memory: { memory.limit_in_bytes: 1Q } }\n' >"$WORK/bad.yaml"
env -u JOURNAL_STREAM INVOCATION_ID=0123abcd "$CGAPPLY" validate "$WORK/bad.yaml" 2>"$WORK/err" >/dev/null
check $? 3 "validate of an invalid file under systemd"
check "$(sed -n 1p "$WORK/err" | cut -c1-3)" "<3>" "journal: the error line has <3>"
check "$(grep -vc '^<[0-7]>' "$WORK/err")" 0 "journal: every stderr line has a priority prefix"
check "$(grep -c '\[' "$WORK/err")" 0 "journal: no colour"
env -u JOURNAL_STREAM -u INVOCATION_ID "$CGAPPLY" validate "$WORK/bad.yaml" 2>"$WORK/err" >/dev/null
check "$(grep -c '^<[0-7]>' "$WORK/err")" 0 "outside systemd: no prefixes"
env -u JOURNAL_STREAM INVOCATION_ID=0123abcd "$CGAPPLY" plan --bogus 2>"$WORK/err" >/dev/null
check "$(sed -n 1p "$WORK/err" | cut -c1-3)" "<3>" "journal: a usage error is an error"
# -q and -v on every command, -q -v refused alike
for cmd in validate plan apply rollback; do
	"$CGAPPLY" "$cmd" -q -v >/dev/null 2>&1
	check $? 64 "$cmd: -q with -v is a usage error"
	"$CGAPPLY" "$cmd" --syslog --help >/dev/null 2>&1
	check $? 0 "$cmd: takes --syslog"
done

echo "$((checks - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]
