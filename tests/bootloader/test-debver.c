/* Unit tests of the Debian version comparison (dpkg's algorithm). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "debver.h"

static int
sign(int x)
{
	return (x > 0) - (x < 0);
}

/* Each pair: a, b, and the sign of debver_cmp(a, b) as
 * `dpkg --compare-versions` gives it. */
static const struct { const char *a, *b; int want; } cases[] = {
	{ "1.0", "1.0", 0 },
	{ "1.0", "1.00", 0 },          /* digit runs compare as numbers */
	{ "1.01", "1.1", 0 },
	{ "1.0", "1.1", -1 },
	{ "1.9", "1.10", -1 },
	{ "6.10.0", "6.9.0", 1 },
	{ "6.1.0-18-amd64", "6.1.0-9-amd64", 1 },
	{ "6.1.0-9-amd64", "6.1.0-10-amd64", -1 },
	/* '~' sorts before everything, even the end of the string */
	{ "6.2~rc3", "6.2", -1 },
	{ "6.2~rc3", "6.2~rc10", -1 },
	{ "1.0~~", "1.0~", -1 },
	{ "1.0~~a", "1.0~~", 1 },
	{ "1.0~", "1.0", -1 },
	/* letters before non-letters */
	{ "1.0a", "1.0+", -1 },
	{ "1.0a", "1.0.", -1 },
	{ "1.0+", "1.0", 1 },
	{ "1.0a", "1.0", 1 },
	{ "1.0", "1.0-0", 0 },         /* an empty revision and "0" are equal */
	/* epochs win over everything */
	{ "1:1.0", "9.9", 1 },
	{ "1:1.0", "2:0.1", -1 },
	{ "0:1.0", "1.0", 0 },
	{ "2:6.1", "10:6.1", -1 },
	/* revision after the last '-' */
	{ "1.0-1", "1.0-2", -1 },
	{ "1.0-1-2", "1.0-1-10", -1 },
	{ "5.10.0-28-cloud-amd64", "5.10.0-28-amd64", 1 },
	{ "", "", 0 },
	{ "a", "", 1 },
	{ "~", "", -1 },
};

static void
test_cases(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int got = sign(debver_cmp(cases[i].a, cases[i].b));
		int rev = sign(debver_cmp(cases[i].b, cases[i].a));
		if (got != cases[i].want || rev != -cases[i].want)
			fail_msg("debver_cmp(\"%s\", \"%s\") = %d (reverse %d), want %d", cases[i].a,
			         cases[i].b, got, rev, cases[i].want);
	}
}

static void
test_verrevcmp(void **state)
{
	assert_true(debver_verrevcmp("abc", "abd") < 0);
	assert_true(debver_verrevcmp("a1", "a01") == 0);
	assert_true(debver_verrevcmp(NULL, "") == 0);
	assert_true(debver_verrevcmp("~", NULL) < 0);
	/* long digit runs do not overflow */
	assert_true(debver_verrevcmp("123456789012345678901234567890", "123456789012345678901234567891") < 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_verrevcmp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
