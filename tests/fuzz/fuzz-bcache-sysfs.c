/* The bcache sysfs value parsers (bcache/bsysfs.h): human sizes in both
 * bch_hprint dialects, bracketed choice lists, writeback_rate_debug and
 * priority_stats text.  The first byte picks the buffer size given to
 * bch_parse_selected, the rest is the kernel's text.
 * FUZZ-SOURCES: bcache/bsysfs.c
 * FUZZ-CFLAGS: -Ibcache
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util.h"
#include "bsysfs.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, *sel;
	size_t sellen;
	uint64_t u, plain;
	int64_t i;
	struct bch_prio p;

	if (size < 1)
		return 0;
	sellen = data[0] % 40;
	s = fuzz_str(data + 1, size - 1);

	if (bch_parse_hsize(s, &u) == 0) {
		/* Without a unit or decimal it is the plain number. */
		if (fuzz_all_digits(s))
			FUZZ_ASSERT(parse_u64(s, &plain) == 0 && plain == u);
		/* The signed form agrees wherever it fits. */
		if (u <= INT64_MAX)
			FUZZ_ASSERT(bch_parse_hsize_signed(s, &i) == 0 && (uint64_t)i == u);
	} else {
		FUZZ_ASSERT(errno == EINVAL || errno == ERANGE);
	}
	if (s[0] == '-' && bch_parse_hsize_signed(s, &i) == 0 && s[1] != '-')
		FUZZ_ASSERT(i <= 0 && bch_parse_hsize(s + 1, &u) == 0 && u == 0 - (uint64_t)i);

	sel = malloc(sellen ? sellen : 1);
	if (bch_parse_selected(s, sel, sellen) == 0) {
		size_t n = strlen(sel);
		FUZZ_ASSERT(n > 0 && n < sellen && !strchr(sel, ']'));
		FUZZ_ASSERT(strstr(s, sel) != NULL);
	}
	free(sel);

	bch_rate_debug_value(s, "target", &i);
	bch_rate_debug_value(s, "", &i);
	bch_parse_priority_stats(s, &p);
	FUZZ_ASSERT(p.unused >= -1 && p.unused <= 100 && p.clean >= -1 && p.clean <= 100);
	FUZZ_ASSERT(p.dirty >= -1 && p.dirty <= 100 && p.metadata >= -1 && p.metadata <= 100);
	FUZZ_ASSERT(bch_state_code(s) >= -1 && bch_state_code(s) <= 3);
	FUZZ_ASSERT(bch_interval_parse(s) >= -1 && bch_interval_parse(s) < BCH_NINTERVALS);
	free(s);
	return 0;
}
