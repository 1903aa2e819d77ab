/* nslastpid — read and set ns_last_pid; start a command with an exact PID.
 *
 * exec --pid N uses clone3() with set_tid (Linux 5.5): the kernel gives
 * the child PID N or fails, atomically.  Without it, ns_last_pid is set to
 * N-1 and we fork, which only works when nobody forks in between; the
 * child checks its own PID and steps aside when it lost, and we retry.  */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util.h"
#include "pidarg.h"

#ifndef __NR_clone3
#define __NR_clone3 435   /* the same number on every architecture */
#endif
#ifndef CLONE_ARGS_SIZE_VER1
/* Headers older than Linux 5.5 lack set_tid (or clone_args altogether):
 * our own copy of the layout, under another name. */
struct clone_args_v1 {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal;
	uint64_t stack, stack_size, tls, set_tid, set_tid_size;
};
#define clone_args clone_args_v1
#define CLONE_ARGS_SIZE_VER1 80
#endif

/* The kernel has ns_last_pid only with checkpoint/restore support. */
#define NO_KNOB_HINT "the kernel was built without CONFIG_CHECKPOINT_RESTORE"
#define CAPS_HINT "needs CAP_SYS_ADMIN, or CAP_CHECKPOINT_RESTORE on Linux 5.9 and later, " \
	"in the user namespace that owns the pid namespace"

static int json_out;

/* getopt's own messages would name the subcommand, not us. */
static _Noreturn void
bad_option(int c, char *argv[])
{
	if (c == ':')
		usage_error("option %s needs an argument", argv[optind - 1]);
	if (optopt)
		usage_error("unknown option -%c", optopt);
	usage_error("unknown option %s", argv[optind - 1]);
}

static _Noreturn void
usage(void)
{
	printf("Usage: %s [--json] [get]\n"
	       "       %s [--json] set N\n"
	       "       %s exec --pid N [--pidns FILE] [--retries K] [--method M] [--verbose] [--] CMD [ARG...]\n"
	       "\n"
	       "Read or set ns_last_pid, the last PID handed out in this pid namespace,\n"
	       "or start CMD with exactly PID N.\n"
	       "\n"
	       "  -j, --json          print get/set results as JSON\n"
	       "  -p, --pid N         exec: the PID CMD must get\n"
	       "  -n, --pidns FILE    exec: choose the PID in this pid namespace (/proc/PID/ns/pid)\n"
	       "  -r, --retries K     exec, fallback method: extra attempts (default 10)\n"
	       "  -m, --method M      exec: auto, clone3 or fallback (default auto)\n"
	       "  -v, --verbose       exec: say how the PID was obtained, on stderr\n"
	       "  -h, --help          this help\n"
	       "  -V, --version       print the version\n",
	       argv0, argv0, argv0);
	exit(EXIT_OK);
}

static long
read_proc_number(const char *kpath)
{
	char path[PATH_MAX];
	uint64_t v;

	if (procfs_path(path, sizeof(path), "%s", kpath) < 0 || read_u64_file(path, &v) < 0) {
		if (errno == ENOENT && strstr(kpath, "ns_last_pid"))
			eprintf("read %s: %s (%s)", path, strerror(errno), NO_KNOB_HINT);
		eprintf("read %s:", path);
	}
	if (v > (uint64_t)PID_MAX_CEILING)
		eprintf("read %s: value %llu out of range", path, (unsigned long long)v);
	return (long)v;
}

static long
read_pid_max(void)
{
	char path[PATH_MAX], buf[64];
	long max;

	if (procfs_path(path, sizeof(path), "/sys/kernel/pid_max") < 0 ||
	    read_small_file(path, buf, sizeof(buf)) < 0)
		eprintf("read %s:", path);
	if (parse_pid_max(buf, &max) < 0)
		eprintf("read %s: bad value '%s'", path, buf);
	return max;
}

/* N, checked; a bad one is a usage error (exit 2). */
static long
pid_argument(const char *s, long min)
{
	long max = read_pid_max(), pid = 0;
	enum pid_arg_error e = parse_pid_arg(s, min, max, &pid);

	if (e == PIDARG_TOO_SMALL)
		usage_error("bad PID '%s': below %ld", s, min);
	if (e == PIDARG_TOO_LARGE)
		usage_error("bad PID '%s': not below pid_max %ld", s, max);
	if (e != PIDARG_OK)
		usage_error("bad PID '%s': %s", s, pid_arg_strerror(e));
	return pid;
}

/* Writes v to ns_last_pid as the kernel parses it: digits, no newline.
 * The kernel applies it to the pid namespace of the writing process.
 * 0, or -1 with errno.  */
static int
write_last_pid(long v, char *path, size_t len)
{
	char num[32];

	snprintf(num, sizeof(num), "%ld", v);
	if (procfs_path(path, len, "/sys/kernel/ns_last_pid") < 0)
		return -1;
	return write_knob(path, num);
}

static _Noreturn void
write_failed(const char *path, int err)
{
	errno = err;
	if (err == EPERM)
		eprintf("write %s: %s (%s)", path, strerror(err), CAPS_HINT);
	if (err == ENOENT)
		eprintf("write %s: %s (%s)", path, strerror(err), NO_KNOB_HINT);
	eprintf("write %s:", path);
}

/* The options of get and set: --json and --help.  A negative N looks like
 * an option to getopt, so it is taken out first and reported as what it is. */
static int
getset_options(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, i;

	for (i = 1; i < argc; i++)
		if (argv[i][0] == '-' && argv[i][1] >= '0' && argv[i][1] <= '9')
			usage_error("bad PID '%s': %s", argv[i], pid_arg_strerror(PIDARG_NEGATIVE));
	optind = 0;
	while ((c = getopt_long(argc, argv, ":jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json_out = 1; break;
		case 'h': usage();
		default:  bad_option(c, argv);
		}
	}
	return optind;
}

static int
cmd_get(int argc, char *argv[])
{
	struct json j;
	long last;

	if (getset_options(argc, argv) != argc)
		usage_error("get takes no arguments");
	last = read_proc_number("/sys/kernel/ns_last_pid");
	if (!json_out) {
		printf("%ld\n", last);
		return EXIT_OK;
	}
	json_init(&j, stdout);
	json_object_begin(&j, NULL);
	json_i64(&j, "ns_last_pid", last);
	json_i64(&j, "pid_max", read_pid_max());
	json_object_end(&j);
	json_finish(&j);
	return EXIT_OK;
}

static int
cmd_set(int argc, char *argv[])
{
	char path[PATH_MAX];
	struct json j;
	long want, was;
	int i = getset_options(argc, argv), changed;

	if (argc - i != 1)
		usage_error("set takes one argument, N");
	want = pid_argument(argv[i], 0);
	was = read_proc_number("/sys/kernel/ns_last_pid");
	changed = was != want;
	if (changed && write_last_pid(want, path, sizeof(path)) < 0)
		write_failed(path, errno);
	if (json_out) {
		json_init(&j, stdout);
		json_object_begin(&j, NULL);
		json_i64(&j, "ns_last_pid", want);
		json_i64(&j, "previous", was);
		json_bool(&j, "changed", changed);
		json_object_end(&j);
		json_finish(&j);
	} else if (changed) {
		printf("ns_last_pid: %ld -> %ld (changed)\n", was, want);
	} else {
		printf("ns_last_pid: %ld (unchanged)\n", want);
	}
	return EXIT_OK;
}

/* --- exec ---------------------------------------------------------------- */

static const int fwd_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };
static volatile sig_atomic_t fwd_pid;

static void
forward(int sig)
{
	if (fwd_pid > 0)
		kill(fwd_pid, sig);
}

struct spawn {
	long pid;                 /* the PID CMD must get, in the target namespace */
	char **argv;
	int method;
	int other_ns;             /* --pidns: we are not in the target namespace */
	unsigned attempt;
	long got;                 /* the PID the last losing child got */
	int clone3_err;           /* why clone3 failed */
	sigset_t oldmask, fwdset;
	struct sigaction oldact[LEN(fwd_signals)];
};

/* What a child tells the parent through a close-on-exec pipe.  Nothing
 * (end of file) means CMD was executed. */
enum { REP_WRONG_PID = 1, REP_EXEC_FAILED, REP_WRITTEN, REP_TAKEN, REP_WRITE_FAILED, REP_SELF };
struct report { int what, err; long pid; };

static void
send_report(int fd, int what, int err, long pid)
{
	struct report r = { what, err, pid };
	ssize_t n;

	do
		n = write(fd, &r, sizeof(r));
	while (n < 0 && errno == EINTR);
}

/* 0 at end of file, else 1 with *r filled. */
static int
read_report(int fd, struct report *r)
{
	ssize_t n;

	do
		n = read(fd, r, sizeof(*r));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		eprintf("read from child:");
	if (n > 0 && n != (ssize_t)sizeof(*r))
		eprintf("read from child: short report");
	return n > 0;
}

static void
reap(pid_t p)
{
	while (waitpid(p, NULL, 0) < 0 && errno == EINTR)
		;
}

/* In the new process.  getpid() answers in the namespace the process was
 * created in -- the target namespace, also after --pidns, where the parent
 * could not tell -- so the child checks its own PID.  One that lost the
 * race leaves quietly: CMD never runs under another PID.  */
static _Noreturn void
child(const struct spawn *s, int fd)
{
	size_t i;

	if (getpid() != s->pid) {
		send_report(fd, REP_WRONG_PID, 0, getpid());
		_exit(0);
	}
	for (i = 0; i < LEN(fwd_signals); i++)
		sigaction(fwd_signals[i], &s->oldact[i], NULL);
	sigprocmask(SIG_SETMASK, &s->oldmask, NULL);
	execvp(s->argv[0], s->argv);
	send_report(fd, REP_EXEC_FAILED, errno, 0);
	_exit(127);
}

static pid_t
clone3_with_pid(long pid)
{
	/* set_tid[0] is the PID in the innermost namespace, the one the child
	 * is created in; the PIDs in the namespaces above are chosen freely. */
	pid_t tid = (pid_t)pid;
	struct clone_args a;

	memset(&a, 0, sizeof(a));
	a.exit_signal = SIGCHLD;
	a.set_tid = (uintptr_t)&tid;
	a.set_tid_size = 1;
	return (pid_t)syscall(__NR_clone3, &a, (size_t)CLONE_ARGS_SIZE_VER1);
}

/* Starts the process for CMD.  Its PID as seen here; 0 when it got another
 * PID and was dropped; -1 with errno when the kernel refused.  */
static pid_t
start(struct spawn *s, int use_clone3)
{
	struct report r;
	int fd[2], err;
	pid_t p;

	if (pipe2(fd, O_CLOEXEC) < 0)
		eprintf("pipe:");
	p = use_clone3 ? clone3_with_pid(s->pid) : fork();
	if (p == 0) {
		close(fd[0]);
		child(s, fd[1]);
	}
	err = errno;
	close(fd[1]);
	if (p < 0) {
		close(fd[0]);
		errno = err;
		return -1;
	}
	if (!read_report(fd[0], &r)) {
		close(fd[0]);
		return p;
	}
	close(fd[0]);
	reap(p);
	if (r.what == REP_WRONG_PID) {
		s->got = r.pid;
		return 0;
	}
	errno = r.err;
	weprintf("exec %s:", s->argv[0]);
	exit(r.err == ENOENT ? 127 : 126);
}

/* Whether PID is in use in our pid namespace.  getpgid() finds threads and
 * zombies too (kill(pid, 0) misses the thread IDs), and both hold a PID. */
static int
pid_in_use(long pid)
{
	return getpgid((pid_t)pid) >= 0 || errno != ESRCH;
}

/* Aims ns_last_pid at N-1 where the writer runs; the answer as a report. */
static struct report
aim_here(long pid, int writer)
{
	char path[PATH_MAX];
	struct report r = { REP_WRITTEN, 0, 0 };

	if (pid_in_use(pid))
		r.what = writer && getpid() == pid ? REP_SELF : REP_TAKEN;
	else if (write_last_pid(pid - 1, path, sizeof(path)) < 0)
		r = (struct report){ REP_WRITE_FAILED, errno, 0 };
	return r;
}

/* The kernel applies ns_last_pid to the pid namespace of the writing
 * process, not to that of the procfs mount, and setns() moved only our
 * future children.  So after --pidns the write is done by a short-lived
 * child, which lives in the target namespace; it answers as soon as it
 * has written, and we fork at once. */
static struct report
aim(const struct spawn *s, pid_t *writer)
{
	struct report r;
	int fd[2];

	*writer = 0;
	if (!s->other_ns)
		return aim_here(s->pid, 0);
	if (pipe2(fd, O_CLOEXEC) < 0)
		eprintf("pipe:");
	*writer = fork();
	if (*writer < 0)
		eprintf("fork:");
	if (*writer == 0) {
		r = aim_here(s->pid, 1);
		send_report(fd[1], r.what, r.err, 0);
		_exit(0);
	}
	close(fd[1]);
	if (!read_report(fd[0], &r))
		eprintf("ns_last_pid writer died");
	close(fd[0]);
	return r;
}

/* The process that took N from us usually lives a moment: give it time
 * to go, 1, 2, 4 ... 128 ms, rather than spending every retry at once. */
static void
back_off(unsigned attempt)
{
	unsigned ms = 1u << (attempt < 8 ? attempt - 1 : 7);
	struct timespec ts = { 0, (long)ms * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* One attempt of the fallback: PID as start() returns it. */
static pid_t
start_fallback(struct spawn *s)
{
	char path[PATH_MAX];
	pid_t writer, p = 0;
	struct report r = aim(s, &writer);

	if (r.what == REP_TAKEN && s->attempt == 1)
		eprintf("pid %ld is already in use", s->pid);
	if (r.what == REP_WRITE_FAILED) {
		procfs_path(path, sizeof(path), "/sys/kernel/ns_last_pid");
		write_failed(path, r.err);
	}
	if (r.what == REP_WRITTEN) {
		p = start(s, 0);
		if (p < 0)
			eprintf("fork:");
	} else {
		/* Taken by a racing process, or the writer itself holds N. */
		s->got = 0;
	}
	if (writer > 0)
		reap(writer);
	if (r.what == REP_TAKEN)
		back_off(s->attempt);
	return p;
}

/* One attempt with clone3; 0 (no child) when it is unavailable. */
static pid_t
start_clone3(struct spawn *s, int *unavailable)
{
	pid_t p = start(s, 1);

	*unavailable = 0;
	if (p >= 0)
		return p;
	s->clone3_err = errno;
	switch (errno) {
	case ENOSYS:
	case E2BIG:   /* Linux 5.3 and 5.4: clone3 without set_tid */
		if (s->method == METHOD_CLONE3)
			eprintf("clone3 with set_tid: not available (Linux 5.5 or later needed):");
		*unavailable = 1;
		return 0;
	case EEXIST:
		eprintf("pid %ld is already in use", s->pid);
	case EPERM:
		/* A missing capability, or the seccomp profile of an older
		 * container runtime.  The fallback needs the same capability
		 * and says so when its write is refused. */
		if (s->method == METHOD_AUTO) {
			*unavailable = 1;
			return 0;
		}
		eprintf("clone3 with pid %ld: %s (%s)", s->pid, strerror(EPERM), CAPS_HINT);
	case EINVAL:
		eprintf("clone3 with pid %ld: refused: not below the pid_max of the target "
			"namespace, or that namespace has no init process", s->pid);
	default:
		eprintf("clone3:");
	}
}

static void
enter_pidns(const char *file)
{
	int fd = open(file, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		eprintf("open %s:", file);
	if (setns(fd, CLONE_NEWPID) < 0) {
		if (errno == EINVAL)
			eprintf("setns %s: not a pid namespace at or below ours", file);
		if (errno == EPERM)
			eprintf("setns %s: %s (needs CAP_SYS_ADMIN)", file, strerror(errno));
		eprintf("setns %s:", file);
	}
	close(fd);
}

/* Signals for CMD go to CMD.  They stay blocked while we look for the
 * PID (a losing child must not receive them) and are let through once
 * CMD runs. */
static void
catch_signals(struct spawn *s)
{
	struct sigaction sa;
	size_t i;

	sigemptyset(&s->fwdset);
	for (i = 0; i < LEN(fwd_signals); i++)
		sigaddset(&s->fwdset, fwd_signals[i]);
	sigprocmask(SIG_BLOCK, &s->fwdset, &s->oldmask);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = forward;
	sa.sa_mask = s->fwdset;
	sa.sa_flags = SA_RESTART;
	for (i = 0; i < LEN(fwd_signals); i++)
		sigaction(fwd_signals[i], &sa, &s->oldact[i]);
}

/* Waits for CMD and returns its exit code.  The child is left a zombie
 * until forwarding is off, so a late signal never hits a recycled PID. */
static int
wait_command(struct spawn *s, pid_t p)
{
	siginfo_t si;
	int status;

	fwd_pid = p;
	sigprocmask(SIG_UNBLOCK, &s->fwdset, NULL);
	while (waitid(P_PID, (id_t)p, &si, WEXITED | WNOWAIT) < 0)
		if (errno != EINTR)
			eprintf("wait:");
	sigprocmask(SIG_BLOCK, &s->fwdset, NULL);
	fwd_pid = 0;
	while (waitpid(p, &status, 0) < 0)
		if (errno != EINTR)
			eprintf("wait:");
	return exit_code_from_status(status);
}

static int
cmd_exec(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "pid",     required_argument, NULL, 'p' },
		{ "pidns",   required_argument, NULL, 'n' },
		{ "retries", required_argument, NULL, 'r' },
		{ "method",  required_argument, NULL, 'm' },
		{ "verbose", no_argument,       NULL, 'v' },
		{ "help",    no_argument,       NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct spawn s;
	const char *pidarg = NULL, *pidns = NULL;
	unsigned retries = 10;
	int c, verbose = 0, unavailable;
	pid_t p = 0;

	memset(&s, 0, sizeof(s));
	s.method = parse_method(getenv("NSLASTPID_METHOD"));
	if (s.method < 0)
		usage_error("NSLASTPID_METHOD: unknown method '%s'", getenv("NSLASTPID_METHOD"));
	optind = 0;
	while ((c = getopt_long(argc, argv, "+:p:n:r:m:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'p': pidarg = optarg; break;
		case 'n': pidns = optarg; break;
		case 'r':
			if (parse_retries(optarg, &retries) < 0)
				usage_error("bad --retries '%s': a number from 0 to %u", optarg, RETRIES_MAX);
			break;
		case 'm':
			if ((s.method = parse_method(optarg)) < 0)
				usage_error("bad --method '%s': auto, clone3 or fallback", optarg);
			break;
		case 'v': verbose = 1; break;
		case 'h': usage();
		default:  bad_option(c, argv);
		}
	}
	if (!pidarg)
		usage_error("exec needs --pid N");
	if (optind >= argc)
		usage_error("exec needs a command");
	s.pid = pid_argument(pidarg, 1);
	s.argv = argv + optind;
	if (pidns) {
		enter_pidns(pidns);
		s.other_ns = 1;
	}
	catch_signals(&s);
	fflush(NULL);
	for (s.attempt = 1; s.attempt <= retries + 1 && p == 0; s.attempt++) {
		if (s.method != METHOD_FALLBACK) {
			p = start_clone3(&s, &unavailable);
			if (unavailable) {
				if (verbose)
					weprintf("clone3 with set_tid: %s, using ns_last_pid",
						 strerror(s.clone3_err));
				s.method = METHOD_FALLBACK;
				s.attempt--;
				continue;
			}
		} else {
			p = start_fallback(&s);
		}
		if (p == 0 && verbose && s.got)
			weprintf("pid %ld: attempt %u missed, got %ld", s.pid, s.attempt, s.got);
		else if (p == 0 && verbose)
			weprintf("pid %ld: attempt %u missed, taken meanwhile", s.pid, s.attempt);
	}
	if (p == 0)
		eprintf("pid %ld: not obtained in %u attempts: other processes took it first",
			s.pid, retries + 1);
	if (verbose)
		weprintf("pid %ld: %s, attempt %u", s.pid,
			 s.method == METHOD_FALLBACK ? "fallback" : "clone3", s.attempt - 1);
	return wait_command(&s, p);
}

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "json",    no_argument, NULL, 'j' },
		{ "help",    no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd;
	int c;

	setprogname(argv[0]);
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:jhV", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json_out = 1; break;
		case 'h': usage();
		case 'V': print_version(); return EXIT_OK;
		default:  bad_option(c, argv);
		}
	}
	argc -= optind - 1;
	argv += optind - 1;   /* argv[0] is now the command (or the last option) */
	cmd = argc > 1 ? argv[1] : "get";
	if (argc > 1) {
		argc--;
		argv++;
	}
	if (!strcmp(cmd, "get"))
		return cmd_get(argc, argv);
	if (!strcmp(cmd, "set"))
		return cmd_set(argc, argv);
	if (!strcmp(cmd, "exec"))
		return cmd_exec(argc, argv);
	usage_error("unknown command '%s'", cmd);
}
