/* munin plugin "bcache": a multigraph plugin.  Overview graphs compare
 * the devices; a child graph per device, named after its backing device's
 * UUID (bcacheN changes across reboots) with bcacheN in the title, holds
 * the details:
 *   bcache_hit_ratio[.dev]   five_minute (overview), five_minute hour day total
 *   bcache_requests[.dev]    hits misses bypass_hits bypass_misses miss_collisions
 *   bcache_bypassed          bytes per second that bypassed the cache
 *   bcache_dirty[.dev]       dirty data (and the writeback target)
 *   bcache_writeback[.dev]   writeback rate (and whether it runs)
 *   bcache_state             0 clean, 1 dirty, 2 no cache, 3 inconsistent
 *   bcache_available         per cache set: available percent
 *   bcache_io_errors         per cache and backing device, with a warning
 * It reads the tree through bcache/bsysfs.c, the model bcache-stats uses.
 * Environment: HOSTKIT_SYSFS (tests), io_errors_warning (default 0:
 * warn on any error).  */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"
#include "bsysfs.h"
#include "munin.h"

MUNIN_MAGIC("autoconf");

static struct bch_tree t;
static int cfg, vals;

/* Field and graph names allow [A-Za-z0-9_]: "bdev_" + the UUID, or the
 * backing device name on kernels without backing_dev_uuid (before 4.18). */
static const char *
dev_id(const struct bch_dev *d)
{
	static char id[80];
	const char *src = *d->uuid ? d->uuid : d->backing;
	char *p;

	snprintf(id, sizeof(id), "%s%s", *d->uuid ? "bdev_" : "dev_", src);
	for (p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9')))
			*p = '_';
	return id;
}

static const char *
cset_id(const struct bch_cset *c)
{
	static char id[64];
	char *p;

	snprintf(id, sizeof(id), "cset_%s", c->uuid);
	for (p = id; *p; p++)
		if (*p == '-')
			*p = '_';
	return id;
}

/* "bcache0 (sdb)", or "sdb (not running)". */
static const char *
dev_label(const struct bch_dev *d)
{
	static char l[128];

	if (*d->name)
		snprintf(l, sizeof(l), "%s (%s)", d->name, d->backing);
	else
		snprintf(l, sizeof(l), "%s (not running)", d->backing);
	return l;
}

static void
head(const char *graph, const char *sub, const char *title, const char *vlabel, const char *args)
{
	if (sub)
		printf("multigraph %s.%s\n", graph, sub);
	else
		printf("multigraph %s\n", graph);
	if (cfg)
		printf("graph_title %s\ngraph_vlabel %s\ngraph_args %s\ngraph_category disk\n",
		       title, vlabel, args);
}

static void
field(const char *f, const char *label, const char *type, const char *extra)
{
	if (!cfg)
		return;
	printf("%s.label %s\n%s.type %s\n", f, label, f, type);
	if (strcmp(type, "GAUGE") != 0)
		printf("%s.min 0\n", f);
	if (extra)
		printf("%s", extra);
}

static uint64_t
pct_or_u(int v)
{
	return v < 0 ? UINT64_MAX : (uint64_t)v;
}

/* An overview graph: one field per device, named by dev_id(), with the
 * attribute lines attrs ("min 0", ...) on each; info may be NULL. */
static void
overview(const char *graph, const char *title, const char *vlabel, const char *args, const char *info,
         const char *type, const char *const *attrs, uint64_t (*get)(const struct bch_dev *))
{
	size_t i, k;

	head(graph, NULL, title, vlabel, args);
	if (cfg && info)
		printf("graph_info %s\n", info);
	for (i = 0; i < t.ndevs; i++) {
		field(dev_id(&t.devs[i]), dev_label(&t.devs[i]), type, NULL);
		for (k = 0; cfg && attrs && attrs[k]; k++)
			printf("%s.%s\n", dev_id(&t.devs[i]), attrs[k]);
	}
	if (vals)
		for (i = 0; i < t.ndevs; i++)
			munin_value(dev_id(&t.devs[i]), get(&t.devs[i]));
}

/* The child graph of a device: "multigraph GRAPH.bdev_<uuid>". */
static void
child(const char *graph, const char *what, const struct bch_dev *d, const char *vlabel,
      const char *args)
{
	char title[160];

	snprintf(title, sizeof(title), "bcache %s: %s", what, dev_label(d));
	head(graph, dev_id(d), title, vlabel, args);
}

static const char *const percent_attrs[] = { "min 0", "max 100", NULL };

static uint64_t
five_minute_ratio(const struct bch_dev *d)
{
	return pct_or_u(d->stats[BCH_FIVE_MINUTE].hit_ratio);
}

static void
hit_ratio(void)
{
	static const char *const pct_args = "--base 1000 -l 0 -u 100 -r";
	char extra[160];
	size_t i;
	int k;

	overview("bcache_hit_ratio", "bcache hit ratio (five minutes)", "%", pct_args, NULL, "GAUGE",
	         percent_attrs, five_minute_ratio);
	for (i = 0; i < t.ndevs; i++) {
		child("bcache_hit_ratio", "hit ratio", &t.devs[i], "%", pct_args);
		for (k = BCH_NINTERVALS - 1; k >= 0; k--) {
			snprintf(extra, sizeof(extra), "%s.min 0\n%s.max 100\n%s.info stats_%s/cache_hit_ratio\n",
			         bch_interval_names[k], bch_interval_names[k], bch_interval_names[k],
			         bch_interval_names[k]);
			field(bch_interval_names[k], bch_interval_names[k], "GAUGE", extra);
		}
		if (vals)
			for (k = BCH_NINTERVALS - 1; k >= 0; k--)
				munin_value(bch_interval_names[k], pct_or_u(t.devs[i].stats[k].hit_ratio));
	}
}

static const char *const req_names[] = { "hits", "misses", "bypass_hits", "bypass_misses", "miss_collisions" };

static uint64_t
req(const struct bch_stats *s, int k)
{
	const uint64_t v[] = { s->hits, s->misses, s->bypass_hits, s->bypass_misses, s->miss_collisions };

	return v[k];
}

static void
requests_fields(void)
{
	static const char *const labels[] = { "hits", "misses", "bypass hits", "bypass misses",
	                                      "miss collisions" };
	int k;

	for (k = 0; k < 5; k++)
		field(req_names[k], labels[k], "DERIVE", NULL);
}

static void
requests(void)
{
	static const char *const vlabel = "requests per ${graph_period}", *const args = "--base 1000 -l 0";
	uint64_t sum, v;
	size_t i;
	int k;

	head("bcache_requests", NULL, "bcache requests, all devices", vlabel, args);
	requests_fields();
	if (vals)
		for (k = 0; k < 5; k++) {
			sum = 0;
			for (i = 0; i < t.ndevs && sum != UINT64_MAX; i++) {
				v = req(&t.devs[i].stats[BCH_TOTAL], k);
				sum = v == UINT64_MAX ? UINT64_MAX : sum + v;
			}
			munin_value(req_names[k], sum);
		}
	for (i = 0; i < t.ndevs; i++) {
		child("bcache_requests", "requests", &t.devs[i], vlabel, args);
		requests_fields();
		if (vals)
			for (k = 0; k < 5; k++)
				munin_value(req_names[k], req(&t.devs[i].stats[BCH_TOTAL], k));
	}
}

static uint64_t
bypassed_bytes(const struct bch_dev *d)
{
	return d->stats[BCH_TOTAL].bypassed;
}

static void
bypassed(void)
{
	overview("bcache_bypassed", "bcache bypassed", "bytes per ${graph_period}", "--base 1024 -l 0",
	         "I/O that bypassed the cache (sequential or congested).  The kernel prints this "
	         "counter with two or three significant digits, so small rates show as steps.",
	         "DERIVE", NULL, bypassed_bytes);
}

static uint64_t
dirty_bytes(const struct bch_dev *d)
{
	return d->dirty;
}

static void
dirty(void)
{
	size_t i;

	overview("bcache_dirty", "bcache dirty data", "bytes", "--base 1024 -l 0", NULL, "GAUGE", NULL,
	         dirty_bytes);
	for (i = 0; i < t.ndevs; i++) {
		const struct bch_dev *d = &t.devs[i];

		child("bcache_dirty", "dirty data", d, "bytes", "--base 1024 -l 0");
		field("dirty", "dirty", "GAUGE", "dirty.info Cached data not yet written to the backing device.\n");
		field("target", "target", "GAUGE", "target.info What the writeback controller aims for "
		      "(writeback_rate_debug).\n");
		if (vals) {
			munin_value("dirty", d->dirty);
			munin_value_i64("target", d->dirty_target, d->dirty_target != BCH_NONE_I64);
		}
	}
}

static uint64_t
writeback_rate(const struct bch_dev *d)
{
	return d->writeback_running == 1 ? d->writeback_rate : 0;
}

static void
writeback(void)
{
	size_t i;

	overview("bcache_writeback", "bcache writeback rate", "bytes per second", "--base 1024 -l 0",
	         NULL, "GAUGE", NULL, writeback_rate);
	for (i = 0; i < t.ndevs; i++) {
		const struct bch_dev *d = &t.devs[i];

		child("bcache_writeback", "writeback", d, "bytes per second", "--base 1024 -l 0");
		field("rate", "rate", "GAUGE", "rate.info writeback_rate (0 while writeback is stopped).\n");
		field("running", "running (0/1)", "GAUGE", "running.info writeback_running.\n");
		if (vals) {
			munin_value("rate", writeback_rate(d));
			munin_value("running", pct_or_u(d->writeback_running));
		}
	}
}

static uint64_t
state_code(const struct bch_dev *d)
{
	return pct_or_u(bch_state_code(d->state));
}

static void
state(void)
{
	static const char *const attrs[] = { "critical 2.5", NULL };

	overview("bcache_state", "bcache device state", "state", "--base 1000 -l 0 -u 3",
	         "0 clean, 1 dirty, 2 no cache, 3 inconsistent (run without its cache while dirty: "
	         "data likely corrupt).", "GAUGE", attrs, state_code);
}

static void
available(void)
{
	char label[64];
	size_t i;

	head("bcache_available", NULL, "bcache cache sets: available", "%", "--base 1000 -l 0 -u 100 -r");
	if (cfg)
		puts("graph_info cache_available_percent: the share of the cache neither dirty nor "
		     "metadata, updated by garbage collection.");
	for (i = 0; i < t.ncsets; i++) {
		snprintf(label, sizeof(label), "%.8s", t.csets[i].uuid);
		field(cset_id(&t.csets[i]), label, "GAUGE", NULL);
	}
	if (vals)
		for (i = 0; i < t.ncsets; i++)
			munin_value(cset_id(&t.csets[i]), pct_or_u(t.csets[i].available_percent));
}

static void
io_errors(void)
{
	const char *warn = getenv("io_errors_warning");
	char f[96], label[160];
	size_t i;
	int k, pass;

	if (!warn || !*warn)
		warn = "0";
	head("bcache_io_errors", NULL, "bcache I/O errors", "errors", "--base 1000 -l 0");
	if (cfg)
		puts("graph_info Errors counted by bcache: on cache devices (decaying, see io_error_halflife) "
		     "and on backing devices.");
	for (pass = 0; pass < 2; pass++) {
		if ((pass == 0 && !cfg) || (pass == 1 && !vals))
			continue;
		for (i = 0; i < t.ncsets; i++)
			for (k = 0; k < t.csets[i].ncaches; k++) {
				snprintf(f, sizeof(f), "%s_cache%d", cset_id(&t.csets[i]), k);
				snprintf(label, sizeof(label), "cache %s", t.csets[i].caches[k].name);
				if (pass == 0) {
					field(f, label, "GAUGE", NULL);
					printf("%s.warning %s\n", f, warn);
				} else {
					munin_value(f, t.csets[i].caches[k].io_errors);
				}
			}
		for (i = 0; i < t.ndevs; i++) {
			const struct bch_dev *d = &t.devs[i];

			if (d->io_errors == BCH_NONE)   /* before 4.17 */
				continue;
			if (pass == 0) {
				snprintf(label, sizeof(label), "backing %s", dev_label(d));
				field(dev_id(d), label, "GAUGE", NULL);
				printf("%s.warning %s\n", dev_id(d), warn);
			} else {
				munin_value(dev_id(d), d->io_errors);
			}
		}
	}
}

int
main(int argc, char *argv[])
{
	char path[PATH_MAX];
	int mode = munin_mode(argc, argv);

	if (mode == MUNIN_AUTOCONF) {
		if (!munin_multigraph())
			puts("no (munin-node without multigraph support)");
		else if (sysfs_path(path, sizeof(path), "/fs/bcache") < 0 || access(path, F_OK) < 0)
			printf("no (%s not found: bcache module not loaded)\n", path);
		else if (bch_tree_read(&t, 0) < 0)
			printf("no (cannot read the bcache tree)\n");
		else if (t.ndevs == 0 && t.ncsets == 0)
			puts("no (no bcache device registered)");
		else
			puts("yes");
		return 0;
	}
	if (!munin_multigraph()) {
		/* As Munin::Plugin's need_multigraph() does. */
		if (mode == MUNIN_CONFIG)
			puts("graph_title This plugin needs multigraph support\n"
			     "multigraph.label No multigraph here\n"
			     "multigraph.info munin-node 1.4.0 or later is needed for this plugin.");
		else
			puts("multigraph.value 0");
		return 0;
	}
	cfg = mode == MUNIN_CONFIG;
	vals = mode == MUNIN_FETCH || munin_dirtyconfig();
	/* Only what the graphs show: the devices' four windows, the cache
	 * sets' availability and errors; never priority_stats. */
	if (bch_tree_read(&t, BCH_ALL_INTERVALS | BCH_RATE_DEBUG | BCH_CSET_BRIEF) < 0) {
		fprintf(stderr, "%s: reading the bcache tree: out of memory\n", argv0);
		return 1;
	}
	hit_ratio();
	requests();
	bypassed();
	dirty();
	writeback();
	state();
	available();
	io_errors();
	bch_tree_free(&t);
	return fflush(stdout) == 0 ? 0 : 1;
}
