/* Unit tests of the bcache sysfs value parsers (bcache/bsysfs.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "util.h"
#include "bsysfs.h"

#define K 1024ULL
#define M (K * K)
#define G (M * K)
#define T (G * K)

static void
test_hsize_new_dialect(void **state)
{
	/* bch_hprint since 4.15: always a unit and one truncated decimal. */
	static const struct { const char *s; uint64_t v; } cases[] = {
		{ "0.0k", 0 }, { "0.5k", 512 }, { "4.0k", 4 * K }, { "512.0k", 512 * K },
		{ "4.0M", 4 * M }, { "0.9G", 9 * G / 10 }, { "1.1G", G + G / 10 },
		{ "10.2G", 10 * G + 2 * G / 10 }, { "0.9T", 9 * T / 10 }, { "1.0T", T },
		{ "131.0M", 131 * M }, { "26.0k", 26 * K }, { "4.7T", 4 * T + 7 * T / 10 },
		{ "512.0k/sec", 512 * K }, { "2.0P", 2 * T * K }, { "1.0E", T * M },
	};
	uint64_t v;
	size_t i;

	for (i = 0; i < LEN(cases); i++) {
		assert_int_equal(bch_parse_hsize(cases[i].s, &v), 0);
		if (v != cases[i].v)
			fail_msg("%s: got %llu want %llu", cases[i].s,
			         (unsigned long long)v, (unsigned long long)cases[i].v);
	}
}

static void
test_hsize_old_dialect(void **state)
{
	/* Before 4.15: bare integers below 1024, a decimal only below 100
	 * (t/100, so ".10" exists), none above. */
	static const struct { const char *s; uint64_t v; } cases[] = {
		{ "0", 0 }, { "512", 512 }, { "1023", 1023 }, { "4.0k", 4 * K },
		{ "512k", 512 * K }, { "150M", 150 * M }, { "1.5G", G + G / 2 },
		{ "1.10G", G + G * 1000 / 1024 }, { "99.10k", 99 * K + 1000 }, { "64K", 64 * K }, { "3.2t", 3 * T + 2 * T / 10 },
	};
	uint64_t v;
	size_t i;

	for (i = 0; i < LEN(cases); i++) {
		assert_int_equal(bch_parse_hsize(cases[i].s, &v), 0);
		if (v != cases[i].v)
			fail_msg("%s: got %llu", cases[i].s, (unsigned long long)v);
	}
}

static void
test_hsize_all_units(void **state)
{
	static const char units[] = "kMGTPE";
	char s[8];
	uint64_t v;
	size_t i;

	for (i = 0; units[i]; i++) {
		snprintf(s, sizeof(s), "1%c", units[i]);
		assert_int_equal(bch_parse_hsize(s, &v), 0);
		assert_true(v == 1ULL << (10 * (i + 1)));
	}
	/* Z and Y only fit when zero; 16E overflows. */
	assert_int_equal(bch_parse_hsize("0.0Z", &v), 0); assert_true(v == 0);
	assert_int_equal(bch_parse_hsize("0.0Y", &v), 0);
	errno = 0;
	assert_int_equal(bch_parse_hsize("1.0Z", &v), -1); assert_int_equal(errno, ERANGE);
	assert_int_equal(bch_parse_hsize("2Y", &v), -1); assert_int_equal(errno, ERANGE);
	assert_int_equal(bch_parse_hsize("16E", &v), -1); assert_int_equal(errno, ERANGE);
	assert_int_equal(bch_parse_hsize("15.9E", &v), 0);
	assert_int_equal(bch_parse_hsize("18446744073709551615", &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(bch_parse_hsize("18446744073709551616", &v), -1);
}

static void
test_hsize_bad(void **state)
{
	static const char *bad[] = { "", "k", ".5k", "1.k", "1.5", "-1k", "1kk",
		"1 k", "1X", "1.0k/s", " 1k", "1k ", "0x10", NULL };
	uint64_t v;
	size_t i;

	for (i = 0; bad[i]; i++) {
		errno = 0;
		if (bch_parse_hsize(bad[i], &v) != -1 || errno != EINVAL)
			fail_msg("accepted \"%s\"", bad[i]);
	}
	assert_int_equal(bch_parse_hsize(NULL, &v), -1);
}

static void
test_hsize_signed(void **state)
{
	int64_t v;

	assert_int_equal(bch_parse_hsize_signed("-20.1M", &v), 0);
	assert_true(v == -(int64_t)(20 * M + M / 10));
	assert_int_equal(bch_parse_hsize_signed("0.0k", &v), 0); assert_true(v == 0);
	assert_int_equal(bch_parse_hsize_signed("512", &v), 0); assert_true(v == 512);
	assert_int_equal(bch_parse_hsize_signed("-8.0E", &v), 0); assert_true(v == INT64_MIN);
	assert_int_equal(bch_parse_hsize_signed("8.0E", &v), -1); assert_int_equal(errno, ERANGE);
	assert_int_equal(bch_parse_hsize_signed("--1k", &v), -1);
}

static void
test_selected(void **state)
{
	char b[16];

	assert_int_equal(bch_parse_selected("writethrough [writeback] writearound none", b, sizeof(b)), 0);
	assert_string_equal(b, "writeback");
	assert_int_equal(bch_parse_selected("[writethrough] writeback writearound none", b, sizeof(b)), 0);
	assert_string_equal(b, "writethrough");
	assert_int_equal(bch_parse_selected("writethrough writeback writearound [none]", b, sizeof(b)), 0);
	assert_string_equal(b, "none");
	assert_int_equal(bch_parse_selected("[lru] fifo random", b, sizeof(b)), 0);
	assert_string_equal(b, "lru");
	assert_int_equal(bch_parse_selected("writethrough writeback", b, sizeof(b)), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(bch_parse_selected("a [] b", b, sizeof(b)), -1);
	assert_int_equal(bch_parse_selected("a [b", b, sizeof(b)), -1);
	assert_int_equal(bch_parse_selected("[abcdefghijklmnopq]", b, sizeof(b)), -1);
	assert_int_equal(errno, ENAMETOOLONG);
}

static void
test_rate_debug(void **state)
{
	/* 4.19 and later, then the 4.9 layout (derivative, no integral). */
	static const char now[] = "rate:\t\t512.0k/sec\ndirty:\t\t1.1G\ntarget:\t\t10.2G\n"
		"proportional:\t-20.1M\nintegral:\t0.0k\nchange:\t\t0.0k/sec\nnext io:\t-13ms\n";
	static const char old[] = "rate:\t\t512k/sec\ndirty:\t\t150M\ntarget:\t\t1.5G\n"
		"proportional:\t-33M\nderivative:\t0\nchange:\t\t0/sec\nnext io:\t-1210ms\n";
	int64_t v;

	assert_int_equal(bch_rate_debug_value(now, "target", &v), 0);
	assert_true(v == (int64_t)(10 * G + 2 * G / 10));
	assert_int_equal(bch_rate_debug_value(now, "rate", &v), 0);
	assert_true(v == (int64_t)(512 * K));
	assert_int_equal(bch_rate_debug_value(now, "proportional", &v), 0);
	assert_true(v < 0);
	assert_int_equal(bch_rate_debug_value(old, "target", &v), 0);
	assert_true(v == (int64_t)(G + G / 2));
	assert_int_equal(bch_rate_debug_value(old, "integral", &v), -1);
	assert_int_equal(errno, ENOENT);
	/* "next io" is in ms, not a size. */
	assert_int_equal(bch_rate_debug_value(now, "next io", &v), -1);
	assert_int_equal(bch_rate_debug_value("", "target", &v), -1);
}

static void
test_priority_stats(void **state)
{
	struct bch_prio p;

	bch_parse_priority_stats("Unused:\t\t12%\nClean:\t\t80%\nDirty:\t\t6%\nMetadata:\t0%\n"
		"Average:\t56\nSectors per Q:\t3276800\nQuantiles:\t[1 2 3]\n", &p);
	assert_int_equal(p.unused, 12);
	assert_int_equal(p.clean, 80);
	assert_int_equal(p.dirty, 6);
	assert_int_equal(p.metadata, 0);
	bch_parse_priority_stats("Unused:\t\t120%\n", &p);
	assert_int_equal(p.unused, -1);
	assert_int_equal(p.clean, -1);
}

static void
test_state_and_interval(void **state)
{
	assert_int_equal(bch_state_code("clean"), 0);
	assert_int_equal(bch_state_code("dirty"), 1);
	assert_int_equal(bch_state_code("no cache"), 2);
	assert_int_equal(bch_state_code("inconsistent"), 3);
	assert_int_equal(bch_state_code("stale"), -1);
	assert_int_equal(bch_interval_parse("five_minute"), BCH_FIVE_MINUTE);
	assert_int_equal(bch_interval_parse("total"), BCH_TOTAL);
	assert_int_equal(bch_interval_parse("week"), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hsize_new_dialect),
		cmocka_unit_test(test_hsize_old_dialect),
		cmocka_unit_test(test_hsize_all_units),
		cmocka_unit_test(test_hsize_bad),
		cmocka_unit_test(test_hsize_signed),
		cmocka_unit_test(test_selected),
		cmocka_unit_test(test_rate_debug),
		cmocka_unit_test(test_priority_stats),
		cmocka_unit_test(test_state_and_interval),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
