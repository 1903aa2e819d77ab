/* Pure parsing and validation for KSM (see ksmstat.h).  Facts from the
 * kernel's Documentation/admin-guide/mm/ksm.rst and mm/ksm.c: every file
 * is optional, since they came and went between kernel versions. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "ksmstat.h"

#define UINT_MAX32 4294967295u
#define INT_MAX32  2147483647u

/* The writable knobs, in the order they are written.  Ranges are the
 * kernel's (kstrtouint, kstrtoint, kstrtobool as 0/1) unless said. */
const struct ksm_knob ksm_knobs[] = {
	{ "advisor_mode", KNOB_CHOICE, 0, 0, { "none", "scan-time", NULL }, NULL },
	{ "pages_to_scan", 0, 1, UINT_MAX32, { NULL }, "0 would never scan; use 'ksmctl off'" },
	{ "sleep_millisecs", 0, 0, UINT_MAX32, { NULL }, NULL },
	{ "merge_across_nodes", KNOB_UNMERGED, 0, 1, { NULL }, NULL },
	{ "use_zero_pages", 0, 0, 1, { NULL }, NULL },
	{ "max_page_sharing", KNOB_UNMERGED, 2, INT_MAX32, { NULL }, NULL },
	{ "stable_node_chains_prune_millisecs", 0, 0, UINT_MAX32, { NULL }, NULL },
	{ "smart_scan", 0, 0, 1, { NULL }, NULL },
	{ "advisor_max_cpu", 0, 1, 100, { NULL }, "it is a percentage of one CPU" },
	{ "advisor_min_pages_to_scan", 0, 1, UINT_MAX32, { NULL }, NULL },
	{ "advisor_max_pages_to_scan", 0, 1, UINT_MAX32, { NULL }, NULL },
	{ "advisor_target_scan_time", 0, 1, UINT_MAX32, { NULL }, "seconds, at least 1" },
	{ "run", 0, 0, 2, { NULL }, "0 stop, 1 run, 2 unmerge" },
};
const size_t ksm_nknobs = LEN(ksm_knobs);
_Static_assert(LEN(ksm_knobs) <= KSM_MAX_KNOBS, "KSM_MAX_KNOBS too small");

static void
trim_end(char *s)
{
	size_t n = strlen(s);

	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
}

static const char *
skip_blank(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

int
ksm_parse_value(const char *name, const char *text, struct ksm_value *v)
{
	char buf[256];
	const char *open, *close;
	size_t n;

	if (snprintf(v->name, sizeof(v->name), "%s", name) >= (int)sizeof(v->name) ||
	    snprintf(buf, sizeof(buf), "%s", text) >= (int)sizeof(buf))
		return -1;
	trim_end(buf);
	v->num = 0;
	v->choice[0] = '\0';
	if (parse_i64(buf, &v->num) == 0) {
		v->kind = KSM_NUM;
		return 0;
	}
	/* "none [scan-time]": the bracketed word is the current one. */
	open = strchr(buf, '[');
	close = open ? strchr(open, ']') : NULL;
	if (!close || close == open + 1)
		return -1;
	n = (size_t)(close - open - 1);
	if (n >= sizeof(v->choice))
		return -1;
	/* A choice is one word: "[ ]" or "[a b]" is nothing the kernel prints,
	 * and what --save wrote from it --load would refuse. */
	for (size_t i = 1; i <= n; i++)
		if (isspace((unsigned char)open[i]))
			return -1;
	memcpy(v->choice, open + 1, n);
	v->choice[n] = '\0';
	v->kind = KSM_CHOICE;
	return 0;
}

const struct ksm_value *
ksm_find(const struct ksm_global *g, const char *name)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		if (strcmp(g->v[i].name, name) == 0)
			return &g->v[i];
	return NULL;
}

int64_t
ksm_num(const struct ksm_global *g, const char *name, int64_t dflt)
{
	const struct ksm_value *v = ksm_find(g, name);

	return v && v->kind == KSM_NUM ? v->num : dflt;
}

int
ksm_global_put(struct ksm_global *g, const struct ksm_value *v)
{
	size_t i;

	for (i = 0; i < g->n; i++) {
		int c = strcmp(g->v[i].name, v->name);
		if (c == 0) {
			g->v[i] = *v;
			return 0;
		}
		if (c > 0)
			break;
	}
	if (g->n == LEN(g->v))
		return -1;
	memmove(&g->v[i + 1], &g->v[i], (g->n - i) * sizeof(g->v[0]));
	g->v[i] = *v;
	g->n++;
	return 0;
}

void
ksm_derive(const struct ksm_global *g, uint64_t page_size, struct ksm_derived *d)
{
	int64_t shared = ksm_num(g, "pages_shared", 0);
	int64_t sharing = ksm_num(g, "pages_sharing", 0);
	int64_t unshared = ksm_num(g, "pages_unshared", 0);
	int64_t to_scan = ksm_num(g, "pages_to_scan", 0);
	int64_t sleep_ms = ksm_num(g, "sleep_millisecs", 0);

	d->page_size = page_size;
	d->memory_saved_bytes = sharing > 0 ? (uint64_t)sharing * page_size : 0;
	d->sharing_ratio = shared > 0 ? (double)sharing / (double)shared : NAN;
	d->unshared_ratio = sharing > 0 ? (double)unshared / (double)sharing : NAN;
	d->scan_pages_per_sec = sleep_ms > 0 ? (double)to_scan * 1000.0 / (double)sleep_ms : NAN;
}

static int
parse_flag(const char *s)
{
	if (strcmp(s, "yes") == 0)
		return 1;
	if (strcmp(s, "no") == 0)
		return 0;
	return -2;
}

int
ksm_stat_parse(const char *text, struct ksm_proc *p)
{
	char line[128], key[64];
	const char *s = text, *nl, *val;
	size_t n, k;
	uint64_t u;

	p->rmap_items = p->zero_pages = p->merging_pages = 0;
	p->profit = 0;
	p->merge_any = p->mergeable = -1;
	p->has_merging = p->has_profit = 0;
	p->nkeys = 0;
	for (; *s; s = nl ? nl + 1 : s + n) {
		nl = strchr(s, '\n');
		n = nl ? (size_t)(nl - s) : strlen(s);
		if (n >= sizeof(line))
			return -1;
		memcpy(line, s, n);
		line[n] = '\0';
		trim_end(line);
		if (!line[0])
			continue;
		for (k = 0; line[k] && line[k] != ':' && !isspace((unsigned char)line[k]); k++)
			;
		if (k == 0 || k >= sizeof(key))
			return -1;
		memcpy(key, line, k);
		key[k] = '\0';
		val = line + k;
		if (*val == ':')
			val++;
		val = skip_blank(val);
		if (strcmp(key, "ksm_process_profit") == 0) {
			if (parse_i64(val, &p->profit) < 0)
				return -1;
			p->has_profit = 1;
		} else if (strcmp(key, "ksm_merge_any") == 0) {
			if ((p->merge_any = parse_flag(val)) < -1)
				return -1;
		} else if (strcmp(key, "ksm_mergeable") == 0) {
			if ((p->mergeable = parse_flag(val)) < -1)
				return -1;
		} else if (strcmp(key, "ksm_rmap_items") == 0 ||
		           strcmp(key, "ksm_zero_pages") == 0 ||
		           strcmp(key, "ksm_merging_pages") == 0) {
			if (parse_u64(val, &u) < 0)
				return -1;
			if (key[4] == 'r')
				p->rmap_items = u;
			else if (key[4] == 'z')
				p->zero_pages = u;
			else {
				p->merging_pages = u;
				p->has_merging = 1;
			}
		} else {
			continue;   /* keys added by later kernels are ignored */
		}
		p->nkeys++;
	}
	return 0;
}

int
ksm_proc_interesting(const struct ksm_proc *p)
{
	return p->rmap_items || p->merging_pages || p->zero_pages || p->profit ||
	       p->mergeable == 1 || p->merge_any == 1;
}

static int
cmp_pid(const struct ksm_proc *a, const struct ksm_proc *b)
{
	return (a->pid > b->pid) - (a->pid < b->pid);
}

int
ksm_proc_cmp_merging(const void *va, const void *vb)
{
	const struct ksm_proc *a = va, *b = vb;

	if (a->merging_pages != b->merging_pages)
		return a->merging_pages < b->merging_pages ? 1 : -1;
	return cmp_pid(a, b);
}

int
ksm_proc_cmp_profit(const void *va, const void *vb)
{
	const struct ksm_proc *a = va, *b = vb;

	if (a->profit != b->profit)
		return a->profit < b->profit ? 1 : -1;
	return ksm_proc_cmp_merging(va, vb);
}

void
ksm_smaps_line(struct ksm_smaps *s, const char *line)
{
	const char *t;
	uint64_t kb;
	char num[32];
	size_t n;

	if (strncmp(line, "Size:", 5) == 0) {
		t = skip_blank(line + 5);
		n = strspn(t, "0123456789");
		if (n && n < sizeof(num)) {
			memcpy(num, t, n);
			num[n] = '\0';
			s->area_kb = parse_u64(num, &kb) == 0 ? kb : 0;
		}
		return;
	}
	if (strncmp(line, "VmFlags:", 8) != 0)
		return;
	/* Flags are two-letter words separated by blanks. */
	for (t = line + 8; *t; t += 2) {
		t = skip_blank(t);
		if (t[0] == 'm' && t[1] == 'g' && (!t[2] || isspace((unsigned char)t[2]))) {
			s->mergeable_kb += s->area_kb;
			s->mergeable_areas++;
			break;
		}
		if (!t[0] || !t[1])
			break;
	}
	s->area_kb = 0;
}

const struct ksm_knob *
ksm_knob_find(const char *name)
{
	size_t i;

	for (i = 0; i < ksm_nknobs; i++)
		if (strcmp(ksm_knobs[i].name, name) == 0)
			return &ksm_knobs[i];
	return NULL;
}

int
ksm_parse_assignment(const char *arg, struct ksm_change *c, char *err, size_t errlen)
{
	const char *eq = strchr(arg, '=');
	char key[KSM_NAME_MAX];
	const char *val;
	size_t i;
	uint64_t u;

	if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof(key)) {
		snprintf(err, errlen, "'%s': expected KEY=VALUE", arg);
		return -1;
	}
	memcpy(key, arg, (size_t)(eq - arg));
	key[eq - arg] = '\0';
	val = eq + 1;
	memset(c, 0, sizeof(*c));
	if (!(c->knob = ksm_knob_find(key))) {
		snprintf(err, errlen, "%s: not a writable KSM setting", key);
		return -1;
	}
	if (c->knob->flags & KNOB_CHOICE) {
		for (i = 0; i < LEN(c->knob->choices) && c->knob->choices[i]; i++)
			if (strcmp(val, c->knob->choices[i]) == 0) {
				snprintf(c->value, sizeof(c->value), "%s", val);
				return 0;
			}
		snprintf(err, errlen, "%s: '%s' is not one of: %s%s%s", key, val,
		         c->knob->choices[0], c->knob->choices[1] ? " " : "",
		         c->knob->choices[1] ? c->knob->choices[1] : "");
		return -1;
	}
	if (parse_u64(val, &u) < 0) {
		snprintf(err, errlen, "%s: '%s' is not a whole number", key, val);
		return -1;
	}
	if (u < c->knob->min || u > c->knob->max) {
		snprintf(err, errlen, "%s: %s is out of range %" PRIu64 "..%" PRIu64 "%s%s",
		         key, val, c->knob->min, c->knob->max,
		         c->knob->range_why ? " (" : "", c->knob->range_why ? c->knob->range_why : "");
		if (c->knob->range_why)
			snprintf(err + strlen(err), errlen - strlen(err), ")");
		return -1;
	}
	snprintf(c->value, sizeof(c->value), "%" PRIu64, u);
	return 0;
}

static void
value_text(const struct ksm_value *v, char *buf, size_t len)
{
	if (v->kind == KSM_CHOICE)
		snprintf(buf, len, "%s", v->choice);
	else
		snprintf(buf, len, "%" PRId64, v->num);
}

/* The value a knob will have once the list is applied. */
static const char *
final_value(const struct ksm_change *c, size_t n, const struct ksm_global *cur,
            const char *name, char *buf, size_t len)
{
	const struct ksm_value *v;
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(c[i].knob->name, name) == 0)
			return c[i].value;
	if (!(v = ksm_find(cur, name)))
		return NULL;
	value_text(v, buf, len);
	return buf;
}

/* Write order: leaving the advisor first (it then gives pages_to_scan
 * back), entering it after pages_to_scan, and run last, so that a saved
 * file applied at boot starts KSM with its final tuning. */
static int
write_rank(const struct ksm_change *c)
{
	if (strcmp(c->knob->name, "run") == 0)
		return 3;
	if (strcmp(c->knob->name, "advisor_mode") == 0)
		return strcmp(c->value, "none") == 0 ? 0 : 2;
	return 1;
}

int
ksm_validate(struct ksm_change *c, size_t n, const struct ksm_global *cur,
             char *err, size_t errlen)
{
	char b1[KSM_CHOICE_MAX], b2[KSM_CHOICE_MAX];
	const struct ksm_value *v;
	const char *mode, *lo, *hi;
	size_t i, j;
	int64_t shared = ksm_num(cur, "pages_shared", 0);

	for (i = 0; i < n; i++) {
		for (j = 0; j < i; j++)
			if (c[j].knob == c[i].knob) {
				snprintf(err, errlen, "%s: given twice", c[i].knob->name);
				return -1;
			}
		if (!(v = ksm_find(cur, c[i].knob->name))) {
			snprintf(err, errlen, "%s: not present on this kernel", c[i].knob->name);
			return -1;
		}
		value_text(v, c[i].old, sizeof(c[i].old));
		c[i].changed = strcmp(c[i].old, c[i].value) != 0;
		if ((c[i].knob->flags & KNOB_UNMERGED) && c[i].changed && shared > 0) {
			snprintf(err, errlen, "%s: the kernel allows a change only while nothing is "
			         "merged (pages_shared %" PRId64 "); run 'ksmctl unmerge' first",
			         c[i].knob->name, shared);
			return -1;
		}
	}
	mode = final_value(c, n, cur, "advisor_mode", b1, sizeof(b1));
	for (i = 0; i < n; i++)
		if (c[i].changed && strcmp(c[i].knob->name, "pages_to_scan") == 0 &&
		    mode && strcmp(mode, "scan-time") == 0) {
			snprintf(err, errlen, "pages_to_scan: the advisor sets it while advisor_mode "
			         "is scan-time; set advisor_mode=none first");
			return -1;
		}
	lo = final_value(c, n, cur, "advisor_min_pages_to_scan", b1, sizeof(b1));
	hi = final_value(c, n, cur, "advisor_max_pages_to_scan", b2, sizeof(b2));
	if (lo && hi && strtoull(lo, NULL, 10) > strtoull(hi, NULL, 10)) {
		snprintf(err, errlen, "advisor_min_pages_to_scan %s is above "
		         "advisor_max_pages_to_scan %s", lo, hi);
		return -1;
	}
	/* Insertion sort: stable, and lists are short. */
	for (i = 1; i < n; i++) {
		struct ksm_change t = c[i];
		for (j = i; j > 0 && write_rank(&c[j - 1]) > write_rank(&t); j--)
			c[j] = c[j - 1];
		c[j] = t;
	}
	return 0;
}

int
ksm_conf_line(const char *line, char *key, size_t klen, char *val, size_t vlen)
{
	const char *s = skip_blank(line), *eq, *k_end, *v;
	size_t kn, vn;

	if (!*s || *s == '#' || *s == '\n')
		return 0;
	if (!(eq = strchr(s, '=')))
		return -1;
	for (k_end = eq; k_end > s && (k_end[-1] == ' ' || k_end[-1] == '\t'); k_end--)
		;
	v = skip_blank(eq + 1);
	vn = strcspn(v, "\n");
	while (vn && isspace((unsigned char)v[vn - 1]))
		vn--;
	kn = (size_t)(k_end - s);
	if (kn == 0 || kn >= klen || vn == 0 || vn >= vlen)
		return -1;
	memcpy(key, s, kn);
	key[kn] = '\0';
	memcpy(val, v, vn);
	val[vn] = '\0';
	return 1;
}

int
ksm_conf_format(const struct ksm_global *cur, char *buf, size_t len)
{
	const struct ksm_value *v, *mode = ksm_find(cur, "advisor_mode");
	int advisor = mode && mode->kind == KSM_CHOICE && strcmp(mode->choice, "none") != 0;
	char val[KSM_CHOICE_MAX];
	size_t i, off;
	int n;

	n = snprintf(buf, len, "# KSM settings written by ksmctl --save; "
	             "applied by ksmctl --load (ksm-settings.service at boot).\n");
	if (n < 0 || (size_t)n >= len)
		return -1;
	off = (size_t)n;
	for (i = 0; i < ksm_nknobs; i++) {
		if (!(v = ksm_find(cur, ksm_knobs[i].name)))
			continue;
		/* The advisor owns pages_to_scan; a saved value would fight it. */
		if (advisor && strcmp(v->name, "pages_to_scan") == 0)
			continue;
		value_text(v, val, sizeof(val));
		/* run 2 (unmerge) is an action, not a state to restore. */
		if (strcmp(v->name, "run") == 0 && v->num == 2)
			snprintf(val, sizeof(val), "0");
		n = snprintf(buf + off, len - off, "%s=%s\n", v->name, val);
		if (n < 0 || (size_t)n >= len - off)
			return -1;
		off += (size_t)n;
	}
	return (int)off;
}
