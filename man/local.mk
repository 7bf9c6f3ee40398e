# SPDX-License-Identifier: LGPL-2.1-or-later
dist_man_MANS += %D%/cgapply.8 %D%/cgapply.yaml.5
