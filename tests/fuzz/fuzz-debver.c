/* Debian version order (bootloader/debver.h), which decides the default
 * kernel: three versions, one per line.  It must be an order: equal to
 * itself, antisymmetric and transitive, or qsort is undefined.
 * FUZZ-SOURCES: bootloader/debver.c
 * FUZZ-CFLAGS: -Ibootloader
 */
#include <stdio.h>
#include <string.h>

#include "debver.h"
#include "fuzz.h"

static int
sign(int x)
{
	return (x > 0) - (x < 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size), *v[3] = { "", "", "" }, *save = NULL, *t;
	int i = 0, ab, bc, ac;

	for (t = strtok_r(s, "\n", &save); t && i < 3; t = strtok_r(NULL, "\n", &save))
		v[i++] = t;
	FUZZ_ASSERT(debver_cmp(v[0], v[0]) == 0);
	ab = sign(debver_cmp(v[0], v[1]));
	bc = sign(debver_cmp(v[1], v[2]));
	ac = sign(debver_cmp(v[0], v[2]));
	FUZZ_ASSERT(ab == -sign(debver_cmp(v[1], v[0])));
	if (ab <= 0 && bc <= 0)
		FUZZ_ASSERT(ac <= 0);
	if (ab >= 0 && bc >= 0)
		FUZZ_ASSERT(ac >= 0);
	FUZZ_ASSERT(sign(debver_verrevcmp(v[0], v[1])) == -sign(debver_verrevcmp(v[1], v[0])));
	free(s);
	return 0;
}
