/* extlinux-conf: write and update the block of extlinux.conf that boots
 * the kernels of a boot directory, leaving the rest of the file alone. */
#include <blkid.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "confblock.h"
#include "extconf.h"
#include "mountinfo.h"
#include "util.h"

#define MAX_TIMEOUT 36000   /* an hour, in tenths of a second */

static void
usage(void)
{
	printf("Usage: %s [options]\n"
	       "Write or update the managed block of extlinux.conf for the kernels in a boot directory.\n\n"
	       "  -b, --boot DIR        boot directory with the kernels (default /boot)\n"
	       "  -o, --output FILE     configuration file (default DIR/extlinux/extlinux.conf)\n"
	       "  -r, --root SPEC       root= value (default: UUID of the root filesystem; 'none' omits it)\n"
	       "  -a, --append ARGS     further kernel arguments (default \"ro\")\n"
	       "  -t, --timeout DS      timeout in tenths of a second (default 50)\n"
	       "  -d, --default WHICH   'newest' (default), a label or a kernel version\n"
	       "  -m, --menu            use menu.c32 with a menu title\n"
	       "  -n, --dry-run         show what would change, write nothing\n"
	       "  -D, --diff            print a unified diff of the change, write nothing\n"
	       "  -j, --json            report as JSON\n"
	       "  -h, --help            this help\n"
	       "  -V, --version         version\n", argv0);
}

/* Whole file into a NUL-terminated buffer; NULL with errno. */
static char *
slurp(const char *path, size_t *lenp)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t len = 0, cap = 0;

	if (!f)
		return NULL;
	for (;;) {
		size_t n;
		if (cap - len < 4096) {
			char *nb = realloc(buf, cap = cap * 2 + 8192);
			if (!nb)
				eprintf("out of memory");
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		int saved = errno;
		fclose(f);
		free(buf);
		errno = saved ? saved : EIO;
		return NULL;
	}
	fclose(f);
	buf[len] = '\0';
	*lenp = len;
	return buf;
}

static char *
xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d)
		eprintf("out of memory");
	return d;
}

static int
is_regular(const char *dir, const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return 0;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The kernels of dir, one per version, with their initrds. */
static struct kernel *
find_kernels(const char *dir, size_t *np)
{
	struct kernel *k = NULL;
	int *rank = NULL;
	size_t n = 0, i;
	struct dirent *d;
	DIR *dp = opendir(dir);

	if (!dp)
		eprintf("%s:", dir);
	while ((d = readdir(dp))) {
		int r;
		const char *v = extconf_kernel_version(d->d_name, &r);

		if (!v || !is_regular(dir, d->d_name))
			continue;
		for (i = 0; i < n && strcmp(k[i].version, v) != 0; i++)
			;
		if (i < n) {    /* the same version twice: keep the preferred image */
			if (r < rank[i]) {
				free(k[i].image);
				k[i].image = xstrdup(d->d_name);
				rank[i] = r;
			}
			continue;
		}
		struct kernel *nk = realloc(k, (n + 1) * sizeof(*k));
		int *nrank = nk ? realloc(rank, (n + 1) * sizeof(*rank)) : NULL;
		if (!nk || !nrank)
			eprintf("out of memory");
		k = nk;
		rank = nrank;
		k[n] = (struct kernel){ .version = xstrdup(v), .image = xstrdup(d->d_name) };
		rank[n++] = r;
	}
	closedir(dp);
	free(rank);
	for (i = 0; i < n; i++) {
		char name[NAME_MAX + 1];
		int j;

		for (j = 0; extconf_initrd_name(j, k[i].version, name, sizeof(name)) == 0; j++)
			if (is_regular(dir, name)) {
				k[i].initrd = xstrdup(name);
				break;
			}
		if (asprintf(&k[i].label, "linux-%s", k[i].version) < 0)
			eprintf("out of memory");
	}
	extconf_sort(k, n);
	*np = n;
	return k;
}

static void
free_kernels(struct kernel *k, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(k[i].version);
		free(k[i].image);
		free(k[i].initrd);
		free(k[i].label);
	}
	free(k);
}

static char *
read_mountinfo(void)
{
	char path[PATH_MAX];
	size_t len;
	char *text;

	if (procfs_path(path, sizeof(path), "/self/mountinfo") < 0)
		eprintf("mountinfo path:");
	if (!(text = slurp(path, &len)))
		eprintf("%s:", path);
	return text;
}

/* The boot directory as the boot loader sees it, from the filesystem that
 * holds it: "" when it is that filesystem's root, else its path there. */
static char *
loader_prefix(const char *mountinfo, const char *realboot)
{
	struct mount_entry m;
	char buf[PATH_MAX];

	if (mountinfo_find(mountinfo, realboot, &m) < 0)
		eprintf("%s: no mount holds it in mountinfo", realboot);
	if (mountinfo_fs_path(&m, realboot, buf, sizeof(buf)) < 0)
		eprintf("%s: path too long", realboot);
	return xstrdup(buf);
}

/* "UUID=..." of the filesystem mounted at /, found as blkid finds it. */
static char *
root_uuid(const char *mountinfo)
{
	struct mount_entry m;
	const char *uuid = NULL;
	char *devname, *spec = NULL;
	blkid_probe pr;

	if (mountinfo_find(mountinfo, "/", &m) < 0)
		eprintf("root filesystem: not in mountinfo; give --root");
	devname = blkid_devno_to_devname(makedev(m.major, m.minor));
	if (!devname)
		eprintf("root filesystem: no device for %u:%u (%s); give --root", m.major, m.minor,
		        m.fstype);
	pr = blkid_new_probe_from_filename(devname);
	if (pr) {
		blkid_probe_enable_superblocks(pr, 1);
		blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_UUID | BLKID_SUBLKS_TYPE);
		if (blkid_do_safeprobe(pr) == 0 &&
		    blkid_probe_lookup_value(pr, "UUID", &uuid, NULL) == 0 &&
		    asprintf(&spec, "UUID=%s", uuid) < 0)
			spec = NULL;
		blkid_free_probe(pr);
	}
	if (!spec) {
		weprintf("root filesystem %s: %s; give --root", devname,
		         pr ? "no filesystem UUID found" : strerror(errno));
		free(devname);
		exit(EXIT_FAIL);
	}
	free(devname);
	return spec;
}

/* Prints `diff -u` of the file against the new text. */
static void
show_diff(const char *file, int exists, const char *text, size_t len)
{
	char tmp[PATH_MAX], newlabel[PATH_MAX + 8];
	const char *tmpdir = getenv("TMPDIR");
	int fd, status;
	ssize_t n;
	pid_t pid;

	snprintf(tmp, sizeof(tmp), "%s/extlinux-conf.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	snprintf(newlabel, sizeof(newlabel), "%s (new)", file);
	if ((fd = mkstemp(tmp)) < 0)
		eprintf("%s:", tmp);
	n = write(fd, text, len);
	if (n != (ssize_t)len) {
		int err = n < 0 ? errno : ENOSPC;   /* short: the disk is full */
		unlink(tmp);
		errno = err;
		eprintf("%s:", tmp);
	}
	close(fd);
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		unlink(tmp);
		eprintf("fork:");
	}
	if (pid == 0) {
		execlp("diff", "diff", "-u", "--label", file, "--label", newlabel,
		       exists ? file : "/dev/null", tmp, (char *)NULL);
		weprintf("diff:");
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			unlink(tmp);
			eprintf("waitpid:");
		}
	unlink(tmp);
	if (WIFSIGNALED(status))
		eprintf("diff -u: killed by signal %d", WTERMSIG(status));
	if (WEXITSTATUS(status) == 127)
		exit(EXIT_FAIL);   /* the child said why diff did not run */
	if (WEXITSTATUS(status) > 1)
		eprintf("diff -u: failed with exit status %d", WEXITSTATUS(status));
}

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "boot", required_argument, NULL, 'b' },
		{ "output", required_argument, NULL, 'o' },
		{ "root", required_argument, NULL, 'r' },
		{ "append", required_argument, NULL, 'a' },
		{ "timeout", required_argument, NULL, 't' },
		{ "default", required_argument, NULL, 'd' },
		{ "menu", no_argument, NULL, 'm' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "diff", no_argument, NULL, 'D' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *boot = "/boot", *output = NULL, *rootopt = NULL, *dflt = "newest";
	/* static: what they point to stays reachable on the eprintf() exits,
	 * so leak checkers see no leak there */
	static struct extconf c = { .append = "ro", .timeout = 50 };
	static char *mountinfo, *block, *old, *text;
	static struct kernel *k;
	int opt, dry = 0, diff = 0, json = 0, exists, changed;
	char realboot[PATH_MAX], outbuf[PATH_MAX];
	size_t n, i, oldlen = 0, len, badline;
	const char *why, *state;
	struct confblock cb;
	uint64_t v;

	setprogname(argv[0]);
	while ((opt = getopt_long(argc, argv, "b:o:r:a:t:d:mnDjhV", opts, NULL)) != -1) {
		switch (opt) {
		case 'b': boot = optarg; break;
		case 'o': output = optarg; break;
		case 'r': rootopt = optarg; break;
		case 'a': c.append = *optarg ? optarg : NULL; break;
		case 't':
			if (parse_u64(optarg, &v) < 0 || v > MAX_TIMEOUT)
				usage_error("--timeout %s: not a number of tenths of a second (0-%d)",
				            optarg, MAX_TIMEOUT);
			c.timeout = (unsigned)v;
			break;
		case 'd': dflt = optarg; break;
		case 'm': c.menu = 1; break;
		case 'n': dry = 1; break;
		case 'D': diff = dry = 1; break;
		case 'j': json = 1; break;
		case 'h': usage(); return EXIT_OK;
		case 'V': print_version(); return EXIT_OK;
		default: usage_error("unknown option");
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	if (diff && json)
		usage_error("--diff and --json do not go together");
	if (rootopt && (!*rootopt || strchr(rootopt, ' ') || strchr(rootopt, '\n')))
		usage_error("--root '%s': not a single word", rootopt);
	if (c.append && strchr(c.append, '\n'))
		usage_error("--append: no newlines, please");

	if (!realpath(boot, realboot))
		eprintf("%s:", boot);
	if (!output) {
		/* boot: "/boot" or the optarg of a required_argument option */
		size_t bl = strlen(boot);   // NOLINT(clang-analyzer-core.NonNullParamChecker)
		while (bl > 0 && boot[bl - 1] == '/')   /* "mnt/" gives "mnt/extlinux", "/" "/extlinux" */
			bl--;
		snprintf(outbuf, sizeof(outbuf), "%.*s/extlinux/extlinux.conf", (int)bl, boot);
		output = outbuf;
	}
	k = find_kernels(realboot, &n);
	if (n == 0)
		eprintf("%s: no kernels (vmlinuz-*, bzImage-*, vmlinux-*)", boot);

	mountinfo = read_mountinfo();
	c.prefix = loader_prefix(mountinfo, realboot);
	if (rootopt && strcmp(rootopt, "none") == 0)
		c.root = NULL;
	else
		c.root = rootopt ? rootopt : root_uuid(mountinfo);

	old = slurp(output, &oldlen);
	exists = old != NULL;
	if (!exists && errno != ENOENT)
		eprintf("%s:", output);
	if (!exists)
		old = xstrdup("");
	if (confblock_find(old, oldlen, &cb, &badline, &why) < 0)
		eprintf("%s:%zu: %s; fix the markers by hand", output, badline, why);

	/* --default: "newest", a label (ours, or one written by hand outside
	 * the block), or a kernel version. */
	if (strcmp(dflt, "newest") != 0) {
		for (i = 0; i < n; i++)
			if (strcmp(dflt, k[i].label) == 0 || strcmp(dflt, k[i].version) == 0)
				break;
		if (i < n)
			c.dflt = k[i].label;
		else if (confblock_has_label(old, oldlen, &cb, dflt))
			c.dflt = dflt;
		else
			eprintf("--default %s: no such kernel version or label", dflt);
	}

	if (!(block = extconf_render(&c, k, n)) ||
	    !(text = confblock_replace(old, oldlen, &cb, block, &len)))
		eprintf("out of memory");
	changed = !exists || len != oldlen || memcmp(text, old, len) != 0;

	if (changed && !dry) {
		char dir[PATH_MAX];
		snprintf(dir, sizeof(dir), "%s", output);
		/* the extlinux/ directory of a fresh boot partition */
		if (mkdir(dirname(dir), 0755) < 0 && errno != EEXIST)
			eprintf("%s:", dir);
		/* A symlinked configuration stays a symlink: write its target. */
		char *target = exists ? realpath(output, NULL) : NULL;
		if (write_file_atomic(target ? target : output, text, len, 1) < 0)
			eprintf("%s:", target ? target : output);
		free(target);
	}

	if (diff) {
		if (changed)
			show_diff(output, exists, text, len);
		return EXIT_OK;
	}
	state = !changed ? "unchanged" : dry ? (exists ? "would be updated" : "would be created")
	                                     : (exists ? "updated" : "created");
	if (json) {
		struct json j;
		json_init(&j, stdout);
		json_object_begin(&j, NULL);
		json_string(&j, "file", output);
		json_bool(&j, "changed", changed);
		json_bool(&j, "dry_run", dry);
		json_bool(&j, "existed", exists);
		json_string(&j, "boot", boot);
		json_string(&j, "prefix", c.prefix);
		json_string(&j, "root", c.root);
		json_string(&j, "append", c.append);
		json_u64(&j, "timeout", c.timeout);
		json_string(&j, "default", c.dflt ? c.dflt : k[0].label);
		json_array_begin(&j, "kernels");
		for (i = 0; i < n; i++) {
			json_object_begin(&j, NULL);
			json_string(&j, "version", k[i].version);
			json_string(&j, "label", k[i].label);
			json_string(&j, "image", k[i].image);
			json_string(&j, "initrd", k[i].initrd);
			json_object_end(&j);
		}
		json_array_end(&j);
		json_object_end(&j);
		json_finish(&j);
	} else {
		printf("%s: %s (%zu kernel%s, default %s)\n", output, state, n, n == 1 ? "" : "s",
		       c.dflt ? c.dflt : k[0].label);
	}
	free_kernels(k, n);
	free(mountinfo);
	free(block);
	free(old);
	free(text);
	if (!rootopt)
		free((char *)c.root);
	free((char *)c.prefix);
	return EXIT_OK;
}
