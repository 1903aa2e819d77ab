/* LD_PRELOAD shim for the tests: prctl(PR_SET_MEMORY_MERGE) fails with
 * EINVAL, as on a kernel before 6.4 or without KSM. */
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>

int
prctl(int option, ...)
{
	int (*real)(int, unsigned long, unsigned long, unsigned long, unsigned long);
	unsigned long a[4];
	va_list ap;

	if (option == 67) {
		errno = EINVAL;
		return -1;
	}
	va_start(ap, option);
	for (int i = 0; i < 4; i++)
		a[i] = va_arg(ap, unsigned long);
	va_end(ap);
	*(void **)&real = dlsym(RTLD_NEXT, "prctl");
	return real(option, a[0], a[1], a[2], a[3]);
}
