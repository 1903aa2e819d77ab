/* The bcache superblock: decoding, checksum and the kernel's checks.
 * Pure functions on a buffer: no I/O, so unit tests and fuzzers call
 * them directly.  Layout: struct cache_sb_disk in the kernel's
 * drivers/md/bcache/bcache_ondisk.h, little-endian, at byte 4096. */
#ifndef HOSTKIT_BCACHE_SB_H
#define HOSTKIT_BCACHE_SB_H

#include <stddef.h>
#include <stdint.h>

#define BCACHE_SB_START     4096   /* sector 8 */
#define BCACHE_SB_SECTOR    8
#define BCACHE_SB_SIZE      4096   /* what the kernel reads */
#define BCACHE_SB_MIN_READ  2258   /* header, d[256], obso_bucket_size_hi */
#define BCACHE_JOURNAL_MAX  256
#define BCACHE_DATA_START_DEFAULT 16

enum {
	BCACHE_SB_VERSION_CDEV = 0,
	BCACHE_SB_VERSION_BDEV = 1,
	BCACHE_SB_VERSION_CDEV_WITH_UUID = 3,
	BCACHE_SB_VERSION_BDEV_WITH_OFFSET = 4,
	BCACHE_SB_VERSION_CDEV_WITH_FEATURES = 5,
	BCACHE_SB_VERSION_BDEV_WITH_FEATURES = 6,
};

/* feature_incompat bits (kernel features.h) */
#define BCACHE_FEATURE_INCOMPAT_OBSO_LARGE_BUCKET     0x1ULL
#define BCACHE_FEATURE_INCOMPAT_LOG_LARGE_BUCKET_SIZE 0x2ULL
#define BCACHE_FEATURE_INCOMPAT_SUPP 0x3ULL

enum bcache_kind { BCACHE_UNKNOWN, BCACHE_BACKING, BCACHE_CACHE };

struct bcache_sb {
	/* fields as stored */
	uint64_t csum, offset, version;
	uint8_t magic[16], uuid[16], set_uuid[16], label[32];
	uint64_t flags, seq;
	uint64_t feature_compat, feature_incompat, feature_ro_compat;
	uint64_t nbuckets;         /* cache; the same bytes are data_offset on backing v4/v6 */
	uint16_t block_size;       /* sectors */
	uint16_t bucket_size_raw;  /* sectors, or log2 with the large_bucket feature */
	uint16_t nr_in_set, nr_this_dev;
	uint32_t last_mount;
	uint16_t first_bucket, keys;
	uint64_t d[BCACHE_JOURNAL_MAX];
	uint16_t obso_bucket_size_hi;

	/* derived */
	enum bcache_kind kind;
	uint64_t bucket_size;      /* sectors, large-bucket features applied */
	uint64_t data_offset;      /* backing: first data sector */
	int csum_computable;       /* the checksummed range fits in the 4 KiB read */
	uint64_t csum_expected;    /* valid when csum_computable */
	char label_str[33];        /* label up to its first NUL */
};

/* Magic shared with old-format bcachefs superblocks; the newer bcachefs
 * magic sits at the same place. */
extern const uint8_t bcache_magic[16];
extern const uint8_t bcachefs_magic[16];

/* CRC-64 as the kernel's bch_crc64: ECMA-182 polynomial, MSB first, init
 * and final xor all ones (check "123456789" = 0x62EC59E3F1A4F00A). */
uint64_t bcache_crc64(const void *data, size_t len);

/* Decodes the superblock in buf (the len >= BCACHE_SB_MIN_READ bytes that
 * start at byte 4096 of the device).  Never fails on garbage: checking is
 * bcache_sb_check's job.  0, or -1 when len is too short. */
int bcache_sb_parse(const uint8_t *buf, size_t len, struct bcache_sb *sb);

/* The kernel's read_super() checks in the kernel's order.  capacity is the
 * device size in 512-byte sectors, lbs its logical block size in bytes.
 * Returns NULL when the kernel would accept the superblock, else the
 * kernel's own reason ("Bad checksum"). */
const char *bcache_sb_check(const struct bcache_sb *sb, uint64_t capacity, unsigned lbs);

/* Checks past read_super that make the kernel refuse a device it has
 * read: a cache of 512 buckets or fewer fails cache_alloc() (recent
 * kernels).  NULL, or the kernel's reason. */
const char *bcache_sb_check_run(const struct bcache_sb *sb);

/* True when buf (as for bcache_sb_parse) holds a bcachefs superblock. */
int bcache_sb_is_bcachefs(const uint8_t *buf, size_t len);

/* Flag fields. */
unsigned bcache_sb_cache_mode(const struct bcache_sb *sb);   /* backing, bits 0-3 */
unsigned bcache_sb_bdev_state(const struct bcache_sb *sb);   /* backing, bits 61-62 */
int bcache_sb_cache_sync(const struct bcache_sb *sb);        /* cache, bit 0 */
int bcache_sb_cache_discard(const struct bcache_sb *sb);     /* cache, bit 1 */
unsigned bcache_sb_cache_replacement(const struct bcache_sb *sb); /* cache, bits 2-4 */

/* Names, or NULL for values with no name. */
const char *bcache_cache_mode_name(unsigned mode);     /* "writethrough" ... "none" */
const char *bcache_state_name(unsigned state);         /* "detached" "clean" "dirty" "inconsistent" */
const char *bcache_replacement_name(unsigned policy);  /* "lru" "fifo" "random" */

/* "00112233-4455-6677-8899-aabbccddeeff" into out[37]. */
char *bcache_uuid_str(const uint8_t uuid[16], char out[37]);
int bcache_uuid_is_zero(const uint8_t uuid[16]);

#endif
