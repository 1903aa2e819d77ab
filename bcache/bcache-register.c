/* bcache-register — register bcache devices with the kernel: the devices
 * named, every one found (--all), or each one as it appears (--watch, a
 * small uevent listener that needs no udevd). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <blkid.h>
#include <libmnl/libmnl.h>
#include <libudev.h>

#include "util.h"
#include "sb.h"
#include "sbdev.h"
#include "uevent.h"

extern char **environ;

/* SKIPPED: a device found by scanning that cannot be read (no node, no
 * permission): whether it is ours is unknown, so it is named, not failed. */
enum result { REGISTERED, UNCHANGED, FAILED, NOT_BCACHE, SKIPPED };
static const char *const result_names[] = { "registered", "unchanged", "failed", "not-bcache", "skipped" };

struct outcome {
	enum result r;
	const char *type;          /* "backing", "cache" or NULL */
	char reason[PATH_MAX + 256];
};

static struct {
	int quiet, json, verbose, no_modprobe;
	long timeout_ms;
} opt = { .timeout_ms = 10000 };

static struct json j;
static int sigfd = -1;          /* --watch: SIGTERM and SIGINT arrive here */
static int stopping;            /* set by nap() when a signal is pending */
static int modprobe_tried;

static void
usage(void)
{
	printf("Usage: %s [options] DEV...\n"
	       "       %s [options] --all\n"
	       "       %s [options] --watch [--all]\n"
	       "\n"
	       "Register bcache devices with the kernel, checking their superblocks first.\n"
	       "\n"
	       "  -a, --all            register every block device with a bcache superblock\n"
	       "  -w, --watch          stay running and register bcache devices as they appear\n"
	       "  -q, --quiet          write to register_quiet (no kernel log for busy devices)\n"
	       "  -t, --timeout SECS   wait this long for the module and for the kernel (10)\n"
	       "  -M, --no-modprobe    do not run 'modprobe bcache' when it is not loaded\n"
	       "  -v, --verbose        also log ignored uevents and unchanged devices (--watch)\n"
	       "  -j, --json           JSON output\n"
	       "  -h, --help           this help\n"
	       "  -V, --version        version\n",
	       argv0, argv0, argv0);
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

/* Sleeps up to ms; wakes early, and sets stopping, on SIGTERM/SIGINT. */
static void
nap(int ms)
{
	struct pollfd p = { .fd = sigfd, .events = POLLIN };

	if (poll(&p, sigfd >= 0, ms) > 0)
		stopping = 1;
}

/* Polls until path exists or the deadline passes: 10 ms steps growing to
 * 100 ms, so a quick kernel costs little and a slow one little CPU. */
static int
wait_for_path(const char *path, long deadline)
{
	int step = 10;

	for (;;) {
		if (access(path, F_OK) == 0)
			return 0;
		if (stopping || now_ms() >= deadline)
			return -1;
		nap(step);
		if (step < 100)
			step *= 2;
	}
}

/* A registered backing or cache device has a bcache directory in its
 * sysfs directory; /dev/bcacheN has a symlink there, to its backing
 * device's. */
static int
is_registered(dev_t dev)
{
	char path[PATH_MAX];
	struct stat st;

	if (sysfs_path(path, sizeof(path), "/dev/block/%u:%u/bcache", major(dev), minor(dev)) < 0)
		return 0;
	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* modprobe bcache, once.  Only against the real /sys: with HOSTKIT_SYSFS
 * pointing at a test tree, loading a module into this kernel is wrong. */
static int
modprobe_bcache(void)
{
	char *args[] = { "modprobe", "-q", "bcache", NULL };
	pid_t pid;
	int st;

	if (modprobe_tried || opt.no_modprobe || strcmp(sysfs_root(), "/sys"))
		return 0;
	modprobe_tried = 1;
	if (posix_spawnp(&pid, "modprobe", NULL, NULL, args, environ))
		return -1;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* The register file, waiting for the module to create it. */
static const char *
register_file(struct outcome *o)
{
	static char path[PATH_MAX];

	if (sysfs_path(path, sizeof(path), "/fs/bcache/%s", opt.quiet ? "register_quiet" : "register") < 0) {
		snprintf(o->reason, sizeof(o->reason), "sysfs path too long");
		return NULL;
	}
	if (access(path, F_OK) == 0)
		return path;
	if (modprobe_bcache() < 0) {
		snprintf(o->reason, sizeof(o->reason), "bcache module not loaded, and modprobe bcache failed");
		return NULL;
	}
	if (wait_for_path(path, now_ms() + opt.timeout_ms) < 0) {
		snprintf(o->reason, sizeof(o->reason), "%s did not appear within %ld ms (bcache module not loaded?)",
			 path, opt.timeout_ms);
		return NULL;
	}
	return path;
}

/* The kernel's reason, from its log: register_bcache() and friends print
 * "bcache: <function>() error <path or name>: <reason>", some paths with
 * the path already freed ("error : failed to register device").  The
 * most specific line wins.  kmsg must have been opened (and moved to its
 * end) before the write. */
static int
kmsg_reason(int fd, const char *path, const char *name, char *out, size_t len)
{
	char rec[2048], *msg, *nl, *e;
	ssize_t n;
	int best = 0, rank;

	if (fd < 0)
		return 0;
	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)   /* records overwritten: go on */
			continue;
		if (n <= 0)
			break;
		rec[n] = '\0';
		if (!(msg = strchr(rec, ';')))
			continue;
		msg++;
		if ((nl = strchr(msg, '\n')))
			*nl = '\0';
		if (strncmp(msg, "bcache: ", 8) || !(e = strstr(msg, " error ")))
			continue;
		e += 7;
		if (!strncmp(e, path, strlen(path)) && !strncmp(e + strlen(path), ": ", 2)) {
			e += strlen(path) + 2;
			rank = 2;
		} else if (!strncmp(e, name, strlen(name)) && !strncmp(e + strlen(name), ": ", 2)) {
			e += strlen(name) + 2;
			rank = 2;
		} else if (!strncmp(e, ": ", 2)) {
			e += 2;
			rank = 1;
		} else {
			continue;
		}
		if (rank > best) {
			snprintf(out, len, "%s", e);
			best = rank;
		}
	}
	return best > 0;
}

/* Registers one device.  scanning: --all and --watch, where a device with
 * no bcache superblock at all is simply not ours (NOT_BCACHE). */
static void
register_dev(const char *path, struct outcome *o, int scanning)
{
	static struct sbdev d;
	const char *why, *reg, *name;
	char line[PATH_MAX + 2], sysdir[PATH_MAX], real[PATH_MAX];
	int kmsg, wrote;
	long deadline;

	memset(o, 0, sizeof(*o));
	o->r = FAILED;
	/* the kernel logs the device's own name: resolve /dev/disk/by-* links */
	if (!realpath(path, real))
		snprintf(real, sizeof(real), "%s", path);
	name = strrchr(real, '/') ? strrchr(real, '/') + 1 : real;
	if (sbdev_read(path, &d, &why) < 0) {
		if (scanning)
			o->r = why ? NOT_BCACHE : SKIPPED;
		snprintf(o->reason, sizeof(o->reason), "%s", why ? why : strerror(errno));
		return;
	}
	if (!d.is_blockdev) {
		snprintf(o->reason, sizeof(o->reason), "not a block device");
		return;
	}
	if (d.sb.kind != BCACHE_UNKNOWN && d.sb.offset == BCACHE_SB_SECTOR &&
	    !memcmp(d.sb.magic, bcache_magic, 16))
		o->type = d.sb.kind == BCACHE_CACHE ? "cache" : "backing";
	if (d.error) {
		/* bad magic or offset: no bcache superblock at all */
		if (scanning && (d.bcachefs || !strncmp(d.error, "Not a bcache superblock", 23)))
			o->r = NOT_BCACHE;
		snprintf(o->reason, sizeof(o->reason), "not registered: %s", d.error);
		return;
	}
	/* after the superblock: a bcacheN device is not one of ours */
	if (is_registered(d.rdev)) {
		o->r = UNCHANGED;
		return;
	}
	if (d.run_error) {
		snprintf(o->reason, sizeof(o->reason), "not registered: %s", d.run_error);
		return;
	}
	if (!(reg = register_file(o)))
		return;

	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg >= 0)
		lseek(kmsg, 0, SEEK_END);
	snprintf(line, sizeof(line), "%s\n", path);
	wrote = write_knob(reg, line);
	if (wrote < 0) {
		int saved = errno;

		if (is_registered(d.rdev)) {    /* someone was quicker: udev, a watcher */
			o->r = UNCHANGED;
		} else if (!kmsg_reason(kmsg, path, name, o->reason, sizeof(o->reason))) {
			snprintf(o->reason, sizeof(o->reason), "%s: %s", reg, strerror(saved));
		}
		goto out;
	}
	/* Registration may be asynchronous: wait until sysfs shows it. */
	deadline = now_ms() + opt.timeout_ms;
	if (sysfs_path(sysdir, sizeof(sysdir), "/dev/block/%u:%u/bcache",
		       major(d.rdev), minor(d.rdev)) == 0 &&
	    wait_for_path(sysdir, deadline) == 0) {
		o->r = REGISTERED;
	} else if (!kmsg_reason(kmsg, path, name, o->reason, sizeof(o->reason))) {
		snprintf(o->reason, sizeof(o->reason), "written to the register file, but %s did not appear within %ld ms%s",
			 sysdir, opt.timeout_ms, opt.quiet ? " (register_quiet hides 'device busy')" : "");
	}
out:
	if (kmsg >= 0)
		close(kmsg);
}

/* Reports one outcome: text lines, or an entry of the JSON array (one JSON
 * object per line with --watch). */
static void
report(const char *path, const struct outcome *o, int watching)
{
	if (o->r == NOT_BCACHE || (o->r == SKIPPED && watching && !opt.verbose))
		return;
	if (opt.json) {
		if (watching)
			json_init(&j, stdout);
		json_object_begin(&j, NULL);
		json_string(&j, "device", path);
		json_string(&j, "type", o->type);
		json_string(&j, "result", result_names[o->r]);
		json_bool(&j, "changed", o->r == REGISTERED);
		json_string(&j, "error", o->r == FAILED || o->r == SKIPPED ? o->reason : NULL);
		json_object_end(&j);
		if (watching)
			json_finish(&j);
		if (o->r == FAILED)
			weprintf("%s: %s", path, o->reason);
		return;
	}
	switch (o->r) {
	case REGISTERED:
		printf("%s: registered (%s)\n", path, o->type);
		break;
	case UNCHANGED:
		printf("%s: already registered, unchanged\n", path);
		break;
	case FAILED:
		weprintf("%s: %s", path, o->reason);
		break;
	case SKIPPED:
		weprintf("%s: skipped, cannot read it: %s", path, o->reason);
		break;
	default:
		break;
	}
}

/* The block devices --all looks at, as /dev nodes. */
struct devlist {
	char **node;
	size_t n, cap;
};

/* Adds a device unless it is a floppy or optical drive (opening them can
 * block for seconds) or empty (unbound loop devices, card readers).
 * devname is DEVNAME ("mapper/x" is not "dm-0"); NULL when unknown. */
static void
devlist_add(struct devlist *l, const char *sysname, uint64_t size, const char *devname)
{
	char node[PATH_MAX];

	if (!strncmp(sysname, "fd", 2) || !strncmp(sysname, "sr", 2) || size == 0)
		return;
	if (devname && *devname == '/')
		snprintf(node, sizeof(node), "%s", devname);
	else if (devname && *devname && !strstr(devname, ".."))
		snprintf(node, sizeof(node), "/dev/%s", devname);
	else
		snprintf(node, sizeof(node), "/dev/%s", sysname);
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 32;
		if (!(l->node = realloc(l->node, l->cap * sizeof(*l->node))))
			eprintf("realloc:");
	}
	if (!(l->node[l->n++] = strdup(node)))
		eprintf("strdup:");
}

/* The real /sys: libudev's enumeration, which reads sysfs itself and needs
 * no udevd (initramfs, containers).  0, or -1 with errno. */
static int
list_udev(struct devlist *l)
{
	struct udev *udev;
	struct udev_enumerate *e;
	struct udev_list_entry *it;
	int rc = -1;

	if (!(udev = udev_new()))
		return -1;
	if ((e = udev_enumerate_new(udev)) && udev_enumerate_add_match_subsystem(e, "block") >= 0 &&
	    udev_enumerate_scan_devices(e) >= 0) {
		udev_list_entry_foreach(it, udev_enumerate_get_list_entry(e)) {
			struct udev_device *d = udev_device_new_from_syspath(udev, udev_list_entry_get_name(it));
			const char *size;
			uint64_t sectors = 1;

			if (!d)
				continue;
			/* unreadable size: probe anyway */
			if ((size = udev_device_get_sysattr_value(d, "size")))
				parse_u64(size, &sectors);
			devlist_add(l, udev_device_get_sysname(d), sectors, udev_device_get_devnode(d));
			udev_device_unref(d);
		}
		rc = 0;
	}
	udev_enumerate_unref(e);
	udev_unref(udev);
	return rc;
}

/* A test tree (HOSTKIT_SYSFS), which libudev cannot be pointed at: the
 * same walk over class/block, DEVNAME from each uevent file.  0, or -1
 * with errno. */
static int
list_tree(struct devlist *l)
{
	struct dirent **names;
	char path[PATH_MAX], *p;
	static char ue[4096];
	uint64_t size;
	int i, n;

	if (sysfs_path(path, sizeof(path), "/class/block") < 0 ||
	    (n = scandir(path, &names, NULL, alphasort)) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		const char *name = names[i]->d_name, *devname = NULL;

		if (*name == '.')
			goto next;
		if (sysfs_path(path, sizeof(path), "/class/block/%s/size", name) < 0 ||
		    read_u64_file(path, &size) < 0)
			size = 1;
		if (sysfs_path(path, sizeof(path), "/class/block/%s/uevent", name) == 0 &&
		    read_small_file(path, ue, sizeof(ue)) >= 0 && (p = strstr(ue, "DEVNAME="))) {
			devname = p + 8;
			p[8 + strcspn(p + 8, "\n")] = '\0';
		}
		devlist_add(l, name, size, devname);
next:
		free(names[i]);
	}
	free(names);
	return 0;
}

/* libblkid's probe, as udev's blkid builtin would see the device: 1 a
 * bcache superblock, 0 none, -1 cannot be read.  Bad checksums count as
 * bcache: register_dev() then gives the kernel's reason for refusing. */
static int
blkid_says_bcache(const char *dev)
{
	static char *only[] = { "bcache", NULL };
	blkid_probe pr;
	int rc;

	if (!(pr = blkid_new_probe_from_filename(dev)))
		return -1;
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_BADCSUM);
	blkid_probe_filter_superblocks_type(pr, BLKID_FLTR_ONLYIN, only);
	rc = blkid_do_safeprobe(pr);
	blkid_free_probe(pr);
	return rc == 0 ? 1 : rc == 1 ? 0 : -1;
}

/* --all: every block device, enumerated by libudev (list_tree under a
 * test tree), probed by libblkid, then checked and registered by
 * register_dev().  Returns the number of failures; *changed is set when
 * a device was registered. */
static int
scan_all(int watching, int *changed)
{
	struct devlist l = { 0 };
	struct outcome o;
	size_t i;
	int failures = 0;

	if ((strcmp(sysfs_root(), "/sys") ? list_tree(&l) : list_udev(&l)) < 0) {
		weprintf("listing the block devices in %s/class/block:", sysfs_root());
		return 1;
	}
	for (i = 0; i < l.n && !stopping; i++) {
		/* unreadable (-1): register_dev() finds why, and skips it */
		if (blkid_says_bcache(l.node[i]) == 0)
			continue;
		register_dev(l.node[i], &o, 1);
		if (o.r == UNCHANGED && watching && !opt.verbose)
			continue;
		report(l.node[i], &o, watching);
		failures += o.r == FAILED;
		*changed |= o.r == REGISTERED;
	}
	for (i = 0; i < l.n; i++)
		free(l.node[i]);
	free(l.node);
	return failures;
}

static void
ignored(const char *why, ...)
{
	va_list ap;

	if (!opt.verbose)
		return;
	va_start(ap, why);
	fprintf(stderr, "%s: ignored uevent: ", argv0);
	vfprintf(stderr, why, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* One message from the socket: only the kernel's (sender port 0 and
 * credentials of uid 0: the CVE-2009-1185 hole in udev was trusting any
 * sender), only block devices added or changed. */
static void
handle_message(int fd)
{
	char buf[8193], cbuf[CMSG_SPACE(sizeof(struct ucred))], dev[PATH_MAX];
	struct sockaddr_nl sa;
	struct iovec iov = { buf, sizeof(buf) - 1 };
	struct msghdr msg = {
		.msg_name = &sa, .msg_namelen = sizeof(sa),
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;
	struct ucred *cred = NULL;
	struct uevent ev;
	struct outcome o;
	ssize_t n;
	int changed = 0;

	n = recvmsg(fd, &msg, MSG_DONTWAIT);
	if (n < 0) {
		if (errno == ENOBUFS) {
			/* the kernel dropped events while we were busy */
			weprintf("uevent queue overflowed: scanning all block devices");
			scan_all(1, &changed);
		} else if (errno != EAGAIN && errno != EINTR) {
			weprintf("recvmsg:");
		}
		return;
	}
	if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
		{ ignored("truncated (%zd bytes)", n); return; }
	if (msg.msg_namelen != sizeof(sa) || sa.nl_family != AF_NETLINK || sa.nl_pid != 0)
		{ ignored("sender port %u is not the kernel", (unsigned)sa.nl_pid); return; }
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS &&
		    c->cmsg_len == CMSG_LEN(sizeof(struct ucred)))
			cred = (struct ucred *)CMSG_DATA(c);
	if (!cred || cred->uid != 0)
		{ ignored("sender credentials are not root's"); return; }
	if (uevent_parse(buf, (size_t)n, &ev) < 0)
		{ ignored("malformed message (%zd bytes)", n); return; }
	if (!uevent_is_block_add_or_change(&ev))
		return;
	snprintf(dev, sizeof(dev), "/dev/%s", ev.devname);
	register_dev(dev, &o, 1);
	if (o.r == NOT_BCACHE || (o.r == UNCHANGED && !opt.verbose))
		return;
	report(dev, &o, 1);
}

static int
watch(int all)
{
	struct mnl_socket *nl;
	struct pollfd p[2];
	sigset_t mask;
	int fd, one = 1, rcvbuf = 1 << 20, changed = 0;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0 || (sigfd = signalfd(-1, &mask, SFD_CLOEXEC)) < 0)
		eprintf("signalfd:");
	if (!(nl = mnl_socket_open(NETLINK_KOBJECT_UEVENT)))
		eprintf("netlink socket:");
	/* group 1: the kernel's uevents (udevd sends its own on group 2) */
	if (mnl_socket_bind(nl, 1, MNL_SOCKET_AUTOPID) < 0)
		eprintf("netlink bind:");
	fd = mnl_socket_get_fd(nl);
	if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0)
		eprintf("SO_PASSCRED:");
	/* room for bursts while a registration is being waited for */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	setvbuf(stdout, NULL, _IOLBF, 0);
	weprintf("watching kernel uevents for bcache devices");
	/* the socket is open before the scan: nothing appears unseen */
	if (all)
		scan_all(1, &changed);

	p[0] = (struct pollfd){ .fd = fd, .events = POLLIN };
	p[1] = (struct pollfd){ .fd = sigfd, .events = POLLIN };
	while (!stopping) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			eprintf("poll:");
		}
		if (p[1].revents)
			break;
		if (p[0].revents)
			handle_message(fd);
	}
	weprintf("stopping");
	mnl_socket_close(nl);
	return EXIT_OK;
}

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "all",         no_argument,       NULL, 'a' },
		{ "watch",       no_argument,       NULL, 'w' },
		{ "quiet",       no_argument,       NULL, 'q' },
		{ "timeout",     required_argument, NULL, 't' },
		{ "no-modprobe", no_argument,       NULL, 'M' },
		{ "verbose",     no_argument,       NULL, 'v' },
		{ "json",        no_argument,       NULL, 'j' },
		{ "help",        no_argument,       NULL, 'h' },
		{ "version",     no_argument,       NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct outcome o;
	uint64_t secs;
	int c, i, all = 0, watching = 0, failures = 0, changed = 0;

	setprogname(argv[0]);
	while ((c = getopt_long(argc, argv, "awqt:MvjhV", opts, NULL)) != -1) {
		switch (c) {
		case 'a': all = 1; break;
		case 'w': watching = 1; break;
		case 'q': opt.quiet = 1; break;
		case 't':
			if (parse_u64(optarg, &secs) < 0 || secs > 3600)
				usage_error("--timeout '%s': not a whole number of seconds from 0 to 3600", optarg);
			opt.timeout_ms = (long)secs * 1000;
			break;
		case 'M': opt.no_modprobe = 1; break;
		case 'v': opt.verbose = 1; break;
		case 'j': opt.json = 1; break;
		case 'h': usage(); return EXIT_OK;
		case 'V': print_version(); return EXIT_OK;
		default: usage_error("unknown option");
		}
	}
	if ((all || watching) && optind < argc)
		usage_error("devices cannot be named with --all or --watch");
	if (!all && !watching && optind >= argc)
		usage_error("no device given");
	if (watching)
		return watch(all);

	if (opt.json) {
		json_init(&j, stdout);
		json_object_begin(&j, NULL);
		json_array_begin(&j, "devices");
	}
	if (all) {
		failures = scan_all(0, &changed);
	} else {
		for (i = optind; i < argc; i++) {
			register_dev(argv[i], &o, 0);
			report(argv[i], &o, 0);
			failures += o.r == FAILED;
			changed |= o.r == REGISTERED;
		}
	}
	if (opt.json) {
		json_array_end(&j);
		json_bool(&j, "changed", changed);
		json_object_end(&j);
		json_finish(&j);
	}
	return failures ? EXIT_FAIL : EXIT_OK;
}
