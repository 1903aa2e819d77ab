# bcache/: bcache-probe and bcache-register (bcache-stats and the munin
# plugin add themselves through bcache/stats.mk).

PROGS += bcache/bcache-probe
MAN8  += bcache/bcache-probe.8

BCACHE_SB_OBJS = bcache/sb.o bcache/sbdev.o

bcache/bcache-probe: bcache/bcache-probe.o $(BCACHE_SB_OBJS) $(LIBUTIL)
	$(CC) $(CFLAGS) -o $@ $^ $(HK_LDFLAGS) $(LDFLAGS)

UNIT_TESTS += tests/bcache/test-sb
tests/bcache/test-sb: tests/bcache/test-sb.c bcache/sb.o $(LIBUTIL)
	$(CC) $(HK_CFLAGS) $(CMOCKA_CFLAGS) $(CFLAGS) -Ibcache -o $@ $^ $(CMOCKA_LIBS) $(LDFLAGS)

-include bcache/stats.mk
