PROGS += nslastpid/nslastpid
MAN8  += nslastpid/nslastpid.8
nslastpid/nslastpid: nslastpid/nslastpid.o nslastpid/pidarg.o $(LIBUTIL)
	$(CC) $(CFLAGS) -o $@ $^ $(HK_LDFLAGS) $(LDFLAGS)

UNIT_TESTS += tests/nslastpid/test-pidarg
tests/nslastpid/test-pidarg: tests/nslastpid/test-pidarg.c nslastpid/pidarg.o $(LIBUTIL)
	$(CC) $(HK_CFLAGS) $(CMOCKA_CFLAGS) $(CFLAGS) -Inslastpid -o $@ $^ $(CMOCKA_LIBS) $(LDFLAGS)
