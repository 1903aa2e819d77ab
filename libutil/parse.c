/* Strict number and size parsing: a typo never becomes a silent zero. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

int
parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!s || !isdigit((unsigned char)*s)) {
		errno = EINVAL;
		return -1;
	}
	for (; *s; s++) {
		unsigned d;
		if (!isdigit((unsigned char)*s)) {
			errno = EINVAL;
			return -1;
		}
		d = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - d) / 10) {
			errno = ERANGE;
			return -1;
		}
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int
parse_i64(const char *s, int64_t *out)
{
	uint64_t mag;
	int neg = 0;

	if (!s) {
		errno = EINVAL;
		return -1;
	}
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (parse_u64(s, &mag) < 0)
		return -1;
	if (neg ? mag > (uint64_t)INT64_MAX + 1 : mag > (uint64_t)INT64_MAX) {
		errno = ERANGE;
		return -1;
	}
	*out = neg ? (int64_t)(0 - mag) : (int64_t)mag;
	return 0;
}

static int
unit_shift(const char *u, unsigned *shift)
{
	static const char units[] = "KMGTPE";
	const char *p;

	if (*u == '\0') {
		*shift = 0;
		return 0;
	}
	if (*u == 'B' && u[1] == '\0') {
		*shift = 0;
		return 0;
	}
	p = strchr(units, toupper((unsigned char)*u));
	if (!p || !*u)
		return -1;
	u++;
	if (*u == 'i')
		u++;
	if (*u == 'B' || *u == 'b')
		u++;
	if (*u != '\0')
		return -1;
	*shift = 10 * (unsigned)(p - units + 1);
	return 0;
}

int
parse_size(const char *s, uint64_t *out)
{
	uint64_t whole = 0, frac = 0, fracdiv = 1, v;
	unsigned shift;
	const char *p = s;

	if (!s || !isdigit((unsigned char)*p)) {
		errno = EINVAL;
		return -1;
	}
	for (; isdigit((unsigned char)*p); p++) {
		unsigned d = (unsigned)(*p - '0');
		if (whole > (UINT64_MAX - d) / 10) {
			errno = ERANGE;
			return -1;
		}
		whole = whole * 10 + d;
	}
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p)) {
			errno = EINVAL;
			return -1;
		}
		for (; isdigit((unsigned char)*p); p++) {
			if (fracdiv >= 1000000000000ULL) {  /* 12 digits is plenty */
				errno = EINVAL;
				return -1;
			}
			frac = frac * 10 + (uint64_t)(*p - '0');
			fracdiv *= 10;
		}
	}
	if (unit_shift(p, &shift) < 0) {
		errno = EINVAL;
		return -1;
	}
	if (shift && whole > (UINT64_MAX >> shift)) {
		errno = ERANGE;
		return -1;
	}
	v = whole << shift;
	if (frac) {
		/* frac/fracdiv of one unit must be a whole number of bytes. */
		uint64_t unit = (uint64_t)1 << shift, part;
		if (shift == 0 || frac > UINT64_MAX / unit ||
		    (frac * unit) % fracdiv != 0) {
			errno = EINVAL;
			return -1;
		}
		part = frac * unit / fracdiv;
		if (v > UINT64_MAX - part) {
			errno = ERANGE;
			return -1;
		}
		v += part;
	}
	*out = v;
	return 0;
}

char *
format_size(uint64_t bytes, char *buf, size_t len)
{
	static const char units[] = "KMGTPE";
	unsigned i = 0;
	uint64_t unit = 1024;

	if (bytes < 1024) {
		snprintf(buf, len, "%llu", (unsigned long long)bytes);
		return buf;
	}
	while (i + 1 < sizeof(units) - 1 && bytes / unit >= 1024) {
		unit <<= 10;
		i++;
	}
	if (bytes % unit == 0)
		snprintf(buf, len, "%llu%c", (unsigned long long)(bytes / unit), units[i]);
	else
		snprintf(buf, len, "%.1f%c", (double)bytes / (double)unit, units[i]);
	return buf;
}
