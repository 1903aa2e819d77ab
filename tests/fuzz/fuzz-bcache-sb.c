/* The bcache superblock decoder and the kernel's acceptance checks
 * (bcache/sb.h), as bcache-probe and bcache-register run them on any disk
 * that appears.  The input is the 4 KiB at byte 4096 of a device.  Half of
 * the runs repair the checksum first, so the checks behind "Bad checksum"
 * are reached too.
 * FUZZ-SOURCES: bcache/sb.c
 * FUZZ-CFLAGS: -Ibcache
 * FUZZ-ARGS: -max_len=4096
 */
#include <stdio.h>
#include <string.h>

#include "util.h"
#include "sb.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bcache_sb sb;
	char uuid[37];
	const char *why;
	static const uint64_t caps[] = { 0, 16, 1 << 20, UINT64_MAX };
	static const unsigned lbs[] = { 512, 4096, 65536 };
	size_t i;

	if (bcache_sb_parse(data, size, &sb) < 0) {
		FUZZ_ASSERT(size < BCACHE_SB_MIN_READ);
		return 0;
	}
	FUZZ_ASSERT(size >= BCACHE_SB_MIN_READ);
	FUZZ_ASSERT(strlen(sb.label_str) < sizeof(sb.label_str));
	bcache_sb_is_bcachefs(data, size);
	if (sb.csum_computable && (data[size - 1] & 1))
		sb.csum = sb.csum_expected;
	for (i = 0; i < LEN(caps); i++) {
		why = bcache_sb_check(&sb, caps[i], lbs[i % LEN(lbs)]);
		FUZZ_ASSERT(!why || (*why && !strchr(why, '\n')));
	}
	/* What bcache-probe prints from it. */
	bcache_uuid_str(sb.uuid, uuid);
	FUZZ_ASSERT(strlen(uuid) == 36);
	bcache_uuid_str(sb.set_uuid, uuid);
	bcache_uuid_is_zero(sb.uuid);
	bcache_cache_mode_name(bcache_sb_cache_mode(&sb));
	bcache_state_name(bcache_sb_bdev_state(&sb));
	bcache_replacement_name(bcache_sb_cache_replacement(&sb));
	bcache_sb_cache_sync(&sb);
	bcache_sb_cache_discard(&sb);
	bcache_crc64(data, size);
	return 0;
}
