/* ksmctl — enable, tune and explain Kernel Samepage Merging. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"
#include "ksmstat.h"
#include "ksmsys.h"
#include "explain.h"

#ifndef PR_SET_MEMORY_MERGE
#define PR_SET_MEMORY_MERGE 67   /* Linux 6.4; Debian 12's headers lack it */
#endif

#define CONF_MAX 8192

static int json_out, prom_out;
static struct json J;

static void
usage(FILE *f)
{
	fprintf(f,
	    "Usage: %s [--json] [--save FILE] [--load FILE] [COMMAND [ARGS]]\n"
	    "commands:\n"
	    "  status [--prometheus]    every KSM value and the derived figures (default)\n"
	    "  on | off | unmerge       run = 1 / 0 / 2\n"
	    "  set KEY=VALUE...         change settings, all or nothing\n"
	    "  explain                  why is nothing merging?\n"
	    "  run -- CMD [ARGS]        run CMD with all its memory mergeable (Linux 6.4+)\n"
	    "options:\n"
	    "  -j, --json               JSON output\n"
	    "  -p, --prometheus         status in the Prometheus text format\n"
	    "  -s, --save FILE          save the settings to FILE (after COMMAND, if any)\n"
	    "  -l, --load FILE          apply the settings saved in FILE\n"
	    "  -h, --help               this text\n"
	    "  -V, --version            the version\n", argv0);
}

static void
print_ratio(const char *name, double r)
{
	if (isnan(r))
		printf("%-36s -\n", name);
	else
		printf("%-36s %.2f\n", name, r);
}

/* --- status ------------------------------------------------------------ */

/* Prometheus names, help and types of the values we know; others are
 * exported as gauges with a generic help line. */
static const struct {
	const char *name, *metric, *type, *help;
	double scale;   /* Prometheus wants base units: milliseconds become seconds */
} prom_known[] = {
	{ "full_scans", "full_scans_total", "counter", "Full scans of all mergeable areas completed.", 1 },
	{ "pages_scanned", "pages_scanned_total", "counter", "Pages scanned by ksmd.", 1 },
	{ "general_profit", "general_profit_bytes", "gauge", "Memory saved by KSM minus its metadata, in bytes.", 1 },
	{ "pages_shared", "pages_shared", "gauge", "Shared pages in use (the kept copies).", 1 },
	{ "pages_sharing", "pages_sharing", "gauge", "Page table entries pointing to shared pages (pages saved).", 1 },
	{ "pages_unshared", "pages_unshared", "gauge", "Pages unique but repeatedly checked for merging.", 1 },
	{ "pages_volatile", "pages_volatile", "gauge", "Pages changing too fast to be merged.", 1 },
	{ "run", "run", "gauge", "KSM state: 0 stopped, 1 running, 2 unmerged.", 1 },
	{ "sleep_millisecs", "sleep_seconds", "gauge", "Seconds ksmd sleeps between batches.", 1000 },
	{ "stable_node_chains_prune_millisecs", "stable_node_chains_prune_seconds", "gauge",
	  "Seconds between prunings of stale stable node chains.", 1000 },
	{ "advisor_target_scan_time", "advisor_target_scan_time_seconds", "gauge",
	  "Seconds the scan-time advisor aims at for a full scan.", 1 },
	{ "ksm_zero_pages", "zero_pages", "gauge", "Empty pages merged with the zero page (use_zero_pages).", 1 },
	{ "pages_skipped", "pages_skipped", "gauge", "Pages the smart scan skipped in the last full scan.", 1 },
	{ "pages_to_scan", "pages_to_scan", "gauge", "Pages ksmd scans per batch.", 1 },
	{ "max_page_sharing", "max_page_sharing", "gauge", "Most sharers of one shared page.", 1 },
	{ "merge_across_nodes", "merge_across_nodes", "gauge", "1 when pages merge across NUMA nodes.", 1 },
	{ "use_zero_pages", "use_zero_pages", "gauge", "1 when empty pages merge with the zero page.", 1 },
	{ "smart_scan", "smart_scan", "gauge", "1 when pages that never merge are scanned less often.", 1 },
	{ "stable_node_chains", "stable_node_chains", "gauge", "Shared pages that hit max_page_sharing.", 1 },
	{ "stable_node_dups", "stable_node_dups", "gauge", "Duplicated stable nodes in chains.", 1 },
};

static void
prom_metric(const char *metric, const char *type, const char *help)
{
	printf("# HELP hostkit_ksm_%s %s\n# TYPE hostkit_ksm_%s %s\n", metric, help, metric, type);
}

static void
prom_double(const char *metric, double v)
{
	if (isnan(v))
		printf("hostkit_ksm_%s NaN\n", metric);
	else
		printf("hostkit_ksm_%s %.15g\n", metric, v);
}

static void
status_prometheus(const struct ksm_global *g, const struct ksm_derived *d)
{
	char help[160];
	size_t i, k;

	for (i = 0; i < g->n; i++) {
		const struct ksm_value *v = &g->v[i];
		const char *metric = v->name, *type = "gauge";
		double scale = 1;

		snprintf(help, sizeof(help), "KSM value %s from /sys/kernel/mm/ksm.", v->name);
		for (k = 0; k < LEN(prom_known); k++)
			if (strcmp(prom_known[k].name, v->name) == 0) {
				metric = prom_known[k].metric;
				type = prom_known[k].type;
				scale = prom_known[k].scale;
				snprintf(help, sizeof(help), "%s", prom_known[k].help);
			}
		if (v->kind == KSM_CHOICE) {
			snprintf(help, sizeof(help), "KSM setting %s; the label holds its value.", v->name);
			printf("# HELP hostkit_ksm_%s_info %s\n# TYPE hostkit_ksm_%s_info gauge\n"
			       "hostkit_ksm_%s_info{%s=\"%s\"} 1\n", v->name, help, v->name,
			       v->name, v->name, v->choice);
			continue;
		}
		prom_metric(metric, type, help);
		if (scale == 1)
			printf("hostkit_ksm_%s %" PRId64 "\n", metric, v->num);
		else
			prom_double(metric, (double)v->num / scale);
	}
	prom_metric("page_size_bytes", "gauge", "Page size, in bytes.");
	printf("hostkit_ksm_page_size_bytes %" PRIu64 "\n", d->page_size);
	prom_metric("memory_saved_bytes", "gauge", "Memory saved: pages_sharing times the page size.");
	printf("hostkit_ksm_memory_saved_bytes %" PRIu64 "\n", d->memory_saved_bytes);
	prom_metric("sharing_ratio", "gauge", "pages_sharing / pages_shared (NaN when nothing is shared).");
	prom_double("sharing_ratio", d->sharing_ratio);
	prom_metric("unshared_ratio", "gauge", "pages_unshared / pages_sharing (NaN when nothing is sharing).");
	prom_double("unshared_ratio", d->unshared_ratio);
}

static int
cmd_status(void)
{
	struct ksm_global g;
	struct ksm_derived d;
	char sz[32];
	size_t i;

	ksm_must_read_global(&g);
	ksm_derive(&g, ksm_page_size(), &d);
	if (prom_out) {
		status_prometheus(&g, &d);
		return EXIT_OK;
	}
	if (json_out) {
		json_object_begin(&J, NULL);
		ksm_json_global(&J, &g, &d);
		json_object_end(&J);
		json_finish(&J);
		return EXIT_OK;
	}
	for (i = 0; i < g.n; i++) {
		if (g.v[i].kind == KSM_CHOICE)
			printf("%-36s %s\n", g.v[i].name, g.v[i].choice);
		else
			printf("%-36s %" PRId64 "\n", g.v[i].name, g.v[i].num);
	}
	printf("%-36s %s (%" PRIu64 " bytes)\n", "memory_saved",
	       format_size(d.memory_saved_bytes, sz, sizeof(sz)), d.memory_saved_bytes);
	print_ratio("sharing_ratio", d.sharing_ratio);
	print_ratio("unshared_ratio", d.unshared_ratio);
	return EXIT_OK;
}

/* --- changes: on, off, unmerge, set, --load ------------------------------- */

/* Writes the changes in order; on a refusal, puts back the ones written
 * and fails: all or nothing.  g: the values before. */
static void
apply(const struct ksm_change *c, size_t n, const struct ksm_global *g)
{
	const struct ksm_value *pts = ksm_find(g, "pages_to_scan");
	char val[32];
	size_t i, k;
	int saved, advisor = 0;

	for (i = 0; i < n; i++) {
		if (!c[i].changed || ksm_write(c[i].knob->name, c[i].value) == 0)
			continue;
		saved = errno;
		for (k = i; k-- > 0;) {
			if (!c[k].changed)
				continue;
			if (ksm_write(c[k].knob->name, c[k].old) < 0)
				weprintf("%s: could not put back %s:", c[k].knob->name, c[k].old);
			advisor |= strcmp(c[k].knob->name, "advisor_mode") == 0;
		}
		/* Switching the advisor resets pages_to_scan in the kernel. */
		if (advisor && pts) {
			snprintf(val, sizeof(val), "%" PRId64, pts->num);
			if (ksm_write("pages_to_scan", val) < 0 && errno != EINVAL)
				weprintf("pages_to_scan: could not put back %s:", val);
		}
		errno = saved;
		eprintf("%s=%s: the kernel refused it: %s; nothing changed",
		        c[i].knob->name, c[i].value, strerror(saved));
	}
}

static void
json_value(const char *key, const char *v)
{
	int64_t n;

	if (parse_i64(v, &n) == 0)
		json_i64(&J, key, n);
	else
		json_string(&J, key, v);
}

/* Reports the changes: one line each, or "settings" in the JSON object. */
static int
report(const struct ksm_change *c, size_t n)
{
	int any = 0;
	size_t i;

	if (json_out)
		json_object_begin(&J, "settings");
	for (i = 0; i < n; i++) {
		any |= c[i].changed;
		if (json_out) {
			json_object_begin(&J, c[i].knob->name);
			json_value("old", c[i].old);
			json_value("new", c[i].value);
			json_bool(&J, "changed", c[i].changed);
			json_object_end(&J);
		} else if (c[i].changed) {
			printf("%s: %s -> %s\n", c[i].knob->name, c[i].old, c[i].value);
		} else {
			printf("%s: %s (unchanged)\n", c[i].knob->name, c[i].value);
		}
	}
	if (json_out)
		json_object_end(&J);
	return any;
}

static void
validate_or_exit(struct ksm_change *c, size_t n, const struct ksm_global *g, int bad_rc)
{
	char err[256];

	if (ksm_validate(c, n, g, err, sizeof(err)) < 0) {
		weprintf("%s; nothing changed", err);
		exit(bad_rc);
	}
}

/* Validates and applies; bad_rc: the exit status for a refused list. */
static int
change(struct ksm_change *c, size_t n, int bad_rc)
{
	struct ksm_global g;

	ksm_must_read_global(&g);
	validate_or_exit(c, n, &g, bad_rc);
	apply(c, n, &g);
	return report(c, n);
}

static int
cmd_run_value(const char *value)
{
	struct ksm_change c;
	char arg[32], err[256];
	struct ksm_global g;
	int64_t merged;

	snprintf(arg, sizeof(arg), "run=%s", value);
	if (ksm_parse_assignment(arg, &c, err, sizeof(err)) < 0)
		eprintf("%s", err);
	ksm_must_read_global(&g);
	merged = ksm_num(&g, "pages_sharing", 0);
	validate_or_exit(&c, 1, &g, EXIT_FAIL);
	/* Unmerging is needed while pages are merged, even at run 2. */
	if (strcmp(value, "2") == 0 && merged > 0)
		c.changed = 1;
	apply(&c, 1, &g);
	report(&c, 1);
	if (!json_out && strcmp(value, "0") == 0 && merged > 0)
		printf("note: %" PRId64 " pages stay merged; 'ksmctl unmerge' splits them\n", merged);
	return c.changed;
}

static int
cmd_set(char **args, int n)
{
	struct ksm_change c[KSM_MAX_KNOBS];
	char err[256];
	int i;

	if (n == 0)
		usage_error("set: KEY=VALUE expected");
	if ((size_t)n > LEN(c))
		usage_error("set: too many settings");
	for (i = 0; i < n; i++)
		if (ksm_parse_assignment(args[i], &c[i], err, sizeof(err)) < 0)
			usage_error("set: %s; nothing changed", err);
	return change(c, (size_t)n, EXIT_FAIL);
}

static int
cmd_load(const char *file)
{
	struct ksm_change c[KSM_MAX_KNOBS];
	char text[CONF_MAX], key[KSM_NAME_MAX], val[KSM_CHOICE_MAX], arg[KSM_NAME_MAX + KSM_CHOICE_MAX + 2];
	char err[256], *line, *next;
	struct ksm_global g;
	size_t n = 0;
	int lineno = 0, r;

	if (read_small_file(file, text, sizeof(text)) < 0)
		eprintf("%s:", file);
	ksm_must_read_global(&g);
	for (line = text; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		if ((r = ksm_conf_line(line, key, sizeof(key), val, sizeof(val))) == 0)
			continue;
		if (r < 0)
			eprintf("%s:%d: expected KEY=VALUE", file, lineno);
		snprintf(arg, sizeof(arg), "%s=%s", key, val);
		if (n == LEN(c))
			eprintf("%s:%d: too many settings", file, lineno);
		if (ksm_parse_assignment(arg, &c[n], err, sizeof(err)) < 0)
			eprintf("%s:%d: %s; nothing changed", file, lineno, err);
		/* A file saved on a newer kernel still applies what it can. */
		if (!ksm_find(&g, key)) {
			weprintf("%s:%d: %s: not present on this kernel, skipped", file, lineno, key);
			continue;
		}
		n++;
	}
	return change(c, n, EXIT_FAIL);
}

/* --save: idempotent, atomic, with the previous file kept as FILE.bak. */
static int
save(const char *file)
{
	char text[CONF_MAX], old[CONF_MAX], dir[PATH_MAX], *slash;
	struct ksm_global g;
	int len, changed;

	ksm_must_read_global(&g);
	if ((len = ksm_conf_format(&g, text, sizeof(text))) < 1)
		eprintf("%s: settings do not fit", file);
	/* read_small_file drops the final newline: compare without it. */
	changed = read_small_file(file, old, sizeof(old)) < 0 ||
	          strlen(old) != (size_t)len - 1 || strncmp(old, text, (size_t)len - 1) != 0;
	if (changed) {
		snprintf(dir, sizeof(dir), "%s", file);
		if ((slash = strrchr(dir, '/')) && slash != dir) {
			*slash = '\0';
			if (mkdir(dir, 0755) < 0 && errno != EEXIST)
				eprintf("mkdir %s:", dir);
		}
		if (write_file_atomic(file, text, (size_t)len, 1) < 0)
			eprintf("%s:", file);
	}
	if (json_out) {
		json_object_begin(&J, "save");
		json_string(&J, "file", file);
		json_bool(&J, "changed", changed);
		json_object_end(&J);
	} else {
		printf("%s: %s\n", file, changed ? "settings saved" : "already up to date");
	}
	return changed;
}

/* --- explain ----------------------------------------------------------- */

/* The mergeable areas of a process, from its smaps.  0, or -1. */
static int
read_smaps(int pid, struct ksm_smaps *s)
{
	char path[PATH_MAX], *line = NULL;
	size_t cap = 0;
	FILE *f;

	if (procfs_path(path, sizeof(path), "/%d/smaps", pid) < 0 || !(f = fopen(path, "re")))
		return -1;
	while (getline(&line, &cap, f) > 0)
		ksm_smaps_line(s, line);
	free(line);
	fclose(f);
	return 0;
}

static void
gather_procs(struct ksm_facts *f)
{
	struct ksm_procs ps = { 0 };
	struct ksm_smaps sm = { 0 };
	size_t i;
	int used_smaps = 0;

	f->mergeable_source = "ksm_stat";
	if (ksm_read_procs(&ps, 1) < 0)
		return;
	for (i = 0; i < ps.n; i++) {
		const struct ksm_proc *p = &ps.p[i];
		int m = p->mergeable == 1 || p->merge_any == 1 || p->rmap_items > 0 || p->merging_pages > 0;

		/* Kernels before 6.7 do not say whether a process is mergeable:
		 * the "mg" flag of its areas does; and their size tells the
		 * volume KSM has to scan. */
		if (p->mergeable < 0 || m) {
			unsigned before = sm.mergeable_areas;
			if (read_smaps(p->pid, &sm) == 0) {
				used_smaps |= p->mergeable < 0;
				m |= sm.mergeable_areas > before;
			} else if (p->mergeable < 0) {
				continue;   /* gone, or not ours to read */
			}
		}
		f->procs_readable = 1;
		f->mergeable_procs += m != 0;
		f->rmap_items += p->rmap_items;
	}
	f->mergeable_pages = sm.mergeable_kb * 1024 / f->page_size;
	if (used_smaps)
		f->mergeable_source = ps.have_stat ? "ksm_stat and smaps" : "smaps";
	ksm_procs_free(&ps);
}

static int
apparmor_active(void)
{
	char path[PATH_MAX], buf[512];

	if (sysfs_path(path, sizeof(path), "/kernel/security/lsm") == 0 &&
	    read_small_file(path, buf, sizeof(buf)) >= 0)
		return strstr(buf, "apparmor") != NULL;
	if (sysfs_path(path, sizeof(path), "/module/apparmor/parameters/enabled") == 0 &&
	    read_small_file(path, buf, sizeof(buf)) >= 0)
		return buf[0] == 'Y' || buf[0] == '1';
	/* Neither: AppArmor is not built in. */
	return 0;
}

static int
cmd_explain(void)
{
	struct ksm_finding out[KSM_MAX_FINDINGS];
	struct ksm_facts f = { 0 };
	struct ksm_global g;
	struct ksm_value thp;
	char path[PATH_MAX], buf[256];
	size_t i, n;
	int problems = 0;

	f.g = &g;
	f.page_size = ksm_page_size();
	f.compiled = ksm_read_global(&g) == 0;
	if (!f.compiled && errno != ENOENT) {
		sysfs_path(path, sizeof(path), KSM_DIR);
		eprintf("%s:", path);
	}
	if (f.compiled)
		gather_procs(&f);
	if (sysfs_path(path, sizeof(path), "/kernel/mm/transparent_hugepage/enabled") == 0 &&
	    read_small_file(path, buf, sizeof(buf)) >= 0 &&
	    ksm_parse_value("thp", buf, &thp) == 0 && thp.kind == KSM_CHOICE)
		snprintf(f.thp, sizeof(f.thp), "%s", thp.choice);
	f.apparmor = apparmor_active();

	n = ksm_explain(&f, out);
	if (json_out) {
		json_object_begin(&J, NULL);
		json_array_begin(&J, "findings");
	}
	for (i = 0; i < n; i++) {
		problems += out[i].level == KSM_PROBLEM;
		if (json_out) {
			json_object_begin(&J, NULL);
			json_string(&J, "check", out[i].check);
			json_string(&J, "level", ksm_level_name(out[i].level));
			json_string(&J, "text", out[i].text);
			json_string(&J, "advice", out[i].advice[0] ? out[i].advice : NULL);
			json_object_end(&J);
			continue;
		}
		printf("%-9s %s: %s\n", ksm_level_name(out[i].level), out[i].check, out[i].text);
		if (out[i].advice[0])
			printf("%-9s -> %s\n", "", out[i].advice);
	}
	if (json_out) {
		json_array_end(&J);
		json_u64(&J, "problems", (uint64_t)problems);
		json_object_end(&J);
		json_finish(&J);
	}
	return problems ? EXIT_FAIL : EXIT_OK;
}

/* --- run -- CMD ------------------------------------------------------------ */

static int
cmd_run(char **cmd)
{
	struct ksm_global g;

	if (!cmd[0])
		usage_error("run: a command is expected after --");
	if (prctl(PR_SET_MEMORY_MERGE, 1, 0, 0, 0) < 0) {
		if (errno == EINVAL)
			eprintf("PR_SET_MEMORY_MERGE: not supported by this kernel "
			        "(needs Linux 6.4 or later with KSM)");
		eprintf("PR_SET_MEMORY_MERGE:");
	}
	if (ksm_read_global(&g) == 0 && ksm_num(&g, "run", 0) != 1)
		weprintf("note: KSM is not running; 'ksmctl on' starts merging");
	execvp(cmd[0], cmd);
	eprintf("%s:", cmd[0]);
}

/* --- main -------------------------------------------------------------- */

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "prometheus", no_argument, NULL, 'p' },
		{ "save", required_argument, NULL, 's' },
		{ "load", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *save_file = NULL, *load_file = NULL, *cmd;
	int c, changed = 0, action;
	char *jbuf = NULL;
	size_t jlen = 0;
	FILE *jf = NULL;

	setprogname(argv[0]);
	while ((c = getopt_long(argc, argv, "jps:l:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': json_out = 1; break;
		case 'p': prom_out = 1; break;
		case 's': save_file = optarg; break;
		case 'l': load_file = optarg; break;
		case 'h': usage(stdout); return EXIT_OK;
		case 'V': print_version(); return EXIT_OK;
		default: usage_error("unknown option");
		}
	}
	cmd = optind < argc ? argv[optind++] : NULL;
	json_init(&J, stdout);
	if (json_out && prom_out)
		usage_error("--json and --prometheus exclude each other");
	if (prom_out && (!cmd || strcmp(cmd, "status") != 0))
		usage_error("--prometheus goes with status");
	if (!cmd && !save_file && !load_file)
		cmd = "status";
	action = !cmd || strcmp(cmd, "on") == 0 || strcmp(cmd, "off") == 0 ||
	         strcmp(cmd, "unmerge") == 0 || strcmp(cmd, "set") == 0;
	if ((save_file || load_file) && !action)
		usage_error("--save and --load go with on, off, unmerge, set or alone");
	if (load_file && cmd)
		usage_error("--load applies a file; give no command with it");

	if (cmd && strcmp(cmd, "status") == 0) {
		if (optind < argc)
			usage_error("status: unexpected argument '%s'", argv[optind]);
		return cmd_status();
	}
	if (cmd && strcmp(cmd, "explain") == 0) {
		if (optind < argc)
			usage_error("explain: unexpected argument '%s'", argv[optind]);
		return cmd_explain();
	}
	if (cmd && strcmp(cmd, "run") == 0) {
		if (json_out)
			usage_error("run: --json does not apply");
		return cmd_run(argv + optind);
	}
	if (cmd && !action)
		usage_error("unknown command '%s'", cmd);
	if (cmd && strcmp(cmd, "set") != 0 && optind < argc)
		usage_error("%s: unexpected argument '%s'", cmd, argv[optind]);

	/* The JSON document is kept until the end, so that a refusal leaves
	 * nothing on stdout. */
	if (json_out) {
		if (!(jf = open_memstream(&jbuf, &jlen)))
			eprintf("open_memstream:");
		json_init(&J, jf);
		json_object_begin(&J, NULL);
		json_string(&J, "action", cmd ? cmd : load_file ? "load" : "save");
	}
	if (load_file)
		changed |= cmd_load(load_file);
	else if (cmd && strcmp(cmd, "set") == 0)
		changed |= cmd_set(argv + optind, argc - optind);
	else if (cmd)
		changed |= cmd_run_value(strcmp(cmd, "on") == 0 ? "1" : strcmp(cmd, "off") == 0 ? "0" : "2");
	if (save_file)
		changed |= save(save_file);
	if (json_out) {
		json_bool(&J, "changed", changed);
		json_object_end(&J);
		json_finish(&J);
		if (fclose(jf) != 0)
			eprintf("open_memstream:");
		fwrite(jbuf, 1, jlen, stdout);
		free(jbuf);
	}
	return EXIT_OK;
}
