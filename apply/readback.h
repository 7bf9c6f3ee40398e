/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The kernel's read-back text of a control file → the typed, normalized value, and the
 * normalization applied to configured values so that both compare equal when the kernel
 * would store the same thing: memory sizes rounded down to the page, the v1 unlimited
 * number 9223372036854771712 (and -1, max) as unlimited, "max 100000", cpu lists as
 * bitmaps, memory.oom_control's "oom_kill_disable N" key, devices.list entries, per-device
 * and keyed records as maps, whitespace trimmed. ../shared/reference/ordering-survey.md §4.
 */
#ifndef CGAPPLY_APPLY_READBACK_H
#define CGAPPLY_APPLY_READBACK_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/error.h"
#include "parser/value.h"

struct cg_filedef;

/*
 * The type a file's read-back parses into: def->type, except for files read for the
 * planner's checks whose table entry is read-only (RAW):
 *   devices.list                                  CG_VT_DEVRULE (its allow entries, in order)
 *   memory.usage_in_bytes, memory.memsw.usage_in_bytes, memory.kmem.usage_in_bytes,
 *   memory.current, memory.swap.current, memory.peak        CG_VT_SIZE
 *   pids.current                                  CG_VT_INT
 *   cpuset.effective_{cpus,mems}, cpuset.{cpus,mems}.effective  CG_VT_CPULIST
 * def NULL (an unchecked file): CG_VT_RAW.
 */
enum cg_vtype cg_readback_type(const struct cg_filedef *def, const char *name);

/*
 * Parses `text` read from file `name` (def: its table entry, NULL for an unchecked file,
 * kept as trimmed raw text; name NULL: def->name, which is wrong for hugetlb patterns).
 * Errors (text the kernel never prints for that file) are CG_E_PRECOND.
 *   SIZE      decimal bytes; max, -1 and anything >= the file's PAGE_COUNTER_MAX bytes
 *             (9223372036854771712 with 4 KiB pages) are unlimited
 *   INT       decimal or max (is_max); memory.oom_control: its oom_kill_disable line
 *   BOOL      any integer, non-zero = 1
 *   CPULIST   "" or "\n" is the empty set
 *   ENUM      a word of def->words, or the read-only states FREEZING, "domain threaded",
 *             "domain invalid", "root invalid", "isolated invalid" (static strings that
 *             equal no configured word)
 *   DEVLIMIT  "MAJ:MIN N", "default N" (io.weight's first line) or a bare N (default);
 *             max, and on CG_FF_MAX_WORD files 0 and U64_MAX, are unlimited; sorted by
 *             device, default first
 *   KEYED     "KEY k=v ..." or "KEY v"; MAJ:MIN keys canonical; sorted by key. Devices
 *             the kernel leaves out (io.max: all max; v1 throttles: no limit) are absent
 *   CPUMAX    "max 100000", "50000 100000" (a single field: period 0)
 *   DEVRULE   devices.list lines "a *:* rwm", "c 1:3 rwm"; empty = deny all
 */
int cg_readback_parse(const struct cg_filedef *def, const char *name, const char *text,
		      enum cg_version ver, struct cg_value *out, struct cg_error **err);
/* The same, as a given type; trim false keeps RAW text exactly (the journal's values). */
int cg_readback_parse_as(enum cg_vtype type, const struct cg_filedef *def, const char *name,
			 const char *text, enum cg_version ver, bool trim, struct cg_value *out,
			 struct cg_error **err);

/*
 * Rewrites a configured value into the form the kernel will store: memory.* sizes round
 * down to the page, hugetlb.<size>.* sizes to that huge page; sizes at or above the
 * unlimited threshold become unlimited; a negative cpu.cfs_quota_us is -1; cpu.shares is
 * clamped to 2..262144; BOOL is 0/1; DEVLIMIT and KEYED records are sorted as read-backs
 * are. Idempotent, and a no-op on read-back values. Use the _file form, which takes the
 * real file name (hugetlb patterns need it); def NULL does nothing.
 */
void cg_readback_normalize_file(const struct cg_filedef *def, const char *name, enum cg_version ver,
				struct cg_value *v);
void cg_readback_normalize(const struct cg_filedef *def, enum cg_version ver, struct cg_value *v);

#endif
