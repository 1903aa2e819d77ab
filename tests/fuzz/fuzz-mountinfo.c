/* /proc/self/mountinfo parsing (bootloader/mountinfo.h), which
 * extlinux-conf uses to find the filesystem holding the boot directory.
 * Mount points are chosen by whoever mounts, and may hold any byte the
 * kernel escapes.
 * FUZZ-SOURCES: bootloader/mountinfo.c
 * FUZZ-CFLAGS: -Ibootloader
 */
#include <stdio.h>
#include <string.h>

#include "mountinfo.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mount_entry m;
	static const char *const paths[] = { "/", "/boot", "/boot/efi", "/mnt/a b" };
	char *s = fuzz_str(data, size), buf[256];
	size_t i;

	if (mountinfo_parse_line(s, &m) == 0) {
		FUZZ_ASSERT(m.root[0] == '/');
		FUZZ_ASSERT(strlen(m.mountpoint) < sizeof(m.mountpoint) && strlen(m.fstype) < sizeof(m.fstype));
	}
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		if (mountinfo_find(s, paths[i], &m) == 0 &&
		    mountinfo_fs_path(&m, paths[i], buf, sizeof(buf)) == 0)
			FUZZ_ASSERT(buf[0] == '\0' || buf[0] == '/');
	}
	free(s);
	return 0;
}
