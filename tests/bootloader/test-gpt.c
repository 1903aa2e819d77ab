/* Unit tests of the GPT checks and the legacy BIOS bootable attribute. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "gpt.h"

#define SEC 512
#define LAST 2047     /* a 1 MiB disk */
#define ARRAY (128 * 128)

/* The primary header and first entry that sfdisk 2.38 wrote for
 *   label: gpt / label-id: 01234567-89AB-CDEF-0123-456789ABCDEF
 *   start=34, size=100, type=L, uuid=11111111-2222-3333-4444-555555555555, name="boot"
 * on a 1 MiB image: CRCs computed by another program. */
static const unsigned char sfdisk_header[92] = {
	'E', 'F', 'I', ' ', 'P', 'A', 'R', 'T', 0x00, 0x00, 0x01, 0x00, 0x5c, 0x00, 0x00, 0x00,
	0x8a, 0x82, 0x95, 0x2a, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xff, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x22, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xde, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x67, 0x45, 0x23, 0x01, 0xab, 0x89, 0xef, 0xcd,
	0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x80, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0xcf, 0xf9, 0x27, 0xb0,
};
static const unsigned char sfdisk_entry[64] = {
	0xaf, 0x3d, 0xc6, 0x0f, 0x83, 0x84, 0x72, 0x47, 0x8e, 0x79, 0x3d, 0x69, 0xd8, 0x47, 0x7d, 0xe4,
	0x11, 0x11, 0x11, 0x11, 0x22, 0x22, 0x33, 0x33, 0x44, 0x44, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55,
	0x22, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x85, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 'b', 0, 'o', 0, 'o', 0, 't', 0,
};

static unsigned char sec[SEC], array[ARRAY];
static char why[200];

static void
load_sfdisk(void)
{
	memset(sec, 0, sizeof(sec));
	memcpy(sec, sfdisk_header, sizeof(sfdisk_header));
	memset(array, 0, sizeof(array));
	memcpy(array, sfdisk_entry, sizeof(sfdisk_entry));
}

static void
put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> 8 * i);
}

static void
put64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> 8 * i);
}

/* Changes a header field and makes the header CRC right again, so that
 * only the field itself is wrong. */
static void
fix_crc(void)
{
	put32(sec + 16, 0);
	put32(sec + 16, gpt_crc32(0, sec, 92));
}

static void
put32_fix(size_t off, uint32_t v)
{
	put32(sec + off, v);
	fix_crc();
}

static int
parse(uint64_t lba, struct gpt_header *h)
{
	why[0] = 0;
	return gpt_parse_header(sec, SEC, lba, LAST, h, why, sizeof(why));
}

static void
test_crc32(void **state)
{
	(void)state;
	assert_int_equal(gpt_crc32(0, "123456789", 9), 0xCBF43926u);
	assert_int_equal(gpt_crc32(0, "", 0), 0);
	/* in pieces as in one go */
	assert_int_equal(gpt_crc32(gpt_crc32(0, "1234", 4), "56789", 5), 0xCBF43926u);
	assert_int_equal(gpt_crc32(0, "The quick brown fox jumps over the lazy dog", 43), 0x414FA339u);
}

static void
test_sfdisk_header(void **state)
{
	struct gpt_header h;

	(void)state;
	load_sfdisk();
	assert_int_equal(parse(1, &h), 0);
	assert_int_equal(h.revision, GPT_REVISION);
	assert_int_equal(h.header_size, 92);
	assert_int_equal(h.header_crc, 0x2a95828au);
	assert_int_equal(h.my_lba, 1);
	assert_int_equal(h.alternate_lba, LAST);
	assert_int_equal(h.first_usable, 34);
	assert_int_equal(h.last_usable, 2014);
	assert_int_equal(h.entries_lba, 2);
	assert_int_equal(h.entries, 128);
	assert_int_equal(h.entry_size, 128);
	assert_int_equal(gpt_array_bytes(&h), ARRAY);
	assert_int_equal(gpt_array_sectors(&h, SEC), 32);
	assert_int_equal(gpt_array_sectors(&h, 4096), 4);
	assert_int_equal(gpt_check_array(&h, array, why, sizeof(why)), 0);
	assert_true(gpt_entry_used(&h, array, 1));
	assert_false(gpt_entry_used(&h, array, 2));
	assert_false(gpt_entry_used(&h, array, 0));
	assert_false(gpt_entry_used(&h, array, 129));
	assert_int_equal(gpt_entry_attrs(&h, array, 1), 0);
	/* the same header is not the one at the last LBA */
	assert_int_equal(parse(LAST, &h), -1);
	assert_string_equal(why, "my_lba 1, but it is at LBA 2047");
}

/* sfdisk --part-attrs IMG 1 LegacyBIOSBootable changed byte 48 of the
 * entry and the two CRCs to these. */
static void
test_set_like_sfdisk(void **state)
{
	struct gpt_header h;

	(void)state;
	load_sfdisk();
	assert_int_equal(parse(1, &h), 0);
	assert_int_equal(gpt_set_only(&h, array, 1, GPT_ATTR_LEGACY_BOOT), 1);
	assert_int_equal(array[48], 0x04);
	assert_int_equal(gpt_entry_attrs(&h, array, 1), 4);
	gpt_update_crcs(&h, sec, array);
	assert_int_equal(h.entries_crc, 0x0a142c95u);
	assert_int_equal(h.header_crc, 0xdab8a535u);
	assert_memory_equal(sec + 88, "\x95\x2c\x14\x0a", 4);
	assert_memory_equal(sec + 16, "\x35\xa5\xb8\xda", 4);
	/* nothing else in the header changed */
	assert_memory_equal(sec, sfdisk_header, 16);
	assert_memory_equal(sec + 20, sfdisk_header + 20, 88 - 20);
	assert_int_equal(parse(1, &h), 0);
	assert_int_equal(gpt_check_array(&h, array, why, sizeof(why)), 0);
	/* again: nothing to change */
	assert_int_equal(gpt_set_only(&h, array, 1, GPT_ATTR_LEGACY_BOOT), 0);
}

static void
test_set_only(void **state)
{
	struct gpt_header h;
	unsigned char before[ARRAY];

	(void)state;
	load_sfdisk();
	assert_int_equal(parse(1, &h), 0);
	/* partition 2 and 3 in use, 1 bootable with other bits too; entry 5
	 * unused but with the bit set (gptmbr.bin skips it: so do we) */
	memcpy(array + 128, sfdisk_entry, 48);
	memcpy(array + 256, sfdisk_entry, 48);
	put64(array + 48, 1 | 4 | 1ull << 60);
	put64(array + 4 * 128 + 48, 4);
	memcpy(before, array, ARRAY);
	assert_int_equal(gpt_set_only(&h, array, 2, GPT_ATTR_LEGACY_BOOT), 2);
	assert_int_equal(gpt_entry_attrs(&h, array, 1), 1 | 1ull << 60);
	assert_int_equal(gpt_entry_attrs(&h, array, 2), 4);
	assert_int_equal(gpt_entry_attrs(&h, array, 3), 0);
	assert_int_equal(gpt_entry_attrs(&h, array, 5), 4);
	/* exactly two bytes changed: entry 1's and entry 2's byte 48 */
	for (size_t i = 0; i < ARRAY; i++)
		if (i != 48 && i != 128 + 48)
			assert_int_equal(array[i], before[i]);
	assert_int_equal(gpt_set_only(&h, array, 2, GPT_ATTR_LEGACY_BOOT), 0);
	/* unused, out of range, a bit that does not exist */
	memcpy(before, array, ARRAY);
	assert_int_equal(gpt_set_only(&h, array, 4, GPT_ATTR_LEGACY_BOOT), -1);
	assert_int_equal(gpt_set_only(&h, array, 5, GPT_ATTR_LEGACY_BOOT), -1);
	assert_int_equal(gpt_set_only(&h, array, 0, GPT_ATTR_LEGACY_BOOT), -1);
	assert_int_equal(gpt_set_only(&h, array, 129, GPT_ATTR_LEGACY_BOOT), -1);
	assert_int_equal(gpt_set_only(&h, array, 1, 64), -1);
	assert_memory_equal(array, before, ARRAY);
	/* a bit of another byte: 60 is byte 55, bit 4 */
	assert_int_equal(gpt_set_only(&h, array, 3, 60), 2);
	assert_int_equal(array[256 + 55], 0x10);
	assert_int_equal(array[55], 0);
}

/* Entries of 256 bytes: the attribute is found by the entry size. */
static void
test_entry_size_256(void **state)
{
	struct gpt_header h;

	(void)state;
	load_sfdisk();
	put32(sec + 80, 64);
	put32_fix(84, 256);
	assert_int_equal(parse(1, &h), 0);
	memcpy(array + 256, sfdisk_entry, 48);  /* partition 2 */
	assert_int_equal(gpt_check_array(&h, array, why, sizeof(why)), -1);
	gpt_update_crcs(&h, sec, array);
	assert_int_equal(h.entries_crc, 0x4ea6e343u);   /* zlib's */
	assert_int_equal(parse(1, &h), 0);
	assert_int_equal(h.entry_size, 256);
	assert_int_equal(gpt_check_array(&h, array, why, sizeof(why)), 0);
	assert_int_equal(gpt_set_only(&h, array, 2, GPT_ATTR_LEGACY_BOOT), 1);
	assert_int_equal(array[256 + 48], 4);
	assert_int_equal(array[128 + 48], 0);
	assert_int_equal(gpt_set_only(&h, array, 3, GPT_ATTR_LEGACY_BOOT), -1);
}

static void
test_damaged_header(void **state)
{
	struct gpt_header h;

	(void)state;
	load_sfdisk();
	sec[0] = 'e';
	assert_int_equal(parse(1, &h), -1);
	assert_string_equal(why, "no \"EFI PART\" signature");

	load_sfdisk();
	sec[70] ^= 1;   /* a byte of the disk GUID */
	assert_int_equal(parse(1, &h), -1);
	assert_string_equal(why, "header CRC32 0x2a95828a, computed 0x3dbde64a");
	/* the CRC field itself is not part of the sum */
	load_sfdisk();
	sec[16] ^= 1;
	assert_int_equal(parse(1, &h), -1);
	assert_string_equal(why, "header CRC32 0x2a95828b, computed 0x2a95828a");
	/* bytes past the header size are not part of it */
	load_sfdisk();
	sec[92] = 0xff;
	assert_int_equal(parse(1, &h), 0);

	load_sfdisk();
	put32_fix(8, 0x00020000);
	assert_int_equal(parse(1, &h), -1);
	assert_string_equal(why, "revision 0x00020000, not 1.0 (0x00010000)");
	load_sfdisk();
	put32(sec + 12, 91);
	assert_int_equal(parse(1, &h), -1);
	assert_string_equal(why, "header size 91, not 92 to 512");
	load_sfdisk();
	put32(sec + 12, 513);
	assert_int_equal(parse(1, &h), -1);
	assert_string_equal(why, "header size 513, not 92 to 512");

	load_sfdisk();
	put64(sec + 32, LAST - 1);
	fix_crc();
	assert_int_equal(parse(1, &h), -1);
	assert_string_equal(why, "alternate_lba 2046, not 2047 (the last LBA: did the disk change size?)");
	/* the disk is smaller than the header says */
	load_sfdisk();
	assert_int_equal(gpt_parse_header(sec, SEC, 1, 1023, &h, why, sizeof(why)), -1);
	assert_string_equal(why, "alternate_lba 2047, not 1023 (the last LBA: did the disk change size?)");

	load_sfdisk();
	put32_fix(84, 100);
	assert_int_equal(parse(1, &h), -1);
	assert_string_equal(why, "entry size 100, not 128 times a power of two");
	load_sfdisk();
	put32_fix(84, 384);
	assert_int_equal(parse(1, &h), -1);
	load_sfdisk();
	put32_fix(80, 0);
	assert_int_equal(parse(1, &h), -1);
	assert_string_equal(why, "0 entries of 128 bytes");
	load_sfdisk();
	put32_fix(80, 0x10000000);
	assert_int_equal(parse(1, &h), -1);
	/* an array running into the usable area */
	load_sfdisk();
	put32_fix(80, 256);
	assert_int_equal(parse(1, &h), -1);
	assert_string_equal(why, "entry array at LBA 2-65 is not between the headers outside the usable LBAs");
	load_sfdisk();
	put64(sec + 72, 1);
	fix_crc();
	assert_int_equal(parse(1, &h), -1);
	load_sfdisk();
	put64(sec + 48, LAST);   /* last usable: the backup header */
	fix_crc();
	assert_int_equal(parse(1, &h), -1);
	assert_string_equal(why, "usable LBAs 34-2047 do not fit a disk of 2048 sectors");
}

/* The backup: my_lba and alternate_lba swapped, array before it. */
static void
make_backup(void)
{
	put64(sec + 24, LAST);
	put64(sec + 32, 1);
	put64(sec + 72, LAST - 32);
	fix_crc();
}

static void
test_backup_and_pair(void **state)
{
	struct gpt_header p, b;

	(void)state;
	load_sfdisk();
	assert_int_equal(parse(1, &p), 0);
	make_backup();
	assert_int_equal(parse(LAST, &b), 0);
	assert_int_equal(b.entries_lba, LAST - 32);
	assert_int_equal(gpt_check_pair(&p, &b, why, sizeof(why)), 0);
	assert_int_equal(parse(1, &p), -1);
	assert_string_equal(why, "my_lba 2047, but it is at LBA 1");
	/* a backup array overlapping the backup header */
	put64(sec + 72, LAST - 31);
	fix_crc();
	assert_int_equal(parse(LAST, &b), -1);
	assert_string_equal(why, "entry array at LBA 2016-2047 is not between the headers outside the usable LBAs");
	/* a backup pointing elsewhere than LBA 1 */
	load_sfdisk();
	make_backup();
	put64(sec + 32, 2);
	fix_crc();
	assert_int_equal(parse(LAST, &b), -1);
	assert_string_equal(why, "alternate_lba 2, not 1");

	/* pairs that disagree */
	load_sfdisk();
	assert_int_equal(parse(1, &p), 0);
	b = p;
	b.disk_guid[3] ^= 1;
	assert_int_equal(gpt_check_pair(&p, &b, why, sizeof(why)), -1);
	assert_string_equal(why, "disk GUIDs differ between primary and backup");
	b = p;
	b.entries_crc ^= 1;
	assert_int_equal(gpt_check_pair(&p, &b, why, sizeof(why)), -1);
	assert_string_equal(why, "entry arrays differ between primary and backup");
	b = p;
	b.last_usable--;
	assert_int_equal(gpt_check_pair(&p, &b, why, sizeof(why)), -1);
	b = p;
	b.entries = 64;
	assert_int_equal(gpt_check_pair(&p, &b, why, sizeof(why)), -1);
}

static void
test_damaged_array(void **state)
{
	struct gpt_header h;

	(void)state;
	load_sfdisk();
	assert_int_equal(parse(1, &h), 0);
	array[ARRAY - 1] = 1;
	assert_int_equal(gpt_check_array(&h, array, why, sizeof(why)), -1);
	assert_string_equal(why, "entry array CRC32 0xb027f9cf, computed 0xc720c959");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32),
		cmocka_unit_test(test_sfdisk_header),
		cmocka_unit_test(test_set_like_sfdisk),
		cmocka_unit_test(test_set_only),
		cmocka_unit_test(test_entry_size_256),
		cmocka_unit_test(test_damaged_header),
		cmocka_unit_test(test_backup_and_pair),
		cmocka_unit_test(test_damaged_array),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
