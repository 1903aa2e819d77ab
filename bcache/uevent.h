/* Kernel uevents as they arrive on a NETLINK_KOBJECT_UEVENT socket:
 * "ACTION@DEVPATH\0KEY=VALUE\0KEY=VALUE\0...".  Pure parsing, no I/O, so
 * unit tests and fuzzers feed it any bytes. */
#ifndef HOSTKIT_BCACHE_UEVENT_H
#define HOSTKIT_BCACHE_UEVENT_H

#include <stddef.h>
#include <stdint.h>

struct uevent {
	/* point into the parsed buffer; NULL when absent */
	const char *action, *devpath, *subsystem, *devname, *devtype;
	unsigned major, minor;
	int has_devnum;          /* MAJOR and MINOR both present and valid */
	uint64_t seqnum;
};

/* Parses buf[0..len).  Returns 0, or -1 when the message is malformed:
 * no "ACTION@DEVPATH" header, a field that is not KEY=VALUE, a last
 * field without its NUL, ACTION or DEVPATH missing or disagreeing with the
 * header, bad numbers, or a message from udevd ("libudev" header). */
int uevent_parse(const char *buf, size_t len, struct uevent *ev);

/* True when the event is a block device appearing or changing, with a
 * device name that is safe to put after "/dev/". */
int uevent_is_block_add_or_change(const struct uevent *ev);

#endif
