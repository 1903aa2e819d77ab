#!/bin/bash
# bcache-probe and bcache-register against the real bcache driver, in one
# VM boot (tests/bcache/register.vm).
. "$HK_ROOT/tests/lib.sh"
. "$HK_ROOT/tests/vm/lib.sh"
vm_run "$T_DIR/register.vm"
