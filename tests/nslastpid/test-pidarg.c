/* Unit tests of nslastpid's argument and kernel-text parsing. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "util.h"
#include "pidarg.h"

static void
test_pid_max(void **state)
{
	long v = -1;

	assert_int_equal(parse_pid_max("32768", &v), 0);
	assert_int_equal(v, 32768);
	assert_int_equal(parse_pid_max("4194304", &v), 0);
	assert_int_equal(v, 4194304);
	errno = 0;
	assert_int_equal(parse_pid_max("4194305", &v), -1);
	assert_int_equal(errno, ERANGE);
	assert_int_equal(parse_pid_max("0", &v), -1);
	assert_int_equal(errno, ERANGE);
	assert_int_equal(parse_pid_max("", &v), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(parse_pid_max("32768\n", &v), -1);  /* read_small_file strips it */
	assert_int_equal(parse_pid_max("-1", &v), -1);
	assert_int_equal(parse_pid_max("3e4", &v), -1);
	assert_int_equal(v, 4194304);                          /* untouched on error */
}

static void
test_pid_arg(void **state)
{
	static const struct { const char *s; long min; enum pid_arg_error e; long v; } cases[] = {
		{ "0", 0, PIDARG_OK, 0 },
		{ "0", 1, PIDARG_TOO_SMALL, 0 },
		{ "1", 1, PIDARG_OK, 1 },
		{ "32767", 0, PIDARG_OK, 32767 },
		{ "32768", 0, PIDARG_TOO_LARGE, 0 },
		{ "99999999999999999999999", 0, PIDARG_TOO_LARGE, 0 },
		{ "-1", 0, PIDARG_NEGATIVE, 0 },
		{ "-0", 1, PIDARG_TOO_SMALL, 0 },
		{ "-99999999999999999999999", 0, PIDARG_NEGATIVE, 0 },
		{ "", 0, PIDARG_NOT_NUMBER, 0 },
		{ "abc", 0, PIDARG_NOT_NUMBER, 0 },
		{ "12x", 0, PIDARG_NOT_NUMBER, 0 },
		{ " 12", 0, PIDARG_NOT_NUMBER, 0 },
		{ "12 ", 0, PIDARG_NOT_NUMBER, 0 },
		{ "0x10", 0, PIDARG_NOT_NUMBER, 0 },
		{ "-", 0, PIDARG_NOT_NUMBER, 0 },
	};
	size_t i;

	for (i = 0; i < LEN(cases); i++) {
		long v = -7;
		enum pid_arg_error e = parse_pid_arg(cases[i].s, cases[i].min, 32768, &v);

		if (e != cases[i].e)
			fail_msg("'%s': got %s, want %s", cases[i].s,
				 pid_arg_strerror(e), pid_arg_strerror(cases[i].e));
		assert_int_equal(v, e == PIDARG_OK ? cases[i].v : -7);
	}
	assert_string_equal(pid_arg_strerror(PIDARG_NEGATIVE), "negative");
	assert_string_equal(pid_arg_strerror(PIDARG_TOO_LARGE), "not below pid_max");
}

static void
test_retries(void **state)
{
	unsigned v = 99;

	assert_int_equal(parse_retries("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(parse_retries("1000", &v), 0);
	assert_int_equal(v, 1000);
	assert_int_equal(parse_retries("1001", &v), -1);
	assert_int_equal(parse_retries("-1", &v), -1);
	assert_int_equal(parse_retries("", &v), -1);
	assert_int_equal(parse_retries("5x", &v), -1);
	assert_int_equal(v, 1000);
}

static void
test_method(void **state)
{
	assert_int_equal(parse_method(NULL), METHOD_AUTO);
	assert_int_equal(parse_method(""), METHOD_AUTO);
	assert_int_equal(parse_method("auto"), METHOD_AUTO);
	assert_int_equal(parse_method("clone3"), METHOD_CLONE3);
	assert_int_equal(parse_method("fallback"), METHOD_FALLBACK);
	assert_int_equal(parse_method("Clone3"), -1);
	assert_int_equal(parse_method("fork"), -1);
}

static void
test_exit_code(void **state)
{
	/* Statuses built as the kernel encodes them (wait(2)). */
	assert_int_equal(exit_code_from_status(0), 0);
	assert_int_equal(exit_code_from_status(7 << 8), 7);
	assert_int_equal(exit_code_from_status(255 << 8), 255);
	assert_int_equal(exit_code_from_status(SIGTERM), 128 + SIGTERM);
	assert_int_equal(exit_code_from_status(SIGKILL), 137);
	assert_int_equal(exit_code_from_status(SIGSEGV | 0x80), 128 + SIGSEGV);  /* core dumped */
	assert_int_equal(exit_code_from_status((SIGSTOP << 8) | 0x7f), 1);       /* stopped */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pid_max),
		cmocka_unit_test(test_pid_arg),
		cmocka_unit_test(test_retries),
		cmocka_unit_test(test_method),
		cmocka_unit_test(test_exit_code),
	};
	return cmocka_run_group_tests_name("nslastpid", tests, NULL, NULL);
}
