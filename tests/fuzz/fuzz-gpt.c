/* mbr-write --activate on GPT disks (bootloader/gpt.h): the header at LBA
 * 1 and its entry array, as read from any disk.  Input: one flag byte, the
 * 512-byte header sector, then the entry array.  Flags pick the disk size
 * (the header's own alternate_lba, so the checks can pass) and whether the
 * CRCs are repaired first, so the code behind them is reached.  After
 * setting the boot attribute: only attribute bits of used entries changed,
 * and the header and array written back pass the same checks.
 * FUZZ-SOURCES: bootloader/gpt.c
 * FUZZ-CFLAGS: -Ibootloader
 * FUZZ-ARGS: -max_len=20000
 */
#include <stdio.h>
#include <string.h>

#include "gpt.h"
#include "fuzz.h"

#define SEC 512

static uint64_t
le(const unsigned char *p, int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

static void
put32(unsigned char *p, uint32_t v)
{
	int i;

	for (i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* The array as the disk would give it: what the input has, zeros after. */
static unsigned char *
array_of(const uint8_t *rest, size_t restlen, size_t bytes)
{
	unsigned char *a = malloc(bytes ? bytes : 1);

	if (!a)
		abort();
	memset(a, 0, bytes);
	memcpy(a, rest, restlen < bytes ? restlen : bytes);
	return a;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char sec[SEC], *array, *before;
	const uint8_t *rest;
	size_t restlen, bytes, k;
	struct gpt_header h, h2;
	uint64_t last;
	uint32_t n, i;
	unsigned bit;
	char why[160];
	int flags, r;

	if (size < 1 + SEC + 2)
		return 0;
	flags = data[0];
	memcpy(sec, data + 1, SEC);
	n = data[1 + SEC];
	bit = data[2 + SEC] % 70;
	rest = data + 3 + SEC;
	restlen = size - 3 - SEC;
	last = flags & 1 ? le(sec + 32, 8) : 2047;

	if (flags & 2) {   /* repair both CRCs */
		uint64_t esz = le(sec + 84, 4), cnt = le(sec + 80, 4), hsz = le(sec + 12, 4);
		if (esz && cnt && cnt * esz <= GPT_ARRAY_MAX) {
			array = array_of(rest, restlen, (size_t)(cnt * esz));
			put32(sec + 88, gpt_crc32(0, array, (size_t)(cnt * esz)));
			free(array);
		}
		if (hsz >= GPT_HEADER_MIN && hsz <= SEC) {
			put32(sec + GPT_HEADER_CRC, 0);
			put32(sec + GPT_HEADER_CRC, gpt_crc32(0, sec, (size_t)hsz));
		}
	}
	if (gpt_parse_header(sec, SEC, 1, last, &h, why, sizeof(why)) < 0) {
		FUZZ_ASSERT(why[0] && !strchr(why, '\n'));
		return 0;
	}
	bytes = gpt_array_bytes(&h);
	FUZZ_ASSERT(bytes > 0 && bytes <= GPT_ARRAY_MAX && h.entry_size >= 128);
	FUZZ_ASSERT(gpt_array_sectors(&h, SEC) * SEC >= bytes);
	FUZZ_ASSERT(gpt_check_pair(&h, &h, why, sizeof(why)) == 0);
	array = array_of(rest, restlen, bytes);
	gpt_check_array(&h, array, why, sizeof(why));

	n = 1 + n % (h.entries < 300 ? h.entries + 1 : 300);   /* n may be out of range */
	before = malloc(bytes);
	memcpy(before, array, bytes);
	r = gpt_set_only(&h, array, n, bit);
	if (r < 0) {
		FUZZ_ASSERT(memcmp(array, before, bytes) == 0);
	} else {
		FUZZ_ASSERT(n >= 1 && n <= h.entries && bit <= 63 && gpt_entry_used(&h, array, n));
		FUZZ_ASSERT(gpt_entry_attrs(&h, array, n) & (1ULL << bit));
		for (k = 0; k < bytes; k++) {
			size_t off = k % h.entry_size;
			if (array[k] != before[k])
				FUZZ_ASSERT(off == GPT_ENTRY_ATTRS + bit / 8);
		}
		for (i = 1; i <= h.entries && i < 1000; i++)
			if (i != n && gpt_entry_used(&h, array, i))
				FUZZ_ASSERT(!(gpt_entry_attrs(&h, array, i) & (1ULL << bit)));
		/* What mbr-write writes back passes its own checks. */
		gpt_update_crcs(&h, sec, array);
		FUZZ_ASSERT(gpt_parse_header(sec, SEC, 1, last, &h2, why, sizeof(why)) == 0);
		FUZZ_ASSERT(gpt_check_array(&h2, array, why, sizeof(why)) == 0);
	}
	free(before);
	free(array);
	return 0;
}
