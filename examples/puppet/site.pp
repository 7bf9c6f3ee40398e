# SPDX-License-Identifier: LGPL-2.1-or-later
# puppet apply --modulepath examples/puppet/modules examples/puppet/site.pp
#   --detailed-exitcodes: 0 nothing changed, 2 changed, 4 failures, 6 both
#   --noop: shows "cgapply apply ... (noop)" when the cgroups are not in sync
class { 'cgapply':
  content => @(YAML),
    version: 1
    groups:
      web:
        memory: { memory.limit_in_bytes: 2G, memory.memsw.limit_in_bytes: 3G }
        cpu: { cpu.shares: 2048 }
      batch:
        cpu: { cpu.shares: 512 }
    | YAML
}
