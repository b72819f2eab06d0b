/* SPDX-License-Identifier: MIT */
/*
 * The OS side of an adapter's packet queues in umnicd: one thread per
 * queue pair moves frames between its queue of the multi-queue TAP and its
 * TX and RX rings.
 */
#ifndef UMNIC_UMNICD_DATAPATH_H
#define UMNIC_UMNICD_DATAPATH_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/shm.h"
#include "umnicd/net/dp_offload.h"
#include "umnicd/net/dp_validate.h"

struct dp_counters {
	_Atomic uint64_t packets;
	_Atomic uint64_t bytes;
	_Atomic uint64_t drops;
	_Atomic uint64_t kicks;		/* eventfd writes to wake the driver */
	_Atomic uint64_t wakeups;	/* times the driver woke umnicd */
	_Atomic uint64_t advance_calls; /* as the driver reports it */
	_Atomic uint64_t offloaded;	/* TX: handed to the driver to segment; RX: coalesced */
	_Atomic uint64_t sw_segments;	/* TX: segments umnicd cut itself */
	_Atomic uint64_t sw_checksums;	/* TX: checksums umnicd wrote itself */
	_Atomic uint64_t hashed; /* RX: packets the driver gave an RSS hash (ms_packet_hash) */
	_Atomic uint64_t tagged; /* 802.1Q tags moved between the frame and ms_packet_ieee8021q */
};

struct dp_queue {
	struct umn_queue_layout l; /* private copy; never re-read from shared memory */
	void *base;
	struct umn_os_cell *os;
	struct umn_drv_cell *drv;
	unsigned char *pkt_elems;
	unsigned char *frag_elems;
	unsigned char *bufs;
	struct dp_range pkt;
	struct dp_range frag;
	int memfd;
	int ec_efd; /* wakes the driver's execution context */
	struct dp_counters c;
	uint64_t wd_advance; /* watchdog: Advance count last seen, and when it last moved */
	uint64_t wd_progress_ns;
	/*
	 * RX: how many packets umnicd keeps posted, up to the ring. It starts
	 * small, so that an idle device touches only a little of its ring, and
	 * doubles whenever the driver used more than half of it between two
	 * posts (rx_post).
	 */
	uint32_t post_win;
	bool primed; /* RX: posted to at least once */
};

/* Queue pairs an adapter may have: the runtime's and the TAP's limit. */
#define DP_MAX_QUEUES UMN_QUEUES_MAX

struct dp_adapter;

/*
 * One queue pair: a queue of the TAP, a TX and an RX ring, and the thread
 * that serves them. Nothing in it is shared with another pair's thread but
 * the adapter's failure state and the offloads in force.
 */
struct dp_qpair {
	struct dp_adapter *a;
	uint32_t id;
	int tap_fd;		    /* this pair's queue of the TAP (the device owns it) */
	int os_efd;		    /* the driver wakes this pair's thread through this */
	uint32_t cpu_plus1;	    /* the CPU its thread runs on, plus one; 0: any */
	struct dp_offload_cfg ocfg; /* this thread's copy, its active set read once per pass */
	uint8_t *bounce;	    /* one frame umnicd segments itself, DP_GSO_FRAME_MAX bytes */
	struct {
		bool on;
		uint32_t len, next, nsegs;
		struct dp_tx_plan plan;
	} sw;
	struct dp_queue tx;
	struct dp_queue rx;
	/*
	 * RX offloads the driver answered it stopped (dp_rx_grace): accepted
	 * once more for what it has returned by this thread's next look, which
	 * it may have made before the change.
	 */
	_Atomic uint32_t rx_grace;
	pthread_t thread;
	bool running;
};

struct dp_adapter {
	int ctl_efd;  /* umnicd's control thread stops the threads through this */
	int fail_efd; /* signalled to the control thread when the driver broke a rule */
	uint32_t max_frame;
	/*
	 * Offloads: the driver's capabilities (fixed while the threads run) and the set in
	 * force, which the control thread changes; each thread reads it once per pass.
	 */
	struct dp_offload_cfg ocfg;
	_Atomic uint32_t active;
	uint32_t nq; /* queue pairs in use, 1..DP_MAX_QUEUES */
	struct dp_qpair qp[DP_MAX_QUEUES];
	_Atomic bool stop;
	_Atomic bool failing; /* the first thread to fail writes fail_reason */
	_Atomic bool failed;
	char fail_reason[DP_ERR_MAX + 64];
	uint32_t index_base; /* where free-running indices start (tests use values near 2^32) */
	_Atomic uint64_t first_frame_ns; /* monotonic time the first frame moved */
};

/*
 * The driver answered that the RX offloads in stopped are off: what each
 * queue returned until now may still use them (the runtime pauses the
 * execution contexts around the callback, so what is returned later may
 * not). Called by the control thread after it changed active.
 */
void dp_rx_grace(struct dp_adapter *a, uint32_t stopped);

/* An execution context awake but stuck (no Advance) for this long is hung. */
#define DP_WATCHDOG_NS (2000ull * 1000000ull)

/*
 * Called periodically by the control thread: true (with a reason) when a
 * queue's execution context is awake but has not called Advance for
 * DP_WATCHDOG_NS, i.e. the driver hangs in a callback.
 */
bool dp_watchdog(struct dp_adapter *a, uint64_t now_ns, char *why, size_t cap);

/* Creates the memfd and mapping of a queue per layout; 0 or -errno. */
int dp_queue_init(struct dp_queue *q, const struct umn_queue_layout *l, uint32_t index_base);
void dp_queue_fini(struct dp_queue *q);
/* Points q at queue memory of layout l already mapped at base (dp_queue_init's second half). */
void dp_queue_attach(struct dp_queue *q, const struct umn_queue_layout *l, void *base,
		     uint32_t index_base);
/*
 * One pass of a queue pair's thread: completes TX, harvests RX, posts RX
 * buffers and TX frames. Returns how much moved; the thread sleeps when
 * nothing did. qp->a must be set.
 */
unsigned dp_pass(struct dp_qpair *qp, bool *ret_tap_empty, bool *ret_tx_full);
/* Posts the initial RX buffers of every pair; call before the driver starts the queues. */
void dp_rx_prime(struct dp_adapter *a);
/* Sums a counter over the pairs in use (for status). */
void dp_counters_sum(const struct dp_adapter *a, bool tx, struct dp_counters *ret);
int dp_adapter_start(struct dp_adapter *a);
void dp_adapter_stop(struct dp_adapter *a);

#endif
