/* Unit tests of raidcalc's arithmetic and superblock parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "geometry.h"

static struct raid_geometry
compute_ok(int level, unsigned disks, uint64_t chunk, unsigned bs, const char *layout)
{
	struct raid_input in = { .level = level, .disks = disks, .chunk = chunk,
	                         .block_size = bs, .layout = 'n', .copies = 2 };
	struct raid_geometry g;
	char err[128];

	if (layout)
		assert_int_equal(raid10_parse_layout(layout, &in.layout, &in.copies), 0);
	assert_int_equal(raid_compute(&in, &g, err, sizeof err), 0);
	return g;
}

static void
test_the_two_cases(void **state)
{
	/* RAID6 of 15 disks (+1 spare, not counted), 64 KiB chunk. */
	struct raid_geometry g = compute_ok(6, 15, 65536, 4096, NULL);
	char su[16];

	assert_int_equal(g.data_disks, 13);
	assert_string_equal(xfs_su_string(g.stripe_unit, su, sizeof su), "64k");
	assert_int_equal(g.xfs_sunit, 128);
	assert_int_equal(g.xfs_swidth, 1664);
	/* RAID6 of 12 disks, 512 KiB chunk, 4 KiB blocks. */
	g = compute_ok(6, 12, 512 * 1024, 4096, NULL);
	assert_int_equal(g.ext4_stride, 128);
	assert_int_equal(g.ext4_stripe_width, 1280);
}

static void
test_levels(void **state)
{
	assert_int_equal(compute_ok(0, 4, 65536, 4096, NULL).data_disks, 4);
	assert_int_equal(compute_ok(4, 4, 65536, 4096, NULL).data_disks, 3);
	assert_int_equal(compute_ok(5, 3, 65536, 4096, NULL).data_disks, 2);
	assert_int_equal(compute_ok(6, 4, 65536, 4096, NULL).data_disks, 2);
	struct raid_geometry g = compute_ok(1, 2, 0, 4096, NULL);
	assert_int_equal(g.striped, 0);
	assert_int_equal(g.data_disks, 1);
	assert_int_equal(g.ext4_stride, 0);
}

static void
test_raid10_follows_md(void **state)
{
	/* near copies divide the stripe when they divide the disks ... */
	assert_int_equal(compute_ok(10, 4, 65536, 4096, "n2").data_disks, 2);
	assert_int_equal(compute_ok(10, 6, 65536, 4096, "n3").data_disks, 2);
	/* ... but not when they don't (md uses all disks then) */
	assert_int_equal(compute_ok(10, 3, 65536, 4096, "n2").data_disks, 3);
	/* far and offset copies live in other stripes */
	assert_int_equal(compute_ok(10, 4, 65536, 4096, "f2").data_disks, 4);
	assert_int_equal(compute_ok(10, 4, 65536, 4096, "o2").data_disks, 4);
}

static void
test_bad_input(void **state)
{
	struct raid_input in = { .level = 6, .disks = 3, .chunk = 65536,
	                         .block_size = 4096, .layout = 'n', .copies = 2 };
	struct raid_geometry g;
	char err[128];
	char lay; unsigned copies;

	assert_int_equal(raid_compute(&in, &g, err, sizeof err), -1);
	assert_string_equal(err, "RAID6 needs at least 4 disks, got 3");
	in.disks = 4; in.block_size = 3000;
	assert_int_equal(raid_compute(&in, &g, err, sizeof err), -1);
	in.block_size = 4096; in.chunk = 2048;
	assert_int_equal(raid_compute(&in, &g, err, sizeof err), -1);
	assert_string_equal(err, "chunk 2048 is smaller than the block size 4096");
	in.chunk = 6144;
	assert_int_equal(raid_compute(&in, &g, err, sizeof err), -1);
	in.chunk = 1000;
	in.block_size = 1024;
	assert_int_equal(raid_compute(&in, &g, err, sizeof err), -1);
	in.chunk = 0;
	assert_int_equal(raid_compute(&in, &g, err, sizeof err), -1);
	in.level = 10; in.copies = 3; in.disks = 2; in.chunk = 65536;
	assert_int_equal(raid_compute(&in, &g, err, sizeof err), -1);
	assert_int_equal(raid10_parse_layout("x2", &lay, &copies), -1);
	assert_int_equal(raid10_parse_layout("n1", &lay, &copies), -1);
	assert_int_equal(raid10_parse_layout("n22", &lay, &copies), -1);
	assert_int_equal(raid10_parse_layout("", &lay, &copies), -1);
}

static void
test_topology(void **state)
{
	struct raid_geometry g;
	char err[160];

	assert_int_equal(raid_from_topology(524288, 5242880, 512, 4096, &g, err, sizeof err), 0);
	assert_int_equal(g.data_disks, 10);
	assert_int_equal(g.ext4_stride, 128);
	assert_int_equal(raid_from_topology(512, 0, 512, 4096, &g, err, sizeof err), -1);
	assert_non_null(strstr(err, "no RAID geometry"));
	assert_int_equal(raid_from_topology(65536, 100000, 512, 4096, &g, err, sizeof err), -1);
	assert_int_equal(raid_from_topology(0, 65536, 512, 4096, &g, err, sizeof err), -1);
	/* hints equal to the physical sector are no stripe (as mkfs.xfs says) */
	assert_int_equal(raid_from_topology(4096, 1048576, 4096, 4096, &g, err, sizeof err), -1);
	assert_non_null(strstr(err, "physical sector 4096"));
	assert_int_equal(raid_from_topology(512, 524288, 512, 4096, &g, err, sizeof err), -1);
	assert_int_equal(raid_from_topology(65536, 65536, 512, 4096, &g, err, sizeof err), 0);
	assert_int_equal(g.data_disks, 1);
}

static void
test_su_string(void **state)
{
	char b[16];

	assert_string_equal(xfs_su_string(512 * 1024, b, sizeof b), "512k");
	assert_string_equal(xfs_su_string(1 << 20, b, sizeof b), "1m");
	assert_string_equal(xfs_su_string(3 << 20, b, sizeof b), "3m");
	assert_string_equal(xfs_su_string(1536, b, sizeof b), "1536");
	assert_string_equal(xfs_su_string(1ULL << 30, b, sizeof b), "1g");
}

static void
test_superblocks(void **state)
{
	unsigned char buf[4096];
	struct fs_stripe fs;

	memset(buf, 0, sizeof buf);
	assert_int_equal(fs_stripe_parse(buf, sizeof buf, &fs), -1);
	/* ext4: magic 0xEF53 at 1024+0x38, 4 KiB blocks, stride 16, width 208 */
	buf[1024 + 0x38] = 0x53; buf[1024 + 0x39] = 0xEF;
	buf[1024 + 0x18] = 2;
	buf[1024 + 0x164] = 16;
	buf[1024 + 0x170] = 208;
	assert_int_equal(fs_stripe_parse(buf, sizeof buf, &fs), 0);
	assert_int_equal(fs.type, FS_EXT4);
	assert_int_equal(fs.block_size, 4096);
	assert_int_equal(fs.stride, 16);
	assert_int_equal(fs.stripe_width, 208);
	assert_int_equal(fs_stripe_parse(buf, 1500, &fs), -1);   /* short read */
	buf[1024 + 0x18] = 7;                                     /* 128 KiB blocks: no */
	assert_int_equal(fs_stripe_parse(buf, sizeof buf, &fs), -1);
	/* XFS: big-endian, at byte 0 */
	memset(buf, 0, sizeof buf);
	memcpy(buf, "XFSB", 4);
	buf[6] = 0x10;                  /* blocksize 4096 */
	buf[187] = 16;                  /* sb_unit */
	buf[190] = 0x01; buf[191] = 0x00; /* sb_width 256 */
	assert_int_equal(fs_stripe_parse(buf, 512, &fs), 0);
	assert_int_equal(fs.type, FS_XFS);
	assert_int_equal(fs.block_size, 4096);
	assert_int_equal(fs.stride, 16);
	assert_int_equal(fs.stripe_width, 256);
	buf[6] = 0x11;                  /* not a power of two */
	assert_int_equal(fs_stripe_parse(buf, 512, &fs), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_two_cases),
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_raid10_follows_md),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_topology),
		cmocka_unit_test(test_su_string),
		cmocka_unit_test(test_superblocks),
	};
	return cmocka_run_group_tests_name("raidcalc", tests, NULL, NULL);
}
