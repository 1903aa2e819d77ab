# bcache-stats and the bcache sysfs model (bsysfs), included by bcache/module.mk.
# bsysfs.o is also linked into munin-plugins/bcache.
PROGS += bcache/bcache-stats
MAN8  += bcache/bcache-stats.8
bcache/bcache-stats: bcache/bcache-stats.o bcache/bsysfs.o $(LIBUTIL)
	$(CC) $(CFLAGS) -o $@ $^ $(NCURSES_LIBS) $(HK_LDFLAGS) $(LDFLAGS)
bcache/bcache-stats.o: EXTRA_CFLAGS_bcache/ += $(NCURSES_CFLAGS)

UNIT_TESTS += tests/bcache/test-bsysfs
tests/bcache/test-bsysfs: tests/bcache/test-bsysfs.c bcache/bsysfs.o $(LIBUTIL)
	$(CC) $(HK_CFLAGS) $(CMOCKA_CFLAGS) $(CFLAGS) -Ibcache -o $@ $^ $(CMOCKA_LIBS) $(LDFLAGS)
