/* SPDX-License-Identifier: MIT */
/* The CLI's I/O commands (open, read, write, ioctl), sent through libumnic. */
#ifndef UMNIC_CLI_IO_H
#define UMNIC_CLI_IO_H

#include <stdbool.h>
#include <stdio.h>

bool cli_io_is_command(const char *cmd);
void cli_io_usage(FILE *f);
/*
 * argv[0] is the command. Each request, and the open and close around them,
 * gives up after timeout_s seconds (0: no limit). Returns the exit code:
 * 0 success, 1 failure, 2 usage.
 */
int cli_io(const char *run_dir, int timeout_s, int argc, char **argv);
/*
 * A limit on a call that has no time-out of its own (connecting, opening):
 * after seconds (0: cancels the limit) the process prints that umnicd did
 * not answer and exits with 1.
 */
void cli_deadline(int seconds);
/* umnic trace (trace.c); argv[0] is "trace". */
int cli_trace(const char *run_dir, int timeout_s, int argc, char **argv);

#endif
