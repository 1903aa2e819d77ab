/* libutil's strict number parsers: parse_u64, parse_i64, parse_size and
 * the format_size round trip.  They read command lines, settings files and
 * every numeric sysfs value, so they see whatever a kernel or a user wrote.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size), *end, buf[32];
	uint64_t u = 0, sz = 0, back = 0;
	int64_t i = 0;

	/* parse_u64 accepts exactly the digit strings strtoull takes whole. */
	if (parse_u64(s, &u) == 0) {
		FUZZ_ASSERT(fuzz_all_digits(s));
		errno = 0;
		FUZZ_ASSERT(strtoull(s, &end, 10) == u && errno == 0 && *end == '\0');
	} else {
		FUZZ_ASSERT(errno == EINVAL || errno == ERANGE);
		if (fuzz_all_digits(s)) {
			errno = 0;
			strtoull(s, &end, 10);
			FUZZ_ASSERT(errno == ERANGE);
		}
	}

	/* parse_i64 agrees with strtoll on [+-]digits. */
	if (parse_i64(s, &i) == 0) {
		const char *d = s + (*s == '-' || *s == '+');
		FUZZ_ASSERT(fuzz_all_digits(d));
		errno = 0;
		FUZZ_ASSERT(strtoll(s, &end, 10) == i && errno == 0 && *end == '\0');
	}

	/* parse_size: a plain number is itself; what format_size prints
	 * exactly (no decimal point) parses back to the same bytes. */
	if (parse_size(s, &sz) == 0) {
		if (fuzz_all_digits(s))
			FUZZ_ASSERT(sz == u);
		format_size(sz, buf, sizeof(buf));
		FUZZ_ASSERT(strlen(buf) < sizeof(buf) - 1);
		if (!strchr(buf, '.')) {
			FUZZ_ASSERT(parse_size(buf, &back) == 0);
			FUZZ_ASSERT(back == sz);
		}
	} else {
		FUZZ_ASSERT(errno == EINVAL || errno == ERANGE);
	}
	free(s);
	return 0;
}
