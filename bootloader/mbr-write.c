/* mbr-write: install MBR boot code (bytes 0-439 of sector 0) and nothing
 * else; the disk signature, partition table and 0x55AA stay as they were. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "gpt.h"
#include "mbr.h"
#include "util.h"

/* Where syslinux keeps mbr.bin and gptmbr.bin: Debian, Fedora, Arch. */
static const char *const syslinux_dirs[] = {
	"/usr/lib/syslinux/mbr", "/usr/share/syslinux", "/usr/lib/syslinux/bios",
};

static void
usage(void)
{
	printf("Usage: %s [options] DISK|IMAGE\n"
	       "Install MBR boot code (bytes 0-439) without touching the partition table.\n\n"
	       "  -m, --mbr FILE       boot code: 440 bytes, or a 512-byte sector (first 440 used);\n"
	       "                       default syslinux's mbr.bin (msdos) or gptmbr.bin (GPT)\n"
	       "  -b, --backup FILE    save sector 0 to FILE (must not exist) before writing\n"
	       "  -r, --restore FILE   write a saved sector 0 back (boot code; see the manual)\n"
	       "  -a, --activate N     make partition N the only bootable one: the boot flag\n"
	       "                       (msdos) or the LegacyBIOSBootable attribute (GPT)\n"
	       "  -n, --dry-run        show what would be done, write nothing\n"
	       "  -f, --force          write without a partition table, over a changed table\n"
	       "                       (--restore), or to a busy disk\n"
	       "  -j, --json           report as JSON\n"
	       "  -h, --help           this help\n"
	       "  -V, --version        version\n", argv0);
}

/* A small file, whole; it must hold at most max bytes. */
static size_t
read_file(const char *path, unsigned char *buf, size_t max)
{
	size_t len = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		eprintf("%s:", path);
	for (;;) {
		char extra;
		/* up to max into buf; then one byte more shows a bigger file */
		n = len < max ? read(fd, buf + len, max - len) : read(fd, &extra, 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			eprintf("%s:", path);
		}
		if (n == 0)
			break;
		if (len == max)
			eprintf("%s: larger than %zu bytes", path, max);
		len += (size_t)n;
	}
	close(fd);
	return len;
}

static const char *
find_syslinux_mbr(const char *name)
{
	static char path[PATH_MAX];
	size_t i;

	for (i = 0; i < LEN(syslinux_dirs); i++) {
		snprintf(path, sizeof(path), "%s/%s", syslinux_dirs[i], name);
		if (access(path, R_OK) == 0)
			return path;
	}
	eprintf("%s: not found in the syslinux directories (install syslinux, or give --mbr)", name);
}

/* A whole disk?  The kernel marks partitions in sysfs. */
static int
is_partition(dev_t rdev)
{
	char path[PATH_MAX];

	if (sysfs_path(path, sizeof(path), "/dev/block/%u:%u/partition", major(rdev),
	               minor(rdev)) < 0)
		eprintf("sysfs path:");
	return access(path, F_OK) == 0;
}

static int
open_target(const char *target, const struct stat *st, int dry, int force)
{
	int blk = S_ISBLK(st->st_mode), fd, ro = 0;

	if (dry)
		fd = open(target, O_RDONLY | O_CLOEXEC);
	else {
		/* Exclusive: no mounted partition, no other holder. */
		fd = open(target, O_RDWR | O_CLOEXEC | (blk ? O_EXCL : 0));
		if (fd < 0 && errno == EBUSY) {
			if (!force)
				eprintf("%s: busy (a partition is mounted or another program holds it); "
				        "--force writes anyway", target);
			fd = open(target, O_RDWR | O_CLOEXEC);
		}
	}
	if (fd < 0) {
		if (errno == EROFS || (errno == EACCES && !dry))
			eprintf("%s: read-only (%s)", target, strerror(errno));
		eprintf("%s:", target);
	}
	if (blk && ioctl(fd, BLKROGET, &ro) == 0 && ro)
		eprintf("%s: read-only block device", target);
	return fd;
}

/* All len bytes at off, read or written: a short transfer is continued.
 * -1 with errno (EIO: past the end). */
static int
transfer(int fd, void *buf, size_t len, off_t off, int writing)
{
	size_t done = 0;

	while (done < len) {
		char *p = (char *)buf + done;
		ssize_t n = writing ? pwrite(fd, p, len - done, off + (off_t)done)
		                    : pread(fd, p, len - done, off + (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		done += (size_t)n;
	}
	return 0;
}

static int
read_at(int fd, void *buf, size_t len, off_t off)
{
	return transfer(fd, buf, len, off, 0);
}

static int
write_at(int fd, const void *buf, size_t len, off_t off)
{
	return transfer(fd, (void *)buf, len, off, 1);   /* only read from */
}

/* Reads come from the device or file, not from our own cache. */
static void
drop_cache(int fd, const struct stat *st)
{
	if (S_ISBLK(st->st_mode))
		ioctl(fd, BLKFLSBUF, 0);
	else
		posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
}

/* One copy of the GPT: header sector and entry array, as read and as
 * they are to be written. */
struct gpt_copy {
	const char *name;          /* "primary", "backup" */
	uint64_t lba;
	struct gpt_header h;
	unsigned char *sec, *array;
};

struct gpt_disk {
	size_t ssz;                /* logical sector size */
	uint64_t last;             /* last LBA */
	struct gpt_copy copy[2];   /* primary, backup */
};

static off_t
lba_off(const struct gpt_disk *d, uint64_t lba)
{
	return (off_t)(lba * d->ssz);
}

/* Reads both copies and checks each and the pair; refuses a damaged GPT
 * with the reason, before anything is written. */
static void
gpt_load(int fd, const char *target, const struct stat *st, struct gpt_disk *d)
{
	uint64_t bytes = (uint64_t)st->st_size;
	char why[160] = "";
	int i, ssz = 512;

	if (S_ISBLK(st->st_mode) &&
	    (ioctl(fd, BLKSSZGET, &ssz) < 0 || ioctl(fd, BLKGETSIZE64, &bytes) < 0))
		eprintf("%s: sector size or disk size:", target);
	if (ssz < 512 || bytes / (unsigned)ssz < 4)
		eprintf("%s: %llu bytes in sectors of %d: too small for a GPT", target,
		        (unsigned long long)bytes, ssz);
	d->ssz = (size_t)ssz;
	d->last = bytes / d->ssz - 1;
	/* An image file has no sector size of its own: 512 is assumed. */
	if (S_ISREG(st->st_mode)) {
		char sig[2][8];
		if (read_at(fd, sig[0], 8, 512) == 0 && read_at(fd, sig[1], 8, 4096) == 0 &&
		    memcmp(sig[0], GPT_SIGNATURE, 8) != 0 && memcmp(sig[1], GPT_SIGNATURE, 8) == 0)
			eprintf("%s: a GPT of 4096-byte sectors in an image file (taken as 512); "
			        "attach it with losetup -b 4096 and give the loop device", target);
	}
	for (i = 0; i < 2; i++) {
		struct gpt_copy *c = &d->copy[i];
		c->name = i == 0 ? "primary" : "backup";
		c->lba = i == 0 ? 1 : d->last;
		if (!(c->sec = malloc(d->ssz)))
			eprintf("malloc:");
		if (read_at(fd, c->sec, d->ssz, lba_off(d, c->lba)) < 0)
			eprintf("%s: reading the %s GPT header:", target, c->name);
		if (gpt_parse_header(c->sec, d->ssz, c->lba, d->last, &c->h, why, sizeof(why)) < 0)
			eprintf("%s: %s GPT header (LBA %llu): %s; repair the GPT first (gdisk, sfdisk)",
			        target, c->name, (unsigned long long)c->lba, why);
		if (!(c->array = malloc(gpt_array_bytes(&c->h))))
			eprintf("malloc:");
		if (read_at(fd, c->array, gpt_array_bytes(&c->h), lba_off(d, c->h.entries_lba)) < 0)
			eprintf("%s: reading the %s GPT entry array:", target, c->name);
		if (gpt_check_array(&c->h, c->array, why, sizeof(why)) < 0)
			eprintf("%s: %s GPT (LBA %llu): %s; repair the GPT first (gdisk, sfdisk)", target,
			        c->name, (unsigned long long)c->h.entries_lba, why);
	}
	if (gpt_check_pair(&d->copy[0].h, &d->copy[1].h, why, sizeof(why)) < 0 ||
	    memcmp(d->copy[0].array, d->copy[1].array, gpt_array_bytes(&d->copy[0].h)) != 0)
		eprintf("%s: GPT: %s; repair the GPT first (gdisk, sfdisk)", target,
		        why[0] ? why : "entry arrays differ between primary and backup");
}

/* Partition n the only one with the legacy BIOS bootable attribute, in
 * both copies.  Returns the entries changed. */
static int
gpt_activate(struct gpt_disk *d, uint32_t n, const char *target)
{
	int i, changed = 0;

	for (i = 0; i < 2; i++) {
		struct gpt_copy *c = &d->copy[i];
		changed = gpt_set_only(&c->h, c->array, n, GPT_ATTR_LEGACY_BOOT);
		if (changed < 0)
			eprintf("--activate %u: %s has no partition %u", n, target, n);
		if (changed)
			gpt_update_crcs(&c->h, c->sec, c->array);
	}
	return changed;
}

static size_t
gpt_bytes(const struct gpt_disk *d)
{
	return 2 * (d->ssz + gpt_array_bytes(&d->copy[0].h));
}

/* The backup first, array before header, made durable before the primary
 * is touched: interrupted anywhere, one copy is whole and valid. */
static void
gpt_write(int fd, const char *target, const struct gpt_disk *d)
{
	int i;

	for (i = 1; i >= 0; i--) {
		const struct gpt_copy *c = &d->copy[i];
		if (write_at(fd, c->array, gpt_array_bytes(&c->h), lba_off(d, c->h.entries_lba)) < 0 ||
		    write_at(fd, c->sec, d->ssz, lba_off(d, c->lba)) < 0 || fsync(fd) < 0)
			eprintf("%s: writing the %s GPT failed: %s (%s)", target, c->name, strerror(errno),
			        i == 1 ? "the primary GPT is as it was"
			               : "the backup GPT holds the new table; see the manual");
	}
}

static void
gpt_verify(int fd, const char *target, const struct gpt_disk *d)
{
	size_t n = gpt_array_bytes(&d->copy[0].h);
	unsigned char *buf = malloc(n > d->ssz ? n : d->ssz);
	int i;

	if (!buf)
		eprintf("malloc:");
	for (i = 0; i < 2; i++) {
		const struct gpt_copy *c = &d->copy[i];
		if (read_at(fd, buf, d->ssz, lba_off(d, c->lba)) < 0 ||
		    memcmp(buf, c->sec, d->ssz) != 0 ||
		    read_at(fd, buf, n, lba_off(d, c->h.entries_lba)) < 0 ||
		    memcmp(buf, c->array, n) != 0)
			eprintf("%s: verification failed: the %s GPT does not read back as written",
			        target, c->name);
	}
	free(buf);
}

/* Saves sector 0 to a new file: O_EXCL, so an old backup is never lost. */
static void
save_backup(const char *path, const unsigned char *sec)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0)
		eprintf("%s:", path);
	if (write(fd, sec, MBR_SIZE) != MBR_SIZE || fsync(fd) < 0 || close(fd) < 0) {
		int saved = errno;
		unlink(path);
		errno = saved;
		eprintf("%s:", path);
	}
}

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "mbr", required_argument, NULL, 'm' },
		{ "backup", required_argument, NULL, 'b' },
		{ "restore", required_argument, NULL, 'r' },
		{ "activate", required_argument, NULL, 'a' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "force", no_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *mbrfile = NULL, *backup = NULL, *restore = NULL, *target, *source;
	unsigned char cur[MBR_SIZE], want[MBR_SIZE], back[MBR_SIZE], buf[MBR_SIZE];
	int opt, dry = 0, force = 0, json = 0, fd, changed, gpt_changed = 0;
	uint32_t activate = 0;
	size_t len, wlen = 0, gpt_wlen = 0;
	static struct gpt_disk gpt;   /* static: its buffers stay reachable until exit */
	enum mbr_label label;
	struct stat st;
	uint64_t v;

	setprogname(argv[0]);
	while ((opt = getopt_long(argc, argv, "m:b:r:a:nfjhV", opts, NULL)) != -1) {
		switch (opt) {
		case 'm': mbrfile = optarg; break;
		case 'b': backup = optarg; break;
		case 'r': restore = optarg; break;
		case 'a':
			if (parse_u64(optarg, &v) < 0 || v < 1 || v > UINT32_MAX)
				usage_error("--activate %s: not a partition number", optarg);
			activate = (uint32_t)v;
			break;
		case 'n': dry = 1; break;
		case 'f': force = 1; break;
		case 'j': json = 1; break;
		case 'h': usage(); return EXIT_OK;
		case 'V': print_version(); return EXIT_OK;
		default: usage_error("unknown option");
		}
	}
	if (argc - optind != 1)
		usage_error(argc == optind ? "no DISK given" : "one DISK only");
	if (restore && (mbrfile || activate))
		usage_error("--restore goes with neither --mbr nor --activate");
	target = argv[optind];

	/* Validate everything before writing anything. */
	if (stat(target, &st) < 0)
		eprintf("%s:", target);
	if (!S_ISBLK(st.st_mode) && !S_ISREG(st.st_mode))
		eprintf("%s: neither a block device nor an image file", target);
	if (S_ISBLK(st.st_mode) && is_partition(st.st_rdev))
		eprintf("%s: a partition; the MBR belongs to the whole disk", target);
	if (S_ISREG(st.st_mode) && !(st.st_mode & 0222))
		eprintf("%s: read-only image (mode %04o)", target, (unsigned)(st.st_mode & 07777));
	fd = open_target(target, &st, dry, force);
	if (mbr_read_sector(fd, cur) < 0)
		eprintf("%s: reading sector 0: %s", target,
		        errno == EIO ? "shorter than 512 bytes" : strerror(errno));
	label = mbr_label(cur);
	if ((label == MBR_NONE || label == MBR_UNKNOWN) && !force && !restore)
		eprintf("%s: %s; --force writes anyway", target,
		        label == MBR_NONE ? "no partition table (no 0x55AA at byte 510)"
		                          : "0x55AA but no partition table (a filesystem boot sector?)");
	memcpy(want, cur, MBR_SIZE);

	if (restore) {
		source = restore;
		if (read_file(restore, back, MBR_SIZE) != MBR_SIZE || !mbr_has_signature(back))
			eprintf("%s: not a saved sector 0 (512 bytes ending in 0x55AA)", restore);
		/* The table in the backup may describe partitions that no longer
		 * exist: put it back only when told to. */
		if (memcmp(back + MBR_CODE_SIZE, cur + MBR_CODE_SIZE, MBR_SIZE - MBR_CODE_SIZE) != 0) {
			if (!force)
				eprintf("%s: disk signature or partition table changed since %s; "
				        "--force writes the whole saved sector back, "
				        "--mbr %s puts back only its boot code", target, restore, restore);
			memcpy(want, back, MBR_SIZE);
		} else {
			memcpy(want, back, MBR_CODE_SIZE);
		}
	} else {
		source = mbrfile ? mbrfile : find_syslinux_mbr(label == MBR_GPT ? "gptmbr.bin" : "mbr.bin");
		len = read_file(source, buf, MBR_SIZE);
		if (mbr_code_from(buf, len, want) < 0)
			eprintf("%s: %zu bytes; boot code is 440 bytes (or a 512-byte sector)", source, len);
		if (activate && label == MBR_GPT) {
			gpt_load(fd, target, &st, &gpt);
			gpt_changed = gpt_activate(&gpt, activate, target);
			gpt_wlen = gpt_changed ? gpt_bytes(&gpt) : 0;
		} else if (activate) {
			if (label != MBR_DOS)
				eprintf("--activate: %s has no partition table (%s label)", target,
				        mbr_label_name(label));
			if (activate > MBR_ENTRIES)
				eprintf("--activate %u: an msdos table has partitions 1-%d "
				        "(logical partitions are not booted by mbr.bin)", activate, MBR_ENTRIES);
			if (mbr_set_active(want, (int)activate) < 0)
				eprintf("--activate %u: %s has no partition %u", activate, target, activate);
		}
	}

	changed = memcmp(want, cur, MBR_SIZE) != 0;
	if (changed) {
		/* Boot code only, unless the flags or a restored table changed. */
		wlen = memcmp(want + MBR_CODE_SIZE, cur + MBR_CODE_SIZE, MBR_SIZE - MBR_CODE_SIZE)
		               ? MBR_SIZE : MBR_CODE_SIZE;
		if (backup && access(backup, F_OK) == 0)
			eprintf("%s: exists; a backup is never overwritten", backup);
	}
	/* A backup holds sector 0; the GPT would not be in it. */
	if (gpt_changed && backup)
		eprintf("--backup saves sector 0 only, and --activate %u changes the GPT of %s: "
		        "save the GPT with sgdisk --backup, then run without --backup", activate, target);
	if (gpt_changed && !dry) {
		gpt_write(fd, target, &gpt);
		drop_cache(fd, &st);
		gpt_verify(fd, target, &gpt);
	}
	if (changed && !dry) {
		if (backup)
			save_backup(backup, cur);
		/* One write of the bytes that change (continued if short), then
		 * make it durable. */
		if (write_at(fd, want, wlen, 0) < 0)
			eprintf("%s: write failed: %s (old sector: %s)", target, strerror(errno),
			        backup ? backup : "no --backup");
		if (fsync(fd) < 0)
			eprintf("%s: fsync:", target);
		drop_cache(fd, &st);
		if (mbr_read_sector(fd, buf) < 0 || memcmp(buf, want, MBR_SIZE) != 0)
			eprintf("%s: verification failed: sector 0 does not read back as written", target);
	}
	close(fd);

	if (json) {
		struct json j;
		json_init(&j, stdout);
		json_object_begin(&j, NULL);
		json_string(&j, "target", target);
		json_string(&j, "label", mbr_label_name(label));
		json_string(&j, restore ? "restore" : "mbr", source);
		json_bool(&j, "changed", changed || gpt_changed);
		json_bool(&j, "dry_run", dry);
		json_u64(&j, "bytes", wlen + gpt_wlen);
		if (activate)
			json_u64(&j, "active", activate);
		else
			json_null(&j, "active");
		if (activate && label == MBR_GPT)
			json_bool(&j, "gpt_changed", gpt_changed);
		else
			json_null(&j, "gpt_changed");
		json_string(&j, "backup", changed && backup ? backup : NULL);
		json_object_end(&j);
		json_finish(&j);
	} else {
		if (!changed)
			printf("%s: unchanged (%s already in place)\n", target, source);
		else
			printf("%s: %s %zu bytes from %s (%s label)%s%s\n", target,
			       dry ? "would write" : "wrote", wlen, source, mbr_label_name(label),
			       backup ? (dry ? ", would save the old sector to " : ", old sector saved to ") : "",
			       backup ? backup : "");
		if (activate && label == MBR_DOS)
			printf("%s: boot flag on partition %u only%s\n", target, activate,
			       changed && wlen == MBR_SIZE ? "" : " (unchanged)");
		if (activate && label == MBR_GPT && !gpt_changed)
			printf("%s: GPT unchanged (LegacyBIOSBootable on partition %u only)\n", target, activate);
		else if (activate && label == MBR_GPT)
			printf("%s: %s the backup, then the primary GPT: LegacyBIOSBootable on partition %u only "
			       "(%d entr%s changed)\n", target, dry ? "would write" : "wrote", activate,
			       gpt_changed, gpt_changed == 1 ? "y" : "ies");
	}
	return EXIT_OK;
}
