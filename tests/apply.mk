# SPDX-License-Identifier: LGPL-2.1-or-later
# Tests of apply/ and of the plan/apply/rollback commands (one block per binary).
if ENABLE_TESTS
### (apply helpers add their test blocks below this line, one block each)
endif
