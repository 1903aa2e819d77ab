/* Reading /proc/self/mountinfo (see proc_pid_mountinfo(5)):
 *   36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw
 *   id parent maj:min root mountpoint options [optional...] - type source super */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mountinfo.h"

/* Copies one space-separated field, decoding the kernel's \ooo escapes. */
static const char *
field(const char *p, char *buf, size_t len)
{
	size_t n = 0;

	while (*p == ' ')
		p++;
	if (!*p || *p == '\n')
		return NULL;
	while (*p && *p != ' ' && *p != '\n') {
		char c = *p++;
		if (c == '\\' && p[0] >= '0' && p[0] <= '3' && p[1] >= '0' && p[1] <= '7' &&
		    p[2] >= '0' && p[2] <= '7') {
			c = (char)((p[0] - '0') * 64 + (p[1] - '0') * 8 + (p[2] - '0'));
			p += 3;
		}
		if (n + 1 >= len)
			return NULL;
		buf[n++] = c;
	}
	buf[n] = '\0';
	return p;
}

/* "maj:min", decimal, nothing else. */
static int
parse_devno(const char *s, unsigned *major, unsigned *minor)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9' || (v = strtoul(s, &end, 10)) > UINT_MAX || *end != ':')
		return -1;
	*major = (unsigned)v;
	s = end + 1;
	if (*s < '0' || *s > '9' || (v = strtoul(s, &end, 10)) > UINT_MAX || *end)
		return -1;
	*minor = (unsigned)v;
	return 0;
}

int
mountinfo_parse_line(const char *line, struct mount_entry *m)
{
	char tmp[PATH_MAX];
	const char *p = line;
	int i;

	/* mount id, parent id */
	for (i = 0; i < 2; i++)
		if (!(p = field(p, tmp, sizeof(tmp))))
			return -1;
	if (!(p = field(p, tmp, sizeof(tmp))) || parse_devno(tmp, &m->major, &m->minor) < 0)
		return -1;
	if (!(p = field(p, m->root, sizeof(m->root))) || m->root[0] != '/')
		return -1;
	if (!(p = field(p, m->mountpoint, sizeof(m->mountpoint))) || m->mountpoint[0] != '/')
		return -1;
	/* options, then optional fields up to the "-" separator */
	do
		if (!(p = field(p, tmp, sizeof(tmp))))
			return -1;
	while (strcmp(tmp, "-") != 0);
	if (!field(p, m->fstype, sizeof(m->fstype)))
		return -1;
	return 0;
}

/* How much of path the mount point covers, or -1. */
static long
covers(const char *mountpoint, const char *path)
{
	size_t n = strlen(mountpoint);

	if (strcmp(mountpoint, "/") == 0)
		return 1;
	if (strncmp(mountpoint, path, n) == 0 && (path[n] == '\0' || path[n] == '/'))
		return (long)n;
	return -1;
}

int
mountinfo_find(const char *text, const char *path, struct mount_entry *out)
{
	struct mount_entry m;
	char line[3 * PATH_MAX];
	const char *p = text;
	long best = -1;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		if (n < sizeof(line)) {
			memcpy(line, p, n);
			line[n] = '\0';
			if (mountinfo_parse_line(line, &m) == 0) {
				long c = covers(m.mountpoint, path);
				if (c >= 0 && c >= best) {
					best = c;
					*out = m;
				}
			}
		}
		p += n;
		if (*p)
			p++;
	}
	return best >= 0 ? 0 : -1;
}

int
mountinfo_fs_path(const struct mount_entry *m, const char *path, char *buf, size_t len)
{
	long c = covers(m->mountpoint, path);
	size_t rootlen = strlen(m->root);
	const char *rest;
	int n;

	if (c < 0)
		return -1;
	rest = strcmp(m->mountpoint, "/") == 0 ? path : path + c;
	/* "/" + "/boot" must give "/boot", "/" + "" must give "". */
	while (rootlen > 0 && m->root[rootlen - 1] == '/')
		rootlen--;
	n = snprintf(buf, len, "%.*s%s", (int)rootlen, m->root, rest);
	if (n < 0 || (size_t)n >= len)
		return -1;
	/* The filesystem root itself: "" (callers add "/name"). */
	if (strcmp(buf, "/") == 0)
		buf[0] = '\0';
	return 0;
}
