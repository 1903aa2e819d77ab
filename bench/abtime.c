/* abtime — time two commands side by side, A and B alternating, and print
 * medians, their ratio and peak RSS.  No shell in between: the cost of
 * starting a program is what is being measured.
 *
 *   abtime [-n RUNS] [-w WARMUP] A [ARGS...] ::: B [ARGS...]
 *
 * Output (one line, key=value): a_us b_us ratio a_rss_kb b_rss_kb
 * where a_us/b_us are median wall-clock microseconds, ratio = b/a and the
 * RSS values the largest peak RSS seen over all runs.  */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static double
run_once(char **argv, long *maxrss)
{
	struct rusage ru;
	double t0 = now_us(), t1;
	int status;
	pid_t pid = fork();

	if (pid < 0) {
		perror("abtime: fork");
		exit(1);
	}
	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR);
		dup2(fd, 0);
		dup2(fd, 1);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) < 0) {
		perror("abtime: wait4");
		exit(1);
	}
	t1 = now_us();
	if (!WIFEXITED(status) || WEXITSTATUS(status) == 127) {
		fprintf(stderr, "abtime: %s: did not run (status %d)\n", argv[0], status);
		exit(1);
	}
	if (ru.ru_maxrss > *maxrss)
		*maxrss = ru.ru_maxrss;
	return t1 - t0;
}

static int
count_arg(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 0 || v > 1000000) {
		fprintf(stderr, "abtime: '%s': not a count\n", s);
		exit(2);
	}
	return (int)v;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int
main(int argc, char *argv[])
{
	int runs = 200, warmup = 10, c, i;
	char **a, **b = NULL;
	double *ta, *tb;
	long rss_a = 0, rss_b = 0, dummy = 0;

	while ((c = getopt(argc, argv, "+n:w:")) != -1) {
		switch (c) {
		case 'n': runs = count_arg(optarg); break;
		case 'w': warmup = count_arg(optarg); break;
		default:
			fprintf(stderr, "usage: abtime [-n RUNS] [-w WARMUP] A ARGS ::: B ARGS\n");
			return 2;
		}
	}
	a = argv + optind;
	for (i = optind; i < argc; i++) {
		if (strcmp(argv[i], ":::") == 0) {
			argv[i] = NULL;
			b = argv + i + 1;
			break;
		}
	}
	if (!a[0] || !b || !b[0] || runs < 1) {
		fprintf(stderr, "usage: abtime [-n RUNS] [-w WARMUP] A ARGS ::: B ARGS\n");
		return 2;
	}
	ta = calloc((size_t)runs, sizeof(*ta));
	tb = calloc((size_t)runs, sizeof(*tb));
	if (!ta || !tb) {
		free(ta);
		free(tb);
		return 1;
	}
	for (i = 0; i < warmup; i++) {
		run_once(a, &dummy);
		run_once(b, &dummy);
	}
	for (i = 0; i < runs; i++) {
		/* Alternate which goes first, so drift hits both alike. */
		if (i % 2) {
			ta[i] = run_once(a, &rss_a);
			tb[i] = run_once(b, &rss_b);
		} else {
			tb[i] = run_once(b, &rss_b);
			ta[i] = run_once(a, &rss_a);
		}
	}
	{
		double ma = median(ta, runs), mb = median(tb, runs);
		printf("a_us=%.1f b_us=%.1f ratio=%.3f a_rss_kb=%ld b_rss_kb=%ld\n",
		       ma, mb, mb / ma, rss_a, rss_b);
	}
	free(ta);
	free(tb);
	return 0;
}
