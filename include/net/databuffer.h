/* SPDX-License-Identifier: MIT */
/*
 * The data buffer ring (NetRingTypeDataBuffer). umnic allocates and attaches
 * every data buffer itself (system allocation and attachment), so a driver
 * never walks this ring; the header exists so sources that include it build.
 */
#ifndef UMNIC_NET_DATABUFFER_H
#define UMNIC_NET_DATABUFFER_H

#include <net/ring.h>
#include <net/fragment.h>

#endif
