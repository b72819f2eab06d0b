/* SPDX-License-Identifier: MIT */
#pragma once

/* Shared between the INF driver resolver files; not an API. */

#include "host/inf.h"

/*
 * Appends to drv->addreg the HKR values of the AddReg sections named by install (and the
 * sections its Needs names), hw (likewise) and service, in that order. hw and service may be
 * NULL.
 */
int inf_addreg_collect(const struct inf_file *inf, const struct inf_section *install,
		       const struct inf_section *hw, const struct inf_section *service,
		       struct inf_driver *drv, struct umn_diag *diag);
