/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Typed values: every value type, suffix and limit (in range and just outside), bad
 * forms with their exact messages and columns, formatting for v1 and v2, equality,
 * copies, sizes and cpu lists.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "lib/strbuf.h"
#include "parser/schema.h"
#include "parser/value.h"
#include "parser/yaml.h"
#include "tests/lib/testutil.h"

/*
 * One case: `yaml` is the text after "v: " in a one-line document (so a scalar value
 * starts at column 4). v1 is the expected cg_value_format for v1, or NULL when parsing
 * must fail; v2 the one for v2 when it differs. For a failure, diag is the exact
 * diagnostics text, or NULL to only require one error.
 */
struct vcase {
	const char *file;
	const char *yaml;
	const char *v1;
	const char *v2;
	const char *diag;
};

/* the case tables are laid out by hand */
/* clang-format off */
#define OK(f, y, out) { f, y, out, NULL, NULL }
#define OK2(f, y, o1, o2) { f, y, o1, o2, NULL }
#define BAD(f, y) { f, y, NULL, NULL, NULL }
#define BADM(f, y, msgs) { f, y, NULL, NULL, msgs }
/* one expected diagnostic at line:col */
#define E(pos, msg) "t.yaml:" pos ": error: " msg "\n"

#define SIZE_EXPECT "expected a size in bytes with an optional K, M, G, T, P or E suffix, or -1 for unlimited"
#define OCTAL_MSG "the kernel would read a number with a leading zero as octal, expected a decimal number without leading zeros"

static struct yn *
load(const char *text, struct cg_diags *d)
{
	struct yn *root = NULL;

	ck_assert_int_eq(yn_load("t.yaml", text, strlen(text), &root, d), 0);
	ck_assert_uint_eq(d->errors, 0);
	return root;
}

/* Loads "v: <yaml>" and returns the tree; *node is the value. */
static struct yn *
load_value(const char *yaml, const struct yn **node, struct cg_diags *d)
{
	struct strbuf sb = STRBUF_INIT;
	struct yn *root;

	strbuf_addf(&sb, "v: %s\n", yaml);
	root = load(sb.buf, d);
	strbuf_release(&sb);
	*node = yn_map_get(root, "v");
	ck_assert_ptr_nonnull(*node);
	return root;
}

static const struct cg_filedef *
def_of(const char *file)
{
	const struct cg_filedef *def = cg_schema_file_any(file);

	ck_assert_msg(def != NULL, "'%s' is not in the schema", file);
	return def;
}

static void
add_quoted(struct strbuf *sb, const char *s, size_t len)
{
	size_t i;

	strbuf_addch(sb, '\'');
	for (i = 0; i < len; i++) {
		if (s[i] == '\'')
			strbuf_addch(sb, '\'');
		strbuf_addch(sb, s[i]);
	}
	strbuf_addch(sb, '\'');
}

/* The canonical text, parsed again, gives an equal value (records one per list item). */
static void
check_round_trip(const struct cg_filedef *def, const struct cg_value *v)
{
	struct strbuf text = STRBUF_INIT, yaml = STRBUF_INIT;
	bool records = def->type == CG_VT_DEVLIMIT || def->type == CG_VT_DEVRULE ||
		       def->type == CG_VT_KEYED;
	const char *p, *nl;
	struct cg_diags d;
	const struct yn *node;
	struct yn *root;
	struct cg_value back;

	cg_value_format(v, def->flags & CG_FF_V1 ? CG_V1 : CG_V2, &text);
	if (records) {
		strbuf_addch(&yaml, '[');
		for (p = text.buf; p; p = nl ? nl + 1 : NULL) {
			nl = strchr(p, '\n');
			if (p != text.buf)
				strbuf_adds(&yaml, ", ");
			add_quoted(&yaml, p, nl ? (size_t)(nl - p) : strlen(p));
		}
		strbuf_addch(&yaml, ']');
	} else {
		add_quoted(&yaml, text.buf, text.len);
	}
	cg_diags_init(&d);
	root = load_value(yaml.buf, &node, &d);
	ck_assert_msg(cg_value_parse(def, node, &back, &d) == 0, "%s: canonical '%s' refused",
		      def->name, text.buf);
	ck_assert_msg(cg_value_equal(&back, v), "%s: '%s' reads back different", def->name,
		      text.buf);
	cg_value_release(&back);
	yn_free(root);
	cg_diags_release(&d);
	strbuf_release(&text);
	strbuf_release(&yaml);
}

static void
check_case(const struct vcase *c)
{
	const struct cg_filedef *def = def_of(c->file);
	struct cg_diags d;
	const struct yn *node;
	struct yn *root;
	struct cg_value v;
	int r;

	cg_diags_init(&d);
	root = load_value(c->yaml, &node, &d);
	memset(&v, 0x5a, sizeof(v));
	r = cg_value_parse(def, node, &v, &d);
	if (c->v1) {
		struct strbuf s1 = STRBUF_INIT, s2 = STRBUF_INIT;
		char *text = tu_diags_text(&d);

		ck_assert_msg(r == 0, "%s: '%s' refused: %s", c->file, c->yaml, text);
		free(text);
		ck_assert_uint_eq(d.n, 0);
		ck_assert_int_eq(v.type, def->type);
		cg_value_format(&v, CG_V1, &s1);
		cg_value_format(&v, CG_V2, &s2);
		ck_assert_str_eq(s1.buf, c->v1);
		ck_assert_str_eq(s2.buf, c->v2 ? c->v2 : c->v1);
		strbuf_release(&s1);
		strbuf_release(&s2);
		check_round_trip(def, &v);
		cg_value_release(&v);
	} else {
		unsigned char untouched[sizeof(v)];
		char *text = tu_diags_text(&d);

		memset(untouched, 0x5a, sizeof(untouched));
		ck_assert_msg(r == -1, "%s: '%s' accepted", c->file, c->yaml);
		ck_assert_msg(memcmp(&v, untouched, sizeof(v)) == 0, "out was written on failure");
		if (c->diag)
			ck_assert_str_eq(text, c->diag);
		else
			ck_assert_msg(d.errors == 1 && d.n == 1, "%s: '%s': expected one error, got: %s",
				      c->file, c->yaml, text);
		free(text);
	}
	yn_free(root);
	cg_diags_release(&d);
}

#define CASES(name, ...)                                              \
	static const struct vcase name##_cases[] = { __VA_ARGS__ };   \
	START_TEST(test_##name)                                       \
	{                                                             \
		check_case(&name##_cases[_i]);                        \
	}                                                             \
	END_TEST

#define ADD_CASES(tc, name) \
	tcase_add_loop_test(tc, test_##name, 0, sizeof(name##_cases) / sizeof(name##_cases[0]))

/* ---- sizes ---- */

CASES(size,
	OK("memory.limit_in_bytes", "0", "0"),
	OK("memory.limit_in_bytes", "4097", "4097"),
	OK("memory.limit_in_bytes", "1k", "1024"),
	OK("memory.limit_in_bytes", "1K", "1024"),
	OK("memory.limit_in_bytes", "100m", "104857600"),
	OK("memory.limit_in_bytes", "100M", "104857600"),
	OK("memory.limit_in_bytes", "1g", "1073741824"),
	OK("memory.limit_in_bytes", "1G", "1073741824"),
	OK("memory.limit_in_bytes", "2t", "2199023255552"),
	OK("memory.limit_in_bytes", "2T", "2199023255552"),
	OK("memory.limit_in_bytes", "1p", "1125899906842624"),
	OK("memory.limit_in_bytes", "1P", "1125899906842624"),
	OK("memory.limit_in_bytes", "1e", "1152921504606846976"),
	OK("memory.limit_in_bytes", "7E", "8070450532247928832"),
	OK("memory.limit_in_bytes", "0K", "0"),
	OK("memory.limit_in_bytes", "'100M'", "104857600"),
	OK("memory.limit_in_bytes", "9223372036854775807", "9223372036854775807"),
	OK("memory.limit_in_bytes", "8388607T", "9223370937343148032"),
	OK2("memory.limit_in_bytes", "-1", "-1", "max"),
	OK2("memory.limit_in_bytes", "max", "-1", "max"),
	OK2("memory.max", "max", "-1", "max"),
	OK2("memory.swap.max", "\"-1\"", "-1", "max"),
	OK("hugetlb.2MB.limit_in_bytes", "1G", "1073741824"),
	OK("hugetlb.1GB.rsvd.max", "2G", "2147483648"),
	BADM("memory.limit_in_bytes", "12Q",
	     E("1:4", "invalid value '12Q' for 'memory.limit_in_bytes', " SIZE_EXPECT)),
	BADM("memory.max", "12Q",
	     E("1:4", "invalid value '12Q' for 'memory.max', expected a size in bytes with an optional K, M, G, T, P or E suffix, or max for unlimited")),
	BADM("memory.limit_in_bytes", "''",
	     E("1:4", "invalid value '' for 'memory.limit_in_bytes', " SIZE_EXPECT)),
	BADM("memory.limit_in_bytes", "~",
	     E("1:4", "missing value for 'memory.limit_in_bytes', " SIZE_EXPECT)),
	BADM("memory.limit_in_bytes", "",
	     E("1:3", "missing value for 'memory.limit_in_bytes', " SIZE_EXPECT)),
	BADM("memory.limit_in_bytes", "0x1000",
	     E("1:4", "invalid value '0x1000' for 'memory.limit_in_bytes', hexadecimal is not accepted, " SIZE_EXPECT)),
	BADM("memory.limit_in_bytes", "010",
	     E("1:4", "invalid value '010' for 'memory.limit_in_bytes', " OCTAL_MSG)),
	BADM("memory.limit_in_bytes", "0100M",
	     E("1:4", "invalid value '0100M' for 'memory.limit_in_bytes', " OCTAL_MSG)),
	BAD("memory.limit_in_bytes", "00"),
	BAD("memory.limit_in_bytes", "08"),
	BADM("memory.limit_in_bytes", "1.5G",
	     E("1:4", "invalid value '1.5G' for 'memory.limit_in_bytes', fractions are not allowed, use a smaller unit (1536M rather than 1.5G)")),
	BAD("memory.limit_in_bytes", "1.5"),
	BAD("memory.limit_in_bytes", "1."),
	BADM("memory.limit_in_bytes", "-2",
	     E("1:4", "invalid value '-2' for 'memory.limit_in_bytes', -1 (unlimited) is the only negative value, " SIZE_EXPECT)),
	BAD("memory.limit_in_bytes", "-4096"),
	BAD("memory.limit_in_bytes", "-1M"),
	BAD("memory.limit_in_bytes", "-0"),
	BADM("memory.limit_in_bytes", "9223372036854775808",
	     E("1:4", "invalid value '9223372036854775808' for 'memory.limit_in_bytes', it is too large, expected at most 9223372036854775807 bytes (2^63 - 1)")),
	BAD("memory.limit_in_bytes", "8E"),
	BAD("memory.limit_in_bytes", "8388608T"),
	BAD("memory.limit_in_bytes", "18446744073709551616"),
	BAD("memory.limit_in_bytes", "99999999999999999999"),
	BADM("memory.limit_in_bytes", "100MB",
	     E("1:4", "invalid value '100MB' for 'memory.limit_in_bytes', the kernel takes only the one-letter suffixes K, M, G, T, P and E (powers of 1024)")),
	BAD("memory.limit_in_bytes", "100MiB"),
	BAD("memory.limit_in_bytes", "1KiB"),
	BADM("memory.limit_in_bytes", "'100 M'",
	     E("1:4", "invalid value '100 M' for 'memory.limit_in_bytes', spaces are not allowed, " SIZE_EXPECT)),
	BAD("memory.limit_in_bytes", "' 100M'"),
	BAD("memory.limit_in_bytes", "'100M '"),
	BAD("memory.limit_in_bytes", "abc"),
	BAD("memory.limit_in_bytes", "MAX"),
	BAD("memory.limit_in_bytes", "+4096"),
	BAD("memory.limit_in_bytes", "4096abc"),
	BAD("memory.limit_in_bytes", "1e6"),
	BAD("memory.limit_in_bytes", "M"),
	BADM("memory.limit_in_bytes", "[1, 2]",
	     E("1:4", "invalid value for 'memory.limit_in_bytes', expected a scalar, got a list")),
	BADM("memory.limit_in_bytes", "{a: 1}",
	     E("1:4", "invalid value for 'memory.limit_in_bytes', expected a scalar, got a mapping")),
	BADM("memory.limit_in_bytes", "\"1\\0\"",
	     E("1:4", "invalid value for 'memory.limit_in_bytes', it holds a NUL byte")),
	BADM("memory.limit_in_bytes", "\"1\\t2\"",
	     E("1:4", "invalid value '1\\t2' for 'memory.limit_in_bytes', spaces are not allowed, " SIZE_EXPECT)),
)

/* ---- integers ---- */

CASES(int,
	OK("cpu.cfs_period_us", "1000", "1000"),
	OK("cpu.cfs_period_us", "1000000", "1000000"),
	OK("cpu.cfs_period_us", "'100000'", "100000"),
	BADM("cpu.cfs_period_us", "999",
	     E("1:4", "'cpu.cfs_period_us' is 999, expected 1000 to 1000000 (microseconds)")),
	BADM("cpu.cfs_period_us", "1000001",
	     E("1:4", "'cpu.cfs_period_us' is 1000001, expected 1000 to 1000000 (microseconds)")),
	BAD("cpu.cfs_period_us", "0"),
	BAD("cpu.cfs_period_us", "-1"),
	BADM("cpu.cfs_period_us", "abc",
	     E("1:4", "invalid value 'abc' for 'cpu.cfs_period_us', expected an integer from 1000 to 1000000 (microseconds)")),
	BADM("cpu.cfs_period_us", "1e3",
	     E("1:4", "invalid value '1e3' for 'cpu.cfs_period_us', expected an integer from 1000 to 1000000 (microseconds)")),

	OK("cpu.shares", "2", "2"),
	OK("cpu.shares", "262144", "262144"),
	BADM("cpu.shares", "1",
	     E("1:4", "'cpu.shares' is 1, expected 2 to 262144 (the kernel would silently clamp it into this range)")),
	BAD("cpu.shares", "262145"),
	BADM("cpu.shares", "010", E("1:4", "invalid value '010' for 'cpu.shares', " OCTAL_MSG)),
	BADM("cpu.shares", "0x10",
	     E("1:4", "invalid value '0x10' for 'cpu.shares', hexadecimal is not accepted, expected an integer from 2 to 262144")),
	BADM("cpu.shares", "1.5",
	     E("1:4", "invalid value '1.5' for 'cpu.shares', fractions are not allowed, use a smaller unit (1536M rather than 1.5G)")),
	BADM("cpu.shares", "'1 0'",
	     E("1:4", "invalid value '1 0' for 'cpu.shares', spaces are not allowed, expected an integer from 2 to 262144")),
	BADM("cpu.shares", "99999999999999999999",
	     E("1:4", "'cpu.shares' is 99999999999999999999, expected 2 to 262144 (the kernel would silently clamp it into this range)")),
	BAD("cpu.shares", "-0"),
	BAD("cpu.shares", "+5"),
	BAD("cpu.shares", "5x"),
	BAD("cpu.shares", "''"),
	BAD("cpu.shares", "[5]"),

	OK("cpu.cfs_quota_us", "-1", "-1"),
	OK("cpu.cfs_quota_us", "1000", "1000"),
	OK("cpu.cfs_quota_us", "17592186044415", "17592186044415"),
	BADM("cpu.cfs_quota_us", "17592186044416",
	     E("1:4", "'cpu.cfs_quota_us' is 17592186044416, expected -1 or 1000 to 17592186044415 (microseconds)")),
	BAD("cpu.cfs_quota_us", "999"),
	BAD("cpu.cfs_quota_us", "0"),
	BADM("cpu.cfs_quota_us", "-2",
	     E("1:4", "'cpu.cfs_quota_us' is -2, expected -1 or 1000 to 17592186044415 (microseconds)")),
	BADM("cpu.cfs_quota_us", "max",
	     E("1:4", "invalid value 'max' for 'cpu.cfs_quota_us', expected -1 or an integer from 1000 to 17592186044415 (microseconds)")),
	OK("cpu.cfs_burst_us", "0", "0"),
	BAD("cpu.cfs_burst_us", "-1"),
	BAD("cpu.cfs_burst_us", "17592186044416"),
	OK("cpu.rt_runtime_us", "0", "0"),
	OK("cpu.rt_runtime_us", "2147483647", "2147483647"),
	BAD("cpu.rt_runtime_us", "-1"),
	BAD("cpu.rt_runtime_us", "2147483648"),
	OK("cpu.rt_period_us", "1", "1"),
	BAD("cpu.rt_period_us", "0"),
	OK("cpu.idle", "1", "1"),
	BAD("cpu.idle", "2"),

	OK("pids.max", "max", "max"),
	OK("pids.max", "0", "0"),
	OK("pids.max", "4194304", "4194304"),
	BADM("pids.max", "4194305", E("1:4", "'pids.max' is 4194305, expected 0 to 4194304 or max")),
	BADM("pids.max", "MAX",
	     E("1:4", "invalid value 'MAX' for 'pids.max', expected an integer from 0 to 4194304, or max")),
	BAD("pids.max", "-1"),
	OK("cgroup.max.depth", "max", "max"),
	OK("cgroup.max.descendants", "2147483647", "2147483647"),
	BAD("cgroup.max.descendants", "2147483648"),
	BAD("cgroup.max.depth", "-1"),

	OK("cpu.weight.nice", "-20", "-20"),
	OK("cpu.weight.nice", "19", "19"),
	BADM("cpu.weight.nice", "-21", E("1:4", "'cpu.weight.nice' is -21, expected -20 to 19")),
	BAD("cpu.weight.nice", "20"),
	BAD("cpu.weight.nice", "-9223372036854775808"),
	BAD("cpu.weight.nice", "-9223372036854775809"),
	BAD("cpu.weight.nice", "-05"),
	OK("cpu.weight", "1", "1"),
	OK("cpu.weight", "10000", "10000"),
	BAD("cpu.weight", "0"),
	BAD("cpu.weight", "10001"),
	OK("cpuset.sched_relax_domain_level", "-1", "-1"),
	OK("cpuset.sched_relax_domain_level", "5", "5"),
	BAD("cpuset.sched_relax_domain_level", "-2"),
	BAD("cpuset.sched_relax_domain_level", "6"),

	OK("net_cls.classid", "0x100001", "1048577"),
	OK("net_cls.classid", "0X10", "16"),
	OK("net_cls.classid", "0xffffFFFF", "4294967295"),
	OK("net_cls.classid", "1048577", "1048577"),
	OK("net_cls.classid", "0", "0"),
	BADM("net_cls.classid", "0x100000000",
	     E("1:4", "'net_cls.classid' is 0x100000000, expected 0 to 4294967295")),
	BAD("net_cls.classid", "4294967296"),
	BADM("net_cls.classid", "0x",
	     E("1:4", "invalid value '0x' for 'net_cls.classid', expected an integer from 0 to 4294967295 (decimal, or hex with 0x)")),
	BAD("net_cls.classid", "0xg1"),
	BAD("net_cls.classid", "0x10000000000000000"),

	OK("memory.move_charge_at_immigrate", "0", "0"),
	BADM("memory.move_charge_at_immigrate", "1",
	     E("1:4", "'memory.move_charge_at_immigrate' is 1, expected 0 (charge moving was removed from the kernel, only 0 is accepted)")),
	OK("memory.use_hierarchy", "1", "1"),
	BAD("memory.use_hierarchy", "0"),
	OK("memory.swappiness", "0", "0"),
	OK("memory.swappiness", "200", "200"),
	BADM("memory.swappiness", "201", E("1:4", "'memory.swappiness' is 201, expected 0 to 200")),
	OK("memory.oom_control", "1", "1"),
	BAD("memory.oom_control", "2"),
	OK("blkio.bfq.weight", "1", "1"),
	OK("blkio.bfq.weight", "1000", "1000"),
	BAD("blkio.bfq.weight", "0"),
	BAD("blkio.bfq.weight", "1001"),
	OK("blkio.weight", "10", "10"),
	BAD("blkio.weight", "9"),
)

/* ---- booleans ---- */

CASES(bool,
	OK("cpuset.cpu_exclusive", "0", "0"),
	OK("cpuset.cpu_exclusive", "1", "1"),
	OK("cpuset.cpu_exclusive", "'1'", "1"),
	OK("cgroup.freeze", "true", "1"),
	OK("cgroup.freeze", "True", "1"),
	OK("cgroup.freeze", "false", "0"),
	OK("cgroup.freeze", "FALSE", "0"),
	OK("cgroup.freeze", "yes", "1"),
	OK("cgroup.freeze", "no", "0"),
	OK("cgroup.freeze", "ON", "1"),
	OK("cgroup.freeze", "off", "0"),
	OK("notify_on_release", "1", "1"),
	OK("memory.oom.group", "yes", "1"),
	BADM("cgroup.freeze", "2",
	     E("1:4", "invalid value '2' for 'cgroup.freeze', expected 0 or 1 (or true/false, yes/no, on/off)")),
	BAD("cgroup.freeze", "-1"),
	BAD("cgroup.freeze", "01"),
	BAD("cgroup.freeze", "y"),
	BAD("cgroup.freeze", "''"),
	BADM("cgroup.freeze", "~",
	     E("1:4", "missing value for 'cgroup.freeze', expected 0 or 1 (or true/false, yes/no, on/off)")),
)

/* ---- cpu lists ---- */

#define CPUS_EXPECT "expected a list of ids and ranges such as '0-3,8', or '' for the empty set"

CASES(cpulist,
	OK("cpuset.cpus", "0", "0"),
	OK("cpuset.cpus", "0-7,12-19", "0-7,12-19"),
	OK("cpuset.cpus", "'1,0'", "0-1"),
	OK("cpuset.cpus", "'0,1,2,3,5'", "0-3,5"),
	OK("cpuset.cpus", "'5,3,4'", "3-5"),
	OK("cpuset.cpus", "''", ""),
	OK("cpuset.cpus", "\"\"", ""),
	OK("cpuset.cpus", "0-0", "0"),
	OK("cpuset.cpus", "'0-1,1'", "0-1"),
	OK("cpuset.cpus", "'63,64'", "63-64"),
	OK("cpuset.cpus", "'0-127'", "0-127"),
	OK("cpuset.cpus", "8191", "8191"),
	OK("cpuset.cpus", "'007'", "7"),
	OK("cpuset.mems", "0-1", "0-1"),
	OK("cpuset.cpus.exclusive", "2-3", "2-3"),
	BADM("cpuset.cpus", "8192",
	     E("1:4", "invalid value '8192' for 'cpuset.cpus', id 8192 is too large, expected ids up to 8191")),
	BAD("cpuset.cpus", "'0-8192'"),
	BAD("cpuset.cpus", "99999999999999999999999"),
	BADM("cpuset.cpus", "'1-0'",
	     E("1:4", "invalid value '1-0' for 'cpuset.cpus', range 1-0 is reversed, expected FIRST-LAST with FIRST <= LAST")),
	BADM("cpuset.cpus", "'0-7:2/4'",
	     E("1:4", "invalid value '0-7:2/4' for 'cpuset.cpus', the stride form FIRST-LAST:USED/GROUP is not supported, list the ids instead")),
	BADM("cpuset.cpus", "'0, 1'",
	     E("1:4", "invalid value '0, 1' for 'cpuset.cpus', spaces are not allowed, separate ids and ranges with commas only")),
	BADM("cpuset.cpus", "'0,,1'",
	     E("1:4", "invalid value '0,,1' for 'cpuset.cpus', it has an empty item, " CPUS_EXPECT)),
	BAD("cpuset.cpus", "'0,'"),
	BAD("cpuset.cpus", "',0'"),
	BAD("cpuset.cpus", "','"),
	BADM("cpuset.cpus", "'-1'", E("1:4", "invalid value '-1' for 'cpuset.cpus', " CPUS_EXPECT)),
	BAD("cpuset.cpus", "abc"),
	BAD("cpuset.cpus", "'0-'"),
	BAD("cpuset.cpus", "'0--1'"),
	BAD("cpuset.cpus", "all"),
	BAD("cpuset.cpus", "'0x1'"),
	BADM("cpuset.cpus", "~", E("1:4", "missing value for 'cpuset.cpus', " CPUS_EXPECT)),
	BADM("cpuset.cpus", "[0, 1]",
	     E("1:4", "invalid value for 'cpuset.cpus', expected a scalar, got a list")),
)

/* ---- words ---- */

CASES(enum,
	OK("freezer.state", "FROZEN", "FROZEN"),
	OK("freezer.state", "THAWED", "THAWED"),
	OK("freezer.state", "'THAWED'", "THAWED"),
	BADM("freezer.state", "frozen",
	     E("1:4", "invalid value 'frozen' for 'freezer.state', expected 'FROZEN' or 'THAWED' (case matters)")),
	BADM("freezer.state", "FREEZING",
	     E("1:4", "invalid value 'FREEZING' for 'freezer.state', expected 'FROZEN' or 'THAWED'")),
	BAD("freezer.state", "1"),
	BAD("freezer.state", "'FROZEN '"),
	OK("cpuset.cpus.partition", "member", "member"),
	OK("cpuset.cpus.partition", "root", "root"),
	OK("cpuset.cpus.partition", "isolated", "isolated"),
	BADM("cpuset.cpus.partition", "Root",
	     E("1:4", "invalid value 'Root' for 'cpuset.cpus.partition', expected 'member', 'root' or 'isolated' (case matters)")),
	OK("cgroup.type", "threaded", "threaded"),
	OK("cgroup.type", "domain", "domain"),
	BAD("cgroup.type", "'domain threaded'"),
)

/* ---- per-device limits ---- */

#define BPS "blkio.throttle.read_bps_device"
#define BPS_EXPECT "expected 'MAJ:MIN VALUE' with VALUE in bytes per second (K, M, G, T, P or E suffixes allowed), or -1 or max for no limit"
#define IOW_EXPECT "expected 'MAJ:MIN VALUE' or 'default VALUE' with VALUE from 1 to 10000"

CASES(devlimit,
	OK(BPS, "'8:0 1048576'", "8:0 1048576"),
	OK(BPS, "'8:0 1M'", "8:0 1048576"),
	OK(BPS, "'8:0 1k'", "8:0 1024"),
	OK2(BPS, "'8:0 -1'", "8:0 0", "8:0 max"),
	OK2(BPS, "'8:0 max'", "8:0 0", "8:0 max"),
	OK2(BPS, "'8:0 unlimited'", "8:0 0", "8:0 max"),
	OK2(BPS, "'8:0 0'", "8:0 0", "8:0 max"),
	OK(BPS, "'08:00 5'", "8:0 5"),
	OK(BPS, "'4095:1048575 1'", "4095:1048575 1"),
	OK(BPS, "['8:0 1M', '8:16 2M']", "8:0 1048576\n8:16 2097152"),
	OK("blkio.throttle.write_bps_device", "[254:0 1G]", "254:0 1073741824"),
	OK("blkio.throttle.read_iops_device", "'8:0 1000'", "8:0 1000"),
	OK2("blkio.throttle.write_iops_device", "'8:0 max'", "8:0 0", "8:0 max"),
	BADM("blkio.throttle.read_iops_device", "'8:0 1k'",
	     E("1:4", "invalid value '8:0 1k' for 'blkio.throttle.read_iops_device', expected 'MAJ:MIN VALUE' with VALUE in operations per second, or -1 or max for no limit")),
	BAD("blkio.throttle.read_iops_device", "'8:0 -5'"),
	BAD("blkio.throttle.read_iops_device", "'8:0 9223372036854775808'"),
	BADM(BPS, "'8:0'", E("1:4", "invalid value '8:0' for '" BPS "', " BPS_EXPECT)),
	BADM(BPS, "'sda 100'",
	     E("1:4", "invalid value 'sda 100' for '" BPS "', 'sda' is not a device number, expected MAJ:MIN such as '8:0'")),
	BAD(BPS, "'8:0 100 200'"),
	BAD(BPS, "'8:0  100'"),
	BAD(BPS, "' 8:0 100'"),
	BAD(BPS, "'*:0 100'"),
	BAD(BPS, "'4096:0 1'"),
	BAD(BPS, "'8:1048576 1'"),
	BAD(BPS, "'8 100'"),
	BAD(BPS, "'8:0:0 100'"),
	BAD(BPS, "'default 100'"),
	BADM(BPS, "'8:0 1.5M'", E("1:4", "invalid value '8:0 1.5M' for '" BPS "', " BPS_EXPECT)),
	BADM(BPS, "'8:0 010'", E("1:4", "invalid value '8:0 010' for '" BPS "', " OCTAL_MSG)),
	BAD(BPS, "'8:0 1MB'"),
	BADM(BPS, "'8:0 8E'",
	     E("1:4", "invalid value '8:0 8E' for '" BPS "', 8E is too large, expected at most 9223372036854775807")),
	BADM(BPS, "['8:0 1M', '8:0 2M']",
	     E("1:15", "duplicate record for '8:0' in '" BPS "', first given at line 1, column 5; give each once")),
	BADM(BPS, "[]", E("1:4", "empty list for '" BPS "', expected at least one record")),
	BADM(BPS, "~", E("1:4", "missing value for '" BPS "', " BPS_EXPECT ", or a list of them")),
	BADM(BPS, "{a: b}",
	     E("1:4", "invalid value for '" BPS "', expected a scalar or a list of scalars, got a mapping")),
	BADM(BPS, "['8:0 1', [1]]", E("1:14", "invalid record for '" BPS "', expected a scalar, got a list")),
	BADM(BPS, "['8:0 1', ~]", E("1:14", "missing record in the list for '" BPS "'")),
	BADM(BPS, "['8:0 x', '8:16 y']",
	     E("1:5", "invalid value '8:0 x' for '" BPS "', " BPS_EXPECT)
	     E("1:14", "invalid value '8:16 y' for '" BPS "', " BPS_EXPECT)),
	BADM(BPS, "\"8:0 1\\n8:16 2\"",
	     E("1:4", "invalid value '8:0 1\\n8:16 2' for '" BPS "', it holds several lines, write a list with one record per item")),

	OK("io.weight", "'default 100'", "default 100"),
	OK("io.weight", "100", "default 100"),
	OK("io.weight", "'8:16 200'", "8:16 200"),
	OK("io.weight", "['default 100', '8:0 50']", "default 100\n8:0 50"),
	OK("io.weight", "'8:0 1'", "8:0 1"),
	OK("io.weight", "'8:0 10000'", "8:0 10000"),
	BADM("io.weight", "'8:0 0'",
	     E("1:4", "invalid value '8:0 0' for 'io.weight', 0 is out of range, expected 1 to 10000")),
	BAD("io.weight", "'8:0 10001'"),
	BADM("io.weight", "'8:0 max'", E("1:4", "invalid value '8:0 max' for 'io.weight', " IOW_EXPECT)),
	BADM("io.weight", "default", E("1:4", "invalid value 'default' for 'io.weight', " IOW_EXPECT)),
	BADM("io.weight", "['default 100', '200']",
	     E("1:20", "duplicate record for 'default' in 'io.weight', first given at line 1, column 5; give each once")),
	BADM("io.weight", "'sda 1'",
	     E("1:4", "invalid value 'sda 1' for 'io.weight', 'sda' is not a device number, expected MAJ:MIN such as '8:0' or 'default'")),
	OK("io.bfq.weight", "'default 1000'", "default 1000"),
	BAD("io.bfq.weight", "'default 1001'"),
	OK("blkio.bfq.weight_device", "'default 300'", "default 300"),
	OK("blkio.weight_device", "'8:0 10'", "8:0 10"),
	BAD("blkio.weight_device", "'8:0 9'"),
	BAD("blkio.weight_device", "'default 100'"),
)

/* ---- devices rules ---- */

#define DEV_EXPECT "expected 'TYPE MAJ:MIN ACCESS' such as 'c 1:3 rwm' (TYPE b or c, MAJ and MIN numbers or *, ACCESS letters of rwm), or 'a' for all devices"
#define A_MSG "the kernel reads any rule starting with 'a' as all devices, write exactly 'a' (or 'a *:* rwm') for all devices, or a 'b' or 'c' rule"

CASES(devrule,
	OK("devices.allow", "a", "a *:* rwm"),
	OK("devices.deny", "'a *:* rwm'", "a *:* rwm"),
	OK("devices.allow", "'c 1:3 rwm'", "c 1:3 rwm"),
	OK("devices.allow", "'c 1:5 rw'", "c 1:5 rw"),
	OK("devices.allow", "'b 254:* r'", "b 254:* r"),
	OK("devices.allow", "'c *:* m'", "c *:* m"),
	OK("devices.allow", "'c 1:3 mwr'", "c 1:3 rwm"),
	OK("devices.allow", "'b 4095:1048575 w'", "b 4095:1048575 w"),
	OK("devices.allow", "['c 1:3 rwm', 'b 8:* r']", "c 1:3 rwm\nb 8:* r"),
	BADM("devices.allow", "'a 1:3 rwm'", E("1:4", "invalid value 'a 1:3 rwm' for 'devices.allow', " A_MSG)),
	BADM("devices.allow", "all", E("1:4", "invalid value 'all' for 'devices.allow', " A_MSG)),
	BAD("devices.allow", "'a *:* r'"),
	BADM("devices.allow", "'x 1:3 rwm'",
	     E("1:4", "invalid value 'x 1:3 rwm' for 'devices.allow', device type 'x' is unknown, expected 'b' (block), 'c' (character) or a rule 'a' (all devices)")),
	BADM("devices.allow", "'c 1:3'", E("1:4", "invalid value 'c 1:3' for 'devices.allow', " DEV_EXPECT)),
	BADM("devices.allow", "'c 1:3 q'",
	     E("1:4", "invalid value 'c 1:3 q' for 'devices.allow', access 'q' is invalid, expected one or more of the letters r, w and m, each at most once")),
	BADM("devices.allow", "'c 1 rwm'",
	     E("1:4", "invalid value 'c 1 rwm' for 'devices.allow', '1' is not a device number, expected MAJ:MIN with numbers or * such as '1:3' or '8:*'")),
	BAD("devices.allow", "'c1:3 rwm'"),
	BAD("devices.allow", "'c 1:3  rwm'"),
	BAD("devices.allow", "'c -1:3 rwm'"),
	BAD("devices.allow", "'c 99999999999:3 rwm'"),
	BAD("devices.allow", "'c 1:3 rwmrwm'"),
	BAD("devices.allow", "'c 1:3 rr'"),
	BAD("devices.allow", "'c 1:3 '"),
	BAD("devices.allow", "'c 1:3 rwm extra'"),
	BAD("devices.allow", "'c 1:** r'"),
	BAD("devices.deny", "''"),
	BADM("devices.deny", "['c 1:3 r', 'q', 'c 1:5 x']",
	     E("1:16", "invalid value 'q' for 'devices.deny', " DEV_EXPECT)
	     E("1:21", "invalid value 'c 1:5 x' for 'devices.deny', access 'x' is invalid, expected one or more of the letters r, w and m, each at most once")),
)

/* ---- keyed files ---- */

#define IOMAX_EXPECT "expected 'MAJ:MIN KEY=N ...' with KEY rbps, wbps, riops or wiops and N from 1 to 9223372036854775807 or max"

CASES(keyed,
	OK("io.max", "'8:0 rbps=1048576'", "8:0 rbps=1048576"),
	OK("io.max", "'8:0 rbps=max wbps=100 riops=5 wiops=max'", "8:0 rbps=max wbps=100 riops=5 wiops=max"),
	OK("io.max", "'08:0 rbps=1'", "8:0 rbps=1"),
	OK("io.max", "['8:0 rbps=1', '8:16 wiops=2']", "8:0 rbps=1\n8:16 wiops=2"),
	BADM("io.max", "'8:0'", E("1:4", "invalid value '8:0' for 'io.max', " IOMAX_EXPECT)),
	BADM("io.max", "'8:0 rbps=0'",
	     E("1:4", "invalid value '8:0 rbps=0' for 'io.max', rbps is 0, expected 1 to 9223372036854775807 or max")),
	BADM("io.max", "'8:0 foo=1'",
	     E("1:4", "invalid value '8:0 foo=1' for 'io.max', unknown key 'foo', expected rbps, wbps, riops or wiops")),
	BADM("io.max", "'8:0 rbps'",
	     E("1:4", "invalid value '8:0 rbps' for 'io.max', 'rbps' is not KEY=N, expected KEY rbps, wbps, riops or wiops")),
	BADM("io.max", "'8:0 rbps=1 rbps=2'",
	     E("1:4", "invalid value '8:0 rbps=1 rbps=2' for 'io.max', key 'rbps' is given twice")),
	BADM("io.max", "'sda rbps=1'",
	     E("1:4", "invalid value 'sda rbps=1' for 'io.max', 'sda' is not a device number, expected MAJ:MIN such as '8:0'")),
	BADM("io.max", "['8:0 rbps=1', '8:0 wbps=1']",
	     E("1:19", "duplicate record for '8:0' in 'io.max', first given at line 1, column 5; give each once")),
	BAD("io.max", "'8:0 rbps=1M'"),
	BADM("io.max", "'8:0 rbps=010'", E("1:4", "invalid value '8:0 rbps=010' for 'io.max', " OCTAL_MSG)),
	BAD("io.max", "'8:0 rbps='"),
	BAD("io.max", "'8:0 rbps=-1'"),
	BAD("io.max", "'8:0 rbps=1  wbps=2'"),
	OK("io.latency", "'8:0 target=75'", "8:0 target=75"),
	OK("io.latency", "'8:0 target=max'", "8:0 target=max"),
	OK("io.latency", "'8:0 target=0'", "8:0 target=0"),
	BAD("io.latency", "'8:0 rbps=1'"),
	OK("rdma.max", "'mlx4_0 hca_handle=2 hca_object=2000'", "mlx4_0 hca_handle=2 hca_object=2000"),
	OK("rdma.max", "'mlx4_0 hca_handle=max'", "mlx4_0 hca_handle=max"),
	BADM("rdma.max", "'mlx4_0 hca_handle=2147483648'",
	     E("1:4", "invalid value 'mlx4_0 hca_handle=2147483648' for 'rdma.max', hca_handle is 2147483648, expected 0 to 2147483647 or max")),
	BAD("rdma.max", "'mlx4_0 foo=1'"),
	BADM("rdma.max", "'mlx/0 hca_handle=1'",
	     E("1:4", "invalid value 'mlx/0 hca_handle=1' for 'rdma.max', 'mlx/0' is not a valid name, expected up to 64 printable characters without '=' or '/'")),
	OK("misc.max", "'sev 10'", "sev 10"),
	OK("misc.max", "'sev max'", "sev max"),
	OK("misc.max", "['sev 1', 'sev_es 2']", "sev 1\nsev_es 2"),
	BADM("misc.max", "sev",
	     E("1:4", "invalid value 'sev' for 'misc.max', expected 'NAME N' with N from 0 to 9223372036854775807 or max")),
	BAD("misc.max", "'sev 1 2'"),
	BADM("misc.max", "'sev -1'",
	     E("1:4", "invalid value 'sev -1' for 'misc.max', the value is -1, expected 0 to 9223372036854775807 or max")),
	BAD("misc.max", "['sev 1', 'sev 2']"),
	BAD("misc.max", "'sev=1 2'"),
	OK("net_prio.ifpriomap", "'eth0 5'", "eth0 5"),
	OK("net_prio.ifpriomap", "'eth0 4294967295'", "eth0 4294967295"),
	BAD("net_prio.ifpriomap", "'eth0 4294967296'"),
	BAD("net_prio.ifpriomap", "'eth0 max'"),
)

/* ---- cpu.max ---- */

#define CPUMAX_EXPECT "expected 'QUOTA PERIOD', 'QUOTA' or 'max PERIOD' in microseconds, such as '50000 100000'"

CASES(cpumax,
	OK("cpu.max", "max", "max"),
	OK("cpu.max", "'max 100000'", "max 100000"),
	OK("cpu.max", "'50000 100000'", "50000 100000"),
	OK("cpu.max", "50000", "50000"),
	OK("cpu.max", "'1000 1000'", "1000 1000"),
	OK("cpu.max", "'17592186044415 1000000'", "17592186044415 1000000"),
	BADM("cpu.max", "999",
	     E("1:4", "'cpu.max' quota is 999, expected 1000 to 17592186044415 or max (microseconds)")),
	BAD("cpu.max", "17592186044416"),
	BAD("cpu.max", "99999999999999999999"),
	BAD("cpu.max", "'-1 100000'"),
	BADM("cpu.max", "'50000 999'",
	     E("1:4", "'cpu.max' period is 999, expected 1000 to 1000000 (microseconds)")),
	BAD("cpu.max", "'50000 1000001'"),
	BADM("cpu.max", "'max 100000 1'", E("1:4", "invalid value 'max 100000 1' for 'cpu.max', " CPUMAX_EXPECT)),
	BAD("cpu.max", "'50000  100000'"),
	BAD("cpu.max", "abc"),
	BAD("cpu.max", "''"),
	BAD("cpu.max", "'max max'"),
	BAD("cpu.max", "'050000 100000'"),
)

/* clang-format on */

/* ---- unchecked values ---- */

CASES(rawtype, OK("memory.stat", "hello", "hello"),
      BADM("memory.stat", "''",
	   E("1:4",
	     "missing value for 'memory.stat', expected the text to write (an empty write sets a memory limit to 0)")), )

struct rawcase {
	const char *yaml;
	const char *out;  /* NULL: refused */
	const char *diag; /* for refusals */
};

static const struct rawcase raw_cases[] = {
	{ "hello", "hello", NULL },
	{ "'0'", "0", NULL },
	{ "42", "42", NULL },
	{ "'a b'", "a b", NULL },
	{ "' x '", " x ", NULL },
	{ "''", NULL,
	  E("1:4",
	    "missing value for an unchecked file, expected the text to write (an empty write sets a memory limit to 0)") },
	{ "~", NULL,
	  E("1:4",
	    "missing value for an unchecked file, expected the text to write (an empty write sets a memory limit to 0)") },
	{ "\"a\\nb\"", NULL,
	  E("1:4",
	    "invalid value 'a\\nb' for an unchecked file, it holds a line break, expected one line of text") },
	{ "\"a\\rb\"", NULL, NULL },
	{ "\"a\\0b\"", NULL, E("1:4", "invalid value for an unchecked file, it holds a NUL byte") },
	{ "[1]", NULL,
	  E("1:4", "invalid value for an unchecked file, expected a scalar, got a list") },
	{ "{a: 1}", NULL, NULL },
};

START_TEST(test_raw)
{
	const struct rawcase *c = &raw_cases[_i];
	struct cg_diags d;
	const struct yn *node;
	struct yn *root;
	struct cg_value v;

	cg_diags_init(&d);
	root = load_value(c->yaml, &node, &d);
	if (c->out) {
		struct strbuf sb = STRBUF_INIT;

		ck_assert_int_eq(cg_value_parse_raw(node, &v, &d), 0);
		ck_assert_int_eq(v.type, CG_VT_RAW);
		cg_value_format(&v, CG_V1, &sb);
		ck_assert_str_eq(sb.buf, c->out);
		strbuf_release(&sb);
		cg_value_release(&v);
	} else {
		char *text;

		ck_assert_int_eq(cg_value_parse_raw(node, &v, &d), -1);
		ck_assert_uint_eq(d.errors, 1);
		text = tu_diags_text(&d);
		if (c->diag)
			ck_assert_str_eq(text, c->diag);
		free(text);
	}
	yn_free(root);
	cg_diags_release(&d);
}
END_TEST

START_TEST(test_unchecked_names_file)
{
	struct cg_diags d;
	const struct yn *node;
	struct yn *root;
	struct cg_value v;
	char *text;

	cg_diags_init(&d);
	root = load_value("\"1\\n2\"", &node, &d);
	ck_assert_int_eq(cg_value_parse_unchecked("memory.foo", node, &v, &d), -1);
	text = tu_diags_text(&d);
	ck_assert_str_eq(
		text,
		E("1:4",
		  "invalid value '1\\n2' for 'memory.foo', it holds a line break, expected one line of text"));
	free(text);
	yn_free(root);
	cg_diags_release(&d);
}
END_TEST

/* A list over several lines: the error points at the item's own line and column. */
START_TEST(test_list_item_location)
{
	const char *doc = "v:\n  - c 1:3 rwm\n  - a 1:3 r\n";
	struct cg_diags d;
	struct yn *root;
	struct cg_value v;
	char *text;

	cg_diags_init(&d);
	root = load(doc, &d);
	ck_assert_int_eq(cg_value_parse(def_of("devices.allow"), yn_map_get(root, "v"), &v, &d),
			 -1);
	text = tu_diags_text(&d);
	ck_assert_str_eq(text, E("3:5", "invalid value 'a 1:3 r' for 'devices.allow', " A_MSG));
	free(text);
	yn_free(root);
	cg_diags_release(&d);
}
END_TEST

/* ---- equality and copies ---- */

struct eqcase {
	const char *file;
	const char *a, *b;
	bool equal;
};

static const struct eqcase eq_cases[] = {
	{ "memory.limit_in_bytes", "1G", "1073741824", true },
	{ "memory.limit_in_bytes", "-1", "max", true },
	{ "memory.limit_in_bytes", "1G", "1025M", false },
	{ "memory.limit_in_bytes", "0", "-1", false },
	{ "cpuset.cpus", "0-3", "'3,2,1,0'", true },
	{ "cpuset.cpus", "0-3", "0-4", false },
	{ "cpuset.cpus", "''", "''", true },
	{ "cpuset.cpus", "''", "'0'", false },
	{ "cpuset.cpus", "'100'", "'0'", false },
	{ BPS, "['8:0 1M', '8:16 2M']", "['8:16 2097152', '8:0 1048576']", true },
	{ BPS, "'8:0 0'", "'8:0 max'", true },
	{ BPS, "'8:0 1'", "'8:0 2'", false },
	{ BPS, "'8:0 1'", "['8:0 1', '8:16 1']", false },
	{ BPS, "'8:0 1'", "'8:16 1'", false },
	{ "devices.allow", "['c 1:3 r', 'c 1:5 r']", "['c 1:3 r', 'c 1:5 r']", true },
	{ "devices.allow", "['c 1:3 r', 'c 1:5 r']", "['c 1:5 r', 'c 1:3 r']", false },
	{ "devices.allow", "'c 1:3 rw'", "'c 1:3 wr'", true },
	{ "devices.allow", "'c 1:3 rw'", "'b 1:3 rw'", false },
	{ "devices.allow", "a", "'a *:* rwm'", true },
	{ "io.max", "'8:0 rbps=1 wbps=2'", "'8:0 wbps=2 rbps=1'", true },
	{ "io.max", "'8:0 rbps=1 wbps=2'", "'8:0 rbps=1'", false },
	{ "io.max", "'8:0 rbps=1'", "'8:0 rbps=2'", false },
	{ "io.max", "'8:0 rbps=1'", "'8:0 wbps=1'", false },
	{ "io.max", "['8:0 rbps=1', '8:16 rbps=1']", "['8:16 rbps=1', '8:0 rbps=1']", true },
	{ "misc.max", "'sev 1'", "'sev 1'", true },
	{ "misc.max", "'sev 1'", "'tdx 1'", false },
	{ "cpu.max", "max", "'max 100000'", false },
	{ "cpu.max", "'max 100000'", "'max 100000'", true },
	{ "cpu.max", "'50000 100000'", "'50000 100000'", true },
	{ "cpu.max", "'50000 100000'", "'60000 100000'", false },
	{ "cgroup.freeze", "yes", "1", true },
	{ "cgroup.freeze", "yes", "no", false },
	{ "pids.max", "max", "4194304", false },
	{ "pids.max", "max", "max", true },
	{ "net_cls.classid", "0x10", "16", true },
	{ "freezer.state", "FROZEN", "FROZEN", true },
	{ "freezer.state", "FROZEN", "THAWED", false },
	{ "memory.stat", "abc", "abc", true },
	{ "memory.stat", "abc", "abd", false },
};

static void
parse_ok(const struct cg_filedef *def, const char *yaml, struct cg_value *v)
{
	struct cg_diags d;
	const struct yn *node;
	struct yn *root;

	cg_diags_init(&d);
	root = load_value(yaml, &node, &d);
	ck_assert_msg(cg_value_parse(def, node, v, &d) == 0, "'%s' refused", yaml);
	yn_free(root);
	cg_diags_release(&d);
}

START_TEST(test_equal)
{
	const struct eqcase *c = &eq_cases[_i];
	const struct cg_filedef *def = def_of(c->file);
	struct cg_value a, b, ca;
	struct strbuf sa = STRBUF_INIT, sc = STRBUF_INIT;

	parse_ok(def, c->a, &a);
	parse_ok(def, c->b, &b);
	ck_assert_int_eq(cg_value_equal(&a, &b), c->equal);
	ck_assert_int_eq(cg_value_equal(&b, &a), c->equal);
	ck_assert(cg_value_equal(&a, &a));

	/* a copy is equal, formats the same, and owns its memory (valgrind checks) */
	cg_value_copy(&ca, &a);
	ck_assert(cg_value_equal(&ca, &a));
	cg_value_format(&a, CG_V2, &sa);
	cg_value_release(&a);
	cg_value_format(&ca, CG_V2, &sc);
	ck_assert_str_eq(sa.buf, sc.buf);
	cg_value_release(&ca);
	cg_value_release(&ca); /* releasing twice is safe */
	cg_value_release(&b);
	strbuf_release(&sa);
	strbuf_release(&sc);
}
END_TEST

START_TEST(test_equal_types_differ)
{
	struct cg_value a, b;

	parse_ok(def_of("cpu.idle"), "1", &a);
	parse_ok(def_of("cgroup.freeze"), "1", &b);
	ck_assert(!cg_value_equal(&a, &b));
	cg_value_release(&a);
	cg_value_release(&b);
}
END_TEST

/* A def that is not in the table, to reach flag combinations directly. */
START_TEST(test_def_flags)
{
	static const struct cg_filedef plain = {
		.controller = "x",
		.name = "x.bytes",
		.flags = CG_FF_V1 | CG_FF_SUFFIX,
		.type = CG_VT_DEVLIMIT,
		.min = 0,
		.max = INT64_MAX,
	};
	struct cg_diags d;
	const struct yn *node;
	struct yn *root;
	struct cg_value v;

	/* without CG_FF_MAX_WORD there is no "no limit", and 0 stays a value */
	cg_diags_init(&d);
	root = load_value("'8:0 -1'", &node, &d);
	ck_assert_int_eq(cg_value_parse(&plain, node, &v, &d), -1);
	yn_free(root);
	cg_diags_release(&d);
	parse_ok(&plain, "'8:0 0'", &v);
	ck_assert(!v.u.devlimits.items[0].unlimited);
	cg_value_release(&v);
}
END_TEST

/* ---- sizes and cpusets as functions ---- */

struct sizecase {
	const char *text;
	int r;
	bool unlimited;
	uint64_t bytes;
};

static const struct sizecase size_fn_cases[] = {
	{ "0", 0, false, 0 },
	{ "1", 0, false, 1 },
	{ "1k", 0, false, 1024 },
	{ "3G", 0, false, UINT64_C(3) << 30 },
	{ "7E", 0, false, UINT64_C(7) << 60 },
	{ "-1", 0, true, 0 },
	{ "max", 0, true, 0 },
	{ "", -1, false, 0 },
	{ "8E", -1, false, 0 },
	{ "010", -1, false, 0 },
	{ "1.5G", -1, false, 0 },
	{ "1GB", -1, false, 0 },
	{ "x", -1, false, 0 },
};

START_TEST(test_size_parse_fn)
{
	const struct sizecase *c = &size_fn_cases[_i];
	bool unlimited = true;
	uint64_t bytes = 42;

	ck_assert_int_eq(cg_size_parse(c->text, &unlimited, &bytes), c->r);
	if (c->r == 0) {
		ck_assert_int_eq(unlimited, c->unlimited);
		ck_assert_uint_eq(bytes, c->bytes);
	} else {
		ck_assert(unlimited);
		ck_assert_uint_eq(bytes, 42);
	}
}
END_TEST

struct humancase {
	uint64_t bytes;
	const char *text;
};

static const struct humancase human_cases[] = {
	{ 0, "0 B" },
	{ 512, "512 B" },
	{ 1023, "1023 B" },
	{ 1024, "1 KiB" },
	{ 1536, "1.5 KiB" },
	{ 4096, "4 KiB" },
	{ 4097, "4.0 KiB" },
	{ UINT64_C(512) << 20, "512 MiB" },
	{ UINT64_C(1) << 30, "1 GiB" },
	{ (UINT64_C(3) << 29), "1.5 GiB" },
	{ (UINT64_C(1) << 30) + 1, "1.0 GiB" },
	{ (UINT64_C(1) << 30) + (UINT64_C(1) << 30) / 10 * 3, "1.3 GiB" },
	{ (UINT64_C(1) << 20) - 1, "1.0 MiB" },
	{ UINT64_C(2) << 40, "2 TiB" },
	{ UINT64_C(1) << 50, "1 PiB" },
	{ UINT64_C(1) << 60, "1 EiB" },
	{ INT64_MAX, "8.0 EiB" },
	{ UINT64_MAX, "16.0 EiB" },
};

START_TEST(test_size_human)
{
	struct strbuf sb = STRBUF_INIT;

	cg_size_human(human_cases[_i].bytes, &sb);
	ck_assert_str_eq(sb.buf, human_cases[_i].text);
	strbuf_release(&sb);
}
END_TEST

static void
cpus(const char *s, struct cg_cpuset *out)
{
	ck_assert_int_eq(cg_cpuset_parse(s, CG_CPUSET_MAX_ID, out), 0);
}

START_TEST(test_cpuset_ops)
{
	struct cg_cpuset a, b, c, e, big, u;
	struct strbuf sb = STRBUF_INIT;

	cpus("0-3", &a);
	cpus("2", &b);
	cpus("8-9", &c);
	cpus("", &e);
	cpus("0,4000", &big);
	ck_assert(cg_cpuset_subset(&b, &a));
	ck_assert(!cg_cpuset_subset(&a, &b));
	ck_assert(cg_cpuset_subset(&e, &a));
	ck_assert(cg_cpuset_subset(&e, &e));
	ck_assert(!cg_cpuset_subset(&big, &a));
	ck_assert(cg_cpuset_intersects(&a, &b));
	ck_assert(!cg_cpuset_intersects(&a, &c));
	ck_assert(cg_cpuset_intersects(&big, &a));
	ck_assert(!cg_cpuset_intersects(&e, &a));
	ck_assert(cg_cpuset_empty(&e));
	ck_assert(!cg_cpuset_empty(&b));
	ck_assert_uint_eq(e.nwords, 0);
	ck_assert(!cg_cpuset_equal(&a, &big));

	/* union: 0-3 | 8-9 | 0,4000 */
	cg_cpuset_copy(&u, &a);
	ck_assert(cg_cpuset_equal(&u, &a));
	cg_cpuset_union(&u, &c);
	cg_cpuset_union(&u, &big);
	cg_cpuset_union(&u, &e);
	cg_cpuset_format(&u, &sb);
	ck_assert_str_eq(sb.buf, "0-3,8-9,4000");
	strbuf_reset(&sb);
	cg_cpuset_format(&e, &sb);
	ck_assert_str_eq(sb.buf, "");

	/* the empty set, however it came about, equals the empty set */
	cg_cpuset_release(&u);
	cg_cpuset_union(&u, &e);
	ck_assert(cg_cpuset_equal(&u, &e));

	/* public parse: max_id is inclusive, and a failure leaves out alone */
	ck_assert_int_eq(cg_cpuset_parse("0-7", 7, &u), 0);
	cg_cpuset_release(&u);
	ck_assert_int_eq(cg_cpuset_parse("0-8", 7, &u), -1);
	ck_assert_ptr_null(u.words);
	ck_assert_int_eq(cg_cpuset_parse("1-0", 7, &u), -1);

	cg_cpuset_release(&a);
	cg_cpuset_release(&b);
	cg_cpuset_release(&c);
	cg_cpuset_release(&e);
	cg_cpuset_release(&big);
	cg_cpuset_release(&u);
	strbuf_release(&sb);
}
END_TEST

struct cpuerrcase {
	const char *text;
	enum cg_cpuset_err err;
	uint64_t a, b;
};

static const struct cpuerrcase cpuerr_cases[] = {
	{ "0-3", CG_CPUSET_OK, 0, 3 },		{ "", CG_CPUSET_OK, 99, 99 },
	{ "x", CG_CPUSET_SYNTAX, 99, 99 },	{ "1 ", CG_CPUSET_SPACE, 99, 99 },
	{ "1,,2", CG_CPUSET_EMPTY_ITEM, 1, 1 }, { "0-7:2/4", CG_CPUSET_STRIDE, 99, 99 },
	{ "0,5-2", CG_CPUSET_REVERSED, 5, 2 },	{ "0,3-9", CG_CPUSET_TOO_LARGE, 9, 9 },
};

START_TEST(test_cpuset_parse_err)
{
	const struct cpuerrcase *c = &cpuerr_cases[_i];
	struct cg_cpuset set = { NULL, 0 };
	uint64_t a = 99, b = 99;

	ck_assert_int_eq(cg_cpuset_parse_err(c->text, 7, &set, &a, &b), c->err);
	if (c->err != CG_CPUSET_OK) {
		ck_assert_ptr_null(set.words);
		ck_assert_uint_eq(a, c->a);
		if (c->err == CG_CPUSET_REVERSED)
			ck_assert_uint_eq(b, c->b);
	}
	cg_cpuset_release(&set);
}
END_TEST

static Suite *
value_suite(void)
{
	Suite *s = suite_create("value");
	TCase *tc;

	tc = tcase_create("scalars");
	ADD_CASES(tc, size);
	ADD_CASES(tc, int);
	ADD_CASES(tc, bool);
	ADD_CASES(tc, enum);
	suite_add_tcase(s, tc);

	tc = tcase_create("cpulist");
	ADD_CASES(tc, cpulist);
	tcase_add_test(tc, test_cpuset_ops);
	tcase_add_loop_test(tc, test_cpuset_parse_err, 0,
			    sizeof(cpuerr_cases) / sizeof(cpuerr_cases[0]));
	suite_add_tcase(s, tc);

	tc = tcase_create("records");
	ADD_CASES(tc, devlimit);
	ADD_CASES(tc, devrule);
	ADD_CASES(tc, keyed);
	ADD_CASES(tc, cpumax);
	tcase_add_test(tc, test_list_item_location);
	tcase_add_test(tc, test_def_flags);
	suite_add_tcase(s, tc);

	tc = tcase_create("raw");
	ADD_CASES(tc, rawtype);
	tcase_add_loop_test(tc, test_raw, 0, sizeof(raw_cases) / sizeof(raw_cases[0]));
	tcase_add_test(tc, test_unchecked_names_file);
	suite_add_tcase(s, tc);

	tc = tcase_create("equal_copy");
	tcase_add_loop_test(tc, test_equal, 0, sizeof(eq_cases) / sizeof(eq_cases[0]));
	tcase_add_test(tc, test_equal_types_differ);
	suite_add_tcase(s, tc);

	tc = tcase_create("sizes");
	tcase_add_loop_test(tc, test_size_parse_fn, 0,
			    sizeof(size_fn_cases) / sizeof(size_fn_cases[0]));
	tcase_add_loop_test(tc, test_size_human, 0, sizeof(human_cases) / sizeof(human_cases[0]));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run_suite(value_suite());
}
