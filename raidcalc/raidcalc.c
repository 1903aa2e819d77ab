/* raidcalc — filesystem stripe alignment from RAID geometry. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <blkid.h>

#include "util.h"
#include "geometry.h"

struct plan {
	struct raid_input in;
	struct raid_geometry g;
	const char *device;       /* geometry read from this device */
	uint64_t min_io, opt_io, phys_sector;
	char md_level[64];        /* "raid6" when the device is an md array */
	unsigned md_disks;
};

static void
usage(void)
{
	printf("Usage: %s --level L --disks N --chunk SIZE [options]\n"
	       "       %s --device DEV [options]\n"
	       "       %s --check FSDEV (--level ... | --device DEV) [options]\n"
	       "\n"
	       "XFS su/sw and ext4 stride/stripe-width from RAID geometry.\n"
	       "\n"
	       "  -l, --level L         RAID level: 0, 1, 4, 5, 6 or 10\n"
	       "  -n, --disks N         active member disks (spares excluded)\n"
	       "  -s, --spares N        hot spares (reported only)\n"
	       "  -c, --chunk SIZE      chunk size: 64K, 512k, 1M ... (K/M/G = 1024^n)\n"
	       "  -b, --block-size N    ext4 block size in bytes (default 4096)\n"
	       "  -L, --layout LAYOUT   RAID10 layout: n2, f2, o2, n3 ... (default n2)\n"
	       "  -d, --device DEV      read the geometry from DEV's I/O topology\n"
	       "  -C, --check FSDEV     compare the XFS or ext4 superblock on FSDEV\n"
	       "  -j, --json            JSON output\n"
	       "  -h, --help            this help\n"
	       "  -V, --version         version\n",
	       argv0, argv0, argv0);
}

static unsigned
parse_count(const char *opt, const char *s)
{
	uint64_t v;

	if (parse_u64(s, &v) < 0 || v > 4096)
		usage_error("%s '%s': not a whole number from 0 to 4096", opt, s);
	return (unsigned)v;
}

static int
is_pow2_block(unsigned bs)
{
	return bs >= 1024 && bs <= 65536 && !(bs & (bs - 1));
}

static const char *
level_name(int level, char *buf, size_t len)
{
	snprintf(buf, len, "RAID%d", level);
	return buf;
}

/* What md says about the array, when DEV is one (best effort: any other
 * device simply has no md/ directory). */
static void
read_md_info(struct plan *p)
{
	char path[PATH_MAX], real[PATH_MAX], val[64];
	const char *name;
	uint64_t disks;

	if (!realpath(p->device, real))
		return;
	name = strrchr(real, '/');
	name = name ? name + 1 : real;
	if (sysfs_path(path, sizeof(path), "/class/block/%s/md/level", name) < 0 ||
	    read_small_file(path, val, sizeof(val)) <= 0)
		return;
	snprintf(p->md_level, sizeof(p->md_level), "%s", val);
	if (sysfs_path(path, sizeof(path), "/class/block/%s/md/raid_disks", name) == 0 &&
	    read_u64_file(path, &disks) == 0 && disks <= 4096)
		p->md_disks = (unsigned)disks;
}

static void
read_topology(struct plan *p)
{
	blkid_probe pr;
	blkid_topology tp;
	char err[256];

	errno = 0;
	pr = blkid_new_probe_from_filename(p->device);
	if (!pr)
		eprintf("%s: cannot open:", p->device);
	tp = blkid_probe_get_topology(pr);
	if (!tp) {
		blkid_free_probe(pr);
		eprintf("%s: no I/O topology available", p->device);
	}
	p->min_io = blkid_topology_get_minimum_io_size(tp);
	p->opt_io = blkid_topology_get_optimal_io_size(tp);
	p->phys_sector = blkid_topology_get_physical_sector_size(tp);
	blkid_free_probe(pr);
	read_md_info(p);
	if (raid_from_topology(p->min_io, p->opt_io, p->phys_sector, p->in.block_size, &p->g,
	                       err, sizeof(err)) < 0)
		eprintf("%s: %s", p->device, err);
}

static void
mkfs_lines(const struct plan *p, char *xfs, size_t xlen, char *ext4, size_t elen)
{
	char su[32];

	if (!p->g.striped) {
		snprintf(xfs, xlen, "mkfs.xfs");
		snprintf(ext4, elen, "mkfs.ext4 -b %u", p->in.block_size);
		return;
	}
	snprintf(xfs, xlen, "mkfs.xfs -d su=%s,sw=%u",
	         xfs_su_string(p->g.stripe_unit, su, sizeof(su)), p->g.data_disks);
	snprintf(ext4, elen, "mkfs.ext4 -b %u -E stride=%llu,stripe-width=%llu",
	         p->in.block_size, (unsigned long long)p->g.ext4_stride,
	         (unsigned long long)p->g.ext4_stripe_width);
}

static void
print_human(const struct plan *p)
{
	char a[32], b[32], xfs[128], ext4[128];

	if (p->device) {
		printf("device:        %s\n", p->device);
		if (p->md_level[0])
			printf("md array:      %s, %u disks\n", p->md_level, p->md_disks);
		printf("minimum I/O:   %llu bytes (the chunk)\n", (unsigned long long)p->min_io);
		printf("optimal I/O:   %llu bytes (the full stripe)\n", (unsigned long long)p->opt_io);
		printf("data disks:    %u\n", p->g.data_disks);
	} else {
		printf("level:         %s", level_name(p->in.level, a, sizeof(a)));
		if (p->in.level == 10)
			printf(" (%c%u layout)", p->in.layout, p->in.copies);
		printf("\ndisks:         %u (%u data)", p->in.disks, p->g.data_disks);
		if (p->in.spares)
			printf(", %u spare%s", p->in.spares, p->in.spares == 1 ? "" : "s");
		putchar('\n');
	}
	mkfs_lines(p, xfs, sizeof(xfs), ext4, sizeof(ext4));
	if (!p->g.striped) {
		printf("\nMirrors have no stripe: make the filesystem without stripe options.\n\n"
		       "%s\n%s\n", xfs, ext4);
		return;
	}
	printf("stripe unit:   %s (%llu bytes)\n", format_size(p->g.stripe_unit, a, sizeof(a)),
	       (unsigned long long)p->g.stripe_unit);
	printf("stripe width:  %s (%llu bytes)\n", format_size(p->g.stripe_width, b, sizeof(b)),
	       (unsigned long long)p->g.stripe_width);
	printf("XFS:           su=%s sw=%u (sunit=%llu swidth=%llu in 512-byte sectors)\n",
	       xfs_su_string(p->g.stripe_unit, a, sizeof(a)), p->g.data_disks,
	       (unsigned long long)p->g.xfs_sunit, (unsigned long long)p->g.xfs_swidth);
	printf("ext4:          stride=%llu stripe-width=%llu (%u-byte blocks)\n",
	       (unsigned long long)p->g.ext4_stride,
	       (unsigned long long)p->g.ext4_stripe_width, p->in.block_size);
	printf("\n%s\n%s\n", xfs, ext4);
}

static void
json_geometry(struct json *j, const struct plan *p)
{
	char su[32], xfs[128], ext4[128];

	mkfs_lines(p, xfs, sizeof(xfs), ext4, sizeof(ext4));
	if (p->device) {
		json_string(j, "device", p->device);
		json_u64(j, "minimum_io_size", p->min_io);
		json_u64(j, "optimal_io_size", p->opt_io);
		if (p->md_level[0]) {
			uint64_t lv;
			/* md names levels "raid6"; the number is what scripts compare. */
			if (strncmp(p->md_level, "raid", 4) == 0 &&
			    parse_u64(p->md_level + 4, &lv) == 0)
				json_u64(j, "level", lv);
			else
				json_null(j, "level");
			json_string(j, "md_level", p->md_level);
			json_u64(j, "disks", p->md_disks);
		} else {
			json_null(j, "level");
			json_null(j, "disks");
		}
		json_null(j, "spares");
	} else {
		json_u64(j, "level", (uint64_t)p->in.level);
		if (p->in.level == 10) {
			char lay[4] = { p->in.layout, (char)('0' + p->in.copies), 0 };
			json_string(j, "layout", lay);
		}
		json_u64(j, "disks", p->in.disks);
		json_u64(j, "spares", p->in.spares);
	}
	json_u64(j, "data_disks", p->g.data_disks);
	json_u64(j, "chunk_bytes", p->g.stripe_unit);
	json_u64(j, "stripe_width_bytes", p->g.stripe_width);
	json_u64(j, "block_size", p->in.block_size);
	json_object_begin(j, "xfs");
	if (p->g.striped) {
		json_string(j, "su", xfs_su_string(p->g.stripe_unit, su, sizeof(su)));
		json_u64(j, "sw", p->g.data_disks);
		json_u64(j, "sunit", p->g.xfs_sunit);
		json_u64(j, "swidth", p->g.xfs_swidth);
	} else {
		json_null(j, "su"); json_null(j, "sw");
		json_null(j, "sunit"); json_null(j, "swidth");
	}
	json_string(j, "mkfs", xfs);
	json_object_end(j);
	json_object_begin(j, "ext4");
	if (p->g.striped) {
		json_u64(j, "stride", p->g.ext4_stride);
		json_u64(j, "stripe_width", p->g.ext4_stripe_width);
	} else {
		json_null(j, "stride"); json_null(j, "stripe_width");
	}
	json_string(j, "mkfs", ext4);
	json_object_end(j);
}

static void
json_check_field(struct json *j, const char *name, uint64_t actual, uint64_t expected)
{
	json_object_begin(j, NULL);
	json_string(j, "name", name);
	json_u64(j, "actual", actual);
	json_u64(j, "expected", expected);
	json_bool(j, "match", actual == expected);
	json_object_end(j);
}

static void
print_check_field(const char *name, uint64_t actual, uint64_t expected)
{
	printf("  %-13s %llu blocks: ", name, (unsigned long long)actual);
	if (actual == expected)
		printf("matches\n");
	else
		printf("MISMATCH, expected %llu\n", (unsigned long long)expected);
}

/* --check: compare what the superblock records with the geometry. */
static int
check_fs(const char *dev, struct plan *p, int json)
{
	unsigned char buf[4096];
	struct fs_stripe fs;
	uint64_t want_unit = 0, want_width = 0;
	const char *fsname, *uname, *wname;
	ssize_t n;
	int fd, ok;
	char fix[160] = "";

	fd = open(dev, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		eprintf("%s: cannot open:", dev);
	n = pread(fd, buf, sizeof(buf), 0);
	if (n < 0)
		eprintf("%s: read:", dev);
	close(fd);
	if (fs_stripe_parse(buf, (size_t)n, &fs) < 0)
		eprintf("%s: no XFS or ext4 superblock found", dev);
	if (p->g.striped) {
		if (p->g.stripe_unit % fs.block_size)
			eprintf("%s: chunk %llu is not a multiple of the filesystem's %u-byte blocks",
			        dev, (unsigned long long)p->g.stripe_unit, fs.block_size);
		want_unit = p->g.stripe_unit / fs.block_size;
		want_width = want_unit * p->g.data_disks;
	}
	if (fs.type == FS_XFS) {
		fsname = "xfs"; uname = "unit"; wname = "width";
		snprintf(fix, sizeof(fix), "mount with -o sunit=%llu,swidth=%llu to record it",
		         (unsigned long long)(want_unit * fs.block_size / 512),
		         (unsigned long long)(want_width * fs.block_size / 512));
	} else {
		fsname = "ext4"; uname = "stride"; wname = "stripe_width";
		snprintf(fix, sizeof(fix), "tune2fs -E stride=%llu,stripe_width=%llu %s",
		         (unsigned long long)want_unit, (unsigned long long)want_width, dev);
	}
	ok = fs.stride == want_unit && fs.stripe_width == want_width;
	if (json) {
		struct json j;
		json_init(&j, stdout);
		json_object_begin(&j, NULL);
		json_geometry(&j, p);
		json_object_begin(&j, "check");
		json_string(&j, "device", dev);
		json_string(&j, "filesystem", fsname);
		json_u64(&j, "fs_block_size", fs.block_size);
		json_array_begin(&j, "fields");
		json_check_field(&j, uname, fs.stride, want_unit);
		json_check_field(&j, wname, fs.stripe_width, want_width);
		json_array_end(&j);
		json_bool(&j, "match", ok);
		json_object_end(&j);
		json_object_end(&j);
		json_finish(&j);
	} else {
		printf("%s: %s, %u-byte blocks\n", dev, fsname, fs.block_size);
		print_check_field(uname, fs.stride, want_unit);
		print_check_field(wname, fs.stripe_width, want_width);
		if (!ok)
			printf("to fix: %s\n", fix);
	}
	return ok ? EXIT_OK : EXIT_FAIL;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "level", required_argument, NULL, 'l' },
		{ "disks", required_argument, NULL, 'n' },
		{ "spares", required_argument, NULL, 's' },
		{ "chunk", required_argument, NULL, 'c' },
		{ "block-size", required_argument, NULL, 'b' },
		{ "layout", required_argument, NULL, 'L' },
		{ "device", required_argument, NULL, 'd' },
		{ "check", required_argument, NULL, 'C' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct plan p = { .in = { .level = -1, .block_size = 4096, .layout = 'n', .copies = 2 } };
	const char *check = NULL, *layout = NULL;
	int c, json = 0, have_disks = 0;
	uint64_t v;
	char err[256];

	setprogname(argv[0]);
	while ((c = getopt_long(argc, argv, "l:n:s:c:b:L:d:C:jhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'l':
			if (parse_u64(optarg, &v) < 0 ||
			    (v != 0 && v != 1 && v != 4 && v != 5 && v != 6 && v != 10))
				usage_error("level '%s': not one of 0, 1, 4, 5, 6, 10", optarg);
			p.in.level = (int)v;
			break;
		case 'n': p.in.disks = parse_count("disks", optarg); have_disks = 1; break;
		case 's': p.in.spares = parse_count("spares", optarg); break;
		case 'c':
			if (parse_size(optarg, &p.in.chunk) < 0 || p.in.chunk == 0)
				usage_error("chunk '%s': not a size (examples: 64K, 512k, 1M)", optarg);
			break;
		case 'b':
			if (parse_size(optarg, &v) < 0 || v > 65536)
				usage_error("block size '%s': not a size up to 64K", optarg);
			p.in.block_size = (unsigned)v;
			break;
		case 'L': layout = optarg; break;
		case 'd': p.device = optarg; break;
		case 'C': check = optarg; break;
		case 'j': json = 1; break;
		case 'h': usage(); return EXIT_OK;
		case 'V': print_version(); return EXIT_OK;
		default: usage_error("unknown option");
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	if (layout) {
		if (p.in.level != 10)
			usage_error("--layout applies to RAID10 only");
		if (raid10_parse_layout(layout, &p.in.layout, &p.in.copies) < 0)
			usage_error("layout '%s': not n2, f2, o2, n3 ...", layout);
	}
	if (p.device) {
		if (p.in.level >= 0 || have_disks || p.in.chunk)
			usage_error("--device reads the geometry: give it without --level, --disks, --chunk");
		if (!is_pow2_block(p.in.block_size))
			usage_error("block size %u: not a power of two from 1024 to 65536", p.in.block_size);
		read_topology(&p);
	} else {
		if (p.in.level < 0 || !have_disks)
			usage_error("give --level and --disks (and --chunk), or --device");
		if (raid_compute(&p.in, &p.g, err, sizeof(err)) < 0)
			usage_error("%s", err);
	}
	if (check)
		return check_fs(check, &p, json);
	if (json) {
		struct json j;
		json_init(&j, stdout);
		json_object_begin(&j, NULL);
		json_geometry(&j, &p);
		json_object_end(&j);
		json_finish(&j);
	} else {
		print_human(&p);
	}
	return EXIT_OK;
}
