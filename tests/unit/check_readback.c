/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* apply/readback: the kernel's read-back texts into values, and normalization. */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply/readback.h"
#include "lib/strbuf.h"
#include "parser/schema.h"
#include "tests/lib/testutil.h"

static struct cg_value
rb(const char *name, const char *text, enum cg_version ver)
{
	struct cg_error *err = NULL;
	struct cg_value v;

	if (cg_readback_parse(cg_schema_file_any(name), name, text, ver, &v, &err) < 0)
		ck_abort_msg("%s: %s", name, err->msg);
	return v;
}

/* The value read back, formatted as it would be written. */
static char *
fmt(const char *name, const char *text, enum cg_version ver)
{
	struct cg_value v = rb(name, text, ver);
	struct strbuf sb = STRBUF_INIT;

	cg_value_format(&v, ver, &sb);
	cg_value_release(&v);
	return strbuf_detach(&sb);
}

static const struct {
	const char *name;
	const char *text;
	enum cg_version ver;
	const char *want; /* formatted for ver */
} cases[] = {
	/* memory: the v1 unlimited number, max, -1, page multiples */
	{ "memory.limit_in_bytes", "9223372036854771712\n", CG_V1, "-1" },
	{ "memory.memsw.limit_in_bytes", "9223372036854775807\n", CG_V1, "-1" },
	{ "memory.limit_in_bytes", "-1\n", CG_V1, "-1" },
	{ "memory.limit_in_bytes", "104857600\n", CG_V1, "104857600" },
	{ "memory.limit_in_bytes", "0\n", CG_V1, "0" },
	{ "memory.soft_limit_in_bytes", "9223372036854771712", CG_V1, "-1" },
	{ "memory.max", "max\n", CG_V2, "max" },
	{ "memory.max", "1073741824\n", CG_V2, "1073741824" },
	{ "memory.usage_in_bytes", "57344\n", CG_V1, "57344" },
	{ "memory.current", "8192\n", CG_V2, "8192" },
	/* hugetlb's unlimited is PAGE_COUNTER_MAX rounded down to the huge page */
	{ "hugetlb.2MB.limit_in_bytes", "9223372036852678656\n", CG_V1, "-1" },
	{ "hugetlb.1GB.limit_in_bytes", "9223372035781033984\n", CG_V1, "-1" },
	{ "hugetlb.2MB.max", "max\n", CG_V2, "max" },
	{ "hugetlb.2MB.limit_in_bytes", "2097152\n", CG_V1, "2097152" },
	/* integers */
	{ "cpu.cfs_quota_us", "-1\n", CG_V1, "-1" },
	{ "cpu.cfs_quota_us", "50000\n", CG_V1, "50000" },
	{ "cpu.shares", "1024\n", CG_V1, "1024" },
	{ "pids.max", "max\n", CG_V1, "max" },
	{ "pids.max", "100\n", CG_V2, "100" },
	{ "pids.current", "3\n", CG_V1, "3" },
	{ "cpuset.sched_relax_domain_level", "-1\n", CG_V1, "-1" },
	{ "memory.swappiness", "60\n", CG_V1, "60" },
	{ "memory.oom_control", "oom_kill_disable 1\nunder_oom 0\noom_kill 0\n", CG_V1, "1" },
	{ "memory.oom_control", "oom_kill_disable 0\nunder_oom 1\n", CG_V1, "0" },
	{ "memory.oom_control", "1", CG_V1, "1" },
	{ "cgroup.max.depth", "max\n", CG_V2, "max" },
	/* booleans */
	{ "cpuset.cpu_exclusive", "1\n", CG_V1, "1" },
	{ "notify_on_release", "0\n", CG_V1, "0" },
	/* cpu lists: normalized, "" and "\n" are empty */
	{ "cpuset.cpus", "0-1\n", CG_V1, "0-1" },
	{ "cpuset.cpus", "0-3,8,9\n", CG_V1, "0-3,8-9" },
	{ "cpuset.cpus", "", CG_V1, "" },
	{ "cpuset.cpus", "\n", CG_V1, "" },
	{ "cpuset.mems", "0\n", CG_V1, "0" },
	{ "cpuset.effective_cpus", "0-1\n", CG_V1, "0-1" },
	/* words */
	{ "freezer.state", "THAWED\n", CG_V1, "THAWED" },
	{ "freezer.state", "FREEZING\n", CG_V1, "FREEZING" },
	{ "cgroup.type", "domain\n", CG_V2, "domain" },
	{ "cgroup.type", "domain threaded\n", CG_V2, "domain threaded" },
	{ "cpuset.cpus.partition", "root invalid (Parent is not a partition root)\n", CG_V2,
	  "root invalid" },
	/* per-device records, sorted by device */
	{ "blkio.throttle.read_bps_device", "254:0 2097152\n7:0 1000\n253:0 1000\n", CG_V1,
	  "7:0 1000\n253:0 1000\n254:0 2097152" },
	{ "blkio.throttle.write_iops_device", "", CG_V1, "" },
	{ "io.weight", "default 100\n8:16 200\n8:0 50\n", CG_V2, "default 100\n8:0 50\n8:16 200" },
	{ "io.bfq.weight", "100\n", CG_V2, "default 100" },
	{ "blkio.bfq.weight_device", "default 300\n254:0 200\n", CG_V1, "default 300\n254:0 200" },
	/* keyed records: io.max leaves out devices with no limit */
	{ "io.max",
	  "8:16 rbps=max wbps=1048576 riops=max wiops=max\n8:0 rbps=1 wbps=max riops=max wiops=max\n",
	  CG_V2,
	  "8:0 rbps=1 wbps=max riops=max wiops=max\n8:16 rbps=max wbps=1048576 riops=max wiops=max" },
	{ "io.max", "", CG_V2, "" },
	{ "rdma.max", "mlx4_0 hca_handle=2 hca_object=max\n", CG_V2,
	  "mlx4_0 hca_handle=2 hca_object=max" },
	{ "misc.max", "sev max\nsev_es 10\n", CG_V2, "sev max\nsev_es 10" },
	{ "net_prio.ifpriomap", "lo 0\neth0 5\n", CG_V1, "eth0 5\nlo 0" },
	/* cpu.max */
	{ "cpu.max", "max 100000\n", CG_V2, "max 100000" },
	{ "cpu.max", "50000 100000\n", CG_V2, "50000 100000" },
	{ "cpu.max", "max\n", CG_V2, "max" },
	/* devices.list */
	{ "devices.list", "a *:* rwm\n", CG_V1, "a *:* rwm" },
	{ "devices.list", "c 1:3 rwm\nc 1:5 rw\nb 254:* r\nc *:* m\n", CG_V1,
	  "c 1:3 rwm\nc 1:5 rw\nb 254:* r\nc *:* m" },
	{ "devices.list", "", CG_V1, "" },
	/* unchecked and read-only files: trimmed text */
	{ "cgroup.subtree_control", "cpu memory\n", CG_V2, "cpu memory" },
	{ "x.custom", "  some text \n", CG_V1, "some text" },
};

START_TEST(test_cases)
{
	char *got = fmt(cases[_i].name, cases[_i].text, cases[_i].ver);

	ck_assert_msg(strcmp(got, cases[_i].want) == 0, "%s: got '%s', expected '%s'",
		      cases[_i].name, got, cases[_i].want);
	free(got);
}
END_TEST

START_TEST(test_types)
{
	struct cg_value v;

	v = rb("memory.limit_in_bytes", "9223372036854771712\n", CG_V1);
	ck_assert_int_eq(v.type, CG_VT_SIZE);
	ck_assert(v.u.size.unlimited);
	/* just below the threshold is a number */
	v = rb("memory.limit_in_bytes", "9223372036854767616\n", CG_V1);
	ck_assert(!v.u.size.unlimited);
	ck_assert_uint_eq(v.u.size.bytes, UINT64_C(9223372036854767616));

	v = rb("devices.list", "a *:* rwm\n", CG_V1);
	ck_assert_int_eq(v.type, CG_VT_DEVRULE);
	ck_assert_uint_eq(v.u.devrules.n, 1);
	ck_assert_int_eq(v.u.devrules.items[0].type, 'a');
	ck_assert_int_eq(v.u.devrules.items[0].dev.major, -1);
	ck_assert_uint_eq(v.u.devrules.items[0].access, 7);
	cg_value_release(&v);

	v = rb("pids.max", "max\n", CG_V1);
	ck_assert_int_eq(v.type, CG_VT_INT);
	ck_assert(v.u.num.is_max);

	v = rb("freezer.state", "FROZEN\n", CG_V1);
	ck_assert_ptr_eq(v.u.word, cg_schema_file_any("freezer.state")->words[0]);
	v = rb("freezer.state", "FREEZING\n", CG_V1);
	ck_assert_str_eq(v.u.word, "FREEZING");

	v = rb("cpuset.cpus", "\n", CG_V1);
	ck_assert_int_eq(v.type, CG_VT_CPULIST);
	ck_assert(cg_cpuset_empty(&v.u.cpus));
	cg_value_release(&v);

	v = rb("cpu.max", "max 100000\n", CG_V2);
	ck_assert(v.u.cpumax.unlimited);
	ck_assert_int_eq(v.u.cpumax.period, 100000);

	v = rb("blkio.throttle.read_bps_device", "8:0 0\n", CG_V1);
	ck_assert(v.u.devlimits.items[0].unlimited);
	cg_value_release(&v);
	v = rb("io.weight", "default 100\n", CG_V2);
	ck_assert_int_eq(v.u.devlimits.items[0].dev.major, -1);
	ck_assert_uint_eq(v.u.devlimits.items[0].value, 100);
	cg_value_release(&v);

	ck_assert_int_eq(cg_readback_type(cg_schema_file_any("memory.current"), "memory.current"),
			 CG_VT_SIZE);
	ck_assert_int_eq(cg_readback_type(NULL, "x.custom"), CG_VT_RAW);
	ck_assert_int_eq(cg_readback_type(cg_schema_file_any("cpu.max"), NULL), CG_VT_CPUMAX);
}
END_TEST

/* equal to the configured value after normalization */
START_TEST(test_keyed_order_never_differs)
{
	struct cg_value a = rb("io.max",
			       "8:16 rbps=1 wbps=max riops=max wiops=max\n"
			       "8:0 rbps=max wbps=2 riops=max wiops=max\n",
			       CG_V2);
	struct cg_value b = rb("io.max",
			       "8:0 wiops=max riops=max wbps=2 rbps=max\n"
			       "8:16 rbps=1 wbps=max riops=max wiops=max\n",
			       CG_V2);

	ck_assert(cg_value_equal(&a, &b));
	ck_assert_str_eq(a.u.keyed.items[0].key, "8:0");
	cg_value_release(&a);
	cg_value_release(&b);
}
END_TEST

/* the kernel drops a v1 throttle entry set to 0: unlimited equals no entry at all */
START_TEST(test_unlimited_is_absent)
{
	struct cg_value set = rb("blkio.throttle.write_iops_device", "254:0 100\n7:0 0\n", CG_V1);
	struct cg_value live = rb("blkio.throttle.write_iops_device", "254:0 100\n", CG_V1);
	struct cg_value none = rb("blkio.throttle.write_iops_device", "", CG_V1);
	struct cg_value other = rb("blkio.throttle.write_iops_device", "254:0 100\n7:0 5\n", CG_V1);
	struct cg_value off = rb("blkio.throttle.write_iops_device", "254:0 0\n", CG_V1);

	ck_assert(cg_value_equal(&set, &live));
	ck_assert(cg_value_equal(&live, &set));
	ck_assert(!cg_value_equal(&set, &none));
	ck_assert(!cg_value_equal(&other, &live));
	ck_assert(!cg_value_equal(&live, &other));
	ck_assert(cg_value_equal(&off, &none));
	ck_assert(!cg_value_equal(&off, &live));
	cg_value_release(&set);
	cg_value_release(&live);
	cg_value_release(&none);
	cg_value_release(&other);
	cg_value_release(&off);
}
END_TEST

static const struct {
	const char *name;
	const char *text;
	const char *msg;
} bad[] = {
	{ "memory.limit_in_bytes", "abc\n",
	  "unexpected value 'abc' read from 'memory.limit_in_bytes'" },
	{ "memory.limit_in_bytes", "", "unexpected value ''" },
	{ "memory.limit_in_bytes", "99999999999999999999999", "expected a size" },
	{ "cpu.shares", "1.5\n", "expected an integer" },
	{ "cpuset.cpu_exclusive", "yes\n", "expected 0 or 1" },
	{ "cpuset.cpus", "0-\n", "expected a list" },
	{ "freezer.state", "MELTED\n", "'MELTED'" },
	{ "blkio.throttle.read_bps_device", "8:0\n", "'8:0'" },
	{ "blkio.throttle.read_bps_device", "vda 100\n", "'vda 100'" },
	{ "io.max", "8:0 rbps\n", "'8:0 rbps'" },
	{ "io.max", "sda rbps=1\n", "'sda rbps=1'" },
	{ "misc.max", "sev\n", "'sev'" },
	{ "cpu.max", "a b c\n", "'a b c'" },
	{ "cpu.max", "max 0\n", "'max 0'" },
	{ "devices.list", "x 1:3 rwm\n", "'x 1:3 rwm'" },
	{ "devices.list", "c 1:3 rwq\n", "'c 1:3 rwq'" },
	{ "devices.list", "c 1:3 rr\n", "'c 1:3 rr'" },
};

START_TEST(test_bad)
{
	struct cg_error *err = NULL;
	struct cg_value v;

	ck_assert_int_eq(cg_readback_parse(cg_schema_file_any(bad[_i].name), bad[_i].name,
					   bad[_i].text, CG_V1, &v, &err),
			 -1);
	ck_assert_int_eq(err->kind, CG_E_PRECOND);
	ck_assert_msg(strstr(err->msg, bad[_i].msg), "'%s' lacks '%s'", err->msg, bad[_i].msg);
	cg_error_free(err);
}
END_TEST

START_TEST(test_normalize_sizes)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	const struct cg_filedef *lim = cg_schema_file_any("memory.limit_in_bytes");
	struct cg_value v;

	memset(&v, 0, sizeof(v));
	v.type = CG_VT_SIZE;
	v.u.size.bytes = page + 1;
	cg_readback_normalize(lim, CG_V1, &v);
	ck_assert_uint_eq(v.u.size.bytes, page);
	v.u.size.bytes = 1000;
	cg_readback_normalize(lim, CG_V1, &v);
	ck_assert_uint_eq(v.u.size.bytes, 0);
	ck_assert(!v.u.size.unlimited);
	v.u.size.bytes = UINT64_C(1) << 30;
	cg_readback_normalize(lim, CG_V1, &v);
	ck_assert_uint_eq(v.u.size.bytes, UINT64_C(1) << 30);
	/* 2^63 - 1 is clamped by the kernel to the unlimited number */
	v.u.size.bytes = INT64_MAX;
	cg_readback_normalize(lim, CG_V1, &v);
	ck_assert(v.u.size.unlimited);
	v.u.size.unlimited = true;
	v.u.size.bytes = 0;
	cg_readback_normalize(lim, CG_V1, &v);
	ck_assert(v.u.size.unlimited);

	/* v2 memory files too */
	v.u.size.unlimited = false;
	v.u.size.bytes = 3 * page + 7;
	cg_readback_normalize(cg_schema_file_any("memory.max"), CG_V2, &v);
	ck_assert_uint_eq(v.u.size.bytes, 3 * page);

	/* hugetlb: to the huge page named in the file */
	v.u.size.bytes = (UINT64_C(5) << 20) + 12345;
	cg_readback_normalize_file(cg_schema_file_any("hugetlb.2MB.limit_in_bytes"),
				   "hugetlb.2MB.limit_in_bytes", CG_V1, &v);
	ck_assert_uint_eq(v.u.size.bytes, UINT64_C(4) << 20);
	v.u.size.bytes = (UINT64_C(3) << 30) - 1;
	cg_readback_normalize_file(cg_schema_file_any("hugetlb.1GB.max"), "hugetlb.1GB.max", CG_V2,
				   &v);
	ck_assert_uint_eq(v.u.size.bytes, UINT64_C(2) << 30);
	v.u.size.bytes = (UINT64_C(200) << 10) + 5;
	cg_readback_normalize_file(cg_schema_file_any("hugetlb.64KB.limit_in_bytes"),
				   "hugetlb.64KB.limit_in_bytes", CG_V1, &v);
	ck_assert_uint_eq(v.u.size.bytes, UINT64_C(192) << 10);
	v.u.size.bytes = UINT64_C(9223372036852678656);
	cg_readback_normalize_file(cg_schema_file_any("hugetlb.2MB.limit_in_bytes"),
				   "hugetlb.2MB.limit_in_bytes", CG_V1, &v);
	ck_assert(v.u.size.unlimited);
}
END_TEST

START_TEST(test_normalize_other)
{
	struct cg_value v, w;

	memset(&v, 0, sizeof(v));
	v.type = CG_VT_INT;
	v.u.num.v = -5;
	cg_readback_normalize(cg_schema_file_any("cpu.cfs_quota_us"), CG_V1, &v);
	ck_assert_int_eq(v.u.num.v, -1);
	v.u.num.v = 1;
	cg_readback_normalize(cg_schema_file_any("cpu.shares"), CG_V1, &v);
	ck_assert_int_eq(v.u.num.v, 2);
	v.u.num.v = 1000000;
	cg_readback_normalize(cg_schema_file_any("cpu.shares"), CG_V1, &v);
	ck_assert_int_eq(v.u.num.v, 262144);
	v.type = CG_VT_BOOL;
	v.u.num.v = 2;
	cg_readback_normalize(cg_schema_file_any("cpuset.cpu_exclusive"), CG_V1, &v);
	ck_assert_int_eq(v.u.num.v, 1);

	/* records sorted as the read-back is */
	v = rb("io.weight", "8:16 200\ndefault 100\n", CG_V2);
	cg_value_copy(&w, &v);
	w.u.devlimits.items[0] = v.u.devlimits.items[1];
	w.u.devlimits.items[1] = v.u.devlimits.items[0];
	cg_readback_normalize(cg_schema_file_any("io.weight"), CG_V2, &w);
	ck_assert_int_eq(w.u.devlimits.items[0].dev.major, -1);
	ck_assert(cg_value_equal(&v, &w));
	cg_value_release(&v);
	cg_value_release(&w);

	/* an unchecked file is left alone */
	v.type = CG_VT_SIZE;
	v.u.size.unlimited = false;
	v.u.size.bytes = 4097;
	cg_readback_normalize(NULL, CG_V1, &v);
	ck_assert_uint_eq(v.u.size.bytes, 4097);
}
END_TEST

START_TEST(test_raw_untrimmed)
{
	struct cg_error *err = NULL;
	struct cg_value v;

	ck_assert_int_eq(
		cg_readback_parse_as(CG_VT_RAW, NULL, "x", " a b ", CG_V1, false, &v, &err), 0);
	ck_assert_str_eq(v.u.raw, " a b ");
	cg_value_release(&v);
	ck_assert_int_eq(
		cg_readback_parse_as(CG_VT_RAW, NULL, "x", " a b \n", CG_V1, true, &v, &err), 0);
	ck_assert_str_eq(v.u.raw, "a b");
	cg_value_release(&v);
}
END_TEST

static Suite *
readback_suite(void)
{
	Suite *s = suite_create("readback");
	TCase *tc = tcase_create("parse");

	tcase_add_loop_test(tc, test_cases, 0, sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, test_types);
	tcase_add_test(tc, test_keyed_order_never_differs);
	tcase_add_test(tc, test_unlimited_is_absent);
	tcase_add_loop_test(tc, test_bad, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, test_raw_untrimmed);
	suite_add_tcase(s, tc);
	tc = tcase_create("normalize");
	tcase_add_test(tc, test_normalize_sizes);
	tcase_add_test(tc, test_normalize_other);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run_suite(readback_suite());
}
