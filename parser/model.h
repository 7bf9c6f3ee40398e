/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The desired state: groups with their controller values and permissions, and the
 * cgrules-style rules. Built once by the parser and read-only afterwards. Every item
 * keeps the location it came from, for messages. File names in locations point into
 * model->files, which lives as long as the model.
 */
#ifndef CGAPPLY_PARSER_MODEL_H
#define CGAPPLY_PARSER_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/strmap.h"
#include "parser/diag.h"
#include "parser/value.h"

struct cg_filedef;

struct cg_setting {
	char *file;		      /* "memory.limit_in_bytes" */
	const struct cg_filedef *def; /* NULL for an unchecked file */
	struct cg_value value;
	struct cg_srcloc key_loc; /* where the file name was written */
	struct cg_srcloc loc;	  /* where the value was written */
};

struct cg_ctlblock {
	char *name; /* "memory" */
	struct cg_srcloc loc;
	struct cg_setting *settings; /* in document order */
	size_t n, alloc;
};

/* A user or group named in perm or rules: by name or number. */
struct cg_id {
	bool set;
	char *name;    /* as written ("zorro" or "1000") */
	bool resolved; /* false when the name is unknown on this machine */
	uint32_t id;
	struct cg_srcloc loc;
};

struct cg_mode {
	bool set;
	mode_t mode; /* 0..07777 */
	struct cg_srcloc loc;
};

struct cg_perm {
	struct cg_id task_uid, task_gid;
	struct cg_mode task_fperm;
	struct cg_id admin_uid, admin_gid;
	struct cg_mode admin_dperm, admin_fperm;
};

struct cg_group {
	char *path;		  /* "zorro/batch": no leading or trailing '/' */
	struct cg_srcloc loc;	  /* of its key; for an implied parent, the first child's */
	bool implied;		  /* not listed, only a parent of a listed group */
	bool is_template;	  /* the name holds % tokens (created on demand by rules) */
	struct cg_perm perm;	  /* after defaults were applied */
	struct cg_ctlblock *ctls; /* in document order */
	size_t nctls, ctls_alloc;
};

enum cg_rule_who {
	CG_RULE_USER,  /* a user name or uid */
	CG_RULE_GROUP, /* @group: primary or supplementary membership */
	CG_RULE_ANY,   /* * */
	CG_RULE_DITTO, /* %: continues the previous rule with other controllers/destination */
};

struct cg_rule {
	struct cg_srcloc loc;
	enum cg_rule_who who;
	struct cg_id id;      /* CG_RULE_USER / CG_RULE_GROUP: name as written, without '@' */
	char *process;	      /* NULL: any; a full path, a basename or a prefix ending in '*' */
	bool all_controllers; /* "*" */
	char **controllers;
	struct cg_srcloc *controller_locs; /* of each name in controllers */
	size_t ncontrollers;
	char *destination; /* as written, `\` escapes and `%x` tokens kept */
	struct cg_srcloc dest_loc;
	bool ignore, ignore_rt;
};

struct cg_model {
	char **files; /* every file read, in order; locations point here */
	size_t nfiles, files_alloc;
	struct cg_group *groups; /* sorted by path, so parents come before children */
	size_t ngroups, groups_alloc;
	struct strmap group_index; /* path -> index in groups */
	struct cg_perm defaults;
	struct cg_rule *rules; /* in file order, includes expanded in place */
	size_t nrules, rules_alloc;
};

struct cg_model *cg_model_new(void);
void cg_model_free(struct cg_model *m);
void cg_model_freep(struct cg_model **m);

/* Adds `name` to the file table (once) and returns the stored copy. */
const char *cg_model_intern_file(struct cg_model *m, const char *name);

struct cg_group *cg_model_find_group(const struct cg_model *m, const char *path);
/* Adds a group; the caller fills it. Invalidates pointers to other groups. */
struct cg_group *cg_model_add_group(struct cg_model *m, const char *path);
/* Sorts groups by path and adds implied parents. */
void cg_model_finish_groups(struct cg_model *m);
/* The nearest ancestor of `g` in the model, or NULL for a top-level group. */
const struct cg_group *cg_model_parent(const struct cg_model *m, const struct cg_group *g);

const struct cg_ctlblock *cg_group_controller(const struct cg_group *g, const char *name);
/* A setting of `g` by file name, under whichever controller it is written, or NULL. */
const struct cg_setting *cg_group_setting(const struct cg_group *g, const char *file);

struct cg_rule *cg_model_add_rule(struct cg_model *m);

void cg_group_release(struct cg_group *g);
void cg_id_release(struct cg_id *id);
void cg_perm_release(struct cg_perm *p);
void cg_rule_release(struct cg_rule *r);

#endif
