/* Unit tests of extlinux-conf's pure parts: kernel names, order, the
 * rendered block, the managed-block markers and mountinfo. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "confblock.h"
#include "extconf.h"
#include "mountinfo.h"

static void
test_kernel_names(void **state)
{
	int rank = -1;

	assert_string_equal(extconf_kernel_version("vmlinuz-6.1.0-18-amd64", &rank), "6.1.0-18-amd64");
	assert_int_equal(rank, 0);
	assert_string_equal(extconf_kernel_version("bzImage-6.6.1", &rank), "6.6.1");
	assert_int_equal(rank, 1);
	assert_string_equal(extconf_kernel_version("vmlinux-6.6.1", &rank), "6.6.1");
	assert_int_equal(rank, 2);
	assert_string_equal(extconf_kernel_version("vmlinuz-6.2~rc3", NULL), "6.2~rc3");
	assert_null(extconf_kernel_version("vmlinuz-", NULL));
	assert_null(extconf_kernel_version("vmlinuz", NULL));
	assert_null(extconf_kernel_version("System.map-6.1", NULL));
	assert_null(extconf_kernel_version("initrd.img-6.1", NULL));
	assert_null(extconf_kernel_version("config-6.1", NULL));
	assert_null(extconf_kernel_version("vmlinuz-6.1.dpkg-tmp", NULL));
	assert_null(extconf_kernel_version("vmlinuz-6.1.dpkg-new", NULL));
	assert_null(extconf_kernel_version("vmlinuz-6.1.bak", NULL));
	assert_null(extconf_kernel_version("vmlinuz-6.1.old", NULL));
	assert_null(extconf_kernel_version("vmlinuz-6.1~", NULL));
	assert_null(extconf_kernel_version("vmlinuz-6.1.rpmnew", NULL));
	assert_null(extconf_kernel_version("vmlinuz-6.1 copy", NULL));
	assert_null(extconf_kernel_version("vmlinuz-6.1\t", NULL));
	/* only as a suffix */
	assert_non_null(extconf_kernel_version("vmlinuz-6.1.old-fix", NULL));
}

static void
test_initrd_names(void **state)
{
	char buf[64];

	assert_int_equal(extconf_initrd_name(0, "6.1", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "initrd.img-6.1");
	assert_int_equal(extconf_initrd_name(1, "6.1", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "initramfs-6.1.img");
	assert_int_equal(extconf_initrd_name(2, "6.1", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "initrd-6.1");
	assert_int_equal(extconf_initrd_name(3, "6.1", buf, sizeof(buf)), -1);
	assert_int_equal(extconf_initrd_name(0, "6.1", buf, 8), -1);
}

static void
test_sort(void **state)
{
	struct kernel k[] = {
		{ .version = "6.1.0-9-amd64", .image = "vmlinuz-6.1.0-9-amd64" },
		{ .version = "6.2~rc3", .image = "vmlinuz-6.2~rc3" },
		{ .version = "6.10.0", .image = "vmlinuz-6.10.0" },
		{ .version = "6.1.0-18-amd64", .image = "vmlinuz-6.1.0-18-amd64" },
		{ .version = "6.2", .image = "vmlinuz-6.2" },
		{ .version = "1:5.0", .image = "vmlinuz-1:5.0" },
	};
	static const char *want[] = { "1:5.0", "6.10.0", "6.2", "6.2~rc3", "6.1.0-18-amd64",
	                              "6.1.0-9-amd64" };
	size_t i;

	extconf_sort(k, 6);
	for (i = 0; i < 6; i++)
		assert_string_equal(k[i].version, want[i]);
}

static void
test_render(void **state)
{
	struct kernel k[] = {
		{ .version = "6.2", .image = "vmlinuz-6.2", .initrd = "initrd.img-6.2", .label = "linux-6.2" },
		{ .version = "6.1", .image = "bzImage-6.1", .label = "linux-6.1" },
	};
	struct extconf c = { .prefix = "/boot", .root = "UUID=1234", .append = "ro quiet",
	                     .timeout = 30 };
	static const char plain[] =
		"# BEGIN extlinux-conf -- written by extlinux-conf(8); edit outside this block\n"
		"DEFAULT linux-6.2\nTIMEOUT 30\nPROMPT 1\n"
		"\nLABEL linux-6.2\n\tLINUX /boot/vmlinuz-6.2\n\tINITRD /boot/initrd.img-6.2\n"
		"\tAPPEND root=UUID=1234 ro quiet\n"
		"\nLABEL linux-6.1\n\tLINUX /boot/bzImage-6.1\n\tAPPEND root=UUID=1234 ro quiet\n"
		"# END extlinux-conf\n";
	static const char menu[] =
		"# BEGIN extlinux-conf -- written by extlinux-conf(8); edit outside this block\n"
		"DEFAULT mine\nTIMEOUT 30\nUI menu.c32\nMENU TITLE Linux\n"
		"\nLABEL linux-6.2\n\tMENU LABEL Linux 6.2\n\tLINUX /vmlinuz-6.2\n\tINITRD /initrd.img-6.2\n"
		"\nLABEL linux-6.1\n\tMENU LABEL Linux 6.1\n\tLINUX /bzImage-6.1\n"
		"# END extlinux-conf\n";
	char *s = extconf_render(&c, k, 2);

	assert_string_equal(s, plain);
	free(s);
	c.prefix = "";
	c.root = c.append = NULL;
	c.menu = 1;
	c.dflt = "mine";
	s = extconf_render(&c, k, 2);
	assert_string_equal(s, menu);
	free(s);
}

static void
test_block_find(void **state)
{
	static const char good[] = "# mine\nLABEL x\n" CONFBLOCK_BEGIN " blah\nA\n" CONFBLOCK_END "\ntail\n";
	struct confblock b;
	const char *why = NULL;
	size_t line = 0;

	assert_int_equal(confblock_find(good, strlen(good), &b, &line, &why), 0);
	assert_true(b.found);
	assert_int_equal(b.start, strlen("# mine\nLABEL x\n"));
	assert_string_equal(good + b.end, "tail\n");

	assert_int_equal(confblock_find("a\nb\n", 4, &b, &line, &why), 0);
	assert_false(b.found);
	assert_int_equal(confblock_find("", 0, &b, &line, &why), 0);
	assert_false(b.found);

	/* END at the end of the file without a newline */
	static const char nonl[] = CONFBLOCK_BEGIN "\n" CONFBLOCK_END;
	assert_int_equal(confblock_find(nonl, strlen(nonl), &b, &line, &why), 0);
	assert_int_equal(b.end, strlen(nonl));

	static const char noend[] = "x\n" CONFBLOCK_BEGIN "\nA\n";
	assert_int_equal(confblock_find(noend, strlen(noend), &b, &line, &why), -1);
	assert_int_equal(line, 2);
	assert_string_equal(why, "BEGIN marker without END");
	static const char nobegin[] = "x\ny\n" CONFBLOCK_END "\n";
	assert_int_equal(confblock_find(nobegin, strlen(nobegin), &b, &line, &why), -1);
	assert_int_equal(line, 3);
	static const char two[] = CONFBLOCK_BEGIN "\n" CONFBLOCK_END "\n" CONFBLOCK_BEGIN "\n" CONFBLOCK_END "\n";
	assert_int_equal(confblock_find(two, strlen(two), &b, &line, &why), -1);
	assert_int_equal(line, 3);
	static const char nested[] = CONFBLOCK_BEGIN "\n" CONFBLOCK_BEGIN "\n" CONFBLOCK_END "\n";
	assert_int_equal(confblock_find(nested, strlen(nested), &b, &line, &why), -1);
	assert_int_equal(line, 2);
	/* a marker only counts at the start of a line */
	static const char indented[] = " " CONFBLOCK_BEGIN "\n";
	assert_int_equal(confblock_find(indented, strlen(indented), &b, &line, &why), 0);
	assert_false(b.found);
}

static void
test_block_replace(void **state)
{
	static const char old[] = "head\n" CONFBLOCK_BEGIN "\nold\n" CONFBLOCK_END "\ntail";
	struct confblock b;
	const char *why;
	size_t line, n;
	char *s;

	assert_int_equal(confblock_find(old, strlen(old), &b, &line, &why), 0);
	s = confblock_replace(old, strlen(old), &b, "NEW\n", &n);
	assert_string_equal(s, "head\nNEW\ntail");
	assert_int_equal(n, strlen(s));
	free(s);

	/* no block: appended, after a newline when the text lacks one */
	assert_int_equal(confblock_find("a\nb", 3, &b, &line, &why), 0);
	s = confblock_replace("a\nb", 3, &b, "NEW\n", &n);
	assert_string_equal(s, "a\nb\nNEW\n");
	free(s);
	s = confblock_replace("", 0, &b, "NEW\n", &n);
	assert_string_equal(s, "NEW\n");
	free(s);
}

static void
test_has_label(void **state)
{
	static const char t[] = "label  rescue \n\tLABEL x-y\n" CONFBLOCK_BEGIN "\nLABEL inside\n"
	                        CONFBLOCK_END "\nLABEL after\nLABELnot\n";
	struct confblock b;
	const char *why;
	size_t line;

	assert_int_equal(confblock_find(t, strlen(t), &b, &line, &why), 0);
	assert_true(confblock_has_label(t, strlen(t), &b, "rescue"));
	assert_true(confblock_has_label(t, strlen(t), &b, "x-y"));
	assert_true(confblock_has_label(t, strlen(t), &b, "after"));
	assert_false(confblock_has_label(t, strlen(t), &b, "inside"));
	assert_false(confblock_has_label(t, strlen(t), &b, "x"));
	assert_false(confblock_has_label(t, strlen(t), &b, "not"));
}

static const char mountinfo[] =
	"22 27 0:21 / /proc rw,relatime - proc proc rw\n"
	"27 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n"
	"40 27 8:1 / /boot rw,relatime shared:5 master:2 - ext4 /dev/sda1 rw\n"
	"41 27 8:2 /srv/boot\\040dir /mnt/my\\040boot rw - ext4 /dev/sda2 rw\n"
	"42 27 0:50 / /bootstrap rw - tmpfs tmpfs rw\n"
	"garbage line\n"
	"43 27 7:3 / /boot rw - vfat /dev/loop3 rw\n";

static void
test_mountinfo(void **state)
{
	struct mount_entry m;
	char buf[256];

	assert_int_equal(mountinfo_parse_line("40 27 8:1 / /boot rw shared:5 - ext4 /dev/sda1 rw", &m), 0);
	assert_int_equal(m.major, 8);
	assert_int_equal(m.minor, 1);
	assert_string_equal(m.fstype, "ext4");
	assert_int_equal(mountinfo_parse_line("40 27 8:1 / /boot rw", &m), -1);
	assert_int_equal(mountinfo_parse_line("x", &m), -1);

	/* the later /boot is mounted on top */
	assert_int_equal(mountinfo_find(mountinfo, "/boot", &m), 0);
	assert_int_equal(m.major, 7);
	assert_string_equal(m.fstype, "vfat");
	assert_int_equal(mountinfo_fs_path(&m, "/boot", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	assert_int_equal(mountinfo_fs_path(&m, "/boot/sub", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/sub");

	/* /bootstrap is not under /boot */
	assert_int_equal(mountinfo_find(mountinfo, "/bootstrap/x", &m), 0);
	assert_int_equal(m.major, 0);
	assert_int_equal(mountinfo_find(mountinfo, "/bootx", &m), 0);
	assert_string_equal(m.mountpoint, "/");
	assert_int_equal(mountinfo_fs_path(&m, "/bootx", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/bootx");

	/* escapes, and a bind mount of a subdirectory */
	assert_int_equal(mountinfo_find(mountinfo, "/mnt/my boot/boot", &m), 0);
	assert_string_equal(m.mountpoint, "/mnt/my boot");
	assert_string_equal(m.root, "/srv/boot dir");
	assert_int_equal(mountinfo_fs_path(&m, "/mnt/my boot/boot", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/srv/boot dir/boot");

	assert_int_equal(mountinfo_find(mountinfo, "/", &m), 0);
	assert_int_equal(m.major, 254);
	assert_int_equal(mountinfo_fs_path(&m, "/", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	assert_int_equal(mountinfo_find("", "/", &m), -1);
	assert_int_equal(mountinfo_fs_path(&m, "/", buf, 1), -1);   /* "/" does not fit */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernel_names),
		cmocka_unit_test(test_initrd_names),
		cmocka_unit_test(test_sort),
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_block_find),
		cmocka_unit_test(test_block_replace),
		cmocka_unit_test(test_has_label),
		cmocka_unit_test(test_mountinfo),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
