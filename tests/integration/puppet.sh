#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The Puppet class of examples/puppet, run for real with `puppet apply` with a sandbox
# --parent (tests/integration/lib.sh), a temp config path and state dir, and Puppet's own
# directories in the work dir:
#   - the first run changes (--detailed-exitcodes: 2), the cgroupfs holds the values;
#   - the second run changes nothing (0): the exec's `unless` (cgapply plan) says in sync;
#   - a value changed by hand: --noop leaves it; a run restores it (2).
set -u
. "${srcdir:-.}/tests/integration/lib.sh"
require_cgroupfs
command -v puppet >/dev/null ||
	skip "puppet is not installed (Debian package puppet: scripts/install-deps.sh --test)"
sandbox_create

cgapply_abs=$(cd "$(dirname "$CGAPPLY")" && pwd)/$(basename "$CGAPPLY")
CONF=$WORK/etc/cgapply.yaml
mkdir -p "$WORK/puppet/etc" "$WORK/puppet/var" "$WORK/puppet/log" "$WORK/puppet/run"
cat >"$WORK/site.pp" <<EOF
class { 'cgapply':
  bin         => '$cgapply_abs',
  config      => '$CONF',
  cgroup_root => '$CG_ROOT',
  state_dir   => '$STATE_DIR',
  parent      => '$SANDBOX',
  content     => @(YAML),
    version: 1
    groups:
      web:
        memory: { memory.limit_in_bytes: 64M, memory.memsw.limit_in_bytes: 96M }
        cpu: { cpu.shares: 2048 }
      web/static:
        cpu: { cpu.shares: 512 }
    | YAML
}
EOF

# Runs puppet apply (extra arguments: --noop); the output is in $WORK/out.
papply() {
	HOME=$WORK puppet apply --detailed-exitcodes --color=false \
		--confdir "$WORK/puppet/etc" --vardir "$WORK/puppet/var" \
		--codedir "$WORK/puppet/etc/code" --logdir "$WORK/puppet/log" \
		--rundir "$WORK/puppet/run" --modulepath "${srcdir:-.}/examples/puppet/modules" \
		"$@" "$WORK/site.pp" >"$WORK/out" 2>&1
}

papply
check_rc $? 2 "the first run changes (detailed exit code 2)"
check "$(cg_read memory web memory.limit_in_bytes)" 67108864 "web memory limit"
check "$(cg_read memory web memory.memsw.limit_in_bytes)" 100663296 "web memsw limit"
check "$(cg_read cpu web cpu.shares)" 2048 "web shares"
check "$(cg_read cpu web/static cpu.shares)" 512 "web/static shares"

papply
check_rc $? 0 "the second run changes nothing (detailed exit code 0)"

echo 1000 >"$CG_ROOT/cpu/$SANDBOX/web/cpu.shares"
papply --noop
check_rc $? 0 "a --noop run after a change by hand"
grep -q "cgapply apply.*noop" "$WORK/out"
check $? 0 "--noop says the exec would run"
check "$(cg_read cpu web cpu.shares)" 1000 "--noop left the value as it was"
papply
check_rc $? 2 "a run restores the value (detailed exit code 2)"
check "$(cg_read cpu web cpu.shares)" 2048 "the value is restored"

finish
