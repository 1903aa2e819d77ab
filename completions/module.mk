# completions: bash completion, one file per program, named after it.
# Installed for the programs that are built (PROGS is complete when the
# recipe runs, after every module.mk has been read).
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions

INSTALL_EXTRA += install-completions
install-completions:
	install -d $(DESTDIR)$(BASHCOMPDIR)
	install -m 0644 $(wildcard $(addprefix completions/,$(notdir $(PROGS)))) \
	  $(DESTDIR)$(BASHCOMPDIR)/
.PHONY: install-completions
