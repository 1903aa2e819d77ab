/* ksm-load: a test load for KSM.  Maps PAGES identical pages, optionally
 * madvise(MADV_MERGEABLE), writes its pid to READY_FILE, then waits until
 * killed or until LIFETIME seconds have passed (so it can never outlive a
 * test for long).
 *   ksm-load [--no-madvise] PAGES READY_FILE [LIFETIME]  */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int
main(int argc, char *argv[])
{
	int madv = 1, i = 1;
	long pages, psz = sysconf(_SC_PAGESIZE), life = 300;
	char *mem, tmp[4096];
	FILE *f;

	if (argc > 1 && strcmp(argv[1], "--no-madvise") == 0) {
		madv = 0;
		i++;
	}
	if (argc - i < 2) {
		fprintf(stderr, "usage: ksm-load [--no-madvise] PAGES READY_FILE [LIFETIME]\n");
		return 2;
	}
	pages = strtol(argv[i], NULL, 10);
	if (argc - i > 2)
		life = strtol(argv[i + 2], NULL, 10);
	mem = mmap(NULL, (size_t)(pages * psz), PROT_READ | PROT_WRITE,
	           MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED || pages <= 0) {
		perror("ksm-load: mmap");
		return 1;
	}
	/* Not zero pages (use_zero_pages would treat those apart). */
	for (long p = 0; p < pages; p++)
		memset(mem + p * psz, 0x5a, (size_t)psz);
	if (madv && madvise(mem, (size_t)(pages * psz), MADV_MERGEABLE) < 0) {
		perror("ksm-load: madvise");
		return 1;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", argv[i + 1]);
	if (!(f = fopen(tmp, "w")) || fprintf(f, "%d\n", (int)getpid()) < 0 ||
	    fclose(f) != 0 || rename(tmp, argv[i + 1]) < 0) {
		perror("ksm-load: ready file");
		return 1;
	}
	while (life-- > 0)
		sleep(1);
	return 0;
}
