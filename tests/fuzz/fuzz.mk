# Fuzzing and static analysis.  The top Makefile includes this file with
#     include tests/fuzz/fuzz.mk
# and it also works alone:  make -f tests/fuzz/fuzz.mk fuzz FUZZ_SECONDS=15
#
#   make fuzz FUZZ_SECONDS=N   each libFuzzer target for N seconds (clang)
#   make fuzz-list             the target names
#   make fuzz-replay           the corpora and regression inputs through
#                              plain builds (what tests/fuzz/regress.t does)
#   make lint                  cppcheck and clang-tidy (tests/lint/lint.t)
#
# A target is tests/fuzz/fuzz-NAME.c; its header comment names what it
# links and needs, read here and by regress.t:
#     FUZZ-SOURCES: bcache/sb.c      (libutil is always linked)
#     FUZZ-CFLAGS:  -Ibcache
#     FUZZ-ARGS:    -max_len=8192    (extra libFuzzer options)
# A target whose sources are not in the tree yet is left out.  Seeds live
# in tests/fuzz/corpus/NAME/ (read only: new inputs go to the build
# directory), crash reproducers in tests/fuzz/regress/NAME/.

FUZZ_DIR      = tests/fuzz
FUZZ_BUILD   ?= $(FUZZ_DIR)/build
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 15
FUZZ_FLAGS   ?= -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS   = -std=gnu11 -D_GNU_SOURCE -DHOSTKIT_VERSION='"fuzz"' -Ilibutil -I$(FUZZ_DIR)
FUZZ_LIBUTIL  = $(filter-out %/eprintf.c,$(wildcard libutil/*.c)) libutil/eprintf.c

fuzz_field  = $(shell sed -n 's/^ \* FUZZ-$2:[[:space:]]*//p' $(FUZZ_DIR)/fuzz-$1.c)
fuzz_ready  = $(if $(strip $(foreach s,$(call fuzz_field,$1,SOURCES),$(if $(wildcard $s),,no))),,$1)
FUZZ_ALL   := $(patsubst $(FUZZ_DIR)/fuzz-%.c,%,$(wildcard $(FUZZ_DIR)/fuzz-*.c))
FUZZ_NAMES := $(foreach t,$(FUZZ_ALL),$(call fuzz_ready,$t))
FUZZ_BINS   = $(FUZZ_NAMES:%=$(FUZZ_BUILD)/fuzz-%)

fuzz-list:
	@printf '%s\n' $(FUZZ_NAMES)

fuzz: $(FUZZ_BINS)
	@$(FUZZ_DIR)/run-fuzz $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_NAMES)

fuzz-replay:
	@HK_ROOT=$(CURDIR) bash $(FUZZ_DIR)/regress.t

lint:
	@HK_ROOT=$(CURDIR) bash tests/lint/lint.t

# Included by the top Makefile: install what is missing first, as check does.
ifdef LIBUTIL
fuzz lint: deps
endif

$(FUZZ_BUILD):
	mkdir -p $@

define fuzz_rule
$(FUZZ_BUILD)/fuzz-$1: $(FUZZ_DIR)/fuzz-$1.c $(call fuzz_field,$1,SOURCES) $(FUZZ_LIBUTIL) | $(FUZZ_BUILD)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(call fuzz_field,$1,CFLAGS) $(FUZZ_FLAGS) -MMD -MF $$@.dep -o $$@ $$(filter %.c,$$^)
-include $(FUZZ_BUILD)/fuzz-$1.dep
endef
$(foreach t,$(FUZZ_NAMES),$(eval $(call fuzz_rule,$t)))

.PHONY: fuzz fuzz-list fuzz-replay lint

# The build directory goes with `make clean`.
fuzz-clean:
	rm -rf $(FUZZ_BUILD)
clean: fuzz-clean
.PHONY: fuzz-clean
