/* SPDX-License-Identifier: MIT */
/* The NTSTATUS names of libumnic (client/status.c), for %!STATUS! in trace messages (wpp.c). */
#define UMNIC_STATUS_NAME_FN umn_rt_status_name
#include "client/status.c" // NOLINT(bugprone-suspicious-include): one table, two symbol names
