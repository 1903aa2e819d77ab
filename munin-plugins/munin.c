/* The munin plugin protocol: modes, capabilities, value lines. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "munin.h"

int
munin_mode(int argc, char *argv[])
{
	if (argc < 2 || strcmp(argv[1], "fetch") == 0)
		return MUNIN_FETCH;
	if (strcmp(argv[1], "config") == 0)
		return MUNIN_CONFIG;
	if (strcmp(argv[1], "autoconf") == 0)
		return MUNIN_AUTOCONF;
	fprintf(stderr, "%s: unknown argument '%s' (config, autoconf or none)\n", argv[0], argv[1]);
	exit(1);
}

static int
env_is_1(const char *name)
{
	const char *v = getenv(name);

	return v && strcmp(v, "1") == 0;
}

int
munin_multigraph(void)
{
	return env_is_1("MUNIN_CAP_MULTIGRAPH");
}

int
munin_dirtyconfig(void)
{
	return env_is_1("MUNIN_CAP_DIRTYCONFIG");
}

void
munin_value(const char *field, uint64_t v)
{
	if (v == UINT64_MAX)
		printf("%s.value U\n", field);
	else
		printf("%s.value %" PRIu64 "\n", field, v);
}

void
munin_value_i64(const char *field, int64_t v, int known)
{
	if (!known)
		printf("%s.value U\n", field);
	else
		printf("%s.value %" PRId64 "\n", field, v);
}
