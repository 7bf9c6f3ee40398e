# SPDX-License-Identifier: LGPL-2.1-or-later
# @summary Installs a cgapply configuration and makes the live cgroups match it.
#
# The file is validated by `cgapply validate` before it replaces the old one. The exec
# runs `cgapply apply` only when `cgapply plan --detailed-exitcode` does not exit 0 (in
# sync); Puppet runs that guard under --noop too, and plan is read-only. A plan that
# fails (invalid configuration, missing hierarchy) lets apply run and report the error.
#
# @param content    the configuration (cgapply.yaml(5))
# @param config     where to install it
# @param bin        the cgapply binary
# @param parent     a delegated subtree to manage ('' for the hierarchy roots)
# @param cgroup_root, state_dir  as cgapply's --cgroup-root and --state-dir
class cgapply (
  String $content,
  String $config      = '/etc/cgapply/puppet.yaml',
  String $bin         = '/usr/sbin/cgapply',
  String $parent      = '',
  String $cgroup_root = '/sys/fs/cgroup',
  String $state_dir   = '/var/lib/cgapply',
) {
  $config_dir = regsubst($config, '/[^/]+$', '')
  $scope = $parent ? {
    ''      => "--cgroup-root '${cgroup_root}' --state-dir '${state_dir}'",
    default => "--cgroup-root '${cgroup_root}' --state-dir '${state_dir}' --parent '${parent}'",
  }

  file { $config_dir:
    ensure => directory,
    mode   => '0755',
  }

  file { $config:
    ensure       => file,
    mode         => '0644',
    content      => $content,
    validate_cmd => "${bin} validate %",
    require      => File[$config_dir],
  }

  exec { 'cgapply apply':
    command => "${bin} apply -f '${config}' ${scope}",
    unless  => "${bin} plan --detailed-exitcode --quiet -f '${config}' ${scope}",
    path    => ['/usr/sbin', '/usr/bin', '/sbin', '/bin'],
    require => File[$config],
  }
}
