/* SPDX-License-Identifier: MIT */
/*
 * The message channel of chan.h: creating and attaching its sealed memory,
 * writing and reading records on the two rings, and the need-wakeup flags
 * that decide when a writer must kick its reader through the socket. Each
 * side writes only its own cells; every index is read once and checked
 * against the ring's size before use, because the peer may be hostile.
 */
#include "common/chan.h"
#include "common/clock.h"
#include "common/proto.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define REC_HDR	  8u
#define RING_MASK (UMN_CHAN_RING_BYTES - 1)
#define SEALS	  (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL)

_Static_assert((UMN_CHAN_RING_BYTES & RING_MASK) == 0, "ring size is a power of two");
_Static_assert(UMN_CHAN_INFO_OFF + sizeof(struct umn_chan_info) <= UMN_CHAN_HDR_BYTES,
	       "the cells fit the header");

static uint32_t rec_size(size_t len)
{
	return (uint32_t)((REC_HDR + len + 7) & ~(size_t)7);
}

/* Side a (umnicd) sends on ring A and reads ring B; side b the other way round. */
static void chan_map(struct umn_chan *ch, void *base, bool side_a)
{
	unsigned char *m = base;
	struct umn_ring ra = {
	    .p = (void *)(m + 0 * UMN_CACHELINE),
	    .c = (void *)(m + 1 * UMN_CACHELINE),
	    .data = m + UMN_CHAN_HDR_BYTES,
	};
	struct umn_ring rb = {
	    .p = (void *)(m + 2 * UMN_CACHELINE),
	    .c = (void *)(m + 3 * UMN_CACHELINE),
	    .data = m + UMN_CHAN_HDR_BYTES + UMN_CHAN_RING_BYTES,
	};

	ch->base = base;
	ch->tx = side_a ? ra : rb;
	ch->rx = side_a ? rb : ra;
	/* The producer of what this side reads sets its own sleeping flag in the other ring. */
	ch->rx.peer_sleeping = &ch->tx.c->sleeping;
	/* Both rings start at 0: a fresh memfd is zeroed. */
}

void umn_chan_ready(struct umn_chan *ch)
{
	if (!ch->base)
		return;
	ch->rx.ready = true;
	/* Release: pairs with the writer's acquire of ready in umn_ring_put (the other side). */
	atomic_store_explicit(&ch->rx.c->ready, 1, memory_order_release);
}

int umn_chan_create(struct umn_chan *ch, int *memfd, uint32_t spin_us)
{
	void *base;
	int fd, e;

	memset(ch, 0, sizeof(*ch));
	fd = memfd_create("umnic-chan", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -errno;
	/* Sealed: a peer holding the fd cannot shrink it under umnicd, which would then fault. */
	if (ftruncate(fd, UMN_CHAN_BYTES) < 0 || fcntl(fd, F_ADD_SEALS, SEALS) < 0)
		goto fail;
	base = mmap(NULL, UMN_CHAN_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (base == MAP_FAILED)
		goto fail;
	chan_map(ch, base, true);
	((struct umn_chan_info *)((unsigned char *)base + UMN_CHAN_INFO_OFF))->spin_us =
	    spin_us < UMN_CHAN_SPIN_MAX_US ? spin_us : UMN_CHAN_SPIN_MAX_US;
	*memfd = fd;
	return 0;
fail:
	e = -errno;
	close(fd);
	return e;
}

int umn_chan_attach(struct umn_chan *ch, int memfd)
{
	struct stat st;
	uint32_t spin_us;
	void *base;
	int seals;

	memset(ch, 0, sizeof(*ch));
	seals = fcntl(memfd, F_GET_SEALS);
	if (seals < 0 || (seals & (F_SEAL_SHRINK | F_SEAL_GROW)) != (F_SEAL_SHRINK | F_SEAL_GROW) ||
	    fstat(memfd, &st) < 0 || st.st_size != UMN_CHAN_BYTES)
		return -EINVAL;
	base = mmap(NULL, UMN_CHAN_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	if (base == MAP_FAILED)
		return -errno;
	chan_map(ch, base, false);
	/* Read once: umnicd wrote it before the hand-over, and nothing is taken from it twice. */
	spin_us =
	    ((const volatile struct umn_chan_info *)((unsigned char *)base + UMN_CHAN_INFO_OFF))
		->spin_us;
	umn_ring_set_spin(&ch->rx, spin_us);
	/* A flag only: whatever umnicd writes there, at worst this side does not poll. */
	ch->rx.poll_off =
	    &((struct umn_chan_info *)((unsigned char *)base + UMN_CHAN_INFO_OFF))->poll_off;
	return 0;
}

void umn_chan_set_poll_off(struct umn_chan *ch, bool off)
{
	struct umn_chan_info *info;

	if (!ch->base)
		return;
	info = (struct umn_chan_info *)((unsigned char *)ch->base + UMN_CHAN_INFO_OFF);
	/* Relaxed: a poll that begins just before it lands is merely one more poll (umn_ring_spin).
	 */
	atomic_store_explicit(&info->poll_off, off, memory_order_relaxed);
}

void umn_ring_set_spin(struct umn_ring *r, uint32_t spin_us)
{
	umn_poll_init(&r->poll,
		      (spin_us < UMN_CHAN_SPIN_MAX_US ? spin_us : UMN_CHAN_SPIN_MAX_US) * 1000u);
}

void umn_chan_fini(struct umn_chan *ch)
{
	if (ch->base)
		munmap(ch->base, UMN_CHAN_BYTES);
	memset(ch, 0, sizeof(*ch));
}

/* Copies n bytes to/from the ring at free-running offset pos, wrapping. */
static void ring_write(struct umn_ring *r, uint32_t pos, const void *src, size_t n)
{
	uint32_t off = pos & RING_MASK, first = UMN_CHAN_RING_BYTES - off;

	if (n <= first) {
		memcpy(r->data + off, src, n);
	} else {
		memcpy(r->data + off, src, first);
		memcpy(r->data, (const unsigned char *)src + first, n - first);
	}
}

static void ring_read(const struct umn_ring *r, uint32_t pos, void *dst, size_t n)
{
	uint32_t off = pos & RING_MASK, first = UMN_CHAN_RING_BYTES - off;

	if (n <= first) {
		memcpy(dst, r->data + off, n);
	} else {
		memcpy(dst, r->data + off, first);
		memcpy((unsigned char *)dst + first, r->data, n - first);
	}
}

int umn_ring_put(struct umn_ring *r, const void *msg, size_t len)
{
	uint32_t need, used, hdr[2];

	if (!r->data || r->broken || len < sizeof(struct umn_chan_msg) || len > UMN_CHAN_REC_MAX)
		return -EAGAIN;
	/* Acquire: pairs with the reader's release in umn_chan_ready. */
	if (!atomic_load_explicit(&r->c->ready, memory_order_acquire))
		return -EAGAIN;
	/* Socket messages not handled yet: this one goes after them, on the socket too. */
	/* Acquire: pairs with the reader's release in umn_ring_sock_seen. */
	if ((int32_t)(r->sock - atomic_load_explicit(&r->c->sock_seen, memory_order_acquire)) > 0)
		return -EAGAIN;
	need = rec_size(len);
	if (UMN_CHAN_RING_BYTES - (r->pos - r->peer_pos) < need) {
		/* Acquire: pairs with the reader's release of head in umn_ring_get; room is free.
		 */
		uint32_t head = atomic_load_explicit(&r->c->head, memory_order_acquire);

		used = r->pos - head;
		/* A consumer claiming more than was published is broken; the socket still works. */
		if (used > UMN_CHAN_RING_BYTES || (used & 7)) {
			r->broken = true;
			return -EAGAIN;
		}
		r->peer_pos = head;
		if (UMN_CHAN_RING_BYTES - used < need)
			return -EAGAIN;
	}
	hdr[0] = (uint32_t)len;
	hdr[1] = 0;
	ring_write(r, r->pos, hdr, sizeof(hdr));
	ring_write(r, r->pos + REC_HDR, msg, len);
	r->pos += need;
	/* Release: pairs with the reader's acquire of tail in umn_ring_get and umn_ring_empty. */
	atomic_store_explicit(&r->p->tail, r->pos, memory_order_release);
	return 0;
}

void umn_ring_sock_sent(struct umn_ring *r, unsigned n)
{
	if (!r->data || !n)
		return;
	r->sock += n;
	/* Release: pairs with the reader's acquire in umn_ring_sock_due. */
	atomic_store_explicit(&r->p->sock_sent, r->sock, memory_order_release);
}

int umn_ring_sock_send(struct umn_ring *r, int sock, const void *msg, size_t len, const int *fds,
		       unsigned nfds)
{
	int e = umn_msg_send(sock, msg, len, fds, nfds);

	if (e == 0)
		umn_ring_sock_sent(r, 1);
	return e;
}

bool umn_ring_kick_due(struct umn_ring *r)
{
	if (!r->data)
		return false;
	/* Pairs with the fence in umn_ring_sleep: one of the two sides sees the other. */
	atomic_thread_fence(memory_order_seq_cst);
	return atomic_load_explicit(&r->c->sleeping, memory_order_relaxed) &&
	       atomic_exchange_explicit(&r->c->sleeping, 0, memory_order_relaxed);
}

ssize_t umn_ring_get(struct umn_ring *r, void *buf, size_t cap)
{
	uint32_t tail, avail, hdr[2], need;

	if (!r->data)
		return 0;
	if (r->broken)
		return -EBADMSG;
	/* Acquire: pairs with the writer's release of tail in umn_ring_put; the record is whole. */
	tail = atomic_load_explicit(&r->p->tail, memory_order_acquire);
	avail = tail - r->pos;
	if (!avail)
		return 0;
	if (avail > UMN_CHAN_RING_BYTES || avail < REC_HDR + sizeof(struct umn_chan_msg))
		goto broken;
	ring_read(r, r->pos, hdr, sizeof(hdr));
	if (hdr[0] < sizeof(struct umn_chan_msg) || hdr[0] > UMN_CHAN_REC_MAX || hdr[0] > cap ||
	    hdr[1] != 0)
		goto broken;
	need = rec_size(hdr[0]);
	if (need > avail)
		goto broken;
	/* The private copy: what the producer writes from now on no longer matters. */
	ring_read(r, r->pos + REC_HDR, buf, hdr[0]);
	if (((const struct umn_chan_msg *)buf)->len != hdr[0])
		goto broken;
	r->pos += need;
	/* Release: pairs with the writer's acquire of head in umn_ring_put; done with the record.
	 */
	atomic_store_explicit(&r->c->head, r->pos, memory_order_release);
	return (ssize_t)hdr[0];
broken:
	r->broken = true;
	return -EBADMSG;
}

bool umn_ring_empty(const struct umn_ring *r)
{
	/* Acquire: pairs with the writer's release of tail in umn_ring_put. */
	return !r->data || atomic_load_explicit(&r->p->tail, memory_order_acquire) == r->pos;
}

bool umn_ring_sleep(struct umn_ring *r)
{
	if (!r->data)
		return true;
	atomic_store_explicit(&r->c->sleeping, 1, memory_order_relaxed);
	/* Pairs with the writer's fence in umn_ring_kick_due: one of the two sides sees the other.
	 */
	atomic_thread_fence(memory_order_seq_cst);
	return umn_ring_empty(r) || r->broken;
}

void umn_ring_awake(struct umn_ring *r)
{
	if (r->data && atomic_load_explicit(&r->c->sleeping, memory_order_relaxed))
		atomic_store_explicit(&r->c->sleeping, 0, memory_order_relaxed);
}

void umn_ring_sock_seen(struct umn_ring *r, unsigned n)
{
	if (!r->data || !r->ready || !n)
		return;
	r->sock += n;
	/* Release: pairs with the writer's acquire of sock_seen in umn_ring_put. */
	atomic_store_explicit(&r->c->sock_seen, r->sock, memory_order_release);
}

bool umn_ring_sock_due(const struct umn_ring *r)
{
	/* Acquire: pairs with the writer's release in umn_ring_sock_sent. */
	return r->data && atomic_load_explicit(&r->p->sock_sent, memory_order_acquire) != r->sock;
}

bool umn_ring_spin(struct umn_ring *r)
{
	uint64_t now, end;
	uint32_t window;

	if (!r->data || !r->ready || !r->poll.max_ns || r->broken)
		return false;
	now = umn_mono_ns();
	window = umn_poll_begin(&r->poll, now);
	/*
	 * A producer that sleeps itself (umnicd between bursts of traffic,
	 * pairs with its umn_ring_sleep) sends nothing before something else
	 * wakes it: no poll, but the wait still counts.
	 */
	if (!window || atomic_load_explicit(r->peer_sleeping, memory_order_relaxed) ||
	    (r->poll_off && atomic_load_explicit(r->poll_off, memory_order_relaxed)))
		return false;
	end = now + window;
	for (;;) {
		if (!umn_ring_empty(r) || umn_ring_sock_due(r)) {
			umn_poll_end(&r->poll, umn_mono_ns());
			return true;
		}
		if (umn_mono_ns() >= end)
			return false;
		/* A peer sharing this CPU (the one that answers, often) runs first; others stop the
		 * poll. */
		if (!umn_poll_yield(&r->poll))
			return false;
	}
}

void umn_ring_woke(struct umn_ring *r)
{
	umn_poll_end(&r->poll, umn_mono_ns());
}

int umn_chan_kick(int sock)
{
	struct umn_chan_msg k = {.type = UMN_CHAN_MSG_KICK, .len = sizeof(k)};
	ssize_t n;

	do
		n = send(sock, &k, sizeof(k), MSG_NOSIGNAL | MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	/* A full socket wakes its reader anyway. */
	return n < 0 && errno != EAGAIN ? -errno : 0;
}
