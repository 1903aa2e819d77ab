# The VM lab, host side.  Sourced by a .t script after tests/lib.sh:
#     . "$HK_ROOT/tests/lib.sh"
#     . "$HK_ROOT/tests/vm/lib.sh"
#     vm_run "$T_DIR/NAME.vm"
# vm_run boots Debian's cloud kernel under qemu with an initramfs made of
# busybox, the programs and modules the scenario's header names, runs the
# scenario body inside and prints its results as PASS/FAIL/SKIP lines.
# See tests/vm/README.

VM_LIB=$HK_ROOT/tests/vm
PATH=$PATH:/usr/sbin:/sbin   # modinfo, losetup ... for users without sbin
VM_CACHE=${HOSTKIT_VM_CACHE:-/var/cache/hostkit-vm}
VM_KDIR=          # the cached kernel: vmlinuz, modules/, version
VM_WHY=           # why the last vm_* function failed

# vm_kernel: fetches Debian's cloud kernel into $VM_CACHE once (apt-get
# download of the versioned package linux-image-cloud-amd64 depends on,
# unpacked with dpkg-deb -x) and sets VM_KDIR.  Later runs reuse it without
# asking apt anything; remove the cache directory to fetch a newer kernel.
vm_kernel() {
	local meta=${HOSTKIT_VM_KERNEL_PKG:-linux-image-cloud-amd64}
	if [ -e "$VM_CACHE/current/vmlinuz" ]; then
		VM_KDIR=$(readlink -f "$VM_CACHE/current"); return 0
	fi
	if ! mkdir -p "$VM_CACHE" 2>/dev/null || [ ! -w "$VM_CACHE" ]; then
		VM_WHY="no kernel cached and $VM_CACHE is not writable (set HOSTKIT_VM_CACHE)"
		return 1
	fi
	have_cmd apt-get apt-cache dpkg-deb flock ||
		{ VM_WHY="no kernel cached and no apt-get/dpkg-deb/flock to fetch one"; return 1; }
	VM_WHY=$( (
		flock 9
		[ -e "$VM_CACHE/current/vmlinuz" ] && exit 0
		vm_fetch_kernel "$meta"
	) 9>"$VM_CACHE/.lock" 2>&1 ) ||
		{ VM_WHY="cannot fetch $meta: $(printf '%s' "$VM_WHY" | tail -n 1)"; return 1; }
	[ -e "$VM_CACHE/current/vmlinuz" ] || { VM_WHY="kernel fetch left no $VM_CACHE/current/vmlinuz"; return 1; }
	VM_KDIR=$(readlink -f "$VM_CACHE/current")
}

# The versioned image package the metapackage depends on, e.g.
# linux-image-6.1.0-56-cloud-amd64.
vm_kernel_pkg() {
	apt-cache depends "$1" 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { print $2; exit }'
}

# Runs under the cache lock; prints only a reason on failure.
vm_fetch_kernel() {
	local meta=$1 pkg tmp deb vmlinuz kver moddir dest
	pkg=$(vm_kernel_pkg "$meta")
	if [ -z "$pkg" ]; then
		# A fresh machine may have no package lists yet.
		apt-get update -qq >/dev/null 2>&1
		pkg=$(vm_kernel_pkg "$meta")
		[ -n "$pkg" ] || { echo "apt-cache knows no $meta"; return 1; }
	fi
	tmp=$(mktemp -d "$VM_CACHE/.fetch.XXXXXX") || return 1
	chmod 755 "$tmp"   # apt downloads as the _apt user when it can
	(
		cd "$tmp" || exit 1
		apt-get download -qq "$pkg" >/dev/null 2>&1 ||
			{ apt-get update -qq >/dev/null 2>&1; apt-get download -qq "$pkg" >/dev/null 2>&1; } ||
			{ echo "apt-get download $pkg failed"; exit 1; }
		deb=$(ls ./*.deb)
		dpkg-deb -x "$deb" root || { echo "dpkg-deb -x $deb failed"; exit 1; }
		vmlinuz=$(ls root/boot/vmlinuz-* 2>/dev/null | head -n 1)
		[ -n "$vmlinuz" ] || { echo "$deb has no /boot/vmlinuz-*"; exit 1; }
		kver=${vmlinuz##*/vmlinuz-}
		moddir=root/lib/modules/$kver
		[ -d "$moddir" ] || moddir=root/usr/lib/modules/$kver
		[ -d "$moddir" ] || { echo "$deb has no modules for $kver"; exit 1; }
		dest=$VM_CACHE/${deb##*/}; dest=${dest%.deb}
		rm -rf "$dest" && mkdir "$dest" &&
			mv "$vmlinuz" "$dest/vmlinuz" && mv "$moddir" "$dest/modules" &&
			echo "$kver" > "$dest/version" && echo "$pkg" > "$dest/package" &&
			ln -sfn "${dest##*/}" "$VM_CACHE/.current.new" &&
			mv -T "$VM_CACHE/.current.new" "$VM_CACHE/current"
	)
	local rc=$?
	rm -rf "$tmp"
	return $rc
}

# vm_qemu_ok: qemu is here (sets VM_WHY otherwise).
vm_qemu_ok() {
	have_cmd qemu-system-x86_64 ||
		{ VM_WHY="qemu-system-x86_64 not installed (make deps: qemu-system-x86)"; return 1; }
	[ -x /bin/busybox ] && file_is_static /bin/busybox ||
		{ VM_WHY="no static /bin/busybox (make deps: busybox-static)"; return 1; }
	have_cmd cpio || { VM_WHY="cpio not installed (make deps)"; return 1; }
	have_cmd modinfo || { VM_WHY="modinfo not installed (make deps: kmod)"; return 1; }
}
file_is_static() { ! ldd "$1" >/dev/null 2>&1; }

# vm_header FILE KEY: the words of every "# KEY: ..." line in the header
# (the comment lines at the top of the scenario).
vm_header() {
	awk -v key="$2" '
		NR == 1 && /^#!/ { next }
		!/^#/ { exit }
		{ line = $0; sub(/^#[ \t]*/, "", line)
		  if (index(line, key ":") == 1) print substr(line, length(key) + 2) }' "$1"
}

# Module lookup in the cached kernel: names with "-" and "_" are the same.
declare -A VM_MODPATH=()
vm_index_modules() {
	local f n
	((${#VM_MODPATH[@]})) && return 0
	while IFS= read -r f; do
		n=${f##*/}; n=${n%%.ko*}; n=${n//-/_}
		VM_MODPATH[$n]=$f
	done < <(find "$VM_KDIR/modules/kernel" -name '*.ko*')
}
# vm_mod_builtin NAME: NAME (or an alias of it, like crc32c) is built in.
vm_mod_builtin() {
	local n=${1//-/_} m=$VM_KDIR/modules
	{ [ -f "$m/modules.builtin" ] &&
		sed 's,.*/,,; s,\.ko.*,,; s,-,_,g' "$m/modules.builtin" | grep -qx -- "$n"; } ||
	{ [ -f "$m/modules.builtin.modinfo" ] &&
		tr '\0' '\n' < "$m/modules.builtin.modinfo" | grep -q -- "^[^.]*\.alias=$1\$"; }
}

# vm_add_module STAGE NAME: copies NAME and what it depends on into
# STAGE/lib/modules, appending "name: deps" lines to STAGE/etc/vm/modules.dep.
vm_add_module() {
	local stage=$1 n=${2//-/_} f deps d soft
	[ -e "$stage/lib/modules/$n.ko" ] && return 0
	f=${VM_MODPATH[$n]:-}
	if [ -z "$f" ]; then
		vm_mod_builtin "$n" && return 0
		VM_WHY="module $2 is not in kernel $(cat "$VM_KDIR/version")"; return 1
	fi
	case $f in
	*.ko) cp "$f" "$stage/lib/modules/$n.ko" ;;
	*.ko.xz) xz -dc "$f" > "$stage/lib/modules/$n.ko" ;;
	*.ko.zst) zstd -qdc "$f" > "$stage/lib/modules/$n.ko" ;;
	*.ko.gz) gzip -dc "$f" > "$stage/lib/modules/$n.ko" ;;
	*) VM_WHY="module $f: unknown compression"; return 1 ;;
	esac || { VM_WHY="cannot unpack $f"; return 1; }
	deps=$(modinfo -F depends "$f" | tr ',-' ' _')
	# "pre:" soft dependencies that are modules of their own (crc32c is an
	# alias, usually built in: skipped when no module has that name).
	for soft in $(modinfo -F softdep "$f" | sed -n 's/.*pre: *\([^:]*\).*/\1/p' | sed 's/post$//'); do
		soft=${soft//-/_}
		[ -n "${VM_MODPATH[$soft]:-}" ] && deps="$deps $soft"
	done
	echo "$n: $deps" >> "$stage/etc/vm/modules.dep"
	for d in $deps; do vm_add_module "$stage" "$d" || return 1; done
}

# vm_add_program STAGE BIN [DEST]: copies BIN (to DEST, default its own
# path) with the shared libraries ldd lists.
vm_add_program() {
	local stage=$1 bin=$2 dest=${3:-$2} lib
	mkdir -p "$stage${dest%/*}" && cp -L "$bin" "$stage$dest" || { VM_WHY="cannot copy $bin"; return 1; }
	for lib in $(ldd "$bin" 2>/dev/null | awk '/=> \// { print $3 } /^\t\// { print $1 }'); do
		[ -e "$stage$lib" ] && continue
		mkdir -p "$stage${lib%/*}" && cp -L "$lib" "$stage$lib" || { VM_WHY="cannot copy $lib for $bin"; return 1; }
	done
}

# vm_initramfs SCENARIO OUT [SRC[:DEST]]...: builds the initramfs (an
# uncompressed newc cpio) for SCENARIO.  Returns 1 with VM_WHY when the
# scenario cannot be built here (VM_SKIP=1: a missing program or tool, a
# reason to skip; otherwise an error in the scenario).
VM_SKIP=0
vm_initramfs() {
	local scen=$1 out=$2 stage p path m spec src dest bb
	shift 2
	VM_SKIP=0
	stage=$(mktemp -d "$T_TMP/stage.XXXXXX") || return 1
	mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,lib/modules,lib/vm,etc/vm,proc,sys,dev,tmp,run,root,files}
	# busybox --install links each applet to busybox's real path.
	bb=$(readlink -f /bin/busybox)
	mkdir -p "$stage${bb%/*}" && cp "$bb" "$stage$bb" && /bin/busybox --install -s "$stage/bin" ||
		{ VM_WHY="cannot install busybox"; return 1; }
	cp "$VM_LIB/init" "$stage/init" && cp "$VM_LIB/helpers.sh" "$stage/lib/vm/helpers.sh" &&
		cp "$scen" "$stage/etc/vm/scenario" || { VM_WHY="cannot stage $scen"; return 1; }
	chmod 755 "$stage/init"
	printf 'root:x:0:0:root:/root:/bin/sh\n' > "$stage/etc/passwd"
	printf 'root:x:0:\ndisk:x:6:\n' > "$stage/etc/group"
	: > "$stage/etc/vm/modules.dep"
	: > "$stage/etc/vm/env"

	for p in $(vm_header "$scen" hostkit); do
		[ -x "$HK_ROOT/$p" ] || { VM_SKIP=1; VM_WHY="$p is not built (make ${p})"; return 1; }
		vm_add_program "$stage" "$HK_ROOT/$p" "/usr/sbin/${p##*/}" || return 1
	done
	for p in $(vm_header "$scen" peers); do
		path=$(PATH=$PATH:/usr/sbin:/sbin command -v "$p") ||
			{ VM_SKIP=1; VM_WHY="peer program $p is not installed (make deps)"; return 1; }
		vm_add_program "$stage" "$path" "/usr/sbin/${p##*/}" || return 1
	done
	vm_index_modules
	for m in $(vm_header "$scen" modules) ${VM_EXTRA_MODULES:-}; do
		vm_add_module "$stage" "$m" || return 1
		# Built-in ones need no loading.
		[ -e "$stage/lib/modules/${m//-/_}.ko" ] && echo "${m//-/_}" >> "$stage/etc/vm/modules.load"
	done
	for m in $(vm_header "$scen" modules-noload); do
		vm_add_module "$stage" "$m" || return 1
	done
	for spec in $(vm_header "$scen" files) "$@"; do
		src=${spec%%:*}; dest=${spec#*:}
		[ "$dest" = "$spec" ] && dest=/files/${src##*/}
		case $src in /*) ;; *) src=$HK_ROOT/$src ;; esac
		[ -e "$src" ] || { VM_WHY="file $src (files: $spec) does not exist"; return 1; }
		mkdir -p "$stage${dest%/*}" && cp -a "$src" "$stage$dest" || { VM_WHY="cannot copy $src"; return 1; }
	done
	(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) > "$out" ||
		{ VM_WHY="cpio failed"; return 1; }
	rm -rf "$stage"
}

# vm_qemu TIMEOUT CONSOLE_LOG QEMU_ARGS...: runs qemu-system-x86_64 without
# a display, its first serial port (the guest console) into CONSOLE_LOG,
# killed after TIMEOUT seconds.  Status: qemu's, or 124 when it was killed.
# HOSTKIT_VM_ACCEL=kvm uses KVM when /dev/kvm works; the default is TCG, the
# emulator every machine has, so timings stay the same everywhere.
vm_qemu() {
	local t=$1 log=$2 accel=tcg
	shift 2
	[ "${HOSTKIT_VM_ACCEL:-tcg}" = kvm ] && [ -w /dev/kvm ] && accel=kvm
	timeout -k 5 "$t" qemu-system-x86_64 -accel "$accel" -nographic -no-reboot \
		-monitor none -nic none -serial stdio "$@" < /dev/null > "$log" 2>&1
}

# vm_console_tail LOG [N]: the last N (30) lines of a console log, indented.
vm_console_tail() {
	echo "    --- console tail (${1##*/}) ---"
	tr -d '\r' < "$1" | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g; s/\x1bc//g' |
		tail -n "${2:-30}" | sed 's/^/    | /'
}

# vm_prepare [-f SRC[:DEST]]... [-e NAME=VALUE]... [-m MODULE]... SCENARIO
# Everything before the boot: checks for qemu and busybox, fetches the
# kernel, builds the initramfs.  -f copies a host file into the VM (DEST
# defaults to /files/NAME), -e sets a variable for the body, -m adds a
# module loaded at boot (as if in the modules: header).  Sets VM_KERNEL, VM_INITRD and VM_APPEND (the kernel
# command line the init expects); when the scenario cannot run here it
# prints SKIP (or FAIL for a broken scenario) itself and returns 1.
vm_prepare() {
	local files=() envs=() mods=() opt scen base d e
	OPTIND=1
	while getopts f:e:m: opt; do
		case $opt in
		f) files+=("$OPTARG") ;;
		e) envs+=("$OPTARG") ;;
		m) mods+=("$OPTARG") ;;
		*) fail vm_prepare "usage: vm_prepare [-f SRC[:DEST]] [-e NAME=VALUE] [-m MODULE] SCENARIO"; return 1 ;;
		esac
	done
	shift $((OPTIND - 1))
	scen=$1; base=$(vm_name "$scen")
	[ -f "$scen" ] || { fail "$base" "no scenario file $scen"; return 1; }
	if ! vm_qemu_ok || ! vm_kernel; then
		skip "$base" "$VM_WHY"; return 1
	fi
	VM_KERNEL=$VM_KDIR/vmlinuz VM_INITRD=$T_TMP/$base.cpio
	VM_APPEND="console=ttyS0 quiet panic=-1"
	VM_EXTRA_MODULES="${mods[*]}"
	if ! vm_initramfs "$scen" "$VM_INITRD" "${files[@]}"; then
		if ((VM_SKIP)); then skip "$base" "$VM_WHY"; else fail "$base" "cannot build the initramfs: $VM_WHY"; fi
		return 1
	fi
	# Sanitizer settings (make check-asan) hold inside the VM as well.
	for e in ASAN_OPTIONS UBSAN_OPTIONS HOSTKIT_SANITIZED; do
		[ -n "${!e:-}" ] && envs+=("$e=${!e}")
	done
	if ((${#envs[@]})); then
		# Appended to the cpio as a second archive: the kernel unpacks both.
		d=$(mktemp -d "$T_TMP/env.XXXXXX"); mkdir -p "$d/etc/vm"
		for e in "${envs[@]}"; do
			printf "export %s='%s'\n" "${e%%=*}" "$(printf '%s' "${e#*=}" | sed "s/'/'\\\\''/g")"
		done > "$d/etc/vm/env"
		(cd "$d" && find . | cpio -o -H newc -R 0:0 --quiet) >> "$VM_INITRD"
	fi
}
vm_name() { local b=${1##*/}; echo "${b%.vm}"; }

# vm_boot SCENARIO QEMU_ARGS...: boots qemu with the scenario's memory: and
# smp: (1024, 1), the result port (second serial port) and QEMU_ARGS, kills
# it after the scenario's timeout: (120 s; HOSTKIT_VM_TIMEOUT overrides),
# then prints the results and a FAIL with the console tail when the VM hung,
# stopped early, or the body failed.
vm_boot() {
	local scen=$1 base t mem smp rc endline log res start
	shift
	base=$(vm_name "$scen")
	t=${HOSTKIT_VM_TIMEOUT:-$(vm_header "$scen" timeout)}; t=${t:-120}; t=${t// /}
	mem=$(vm_header "$scen" memory); mem=${mem// /}
	smp=$(vm_header "$scen" smp); smp=${smp// /}
	log=$T_TMP/$base.console res=$T_TMP/$base.results
	: > "$res"
	start=$SECONDS
	vm_qemu "$t" "$log" -m "${mem:-1024}" -smp "${smp:-1}" -serial "file:$res" "$@"; rc=$?
	VM_SECONDS=$((SECONDS - start))
	[ -n "${HOSTKIT_VM_KEEP:-}" ] && mkdir -p "$HOSTKIT_VM_KEEP" && cp "$log" "$res" "$HOSTKIT_VM_KEEP/"
	vm_results "$res"
	endline=$(tr -d '\r' < "$res" | grep -m 1 '^END ')
	if [ $rc = 124 ] || [ $rc = 137 ]; then
		fail "$base" "VM killed after ${t}s (timeout: in the header, or HOSTKIT_VM_TIMEOUT)"
		vm_console_tail "$log"
	elif [ -z "$endline" ]; then
		fail "$base" "VM stopped before the scenario ended (qemu status $rc)"
		vm_console_tail "$log"
	elif [ "$endline" = "END setup" ]; then
		fail "$base" "the VM could not be set up (vm-setup above)"
		vm_console_tail "$log"
	elif [ "$endline" != "END 0" ]; then
		fail "$base" "scenario body exited with status ${endline#END }"
		vm_console_tail "$log"
	elif ! tr -d '\r' < "$res" | grep -q '^\(PASS\|FAIL\|SKIP\) '; then
		fail "$base" "scenario reported no result"
		vm_console_tail "$log"
	elif tr -d '\r' < "$res" | grep -q '^FAIL '; then
		vm_console_tail "$log" 15
	fi
	echo "    ($base: VM ran ${VM_SECONDS}s)"
}

# vm_run [-f SRC[:DEST]]... [-e NAME=VALUE]... [-d IMAGE]... SCENARIO
# Prepares and boots one VM for SCENARIO (vm_prepare, vm_boot) and prints
# its results, names prefixed with $T_NAME/.  -d attaches a raw disk image
# as a virtio disk (/dev/vda, /dev/vdb, ... in the VM; the guest writes to
# it).  Returns 0 even when results failed: the FAIL lines say so.
vm_run() {
	local pre=() disks=() qargs=() opt img
	OPTIND=1
	while getopts f:e:d: opt; do
		case $opt in
		f|e) pre+=("-$opt" "$OPTARG") ;;
		d) disks+=("$OPTARG") ;;
		*) fail vm_run "usage: vm_run [-f SRC[:DEST]] [-e NAME=VALUE] [-d IMAGE] SCENARIO"; return 1 ;;
		esac
	done
	shift $((OPTIND - 1))
	((${#disks[@]})) && pre+=(-m virtio_pci -m virtio_blk)
	vm_prepare "${pre[@]}" "$1" || return 0
	for img in "${disks[@]}"; do qargs+=(-drive "file=$img,format=raw,if=virtio"); done
	vm_boot "$1" -kernel "$VM_KERNEL" -initrd "$VM_INITRD" -append "$VM_APPEND" "${qargs[@]}"
}

# vm_results FILE: the guest's result lines with test names prefixed.
vm_results() {
	tr -d '\r' < "$1" | while IFS= read -r line; do
		case $line in
		PASS\ *|FAIL\ *|SKIP\ *) echo "${line%% *} $T_NAME/${line#* }" ;;
		"    "*) echo "$line" ;;
		ERROR\ *) echo "FAIL $T_NAME/vm-setup: ${line#ERROR }" ;;
		esac
	done
}
