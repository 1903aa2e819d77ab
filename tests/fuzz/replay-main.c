/* A plain main for the fuzz targets: feeds each file named on the command
 * line (or each file of a named directory) to LLVMFuzzerTestOneInput once.
 * This is how `make check` replays the corpora and the regression inputs
 * without clang or libFuzzer.  Prints "ok FILE" per input; a crash aborts
 * the run, and the caller sees the signal.  */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f) {
		perror(path);
		return -1;
	}
	for (;;) {
		if (len == cap) {
			uint8_t *nb = realloc(buf, cap = cap ? 2 * cap : 4096);
			if (!nb)
				abort();
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		if (n == 0)
			break;
		len += n;
	}
	fclose(f);
	/* An exact-size copy, so an overread is caught as in libFuzzer. */
	{
		uint8_t *exact = malloc(len ? len : 1);
		if (!exact)
			abort();
		memcpy(exact, buf, len);
		free(buf);
		fprintf(stderr, "replay %s (%zu bytes)\n", path, len);
		LLVMFuzzerTestOneInput(exact, len);
		free(exact);
	}
	printf("ok %s\n", path);
	fflush(stdout);
	return 0;
}

int
main(int argc, char **argv)
{
	int i, rc = 0;

	for (i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			struct dirent **ents;
			int n = scandir(argv[i], &ents, NULL, alphasort), j;
			if (n < 0) {
				perror(argv[i]);
				return 1;
			}
			for (j = 0; j < n; j++) {
				char p[4096];
				if (ents[j]->d_name[0] != '.' &&
				    snprintf(p, sizeof(p), "%s/%s", argv[i], ents[j]->d_name) < (int)sizeof(p) &&
				    replay_file(p) < 0)
					rc = 1;
				free(ents[j]);
			}
			free(ents);
		} else if (replay_file(argv[i]) < 0) {
			rc = 1;
		}
	}
	return rc;
}
