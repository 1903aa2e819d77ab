# hostkit — one plain Makefile.  Each tool folder adds itself through its
# own module.mk (programs, man pages, tests), so folders stay independent.

VERSION    = 0.1.0
PREFIX    ?= /usr/local
DESTDIR   ?=
SBINDIR   ?= $(PREFIX)/sbin
MANDIR    ?= $(PREFIX)/share/man
MUNINDIR  ?= $(PREFIX)/share/munin/plugins

CC        ?= cc
PKG_CONFIG ?= pkg-config
CFLAGS    ?= -O2 -g
HK_CFLAGS  = -std=gnu11 -Wall -Wextra -Wformat=2 -Wshadow -Wno-unused-parameter \
             -D_GNU_SOURCE -DHOSTKIT_VERSION='"$(VERSION)"' -Ilibutil
# Link only what is used: these programs start every 5 minutes on many hosts.
HK_LDFLAGS = -Wl,--as-needed -Wl,-O1

# Libraries, looked up only when a program that needs them is built.
# Startup cost matters (bench/RESULTS.md): loading libblkid.so alone adds
# about 18% to a run of a small program, so the libraries Debian ships as
# static archives (libblkid, ncursesw) are linked statically and glibc
# dynamically.  LINK_SHARED=1 links everything dynamically.
ifeq ($(LINK_SHARED),1)
static_lib = $(1)
else
static_lib = -Wl,-Bstatic $(1) -Wl,-Bdynamic
endif
BLKID_CFLAGS   = $(shell $(PKG_CONFIG) --cflags blkid)
BLKID_LIBS     = $(call static_lib,$(shell $(PKG_CONFIG) --libs blkid))
UDEV_CFLAGS    = $(shell $(PKG_CONFIG) --cflags libudev)
UDEV_LIBS      = $(shell $(PKG_CONFIG) --libs libudev)
MNL_CFLAGS     = $(shell $(PKG_CONFIG) --cflags libmnl)
MNL_LIBS       = $(shell $(PKG_CONFIG) --libs libmnl)
NCURSES_CFLAGS = $(shell $(PKG_CONFIG) --cflags ncursesw)
NCURSES_LIBS   = $(call static_lib,-lncursesw -ltinfo) -ldl
CMOCKA_CFLAGS  = $(shell $(PKG_CONFIG) --cflags cmocka)
CMOCKA_LIBS    = $(shell $(PKG_CONFIG) --libs cmocka)

LIBUTIL = libutil/libutil.a

# Filled in by the module.mk files.
PROGS       :=   # installed to $(SBINDIR)
MAN8        :=   # installed to $(MANDIR)/man8
MAN1        :=   # installed to $(MANDIR)/man1
PLUGINS     :=   # munin plugins, installed to $(MUNINDIR)
UNIT_TESTS  :=   # cmocka binaries, run by tests/run
CHECK_BINS  :=   # other helpers the tests need built
INSTALL_EXTRA :=  # extra install targets
CLEANFILES  :=

all:

include libutil/module.mk
include $(sort $(filter-out libutil/module.mk,$(wildcard */module.mk)))
# fuzz, fuzz-list, fuzz-replay, lint
include tests/fuzz/fuzz.mk

all: $(PROGS) $(PLUGINS)

%.o: %.c
	$(CC) $(HK_CFLAGS) $(EXTRA_CFLAGS_$(dir $<)) $(CFLAGS) $(CPPFLAGS) -MMD -MP -c -o $@ $<

-include $(shell find . -name '*.d' -not -path './.git/*' 2>/dev/null)

# Dependencies: the package list lives in one file, debian-packages.
deps:
	@tests/install-deps debian-packages

demo: deps all
	@tests/demo

check: deps all $(UNIT_TESTS) $(CHECK_BINS)
	@tests/run $(T)

# The same suite under AddressSanitizer and UBSan.  Objects are rebuilt with
# the sanitizer flags, then cleaned so that a normal build follows cleanly.
SAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
check-asan: deps
	$(MAKE) clean
	$(MAKE) CFLAGS='$(SAN_FLAGS)' LDFLAGS='-fsanitize=address,undefined' all $(UNIT_TESTS) $(CHECK_BINS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
	  HOSTKIT_SANITIZED=1 tests/run $(T); rc=$$?; $(MAKE) clean >/dev/null; exit $$rc

bench: deps all
	@bench/run

# The Debian package, built in a copy of the tree; the .deb lands in dist/.
deb:
	tests/install/build-deb dist

install: all $(INSTALL_EXTRA)
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man1
	$(if $(PROGS),install -m 0755 $(PROGS) $(DESTDIR)$(SBINDIR)/)
	$(if $(MAN8),install -m 0644 $(MAN8) $(DESTDIR)$(MANDIR)/man8/)
	$(if $(MAN1),install -m 0644 $(MAN1) $(DESTDIR)$(MANDIR)/man1/)
	$(if $(PLUGINS),install -d $(DESTDIR)$(MUNINDIR))
	$(if $(PLUGINS),install -m 0755 $(PLUGINS) $(DESTDIR)$(MUNINDIR)/)

clean:
	rm -f $(PROGS) $(PLUGINS) $(UNIT_TESTS) $(CHECK_BINS) $(LIBUTIL) $(CLEANFILES)
	find . -path ./.git -prune -o \( -name '*.o' -o -name '*.d' \) -type f -print0 | xargs -0 rm -f

.PHONY: all deps demo check check-asan bench deb install clean
