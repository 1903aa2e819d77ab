# bootloader: extlinux-conf and mbr-write
PROGS += bootloader/extlinux-conf bootloader/mbr-write
MAN8  += bootloader/extlinux-conf.8 bootloader/mbr-write.8
EXTRA_CFLAGS_bootloader/ = $(BLKID_CFLAGS)

BOOTLOADER_CONF_OBJS = bootloader/debver.o bootloader/extconf.o bootloader/confblock.o \
                       bootloader/mountinfo.o

bootloader/extlinux-conf: bootloader/extlinux-conf.o $(BOOTLOADER_CONF_OBJS) $(LIBUTIL)
	$(CC) $(CFLAGS) -o $@ $^ $(BLKID_LIBS) $(HK_LDFLAGS) $(LDFLAGS)
bootloader/mbr-write: bootloader/mbr-write.o bootloader/mbr.o bootloader/gpt.o $(LIBUTIL)
	$(CC) $(CFLAGS) -o $@ $^ $(HK_LDFLAGS) $(LDFLAGS)

UNIT_TESTS += tests/bootloader/test-debver tests/bootloader/test-extconf \
              tests/bootloader/test-mbr tests/bootloader/test-gpt
tests/bootloader/test-debver: tests/bootloader/test-debver.c bootloader/debver.o
	$(CC) $(HK_CFLAGS) $(CMOCKA_CFLAGS) $(CFLAGS) -Ibootloader -o $@ $^ $(CMOCKA_LIBS) $(LDFLAGS)
tests/bootloader/test-extconf: tests/bootloader/test-extconf.c $(BOOTLOADER_CONF_OBJS)
	$(CC) $(HK_CFLAGS) $(CMOCKA_CFLAGS) $(CFLAGS) -Ibootloader -o $@ $^ $(CMOCKA_LIBS) $(LDFLAGS)
tests/bootloader/test-mbr: tests/bootloader/test-mbr.c bootloader/mbr.o
	$(CC) $(HK_CFLAGS) $(CMOCKA_CFLAGS) $(CFLAGS) -Ibootloader -o $@ $^ $(CMOCKA_LIBS) $(LDFLAGS)

tests/bootloader/test-gpt: tests/bootloader/test-gpt.c bootloader/gpt.o
	$(CC) $(HK_CFLAGS) $(CMOCKA_CFLAGS) $(CFLAGS) -Ibootloader -o $@ $^ $(CMOCKA_LIBS) $(LDFLAGS)

# The kernel hook: the configuration follows kernel installs and removals.
KERNEL_HOOKDIR ?= /etc/kernel
INSTALL_EXTRA += install-bootloader-hook
install-bootloader-hook:
	install -d $(DESTDIR)$(KERNEL_HOOKDIR)/postinst.d $(DESTDIR)$(KERNEL_HOOKDIR)/postrm.d
	install -m 0755 bootloader/zz-extlinux-conf $(DESTDIR)$(KERNEL_HOOKDIR)/postinst.d/
	install -m 0755 bootloader/zz-extlinux-conf $(DESTDIR)$(KERNEL_HOOKDIR)/postrm.d/
.PHONY: install-bootloader-hook
