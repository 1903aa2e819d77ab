/* Unit tests of the uevent parser, malformed messages first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "uevent.h"

/* A message literal; sizeof includes the final NUL of the literal. */
#define MSG(s) s, sizeof(s)

static const char loop_change[] =
	"change@/devices/virtual/block/loop3\0ACTION=change\0"
	"DEVPATH=/devices/virtual/block/loop3\0SUBSYSTEM=block\0MAJOR=7\0MINOR=3\0"
	"DEVNAME=loop3\0DEVTYPE=disk\0DISKSEQ=42\0SEQNUM=4711";

static void
test_kernel_message(void **state)
{
	struct uevent ev;

	assert_int_equal(uevent_parse(MSG(loop_change), &ev), 0);
	assert_string_equal(ev.action, "change");
	assert_string_equal(ev.devpath, "/devices/virtual/block/loop3");
	assert_string_equal(ev.subsystem, "block");
	assert_string_equal(ev.devname, "loop3");
	assert_string_equal(ev.devtype, "disk");
	assert_true(ev.has_devnum);
	assert_int_equal(ev.major, 7);
	assert_int_equal(ev.minor, 3);
	assert_int_equal(ev.seqnum, 4711);
	assert_true(uevent_is_block_add_or_change(&ev));
}

static void
test_not_for_us(void **state)
{
	struct uevent ev;

	assert_int_equal(uevent_parse(MSG("remove@/devices/virtual/block/loop3\0ACTION=remove\0"
		"DEVPATH=/devices/virtual/block/loop3\0SUBSYSTEM=block\0DEVNAME=loop3"), &ev), 0);
	assert_false(uevent_is_block_add_or_change(&ev));
	assert_int_equal(uevent_parse(MSG("add@/module/bcache\0ACTION=add\0"
		"DEVPATH=/module/bcache\0SUBSYSTEM=module"), &ev), 0);
	assert_false(uevent_is_block_add_or_change(&ev));
	assert_false(ev.has_devnum);
	/* a block event without a device name */
	assert_int_equal(uevent_parse(MSG("add@/devices/x\0ACTION=add\0"
		"DEVPATH=/devices/x\0SUBSYSTEM=block"), &ev), 0);
	assert_false(uevent_is_block_add_or_change(&ev));
	/* device names that would leave /dev */
	assert_int_equal(uevent_parse(MSG("add@/devices/x\0ACTION=add\0"
		"DEVPATH=/devices/x\0SUBSYSTEM=block\0DEVNAME=../etc/shadow"), &ev), 0);
	assert_false(uevent_is_block_add_or_change(&ev));
	assert_int_equal(uevent_parse(MSG("add@/devices/x\0ACTION=add\0"
		"DEVPATH=/devices/x\0SUBSYSTEM=block\0DEVNAME=/etc/shadow"), &ev), 0);
	assert_false(uevent_is_block_add_or_change(&ev));
}

static void
test_malformed(void **state)
{
	static const struct { const char *m; size_t len; } bad[] = {
		{ MSG("") },
		{ MSG("add") },                                  /* no '@' */
		{ MSG("@/devices/x\0ACTION=\0DEVPATH=/devices/x") }, /* empty action */
		{ MSG("add@devices/x\0ACTION=add\0DEVPATH=devices/x") }, /* not a path */
		{ MSG("add@/devices/x\0ACTION=add") },            /* DEVPATH missing */
		{ MSG("add@/devices/x\0DEVPATH=/devices/x") },    /* ACTION missing */
		{ MSG("add@/devices/x\0ACTION=remove\0DEVPATH=/devices/x") }, /* header disagrees */
		{ MSG("add@/devices/x\0ACTION=add\0DEVPATH=/devices/y") },
		{ MSG("add@/devices/x\0ACTION=addd\0DEVPATH=/devices/x") },
		{ MSG("add@/devices/x\0ACTION=add\0DEVPATH=/devices/x\0NOEQUALS") },
		{ MSG("add@/devices/x\0ACTION=add\0DEVPATH=/devices/x\0=value") },
		{ MSG("add@/devices/x\0ACTION=add\0DEVPATH=/devices/x\0MAJOR=8") }, /* MINOR missing */
		{ MSG("add@/devices/x\0ACTION=add\0DEVPATH=/devices/x\0MAJOR=-8\0MINOR=0") },
		{ MSG("add@/devices/x\0ACTION=add\0DEVPATH=/devices/x\0MAJOR=8x\0MINOR=0") },
		{ MSG("add@/devices/x\0ACTION=add\0DEVPATH=/devices/x\0MAJOR=4096\0MINOR=0") },
		{ MSG("add@/devices/x\0ACTION=add\0DEVPATH=/devices/x\0MAJOR=8\0MINOR=99999999999999999999") },
		{ MSG("add@/devices/x\0ACTION=add\0DEVPATH=/devices/x\0SEQNUM=") },
		{ MSG("libudev\0\xfe\xed\xca\xfe") },             /* udevd's own format */
	};
	struct uevent ev;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (uevent_parse(bad[i].m, bad[i].len, &ev) != -1)
			fail_msg("malformed message %zu accepted", i);
	}
	/* cut anywhere but at the very end: the last field lacks its NUL */
	for (i = 1; i < sizeof(loop_change) - 1; i++)
		if (loop_change[i - 1] != '\0')
			assert_int_equal(uevent_parse(loop_change, i, &ev), -1);
}

/* A field pointer of an accepted message: NULL, or a NUL-terminated
 * string inside buf[0..n). */
static void
assert_inside(const char *f, const char *buf, size_t n)
{
	if (f) {
		assert_true(f >= buf && f < buf + n);
		assert_non_null(memchr(f, '\0', (size_t)(buf + n - f)));
	}
}

static void
test_garbage(void **state)
{
	char buf[sizeof(loop_change) + 1];
	struct uevent ev;
	unsigned seed = 1;
	size_t n;
	int round, k, accepted = 0, refused = 0;

	/* The kernel message with a few bytes changed (NULs, separators,
	 * digits) and a random length: never a crash, never a read past n
	 * (make check-asan), and what is accepted points inside the buffer
	 * and passes the header checks. */
	for (round = 0; round < 5000; round++) {
		memcpy(buf, loop_change, sizeof(loop_change));
		seed = seed * 1103515245 + 12345;
		n = sizeof(loop_change) - ((seed >> 4) % 4 ? 0 : (seed >> 8) % 24);
		for (k = (int)(seed >> 8) % 3; k >= 0; k--) {
			seed = seed * 1103515245 + 12345;
			buf[(seed >> 8) % n] = "\0@/=a1\xff"[(seed >> 20) % 7];
		}
		if (uevent_parse(buf, n, &ev) < 0) {
			refused++;
			continue;
		}
		accepted++;
		assert_non_null(ev.action);
		assert_non_null(ev.devpath);
		assert_inside(ev.action, buf, n);
		assert_inside(ev.devpath, buf, n);
		assert_inside(ev.subsystem, buf, n);
		assert_inside(ev.devname, buf, n);
		assert_inside(ev.devtype, buf, n);
		assert_true(!strncmp(buf, ev.action, strlen(ev.action)) && buf[strlen(ev.action)] == '@');
		assert_string_equal(buf + strlen(ev.action) + 1, ev.devpath);
		if (ev.has_devnum)
			assert_true(ev.major <= 0xfff && ev.minor <= 0xfffff);
		(void)uevent_is_block_add_or_change(&ev);
	}
	/* both ways were taken, or the test proved nothing */
	assert_true(accepted > 100);
	assert_true(refused > 100);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernel_message),
		cmocka_unit_test(test_not_for_us),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
