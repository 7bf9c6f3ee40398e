/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "apply/readback.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/chars.h"
#include "lib/cleanup.h"
#include "lib/strbuf.h"
#include "lib/xalloc.h"
#include "parser/schema.h"

/*
 * The kernel's read-back is lenient input here: whatever it prints for a file is a
 * value (a weight of 0, a number past a configured range), while anything the kernel
 * never prints (a word where a number goes) is an error, since comparing it would be
 * meaningless. ../shared/reference/ordering-survey.md §4 lists the quirks handled.
 */

#define ACC_R 1u
#define ACC_W 2u
#define ACC_M 4u

/* ids in a cpu list read back from the kernel: well above any machine's cpus */
#define READBACK_MAX_ID 65535

/* transition or invalid states the kernel prints but never takes */
static const char *const extra_words[] = {
	"FREEZING", "domain threaded", "domain invalid", "root invalid", "isolated invalid", NULL,
};

struct special {
	const char *name;
	enum cg_vtype type;
};

/* read-only files the planner reads for its checks, and devices.list */
static const struct special specials[] = {
	{ "devices.list", CG_VT_DEVRULE },
	{ "memory.usage_in_bytes", CG_VT_SIZE },
	{ "memory.memsw.usage_in_bytes", CG_VT_SIZE },
	{ "memory.kmem.usage_in_bytes", CG_VT_SIZE },
	{ "memory.current", CG_VT_SIZE },
	{ "memory.swap.current", CG_VT_SIZE },
	{ "memory.peak", CG_VT_SIZE },
	{ "pids.current", CG_VT_INT },
	{ "cpuset.effective_cpus", CG_VT_CPULIST },
	{ "cpuset.effective_mems", CG_VT_CPULIST },
	{ "cpuset.cpus.effective", CG_VT_CPULIST },
	{ "cpuset.mems.effective", CG_VT_CPULIST },
};

static bool
has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static const char *
file_name(const struct cg_filedef *def, const char *name)
{
	if (name)
		return name;
	return def ? def->name : "?";
}

enum cg_vtype
cg_readback_type(const struct cg_filedef *def, const char *name)
{
	const char *n = file_name(def, name);
	size_t i;

	for (i = 0; i < sizeof(specials) / sizeof(specials[0]); i++)
		if (strcmp(specials[i].name, n) == 0)
			return specials[i].type;
	return def ? def->type : CG_VT_RAW;
}

/* text without leading and trailing whitespace, as an owned string */
static char *
trimmed(const char *s)
{
	size_t n;

	while (is_space(*s))
		s++;
	n = strlen(s);
	while (n > 0 && is_space(s[n - 1]))
		n--;
	return xstrndup(s, n);
}

static uint64_t
page_size(void)
{
	long p = sysconf(_SC_PAGESIZE);

	return p > 0 ? (uint64_t)p : 4096;
}

/* "2MB" → 2 MiB (the kernel names huge page sizes in KB, MB or GB); 0 if not a size */
static uint64_t
huge_size(const char *s, size_t n)
{
	uint64_t v = 0;
	size_t i = 0;
	unsigned shift;

	for (; i < n && is_digit(s[i]); i++) {
		if (v > (UINT64_C(1) << 40))
			return 0;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (i == 0 || n - i != 2 || s[i + 1] != 'B')
		return 0;
	switch (s[i]) {
	case 'K':
		shift = 10;
		break;
	case 'M':
		shift = 20;
		break;
	case 'G':
		shift = 30;
		break;
	default:
		return 0;
	}
	return v << shift;
}

/*
 * The unit the kernel stores a size file in: the page for memory files, the huge page
 * for hugetlb.<size>.* files; 1 for anything else.
 */
static uint64_t
granule(const char *name)
{
	if (has_prefix(name, "memory."))
		return page_size();
	if (has_prefix(name, "hugetlb.")) {
		const char *a = name + strlen("hugetlb.");
		const char *dot = strchr(a, '.');
		uint64_t h = dot ? huge_size(a, (size_t)(dot - a)) : 0;

		return h ? h : page_size();
	}
	return 1;
}

/* Sizes at or above this read back from a file with no limit (PAGE_COUNTER_MAX pages). */
static uint64_t
unlimited_floor(uint64_t gran)
{
	return (uint64_t)INT64_MAX / gran * gran;
}

static int
bad(struct cg_error **err, const char *name, const char *text, const char *expected)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;
	int r;

	for (i = 0; i < 80 && text[i]; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c == '\n')
			strbuf_adds(&sb, "\\n");
		else if (c < 0x20 || c == 0x7f)
			strbuf_addf(&sb, "\\x%02x", c);
		else
			strbuf_addch(&sb, (char)c);
	}
	if (text[i])
		strbuf_adds(&sb, "...");
	r = cg_error_set(err, CG_E_PRECOND, 0, "unexpected value '%s' read from '%s', expected %s",
			 sb.buf, name, expected);
	strbuf_release(&sb);
	return r;
}

/* A decimal u64 making up all of s. */
static bool
parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!is_digit(*s))
		return false;
	for (; is_digit(*s); s++) {
		uint64_t d = (uint64_t)(*s - '0');

		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	if (*s)
		return false;
	*out = v;
	return true;
}

static bool
parse_i64(const char *s, int64_t *out)
{
	bool neg = *s == '-';
	uint64_t v;

	if (!parse_u64(neg ? s + 1 : s, &v))
		return false;
	if (neg) {
		if (v > (uint64_t)INT64_MAX + 1)
			return false;
		*out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
		return true;
	}
	if (v > INT64_MAX)
		return false;
	*out = (int64_t)v;
	return true;
}

/* Splits s in place at runs of blanks; returns the number of fields (at most max). */
static size_t
fields(char *s, char **f, size_t max)
{
	size_t n = 0;

	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			return n;
		if (n == max)
			return max + 1;
		f[n++] = s;
		while (*s && *s != ' ' && *s != '\t')
			s++;
		if (*s)
			*s++ = '\0';
	}
}

/* The non-empty lines of buf (modified in place), each trimmed. */
static size_t
lines(char *buf, char ***out)
{
	size_t n = 0, alloc = 0;
	char **v = NULL;
	char *p = buf;

	while (*p) {
		char *nl = strchr(p, '\n');
		char *end;

		if (nl)
			*nl = '\0';
		while (is_space(*p))
			p++;
		end = p + strlen(p);
		while (end > p && is_space(end[-1]))
			*--end = '\0';
		if (*p) {
			v = xgrow(v, sizeof(*v), n + 1, &alloc);
			v[n++] = p;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	*out = v;
	return n;
}

static bool
parse_devnum(const char *s, bool wild, struct cg_devnum *dev)
{
	CG_AUTOFREE char *buf = xstrdup(s);
	char *colon = strchr(buf, ':');
	char *part[2];
	int64_t v[2];
	int i;

	if (!colon)
		return false;
	*colon = '\0';
	part[0] = buf;
	part[1] = colon + 1;
	for (i = 0; i < 2; i++) {
		uint64_t u;

		if (wild && strcmp(part[i], "*") == 0)
			v[i] = -1;
		else if (parse_u64(part[i], &u) && u <= UINT32_MAX)
			v[i] = (int64_t)u;
		else
			return false;
	}
	dev->major = v[0];
	dev->minor = v[1];
	return true;
}

/* ---- scalar types ---- */

static int
parse_size(const char *name, const char *s, struct cg_value *out, struct cg_error **err)
{
	uint64_t v;

	out->type = CG_VT_SIZE;
	if (strcmp(s, "max") == 0 || strcmp(s, "-1") == 0) {
		out->u.size.unlimited = true;
		out->u.size.bytes = 0;
		return 0;
	}
	if (!parse_u64(s, &v))
		return bad(err, name, s, "a size in bytes or max");
	if (v >= unlimited_floor(granule(name))) {
		out->u.size.unlimited = true;
		out->u.size.bytes = 0;
		return 0;
	}
	out->u.size.unlimited = false;
	out->u.size.bytes = v;
	return 0;
}

/* memory.oom_control reads "oom_kill_disable 0\nunder_oom 0\noom_kill 0" */
static const char *
oom_kill_disable(char *s)
{
	char *p = strstr(s, "oom_kill_disable");
	char *end;

	if (!p)
		return s;
	p += strlen("oom_kill_disable");
	while (*p == ' ' || *p == '\t')
		p++;
	for (end = p; *end && !is_space(*end); end++)
		;
	*end = '\0';
	return p;
}

static int
parse_int(const char *name, char *s, bool is_bool, struct cg_value *out, struct cg_error **err)
{
	const char *t = s;
	int64_t v;

	if (strcmp(name, "memory.oom_control") == 0)
		t = oom_kill_disable(s);
	out->type = is_bool ? CG_VT_BOOL : CG_VT_INT;
	out->u.num.is_max = false;
	out->u.num.v = 0;
	if (!is_bool && strcmp(t, "max") == 0) {
		out->u.num.is_max = true;
		return 0;
	}
	if (!parse_i64(t, &v))
		return bad(err, name, t, is_bool ? "0 or 1" : "an integer or max");
	out->u.num.v = is_bool ? v != 0 : v;
	return 0;
}

static int
parse_cpulist(const char *name, const char *s, struct cg_value *out, struct cg_error **err)
{
	struct cg_cpuset set;

	if (cg_cpuset_parse(s, READBACK_MAX_ID, &set) < 0)
		return bad(err, name, s, "a list of ids and ranges");
	out->type = CG_VT_CPULIST;
	out->u.cpus = set;
	return 0;
}

static int
parse_enum(const struct cg_filedef *def, const char *name, const char *s, struct cg_value *out,
	   struct cg_error **err)
{
	size_t i;

	for (i = 0; def && def->words && def->words[i]; i++) {
		if (strcmp(s, def->words[i]) == 0) {
			out->type = CG_VT_ENUM;
			out->u.word = def->words[i];
			return 0;
		}
	}
	for (i = 0; extra_words[i]; i++) {
		size_t n = strlen(extra_words[i]);

		/* "root invalid (Parent is not a partition root)" */
		if (strncmp(s, extra_words[i], n) == 0 && (s[n] == '\0' || s[n] == ' ')) {
			out->type = CG_VT_ENUM;
			out->u.word = extra_words[i];
			return 0;
		}
	}
	return bad(err, name, s, "one of the file's words");
}

static int
parse_cpumax(const char *name, char *s, struct cg_value *out, struct cg_error **err)
{
	CG_AUTOFREE char *copy = xstrdup(s);
	char *f[2];
	size_t n = fields(s, f, 2);
	int64_t q = 0, p = 0;
	bool unlimited;

	if (n < 1 || n > 2)
		return bad(err, name, copy, "'QUOTA PERIOD' or 'max PERIOD'");
	unlimited = strcmp(f[0], "max") == 0;
	if ((!unlimited && (!parse_i64(f[0], &q) || q < 0)) ||
	    (n == 2 && (!parse_i64(f[1], &p) || p <= 0)))
		return bad(err, name, copy, "'QUOTA PERIOD' or 'max PERIOD'");
	out->type = CG_VT_CPUMAX;
	out->u.cpumax.unlimited = unlimited;
	out->u.cpumax.quota = unlimited ? 0 : q;
	out->u.cpumax.period = n == 2 ? p : 0;
	return 0;
}

/* ---- records ---- */

static int
devlimit_cmp(const void *pa, const void *pb)
{
	const struct cg_devlimit *a = pa, *b = pb;

	if (a->dev.major != b->dev.major)
		return a->dev.major < b->dev.major ? -1 : 1;
	if (a->dev.minor != b->dev.minor)
		return a->dev.minor < b->dev.minor ? -1 : 1;
	return 0;
}

static int
parse_devlimits(const struct cg_filedef *def, const char *name, char *s, struct cg_value *out,
		struct cg_error **err)
{
	CG_AUTOFREE char **ls = NULL;
	size_t n = lines(s, &ls), i;
	struct cg_devlimit *items = xcalloc(n + 1, sizeof(*items));
	unsigned flags = def ? def->flags : 0;

	for (i = 0; i < n; i++) {
		CG_AUTOFREE char *line = xstrdup(ls[i]);
		struct cg_devlimit *l = &items[i];
		char *f[2];
		size_t nf = fields(ls[i], f, 2);
		const char *val;
		uint64_t v;

		if (nf == 1) {
			/* io.bfq.weight on older kernels: a bare default */
			l->dev.major = l->dev.minor = -1;
			val = f[0];
		} else if (nf == 2 && strcmp(f[0], "default") == 0) {
			l->dev.major = l->dev.minor = -1;
			val = f[1];
		} else if (nf == 2 && parse_devnum(f[0], false, &l->dev)) {
			val = f[1];
		} else {
			free(items);
			return bad(err, name, line, "'MAJ:MIN VALUE' records");
		}
		if (strcmp(val, "max") == 0) {
			l->unlimited = true;
		} else if (parse_u64(val, &v)) {
			/* 0 deletes a v1 throttle rule, U64_MAX is no limit */
			l->unlimited = (flags & CG_FF_MAX_WORD) && (v == 0 || v == UINT64_MAX);
			l->value = l->unlimited ? 0 : v;
		} else {
			free(items);
			return bad(err, name, line, "'MAJ:MIN VALUE' records");
		}
	}
	qsort(items, n, sizeof(*items), devlimit_cmp);
	out->type = CG_VT_DEVLIMIT;
	out->u.devlimits.items = items;
	out->u.devlimits.n = n;
	return 0;
}

static int
parse_devrules(const char *name, char *s, struct cg_value *out, struct cg_error **err)
{
	CG_AUTOFREE char **ls = NULL;
	size_t n = lines(s, &ls), i;
	struct cg_devrule *items = xcalloc(n + 1, sizeof(*items));

	for (i = 0; i < n; i++) {
		CG_AUTOFREE char *line = xstrdup(ls[i]);
		struct cg_devrule *r = &items[i];
		char *f[3];
		size_t nf = fields(ls[i], f, 3);
		const char *a;
		bool ok = nf == 3 && strlen(f[0]) == 1 && strchr("abc", f[0][0]) &&
			  parse_devnum(f[1], true, &r->dev);

		if (nf == 1 && strcmp(f[0], "a") == 0) {
			r->dev.major = r->dev.minor = -1;
			f[2] = (char *)"rwm";
			ok = true;
		}
		for (a = ok ? f[2] : ""; ok && *a; a++) {
			unsigned bit = *a == 'r'   ? ACC_R
				       : *a == 'w' ? ACC_W
				       : *a == 'm' ? ACC_M
						   : 0;

			if (!bit || (r->access & bit))
				ok = false;
			r->access |= bit;
		}
		if (!ok || !r->access) {
			free(items);
			return bad(err, name, line, "'TYPE MAJ:MIN ACCESS' rules");
		}
		r->type = f[0][0];
	}
	out->type = CG_VT_DEVRULE;
	out->u.devrules.items = items;
	out->u.devrules.n = n;
	return 0;
}

static void
keyed_free(struct cg_keyed *k, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < k[i].nfields; j++) {
			free(k[i].fields[j].key);
			free(k[i].fields[j].value);
		}
		free(k[i].fields);
		free(k[i].key);
	}
	free(k);
}

static bool
devkey_split(const char *key, struct cg_devnum *d)
{
	return parse_devnum(key, false, d);
}

static int
keyed_cmp(const void *pa, const void *pb)
{
	const struct cg_keyed *a = pa, *b = pb;
	struct cg_devnum da, db;

	if (devkey_split(a->key, &da) && devkey_split(b->key, &db)) {
		if (da.major != db.major)
			return da.major < db.major ? -1 : 1;
		if (da.minor != db.minor)
			return da.minor < db.minor ? -1 : 1;
		return 0;
	}
	return strcmp(a->key, b->key);
}

static int
parse_keyed(const struct cg_filedef *def, const char *name, char *s, struct cg_value *out,
	    struct cg_error **err)
{
	CG_AUTOFREE char **ls = NULL;
	size_t n = lines(s, &ls), i, j;
	struct cg_keyed *items = xcalloc(n + 1, sizeof(*items));
	bool named = def && def->words;
	bool devkey = def && (def->flags & CG_FF_DEVKEY);

	for (i = 0; i < n; i++) {
		CG_AUTOFREE char *line = xstrdup(ls[i]);
		size_t max = strlen(ls[i]) / 2 + 2;
		CG_AUTOFREE char **f = xcalloc(max + 1, sizeof(*f));
		size_t nf = fields(ls[i], f, max);
		struct cg_keyed *k = &items[i];
		struct cg_devnum dev;

		if (nf < 2 || (!named && nf != 2) || (devkey && !parse_devnum(f[0], false, &dev))) {
			keyed_free(items, i);
			return bad(err, name, line,
				   named ? "'KEY k=v ...' records" : "'KEY VALUE' records");
		}
		k->key = devkey ? xasprintf("%" PRId64 ":%" PRId64, dev.major, dev.minor)
				: xstrdup(f[0]);
		k->fields = xcalloc(nf, sizeof(*k->fields));
		for (j = 1; j < nf; j++) {
			char *eq = named ? strchr(f[j], '=') : NULL;

			if (named && (!eq || eq == f[j] || !eq[1])) {
				keyed_free(items, i + 1);
				return bad(err, name, line, "'KEY k=v ...' records");
			}
			if (eq) {
				k->fields[k->nfields].key = xstrndup(f[j], (size_t)(eq - f[j]));
				k->fields[k->nfields].value = xstrdup(eq + 1);
			} else {
				k->fields[k->nfields].value = xstrdup(f[j]);
			}
			k->nfields++;
		}
	}
	qsort(items, n, sizeof(*items), keyed_cmp);
	out->type = CG_VT_KEYED;
	out->u.keyed.items = items;
	out->u.keyed.n = n;
	return 0;
}

/* ---- entry points ---- */

int
cg_readback_parse_as(enum cg_vtype type, const struct cg_filedef *def, const char *name,
		     const char *text, enum cg_version ver, bool trim, struct cg_value *out,
		     struct cg_error **err)
{
	const char *n = file_name(def, name);
	CG_AUTOFREE char *s = trimmed(text);
	struct cg_value v;
	int r = -1;

	(void)ver;
	memset(&v, 0, sizeof(v));
	switch (type) {
	case CG_VT_SIZE:
		r = parse_size(n, s, &v, err);
		break;
	case CG_VT_INT:
		r = parse_int(n, s, false, &v, err);
		break;
	case CG_VT_BOOL:
		r = parse_int(n, s, true, &v, err);
		break;
	case CG_VT_CPULIST:
		r = parse_cpulist(n, s, &v, err);
		break;
	case CG_VT_ENUM:
		r = parse_enum(def, n, s, &v, err);
		break;
	case CG_VT_DEVLIMIT:
		r = parse_devlimits(def, n, s, &v, err);
		break;
	case CG_VT_DEVRULE:
		r = parse_devrules(n, s, &v, err);
		break;
	case CG_VT_KEYED:
		r = parse_keyed(def, n, s, &v, err);
		break;
	case CG_VT_CPUMAX:
		r = parse_cpumax(n, s, &v, err);
		break;
	case CG_VT_RAW:
		v.type = CG_VT_RAW;
		v.u.raw = trim ? s : xstrdup(text);
		if (trim)
			s = NULL;
		r = 0;
		break;
	}
	if (r == 0)
		*out = v;
	return r;
}

int
cg_readback_parse(const struct cg_filedef *def, const char *name, const char *text,
		  enum cg_version ver, struct cg_value *out, struct cg_error **err)
{
	return cg_readback_parse_as(cg_readback_type(def, name), def, name, text, ver, true, out,
				    err);
}

void
cg_readback_normalize_file(const struct cg_filedef *def, const char *name, enum cg_version ver,
			   struct cg_value *v)
{
	const char *n = file_name(def, name);
	uint64_t gran;

	(void)ver;
	if (!def)
		return;
	switch (v->type) {
	case CG_VT_SIZE:
		if (v->u.size.unlimited)
			return;
		gran = granule(n);
		if (v->u.size.bytes >= unlimited_floor(gran)) {
			v->u.size.unlimited = true;
			v->u.size.bytes = 0;
			return;
		}
		v->u.size.bytes = v->u.size.bytes / gran * gran;
		return;
	case CG_VT_INT:
		if (v->u.num.is_max)
			return;
		if (strcmp(n, "cpu.cfs_quota_us") == 0 && v->u.num.v < 0)
			v->u.num.v = -1;
		if (strcmp(n, "cpu.shares") == 0) {
			if (v->u.num.v < 2)
				v->u.num.v = 2;
			if (v->u.num.v > 262144)
				v->u.num.v = 262144;
		}
		return;
	case CG_VT_BOOL:
		v->u.num.is_max = false;
		v->u.num.v = v->u.num.v != 0;
		return;
	case CG_VT_DEVLIMIT:
		if (v->u.devlimits.n > 1)
			qsort(v->u.devlimits.items, v->u.devlimits.n, sizeof(struct cg_devlimit),
			      devlimit_cmp);
		return;
	case CG_VT_KEYED:
		if (v->u.keyed.n > 1)
			qsort(v->u.keyed.items, v->u.keyed.n, sizeof(struct cg_keyed), keyed_cmp);
		return;
	case CG_VT_CPULIST:
	case CG_VT_ENUM:
	case CG_VT_DEVRULE:
	case CG_VT_CPUMAX:
	case CG_VT_RAW:
		return;
	}
}

void
cg_readback_normalize(const struct cg_filedef *def, enum cg_version ver, struct cg_value *v)
{
	cg_readback_normalize_file(def, NULL, ver, v);
}
