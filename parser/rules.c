/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "parser/rules.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/strbuf.h"
#include "lib/xalloc.h"
#include "parser/ids.h"
#include "parser/schema.h"
#include "parser/yaml.h"

/* cgrules.conf cannot include, so one level is all we use; this only bounds recursion. */
#define RULES_MAX_INCLUDE_DEPTH 8
/* One more field than a line may have, so that the extra one can be reported. */
#define RULES_MAX_FIELDS 5
#define RULES_SYNOPSIS	 "<user>[:<process>] <controllers> <destination> [<options>]"

/*
 * A piece of configuration text with the source column of each byte, so that a problem
 * inside a quoted field is reported where it was written. YAML scalars have no `cols`
 * (escapes and line folding hide them): all their problems are reported at `loc`.
 */
struct field {
	const char *s; /* NUL-terminated */
	size_t len;
	const unsigned *cols; /* cols[i] is the column of s[i]; NULL: every byte is at loc */
	struct cg_srcloc loc; /* where the field starts, its opening quote included */
};

/* The state of the last rule line that was not a `%` line, which `%` lines continue. */
enum rules_chain {
	RULES_CHAIN_NONE,    /* no rule yet in this file */
	RULES_CHAIN_OK,	     /* added to the model */
	RULES_CHAIN_SKIPPED, /* unknown user or group: left out, with a warning */
	RULES_CHAIN_ERROR,   /* already reported: its `%` lines are not reported again */
};

struct rules_ctx {
	struct cg_model *m;
	const struct cg_rules_opts *opts;
	struct cg_diags *d;
};

static const struct cg_rules_opts rules_default_opts;

static struct cg_srcloc
field_at(const struct field *f, size_t i)
{
	struct cg_srcloc loc = f->loc;

	if (f->cols && i < f->len)
		loc.col = f->cols[i];
	return loc;
}

static bool
is_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/* The length of the UTF-8 character at s (at most `max`), so messages never split one. */
static size_t
utf8_len(const char *s, size_t max)
{
	unsigned char c = (unsigned char)*s;
	size_t n = c < 0xc0 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;

	return n < max ? n : max;
}

/*
 * Fills r->who and r->id from the user part of a rule: a user name or number, `@group`,
 * `*` or (in cgrules.conf only) `%`. Sets *unknown when the name is not known on this
 * machine and only a warning was given. Returns -1 after an error.
 */
static int
parse_who(struct cg_rule *r, const struct field *f, bool allow_ditto, const struct rules_ctx *c,
	  bool *unknown)
{
	const char *s = f->s;
	bool must_exist = c->opts->ids_must_exist;
	struct cg_srcloc loc;

	if (s[0] == '*') {
		/* libcgroup takes any key starting with '*' as '*' */
		if (s[1]) {
			cg_diag_error(c->d, &f->loc,
				      "invalid user '%s', expected '*' alone for every user", s);
			return -1;
		}
		r->who = CG_RULE_ANY;
		return 0;
	}
	if (s[0] == '%') {
		if (!allow_ditto) {
			cg_diag_error(
				c->d, &f->loc,
				"'%%' (continue the previous rule) is not allowed in YAML, write a separate rule with the same user");
			return -1;
		}
		if (s[1]) {
			cg_diag_error(
				c->d, &f->loc,
				"invalid user '%s', expected '%%' alone to continue the previous rule",
				s);
			return -1;
		}
		r->who = CG_RULE_DITTO;
		return 0;
	}
	if (s[0] == '@') {
		if (!s[1]) {
			cg_diag_error(c->d, &f->loc,
				      "missing group name after '@', expected '@group' or '@gid'");
			return -1;
		}
		loc = field_at(f, 1);
		if (cg_id_parse(&r->id, CG_ID_GROUP, s + 1, &loc, must_exist, c->d) < 0)
			return -1;
		r->who = CG_RULE_GROUP;
		*unknown = !r->id.resolved;
		return 0;
	}
	if (cg_id_parse(&r->id, CG_ID_USER, s, &f->loc, must_exist, c->d) < 0)
		return -1;
	r->who = CG_RULE_USER;
	*unknown = !r->id.resolved;
	return 0;
}

/* A full path, a basename, or a prefix ending in '*'. The caller refuses an empty one. */
static int
parse_process(struct cg_rule *r, const struct field *f, struct cg_diags *d)
{
	size_t i;

	for (i = 0; i < f->len; i++) {
		struct cg_srcloc loc = field_at(f, i);

		if (is_control((unsigned char)f->s[i])) {
			cg_diag_error(
				d, &loc,
				"invalid process '%s': control character 0x%02x, expected printable characters",
				f->s, (unsigned char)f->s[i]);
			return -1;
		}
		if (f->s[i] == '*' && i + 1 < f->len) {
			cg_diag_error(
				d, &loc,
				"invalid process '%s': only a trailing '*' is supported, as in '/usr/bin/py*'",
				f->s);
			return -1;
		}
	}
	r->process = xstrdup(f->s);
	return 0;
}

static int
parse_controller(struct cg_rule *r, const char *name, const struct cg_srcloc *loc,
		 struct cg_diags *d)
{
	const char *sugg;
	size_t i;

	if (strcmp(name, "*") == 0) {
		cg_diag_error(
			d, loc,
			"'*' (every controller) must stand alone, not in a list of controllers");
		return -1;
	}
	/* "cgroup" holds the core files in the schema: no hierarchy to move tasks in */
	if (strcmp(name, "cgroup") == 0) {
		cg_diag_error(
			d, loc,
			"'cgroup' is not a controller a rule can name, expected a controller such as 'cpu' or 'memory', or '*'");
		return -1;
	}
	if (!cg_schema_controller(name)) {
		sugg = cg_schema_suggest_controller(name);
		if (sugg && strcmp(sugg, "cgroup") != 0)
			cg_diag_error(d, loc, "unknown controller '%s', did you mean '%s'?", name,
				      sugg);
		else
			cg_diag_error(
				d, loc,
				"unknown controller '%s', expected a controller such as 'cpu' or 'memory', or '*'",
				name);
		return -1;
	}
	for (i = 0; i < r->ncontrollers; i++) {
		if (strcmp(r->controllers[i], name) == 0) {
			cg_diag_error(
				d, loc,
				"duplicate controller '%s', each controller may be listed once",
				name);
			return -1;
		}
	}
	r->controllers = xrealloc(r->controllers, (r->ncontrollers + 1) * sizeof(*r->controllers));
	r->controller_locs =
		xrealloc(r->controller_locs, (r->ncontrollers + 1) * sizeof(*r->controller_locs));
	r->controller_locs[r->ncontrollers] = *loc;
	r->controllers[r->ncontrollers++] = xstrdup(name);
	return 0;
}

/* The cgrules.conf controllers field: `*`, or names separated by single commas. */
static int
parse_controller_list(struct cg_rule *r, const struct field *f, struct cg_diags *d)
{
	size_t start = 0, end;
	int ret = 0;

	if (strcmp(f->s, "*") == 0) {
		r->all_controllers = true;
		return 0;
	}
	if (f->len == 0) {
		cg_diag_error(
			d, &f->loc,
			"empty controllers field, expected a comma-separated list of controllers or '*'");
		return -1;
	}
	for (;;) {
		for (end = start; end < f->len && f->s[end] != ','; end++)
			;
		if (end == start) {
			/* point at the comma that should have been followed by a name */
			struct cg_srcloc loc = field_at(f, start > 0 ? start - 1 : 0);

			cg_diag_error(
				d, &loc,
				"empty item in controller list '%s', expected names separated by single commas",
				f->s);
			ret = -1;
		} else {
			CG_AUTOFREE char *name = xstrndup(f->s + start, end - start);
			struct cg_srcloc loc = field_at(f, start);

			if (parse_controller(r, name, &loc, d) < 0)
				ret = -1;
		}
		if (end == f->len)
			break;
		start = end + 1;
	}
	return ret;
}

static int
parse_option_list(struct cg_rule *r, const struct field *f, struct cg_diags *d)
{
	size_t start = 0, end;
	int ret = 0;

	for (;;) {
		CG_AUTOFREE char *name = NULL;
		struct cg_srcloc loc;
		bool *flag = NULL;

		for (end = start; end < f->len && f->s[end] != ','; end++)
			;
		name = xstrndup(f->s + start, end - start);
		loc = field_at(f, start);
		if (end == start) {
			loc = field_at(f, start > 0 ? start - 1 : 0);
			cg_diag_error(
				d, &loc,
				"empty option, expected ignore or ignore_rt (separated by single commas)");
			ret = -1;
		} else if (strcmp(name, "ignore") == 0) {
			flag = &r->ignore;
		} else if (strcmp(name, "ignore_rt") == 0) {
			flag = &r->ignore_rt;
		} else {
			cg_diag_error(d, &loc, "unknown option '%s', expected ignore or ignore_rt",
				      name);
			ret = -1;
		}
		if (flag && *flag) {
			cg_diag_error(d, &loc,
				      "duplicate option '%s', each option may be given once", name);
			ret = -1;
		} else if (flag) {
			*flag = true;
		}
		if (end >= f->len)
			break;
		start = end + 1;
	}
	return ret;
}

/* Whether s[k] is escaped, i.e. preceded by an odd run of backslashes from `from` on. */
static bool
is_escaped(const char *s, size_t from, size_t k)
{
	size_t n = 0;

	while (k > from && s[k - 1] == '\\') {
		n++;
		k--;
	}
	return n % 2 == 1;
}

/*
 * Checks a destination and stores it with one leading '/' and every trailing '/'
 * stripped (libcgroup's examples write `usergroup/student/`); "/" is the root, stored as
 * "". Escapes and tokens are kept: cg_rule_expand() resolves them per process.
 */
static int
parse_destination(struct cg_rule *r, const struct field *f, struct cg_diags *d)
{
	const char *s = f->s;
	size_t start = 0, end = f->len, i, comp, nchars = 0;
	bool all_dots = true, tokens = false;
	int ret = 0;

	if (f->len == 0) {
		cg_diag_error(
			d, &f->loc,
			"empty destination, expected a cgroup path such as 'students/%%u', or '/' for the root");
		return -1;
	}
	if (s[0] == '/')
		start = 1;
	while (end > start && s[end - 1] == '/' && !is_escaped(s, start, end - 1))
		end--;
	comp = start;
	for (i = start; i <= end && start < end;) {
		struct cg_srcloc loc = field_at(f, i);
		unsigned char ch;

		if (i == end || s[i] == '/') {
			struct cg_srcloc cloc = field_at(f, comp);

			if (nchars == 0 && !tokens) {
				cg_diag_error(
					d, &loc,
					"empty path component in destination, expected names separated by single '/'");
				ret = -1;
			} else if (all_dots && !tokens && nchars <= 2) {
				cg_diag_error(
					d, &cloc,
					"'%s' is not allowed as a path component of a destination, expected a cgroup name",
					nchars == 1 ? "." : "..");
				ret = -1;
			}
			comp = ++i;
			nchars = 0;
			all_dots = true;
			tokens = false;
			continue;
		}
		ch = (unsigned char)s[i];
		if (ch == '\\') {
			if (i + 1 >= end) {
				cg_diag_error(
					d, &loc,
					"'\\' at the end of the destination escapes nothing, write '\\\\' for a backslash");
				ret = -1;
				/* reported: not an empty component as well */
				nchars++;
				all_dots = false;
				i++;
				continue;
			}
			ch = (unsigned char)s[i + 1];
			loc = field_at(f, i + 1);
			if (ch == '/') {
				cg_diag_error(
					d, &loc,
					"escaped '/' in destination, a cgroup name cannot contain '/'");
				ret = -1;
			} else if (is_control(ch)) {
				cg_diag_error(
					d, &loc,
					"control character 0x%02x in destination, expected printable characters",
					ch);
				ret = -1;
			}
			all_dots = all_dots && ch == '.';
			nchars++;
			i += 2;
			continue;
		}
		if (ch == '%') {
			size_t n;

			if (i + 1 >= end) {
				cg_diag_error(
					d, &loc,
					"incomplete token '%%' at the end of the destination, expected one of %%u %%U %%g %%G %%p %%P, or '\\%%' for a literal percent sign");
				ret = -1;
				tokens = true;
				all_dots = false;
				i++;
				continue;
			}
			ch = (unsigned char)s[i + 1];
			if (ch == '\0' || !strchr("uUgGpP", ch)) {
				if (ch == '/') {
					/* leave the '/' to end the component */
					cg_diag_error(
						d, &loc,
						"unknown token '%%/', expected one of %%u %%U %%g %%G %%p %%P, or '\\%%' for a literal percent sign");
					n = 0;
				} else if (is_control(ch)) {
					cg_diag_error(
						d, &loc,
						"incomplete token '%%' followed by control character 0x%02x, expected one of %%u %%U %%g %%G %%p %%P, or '\\%%' for a literal percent sign",
						ch);
					n = 1;
				} else {
					n = utf8_len(s + i + 1, end - i - 1);
					cg_diag_error(
						d, &loc,
						"unknown token '%%%.*s', expected one of %%u %%U %%g %%G %%p %%P, or '\\%%' for a literal percent sign",
						(int)n, s + i + 1);
				}
				ret = -1;
				tokens = true;
				all_dots = false;
				i += 1 + n;
				continue;
			}
			tokens = true;
			all_dots = false;
			i += 2;
			continue;
		}
		if (is_control(ch)) {
			cg_diag_error(
				d, &loc,
				"control character 0x%02x in destination, expected printable characters",
				ch);
			ret = -1;
		}
		all_dots = all_dots && ch == '.';
		nchars++;
		i++;
	}
	if (ret < 0)
		return -1;
	r->destination = xstrndup(s + start, end - start);
	r->dest_loc = f->loc;
	return 0;
}

/* ---- cgrules.conf ---- */

struct conf_tok {
	struct strbuf text;
	unsigned *cols;
	size_t ncols, cols_alloc;
	unsigned col;	  /* of the first character, an opening quote included */
	unsigned end_col; /* just past the last character */
};

static void
tok_add(struct conf_tok *t, char ch, size_t idx)
{
	strbuf_addch(&t->text, ch);
	t->cols = xgrow(t->cols, sizeof(*t->cols), t->ncols + 1, &t->cols_alloc);
	t->cols[t->ncols++] = (unsigned)idx + 1;
}

static void
tok_release(struct conf_tok *t)
{
	strbuf_release(&t->text);
	free(t->cols);
	memset(t, 0, sizeof(*t));
	strbuf_init(&t->text);
}

static bool
is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

/*
 * Splits a line into blank-separated fields. `#` starts a comment outside quotes; a
 * double-quoted run (`\"` and `\\` escape inside it) may make up the whole field or a
 * part of it, so both `"*:Web Content"` and the man page's `@students:"Web Browser"`
 * work. Stops after RULES_MAX_FIELDS fields. Returns -1 after an error.
 */
static int
tokenize(const char *line, size_t len, struct cg_srcloc loc, struct conf_tok *toks, size_t *ntoks,
	 struct cg_diags *d)
{
	size_t i = 0;

	*ntoks = 0;
	while (i < len && *ntoks < RULES_MAX_FIELDS) {
		struct conf_tok *t;

		if (is_blank(line[i])) {
			i++;
			continue;
		}
		if (line[i] == '#')
			break;
		t = &toks[(*ntoks)++];
		t->col = (unsigned)i + 1;
		while (i < len && !is_blank(line[i]) && line[i] != '#') {
			size_t quote = i;

			if (line[i] != '"') {
				if (is_control((unsigned char)line[i]))
					goto control;
				tok_add(t, line[i], i);
				i++;
				continue;
			}
			for (i++; i < len && line[i] != '"'; i++) {
				if (line[i] == '\\' && i + 1 < len &&
				    (line[i + 1] == '"' || line[i + 1] == '\\'))
					i++;
				if (is_control((unsigned char)line[i]))
					goto control;
				tok_add(t, line[i], i);
			}
			if (i == len) {
				loc.col = (unsigned)quote + 1;
				cg_diag_error(d, &loc,
					      "unterminated quoted field, expected a closing '\"'");
				return -1;
			}
			i++;
		}
		t->end_col = (unsigned)i + 1;
	}
	return 0;
control:
	loc.col = (unsigned)i + 1;
	cg_diag_error(d, &loc, "control character 0x%02x in rule, expected printable characters",
		      (unsigned char)line[i]);
	return -1;
}

static void
add_rule(struct cg_model *m, struct cg_rule *r)
{
	*cg_model_add_rule(m) = *r;
	memset(r, 0, sizeof(*r));
}

static struct field
tok_field(const struct conf_tok *t, struct cg_srcloc loc)
{
	struct field f = { t->text.buf, t->text.len, t->cols, loc };

	f.loc.col = t->col;
	return f;
}

/* Checks the number of fields of a non-blank line; returns -1 after an error. */
static int
conf_field_count(const struct conf_tok *toks, size_t ntoks, struct cg_srcloc loc,
		 struct cg_diags *d)
{
	if (ntoks > 4) {
		loc.col = toks[4].col;
		cg_diag_error(d, &loc,
			      "unexpected fifth field '%s', expected " RULES_SYNOPSIS
			      " (quote a field that holds spaces)",
			      toks[4].text.buf);
		return -1;
	}
	if (ntoks < 3) {
		/* where the missing field should have started */
		loc.col = toks[ntoks - 1].end_col;
		cg_diag_error(d, &loc, "missing %s, expected " RULES_SYNOPSIS,
			      ntoks == 1 ? "controllers and destination" : "destination");
		return -1;
	}
	return 0;
}

/* Parses the 3 or 4 fields of a rule line and adds the rule unless it is left out. */
static void
conf_rule(const struct rules_ctx *c, const struct conf_tok *toks, size_t ntoks,
	  struct cg_srcloc loc, enum rules_chain *chain)
{
	struct field who = tok_field(&toks[0], loc), f;
	const char *colon = memchr(who.s, ':', who.len);
	CG_AUTOFREE char *key = xstrndup(who.s, colon ? (size_t)(colon - who.s) : who.len);
	bool bad = false, unknown = false, ditto = strcmp(key, "%") == 0;
	struct cg_rule r;

	memset(&r, 0, sizeof(r));
	r.loc = who.loc;
	f = who;
	f.s = key;
	f.len = strlen(key);
	if (f.len == 0) {
		cg_diag_error(
			c->d, &who.loc,
			"missing user before ':', expected a user name or number, '@group', '*' or '%%'");
		bad = true;
	} else if (parse_who(&r, &f, true, c, &unknown) < 0) {
		bad = true;
	}
	if (colon) {
		size_t at = (size_t)(colon - who.s);
		struct cg_srcloc cloc = field_at(&who, at);

		f.s = who.s + at + 1;
		f.len = who.len - at - 1;
		f.cols = who.cols + at + 1;
		f.loc = cloc;
		f.loc.col++;
		if (ditto) {
			cg_diag_error(c->d, &cloc,
				      "'%%' continues the previous rule and cannot name a process");
			bad = true;
		} else if (f.len == 0) {
			cg_diag_error(
				c->d, &cloc,
				"missing process after ':', expected a path, a name or a prefix ending in '*'");
			bad = true;
		} else if (parse_process(&r, &f, c->d) < 0) {
			bad = true;
		}
	}
	f = tok_field(&toks[1], loc);
	if (parse_controller_list(&r, &f, c->d) < 0)
		bad = true;
	f = tok_field(&toks[2], loc);
	if (parse_destination(&r, &f, c->d) < 0)
		bad = true;
	if (ntoks == 4) {
		f = tok_field(&toks[3], loc);
		if (parse_option_list(&r, &f, c->d) < 0)
			bad = true;
	}

	if (!ditto) {
		*chain = bad ? RULES_CHAIN_ERROR : unknown ? RULES_CHAIN_SKIPPED : RULES_CHAIN_OK;
		if (*chain == RULES_CHAIN_OK)
			add_rule(c->m, &r);
	} else {
		switch (*chain) {
		case RULES_CHAIN_NONE:
			cg_diag_error(
				c->d, &who.loc,
				"'%%' continues the previous rule, but there is none, expected a user name or number, '@group' or '*'");
			break;
		case RULES_CHAIN_OK:
			if (!bad)
				add_rule(c->m, &r);
			break;
		case RULES_CHAIN_SKIPPED:
		case RULES_CHAIN_ERROR:
			/* left out with the rule it continues, which was already reported */
			break;
		}
	}
	cg_rule_release(&r);
}

/* Parses one line; `chain` is the state of the last rule that `%` lines continue. */
static void
conf_line(const struct rules_ctx *c, const char *line, size_t len, struct cg_srcloc loc,
	  enum rules_chain *chain)
{
	struct conf_tok toks[RULES_MAX_FIELDS];
	size_t ntoks = 0, i;

	memset(toks, 0, sizeof(toks));
	for (i = 0; i < RULES_MAX_FIELDS; i++)
		strbuf_init(&toks[i].text);
	if (tokenize(line, len, loc, toks, &ntoks, c->d) < 0 ||
	    (ntoks > 0 && conf_field_count(toks, ntoks, loc, c->d) < 0)) {
		/* a broken `%` line leaves the chain to the rule it continues */
		if (!(ntoks > 0 && strcmp(toks[0].text.buf, "%") == 0))
			*chain = RULES_CHAIN_ERROR;
	} else if (ntoks > 0) {
		conf_rule(c, toks, ntoks, loc, chain);
	}
	for (i = 0; i < RULES_MAX_FIELDS; i++)
		tok_release(&toks[i]);
}

int
cg_rules_parse_conf(struct cg_model *m, const char *file, const char *buf, size_t len,
		    const struct cg_rules_opts *opts, struct cg_diags *d)
{
	struct rules_ctx c = { m, opts ? opts : &rules_default_opts, d };
	enum rules_chain chain = RULES_CHAIN_NONE;
	const char *p = buf, *end = buf + len, *nl;
	struct cg_srcloc loc = { file, 0, 1 };
	size_t errors = d->errors, n;

	/* a UTF-8 byte order mark is invisible in editors: columns count from after it */
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = (size_t)((nl ? nl : end) - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		loc.line++;
		conf_line(&c, p, n, loc, &chain);
		if (!nl)
			break;
		p = nl + 1;
	}
	return d->errors > errors ? -1 : 0;
}

/* ---- YAML ---- */

static const char *const rule_keys[] = {
	"user", "process", "controllers", "destination", "options", NULL,
};

/* The closest rule key to a misspelled one, or NULL. */
static const char *
suggest_key(const char *key)
{
	static const char *const candidates[] = {
		"user", "process", "controllers", "destination", "options", "include", NULL,
	};
	const char *best = NULL;
	size_t i, dist, best_dist = 3;

	for (i = 0; candidates[i]; i++) {
		dist = cg_edit_distance(key, candidates[i]);
		if (dist < best_dist && dist < strlen(candidates[i])) {
			best = candidates[i];
			best_dist = dist;
		}
	}
	return best;
}

/*
 * The text of a scalar value, "" for an empty one. Adds an error and returns NULL for a
 * list, a mapping, or a text holding a NUL character.
 */
static const char *
yaml_text(const struct yn *v, const char *key, const char *expected, struct cg_diags *d)
{
	if (v->invalid) /* a refused alias, already reported */
		return NULL;
	if (v->kind == YN_NULL)
		return "";
	if (v->kind != YN_SCALAR) {
		cg_diag_error(d, &v->loc, "'%s' must be %s, not %s", key, expected,
			      yn_kind_name(v->kind));
		return NULL;
	}
	if (strlen(v->str) != v->len) {
		cg_diag_error(d, &v->loc, "'%s' must not contain a NUL character", key);
		return NULL;
	}
	return v->str;
}

static struct field
yaml_field(const struct yn *v, const char *text)
{
	struct field f = { text, strlen(text), NULL, v->loc };

	return f;
}

static int
yaml_controllers(struct cg_rule *r, const struct yn *v, struct cg_diags *d)
{
	size_t i;
	int ret = 0;

	if (v->invalid)
		return -1;
	if (v->kind == YN_SCALAR && strcmp(v->str, "*") == 0) {
		r->all_controllers = true;
		return 0;
	}
	if (v->kind != YN_SEQ) {
		cg_diag_error(d, &v->loc,
			      "'controllers' must be a list of controller names or \"*\"");
		return -1;
	}
	if (v->n == 0) {
		cg_diag_error(
			d, &v->loc,
			"'controllers' must not be empty, expected a list of controller names or \"*\"");
		return -1;
	}
	for (i = 0; i < v->n; i++) {
		const struct yn *item = v->items[i];
		const char *name = yaml_text(item, "controllers", "a list of controller names", d);

		if (!name) {
			ret = -1;
		} else if (!*name) {
			cg_diag_error(
				d, &item->loc,
				"empty controller name, expected a controller such as 'cpu' or 'memory'");
			ret = -1;
		} else if (parse_controller(r, name, &item->loc, d) < 0) {
			ret = -1;
		}
	}
	return ret;
}

static int
yaml_options(struct cg_rule *r, const struct yn *v, struct cg_diags *d)
{
	const char *text;
	struct field f;
	size_t i;
	int ret = 0;

	if (v->invalid)
		return -1;
	if (v->kind == YN_NULL)
		return 0;
	if (v->kind == YN_SCALAR) {
		if (!(text = yaml_text(v, "options", "a list of options", d)))
			return -1;
		f = yaml_field(v, text);
		return parse_option_list(r, &f, d);
	}
	if (v->kind != YN_SEQ) {
		cg_diag_error(d, &v->loc,
			      "'options' must be a list of options (ignore, ignore_rt), not %s",
			      yn_kind_name(v->kind));
		return -1;
	}
	for (i = 0; i < v->n; i++) {
		if (!(text = yaml_text(v->items[i], "options", "a list of option names", d))) {
			ret = -1;
			continue;
		}
		f = yaml_field(v->items[i], text);
		if (parse_option_list(r, &f, d) < 0)
			ret = -1;
	}
	return ret;
}

static void
yaml_rule(const struct rules_ctx *c, const struct yn *map)
{
	const struct yn *vals[sizeof(rule_keys) / sizeof(rule_keys[0])] = { NULL };
	bool suggested[sizeof(rule_keys) / sizeof(rule_keys[0])] = { false };
	const struct yn *user, *process, *controllers, *destination, *options;
	bool bad = false, unknown = false;
	struct cg_rule r;
	const char *text;
	struct field f;
	size_t i, k;

	memset(&r, 0, sizeof(r));
	for (i = 0; i < map->n; i++) {
		const char *key = map->pairs[i].key->str;
		const char *sugg;

		for (k = 0; rule_keys[k] && strcmp(rule_keys[k], key) != 0; k++)
			;
		if (rule_keys[k]) {
			vals[k] = map->pairs[i].val;
			continue;
		}
		bad = true;
		sugg = suggest_key(key);
		if (!sugg) {
			cg_diag_error(
				c->d, &map->pairs[i].key->loc,
				"unknown key '%s' in rule, expected user, process, controllers, destination or options",
				key);
			continue;
		}
		cg_diag_error(c->d, &map->pairs[i].key->loc,
			      "unknown key '%s' in rule, did you mean '%s'?", key, sugg);
		/* no second message that the key it resembles is missing */
		for (k = 0; rule_keys[k]; k++)
			if (strcmp(rule_keys[k], sugg) == 0)
				suggested[k] = true;
	}
	user = vals[0];
	process = vals[1];
	controllers = vals[2];
	destination = vals[3];
	options = vals[4];
	if (!user && !suggested[0])
		cg_diag_error(
			c->d, &map->loc,
			"rule has no 'user', expected a user name or number, '@group' or '*'");
	if (!controllers && !suggested[2])
		cg_diag_error(
			c->d, &map->loc,
			"rule has no 'controllers', expected a list of controller names or \"*\"");
	if (!destination && !suggested[3])
		cg_diag_error(c->d, &map->loc, "rule has no 'destination', expected a cgroup path");
	if (!user || !controllers || !destination)
		bad = true;

	r.loc = user ? user->loc : map->loc;
	if (user) {
		text = yaml_text(user, "user", "a user name or number, '@group' or '*'", c->d);
		f = yaml_field(user, text ? text : "");
		if (!text) {
			bad = true;
		} else if (!*text) {
			cg_diag_error(
				c->d, &user->loc,
				"'user' must not be empty, expected a user name or number, '@group' or '*'");
			bad = true;
		} else if (strchr(text, ':')) {
			cg_diag_error(
				c->d, &user->loc,
				"invalid user '%s': write the process under 'process', not after ':'",
				text);
			bad = true;
		} else if (parse_who(&r, &f, false, c, &unknown) < 0) {
			bad = true;
		}
	}
	if (process) {
		text = yaml_text(process, "process", "a process path or name", c->d);
		f = yaml_field(process, text ? text : "");
		if (!text) {
			bad = true;
		} else if (!*text) {
			cg_diag_error(
				c->d, &process->loc,
				"'process' must not be empty, leave it out to match every process");
			bad = true;
		} else if (parse_process(&r, &f, c->d) < 0) {
			bad = true;
		}
	}
	if (controllers && yaml_controllers(&r, controllers, c->d) < 0)
		bad = true;
	if (destination) {
		text = yaml_text(destination, "destination", "a cgroup path", c->d);
		f = yaml_field(destination, text ? text : "");
		if (!text || parse_destination(&r, &f, c->d) < 0)
			bad = true;
	}
	if (options && yaml_options(&r, options, c->d) < 0)
		bad = true;
	if (!bad && !unknown)
		add_rule(c->m, &r);
	cg_rule_release(&r);
}

/* Reads a whole regular file; returns 0, or an errno value (-1: not a regular file). */
static int
read_whole_file(const char *path, char **out, size_t *len)
{
	/* O_NONBLOCK: a FIFO named by mistake must not hang the parser */
	CG_AUTOCLOSE int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct strbuf sb = STRBUF_INIT;
	struct stat st;
	char chunk[8192];
	ssize_t n;

	if (fd < 0)
		return errno;
	if (fstat(fd, &st) < 0)
		return errno;
	if (S_ISDIR(st.st_mode))
		return EISDIR;
	if (!S_ISREG(st.st_mode))
		return -1;
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			strbuf_release(&sb);
			return e;
		}
		if (n == 0)
			break;
		strbuf_add(&sb, chunk, (size_t)n);
	}
	*len = sb.len;
	*out = strbuf_detach(&sb);
	return 0;
}

static void
yaml_include(const struct rules_ctx *c, const struct yn *map, const char *yaml_file)
{
	const struct yn *v = yn_map_get(map, "include");
	CG_AUTOFREE char *path = NULL;
	CG_AUTOFREE char *buf = NULL;
	struct cg_rules_opts sub;
	const char *text, *slash, *name;
	size_t i, len = 0;
	int e;

	for (i = 0; i < map->n; i++) {
		const struct yn *key = map->pairs[i].key;

		if (strcmp(key->str, "include") != 0)
			cg_diag_error(
				c->d, &key->loc,
				"'include' must be alone in its entry, move '%s' to a rule of its own",
				key->str);
	}
	text = yaml_text(v, "include", "a path to a cgrules.conf file", c->d);
	if (!text)
		return;
	if (!*text) {
		cg_diag_error(
			c->d, &v->loc,
			"'include' must not be empty, expected a path to a cgrules.conf file");
		return;
	}
	if (c->opts->include_depth >= RULES_MAX_INCLUDE_DEPTH) {
		cg_diag_error(c->d, &v->loc,
			      "cannot include '%s': includes are nested more than %d levels deep",
			      text, RULES_MAX_INCLUDE_DEPTH);
		return;
	}
	slash = yaml_file ? strrchr(yaml_file, '/') : NULL;
	if (text[0] != '/' && slash)
		path = xasprintf("%.*s/%s", (int)(slash - yaml_file), yaml_file, text);
	else
		path = xstrdup(text);
	e = read_whole_file(path, &buf, &len);
	if (e == -1) {
		cg_diag_error(c->d, &v->loc, "cannot read '%s': not a regular file", path);
		return;
	}
	if (e) {
		cg_diag_error(c->d, &v->loc, "cannot read '%s': %s", path, strerror(e));
		return;
	}
	name = cg_model_intern_file(c->m, path);
	cg_diags_add_source(c->d, name, buf, len);
	sub = *c->opts;
	sub.include_depth++;
	cg_rules_parse_conf(c->m, name, buf, len, &sub, c->d);
}

int
cg_rules_parse_yaml(struct cg_model *m, const struct yn *list, const struct cg_rules_opts *opts,
		    struct cg_diags *d)
{
	struct rules_ctx c = { m, opts ? opts : &rules_default_opts, d };
	size_t errors = d->errors, i;

	if (!list || list->kind == YN_NULL)
		return 0;
	if (list->kind != YN_SEQ) {
		cg_diag_error(d, &list->loc, "'rules' must be a list of rules, not %s",
			      yn_kind_name(list->kind));
		return -1;
	}
	for (i = 0; i < list->n; i++) {
		const struct yn *item = list->items[i];

		if (item->kind != YN_MAP)
			cg_diag_error(
				d, &item->loc,
				"each entry of 'rules' must be a mapping (a rule or {include: PATH}), not %s",
				yn_kind_name(item->kind));
		else if (yn_map_get(item, "include"))
			yaml_include(&c, item, list->loc.file);
		else
			yaml_rule(&c, item);
	}
	return d->errors > errors ? -1 : 0;
}

/* ---- destinations ---- */

/* Appends a substituted value, which must be one safe path component. */
static int
add_component(struct strbuf *sb, const char *v)
{
	const unsigned char *p;

	if (!*v || strcmp(v, ".") == 0 || strcmp(v, "..") == 0)
		return -1;
	for (p = (const unsigned char *)v; *p; p++)
		if (*p == '/' || is_control(*p))
			return -1;
	strbuf_adds(sb, v);
	return 0;
}

char *
cg_rule_expand(const char *dest, const struct cg_rule_subst *s)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p;

	for (p = dest; *p; p++) {
		if (*p == '\\') {
			if (!p[1])
				goto fail;
			strbuf_addch(&sb, *++p);
			continue;
		}
		if (*p != '%') {
			strbuf_addch(&sb, *p);
			continue;
		}
		switch (*++p) {
		case 'u':
			if (s->user && add_component(&sb, s->user) < 0)
				goto fail;
			if (!s->user)
				strbuf_addf(&sb, "%" PRIu32, s->uid);
			break;
		case 'U':
			strbuf_addf(&sb, "%" PRIu32, s->uid);
			break;
		case 'g':
			if (s->group && add_component(&sb, s->group) < 0)
				goto fail;
			if (!s->group)
				strbuf_addf(&sb, "%" PRIu32, s->gid);
			break;
		case 'G':
			strbuf_addf(&sb, "%" PRIu32, s->gid);
			break;
		case 'p':
			if (s->procname && add_component(&sb, s->procname) < 0)
				goto fail;
			if (!s->procname)
				strbuf_addf(&sb, "%ld", (long)s->pid);
			break;
		case 'P':
			strbuf_addf(&sb, "%ld", (long)s->pid);
			break;
		default:
			/* an unknown token, or '%' at the end (p is then at the NUL) */
			goto fail;
		}
	}
	return strbuf_detach(&sb);
fail:
	strbuf_release(&sb);
	return NULL;
}

bool
cg_rule_dest_has_tokens(const char *dest)
{
	const char *p;

	for (p = dest; *p; p++) {
		if (*p == '\\' && p[1])
			p++;
		else if (*p == '%')
			return true;
	}
	return false;
}

/* ---- destinations against the groups ---- */

char *
cg_rule_dest_group(const char *dest)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p;

	for (p = dest; *p; p++) {
		/* `\%` stays escaped: a literal '%', which no group name can hold */
		if (*p == '\\' && p[1] && p[1] != '%')
			p++;
		else if (*p == '\\' && p[1])
			strbuf_addch(&sb, *p++);
		strbuf_addch(&sb, *p);
	}
	return strbuf_detach(&sb);
}

/*
 * Controllers that systemd and most distributions mount together (cpu,cpuacct and
 * net_cls,net_prio): a group with a block for one of them has a directory in the
 * hierarchy of the other on such hosts, so a rule may name both. Where they are mounted
 * apart, cg_place_scan() leaves the move out with a warning.
 */
static const char *const comounted[][2] = {
	{ "cpu", "cpuacct" },
	{ "net_cls", "net_prio" },
};

static bool
block_serves(const char *block, const char *ctl)
{
	size_t i;

	if (strcmp(block, ctl) == 0)
		return true;
	for (i = 0; i < sizeof(comounted) / sizeof(comounted[0]); i++)
		if ((strcmp(block, comounted[i][0]) == 0 && strcmp(ctl, comounted[i][1]) == 0) ||
		    (strcmp(block, comounted[i][1]) == 0 && strcmp(ctl, comounted[i][0]) == 0))
			return true;
	return false;
}

/* As apply/layout places groups: a group is where its blocks are and its descendants are. */
static bool
group_has_controller(const struct cg_model *m, const char *path, const char *ctl)
{
	size_t len = strlen(path), i, k;

	for (i = 0; i < m->ngroups; i++) {
		const struct cg_group *g = &m->groups[i];

		if (strncmp(g->path, path, len) != 0 || (g->path[len] && g->path[len] != '/'))
			continue;
		for (k = 0; k < g->nctls; k++)
			if (block_serves(g->ctls[k].name, ctl))
				return true;
	}
	return false;
}

static void
check_controllers(const struct cg_model *m, const struct cg_rule *r, const struct cg_group *g,
		  struct cg_diags *d)
{
	size_t i;

	for (i = 0; i < r->ncontrollers; i++) {
		const char *c = r->controllers[i];

		if (group_has_controller(m, g->path, c))
			continue;
		cg_diag_error(
			d, r->controller_locs ? &r->controller_locs[i] : &r->loc,
			"controller '%s' is not in the destination group '%s' (it has no '%s' block, so no directory there): add '%s: {}' to group '%s', or drop '%s' from the rule",
			c, g->path, c, c, g->path, c);
	}
}

void
cg_rules_check_destinations(const struct cg_model *m, struct cg_diags *d)
{
	size_t i;

	for (i = 0; i < m->nrules; i++) {
		const struct cg_rule *r = &m->rules[i];
		CG_AUTOFREE char *name = NULL;
		const struct cg_group *g;

		/* an ignore rule only compares: its destination need not be a group */
		if (r->ignore || r->ignore_rt || !*r->destination)
			continue;
		name = cg_rule_dest_group(r->destination);
		g = cg_model_find_group(m, name);
		if (cg_rule_dest_has_tokens(r->destination)) {
			if (!g || !g->is_template)
				cg_diag_error(
					d, &r->dest_loc,
					"destination '%s' has %% tokens but no template group of that name is configured, expected a group '%s' under groups:",
					r->destination, name);
			else
				check_controllers(m, r, g, d);
			continue;
		}
		if (!g || g->is_template)
			cg_diag_error(
				d, &r->dest_loc,
				"destination '%s' is not a configured group, expected one of the groups under groups: (or a template group with %% tokens)",
				r->destination);
		else
			check_controllers(m, r, g, d);
	}
}
