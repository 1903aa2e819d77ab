#!/bin/bash
# The VM lab's own checks: one boot running harness.vm, then one VM that
# hangs on purpose and must be killed and reported as a failure.
. "$HK_ROOT/tests/lib.sh"
. "$HK_ROOT/tests/vm/lib.sh"

token="hostkit-$$-$RANDOM it's \$HOME"
echo "$token" > "$T_TMP/token"
truncate -s 4M "$T_TMP/disk.img"
printf '%s\n' "$token" | dd of="$T_TMP/disk.img" bs=512 seek=8 conv=notrunc status=none
vm_run -f "$T_TMP/token" -f "$T_TMP/token:/etc/token-copy" -e HARNESS_TOKEN="$token" \
	-d "$T_TMP/disk.img" "$T_DIR/harness.vm"

if [ -n "$VM_KDIR" ]; then
	start=$SECONDS
	out=$(T_NAME=hang HOSTKIT_VM_TIMEOUT=15 vm_run "$T_DIR/harness-hang.vm")
	took=$((SECONDS - start))
	if printf '%s\n' "$out" | grep -q '^FAIL hang/harness-hang$' &&
	   printf '%s\n' "$out" | grep -q 'VM killed after 15s' &&
	   printf '%s\n' "$out" | grep -q '| this VM hangs on purpose' && ((took < 40)); then
		pass hung-vm-killed
	else
		fail hung-vm-killed "took ${took}s; vm_run said:" "$out"
	fi
fi
