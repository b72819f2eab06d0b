// SPDX-License-Identifier: MIT
/*
 * The per-thread IRQL of irql.h: raising, lowering and the checks of
 * in-host drivers' IRQL rules, which the verifier names when broken.
 */
#include "runtime/wdf/irql.h"

#include "common/log.h"

static _Thread_local KIRQL current_irql = PASSIVE_LEVEL;
static bool kernel_mode;

KIRQL umn_irql_raise(KIRQL new_level)
{
	KIRQL old = current_irql;

	/* Raising to a lower level is a driver bug on Windows (a bug check); refuse it. */
	if (new_level < old) {
		umn_log(UMN_LOG_ERR, "IRQL: raise from %u to lower level %u refused", old,
			new_level);
		return old;
	}
	current_irql = new_level;
	return old;
}

void umn_irql_lower(KIRQL old)
{
	if (old > current_irql) {
		umn_log(UMN_LOG_ERR, "IRQL: lower from %u to higher level %u refused", current_irql,
			old);
		return;
	}
	current_irql = old;
}

KIRQL umn_irql_current(void)
{
	return current_irql;
}

KIRQL KeGetCurrentIrql(void)
{
	return current_irql;
}

void umn_runtime_set_kernel_mode(bool on)
{
	kernel_mode = on;
}

bool umn_runtime_kernel_mode(void)
{
	return kernel_mode;
}
