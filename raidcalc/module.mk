PROGS += raidcalc/raidcalc
MAN8  += raidcalc/raidcalc.8
EXTRA_CFLAGS_raidcalc/ = $(BLKID_CFLAGS)

raidcalc/raidcalc: raidcalc/raidcalc.o raidcalc/geometry.o $(LIBUTIL)
	$(CC) $(CFLAGS) -o $@ $^ $(BLKID_LIBS) $(HK_LDFLAGS) $(LDFLAGS)

UNIT_TESTS += tests/raidcalc/test-geometry
tests/raidcalc/test-geometry: tests/raidcalc/test-geometry.c raidcalc/geometry.o $(LIBUTIL)
	$(CC) $(HK_CFLAGS) $(CMOCKA_CFLAGS) $(CFLAGS) -Iraidcalc -o $@ $^ $(CMOCKA_LIBS) $(LDFLAGS)
