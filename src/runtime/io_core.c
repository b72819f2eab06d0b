// SPDX-License-Identifier: MIT
/*
 * The I/O framework's shared machinery: the io lock, the hash tables that
 * find requests and file objects by id, and the worker threads that run
 * driver callbacks.
 *
 * Workers. Driver callbacks never run on the OS side's thread or inside a
 * driver call that cannot wait: the framework posts a task (a queue to
 * dispatch, a request with events) and a worker runs it. The pool grows
 * while every worker is busy, up to IO_WORKERS_MAX, so a callback that
 * blocks (a synchronous send, a wait for another request) does not stall
 * the others; idle workers stay for the next burst.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "runtime/io_int.h"
#include "runtime/irql.h"
#include "runtime/threads.h"

#define IO_WORKERS_MAX 32

struct umn_io_state umn_io = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
	.next_cookie = 1,
	.timed = { &umn_io.timed, &umn_io.timed },
};

void umn_io_lock(void)
{
	pthread_mutex_lock(&umn_io.lock);
}

void umn_io_unlock(void)
{
	pthread_mutex_unlock(&umn_io.lock);
}

void umn_io_wait(void)
{
	pthread_cond_wait(&umn_io.cond, &umn_io.lock);
}

void umn_io_wake_all(void)
{
	pthread_cond_broadcast(&umn_io.cond);
}

void umn_io_set_ops(const struct umn_io_ops *ops)
{
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

static unsigned hash_slot(uint64_t key)
{
	/* A multiplicative mix: handles are aligned pointers, ids are sequential. */
	key ^= key >> 33;
	key *= 0xff51afd7ed558ccdull;
	key ^= key >> 33;
	return (unsigned)(key % IO_HASH_BUCKETS);
}

void io_hash_add(struct io_htab *t, struct io_hnode *n, uint64_t key)
{
	unsigned s = hash_slot(key);

	n->key = key;
	n->next = t->bucket[s];
	t->bucket[s] = n;
	n->hashed = true;
}

void io_hash_del(struct io_htab *t, struct io_hnode *n)
{
	struct io_hnode **pp;

	if (!n->hashed)
		return;
	for (pp = &t->bucket[hash_slot(n->key)]; *pp; pp = &(*pp)->next) {
		if (*pp == n) {
			*pp = n->next;
			break;
		}
	}
	n->next = NULL;
	n->hashed = false;
}

struct io_hnode *io_hash_find(struct io_htab *t, uint64_t key,
			      bool (*match)(struct io_hnode *n, const void *arg), const void *arg)
{
	struct io_hnode *n;

	for (n = t->bucket[hash_slot(key)]; n; n = n->next)
		if (n->key == key && (!match || match(n, arg)))
			return n;
	return NULL;
}

static struct {
	pthread_mutex_t lock;
	pthread_cond_t work;
	struct umn_io_task *head, *tail;
	unsigned threads;
	unsigned idle;
	unsigned wakeups;	/* signals sent but not yet taken by an idle worker */
} workers = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.work = PTHREAD_COND_INITIALIZER,
};

static void *io_worker(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&workers.lock);
	for (;;) {
		struct umn_io_task *t = workers.head;

		if (!t) {
			workers.idle++;
			pthread_cond_wait(&workers.work, &workers.lock);
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
		pthread_mutex_unlock(&workers.lock);

		t->run(t);
		if (umn_irql_current() != PASSIVE_LEVEL) {
			umn_log(UMN_LOG_ERR, "I/O callback returned at IRQL %u (a spin lock left held?)",
				umn_irql_current());
			umn_irql_lower(PASSIVE_LEVEL);
		}

		pthread_mutex_lock(&workers.lock);
	}
	return NULL;
}

bool umn_io_task_post(struct umn_io_task *t)
{
	pthread_mutex_lock(&workers.lock);
	if (t->queued) {
		pthread_mutex_unlock(&workers.lock);
		return false;
	}
	t->queued = true;
	t->next = NULL;
	if (workers.tail)
		workers.tail->next = t;
	else
		workers.head = t;
	workers.tail = t;
	/* Idle workers not already woken take it; otherwise grow the pool. */
	if (workers.idle > workers.wakeups) {
		workers.wakeups++;
		pthread_cond_signal(&workers.work);
	} else if (workers.threads < IO_WORKERS_MAX) {
		int err = umn_thread_spawn(NULL, io_worker, NULL, "umn-io");

		if (!err)
			workers.threads++;
		else if (workers.threads == 0)
			umn_log(UMN_LOG_ERR, "I/O: cannot start a worker thread: %s; requests wait",
				strerror(err));
	}
	pthread_mutex_unlock(&workers.lock);
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
