/* SPDX-License-Identifier: MIT */
/* Short name for the ms_packet_hash headers (Windows calls them packethash*.h). */
#ifndef UMNIC_NET_HASH_H
#define UMNIC_NET_HASH_H

#include <net/packethash.h>

#endif
