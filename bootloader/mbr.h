/* The master boot record: boot code 0-439, disk signature 440-443,
 * 2 bytes (usually zero), partition table 446-509 (4 entries of 16 bytes:
 * status 0x80/0x00, CHS, type, CHS, LBA start, sectors), 0x55 0xAA. */
#ifndef BOOTLOADER_MBR_H
#define BOOTLOADER_MBR_H

#include <stddef.h>

#define MBR_SIZE       512
#define MBR_CODE_SIZE  440
#define MBR_TABLE      446
#define MBR_ENTRY_SIZE 16
#define MBR_ENTRIES    4

enum mbr_label {
	MBR_NONE,      /* no 0x55AA: no partition table */
	MBR_UNKNOWN,   /* 0x55AA, but the table is not one (a filesystem boot sector?) */
	MBR_DOS,       /* an msdos table (possibly empty) */
	MBR_GPT,       /* a protective (or hybrid) MBR: an entry of type 0xEE */
};

int mbr_has_signature(const unsigned char *sec);
enum mbr_label mbr_label(const unsigned char *sec);
const char *mbr_label_name(enum mbr_label l);   /* "none", "unknown", "dos", "gpt" */
/* Reads sector 0 (exactly 512 bytes).  0, or -1 with errno (EIO for a
 * target shorter than one sector). */
int mbr_read_sector(int fd, unsigned char *sec);
/* Boot code from a file's contents: exactly 440 bytes, or a 512-byte
 * sector of which the first 440 are used.  0, or -1 for any other size. */
int mbr_code_from(const unsigned char *buf, size_t len, unsigned char *code);
/* Sets the boot flag (0x80) on partition n (1-4) and clears it on the
 * others.  0, or -1 when n is out of range or its entry is empty. */
int mbr_set_active(unsigned char *sec, int n);
/* The partition whose boot flag is set (1-4), 0 for none. */
int mbr_active(const unsigned char *sec);

#endif
