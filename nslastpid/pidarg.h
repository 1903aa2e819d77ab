/* The pure parts of nslastpid: its arguments, pid_max, wait statuses. */
#ifndef NSLASTPID_PIDARG_H
#define NSLASTPID_PIDARG_H

/* PID_MAX_LIMIT of 64-bit kernels: pid_max can never be set higher. */
#define PID_MAX_CEILING 4194304L

enum pid_arg_error {
	PIDARG_OK,
	PIDARG_NOT_NUMBER,
	PIDARG_NEGATIVE,
	PIDARG_TOO_SMALL,     /* below the minimum the caller asked for */
	PIDARG_TOO_LARGE,     /* not below pid_max */
};

/* The text of /proc/sys/kernel/pid_max ("32768", newline removed).
 * 0, or -1 with errno EINVAL (not a number) / ERANGE (0 or above the
 * kernel's ceiling).  */
int parse_pid_max(const char *text, long *out);

/* A PID given by the user: a decimal number with min <= N < pid_max. */
enum pid_arg_error parse_pid_arg(const char *s, long min, long pid_max, long *out);
/* "not a number", "negative", ... for messages. */
const char *pid_arg_strerror(enum pid_arg_error e);

/* --retries K: 0 to 1000.  0, or -1.  */
#define RETRIES_MAX 1000u
int parse_retries(const char *s, unsigned *out);

enum spawn_method { METHOD_AUTO, METHOD_CLONE3, METHOD_FALLBACK };
/* "auto", "clone3", "fallback"; NULL or "" is auto.  The method, or -1. */
int parse_method(const char *s);

/* A waitpid() status as a shell reports it: the exit code, or 128 plus
 * the number of the signal that killed the process.  */
int exit_code_from_status(int status);

#endif
