/* Kernel uevents: "ACTION@DEVPATH\0KEY=VALUE\0...". */
#include <string.h>

#include "uevent.h"
#include "util.h"

/* Decimal fields: strict, no sign, within limit. */
static int
parse_num(const char *s, uint64_t limit, uint64_t *out)
{
	return parse_u64(s, out) == 0 && *out <= limit ? 0 : -1;
}

int
uevent_parse(const char *buf, size_t len, struct uevent *ev)
{
	const char *p = buf, *end = buf + len, *at, *nul;
	const char *major = NULL, *minor = NULL;
	size_t hdr_action_len;
	uint64_t v;

	memset(ev, 0, sizeof(*ev));
	/* every field, the last included, ends in a NUL */
	if (!len || buf[len - 1] != '\0')
		return -1;
	if (!strcmp(buf, "libudev"))
		return -1;
	at = strchr(buf, '@');
	if (!at || at == buf || at[1] != '/')
		return -1;
	hdr_action_len = (size_t)(at - buf);

	for (p += strlen(p) + 1; p < end; p = nul + 1) {
		const char *eq = strchr(p, '=');

		nul = p + strlen(p);
		if (!eq || eq == p)
			return -1;
#define FIELD(key) (eq - p == (ptrdiff_t)strlen(key) && !strncmp(p, key, strlen(key)))
		if (FIELD("ACTION"))
			ev->action = eq + 1;
		else if (FIELD("DEVPATH"))
			ev->devpath = eq + 1;
		else if (FIELD("SUBSYSTEM"))
			ev->subsystem = eq + 1;
		else if (FIELD("DEVNAME"))
			ev->devname = eq + 1;
		else if (FIELD("DEVTYPE"))
			ev->devtype = eq + 1;
		else if (FIELD("MAJOR"))
			major = eq + 1;
		else if (FIELD("MINOR"))
			minor = eq + 1;
		else if (FIELD("SEQNUM")) {
			if (parse_num(eq + 1, UINT64_MAX, &ev->seqnum) < 0)
				return -1;
		}
#undef FIELD
	}
	if (!ev->action || !ev->devpath)
		return -1;
	/* the header repeats ACTION and DEVPATH; a message where they differ
	 * was not written by the kernel */
	if (strlen(ev->action) != hdr_action_len || strncmp(ev->action, buf, hdr_action_len) ||
	    strcmp(ev->devpath, at + 1))
		return -1;
	if (major || minor) {
		if (!major || !minor)
			return -1;
		if (parse_num(major, 0xfff, &v) < 0)
			return -1;
		ev->major = (unsigned)v;
		if (parse_num(minor, 0xfffff, &v) < 0)
			return -1;
		ev->minor = (unsigned)v;
		ev->has_devnum = 1;
	}
	return 0;
}

int
uevent_is_block_add_or_change(const struct uevent *ev)
{
	const char *n = ev->devname;

	if (!ev->subsystem || strcmp(ev->subsystem, "block"))
		return 0;
	if (!ev->action || (strcmp(ev->action, "add") && strcmp(ev->action, "change")))
		return 0;
	/* DEVNAME is relative to /dev and may name a subdirectory: refuse
	 * absolute names and ".." */
	if (!n || !*n || *n == '/' || strstr(n, "..") || strlen(n) > 200)
		return 0;
	return 1;
}
