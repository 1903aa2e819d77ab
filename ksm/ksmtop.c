/* ksmtop — what KSM saves, globally and per process, live or once. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <curses.h>

#include "util.h"
#include "ksmstat.h"
#include "ksmsys.h"

enum sort { SORT_MERGING, SORT_PROFIT };

struct sample {
	struct ksm_global g;
	struct ksm_derived d;
	struct ksm_procs ps;
	double t;                     /* CLOCK_MONOTONIC seconds */
};

static volatile sig_atomic_t stop;

static void
usage(FILE *f)
{
	fprintf(f,
	    "Usage: %s [--delay S] [--once] [--json] [--sort merging|profit]\n"
	    "  -d, --delay S      seconds between refreshes (default 2)\n"
	    "  -o, --once         one sample, then exit\n"
	    "  -j, --json         one sample as JSON (implies --once)\n"
	    "  -s, --sort KEY     order processes by merging pages or by profit\n"
	    "  -h, --help         this text\n"
	    "  -V, --version      the version\n"
	    "keys in the live view: q quit, m sort by merging, p sort by profit\n", argv0);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
sort_procs(struct ksm_procs *ps, enum sort sort)
{
	if (ps->n)   /* p is NULL while empty */
		qsort(ps->p, ps->n, sizeof(ps->p[0]),
		      sort == SORT_PROFIT ? ksm_proc_cmp_profit : ksm_proc_cmp_merging);
}

static void
take(struct sample *s, enum sort sort)
{
	ksm_must_read_global(&s->g);
	ksm_derive(&s->g, ksm_page_size(), &s->d);
	if (ksm_read_procs(&s->ps, 0) < 0)
		eprintf("%s:", procfs_root());
	sort_procs(&s->ps, sort);
	s->t = now();
}

/* Profit may be negative: KSM's metadata costs more than it saves. */
static char *
signed_size(int64_t v, char *buf, size_t len)
{
	char t[24];

	format_size(v < 0 ? (uint64_t)-v : (uint64_t)v, t, sizeof(t));
	snprintf(buf, len, "%s%s", v < 0 ? "-" : "", t);
	return buf;
}

static void
print_json(const struct sample *s)
{
	struct json j;
	size_t i;

	json_init(&j, stdout);
	json_object_begin(&j, NULL);
	json_object_begin(&j, "global");
	ksm_json_global(&j, &s->g, &s->d);
	json_object_end(&j);
	json_array_begin(&j, "processes");
	for (i = 0; i < s->ps.n; i++) {
		const struct ksm_proc *p = &s->ps.p[i];
		json_object_begin(&j, NULL);
		json_i64(&j, "pid", p->pid);
		json_string(&j, "comm", p->comm);
		json_u64(&j, "merging_pages", p->merging_pages);
		json_u64(&j, "rmap_items", p->rmap_items);
		json_u64(&j, "zero_pages", p->zero_pages);
		if (p->has_profit)
			json_i64(&j, "profit", p->profit);
		else
			json_null(&j, "profit");
		if (p->mergeable >= 0)
			json_bool(&j, "mergeable", p->mergeable);
		if (p->merge_any >= 0)
			json_bool(&j, "merge_any", p->merge_any);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
	json_finish(&j);
}

static void
header_line(const struct sample *s, char *buf, size_t len)
{
	char saved[32], profit[32];
	const struct ksm_value *gp = ksm_find(&s->g, "general_profit");

	snprintf(buf, len, "KSM run %" PRId64 "  shared %" PRId64 "  sharing %" PRId64
	         "  unshared %" PRId64 "  saved %s%s%s",
	         ksm_num(&s->g, "run", -1), ksm_num(&s->g, "pages_shared", 0),
	         ksm_num(&s->g, "pages_sharing", 0), ksm_num(&s->g, "pages_unshared", 0),
	         format_size(s->d.memory_saved_bytes, saved, sizeof(saved)),
	         gp ? "  profit " : "", gp ? signed_size(gp->num, profit, sizeof(profit)) : "");
}

static void
proc_line(const struct ksm_proc *p, char *buf, size_t len)
{
	char profit[32];

	snprintf(buf, len, "%7d %-16s %10" PRIu64 " %10" PRIu64 " %9s", p->pid, p->comm,
	         p->merging_pages, p->rmap_items,
	         p->has_profit ? signed_size(p->profit, profit, sizeof(profit)) : "-");
}

#define PROC_HEADER "    PID COMM                MERGING       RMAP    PROFIT"

static void
print_once(const struct sample *s)
{
	char line[256];
	size_t i;

	header_line(s, line, sizeof(line));
	printf("%s\n%s\n", line, PROC_HEADER);
	for (i = 0; i < s->ps.n; i++) {
		proc_line(&s->ps.p[i], line, sizeof(line));
		printf("%s\n", line);
	}
}

/* --- live view --------------------------------------------------------- */

static double
rate(const struct sample *a, const struct sample *b, const char *name)
{
	double dt = b->t - a->t;
	int64_t d = ksm_num(&b->g, name, 0) - ksm_num(&a->g, name, 0);

	return dt > 0 ? (double)d / dt : 0;
}

static void
draw(const struct sample *prev, const struct sample *s, enum sort sort)
{
	char line[256];
	int rows, cols, y;
	size_t i;

	getmaxyx(stdscr, rows, cols);
	erase();
	header_line(s, line, sizeof(line));
	mvaddnstr(0, 0, line, cols);
	snprintf(line, sizeof(line), "merged %+.0f pages/s  scanned %.0f pages/s  full scans %" PRId64
	         " (%+.2f/s)  pages_to_scan %" PRId64 "  sleep %" PRId64 " ms",
	         prev ? rate(prev, s, "pages_sharing") : 0.0,
	         prev ? rate(prev, s, "pages_scanned") : 0.0,
	         ksm_num(&s->g, "full_scans", 0), prev ? rate(prev, s, "full_scans") : 0.0,
	         ksm_num(&s->g, "pages_to_scan", 0), ksm_num(&s->g, "sleep_millisecs", 0));
	mvaddnstr(1, 0, line, cols);
	snprintf(line, sizeof(line), "%d processes with KSM memory; sorted by %s (m/p), q quits",
	         (int)s->ps.n, sort == SORT_PROFIT ? "profit" : "merging pages");
	mvaddnstr(2, 0, line, cols);
	attron(A_REVERSE);
	mvaddnstr(4, 0, PROC_HEADER, cols);
	attroff(A_REVERSE);
	for (i = 0, y = 5; i < s->ps.n && y < rows; i++, y++) {
		proc_line(&s->ps.p[i], line, sizeof(line));
		mvaddnstr(y, 0, line, cols);
	}
	refresh();
}

static void
on_signal(int sig)
{
	stop = 1;
}

static void
live(double delay, enum sort sort)
{
	struct sample a = { 0 }, b = { 0 }, *prev = NULL, *cur = &a, *t;
	struct sigaction sa = { 0 };
	const char *term = getenv("TERM");
	SCREEN *scr;
	int key;

	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	take(cur, sort);          /* fails before the screen is taken */
	setlocale(LC_ALL, "");
	/* newterm, not initscr: initscr exits with a message of its own. */
	if (!(scr = newterm(NULL, stdout, stdin))) {
		if (!term || !*term)
			eprintf("TERM is not set: no terminal for the live view; try --once or --json");
		eprintf("terminal '%s': unknown here, no live view; try --once or --json", term);
	}
	cbreak();
	noecho();
	curs_set(0);
	keypad(stdscr, TRUE);
	timeout((int)(delay * 1000));
	while (!stop) {
		draw(prev, cur, sort);
		key = getch();
		if (key == 'q' || key == 'Q')
			break;
		if (key == 'm')
			sort = SORT_MERGING;
		else if (key == 'p')
			sort = SORT_PROFIT;
		if (key == KEY_RESIZE || key == 'm' || key == 'p') {
			/* Redraw at once; the rates wait for the next sample. */
			sort_procs(&cur->ps, sort);
			continue;
		}
		prev = cur;
		t = prev == &a ? &b : &a;
		take(t, sort);
		cur = t;
	}
	endwin();
	delscreen(scr);
	ksm_procs_free(&a.ps);
	ksm_procs_free(&b.ps);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "delay", required_argument, NULL, 'd' },
		{ "once", no_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "sort", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	enum sort sort = SORT_MERGING;
	int c, once = 0, json_out = 0;
	double delay = 2;
	struct sample s = { 0 };
	char *end;

	setprogname(argv[0]);
	while ((c = getopt_long(argc, argv, "d:ojs:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			errno = 0;
			delay = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(delay >= 0.1 && delay <= 3600))
				usage_error("--delay: '%s' is not a number of seconds from 0.1 to 3600", optarg);
			break;
		case 'o': once = 1; break;
		case 'j': json_out = once = 1; break;
		case 's':
			if (strcmp(optarg, "merging") == 0)
				sort = SORT_MERGING;
			else if (strcmp(optarg, "profit") == 0)
				sort = SORT_PROFIT;
			else
				usage_error("--sort: '%s' is not merging or profit", optarg);
			break;
		case 'h': usage(stdout); return EXIT_OK;
		case 'V': print_version(); return EXIT_OK;
		default: usage_error("unknown option");
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	if (!once) {
		live(delay, sort);
		return EXIT_OK;
	}
	take(&s, sort);
	if (json_out)
		print_json(&s);
	else
		print_once(&s);
	ksm_procs_free(&s.ps);
	return EXIT_OK;
}
