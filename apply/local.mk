# SPDX-License-Identifier: LGPL-2.1-or-later
# apply/: live hierarchy, diff, planner, executor.
