/* SPDX-License-Identifier: MIT */
/* <libloaderapi.h>: declared with the other fail-fast, debugger and module calls. */
#include <errhandlingapi.h>
