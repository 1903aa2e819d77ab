/* The checks of 'ksmctl explain', in the order an admin would make them. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util.h"
#include "explain.h"

/* A full scan slower than this leaves new duplicates unmerged for long. */
#define SLOW_SCAN_SECS 600.0
/* What explain suggests instead: a full scan a minute. */
#define GOOD_SCAN_SECS 60.0

const char *
ksm_level_name(enum ksm_level l)
{
	return l == KSM_OK ? "ok" : l == KSM_NOTE ? "note" : "problem";
}

static struct ksm_finding *
add(struct ksm_finding *out, size_t *n, const char *check, enum ksm_level l,
    const char *advice, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static struct ksm_finding *
add(struct ksm_finding *out, size_t *n, const char *check, enum ksm_level l,
    const char *advice, const char *fmt, ...)
{
	struct ksm_finding *f = &out[*n];
	va_list ap;

	if (*n == KSM_MAX_FINDINGS)
		return f - 1;
	(*n)++;
	f->check = check;
	f->level = l;
	va_start(ap, fmt);
	vsnprintf(f->text, sizeof(f->text), fmt, ap);
	va_end(ap);
	snprintf(f->advice, sizeof(f->advice), "%s", advice ? advice : "");
	return f;
}

static const char *
duration(double s, char *buf, size_t len)
{
	if (s < 120)
		snprintf(buf, len, "%.0f s", s);
	else if (s < 7200)
		snprintf(buf, len, "%.0f min", s / 60);
	else
		snprintf(buf, len, "%.1f h", s / 3600);
	return buf;
}

static void
check_scan_rate(const struct ksm_facts *f, struct ksm_finding *out, size_t *n)
{
	const struct ksm_global *g = f->g;
	const struct ksm_value *mode = ksm_find(g, "advisor_mode");
	int64_t to_scan = ksm_num(g, "pages_to_scan", 0);
	int64_t sleep_ms = ksm_num(g, "sleep_millisecs", 0);
	uint64_t volume = (uint64_t)ksm_num(g, "pages_shared", 0) + (uint64_t)ksm_num(g, "pages_sharing", 0) +
	                  (uint64_t)ksm_num(g, "pages_unshared", 0) + (uint64_t)ksm_num(g, "pages_volatile", 0);
	char d[32], sz[32], adv[256];
	double rate, secs;

	if (f->rmap_items > volume)
		volume = f->rmap_items;
	if (f->mergeable_pages > volume)
		volume = f->mergeable_pages;
	if (mode && mode->kind == KSM_CHOICE && strcmp(mode->choice, "scan-time") == 0) {
		add(out, n, "scan_rate", KSM_OK, NULL, "the advisor tunes pages_to_scan (now %" PRId64
		    ") for a full scan every %" PRId64 " s", to_scan,
		    ksm_num(g, "advisor_target_scan_time", 0));
		return;
	}
	if (to_scan <= 0) {
		add(out, n, "scan_rate", KSM_PROBLEM, "ksmctl set pages_to_scan=1000",
		    "pages_to_scan is 0: KSM never scans");
		return;
	}
	if (volume == 0) {
		add(out, n, "scan_rate", KSM_OK, NULL, "scanning %" PRId64 " pages every %" PRId64
		    " ms; no mergeable volume known yet", to_scan, sleep_ms);
		return;
	}
	rate = (double)to_scan * 1000.0 / (double)(sleep_ms > 0 ? sleep_ms : 1);
	secs = (double)volume / rate;
	format_size(volume * f->page_size, sz, sizeof(sz));
	if (secs > SLOW_SCAN_SECS) {
		double want = (double)volume / GOOD_SCAN_SECS * (double)(sleep_ms > 0 ? sleep_ms : 1) / 1000.0;
		snprintf(adv, sizeof(adv), "ksmctl set pages_to_scan=%.0f (a full scan a minute), "
		         "or lower sleep_millisecs, or ksmctl set advisor_mode=scan-time", want + 1);
		add(out, n, "scan_rate", KSM_PROBLEM, adv, "a full scan of %" PRIu64 " mergeable pages (%s) "
		    "takes about %s at pages_to_scan %" PRId64 " every %" PRId64 " ms",
		    volume, sz, duration(secs, d, sizeof(d)), to_scan, sleep_ms);
	} else {
		add(out, n, "scan_rate", KSM_OK, NULL, "a full scan of %" PRIu64 " mergeable pages (%s) "
		    "takes about %s", volume, sz, duration(secs, d, sizeof(d)));
	}
}

size_t
ksm_explain(const struct ksm_facts *f, struct ksm_finding *out)
{
	const struct ksm_global *g = f->g;
	size_t n = 0;
	int64_t run, full_scans, shared, sharing;
	int healthy;
	char sz[32];

	if (!f->compiled) {
		add(out, &n, "compiled", KSM_PROBLEM, "use a kernel built with CONFIG_KSM=y",
		    "this kernel has no KSM (no /sys/kernel/mm/ksm)");
		return n;
	}
	add(out, &n, "compiled", KSM_OK, NULL, "KSM is compiled in");

	run = ksm_num(g, "run", -1);
	if (run == 1)
		add(out, &n, "run", KSM_OK, NULL, "KSM is running (run 1)");
	else if (run == 2)
		add(out, &n, "run", KSM_PROBLEM, "ksmctl on",
		    "KSM is stopped and its pages were unmerged (run 2)");
	else
		add(out, &n, "run", KSM_PROBLEM, "ksmctl on", "KSM is stopped (run %" PRId64 ")", run);

	if (!f->procs_readable)
		add(out, &n, "mergeable", KSM_NOTE, "run ksmctl explain as root",
		    "could not read the processes' memory flags");
	else if (f->mergeable_procs == 0)
		add(out, &n, "mergeable", KSM_PROBLEM,
		    "programs must madvise(MADV_MERGEABLE) their memory (QEMU: -machine mem-merge=on); "
		    "start any other program with 'ksmctl run -- CMD' (Linux 6.4+)",
		    "no process has mergeable memory (checked %s)", f->mergeable_source);
	else
		add(out, &n, "mergeable", KSM_OK, NULL, "%u process%s mergeable memory "
		    "(%" PRIu64 " pages seen by KSM)", f->mergeable_procs,
		    f->mergeable_procs == 1 ? " has" : "es have", f->rmap_items);

	full_scans = ksm_num(g, "full_scans", 0);
	if (run == 1 && full_scans == 0)
		add(out, &n, "full_scans", KSM_NOTE, "wait: KSM merges a page once it found it "
		    "unchanged in two scans", "KSM has not completed a full scan yet");
	else
		add(out, &n, "full_scans", KSM_OK, NULL, "%" PRId64 " full scans completed", full_scans);

	check_scan_rate(f, out, &n);

	if (strcmp(f->thp, "always") == 0)
		add(out, &n, "thp", KSM_NOTE, "if the workload allows: "
		    "echo madvise > /sys/kernel/mm/transparent_hugepage/enabled",
		    "transparent huge pages are 'always': KSM must split huge pages to merge "
		    "them, and khugepaged may collapse them again");
	else if (f->thp[0])
		add(out, &n, "thp", KSM_OK, NULL, "transparent huge pages are '%s'", f->thp);

	shared = ksm_num(g, "pages_shared", 0);
	sharing = ksm_num(g, "pages_sharing", 0);
	healthy = run == 1 && f->mergeable_procs > 0 && full_scans > 0;
	if (f->apparmor == 1 && healthy && shared == 0)
		add(out, &n, "lsm", KSM_NOTE, "if nothing above explains it, boot once with "
		    "apparmor=0 to compare",
		    "AppArmor is active; Ubuntu hosts with AppArmor were reported to keep "
		    "pages_shared at 0 until booted with apparmor=0");
	else if (f->apparmor >= 0)
		add(out, &n, "lsm", KSM_OK, NULL, f->apparmor ? "AppArmor is active, KSM merges anyway"
		    : "no AppArmor");

	if (sharing > 0)
		add(out, &n, "merging", KSM_OK, NULL, "KSM is merging: %" PRId64 " pages share %" PRId64
		    ", saving %s", sharing, shared,
		    format_size((uint64_t)sharing * f->page_size, sz, sizeof(sz)));
	else if (healthy)
		add(out, &n, "merging", KSM_NOTE, "nothing to do if the memory is really distinct",
		    "KSM scans but finds no identical pages (pages_unshared %" PRId64
		    ", pages_volatile %" PRId64 ")", ksm_num(g, "pages_unshared", 0),
		    ksm_num(g, "pages_volatile", 0));
	return n;
}
