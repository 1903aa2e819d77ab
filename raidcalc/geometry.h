/* RAID geometry arithmetic and filesystem superblock reading: pure
 * functions, fed directly by the unit tests and the fuzzers. */
#ifndef RAIDCALC_GEOMETRY_H
#define RAIDCALC_GEOMETRY_H

#include <stddef.h>
#include <stdint.h>

struct raid_input {
	int level;              /* 0 1 4 5 6 10 */
	unsigned disks;         /* active members, spares excluded */
	unsigned spares;        /* reported only */
	uint64_t chunk;         /* bytes; 0 for RAID1 */
	unsigned block_size;    /* ext4 block size in bytes */
	char layout;            /* RAID10: 'n', 'f' or 'o' */
	unsigned copies;        /* RAID10 copies, e.g. 2 for n2 */
};

struct raid_geometry {
	unsigned data_disks;
	int striped;            /* 0 for RAID1: no stripe to align to */
	uint64_t stripe_unit;   /* bytes */
	uint64_t stripe_width;  /* bytes */
	uint64_t xfs_sunit;     /* 512-byte sectors */
	uint64_t xfs_swidth;
	uint64_t ext4_stride;   /* filesystem blocks */
	uint64_t ext4_stripe_width;
};

/* Parses "n2", "f2", "o3"... into layout and copies.  0 or -1. */
int raid10_parse_layout(const char *s, char *layout, unsigned *copies);
/* Checks the input and computes the geometry.  0, or -1 with the reason
 * (one line, no trailing period) in err.  */
int raid_compute(const struct raid_input *in, struct raid_geometry *g,
                 char *err, size_t errlen);
/* Geometry as a device reports it: minimum_io_size is the chunk,
 * optimal_io_size the full stripe.  As mkfs.xfs judges it, hints equal to
 * the physical sector size are no stripe.  0, or -1 when there is no RAID
 * geometry (reason in err).  */
int raid_from_topology(uint64_t min_io, uint64_t opt_io, uint64_t phys_sector,
                       unsigned block_size,
                       struct raid_geometry *g, char *err, size_t errlen);
/* The su= value as mkfs.xfs takes it: "64k", "1m", "4096". */
char *xfs_su_string(uint64_t bytes, char *buf, size_t len);

/* What a filesystem superblock records about stripe alignment. */
enum fs_type { FS_UNKNOWN, FS_EXT4, FS_XFS };
struct fs_stripe {
	enum fs_type type;      /* ext2/3/4 all report FS_EXT4 */
	unsigned block_size;    /* bytes */
	uint64_t stride;        /* ext4: s_raid_stride (blocks); XFS: sb_unit (blocks) */
	uint64_t stripe_width;  /* ext4: s_raid_stripe_width; XFS: sb_width (blocks) */
};
/* buf holds the first len bytes of the device (>= 2048 needed for ext4,
 * 512 for XFS).  0, or -1 when no known superblock is there.  */
int fs_stripe_parse(const unsigned char *buf, size_t len, struct fs_stripe *fs);

#endif
