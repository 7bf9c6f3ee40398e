/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cgrules-style rules: the YAML `rules:` list and cgrules.conf files (`include:`).
 *
 * cgrules.conf lines: `<user>[:<process>] <controllers> <destination> [<options>]`,
 * with `@group`, `*`, `%` (continue the previous rule), quoted fields holding spaces,
 * `#` comments (also trailing) and trailing whitespace accepted, where libcgroup fails.
 * Rules are appended to model->rules in file order; an include is expanded in place.
 *
 * Every line is checked and every problem reported (the file is not abandoned at the
 * first one). A rule whose user or group is unknown on this machine is warned about and
 * left out of the model together with its `%` lines, as libcgroup skips it; with
 * ids_must_exist it is an error. So every rule in the model has a resolved id.
 * Destinations are stored without a leading or trailing '/'; "" is the root.
 */
#ifndef CGAPPLY_PARSER_RULES_H
#define CGAPPLY_PARSER_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "parser/diag.h"
#include "parser/model.h"

struct yn;

struct cg_rules_opts {
	bool ids_must_exist; /* unknown users/groups are errors (plan, apply) or warnings */
	int include_depth;   /* callers pass 0; bounds nested includes */
};

/* Parses cgrules.conf text. `file` must be interned in the model. Returns -1 on errors. */
int cg_rules_parse_conf(struct cg_model *m, const char *file, const char *buf, size_t len,
			const struct cg_rules_opts *opts, struct cg_diags *d);

/*
 * Parses the YAML `rules:` node (a list of rule maps and `{include: PATH}` entries).
 * A relative include path is taken relative to the directory of the YAML file.
 */
int cg_rules_parse_yaml(struct cg_model *m, const struct yn *list, const struct cg_rules_opts *opts,
			struct cg_diags *d);

/* The values a destination's `%x` tokens stand for, when a rule places a process. */
struct cg_rule_subst {
	const char *user;     /* %u; NULL: the uid, as libcgroup does for an unknown user */
	uint32_t uid;	      /* %U */
	const char *group;    /* %g; NULL: the gid */
	uint32_t gid;	      /* %G */
	const char *procname; /* %p: the process name (a basename); NULL: the pid */
	pid_t pid;	      /* %P */
};

/*
 * Expands a rule's destination (as stored in struct cg_rule): `%u %U %g %G %p %P` are
 * replaced and `\x` gives `x`. Returns a new string, or NULL when `dest` is malformed
 * (never for one the parser accepted) or when a substituted value is not usable as one
 * path component (empty, ".", "..", or holding '/'), so that a process name can never
 * move a task outside the rule's subtree.
 */
char *cg_rule_expand(const char *dest, const struct cg_rule_subst *s);

/*
 * Checks that every rule's destination is a configured group (or the root), or, when it
 * holds % tokens, the name of a template group (compared as cg_rule_dest_group() gives
 * it), and that each controller the rule names is one the group (or a descendant) has
 * a block for, so that it has a directory in that hierarchy. Ignore rules only compare,
 * so they are not checked. Errors are located at the destination or the controller.
 * Call once the groups are finished.
 */
void cg_rules_check_destinations(const struct cg_model *m, struct cg_diags *d);

/*
 * The group a destination names: its `\x` escapes resolved, except `\%` (a literal '%',
 * which no group name can hold) and the `%x` tokens, which stay, so that a template
 * destination gives the template group's name. Returns a new string.
 */
char *cg_rule_dest_group(const char *dest);

/* Whether a destination holds `%x` tokens: only such a cgroup is created on demand. */
bool cg_rule_dest_has_tokens(const char *dest);

#endif
