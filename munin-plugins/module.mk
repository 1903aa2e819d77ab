# munin plugins: small C programs, installed to $(MUNINDIR).  They link
# libc and libutil only (no ncurses, no libblkid): munin-node starts them
# every five minutes.  The bcache plugin shares bcache/bsysfs.o, the bcache
# sysfs model, with bcache-stats rather than keeping a second copy.
PLUGINS += munin-plugins/ksm munin-plugins/bcache
MAN8    += munin-plugins/munin-hostkit.8
# Linked statically: with the shared glibc, printf alone makes a process
# touch about 1.4 MB of library pages; static, a whole bcache fetch peaks
# near 0.5 MB (tests/munin-plugins/plugins.t checks the 1.5 MB budget).
MUNIN_OBJS = munin-plugins/munin.o $(LIBUTIL)
# (Not under the sanitizers, whose runtimes need the shared loader, nor
# with LINK_SHARED=1, as Debian's packaging wants.)
MUNIN_LDFLAGS = $(if $(findstring -fsanitize,$(CFLAGS) $(LDFLAGS))$(filter 1,$(LINK_SHARED)),,-static)
munin-plugins/ksm: munin-plugins/ksm.o $(MUNIN_OBJS)
	$(CC) $(CFLAGS) $(MUNIN_LDFLAGS) -o $@ $^ $(HK_LDFLAGS) $(LDFLAGS)
munin-plugins/bcache: munin-plugins/bcache.o bcache/bsysfs.o $(MUNIN_OBJS)
	$(CC) $(CFLAGS) $(MUNIN_LDFLAGS) -o $@ $^ $(HK_LDFLAGS) $(LDFLAGS)
EXTRA_CFLAGS_munin-plugins/ = -Ibcache
