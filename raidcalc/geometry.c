/* RAID geometry arithmetic and filesystem superblock reading. */
#include <stdio.h>
#include <string.h>

#include "geometry.h"

int
raid10_parse_layout(const char *s, char *layout, unsigned *copies)
{
	if (!s || (s[0] != 'n' && s[0] != 'f' && s[0] != 'o') ||
	    s[1] < '2' || s[1] > '9' || s[2] != '\0')
		return -1;
	*layout = s[0];
	*copies = (unsigned)(s[1] - '0');
	return 0;
}

static unsigned
min_disks(const struct raid_input *in)
{
	switch (in->level) {
	case 0: case 1: return 2;
	case 4: case 5: return 3;
	case 6: return 4;
	case 10: return in->copies;
	}
	return 0;
}

/* md's rule (drivers/md/raid10.c, raid10_nr_stripes): near copies divide the
 * stripe when they divide the disk count; far and offset copies live in
 * other stripes and do not.  */
static unsigned
raid10_data_disks(unsigned disks, char layout, unsigned copies)
{
	if (layout != 'n' || disks % copies)
		return disks;
	return disks / copies;
}

static int
is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

static void
fill_stripes(struct raid_geometry *g, unsigned block_size)
{
	g->stripe_width = g->stripe_unit * g->data_disks;
	g->xfs_sunit = g->stripe_unit / 512;
	g->xfs_swidth = g->xfs_sunit * g->data_disks;
	g->ext4_stride = g->stripe_unit / block_size;
	g->ext4_stripe_width = g->ext4_stride * g->data_disks;
}

int
raid_compute(const struct raid_input *in, struct raid_geometry *g,
             char *err, size_t errlen)
{
	memset(g, 0, sizeof(*g));
	if (!is_pow2(in->block_size) || in->block_size < 1024 || in->block_size > 65536) {
		snprintf(err, errlen, "block size %u: not a power of two from 1024 to 65536",
		         in->block_size);
		return -1;
	}
	if (min_disks(in) == 0) {
		snprintf(err, errlen, "level %d: not one of 0, 1, 4, 5, 6, 10", in->level);
		return -1;
	}
	if (in->disks < min_disks(in)) {
		if (in->level == 10)
			snprintf(err, errlen, "RAID10 %c%u needs at least %u disks, got %u",
			         in->layout, in->copies, min_disks(in), in->disks);
		else
			snprintf(err, errlen, "RAID%d needs at least %u disks, got %u",
			         in->level, min_disks(in), in->disks);
		return -1;
	}
	if (in->level == 1) {
		/* Mirrors have no stripe: every disk holds all the data. */
		g->data_disks = 1;
		return 0;
	}
	if (in->chunk == 0) {
		snprintf(err, errlen, "RAID%d needs --chunk", in->level);
		return -1;
	}
	if (in->chunk % 512) {
		snprintf(err, errlen, "chunk %llu: not a multiple of 512 bytes",
		         (unsigned long long)in->chunk);
		return -1;
	}
	if (in->chunk < in->block_size) {
		snprintf(err, errlen, "chunk %llu is smaller than the block size %u",
		         (unsigned long long)in->chunk, in->block_size);
		return -1;
	}
	if (in->chunk % in->block_size) {
		snprintf(err, errlen, "chunk %llu: not a multiple of the block size %u",
		         (unsigned long long)in->chunk, in->block_size);
		return -1;
	}
	switch (in->level) {
	case 0:  g->data_disks = in->disks; break;
	case 4:
	case 5:  g->data_disks = in->disks - 1; break;
	case 6:  g->data_disks = in->disks - 2; break;
	case 10: g->data_disks = raid10_data_disks(in->disks, in->layout, in->copies); break;
	}
	g->striped = 1;
	g->stripe_unit = in->chunk;
	fill_stripes(g, in->block_size);
	return 0;
}

int
raid_from_topology(uint64_t min_io, uint64_t opt_io, uint64_t phys_sector,
                   unsigned block_size,
                   struct raid_geometry *g, char *err, size_t errlen)
{
	memset(g, 0, sizeof(*g));
	if (opt_io == 0) {
		snprintf(err, errlen, "no RAID geometry: optimal I/O size is 0 "
		         "(minimum I/O size %llu)", (unsigned long long)min_io);
		return -1;
	}
	/* A disk reports its physical sector as minimum I/O; that is no chunk.
	 * mkfs.xfs ignores such hints for the same reason (libfrog topology). */
	if (min_io == phys_sector || opt_io == phys_sector) {
		snprintf(err, errlen, "no RAID geometry: minimum I/O size %llu, optimal "
		         "I/O size %llu, physical sector %llu", (unsigned long long)min_io,
		         (unsigned long long)opt_io, (unsigned long long)phys_sector);
		return -1;
	}
	if (min_io == 0 || opt_io % min_io || opt_io < min_io) {
		snprintf(err, errlen, "no RAID geometry: optimal I/O size %llu is not a "
		         "multiple of minimum I/O size %llu",
		         (unsigned long long)opt_io, (unsigned long long)min_io);
		return -1;
	}
	if (min_io % 512 || min_io < block_size || min_io % block_size) {
		snprintf(err, errlen, "minimum I/O size %llu is not a multiple of the "
		         "block size %u", (unsigned long long)min_io, block_size);
		return -1;
	}
	g->striped = 1;
	g->stripe_unit = min_io;
	g->data_disks = (unsigned)(opt_io / min_io);
	fill_stripes(g, block_size);
	return 0;
}

char *
xfs_su_string(uint64_t bytes, char *buf, size_t len)
{
	if (bytes && bytes % (1ULL << 30) == 0)
		snprintf(buf, len, "%llug", (unsigned long long)(bytes >> 30));
	else if (bytes && bytes % (1ULL << 20) == 0)
		snprintf(buf, len, "%llum", (unsigned long long)(bytes >> 20));
	else if (bytes && bytes % 1024 == 0)
		snprintf(buf, len, "%lluk", (unsigned long long)(bytes >> 10));
	else
		snprintf(buf, len, "%llu", (unsigned long long)bytes);
	return buf;
}

static uint32_t le16(const unsigned char *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static uint32_t le32(const unsigned char *p) { return le16(p) | (uint32_t)le16(p + 2) << 16; }
static uint32_t be16(const unsigned char *p) { return (uint32_t)p[0] << 8 | p[1]; }
static uint32_t be32(const unsigned char *p) { return be16(p) << 16 | be16(p + 2); }

/* ext2/3/4 superblock: at byte 1024; fields from the kernel's
 * fs/ext4/ext4.h struct ext4_super_block. */
#define EXT4_SB            1024
#define EXT4_LOG_BLOCK     0x18
#define EXT4_MAGIC_OFF     0x38
#define EXT4_MAGIC         0xEF53
#define EXT4_RAID_STRIDE   0x164
#define EXT4_RAID_WIDTH    0x170
/* XFS superblock: at byte 0, big-endian (fs/xfs/libxfs/xfs_format.h). */
#define XFS_BLOCKSIZE      4
#define XFS_UNIT           184
#define XFS_WIDTH          188

int
fs_stripe_parse(const unsigned char *buf, size_t len, struct fs_stripe *fs)
{
	memset(fs, 0, sizeof(*fs));
	if (len >= 512 && memcmp(buf, "XFSB", 4) == 0) {
		uint32_t bs = be32(buf + XFS_BLOCKSIZE);
		if (bs < 512 || bs > 65536 || (bs & (bs - 1)))
			return -1;
		fs->type = FS_XFS;
		fs->block_size = bs;
		fs->stride = be32(buf + XFS_UNIT);
		fs->stripe_width = be32(buf + XFS_WIDTH);
		return 0;
	}
	if (len >= EXT4_SB + 1024 && le16(buf + EXT4_SB + EXT4_MAGIC_OFF) == EXT4_MAGIC) {
		uint32_t log = le32(buf + EXT4_SB + EXT4_LOG_BLOCK);
		if (log > 6)      /* 1024 << 6 = 64 KiB, the largest ext4 block */
			return -1;
		fs->type = FS_EXT4;
		fs->block_size = 1024u << log;
		fs->stride = le16(buf + EXT4_SB + EXT4_RAID_STRIDE);
		fs->stripe_width = le32(buf + EXT4_SB + EXT4_RAID_WIDTH);
		return 0;
	}
	return -1;
}
