/* bcache-probe — read and validate bcache superblocks.  The default output
 * is bcache-super-show's, key for key, so scripts written for it work. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <blkid.h>

#include "util.h"
#include "sb.h"
#include "sbdev.h"

enum { OUT_TEXT, OUT_JSON, OUT_UDEV };

static void
usage(void)
{
	printf("Usage: %s [options] DEV|IMAGE...\n"
	       "\n"
	       "Read and validate bcache superblocks, as the kernel would on registration.\n"
	       "\n"
	       "  -f, --force     print the fields of a superblock the kernel would refuse\n"
	       "  -j, --json      JSON output\n"
	       "  -u, --udev      KEY=VALUE lines for a udev IMPORT (one device)\n"
	       "  -h, --help      this help\n"
	       "  -V, --version   version\n",
	       argv0);
}

/* bcache-super-show's label encoding: %xx for anything but [0-9A-Za-z._-]. */
static void
print_label_encoded(const char *s)
{
	const unsigned char *p;

	if (!*s) {
		fputs("(empty)", stdout);
		return;
	}
	for (p = (const unsigned char *)s; *p; p++)
		if ((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= 'a' && *p <= 'z') || strchr(".-_", *p))
			putchar(*p);
		else
			printf("%%%x", *p);
}

static void
print_decorated(const char *key, uint64_t v, const char *name)
{
	printf("%s%" PRIu64, key, v);
	if (name)
		printf(" [%s]", name);
	putchar('\n');
}

static void
print_text(const struct sbdev *d)
{
	const struct bcache_sb *sb = &d->sb;
	char uuid[37];

	printf("sb.magic\t\t%s\n", memcmp(sb->magic, bcache_magic, 16) ? "bad magic" : "ok");
	printf("sb.first_sector\t\t%" PRIu64, sb->offset);
	if (sb->offset == BCACHE_SB_SECTOR)
		printf(" [match]\n");
	else
		printf(" [expected %ds]\n", BCACHE_SB_SECTOR);
	printf("sb.csum\t\t\t%" PRIX64, sb->csum);
	if (!sb->csum_computable)
		printf(" [expected: none, %u journal buckets reach past the superblock]\n", sb->keys);
	else if (sb->csum == sb->csum_expected)
		printf(" [match]\n");
	else
		printf(" [expected %" PRIX64 "]\n", sb->csum_expected);
	print_decorated("sb.version\t\t", sb->version,
			sb->kind == BCACHE_CACHE ? "cache device" :
			sb->kind == BCACHE_BACKING ? "backing device" : "unknown");
	putchar('\n');

	printf("dev.label\t\t");
	print_label_encoded(sb->label_str);
	putchar('\n');
	printf("dev.uuid\t\t%s\n", bcache_uuid_str(sb->uuid, uuid));
	printf("dev.sectors_per_block\t%u\n", sb->block_size);
	if (sb->kind == BCACHE_CACHE) {
		printf("dev.sectors_per_bucket\t%" PRIu64 "\n", sb->bucket_size);
		printf("dev.cache.first_sector\t%" PRIu64 "\n", sb->bucket_size * sb->first_bucket);
		printf("dev.cache.cache_sectors\t%" PRIu64 "\n",
		       sb->bucket_size * (sb->nbuckets - sb->first_bucket));
		printf("dev.cache.total_sectors\t%" PRIu64 "\n", sb->bucket_size * sb->nbuckets);
		printf("dev.cache.ordered\t%s\n", bcache_sb_cache_sync(sb) ? "yes" : "no");
		printf("dev.cache.discard\t%s\n", bcache_sb_cache_discard(sb) ? "yes" : "no");
		printf("dev.cache.pos\t\t%u\n", sb->nr_this_dev);
		print_decorated("dev.cache.replacement\t", bcache_sb_cache_replacement(sb),
				bcache_replacement_name(bcache_sb_cache_replacement(sb)));
	} else {
		printf("dev.sectors_per_bucket\t%u\n", sb->bucket_size_raw);
	}
	if (sb->kind == BCACHE_BACKING) {
		unsigned mode = bcache_sb_cache_mode(sb);

		printf("dev.data.first_sector\t%" PRIu64 "\n", sb->data_offset);
		/* bcache-super-show says "no caching" where the kernel says "none" */
		print_decorated("dev.data.cache_mode\t", mode,
				mode == 3 ? "no caching" : bcache_cache_mode_name(mode));
		print_decorated("dev.data.cache_state\t", bcache_sb_bdev_state(sb),
				bcache_state_name(bcache_sb_bdev_state(sb)));
	}
	putchar('\n');
	printf("cset.uuid\t\t%s\n", bcache_uuid_str(sb->set_uuid, uuid));
}

static void
json_hex(struct json *j, const char *key, uint64_t v)
{
	char buf[17];

	snprintf(buf, sizeof(buf), "%016" PRIx64, v);
	json_string(j, key, buf);
}

static void
print_json_fields(struct json *j, const struct sbdev *d)
{
	const struct bcache_sb *sb = &d->sb;
	char uuid[37];

	json_string(j, "type", sb->kind == BCACHE_CACHE ? "cache" :
		    sb->kind == BCACHE_BACKING ? "backing" : NULL);
	json_u64(j, "version", sb->version);
	json_bool(j, "magic_ok", !memcmp(sb->magic, bcache_magic, 16));
	json_u64(j, "offset_sectors", sb->offset);
	json_hex(j, "csum", sb->csum);
	if (sb->csum_computable)
		json_hex(j, "csum_expected", sb->csum_expected);
	else
		json_null(j, "csum_expected");
	json_string(j, "label", sb->label_str);
	json_string(j, "uuid", bcache_uuid_str(sb->uuid, uuid));
	json_string(j, "set_uuid", bcache_uuid_str(sb->set_uuid, uuid));
	json_u64(j, "flags", sb->flags);
	json_u64(j, "seq", sb->seq);
	json_u64(j, "last_mount", sb->last_mount);
	json_u64(j, "block_sectors", sb->block_size);
	json_u64(j, "feature_compat", sb->feature_compat);
	json_u64(j, "feature_incompat", sb->feature_incompat);
	json_u64(j, "feature_ro_compat", sb->feature_ro_compat);
	if (sb->kind == BCACHE_CACHE) {
		json_u64(j, "bucket_sectors", sb->bucket_size);
		json_u64(j, "nbuckets", sb->nbuckets);
		json_u64(j, "first_bucket", sb->first_bucket);
		json_u64(j, "journal_buckets", sb->keys);
		json_u64(j, "nr_in_set", sb->nr_in_set);
		json_u64(j, "nr_this_dev", sb->nr_this_dev);
		json_bool(j, "ordered", bcache_sb_cache_sync(sb));
		json_bool(j, "discard", bcache_sb_cache_discard(sb));
		json_string(j, "replacement", bcache_replacement_name(bcache_sb_cache_replacement(sb)));
	} else if (sb->kind == BCACHE_BACKING) {
		json_u64(j, "bucket_sectors", sb->bucket_size_raw);
		json_u64(j, "data_offset_sectors", sb->data_offset);
		json_string(j, "cache_mode", bcache_cache_mode_name(bcache_sb_cache_mode(sb)));
		json_string(j, "state", bcache_state_name(bcache_sb_bdev_state(sb)));
	}
}

static void
print_udev(const struct sbdev *d)
{
	const struct bcache_sb *sb = &d->sb;
	char uuid[37], label[33], safe[33], enc[4 * 32 + 1];
	size_t n;

	bcache_uuid_str(sb->uuid, uuid);
	printf("ID_FS_TYPE=bcache\n");
	printf("ID_FS_UUID=%s\nID_FS_UUID_ENC=%s\n", uuid, uuid);
	/* as libblkid sets a label (trailing whitespace dropped) and udev's
	 * blkid builtin prints it: libblkid's own encoders, so that the
	 * values match what udev would import for another filesystem */
	snprintf(label, sizeof(label), "%s", sb->label_str);
	n = strlen(label);
	while (n && isspace((unsigned char)label[n - 1]))
		label[--n] = '\0';
	if (n && blkid_safe_string(label, safe, sizeof(safe)) == 0 &&
	    blkid_encode_string(label, enc, sizeof(enc)) == 0)
		printf("ID_FS_LABEL=%s\nID_FS_LABEL_ENC=%s\n", safe, enc);
	printf("BCACHE_SET_UUID=%s\n", bcache_uuid_str(sb->set_uuid, uuid));
	printf("BCACHE_TYPE=%s\n", sb->kind == BCACHE_CACHE ? "cache" : "backing");
	if (sb->kind == BCACHE_BACKING) {
		printf("BCACHE_CACHE_MODE=%s\n", bcache_cache_mode_name(bcache_sb_cache_mode(sb)));
		printf("BCACHE_STATE=%s\n", bcache_state_name(bcache_sb_bdev_state(sb)));
	}
	printf("BCACHE_SB_VERSION=%" PRIu64 "\n", sb->version);
}

/* Probes one device; returns 0 when its superblock is valid. */
static int
probe(const char *path, int out, int force, struct json *j, int header)
{
	static struct sbdev d;
	const char *why;
	int show;

	if (header)
		printf("%s==> %s <==\n", header > 1 ? "\n" : "", path);
	if (sbdev_read(path, &d, &why) < 0) {
		why = why ? why : strerror(errno);
		weprintf("%s: %s", path, why);
		if (out == OUT_JSON) {
			json_object_begin(j, NULL);
			json_string(j, "device", path);
			json_bool(j, "valid", 0);
			json_string(j, "error", why);
			json_null(j, "warning");
			json_bool(j, "bcachefs", 0);
			json_object_end(j);
		}
		return -1;
	}
	if (d.error)
		weprintf("%s: %s", path, d.error);
	if (d.run_error)
		weprintf("%s: warning: the kernel reads this superblock but will not run it: %s",
			 path, d.run_error);
	show = !d.error || force;
	switch (out) {
	case OUT_TEXT:
		if (show)
			print_text(&d);
		break;
	case OUT_UDEV:
		if (!d.error)
			print_udev(&d);
		break;
	case OUT_JSON:
		json_object_begin(j, NULL);
		json_string(j, "device", path);
		json_bool(j, "valid", !d.error);
		json_string(j, "error", d.error);
		json_string(j, "warning", d.run_error);
		json_bool(j, "bcachefs", d.bcachefs);
		if (show)
			print_json_fields(j, &d);
		json_object_end(j);
		break;
	}
	return d.error ? -1 : 0;
}

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "force",   no_argument, NULL, 'f' },
		{ "json",    no_argument, NULL, 'j' },
		{ "udev",    no_argument, NULL, 'u' },
		{ "help",    no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct json j;
	int c, i, out = OUT_TEXT, force = 0, rc = EXIT_OK;

	setprogname(argv[0]);
	while ((c = getopt_long(argc, argv, "fjuhV", opts, NULL)) != -1) {
		switch (c) {
		case 'f': force = 1; break;
		case 'j': out = OUT_JSON; break;
		case 'u': out = OUT_UDEV; break;
		case 'h': usage(); return EXIT_OK;
		case 'V': print_version(); return EXIT_OK;
		default: usage_error("unknown option");
		}
	}
	if (optind >= argc)
		usage_error("no device given");
	if (out == OUT_UDEV && argc - optind != 1)
		usage_error("--udev takes exactly one device");

	if (out == OUT_JSON) {
		json_init(&j, stdout);
		json_object_begin(&j, NULL);
		json_array_begin(&j, "devices");
	}
	for (i = optind; i < argc; i++) {
		int header = out == OUT_TEXT && argc - optind > 1 ? 1 + (i > optind) : 0;

		if (probe(argv[i], out, force, &j, header) < 0)
			rc = EXIT_FAIL;
	}
	if (out == OUT_JSON) {
		json_array_end(&j);
		json_object_end(&j);
		json_finish(&j);
	}
	return rc;
}
