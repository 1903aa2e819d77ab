/* read_small_file and read_u64_file, the way every sysfs, procfs and /etc
 * value is read: the input becomes the content of a memory file, and the
 * first byte picks the buffer size, so short, exact and oversized contents
 * are all tried.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	size_t len;
	char *buf;
	ssize_t n;
	uint64_t v;

	if (size < 1)
		return 0;
	len = 1 + data[0];
	data++, size--;
	if (fd < 0) {
		fd = memfd_create("fuzz-smallfile", 0);
		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();

	buf = malloc(len);
	n = read_small_file(path, buf, len);
	if (size <= len - 1) {
		/* It fits: the content, minus trailing newlines, NUL ended. */
		size_t want = size;
		while (want > 0 && data[want - 1] == '\n')
			want--;
		FUZZ_ASSERT(n == (ssize_t)want);
		FUZZ_ASSERT(buf[n] == '\0' && memcmp(buf, data, want) == 0);
	} else {
		FUZZ_ASSERT(n == -1 && errno == EFBIG);
	}
	free(buf);

	/* read_u64_file: succeeds exactly when the content (64-byte buffer,
	 * newlines trimmed) is one number parse_u64 takes. */
	if (read_u64_file(path, &v) == 0) {
		char tmp[64];
		FUZZ_ASSERT(size > 0 && size < sizeof(tmp));
		memcpy(tmp, data, size);
		while (size > 0 && tmp[size - 1] == '\n')
			size--;
		tmp[size] = '\0';
		uint64_t w;
		FUZZ_ASSERT(parse_u64(tmp, &w) == 0 && w == v);
	}
	return 0;
}
