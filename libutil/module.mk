LIBUTIL_OBJS = libutil/eprintf.o libutil/kpath.o libutil/file.o libutil/parse.o libutil/json.o

$(LIBUTIL): $(LIBUTIL_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

# Unit tests of libutil itself.
UNIT_TESTS += tests/libutil/test-libutil
tests/libutil/test-libutil: tests/libutil/test-libutil.c $(LIBUTIL)
	$(CC) $(HK_CFLAGS) $(CMOCKA_CFLAGS) $(CFLAGS) -o $@ $< $(LIBUTIL) $(CMOCKA_LIBS) $(LDFLAGS)
