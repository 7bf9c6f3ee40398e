/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cgrules.conf lines and the YAML `rules:` list: parsed fields, exact located
 * diagnostics, the libcgroup bugs we do not reproduce, includes, and destination expansion.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/strbuf.h"
#include "lib/xalloc.h"
#include "parser/model.h"
#include "parser/rules.h"
#include "parser/yaml.h"
#include "tests/lib/testutil.h"

#define ANY_ID UINT32_MAX /* do not check the id */

static int
parse_conf(const char *text, bool must_exist, struct cg_model **m, struct cg_diags *d)
{
	struct cg_rules_opts opts = { must_exist, 0 };
	const char *file;

	*m = cg_model_new();
	cg_diags_init(d);
	file = cg_model_intern_file(*m, "r.conf");
	cg_diags_add_source(d, file, text, strlen(text));
	return cg_rules_parse_conf(*m, file, text, strlen(text), &opts, d);
}

static char *
controllers_text(const struct cg_rule *r)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	if (r->all_controllers)
		return xstrdup("*");
	for (i = 0; i < r->ncontrollers; i++)
		strbuf_addf(&sb, "%s%s", i ? "," : "", r->controllers[i]);
	return strbuf_detach(&sb);
}

/* ---- good cgrules.conf lines ---- */

struct good_case {
	const char *text; /* the last rule is checked */
	size_t nrules;
	enum cg_rule_who who;
	const char *name;    /* id.name; NULL: unset */
	uint32_t id;	     /* ANY_ID: not checked */
	const char *process; /* NULL: any process */
	const char *controllers;
	const char *destination;
	bool ignore, ignore_rt;
	unsigned line, col, dest_col;
};

static const struct good_case good_cases[] = {
	{ "root cpu students\n", 1, CG_RULE_USER, "root", 0, NULL, "cpu", "students", false, false,
	  1, 1, 10 },
	{ "0 cpu,memory /usergroup/students/\n", 1, CG_RULE_USER, "0", 0, NULL, "cpu,memory",
	  "usergroup/students", false, false, 1, 1, 14 },
	{ "4294967294 cpu a\n", 1, CG_RULE_USER, "4294967294", 4294967294u, NULL, "cpu", "a", false,
	  false, 1, 1, 16 },
	{ "@root devices /\n", 1, CG_RULE_GROUP, "root", 0, NULL, "devices", "", false, false, 1, 1,
	  15 },
	{ "@1234 * admingroup/\n", 1, CG_RULE_GROUP, "1234", 1234, NULL, "*", "admingroup", false,
	  false, 1, 1, 9 },
	{ "@daemon cpu d\n", 1, CG_RULE_GROUP, "daemon", ANY_ID, NULL, "cpu", "d", false, false, 1,
	  1, 13 },
	{ "* * default/\n", 1, CG_RULE_ANY, NULL, 0, NULL, "*", "default", false, false, 1, 1, 5 },
	{ "root:cp devices /usergroup/students/cp\n", 1, CG_RULE_USER, "root", 0, "cp", "devices",
	  "usergroup/students/cp", false, false, 1, 1, 17 },
	{ "*:/usr/bin/ssh cpu ssh\n", 1, CG_RULE_ANY, NULL, 0, "/usr/bin/ssh", "cpu", "ssh", false,
	  false, 1, 1, 20 },
	{ "*:/usr/bin/py* cpu py\n", 1, CG_RULE_ANY, NULL, 0, "/usr/bin/py*", "cpu", "py", false,
	  false, 1, 1, 20 },
	{ "root:py* cpu a\n", 1, CG_RULE_USER, "root", 0, "py*", "cpu", "a", false, false, 1, 1,
	  14 },
	{ "root:* cpu a\n", 1, CG_RULE_USER, "root", 0, "*", "cpu", "a", false, false, 1, 1, 12 },
	/* quoted fields: libcgroup 3.2 needs the quote around the whole field */
	{ "\"*:Web Content\" cpu,memory browsers\n", 1, CG_RULE_ANY, NULL, 0, "Web Content",
	  "cpu,memory", "browsers", false, false, 1, 1, 28 },
	/* the man page's form, which libcgroup mis-parses into the user 'Web Browser' */
	{ "@root:\"Web Browser\" cpu web\n", 1, CG_RULE_GROUP, "root", 0, "Web Browser", "cpu",
	  "web", false, false, 1, 1, 25 },
	{ "root cpu \"my group/%p\"\n", 1, CG_RULE_USER, "root", 0, NULL, "cpu", "my group/%p",
	  false, false, 1, 1, 10 },
	{ "root cpu \"say \\\"hi\\\"\"\n", 1, CG_RULE_USER, "root", 0, NULL, "cpu", "say \"hi\"",
	  false, false, 1, 1, 10 },
	{ "root cpu \"a\\\\%b\"\n", 1, CG_RULE_USER, "root", 0, NULL, "cpu", "a\\%b", false, false,
	  1, 1, 10 },
	{ "\"root\" \"cpu\" \"a b\" \"ignore\"\n", 1, CG_RULE_USER, "root", 0, NULL, "cpu", "a b",
	  true, false, 1, 1, 14 },
	/* libcgroup 3.x fails the whole file on trailing blanks and trailing comments */
	{ "root cpu students   \n", 1, CG_RULE_USER, "root", 0, NULL, "cpu", "students", false,
	  false, 1, 1, 10 },
	{ "root cpu students # the students\n", 1, CG_RULE_USER, "root", 0, NULL, "cpu", "students",
	  false, false, 1, 1, 10 },
	{ "root cpu students# no blank\n", 1, CG_RULE_USER, "root", 0, NULL, "cpu", "students",
	  false, false, 1, 1, 10 },
	{ "root cpu a ignore \t# both\n", 1, CG_RULE_USER, "root", 0, NULL, "cpu", "a", true, false,
	  1, 1, 10 },
	{ "root\tcpu\t\tstudents\r\n", 1, CG_RULE_USER, "root", 0, NULL, "cpu", "students", false,
	  false, 1, 1, 11 },
	{ "   root cpu a\n", 1, CG_RULE_USER, "root", 0, NULL, "cpu", "a", false, false, 1, 4, 13 },
	{ "\xef\xbb\xbfroot cpu a\n", 1, CG_RULE_USER, "root", 0, NULL, "cpu", "a", false, false, 1,
	  1, 10 },
	{ "# header\n\n  \t\n# more\nroot cpu a", 1, CG_RULE_USER, "root", 0, NULL, "cpu", "a",
	  false, false, 5, 1, 10 },
	{ "root cpu a ignore\n", 1, CG_RULE_USER, "root", 0, NULL, "cpu", "a", true, false, 1, 1,
	  10 },
	{ "root cpu a ignore_rt\n", 1, CG_RULE_USER, "root", 0, NULL, "cpu", "a", false, true, 1, 1,
	  10 },
	{ "root cpu a ignore_rt,ignore\n", 1, CG_RULE_USER, "root", 0, NULL, "cpu", "a", true, true,
	  1, 1, 10 },
	{ "root cpu,cpuacct,memory,cpuset,pids a\n", 1, CG_RULE_USER, "root", 0, NULL,
	  "cpu,cpuacct,memory,cpuset,pids", "a", false, false, 1, 1, 37 },
	/* `%` continuation, broken in libcgroup 3.2 */
	{ "root cpu test1/\n% memory test2/\n", 2, CG_RULE_DITTO, NULL, 0, NULL, "memory", "test2",
	  false, false, 2, 1, 10 },
	{ "root cpu a\n# comment\n\n% memory b\n%\tpids\tc\n", 3, CG_RULE_DITTO, NULL, 0, NULL,
	  "pids", "c", false, false, 5, 1, 8 },
	{ "@root cpu,cpuacct students/%u\n", 1, CG_RULE_GROUP, "root", 0, NULL, "cpu,cpuacct",
	  "students/%u", false, false, 1, 1, 19 },
	{ "root cpu web/%u/%U/%g/%G/%p-%P\n", 1, CG_RULE_USER, "root", 0, NULL, "cpu",
	  "web/%u/%U/%g/%G/%p-%P", false, false, 1, 1, 10 },
	{ "root cpu a\\%b\n", 1, CG_RULE_USER, "root", 0, NULL, "cpu", "a\\%b", false, false, 1, 1,
	  10 },
	{ "root cpu a.b/..c/...\n", 1, CG_RULE_USER, "root", 0, NULL, "cpu", "a.b/..c/...", false,
	  false, 1, 1, 10 },
	{ "root cpu a/b/c///\n", 1, CG_RULE_USER, "root", 0, NULL, "cpu", "a/b/c", false, false, 1,
	  1, 10 },
	{ "root cpu caf\xc3\xa9\n", 1, CG_RULE_USER, "root", 0, NULL, "cpu", "caf\xc3\xa9", false,
	  false, 1, 1, 10 },
	/* an unknown user is left out (with a warning), and so are its `%` lines */
	{ "cgapply-nosuchuser cpu a\n% memory b\nroot cpu c\n", 1, CG_RULE_USER, "root", 0, NULL,
	  "cpu", "c", false, false, 3, 1, 10 },
};

START_TEST(test_conf_good)
{
	const struct good_case *c = &good_cases[_i];
	struct cg_model *m;
	struct cg_diags d;
	const struct cg_rule *r;
	char *ctls, *diags;
	int rc;

	rc = parse_conf(c->text, false, &m, &d);
	diags = tu_diags_text(&d);
	ck_assert_msg(rc == 0 && d.errors == 0, "case %d: %s", _i, diags);
	free(diags);
	ck_assert_uint_eq(m->nrules, c->nrules);
	r = &m->rules[m->nrules - 1];
	ck_assert_int_eq(r->who, c->who);
	if (c->name) {
		ck_assert(r->id.set);
		ck_assert(r->id.resolved);
		ck_assert_str_eq(r->id.name, c->name);
		if (c->id != ANY_ID)
			ck_assert_uint_eq(r->id.id, c->id);
	} else {
		ck_assert(!r->id.set);
	}
	if (c->process)
		ck_assert_pstr_eq(r->process, c->process);
	else
		ck_assert_ptr_null(r->process);
	ctls = controllers_text(r);
	ck_assert_str_eq(ctls, c->controllers);
	free(ctls);
	ck_assert_str_eq(r->destination, c->destination);
	ck_assert_int_eq(r->ignore, c->ignore);
	ck_assert_int_eq(r->ignore_rt, c->ignore_rt);
	ck_assert_ptr_eq(r->loc.file, m->files[0]);
	ck_assert_uint_eq(r->loc.line, c->line);
	ck_assert_uint_eq(r->loc.col, c->col);
	ck_assert_ptr_eq(r->dest_loc.file, m->files[0]);
	ck_assert_uint_eq(r->dest_loc.line, c->line);
	ck_assert_uint_eq(r->dest_loc.col, c->dest_col);
	cg_model_free(m);
	cg_diags_release(&d);
}
END_TEST

START_TEST(test_conf_ditto_keeps_order)
{
	const char *text = "root cpu a\n% memory b\n@root pids c\n% cpu d\n% memory e\n* * f\n";
	static const char *const dests[] = { "a", "b", "c", "d", "e", "f" };
	static const enum cg_rule_who whos[] = { CG_RULE_USER,	CG_RULE_DITTO, CG_RULE_GROUP,
						 CG_RULE_DITTO, CG_RULE_DITTO, CG_RULE_ANY };
	struct cg_model *m;
	struct cg_diags d;
	size_t i;

	ck_assert_int_eq(parse_conf(text, true, &m, &d), 0);
	ck_assert_uint_eq(d.n, 0);
	ck_assert_uint_eq(m->nrules, 6);
	for (i = 0; i < 6; i++) {
		ck_assert_str_eq(m->rules[i].destination, dests[i]);
		ck_assert_int_eq(m->rules[i].who, whos[i]);
		ck_assert_uint_eq(m->rules[i].loc.line, i + 1);
	}
	cg_model_free(m);
	cg_diags_release(&d);
}
END_TEST

START_TEST(test_conf_empty)
{
	static const char *const texts[] = { "", "\n", "# only\n   # comments\n\n", "\r\n\t\r\n" };
	struct cg_model *m;
	struct cg_diags d;
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		ck_assert_int_eq(parse_conf(texts[i], true, &m, &d), 0);
		ck_assert_uint_eq(d.n, 0);
		ck_assert_uint_eq(m->nrules, 0);
		cg_model_free(m);
		cg_diags_release(&d);
	}
}
END_TEST

/* ---- bad cgrules.conf lines ---- */

struct bad_case {
	const char *text;
	bool must_exist;
	size_t nrules;	      /* rules that still made it into the model */
	const char *expected; /* every diagnostic, "file:line:col: severity: msg\n" */
};

#define SYN    "expected <user>[:<process>] <controllers> <destination> [<options>]"
#define TOKENS "expected one of %u %U %g %G %p %P, or '\\%' for a literal percent sign"

static const struct bad_case bad_cases[] = {
	/* user */
	{ "*foo cpu a\n", false, 0,
	  "r.conf:1:1: error: invalid user '*foo', expected '*' alone for every user\n" },
	{ "%x cpu a\n", false, 0,
	  "r.conf:1:1: error: invalid user '%x', expected '%' alone to continue the previous rule\n" },
	{ ":ssh cpu a\n", false, 0,
	  "r.conf:1:1: error: missing user before ':', expected a user name or number, '@group', '*' or '%'\n" },
	{ "@ cpu a\n", false, 0,
	  "r.conf:1:1: error: missing group name after '@', expected '@group' or '@gid'\n" },
	{ "user/x cpu a\n", false, 0,
	  "r.conf:1:1: error: invalid user 'user/x', expected a user name or a number below 4294967295\n" },
	{ "cgapply-nosuchuser cpu a\n", true, 0,
	  "r.conf:1:1: error: unknown user 'cgapply-nosuchuser' on this machine, expected an existing user or a number\n" },
	{ "cgapply-nosuchuser cpu a\n", false, 0,
	  "r.conf:1:1: warning: unknown user 'cgapply-nosuchuser' on this machine; it must exist where the configuration is applied\n" },
	{ "@cgapply-nosuchgroup cpu a\n% memory b\n%:x cpux c\nroot cpu d\n", false, 1,
	  "r.conf:1:2: warning: unknown group 'cgapply-nosuchgroup' on this machine; it must exist where the configuration is applied\n"
	  "r.conf:3:2: error: '%' continues the previous rule and cannot name a process\n"
	  "r.conf:3:5: error: unknown controller 'cpux', did you mean 'cpu'?\n" },
	/* `%` */
	{ "% cpu a\n", false, 0,
	  "r.conf:1:1: error: '%' continues the previous rule, but there is none, expected a user name or number, '@group' or '*'\n" },
	{ "# first line\n  % cpu a\nroot cpu b\n", false, 1,
	  "r.conf:2:3: error: '%' continues the previous rule, but there is none, expected a user name or number, '@group' or '*'\n" },
	{ "root cpu a\n%:ssh cpu b\n", false, 1,
	  "r.conf:2:2: error: '%' continues the previous rule and cannot name a process\n" },
	{ "root cpux a\n% memory b\n% pids c\n", false, 0,
	  "r.conf:1:6: error: unknown controller 'cpux', did you mean 'cpu'?\n" },
	{ "root cpu a\n% memroy b\n% pids c\n", false, 2,
	  "r.conf:2:3: error: unknown controller 'memroy', did you mean 'memory'?\n" },
	/* process */
	{ "root: cpu a\n", false, 0,
	  "r.conf:1:5: error: missing process after ':', expected a path, a name or a prefix ending in '*'\n" },
	{ "root:/usr/*/ssh cpu a\n", false, 0,
	  "r.conf:1:11: error: invalid process '/usr/*/ssh': only a trailing '*' is supported, as in '/usr/bin/py*'\n" },
	{ "\"*:Web *Content\" cpu a\n", false, 0,
	  "r.conf:1:8: error: invalid process 'Web *Content': only a trailing '*' is supported, as in '/usr/bin/py*'\n" },
	/* controllers */
	{ "root cpux a\n", false, 0,
	  "r.conf:1:6: error: unknown controller 'cpux', did you mean 'cpu'?\n" },
	{ "root cpu,memroy a\n", false, 0,
	  "r.conf:1:10: error: unknown controller 'memroy', did you mean 'memory'?\n" },
	{ "root xyzzy a\n", false, 0,
	  "r.conf:1:6: error: unknown controller 'xyzzy', expected a controller such as 'cpu' or 'memory', or '*'\n" },
	{ "root cpu,cgroup a\n", false, 0,
	  "r.conf:1:10: error: 'cgroup' is not a controller a rule can name, expected a controller such as 'cpu' or 'memory', or '*'\n" },
	{ "root cpu,memory,cpu a\n", false, 0,
	  "r.conf:1:17: error: duplicate controller 'cpu', each controller may be listed once\n" },
	{ "root cpu,,memory a\n", false, 0,
	  "r.conf:1:9: error: empty item in controller list 'cpu,,memory', expected names separated by single commas\n" },
	{ "root cpu, a\n", false, 0,
	  "r.conf:1:9: error: empty item in controller list 'cpu,', expected names separated by single commas\n" },
	{ "root cpu,* a\n", false, 0,
	  "r.conf:1:10: error: '*' (every controller) must stand alone, not in a list of controllers\n" },
	{ "root \"\" a\n", false, 0,
	  "r.conf:1:6: error: empty controllers field, expected a comma-separated list of controllers or '*'\n" },
	{ "root \"cpu,memroy\" a\n", false, 0,
	  "r.conf:1:11: error: unknown controller 'memroy', did you mean 'memory'?\n" },
	/* destination */
	{ "root cpu a/../b\n", false, 0,
	  "r.conf:1:12: error: '..' is not allowed as a path component of a destination, expected a cgroup name\n" },
	{ "root cpu ../b\n", false, 0,
	  "r.conf:1:10: error: '..' is not allowed as a path component of a destination, expected a cgroup name\n" },
	{ "root cpu a/./b\n", false, 0,
	  "r.conf:1:12: error: '.' is not allowed as a path component of a destination, expected a cgroup name\n" },
	{ "root cpu a/\\.\\./b\n", false, 0,
	  "r.conf:1:12: error: '..' is not allowed as a path component of a destination, expected a cgroup name\n" },
	{ "root cpu a//b\n", false, 0,
	  "r.conf:1:12: error: empty path component in destination, expected names separated by single '/'\n" },
	{ "root cpu //a\n", false, 0,
	  "r.conf:1:11: error: empty path component in destination, expected names separated by single '/'\n" },
	{ "root cpu students/%x\n", false, 0,
	  "r.conf:1:19: error: unknown token '%x', " TOKENS "\n" },
	{ "root cpu a/%\xc3\xa9\n", false, 0,
	  "r.conf:1:12: error: unknown token '%\xc3\xa9', " TOKENS "\n" },
	{ "root cpu a/%/b\n", false, 0, "r.conf:1:12: error: unknown token '%/', " TOKENS "\n" },
	{ "root cpu a/%\n", false, 0,
	  "r.conf:1:12: error: incomplete token '%' at the end of the destination, " TOKENS "\n" },
	{ "root cpu a\\\n", false, 0,
	  "r.conf:1:11: error: '\\' at the end of the destination escapes nothing, write '\\\\' for a backslash\n" },
	{ "root cpu a\\/b\n", false, 0,
	  "r.conf:1:12: error: escaped '/' in destination, a cgroup name cannot contain '/'\n" },
	{ "root cpu \"\"\n", false, 0,
	  "r.conf:1:10: error: empty destination, expected a cgroup path such as 'students/%u', or '/' for the root\n" },
	/* options */
	{ "root cpu a foo\n", false, 0,
	  "r.conf:1:12: error: unknown option 'foo', expected ignore or ignore_rt\n" },
	{ "root cpu a ignore,IGNORE\n", false, 0,
	  "r.conf:1:19: error: unknown option 'IGNORE', expected ignore or ignore_rt\n" },
	{ "root cpu a ignore,ignore\n", false, 0,
	  "r.conf:1:19: error: duplicate option 'ignore', each option may be given once\n" },
	{ "root cpu a ,ignore\n", false, 0,
	  "r.conf:1:12: error: empty option, expected ignore or ignore_rt (separated by single commas)\n" },
	/* fields and lexing */
	{ "root cpu a ignore extra\n", false, 0,
	  "r.conf:1:19: error: unexpected fifth field 'extra', " SYN
	  " (quote a field that holds spaces)\n" },
	{ "*:Web Content cpu a b\n", false, 0,
	  "r.conf:1:21: error: unexpected fifth field 'b', " SYN
	  " (quote a field that holds spaces)\n" },
	{ "root cpu\n", false, 0, "r.conf:1:9: error: missing destination, " SYN "\n" },
	{ "root cpu   # no destination\n", false, 0,
	  "r.conf:1:9: error: missing destination, " SYN "\n" },
	{ "student\n", false, 0,
	  "r.conf:1:8: error: missing controllers and destination, " SYN "\n" },
	{ "\"root cpu a\n", false, 0,
	  "r.conf:1:1: error: unterminated quoted field, expected a closing '\"'\n" },
	{ "root cpu \"a\tb\"\n", false, 0,
	  "r.conf:1:12: error: control character 0x09 in rule, expected printable characters\n" },
	{ "ro\x01ot cpu a\n", false, 0,
	  "r.conf:1:3: error: control character 0x01 in rule, expected printable characters\n" },
	{ "root cpu a\rb\n", false, 0,
	  "r.conf:1:11: error: control character 0x0d in rule, expected printable characters\n" },
	/* one bad line does not stop the parse: every problem is reported */
	{ "root cpux a\n\nroot cpu a/%q\n*x cpu a\nroot cpu ok\nroot:/a*b xyzzy a//b bad\n", false,
	  1,
	  "r.conf:1:6: error: unknown controller 'cpux', did you mean 'cpu'?\n"
	  "r.conf:3:12: error: unknown token '%q', " TOKENS "\n"
	  "r.conf:4:1: error: invalid user '*x', expected '*' alone for every user\n"
	  "r.conf:6:8: error: invalid process '/a*b': only a trailing '*' is supported, as in '/usr/bin/py*'\n"
	  "r.conf:6:11: error: unknown controller 'xyzzy', expected a controller such as 'cpu' or 'memory', or '*'\n"
	  "r.conf:6:19: error: empty path component in destination, expected names separated by single '/'\n"
	  "r.conf:6:22: error: unknown option 'bad', expected ignore or ignore_rt\n" },
};

START_TEST(test_conf_bad)
{
	const struct bad_case *c = &bad_cases[_i];
	bool has_error = strstr(c->expected, ": error: ") != NULL;
	struct cg_model *m;
	struct cg_diags d;
	char *got;
	int rc;

	rc = parse_conf(c->text, c->must_exist, &m, &d);
	got = tu_diags_text(&d);
	ck_assert_msg(strcmp(got, c->expected) == 0, "case %d: %s\nexpected:\n%s\ngot:\n%s", _i,
		      c->text, c->expected, got);
	ck_assert_int_eq(rc, has_error ? -1 : 0);
	ck_assert_uint_eq(m->nrules, c->nrules);
	free(got);
	cg_model_free(m);
	cg_diags_release(&d);
}
END_TEST

/* ---- YAML ---- */

static int
parse_yaml(const char *file, const char *text, const struct cg_rules_opts *opts,
	   struct cg_model **m, struct cg_diags *d)
{
	struct yn *root = NULL;
	const char *name;
	int rc;

	*m = cg_model_new();
	cg_diags_init(d);
	name = cg_model_intern_file(*m, file);
	cg_diags_add_source(d, name, text, strlen(text));
	ck_assert_int_eq(yn_load(name, text, strlen(text), &root, d), 0);
	ck_assert_uint_eq(d->errors, 0);
	rc = cg_rules_parse_yaml(*m, yn_map_get(root, "rules"), opts, d);
	yn_free(root);
	return rc;
}

START_TEST(test_yaml_good)
{
	const char *text =
		"rules:\n"
		"  - { user: root, controllers: [cpu, memory], destination: zorro }\n"
		"  - { user: \"@root\", process: /usr/bin/firefox, controllers: \"*\", destination: \"students/%u\" }\n"
		"  - user: \"*\"\n"
		"    controllers:\n"
		"      - pids\n"
		"    destination: /a/b/\n"
		"    options: [ignore, ignore_rt]\n"
		"  - { user: 0, controllers: [cpu], destination: /, options: ignore }\n"
		"  - { user: \"@1234\", process: \"Web Content\", controllers: [cpu], destination: 'x\\%', options: }\n";
	struct cg_rules_opts opts = { true, 0 };
	struct cg_model *m;
	struct cg_diags d;
	const struct cg_rule *r;
	char *ctls;

	ck_assert_int_eq(parse_yaml("c.yaml", text, &opts, &m, &d), 0);
	ck_assert_uint_eq(d.n, 0);
	ck_assert_uint_eq(m->nrules, 5);

	r = &m->rules[0];
	ck_assert_int_eq(r->who, CG_RULE_USER);
	ck_assert_str_eq(r->id.name, "root");
	ck_assert_uint_eq(r->id.id, 0);
	ck_assert_ptr_null(r->process);
	ctls = controllers_text(r);
	ck_assert_str_eq(ctls, "cpu,memory");
	free(ctls);
	ck_assert_str_eq(r->destination, "zorro");
	ck_assert_str_eq(r->loc.file, "c.yaml");
	ck_assert_uint_eq(r->loc.line, 2);
	ck_assert_uint_eq(r->loc.col, 13);
	ck_assert_uint_eq(r->dest_loc.line, 2);
	ck_assert_uint_eq(r->dest_loc.col, 60);

	r = &m->rules[1];
	ck_assert_int_eq(r->who, CG_RULE_GROUP);
	ck_assert_str_eq(r->id.name, "root");
	ck_assert_str_eq(r->process, "/usr/bin/firefox");
	ck_assert(r->all_controllers);
	ck_assert_str_eq(r->destination, "students/%u");

	r = &m->rules[2];
	ck_assert_int_eq(r->who, CG_RULE_ANY);
	ck_assert_str_eq(r->destination, "a/b");
	ck_assert(r->ignore && r->ignore_rt);
	ck_assert_uint_eq(r->loc.line, 4);
	ck_assert_uint_eq(r->dest_loc.line, 7);
	ck_assert_uint_eq(r->dest_loc.col, 18);

	r = &m->rules[3];
	ck_assert_int_eq(r->who, CG_RULE_USER);
	ck_assert_str_eq(r->id.name, "0");
	ck_assert_str_eq(r->destination, "");
	ck_assert(r->ignore && !r->ignore_rt);

	r = &m->rules[4];
	ck_assert_uint_eq(r->id.id, 1234);
	ck_assert_str_eq(r->process, "Web Content");
	ck_assert_str_eq(r->destination, "x\\%");
	ck_assert(!r->ignore && !r->ignore_rt);
	cg_model_free(m);
	cg_diags_release(&d);
}
END_TEST

START_TEST(test_yaml_null_and_absent)
{
	struct cg_model *m;
	struct cg_diags d;

	ck_assert_int_eq(parse_yaml("c.yaml", "rules:\n", NULL, &m, &d), 0);
	ck_assert_uint_eq(d.n, 0);
	ck_assert_uint_eq(m->nrules, 0);
	cg_model_free(m);
	cg_diags_release(&d);
	ck_assert_int_eq(parse_yaml("c.yaml", "version: 1\n", NULL, &m, &d), 0);
	ck_assert_uint_eq(m->nrules, 0);
	cg_model_free(m);
	cg_diags_release(&d);
}
END_TEST

struct yaml_bad_case {
	const char *text;
	bool must_exist;
	size_t nrules;
	const char *expected;
};

#define RULE_OK "controllers: [cpu], destination: a"

static const struct yaml_bad_case yaml_bad_cases[] = {
	{ "rules: {a: 1}\n", false, 0,
	  "c.yaml:1:8: error: 'rules' must be a list of rules, not a mapping\n" },
	{ "rules: all\n", false, 0,
	  "c.yaml:1:8: error: 'rules' must be a list of rules, not a scalar\n" },
	{ "rules:\n  - 5\n  - [a]\n", false, 0,
	  "c.yaml:2:5: error: each entry of 'rules' must be a mapping (a rule or {include: PATH}), not a scalar\n"
	  "c.yaml:3:5: error: each entry of 'rules' must be a mapping (a rule or {include: PATH}), not a list\n" },
	{ "rules:\n  - { user: \"%\", " RULE_OK " }\n", false, 0,
	  "c.yaml:2:13: error: '%' (continue the previous rule) is not allowed in YAML, write a separate rule with the same user\n" },
	{ "rules:\n  - { user: \"*x\", " RULE_OK " }\n", false, 0,
	  "c.yaml:2:13: error: invalid user '*x', expected '*' alone for every user\n" },
	{ "rules:\n  - { user: \"root:ssh\", " RULE_OK " }\n", false, 0,
	  "c.yaml:2:13: error: invalid user 'root:ssh': write the process under 'process', not after ':'\n" },
	{ "rules:\n  - { user: , " RULE_OK " }\n", false, 0,
	  "c.yaml:2:13: error: 'user' must not be empty, expected a user name or number, '@group' or '*'\n" },
	{ "rules:\n  - { user: [root], " RULE_OK " }\n", false, 0,
	  "c.yaml:2:13: error: 'user' must be a user name or number, '@group' or '*', not a list\n" },
	{ "rules:\n  - { user: cgapply-nosuchuser, " RULE_OK " }\n", false, 0,
	  "c.yaml:2:13: warning: unknown user 'cgapply-nosuchuser' on this machine; it must exist where the configuration is applied\n" },
	{ "rules:\n  - { user: \"@cgapply-nosuchgroup\", " RULE_OK " }\n", true, 0,
	  "c.yaml:2:13: error: unknown group 'cgapply-nosuchgroup' on this machine, expected an existing group or a number\n" },
	{ "rules:\n  - { usr: root, " RULE_OK " }\n", false, 0,
	  "c.yaml:2:7: error: unknown key 'usr' in rule, did you mean 'user'?\n" },
	{ "rules:\n  - { user: root, " RULE_OK ", colour: red }\n", false, 0,
	  "c.yaml:2:55: error: unknown key 'colour' in rule, expected user, process, controllers, destination or options\n" },
	{ "rules:\n  - { user: root, destination: a }\n  - { user: root, controllers: \"*\" }\n  - {}\n",
	  false, 0,
	  "c.yaml:2:5: error: rule has no 'controllers', expected a list of controller names or \"*\"\n"
	  "c.yaml:3:5: error: rule has no 'destination', expected a cgroup path\n"
	  "c.yaml:4:5: error: rule has no 'user', expected a user name or number, '@group' or '*'\n"
	  "c.yaml:4:5: error: rule has no 'controllers', expected a list of controller names or \"*\"\n"
	  "c.yaml:4:5: error: rule has no 'destination', expected a cgroup path\n" },
	{ "rules:\n  - { user: root, process: \"\", " RULE_OK " }\n", false, 0,
	  "c.yaml:2:28: error: 'process' must not be empty, leave it out to match every process\n" },
	{ "rules:\n  - { user: root, process: \"py*thon\", " RULE_OK " }\n", false, 0,
	  "c.yaml:2:28: error: invalid process 'py*thon': only a trailing '*' is supported, as in '/usr/bin/py*'\n" },
	{ "rules:\n  - { user: root, controllers: cpu, destination: a }\n", false, 0,
	  "c.yaml:2:32: error: 'controllers' must be a list of controller names or \"*\"\n" },
	{ "rules:\n  - { user: root, controllers: {cpu: 1}, destination: a }\n", false, 0,
	  "c.yaml:2:32: error: 'controllers' must be a list of controller names or \"*\"\n" },
	{ "rules:\n  - { user: root, controllers: [], destination: a }\n", false, 0,
	  "c.yaml:2:32: error: 'controllers' must not be empty, expected a list of controller names or \"*\"\n" },
	{ "rules:\n  - { user: root, controllers: [cpu, cpux, cgroup, cpu, \"*\", ~], destination: a }\n",
	  false, 0,
	  "c.yaml:2:38: error: unknown controller 'cpux', did you mean 'cpu'?\n"
	  "c.yaml:2:44: error: 'cgroup' is not a controller a rule can name, expected a controller such as 'cpu' or 'memory', or '*'\n"
	  "c.yaml:2:52: error: duplicate controller 'cpu', each controller may be listed once\n"
	  "c.yaml:2:57: error: '*' (every controller) must stand alone, not in a list of controllers\n"
	  "c.yaml:2:62: error: empty controller name, expected a controller such as 'cpu' or 'memory'\n" },
	{ "rules:\n  - { user: root, controllers: [cpu], destination: \"a/../b\" }\n", false, 0,
	  "c.yaml:2:52: error: '..' is not allowed as a path component of a destination, expected a cgroup name\n" },
	{ "rules:\n  - { user: root, controllers: [cpu], destination: \"a/%v\" }\n", false, 0,
	  "c.yaml:2:52: error: unknown token '%v', " TOKENS "\n" },
	{ "rules:\n  - { user: root, controllers: [cpu], destination: \"a\\nb\" }\n", false, 0,
	  "c.yaml:2:52: error: control character 0x0a in destination, expected printable characters\n" },
	{ "rules:\n  - { user: root, controllers: [cpu], destination: }\n", false, 0,
	  "c.yaml:2:52: error: empty destination, expected a cgroup path such as 'students/%u', or '/' for the root\n" },
	{ "rules:\n  - { user: root, " RULE_OK ", options: [ignore, foo, ignore] }\n", false, 0,
	  "c.yaml:2:73: error: unknown option 'foo', expected ignore or ignore_rt\n"
	  "c.yaml:2:78: error: duplicate option 'ignore', each option may be given once\n" },
	{ "rules:\n  - { user: root, " RULE_OK ", options: {ignore: 1} }\n", false, 0,
	  "c.yaml:2:64: error: 'options' must be a list of options (ignore, ignore_rt), not a mapping\n" },
	{ "rules:\n  - { include: \"\" }\n", false, 0,
	  "c.yaml:2:16: error: 'include' must not be empty, expected a path to a cgrules.conf file\n" },
	{ "rules:\n  - { include: [a] }\n", false, 0,
	  "c.yaml:2:16: error: 'include' must be a path to a cgrules.conf file, not a list\n" },
	{ "rules:\n  - { include: cgapply-no-such.conf, user: root }\n  - { user: root, " RULE_OK
	  " }\n",
	  false, 1,
	  "c.yaml:2:38: error: 'include' must be alone in its entry, move 'user' to a rule of its own\n"
	  "c.yaml:2:16: error: cannot read 'cgapply-no-such.conf': No such file or directory\n" },
};

START_TEST(test_yaml_bad)
{
	const struct yaml_bad_case *c = &yaml_bad_cases[_i];
	struct cg_rules_opts opts = { c->must_exist, 0 };
	bool has_error = strstr(c->expected, ": error: ") != NULL;
	struct cg_model *m;
	struct cg_diags d;
	char *got;
	int rc;

	rc = parse_yaml("c.yaml", c->text, &opts, &m, &d);
	got = tu_diags_text(&d);
	ck_assert_msg(strcmp(got, c->expected) == 0, "case %d: %s\nexpected:\n%s\ngot:\n%s", _i,
		      c->text, c->expected, got);
	ck_assert_int_eq(rc, has_error ? -1 : 0);
	ck_assert_uint_eq(m->nrules, c->nrules);
	free(got);
	cg_model_free(m);
	cg_diags_release(&d);
}
END_TEST

/* ---- include ---- */

static char tmpdir[64];

static void
include_setup(void)
{
	strcpy(tmpdir, "/tmp/cgapply-rules-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void
include_teardown(void)
{
	char *p;

	p = xasprintf("%s/rules.conf", tmpdir);
	unlink(p);
	free(p);
	p = xasprintf("%s/sub", tmpdir);
	rmdir(p);
	free(p);
	rmdir(tmpdir);
}

static char *
write_temp(const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, strlen(text), f), strlen(text));
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

START_TEST(test_include_relative)
{
	char *conf = write_temp("rules.conf", "# legacy rules\n"
					      "root cpu a\n"
					      "% memory b   # trailing comment\n"
					      "@root cpux c\n");
	char *yaml_file = xasprintf("%s/cfg.yaml", tmpdir);
	const char *text = "rules:\n"
			   "  - { user: root, controllers: [cpu], destination: first }\n"
			   "  - include: rules.conf\n"
			   "  - { user: root, controllers: [pids], destination: last }\n";
	struct cg_model *m;
	struct cg_diags d;
	const char *line;
	char *expected, *got;
	size_t len;

	ck_assert_int_eq(parse_yaml(yaml_file, text, NULL, &m, &d), -1);
	expected =
		xasprintf("%s:4:7: error: unknown controller 'cpux', did you mean 'cpu'?\n", conf);
	got = tu_diags_text(&d);
	ck_assert_str_eq(got, expected);
	ck_assert_uint_eq(m->nrules, 4);
	ck_assert_str_eq(m->rules[0].destination, "first");
	ck_assert_str_eq(m->rules[1].destination, "a");
	ck_assert_str_eq(m->rules[1].loc.file, conf);
	ck_assert_uint_eq(m->rules[1].loc.line, 2);
	ck_assert_int_eq(m->rules[2].who, CG_RULE_DITTO);
	ck_assert_str_eq(m->rules[2].destination, "b");
	ck_assert_str_eq(m->rules[3].destination, "last");
	/* the included file is in the model's file table and quotable by reporters */
	ck_assert_uint_eq(m->nfiles, 2);
	ck_assert_ptr_eq(m->rules[1].loc.file, m->files[1]);
	line = cg_diags_source_line(&d, conf, 4, &len);
	ck_assert_ptr_nonnull(line);
	ck_assert_int_eq((int)len, 12);
	ck_assert_int_eq(memcmp(line, "@root cpux c", len), 0);
	free(got);
	free(expected);
	cg_model_free(m);
	cg_diags_release(&d);
	free(yaml_file);
	free(conf);
}
END_TEST

START_TEST(test_include_absolute_and_errors)
{
	char *conf = write_temp("rules.conf", "* * everyone\n");
	char *sub = xasprintf("%s/sub", tmpdir);
	char *text, *expected, *got;
	struct cg_rules_opts opts = { false, 0 };
	struct cg_model *m;
	struct cg_diags d;

	ck_assert_int_eq(mkdir(sub, 0700), 0);
	/* absolute: not relative to the YAML file's directory */
	text = xasprintf("rules:\n  - include: %s\n", conf);
	ck_assert_int_eq(parse_yaml("elsewhere/c.yaml", text, &opts, &m, &d), 0);
	ck_assert_uint_eq(m->nrules, 1);
	ck_assert_str_eq(m->rules[0].destination, "everyone");
	ck_assert_str_eq(m->rules[0].loc.file, conf);
	cg_model_free(m);
	cg_diags_release(&d);
	free(text);

	/* a missing file and a directory */
	text = xasprintf("rules:\n  - include: nope.conf\n  - include: sub\n");
	free(conf);
	conf = xasprintf("%s/c.yaml", tmpdir);
	ck_assert_int_eq(parse_yaml(conf, text, &opts, &m, &d), -1);
	got = tu_diags_text(&d);
	expected =
		xasprintf("%s:2:14: error: cannot read '%s/nope.conf': No such file or directory\n"
			  "%s:3:14: error: cannot read '%s/sub': Is a directory\n",
			  conf, tmpdir, conf, tmpdir);
	ck_assert_str_eq(got, expected);
	ck_assert_uint_eq(m->nrules, 0);
	free(got);
	free(expected);
	cg_model_free(m);
	cg_diags_release(&d);
	free(text);

	/* the depth guard */
	opts.include_depth = 8;
	text = xasprintf("rules:\n  - include: rules.conf\n");
	ck_assert_int_eq(parse_yaml(conf, text, &opts, &m, &d), -1);
	got = tu_diags_text(&d);
	expected = xasprintf(
		"%s:2:14: error: cannot include 'rules.conf': includes are nested more than 8 levels deep\n",
		conf);
	ck_assert_str_eq(got, expected);
	free(got);
	free(expected);
	cg_model_free(m);
	cg_diags_release(&d);
	free(text);
	free(conf);
	free(sub);
}
END_TEST

/* ---- destinations ---- */

struct expand_case {
	const char *dest;
	const char *user, *group, *procname;
	const char *expected; /* NULL: refused */
};

static const struct expand_case expand_cases[] = {
	{ "students/%u", "alice", "staff", "ssh", "students/alice" },
	{ "web/%u/%p-%P", "alice", "staff", "ssh", "web/alice/ssh-4242" },
	{ "%U/%G/%P", "alice", "staff", "ssh", "1000/100/4242" },
	{ "%g", "alice", "staff", "ssh", "staff" },
	{ "%u.%g", NULL, NULL, NULL, "1000.100" },
	{ "%p", "alice", "staff", NULL, "4242" },
	{ "", "alice", "staff", "ssh", "" },
	{ "plain/path", "alice", "staff", "ssh", "plain/path" },
	{ "a\\%u", "alice", "staff", "ssh", "a%u" },
	{ "a\\\\%u", "alice", "staff", "ssh", "a\\alice" },
	{ "100\\%", "alice", "staff", "ssh", "100%" },
	{ "\\x\\y", "alice", "staff", "ssh", "xy" },
	{ "caf\xc3\xa9/%u", "\xc3\xa9lise", "staff", "ssh", "caf\xc3\xa9/\xc3\xa9lise" },
	/* values that are not one safe path component */
	{ "%p", "alice", "staff", "/usr/bin/ssh", NULL },
	{ "a/%p", "alice", "staff", "..", NULL },
	{ "a/%p", "alice", "staff", ".", NULL },
	{ "%u", "", "staff", "ssh", NULL },
	{ "%g", "alice", "st\naff", "ssh", NULL },
	/* malformed destinations, which the parser never stores */
	{ "%x", "alice", "staff", "ssh", NULL },
	{ "a%", "alice", "staff", "ssh", NULL },
	{ "a\\", "alice", "staff", "ssh", NULL },
};

START_TEST(test_expand)
{
	const struct expand_case *c = &expand_cases[_i];
	struct cg_rule_subst s = { c->user, 1000, c->group, 100, c->procname, 4242 };
	char *got = cg_rule_expand(c->dest, &s);

	if (c->expected)
		ck_assert_pstr_eq(got, c->expected);
	else
		ck_assert_msg(got == NULL, "case %d: '%s' gave '%s'", _i, c->dest, got);
	free(got);
}
END_TEST

START_TEST(test_expand_parsed)
{
	struct cg_rule_subst s = { "alice", 1000, "staff", 100, "ssh", 7 };
	struct cg_model *m;
	struct cg_diags d;
	char *got;

	ck_assert_int_eq(parse_conf("root cpu \"/students/%u/100\\\\%/\"\n", true, &m, &d), 0);
	ck_assert_str_eq(m->rules[0].destination, "students/%u/100\\%");
	got = cg_rule_expand(m->rules[0].destination, &s);
	ck_assert_str_eq(got, "students/alice/100%");
	free(got);
	cg_model_free(m);
	cg_diags_release(&d);
}
END_TEST

START_TEST(test_has_tokens)
{
	ck_assert(cg_rule_dest_has_tokens("a/%u"));
	ck_assert(cg_rule_dest_has_tokens("%P"));
	ck_assert(cg_rule_dest_has_tokens("a\\\\%u"));
	ck_assert(!cg_rule_dest_has_tokens("a\\%u"));
	ck_assert(!cg_rule_dest_has_tokens("a/b"));
	ck_assert(!cg_rule_dest_has_tokens(""));
}
END_TEST

static Suite *
rules_suite(void)
{
	Suite *s = suite_create("rules");
	TCase *tc;

	tc = tcase_create("conf");
	tcase_add_loop_test(tc, test_conf_good, 0, sizeof(good_cases) / sizeof(good_cases[0]));
	tcase_add_test(tc, test_conf_ditto_keeps_order);
	tcase_add_test(tc, test_conf_empty);
	tcase_add_loop_test(tc, test_conf_bad, 0, sizeof(bad_cases) / sizeof(bad_cases[0]));
	suite_add_tcase(s, tc);

	tc = tcase_create("yaml");
	tcase_add_test(tc, test_yaml_good);
	tcase_add_test(tc, test_yaml_null_and_absent);
	tcase_add_loop_test(tc, test_yaml_bad, 0,
			    sizeof(yaml_bad_cases) / sizeof(yaml_bad_cases[0]));
	suite_add_tcase(s, tc);

	tc = tcase_create("include");
	tcase_add_checked_fixture(tc, include_setup, include_teardown);
	tcase_add_test(tc, test_include_relative);
	tcase_add_test(tc, test_include_absolute_and_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("destination");
	tcase_add_loop_test(tc, test_expand, 0, sizeof(expand_cases) / sizeof(expand_cases[0]));
	tcase_add_test(tc, test_expand_parsed);
	tcase_add_test(tc, test_has_tokens);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run_suite(rules_suite());
}
