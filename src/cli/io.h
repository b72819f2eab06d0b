/* SPDX-License-Identifier: MIT */
/* The CLI's I/O commands (open, read, write, ioctl), sent through libumnic. */
#ifndef UMNIC_CLI_IO_H
#define UMNIC_CLI_IO_H

#include <stdbool.h>
#include <stdio.h>

bool cli_io_is_command(const char *cmd);
void cli_io_usage(FILE *f);
/* argv[0] is the command. Returns the exit code: 0 success, 1 failure, 2 usage. */
int cli_io(const char *run_dir, int argc, char **argv);

#endif
