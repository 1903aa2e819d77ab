/* The bcache superblock: decoding, checksum and the kernel's checks. */
#include <stdio.h>
#include <string.h>

#include "sb.h"

const uint8_t bcache_magic[16] = {
	0xc6, 0x85, 0x73, 0xf6, 0x4e, 0x1a, 0x45, 0xca,
	0x82, 0x65, 0xf5, 0x7f, 0x48, 0xba, 0x6d, 0x81,
};
const uint8_t bcachefs_magic[16] = {
	0xc6, 0x85, 0x73, 0xf6, 0x66, 0xce, 0x90, 0xa9,
	0xd9, 0x6a, 0x60, 0xcf, 0x80, 0x3d, 0xf7, 0xef,
};

#define CRC64_ECMA182_POLY 0x42F0E1EBA9EA3693ULL
#define PAGE_SECTORS 8           /* 4 KiB pages, as on every bcache host */
#define MAX_CACHES_PER_SET 8

uint64_t
bcache_crc64(const void *data, size_t len)
{
	static uint64_t table[256];
	const uint8_t *p = data;
	uint64_t crc = ~0ULL;
	size_t i;
	int b;

	if (!table[1]) {
		for (i = 0; i < 256; i++) {
			uint64_t c = (uint64_t)i << 56;

			for (b = 0; b < 8; b++)
				c = (c & (1ULL << 63)) ? (c << 1) ^ CRC64_ECMA182_POLY : c << 1;
			table[i] = c;
		}
	}
	for (i = 0; i < len; i++)
		crc = table[(crc >> 56) ^ p[i]] ^ (crc << 8);
	return ~crc;
}

static uint16_t
le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)le16(p) | (uint32_t)le16(p + 2) << 16;
}

static uint64_t
le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static enum bcache_kind
kind_of(uint64_t version)
{
	switch (version) {
	case BCACHE_SB_VERSION_BDEV:
	case BCACHE_SB_VERSION_BDEV_WITH_OFFSET:
	case BCACHE_SB_VERSION_BDEV_WITH_FEATURES:
		return BCACHE_BACKING;
	case BCACHE_SB_VERSION_CDEV:
	case BCACHE_SB_VERSION_CDEV_WITH_UUID:
	case BCACHE_SB_VERSION_CDEV_WITH_FEATURES:
		return BCACHE_CACHE;
	}
	return BCACHE_UNKNOWN;
}

/* As the kernel's get_bucket_size(): features only count from version 5. */
static uint64_t
effective_bucket_size(const struct bcache_sb *sb)
{
	if (sb->version >= BCACHE_SB_VERSION_CDEV_WITH_FEATURES) {
		if (sb->feature_incompat & BCACHE_FEATURE_INCOMPAT_LOG_LARGE_BUCKET_SIZE)
			return sb->bucket_size_raw < 32 ? 1ULL << sb->bucket_size_raw : 0;
		if (sb->feature_incompat & BCACHE_FEATURE_INCOMPAT_OBSO_LARGE_BUCKET)
			return sb->bucket_size_raw + ((uint64_t)sb->obso_bucket_size_hi << 16);
	}
	return sb->bucket_size_raw;
}

int
bcache_sb_parse(const uint8_t *buf, size_t len, struct bcache_sb *sb)
{
	size_t end, i;

	memset(sb, 0, sizeof(*sb));
	if (len < BCACHE_SB_MIN_READ)
		return -1;
	sb->csum = le64(buf + 0);
	sb->offset = le64(buf + 8);
	sb->version = le64(buf + 16);
	memcpy(sb->magic, buf + 24, 16);
	memcpy(sb->uuid, buf + 40, 16);
	memcpy(sb->set_uuid, buf + 56, 16);
	memcpy(sb->label, buf + 72, 32);
	sb->flags = le64(buf + 104);
	sb->seq = le64(buf + 112);
	sb->feature_compat = le64(buf + 120);
	sb->feature_incompat = le64(buf + 128);
	sb->feature_ro_compat = le64(buf + 136);
	sb->nbuckets = le64(buf + 184);
	sb->block_size = le16(buf + 192);
	sb->bucket_size_raw = le16(buf + 194);
	sb->nr_in_set = le16(buf + 196);
	sb->nr_this_dev = le16(buf + 198);
	sb->last_mount = le32(buf + 200);
	sb->first_bucket = le16(buf + 204);
	sb->keys = le16(buf + 206);
	for (i = 0; i < BCACHE_JOURNAL_MAX; i++)
		sb->d[i] = le64(buf + 208 + 8 * i);
	sb->obso_bucket_size_hi = le16(buf + 2256);

	sb->kind = kind_of(sb->version);
	sb->bucket_size = effective_bucket_size(sb);
	sb->data_offset = sb->version == BCACHE_SB_VERSION_BDEV ?
		BCACHE_DATA_START_DEFAULT : sb->nbuckets;
	memcpy(sb->label_str, sb->label, 32);
	sb->label_str[32] = '\0';

	/* The kernel checksums up to d[keys] before it looks at keys; past
	 * the 4 KiB it read, its sum covers memory that is not on the disk,
	 * so no stored sum can match. */
	end = 208 + 8 * (size_t)sb->keys;
	if (end <= len) {
		sb->csum_computable = 1;
		sb->csum_expected = bcache_crc64(buf + 8, end - 8);
	}
	return 0;
}

static int
is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

/* read_super_common(): the checks that only cache devices get. */
static const char *
check_cache(const struct bcache_sb *sb, uint64_t capacity)
{
	unsigned i;

	if (sb->keys > BCACHE_JOURNAL_MAX)
		return "Too many journal buckets";
	if (sb->nbuckets > (uint64_t)INT64_MAX)
		return "Too many buckets";
	if (sb->nbuckets < 1 << 7)
		return "Not enough buckets";
	if (!is_pow2(sb->block_size))
		return "Bad block size (not power of 2)";
	if (sb->block_size > PAGE_SECTORS)
		return "Bad block size (larger than page size)";
	if (!is_pow2(sb->bucket_size))
		return "Bad bucket size (not power of 2)";
	if (sb->bucket_size < PAGE_SECTORS)
		return "Bad bucket size (smaller than page size)";
	/* nbuckets <= INT64_MAX and bucket_size < 2^32: compare by division */
	if (capacity / sb->bucket_size < sb->nbuckets)
		return "Invalid superblock: device too small";
	if (bcache_uuid_is_zero(sb->set_uuid))
		return "Bad UUID";
	if (!sb->nr_in_set || sb->nr_in_set <= sb->nr_this_dev ||
	    sb->nr_in_set > MAX_CACHES_PER_SET)
		return "Bad cache device number in set";
	for (i = 0; i < sb->keys; i++)
		if (sb->d[i] != (uint64_t)sb->first_bucket + i)
			return "Journal buckets not sequential";
	if ((uint64_t)sb->first_bucket + sb->keys > sb->nbuckets)
		return "Too many journal buckets";
	if ((uint64_t)sb->first_bucket * sb->bucket_size < 16)
		return "Invalid superblock: first bucket comes before end of super";
	return NULL;
}

const char *
bcache_sb_check(const struct bcache_sb *sb, uint64_t capacity, unsigned lbs)
{
	if (sb->offset != BCACHE_SB_SECTOR)
		return "Not a bcache superblock (bad offset)";
	if (memcmp(sb->magic, bcache_magic, 16))
		return "Not a bcache superblock (bad magic)";
	if (!sb->csum_computable || sb->csum != sb->csum_expected)
		return "Bad checksum";
	if (bcache_uuid_is_zero(sb->uuid))
		return "Bad UUID";
	if ((unsigned)sb->block_size << 9 < lbs)
		return "Superblock block size smaller than device block size";

	switch (sb->version) {
	case BCACHE_SB_VERSION_BDEV:
		return NULL;
	case BCACHE_SB_VERSION_BDEV_WITH_OFFSET:
	case BCACHE_SB_VERSION_BDEV_WITH_FEATURES:
		if (sb->data_offset < BCACHE_DATA_START_DEFAULT)
			return "Bad data offset";
		return NULL;
	case BCACHE_SB_VERSION_CDEV:
	case BCACHE_SB_VERSION_CDEV_WITH_UUID:
		return check_cache(sb, capacity);
	case BCACHE_SB_VERSION_CDEV_WITH_FEATURES:
		/* no compat or ro_compat features are defined */
		if (sb->feature_compat)
			return "Unsupported compatible feature found";
		if (sb->feature_ro_compat)
			return "Unsupported read-only compatible feature found";
		if (sb->feature_incompat & ~BCACHE_FEATURE_INCOMPAT_SUPP)
			return "Unsupported incompatible feature found";
		return check_cache(sb, capacity);
	}
	return "Unsupported superblock version";
}

const char *
bcache_sb_check_run(const struct bcache_sb *sb)
{
	/* cache_alloc(): free = roundup_pow_of_two(nbuckets) >> 10 must be > 0 */
	if (sb->kind == BCACHE_CACHE && sb->nbuckets <= 512)
		return "cache_alloc(): cache device is too small";
	return NULL;
}

int
bcache_sb_is_bcachefs(const uint8_t *buf, size_t len)
{
	if (len < 112)
		return 0;
	if (!memcmp(buf + 24, bcachefs_magic, 16))
		return 1;
	/* Old bcachefs used the bcache magic.  Its header differs: a 16-byte
	 * checksum, then a 16-bit version (bcachefs counts from 7), and its
	 * own sector offset at byte 104. */
	return !memcmp(buf + 24, bcache_magic, 16) &&
	       le16(buf + 16) >= 7 && le64(buf + 104) == BCACHE_SB_SECTOR &&
	       (le64(buf + 8) != BCACHE_SB_SECTOR || le64(buf + 16) > 6);
}

unsigned
bcache_sb_cache_mode(const struct bcache_sb *sb)
{
	return sb->flags & 0xf;
}

unsigned
bcache_sb_bdev_state(const struct bcache_sb *sb)
{
	return (sb->flags >> 61) & 0x3;
}

int
bcache_sb_cache_sync(const struct bcache_sb *sb)
{
	return sb->flags & 1;
}

int
bcache_sb_cache_discard(const struct bcache_sb *sb)
{
	return (sb->flags >> 1) & 1;
}

unsigned
bcache_sb_cache_replacement(const struct bcache_sb *sb)
{
	return (sb->flags >> 2) & 0x7;
}

const char *
bcache_cache_mode_name(unsigned mode)
{
	static const char *const names[] = { "writethrough", "writeback", "writearound", "none" };

	return mode < 4 ? names[mode] : NULL;
}

const char *
bcache_state_name(unsigned state)
{
	static const char *const names[] = { "detached", "clean", "dirty", "inconsistent" };

	return state < 4 ? names[state] : NULL;
}

const char *
bcache_replacement_name(unsigned policy)
{
	static const char *const names[] = { "lru", "fifo", "random" };

	return policy < 3 ? names[policy] : NULL;
}

char *
bcache_uuid_str(const uint8_t u[16], char out[37])
{
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7],
		 u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
	return out;
}

int
bcache_uuid_is_zero(const uint8_t u[16])
{
	int i;

	for (i = 0; i < 16; i++)
		if (u[i])
			return 0;
	return 1;
}
