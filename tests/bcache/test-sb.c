/* Unit tests of the bcache superblock decoder and the kernel's checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sb.h"

static const uint8_t uuid[16] = {
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
	0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
};
static const uint8_t set_uuid[16] = {
	0xff, 0xee, 0xdd, 0xcc, 0xbb, 0xaa, 0x99, 0x88,
	0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, 0x00,
};

static uint8_t buf[BCACHE_SB_SIZE];

static void
put(size_t off, uint64_t v, int bytes)
{
	int i;

	for (i = 0; i < bytes; i++)
		buf[off + i] = (uint8_t)(v >> (8 * i));
}

static void
reseal(void)
{
	uint16_t keys = (uint16_t)(buf[206] | buf[207] << 8);

	put(0, bcache_crc64(buf + 8, 200 + 8 * (size_t)keys), 8);
}

/* The three superblocks of the reference notes (§b.6). */
static void
make_backing_v1(void)
{
	memset(buf, 0, sizeof(buf));
	put(8, 8, 8);
	put(16, 1, 8);
	memcpy(buf + 24, bcache_magic, 16);
	memcpy(buf + 40, uuid, 16);
	memcpy(buf + 56, set_uuid, 16);
	put(192, 1, 2);
	reseal();
}

static void
make_backing_v4(void)
{
	make_backing_v1();
	put(16, 4, 8);
	put(104, 1, 8);          /* writeback */
	put(184, 2048, 8);       /* data_offset */
	memcpy(buf + 72, "data", 4);
	reseal();
}

static void
make_cache_v0(void)
{
	make_backing_v1();
	put(16, 0, 8);
	put(184, 2048, 8);       /* nbuckets */
	put(194, 1024, 2);       /* bucket_size */
	put(196, 1, 2);          /* nr_in_set */
	put(204, 1, 2);          /* first_bucket */
	reseal();
}

static struct bcache_sb sb;

static const char *
check(uint64_t capacity)
{
	assert_int_equal(bcache_sb_parse(buf, sizeof(buf), &sb), 0);
	return bcache_sb_check(&sb, capacity, 512);
}

static void
test_crc64_check_value(void **state)
{
	assert_true(bcache_crc64("123456789", 9) == 0x62EC59E3F1A4F00AULL);
	assert_true(bcache_crc64("", 0) == 0);
}

static void
test_vectors(void **state)
{
	make_backing_v1();
	assert_null(check(1 << 20));
	assert_true(sb.csum == 0xBD442804E955F17CULL);
	assert_int_equal(sb.kind, BCACHE_BACKING);
	assert_int_equal(sb.data_offset, 16);

	make_backing_v4();
	assert_null(check(1 << 20));
	assert_true(sb.csum == 0x78F953EA2084C5B0ULL);
	assert_int_equal(sb.data_offset, 2048);
	assert_string_equal(sb.label_str, "data");
	assert_string_equal(bcache_cache_mode_name(bcache_sb_cache_mode(&sb)), "writeback");
	assert_string_equal(bcache_state_name(bcache_sb_bdev_state(&sb)), "detached");

	make_cache_v0();
	assert_null(check(2048 * 1024));
	assert_true(sb.csum == 0x2EF9C36B64B38AE6ULL);
	assert_int_equal(sb.kind, BCACHE_CACHE);
	assert_int_equal(sb.bucket_size, 1024);
}

static void
test_uuid_str(void **state)
{
	char s[37];

	assert_string_equal(bcache_uuid_str(uuid, s), "00112233-4455-6677-8899-aabbccddeeff");
	assert_false(bcache_uuid_is_zero(uuid));
}

static void
test_header_errors(void **state)
{
	make_backing_v1();
	put(8, 9, 8);
	reseal();
	assert_string_equal(check(1 << 20), "Not a bcache superblock (bad offset)");

	make_backing_v1();
	buf[30] ^= 1;
	assert_string_equal(check(1 << 20), "Not a bcache superblock (bad magic)");

	make_backing_v1();
	buf[100] ^= 1;                  /* inside the label: covered by the sum */
	assert_string_equal(check(1 << 20), "Bad checksum");

	make_backing_v1();
	buf[2300] ^= 1;                 /* past d[keys]: not covered */
	assert_null(check(1 << 20));

	make_backing_v1();
	memset(buf + 40, 0, 16);
	reseal();
	assert_string_equal(check(1 << 20), "Bad UUID");

	make_backing_v1();
	assert_int_equal(bcache_sb_parse(buf, sizeof(buf), &sb), 0);
	assert_string_equal(bcache_sb_check(&sb, 1 << 20, 4096),
			    "Superblock block size smaller than device block size");

	make_backing_v1();
	put(16, 2, 8);
	reseal();
	assert_string_equal(check(1 << 20), "Unsupported superblock version");

	make_backing_v1();
	put(16, 7, 8);
	reseal();
	assert_string_equal(check(1 << 20), "Unsupported superblock version");

	make_backing_v4();
	put(184, 15, 8);
	reseal();
	assert_string_equal(check(1 << 20), "Bad data offset");

	/* too short a buffer is refused, not read past */
	assert_int_equal(bcache_sb_parse(buf, BCACHE_SB_MIN_READ - 1, &sb), -1);
}

static void
test_journal_keys(void **state)
{
	/* keys > 256 on a cache: the sum still fits in 4 KiB, then the
	 * kernel's journal check refuses it */
	make_cache_v0();
	put(206, 300, 2);
	reseal();
	assert_string_equal(check(2048 * 1024), "Too many journal buckets");

	/* on a backing device the kernel does not look at keys */
	make_backing_v1();
	put(206, 300, 2);
	reseal();
	assert_null(check(1 << 20));

	/* a range past the 4 KiB the kernel reads can never match */
	make_backing_v1();
	put(206, 600, 2);
	assert_string_equal(check(1 << 20), "Bad checksum");
	assert_false(sb.csum_computable);

	/* journal buckets must be first_bucket, first_bucket + 1, ... */
	make_cache_v0();
	put(206, 2, 2);
	put(208, 1, 8);
	put(216, 3, 8);
	reseal();
	assert_string_equal(check(2048 * 1024), "Journal buckets not sequential");
	put(216, 2, 8);
	reseal();
	assert_null(check(2048 * 1024));
}

static void
test_cache_errors(void **state)
{
	static const struct { size_t off; uint64_t v; int bytes; const char *want; } cases[] = {
		{ 184, 127, 8, "Not enough buckets" },
		{ 184, 1ULL << 63, 8, "Too many buckets" },
		{ 192, 3, 2, "Bad block size (not power of 2)" },
		{ 192, 16, 2, "Bad block size (larger than page size)" },
		{ 194, 1000, 2, "Bad bucket size (not power of 2)" },
		{ 194, 4, 2, "Bad bucket size (smaller than page size)" },
		{ 196, 0, 2, "Bad cache device number in set" },
		{ 196, 9, 2, "Bad cache device number in set" },
		{ 198, 1, 2, "Bad cache device number in set" },
		{ 204, 0, 2, "Invalid superblock: first bucket comes before end of super" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		make_cache_v0();
		put(cases[i].off, cases[i].v, cases[i].bytes);
		reseal();
		assert_string_equal(check(2048 * 1024), cases[i].want);
	}
	make_cache_v0();
	assert_string_equal(check(2048 * 1024 - 1), "Invalid superblock: device too small");

	make_cache_v0();
	memset(buf + 56, 0, 16);
	reseal();
	assert_string_equal(check(2048 * 1024), "Bad UUID");

	/* version 3 is checked as version 0 */
	make_cache_v0();
	put(16, 3, 8);
	reseal();
	assert_null(check(2048 * 1024));
}

static void
test_features(void **state)
{
	/* version 5: large_bucket stores log2 of the bucket size */
	make_cache_v0();
	put(16, 5, 8);
	put(128, BCACHE_FEATURE_INCOMPAT_LOG_LARGE_BUCKET_SIZE, 8);
	put(194, 10, 2);
	reseal();
	assert_null(check(2048 * 1024));
	assert_int_equal(sb.bucket_size, 1024);

	put(128, 0x4, 8);
	reseal();
	assert_string_equal(check(2048 * 1024), "Unsupported incompatible feature found");
	put(128, 0, 8);
	put(120, 1, 8);
	reseal();
	assert_string_equal(check(2048 * 1024), "Unsupported compatible feature found");
	put(120, 0, 8);
	put(136, 1, 8);
	reseal();
	assert_string_equal(check(2048 * 1024), "Unsupported read-only compatible feature found");

	/* below version 5 the feature words are padding */
	make_cache_v0();
	put(128, 0x4, 8);
	reseal();
	assert_null(check(2048 * 1024));
	assert_int_equal(sb.bucket_size, 1024);
}

static void
test_bcachefs(void **state)
{
	make_backing_v1();
	assert_false(bcache_sb_is_bcachefs(buf, sizeof(buf)));
	memcpy(buf + 24, bcachefs_magic, 16);
	assert_true(bcache_sb_is_bcachefs(buf, sizeof(buf)));

	/* old bcachefs: bcache magic, 16-bit version, offset at byte 104 */
	memset(buf, 0, sizeof(buf));
	memcpy(buf + 24, bcache_magic, 16);
	put(8, 0x1234, 8);          /* second half of a 128-bit checksum */
	put(16, 9, 2);
	put(18, 9, 2);
	put(104, 8, 8);
	assert_true(bcache_sb_is_bcachefs(buf, sizeof(buf)));
}

static void
test_flags(void **state)
{
	make_cache_v0();
	put(104, 1 | 2 | (2 << 2), 8);
	reseal();
	assert_null(check(2048 * 1024));
	assert_true(bcache_sb_cache_sync(&sb));
	assert_true(bcache_sb_cache_discard(&sb));
	assert_string_equal(bcache_replacement_name(bcache_sb_cache_replacement(&sb)), "random");
	assert_null(bcache_replacement_name(3));

	make_backing_v1();
	put(104, 3ULL << 61 | 3, 8);
	reseal();
	assert_null(check(1 << 20));
	assert_string_equal(bcache_state_name(bcache_sb_bdev_state(&sb)), "inconsistent");
	assert_string_equal(bcache_cache_mode_name(bcache_sb_cache_mode(&sb)), "none");
	assert_null(bcache_cache_mode_name(4));
}

static void
test_garbage(void **state)
{
	size_t i;

	/* decoding never fails on garbage, and checking finds a reason */
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	assert_int_equal(bcache_sb_parse(buf, sizeof(buf), &sb), 0);
	assert_non_null(bcache_sb_check(&sb, 0, 512));
	memset(buf, 0xff, sizeof(buf));
	assert_int_equal(bcache_sb_parse(buf, sizeof(buf), &sb), 0);
	assert_non_null(bcache_sb_check(&sb, UINT64_MAX, 512));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc64_check_value),
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_uuid_str),
		cmocka_unit_test(test_header_errors),
		cmocka_unit_test(test_journal_keys),
		cmocka_unit_test(test_cache_errors),
		cmocka_unit_test(test_features),
		cmocka_unit_test(test_bcachefs),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
