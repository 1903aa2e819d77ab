/* The I/O half shared by ksmctl and ksmtop: reading the KSM sysfs
 * directory and the processes' ksm_stat, writing knobs, JSON output. */
#ifndef HOSTKIT_KSMSYS_H
#define HOSTKIT_KSMSYS_H

#include "util.h"
#include "ksmstat.h"

/* Reads every value of /sys/kernel/mm/ksm.  0, or -1 with errno
 * (ENOENT: this kernel has no KSM). */
int ksm_read_global(struct ksm_global *g);
/* The same, exiting with a message on failure. */
void ksm_must_read_global(struct ksm_global *g);
/* Writes one knob.  0, or -1 with errno (the kernel's refusal). */
int ksm_write(const char *name, const char *value);

struct ksm_procs {
	struct ksm_proc *p;
	size_t n, cap;
	unsigned seen;       /* processes whose ksm_stat could be read */
	int have_stat;       /* this kernel has /proc/PID/ksm_stat */
};
/* One pass over /proc: each process's ksm_stat, and comm only for those
 * kept.  all: keep every process, not only the interesting ones (explain
 * looks further at them).  Processes that vanish meanwhile are skipped.
 * 0, or -1 with errno when /proc cannot be listed. */
int ksm_read_procs(struct ksm_procs *ps, int all);
void ksm_procs_free(struct ksm_procs *ps);

uint64_t ksm_page_size(void);
/* The global values and the derived figures as JSON members of the
 * current object (keys: the sysfs names, then the derived ones). */
void ksm_json_global(struct json *j, const struct ksm_global *g, const struct ksm_derived *d);
/* A ratio as a JSON number, or null when undefined. */
void ksm_json_ratio(struct json *j, const char *key, double r);

#endif
