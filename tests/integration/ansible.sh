#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The Ansible role of examples/ansible, run for real with ansible-playbook against
# localhost (connection: local), with a sandbox --parent (tests/integration/lib.sh), a
# temp config path and state dir:
#   - check mode first: reports a change, installs and applies nothing;
#   - the first run changes (apply exit 2), the cgroupfs holds the values;
#   - the second run is ok and unchanged (PLAY RECAP changed=0);
#   - a value changed by hand: check mode reports it and leaves it; a run restores it.
set -u
. "${srcdir:-.}/tests/integration/lib.sh"
require_cgroupfs
command -v ansible-playbook >/dev/null ||
	skip "ansible-playbook is not installed (Debian package ansible-core: scripts/install-deps.sh --test)"
sandbox_create

cgapply_abs=$(cd "$(dirname "$CGAPPLY")" && pwd)/$(basename "$CGAPPLY")
CONF=$WORK/etc/cgapply.yaml
mkdir "$WORK/tmp"
cat >"$WORK/play.yml" <<EOF
- hosts: localhost
  connection: local
  gather_facts: false
  roles:
    - role: cgapply
      vars:
        cgapply_bin: $cgapply_abs
        cgapply_config_path: $CONF
        cgapply_cgroup_root: $CG_ROOT
        cgapply_state_dir: $STATE_DIR
        cgapply_parent: $SANDBOX
        cgapply_groups:
          web:
            memory: { memory.limit_in_bytes: 64M, memory.memsw.limit_in_bytes: 96M }
            cpu: { cpu.shares: 2048 }
          web/static:
            cpu: { cpu.shares: 512 }
        # matches only a program that does not exist: no process is moved
        cgapply_rules:
          - { user: "*", process: "$WORK/no-such-program", controllers: [cpu], destination: web }
EOF

# Runs the playbook (extra arguments: -C, --diff); the output is in $WORK/out.
play() {
	HOME=$WORK ANSIBLE_ROLES_PATH="${srcdir:-.}/examples/ansible/roles" \
		ANSIBLE_LOCAL_TEMP=$WORK/tmp ANSIBLE_REMOTE_TEMP=$WORK/tmp ANSIBLE_NOCOLOR=1 \
		ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_PYTHON_INTERPRETER=auto_silent \
		ANSIBLE_LOCALHOST_WARNING=0 ANSIBLE_INVENTORY_UNPARSED_WARNING=0 \
		ansible-playbook -i localhost, "$@" "$WORK/play.yml" >"$WORK/out" 2>&1
}
# "changed=N" of the PLAY RECAP
recap_changed() {
	sed -n 's/^localhost *:.* changed=\([0-9]*\) .*/\1/p' "$WORK/out"
}
recap_failed() {
	sed -n 's/^localhost *:.* failed=\([0-9]*\) .*/\1/p' "$WORK/out"
}
groups_made() {
	find "$CG_ROOT/memory/$SANDBOX" "$CG_ROOT/cpu/$SANDBOX" -mindepth 1 -type d | wc -l
}

# --- check mode on a fresh host: reports changes, does nothing ---------------------------
play -C --diff
check_rc $? 0 "check mode runs"
check "$(recap_failed)" 0 "check mode: no task failed"
[ "$(recap_changed)" -ge 1 ]
check $? 0 "check mode reports pending changes"
grep -q "memory.limit_in_bytes" "$WORK/out"
check $? 0 "check mode with --diff shows the plan"
check "$(groups_made)" 0 "check mode created no cgroup"
[ -e "$CONF" ]
check $? 1 "check mode installed no configuration"
[ -e "$STATE_DIR/last-apply" ]
check $? 1 "check mode applied nothing"

# --- first run: changed ------------------------------------------------------------------
play
check_rc $? 0 "the first run succeeds"
check "$(recap_failed)" 0 "first run: no task failed"
[ "$(recap_changed)" -ge 1 ]
check $? 0 "the first run reports changes"
check "$(cg_read memory web memory.limit_in_bytes)" 67108864 "web memory limit"
check "$(grep -c "process: $WORK/no-such-program" "$CONF")" 1 "the rules are in the installed configuration"
check "$(cg_read memory web memory.memsw.limit_in_bytes)" 100663296 "web memsw limit"
check "$(cg_read cpu web cpu.shares)" 2048 "web shares"
check "$(cg_read cpu web/static cpu.shares)" 512 "web/static shares"
"$CGAPPLY" validate "$CONF" >/dev/null 2>&1
check $? 0 "the installed configuration is valid"

# --- second run: ok, unchanged -----------------------------------------------------------
play
check_rc $? 0 "the second run succeeds"
check "$(recap_changed)" 0 "the second run changes nothing (changed=0)"

# --- drift: check mode reports it and leaves it, a run restores it ----------------------
echo 1000 >"$CG_ROOT/cpu/$SANDBOX/web/cpu.shares"
play -C --diff
check_rc $? 0 "check mode after a change by hand"
check "$(recap_changed)" 1 "check mode reports the drift"
grep -q "1000 → 2048" "$WORK/out"
check $? 0 "the diff shows the value to restore"
check "$(cg_read cpu web cpu.shares)" 1000 "check mode left the value as it was"
play
check_rc $? 0 "a run after the change"
check "$(recap_changed)" 1 "the run reports one change"
check "$(cg_read cpu web cpu.shares)" 2048 "the value is restored"

finish
