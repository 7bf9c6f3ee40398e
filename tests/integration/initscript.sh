#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The SysV init script (dist/init.d/cgapply, built from dist/cgapply.init.in) against
# the real cgroup v1 hierarchies, inside a sandbox parent (tests/integration/lib.sh):
# its LSB exit codes for start, status, reload, restart, stop, and the tree it leaves.
# The script is pointed at the sandbox through a defaults file, as an admin would use
# /etc/default/cgapply.
set -u
. "${srcdir:-.}/tests/integration/lib.sh"
require_cgroupfs
INIT=${INIT:-./dist/init.d/cgapply}
[ -x "$INIT" ] || skip "the init script is not built ($INIT)"
sandbox_create

abs_cgapply=$(cd "$(dirname "$CGAPPLY")" && pwd)/$(basename "$CGAPPLY")
mkdir "$WORK/conf"
cat >"$WORK/conf/10-web.yaml" <<'Y'
version: 1
groups:
  web:
    memory: { memory.limit_in_bytes: 64M }
    cpu: { cpu.shares: 512 }
Y
cat >"$WORK/conf/20-batch.yaml" <<'Y'
version: 1
groups:
  batch: { memory: { memory.limit_in_bytes: 32M } }
Y
cat >"$WORK/defaults" <<D
CGAPPLY=$abs_cgapply
CGAPPLY_CONFIG=$WORK/conf
CGAPPLY_OPTS="--cgroup-root $CG_ROOT --parent $SANDBOX --state-dir $STATE_DIR"
CGAPPLY_SYSLOG=no
D
CGAPPLY_DEFAULTS=$WORK/defaults
export CGAPPLY_DEFAULTS

initd() {
	"$INIT" "$@" >"$WORK/out" 2>&1
}

initd status
check_rc $? 3 "status before the first start: not applied"
initd start
check_rc $? 0 "start applies the configuration"
check "$(cg_read memory web memory.limit_in_bytes)" 67108864 "start: web memory limit"
check "$(cg_read cpu web cpu.shares)" 512 "start: web cpu shares"
check "$(cg_read memory batch memory.limit_in_bytes)" 33554432 "start: batch (the second file) applied"
initd status
check_rc $? 0 "status right after start: applied and in sync"

# a value changed by hand is drift
echo 134217728 >"$CG_ROOT/memory/$SANDBOX/web/memory.limit_in_bytes"
initd status
check_rc $? 3 "status after a value changed by hand: drifted"
initd reload
check_rc $? 0 "reload applies again"
check "$(cg_read memory web memory.limit_in_bytes)" 67108864 "reload: the value is back"
initd status
check_rc $? 0 "status after reload: in sync"
initd restart
check_rc $? 0 "restart (nothing to change)"
initd force-reload
check_rc $? 0 "force-reload (nothing to change)"

# stop tears nothing down
initd stop
check_rc $? 0 "stop"
check "$([ -d "$CG_ROOT/memory/$SANDBOX/web" ] && echo kept)" kept "stop: the groups stay"
check "$(cg_read memory web memory.limit_in_bytes)" 67108864 "stop: the values stay"
initd status
check_rc $? 0 "status after stop: still applied"

# syslog (the default): works with or without a syslog daemon
sed -i 's/^CGAPPLY_SYSLOG=no$/CGAPPLY_SYSLOG=yes/' "$WORK/defaults"
initd start
check_rc $? 0 "start with messages to syslog"
sed -i 's/^CGAPPLY_SYSLOG=yes$/CGAPPLY_SYSLOG=no/' "$WORK/defaults"

# an invalid configuration: nothing changes, "not configured" for start
echo 'groups: [' >"$WORK/conf/30-bad.yaml"
initd start
check_rc $? 6 "start with an invalid configuration: not configured"
initd status
check_rc $? 4 "status with an invalid configuration: unknown"
rm "$WORK/conf/30-bad.yaml"

# no configuration at all
mkdir "$WORK/empty"
sed -i "s|^CGAPPLY_CONFIG=.*|CGAPPLY_CONFIG=$WORK/empty|" "$WORK/defaults"
initd start
check_rc $? 6 "start without configuration: not configured"
initd status
check_rc $? 3 "status without configuration: not running"
initd stop
check_rc $? 0 "stop without configuration"

# a directory of *.yml only is a configuration too (cgapply reads both endings)
mkdir "$WORK/yml"
printf 'version: 1\ngroups:\n  yml: { pids: { pids.max: 77 } }\n' >"$WORK/yml/10-only.yml"
sed -i "s|^CGAPPLY_CONFIG=.*|CGAPPLY_CONFIG=$WORK/yml|" "$WORK/defaults"
initd start
check_rc $? 0 "start with a directory of *.yml files"
check "$(cat "$CG_ROOT/pids/$SANDBOX/yml/pids.max" 2>&1)" 77 "the *.yml configuration was applied"
initd status
check_rc $? 0 "status of the *.yml configuration: in sync"

# cgapply not installed
sed -i "s|^CGAPPLY=.*|CGAPPLY=$WORK/nonexistent|" "$WORK/defaults"
initd start
check_rc $? 5 "start without the program: not installed"

finish
