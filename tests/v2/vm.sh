#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# A throw-away cgroup v2 VM for the test suite: Debian's generic kernel under qemu (TCG;
# the KVM of our CI hosts is unusable, see DESIGN.md "Testing"), booted as an ELF vmlinux
# through PVH in about 3 s, with cgroup_no_v1=all and a busybox-static initramfs.
#
#   vm.sh prepare CACHE_DIR
#       Fetches the kernel once (apt-get download of the versioned linux-image package,
#       dpkg-deb -x; it is never installed), extracts vmlinux, keeps the virtio and 9p
#       modules and builds the base initramfs (busybox + modules). Exits 0 when the cache
#       is ready, 77 with a reason when something needed is missing.
#   vm.sh boot CACHE_DIR LOGDIR SCRIPT [FILE...]
#       Boots the VM with SCRIPT as /tmp/payload/guest.sh and the FILEs beside it, runs it
#       chrooted into the host's / (read-only over 9p), prints its output and exits with
#       its exit code: 124 when the VM timed out, 125 when it died without a result.
#       LOGDIR receives console.log (the guest kernel) and out.log (the script).
# Environment: CG_VM_TIMEOUT (seconds, default 90), CG_VM_MEM (MiB, 512), CG_VM_CPUS (2).
set -u

die77() {
	echo "SKIP: $*"
	exit 77
}

# --- prepare ---------------------------------------------------------------------

# The ELF vmlinux inside a bzImage: find the xz (or gzip, zstd) stream that unpacks to
# an ELF file (as linux/scripts/extract-vmlinux does).
extract_vmlinux() {
	img=$1
	out=$2
	# shellcheck disable=SC2013 # offsets are single words
	for magic in '\xFD7zXZ\x00:xz' '\x1F\x8B\x08:gzip' '\x28\xB5\x2F\xFD:zstd'; do
		tool=${magic##*:}
		command -v "$tool" >/dev/null || continue
		for off in $(LC_ALL=C grep -aboP "${magic%:*}" "$img" | cut -d: -f1); do
			tail -c +$((off + 1)) "$img" | "$tool" -dc 2>/dev/null >"$out"
			[ "$(head -c 4 "$out" | tail -c 3)" = ELF ] && return 0
		done
	done
	rm -f "$out"
	return 1
}

MODULES="virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci netfs fscache 9pnet 9pnet_virtio 9p"

prepare_locked() {
	cache=$1
	command -v apt-get >/dev/null || die77 "no apt-get to fetch a Debian kernel"
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
	if [ -z "$pkg" ] && [ -s "$cache/version" ]; then
		pkg=linux-image-$(cat "$cache/version") # offline: use what is cached
	fi
	[ -n "$pkg" ] || die77 "cannot resolve linux-image-amd64 (apt-get update needed?)"
	ver=${pkg#linux-image-}
	if [ -s "$cache/vmlinux" ] && [ -s "$cache/base.cpio.gz" ] && [ "$(cat "$cache/version" 2>/dev/null)" = "$ver" ]; then
		return 0
	fi
	echo "vm: preparing $pkg in $cache"
	tmp=$cache/tmp.$$
	rm -rf "$tmp" && mkdir -p "$tmp/deb" "$tmp/base/lib/modules" "$tmp/base/etc" || return 1
	(cd "$tmp/deb" && apt-get download "$pkg" >/dev/null 2>&1) || {
		rm -rf "$tmp"
		die77 "apt-get download $pkg failed (offline?)"
	}
	dpkg-deb -x "$tmp"/deb/*.deb "$tmp/x" || return 1
	extract_vmlinux "$tmp/x/boot/vmlinuz-$ver" "$tmp/vmlinux" || {
		echo "vm: no ELF kernel found in vmlinuz-$ver" >&2
		return 1
	}
	md=$tmp/x/lib/modules/$ver
	: >"$tmp/base/etc/modules.order"
	for m in $MODULES; do
		ko=$(find "$md/kernel" -name "$m.ko" | head -n 1)
		if [ -z "$ko" ]; then
			grep -q "/$m.ko" "$md/modules.builtin" 2>/dev/null && continue
			echo "vm: module $m is missing from $pkg" >&2
			return 1
		fi
		cp "$ko" "$tmp/base/lib/modules/" && echo "$m.ko" >>"$tmp/base/etc/modules.order"
	done
	bb=$(command -v busybox)
	mkdir -p "$tmp/base/bin" "$tmp/base/sbin" "$tmp/base/usr/bin" "$tmp/base/usr/sbin" \
		"$tmp/base/proc" "$tmp/base/sys" "$tmp/base/dev" "$tmp/base/host" "$tmp/base/tmp"
	cp "$bb" "$tmp/base/bin/busybox"
	for a in $("$bb" --list-full); do
		[ -e "$tmp/base/$a" ] || ln -s /bin/busybox "$tmp/base/$a"
	done
	(cd "$tmp/base" && find . -mindepth 1 | sort | "$bb" cpio -o -H newc -R 0:0 2>/dev/null) |
		gzip -1 >"$tmp/base.cpio.gz" || return 1
	rm -f "$cache/vmlinux" "$cache/base.cpio.gz" "$cache/version"
	mv "$tmp/vmlinux" "$cache/vmlinux" && mv "$tmp/base.cpio.gz" "$cache/base.cpio.gz" &&
		echo "$ver" >"$cache/version" || return 1
	rm -rf "$tmp"
}

prepare() {
	cache=$1
	command -v qemu-system-x86_64 >/dev/null || die77 "qemu-system-x86_64 is not installed (scripts/install-deps.sh --test)"
	bb=$(command -v busybox) || die77 "busybox is not installed (busybox-static; scripts/install-deps.sh --test)"
	ldd "$bb" >/dev/null 2>&1 && die77 "$bb is dynamic: the VM needs busybox-static"
	mkdir -p "$cache" || die77 "cannot create the VM cache '$cache'"
	# one preparer at a time (parallel make check, distcheck beside a build)
	if command -v flock >/dev/null; then
		(
			flock 9
			prepare_locked "$cache"
		) 9>"$cache/.lock"
	else
		prepare_locked "$cache"
	fi
}

# --- boot ------------------------------------------------------------------------

QEMU_PID=
WORK=

boot_cleanup() {
	if [ -n "$QEMU_PID" ]; then
		kill "$QEMU_PID" 2>/dev/null
		wait "$QEMU_PID" 2>/dev/null
	fi
	[ -n "$WORK" ] && rm -rf "$WORK"
}

boot() {
	cache=$1
	logdir=$2
	script=$3
	shift 3
	if [ ! -s "$cache/vmlinux" ] || [ ! -s "$cache/base.cpio.gz" ]; then
		echo "vm: '$cache' is not prepared (vm.sh prepare)" >&2
		return 125
	fi
	here=$(cd "$(dirname "$0")" && pwd)
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/cgapply-vm.XXXXXX") || return 125
	trap boot_cleanup EXIT
	trap 'exit 130' INT TERM HUP
	mkdir -p "$WORK/r/payload" "$logdir" || return 125
	cp "$here/init" "$WORK/r/init" && chmod 0755 "$WORK/r/init" &&
		cp "$script" "$WORK/r/payload/guest.sh" || return 125
	for f in "$@"; do
		cp "$f" "$WORK/r/payload/" || return 125
	done
	# the payload is a second archive: the kernel unpacks both, this one last
	(cd "$WORK/r" && find . -mindepth 1 | sort | busybox cpio -o -H newc -R 0:0 2>/dev/null) |
		gzip -1 >"$WORK/payload.cpio.gz" || return 125
	cat "$cache/base.cpio.gz" "$WORK/payload.cpio.gz" >"$WORK/initrd" || return 125
	console=$logdir/console.log
	out=$logdir/out.log
	: >"$console"
	: >"$out"
	t0=$(date +%s.%N)
	# stdin from /dev/null and the serial ports into files: no terminal needed or touched.
	# The host's / is read-only to the guest; the guest writes only its own tmpfs.
	timeout --kill-after=5 "${CG_VM_TIMEOUT:-90}" qemu-system-x86_64 \
		-accel tcg,thread=multi -cpu max -M q35 -m "${CG_VM_MEM:-512}" -smp "${CG_VM_CPUS:-2}" \
		-nodefaults -no-user-config -display none -no-reboot \
		-serial "file:$console" -serial "file:$out" \
		-kernel "$cache/vmlinux" -initrd "$WORK/initrd" \
		-append "console=ttyS0 quiet cgroup_no_v1=all panic=-1 oops=panic" \
		-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap,id=hostroot \
		</dev/null >"$logdir/qemu.log" 2>&1 &
	QEMU_PID=$!
	wait "$QEMU_PID"
	qrc=$?
	QEMU_PID=
	t1=$(date +%s.%N)
	rc=$(tr -d '\r' <"$out" | sed -n 's/^=== CGAPPLY-VM EXIT \([0-9]*\) ===$/\1/p' | tail -n 1)
	tr -d '\r' <"$out" | sed -e '/^=== CGAPPLY-VM BEGIN .*===$/d' -e '/^=== CGAPPLY-VM EXIT [0-9]* ===$/d'
	echo "vm: qemu exit $qrc, guest exit ${rc:-none}, $(awk "BEGIN { printf \"%.1f\", $t1 - $t0 }") s (kernel $(cat "$cache/version"))"
	if [ -z "$rc" ]; then
		echo "vm: no result from the guest; its console:"
		tr -d '\r' <"$console" | tail -n 40
		cat "$logdir/qemu.log"
		[ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ] && return 124
		return 125
	fi
	return "$rc"
}

case ${1:-} in
prepare)
	[ $# -eq 2 ] || exit 64
	prepare "$2"
	;;
boot)
	[ $# -ge 4 ] || exit 64
	shift
	boot "$@"
	;;
*)
	echo "usage: vm.sh prepare CACHE | vm.sh boot CACHE LOGDIR SCRIPT [FILE...]" >&2
	exit 64
	;;
esac
