/* The JSON writer's string escaping: labels, device names and file names
 * from superblocks and sysfs reach it unchanged.  The output must be one
 * JSON string literal: quoted, no raw control bytes, every backslash
 * starting a valid escape.
 */
#include <stdio.h>
#include <string.h>

#include "util.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size), *out = NULL;
	size_t len = 0, k;
	FILE *f = open_memstream(&out, &len);

	if (!f)
		abort();
	json_write_escaped(f, s);
	fclose(f);
	FUZZ_ASSERT(len >= 2 && out[0] == '"' && out[len - 1] == '"');
	for (k = 1; k < len - 1; k++) {
		unsigned char c = (unsigned char)out[k];
		FUZZ_ASSERT(c >= 0x20 && c != 0x7f);
		FUZZ_ASSERT(c != '"');
		if (c == '\\') {
			c = (unsigned char)out[++k];
			FUZZ_ASSERT(k < len - 1 && strchr("\"\\/bfnrtu", c));
			if (c == 'u') {
				FUZZ_ASSERT(k + 4 < len - 1);
				k += 4;
			}
		}
	}
	free(out);
	free(s);
	return 0;
}
