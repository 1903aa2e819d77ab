#!/bin/bash
# raidcalc --device on real md arrays and scsi_debug disks, in one VM boot.
. "$HK_ROOT/tests/lib.sh"
. "$HK_ROOT/tests/vm/lib.sh"
vm_run "$T_DIR/raidcalc.vm"
