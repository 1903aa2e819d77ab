/* The pure parts of nslastpid, kept apart so that unit tests call them. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>

#include "util.h"
#include "pidarg.h"

int
parse_pid_max(const char *text, long *out)
{
	uint64_t v;

	if (parse_u64(text, &v) < 0)
		return -1;
	if (v == 0 || v > (uint64_t)PID_MAX_CEILING) {
		errno = ERANGE;
		return -1;
	}
	*out = (long)v;
	return 0;
}

enum pid_arg_error
parse_pid_arg(const char *s, long min, long pid_max, long *out)
{
	int64_t v;

	if (parse_i64(s, &v) < 0) {
		if (errno != ERANGE)
			return PIDARG_NOT_NUMBER;
		return *s == '-' ? PIDARG_NEGATIVE : PIDARG_TOO_LARGE;
	}
	if (v < 0)
		return PIDARG_NEGATIVE;
	if (v < min)
		return PIDARG_TOO_SMALL;
	if (v >= pid_max)
		return PIDARG_TOO_LARGE;
	*out = (long)v;
	return PIDARG_OK;
}

const char *
pid_arg_strerror(enum pid_arg_error e)
{
	switch (e) {
	case PIDARG_OK:         return "valid";
	case PIDARG_NOT_NUMBER: return "not a number";
	case PIDARG_NEGATIVE:   return "negative";
	case PIDARG_TOO_SMALL:  return "too small";
	case PIDARG_TOO_LARGE:  return "not below pid_max";
	}
	return "invalid";
}

int
parse_retries(const char *s, unsigned *out)
{
	uint64_t v;

	if (parse_u64(s, &v) < 0)
		return -1;
	if (v > RETRIES_MAX) {
		errno = ERANGE;
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

int
parse_method(const char *s)
{
	if (!s || !*s || !strcmp(s, "auto"))
		return METHOD_AUTO;
	if (!strcmp(s, "clone3"))
		return METHOD_CLONE3;
	if (!strcmp(s, "fallback"))
		return METHOD_FALLBACK;
	return -1;
}

int
exit_code_from_status(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return EXIT_FAIL;
}
