/* extlinux-conf's parsing: the managed block of an existing extlinux.conf
 * (bootloader/confblock.h) and the kernel file names of a boot directory
 * (bootloader/extconf.h).  Input: "NAME/NAME/...\0CONFIG TEXT".  The
 * properties are the program's promises: text outside the block is kept
 * byte for byte, writing the same block twice changes nothing, and the
 * block written is one well-formed block, whatever the file names are.
 * FUZZ-SOURCES: bootloader/confblock.c bootloader/extconf.c bootloader/debver.c
 * FUZZ-CFLAGS: -Ibootloader
 */
#include <stdio.h>
#include <string.h>

#include "confblock.h"
#include "extconf.h"
#include "fuzz.h"

#define MAXK 8

/* The block must be found again as exactly itself, with one LABEL per
 * kernel and no marker line inside. */
static void
check_block(const char *block, size_t nkernels)
{
	struct confblock b;
	size_t len = strlen(block), line, labels = 0;
	const char *why, *p;

	FUZZ_ASSERT(confblock_find(block, len, &b, &line, &why) == 0);
	FUZZ_ASSERT(b.found && b.start == 0 && b.end == len);
	for (p = block; (p = strstr(p, "\nLABEL ")); p++)
		labels++;
	FUZZ_ASSERT(labels == nkernels);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *names = fuzz_str(data, size), *name, *save = NULL, *out, *again, *block;
	size_t nlen = strlen(names), tlen = nlen < size ? size - nlen - 1 : 0, outlen, againlen, line;
	const char *text = (const char *)data + size - tlen, *why;
	struct kernel k[MAXK];
	struct extconf c = { .prefix = "/boot", .root = "UUID=0f0e", .timeout = 50 };
	struct confblock b, b2;
	size_t n = 0, i;
	char *copy = malloc(tlen ? tlen : 1);

	memcpy(copy, text, tlen);   /* exact size: overreads are seen */

	for (name = strtok_r(names, "/", &save); name && n < MAXK; name = strtok_r(NULL, "/", &save)) {
		int rank;
		const char *v = extconf_kernel_version(name, &rank);
		char initrd[300];
		if (!v)
			continue;
		FUZZ_ASSERT(*v && rank >= 0 && rank <= 2 && strstr(name, v));
		/* syslinux splits LABEL and LINUX lines at blanks. */
		FUZZ_ASSERT(!strpbrk(v, " \t\n\r\v\f"));
		k[n].version = strdup(v);
		k[n].image = strdup(name);
		k[n].initrd = extconf_initrd_name(0, v, initrd, sizeof(initrd)) == 0 ? strdup(initrd) : NULL;
		if (asprintf(&k[n].label, "linux-%s", v) < 0)
			abort();
		n++;
	}
	extconf_sort(k, n);
	block = extconf_render(&c, k, n);
	FUZZ_ASSERT(block);
	check_block(block, n);

	if (confblock_find(copy, tlen, &b, &line, &why) < 0) {
		FUZZ_ASSERT(why && line >= 1);
	} else {
		if (b.found)
			FUZZ_ASSERT(b.start < b.end && b.end <= tlen &&
			            memcmp(copy + b.start, CONFBLOCK_BEGIN, strlen(CONFBLOCK_BEGIN)) == 0);
		out = confblock_replace(copy, tlen, &b, block, &outlen);
		FUZZ_ASSERT(out);
		/* Everything outside the block is kept. */
		if (b.found) {
			FUZZ_ASSERT(memcmp(out, copy, b.start) == 0);
			FUZZ_ASSERT(outlen >= tlen - b.end &&
			            memcmp(out + outlen - (tlen - b.end), copy + b.end, tlen - b.end) == 0);
		} else {
			FUZZ_ASSERT(outlen > tlen && memcmp(out, copy, tlen) == 0);
		}
		/* Found again as our block; a second run changes nothing. */
		FUZZ_ASSERT(confblock_find(out, outlen, &b2, &line, &why) == 0 && b2.found);
		FUZZ_ASSERT(b2.end - b2.start == strlen(block) &&
		            memcmp(out + b2.start, block, b2.end - b2.start) == 0);
		again = confblock_replace(out, outlen, &b2, block, &againlen);
		FUZZ_ASSERT(again && againlen == outlen && memcmp(again, out, outlen) == 0);
		confblock_has_label(out, outlen, &b2, "linux-6.1.0-13-amd64");
		confblock_has_label(copy, tlen, &b, "");
		free(again);
		free(out);
	}
	for (i = 0; i < n; i++) {
		free(k[i].version);
		free(k[i].image);
		free(k[i].initrd);
		free(k[i].label);
	}
	free(block);
	free(copy);
	free(names);
	return 0;
}
