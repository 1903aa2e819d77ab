/* The munin plugin protocol: modes, capabilities, value lines. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "munin.h"

int
munin_mode(int argc, char *argv[])
{
	setprogname(argv[0]);
	if (argc < 2 || strcmp(argv[1], "fetch") == 0)
		return MUNIN_FETCH;
	if (strcmp(argv[1], "config") == 0)
		return MUNIN_CONFIG;
	if (strcmp(argv[1], "autoconf") == 0)
		return MUNIN_AUTOCONF;
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		printf("Usage: %s [config|autoconf|fetch]\n"
		       "A munin plugin (see munin-hostkit(8)): no argument or fetch prints the values,\n"
		       "config the graphs, autoconf yes or no (reason).\n", argv0);
		exit(EXIT_OK);
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		print_version();
		exit(EXIT_OK);
	}
	usage_error("unknown argument '%s' (config, autoconf, fetch or none)", argv[1]);
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
