/* bsysfs — the bcache sysfs tree as data: what bcache-stats and the munin
 * bcache plugin read.  Every attribute is optional (the set differs across
 * kernel versions), so every field has an "absent" value: BCH_NONE for
 * numbers, -1 for flags and percentages, "" for strings.  */
#ifndef HOSTKIT_BSYSFS_H
#define HOSTKIT_BSYSFS_H

#include <stddef.h>
#include <stdint.h>

#define BCH_NONE UINT64_MAX
#define BCH_NONE_I64 INT64_MIN

/* --- pure parsers (no I/O) ----------------------------------------------- */

/* The kernel's bch_hprint() output, both dialects: "0.0k", "512.0k", "1.1G"
 * (since 4.15: always a unit and one decimal) and "512", "512k", "1.5G",
 * "1.10G" (before), units kKMGTPEZY (k and K both 1024), an optional
 * "/sec".  The decimal is a truncated fraction, so the result is the lower
 * bound of what the kernel had.  0, or -1 with errno EINVAL / ERANGE.  */
int bch_parse_hsize(const char *s, uint64_t *bytes);
int bch_parse_hsize_signed(const char *s, int64_t *bytes);
/* "writethrough [writeback] writearound none" -> "writeback".
 * 0, or -1 (EINVAL: no bracketed word, ENAMETOOLONG: does not fit).  */
int bch_parse_selected(const char *s, char *out, size_t len);
/* The value of "key:" in writeback_rate_debug ("target:\t\t10.2G"), in
 * bytes.  0, or -1 with errno ENOENT when the key is not there.  */
int bch_rate_debug_value(const char *text, const char *key, int64_t *out);
/* priority_stats: the percentages of "Unused:", "Clean:", "Dirty:",
 * "Metadata:"; absent ones are -1.  */
struct bch_prio { int unused, clean, dirty, metadata; };
void bch_parse_priority_stats(const char *text, struct bch_prio *p);
/* The state word as a number: 0 clean, 1 dirty, 2 no cache,
 * 3 inconsistent, -1 unknown.  */
int bch_state_code(const char *state);

/* --- the tree ------------------------------------------------------------ */

enum { BCH_TOTAL, BCH_DAY, BCH_HOUR, BCH_FIVE_MINUTE, BCH_NINTERVALS };
extern const char *const bch_interval_names[BCH_NINTERVALS]; /* "total"... */
extern const char *const bch_interval_dirs[BCH_NINTERVALS];  /* "stats_total"... */
int bch_interval_parse(const char *s);   /* index, or -1 */

struct bch_stats {
	uint64_t hits, misses, bypass_hits, bypass_misses, miss_collisions;
	uint64_t bypassed;                       /* bytes (hprint: coarse) */
	int hit_ratio;                           /* percent */
};

/* A registered backing device; name is "" while it does not run. */
struct bch_dev {
	char name[32];          /* bcache0 */
	char backing[64];       /* sdb, sdc1, loop0 */
	char uuid[40];          /* backing device (superblock) UUID */
	char cset[40];          /* attached cache set, "" if none */
	char state[16];         /* clean, dirty, no cache, inconsistent */
	char cache_mode[16];
	char label[40];
	int running, writeback_running, writeback_percent;
	uint64_t dirty, sequential_cutoff, writeback_rate, io_errors;
	int64_t dirty_target;   /* from writeback_rate_debug, or BCH_NONE_I64 */
	struct bch_stats stats[BCH_NINTERVALS];
	char dir[256];          /* the bcache directory, below the sysfs root */
};

struct bch_cache {
	char name[64];          /* nvme0n1p1 */
	uint64_t io_errors, written, btree_written, metadata_written, nbuckets;
	struct bch_prio prio;   /* only with BCH_PRIORITY_STATS */
};

#define BCH_MAX_CACHES 8      /* MAX_CACHES_PER_SET */
struct bch_cset {
	char uuid[40];
	uint64_t block_size, bucket_size, congested, btree_cache_size, cache_read_races;
	int available_percent;
	struct bch_cache caches[BCH_MAX_CACHES];
	int ncaches;
	struct bch_stats stats[BCH_NINTERVALS];
};

struct bch_tree {
	int loaded;             /* /sys/fs/bcache exists */
	struct bch_dev *devs;
	size_t ndevs;
	struct bch_cset *csets;
	size_t ncsets;
};

/* What to read: the cheap attributes always; intervals as a bit mask of
 * (1 << BCH_TOTAL) ...; priority_stats only when asked.  */
#define BCH_ALL_INTERVALS ((1 << BCH_NINTERVALS) - 1)
#define BCH_PRIORITY_STATS 0x100
#define BCH_RATE_DEBUG     0x200   /* writeback_rate_debug (dirty target) */
/* Cache sets: only sizes, available percent, cache names and io_errors;
 * no interval statistics, no written counters (the munin plugin). */
#define BCH_CSET_BRIEF     0x400

/* Reads the whole tree below sysfs_root().  Devices sorted by name
 * (running ones first), cache sets by UUID.  0, or -1 with errno
 * (ENOMEM; a missing tree is not an error: loaded = 0).  */
int bch_tree_read(struct bch_tree *t, unsigned what);
/* Reads one device again (the --top loop). */
void bch_dev_refresh(struct bch_dev *d, unsigned what);
void bch_cset_refresh(struct bch_cset *c, unsigned what);
void bch_tree_free(struct bch_tree *t);
/* The device a user names: "bcache0", "/dev/bcache0", "sdb", "/dev/sdb",
 * the backing UUID or its label.  NULL if none.  */
struct bch_dev *bch_tree_find(struct bch_tree *t, const char *name);
struct bch_cset *bch_tree_cset(struct bch_tree *t, const char *uuid);

/* Warnings about a device, one short sentence each ("state is
 * inconsistent: ...").  Returns how many were written to w[0..max). */
#define BCH_WARN_LEN 96
int bch_dev_warnings(const struct bch_dev *d, const struct bch_tree *t,
                     char w[][BCH_WARN_LEN], int max);
int bch_cset_warnings(const struct bch_cset *c, char w[][BCH_WARN_LEN], int max);

#endif
