/* Finding and replacing the managed block of extlinux.conf. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "confblock.h"

static int
starts(const char *line, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	return n >= k && memcmp(line, prefix, k) == 0;
}

int
confblock_find(const char *text, size_t len, struct confblock *b, size_t *line,
               const char **why)
{
	size_t off = 0, lineno = 0, begin_line = 0;
	int inside = 0;

	b->found = 0;
	b->start = b->end = 0;
	while (off < len) {
		const char *p = text + off;
		const char *nl = memchr(p, '\n', len - off);
		size_t n = nl ? (size_t)(nl - p) : len - off;
		size_t next = off + n + (nl ? 1 : 0);

		lineno++;
		if (starts(p, n, CONFBLOCK_BEGIN)) {
			if (inside || b->found) {
				*line = lineno;
				*why = inside ? "BEGIN marker inside the block" : "a second managed block";
				return -1;
			}
			inside = 1;
			begin_line = lineno;
			b->start = off;
		} else if (starts(p, n, CONFBLOCK_END)) {
			if (!inside) {
				*line = lineno;
				*why = "END marker without BEGIN";
				return -1;
			}
			inside = 0;
			b->found = 1;
			b->end = next;
		}
		off = next;
	}
	if (inside) {
		*line = begin_line;
		*why = "BEGIN marker without END";
		return -1;
	}
	return 0;
}

char *
confblock_replace(const char *text, size_t len, const struct confblock *b,
                  const char *block, size_t *outlen)
{
	size_t blen = strlen(block), head, tail, sep = 0, n;
	char *out;

	if (b->found) {
		head = b->start;
		tail = len - b->end;
	} else {
		head = len;
		tail = 0;
		sep = len > 0 && text[len - 1] != '\n';
	}
	n = head + sep + blen + tail;
	out = malloc(n + 1);
	if (!out)
		return NULL;
	memcpy(out, text, head);
	if (sep)
		out[head] = '\n';
	memcpy(out + head + sep, block, blen);
	memcpy(out + head + sep + blen, text + len - tail, tail);
	out[n] = '\0';
	*outlen = n;
	return out;
}

/* "LABEL name" (keyword case-insensitive, as syslinux reads it). */
static int
is_label_line(const char *p, size_t n, const char *name)
{
	size_t k = strlen(name), i = 0;

	while (i < n && isspace((unsigned char)p[i]))
		i++;
	if (n - i < 6 || strncasecmp(p + i, "label", 5) != 0 || !isspace((unsigned char)p[i + 5]))
		return 0;
	i += 5;
	while (i < n && isspace((unsigned char)p[i]))
		i++;
	if (n - i < k || memcmp(p + i, name, k) != 0)
		return 0;
	for (i += k; i < n; i++)
		if (!isspace((unsigned char)p[i]))
			return 0;
	return 1;
}

int
confblock_has_label(const char *text, size_t len, const struct confblock *b,
                    const char *name)
{
	size_t off = 0;

	while (off < len) {
		const char *p = text + off;
		const char *nl = memchr(p, '\n', len - off);
		size_t n = nl ? (size_t)(nl - p) : len - off;
		int in_block = b->found && off >= b->start && off < b->end;

		if (!in_block && is_label_line(p, n, name))
			return 1;
		off += n + (nl ? 1 : 0);
	}
	return 0;
}
