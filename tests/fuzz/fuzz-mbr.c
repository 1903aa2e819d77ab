/* mbr-write's reading of sector 0 (bootloader/mbr.h): the partition
 * table kind, the boot flag, and the boot code file.  mbr-write promises
 * to touch only the boot code (0-439) and, with --activate, the four
 * status bytes; the rest of the sector is checked to stay as it was.
 * FUZZ-SOURCES: bootloader/mbr.c
 * FUZZ-CFLAGS: -Ibootloader
 * FUZZ-ARGS: -max_len=1024
 */
#include <stdio.h>
#include <string.h>

#include "mbr.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char sec[MBR_SIZE], before[MBR_SIZE], code[MBR_CODE_SIZE];
	enum mbr_label l;
	int n, i;

	if (mbr_code_from(data, size, code) == 0)
		FUZZ_ASSERT((size == MBR_CODE_SIZE || size == MBR_SIZE) && memcmp(code, data, MBR_CODE_SIZE) == 0);
	else
		FUZZ_ASSERT(size != MBR_CODE_SIZE && size != MBR_SIZE);
	if (size < MBR_SIZE + 1)
		return 0;
	n = (int)(data[MBR_SIZE] % 7) - 1;          /* -1 .. 5 */
	memcpy(sec, data, MBR_SIZE);
	memcpy(before, sec, MBR_SIZE);
	l = mbr_label(sec);
	FUZZ_ASSERT(l >= MBR_NONE && l <= MBR_GPT && mbr_label_name(l));
	FUZZ_ASSERT(l == MBR_NONE || mbr_has_signature(sec));
	i = mbr_active(sec);
	FUZZ_ASSERT(i >= 0 && i <= MBR_ENTRIES);
	if (mbr_set_active(sec, n) == 0) {
		FUZZ_ASSERT(n >= 1 && n <= MBR_ENTRIES && mbr_active(sec) == n);
		for (i = 0; i < MBR_SIZE; i++)
			if (i < MBR_TABLE || i >= MBR_TABLE + MBR_ENTRIES * MBR_ENTRY_SIZE ||
			    (i - MBR_TABLE) % MBR_ENTRY_SIZE != 0)
				FUZZ_ASSERT(sec[i] == before[i]);
	} else {
		FUZZ_ASSERT(memcmp(sec, before, MBR_SIZE) == 0);
	}
	return 0;
}
