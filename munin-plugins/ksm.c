/* munin plugin "ksm": Kernel Samepage Merging pages, memory saved and
 * scan rate, from /sys/kernel/mm/ksm.  Each file is read once per run,
 * no subprocess.  Three graphs with multigraph (ksm, ksm_memory,
 * ksm_scans), only the first without.  */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util.h"
#include "munin.h"

MUNIN_MAGIC("autoconf");

enum { SHARED, SHARING, UNSHARED, VOLATILE, FULL_SCANS, ZERO_PAGES, NFILES };
static const char *const files[NFILES] = {
	"pages_shared", "pages_sharing", "pages_unshared", "pages_volatile",
	"full_scans", "ksm_zero_pages",
};

static uint64_t val[NFILES];
static int64_t profit;
static int have_profit;

static void
read_all(void)
{
	char path[PATH_MAX], buf[64];
	int i;

	for (i = 0; i < NFILES; i++)
		if (sysfs_path(path, sizeof(path), "/kernel/mm/ksm/%s", files[i]) < 0 ||
		    read_u64_file(path, &val[i]) < 0)
			val[i] = UINT64_MAX;
	/* general_profit (6.1+) is signed: metadata can cost more than merging saves. */
	have_profit = sysfs_path(path, sizeof(path), "/kernel/mm/ksm/general_profit") == 0 &&
	              read_small_file(path, buf, sizeof(buf)) >= 0 && parse_i64(buf, &profit) == 0;
}

static void
graph_pages(int cfg, int vals)
{
	static const char *const info[] = {
		"Shared pages in use: one physical page each.",
		"Additional mappings of shared pages: how many pages merging saved.",
		"Pages scanned and unique, candidates for merging later.",
		"Pages changing too fast to be merged.",
	};
	int i;

	if (cfg) {
		printf("graph_title KSM pages\n"
		       "graph_args --base 1000 -l 0\n"
		       "graph_vlabel pages\n"
		       "graph_category system\n"
		       "graph_info Kernel Samepage Merging: pages merged and candidates "
		       "(/sys/kernel/mm/ksm).\n"
		       "graph_order pages_shared pages_sharing pages_unshared pages_volatile\n");
		for (i = SHARED; i <= VOLATILE; i++)
			printf("%s.label %s\n%s.type GAUGE\n%s.min 0\n%s.info %s\n", files[i],
			       files[i] + 6, files[i], files[i], files[i], info[i]);
	}
	if (vals)
		for (i = SHARED; i <= VOLATILE; i++)
			munin_value(files[i], val[i]);
}

static void
graph_memory(int cfg, int vals)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE), saved = UINT64_MAX;

	if (cfg) {
		printf("graph_title KSM memory saved\n"
		       "graph_args --base 1024\n"
		       "graph_vlabel bytes\n"
		       "graph_category system\n"
		       "saved.label saved\n"
		       "saved.type GAUGE\n"
		       "saved.min 0\n"
		       "saved.info Memory saved by merging: pages_sharing (plus ksm_zero_pages "
		       "where present) times the page size.\n");
		if (have_profit)
			printf("general_profit.label general profit\n"
			       "general_profit.type GAUGE\n"
			       "general_profit.info Saved memory minus the cost of KSM's own "
			       "metadata (general_profit); negative when merging costs more than "
			       "it saves.\n");
	}
	if (!vals)
		return;
	if (val[SHARING] != UINT64_MAX)
		saved = (val[SHARING] + (val[ZERO_PAGES] != UINT64_MAX ? val[ZERO_PAGES] : 0)) * page;
	munin_value("saved", saved);
	if (have_profit)
		munin_value_i64("general_profit", profit, 1);
}

static void
graph_scans(int cfg, int vals)
{
	if (cfg)
		printf("graph_title KSM scan rate\n"
		       "graph_args --base 1000 -l 0\n"
		       "graph_vlabel full scans per ${graph_period}\n"
		       "graph_period hour\n"
		       "graph_category system\n"
		       "full_scans.label full scans\n"
		       "full_scans.type DERIVE\n"
		       "full_scans.min 0\n"
		       "full_scans.info Complete passes of ksmd over all mergeable memory.\n");
	if (vals)
		munin_value("full_scans", val[FULL_SCANS]);
}

int
main(int argc, char *argv[])
{
	char path[PATH_MAX];
	int mode = munin_mode(argc, argv), mg = munin_multigraph();
	int cfg = mode == MUNIN_CONFIG, vals = mode == MUNIN_FETCH || munin_dirtyconfig();

	if (mode == MUNIN_AUTOCONF) {
		if (sysfs_path(path, sizeof(path), "/kernel/mm/ksm/run") == 0 && access(path, R_OK) == 0)
			puts("yes");
		else
			printf("no (%s not found: kernel without CONFIG_KSM)\n", path);
		return 0;
	}
	read_all();
	if (mg)
		puts("multigraph ksm");
	graph_pages(cfg, vals);
	if (mg) {
		puts("multigraph ksm_memory");
		graph_memory(cfg, vals);
		puts("multigraph ksm_scans");
		graph_scans(cfg, vals);
	}
	return fflush(stdout) == 0 ? 0 : 1;
}
