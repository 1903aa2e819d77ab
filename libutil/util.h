/* libutil — the few helpers that more than one hostkit program needs. */
#ifndef HOSTKIT_UTIL_H
#define HOSTKIT_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#ifndef HOSTKIT_VERSION
#define HOSTKIT_VERSION "0.0.0"
#endif

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Exit codes every program uses. */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

/* --- messages ----------------------------------------------------------
 * "prog: message".  When fmt ends in ':' the current errno text is
 * appended, as in sbase ("prog: open /x: No such file or directory").  */
extern const char *argv0;
void setprogname(const char *name);            /* basename of argv[0] */
void weprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void eprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Usage error: message, "Try 'prog --help'." and exit 2. */
_Noreturn void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "prog (hostkit) VERSION" on stdout. */
void print_version(void);

/* --- kernel interface paths ---------------------------------------------
 * Every sysfs and procfs path goes through these, so that HOSTKIT_SYSFS and
 * HOSTKIT_PROCFS can point any program at a test tree.  The path argument
 * is the kernel path without the mount point ("/kernel/mm/ksm/run").
 * Returns 0, or -1 with errno = ENAMETOOLONG.  */
const char *sysfs_root(void);   /* $HOSTKIT_SYSFS or "/sys" */
const char *procfs_root(void);  /* $HOSTKIT_PROCFS or "/proc" */
int sysfs_path(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int procfs_path(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* --- small files -----------------------------------------------------------
 * read_small_file: one open and one read of at most len-1 bytes, NUL
 * terminated, trailing newlines removed.  Sysfs values are produced in one
 * show() call, so one read sees a consistent value.  Returns the length, or
 * -1 with errno (EFBIG when the file does not fit).  */
ssize_t read_small_file(const char *path, char *buf, size_t len);
/* Reads a file holding one unsigned decimal integer.  0, or -1 with errno. */
int read_u64_file(const char *path, uint64_t *out);
/* write_knob: one write of s (exactly as given) to an existing file, no
 * O_CREAT: what sysfs and procfs knobs expect.  (O_TRUNC, which the kernel
 * ignores, makes a test tree's plain file hold just the new value.)
 * 0, or -1 with errno (the kernel's refusal).  */
int write_knob(const char *path, const char *s);
/* write_file_atomic: write data to path through a temporary file in the
 * same directory, fsync, rename; with backup, the old file is first kept
 * as path.bak (hard link, so it is never half-written).  The mode of an
 * existing file is kept.  0, or -1 with errno and nothing changed.  */
int write_file_atomic(const char *path, const void *data, size_t len, int backup);

/* --- numbers --------------------------------------------------------------
 * Strict parsers: the whole string must be consumed, no sign for unsigned,
 * overflow is an error.  0, or -1 with errno EINVAL / ERANGE.  */
int parse_u64(const char *s, uint64_t *out);
int parse_i64(const char *s, int64_t *out);
/* Sizes: "512", "64K", "64k", "1M", "1.5G", "2T" (K/M/G/T/P/E are powers
 * of 1024; an optional trailing "B" or "iB" is accepted).  A fraction must
 * come out to a whole number of bytes.  */
int parse_size(const char *s, uint64_t *out);
/* Formats bytes for people: "64K", "1.5M", "512" (exact when possible, one
 * decimal otherwise).  Returns buf.  */
char *format_size(uint64_t bytes, char *buf, size_t len);

/* --- JSON output -------------------------------------------------------------
 * A streaming writer: keys are given with every value while inside an
 * object and are NULL inside arrays; commas are placed for you.  */
#define JSON_MAX_DEPTH 32
struct json {
	FILE *f;
	int depth;
	unsigned char need_comma[JSON_MAX_DEPTH];
};
void json_init(struct json *j, FILE *f);
void json_object_begin(struct json *j, const char *key);
void json_object_end(struct json *j);
void json_array_begin(struct json *j, const char *key);
void json_array_end(struct json *j);
void json_string(struct json *j, const char *key, const char *val); /* NULL -> null */
void json_u64(struct json *j, const char *key, uint64_t v);
void json_i64(struct json *j, const char *key, int64_t v);
void json_double(struct json *j, const char *key, double v);       /* NaN/inf -> null */
void json_bool(struct json *j, const char *key, int v);
void json_null(struct json *j, const char *key);
void json_finish(struct json *j);                                  /* final newline */
/* Writes s as a JSON string literal, quotes included. */
void json_write_escaped(FILE *f, const char *s);

#endif
