/* raidcalc --check: the ext2/3/4 and XFS superblock readers
 * (fs_stripe_parse), fed the first bytes of any device; and the RAID10
 * layout words ("n2", "f3") users type.
 * FUZZ-SOURCES: raidcalc/geometry.c
 * FUZZ-CFLAGS: -Iraidcalc
 * FUZZ-ARGS: -max_len=4096
 */
#include <stdio.h>

#include "geometry.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fs_stripe fs;
	char layout, *s;
	unsigned copies;

	if (fs_stripe_parse(data, size, &fs) == 0) {
		FUZZ_ASSERT(fs.type == FS_EXT4 || fs.type == FS_XFS);
		FUZZ_ASSERT(fs.block_size >= 512 && fs.block_size <= 65536 &&
		            (fs.block_size & (fs.block_size - 1)) == 0);
	}
	s = fuzz_str(data, size < 16 ? size : 16);
	if (raid10_parse_layout(s, &layout, &copies) == 0)
		FUZZ_ASSERT(layout == 'n' || layout == 'f' || layout == 'o');
	free(s);
	return 0;
}
