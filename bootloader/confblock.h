/* The block of extlinux.conf that extlinux-conf manages, between marker
 * comments; everything outside it belongs to people and is kept byte for
 * byte. */
#ifndef BOOTLOADER_CONFBLOCK_H
#define BOOTLOADER_CONFBLOCK_H

#include <stddef.h>

#define CONFBLOCK_BEGIN "# BEGIN extlinux-conf"
#define CONFBLOCK_END   "# END extlinux-conf"

struct confblock {
	int found;
	size_t start;   /* offset of the BEGIN line */
	size_t end;     /* offset just past the END line (and its newline) */
};

/* Locates the block in text[0..len).  A marker is a line that starts with
 * CONFBLOCK_BEGIN or CONFBLOCK_END.  0 (found or not), or -1 for a
 * malformed file: *line gets the 1-based line number and *why the reason
 * (END without BEGIN, BEGIN without END, a second block). */
int confblock_find(const char *text, size_t len, struct confblock *b, size_t *line,
                   const char **why);
/* text with the block replaced by block (or, when there is none, appended
 * at the end after a newline if the text lacks one).  malloc'd, length in
 * *outlen; NULL on allocation failure. */
char *confblock_replace(const char *text, size_t len, const struct confblock *b,
                        const char *block, size_t *outlen);
/* Whether a "LABEL name" line exists outside the block. */
int confblock_has_label(const char *text, size_t len, const struct confblock *b,
                        const char *name);

#endif
