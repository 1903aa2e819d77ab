#!/bin/bash
# bcache-stats and the munin bcache plugin against the real driver, in one
# VM boot (tests/bcache/stats.vm).
. "$HK_ROOT/tests/lib.sh"
. "$HK_ROOT/tests/vm/lib.sh"
vm_run "$T_DIR/stats.vm"
