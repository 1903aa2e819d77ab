# prometheus: hostkit-textfile writes the KSM and bcache metrics for
# node_exporter's textfile collector; a systemd timer runs it every minute.
PROGS += prometheus/hostkit-textfile
MAN8  += prometheus/hostkit-textfile.8
CLEANFILES += prometheus/hostkit-textfile

prometheus/hostkit-textfile: prometheus/hostkit-textfile.in Makefile
	sed 's|@VERSION@|$(VERSION)|g' $< > $@.tmp && chmod 0755 $@.tmp && mv -f $@.tmp $@

SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
INSTALL_EXTRA += install-prometheus
install-prometheus:
	install -d $(DESTDIR)$(SYSTEMDUNITDIR)
	sed 's|@SBINDIR@|$(SBINDIR)|g' prometheus/hostkit-textfile.service.in \
	  > $(DESTDIR)$(SYSTEMDUNITDIR)/hostkit-textfile.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/hostkit-textfile.service
	install -m 0644 prometheus/hostkit-textfile.timer $(DESTDIR)$(SYSTEMDUNITDIR)/
.PHONY: install-prometheus
