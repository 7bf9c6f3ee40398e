/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "apply/state.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "apply/hierarchy.h"
#include "apply/readback.h"
#include "lib/cleanup.h"
#include "lib/xalloc.h"
#include "parser/schema.h"

/*
 * The text form, one record per line, fields separated by single spaces:
 *
 *   state 1
 *   dir /memory/web /memory /web ep-
 *   own dir 0 0 0755
 *   own tasks 1000 1000 0660
 *   own files - - -
 *   file memory.limit_in_bytes pm size 1073741824
 *   end
 *
 * A path field is "-" (none) or "/" followed by the escaped text, so that "" (a v2 tree
 * at the cgroup root) is "/". dir flags: e exists, p populated, a anchor, f
 * foreign ("-" for none).
 * file flags: p present, m managed, u unchecked (no filedef). The value is the rest of
 * the line: the kernel write format of the dir's hierarchy version, with '\n' between
 * records written as \n. Escapes: \\, \n, \t, \xHH (any other byte below 0x21, 0x7f or
 * above; spaces only in path fields and at either end of a value).
 */

#define STATE_MAGIC "state 1"

static int
path_cmp(const char *a, const char *b)
{
	for (; *a && *a == *b; a++, b++)
		;
	if (*a == *b)
		return 0;
	if (*a == '/')
		return *b ? -1 : 1;
	if (*b == '/')
		return *a ? 1 : -1;
	return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
}

void
cg_state_init(struct cg_state *s)
{
	memset(s, 0, sizeof(*s));
}

static void
file_release(struct cg_state_file *f)
{
	free(f->name);
	cg_value_release(&f->value);
	memset(f, 0, sizeof(*f));
}

static void
dir_release(struct cg_state_dir *d)
{
	size_t i;

	for (i = 0; i < d->nfiles; i++)
		file_release(&d->files[i]);
	free(d->files);
	free(d->fspath);
	free(d->group);
	memset(d, 0, sizeof(*d));
}

void
cg_state_release(struct cg_state *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		dir_release(&s->dirs[i]);
	free(s->dirs);
	memset(s, 0, sizeof(*s));
}

static void
dir_copy(struct cg_state_dir *dst, const struct cg_state_dir *src)
{
	size_t i;

	*dst = *src;
	dst->fspath = xstrdup(src->fspath);
	dst->group = src->group ? xstrdup(src->group) : NULL;
	dst->files = NULL;
	dst->files_alloc = 0;
	if (src->nfiles) {
		dst->files = xcalloc(src->nfiles, sizeof(*dst->files));
		dst->files_alloc = src->nfiles;
	}
	for (i = 0; i < src->nfiles; i++) {
		dst->files[i] = src->files[i];
		dst->files[i].name = xstrdup(src->files[i].name);
		cg_value_copy(&dst->files[i].value, &src->files[i].value);
	}
}

void
cg_state_copy(struct cg_state *dst, const struct cg_state *src)
{
	size_t i;

	cg_state_init(dst);
	if (!src->n)
		return;
	dst->dirs = xcalloc(src->n, sizeof(*dst->dirs));
	dst->alloc = src->n;
	for (i = 0; i < src->n; i++)
		dir_copy(&dst->dirs[i], &src->dirs[i]);
	dst->n = src->n;
}

/* Index of fspath, or of where it would go (with *found false). */
static size_t
dir_index(const struct cg_state *s, const char *fspath, bool *found)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = path_cmp(s->dirs[mid].fspath, fspath);

		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

struct cg_state_dir *
cg_state_add_dir(struct cg_state *s, const char *fspath)
{
	bool found;
	size_t i = dir_index(s, fspath, &found);
	struct cg_state_dir *d;

	if (found)
		return &s->dirs[i];
	s->dirs = xgrow(s->dirs, sizeof(*s->dirs), s->n + 1, &s->alloc);
	memmove(&s->dirs[i + 1], &s->dirs[i], (s->n - i) * sizeof(*s->dirs));
	s->n++;
	d = &s->dirs[i];
	memset(d, 0, sizeof(*d));
	d->fspath = xstrdup(fspath);
	return d;
}

struct cg_state_dir *
cg_state_find(const struct cg_state *s, const char *fspath)
{
	bool found;
	size_t i = dir_index(s, fspath, &found);

	return found ? &s->dirs[i] : NULL;
}

struct cg_state_dir *
cg_state_parent(const struct cg_state *s, const struct cg_state_dir *d)
{
	CG_AUTOFREE char *p = xstrdup(d->fspath);
	char *slash;

	if (!*p)
		return NULL;
	for (;;) {
		struct cg_state_dir *a;

		slash = strrchr(p, '/');
		if (slash)
			*slash = '\0';
		else
			p[0] = '\0';
		a = cg_state_find(s, p);
		if (a)
			return a;
		if (!slash)
			return NULL;
	}
}

static size_t
file_index(const struct cg_state_dir *d, const char *name, bool *found)
{
	size_t lo = 0, hi = d->nfiles;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(d->files[mid].name, name);

		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

struct cg_state_file *
cg_state_file(const struct cg_state_dir *d, const char *name)
{
	bool found;
	size_t i = file_index(d, name, &found);

	return found ? &d->files[i] : NULL;
}

/* Adds an empty (absent) file record, or returns the existing one. */
static struct cg_state_file *
file_add(struct cg_state_dir *d, const char *name)
{
	bool found;
	size_t i = file_index(d, name, &found);
	struct cg_state_file *f;

	if (found)
		return &d->files[i];
	d->files = xgrow(d->files, sizeof(*d->files), d->nfiles + 1, &d->files_alloc);
	memmove(&d->files[i + 1], &d->files[i], (d->nfiles - i) * sizeof(*d->files));
	d->nfiles++;
	f = &d->files[i];
	memset(f, 0, sizeof(*f));
	f->name = xstrdup(name);
	f->value.type = CG_VT_SIZE;
	return f;
}

struct cg_state_file *
cg_state_add_file(struct cg_state_dir *d, const char *name, const struct cg_filedef *def)
{
	struct cg_state_file *f = file_add(d, name);

	f->def = def;
	return f;
}

struct cg_state_file *
cg_state_set(struct cg_state_dir *d, const char *name, const struct cg_filedef *def,
	     const struct cg_value *v)
{
	struct cg_state_file *f = file_add(d, name);
	struct cg_value copy;

	/* copy first: v may be f's own value */
	cg_value_copy(&copy, v);
	cg_value_release(&f->value);
	f->value = copy;
	f->def = def;
	f->present = true;
	return f;
}

/* ---- text form ---- */

static void
esc_byte(struct strbuf *sb, unsigned char c)
{
	switch (c) {
	case '\\':
		strbuf_adds(sb, "\\\\");
		return;
	case '\n':
		strbuf_adds(sb, "\\n");
		return;
	case '\t':
		strbuf_adds(sb, "\\t");
		return;
	}
	strbuf_addf(sb, "\\x%02x", c);
}

static bool
needs_esc(unsigned char c)
{
	return c == '\\' || c < 0x20 || c >= 0x7f;
}

/* A path field: "-" for NULL, else "/" and the text with spaces escaped too. */
static void
add_path(struct strbuf *sb, const char *s)
{
	if (!s) {
		strbuf_addch(sb, '-');
		return;
	}
	strbuf_addch(sb, '/');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (needs_esc(c) || c == ' ')
			esc_byte(sb, c);
		else
			strbuf_addch(sb, (char)c);
	}
}

static void
add_value_text(struct strbuf *sb, const char *s)
{
	size_t i, n = strlen(s);

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (needs_esc(c) || (c == ' ' && (i == 0 || i + 1 == n)))
			esc_byte(sb, c);
		else
			strbuf_addch(sb, (char)c);
	}
}

static void
add_owner(struct strbuf *sb, const char *what, const struct cg_state_owner *o)
{
	strbuf_addf(sb, "own %s ", what);
	if (o->owner_set)
		strbuf_addf(sb, "%lu %lu", (unsigned long)o->uid, (unsigned long)o->gid);
	else
		strbuf_adds(sb, "- -");
	if (o->mode_set)
		strbuf_addf(sb, " %04lo\n", (unsigned long)(o->mode & 07777));
	else
		strbuf_adds(sb, " -\n");
}

static const char *const type_names[] = {
	[CG_VT_SIZE] = "size",	     [CG_VT_INT] = "int",     [CG_VT_BOOL] = "bool",
	[CG_VT_CPULIST] = "cpulist", [CG_VT_ENUM] = "enum",   [CG_VT_DEVLIMIT] = "devlimit",
	[CG_VT_DEVRULE] = "devrule", [CG_VT_KEYED] = "keyed", [CG_VT_CPUMAX] = "cpumax",
	[CG_VT_RAW] = "raw",
};

static enum cg_version
dir_version(const struct cg_state_dir *d)
{
	return d->hier ? d->hier->version : CG_V1;
}

void
cg_state_serialize(const struct cg_state *s, struct strbuf *out)
{
	size_t i, j;

	strbuf_adds(out, STATE_MAGIC "\n");
	for (i = 0; i < s->n; i++) {
		const struct cg_state_dir *d = &s->dirs[i];
		bool any = false;

		strbuf_adds(out, "dir ");
		add_path(out, d->fspath);
		strbuf_addch(out, ' ');
		add_path(out, d->hier ? d->hier->mount : NULL);
		strbuf_addch(out, ' ');
		add_path(out, d->group);
		strbuf_addch(out, ' ');
		if (d->exists) {
			strbuf_addch(out, 'e');
			any = true;
		}
		if (d->populated) {
			strbuf_addch(out, 'p');
			any = true;
		}
		if (d->anchor) {
			strbuf_addch(out, 'a');
			any = true;
		}
		if (d->foreign) {
			strbuf_addch(out, 'f');
			any = true;
		}
		if (!any)
			strbuf_addch(out, '-');
		strbuf_addch(out, '\n');
		add_owner(out, "dir", &d->dir);
		add_owner(out, "tasks", &d->tasks);
		add_owner(out, "files", &d->ctlfiles);
		for (j = 0; j < d->nfiles; j++) {
			const struct cg_state_file *f = &d->files[j];
			struct strbuf val = STRBUF_INIT;

			strbuf_adds(out, "file ");
			add_path(out, f->name);
			strbuf_addch(out, ' ');
			any = false;
			if (f->present) {
				strbuf_addch(out, 'p');
				any = true;
			}
			if (f->managed) {
				strbuf_addch(out, 'm');
				any = true;
			}
			if (!f->def) {
				strbuf_addch(out, 'u');
				any = true;
			}
			if (!any)
				strbuf_addch(out, '-');
			strbuf_addf(out, " %s ", type_names[f->value.type]);
			cg_value_format(&f->value, dir_version(d), &val);
			add_value_text(out, val.buf);
			strbuf_release(&val);
			strbuf_addch(out, '\n');
		}
	}
	strbuf_adds(out, "end\n");
}

const char *
cg_state_text_end(const char *text, size_t len)
{
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (n == 3 && memcmp(p, "end", 3) == 0)
			return nl ? nl + 1 : end;
		if (!nl)
			break;
		p = nl + 1;
	}
	return NULL;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Undoes the escapes of s[0..n) into out; false on a bad escape or a NUL byte. */
static bool
unescape(const char *s, size_t n, struct strbuf *out)
{
	size_t i;

	strbuf_reset(out);
	for (i = 0; i < n; i++) {
		int hi, lo;

		if (s[i] != '\\') {
			strbuf_addch(out, s[i]);
			continue;
		}
		if (++i >= n)
			return false;
		switch (s[i]) {
		case '\\':
			strbuf_addch(out, '\\');
			break;
		case 'n':
			strbuf_addch(out, '\n');
			break;
		case 't':
			strbuf_addch(out, '\t');
			break;
		case 'x':
			if (i + 2 >= n)
				return false;
			hi = hexval(s[i + 1]);
			lo = hexval(s[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				return false;
			strbuf_addch(out, (char)(hi * 16 + lo));
			i += 2;
			break;
		default:
			return false;
		}
	}
	return true;
}

/* A path field: *out NULL for "-", else an owned string. */
static bool
parse_path(const char *s, size_t n, char **out)
{
	struct strbuf sb = STRBUF_INIT;

	if (n == 1 && s[0] == '-') {
		*out = NULL;
		return true;
	}
	if (n == 0 || s[0] != '/' || !unescape(s + 1, n - 1, &sb)) {
		strbuf_release(&sb);
		return false;
	}
	*out = strbuf_detach(&sb);
	return true;
}

/* Splits line[0..n) at spaces into at most max fields; the last takes the rest. */
static size_t
split(const char *line, size_t n, size_t max, const char **f, size_t *flen)
{
	size_t k = 0, i = 0;

	while (k < max) {
		size_t start = i;

		if (k + 1 == max) {
			f[k] = line + start;
			flen[k++] = n - start;
			break;
		}
		while (i < n && line[i] != ' ')
			i++;
		f[k] = line + start;
		flen[k++] = i - start;
		if (i >= n)
			break;
		i++;
	}
	return k;
}

static bool
field_is(const char *f, size_t n, const char *s)
{
	return strlen(s) == n && memcmp(f, s, n) == 0;
}

static bool
parse_ulong(const char *f, size_t n, unsigned long max, int base, unsigned long *out)
{
	unsigned long v = 0;
	size_t i;

	if (n == 0 || n > 20)
		return false;
	for (i = 0; i < n; i++) {
		int d = hexval(f[i]);

		if (d < 0 || d >= base)
			return false;
		if (v > (max - (unsigned long)d) / (unsigned long)base)
			return false;
		v = v * (unsigned long)base + (unsigned long)d;
	}
	*out = v;
	return true;
}

static bool
parse_owner(const char **f, const size_t *fl, struct cg_state_owner *o)
{
	unsigned long uid, gid, mode;

	memset(o, 0, sizeof(*o));
	if (field_is(f[0], fl[0], "-") && field_is(f[1], fl[1], "-")) {
		o->owner_set = false;
	} else if (parse_ulong(f[0], fl[0], UINT32_MAX, 10, &uid) &&
		   parse_ulong(f[1], fl[1], UINT32_MAX, 10, &gid)) {
		o->owner_set = true;
		o->uid = (uid_t)uid;
		o->gid = (gid_t)gid;
	} else {
		return false;
	}
	if (field_is(f[2], fl[2], "-"))
		return true;
	if (!parse_ulong(f[2], fl[2], 07777, 8, &mode))
		return false;
	o->mode_set = true;
	o->mode = (mode_t)mode;
	return true;
}

static const struct cg_hier *
find_hier(const struct cg_hier *hiers, size_t nhiers, const char *mount)
{
	size_t i;

	for (i = 0; i < nhiers; i++)
		if (strcmp(hiers[i].mount, mount) == 0)
			return &hiers[i];
	return NULL;
}

static int
bad_line(struct cg_error **err, size_t lineno, const char *what)
{
	return cg_error_set(err, CG_E_PRECOND, 0, "cannot read saved state: line %zu: %s", lineno,
			    what);
}

static int
parse_dir_line(const char *line, size_t n, size_t lineno, const struct cg_hier *hiers,
	       size_t nhiers, struct cg_state *out, struct cg_state_dir **cur,
	       struct cg_error **err)
{
	const char *f[5];
	size_t fl[5], i;
	CG_AUTOFREE char *path = NULL;
	CG_AUTOFREE char *mount = NULL;
	CG_AUTOFREE char *group = NULL;
	const struct cg_hier *h = NULL;
	struct cg_state_dir *d;

	if (split(line, n, 5, f, fl) != 5 || fl[4] == 0 || memchr(f[4], ' ', fl[4]))
		return bad_line(err, lineno, "expected 'dir PATH HIER GROUP FLAGS'");
	if (!parse_path(f[1], fl[1], &path) || !path || !parse_path(f[2], fl[2], &mount) ||
	    !parse_path(f[3], fl[3], &group))
		return bad_line(err, lineno, "bad path field");
	if (mount) {
		h = find_hier(hiers, nhiers, mount);
		if (!h)
			return cg_error_set(
				err, CG_E_PRECOND, 0,
				"cannot read saved state: line %zu: hierarchy '%s' is not mounted on this host",
				lineno, mount);
	}
	if (cg_state_find(out, path))
		return bad_line(err, lineno, "directory given twice");
	d = cg_state_add_dir(out, path);
	d->hier = h;
	d->group = group;
	group = NULL;
	if (!field_is(f[4], fl[4], "-")) {
		for (i = 0; i < fl[4]; i++) {
			switch (f[4][i]) {
			case 'e':
				d->exists = true;
				break;
			case 'p':
				d->populated = true;
				break;
			case 'a':
				d->anchor = true;
				break;
			case 'f':
				d->foreign = true;
				break;
			default:
				return bad_line(err, lineno, "unknown directory flag");
			}
		}
	}
	*cur = d;
	return 0;
}

static int
parse_file_line(const char *line, size_t n, size_t lineno, struct cg_state_dir *d,
		struct cg_error **err)
{
	const char *f[5];
	size_t fl[5], i, t;
	CG_AUTOFREE char *name = NULL;
	struct strbuf text = STRBUF_INIT;
	bool present = false, managed = false, unchecked = false;
	const struct cg_filedef *def = NULL;
	struct cg_state_file *sf;
	struct cg_value v;
	struct cg_error *perr = NULL;
	int r;

	if (split(line, n, 5, f, fl) != 5)
		return bad_line(err, lineno, "expected 'file NAME FLAGS TYPE VALUE'");
	if (!parse_path(f[1], fl[1], &name) || !name || !*name)
		return bad_line(err, lineno, "bad file name");
	if (cg_state_file(d, name))
		return bad_line(err, lineno, "file given twice");
	if (!field_is(f[2], fl[2], "-")) {
		for (i = 0; i < fl[2]; i++) {
			switch (f[2][i]) {
			case 'p':
				present = true;
				break;
			case 'm':
				managed = true;
				break;
			case 'u':
				unchecked = true;
				break;
			default:
				return bad_line(err, lineno, "unknown file flag");
			}
		}
	}
	for (t = 0; t < sizeof(type_names) / sizeof(type_names[0]); t++)
		if (type_names[t] && field_is(f[3], fl[3], type_names[t]))
			break;
	if (t == sizeof(type_names) / sizeof(type_names[0]))
		return bad_line(err, lineno, "unknown value type");
	if (!unescape(f[4], fl[4], &text)) {
		strbuf_release(&text);
		return bad_line(err, lineno, "bad escape in the value");
	}
	if (!unchecked)
		def = cg_schema_file_any(name);
	r = cg_readback_parse_as((enum cg_vtype)t, def, name, text.buf, dir_version(d), false, &v,
				 &perr);
	strbuf_release(&text);
	if (r < 0) {
		r = cg_error_set(err, CG_E_PRECOND, perr->errnum,
				 "cannot read saved state: line %zu: %s", lineno, perr->msg);
		cg_error_free(perr);
		return r;
	}
	sf = cg_state_add_file(d, name, def);
	cg_value_release(&sf->value);
	sf->value = v;
	sf->present = present;
	sf->managed = managed;
	return 0;
}

int
cg_state_parse(const char *text, size_t len, const struct cg_hier *hiers, size_t nhiers,
	       struct cg_state *out, struct cg_error **err)
{
	struct cg_state s;
	struct cg_state_dir *cur = NULL;
	const char *p = text, *end = text + len;
	size_t lineno = 0;
	bool done = false;

	cg_state_init(&s);
	while (p < end && !done) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *f[5];
		size_t fl[5];
		int r = 0;

		lineno++;
		if (memchr(p, '\0', n)) {
			r = bad_line(err, lineno, "NUL byte");
		} else if (lineno == 1) {
			if (!(n == strlen(STATE_MAGIC) && memcmp(p, STATE_MAGIC, n) == 0))
				r = bad_line(err, lineno, "expected '" STATE_MAGIC "'");
		} else if (field_is(p, n, "end")) {
			done = true;
		} else if (n > 4 && memcmp(p, "dir ", 4) == 0) {
			r = parse_dir_line(p, n, lineno, hiers, nhiers, &s, &cur, err);
		} else if (n > 4 && memcmp(p, "own ", 4) == 0) {
			struct cg_state_owner *o = NULL;

			if (split(p, n, 5, f, fl) != 5 || !cur) {
				r = bad_line(err, lineno,
					     "expected 'own WHAT UID GID MODE' after a dir");
			} else {
				if (field_is(f[1], fl[1], "dir"))
					o = &cur->dir;
				else if (field_is(f[1], fl[1], "tasks"))
					o = &cur->tasks;
				else if (field_is(f[1], fl[1], "files"))
					o = &cur->ctlfiles;
				if (!o || !parse_owner(f + 2, fl + 2, o))
					r = bad_line(err, lineno, "bad owner record");
			}
		} else if (n > 5 && memcmp(p, "file ", 5) == 0) {
			if (!cur)
				r = bad_line(err, lineno, "file record before any dir");
			else
				r = parse_file_line(p, n, lineno, cur, err);
		} else {
			r = bad_line(err, lineno, "unknown record");
		}
		if (r < 0) {
			cg_state_release(&s);
			return -1;
		}
		p = nl ? nl + 1 : end;
	}
	if (!done) {
		cg_state_release(&s);
		return cg_error_set(err, CG_E_PRECOND, 0,
				    "cannot read saved state: it is truncated (no 'end' line)");
	}
	*out = s;
	return 0;
}
