#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# A CI step for cgapply configurations: validate them, then plan against the host and
# save the plan, so that a reviewer sees exactly what apply would do and a later job can
# apply exactly that (cgapply apply PLANFILE refuses, exit 4, if the host changed since).
#
#   cgapply-ci.sh [CONFIG_DIR_OR_FILE [PLAN_FILE]]       (defaults: cgapply/, cgapply.plan)
#
# Environment: CGAPPLY (the binary, default cgapply), CGAPPLY_PLAN_ARGS (more plan
# options, e.g. "--parent myapp.slice" or "--cgroup-root DIR"), CGAPPLY_NO_PLAN=1 (only
# validate: on a runner that is not the target host, or without root).
# Writes PLAN_FILE.txt (the plan as text, no colour, stable order: post it as it is).
#
# Exit status, as `plan --detailed-exitcode` (terraform's convention):
#   0  valid and the host is in sync (nothing to apply)
#   2  valid and changes are pending: not a failure; the plan is in PLAN_FILE(.txt)
#   3  invalid configuration (diagnostics as file:line:col on stderr)
#   anything else: cgapply failed (1), a precondition failed (4), usage (64)
# A CI system that fails every non-zero step must allow 2 explicitly (see the
# examples beside this script), or the job turns red exactly when there is something
# to review.
set -u
cgapply=${CGAPPLY:-cgapply}
config=${1:-cgapply}
plan=${2:-cgapply.plan}

"$cgapply" validate "$config" || exit $?
[ "${CGAPPLY_NO_PLAN:-0}" = 1 ] && exit 0

# shellcheck disable=SC2086 # CGAPPLY_PLAN_ARGS is a list of options
"$cgapply" plan -f "$config" --no-color --detailed-exitcode --out "$plan" \
	${CGAPPLY_PLAN_ARGS:-} >"$plan.txt"
rc=$?
case $rc in
0) echo "cgapply: the host is in sync with '$config'" ;;
2) echo "cgapply: changes pending (apply them with: cgapply apply $plan):" ;;
*) echo "cgapply: plan failed (exit $rc)" >&2 ;;
esac
cat "$plan.txt"
exit "$rc"
