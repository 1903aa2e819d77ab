/* Checking and changing a GUID partition table, in memory. */
#include <stdio.h>
#include <string.h>

#include "gpt.h"

static uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t
le64(const unsigned char *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static void
put_le32(unsigned char *p, uint32_t v)
{
	p[0] = v & 0xff;
	p[1] = v >> 8 & 0xff;
	p[2] = v >> 16 & 0xff;
	p[3] = v >> 24 & 0xff;
}

uint32_t
gpt_crc32(uint32_t crc, const void *buf, size_t len)
{
	static uint32_t table[256];
	const unsigned char *p = buf;
	uint32_t c;
	int i, k;

	if (!table[1]) {
		/* reflected polynomial 0x04C11DB7 */
		for (i = 0; i < 256; i++) {
			c = (uint32_t)i;
			for (k = 0; k < 8; k++)
				c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
			table[i] = c;
		}
	}
	crc = ~crc;
	while (len--)
		crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

/* The CRC of a header as stored in sec: its CRC field counted as zero. */
static uint32_t
header_crc(const unsigned char *sec, uint32_t size)
{
	static const unsigned char zero[4];
	uint32_t crc = gpt_crc32(0, sec, GPT_HEADER_CRC);

	crc = gpt_crc32(crc, zero, 4);
	return gpt_crc32(crc, sec + GPT_HEADER_CRC + 4, size - GPT_HEADER_CRC - 4);
}

size_t
gpt_array_bytes(const struct gpt_header *h)
{
	return (size_t)h->entries * h->entry_size;
}

uint64_t
gpt_array_sectors(const struct gpt_header *h, size_t secsize)
{
	return (gpt_array_bytes(h) + secsize - 1) / secsize;
}

#define WHY(...) (snprintf(why, whylen, __VA_ARGS__), -1)

int
gpt_parse_header(const unsigned char *sec, size_t secsize, uint64_t lba, uint64_t last,
                 struct gpt_header *h, char *why, size_t whylen)
{
	uint64_t alt = lba == 1 ? last : 1, n, start, end;
	uint32_t crc;

	if (memcmp(sec, GPT_SIGNATURE, 8) != 0)
		return WHY("no \"EFI PART\" signature");
	h->revision = le32(sec + 8);
	h->header_size = le32(sec + 12);
	h->header_crc = le32(sec + 16);
	h->my_lba = le64(sec + 24);
	h->alternate_lba = le64(sec + 32);
	h->first_usable = le64(sec + 40);
	h->last_usable = le64(sec + 48);
	memcpy(h->disk_guid, sec + 56, 16);
	h->entries_lba = le64(sec + 72);
	h->entries = le32(sec + 80);
	h->entry_size = le32(sec + 84);
	h->entries_crc = le32(sec + 88);

	if (h->revision != GPT_REVISION)
		return WHY("revision 0x%08x, not 1.0 (0x%08x)", h->revision, GPT_REVISION);
	if (h->header_size < GPT_HEADER_MIN || h->header_size > secsize)
		return WHY("header size %u, not %d to %zu", h->header_size, GPT_HEADER_MIN, secsize);
	crc = header_crc(sec, h->header_size);
	if (crc != h->header_crc)
		return WHY("header CRC32 0x%08x, computed 0x%08x", h->header_crc, crc);
	if (h->my_lba != lba)
		return WHY("my_lba %llu, but it is at LBA %llu", (unsigned long long)h->my_lba,
		           (unsigned long long)lba);
	if (h->alternate_lba != alt)
		return WHY("alternate_lba %llu, not %llu%s", (unsigned long long)h->alternate_lba,
		           (unsigned long long)alt,
		           lba == 1 ? " (the last LBA: did the disk change size?)" : "");
	if (h->first_usable < 2 || h->first_usable > h->last_usable || h->last_usable >= last)
		return WHY("usable LBAs %llu-%llu do not fit a disk of %llu sectors",
		           (unsigned long long)h->first_usable, (unsigned long long)h->last_usable,
		           (unsigned long long)last + 1);
	/* 128 times a power of two, says the UEFI specification */
	if (h->entry_size < 128 || h->entry_size % 128 || (h->entry_size & (h->entry_size - 1)))
		return WHY("entry size %u, not 128 times a power of two", h->entry_size);
	if (h->entries == 0 || (uint64_t)h->entries * h->entry_size > GPT_ARRAY_MAX)
		return WHY("%u entries of %u bytes", h->entries, h->entry_size);
	n = gpt_array_sectors(h, secsize);
	start = h->entries_lba;
	end = start + n - 1;
	/* between the headers (LBA 1 and last), outside the usable area */
	if (start < 2 || end >= last || end < start ||
	    (start <= h->last_usable && end >= h->first_usable))
		return WHY("entry array at LBA %llu-%llu is not between the headers outside the usable LBAs",
		           (unsigned long long)start, (unsigned long long)end);
	return 0;
}

int
gpt_check_array(const struct gpt_header *h, const unsigned char *array, char *why, size_t whylen)
{
	uint32_t crc = gpt_crc32(0, array, gpt_array_bytes(h));

	if (crc != h->entries_crc)
		return WHY("entry array CRC32 0x%08x, computed 0x%08x", h->entries_crc, crc);
	return 0;
}

int
gpt_check_pair(const struct gpt_header *p, const struct gpt_header *b, char *why, size_t whylen)
{
	if (p->first_usable != b->first_usable || p->last_usable != b->last_usable)
		return WHY("usable LBAs differ between primary and backup");
	if (memcmp(p->disk_guid, b->disk_guid, 16) != 0)
		return WHY("disk GUIDs differ between primary and backup");
	if (p->entries != b->entries || p->entry_size != b->entry_size)
		return WHY("entry counts or sizes differ between primary and backup");
	if (p->entries_crc != b->entries_crc)
		return WHY("entry arrays differ between primary and backup");
	return 0;
}

static const unsigned char *
entry(const struct gpt_header *h, const unsigned char *array, uint32_t n)
{
	return array + (size_t)(n - 1) * h->entry_size;
}

int
gpt_entry_used(const struct gpt_header *h, const unsigned char *array, uint32_t n)
{
	static const unsigned char unused[16];

	if (n < 1 || n > h->entries)
		return 0;
	return memcmp(entry(h, array, n), unused, 16) != 0;
}

uint64_t
gpt_entry_attrs(const struct gpt_header *h, const unsigned char *array, uint32_t n)
{
	return le64(entry(h, array, n) + GPT_ENTRY_ATTRS);
}

int
gpt_set_only(const struct gpt_header *h, unsigned char *array, uint32_t n, unsigned bit)
{
	unsigned char mask = (unsigned char)(1u << (bit % 8));
	uint32_t i;
	int changed = 0;

	if (!gpt_entry_used(h, array, n) || bit > 63)
		return -1;
	/* Unused entries are left alone: gptmbr.bin skips them too. */
	for (i = 1; i <= h->entries; i++) {
		unsigned char *a, old;
		if (!gpt_entry_used(h, array, i))
			continue;
		a = array + (size_t)(i - 1) * h->entry_size + GPT_ENTRY_ATTRS + bit / 8;
		old = *a;
		*a = i == n ? old | mask : old & ~mask;
		changed += *a != old;
	}
	return changed;
}

void
gpt_update_crcs(struct gpt_header *h, unsigned char *sec, const unsigned char *array)
{
	h->entries_crc = gpt_crc32(0, array, gpt_array_bytes(h));
	put_le32(sec + 88, h->entries_crc);
	h->header_crc = header_crc(sec, h->header_size);
	put_le32(sec + GPT_HEADER_CRC, h->header_crc);
}
