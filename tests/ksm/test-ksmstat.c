/* Unit tests of the pure KSM functions: value and ksm_stat parsing,
 * derived figures, knob validation, the settings file, explain. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util.h"
#include "ksmstat.h"
#include "explain.h"

static void
put(struct ksm_global *g, const char *name, const char *text)
{
	struct ksm_value v;

	assert_int_equal(ksm_parse_value(name, text, &v), 0);
	assert_int_equal(ksm_global_put(g, &v), 0);
}

/* A 6.x kernel, as its files read (newline included). */
static void
kernel6(struct ksm_global *g)
{
	g->n = 0;
	put(g, "run", "1\n");
	put(g, "pages_to_scan", "100\n");
	put(g, "sleep_millisecs", "20\n");
	put(g, "pages_shared", "0\n");
	put(g, "pages_sharing", "0\n");
	put(g, "pages_unshared", "0\n");
	put(g, "pages_volatile", "0\n");
	put(g, "full_scans", "0\n");
	put(g, "merge_across_nodes", "1\n");
	put(g, "max_page_sharing", "256\n");
	put(g, "use_zero_pages", "0\n");
	put(g, "smart_scan", "1\n");
	put(g, "general_profit", "-4096\n");
	put(g, "advisor_mode", "[none] scan-time\n");
	put(g, "advisor_min_pages_to_scan", "500\n");
	put(g, "advisor_max_pages_to_scan", "30000\n");
}

static void
test_parse_value(void **state)
{
	struct ksm_value v;

	assert_int_equal(ksm_parse_value("pages_sharing", "4095\n", &v), 0);
	assert_int_equal(v.kind, KSM_NUM);
	assert_true(v.num == 4095);
	assert_int_equal(ksm_parse_value("general_profit", "-123\n", &v), 0);
	assert_true(v.num == -123);
	assert_int_equal(ksm_parse_value("advisor_mode", "none [scan-time]\n", &v), 0);
	assert_int_equal(v.kind, KSM_CHOICE);
	assert_string_equal(v.choice, "scan-time");
	assert_int_equal(ksm_parse_value("advisor_mode", "[none] scan-time", &v), 0);
	assert_string_equal(v.choice, "none");
	assert_int_equal(ksm_parse_value("x", "", &v), -1);
	assert_int_equal(ksm_parse_value("x", "12 apples", &v), -1);
	assert_int_equal(ksm_parse_value("x", "[] a", &v), -1);
	assert_int_equal(ksm_parse_value("x", "[unclosed", &v), -1);
}

static void
test_global_sorted(void **state)
{
	struct ksm_global g;

	kernel6(&g);
	for (size_t i = 1; i < g.n; i++)
		assert_true(strcmp(g.v[i - 1].name, g.v[i].name) < 0);
	put(&g, "run", "0");   /* replaces, does not add */
	assert_true(ksm_num(&g, "run", -1) == 0);
	assert_true(ksm_num(&g, "absent", -7) == -7);
	assert_true(ksm_num(&g, "advisor_mode", -7) == -7);
	assert_null(ksm_find(&g, "ksm_zero_pages"));
}

static void
test_derive(void **state)
{
	struct ksm_global g;
	struct ksm_derived d;

	kernel6(&g);
	ksm_derive(&g, 4096, &d);
	assert_true(d.memory_saved_bytes == 0);
	assert_true(isnan(d.sharing_ratio));
	assert_true(isnan(d.unshared_ratio));
	assert_true(fabs(d.scan_pages_per_sec - 5000.0) < 1e-9);
	put(&g, "pages_shared", "16");
	put(&g, "pages_sharing", "4080");
	put(&g, "pages_unshared", "408");
	ksm_derive(&g, 4096, &d);
	assert_true(d.memory_saved_bytes == 4080ull * 4096);
	assert_true(fabs(d.sharing_ratio - 255.0) < 1e-9);
	assert_true(fabs(d.unshared_ratio - 0.1) < 1e-9);
	put(&g, "sleep_millisecs", "0");
	ksm_derive(&g, 4096, &d);
	assert_true(isnan(d.scan_pages_per_sec));
}

static void
test_stat_parse(void **state)
{
	struct ksm_proc p;

	assert_int_equal(ksm_stat_parse("ksm_rmap_items 4096\nksm_zero_pages 0\n"
	                                "ksm_merging_pages 4095\nksm_process_profit 16654336\n"
	                                "ksm_merge_any: no\nksm_mergeable: yes\n", &p), 0);
	assert_true(p.rmap_items == 4096 && p.merging_pages == 4095 && p.profit == 16654336);
	assert_int_equal(p.merge_any, 0);
	assert_int_equal(p.mergeable, 1);
	assert_true(p.has_merging && p.has_profit);
	assert_int_equal(p.nkeys, 6);
	assert_true(ksm_proc_interesting(&p));
	/* Linux 6.1: one line only. */
	assert_int_equal(ksm_stat_parse("ksm_rmap_items 0\n", &p), 0);
	assert_int_equal(p.mergeable, -1);
	assert_false(p.has_merging);
	assert_false(ksm_proc_interesting(&p));
	/* A kernel thread: empty.  Unknown keys are ignored. */
	assert_int_equal(ksm_stat_parse("", &p), 0);
	assert_int_equal(p.nkeys, 0);
	assert_int_equal(ksm_stat_parse("ksm_future 12\nksm_rmap_items 3", &p), 0);
	assert_true(p.rmap_items == 3);
	assert_int_equal(ksm_stat_parse("ksm_process_profit -8192\n", &p), 0);
	assert_true(p.profit == -8192);
	assert_int_equal(ksm_stat_parse("ksm_rmap_items x\n", &p), -1);
	assert_int_equal(ksm_stat_parse("ksm_mergeable: maybe\n", &p), -1);
}

static void
test_sort(void **state)
{
	struct ksm_proc p[3] = {
		{ .pid = 30, .merging_pages = 5, .profit = 100 },
		{ .pid = 10, .merging_pages = 9, .profit = -5 },
		{ .pid = 20, .merging_pages = 9, .profit = 200 },
	};

	qsort(p, 3, sizeof(p[0]), ksm_proc_cmp_merging);
	assert_int_equal(p[0].pid, 10);
	assert_int_equal(p[1].pid, 20);
	assert_int_equal(p[2].pid, 30);
	qsort(p, 3, sizeof(p[0]), ksm_proc_cmp_profit);
	assert_int_equal(p[0].pid, 20);
	assert_int_equal(p[1].pid, 30);
	assert_int_equal(p[2].pid, 10);
}

static struct ksm_smaps
smaps(const char *text)
{
	struct ksm_smaps s = { 0 };
	char buf[4096], *line, *next;

	snprintf(buf, sizeof(buf), "%s", text);
	for (line = buf; line; line = next) {
		if ((next = strchr(line, '\n')))
			*next++ = '\0';
		ksm_smaps_line(&s, line);
	}
	return s;
}

static void
test_smaps(void **state)
{
	struct ksm_smaps s;

	s = smaps("7f00-7f01 rw-p 0 00:00 0\nSize:               1024 kB\n"
	          "VmFlags: rd wr mr mw me ac mg\n"
	          "7f02-7f03 rw-p 0 00:00 0\nSize:                 64 kB\n"
	          "VmFlags: rd wr mg sd\n"
	          "5500-5501 r--p 0 fd:01 1 /usr/bin/x\nSize:                  8 kB\n"
	          "Name: mg\nVmFlags: rd mr mw me\n");
	assert_int_equal(s.mergeable_areas, 2);
	assert_true(s.mergeable_kb == 1088);
	s = smaps("Size: 4 kB\nVmFlags: rd wr mr mw me ac sd\n");
	assert_int_equal(s.mergeable_areas, 0);
	s = smaps("Size: 4 kB\nVmFlags: mgx\nVmFlags: m\n");
	assert_int_equal(s.mergeable_areas, 0);
	s = smaps("");
	assert_true(s.mergeable_kb == 0);
}

static void
test_assignment(void **state)
{
	struct ksm_change c;
	char err[256];

	assert_int_equal(ksm_parse_assignment("pages_to_scan=5000", &c, err, sizeof(err)), 0);
	assert_string_equal(c.knob->name, "pages_to_scan");
	assert_string_equal(c.value, "5000");
	assert_int_equal(ksm_parse_assignment("advisor_mode=scan-time", &c, err, sizeof(err)), 0);
	assert_string_equal(c.value, "scan-time");
	assert_int_equal(ksm_parse_assignment("advisor_mode=fast", &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "none scan-time"));
	assert_int_equal(ksm_parse_assignment("pages_to_scan=0", &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "out of range"));
	assert_int_equal(ksm_parse_assignment("pages_to_scan=4294967296", &c, err, sizeof(err)), -1);
	assert_int_equal(ksm_parse_assignment("max_page_sharing=1", &c, err, sizeof(err)), -1);
	assert_int_equal(ksm_parse_assignment("run=3", &c, err, sizeof(err)), -1);
	assert_int_equal(ksm_parse_assignment("use_zero_pages=2", &c, err, sizeof(err)), -1);
	assert_int_equal(ksm_parse_assignment("sleep_millisecs=-1", &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "whole number"));
	assert_int_equal(ksm_parse_assignment("pages_shared=1", &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a writable"));
	assert_int_equal(ksm_parse_assignment("pages_to_scan", &c, err, sizeof(err)), -1);
	assert_int_equal(ksm_parse_assignment("=5", &c, err, sizeof(err)), -1);
	assert_int_equal(ksm_parse_assignment("sleep_millisecs=", &c, err, sizeof(err)), -1);
}

static size_t
changes(struct ksm_change *c, const char **args, size_t n)
{
	char err[256];

	for (size_t i = 0; i < n; i++)
		assert_int_equal(ksm_parse_assignment(args[i], &c[i], err, sizeof(err)), 0);
	return n;
}

static void
test_validate(void **state)
{
	struct ksm_global g;
	struct ksm_change c[KSM_MAX_KNOBS];
	char err[256];
	size_t n;

	kernel6(&g);
	n = changes(c, (const char *[]){ "run=1", "sleep_millisecs=10", "advisor_mode=scan-time",
	                                 "pages_to_scan=100" }, 4);
	assert_int_equal(ksm_validate(c, n, &g, err, sizeof(err)), 0);
	/* Written in order: tuning, then entering the advisor, run last. */
	assert_string_equal(c[0].knob->name, "sleep_millisecs");
	assert_string_equal(c[1].knob->name, "pages_to_scan");
	assert_int_equal(c[1].changed, 0);
	assert_string_equal(c[2].knob->name, "advisor_mode");
	assert_string_equal(c[3].knob->name, "run");
	assert_string_equal(c[0].old, "20");
	assert_int_equal(c[0].changed, 1);
	assert_int_equal(c[3].changed, 0);

	/* The advisor owns pages_to_scan. */
	n = changes(c, (const char *[]){ "advisor_mode=scan-time", "pages_to_scan=900" }, 2);
	assert_int_equal(ksm_validate(c, n, &g, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "advisor"));
	put(&g, "advisor_mode", "none [scan-time]");
	n = changes(c, (const char *[]){ "pages_to_scan=900", "advisor_mode=none" }, 2);
	assert_int_equal(ksm_validate(c, n, &g, err, sizeof(err)), 0);
	assert_string_equal(c[0].knob->name, "advisor_mode");   /* leaves it first */
	put(&g, "advisor_mode", "[none] scan-time");

	/* merge_across_nodes: only while nothing is merged. */
	put(&g, "pages_shared", "3");
	n = changes(c, (const char *[]){ "merge_across_nodes=0" }, 1);
	assert_int_equal(ksm_validate(c, n, &g, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unmerge"));
	n = changes(c, (const char *[]){ "merge_across_nodes=1", "max_page_sharing=256" }, 2);
	assert_int_equal(ksm_validate(c, n, &g, err, sizeof(err)), 0);   /* unchanged: fine */
	put(&g, "pages_shared", "0");
	n = changes(c, (const char *[]){ "merge_across_nodes=0" }, 1);
	assert_int_equal(ksm_validate(c, n, &g, err, sizeof(err)), 0);

	/* advisor min above max, a key twice, a knob this kernel lacks. */
	n = changes(c, (const char *[]){ "advisor_min_pages_to_scan=40000" }, 1);
	assert_int_equal(ksm_validate(c, n, &g, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "above"));
	n = changes(c, (const char *[]){ "advisor_min_pages_to_scan=40000",
	                                 "advisor_max_pages_to_scan=50000" }, 2);
	assert_int_equal(ksm_validate(c, n, &g, err, sizeof(err)), 0);
	n = changes(c, (const char *[]){ "run=1", "run=0" }, 2);
	assert_int_equal(ksm_validate(c, n, &g, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "twice"));
	n = changes(c, (const char *[]){ "advisor_max_cpu=50" }, 1);
	assert_int_equal(ksm_validate(c, n, &g, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not present"));
}

static void
test_conf(void **state)
{
	struct ksm_global g;
	char key[64], val[32], buf[2048], *line, *next;
	int n, seen = 0;

	assert_int_equal(ksm_conf_line("# comment", key, sizeof(key), val, sizeof(val)), 0);
	assert_int_equal(ksm_conf_line("   ", key, sizeof(key), val, sizeof(val)), 0);
	assert_int_equal(ksm_conf_line("", key, sizeof(key), val, sizeof(val)), 0);
	assert_int_equal(ksm_conf_line("  run = 1  ", key, sizeof(key), val, sizeof(val)), 1);
	assert_string_equal(key, "run");
	assert_string_equal(val, "1");
	assert_int_equal(ksm_conf_line("run", key, sizeof(key), val, sizeof(val)), -1);
	assert_int_equal(ksm_conf_line("run=", key, sizeof(key), val, sizeof(val)), -1);
	assert_int_equal(ksm_conf_line("=1", key, sizeof(key), val, sizeof(val)), -1);

	kernel6(&g);
	n = ksm_conf_format(&g, buf, sizeof(buf));
	assert_true(n > 0 && buf[n - 1] == '\n');
	assert_non_null(strstr(buf, "\npages_to_scan=100\n"));
	assert_non_null(strstr(buf, "\nadvisor_mode=none\n"));
	assert_null(strstr(buf, "pages_shared"));
	/* run comes last, so that the tuning is in place when KSM starts. */
	assert_non_null(strstr(buf, "\nrun=1\n"));
	assert_string_equal(strstr(buf, "\nrun=1\n"), "\nrun=1\n");
	/* Every line parses back to a writable knob. */
	for (line = buf; line && *line; line = next) {
		next = strchr(line, '\n');
		*next++ = '\0';
		n = ksm_conf_line(line, key, sizeof(key), val, sizeof(val));
		assert_true(n >= 0);
		if (n == 1) {
			assert_non_null(ksm_knob_find(key));
			seen++;
		}
	}
	assert_int_equal(seen, 10);
	/* Under the advisor, pages_to_scan is not saved; run 2 saves as 0. */
	put(&g, "advisor_mode", "none [scan-time]");
	put(&g, "run", "2");
	assert_true(ksm_conf_format(&g, buf, sizeof(buf)) > 0);
	assert_null(strstr(buf, "\npages_to_scan="));
	assert_non_null(strstr(buf, "\nrun=0\n"));
	assert_int_equal(ksm_conf_format(&g, buf, 40), -1);
}

static const struct ksm_finding *
finding(const struct ksm_finding *f, size_t n, const char *check)
{
	static const struct ksm_finding missing = { .check = "missing", .level = -1 };

	for (size_t i = 0; i < n; i++)
		if (strcmp(f[i].check, check) == 0)
			return &f[i];
	return &missing;
}

static void
test_explain(void **state)
{
	struct ksm_finding out[KSM_MAX_FINDINGS];
	struct ksm_global g;
	struct ksm_facts f = { .compiled = 1, .g = &g, .page_size = 4096, .procs_readable = 1,
	                       .mergeable_source = "ksm_stat", .thp = "madvise", .apparmor = 0 };
	size_t n;

	kernel6(&g);
	put(&g, "run", "0");
	n = ksm_explain(&f, out);
	assert_int_equal(finding(out, n, "run")->level, KSM_PROBLEM);
	assert_int_equal(finding(out, n, "mergeable")->level, KSM_PROBLEM);
	assert_string_equal(finding(out, n, "merging")->check, "missing");

	/* Running, with a big mergeable volume and the default slow rate. */
	put(&g, "run", "1");
	put(&g, "full_scans", "2");
	f.mergeable_procs = 3;
	f.rmap_items = 8u << 20;   /* 32 GiB of 4K pages */
	n = ksm_explain(&f, out);
	assert_int_equal(finding(out, n, "run")->level, KSM_OK);
	assert_int_equal(finding(out, n, "mergeable")->level, KSM_OK);
	assert_int_equal(finding(out, n, "scan_rate")->level, KSM_PROBLEM);
	assert_non_null(strstr(finding(out, n, "scan_rate")->advice, "pages_to_scan="));
	assert_int_equal(finding(out, n, "merging")->level, KSM_NOTE);

	/* AppArmor is named only when everything else looks right. */
	f.rmap_items = 1000;
	f.apparmor = 1;
	n = ksm_explain(&f, out);
	assert_int_equal(finding(out, n, "scan_rate")->level, KSM_OK);
	assert_int_equal(finding(out, n, "lsm")->level, KSM_NOTE);
	put(&g, "pages_shared", "10");
	put(&g, "pages_sharing", "100");
	n = ksm_explain(&f, out);
	assert_int_equal(finding(out, n, "lsm")->level, KSM_OK);
	assert_int_equal(finding(out, n, "merging")->level, KSM_OK);

	/* THP always, the advisor, no KSM at all. */
	snprintf(f.thp, sizeof(f.thp), "always");
	put(&g, "advisor_mode", "none [scan-time]");
	n = ksm_explain(&f, out);
	assert_int_equal(finding(out, n, "thp")->level, KSM_NOTE);
	assert_non_null(strstr(finding(out, n, "scan_rate")->text, "advisor"));
	f.compiled = 0;
	n = ksm_explain(&f, out);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].level, KSM_PROBLEM);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_value),
		cmocka_unit_test(test_global_sorted),
		cmocka_unit_test(test_derive),
		cmocka_unit_test(test_stat_parse),
		cmocka_unit_test(test_sort),
		cmocka_unit_test(test_smaps),
		cmocka_unit_test(test_assignment),
		cmocka_unit_test(test_validate),
		cmocka_unit_test(test_conf),
		cmocka_unit_test(test_explain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
