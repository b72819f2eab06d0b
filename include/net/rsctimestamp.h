/* SPDX-License-Identifier: MIT */
/*
 * The RSC timestamp extension is declared next to ms_packet_rsc, as on
 * Windows; this name exists for sources that look for it on its own.
 */
#ifndef UMNIC_NET_RSCTIMESTAMP_H
#define UMNIC_NET_RSCTIMESTAMP_H

#include <net/rsc.h>

#endif
