/* Reading and writing the small files of sysfs, procfs and /etc. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

ssize_t
read_small_file(const char *path, char *buf, size_t len)
{
	ssize_t n;
	char extra;
	int fd, saved;

	if (len == 0) {
		errno = EINVAL;
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	do
		n = read(fd, buf, len - 1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		goto fail;
	/* A regular file may hold more than fits; say so instead of
	 * silently truncating.  (sysfs values fit in one page.) */
	if ((size_t)n == len - 1) {
		ssize_t m = read(fd, &extra, 1);
		if (m > 0) {
			errno = EFBIG;
			goto fail;
		}
	}
	close(fd);
	while (n > 0 && buf[n - 1] == '\n')
		n--;
	buf[n] = '\0';
	return n;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

int
read_u64_file(const char *path, uint64_t *out)
{
	char buf[64];

	if (read_small_file(path, buf, sizeof(buf)) < 0)
		return -1;
	return parse_u64(buf, out);
}

int
write_knob(const char *path, const char *s)
{
	size_t len = strlen(s);
	ssize_t n;
	int fd, saved;

	/* O_TRUNC, as the shell's `echo 1 > knob`: sysfs and procfs ignore it,
	 * and a plain file of a test tree then holds just the new value, the
	 * way the kernel shows a knob after a store. */
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -1;
	do
		n = write(fd, s, len);
	while (n < 0 && errno == EINTR);
	saved = errno;
	if (close(fd) < 0 && n >= 0) {
		return -1;
	}
	if (n < 0) {
		errno = saved;
		return -1;
	}
	if ((size_t)n != len) {
		errno = EIO;
		return -1;
	}
	return 0;
}

static int
write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0) {
			errno = EIO;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
write_file_atomic(const char *path, const void *data, size_t len, int backup)
{
	char tmp[PATH_MAX], bak[PATH_MAX], dircopy[PATH_MAX];
	struct stat st;
	mode_t mode = 0644;
	int fd, dfd, saved, have_old;

	if (snprintf(tmp, sizeof(tmp), "%s.tmpXXXXXX", path) >= (int)sizeof(tmp) ||
	    snprintf(bak, sizeof(bak), "%s.bak", path) >= (int)sizeof(bak) ||
	    snprintf(dircopy, sizeof(dircopy), "%s", path) >= (int)sizeof(dircopy)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	have_old = stat(path, &st) == 0;
	if (have_old)
		mode = st.st_mode & 07777;
	fd = mkstemp(tmp);
	if (fd < 0)
		return -1;
	if (fchmod(fd, mode) < 0 || write_all(fd, data, len) < 0 || fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (backup && have_old) {
		/* The old file becomes path.bak through a hard link under a
		 * temporary name renamed over the old backup: never a moment
		 * without a backup, and two runs at once cannot trip over each
		 * other's unlink. */
		char tmpbak[PATH_MAX];
		int bfd;

		if (snprintf(tmpbak, sizeof(tmpbak), "%s.bakXXXXXX", path) >= (int)sizeof(tmpbak)) {
			errno = ENAMETOOLONG;
			goto fail;
		}
		bfd = mkstemp(tmpbak);      /* reserve a unique name ... */
		if (bfd < 0)
			goto fail;
		close(bfd);
		unlink(tmpbak);             /* ... and link the old file there */
		if (link(path, tmpbak) < 0)
			goto fail;
		if (rename(tmpbak, bak) < 0) {
			int e = errno;
			unlink(tmpbak);
			errno = e;
			goto fail;
		}
	}
	if (rename(tmp, path) < 0)
		goto fail;
	/* Make the rename itself durable. */
	dfd = open(dirname(dircopy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
fail:
	saved = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	errno = saved;
	return -1;
}
