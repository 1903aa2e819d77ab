/* Reading and writing the kernel's KSM interfaces (see ksmsys.h). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ksmsys.h"

int
ksm_read_global(struct ksm_global *g)
{
	char dir[PATH_MAX], path[PATH_MAX], buf[256];
	struct ksm_value v;
	struct dirent *e;
	DIR *d;

	g->n = 0;
	if (sysfs_path(dir, sizeof(dir), KSM_DIR) < 0 || !(d = opendir(dir)))
		return -1;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || e->d_type == DT_DIR)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= (int)sizeof(path))
			continue;
		/* A file this program does not understand is left out, not fatal:
		 * later kernels add files. */
		if (read_small_file(path, buf, sizeof(buf)) < 0 ||
		    ksm_parse_value(e->d_name, buf, &v) < 0)
			continue;
		if (ksm_global_put(g, &v) < 0)
			break;
	}
	closedir(d);
	return 0;
}

void
ksm_must_read_global(struct ksm_global *g)
{
	char dir[PATH_MAX];

	if (ksm_read_global(g) == 0)
		return;
	sysfs_path(dir, sizeof(dir), KSM_DIR);
	if (errno == ENOENT)
		eprintf("%s: this kernel has no KSM (CONFIG_KSM)", dir);
	eprintf("%s:", dir);
}

int
ksm_write(const char *name, const char *value)
{
	char path[PATH_MAX];

	if (sysfs_path(path, sizeof(path), KSM_DIR "/%s", name) < 0)
		return -1;
	return write_knob(path, value);
}

static int
is_pid(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

static void
read_comm(int pid, char *comm, size_t len)
{
	char path[PATH_MAX];

	if (procfs_path(path, sizeof(path), "/%d/comm", pid) < 0 ||
	    read_small_file(path, comm, len) < 0)
		snprintf(comm, len, "?");
}

int
ksm_read_procs(struct ksm_procs *ps, int all)
{
	char dir[PATH_MAX], path[PATH_MAX], buf[1024];
	struct ksm_proc p;
	struct dirent *e;
	DIR *d;

	ps->n = 0;
	ps->seen = 0;
	ps->have_stat = 0;
	if (snprintf(dir, sizeof(dir), "%s", procfs_root()) >= (int)sizeof(dir) || !(d = opendir(dir)))
		return -1;
	while ((e = readdir(d))) {
		if (!is_pid(e->d_name))
			continue;
		memset(&p, 0, sizeof(p));
		p.pid = (int)strtol(e->d_name, NULL, 10);   /* digits only, checked */
		if (snprintf(path, sizeof(path), "%s/%s/ksm_stat", dir, e->d_name) >= (int)sizeof(path))
			continue;
		if (read_small_file(path, buf, sizeof(buf)) >= 0) {
			ps->have_stat = 1;
			ps->seen++;
			/* Kernel threads have no memory: an empty ksm_stat. */
			if (ksm_stat_parse(buf, &p) < 0 || p.nkeys == 0)
				continue;
		} else {
			/* Vanished, a kernel before 6.1, or not ours to read. */
			p.merge_any = p.mergeable = -1;
			if (snprintf(path, sizeof(path), "%s/%s/ksm_merging_pages", dir, e->d_name) >= (int)sizeof(path) ||
			    read_u64_file(path, &p.merging_pages) < 0) {
				if (!all)
					continue;
			} else {
				p.has_merging = 1;
			}
		}
		if (!all && !ksm_proc_interesting(&p))
			continue;
		read_comm(p.pid, p.comm, sizeof(p.comm));
		if (ps->n == ps->cap) {
			size_t cap = ps->cap ? ps->cap * 2 : 64;
			struct ksm_proc *np = realloc(ps->p, cap * sizeof(*np));
			if (!np) {
				closedir(d);
				return -1;
			}
			ps->p = np;
			ps->cap = cap;
		}
		ps->p[ps->n++] = p;
	}
	closedir(d);
	return 0;
}

void
ksm_procs_free(struct ksm_procs *ps)
{
	free(ps->p);
	ps->p = NULL;
	ps->n = ps->cap = 0;
}

uint64_t
ksm_page_size(void)
{
	long n = sysconf(_SC_PAGESIZE);

	return n > 0 ? (uint64_t)n : 4096;
}

void
ksm_json_ratio(struct json *j, const char *key, double r)
{
	if (isnan(r))
		json_null(j, key);
	else
		json_double(j, key, r);
}

void
ksm_json_global(struct json *j, const struct ksm_global *g, const struct ksm_derived *d)
{
	size_t i;

	for (i = 0; i < g->n; i++) {
		if (g->v[i].kind == KSM_CHOICE)
			json_string(j, g->v[i].name, g->v[i].choice);
		else
			json_i64(j, g->v[i].name, g->v[i].num);
	}
	json_u64(j, "page_size", d->page_size);
	json_u64(j, "memory_saved_bytes", d->memory_saved_bytes);
	ksm_json_ratio(j, "sharing_ratio", d->sharing_ratio);
	ksm_json_ratio(j, "unshared_ratio", d->unshared_ratio);
}
