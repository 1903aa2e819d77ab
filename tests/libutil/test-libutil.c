/* Unit tests of libutil. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "util.h"

static void
test_parse_u64(void **state)
{
	uint64_t v;

	assert_int_equal(parse_u64("0", &v), 0); assert_int_equal(v, 0);
	assert_int_equal(parse_u64("18446744073709551615", &v), 0);
	assert_true(v == UINT64_MAX);
	errno = 0;
	assert_int_equal(parse_u64("18446744073709551616", &v), -1);
	assert_int_equal(errno, ERANGE);
	assert_int_equal(parse_u64("", &v), -1); assert_int_equal(errno, EINVAL);
	assert_int_equal(parse_u64("-1", &v), -1);
	assert_int_equal(parse_u64("+1", &v), -1);
	assert_int_equal(parse_u64("12a", &v), -1);
	assert_int_equal(parse_u64(" 12", &v), -1);
	assert_int_equal(parse_u64(NULL, &v), -1);
}

static void
test_parse_i64(void **state)
{
	int64_t v;

	assert_int_equal(parse_i64("-9223372036854775808", &v), 0);
	assert_true(v == INT64_MIN);
	assert_int_equal(parse_i64("9223372036854775807", &v), 0);
	assert_true(v == INT64_MAX);
	assert_int_equal(parse_i64("9223372036854775808", &v), -1);
	assert_int_equal(errno, ERANGE);
	assert_int_equal(parse_i64("-5", &v), 0); assert_int_equal(v, -5);
	assert_int_equal(parse_i64("-", &v), -1);
}

static void
test_parse_size(void **state)
{
	static const struct { const char *s; uint64_t v; } good[] = {
		{ "512", 512 }, { "64K", 65536 }, { "64k", 65536 }, { "1M", 1048576 },
		{ "1.5G", 1610612736ULL }, { "2T", 2199023255552ULL }, { "4KiB", 4096 },
		{ "4KB", 4096 }, { "100B", 100 }, { "0", 0 }, { "0.5K", 512 },
		{ "16E", 0 /* overflow, checked below */ },
	};
	static const char *bad[] = { "", "K", "1.5", "1.K", "1X", "-1K", "1KK",
		"1 K", "0.1K", "1e3", "1.5.5M", NULL };
	uint64_t v;
	size_t i;

	for (i = 0; i + 1 < LEN(good); i++) {
		assert_int_equal(parse_size(good[i].s, &v), 0);
		assert_true(v == good[i].v);
	}
	assert_int_equal(parse_size("16E", &v), -1);
	assert_int_equal(errno, ERANGE);
	assert_int_equal(parse_size("15E", &v), 0);
	assert_true(v == 15ULL << 60);
	for (i = 0; bad[i]; i++) {
		errno = 0;
		assert_int_equal(parse_size(bad[i], &v), -1);
		assert_int_equal(errno, EINVAL);
	}
}

static void
test_format_size(void **state)
{
	char b[32];

	assert_string_equal(format_size(512, b, sizeof b), "512");
	assert_string_equal(format_size(65536, b, sizeof b), "64K");
	assert_string_equal(format_size(1536 * 1024, b, sizeof b), "1.5M");
	assert_string_equal(format_size(1ULL << 40, b, sizeof b), "1T");
}

static void
test_paths(void **state)
{
	char p[64];

	unsetenv("HOSTKIT_SYSFS");
	assert_int_equal(sysfs_path(p, sizeof p, "/kernel/mm/ksm/%s", "run"), 0);
	assert_string_equal(p, "/sys/kernel/mm/ksm/run");
	setenv("HOSTKIT_SYSFS", "/tmp/tree/", 1);
	assert_int_equal(sysfs_path(p, sizeof p, "/fs/bcache"), 0);
	assert_string_equal(p, "/tmp/tree/fs/bcache");
	setenv("HOSTKIT_PROCFS", "/x", 1);
	assert_int_equal(procfs_path(p, sizeof p, "/%d/stat", 1), 0);
	assert_string_equal(p, "/x/1/stat");
	assert_int_equal(procfs_path(p, 8, "/sys/kernel/ns_last_pid"), -1);
	assert_int_equal(errno, ENAMETOOLONG);
	assert_string_equal(p, "");
	unsetenv("HOSTKIT_SYSFS");
	unsetenv("HOSTKIT_PROCFS");
}

static void
test_files(void **state)
{
	char dir[] = "/tmp/hk-unit.XXXXXX", path[128], bak[160], buf[16];
	uint64_t v;
	struct stat st;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/f", dir);
	snprintf(bak, sizeof bak, "%s/f.bak", dir);

	assert_int_equal(write_file_atomic(path, "42\n\n", 4, 1), 0);
	assert_int_equal(access(bak, F_OK), -1);     /* nothing to back up yet */
	assert_int_equal(read_small_file(path, buf, sizeof buf), 2);
	assert_string_equal(buf, "42");
	assert_int_equal(read_u64_file(path, &v), 0);
	assert_int_equal(v, 42);

	chmod(path, 0600);
	assert_int_equal(write_file_atomic(path, "0123456789abcdefXYZ", 19, 1), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);   /* mode kept */
	assert_int_equal(read_small_file(bak, buf, sizeof buf), 2);
	assert_string_equal(buf, "42");              /* old content kept */
	errno = 0;
	assert_int_equal(read_small_file(path, buf, sizeof buf), -1);
	assert_int_equal(errno, EFBIG);              /* no silent truncation */
	assert_int_equal(read_u64_file(path, &v), -1);

	/* write_knob replaces the value, the way a sysfs store shows it. */
	assert_int_equal(write_knob(path, "7"), 0);
	assert_int_equal(read_small_file(path, buf, 4), 1);
	assert_string_equal(buf, "7");

	snprintf(path, sizeof path, "%s/missing/x", dir);
	assert_int_equal(write_knob(path, "1"), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(write_file_atomic(path, "1", 1, 0), -1);
	assert_int_equal(read_small_file(path, buf, sizeof buf), -1);

	snprintf(path, sizeof path, "rm -rf %s", dir);
	assert_int_equal(system(path), 0);
}

static void
test_json(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json j;

	json_init(&j, f);
	json_object_begin(&j, NULL);
	json_string(&j, "s", "a\"b\\c\n\x01");
	json_u64(&j, "u", UINT64_MAX);
	json_i64(&j, "i", -3);
	json_double(&j, "d", 0.5);
	json_double(&j, "nan", 0.0 / 0.0);
	json_bool(&j, "t", 1);
	json_null(&j, "n");
	json_string(&j, "z", NULL);
	json_array_begin(&j, "a");
	json_u64(&j, NULL, 1);
	json_object_begin(&j, NULL);
	json_object_end(&j);
	json_array_end(&j);
	json_object_end(&j);
	json_finish(&j);
	fclose(f);
	assert_string_equal(buf,
		"{\"s\":\"a\\\"b\\\\c\\n\\u0001\",\"u\":18446744073709551615,\"i\":-3,"
		"\"d\":0.5,\"nan\":null,\"t\":true,\"n\":null,\"z\":null,\"a\":[1,{}]}\n");
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_u64),
		cmocka_unit_test(test_parse_i64),
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_format_size),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_json),
	};
	return cmocka_run_group_tests_name("libutil", tests, NULL, NULL);
}
