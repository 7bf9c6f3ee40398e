/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer harness: arbitrary bytes into the whole YAML configuration parser. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "parser/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cg_parse_opts opts = { .ids_must_exist = false };
	struct cg_model *m = NULL;
	struct cg_diags d;

	cg_diags_init(&d);
	if (cg_parse_buffer("fuzz.yaml", (const char *)data, size, &opts, &m, &d) == 0)
		cg_model_free(m);
	cg_diags_release(&d);
	return 0;
}
