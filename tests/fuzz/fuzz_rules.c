/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer harness: arbitrary bytes into the cgrules.conf parser. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "parser/model.h"
#include "parser/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cg_rules_opts opts = { .ids_must_exist = false };
	struct cg_model *m = cg_model_new();
	const char *file = cg_model_intern_file(m, "fuzz.conf");
	struct cg_diags d;

	cg_diags_init(&d);
	cg_rules_parse_conf(m, file, (const char *)data, size, &opts, &d);
	cg_diags_release(&d);
	cg_model_free(m);
	return 0;
}
