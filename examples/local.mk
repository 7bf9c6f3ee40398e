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

# configuration management and CI: an Ansible role, a Puppet class, a CI step
exampleansibledir = $(exampledir)/ansible
dist_exampleansible_DATA = %D%/ansible/site.yml
exampleansibleroledir = $(exampledir)/ansible/roles/cgapply
exampleansibletasksdir = $(exampleansibleroledir)/tasks
dist_exampleansibletasks_DATA = %D%/ansible/roles/cgapply/tasks/main.yml
exampleansibledefaultsdir = $(exampleansibleroledir)/defaults
dist_exampleansibledefaults_DATA = %D%/ansible/roles/cgapply/defaults/main.yml
exampleansibletemplatesdir = $(exampleansibleroledir)/templates
dist_exampleansibletemplates_DATA = %D%/ansible/roles/cgapply/templates/cgapply.yaml.j2
examplepuppetdir = $(exampledir)/puppet
dist_examplepuppet_DATA = %D%/puppet/site.pp
examplepuppetmanifestsdir = $(examplepuppetdir)/modules/cgapply/manifests
dist_examplepuppetmanifests_DATA = %D%/puppet/modules/cgapply/manifests/init.pp
examplecidir = $(exampledir)/ci
dist_exampleci_DATA = %D%/ci/github-actions.yml %D%/ci/gitlab-ci.yml
dist_exampleci_SCRIPTS = %D%/ci/cgapply-ci.sh
