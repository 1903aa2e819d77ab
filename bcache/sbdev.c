/* Reading a bcache superblock from a device or an image file. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/fs.h>

#include "sbdev.h"

int
sbdev_read(const char *path, struct sbdev *d, const char **why)
{
	struct stat st;
	ssize_t n;
	int fd, lbs, saved;

	memset(d, 0, sizeof(*d));
	*why = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		goto fail;
	d->lbs = 512;
	if (S_ISBLK(st.st_mode)) {
		uint64_t bytes;

		d->is_blockdev = 1;
		d->rdev = st.st_rdev;
		if (ioctl(fd, BLKGETSIZE64, &bytes) < 0)
			goto fail;
		d->capacity = bytes >> 9;
		if (ioctl(fd, BLKSSZGET, &lbs) == 0 && lbs > 0)
			d->lbs = (unsigned)lbs;
	} else if (S_ISREG(st.st_mode)) {
		d->capacity = (uint64_t)st.st_size >> 9;
	} else {
		close(fd);
		errno = 0;
		*why = "neither a block device nor an image file";
		return -1;
	}
	do
		n = pread(fd, d->buf, sizeof(d->buf), BCACHE_SB_START);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		goto fail;
	close(fd);
	d->len = (size_t)n;
	if (bcache_sb_parse(d->buf, d->len, &d->sb) < 0) {
		errno = 0;
		*why = "too small to hold a bcache superblock";
		return -1;
	}
	d->bcachefs = bcache_sb_is_bcachefs(d->buf, d->len);
	d->error = d->bcachefs ? "bcachefs superblock, not bcache" :
		bcache_sb_check(&d->sb, d->capacity, d->lbs);
	if (!d->error)
		d->run_error = bcache_sb_check_run(&d->sb);
	return 0;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}
