/* Which mount holds a path, from /proc/self/mountinfo text. */
#ifndef BOOTLOADER_MOUNTINFO_H
#define BOOTLOADER_MOUNTINFO_H

#include <limits.h>

struct mount_entry {
	unsigned major, minor;
	char root[PATH_MAX];        /* the mount's root inside its filesystem */
	char mountpoint[PATH_MAX];
	char fstype[64];
};

/* Parses one mountinfo line (no newline needed); octal escapes (\040)
 * are decoded.  0, or -1 when the line is malformed. */
int mountinfo_parse_line(const char *line, struct mount_entry *out);
/* The mount holding path (absolute, canonical): the longest mount point
 * that is path or a parent of it; of equal ones the last listed, which is
 * mounted on top.  0, or -1 when none matches. */
int mountinfo_find(const char *text, const char *path, struct mount_entry *out);
/* path as seen from the root of its filesystem (for a boot loader that
 * reads that filesystem): "" for the filesystem's root directory,
 * "/boot" for /boot on the root filesystem.  0, or -1 when path is not
 * under m's mount point or does not fit. */
int mountinfo_fs_path(const struct mount_entry *m, const char *path, char *buf, size_t len);

#endif
