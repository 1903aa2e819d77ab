/* Helpers shared by the fuzz targets: the input as a C string, since most
 * of what hostkit parses is text read into a NUL-terminated buffer.  The
 * copy is exactly as long as needed, so AddressSanitizer sees any read
 * past the terminator.  */
#ifndef HOSTKIT_FUZZ_H
#define HOSTKIT_FUZZ_H

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input up to its first NUL, as a malloc'd string (never NULL). */
static inline char *
fuzz_str(const uint8_t *data, size_t size)
{
	size_t n = strnlen((const char *)data, size);
	char *s = malloc(n + 1);

	if (!s)
		abort();
	memcpy(s, data, n);
	s[n] = '\0';
	return s;
}

/* A non-empty string of decimal digits only. */
static inline int
fuzz_all_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

/* A property a parser must keep; a failed one is a crash libFuzzer keeps. */
#define FUZZ_ASSERT(c) do { if (!(c)) { \
	fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #c); \
	abort(); } } while (0)

#endif
