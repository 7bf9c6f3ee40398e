#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs what cgapply needs on Debian 12 (run as root).
#   scripts/install-deps.sh          build dependencies
#   scripts/install-deps.sh --test   also what the test suite needs (systemd: only for systemd-analyze verify of the unit;
#                                    qemu-system-x86 and busybox-static: the cgroup v2 VM test)
set -eu

build="build-essential autoconf automake pkg-config libyaml-dev libcgroup-dev check"
test="clang valgrind cppcheck clang-format groff-base man-db jq strace ansible-core puppet systemd qemu-system-x86 busybox-static"

pkgs=$build
if [ "${1:-}" = "--test" ]; then
	pkgs="$pkgs $test"
fi

missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086 # word splitting is wanted: one package per word
	apt-get install -y -qq --no-install-recommends $missing
fi
