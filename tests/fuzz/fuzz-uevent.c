/* Kernel uevent messages as bcache-register --watch receives them from the
 * netlink socket (bcache/uevent.h): "ACTION@DEVPATH\0KEY=VALUE\0...".
 * Anything parsed must lie inside the message, NUL-terminated there, and a
 * device name accepted for /dev must not leave /dev.
 * FUZZ-SOURCES: bcache/uevent.c
 * FUZZ-CFLAGS: -Ibcache
 * FUZZ-ARGS: -max_len=8192
 */
#include <stdio.h>
#include <string.h>

#include "uevent.h"
#include "fuzz.h"

static void
inside(const char *s, const char *buf, size_t len)
{
	if (!s)
		return;
	FUZZ_ASSERT(s >= buf && s < buf + len);
	FUZZ_ASSERT(memchr(s, '\0', (size_t)(buf + len - s)) != NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The socket's buffer: exactly the message, no terminator added. */
	char *buf = malloc(size ? size : 1);
	struct uevent ev;

	memcpy(buf, data, size);
	if (uevent_parse(buf, size, &ev) == 0) {
		FUZZ_ASSERT(ev.action && ev.devpath);
		inside(ev.action, buf, size);
		inside(ev.devpath, buf, size);
		inside(ev.subsystem, buf, size);
		inside(ev.devname, buf, size);
		inside(ev.devtype, buf, size);
		if (uevent_is_block_add_or_change(&ev)) {
			FUZZ_ASSERT(ev.devname && ev.devname[0] && ev.devname[0] != '/');
			FUZZ_ASSERT(!strstr(ev.devname, ".."));
		}
	}
	free(buf);
	return 0;
}
