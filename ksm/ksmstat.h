/* Pure parsing and reasoning about KSM: sysfs values, /proc/PID/ksm_stat,
 * the knob table with its validation, the settings file, derived figures.
 * No I/O here, so the unit tests and fuzzers call it directly. */
#ifndef HOSTKIT_KSMSTAT_H
#define HOSTKIT_KSMSTAT_H

#include <stddef.h>
#include <stdint.h>

#define KSM_DIR "/kernel/mm/ksm"
#define KSM_NAME_MAX 64
#define KSM_CHOICE_MAX 32
#define KSM_MAX_VALUES 48

/* One file of /sys/kernel/mm/ksm: a number, or a choice "[none] scan-time"
 * of which the bracketed word is the current one. */
enum ksm_vkind { KSM_NUM, KSM_CHOICE };
struct ksm_value {
	char name[KSM_NAME_MAX];
	enum ksm_vkind kind;
	int64_t num;                 /* general_profit may be negative */
	char choice[KSM_CHOICE_MAX];
};

/* Everything a kernel offers, sorted by name (as read). */
struct ksm_global {
	size_t n;
	struct ksm_value v[KSM_MAX_VALUES];
};

/* text: the file's content, trailing newline removed or not.  0, or -1 when
 * it is neither a number nor a choice. */
int ksm_parse_value(const char *name, const char *text, struct ksm_value *v);
const struct ksm_value *ksm_find(const struct ksm_global *g, const char *name);
/* The number named, or dflt when absent or not a number. */
int64_t ksm_num(const struct ksm_global *g, const char *name, int64_t dflt);
/* Inserts or replaces a value, keeping the table sorted.  -1 when full. */
int ksm_global_put(struct ksm_global *g, const struct ksm_value *v);

/* Figures derived from the counters. Ratios are NaN when undefined. */
struct ksm_derived {
	uint64_t page_size;
	uint64_t memory_saved_bytes;  /* pages_sharing x page size */
	double sharing_ratio;         /* pages_sharing / pages_shared */
	double unshared_ratio;        /* pages_unshared / pages_sharing */
	double scan_pages_per_sec;    /* pages_to_scan per sleep_millisecs */
};
void ksm_derive(const struct ksm_global *g, uint64_t page_size, struct ksm_derived *d);

/* /proc/PID/ksm_stat.  Lines are "key value" or "key: value"; each line
 * is optional (Linux 6.1 has only ksm_rmap_items).  has_* tell which were
 * seen. */
struct ksm_proc {
	int pid;
	char comm[32];
	uint64_t rmap_items, zero_pages, merging_pages;
	int64_t profit;
	int merge_any, mergeable;     /* 1 yes, 0 no, -1 not reported */
	unsigned nkeys;               /* known keys seen: 0 for a kernel thread */
	unsigned has_merging : 1, has_profit : 1;
};
int ksm_stat_parse(const char *text, struct ksm_proc *p);
/* Whether a process is worth listing: it has or may get merged pages. */
int ksm_proc_interesting(const struct ksm_proc *p);
/* qsort comparators: most first, then by pid. */
int ksm_proc_cmp_merging(const void *a, const void *b);
int ksm_proc_cmp_profit(const void *a, const void *b);
/* /proc/PID/smaps, fed one line at a time: the areas whose "VmFlags:"
 * carry "mg" (mergeable) and their size.  Start from all zeros. */
struct ksm_smaps {
	uint64_t area_kb;             /* Size: of the current area */
	uint64_t mergeable_kb;
	unsigned mergeable_areas;
};
void ksm_smaps_line(struct ksm_smaps *s, const char *line);

/* --- writable knobs -------------------------------------------------- */
enum {
	KNOB_UNMERGED = 1,  /* the kernel refuses a change while pages are merged */
	KNOB_CHOICE = 2,    /* a word from choices, not a number */
};
struct ksm_knob {
	const char *name;
	unsigned flags;
	uint64_t min, max;
	const char *choices[3];
	const char *range_why;      /* said when a value is out of range */
};
const struct ksm_knob *ksm_knob_find(const char *name);
extern const struct ksm_knob ksm_knobs[];
extern const size_t ksm_nknobs;
#define KSM_MAX_KNOBS 16      /* at least ksm_nknobs */

/* A requested change, validated against the current values. */
struct ksm_change {
	const struct ksm_knob *knob;
	char value[KSM_CHOICE_MAX];  /* normalised: decimal, or the choice word */
	char old[KSM_CHOICE_MAX];
	int changed;
};
/* Parses "KEY=VALUE" into c (knob and value), checking syntax and range.
 * 0, or -1 with a reason in err. */
int ksm_parse_assignment(const char *arg, struct ksm_change *c, char *err, size_t errlen);
/* Checks a whole list against the current values cur, the kernel's own
 * constraints included (knobs present, nothing merged for merge_across_nodes,
 * advisor owning pages_to_scan, advisor min <= max, a key given twice);
 * fills old and changed, and puts the list in the order it must be
 * written.  0, or -1 with a reason in err. */
int ksm_validate(struct ksm_change *c, size_t n, const struct ksm_global *cur,
                 char *err, size_t errlen);

/* Settings file: "key=value" lines, '#' comments, blank lines.  Returns 1
 * for an assignment (key, value filled, surrounding blanks removed), 0 for
 * a comment or blank line, -1 for a malformed line. */
int ksm_conf_line(const char *line, char *key, size_t klen, char *val, size_t vlen);
/* Writes the settings file for cur into buf.  Length, or -1 if too small. */
int ksm_conf_format(const struct ksm_global *cur, char *buf, size_t len);

#endif
