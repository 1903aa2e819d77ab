/* Why is KSM not merging?  Pure reasoning over facts gathered by ksmctl. */
#ifndef HOSTKIT_KSM_EXPLAIN_H
#define HOSTKIT_KSM_EXPLAIN_H

#include <stdint.h>
#include "ksmstat.h"

struct ksm_facts {
	int compiled;                 /* /sys/kernel/mm/ksm exists */
	const struct ksm_global *g;
	uint64_t page_size;
	int procs_readable;           /* 0 when /proc gave us nothing */
	const char *mergeable_source; /* "ksm_stat" or "smaps" */
	unsigned mergeable_procs;
	uint64_t rmap_items;          /* summed over processes */
	uint64_t mergeable_pages;     /* size of the "mg" areas, when smaps was read */
	char thp[KSM_CHOICE_MAX];               /* transparent_hugepage/enabled, "" if absent */
	int apparmor;                 /* 1 active, 0 not, -1 unknown */
};

enum ksm_level { KSM_OK, KSM_NOTE, KSM_PROBLEM };
struct ksm_finding {
	const char *check;
	enum ksm_level level;
	char text[256];
	char advice[256];
};

#define KSM_MAX_FINDINGS 10
/* Fills out[] in the order the checks are made; returns the count. */
size_t ksm_explain(const struct ksm_facts *f, struct ksm_finding *out);
const char *ksm_level_name(enum ksm_level l);

#endif
