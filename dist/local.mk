# SPDX-License-Identifier: LGPL-2.1-or-later
# Boot and shell integration: the systemd unit, the SysV init script and the bash
# completion. The unit and the script name installed paths, substituted at make time
# (so that "make prefix=..." and distcheck's prefix are honoured); configure chooses
# where they go (--with-systemdsystemunitdir, --with-initddir, --with-bash-completion-dir).
dist_subst = sed -e 's|@sbindir[@]|$(sbindir)|g' -e 's|@sysconfdir[@]|$(sysconfdir)|g'

%D%/cgapply.service: %D%/cgapply.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) %D% && $(dist_subst) <$(srcdir)/%D%/cgapply.service.in >$@.tmp && mv $@.tmp $@

# installed as init.d/cgapply, hence the directory
%D%/init.d/cgapply: %D%/cgapply.init.in Makefile
	$(AM_V_GEN)$(MKDIR_P) %D%/init.d && $(dist_subst) <$(srcdir)/%D%/cgapply.init.in >$@.tmp && \
		chmod +x $@.tmp && mv $@.tmp $@

if INSTALL_SYSTEMD_UNIT
systemdsystemunit_DATA = %D%/cgapply.service
endif
if INSTALL_INITD
initd_SCRIPTS = %D%/init.d/cgapply
endif
if INSTALL_BASH_COMPLETION
bashcompletion_DATA = %D%/bash-completion/cgapply
endif
# built for the tests whatever is installed
noinst_DATA = %D%/cgapply.service %D%/init.d/cgapply
EXTRA_DIST += %D%/cgapply.service.in %D%/cgapply.init.in %D%/bash-completion/cgapply
CLEANFILES += %D%/cgapply.service %D%/init.d/cgapply

# the rules daemon's unit (cgapply watch)
%D%/cgapply-watch.service: %D%/cgapply-watch.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) %D% && $(dist_subst) <$(srcdir)/%D%/cgapply-watch.service.in >$@.tmp && mv $@.tmp $@
if INSTALL_SYSTEMD_UNIT
systemdsystemunit_DATA += %D%/cgapply-watch.service
endif
noinst_DATA += %D%/cgapply-watch.service
EXTRA_DIST += %D%/cgapply-watch.service.in
CLEANFILES += %D%/cgapply-watch.service
