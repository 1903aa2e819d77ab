/* Kernel names, their order, and the extlinux.conf text for them.
 * Syntax: syslinux's doc/syslinux.txt (DEFAULT, TIMEOUT in tenths of a
 * second, PROMPT, UI, MENU TITLE, LABEL, LINUX, INITRD, APPEND). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "confblock.h"
#include "debver.h"
#include "extconf.h"

static const char *const image_prefixes[] = { "vmlinuz-", "bzImage-", "vmlinux-" };
static const char *const leftovers[] = { ".rpmnew", ".rpmsave", ".bak", ".old", "~" };

const char *
extconf_kernel_version(const char *name, int *rank)
{
	size_t i;

	for (i = 0; i < sizeof(image_prefixes) / sizeof(image_prefixes[0]); i++) {
		size_t k = strlen(image_prefixes[i]);
		const char *v = name + k;
		size_t j;

		if (strncmp(name, image_prefixes[i], k) != 0 || !*v)
			continue;
		/* A label or path with blanks would not survive syslinux's parser. */
		if (strstr(v, ".dpkg-") || strpbrk(v, " \t\n\r\v\f"))
			return NULL;
		for (j = 0; j < sizeof(leftovers) / sizeof(leftovers[0]); j++) {
			size_t vl = strlen(v), sl = strlen(leftovers[j]);
			if (vl >= sl && strcmp(v + vl - sl, leftovers[j]) == 0)
				return NULL;
		}
		if (rank)
			*rank = (int)i;
		return v;
	}
	return NULL;
}

int
extconf_initrd_name(int i, const char *version, char *buf, size_t len)
{
	static const char *const form[][2] = {
		{ "initrd.img-", "" }, { "initramfs-", ".img" }, { "initrd-", "" },
	};
	int n;

	if (i < 0 || (size_t)i >= sizeof(form) / sizeof(form[0]))
		return -1;
	n = snprintf(buf, len, "%s%s%s", form[i][0], version, form[i][1]);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

static int
newest_first(const void *a, const void *b)
{
	const struct kernel *x = a, *y = b;
	int r = debver_cmp(y->version, x->version);

	return r ? r : strcmp(x->image, y->image);
}

void
extconf_sort(struct kernel *k, size_t n)
{
	if (n > 1)   /* qsort wants a valid pointer even for nothing */
		qsort(k, n, sizeof(*k), newest_first);
}

char *
extconf_render(const struct extconf *c, const struct kernel *k, size_t n)
{
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	fprintf(f, "%s -- written by extlinux-conf(8); edit outside this block\n",
	        CONFBLOCK_BEGIN);
	if (c->dflt || n)
		fprintf(f, "DEFAULT %s\n", c->dflt ? c->dflt : k[0].label);
	fprintf(f, "TIMEOUT %u\n", c->timeout);
	if (c->menu)
		fputs("UI menu.c32\nMENU TITLE Linux\n", f);
	else
		fputs("PROMPT 1\n", f);
	for (i = 0; i < n; i++) {
		fprintf(f, "\nLABEL %s\n", k[i].label);
		if (c->menu)
			fprintf(f, "\tMENU LABEL Linux %s\n", k[i].version);
		fprintf(f, "\tLINUX %s/%s\n", c->prefix, k[i].image);
		if (k[i].initrd)
			fprintf(f, "\tINITRD %s/%s\n", c->prefix, k[i].initrd);
		if (c->root || c->append)
			fprintf(f, "\tAPPEND %s%s%s%s\n", c->root ? "root=" : "", c->root ? c->root : "",
			        c->root && c->append ? " " : "", c->append ? c->append : "");
	}
	fprintf(f, "%s\n", CONFBLOCK_END);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
