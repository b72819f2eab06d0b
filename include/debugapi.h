/* SPDX-License-Identifier: MIT */
/* <debugapi.h>: declared with the other fail-fast, debugger and module calls. */
#include <errhandlingapi.h>
