/* faultshim: an LD_PRELOAD library that makes writes to one file fail the
 * way a disk or a kernel knob can, for the fault-injection tests.
 *   HK_FAULT_PATH   the file: a part of its path ("extlinux.conf.tmp"
 *                   catches write_file_atomic's temporary file)
 *   HK_FAULT        EINVAL, EBUSY, EIO, ENOSPC, EPERM, ...: the write fails
 *                   with that errno and writes nothing;
 *                   short: the write stores half of the bytes and says so;
 *                   fsync-EIO (or another errno): writes work, fsync and
 *                   fdatasync of the file fail
 *   HK_FAULT_COUNT  how many writes to hit (default: all of them)
 *   HK_FAULT_LOG    a file that gets one line per fault injected, so a test
 *                   knows the fault really happened
 * write, pwrite and pwrite64 are covered (what libutil and mbr-write use).
 * Truncation of the file (open with O_TRUNC, truncate) is a no-op under an
 * errno fault: a sysfs attribute whose store() refuses keeps its value, and
 * libutil's write_knob opens with O_TRUNC so that a test tree's plain file
 * acts like sysfs.  */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int left = -2;   /* -2: not read yet, -1: unlimited */

static const struct { const char *name; int err; } errs[] = {
	{ "EINVAL", EINVAL }, { "EBUSY", EBUSY }, { "EIO", EIO }, { "ENOSPC", ENOSPC },
	{ "EPERM", EPERM }, { "EACCES", EACCES }, { "EROFS", EROFS }, { "EAGAIN", EAGAIN },
	{ "ENODEV", ENODEV }, { "EEXIST", EEXIST },
};

static int
errno_of(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++)
		if (strcmp(name, errs[i].name) == 0)
			return errs[i].err;
	return EIO;
}

/* 0: leave the call alone; -1: fail with *err; 1: make a write short.
 * sync: the call is fsync or fdatasync. */
static int
fault_for(int fd, size_t n, int sync, int *err)
{
	const char *want = getenv("HK_FAULT_PATH"), *how = getenv("HK_FAULT"), *log;
	char link[64], path[4096];
	ssize_t len;

	if (!want || !how || n == 0 || sync != (strncmp(how, "fsync-", 6) == 0))
		return 0;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	if ((len = readlink(link, path, sizeof(path) - 1)) < 0)
		return 0;
	path[len] = '\0';
	if (!strstr(path, want))
		return 0;
	if (left == -2) {
		const char *count = getenv("HK_FAULT_COUNT");
		left = count ? (int)strtol(count, NULL, 10) : -1;
	}
	if (left == 0)
		return 0;
	if (left > 0)
		left--;
	if ((log = getenv("HK_FAULT_LOG"))) {
		int lfd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
		if (lfd >= 0) {
			dprintf(lfd, "%s %s %zu\n", how, path, n);
			close(lfd);
		}
	}
	if (strcmp(how, "short") == 0)
		return n > 1 ? 1 : (*err = EIO, -1);
	*err = errno_of(sync ? how + 6 : how);
	return -1;
}

ssize_t
write(int fd, const void *buf, size_t n)
{
	static ssize_t (*real)(int, const void *, size_t);
	int err, f;

	if (!real)
		real = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
	f = fault_for(fd, n, 0, &err);
	if (f < 0) {
		errno = err;
		return -1;
	}
	return real(fd, buf, f ? n / 2 : n);
}

ssize_t
pwrite(int fd, const void *buf, size_t n, off_t off)
{
	static ssize_t (*real)(int, const void *, size_t, off_t);
	int err, f;

	if (!real)
		real = (ssize_t (*)(int, const void *, size_t, off_t))dlsym(RTLD_NEXT, "pwrite");
	f = fault_for(fd, n, 0, &err);
	if (f < 0) {
		errno = err;
		return -1;
	}
	return real(fd, buf, f ? n / 2 : n, off);
}

static int
errno_fault_on(const char *path)
{
	const char *want = getenv("HK_FAULT_PATH"), *how = getenv("HK_FAULT");

	return want && how && strcmp(how, "short") != 0 && strncmp(how, "fsync-", 6) != 0 &&
	       strstr(path, want);
}

int
open(const char *path, int flags, ...)
{
	static int (*real)(const char *, int, ...);
	mode_t mode = 0;

	if (!real)
		real = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
	if (flags & (O_CREAT | O_TMPFILE)) {
		va_list ap;
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	if ((flags & O_TRUNC) && errno_fault_on(path))
		flags &= ~O_TRUNC;
	return real(path, flags, mode);
}

int
truncate(const char *path, off_t len)
{
	static int (*real)(const char *, off_t);

	if (!real)
		real = (int (*)(const char *, off_t))dlsym(RTLD_NEXT, "truncate");
	if (errno_fault_on(path))
		return 0;
	return real(path, len);
}

static int
sync_call(const char *name, int fd)
{
	int (*real)(int) = (int (*)(int))dlsym(RTLD_NEXT, name);
	int err;

	if (fault_for(fd, 1, 1, &err) < 0) {
		errno = err;
		return -1;
	}
	return real(fd);
}

int fsync(int fd) { return sync_call("fsync", fd); }
int fdatasync(int fd) { return sync_call("fdatasync", fd); }

ssize_t
pwrite64(int fd, const void *buf, size_t n, off_t off)
{
	return pwrite(fd, buf, n, off);
}
