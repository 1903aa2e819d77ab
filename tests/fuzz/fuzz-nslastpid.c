/* nslastpid's arguments and the kernel's pid_max text
 * (nslastpid/pidarg.h): whatever it accepts is in range.
 * FUZZ-SOURCES: nslastpid/pidarg.c
 * FUZZ-CFLAGS: -Inslastpid
 */
#include <stdio.h>
#include <string.h>

#include "pidarg.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long mins[] = { 0, 1, 300 }, maxes[] = { 1, 32768, PID_MAX_CEILING };
	char *s = fuzz_str(data, size);
	long v;
	unsigned r, i, j;
	int status = 0;

	if (parse_pid_max(s, &v) == 0)
		FUZZ_ASSERT(v > 0 && v <= PID_MAX_CEILING);
	for (i = 0; i < 3; i++)
		for (j = 0; j < 3; j++) {
			enum pid_arg_error e = parse_pid_arg(s, mins[i], maxes[j], &v);
			if (e == PIDARG_OK)
				FUZZ_ASSERT(v >= mins[i] && v < maxes[j]);
			FUZZ_ASSERT(pid_arg_strerror(e) != NULL);
		}
	if (parse_retries(s, &r) == 0)
		FUZZ_ASSERT(r <= RETRIES_MAX);
	v = parse_method(s);
	FUZZ_ASSERT(v >= -1 && v <= METHOD_FALLBACK);
	if (size >= sizeof(status))
		memcpy(&status, data, sizeof(status));
	v = exit_code_from_status(status);
	FUZZ_ASSERT(v >= 0 && v <= 255);
	free(s);
	return 0;
}
