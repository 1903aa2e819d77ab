/* Recognising and changing the master boot record, in memory. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "mbr.h"

static const unsigned char *
entry(const unsigned char *sec, int i)
{
	return sec + MBR_TABLE + i * MBR_ENTRY_SIZE;
}

int
mbr_has_signature(const unsigned char *sec)
{
	return sec[510] == 0x55 && sec[511] == 0xAA;
}

enum mbr_label
mbr_label(const unsigned char *sec)
{
	int i, gpt = 0;

	if (!mbr_has_signature(sec))
		return MBR_NONE;
	/* A filesystem boot sector (FAT, NTFS) also ends in 0x55AA; its
	 * bytes 446-509 are code or data, where a status byte other than
	 * 0x00 and 0x80 shows soon enough. */
	for (i = 0; i < MBR_ENTRIES; i++) {
		const unsigned char *e = entry(sec, i);
		if (e[0] != 0x00 && e[0] != 0x80)
			return MBR_UNKNOWN;
		if (e[4] == 0xEE)
			gpt = 1;
	}
	return gpt ? MBR_GPT : MBR_DOS;
}

const char *
mbr_label_name(enum mbr_label l)
{
	switch (l) {
	case MBR_DOS: return "dos";
	case MBR_GPT: return "gpt";
	case MBR_UNKNOWN: return "unknown";
	default: return "none";
	}
}

int
mbr_read_sector(int fd, unsigned char *sec)
{
	size_t got = 0;

	while (got < MBR_SIZE) {
		ssize_t n = pread(fd, sec + got, MBR_SIZE - got, (off_t)got);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0) {
			errno = EIO;
			return -1;
		}
		got += (size_t)n;
	}
	return 0;
}

int
mbr_code_from(const unsigned char *buf, size_t len, unsigned char *code)
{
	if (len != MBR_CODE_SIZE && len != MBR_SIZE)
		return -1;
	memcpy(code, buf, MBR_CODE_SIZE);
	return 0;
}

int
mbr_set_active(unsigned char *sec, int n)
{
	int i;

	if (n < 1 || n > MBR_ENTRIES || entry(sec, n - 1)[4] == 0)
		return -1;
	for (i = 0; i < MBR_ENTRIES; i++)
		sec[MBR_TABLE + i * MBR_ENTRY_SIZE] = i == n - 1 ? 0x80 : 0x00;
	return 0;
}

int
mbr_active(const unsigned char *sec)
{
	int i;

	for (i = 0; i < MBR_ENTRIES; i++)
		if (entry(sec, i)[0] == 0x80)
			return i + 1;
	return 0;
}
