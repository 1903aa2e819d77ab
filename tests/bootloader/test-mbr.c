/* Unit tests of MBR recognition and changes. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "mbr.h"

static void
make_dos(unsigned char *sec)
{
	memset(sec, 0, MBR_SIZE);
	memset(sec, 0x33, MBR_CODE_SIZE);           /* some boot code */
	memcpy(sec + 440, "\x12\x34\x56\x78", 4);   /* disk signature */
	sec[446 + 4] = 0x83;                        /* partition 1: Linux */
	sec[446 + 8] = 0x00; sec[446 + 9] = 0x08;   /* starts at 2048 */
	sec[462 + 4] = 0x82;                        /* partition 2: swap */
	sec[510] = 0x55;
	sec[511] = 0xAA;
}

static void
test_label(void **state)
{
	unsigned char sec[MBR_SIZE];

	make_dos(sec);
	assert_int_equal(mbr_label(sec), MBR_DOS);
	assert_string_equal(mbr_label_name(MBR_DOS), "dos");
	/* an empty msdos table is still one */
	memset(sec + MBR_TABLE, 0, 64);
	assert_int_equal(mbr_label(sec), MBR_DOS);
	/* protective MBR: one entry of type 0xEE */
	sec[446 + 4] = 0xEE;
	assert_int_equal(mbr_label(sec), MBR_GPT);
	assert_string_equal(mbr_label_name(MBR_GPT), "gpt");
	/* hybrid MBR: 0xEE in any entry */
	make_dos(sec);
	sec[494 + 4] = 0xEE;
	assert_int_equal(mbr_label(sec), MBR_GPT);
	/* no 0x55AA: no table, whatever the rest says */
	sec[511] = 0x00;
	assert_int_equal(mbr_label(sec), MBR_NONE);
	assert_false(mbr_has_signature(sec));
	memset(sec, 0, MBR_SIZE);
	assert_int_equal(mbr_label(sec), MBR_NONE);
	/* a FAT boot sector: 0x55AA, but code where the table would be */
	memset(sec, 0x90, MBR_SIZE);
	sec[510] = 0x55;
	sec[511] = 0xAA;
	assert_int_equal(mbr_label(sec), MBR_UNKNOWN);
	assert_string_equal(mbr_label_name(MBR_UNKNOWN), "unknown");
	assert_string_equal(mbr_label_name(MBR_NONE), "none");
}

static void
test_code_from(void **state)
{
	unsigned char buf[MBR_SIZE + 1], code[MBR_CODE_SIZE];
	size_t i;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)i;
	assert_int_equal(mbr_code_from(buf, 440, code), 0);
	assert_memory_equal(code, buf, 440);
	memset(code, 0, sizeof(code));
	assert_int_equal(mbr_code_from(buf, 512, code), 0);
	assert_memory_equal(code, buf, 440);
	assert_int_equal(mbr_code_from(buf, 439, code), -1);   /* altmbr.bin */
	assert_int_equal(mbr_code_from(buf, 441, code), -1);
	assert_int_equal(mbr_code_from(buf, 513, code), -1);
	assert_int_equal(mbr_code_from(buf, 0, code), -1);
}

static void
test_activate(void **state)
{
	unsigned char sec[MBR_SIZE], before[MBR_SIZE];

	make_dos(sec);
	sec[446] = 0x80;
	assert_int_equal(mbr_active(sec), 1);
	memcpy(before, sec, MBR_SIZE);
	assert_int_equal(mbr_set_active(sec, 2), 0);
	assert_int_equal(mbr_active(sec), 2);
	assert_int_equal(sec[446], 0x00);
	assert_int_equal(sec[462], 0x80);
	/* only the status bytes changed */
	before[446] = 0x00;
	before[462] = 0x80;
	assert_memory_equal(sec, before, MBR_SIZE);
	/* empty entries and numbers out of range are refused, nothing changed */
	assert_int_equal(mbr_set_active(sec, 3), -1);
	assert_int_equal(mbr_set_active(sec, 0), -1);
	assert_int_equal(mbr_set_active(sec, 5), -1);
	assert_memory_equal(sec, before, MBR_SIZE);
	memset(sec + MBR_TABLE, 0, 64);
	assert_int_equal(mbr_active(sec), 0);
}

static void
test_read_sector(void **state)
{
	unsigned char sec[MBR_SIZE], got[MBR_SIZE];
	int fd = memfd_create("mbr", 0);

	assert_true(fd >= 0);
	make_dos(sec);
	assert_int_equal(write(fd, sec, 100), 100);
	errno = 0;
	assert_int_equal(mbr_read_sector(fd, got), -1);   /* shorter than a sector */
	assert_int_equal(errno, EIO);
	assert_int_equal(pwrite(fd, sec, MBR_SIZE, 0), MBR_SIZE);
	assert_int_equal(pwrite(fd, "more", 4, MBR_SIZE), 4);
	assert_int_equal(mbr_read_sector(fd, got), 0);
	assert_memory_equal(got, sec, MBR_SIZE);
	close(fd);
	assert_int_equal(mbr_read_sector(fd, got), -1);
	assert_int_equal(errno, EBADF);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_label),
		cmocka_unit_test(test_code_from),
		cmocka_unit_test(test_activate),
		cmocka_unit_test(test_read_sector),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
