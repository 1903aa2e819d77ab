/* Reading a bcache superblock from a device or an image file. */
#ifndef HOSTKIT_BCACHE_SBDEV_H
#define HOSTKIT_BCACHE_SBDEV_H

#include <stdint.h>
#include <sys/types.h>

#include "sb.h"

struct sbdev {
	uint8_t buf[BCACHE_SB_SIZE];
	size_t len;              /* bytes read into buf */
	uint64_t capacity;       /* 512-byte sectors */
	unsigned lbs;            /* logical block size in bytes (512 for files) */
	int is_blockdev;
	dev_t rdev;              /* when is_blockdev */
	struct bcache_sb sb;
	int bcachefs;            /* a bcachefs superblock, not bcache */
	const char *error;       /* NULL, or the kernel's reason for refusing it */
	const char *run_error;   /* read_super passes, but the kernel will not run it */
};

/* Opens path read-only, reads and checks its superblock.  0 (then see
 * d->error), or -1 with errno, or -1 with errno = 0 and *why set when
 * path is neither a block device nor a regular file, or too small to hold
 * a superblock. */
int sbdev_read(const char *path, struct sbdev *d, const char **why);

#endif
