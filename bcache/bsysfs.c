/* The bcache sysfs tree: parsers for the kernel's value formats, and a
 * reader that treats every attribute as optional.  Layout (kernel
 * drivers/md/bcache/super.c, sysfs.c):
 *   /sys/class/block/<backing>/bcache/   registered backing device
 *       dev   -> .../virtual/block/bcacheN   (while running)
 *       cache -> /sys/fs/bcache/<cset>       (while attached)
 *   /sys/fs/bcache/<cset>/                   cache set
 *       cacheN -> .../<cachedev>/bcache,  bdevN -> .../<backing>/bcache
 *   /sys/block/bcacheN/bcache -> the backing device's bcache directory.  */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "util.h"
#include "bsysfs.h"

const char *const bch_interval_names[BCH_NINTERVALS] = {
	"total", "day", "hour", "five_minute" };
const char *const bch_interval_dirs[BCH_NINTERVALS] = {
	"stats_total", "stats_day", "stats_hour", "stats_five_minute" };

int
bch_interval_parse(const char *s)
{
	int i;

	for (i = 0; i < BCH_NINTERVALS; i++)
		if (strcmp(s, bch_interval_names[i]) == 0)
			return i;
	return -1;
}

/* --- parsers --------------------------------------------------------------- */

static int
parse_hsize128(const char *s, unsigned __int128 *out)
{
	static const char units[] = "kmgtpezy";
	unsigned __int128 ip = 0, num = 0, den = 1;
	const char *u;
	int shift = 0;

	if (!isdigit((unsigned char)*s))
		goto inval;
	for (; isdigit((unsigned char)*s); s++) {
		ip = ip * 10 + (unsigned)(*s - '0');
		if (ip > UINT64_MAX)
			goto range;
	}
	if (*s == '.') {
		if (!isdigit((unsigned char)*++s))
			goto inval;
		for (; isdigit((unsigned char)*s); s++)
			if (den < 1000000000) {   /* more digits add nothing */
				num = num * 10 + (unsigned)(*s - '0');
				den *= 10;
			}
	}
	if (*s && (u = strchr(units, tolower((unsigned char)*s)))) {
		shift = 10 * (int)(u - units + 1);
		s++;
	} else if (den > 1) {
		goto inval;               /* the kernel never prints "1.5" */
	}
	if (strcmp(s, "/sec") == 0)
		s += 4;
	if (*s)
		goto inval;
	/* Two decimals only come from the old bch_hprint, whose decimal is
	 * t / 100 of a remainder t in 1024ths: "1.10G" is 1000/1024 of a G
	 * and more, not a tenth.  (One digit d, read as d/10, lies within
	 * both dialects' ranges.) */
	if (den == 100) {
		num *= 100;
		den = 1024;
	}
	/* Y is 2^80: only small values survive, checked before shifting. */
	if (shift >= 64 && (ip >> (128 - shift - 1)) != 0)
		goto range;
	ip = (ip << shift) + ((num << shift) / den);
	if (ip > UINT64_MAX)
		goto range;
	*out = ip;
	return 0;
inval:
	errno = EINVAL;
	return -1;
range:
	errno = ERANGE;
	return -1;
}

int
bch_parse_hsize(const char *s, uint64_t *bytes)
{
	unsigned __int128 v;

	if (!s || parse_hsize128(s, &v) < 0)
		return (errno = s ? errno : EINVAL), -1;
	*bytes = (uint64_t)v;
	return 0;
}

int
bch_parse_hsize_signed(const char *s, int64_t *bytes)
{
	unsigned __int128 v;
	int neg;

	if (!s) {
		errno = EINVAL;
		return -1;
	}
	neg = *s == '-';
	if (parse_hsize128(s + neg, &v) < 0)
		return -1;
	if (v > (unsigned __int128)INT64_MAX + neg) {
		errno = ERANGE;
		return -1;
	}
	*bytes = neg ? (int64_t)(0 - (uint64_t)v) : (int64_t)v;
	return 0;
}

int
bch_parse_selected(const char *s, char *out, size_t len)
{
	const char *open = strchr(s, '['), *close;
	size_t n;

	if (!open || !(close = strchr(open, ']'))) {
		errno = EINVAL;
		return -1;
	}
	n = (size_t)(close - open - 1);
	if (n == 0 || n >= len) {
		errno = n ? ENAMETOOLONG : EINVAL;
		return -1;
	}
	memcpy(out, open + 1, n);
	out[n] = '\0';
	return 0;
}

/* The value after "key:" at the start of a line, blanks skipped. */
static const char *
line_value(const char *text, const char *key, char *buf, size_t len)
{
	size_t klen = strlen(key), n;
	const char *p = text, *v;

	while (p && *p) {
		if (strncmp(p, key, klen) == 0 && p[klen] == ':') {
			v = p + klen + 1;
			v += strspn(v, " \t");
			n = strcspn(v, " \t\n");
			if (n >= len)
				return NULL;
			memcpy(buf, v, n);
			buf[n] = '\0';
			return buf;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

int
bch_rate_debug_value(const char *text, const char *key, int64_t *out)
{
	char buf[64];

	if (!line_value(text, key, buf, sizeof(buf))) {
		errno = ENOENT;
		return -1;
	}
	return bch_parse_hsize_signed(buf, out);
}

static int
percent_of(const char *text, const char *key)
{
	char buf[32];
	uint64_t v;
	size_t n;

	if (!line_value(text, key, buf, sizeof(buf)))
		return -1;
	n = strlen(buf);
	if (n && buf[n - 1] == '%')
		buf[n - 1] = '\0';
	if (parse_u64(buf, &v) < 0 || v > 100)
		return -1;
	return (int)v;
}

void
bch_parse_priority_stats(const char *text, struct bch_prio *p)
{
	p->unused = percent_of(text, "Unused");
	p->clean = percent_of(text, "Clean");
	p->dirty = percent_of(text, "Dirty");
	p->metadata = percent_of(text, "Metadata");
}

int
bch_state_code(const char *state)
{
	static const char *const names[] = { "clean", "dirty", "no cache", "inconsistent" };
	size_t i;

	for (i = 0; i < LEN(names); i++)
		if (strcmp(state, names[i]) == 0)
			return (int)i;
	return -1;
}

/* --- reading attributes ------------------------------------------------------ */

/* dir is below the sysfs root ("/class/block/sdb/bcache"). */
static int
rd_str(const char *dir, const char *attr, char *buf, size_t len)
{
	char path[PATH_MAX];

	buf[0] = '\0';
	if (sysfs_path(path, sizeof(path), "%s/%s", dir, attr) < 0 ||
	    read_small_file(path, buf, len) < 0) {
		buf[0] = '\0';
		return -1;
	}
	return 0;
}

static uint64_t
rd_u64(const char *dir, const char *attr)
{
	char buf[64];
	uint64_t v;

	if (rd_str(dir, attr, buf, sizeof(buf)) < 0 || parse_u64(buf, &v) < 0)
		return BCH_NONE;
	return v;
}

static int
rd_int(const char *dir, const char *attr)
{
	char buf[64];
	int64_t v;

	if (rd_str(dir, attr, buf, sizeof(buf)) < 0 || parse_i64(buf, &v) < 0 ||
	    v < 0 || v > INT_MAX)
		return -1;
	return (int)v;
}

static uint64_t
rd_hsize(const char *dir, const char *attr)
{
	char buf[64];
	uint64_t v;

	if (rd_str(dir, attr, buf, sizeof(buf)) < 0 || bch_parse_hsize(buf, &v) < 0)
		return BCH_NONE;
	return v;
}

static void
rd_selected(const char *dir, const char *attr, char *out, size_t len)
{
	char buf[256];

	if (rd_str(dir, attr, buf, sizeof(buf)) < 0 || bch_parse_selected(buf, out, len) < 0)
		out[0] = '\0';
}

/* The last component of a symlink's target ("cache" -> "../fs/bcache/<uuid>"
 * gives the uuid); with up = 1 the one before it (".../sdb/bcache" -> "sdb"). */
static int
rd_link_name(const char *dir, const char *attr, int up, char *out, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX], *slash, *name;
	ssize_t n;

	out[0] = '\0';
	if (sysfs_path(path, sizeof(path), "%s%s%s", dir, *attr ? "/" : "", attr) < 0)
		return -1;
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return -1;
	target[n] = '\0';
	while (n > 1 && target[n - 1] == '/')
		target[--n] = '\0';
	if (up && (slash = strrchr(target, '/')))
		*slash = '\0';
	name = strrchr(target, '/');
	name = name ? name + 1 : target;
	if (strlen(name) >= len)
		return -1;
	strcpy(out, name);
	return 0;
}

static int
is_dir(const char *dir, const char *attr)
{
	char path[PATH_MAX];
	struct stat st;

	return sysfs_path(path, sizeof(path), "%s/%s", dir, attr) == 0 &&
	       stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void
read_stats(const char *dir, struct bch_stats *st, unsigned what)
{
	char sub[512];
	int i;

	for (i = 0; i < BCH_NINTERVALS; i++) {
		struct bch_stats *s = &st[i];

		s->hits = s->misses = s->bypass_hits = s->bypass_misses = BCH_NONE;
		s->miss_collisions = s->bypassed = BCH_NONE;
		s->hit_ratio = -1;
		if (!(what & (1u << i)))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, bch_interval_dirs[i]);
		s->hits = rd_u64(sub, "cache_hits");
		s->misses = rd_u64(sub, "cache_misses");
		s->bypass_hits = rd_u64(sub, "cache_bypass_hits");
		s->bypass_misses = rd_u64(sub, "cache_bypass_misses");
		s->miss_collisions = rd_u64(sub, "cache_miss_collisions");
		s->bypassed = rd_hsize(sub, "bypassed");
		s->hit_ratio = rd_int(sub, "cache_hit_ratio");
	}
}

void
bch_dev_refresh(struct bch_dev *d, unsigned what)
{
	char buf[4096];
	const char *dir = d->dir;
	int64_t v;

	rd_link_name(dir, "dev", 0, d->name, sizeof(d->name));
	rd_link_name(dir, "cache", 0, d->cset, sizeof(d->cset));
	rd_str(dir, "backing_dev_uuid", d->uuid, sizeof(d->uuid));
	rd_str(dir, "state", d->state, sizeof(d->state));
	rd_selected(dir, "cache_mode", d->cache_mode, sizeof(d->cache_mode));
	rd_str(dir, "label", d->label, sizeof(d->label));
	d->running = rd_int(dir, "running");
	d->writeback_running = rd_int(dir, "writeback_running");
	d->writeback_percent = rd_int(dir, "writeback_percent");
	d->dirty = rd_hsize(dir, "dirty_data");
	d->sequential_cutoff = rd_hsize(dir, "sequential_cutoff");
	d->writeback_rate = rd_hsize(dir, "writeback_rate");
	d->io_errors = rd_u64(dir, "io_errors");
	d->dirty_target = BCH_NONE_I64;
	if ((what & BCH_RATE_DEBUG) && rd_str(dir, "writeback_rate_debug", buf, sizeof(buf)) == 0 &&
	    bch_rate_debug_value(buf, "target", &v) == 0)
		d->dirty_target = v;
	read_stats(dir, d->stats, what);
}

void
bch_cset_refresh(struct bch_cset *c, unsigned what)
{
	char dir[128], cdir[160], link[24], buf[4096];
	int i;

	snprintf(dir, sizeof(dir), "/fs/bcache/%s", c->uuid);
	c->block_size = rd_hsize(dir, "block_size");
	c->bucket_size = rd_hsize(dir, "bucket_size");
	c->available_percent = rd_int(dir, "cache_available_percent");
	c->congested = c->btree_cache_size = c->cache_read_races = BCH_NONE;
	if (!(what & BCH_CSET_BRIEF)) {
		c->congested = rd_hsize(dir, "congested");
		c->btree_cache_size = rd_hsize(dir, "btree_cache_size");
		snprintf(cdir, sizeof(cdir), "%s/internal", dir);
		c->cache_read_races = rd_u64(cdir, "cache_read_races");
	}
	read_stats(dir, c->stats, what & BCH_CSET_BRIEF ? 0 : what);
	c->ncaches = 0;
	for (i = 0; i < BCH_MAX_CACHES; i++) {
		struct bch_cache *k = &c->caches[c->ncaches];

		snprintf(link, sizeof(link), "cache%d", i);
		if (rd_link_name(dir, link, 1, k->name, sizeof(k->name)) < 0)
			continue;
		snprintf(cdir, sizeof(cdir), "%s/%s", dir, link);
		k->io_errors = rd_u64(cdir, "io_errors");
		k->nbuckets = k->written = k->btree_written = k->metadata_written = BCH_NONE;
		if (!(what & BCH_CSET_BRIEF)) {
			k->nbuckets = rd_u64(cdir, "nbuckets");
			k->written = rd_hsize(cdir, "written");
			k->btree_written = rd_hsize(cdir, "btree_written");
			k->metadata_written = rd_hsize(cdir, "metadata_written");
		}
		k->prio.unused = k->prio.clean = k->prio.dirty = k->prio.metadata = -1;
		/* Expensive: the kernel takes the bucket lock and sorts every
		 * bucket to produce this file, so only on request. */
		if ((what & BCH_PRIORITY_STATS) &&
		    rd_str(cdir, "priority_stats", buf, sizeof(buf)) == 0)
			bch_parse_priority_stats(buf, &k->prio);
		c->ncaches++;
	}
}

/* --- the whole tree -------------------------------------------------------------- */

static int
dev_cmp(const void *a, const void *b)
{
	const struct bch_dev *x = a, *y = b;

	if (!*x->name != !*y->name)
		return *x->name ? -1 : 1;
	if (*x->name)
		return strverscmp(x->name, y->name);
	return strverscmp(x->backing, y->backing);
}

static int
cset_cmp(const void *a, const void *b)
{
	return strcmp(((const struct bch_cset *)a)->uuid, ((const struct bch_cset *)b)->uuid);
}

/* Grows an array by one zeroed element; NULL on ENOMEM. */
static void *
grow(void **arr, size_t *n, size_t size)
{
	char *p = realloc(*arr, (*n + 1) * size);

	if (!p)
		return NULL;
	*arr = p;
	memset(p + *n * size, 0, size);
	return p + (*n)++ * size;
}

static int
read_backing_devs(struct bch_tree *t, unsigned what)
{
	char base[PATH_MAX], dir[256], path[PATH_MAX];
	struct dirent *e;
	struct stat st;
	struct bch_dev *d;
	DIR *dp;

	if (sysfs_path(base, sizeof(base), "/class/block") < 0 || !(dp = opendir(base)))
		return 0;
	while ((e = readdir(dp))) {
		if (e->d_name[0] == '.' || strlen(e->d_name) >= sizeof(d->backing) ||
		    snprintf(dir, sizeof(dir), "/class/block/%s/bcache", e->d_name) >= (int)sizeof(dir) ||
		    sysfs_path(path, sizeof(path), "%s", dir) < 0)
			continue;
		/* bcacheN/bcache is a link to the backing device's directory:
		 * that device is found under its own name. */
		if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		if (sysfs_path(path, sizeof(path), "%s/cache_mode", dir) < 0 ||
		    (access(path, F_OK) < 0 &&
		     (sysfs_path(path, sizeof(path), "%s/running", dir) < 0 || access(path, F_OK) < 0)))
			continue;         /* a cache device or a flash-only volume */
		if (!(d = grow((void **)&t->devs, &t->ndevs, sizeof(*d)))) {
			closedir(dp);
			return -1;
		}
		snprintf(d->dir, sizeof(d->dir), "%s", dir);
		strcpy(d->backing, e->d_name);
		bch_dev_refresh(d, what);
	}
	closedir(dp);
	if (t->ndevs)   /* qsort's base may not be NULL, even for nothing */
		qsort(t->devs, t->ndevs, sizeof(*t->devs), dev_cmp);
	return 0;
}

static int
read_csets(struct bch_tree *t, unsigned what)
{
	char base[PATH_MAX];
	struct dirent *e;
	struct bch_cset *c;
	DIR *dp;

	if (sysfs_path(base, sizeof(base), "/fs/bcache") < 0 || !(dp = opendir(base)))
		return 0;
	t->loaded = 1;
	while ((e = readdir(dp))) {
		/* Entries are the register files and "%pU" directories. */
		if (strlen(e->d_name) != 36 || !is_dir("/fs/bcache", e->d_name))
			continue;
		if (!(c = grow((void **)&t->csets, &t->ncsets, sizeof(*c)))) {
			closedir(dp);
			return -1;
		}
		memcpy(c->uuid, e->d_name, 37);
		bch_cset_refresh(c, what);
	}
	closedir(dp);
	if (t->ncsets)
		qsort(t->csets, t->ncsets, sizeof(*t->csets), cset_cmp);
	return 0;
}

int
bch_tree_read(struct bch_tree *t, unsigned what)
{
	memset(t, 0, sizeof(*t));
	if (read_csets(t, what) < 0 || read_backing_devs(t, what) < 0) {
		bch_tree_free(t);
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

void
bch_tree_free(struct bch_tree *t)
{
	free(t->devs);
	free(t->csets);
	memset(t, 0, sizeof(*t));
}

/* "/dev/mapper/x" or "/dev/disk/by-id/y": the kernel name via major:minor. */
static int
kernel_name(const char *arg, char *out, size_t len)
{
	char dir[64];
	struct stat st;

	if (stat(arg, &st) < 0 || !S_ISBLK(st.st_mode))
		return -1;
	snprintf(dir, sizeof(dir), "/dev/block/%u:%u", major(st.st_rdev), minor(st.st_rdev));
	/* "/sys/dev/block/8:16" -> "../../devices/.../sdb" */
	return rd_link_name(dir, "", 0, out, len);
}

struct bch_dev *
bch_tree_find(struct bch_tree *t, const char *arg)
{
	char kname[64];
	const char *name = arg;
	size_t i;

	if (kernel_name(arg, kname, sizeof(kname)) == 0)
		name = kname;
	else if (strncmp(arg, "/dev/", 5) == 0)
		name = arg + 5;
	for (i = 0; i < t->ndevs; i++) {
		struct bch_dev *d = &t->devs[i];

		if ((*d->name && strcmp(d->name, name) == 0) || strcmp(d->backing, name) == 0 ||
		    (*d->uuid && strcasecmp(d->uuid, name) == 0) ||
		    (*d->label && strcmp(d->label, name) == 0))
			return d;
	}
	return NULL;
}

struct bch_cset *
bch_tree_cset(struct bch_tree *t, const char *uuid)
{
	size_t i;

	for (i = 0; i < t->ncsets; i++)
		if (strcmp(t->csets[i].uuid, uuid) == 0)
			return &t->csets[i];
	return NULL;
}

#define WARN(...) do { if (n < max) snprintf(w[n++], BCH_WARN_LEN, __VA_ARGS__); } while (0)

int
bch_dev_warnings(const struct bch_dev *d, const struct bch_tree *t, char w[][BCH_WARN_LEN], int max)
{
	int n = 0;

	(void)t;
	if (strcmp(d->state, "inconsistent") == 0)
		WARN("state inconsistent: was run without its cache while dirty");
	if (strcmp(d->state, "dirty") == 0 && !*d->cset)
		WARN("dirty data but no cache set attached%s", *d->name ? "" : "; not running");
	if (d->io_errors != BCH_NONE && d->io_errors > 0)
		WARN("%llu I/O errors on the backing device", (unsigned long long)d->io_errors);
	if (*d->cset && d->writeback_running == 0 &&
	    ((d->dirty != BCH_NONE && d->dirty > 0) || strcmp(d->cache_mode, "writeback") == 0))
		WARN("writeback is stopped (writeback_running 0)");
	return n;
}

int
bch_cset_warnings(const struct bch_cset *c, char w[][BCH_WARN_LEN], int max)
{
	int n = 0, i;

	for (i = 0; i < c->ncaches; i++)
		if (c->caches[i].io_errors != BCH_NONE && c->caches[i].io_errors > 0)
			WARN("%llu I/O errors on cache device %s",
			     (unsigned long long)c->caches[i].io_errors, c->caches[i].name);
	return n;
}
