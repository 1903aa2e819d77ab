/* bcache-stats — what bcache devices and cache sets are doing: a table,
 * JSON, the Prometheus text format, or a live ncurses view. */
#include <curses.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util.h"
#include "bsysfs.h"

enum { OUT_TABLE, OUT_JSON, OUT_PROM, OUT_TOP };

static int interval = BCH_TOTAL, interval_given;
static unsigned what = BCH_ALL_INTERVALS | BCH_RATE_DEBUG;

static void
usage(void)
{
	printf("Usage: %s [DEV...] [--interval total|day|hour|five_minute]\n"
	       "       [--json | --prometheus | --top [--delay S]] [--priority-stats]\n"
	       "Shows bcache devices (state, mode, dirty data, writeback, hits and misses)\n"
	       "and cache sets.  DEV: bcacheN, the backing device, its UUID or label.\n"
	       "  -i, --interval W      statistics window (default total)\n"
	       "  -j, --json            JSON\n"
	       "  -p, --prometheus      Prometheus text format (node_exporter textfile)\n"
	       "  -t, --top             live view with per-second rates; q quits\n"
	       "  -d, --delay S         seconds between refreshes of --top (default 1)\n"
	       "      --priority-stats  also read priority_stats (slow: locks the cache)\n"
	       "  -h, --help            this help\n"
	       "  -V, --version         version\n", argv0);
}

/* --- small formatting helpers --------------------------------------------- */

static const char *
num(uint64_t v)
{
	static char bufs[8][24];
	static int i;
	char *b = bufs[i++ % 8];

	if (v == BCH_NONE)
		return "-";
	snprintf(b, 24, "%" PRIu64, v);
	return b;
}

static const char *
size(uint64_t v)
{
	static char bufs[8][24];
	static int i;

	if (v == BCH_NONE)
		return "-";
	return format_size(v, bufs[i++ % 8], 24);
}

static const char *
pct(int v)
{
	static char bufs[4][16];
	static int i;
	char *b = bufs[i++ % 4];

	if (v < 0)
		return "-";
	snprintf(b, 16, "%d%%", v);
	return b;
}

static const char *
str(const char *s)
{
	return *s ? s : "-";
}

/* Which devices and cache sets to show. */
struct sel {
	struct bch_tree t;
	char *dev_on;   /* [ndevs] */
	char *cset_on;  /* [ncsets] */
};

/* strict: a name that matches no device is an error; otherwise (the --top
 * loop, where devices come and go) it is skipped. */
static void
select_all(struct sel *s, char **names, int n, int strict)
{
	size_t i, j;
	int k;

	s->dev_on = calloc(s->t.ndevs + 1, 1);
	s->cset_on = calloc(s->t.ncsets + 1, 1);
	if (!s->dev_on || !s->cset_on)
		eprintf("calloc:");
	for (k = 0; k < n; k++) {
		struct bch_dev *d = bch_tree_find(&s->t, names[k]);

		if (d)
			s->dev_on[d - s->t.devs] = 1;
		else if (strict)
			eprintf("%s: not a registered bcache device%s", names[k],
			        s->t.loaded ? "" : " (bcache module not loaded)");
	}
	for (i = 0; i < s->t.ndevs; i++) {
		if (n == 0)
			s->dev_on[i] = 1;
		for (j = 0; j < s->t.ncsets; j++)
			if (n == 0 || (s->dev_on[i] && strcmp(s->t.devs[i].cset, s->t.csets[j].uuid) == 0))
				s->cset_on[j] = 1;
	}
	if (n == 0)
		memset(s->cset_on, 1, s->t.ncsets);
}

static void
read_tree(struct sel *s, char **names, int n, int strict)
{
	if (bch_tree_read(&s->t, what) < 0)
		eprintf("reading %s/fs/bcache:", sysfs_root());
	select_all(s, names, n, strict);
}

static void
free_sel(struct sel *s)
{
	bch_tree_free(&s->t);
	free(s->dev_on);
	free(s->cset_on);
}

/* --- table ------------------------------------------------------------------ */

static void
table_stats(const char *indent, const struct bch_stats *st)
{
	printf("%s%-18s hits %s, misses %s, hit ratio %s\n", indent, bch_interval_names[interval],
	       num(st->hits), num(st->misses), pct(st->hit_ratio));
	printf("%s%-18s bypass hits %s, bypass misses %s, bypassed %s, miss collisions %s\n",
	       indent, "", num(st->bypass_hits), num(st->bypass_misses), size(st->bypassed),
	       num(st->miss_collisions));
}

static void
print_table(struct sel *s)
{
	char w[8][BCH_WARN_LEN];
	struct bch_cset *c;
	size_t i;
	int j, k, shown = 0;

	for (i = 0; i < s->t.ndevs; i++) {
		struct bch_dev *d = &s->t.devs[i];

		if (!s->dev_on[i])
			continue;
		if (shown++)
			putchar('\n');
		if (*d->name)
			printf("%s on %s\n", d->name, d->backing);
		else
			printf("%s (registered, not running)\n", d->backing);
		printf("  %-18s %s\n", "backing uuid", str(d->uuid));
		if (*d->label)
			printf("  %-18s %s\n", "label", d->label);
		printf("  %-18s %s\n", "cache set", *d->cset ? d->cset : "none");
		if ((c = bch_tree_cset(&s->t, d->cset)) && c->ncaches) {
			printf("  %-18s", "cache devices");
			for (j = 0; j < c->ncaches; j++)
				printf(" %s", c->caches[j].name);
			putchar('\n');
		}
		printf("  %-18s %s\n", "state", str(d->state));
		printf("  %-18s %s\n", "cache mode", str(d->cache_mode));
		printf("  %-18s %s\n", "dirty data", size(d->dirty));
		printf("  %-18s %s\n", "sequential cutoff", size(d->sequential_cutoff));
		printf("  %-18s %s, %s/s\n", "writeback",
		       d->writeback_running < 0 ? "-" : d->writeback_running ? "running" : "stopped",
		       size(d->writeback_rate));
		table_stats("  ", &d->stats[interval]);
		k = bch_dev_warnings(d, &s->t, w, 8);
		for (j = 0; j < k; j++)
			printf("  warning: %s\n", w[j]);
	}
	for (i = 0; i < s->t.ncsets; i++) {
		uint64_t errors = BCH_NONE;

		c = &s->t.csets[i];
		if (!s->cset_on[i])
			continue;
		if (shown++)
			putchar('\n');
		printf("cache set %s\n", c->uuid);
		printf("  %-18s", "cache devices");
		for (j = 0; j < c->ncaches; j++) {
			printf(" %s", c->caches[j].name);
			if (c->caches[j].io_errors != BCH_NONE)
				errors = (errors == BCH_NONE ? 0 : errors) + c->caches[j].io_errors;
		}
		printf("%s\n", c->ncaches ? "" : " -");
		printf("  %-18s %s\n", "block size", size(c->block_size));
		printf("  %-18s %s\n", "bucket size", size(c->bucket_size));
		printf("  %-18s %s\n", "available", pct(c->available_percent));
		printf("  %-18s %s\n", "io errors", num(errors));
		for (j = 0; j < c->ncaches; j++) {
			struct bch_prio *p = &c->caches[j].prio;

			if (what & BCH_PRIORITY_STATS)
				printf("  %-18s unused %s, clean %s, dirty %s, metadata %s\n",
				       c->caches[j].name, pct(p->unused), pct(p->clean),
				       pct(p->dirty), pct(p->metadata));
		}
		table_stats("  ", &c->stats[interval]);
		k = bch_cset_warnings(c, w, 8);
		for (j = 0; j < k; j++)
			printf("  warning: %s\n", w[j]);
	}
	if (!shown)
		printf("no bcache devices%s\n", s->t.loaded ? "" : " (bcache module not loaded)");
}

/* --- JSON --------------------------------------------------------------------- */

static void
ju64(struct json *j, const char *k, uint64_t v)
{
	if (v == BCH_NONE)
		json_null(j, k);
	else
		json_u64(j, k, v);
}

static void
jint(struct json *j, const char *k, int v)
{
	if (v < 0)
		json_null(j, k);
	else
		json_i64(j, k, v);
}

static void
jbool(struct json *j, const char *k, int v)
{
	if (v < 0)
		json_null(j, k);
	else
		json_bool(j, k, v);
}

static void
jstr(struct json *j, const char *k, const char *s)
{
	json_string(j, k, *s ? s : NULL);
}

static void
json_stats(struct json *j, const struct bch_stats *st)
{
	int i;

	json_object_begin(j, "stats");
	for (i = 0; i < BCH_NINTERVALS; i++) {
		const struct bch_stats *s = &st[i];

		if (interval_given && i != interval)
			continue;
		json_object_begin(j, bch_interval_names[i]);
		ju64(j, "hits", s->hits);
		ju64(j, "misses", s->misses);
		ju64(j, "bypass_hits", s->bypass_hits);
		ju64(j, "bypass_misses", s->bypass_misses);
		jint(j, "hit_ratio", s->hit_ratio);
		ju64(j, "bypassed_bytes", s->bypassed);
		ju64(j, "miss_collisions", s->miss_collisions);
		json_object_end(j);
	}
	json_object_end(j);
}

static void
print_json(struct sel *s)
{
	char w[8][BCH_WARN_LEN];
	struct bch_cset *c;
	struct json j;
	size_t i;
	int k, n;

	json_init(&j, stdout);
	json_object_begin(&j, NULL);
	json_bool(&j, "loaded", s->t.loaded);
	json_array_begin(&j, "devices");
	for (i = 0; i < s->t.ndevs; i++) {
		struct bch_dev *d = &s->t.devs[i];

		if (!s->dev_on[i])
			continue;
		json_object_begin(&j, NULL);
		jstr(&j, "name", d->name);
		jstr(&j, "backing", d->backing);
		jstr(&j, "backing_uuid", d->uuid);
		json_string(&j, "label", d->label);
		jstr(&j, "cache_set", d->cset);
		json_array_begin(&j, "cache_devices");
		if ((c = bch_tree_cset(&s->t, d->cset)))
			for (k = 0; k < c->ncaches; k++)
				json_string(&j, NULL, c->caches[k].name);
		json_array_end(&j);
		jstr(&j, "state", d->state);
		jstr(&j, "cache_mode", d->cache_mode);
		jbool(&j, "running", d->running);
		ju64(&j, "dirty_bytes", d->dirty);
		if (d->dirty_target == BCH_NONE_I64)
			json_null(&j, "dirty_target_bytes");
		else
			json_i64(&j, "dirty_target_bytes", d->dirty_target);
		ju64(&j, "sequential_cutoff_bytes", d->sequential_cutoff);
		jbool(&j, "writeback_running", d->writeback_running);
		ju64(&j, "writeback_rate_bytes", d->writeback_rate);
		jint(&j, "writeback_percent", d->writeback_percent);
		ju64(&j, "io_errors", d->io_errors);
		json_stats(&j, d->stats);
		json_array_begin(&j, "warnings");
		n = bch_dev_warnings(d, &s->t, w, 8);
		for (k = 0; k < n; k++)
			json_string(&j, NULL, w[k]);
		json_array_end(&j);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_array_begin(&j, "cache_sets");
	for (i = 0; i < s->t.ncsets; i++) {
		uint64_t errors = BCH_NONE;
		size_t b;

		c = &s->t.csets[i];
		if (!s->cset_on[i])
			continue;
		json_object_begin(&j, NULL);
		json_string(&j, "uuid", c->uuid);
		ju64(&j, "block_size", c->block_size);
		ju64(&j, "bucket_size", c->bucket_size);
		jint(&j, "available_percent", c->available_percent);
		json_array_begin(&j, "cache_devices");
		for (k = 0; k < c->ncaches; k++) {
			struct bch_cache *ca = &c->caches[k];

			if (ca->io_errors != BCH_NONE)
				errors = (errors == BCH_NONE ? 0 : errors) + ca->io_errors;
			json_object_begin(&j, NULL);
			json_string(&j, "name", ca->name);
			ju64(&j, "io_errors", ca->io_errors);
			ju64(&j, "nbuckets", ca->nbuckets);
			ju64(&j, "written_bytes", ca->written);
			ju64(&j, "btree_written_bytes", ca->btree_written);
			ju64(&j, "metadata_written_bytes", ca->metadata_written);
			if (what & BCH_PRIORITY_STATS) {
				json_object_begin(&j, "priority_stats");
				jint(&j, "unused_percent", ca->prio.unused);
				jint(&j, "clean_percent", ca->prio.clean);
				jint(&j, "dirty_percent", ca->prio.dirty);
				jint(&j, "metadata_percent", ca->prio.metadata);
				json_object_end(&j);
			}
			json_object_end(&j);
		}
		json_array_end(&j);
		ju64(&j, "io_errors", errors);
		json_array_begin(&j, "backing_devices");
		for (b = 0; b < s->t.ndevs; b++)
			if (strcmp(s->t.devs[b].cset, c->uuid) == 0)
				json_string(&j, NULL, s->t.devs[b].backing);
		json_array_end(&j);
		json_stats(&j, c->stats);
		json_array_begin(&j, "warnings");
		n = bch_cset_warnings(c, w, 8);
		for (k = 0; k < n; k++)
			json_string(&j, NULL, w[k]);
		json_array_end(&j);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
	json_finish(&j);
}

/* --- Prometheus text format ------------------------------------------------------ */

static void
prom_label(const char *k, const char *v, int first)
{
	const char *p;

	printf("%s%s=\"", first ? "" : ",", k);
	for (p = v; *p; p++) {
		if (*p == '\\' || *p == '"')
			printf("\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", stdout);
		else
			putchar(*p);
	}
	putchar('"');
}

struct metric {
	const char *name, *type, *help;
};

/* Prints the family header before its first sample only. */
static void
prom_head(const struct metric *m, int *done)
{
	if (*done)
		return;
	*done = 1;
	printf("# HELP %s %s\n# TYPE %s %s\n", m->name, m->help, m->name, m->type);
}

static void
prom_dev_labels(const struct bch_dev *d)
{
	putchar('{');
	prom_label("device", *d->name ? d->name : "", 1);
	prom_label("backing", d->backing, 0);
	prom_label("backing_uuid", d->uuid, 0);
}

enum {
	PD_HITS, PD_MISSES, PD_BHITS, PD_BMISSES, PD_COLL, PD_BYPASSED, PD_RATIO, PD_DIRTY,
	PD_TARGET, PD_CUTOFF, PD_WBRATE, PD_WBRUN, PD_RUNNING, PD_STATE, PD_MODE, PD_ERRORS, PD_N
};

static const struct metric dev_metrics[PD_N] = {
	{ "bcache_cache_hits_total", "counter", "Reads and writes served by the cache (stats_total/cache_hits)." },
	{ "bcache_cache_misses_total", "counter", "Requests that missed the cache (stats_total/cache_misses)." },
	{ "bcache_cache_bypass_hits_total", "counter", "Hits among requests that bypassed the cache (sequential or congested)." },
	{ "bcache_cache_bypass_misses_total", "counter", "Misses among requests that bypassed the cache." },
	{ "bcache_cache_miss_collisions_total", "counter", "Cache misses that raced with a write to the same data." },
	{ "bcache_bypassed_bytes_total", "counter", "Bytes that bypassed the cache (kernel rounds to 2-3 digits)." },
	{ "bcache_cache_hit_ratio", "gauge", "Hit ratio (0-1) over the kernel's decaying windows." },
	{ "bcache_dirty_bytes", "gauge", "Dirty data in the cache not yet written back." },
	{ "bcache_dirty_target_bytes", "gauge", "Dirty data the writeback controller aims for." },
	{ "bcache_sequential_cutoff_bytes", "gauge", "Sequential I/O above this size bypasses the cache." },
	{ "bcache_writeback_rate_bytes_per_second", "gauge", "Current writeback rate." },
	{ "bcache_writeback_running", "gauge", "1 when the writeback thread runs." },
	{ "bcache_running", "gauge", "1 when the bcache device exists (the backing device runs)." },
	{ "bcache_state", "gauge", "Backing device state, one series per state, 1 for the current one." },
	{ "bcache_cache_mode", "gauge", "Cache mode, one series per mode, 1 for the current one." },
	{ "bcache_backing_io_errors", "gauge", "I/O errors seen on the backing device." },
};

static int
prom_dev_value(const struct bch_dev *d, int m, int iv, double *v)
{
	const struct bch_stats *st = &d->stats[BCH_TOTAL];
	uint64_t u = BCH_NONE;

	switch (m) {
	case PD_HITS: u = st->hits; break;
	case PD_MISSES: u = st->misses; break;
	case PD_BHITS: u = st->bypass_hits; break;
	case PD_BMISSES: u = st->bypass_misses; break;
	case PD_COLL: u = st->miss_collisions; break;
	case PD_BYPASSED: u = st->bypassed; break;
	case PD_RATIO:
		if (d->stats[iv].hit_ratio < 0)
			return -1;
		*v = d->stats[iv].hit_ratio / 100.0;
		return 0;
	case PD_DIRTY: u = d->dirty; break;
	case PD_TARGET:
		if (d->dirty_target == BCH_NONE_I64)
			return -1;
		*v = (double)d->dirty_target;
		return 0;
	case PD_CUTOFF: u = d->sequential_cutoff; break;
	case PD_WBRATE: u = d->writeback_rate; break;
	case PD_WBRUN: u = d->writeback_running < 0 ? BCH_NONE : (uint64_t)d->writeback_running; break;
	case PD_RUNNING: u = d->running < 0 ? BCH_NONE : (uint64_t)d->running; break;
	case PD_ERRORS: u = d->io_errors; break;
	}
	if (u == BCH_NONE)
		return -1;
	*v = (double)u;
	return 0;
}

static void
prom_value(double v)
{
	if (v > -1e15 && v < 1e15 && v == (double)(long long)v)
		printf(" %.0f\n", v);
	else
		printf(" %g\n", v);
}

static void
prom_devices(struct sel *s)
{
	static const char *const states[] = { "clean", "dirty", "no cache", "inconsistent" };
	static const char *const modes[] = { "writethrough", "writeback", "writearound", "none" };
	size_t i, k;
	int m, iv, done;
	double v;

	for (m = 0; m < PD_N; m++) {
		done = 0;
		for (i = 0; i < s->t.ndevs; i++) {
			const struct bch_dev *d = &s->t.devs[i];
			const char *cur = m == PD_STATE ? d->state : d->cache_mode;
			const char *const *names = m == PD_STATE ? states : modes;

			if (!s->dev_on[i])
				continue;
			if (m == PD_STATE || m == PD_MODE) {
				if (!*cur)
					continue;
				prom_head(&dev_metrics[m], &done);
				for (k = 0; k < 4; k++) {
					printf("%s", dev_metrics[m].name);
					prom_dev_labels(d);
					prom_label(m == PD_STATE ? "state" : "mode", names[k], 0);
					printf("} %d\n", strcmp(cur, names[k]) == 0);
				}
				continue;
			}
			for (iv = 0; iv < (m == PD_RATIO ? BCH_NINTERVALS : 1); iv++) {
				if (prom_dev_value(d, m, iv, &v) < 0)
					continue;
				prom_head(&dev_metrics[m], &done);
				printf("%s", dev_metrics[m].name);
				prom_dev_labels(d);
				if (m == PD_RATIO)
					prom_label("interval", bch_interval_names[iv], 0);
				putchar('}');
				prom_value(v);
			}
		}
	}
}

enum { PC_AVAIL, PC_BLOCK, PC_BUCKET, PC_ERRORS, PC_WRITTEN, PC_BTREE, PC_META, PC_N };

static const struct metric cset_metrics[PC_N] = {
	{ "bcache_cache_available_ratio", "gauge", "Share (0-1) of the cache not holding dirty or pinned data." },
	{ "bcache_cache_block_size_bytes", "gauge", "Cache set block size." },
	{ "bcache_cache_bucket_size_bytes", "gauge", "Cache set bucket size." },
	{ "bcache_cache_io_errors", "gauge", "I/O errors on the cache device (decaying count)." },
	{ "bcache_cache_written_bytes_total", "counter", "Bytes written to the cache device." },
	{ "bcache_cache_btree_written_bytes_total", "counter", "Btree bytes written to the cache device." },
	{ "bcache_cache_metadata_written_bytes_total", "counter", "Metadata (btree included) bytes written to the cache device." },
};

static void
prom_csets(struct sel *s)
{
	size_t i;
	int m, k, done;

	for (m = 0; m < PC_N; m++) {
		done = 0;
		for (i = 0; i < s->t.ncsets; i++) {
			const struct bch_cset *c = &s->t.csets[i];
			uint64_t u = BCH_NONE;

			if (!s->cset_on[i])
				continue;
			if (m <= PC_BUCKET) {
				if (m == PC_AVAIL && c->available_percent >= 0) {
					prom_head(&cset_metrics[m], &done);
					printf("%s{", cset_metrics[m].name);
					prom_label("cache_set", c->uuid, 1);
					printf("} %g\n", c->available_percent / 100.0);
					continue;
				}
				u = m == PC_BLOCK ? c->block_size : m == PC_BUCKET ? c->bucket_size : BCH_NONE;
				if (u == BCH_NONE)
					continue;
				prom_head(&cset_metrics[m], &done);
				printf("%s{", cset_metrics[m].name);
				prom_label("cache_set", c->uuid, 1);
				putchar('}');
				prom_value((double)u);
				continue;
			}
			for (k = 0; k < c->ncaches; k++) {
				const struct bch_cache *ca = &c->caches[k];

				u = m == PC_ERRORS ? ca->io_errors : m == PC_WRITTEN ? ca->written :
				    m == PC_BTREE ? ca->btree_written : ca->metadata_written;
				if (u == BCH_NONE)
					continue;
				prom_head(&cset_metrics[m], &done);
				printf("%s{", cset_metrics[m].name);
				prom_label("cache_set", c->uuid, 1);
				prom_label("cache", ca->name, 0);
				putchar('}');
				prom_value((double)u);
			}
		}
	}
}

static void
print_prometheus(struct sel *s)
{
	printf("# HELP bcache_loaded 1 when the bcache module is loaded (/sys/fs/bcache exists).\n"
	       "# TYPE bcache_loaded gauge\nbcache_loaded %d\n", s->t.loaded);
	prom_devices(s);
	prom_csets(s);
}

/* --- --top ------------------------------------------------------------------------ */

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Per-second rate of a counter between two samples; "-" when unknown or
 * when the counter went backwards (clear_stats). */
static const char *
rate(uint64_t cur, uint64_t prev, double dt, int bytes)
{
	static char bufs[8][24];
	static int i;
	char *b = bufs[i++ % 8];
	double r;

	if (cur == BCH_NONE || prev == BCH_NONE || cur < prev || dt <= 0)
		return "-";
	r = (double)(cur - prev) / dt;
	if (bytes)
		return format_size((uint64_t)(r + 0.5), b, 24);
	snprintf(b, 24, r < 10 && r != (double)(uint64_t)r ? "%.1f" : "%.0f", r);
	return b;
}

static const struct bch_dev *
find_prev(const struct sel *prev, const struct bch_dev *d)
{
	size_t i;

	if (!prev)
		return NULL;
	for (i = 0; i < prev->t.ndevs; i++)
		if (strcmp(prev->t.devs[i].backing, d->backing) == 0)
			return &prev->t.devs[i];
	return NULL;
}

/* One line, cut at the right edge: curses would wrap it onto the next. */
static void __attribute__((format(printf, 3, 4)))
put(int row, int col, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (row >= LINES || col >= COLS)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	mvaddnstr(row, col, line, COLS - col);
}

static void
draw(struct sel *s, struct sel *prev, double dt, double delay)
{
	char w[8][BCH_WARN_LEN], clock[16];
	time_t t = time(NULL);
	int row = 0, j, k, maxy = getmaxy(stdscr);
	size_t i;

	erase();
	strftime(clock, sizeof(clock), "%H:%M:%S", localtime(&t));
	put(row++, 0, "bcache-stats  %s  every %gs  window %s  (q quits)", clock, delay,
	         bch_interval_names[interval]);
	row++;
	attron(A_BOLD);
	put(row++, 0, "%-10s %-10s %-12s %-12s %7s %8s %9s %9s %8s %8s %9s %5s",
	         "DEVICE", "BACKING", "STATE", "MODE", "DIRTY", "WB/s", "HITS/s", "MISSES/s",
	         "BYPH/s", "BYPM/s", "BYPASS/s", "HIT%");
	attroff(A_BOLD);
	for (i = 0; i < s->t.ndevs && row < maxy; i++) {
		const struct bch_dev *d = &s->t.devs[i], *p = find_prev(prev, d);
		const struct bch_stats *c = &d->stats[BCH_TOTAL];
		const struct bch_stats none = { BCH_NONE, BCH_NONE, BCH_NONE, BCH_NONE, BCH_NONE, BCH_NONE, -1 };
		const struct bch_stats *o = p ? &p->stats[BCH_TOTAL] : &none;

		if (!s->dev_on[i])
			continue;
		put(row++, 0, "%-10s %-10s %-12s %-12s %7s %8s %9s %9s %8s %8s %9s %5s",
		         str(d->name), d->backing, str(d->state), str(d->cache_mode), size(d->dirty),
		         d->writeback_running == 1 ? size(d->writeback_rate) : "stopped",
		         rate(c->hits, o->hits, dt, 0), rate(c->misses, o->misses, dt, 0),
		         rate(c->bypass_hits, o->bypass_hits, dt, 0),
		         rate(c->bypass_misses, o->bypass_misses, dt, 0),
		         rate(c->bypassed, o->bypassed, dt, 1), pct(d->stats[interval].hit_ratio));
	}
	row++;
	for (i = 0; i < s->t.ncsets && row < maxy; i++) {
		const struct bch_cset *c = &s->t.csets[i];

		if (!s->cset_on[i])
			continue;
		put(row++, 0, "cache set %s  available %s  block %s  bucket %s", c->uuid,
		         pct(c->available_percent), size(c->block_size), size(c->bucket_size));
		for (k = 0; k < c->ncaches && row < maxy; k++)
			put(row++, 2, "cache %-12s io errors %s  written %s", c->caches[k].name,
			         num(c->caches[k].io_errors), size(c->caches[k].written));
	}
	for (i = 0; i < s->t.ndevs; i++) {
		if (!s->dev_on[i])
			continue;
		k = bch_dev_warnings(&s->t.devs[i], &s->t, w, 8);
		for (j = 0; j < k && row + 1 < maxy; j++) {
			attron(A_BOLD);
			put(++row, 0, "warning: %s: %s", str(s->t.devs[i].name[0] ? s->t.devs[i].name :
			         s->t.devs[i].backing), w[j]);
			attroff(A_BOLD);
		}
	}
	if (!s->t.ndevs && row < maxy)
		put(row, 0, "no bcache devices%s", s->t.loaded ? "" : " (bcache module not loaded)");
	refresh();
}

static void
top(char **names, int n, double delay)
{
	struct sel cur, prev;
	double t0, tprev = 0, deadline;
	int have_prev = 0, ch;

	if (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO))
		eprintf("--top: needs a terminal");
	what = (1u << BCH_TOTAL) | (1u << interval) | (what & BCH_PRIORITY_STATS);
	/* Names are checked before the screen is taken over. */
	read_tree(&cur, names, n, 1);
	free_sel(&cur);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGHUP, on_signal);
	if (!initscr())
		eprintf("--top: cannot initialise the terminal");
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	while (!stop) {
		read_tree(&cur, names, n, 0);
		t0 = now();
		draw(&cur, have_prev ? &prev : NULL, t0 - tprev, delay);
		deadline = t0 + delay;
		while (!stop) {
			double left = deadline - now();

			if (left <= 0)
				break;
			timeout((int)(left * 1000) + 1);
			ch = getch();
			if (ch == 'q' || ch == 'Q')
				stop = 1;
			else if (ch == KEY_RESIZE)   /* ncurses updated LINES/COLS */
				draw(&cur, have_prev ? &prev : NULL, t0 - tprev, delay);
		}
		if (have_prev)
			free_sel(&prev);
		prev = cur;
		have_prev = 1;
		tprev = t0;
	}
	endwin();
	if (have_prev)
		free_sel(&prev);
}

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "json", no_argument, NULL, 'j' },
		{ "prometheus", no_argument, NULL, 'p' },
		{ "top", no_argument, NULL, 't' },
		{ "delay", required_argument, NULL, 'd' },
		{ "priority-stats", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct sel s;
	int c, out = OUT_TABLE, delay_given = 0;
	double delay = 1;
	char *end;

	setprogname(argv[0]);
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":i:jptd:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			if ((interval = bch_interval_parse(optarg)) < 0)
				usage_error("--interval: %s: not one of total, day, hour, five_minute", optarg);
			interval_given = 1;
			break;
		case 'j': case 'p': case 't':
			if (out != OUT_TABLE)
				usage_error("--json, --prometheus and --top exclude each other");
			out = c == 'j' ? OUT_JSON : c == 'p' ? OUT_PROM : OUT_TOP;
			break;
		case 'd':
			errno = 0;
			delay = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(delay >= 0.1 && delay <= 3600))
				usage_error("--delay: %s: not a number of seconds from 0.1 to 3600", optarg);
			delay_given = 1;
			break;
		case 'P':
			what |= BCH_PRIORITY_STATS;
			break;
		case 'h':
			usage();
			return EXIT_OK;
		case 'V':
			print_version();
			return EXIT_OK;
		case ':':
			usage_error("%s: needs an argument", argv[optind - 1]);
		default:
			usage_error("%s: unknown option", argv[optind - 1]);
		}
	}
	if (delay_given && out != OUT_TOP)
		usage_error("--delay goes with --top");
	if (out == OUT_TOP) {
		top(argv + optind, argc - optind, delay);
		return EXIT_OK;
	}
	if (out == OUT_TABLE)
		what = (1u << interval) | BCH_RATE_DEBUG | (what & BCH_PRIORITY_STATS);
	read_tree(&s, argv + optind, argc - optind, 1);
	if (out == OUT_JSON)
		print_json(&s);
	else if (out == OUT_PROM)
		print_prometheus(&s);
	else
		print_table(&s);
	free_sel(&s);
	if (fflush(stdout) == EOF || ferror(stdout))
		eprintf("write error:");
	return EXIT_OK;
}
