/* The GUID partition table, in memory.  Primary header at LBA 1, backup
 * header at the last LBA; each points to its own copy of the partition
 * entry array.  Header (little endian): "EFI PART" 0, revision 8, header
 * size 12, header CRC32 16 (computed over header size bytes with this
 * field zeroed), reserved 20, my_lba 24, alternate_lba 32, first usable
 * 40, last usable 48, disk GUID 56, entry array LBA 72, entry count 80,
 * entry size 84, entry array CRC32 88.  Entry: type GUID 0 (all zero:
 * unused), unique GUID 16, first LBA 32, last LBA 40, attributes 48, name
 * 56. */
#ifndef BOOTLOADER_GPT_H
#define BOOTLOADER_GPT_H

#include <stddef.h>
#include <stdint.h>

#define GPT_SIGNATURE        "EFI PART"
#define GPT_REVISION         0x00010000u
#define GPT_HEADER_MIN       92
#define GPT_HEADER_CRC       16      /* offset of the header CRC32 */
#define GPT_ENTRY_ATTRS      48      /* offset of an entry's attributes */
#define GPT_ATTR_LEGACY_BOOT 2       /* "legacy BIOS bootable", bit 2 */
#define GPT_ARRAY_MAX        (1u << 20)  /* a sane bound on the entry array */

struct gpt_header {
	uint32_t revision, header_size, header_crc;
	uint64_t my_lba, alternate_lba, first_usable, last_usable;
	unsigned char disk_guid[16];
	uint64_t entries_lba;
	uint32_t entries, entry_size, entries_crc;
};

/* The IEEE 802.3 CRC-32 of zlib and the UEFI specification; start with
 * crc = 0, feed the previous result to continue. */
uint32_t gpt_crc32(uint32_t crc, const void *buf, size_t len);

/* Parses and checks the header in sec (one sector of secsize bytes) read
 * from LBA lba of a disk whose last LBA is last: signature, revision,
 * size, CRC, my_lba == lba, alternate_lba (the other end of the disk),
 * an entry array of sane geometry inside the disk and outside the usable
 * area.  0, or -1 with the reason in why. */
int gpt_parse_header(const unsigned char *sec, size_t secsize, uint64_t lba, uint64_t last,
                     struct gpt_header *h, char *why, size_t whylen);
/* The bytes of the entry array, and the sectors it takes. */
size_t gpt_array_bytes(const struct gpt_header *h);
uint64_t gpt_array_sectors(const struct gpt_header *h, size_t secsize);
/* Checks the entry array against its header's CRC.  0, or -1 with why. */
int gpt_check_array(const struct gpt_header *h, const unsigned char *array, char *why,
                    size_t whylen);
/* The primary and the backup describe the same table: same usable area,
 * disk GUID, entry count and size, entry array CRC.  0, or -1 with why. */
int gpt_check_pair(const struct gpt_header *p, const struct gpt_header *b, char *why,
                   size_t whylen);

/* Partition n (1-based) of the array: in use (non-zero type GUID)? */
int gpt_entry_used(const struct gpt_header *h, const unsigned char *array, uint32_t n);
uint64_t gpt_entry_attrs(const struct gpt_header *h, const unsigned char *array, uint32_t n);
/* Sets attribute bit on partition n and clears it on every other entry,
 * leaving all other bits alone.  Returns the number of entries changed
 * (0: already so), or -1 when n is out of range or unused. */
int gpt_set_only(const struct gpt_header *h, unsigned char *array, uint32_t n, unsigned bit);
/* After changing the array: stores its CRC in the header sector and then
 * the header's own CRC (and updates h to match). */
void gpt_update_crcs(struct gpt_header *h, unsigned char *sec, const unsigned char *array);

#endif
