/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "parser/value.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/chars.h"
#include "lib/cleanup.h"
#include "lib/strbuf.h"
#include "lib/xalloc.h"
#include "parser/schema.h"
#include "parser/yaml.h"

/*
 * Parsing is stricter than the kernel wherever the kernel would accept text that does
 * not mean what it looks like (kernel-v1-constraints.md): zero-padded numbers are octal
 * to memparse, an empty write sets a limit to 0, "1M" in a throttle file is 1, any
 * devices rule starting with 'a' allows everything. Each value is stored typed, so the
 * text written later is always the canonical form.
 */

/* dev_t: 12 bits of major, 20 bits of minor */
#define DEV_MAJOR_MAX 4095
#define DEV_MINOR_MAX 1048575

#define SIZE_WORDS "a size in bytes with an optional K, M, G, T, P or E suffix"
#define OCTAL_TEXT \
	"the kernel would read a number with a leading zero as octal, expected a decimal number without leading zeros"

#define ACC_R 1u
#define ACC_W 2u
#define ACC_M 4u

enum numerr {
	NE_OK,
	NE_EMPTY,
	NE_SYNTAX,
	NE_SPACE,
	NE_OCTAL,
	NE_HEX,
	NE_FRACTION,
	NE_NEGATIVE,
	NE_SUFFIX,
	NE_TOO_LARGE,
};

static bool
has_space(const char *s)
{
	for (; *s; s++)
		if (is_space(*s))
			return true;
	return false;
}

static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Reads decimal digits at *p into *v; false when the number reaches 2^63. */
static bool
read_digits(const char **p, uint64_t *v)
{
	const char *s = *p;
	bool ok = true;
	uint64_t n = 0;

	for (; is_digit(*s); s++) {
		if (n > (UINT64_C(1) << 63) / 10)
			ok = false;
		else
			n = n * 10 + (uint64_t)(*s - '0');
	}
	*p = s;
	*v = n;
	return ok && n < (UINT64_C(1) << 63);
}

static unsigned
suffix_shift(char c)
{
	switch (lower(c)) {
	case 'k':
		return 10;
	case 'm':
		return 20;
	case 'g':
		return 30;
	case 't':
		return 40;
	case 'p':
		return 50;
	case 'e':
		return 60;
	}
	return 0;
}

static enum numerr
size_parse(const char *s, bool *unlimited, uint64_t *bytes)
{
	const char *p = s;
	unsigned shift = 0;
	uint64_t v;

	if (!*s)
		return NE_EMPTY;
	if (strcmp(s, "-1") == 0 || strcmp(s, "max") == 0) {
		*unlimited = true;
		*bytes = 0;
		return NE_OK;
	}
	if (has_space(s))
		return NE_SPACE;
	if (*p == '-')
		return NE_NEGATIVE;
	if (p[0] == '0' && lower(p[1]) == 'x')
		return NE_HEX;
	if (!is_digit(*p))
		return NE_SYNTAX;
	if (p[0] == '0' && is_digit(p[1]))
		return NE_OCTAL;
	if (!read_digits(&p, &v))
		return NE_TOO_LARGE;
	if (*p == '.')
		return is_digit(p[1]) ? NE_FRACTION : NE_SYNTAX;
	if (*p) {
		shift = suffix_shift(*p);
		if (!shift)
			return NE_SYNTAX;
		p++;
		if (*p)
			return (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ? NE_SUFFIX
										    : NE_SYNTAX;
		if (v > ((UINT64_C(1) << 63) - 1) >> shift)
			return NE_TOO_LARGE;
	}
	*unlimited = false;
	*bytes = v << shift;
	return NE_OK;
}

/* A decimal integer (0x hex when hex_ok), without leading zeros; NE_TOO_LARGE past int64. */
static enum numerr
int_parse(const char *s, bool hex_ok, int64_t *out)
{
	const char *p = s;
	bool neg = false;
	uint64_t v;

	if (!*s)
		return NE_EMPTY;
	if (has_space(s))
		return NE_SPACE;
	if (p[0] == '0' && lower(p[1]) == 'x') {
		if (!hex_ok)
			return NE_HEX;
		p += 2;
		v = 0;
		if (!*p)
			return NE_SYNTAX;
		for (; *p; p++) {
			char c = lower(*p);
			unsigned dg;

			if (is_digit(c))
				dg = (unsigned)(c - '0');
			else if (c >= 'a' && c <= 'f')
				dg = (unsigned)(c - 'a' + 10);
			else
				return NE_SYNTAX;
			if (v >> 59)
				return NE_TOO_LARGE;
			v = v * 16 + dg;
		}
		if (v > INT64_MAX)
			return NE_TOO_LARGE;
		*out = (int64_t)v;
		return NE_OK;
	}
	if (*p == '-') {
		neg = true;
		p++;
		if (*p == '0')
			return NE_SYNTAX;
	}
	if (!is_digit(*p))
		return NE_SYNTAX;
	if (p[0] == '0' && is_digit(p[1]))
		return NE_OCTAL;
	if (!read_digits(&p, &v)) {
		/* -2^63 is the one value that does not fit the positive side */
		if (neg && *p == '\0' && strcmp(s, "-9223372036854775808") == 0) {
			*out = INT64_MIN;
			return NE_OK;
		}
		return *p == '\0' ? NE_TOO_LARGE : NE_SYNTAX;
	}
	if (*p == '.')
		return is_digit(p[1]) ? NE_FRACTION : NE_SYNTAX;
	if (*p)
		return NE_SYNTAX;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return NE_OK;
}

/* ---- messages ---- */

static void diag_at(struct cg_diags *d, const struct yn *node, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
diag_at(struct cg_diags *d, const struct yn *node, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	cg_diag_error(d, &node->loc, "%s", sb.buf);
	strbuf_release(&sb);
}

/* "invalid value 'TEXT' for 'FILE', " followed by the formatted tail */
static void bad_value(struct cg_diags *d, const struct yn *node, const char *file, const char *text,
		      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void
bad_value(struct cg_diags *d, const struct yn *node, const char *file, const char *text,
	  const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	CG_AUTOFREE char *t = cg_diag_shown(text);
	va_list ap;

	strbuf_addf(&sb, "invalid value '%s' for '%s', ", t, file);
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	cg_diag_error(d, &node->loc, "%s", sb.buf);
	strbuf_release(&sb);
}

static void
add_paren(struct strbuf *sb, const char *a, const char *b)
{
	if (a && b)
		strbuf_addf(sb, " (%s; %s)", a, b);
	else if (a || b)
		strbuf_addf(sb, " (%s)", a ? a : b);
}

/* "1000 to 1000000 (microseconds)", "0 to 4194304 or max", "-1 or 1000 to ..." */
static void
add_range(struct strbuf *sb, const struct cg_filedef *def, bool why)
{
	if (def->flags & CG_FF_NEG1_OR_MIN)
		strbuf_adds(sb, "-1 or ");
	if (def->min == def->max)
		strbuf_addf(sb, "%" PRId64, def->min);
	else
		strbuf_addf(sb, "%" PRId64 " to %" PRId64, def->min, def->max);
	if (def->flags & CG_FF_MAX_WORD)
		strbuf_adds(sb, " or max");
	add_paren(sb, def->unit, why ? def->why : NULL);
}

static void
add_words(struct strbuf *sb, const char *const *w, const char *quote, const char *last)
{
	size_t i;

	for (i = 0; w[i]; i++) {
		if (i > 0)
			strbuf_adds(sb, w[i + 1] ? ", " : last);
		strbuf_addf(sb, "%s%s%s", quote, w[i], quote);
	}
}

/* What a value of `def` looks like, completing "expected ..." */
static void
describe(const struct cg_filedef *def, struct strbuf *sb)
{
	const char *key;

	switch (def->type) {
	case CG_VT_SIZE:
		strbuf_addf(sb, SIZE_WORDS ", or %s for unlimited",
			    def->flags & CG_FF_V1 ? "-1" : "max");
		return;
	case CG_VT_INT:
		if (def->min == def->max) {
			add_range(sb, def, true);
			return;
		}
		if (def->flags & CG_FF_NEG1_OR_MIN)
			strbuf_adds(sb, "-1 or ");
		strbuf_addf(sb, "an integer from %" PRId64 " to %" PRId64, def->min, def->max);
		if (def->flags & CG_FF_MAX_WORD)
			strbuf_adds(sb, ", or max");
		add_paren(sb, def->unit, def->flags & CG_FF_HEX ? "decimal, or hex with 0x" : NULL);
		return;
	case CG_VT_BOOL:
		strbuf_adds(sb, "0 or 1 (or true/false, yes/no, on/off)");
		return;
	case CG_VT_CPULIST:
		strbuf_adds(sb,
			    "a list of ids and ranges such as '0-3,8', or '' for the empty set");
		return;
	case CG_VT_ENUM:
		add_words(sb, def->words, "'", " or ");
		return;
	case CG_VT_DEVLIMIT:
		strbuf_adds(sb, "'MAJ:MIN VALUE'");
		if (def->flags & CG_FF_DEFAULT_KEY)
			strbuf_adds(sb, " or 'default VALUE'");
		if (def->flags & CG_FF_SUFFIX)
			strbuf_addf(sb, " with VALUE in %s (K, M, G, T, P or E suffixes allowed)",
				    def->unit ? def->unit : "bytes");
		else if (def->flags & CG_FF_MAX_WORD)
			strbuf_addf(sb, " with VALUE in %s", def->unit ? def->unit : "units");
		else
			strbuf_addf(sb, " with VALUE from %" PRId64 " to %" PRId64, def->min,
				    def->max);
		if (def->flags & CG_FF_MAX_WORD)
			strbuf_adds(sb, ", or -1 or max for no limit");
		return;
	case CG_VT_DEVRULE:
		strbuf_adds(
			sb,
			"'TYPE MAJ:MIN ACCESS' such as 'c 1:3 rwm' (TYPE b or c, MAJ and MIN numbers or *, ACCESS letters of rwm), or 'a' for all devices");
		return;
	case CG_VT_KEYED:
		key = def->flags & CG_FF_DEVKEY ? "MAJ:MIN" : "NAME";
		if (def->words) {
			strbuf_addf(sb, "'%s KEY=N ...' with KEY ", key);
			add_words(sb, def->words, "", " or ");
			strbuf_adds(sb, " and N ");
		} else {
			strbuf_addf(sb, "'%s N' with N ", key);
		}
		strbuf_adds(sb, "from ");
		add_range(sb, def, false);
		return;
	case CG_VT_CPUMAX:
		strbuf_adds(
			sb,
			"'QUOTA PERIOD', 'QUOTA' or 'max PERIOD' in microseconds, such as '50000 100000'");
		return;
	case CG_VT_RAW:
		strbuf_adds(sb, "one line of text");
		return;
	}
}

/* Reports a number that failed size_parse or int_parse (not NE_TOO_LARGE for INT). */
static void
bad_number(struct cg_diags *d, const struct yn *node, const struct cg_filedef *def,
	   const char *text, enum numerr e)
{
	struct strbuf ex = STRBUF_INIT;

	describe(def, &ex);
	switch (e) {
	case NE_OK:
	case NE_EMPTY:
	case NE_SYNTAX:
		bad_value(d, node, def->name, text, "expected %s", ex.buf);
		break;
	case NE_SPACE:
		bad_value(d, node, def->name, text, "spaces are not allowed, expected %s", ex.buf);
		break;
	case NE_OCTAL:
		bad_value(d, node, def->name, text, OCTAL_TEXT);
		break;
	case NE_HEX:
		bad_value(d, node, def->name, text, "hexadecimal is not accepted, expected %s",
			  ex.buf);
		break;
	case NE_FRACTION:
		bad_value(d, node, def->name, text,
			  "fractions are not allowed, use a smaller unit (1536M rather than 1.5G)");
		break;
	case NE_NEGATIVE:
		bad_value(d, node, def->name, text,
			  "-1 (unlimited) is the only negative value, expected %s", ex.buf);
		break;
	case NE_SUFFIX:
		bad_value(
			d, node, def->name, text,
			"the kernel takes only the one-letter suffixes K, M, G, T, P and E (powers of 1024)");
		break;
	case NE_TOO_LARGE:
		bad_value(d, node, def->name, text,
			  "it is too large, expected at most 9223372036854775807 bytes (2^63 - 1)");
		break;
	}
	strbuf_release(&ex);
}

static void
out_of_range(struct cg_diags *d, const struct yn *node, const struct cg_filedef *def,
	     const char *what, const char *text)
{
	struct strbuf sb = STRBUF_INIT;
	CG_AUTOFREE char *t = cg_diag_shown(text);

	if (what)
		strbuf_addf(&sb, "'%s' %s is %s, expected ", def->name, what, t);
	else
		strbuf_addf(&sb, "'%s' is %s, expected ", def->name, t);
	add_range(&sb, def, true);
	cg_diag_error(d, &node->loc, "%s", sb.buf);
	strbuf_release(&sb);
}

/* The text of a scalar node, or NULL after reporting why it is not one. */
static const char *
scalar_text(const struct cg_filedef *def, const struct yn *node, struct cg_diags *d)
{
	struct strbuf ex = STRBUF_INIT;

	switch (node->kind) {
	case YN_SCALAR:
		if (strlen(node->str) != node->len) {
			diag_at(d, node, "invalid value for '%s', it holds a NUL byte", def->name);
			return NULL;
		}
		return node->str;
	case YN_NULL:
		describe(def, &ex);
		diag_at(d, node, "missing value for '%s', expected %s", def->name, ex.buf);
		strbuf_release(&ex);
		return NULL;
	case YN_SEQ:
	case YN_MAP:
		diag_at(d, node, "invalid value for '%s', expected a scalar, got %s", def->name,
			yn_kind_name(node->kind));
		return NULL;
	}
	return NULL;
}

/* ---- scalar types ---- */

static int
parse_size(const struct cg_filedef *def, const struct yn *node, const char *s, struct cg_value *out,
	   struct cg_diags *d)
{
	bool unlimited;
	uint64_t bytes;
	enum numerr e = size_parse(s, &unlimited, &bytes);

	if (e != NE_OK) {
		bad_number(d, node, def, s, e);
		return -1;
	}
	out->type = CG_VT_SIZE;
	out->u.size.unlimited = unlimited;
	out->u.size.bytes = bytes;
	return 0;
}

static int
parse_int(const struct cg_filedef *def, const struct yn *node, const char *s, struct cg_value *out,
	  struct cg_diags *d)
{
	enum numerr e;
	int64_t v;

	if ((def->flags & CG_FF_MAX_WORD) && strcmp(s, "max") == 0) {
		out->type = CG_VT_INT;
		out->u.num.is_max = true;
		out->u.num.v = 0;
		return 0;
	}
	e = int_parse(s, def->flags & CG_FF_HEX, &v);
	if (e == NE_TOO_LARGE) {
		out_of_range(d, node, def, NULL, s);
		return -1;
	}
	if (e != NE_OK) {
		bad_number(d, node, def, s, e);
		return -1;
	}
	if ((v < def->min || v > def->max) && !(v == -1 && (def->flags & CG_FF_NEG1_OR_MIN))) {
		out_of_range(d, node, def, NULL, s);
		return -1;
	}
	out->type = CG_VT_INT;
	out->u.num.is_max = false;
	out->u.num.v = v;
	return 0;
}

static int
parse_bool(const struct cg_filedef *def, const struct yn *node, const char *s, struct cg_value *out,
	   struct cg_diags *d)
{
	static const char *const yes[] = { "1", "true", "yes", "on", NULL };
	static const char *const no[] = { "0", "false", "no", "off", NULL };
	struct strbuf ex = STRBUF_INIT;
	size_t i;

	for (i = 0; yes[i]; i++) {
		if (strcasecmp(s, yes[i]) == 0 || strcasecmp(s, no[i]) == 0) {
			out->type = CG_VT_BOOL;
			out->u.num.is_max = false;
			out->u.num.v = strcasecmp(s, yes[i]) == 0;
			return 0;
		}
	}
	describe(def, &ex);
	bad_value(d, node, def->name, s, "expected %s", ex.buf);
	strbuf_release(&ex);
	return -1;
}

static int
parse_enum(const struct cg_filedef *def, const struct yn *node, const char *s, struct cg_value *out,
	   struct cg_diags *d)
{
	struct strbuf ex = STRBUF_INIT;
	bool other_case = false;
	size_t i;

	for (i = 0; def->words[i]; i++) {
		if (strcmp(s, def->words[i]) == 0) {
			out->type = CG_VT_ENUM;
			out->u.word = def->words[i];
			return 0;
		}
		if (strcasecmp(s, def->words[i]) == 0)
			other_case = true;
	}
	describe(def, &ex);
	bad_value(d, node, def->name, s, "expected %s%s", ex.buf,
		  other_case ? " (case matters)" : "");
	strbuf_release(&ex);
	return -1;
}

/* ---- cpu lists ---- */

static int
parse_cpulist(const struct cg_filedef *def, const struct yn *node, const char *s,
	      struct cg_value *out, struct cg_diags *d)
{
	struct strbuf ex = STRBUF_INIT;
	struct cg_cpuset set;
	uint64_t a = 0, b = 0;
	enum cg_cpuset_err e = cg_cpuset_parse_err(s, CG_CPUSET_MAX_ID, &set, &a, &b);

	if (e == CG_CPUSET_OK) {
		out->type = CG_VT_CPULIST;
		out->u.cpus = set;
		return 0;
	}
	describe(def, &ex);
	switch (e) {
	case CG_CPUSET_OK:
	case CG_CPUSET_SYNTAX:
		bad_value(d, node, def->name, s, "expected %s", ex.buf);
		break;
	case CG_CPUSET_SPACE:
		bad_value(d, node, def->name, s,
			  "spaces are not allowed, separate ids and ranges with commas only");
		break;
	case CG_CPUSET_EMPTY_ITEM:
		bad_value(d, node, def->name, s, "it has an empty item, expected %s", ex.buf);
		break;
	case CG_CPUSET_STRIDE:
		bad_value(
			d, node, def->name, s,
			"the stride form FIRST-LAST:USED/GROUP is not supported, list the ids instead");
		break;
	case CG_CPUSET_REVERSED:
		bad_value(d, node, def->name, s,
			  "range %" PRIu64 "-%" PRIu64
			  " is reversed, expected FIRST-LAST with FIRST <= LAST",
			  a, b);
		break;
	case CG_CPUSET_TOO_LARGE:
		bad_value(d, node, def->name, s,
			  "id %" PRIu64 " is too large, expected ids up to %d", a,
			  CG_CPUSET_MAX_ID);
		break;
	}
	strbuf_release(&ex);
	return -1;
}

/* ---- records: per-device limits, devices rules, keyed files ---- */

/*
 * Checks that fields are separated by single spaces and splits `buf` in place into at
 * most `max` fields; returns the number of fields found (which may exceed `max`), or 0
 * when the spacing is wrong.
 */
static size_t
split_fields(char *buf, char **fields, size_t max)
{
	size_t n = 0;
	char *p = buf;

	if (!*p || *p == ' ')
		return 0;
	for (;;) {
		char *sp = strchr(p, ' ');

		if (n < max)
			fields[n] = p;
		n++;
		if (!sp)
			break;
		*sp = '\0';
		p = sp + 1;
		if (!*p || *p == ' ')
			return 0;
	}
	return n;
}

/* "8:0" (or with `*` parts when wild) into dev; false when malformed or too large. */
static bool
parse_devnum(const char *s, bool wild, struct cg_devnum *dev)
{
	const char *p = s;
	int64_t part[2];
	int i;

	for (i = 0; i < 2; i++) {
		if (wild && *p == '*') {
			part[i] = -1;
			p++;
		} else {
			uint64_t v;
			const char *start = p;

			if (!is_digit(*p) || !read_digits(&p, &v) || p - start > 7 ||
			    v > (i == 0 ? DEV_MAJOR_MAX : DEV_MINOR_MAX))
				return false;
			part[i] = (int64_t)v;
		}
		if (i == 0 && *p++ != ':')
			return false;
	}
	if (*p)
		return false;
	dev->major = part[0];
	dev->minor = part[1];
	return true;
}

static void
format_devnum(const struct cg_devnum *dev, struct strbuf *sb)
{
	if (dev->major < 0)
		strbuf_addch(sb, '*');
	else
		strbuf_addf(sb, "%" PRId64, dev->major);
	strbuf_addch(sb, ':');
	if (dev->minor < 0)
		strbuf_addch(sb, '*');
	else
		strbuf_addf(sb, "%" PRId64, dev->minor);
}

/*
 * The record nodes of the value *nodep: that node itself when it is a scalar (so *nodep
 * must outlive *items), or the items of a list. Reports non-scalars and empty lists;
 * returns the count, 0 after an error.
 */
static size_t
record_nodes(const struct cg_filedef *def, const struct yn *const *nodep,
	     const struct yn *const **items, struct cg_diags *d)
{
	const struct yn *node = *nodep;
	struct strbuf ex = STRBUF_INIT;
	bool ok = true;
	size_t i;

	switch (node->kind) {
	case YN_SCALAR:
		*items = nodep;
		break;
	case YN_NULL:
		describe(def, &ex);
		diag_at(d, node, "missing value for '%s', expected %s, or a list of them",
			def->name, ex.buf);
		strbuf_release(&ex);
		return 0;
	case YN_MAP:
		diag_at(d, node,
			"invalid value for '%s', expected a scalar or a list of scalars, got %s",
			def->name, yn_kind_name(node->kind));
		return 0;
	case YN_SEQ:
		if (node->n == 0) {
			diag_at(d, node, "empty list for '%s', expected at least one record",
				def->name);
			return 0;
		}
		for (i = 0; i < node->n; i++) {
			const struct yn *it = node->items[i];

			if (it->kind == YN_SCALAR)
				continue;
			if (it->kind == YN_NULL)
				diag_at(d, it, "missing record in the list for '%s'", def->name);
			else
				diag_at(d, it, "invalid record for '%s', expected a scalar, got %s",
					def->name, yn_kind_name(it->kind));
			ok = false;
		}
		if (!ok)
			return 0;
		*items = (const struct yn *const *)node->items;
		return node->n;
	}
	return 1;
}

/* The text of a record node; reports NUL bytes and several lines in one record. */
static const char *
record_text(const struct cg_filedef *def, const struct yn *node, struct cg_diags *d)
{
	CG_AUTOFREE char *t = NULL;

	if (strlen(node->str) != node->len) {
		diag_at(d, node, "invalid value for '%s', it holds a NUL byte", def->name);
		return NULL;
	}
	if (strchr(node->str, '\n')) {
		t = cg_diag_shown(node->str);
		diag_at(d, node,
			"invalid value '%s' for '%s', it holds several lines, write a list with one record per item",
			t, def->name);
		return NULL;
	}
	return node->str;
}

static void
duplicate(struct cg_diags *d, const struct yn *node, const struct cg_filedef *def, const char *key,
	  const struct yn *first)
{
	diag_at(d, node,
		"duplicate record for '%s' in '%s', first given at line %u, column %u; give each once",
		key, def->name, first->loc.line, first->loc.col);
}

static bool
parse_devlimit_value(const struct cg_filedef *def, const struct yn *node, const char *rec,
		     const char *s, struct cg_devlimit *out, struct cg_diags *d)
{
	struct strbuf ex = STRBUF_INIT;
	bool unlimited = false;
	uint64_t v = 0;
	int64_t iv;
	enum numerr e;

	if ((def->flags & CG_FF_MAX_WORD) &&
	    (strcmp(s, "-1") == 0 || strcmp(s, "max") == 0 || strcmp(s, "unlimited") == 0)) {
		out->unlimited = true;
		out->value = 0;
		return true;
	}
	if (def->flags & CG_FF_SUFFIX) {
		e = size_parse(s, &unlimited, &v);
		if (e == NE_OK && unlimited)
			e = NE_SYNTAX; /* "-1" or "max" without CG_FF_MAX_WORD */
	} else {
		e = int_parse(s, false, &iv);
		if (e == NE_OK && iv < 0)
			e = NE_NEGATIVE;
		v = (uint64_t)iv;
	}
	if (e == NE_OK && (v < (uint64_t)def->min || v > (uint64_t)def->max)) {
		bad_value(d, node, def->name, rec,
			  "%s is out of range, expected %" PRId64 " to %" PRId64, s, def->min,
			  def->max);
		return false;
	}
	if (e == NE_OCTAL) {
		bad_value(d, node, def->name, rec, OCTAL_TEXT);
		return false;
	}
	if (e == NE_SUFFIX) {
		bad_value(
			d, node, def->name, rec,
			"the kernel takes only the one-letter suffixes K, M, G, T, P and E (powers of 1024)");
		return false;
	}
	if (e == NE_TOO_LARGE) {
		bad_value(d, node, def->name, rec, "%s is too large, expected at most %" PRId64, s,
			  def->max);
		return false;
	}
	if (e != NE_OK) {
		describe(def, &ex);
		bad_value(d, node, def->name, rec, "expected %s", ex.buf);
		strbuf_release(&ex);
		return false;
	}
	/* 0 in a v1 throttle file deletes the rule: it is "no limit", however written */
	out->unlimited = (def->flags & CG_FF_MAX_WORD) && v == 0;
	out->value = out->unlimited ? 0 : v;
	return true;
}

static bool
parse_devlimit_record(const struct cg_filedef *def, const struct yn *node, const char *rec,
		      struct cg_devlimit *out, struct cg_diags *d)
{
	CG_AUTOFREE char *buf = xstrdup(rec);
	struct strbuf ex = STRBUF_INIT;
	char *f[2];
	size_t n = split_fields(buf, f, 2);
	bool dflt = def->flags & CG_FF_DEFAULT_KEY;

	if (n == 1 && dflt) {
		/* a bare weight sets the default, as the kernel reads it */
		out->dev.major = out->dev.minor = -1;
		return parse_devlimit_value(def, node, rec, f[0], out, d);
	}
	if (n != 2) {
		describe(def, &ex);
		bad_value(d, node, def->name, rec, "expected %s", ex.buf);
		strbuf_release(&ex);
		return false;
	}
	if (dflt && strcmp(f[0], "default") == 0) {
		out->dev.major = out->dev.minor = -1;
	} else if (!parse_devnum(f[0], false, &out->dev)) {
		CG_AUTOFREE char *t = cg_diag_shown(f[0]);

		bad_value(d, node, def->name, rec,
			  "'%s' is not a device number, expected MAJ:MIN such as '8:0'%s", t,
			  dflt ? " or 'default'" : "");
		return false;
	}
	return parse_devlimit_value(def, node, rec, f[1], out, d);
}

static bool
devnum_equal(const struct cg_devnum *a, const struct cg_devnum *b)
{
	return a->major == b->major && a->minor == b->minor;
}

static int
parse_devlimits(const struct cg_filedef *def, const struct yn *node, struct cg_value *out,
		struct cg_diags *d)
{
	const struct yn *const *items;
	size_t n = record_nodes(def, &node, &items, d), i, j, got = 0;
	struct cg_devlimit *lim;
	const struct yn **from;
	bool ok = true;

	if (n == 0)
		return -1;
	lim = xcalloc(n, sizeof(*lim));
	from = xcalloc(n, sizeof(*from));
	for (i = 0; i < n; i++) {
		const char *rec = record_text(def, items[i], d);

		if (!rec || !parse_devlimit_record(def, items[i], rec, &lim[got], d)) {
			ok = false;
			continue;
		}
		for (j = 0; j < got && !devnum_equal(&lim[j].dev, &lim[got].dev); j++)
			;
		if (j < got) {
			struct strbuf key = STRBUF_INIT;

			if (lim[got].dev.major < 0)
				strbuf_adds(&key, "default");
			else
				format_devnum(&lim[got].dev, &key);
			duplicate(d, items[i], def, key.buf, from[j]);
			strbuf_release(&key);
			ok = false;
			continue;
		}
		from[got++] = items[i];
	}
	free(from);
	if (!ok) {
		free(lim);
		return -1;
	}
	out->type = CG_VT_DEVLIMIT;
	out->u.devlimits.items = lim;
	out->u.devlimits.n = got;
	return 0;
}

static bool
parse_access(const char *s, unsigned *out)
{
	unsigned acc = 0, bit;

	if (!*s)
		return false;
	for (; *s; s++) {
		switch (*s) {
		case 'r':
			bit = ACC_R;
			break;
		case 'w':
			bit = ACC_W;
			break;
		case 'm':
			bit = ACC_M;
			break;
		default:
			return false;
		}
		if (acc & bit)
			return false;
		acc |= bit;
	}
	*out = acc;
	return true;
}

static bool
parse_devrule_record(const struct cg_filedef *def, const struct yn *node, const char *rec,
		     struct cg_devrule *out, struct cg_diags *d)
{
	CG_AUTOFREE char *buf = NULL;
	struct strbuf ex = STRBUF_INIT;
	char *f[3];
	size_t n;

	if (strcmp(rec, "a") == 0 || strcmp(rec, "a *:* rwm") == 0) {
		out->type = 'a';
		out->dev.major = out->dev.minor = -1;
		out->access = ACC_R | ACC_W | ACC_M;
		return true;
	}
	if (rec[0] == 'a') {
		bad_value(
			d, node, def->name, rec,
			"the kernel reads any rule starting with 'a' as all devices, write exactly 'a' (or 'a *:* rwm') for all devices, or a 'b' or 'c' rule");
		return false;
	}
	buf = xstrdup(rec);
	n = split_fields(buf, f, 3);
	if (n != 3) {
		describe(def, &ex);
		bad_value(d, node, def->name, rec, "expected %s", ex.buf);
		strbuf_release(&ex);
		return false;
	}
	if (strcmp(f[0], "b") != 0 && strcmp(f[0], "c") != 0) {
		CG_AUTOFREE char *t = cg_diag_shown(f[0]);

		bad_value(
			d, node, def->name, rec,
			"device type '%s' is unknown, expected 'b' (block), 'c' (character) or a rule 'a' (all devices)",
			t);
		return false;
	}
	if (!parse_devnum(f[1], true, &out->dev)) {
		CG_AUTOFREE char *t = cg_diag_shown(f[1]);

		bad_value(
			d, node, def->name, rec,
			"'%s' is not a device number, expected MAJ:MIN with numbers or * such as '1:3' or '8:*'",
			t);
		return false;
	}
	if (!parse_access(f[2], &out->access)) {
		CG_AUTOFREE char *t = cg_diag_shown(f[2]);

		bad_value(
			d, node, def->name, rec,
			"access '%s' is invalid, expected one or more of the letters r, w and m, each at most once",
			t);
		return false;
	}
	out->type = f[0][0];
	return true;
}

static int
parse_devrules(const struct cg_filedef *def, const struct yn *node, struct cg_value *out,
	       struct cg_diags *d)
{
	const struct yn *const *items;
	size_t n = record_nodes(def, &node, &items, d), i;
	struct cg_devrule *rules;
	bool ok = true;

	if (n == 0)
		return -1;
	rules = xcalloc(n, sizeof(*rules));
	for (i = 0; i < n; i++) {
		const char *rec = record_text(def, items[i], d);

		if (!rec || !parse_devrule_record(def, items[i], rec, &rules[i], d))
			ok = false;
	}
	if (!ok) {
		free(rules);
		return -1;
	}
	out->type = CG_VT_DEVRULE;
	out->u.devrules.items = rules;
	out->u.devrules.n = n;
	return 0;
}

static void
keyed_release(struct cg_keyed *k)
{
	size_t i;

	for (i = 0; i < k->nfields; i++) {
		free(k->fields[i].key);
		free(k->fields[i].value);
	}
	free(k->fields);
	free(k->key);
	memset(k, 0, sizeof(*k));
}

/* A record name (rdma device, misc resource, interface): printable, no '=' or '/'. */
static bool
valid_name(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if ((unsigned char)s[n] <= 0x20 || s[n] == 0x7f || s[n] == '=' || s[n] == '/')
			return false;
	return n > 0 && n <= 64;
}

/* Checks one value of a keyed record; *canon gets its canonical text. */
static bool
keyed_value(const struct cg_filedef *def, const struct yn *node, const char *rec, const char *field,
	    const char *s, char **canon, struct cg_diags *d)
{
	struct strbuf sb = STRBUF_INIT;
	CG_AUTOFREE char *t = cg_diag_shown(s);
	enum numerr e;
	int64_t v = 0;

	if ((def->flags & CG_FF_MAX_WORD) && strcmp(s, "max") == 0) {
		*canon = xstrdup("max");
		return true;
	}
	e = int_parse(s, false, &v);
	if (e == NE_OCTAL) {
		bad_value(d, node, def->name, rec, OCTAL_TEXT);
		return false;
	}
	if (e == NE_OK && v >= def->min && v <= def->max) {
		*canon = xasprintf("%" PRId64, v);
		return true;
	}
	if (field)
		strbuf_addf(&sb, "%s is %s, expected ", field, t);
	else
		strbuf_addf(&sb, "the value is %s, expected ", t);
	add_range(&sb, def, false);
	bad_value(d, node, def->name, rec, "%s", sb.buf);
	strbuf_release(&sb);
	return false;
}

static bool
parse_keyed_record(const struct cg_filedef *def, const struct yn *node, const char *rec,
		   struct cg_keyed *out, struct cg_diags *d)
{
	CG_AUTOFREE char *buf = xstrdup(rec);
	CG_AUTOFREE char **f = xcalloc(strlen(rec) / 2 + 2, sizeof(*f));
	struct strbuf ex = STRBUF_INIT;
	struct cg_keyed k = { NULL, NULL, 0 };
	size_t n = split_fields(buf, f, strlen(rec) / 2 + 2), i, j;
	struct cg_devnum dev;

	if (n < 2 || (!def->words && n != 2)) {
		describe(def, &ex);
		bad_value(d, node, def->name, rec, "expected %s", ex.buf);
		strbuf_release(&ex);
		return false;
	}
	if (def->flags & CG_FF_DEVKEY) {
		if (!parse_devnum(f[0], false, &dev)) {
			CG_AUTOFREE char *t = cg_diag_shown(f[0]);

			bad_value(d, node, def->name, rec,
				  "'%s' is not a device number, expected MAJ:MIN such as '8:0'", t);
			return false;
		}
	} else if (!valid_name(f[0])) {
		CG_AUTOFREE char *t = cg_diag_shown(f[0]);

		bad_value(
			d, node, def->name, rec,
			"'%s' is not a valid name, expected up to 64 printable characters without '=' or '/'",
			t);
		return false;
	}
	k.key = xstrdup(f[0]);
	k.fields = xcalloc(n - 1, sizeof(*k.fields));
	for (i = 1; i < n; i++) {
		struct cg_keyed_field *fl = &k.fields[k.nfields];
		char *eq = def->words ? strchr(f[i], '=') : NULL;

		if (!def->words) {
			if (!keyed_value(def, node, rec, NULL, f[i], &fl->value, d))
				goto fail;
			k.nfields++;
			continue;
		}
		if (eq)
			*eq = '\0';
		for (j = 0; def->words[j] && strcmp(def->words[j], f[i]) != 0; j++)
			;
		if (!eq || !def->words[j]) {
			CG_AUTOFREE char *t = cg_diag_shown(f[i]);

			add_words(&ex, def->words, "", " or ");
			if (eq)
				bad_value(d, node, def->name, rec, "unknown key '%s', expected %s",
					  t, ex.buf);
			else
				bad_value(d, node, def->name, rec,
					  "'%s' is not KEY=N, expected KEY %s", t, ex.buf);
			strbuf_release(&ex);
			goto fail;
		}
		for (j = 0; j < k.nfields && strcmp(k.fields[j].key, f[i]) != 0; j++)
			;
		if (j < k.nfields) {
			bad_value(d, node, def->name, rec, "key '%s' is given twice", f[i]);
			goto fail;
		}
		if (!keyed_value(def, node, rec, f[i], eq + 1, &fl->value, d))
			goto fail;
		fl->key = xstrdup(f[i]);
		k.nfields++;
	}
	if (def->flags & CG_FF_DEVKEY) {
		/* canonical "8:0" whatever zero padding was written */
		free(k.key);
		k.key = xasprintf("%" PRId64 ":%" PRId64, dev.major, dev.minor);
	}
	*out = k;
	return true;
fail:
	keyed_release(&k);
	return false;
}

static int
parse_keyed(const struct cg_filedef *def, const struct yn *node, struct cg_value *out,
	    struct cg_diags *d)
{
	const struct yn *const *items;
	size_t n = record_nodes(def, &node, &items, d), i, j, got = 0;
	struct cg_keyed *recs;
	const struct yn **from;
	bool ok = true;

	if (n == 0)
		return -1;
	recs = xcalloc(n, sizeof(*recs));
	from = xcalloc(n, sizeof(*from));
	for (i = 0; i < n; i++) {
		const char *rec = record_text(def, items[i], d);

		if (!rec || !parse_keyed_record(def, items[i], rec, &recs[got], d)) {
			ok = false;
			continue;
		}
		for (j = 0; j < got && strcmp(recs[j].key, recs[got].key) != 0; j++)
			;
		if (j < got) {
			duplicate(d, items[i], def, recs[got].key, from[j]);
			keyed_release(&recs[got]);
			ok = false;
			continue;
		}
		from[got++] = items[i];
	}
	free(from);
	if (!ok) {
		for (i = 0; i < got; i++)
			keyed_release(&recs[i]);
		free(recs);
		return -1;
	}
	out->type = CG_VT_KEYED;
	out->u.keyed.items = recs;
	out->u.keyed.n = got;
	return 0;
}

/* ---- cpu.max ---- */

static int
parse_cpumax(const struct cg_filedef *def, const struct yn *node, const char *s,
	     struct cg_value *out, struct cg_diags *d)
{
	/* the kernel's bounds, as for v1 cfs_quota_us and cfs_period_us */
	static const struct cg_filedef quota = {
		.name = "cpu.max",
		.type = CG_VT_INT,
		.flags = CG_FF_MAX_WORD,
		.min = 1000,
		.max = (INT64_C(1) << 44) - 1,
		.unit = "microseconds",
	};
	static const struct cg_filedef period = {
		.name = "cpu.max",
		.type = CG_VT_INT,
		.min = 1000,
		.max = 1000000,
		.unit = "microseconds",
	};
	CG_AUTOFREE char *buf = xstrdup(s);
	struct strbuf ex = STRBUF_INIT;
	int64_t q = 0, p = 0;
	bool unlimited = false;
	enum numerr eq = NE_OK, ep = NE_OK;
	char *f[2];
	size_t n = split_fields(buf, f, 2);

	if (n >= 1 && n <= 2) {
		unlimited = strcmp(f[0], "max") == 0;
		if (!unlimited)
			eq = int_parse(f[0], false, &q);
		if (n == 2)
			ep = int_parse(f[1], false, &p);
	}
	/* a number too large for int64 is still a number: report it as out of range */
	if (n < 1 || n > 2 || (eq != NE_OK && eq != NE_TOO_LARGE) ||
	    (ep != NE_OK && ep != NE_TOO_LARGE)) {
		describe(def, &ex);
		bad_value(d, node, def->name, s, "expected %s", ex.buf);
		strbuf_release(&ex);
		return -1;
	}
	if (!unlimited && (eq != NE_OK || q < quota.min || q > quota.max)) {
		out_of_range(d, node, &quota, "quota", f[0]);
		return -1;
	}
	if (n == 2 && (ep != NE_OK || p < period.min || p > period.max)) {
		out_of_range(d, node, &period, "period", f[1]);
		return -1;
	}
	out->type = CG_VT_CPUMAX;
	out->u.cpumax.unlimited = unlimited;
	out->u.cpumax.quota = unlimited ? 0 : q;
	out->u.cpumax.period = n == 2 ? p : 0;
	return 0;
}

/* ---- entry points ---- */

int
cg_value_parse(const struct cg_filedef *def, const struct yn *node, struct cg_value *out,
	       struct cg_diags *d)
{
	struct cg_value v;
	const char *s;
	int r = -1;

	memset(&v, 0, sizeof(v));
	switch (def->type) {
	case CG_VT_DEVLIMIT:
		r = parse_devlimits(def, node, &v, d);
		break;
	case CG_VT_DEVRULE:
		r = parse_devrules(def, node, &v, d);
		break;
	case CG_VT_KEYED:
		r = parse_keyed(def, node, &v, d);
		break;
	case CG_VT_RAW:
		return cg_value_parse_unchecked(def->name, node, out, d);
	case CG_VT_SIZE:
	case CG_VT_INT:
	case CG_VT_BOOL:
	case CG_VT_CPULIST:
	case CG_VT_ENUM:
	case CG_VT_CPUMAX:
		s = scalar_text(def, node, d);
		if (!s)
			return -1;
		switch (def->type) {
		case CG_VT_SIZE:
			r = parse_size(def, node, s, &v, d);
			break;
		case CG_VT_INT:
			r = parse_int(def, node, s, &v, d);
			break;
		case CG_VT_BOOL:
			r = parse_bool(def, node, s, &v, d);
			break;
		case CG_VT_CPULIST:
			r = parse_cpulist(def, node, s, &v, d);
			break;
		case CG_VT_ENUM:
			r = parse_enum(def, node, s, &v, d);
			break;
		case CG_VT_CPUMAX:
			r = parse_cpumax(def, node, s, &v, d);
			break;
		case CG_VT_DEVLIMIT:
		case CG_VT_DEVRULE:
		case CG_VT_KEYED:
		case CG_VT_RAW:
			break;
		}
		break;
	}
	if (r == 0)
		*out = v;
	return r;
}

int
cg_value_parse_unchecked(const char *file, const struct yn *node, struct cg_value *out,
			 struct cg_diags *d)
{
	CG_AUTOFREE char *what = file ? xasprintf("'%s'", file) : xstrdup("an unchecked file");

	if (node->kind == YN_SEQ || node->kind == YN_MAP) {
		diag_at(d, node, "invalid value for %s, expected a scalar, got %s", what,
			yn_kind_name(node->kind));
		return -1;
	}
	if (node->kind == YN_NULL || node->len == 0) {
		diag_at(d, node,
			"missing value for %s, expected the text to write (an empty write sets a memory limit to 0)",
			what);
		return -1;
	}
	if (strlen(node->str) != node->len) {
		diag_at(d, node, "invalid value for %s, it holds a NUL byte", what);
		return -1;
	}
	if (strchr(node->str, '\n') || strchr(node->str, '\r')) {
		CG_AUTOFREE char *t = cg_diag_shown(node->str);

		diag_at(d, node,
			"invalid value '%s' for %s, it holds a line break, expected one line of text",
			t, what);
		return -1;
	}
	memset(out, 0, sizeof(*out));
	out->type = CG_VT_RAW;
	out->u.raw = xstrdup(node->str);
	return 0;
}

int
cg_value_parse_raw(const struct yn *node, struct cg_value *out, struct cg_diags *d)
{
	return cg_value_parse_unchecked(NULL, node, out, d);
}

/* ---- release, copy, equality, format ---- */

void
cg_value_release(struct cg_value *v)
{
	size_t i;

	switch (v->type) {
	case CG_VT_SIZE:
	case CG_VT_INT:
	case CG_VT_BOOL:
	case CG_VT_ENUM:
	case CG_VT_CPUMAX:
		break;
	case CG_VT_CPULIST:
		cg_cpuset_release(&v->u.cpus);
		break;
	case CG_VT_DEVLIMIT:
		free(v->u.devlimits.items);
		break;
	case CG_VT_DEVRULE:
		free(v->u.devrules.items);
		break;
	case CG_VT_KEYED:
		for (i = 0; i < v->u.keyed.n; i++)
			keyed_release(&v->u.keyed.items[i]);
		free(v->u.keyed.items);
		break;
	case CG_VT_RAW:
		free(v->u.raw);
		break;
	}
	memset(v, 0, sizeof(*v));
	v->type = CG_VT_SIZE;
}

static void *
array_dup(const void *items, size_t n, size_t size)
{
	void *copy = xcalloc(n + 1, size);

	if (n)
		memcpy(copy, items, n * size);
	return copy;
}

void
cg_value_copy(struct cg_value *dst, const struct cg_value *src)
{
	size_t i, j;

	*dst = *src;
	switch (src->type) {
	case CG_VT_SIZE:
	case CG_VT_INT:
	case CG_VT_BOOL:
	case CG_VT_ENUM:
	case CG_VT_CPUMAX:
		break;
	case CG_VT_CPULIST:
		cg_cpuset_copy(&dst->u.cpus, &src->u.cpus);
		break;
	case CG_VT_DEVLIMIT:
		dst->u.devlimits.items = array_dup(src->u.devlimits.items, src->u.devlimits.n,
						   sizeof(struct cg_devlimit));
		break;
	case CG_VT_DEVRULE:
		dst->u.devrules.items = array_dup(src->u.devrules.items, src->u.devrules.n,
						  sizeof(struct cg_devrule));
		break;
	case CG_VT_KEYED:
		dst->u.keyed.items = xcalloc(src->u.keyed.n + 1, sizeof(struct cg_keyed));
		for (i = 0; i < src->u.keyed.n; i++) {
			const struct cg_keyed *s = &src->u.keyed.items[i];
			struct cg_keyed *k = &dst->u.keyed.items[i];

			k->key = xstrdup(s->key);
			k->nfields = s->nfields;
			k->fields = xcalloc(s->nfields + 1, sizeof(*k->fields));
			for (j = 0; j < s->nfields; j++) {
				const struct cg_keyed_field *sf = &s->fields[j];

				k->fields[j].key = sf->key ? xstrdup(sf->key) : NULL;
				k->fields[j].value = xstrdup(sf->value);
			}
		}
		break;
	case CG_VT_RAW:
		dst->u.raw = xstrdup(src->u.raw);
		break;
	}
}

static bool
str_equal(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static const struct cg_keyed_field *
keyed_field(const struct cg_keyed *k, const char *key)
{
	size_t i;

	for (i = 0; i < k->nfields; i++)
		if (str_equal(k->fields[i].key, key))
			return &k->fields[i];
	return NULL;
}

static bool
keyed_equal(const struct cg_keyed *a, const struct cg_keyed *b)
{
	size_t i;

	if (strcmp(a->key, b->key) != 0 || a->nfields != b->nfields)
		return false;
	for (i = 0; i < a->nfields; i++) {
		const struct cg_keyed_field *f = keyed_field(b, a->fields[i].key);

		if (!f || strcmp(f->value, a->fields[i].value) != 0)
			return false;
	}
	return true;
}

static const struct cg_keyed *
keyed_find(const struct cg_value *v, const char *key)
{
	size_t i;

	for (i = 0; i < v->u.keyed.n; i++)
		if (strcmp(v->u.keyed.items[i].key, key) == 0)
			return &v->u.keyed.items[i];
	return NULL;
}

static const struct cg_devlimit *
devlimit_find(const struct cg_value *v, const struct cg_devnum *dev)
{
	size_t j;

	for (j = 0; j < v->u.devlimits.n; j++)
		if (devnum_equal(&v->u.devlimits.items[j].dev, dev))
			return &v->u.devlimits.items[j];
	return NULL;
}

/* Every entry of a is in b; an unlimited entry also matches none (see devlimits_equal). */
static bool
devlimits_within(const struct cg_value *a, const struct cg_value *b)
{
	size_t i;

	for (i = 0; i < a->u.devlimits.n; i++) {
		const struct cg_devlimit *x = &a->u.devlimits.items[i];
		const struct cg_devlimit *y = devlimit_find(b, &x->dev);

		if (!y) {
			if (!x->unlimited)
				return false;
			continue;
		}
		if (x->unlimited != y->unlimited || (!x->unlimited && x->value != y->value))
			return false;
	}
	return true;
}

/*
 * In any order. A device without a limit is the same as a device not listed: the kernel
 * drops a v1 throttle entry written as 0 (unlimited), so "7:0 -1" reads back as nothing.
 */
static bool
devlimits_equal(const struct cg_value *a, const struct cg_value *b)
{
	return devlimits_within(a, b) && devlimits_within(b, a);
}

bool
cg_value_equal(const struct cg_value *a, const struct cg_value *b)
{
	size_t i;

	if (a->type != b->type)
		return false;
	switch (a->type) {
	case CG_VT_SIZE:
		return a->u.size.unlimited == b->u.size.unlimited &&
		       (a->u.size.unlimited || a->u.size.bytes == b->u.size.bytes);
	case CG_VT_INT:
	case CG_VT_BOOL:
		return a->u.num.is_max == b->u.num.is_max &&
		       (a->u.num.is_max || a->u.num.v == b->u.num.v);
	case CG_VT_CPULIST:
		return cg_cpuset_equal(&a->u.cpus, &b->u.cpus);
	case CG_VT_ENUM:
		return str_equal(a->u.word, b->u.word);
	case CG_VT_DEVLIMIT:
		return devlimits_equal(a, b);
	case CG_VT_DEVRULE:
		if (a->u.devrules.n != b->u.devrules.n)
			return false;
		for (i = 0; i < a->u.devrules.n; i++) {
			const struct cg_devrule *x = &a->u.devrules.items[i];
			const struct cg_devrule *y = &b->u.devrules.items[i];

			if (x->type != y->type || !devnum_equal(&x->dev, &y->dev) ||
			    x->access != y->access)
				return false;
		}
		return true;
	case CG_VT_KEYED:
		if (a->u.keyed.n != b->u.keyed.n)
			return false;
		for (i = 0; i < a->u.keyed.n; i++) {
			const struct cg_keyed *k = &a->u.keyed.items[i];
			const struct cg_keyed *other = keyed_find(b, k->key);

			if (!other || !keyed_equal(k, other))
				return false;
		}
		return true;
	case CG_VT_CPUMAX:
		return a->u.cpumax.unlimited == b->u.cpumax.unlimited &&
		       (a->u.cpumax.unlimited || a->u.cpumax.quota == b->u.cpumax.quota) &&
		       a->u.cpumax.period == b->u.cpumax.period;
	case CG_VT_RAW:
		return str_equal(a->u.raw, b->u.raw);
	}
	return false;
}

void
cg_value_format(const struct cg_value *v, enum cg_version ver, struct strbuf *sb)
{
	size_t i, j;

	switch (v->type) {
	case CG_VT_SIZE:
		if (v->u.size.unlimited)
			strbuf_adds(sb, ver == CG_V1 ? "-1" : "max");
		else
			strbuf_addf(sb, "%" PRIu64, v->u.size.bytes);
		return;
	case CG_VT_INT:
	case CG_VT_BOOL:
		if (v->u.num.is_max)
			strbuf_adds(sb, "max");
		else
			strbuf_addf(sb, "%" PRId64, v->u.num.v);
		return;
	case CG_VT_CPULIST:
		cg_cpuset_format(&v->u.cpus, sb);
		return;
	case CG_VT_ENUM:
		strbuf_adds(sb, v->u.word);
		return;
	case CG_VT_DEVLIMIT:
		for (i = 0; i < v->u.devlimits.n; i++) {
			const struct cg_devlimit *l = &v->u.devlimits.items[i];

			if (i > 0)
				strbuf_addch(sb, '\n');
			if (l->dev.major < 0)
				strbuf_adds(sb, "default");
			else
				format_devnum(&l->dev, sb);
			/* v1 throttles delete a rule on 0; v2 io files say max */
			if (l->unlimited)
				strbuf_adds(sb, ver == CG_V1 ? " 0" : " max");
			else
				strbuf_addf(sb, " %" PRIu64, l->value);
		}
		return;
	case CG_VT_DEVRULE:
		for (i = 0; i < v->u.devrules.n; i++) {
			const struct cg_devrule *r = &v->u.devrules.items[i];

			if (i > 0)
				strbuf_addch(sb, '\n');
			strbuf_addch(sb, r->type);
			strbuf_addch(sb, ' ');
			format_devnum(&r->dev, sb);
			strbuf_addch(sb, ' ');
			if (r->access & ACC_R)
				strbuf_addch(sb, 'r');
			if (r->access & ACC_W)
				strbuf_addch(sb, 'w');
			if (r->access & ACC_M)
				strbuf_addch(sb, 'm');
		}
		return;
	case CG_VT_KEYED:
		for (i = 0; i < v->u.keyed.n; i++) {
			const struct cg_keyed *k = &v->u.keyed.items[i];

			if (i > 0)
				strbuf_addch(sb, '\n');
			strbuf_adds(sb, k->key);
			for (j = 0; j < k->nfields; j++) {
				if (k->fields[j].key)
					strbuf_addf(sb, " %s=%s", k->fields[j].key,
						    k->fields[j].value);
				else
					strbuf_addf(sb, " %s", k->fields[j].value);
			}
		}
		return;
	case CG_VT_CPUMAX:
		if (v->u.cpumax.unlimited)
			strbuf_adds(sb, "max");
		else
			strbuf_addf(sb, "%" PRId64, v->u.cpumax.quota);
		if (v->u.cpumax.period)
			strbuf_addf(sb, " %" PRId64, v->u.cpumax.period);
		return;
	case CG_VT_RAW:
		strbuf_adds(sb, v->u.raw);
		return;
	}
}

/* ---- sizes ---- */

int
cg_size_parse(const char *s, bool *unlimited, uint64_t *bytes)
{
	return size_parse(s, unlimited, bytes) == NE_OK ? 0 : -1;
}

void
cg_size_human(uint64_t bytes, struct strbuf *sb)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	uint64_t unit, whole, rem, tenths;
	unsigned i = 0;

	while (i < 6 && bytes >> (10 * (i + 1)) != 0)
		i++;
	if (i == 0) {
		strbuf_addf(sb, "%" PRIu64 " B", bytes);
		return;
	}
	unit = UINT64_C(1) << (10 * i);
	whole = bytes >> (10 * i);
	rem = bytes & (unit - 1);
	if (rem == 0) {
		strbuf_addf(sb, "%" PRIu64 " %s", whole, units[i]);
		return;
	}
	/* rem < 2^60, so rem * 10 cannot overflow */
	tenths = (rem * 10 + unit / 2) / unit;
	if (tenths == 10) {
		whole++;
		tenths = 0;
		if (whole == 1024 && i < 6) {
			whole = 1;
			i++;
		}
	}
	strbuf_addf(sb, "%" PRIu64 ".%" PRIu64 " %s", whole, tenths, units[i]);
}
