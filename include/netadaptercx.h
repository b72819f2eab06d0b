/* SPDX-License-Identifier: MIT */
/*
 * NetAdapterCx for umnic: the one header a network driver includes after
 * <wdf.h>. It brings in every adapter, queue, ring and extension header.
 *
 * Not included: <net/iterator.h> (umnic's ring iterators). On Windows those
 * helpers ship as a sample a driver copies into its own tree, so a ported
 * driver may carry its own copy; include <net/iterator.h> explicitly to use
 * umnic's instead.
 */
#ifndef UMNIC_NETADAPTERCX_H
#define UMNIC_NETADAPTERCX_H

#if __has_include(<wdf.h>)
#include <wdf.h>
#endif

#include <netadaptercxtypes.h>

#include <net/ring.h>
#include <net/ringcollection.h>
#include <net/packet.h>
#include <net/fragment.h>
#include <net/extension.h>

#include <net/checksum.h>
#include <net/gso.h>
#include <net/rsc.h>
#include <net/packethash.h>
#include <net/ieee8021q.h>
#include <net/virtualaddress.h>
#include <net/logicaladdress.h>
#include <net/returncontext.h>
#include <net/mdl.h>

#include <netdevice.h>
#include <netadapter.h>
#include <netconfiguration.h>
#include <netadapteroffload.h>
#include <netreceivescaling.h>
#include <netreceivefilter.h>
#include <netwakesource.h>
#include <netpoweroffload.h>
#include <ndis.h>
#include <netpacketqueue.h>
#include <nettxqueue.h>
#include <netrxqueue.h>

#endif
