/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Typed values of control files. The parser turns each configured scalar into one of
 * these (never carrying raw strings), so that validation, the invariants and later the
 * diff compare what the kernel stores.
 *
 *   struct cg_value v;
 *   if (cg_value_parse(def, node, &v, diags) == 0) { ...; cg_value_release(&v); }
 *   cg_value_format(&v, CG_V1, &sb);  the exact text to write to the kernel
 */
#ifndef CGAPPLY_PARSER_VALUE_H
#define CGAPPLY_PARSER_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/strbuf.h"
#include "parser/cpuset.h"
#include "parser/diag.h"

struct yn;
struct cg_filedef;

/* cgroup version a value is formatted for: v1 writes -1 for unlimited, v2 writes max */
enum cg_version {
	CG_V1 = 1,
	CG_V2 = 2,
};

enum cg_vtype {
	CG_VT_SIZE,	/* bytes: K/M/G/T/P/E binary suffixes, either case; -1 or max = unlimited */
	CG_VT_INT,	/* an integer within [min, max] of its filedef; `max` where allowed */
	CG_VT_BOOL,	/* 0 or 1 (also true/false, yes/no, on/off, unquoted or quoted) */
	CG_VT_CPULIST,	/* a cpu or memory-node list such as "0-7,12-19"; "" is the empty set */
	CG_VT_ENUM,	/* one word of the filedef's word list, exact case */
	CG_VT_DEVLIMIT, /* per-device records "MAJ:MIN VALUE" (one string or a list of them) */
	CG_VT_DEVRULE,	/* devices.allow/deny rules "TYPE MAJ:MIN ACCESS" (string or list) */
	CG_VT_KEYED,	/* per-key records "KEY k=v k=v" or "KEY v" (io.max, rdma.max, ...) */
	CG_VT_CPUMAX,	/* v2 cpu.max "QUOTA|max [PERIOD]" */
	CG_VT_RAW,	/* an unchecked file: the text is written as it is */
};

/* device number with wildcards: major/minor < 0 means `*` */
struct cg_devnum {
	int64_t major;
	int64_t minor;
};

struct cg_devlimit {
	struct cg_devnum dev; /* never wildcard here; dev.major < 0 means the `default` key */
	bool unlimited;	      /* written as 0 on v1 throttle files (which deletes the rule) */
	uint64_t value;
};

struct cg_devrule {
	char type; /* 'a', 'b' or 'c' */
	struct cg_devnum dev;
	unsigned access; /* bit 0 r, bit 1 w, bit 2 m */
};

struct cg_keyed_field {
	char *key;   /* NULL for a record with a single bare value ("8:0 100") */
	char *value; /* as written after validation, e.g. "max" or "1048576" */
};

struct cg_keyed {
	char *key; /* "8:0", "mlx4_0", "default" */
	struct cg_keyed_field *fields;
	size_t nfields;
};

struct cg_value {
	enum cg_vtype type;
	union {
		struct {
			bool unlimited;
			uint64_t bytes; /* as written; the kernel rounds memory down to a page */
		} size;
		struct {
			bool is_max; /* the word `max` (pids.max, ...) */
			int64_t v;
		} num; /* CG_VT_INT and CG_VT_BOOL */
		struct cg_cpuset cpus;
		const char *word; /* CG_VT_ENUM: points into the filedef's static word list */
		struct {
			struct cg_devlimit *items;
			size_t n;
		} devlimits;
		struct {
			struct cg_devrule *items;
			size_t n;
		} devrules;
		struct {
			struct cg_keyed *items;
			size_t n;
		} keyed;
		struct {
			bool unlimited;
			int64_t quota;	/* µs, when !unlimited */
			int64_t period; /* µs; 0 when not given (the kernel keeps its period) */
		} cpumax;
		char *raw;
	} u;
};

/*
 * Parses `node` (a scalar, or for DEVLIMIT/DEVRULE/KEYED also a list of scalars) as a
 * value of `def`'s type and range. On a bad value it adds a located error naming the
 * file and what is expected, and returns -1 (out untouched). For a list, every bad item
 * is reported at its own location. It does not look at CG_FF_FORBIDDEN, READONLY or
 * ACTION: the caller refuses those files first (their entries parse as CG_VT_RAW).
 */
int cg_value_parse(const struct cg_filedef *def, const struct yn *node, struct cg_value *out,
		   struct cg_diags *d);
/*
 * Parses `node` as an unchecked (raw) value: any one-line, non-empty scalar (an empty
 * write would set a memory limit to 0). cg_value_parse_unchecked names `file` in its
 * messages; prefer it.
 */
int cg_value_parse_raw(const struct yn *node, struct cg_value *out, struct cg_diags *d);
int cg_value_parse_unchecked(const char *file, const struct yn *node, struct cg_value *out,
			     struct cg_diags *d);
/* Frees what `v` owns and leaves it an empty CG_VT_SIZE value; releasing twice is safe. */
void cg_value_release(struct cg_value *v);
/* Deep copy into `dst`, which holds nothing (it is overwritten, not released). */
void cg_value_copy(struct cg_value *dst, const struct cg_value *src);
/*
 * Compares what the kernel would store: cpusets as bitmaps, per-device and keyed records
 * as maps (order does not matter), devices rules as a sequence (order does). Sizes are
 * compared exactly; rounding to pages is the diff's business.
 */
bool cg_value_equal(const struct cg_value *a, const struct cg_value *b);

/*
 * Appends the text to write for `v` (without a newline). For DEVLIMIT/DEVRULE/KEYED,
 * records are separated by '\n' (the executor writes them one record per write()).
 */
void cg_value_format(const struct cg_value *v, enum cg_version ver, struct strbuf *sb);

/*
 * Size text: "1G" style parsing and human formatting, shared with reporters.
 * cg_size_parse takes what cg_value_parse takes for a CG_VT_SIZE file (decimal, optional
 * K/M/G/T/P/E suffix in either case, below 2^63; "-1" and "max" are unlimited); it
 * returns -1 on anything else, leaving the outputs untouched.
 * cg_size_human appends "512 B" below 1 KiB; "4 KiB", "512 MiB", "1 GiB" when the size
 * is a whole number of the largest binary unit not above it; otherwise that unit with one
 * decimal, rounded to nearest ("1.5 GiB", "1.0 GiB" for 1 GiB + 1 byte).
 */
int cg_size_parse(const char *s, bool *unlimited, uint64_t *bytes);
void cg_size_human(uint64_t bytes, struct strbuf *sb);

#endif
