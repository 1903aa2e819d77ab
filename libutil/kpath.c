/* The one mechanism that points every program at a test tree:
 * HOSTKIT_SYSFS and HOSTKIT_PROCFS replace /sys and /proc. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char *
root_from_env(const char *var, const char *dflt)
{
	const char *v = getenv(var);

	return (v && *v) ? v : dflt;
}

const char *
sysfs_root(void)
{
	return root_from_env("HOSTKIT_SYSFS", "/sys");
}

const char *
procfs_root(void)
{
	return root_from_env("HOSTKIT_PROCFS", "/proc");
}

static int
vbuild(char *buf, size_t len, const char *root, const char *fmt, va_list ap)
{
	int n, m;

	n = snprintf(buf, len, "%s", root);
	/* A root given as "dir/" must not produce "dir//kernel". */
	while (n > 1 && buf[n - 1] == '/')
		buf[--n] = '\0';
	if (n < 0 || (size_t)n >= len)
		goto toolong;
	m = vsnprintf(buf + n, len - n, fmt, ap);
	if (m < 0 || (size_t)m >= len - n)
		goto toolong;
	return 0;
toolong:
	if (len)
		buf[0] = '\0';
	errno = ENAMETOOLONG;
	return -1;
}

int
sysfs_path(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vbuild(buf, len, sysfs_root(), fmt, ap);
	va_end(ap);
	return r;
}

int
procfs_path(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vbuild(buf, len, procfs_root(), fmt, ap);
	va_end(ap);
	return r;
}
