/* Kernels of a boot directory and the extlinux.conf entries for them. */
#ifndef BOOTLOADER_EXTCONF_H
#define BOOTLOADER_EXTCONF_H

#include <stddef.h>

struct kernel {
	char *version;
	char *image;    /* file name in the boot directory */
	char *initrd;   /* file name, or NULL */
	char *label;    /* "linux-VERSION" */
};

struct extconf {
	const char *prefix;   /* boot directory as seen by the loader: "" or "/boot" */
	const char *root;     /* root= value, or NULL for none */
	const char *append;   /* further kernel arguments, or NULL */
	unsigned timeout;     /* tenths of a second */
	const char *dflt;     /* default label; NULL: the newest kernel */
	int menu;             /* UI menu.c32 with MENU TITLE */
};

/* The version in a kernel image name (vmlinuz-V, bzImage-V, vmlinux-V),
 * or NULL: other files, an empty version, a version with blanks (no
 * syslinux label or path can hold one), and leftovers of package
 * managers and editors (.dpkg-*, .rpmnew, .bak, .old, ~) are no kernels.
 * *rank gets the preference of the name (lower is preferred) for when one
 * version has several images. */
const char *extconf_kernel_version(const char *name, int *rank);
/* The i-th initrd name to look for (i = 0, 1, ...) in order of preference:
 * initrd.img-V, initramfs-V.img, initrd-V.  0, or -1 past the last. */
int extconf_initrd_name(int i, const char *version, char *buf, size_t len);
/* Newest first, by Debian version order (ties: by name). */
void extconf_sort(struct kernel *k, size_t n);
/* The managed block, markers included, for kernels k[0..n) (sorted).
 * malloc'd; NULL on allocation failure. */
char *extconf_render(const struct extconf *c, const struct kernel *k, size_t n);

#endif
