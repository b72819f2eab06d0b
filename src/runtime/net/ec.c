/* SPDX-License-Identifier: MIT */
/*
 * Execution contexts: one thread per queue id runs Start, Advance,
 * SetNotificationEnabled, Cancel and Stop of that id's TX and RX queues, one
 * at a time, so the driver needs no locks between them.
 *
 * The loop polls while there is progress, then arms notification, advertises
 * that it sleeps, looks once more and only then blocks on the eventfds. Either
 * side pays a syscall only to wake a sleeping other side.
 *
 * A context that notifies a sleeping one during its turn (vpair's TX waking
 * the other side's RX) runs that context's turn itself once its own
 * callbacks have returned, instead of waking its thread: the run lock keeps
 * one context's callbacks one at a time whichever thread runs them, and a
 * frame crosses to the other side without a thread wake-up. Only a context
 * whose run lock is free and that is neither stopping nor paused is taken
 * over; any other is woken as before. A notification from a driver's own
 * thread, or from any callback but Advance, always wakes.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <net/virtualaddress.h>

#include "common/clock.h"
#include "common/cpu.h"
#include "common/efd.h"
#include "common/log.h"
#include "runtime/wdf/irql.h"
#include "runtime/rt.h"

struct umn_ec {
	struct umn_adapter *adapter;
	uint32_t id;
	struct umn_pqueue *q[2]; /* indexed by enum umn_queue_kind */
	pthread_t thread;
	bool running;
	_Atomic bool stop;
	_Atomic uint32_t notified;
	int wake_efd;
	/*
	 * Held by the thread while it runs the queues' callbacks, let go while it
	 * sleeps: umn_ec_pause takes it to keep the datapath out of a callback
	 * that must not run beside it (SynchronizeSetIndirectionEntries).
	 */
	pthread_mutex_t run;
	pthread_cond_t resumed;
	_Atomic bool pause;	 /* someone waits for run: let it go at the next turn */
	_Atomic unsigned takers; /* other contexts' threads about to run a turn of this one */
	uint32_t cpu_plus1; /* the CPU its thread runs on, plus one (umnicd's choice); 0: any */
};

/*
 * The context this thread runs, and the sleeping contexts it notified during
 * its turn, whose turns it runs next (take_turns).
 */
#define EC_TAKE_MAX 8
static _Thread_local struct umn_ec *this_ec;
static _Thread_local struct umn_ec *to_take[EC_TAKE_MAX];
static _Thread_local unsigned n_take;
static _Thread_local bool advancing; /* in the Advance passes of this_ec's own turn */
static _Thread_local bool taking;

NTSTATUS umn_ec_attach(struct umn_pqueue *q)
{
	struct umn_adapter *a = q->adapter;
	struct umn_ec *ec;

	if (q->id >= UMN_MAX_QUEUES)
		return STATUS_INVALID_PARAMETER;
	ec = a->ec[q->id];
	if (!ec) {
		ec = calloc(1, sizeof(*ec));
		if (!ec)
			return STATUS_INSUFFICIENT_RESOURCES;
		ec->wake_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (ec->wake_efd < 0) {
			free(ec);
			return STATUS_INSUFFICIENT_RESOURCES;
		}
		pthread_mutex_init(&ec->run, NULL);
		pthread_cond_init(&ec->resumed, NULL);
		ec->adapter = a;
		ec->id = q->id;
		a->ec[q->id] = ec;
	}
	ec->q[q->kind] = q;
	ec->cpu_plus1 = q->cpu_plus1;
	q->ec = ec;
	return STATUS_SUCCESS;
}

static NETPACKETQUEUE handle_of(struct umn_pqueue *q)
{
	return (NETPACKETQUEUE)umn_object_handle(&q->obj);
}

/* Points the virtual-address extension of newly posted fragments at their buffers. */
static void fill_va(struct umn_pqueue *q, uint32_t from, uint32_t to)
{
	const uint32_t mask = q->l.frag_count - 1;

	for (uint32_t i = from; i != to; i++) {
		uint32_t slot = i & mask;
		unsigned char *el = q->frag->Buffer + (size_t)slot * q->l.frag_stride;
		void *va = q->bufs + (size_t)slot * q->l.buf_size;

		memcpy(el + UMN_FRAG_EXT_VA_OFF, &va, sizeof(va));
	}
}

static bool os_moved(struct umn_pqueue *q)
{
	return atomic_load_explicit(&q->os->ends, memory_order_relaxed) !=
	       umn_idx_pack(q->seen_pkt_end, q->seen_frag_end);
}

/* One Advance of one queue; true if anything moved. */
static bool service(struct umn_pqueue *q)
{
	/* Acquire: pairs with umnicd's release of ends in publish() (umnicd/net/datapath.c). */
	uint64_t ends = atomic_load_explicit(&q->os->ends, memory_order_acquire);
	uint32_t pe = umn_idx_pkt(ends), fe = umn_idx_frag(ends);
	bool moved = pe != q->seen_pkt_end || fe != q->seen_frag_end;
	uint32_t pb0, fb0, pb, fb;

	if (fe != q->seen_frag_end)
		fill_va(q, q->seen_frag_end, fe);
	q->seen_pkt_end = pe;
	q->seen_frag_end = fe;
	q->pkt->EndIndex = pe & q->pkt->ElementIndexMask;
	q->frag->EndIndex = fe & q->frag->ElementIndexMask;

	pb0 = q->pkt->BeginIndex;
	fb0 = q->frag->BeginIndex;
	q->config.EvtAdvance(handle_of(q));
	atomic_fetch_add_explicit(&q->drv->advance_calls, 1, memory_order_relaxed);
	pb = q->pkt->BeginIndex;
	fb = q->frag->BeginIndex;
	if (pb == pb0 && fb == fb0)
		return moved;

	/* Release: pairs with umnicd's acquire of begins in returned() (umnicd/net/datapath.c). */
	atomic_store_explicit(&q->drv->begins, umn_idx_pack(pb, fb), memory_order_release);
	/*
	 * Pairs with umnicd's fence in dp_thread() (umnicd/net/datapath.c) between setting
	 * os_sleeping and rechecking begins: it sees what moved, or we see it asleep and kick.
	 */
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load_explicit(&q->os->os_sleeping, memory_order_relaxed))
		umn_efd_kick_or_warn(q->os_efd, "eventfd write");
	return true;
}

static void set_notification(struct umn_pqueue *q, bool on)
{
	if (q->armed == on)
		return;
	q->armed = on;
	q->config.EvtSetNotificationEnabled(handle_of(q), on ? TRUE : FALSE);
}

static bool all_returned(struct umn_pqueue *q)
{
	return q->pkt->BeginIndex == q->pkt->EndIndex && q->frag->BeginIndex == q->frag->EndIndex;
}

static void ec_cancel_and_stop(struct umn_ec *ec)
{
	uint64_t t0;

	for (int k = 0; k < 2; k++)
		if (ec->q[k] && ec->q[k]->started) {
			set_notification(ec->q[k], false);
			ec->q[k]->config.EvtCancel(handle_of(ec->q[k]));
		}
	/* Keep advancing until every element is back, within a bound. */
	t0 = umn_mono_ns();
	for (;;) {
		bool done = true;

		for (int k = 0; k < 2; k++) {
			struct umn_pqueue *q = ec->q[k];
			if (!q || !q->started)
				continue;
			service(q);
			done = done && all_returned(q);
		}
		if (done)
			break;
		if (umn_mono_ns() - t0 >= 2000000000u) {
			umn_log(
			    UMN_LOG_WARN,
			    "queue %u: driver did not return every element within 2 s of EvtCancel",
			    ec->id);
			break;
		}
		poll(NULL, 0, 1);
	}
	for (int k = 0; k < 2; k++) {
		struct umn_pqueue *q = ec->q[k];
		if (q && q->started) {
			if (q->config.EvtStop)
				q->config.EvtStop(handle_of(q));
			q->started = false;
		}
	}
}

/* Arms notification and advertises sleep; true if work arrived meanwhile (do not sleep). */
static bool arm_for_sleep(struct umn_ec *ec)
{
	bool pending;

	for (int k = 0; k < 2; k++)
		if (ec->q[k])
			set_notification(ec->q[k], true);
	for (int k = 0; k < 2; k++)
		if (ec->q[k])
			atomic_store_explicit(&ec->q[k]->drv->drv_sleeping, 1,
					      memory_order_relaxed);
	/*
	 * Pairs with the fences in umn_ec_notify() and in umnicd's publish()
	 * (umnicd/net/datapath.c): either they see drv_sleeping and wake us, or we
	 * see their notified or ends below.
	 */
	atomic_thread_fence(memory_order_seq_cst);

	pending = atomic_load(&ec->notified) != 0 || atomic_load(&ec->stop);
	for (int k = 0; k < 2; k++)
		if (ec->q[k] && os_moved(ec->q[k]))
			pending = true;
	return pending;
}

/*
 * One turn of a sleeping context on this thread: what its own thread would
 * do on waking (notification off, Advance while anything moves, at most 4
 * passes), then armed again. Its thread stays asleep, advertised as such,
 * and is woken only if work is left (the last pass still moved something,
 * or work came while arming) or if the context cannot be taken.
 */
static void take_turn(struct umn_ec *t)
{
	bool pending, progress = false;

	if (pthread_mutex_trylock(&t->run) != 0) {
		/* Its thread is awake, or a pause holds it. */
		umn_efd_kick_or_warn(t->wake_efd, "eventfd write");
		return;
	}
	/* Stopping, paused, or its thread has not started the queues yet: leave it to its thread.
	 */
	bool its_own = atomic_load(&t->stop) || atomic_load(&t->pause);
	for (int k = 0; k < 2; k++)
		its_own = its_own || (t->q[k] && !t->q[k]->started);
	if (its_own) {
		pthread_mutex_unlock(&t->run);
		if (!atomic_load(&t->stop))
			umn_efd_kick_or_warn(t->wake_efd, "eventfd write");
		return;
	}
	for (int k = 0; k < 2; k++)
		if (t->q[k])
			set_notification(t->q[k], false);
	for (int pass = 0; pass < 4; pass++) {
		progress = false;
		atomic_store(&t->notified, 0);
		for (int k = 0; k < 2; k++)
			if (t->q[k])
				progress |= service(t->q[k]);
		if (!progress)
			break;
	}
	/* Still moving after 4 passes: its own thread goes on (notification stays off). */
	pending = progress || arm_for_sleep(t);
	pthread_mutex_unlock(&t->run);
	if (pending)
		umn_efd_kick_or_warn(t->wake_efd, "eventfd write");
}

static void take_turns(void)
{
	taking = true;
	while (n_take) {
		struct umn_ec *t = to_take[--n_take];

		take_turn(t);
		atomic_fetch_sub(&t->takers, 1);
	}
	taking = false;
}

/* Whether this thread will run t's turn (see take_turns) instead of waking t's thread. */
static bool take_later(struct umn_ec *t)
{
	if (!advancing || this_ec == t || taking || n_take == EC_TAKE_MAX)
		return false;
	for (unsigned i = 0; i < n_take; i++)
		if (to_take[i] == t)
			return true;
	/* t is valid now (the driver notified one of its queues): umn_ec_free waits for this. */
	atomic_fetch_add(&t->takers, 1);
	to_take[n_take++] = t;
	return true;
}

static void *ec_thread(void *arg)
{
	struct umn_ec *ec = arg;
	char name[16];
	int e;

	/* "umnic-ec" and the queue id: what top -H and the tests see. */
	snprintf(name, sizeof(name), "umnic-ec%u", ec->id);
	pthread_setname_np(pthread_self(), name);
	/* On umnicd's thread's CPU, when it has one: a hand-over there needs no wake-up of another
	 * CPU. */
	e = umn_pin_self(ec->cpu_plus1);
	if (e < 0)
		umn_log(UMN_LOG_WARN, "execution context of queue %u: cannot run on CPU %u: %s",
			ec->id, ec->cpu_plus1 - 1, strerror(-e));
	this_ec = ec;
	pthread_mutex_lock(&ec->run);
	for (int k = 0; k < 2; k++) {
		struct umn_pqueue *q = ec->q[k];
		if (!q)
			continue;
		if (q->config.EvtStart)
			q->config.EvtStart(handle_of(q));
		q->started = true;
	}
	while (!atomic_load_explicit(&ec->stop, memory_order_relaxed)) {
		bool progress = false;

		/*
		 * Paused (umn_ec_pause): no callback until it is over. Acquire: pairs with the
		 * releases in umn_ec_pause() and umn_ec_resume().
		 */
		while (atomic_load_explicit(&ec->pause, memory_order_acquire))
			pthread_cond_wait(&ec->resumed, &ec->run);

		advancing = true;
		for (int k = 0; k < 2; k++)
			if (ec->q[k])
				progress |= service(ec->q[k]);
		advancing = false;
		take_turns();
		if (progress || atomic_exchange(&ec->notified, 0))
			continue;

		if (!arm_for_sleep(ec)) {
			struct pollfd pfd[3] = {
			    {.fd = ec->q[0] ? ec->q[0]->ec_efd : -1, .events = POLLIN},
			    {.fd = ec->q[1] ? ec->q[1]->ec_efd : -1, .events = POLLIN},
			    {.fd = ec->wake_efd, .events = POLLIN},
			};
			pthread_mutex_unlock(&ec->run);
			if (poll(pfd, 3, -1) < 0 && errno != EINTR)
				umn_log(UMN_LOG_WARN, "execution context poll: %m");
			pthread_mutex_lock(&ec->run);
			for (int i = 0; i < 3; i++)
				if (pfd[i].revents & POLLIN)
					umn_efd_drain(pfd[i].fd);
		}
		for (int k = 0; k < 2; k++)
			if (ec->q[k])
				atomic_store_explicit(&ec->q[k]->drv->drv_sleeping, 0,
						      memory_order_relaxed);
		/* Arming is one-shot: whatever woke us, notification is off again. */
		for (int k = 0; k < 2; k++)
			if (ec->q[k])
				set_notification(ec->q[k], false);
	}
	ec_cancel_and_stop(ec);
	pthread_mutex_unlock(&ec->run);
	return NULL;
}

void umn_ec_pause(struct umn_adapter *a)
{
	/* In queue order, each context between two turns or asleep; they never hold two. */
	for (int i = 0; i < UMN_MAX_QUEUES; i++) {
		struct umn_ec *ec = a->ec[i];

		if (!ec)
			continue;
		/* Release: pairs with the acquire in ec_thread(), which then lets run go. */
		atomic_store_explicit(&ec->pause, true, memory_order_release);
		pthread_mutex_lock(&ec->run);
	}
}

void umn_ec_resume(struct umn_adapter *a)
{
	for (int i = 0; i < UMN_MAX_QUEUES; i++) {
		struct umn_ec *ec = a->ec[i];

		if (!ec)
			continue;
		/* Release: pairs with the acquire in ec_thread()'s pause loop, woken below. */
		atomic_store_explicit(&ec->pause, false, memory_order_release);
		pthread_cond_broadcast(&ec->resumed);
		pthread_mutex_unlock(&ec->run);
	}
}

void umn_ec_start(struct umn_adapter *a)
{
	for (int i = 0; i < UMN_MAX_QUEUES; i++) {
		struct umn_ec *ec = a->ec[i];
		if (!ec || ec->running)
			continue;
		atomic_store(&ec->stop, false);
		if (pthread_create(&ec->thread, NULL, ec_thread, ec) == 0)
			ec->running = true;
		else
			umn_log(UMN_LOG_ERR, "cannot start the execution context of queue %d", i);
	}
}

void umn_ec_stop(struct umn_adapter *a)
{
	for (int i = 0; i < UMN_MAX_QUEUES; i++) {
		struct umn_ec *ec = a->ec[i];
		if (!ec || !ec->running)
			continue;
		atomic_store(&ec->stop, true);
		umn_efd_kick_or_warn(ec->wake_efd, "eventfd write");
		pthread_join(ec->thread, NULL);
		ec->running = false;
	}
}

void umn_ec_free(struct umn_adapter *a)
{
	umn_ec_stop(a);
	for (int i = 0; i < UMN_MAX_QUEUES; i++) {
		struct umn_ec *ec = a->ec[i];

		if (!ec)
			continue;
		/* Another context's thread may still hold it for a turn (take_later): a moment. */
		while (atomic_load(&ec->takers))
			poll(NULL, 0, 1);
		close(ec->wake_efd);
		pthread_mutex_destroy(&ec->run);
		pthread_cond_destroy(&ec->resumed);
		free(ec);
		a->ec[i] = NULL;
	}
}

void umn_ec_notify(struct umn_pqueue *q)
{
	struct umn_ec *ec = q->ec;

	atomic_store_explicit(&ec->notified, 1, memory_order_relaxed);
	/* Pairs with the fence in arm_for_sleep(): it sees notified, or we see it sleeping. */
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load_explicit(&q->drv->drv_sleeping, memory_order_relaxed) && !take_later(ec))
		umn_efd_kick_or_warn(ec->wake_efd, "eventfd write");
}
