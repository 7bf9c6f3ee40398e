#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The cgroup v2 integration test: boots a throw-away VM with a real kernel in pure v2
# mode (tests/v2/vm.sh) and runs tests/v2/guest.sh there with this build's cgapply,
# memhog and examples/cgroup-v2.yaml. The host's own cgroups are never touched: the
# host is v1 or hybrid, and the guest has its own cgroupfs.
# SKIP (77) with a reason when qemu, busybox-static or the Debian kernel package is not
# to be had. The kernel is fetched once into CG_VM_CACHE (default
# $XDG_CACHE_HOME/cgapply-vm or ~/.cache/cgapply-vm) and reused.
set -u
src=${srcdir:-.}
CGAPPLY=${CGAPPLY:-./cgapply}
MEMHOG=${MEMHOG:-./tests/integration/memhog}
cache=${CG_VM_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/cgapply-vm}

[ -x "$CGAPPLY" ] || {
	echo "no cgapply binary at $CGAPPLY" >&2
	exit 99
}
[ -x "$MEMHOG" ] || {
	echo "no memhog at $MEMHOG" >&2
	exit 99
}
if [ "${CG_V2_VM:-}" = skip ]; then
	echo "SKIP: CG_V2_VM=skip (the VM test runs in another stage)"
	exit 77
fi
[ "$(uname -m)" = x86_64 ] || {
	echo "SKIP: the VM is x86_64 only"
	exit 77
}
sh "$src/tests/v2/vm.sh" prepare "$cache"
rc=$?
[ $rc -eq 0 ] || exit $rc

logs=$(mktemp -d "${TMPDIR:-/tmp}/cgapply-v2-logs.XXXXXX") || exit 99
# the guest starts with an empty environment: hand it the sanitizer settings of this
# build (test.sh's ASan stage sets them), so that the binary behaves there as here
env=$logs/env.sh
: >"$env"
for v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
	eval "val=\${$v-}"
	# shellcheck disable=SC2154 # set by the eval
	[ -n "$val" ] && printf "export %s='%s'\n" "$v" "$val" >>"$env"
done
sh "$src/tests/v2/vm.sh" boot "$cache" "$logs" "$src/tests/v2/guest.sh" \
	"$CGAPPLY" "$MEMHOG" "$src/examples/cgroup-v2.yaml" "$env"
rc=$?
case $rc in
0) rm -rf "$logs" ;;
124 | 125)
	echo "the VM gave no result (logs kept in $logs)"
	rc=99
	;;
*) echo "logs kept in $logs" ;;
esac
exit $rc
