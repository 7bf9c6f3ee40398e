# SPDX-License-Identifier: LGPL-2.1-or-later
# Example configurations, installed as documentation and shipped in the tarball.
exampledir = $(docdir)/examples
dist_example_DATA = \
	%D%/build-farm.yaml \
	%D%/cgroup-v2.yaml \
	%D%/nested.yaml \
	%D%/three-users.yaml \
	%D%/web-batch.yaml

# the cgrules.conf file that web-batch.yaml includes, kept beside it as rules/
examplerulesdir = $(exampledir)/rules
dist_examplerules_DATA = %D%/rules/cgrules.conf
