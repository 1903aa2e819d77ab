/* The munin plugin protocol, shared by the hostkit plugins: an argument
 * picks the mode, the node's capabilities come from the environment. */
#ifndef HOSTKIT_MUNIN_H
#define HOSTKIT_MUNIN_H

#include <stdint.h>

/* The markers munin-node-configure looks for: it reads the plugin file
 * line by line (binary or not) and matches "#%# family=..." and
 * "#%# capabilities=...", so each sits on a line of its own.  */
#define MUNIN_MAGIC(caps) \
	__attribute__((used)) static const char munin_magic[] = \
		"\n#%# family=auto\n#%# capabilities=" caps "\n"

enum { MUNIN_FETCH, MUNIN_CONFIG, MUNIN_AUTOCONF };

/* Sets the program name, then the mode from argv[1] ("config",
 * "autoconf", none or "fetch").  --help and --version are answered here
 * (exit 0); anything else is a usage error (exit 2).  */
int munin_mode(int argc, char *argv[]);
int munin_multigraph(void);   /* MUNIN_CAP_MULTIGRAPH=1 */
int munin_dirtyconfig(void);  /* MUNIN_CAP_DIRTYCONFIG=1: config carries values */

/* "NAME.value V", or "U" (unknown) for UINT64_MAX. */
void munin_value(const char *field, uint64_t v);
void munin_value_i64(const char *field, int64_t v, int known);

#endif
