/* SPDX-License-Identifier: MIT */
/* umnicd's configuration (config.h): its defaults and the pointer every module reads it through. */
#include <string.h>

#include "common/proto.h"
#include "umnicd/base/config.h"

const struct umnicd_config *cfg;

void config_defaults(struct umnicd_config *c)
{
	memset(c, 0, sizeof(*c));
	umn_strlcpy(c->state_dir, "/var/lib/umnic", sizeof(c->state_dir));
	umn_strlcpy(c->run_dir, "/run/umnic", sizeof(c->run_dir));
	c->sandbox = true;
	c->warm_spare = true;
	c->io_rings = true;
	c->busy_poll_ns = (uint64_t)UMN_BUSY_POLL_DEFAULT_US * 1000;
	c->max_clients = UMN_MAX_CLIENTS_DEFAULT;
	c->start_timeout_ns = UMN_START_TIMEOUT_DEFAULT_S * 1000000000ull;
	c->host_uid = c->host_gid = UMN_DEFAULT_HOST_ID;
}
