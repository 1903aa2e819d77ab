# ksm: ksmctl and ksmtop, sharing the KSM parsing (ksmstat) and I/O (ksmsys).
PROGS += ksm/ksmctl ksm/ksmtop
MAN8  += ksm/ksmctl.8 ksm/ksmtop.8
KSM_OBJS = ksm/ksmstat.o ksm/ksmsys.o

ksm/ksmctl: ksm/ksmctl.o ksm/explain.o $(KSM_OBJS) $(LIBUTIL)
	$(CC) $(CFLAGS) -o $@ $^ $(HK_LDFLAGS) $(LDFLAGS) -lm

EXTRA_CFLAGS_ksm/ = $(NCURSES_CFLAGS)
ksm/ksmtop: ksm/ksmtop.o $(KSM_OBJS) $(LIBUTIL)
	$(CC) $(CFLAGS) -o $@ $^ $(NCURSES_LIBS) $(HK_LDFLAGS) $(LDFLAGS) -lm

UNIT_TESTS += tests/ksm/test-ksmstat
tests/ksm/test-ksmstat: tests/ksm/test-ksmstat.c ksm/ksmstat.o ksm/explain.o $(LIBUTIL)
	$(CC) $(HK_CFLAGS) $(CMOCKA_CFLAGS) $(CFLAGS) -Iksm -o $@ $^ $(CMOCKA_LIBS) $(LDFLAGS) -lm

# The test load: identical pages, mergeable by madvise or by ksmctl run.
CHECK_BINS += tests/ksm/ksm-load
tests/ksm/ksm-load: tests/ksm/ksm-load.c
	$(CC) $(HK_CFLAGS) $(CFLAGS) -o $@ $< $(LDFLAGS)

# Makes PR_SET_MEMORY_MERGE fail, as an old kernel does.
CHECK_BINS += tests/ksm/prctl-einval.so
tests/ksm/prctl-einval.so: tests/ksm/prctl-einval.c
	$(CC) $(HK_CFLAGS) $(CFLAGS) -shared -fPIC -o $@ $< -ldl

# Applies the saved settings at boot.
INSTALL_EXTRA += install-ksm
install-ksm:
	install -d $(DESTDIR)$(PREFIX)/lib/systemd/system
	sed 's|@SBINDIR@|$(SBINDIR)|g' ksm/ksm-settings.service \
	  > $(DESTDIR)$(PREFIX)/lib/systemd/system/ksm-settings.service
	chmod 0644 $(DESTDIR)$(PREFIX)/lib/systemd/system/ksm-settings.service
.PHONY: install-ksm
