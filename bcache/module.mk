# bcache/: bcache-probe and bcache-register (bcache-stats and the munin
# plugin add themselves through bcache/stats.mk).

PROGS += bcache/bcache-probe
MAN8  += bcache/bcache-probe.8

BCACHE_SB_OBJS = bcache/sb.o bcache/sbdev.o

bcache/bcache-probe.o: EXTRA_CFLAGS_bcache/ += $(BLKID_CFLAGS)
bcache/bcache-probe: bcache/bcache-probe.o $(BCACHE_SB_OBJS) $(LIBUTIL)
	$(CC) $(CFLAGS) -o $@ $^ $(BLKID_LIBS) $(HK_LDFLAGS) $(LDFLAGS)

PROGS += bcache/bcache-register
MAN8  += bcache/bcache-register.8
bcache/bcache-register.o: EXTRA_CFLAGS_bcache/ += $(MNL_CFLAGS) $(UDEV_CFLAGS) $(BLKID_CFLAGS)

bcache/bcache-register: bcache/bcache-register.o bcache/uevent.o $(BCACHE_SB_OBJS) $(LIBUTIL)
	$(CC) $(CFLAGS) -o $@ $^ $(MNL_LIBS) $(UDEV_LIBS) $(BLKID_LIBS) $(HK_LDFLAGS) $(LDFLAGS)

# The udev rule and the systemd unit name the installed programs.  They
# are the package's, not the administrator's: under PREFIX/lib, where udev
# and systemd read packaged files (/usr/local too); /etc is for overrides.
BCACHE_UDEVRULESDIR ?= $(PREFIX)/lib/udev/rules.d
BCACHE_UNITDIR      ?= $(PREFIX)/lib/systemd/system
INSTALL_EXTRA += install-bcache-register
install-bcache-register: bcache/69-hostkit-bcache.rules bcache/bcache-register.service
	install -d $(DESTDIR)$(BCACHE_UDEVRULESDIR) $(DESTDIR)$(BCACHE_UNITDIR)
	sed 's|@SBINDIR@|$(SBINDIR)|g' bcache/69-hostkit-bcache.rules > $(DESTDIR)$(BCACHE_UDEVRULESDIR)/69-hostkit-bcache.rules
	sed 's|@SBINDIR@|$(SBINDIR)|g' bcache/bcache-register.service > $(DESTDIR)$(BCACHE_UNITDIR)/bcache-register.service
	chmod 0644 $(DESTDIR)$(BCACHE_UDEVRULESDIR)/69-hostkit-bcache.rules $(DESTDIR)$(BCACHE_UNITDIR)/bcache-register.service
.PHONY: install-bcache-register

UNIT_TESTS += tests/bcache/test-sb
tests/bcache/test-sb: tests/bcache/test-sb.c bcache/sb.o $(LIBUTIL)
	$(CC) $(HK_CFLAGS) $(CMOCKA_CFLAGS) $(CFLAGS) -Ibcache -o $@ $^ $(CMOCKA_LIBS) $(LDFLAGS)

UNIT_TESTS += tests/bcache/test-uevent
tests/bcache/test-uevent: tests/bcache/test-uevent.c bcache/uevent.o $(LIBUTIL)
	$(CC) $(HK_CFLAGS) $(CMOCKA_CFLAGS) $(CFLAGS) -Ibcache -o $@ $^ $(CMOCKA_LIBS) $(LDFLAGS)

-include bcache/stats.mk
