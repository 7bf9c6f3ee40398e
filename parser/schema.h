/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The table of known controllers and control files, cgroup v1 and v2, with each file's
 * value type and accepted range (../shared/reference/kernel-v1-constraints.md is the
 * evidence). It is the truth that schemas/cgapply.schema.json mirrors; a test keeps the
 * two in agreement.
 *
 * Files whose name carries a variable part (hugetlb.<size>.limit_in_bytes) are matched
 * by pattern: `name` holds "hugetlb.*.limit_in_bytes" and CG_FF_PATTERN is set.
 */
#ifndef CGAPPLY_PARSER_SCHEMA_H
#define CGAPPLY_PARSER_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parser/value.h"

enum cg_fileflag {
	CG_FF_V1 = 1 << 0,	   /* exists on cgroup v1 */
	CG_FF_V2 = 1 << 1,	   /* exists on cgroup v2 */
	CG_FF_FORBIDDEN = 1 << 2,  /* never configurable (tasks, cgroup.procs, release_agent...) */
	CG_FF_READONLY = 1 << 3,   /* statistics and state the kernel reports */
	CG_FF_ACTION = 1 << 4,	   /* write-only actions (force_empty, reset_stats): not state */
	CG_FF_IGNORED = 1 << 5,	   /* accepted by the kernel and ignored: warn */
	CG_FF_PATTERN = 1 << 6,	   /* name holds one `*` matching a non-empty [0-9A-Za-z] run */
	CG_FF_MAX_WORD = 1 << 7,   /* `max` is taken (INT, KEYED); DEVLIMIT: no-limit values */
	CG_FF_CORE = 1 << 8,	   /* a core file, allowed under any controller of its version */
	CG_FF_DEPRECATED = 1 << 9, /* works, but the kernel logs a deprecation warning */
	CG_FF_NEG1_OR_MIN = 1 << 10, /* CG_VT_INT: -1 (unlimited) or min..max (cfs_quota_us) */
	CG_FF_HEX = 1 << 11,	/* CG_VT_INT also takes 0x hex, as cgconfig.conf users write it */
	CG_FF_SUFFIX = 1 << 12, /* CG_VT_DEVLIMIT: values are bytes, K/M/G/T/P/E suffixes taken */
	CG_FF_DEFAULT_KEY = 1 << 13, /* CG_VT_DEVLIMIT: `default N` (or bare N) sets the default */
	CG_FF_DEVKEY = 1 << 14,	     /* CG_VT_KEYED: records are keyed by MAJ:MIN, not by a name */
};

/*
 * How the fields shape the value (value.c reads them):
 *   CG_VT_INT       min..max; CG_FF_MAX_WORD adds `max`, CG_FF_NEG1_OR_MIN adds -1,
 *                   CG_FF_HEX adds 0x hex input.
 *   CG_VT_DEVLIMIT  min..max bounds each device's value; CG_FF_MAX_WORD allows -1, max
 *                   or unlimited (and 0) as "no limit"; CG_FF_SUFFIX takes size suffixes;
 *                   CG_FF_DEFAULT_KEY allows the `default` key.
 *   CG_VT_KEYED     words: the allowed field names ("rbps"...), or NULL for records that
 *                   hold one bare value ("KEY N"); min..max bounds each value;
 *                   CG_FF_MAX_WORD allows `max`; CG_FF_DEVKEY keys records by MAJ:MIN.
 *   CG_VT_ENUM      words: the accepted words.
 */
struct cg_filedef {
	const char *controller; /* "memory", "cpu", ... ; "cgroup" for core files */
	const char *name;	/* "memory.limit_in_bytes" */
	unsigned flags;
	enum cg_vtype type;
	int64_t min, max;	  /* CG_VT_INT: accepted range; CG_VT_SIZE: unused */
	const char *const *words; /* CG_VT_ENUM: NULL-terminated */
	const char *why;	  /* for FORBIDDEN/READONLY/ACTION/IGNORED: the reason shown;
				     for an INT range, shown after the range in errors */
	const char *unit;	  /* "microseconds" for messages, or NULL */
};

struct cg_controllerdef {
	const char *name;
	unsigned flags; /* CG_FF_V1 | CG_FF_V2 */
};

/* Looks a file up under a controller (core files match under any controller). */
const struct cg_filedef *cg_schema_file(const char *controller, const char *file);
/* Looks a file up by name alone, whatever its controller. */
const struct cg_filedef *cg_schema_file_any(const char *file);
const struct cg_controllerdef *cg_schema_controller(const char *name);
/*
 * Whether core file `def` may be written under `controller`: a v1-only one (every v1
 * hierarchy has it) under the controller whose hierarchy it is for, not under `cgroup`;
 * a v2-only one under `cgroup` or a controller v2 has. The parser, the JSON Schema and
 * its test follow this one rule.
 */
bool cg_schema_core_placeable(const struct cg_filedef *def, const char *controller);

/* The closest known name within a small edit distance, or NULL: "did you mean". */
const char *cg_schema_suggest_controller(const char *name);
const char *cg_schema_suggest_file(const char *controller, const char *file);

/* Every entry, for the schema test and the JSON Schema generator. */
const struct cg_filedef *cg_schema_files(size_t *n);
const struct cg_controllerdef *cg_schema_controllers(size_t *n);

#endif
