// SPDX-License-Identifier: MIT
/*
 * The I/O framework's shared machinery: the io lock, the hash tables that
 * find requests and file objects by id, and the worker threads that run
 * driver callbacks.
 *
 * Workers. Driver callbacks never run on the OS side's thread or inside a
 * driver call that cannot wait: the framework posts a task (a queue to
 * dispatch, a request with events) and a worker runs it: an idle one, woken
 * once the io lock is released, or else a busy one when its callback
 * returns. A new thread starts only when no busy worker can take the task:
 * a worker still returning from its last callback (it just sent that
 * request's completion, the usual case with one request at a time) is not
 * a reason to grow. The pool grows, up to IO_WORKERS_MAX, so that a
 * callback that blocks does not stall the others: at once when every busy
 * worker waits in the framework (io_worker_wait_begin: a synchronous send,
 * a target open), and otherwise when no worker took a task for
 * IO_STARVE_NS while one waited (a callback that computes, or waits in a
 * way the framework cannot see), which a watchdog thread checks while tasks
 * go to busy workers. Idle workers stay for the next burst.
 *
 * The reader. The OS side's reading of its socket (umn_io_serve) is a role
 * the workers take in turn, not a thread of its own: a worker with nothing
 * to run reads, and then runs the first task its reading posted itself, so
 * a request reaches its callback on the thread that received it, without a
 * hand-over between threads. While that worker runs callbacks nobody reads;
 * the next worker to fall idle reads again. A worker that waits in the
 * framework (its answer comes through the socket), or a reader that has not
 * come back for IO_STARVE_NS, passes the role to an idle worker or a new one.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "runtime/io/io_int.h"
#include "runtime/wdf/irql.h"
#include "runtime/wdf/threads.h"
#include "runtime/wdf/wdftime.h"

#define IO_WORKERS_MAX 32
/* How long a task may wait for busy workers before the pool grows anyway. */
#define IO_STARVE_NS 1000000ull
/* Quiet periods before the watchdog sleeps until the next arming. */
#define IO_WATCH_QUIET_PERIODS 20u

struct umn_io_state umn_io = {
    /* Adaptive: held for bookkeeping only, so a short spin beats sleeping in the kernel. */
    .lock = PTHREAD_ADAPTIVE_MUTEX_INITIALIZER_NP,
    /* .cond: io_cond_init(), below */
    .next_cookie = 1,
    .by_id = UMN_IDTAB_INIT(umn_io.bucket[0]),
    .by_cookie = UMN_IDTAB_INIT(umn_io.bucket[1]),
    .by_handle = UMN_IDTAB_INIT(umn_io.bucket[2]),
    .files = UMN_IDTAB_INIT(umn_io.bucket[3]),
    .timed = {&umn_io.timed, &umn_io.timed},
};

/*
 * umn_io.cond measures umn_io_wait_until's deadlines on CLOCK_MONOTONIC, as
 * every time limit in umnic does (a wall-clock jump must not stretch them):
 * set up before anything can wait on it.
 */
__attribute__((constructor)) static void io_cond_init(void)
{
	pthread_condattr_t attr;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&umn_io.cond, &attr);
	pthread_condattr_destroy(&attr);
}

void umn_io_set_ops(const struct umn_io_ops *ops)
{
	/* Release: pairs with the acquire in umn_io_ops(), read by every I/O worker. */
	atomic_store_explicit(&umn_io.ops, ops, memory_order_release);
}

bool umn_io_try_ref(struct umn_object *o)
{
	int old = atomic_load(&o->refcount);

	do {
		if (old <= 0)
			return false;
	} while (!atomic_compare_exchange_weak(&o->refcount, &old, old + 1));
	return true;
}

/*
 * Tasks waiting for a worker, and the workers: under the io lock, which
 * every post holds already and every task takes first, so the hand-over
 * costs no lock of its own.
 */
static struct {
	pthread_cond_t work;
	struct umn_io_task *head, *tail;
	unsigned threads;
	unsigned idle;
	unsigned wakeups; /* signals owed or sent to idle workers, not yet taken */
	unsigned waiting; /* busy workers inside io_worker_wait_begin/end */
	uint64_t taken;	  /* tasks workers took so far */
	uint64_t starved; /* tasks posted with only busy workers to take them */
	/*
	 * Wake-ups owed to idle workers, sent when the io lock is released, so
	 * that the woken worker does not find it still held and sleep again.
	 */
	unsigned wakes_due;
	/* The watchdog (io_watchdog): armed while posted tasks go to busy workers. */
	pthread_cond_t watch;
	bool watch_init;
	bool watch_started;
	bool watch_armed;
	unsigned watch_quiet; /* periods in a row with nothing for the watchdog to look at */
} workers = {
    .work = PTHREAD_COND_INITIALIZER,
};

static _Thread_local bool on_worker;

static struct {
	bool (*fn)(void); /* reads and handles one batch; false once the other side is gone */
	bool active;	  /* a worker is inside fn */
	bool orphaned;	  /* the last reader went to run tasks and nobody reads */
	bool handover;	  /* a worker was woken or started to take the role */
	bool done;
	uint64_t orphans; /* times the role was left so, for the watchdog */
	pthread_cond_t done_cond;
} reader = {
    .done_cond = PTHREAD_COND_INITIALIZER,
};

/*
 * On the reading worker: reading while inside reader.fn, where every task
 * it posts is its own to run (claimed counts them); batch while it runs
 * them, when its completions may wait for ops->flush.
 */
static _Thread_local bool reading, batch;
static _Thread_local unsigned claimed;

bool umn_io_may_hold(void)
{
	/* A lone request's completion has nothing to wait for. */
	return batch && claimed > 1;
}

/* Sends completions held back for the batch (any locks held: the OS side takes only its own). */
static void flush_os(void)
{
	const struct umn_io_ops *ops = umn_io_ops();

	batch = false;
	if (ops && ops->flush)
		ops->flush();
}

void umn_io_lock(void)
{
	pthread_mutex_lock(&umn_io.lock);
}

/* Sends the wake-ups owed to idle workers (io lock held; they take it once it is released). */
static void flush_wakes(void)
{
	while (workers.wakes_due) {
		workers.wakes_due--;
		pthread_cond_signal(&workers.work);
	}
}

void umn_io_unlock(void)
{
	unsigned n = workers.wakes_due;

	workers.wakes_due = 0;
	pthread_mutex_unlock(&umn_io.lock);
	while (n--)
		pthread_cond_signal(&workers.work);
}

/* Workers that will take a queued task once their callback returns. */
static unsigned busy_running(void)
{
	return workers.threads - workers.idle - workers.waiting - (reader.active ? 1u : 0u);
}

static void *io_worker(void *arg);

/* One more worker, unless the pool is full. */
static void grow(void)
{
	int err;

	if (workers.threads >= IO_WORKERS_MAX)
		return;
	err = umn_thread_spawn(NULL, io_worker, NULL, "umn-io");
	if (!err)
		workers.threads++;
	else if (workers.threads == 0)
		umn_log(UMN_LOG_ERR, "I/O: cannot start a worker thread: %s; requests wait",
			strerror(-err));
}

/*
 * Owes a wake-up to an idle worker not already woken (sent when the io lock
 * is released, or by flush_wakes); false if there is none.
 */
static bool wake_idle(void)
{
	if (workers.idle <= workers.wakeups)
		return false;
	workers.wakeups++;
	workers.wakes_due++;
	return true;
}

/* Someone must read again: an idle worker, or a new one. */
static void reader_handover(void)
{
	if (!reader.orphaned || reader.handover)
		return;
	reader.handover = true;
	if (!wake_idle())
		grow();
}

static void wait_begin_locked(void)
{
	/* What this worker waits for may come through the socket. */
	reader_handover();
	workers.waiting++;
	/* Tasks left to this worker (it ran its batch alone) would wait as long as it does. */
	if (workers.head && !wake_idle() && busy_running() == 0)
		grow();
}

void umn_io_wait(void)
{
	/* (Under the io lock: releasing it here could lose the caller's wake-up.) */
	if (batch)
		flush_os();
	if (on_worker)
		wait_begin_locked();
	else
		reader_handover();
	/* Including those the two calls above owe. */
	flush_wakes();
	pthread_cond_wait(&umn_io.cond, &umn_io.lock);
	if (on_worker)
		workers.waiting--;
}

bool umn_io_wait_until(const struct timespec *deadline)
{
	int r;

	if (batch)
		flush_os();
	if (on_worker)
		wait_begin_locked();
	else
		reader_handover();
	flush_wakes();
	r = pthread_cond_timedwait(&umn_io.cond, &umn_io.lock, deadline);
	if (on_worker)
		workers.waiting--;
	return r != ETIMEDOUT;
}

void umn_io_wake_all(void)
{
	pthread_cond_broadcast(&umn_io.cond);
}

void umn_io_reader_needed(void)
{
	umn_io_lock();
	reader_handover();
	umn_io_unlock();
}

void io_worker_wait_begin(void)
{
	if (!on_worker) {
		umn_io_reader_needed();
		return;
	}
	if (batch)
		flush_os();
	umn_io_lock();
	wait_begin_locked();
	umn_io_unlock();
}

void io_worker_wait_end(void)
{
	if (!on_worker)
		return;
	umn_io_lock();
	workers.waiting--;
	umn_io_unlock();
}

/*
 * Grows the pool when a task waited IO_STARVE_NS with no worker taking any;
 * sleeps once a period passes with no task left to busy workers.
 */
static void *io_watchdog(void *arg)
{
	(void)arg;
	umn_io_lock();
	for (;;) {
		uint64_t taken = workers.taken, starved = workers.starved, orphans = reader.orphans;
		bool queued = workers.head != NULL, orphaned = reader.orphaned;
		struct timespec ts;

		if (!workers.watch_armed) {
			pthread_cond_wait(&workers.watch, &umn_io.lock);
			continue;
		}
		ts = umn_ns_to_timespec(umn_mono_ns() + IO_STARVE_NS);
		while (pthread_cond_timedwait(&workers.watch, &umn_io.lock, &ts) != ETIMEDOUT)
			;
		/* Nothing taken: the task that was first then is still first, and waited the whole
		 * period. */
		if (queued && workers.head && workers.taken == taken) {
			if (wake_idle())
				flush_wakes();
			else
				grow();
		} else if (!workers.head && workers.starved == starved && !reader.orphaned) {
			/*
			 * Stays armed a while: under steady load every batch
			 * would arm it again, and each arming wakes this thread.
			 */
			if (++workers.watch_quiet >= IO_WATCH_QUIET_PERIODS)
				workers.watch_armed = false;
			continue;
		}
		workers.watch_quiet = 0;
		/* The same reader left the role a whole period ago and has not come back. */
		if (orphaned && reader.orphaned && reader.orphans == orphans) {
			reader_handover();
			flush_wakes();
			/* What that reader's batch completed so far leaves without it. */
			umn_io_unlock();
			flush_os();
			umn_io_lock();
		}
	}
	return NULL;
}

/* A task went to busy workers: make sure the watchdog looks. */
static void watch_arm(void)
{
	if (workers.watch_armed)
		return;
	if (!workers.watch_init) {
		pthread_condattr_t ca;

		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&workers.watch, &ca);
		pthread_condattr_destroy(&ca);
		workers.watch_init = true;
	}
	if (!workers.watch_started) {
		int err = umn_thread_spawn(NULL, io_watchdog, NULL, "umn-io-watch");

		if (err) {
			/* Nobody would notice a stall: grow at once instead. */
			umn_log(UMN_LOG_WARN, "I/O: cannot start the worker watchdog: %s",
				strerror(-err));
			grow();
			return;
		}
		workers.watch_started = true;
	}
	workers.watch_armed = true;
	pthread_cond_signal(&workers.watch);
}

/* Takes the reader role and reads one batch; called and returns with the io lock held. */
static void read_once(void)
{
	bool more;

	reader.active = true;
	reader.orphaned = false;
	reader.handover = false;
	reading = true;
	claimed = 0;
	umn_io_unlock();
	if (batch)
		flush_os();
	more = reader.fn();
	umn_io_lock();
	reading = false;
	reader.active = false;
	if (!more) {
		reader.done = true;
		pthread_cond_broadcast(&reader.done_cond);
		/* Idle workers serving as readers' stand-ins have nothing to wait for. */
		pthread_cond_broadcast(&workers.work);
	} else if (workers.head) {
		/* This worker runs what it read; a stall there must not stop the reading for good.
		 */
		batch = true;
		reader.orphaned = true;
		reader.orphans++;
		watch_arm();
	}
}

static bool reader_free(void)
{
	return reader.fn && !reader.active && !reader.done;
}

/* Runs tasks (and the reader role) until serving is set and the reader is done. */
static void worker_loop(bool serving)
{
	for (;;) {
		struct umn_io_task *t = workers.head;

		if (reader_free() && (reader.handover || !t)) {
			read_once();
			continue;
		}
		if (serving && reader.done) {
			batch = false;
			return;
		}
		if (!t && batch) {
			/* Nothing more to run: what the batch completed leaves before this worker
			 * sleeps. */
			umn_io_unlock();
			flush_os();
			umn_io_lock();
			continue;
		}
		if (!t) {
			/* No wake-up is owed here: every release of the io lock sent them. */
			workers.idle++;
			pthread_cond_wait(&workers.work, &umn_io.lock);
			workers.idle--;
			if (workers.wakeups)
				workers.wakeups--;
			continue;
		}
		workers.head = t->next;
		if (!workers.head)
			workers.tail = NULL;
		t->next = NULL;
		t->queued = false;
		workers.taken++;

		t->run(t); /* releases the io lock */
		if (umn_irql_current() != PASSIVE_LEVEL) {
			umn_log(UMN_LOG_ERR,
				"I/O callback returned at IRQL %u (a spin lock left held?)",
				umn_irql_current());
			umn_irql_lower(PASSIVE_LEVEL);
		}
		umn_io_lock();
	}
}

static void *io_worker(void *arg)
{
	(void)arg;
	on_worker = true;
	umn_io_lock();
	worker_loop(false);
	return NULL;
}

void umn_io_serve(bool (*read)(void))
{
	on_worker = true;
	umn_io_lock();
	workers.threads++;
	reader.fn = read;
	reader.done = false;
	worker_loop(true);
	workers.threads--;
	umn_io_unlock();
	on_worker = false;
}

bool umn_io_task_post(struct umn_io_task *t)
{
	/* Every request the reader delivers counts, also those for a task already queued. */
	if (reading)
		claimed++;
	if (t->queued)
		return false;
	t->queued = true;
	t->next = NULL;
	if (workers.tail)
		workers.tail->next = t;
	else
		workers.head = t;
	workers.tail = t;
	if (reading || batch) {
		/*
		 * The worker that read a batch runs it, and what running it
		 * posts, itself: waking another for a callback that returns in
		 * microseconds costs more than it saves. The watchdog hands the
		 * rest to another worker if a callback keeps this one away.
		 */
		watch_arm();
	} else if (wake_idle()) {
		/* An idle worker not already woken takes it, once the io lock is released. */
	} else if (busy_running() == 0) {
		grow();
	} else {
		workers.starved++;
		watch_arm();
	}
	return true;
}

void io_batch_complete(struct io_batch *b, NTSTATUS status)
{
	struct umn_request *r, *next;

	for (r = b->head; r; r = next) {
		next = r->batch_next;
		r->batch_next = NULL;
		io_req_complete(r, status, 0, false);
	}
	b->head = NULL;
}
