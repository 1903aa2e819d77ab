PROGS += nslastpid/nslastpid
MAN8  += nslastpid/nslastpid.8
nslastpid/nslastpid: nslastpid/nslastpid.o nslastpid/pidarg.o $(LIBUTIL)
	$(CC) $(CFLAGS) -o $@ $^ $(HK_LDFLAGS) $(LDFLAGS)

UNIT_TESTS += tests/nslastpid/test-pidarg
tests/nslastpid/test-pidarg: tests/nslastpid/test-pidarg.c nslastpid/pidarg.o $(LIBUTIL)
	$(CC) $(HK_CFLAGS) $(CMOCKA_CFLAGS) $(CFLAGS) -Inslastpid -o $@ $^ $(CMOCKA_LIBS) $(LDFLAGS)

# Makes clone3() fail as on old kernels, to test the fallback.
CHECK_BINS += tests/nslastpid/seccomp-noclone3
tests/nslastpid/seccomp-noclone3: tests/nslastpid/seccomp-noclone3.c
	$(CC) $(HK_CFLAGS) $(CFLAGS) -o $@ $< $(LDFLAGS)
