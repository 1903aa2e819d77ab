/* seccomp-noclone3 ERRNO CMD [ARG...]: runs CMD with clone3() failing with
 * ERRNO (ENOSYS as on kernels before 5.3 and under container seccomp
 * profiles, E2BIG as on 5.3 and 5.4, EPERM as under older container
 * runtimes), to test nslastpid's fallback. */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef __NR_clone3
#define __NR_clone3 435
#endif

int
main(int argc, char *argv[])
{
	unsigned err;
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone3, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO),   /* errno set below */
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(f) / sizeof(f[0]), f };

	if (argc < 3)
		goto usage;
	if (!strcmp(argv[1], "ENOSYS"))
		err = ENOSYS;
	else if (!strcmp(argv[1], "E2BIG"))
		err = E2BIG;
	else if (!strcmp(argv[1], "EPERM"))
		err = EPERM;
	else
		goto usage;
	f[2].k |= err & SECCOMP_RET_DATA;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0) {
		perror("seccomp-noclone3: seccomp");
		return 1;
	}
	execvp(argv[2], argv + 2);
	perror("seccomp-noclone3: exec");
	return 127;
usage:
	fprintf(stderr, "usage: seccomp-noclone3 ENOSYS|E2BIG|EPERM CMD [ARG...]\n");
	return 2;
}
