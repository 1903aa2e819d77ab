/* Debian version comparison, as dpkg does it (lib/dpkg/version.c). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "debver.h"

/* Weight of a non-digit character: '~' lowest (below the end of the
 * string, which weighs 0), then letters, then everything else. */
static int
weight(unsigned char c)
{
	if (c == '\0' || isdigit(c))
		return 0;
	if (c == '~')
		return -1;
	if (isalpha(c))
		return c;
	return c + 256;
}

int
debver_verrevcmp(const char *a, const char *b)
{
	const unsigned char *p = (const unsigned char *)(a ? a : "");
	const unsigned char *q = (const unsigned char *)(b ? b : "");

	while (*p || *q) {
		int first_diff = 0;

		/* A run of non-digits, character by character. */
		while ((*p && !isdigit(*p)) || (*q && !isdigit(*q))) {
			int wp = weight(*p), wq = weight(*q);

			if (wp != wq)
				return wp - wq;
			p++;
			q++;
		}
		/* A run of digits, as a number: leading zeros do not count,
		 * the longer run is bigger, else the first differing digit. */
		while (*p == '0')
			p++;
		while (*q == '0')
			q++;
		while (isdigit(*p) && isdigit(*q)) {
			if (!first_diff)
				first_diff = *p - *q;
			p++;
			q++;
		}
		if (isdigit(*p))
			return 1;
		if (isdigit(*q))
			return -1;
		if (first_diff)
			return first_diff;
	}
	return 0;
}

struct parts {
	unsigned long epoch;
	char *upstream;   /* points into a copy */
	const char *revision;
};

/* Splits "epoch:upstream-revision".  A part before ':' that is not all
 * digits is no epoch (kernel file names are not always Debian versions);
 * the revision follows the last '-', and is "" without one. */
static char *
split(const char *v, struct parts *out)
{
	char *copy = strdup(v ? v : ""), *colon, *dash, *end;

	if (!copy)
		abort();
	out->epoch = 0;
	out->upstream = copy;
	colon = strchr(copy, ':');
	if (colon && colon > copy) {
		unsigned long e = strtoul(copy, &end, 10);
		if (end == colon && isdigit((unsigned char)copy[0])) {
			out->epoch = e;
			out->upstream = colon + 1;
		}
	}
	dash = strrchr(out->upstream, '-');
	if (dash) {
		*dash = '\0';
		out->revision = dash + 1;
	} else {
		out->revision = "";
	}
	return copy;
}

int
debver_cmp(const char *a, const char *b)
{
	struct parts pa, pb;
	char *ca = split(a, &pa), *cb = split(b, &pb);
	int r;

	if (pa.epoch != pb.epoch)
		r = pa.epoch > pb.epoch ? 1 : -1;
	else if ((r = debver_verrevcmp(pa.upstream, pb.upstream)) == 0)
		r = debver_verrevcmp(pa.revision, pb.revision);
	free(ca);
	free(cb);
	return r;
}
