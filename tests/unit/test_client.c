/* SPDX-License-Identifier: MIT */
/*
 * libumnic against a fake umnicd: a thread in this test that listens on a
 * temporary RUN_DIR/umnic-io.sock, checks what the client sends with
 * umnicd's own decoder, and answers as each test scripts it: out of order,
 * cancelled, oversized, malformed, or not at all before hanging up.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include <umnic/client.h>

#include "common/chan.h"
#include "common/ioproto.h"
#include "common/proto.h"

#define IOCTL_ECHO    CTL_CODE(0x8000, 0x801, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_NEITHER CTL_CODE(0x8000, 0x802, METHOD_NEITHER, FILE_ANY_ACCESS)

/* Failures in the server thread cannot use cmocka's longjmp: abort with a message. */
#define SRV_CHECK(c)                                                                               \
	do {                                                                                       \
		if (!(c)) {                                                                        \
			fprintf(stderr, "fake umnicd: %s:%d: %s\n", __FILE__, __LINE__, #c);       \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

struct srv;
typedef void (*srv_fn)(struct srv *s);

struct srv {
	char dir[64];
	int listen_fd;
	int fd;
	srv_fn fn;
	pthread_t thread;
	uint8_t buf[UMN_IOMSG_MAX];
	int fds[UMN_MSG_MAX_FDS];
	unsigned nfds;
	void *arg;
	bool no_offer; /* the client was told not to ask for a ring */
};

/* Receives and decodes one request (umnicd's decoder); fds stay in s->fds. */
static bool srv_recv(struct srv *s, struct umn_iomsg *m)
{
	char reason[UMN_IOMSG_REASON_MAX];
	ssize_t n;

	for (unsigned i = 0; i < s->nfds; i++)
		close(s->fds[i]);
	s->nfds = 0;
	n = umn_msg_recv(s->fd, s->buf, sizeof(s->buf), s->fds, &s->nfds);
	if (n <= 0)
		return false;
	if (umn_iomsg_decode_request(s->buf, (size_t)n, s->fds, s->nfds, m, reason) < 0) {
		fprintf(stderr, "fake umnicd: client sent a bad message: %s\n", reason);
		abort();
	}
	return true;
}

static void srv_send(struct srv *s, const struct umn_iomsg *m)
{
	static __thread uint8_t out[UMN_IOMSG_MAX];
	ssize_t n = umn_iomsg_encode(m, out, sizeof(out), NULL, NULL);

	SRV_CHECK(n > 0);
	SRV_CHECK(umn_msg_send(s->fd, out, (size_t)n, NULL, 0) == 0);
}

static void srv_complete(struct srv *s, uint64_t id, NTSTATUS st, uint64_t info, const void *data,
			 uint32_t len)
{
	struct umn_iomsg m;

	umn_iomsg_init(&m, UMN_IOMSG_COMPLETE, id);
	m.complete.status = st;
	m.complete.information = info;
	m.complete.data = data;
	m.complete.data_len = len;
	srv_send(s, &m);
}

/* Answers OPEN with handle 42 (or refuses "Missing") and CLOSE with success. */
static bool srv_handle_open_close(struct srv *s, const struct umn_iomsg *m)
{
	struct umn_iomsg r;

	if (m->type == UMN_IOMSG_OPEN) {
		bool missing = !strcmp(m->open.link, "Missing");

		umn_iomsg_init(&r, UMN_IOMSG_OPEN_DONE, m->req_id);
		r.open_done.status = missing ? STATUS_OBJECT_NAME_NOT_FOUND : STATUS_SUCCESS;
		r.open_done.handle = missing ? 0 : 42;
		r.open_done.granted_access = missing ? 0 : m->open.access;
		srv_send(s, &r);
		return true;
	}
	if (m->type == UMN_IOMSG_CLOSE) {
		SRV_CHECK(m->close.handle == 42);
		umn_iomsg_init(&r, UMN_IOMSG_CLOSE_DONE, m->req_id);
		srv_send(s, &r);
		return true;
	}
	return false;
}

/*
 * libumnic asks for a message ring first thing; the fake refuses it, as
 * umnicd may (--no-io-rings), so everything here travels on the socket.
 * The rings have their own tests (test_chan, and the integration tests).
 */
static void srv_refuse_ring(struct srv *s)
{
	struct umn_chan_msg m;
	ssize_t n = umn_msg_recv(s->fd, s->buf, sizeof(s->buf), s->fds, &s->nfds);

	SRV_CHECK(n == (ssize_t)sizeof(m) && s->nfds == 0);
	memcpy(&m, s->buf, sizeof(m));
	SRV_CHECK(m.type == UMN_CHAN_MSG_OFFER);
	SRV_CHECK(umn_msg_send(s->fd, &m, sizeof(m), NULL, 0) == 0);
}

static void *srv_main(void *arg)
{
	struct srv *s = arg;

	s->fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	SRV_CHECK(s->fd >= 0);
	if (!s->no_offer)
		srv_refuse_ring(s);
	s->fn(s);
	for (unsigned i = 0; i < s->nfds; i++)
		close(s->fds[i]);
	s->nfds = 0;
	close(s->fd);
	return NULL;
}

static umnic_client *srv_start_opts(struct srv *s, srv_fn fn, void *arg,
				    umnic_connect_options *o)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	umnic_client *c;

	memset(s, 0, sizeof(*s));
	s->no_offer = o && (o->flags & UMNIC_CONNECT_NO_RINGS);
	strcpy(s->dir, "/tmp/umnic-test-XXXXXX");
	assert_non_null(mkdtemp(s->dir));
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", s->dir, UMN_IOMSG_SOCK_NAME);
	s->listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	assert_true(s->listen_fd >= 0);
	assert_int_equal(bind(s->listen_fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(s->listen_fd, 4), 0);
	s->fn = fn;
	s->arg = arg;
	assert_int_equal(pthread_create(&s->thread, NULL, srv_main, s), 0);
	if (o) {
		o->run_dir = s->dir;
		c = umnic_connect_ex(o);
	} else {
		c = umnic_connect(s->dir);
	}
	assert_non_null(c);
	return c;
}

static umnic_client *srv_start(struct srv *s, srv_fn fn, void *arg)
{
	return srv_start_opts(s, fn, arg, NULL);
}

static void srv_stop(struct srv *s, umnic_client *c)
{
	char path[128];

	umnic_disconnect(c);
	pthread_join(s->thread, NULL);
	close(s->listen_fd);
	snprintf(path, sizeof(path), "%s/%s", s->dir, UMN_IOMSG_SOCK_NAME);
	unlink(path);
	rmdir(s->dir);
}

/* ---- a well-behaved device: echo ---- */

/*
 * READ n: bytes i & 0xff (inline or into the memfd); WRITE: checks the bytes
 * and says how many; IOCTL_ECHO: returns the input.
 */
static void srv_echo(struct srv *s)
{
	static uint8_t data[1 << 20];
	struct umn_iomsg m;

	while (srv_recv(s, &m)) {
		if (srv_handle_open_close(s, &m))
			continue;
		switch (m.type) {
		case UMN_IOMSG_READ: {
			uint32_t n = m.read.length;

			for (uint32_t i = 0; i < n && i < sizeof(data); i++)
				data[i] = (uint8_t)(i + m.read.offset);
			if (m.read.out_fd >= 0) {
				struct umn_iomsg r;

				SRV_CHECK(pwrite(m.read.out_fd, data, n, 0) == (ssize_t)n);
				umn_iomsg_init(&r, UMN_IOMSG_COMPLETE, m.req_id);
				r.complete.information = n;
				r.complete.data_len = n;
				r.complete.in_memfd = true;
				srv_send(s, &r);
			} else {
				srv_complete(s, m.req_id, STATUS_SUCCESS, n, data, n);
			}
			break;
		}
		case UMN_IOMSG_WRITE: {
			const uint8_t *p = m.write.data;

			if (m.write.in_fd >= 0) {
				SRV_CHECK(pread(m.write.in_fd, data, m.write.length, 0) ==
					  (ssize_t)m.write.length);
				p = data;
			}
			for (uint32_t i = 0; i < m.write.length; i++)
				SRV_CHECK(p[i] == (uint8_t)(i * 7));
			srv_complete(s, m.req_id, STATUS_SUCCESS, m.write.length, NULL, 0);
			break;
		}
		case UMN_IOMSG_IOCTL:
			SRV_CHECK(m.ioctl.code == IOCTL_ECHO);
			SRV_CHECK(m.ioctl.in_fd < 0 && m.ioctl.out_fd < 0);
			srv_complete(s, m.req_id, STATUS_SUCCESS, m.ioctl.in_len, m.ioctl.in,
				     m.ioctl.in_len < m.ioctl.out_len ? m.ioctl.in_len
								      : m.ioctl.out_len);
			break;
		case UMN_IOMSG_CANCEL:
			break;
		default:
			SRV_CHECK(!"unexpected message");
		}
	}
}

static void test_sync_requests(void **state)
{
	static uint8_t big[200000], back[200000];
	struct srv s;
	umnic_client *c = srv_start(&s, srv_echo, NULL);
	umnic_handle h = 0, h2 = 7;
	umnic_result res;
	uint8_t buf[100];
	char text[] = "ping";
	GUID g = {1, 2, 3, {4}};

	assert_int_equal(umnic_open(c, "Missing", FILE_READ_DATA, &h2),
			 STATUS_OBJECT_NAME_NOT_FOUND);
	assert_int_equal(h2, 7);
	assert_int_equal(umnic_open(c, "\\??\\UmnicEcho", GENERIC_READ | GENERIC_WRITE, &h),
			 STATUS_SUCCESS);
	assert_int_equal(h, 42);
	assert_int_equal(umnic_open_interface(c, &g, "ref", FILE_READ_DATA, &h2), STATUS_SUCCESS);
	assert_int_equal(h2, 42);

	assert_int_equal(umnic_read(c, h, buf, sizeof(buf), 5, &res), STATUS_SUCCESS);
	assert_int_equal(res.status, STATUS_SUCCESS);
	assert_int_equal(res.information, sizeof(buf));
	for (size_t i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], (uint8_t)(i + 5));

	/* Over 48 KiB: the output comes back through a memfd. */
	assert_int_equal(umnic_read(c, h, back, sizeof(back), 0, &res), STATUS_SUCCESS);
	assert_int_equal(res.information, sizeof(back));
	for (size_t i = 0; i < sizeof(back); i++)
		if (back[i] != (uint8_t)i)
			fail_msg("byte %zu", i);

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7);
	assert_int_equal(umnic_write(c, h, big, 1000, 0, &res), STATUS_SUCCESS);
	assert_int_equal(res.information, 1000);
	assert_int_equal(umnic_write(c, h, big, sizeof(big), 0, &res), STATUS_SUCCESS);
	assert_int_equal(res.information, sizeof(big));

	memset(buf, 0, sizeof(buf));
	assert_int_equal(umnic_ioctl(c, h, IOCTL_ECHO, text, sizeof(text), buf, sizeof(buf), &res),
			 STATUS_SUCCESS);
	assert_int_equal(res.information, sizeof(text));
	assert_string_equal((char *)buf, "ping");

	/* Argument checks before anything is sent. */
	assert_int_equal(umnic_read(c, 0, buf, 1, 0, &res), STATUS_INVALID_HANDLE);
	assert_int_equal(res.status, STATUS_INVALID_HANDLE);
	assert_int_equal(umnic_read(c, h, NULL, 1, 0, NULL), STATUS_INVALID_PARAMETER);
	assert_int_equal(umnic_read(c, h, buf, (size_t)UMN_IOMSG_LEN_MAX + 1, 0, NULL),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(umnic_read(NULL, h, buf, 1, 0, NULL), STATUS_INVALID_PARAMETER);
	assert_int_equal(umnic_open(c, "", 0, &h2), STATUS_INVALID_PARAMETER);
	assert_int_equal(umnic_open(c, "x", 0x4, &h2), STATUS_INVALID_PARAMETER);
	assert_int_equal(umnic_submit_read(c, h, buf, 1, 0, NULL, NULL, NULL),
			 STATUS_INVALID_PARAMETER);

	assert_int_equal(umnic_close(c, h), STATUS_SUCCESS);
	srv_stop(&s, c);
}

/* ---- METHOD_NEITHER ---- */

/*
 * METHOD_NEITHER IOCTLs: the input must arrive as bytes (inline, or in a
 * sealed memfd over 48 KiB), never as an address; the output goes back
 * inline or into the client's memfd, as for a buffered IOCTL. Returns the
 * input with every byte plus one.
 */
static void srv_neither(struct srv *s)
{
	static uint8_t data[200000];
	struct umn_iomsg m, r;

	while (srv_recv(s, &m)) {
		uint32_t n;

		if (srv_handle_open_close(s, &m))
			continue;
		SRV_CHECK(m.type == UMN_IOMSG_IOCTL && m.ioctl.code == IOCTL_NEITHER);
		SRV_CHECK(m.ioctl.in_len <= sizeof(data));
		if (m.ioctl.in_fd >= 0) {
			SRV_CHECK(m.ioctl.in_len > UMN_IOMSG_INLINE_MAX);
			SRV_CHECK(pread(m.ioctl.in_fd, data, m.ioctl.in_len, 0) ==
				  (ssize_t)m.ioctl.in_len);
		} else {
			SRV_CHECK(m.ioctl.in_len <= UMN_IOMSG_INLINE_MAX);
			if (m.ioctl.in_len)
				memcpy(data, m.ioctl.in, m.ioctl.in_len);
		}
		SRV_CHECK((m.ioctl.out_fd >= 0) == (m.ioctl.out_len > UMN_IOMSG_INLINE_MAX));
		n = m.ioctl.in_len < m.ioctl.out_len ? m.ioctl.in_len : m.ioctl.out_len;
		for (uint32_t i = 0; i < n; i++)
			data[i]++;
		if (m.ioctl.out_fd < 0) {
			srv_complete(s, m.req_id, STATUS_SUCCESS, n, data, n);
			continue;
		}
		SRV_CHECK(pwrite(m.ioctl.out_fd, data, n, 0) == (ssize_t)n);
		umn_iomsg_init(&r, UMN_IOMSG_COMPLETE, m.req_id);
		r.complete.information = n;
		r.complete.data_len = n;
		r.complete.in_memfd = true;
		srv_send(s, &r);
	}
}

static void test_neither_copies(void **state)
{
	static uint8_t in[150000], out[150000];
	struct srv s;
	umnic_client *c = srv_start(&s, srv_neither, NULL);
	umnic_result res;
	size_t sizes[] = {0, 1, 64, UMN_IOMSG_INLINE_MAX, UMN_IOMSG_INLINE_MAX + 1, sizeof(in)};

	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 13);
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		size_t n = sizes[k];

		memset(out, 0xee, sizeof(out));
		assert_int_equal(umnic_ioctl(c, 42, IOCTL_NEITHER, in, n, out, n, &res),
				 STATUS_SUCCESS);
		assert_int_equal(res.information, n);
		for (size_t i = 0; i < n; i++)
			if (out[i] != (uint8_t)(in[i] + 1))
				fail_msg("%zu-byte METHOD_NEITHER IOCTL: byte %zu", n, i);
		if (n < sizeof(out))
			assert_int_equal(out[n], 0xee);
	}
	/* Small input, big output, and the other way round. */
	memset(out, 0, sizeof(out));
	assert_int_equal(umnic_ioctl(c, 42, IOCTL_NEITHER, in, 8, out, sizeof(out), &res),
			 STATUS_SUCCESS);
	assert_int_equal(res.information, 8);
	assert_int_equal(out[7], (uint8_t)(in[7] + 1));
	assert_int_equal(umnic_ioctl(c, 42, IOCTL_NEITHER, in, sizeof(in), out, 8, &res),
			 STATUS_SUCCESS);
	assert_int_equal(res.information, 8);
	srv_stop(&s, c);
}

/* ---- out of order ---- */

#define N_OOO 16

struct done {
	int calls;
	uint64_t id;
	umnic_result res;
};

static void on_done(umnic_client *c, uint64_t req_id, const umnic_result *res, void *ctx)
{
	struct done *d = ctx;

	d->calls++;
	d->id = req_id;
	d->res = *res;
}

/* Collects N_OOO reads, then completes them last first, each with its index as data. */
static void srv_reverse(struct srv *s)
{
	uint64_t ids[N_OOO];
	struct umn_iomsg m;
	unsigned n = 0;

	while (n < N_OOO && srv_recv(s, &m)) {
		SRV_CHECK(m.type == UMN_IOMSG_READ);
		ids[n++] = m.req_id;
	}
	for (unsigned i = N_OOO; i-- > 0;) {
		uint8_t b[4] = {(uint8_t)i, (uint8_t)i, (uint8_t)i, (uint8_t)i};
		srv_complete(s, ids[i], STATUS_SUCCESS, 4, b, 4);
	}
	/* A second completion of the same request must be ignored. */
	srv_complete(s, ids[0], STATUS_UNSUCCESSFUL, 0, NULL, 0);
	while (srv_recv(s, &m))
		;
}

static void test_out_of_order(void **state)
{
	struct srv s;
	umnic_client *c = srv_start(&s, srv_reverse, NULL);
	uint8_t bufs[N_OOO][4];
	struct done d[N_OOO] = {0};
	uint64_t ids[N_OOO];
	int total = 0;

	for (unsigned i = 0; i < N_OOO; i++)
		assert_int_equal(umnic_submit_read(c, 42, bufs[i], 4, 0, on_done, &d[i], &ids[i]),
				 STATUS_PENDING);
	while (total < N_OOO) {
		int r = umnic_dispatch(c, 2000);
		assert_true(r > 0);
		total += r;
	}
	/* The duplicate arrives after the last; give it time, then nothing more may run. */
	assert_int_equal(umnic_dispatch(c, 100), 0);
	for (unsigned i = 0; i < N_OOO; i++) {
		assert_int_equal(d[i].calls, 1);
		assert_int_equal(d[i].id, ids[i]);
		assert_int_equal(d[i].res.status, STATUS_SUCCESS);
		assert_int_equal(d[i].res.information, 4);
		assert_int_equal(bufs[i][0], i);
		assert_int_equal(bufs[i][3], i);
	}
	srv_stop(&s, c);
}

/* ---- submissions from callbacks leave together ---- */

#define N_HELD 4

struct held_arg {
	_Atomic unsigned second;	/* second-round requests the server has received */
	uint64_t round2[N_HELD];
};

/* Completes N_HELD reads at once, then counts and completes the N_HELD that follow. */
static void srv_rounds(struct srv *s)
{
	struct held_arg *a = s->arg;
	uint64_t ids[N_HELD];
	struct umn_iomsg m;

	for (unsigned i = 0; i < N_HELD; i++) {
		SRV_CHECK(srv_recv(s, &m) && m.type == UMN_IOMSG_READ);
		ids[i] = m.req_id;
	}
	for (unsigned i = 0; i < N_HELD; i++)
		srv_complete(s, ids[i], STATUS_SUCCESS, 0, NULL, 0);
	for (unsigned i = 0; i < N_HELD; i++) {
		SRV_CHECK(srv_recv(s, &m) && m.type == UMN_IOMSG_READ);
		a->round2[i] = m.req_id;
		atomic_fetch_add(&a->second, 1);
	}
	for (unsigned i = 0; i < N_HELD; i++)
		srv_complete(s, a->round2[i], STATUS_SUCCESS, 0, NULL, 0);
	while (srv_recv(s, &m))
		;
}

struct resubmit {
	struct held_arg *a;
	uint8_t buf[4];
	int calls;
	unsigned seen_by_server;	/* round-2 requests the server had when this callback ran */
	uint64_t id2;
	NTSTATUS st2;
};

static void on_round2(umnic_client *c, uint64_t req_id, const umnic_result *res, void *ctx)
{
	struct resubmit *r = ctx;

	(void)c;
	r->calls++;
	r->st2 = res->status;
	assert_int_equal(req_id, r->id2);
}

static void on_round1(umnic_client *c, uint64_t req_id, const umnic_result *res, void *ctx)
{
	struct resubmit *r = ctx;
	struct timespec pause = {0, 5 * 1000 * 1000};

	(void)req_id;
	r->calls++;
	assert_int_equal(res->status, STATUS_SUCCESS);
	nanosleep(&pause, NULL);
	r->seen_by_server = atomic_load(&r->a->second);
	assert_int_equal(umnic_submit_read(c, 42, r->buf, 4, 0, on_round2, r, &r->id2), STATUS_PENDING);
}

static void test_callback_submits_held(void **state)
{
	struct held_arg a = {0};
	struct resubmit r[N_HELD];
	struct srv s;
	umnic_client *c = srv_start(&s, srv_rounds, &a);
	int total = 0;

	(void)state;
	memset(r, 0, sizeof(r));
	for (unsigned i = 0; i < N_HELD; i++) {
		r[i].a = &a;
		assert_int_equal(umnic_submit_read(c, 42, r[i].buf, 4, 0, on_round1, &r[i], NULL),
				 STATUS_PENDING);
	}
	/* By then the server has completed all of round 1: one dispatch runs its four callbacks. */
	{
		struct timespec settle = {0, 100 * 1000 * 1000};
		int n;

		nanosleep(&settle, NULL);
		n = umnic_dispatch(c, 2000);
		assert_int_equal(n, N_HELD);
		total += n;
	}
	while (total < 2 * N_HELD) {
		int n = umnic_dispatch(c, 2000);

		assert_true(n > 0);
		total += n;
	}
	for (unsigned i = 0; i < N_HELD; i++) {
		assert_int_equal(r[i].calls, 2);
		assert_int_equal(r[i].st2, STATUS_SUCCESS);
	}
	/*
	 * Each callback waited 5 ms after the ones before it had submitted: sent at
	 * once, those would have reached the server. Held, none had.
	 */
	for (unsigned i = 0; i < N_HELD; i++)
		assert_int_equal(r[i].seen_by_server, 0);
	assert_int_equal(atomic_load(&a.second), N_HELD);
	srv_stop(&s, c);
}

/* ---- cancel ---- */

/* Holds a READ until its CANCEL arrives, then completes it cancelled. */
static void srv_cancel(struct srv *s)
{
	struct umn_iomsg m;
	uint64_t held = 0;

	while (srv_recv(s, &m)) {
		if (m.type == UMN_IOMSG_READ && !held) {
			held = m.req_id;
		} else if (m.type == UMN_IOMSG_READ) {
			srv_complete(s, m.req_id, STATUS_SUCCESS, 0, NULL, 0);
		} else if (m.type == UMN_IOMSG_CANCEL) {
			SRV_CHECK(m.req_id == held);
			srv_complete(s, held, STATUS_CANCELLED, 0, NULL, 0);
			/* And the late real completion, which the client must drop. */
			srv_complete(s, held, STATUS_SUCCESS, 1, "x", 1);
		}
	}
}

static void test_cancel(void **state)
{
	struct srv s;
	umnic_client *c = srv_start(&s, srv_cancel, NULL);
	struct done d = {0}, d2 = {0};
	uint8_t buf[8] = {0};
	uint64_t id, id2;

	assert_int_equal(umnic_submit_read(c, 42, buf, sizeof(buf), 0, on_done, &d, &id),
			 STATUS_PENDING);
	assert_int_equal(umnic_dispatch(c, 50), 0);
	assert_int_equal(umnic_cancel(c, id), STATUS_SUCCESS);
	assert_int_equal(umnic_dispatch(c, 2000), 1);
	assert_int_equal(d.calls, 1);
	assert_int_equal(d.res.status, STATUS_CANCELLED);
	assert_int_equal(buf[0], 0);
	/* Completed: cancelling again finds nothing. */
	assert_int_equal(umnic_cancel(c, id), STATUS_NOT_FOUND);
	assert_int_equal(umnic_cancel(c, 999999), STATUS_NOT_FOUND);

	/* The connection still works, and the duplicate never reached a callback. */
	assert_int_equal(umnic_submit_read(c, 42, buf, 1, 0, on_done, &d2, &id2), STATUS_PENDING);
	while (!d2.calls)
		assert_true(umnic_dispatch(c, 2000) >= 0);
	assert_int_equal(d.calls, 1);
	assert_int_equal(d2.res.status, STATUS_SUCCESS);
	srv_stop(&s, c);
}

/* ---- oversized completions ---- */

static void srv_oversize(struct srv *s)
{
	static uint8_t junk[UMN_IOMSG_INLINE_MAX];
	struct umn_iomsg m;

	memset(junk, 0xAB, sizeof(junk));
	while (srv_recv(s, &m)) {
		if (m.type == UMN_IOMSG_READ && m.read.out_fd >= 0) {
			/* Claims more than the memfd the client sized. */
			struct umn_iomsg r;

			umn_iomsg_init(&r, UMN_IOMSG_COMPLETE, m.req_id);
			r.complete.information = m.read.length * 2ull;
			r.complete.data_len = m.read.length * 2;
			r.complete.in_memfd = true;
			SRV_CHECK(pwrite(m.read.out_fd, junk, 100, 0) == 100);
			srv_send(s, &r);
		} else if (m.type == UMN_IOMSG_READ && m.read.length == 4) {
			/* Data fits, Information does not. */
			srv_complete(s, m.req_id, STATUS_SUCCESS, 1000, junk, 4);
		} else if (m.type == UMN_IOMSG_READ || m.type == UMN_IOMSG_IOCTL) {
			srv_complete(s, m.req_id, STATUS_SUCCESS, sizeof(junk), junk, sizeof(junk));
		}
	}
}

static void test_oversized_completion(void **state)
{
	static uint8_t big[60000 + 16];
	struct srv s;
	umnic_client *c = srv_start(&s, srv_oversize, NULL);
	uint8_t buf[16 + 16];
	umnic_result res;

	memset(buf, 0x11, sizeof(buf));
	assert_int_equal(umnic_read(c, 42, buf, 16, 0, &res), STATUS_BUFFER_OVERFLOW);
	assert_int_equal(res.information, 16);
	for (int i = 0; i < 16; i++)
		assert_int_equal(buf[i], 0xAB);
	for (int i = 16; i < 32; i++)
		assert_int_equal(buf[i], 0x11);

	memset(buf, 0x11, sizeof(buf));
	assert_int_equal(umnic_ioctl(c, 42, IOCTL_ECHO, NULL, 0, buf, 16, &res),
			 STATUS_BUFFER_OVERFLOW);
	assert_int_equal(res.information, 16);
	assert_int_equal(buf[16], 0x11);

	memset(buf, 0x11, sizeof(buf));
	assert_int_equal(umnic_read(c, 42, buf, 4, 0, &res), STATUS_BUFFER_OVERFLOW);
	assert_int_equal(res.information, 4);
	assert_int_equal(buf[4], 0x11);

	/* Through a memfd: the client reads back at most its own buffer. */
	memset(big, 0x11, sizeof(big));
	assert_int_equal(umnic_read(c, 42, big, 60000, 0, &res), STATUS_BUFFER_OVERFLOW);
	assert_int_equal(res.information, 60000);
	assert_int_equal(big[0], 0xAB);
	assert_int_equal(big[99], 0xAB);
	assert_int_equal(big[100], 0);
	for (int i = 60000; i < 60016; i++)
		assert_int_equal(big[i], 0x11);
	srv_stop(&s, c);
}

/* ---- umnicd goes away with requests pending ---- */

/* Reads n requests, answers none, hangs up. */
static void srv_hangup(struct srv *s)
{
	struct umn_iomsg m;
	unsigned want = *(unsigned *)s->arg;

	for (unsigned i = 0; i < want; i++)
		SRV_CHECK(srv_recv(s, &m));
}

struct sync_arg {
	umnic_client *c;
	NTSTATUS st;
};

static void *sync_reader(void *arg)
{
	struct sync_arg *a = arg;
	uint8_t b[8];

	a->st = umnic_read(a->c, 42, b, sizeof(b), 0, NULL);
	return NULL;
}

static void test_disconnect_pending(void **state)
{
	unsigned want = 6;
	struct srv s;
	umnic_client *c;
	struct done d[5] = {0};
	struct sync_arg a;
	pthread_t t;
	uint8_t bufs[5][8];
	int total = 0, r;

	c = srv_start(&s, srv_hangup, &want);
	for (int i = 0; i < 5; i++)
		assert_int_equal(umnic_submit_read(c, 42, bufs[i], 8, 0, on_done, &d[i], NULL),
				 STATUS_PENDING);
	a.c = c;
	a.st = STATUS_SUCCESS;
	assert_int_equal(pthread_create(&t, NULL, sync_reader, &a), 0);
	/* Either this thread or the sync caller reads the hang-up; both ways must work. */
	while ((r = umnic_dispatch(c, 2000)) != -ENOTCONN) {
		assert_true(r >= 0);
		total += r;
	}
	pthread_join(t, NULL);
	assert_int_equal(total, 5);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(d[i].calls, 1);
		assert_int_equal(d[i].res.status, STATUS_DEVICE_REMOVED);
	}
	assert_int_equal(a.st, STATUS_DEVICE_REMOVED);

	/* Everything later fails at once, without a callback. */
	assert_int_equal(umnic_submit_read(c, 42, bufs[0], 8, 0, on_done, &d[0], NULL),
			 STATUS_DEVICE_REMOVED);
	assert_int_equal(umnic_write(c, 42, "x", 1, 0, NULL), STATUS_DEVICE_REMOVED);
	assert_int_equal(umnic_cancel(c, 1), STATUS_DEVICE_REMOVED);
	assert_int_equal(umnic_dispatch(c, 0), -ENOTCONN);
	assert_int_equal(d[0].calls, 1);
	/* umnic_fd stays readable so a poll loop notices. */
	{
		struct pollfd p = {.fd = umnic_fd(c), .events = POLLIN};
		assert_int_equal(poll(&p, 1, 0), 1);
	}
	srv_stop(&s, c);
}

/* A pending request when the application disconnects completes with STATUS_CANCELLED. */
static void test_client_disconnect_pending(void **state)
{
	unsigned want = 1;
	struct srv s;
	umnic_client *c;
	struct done d = {0};
	uint8_t b[8];

	c = srv_start(&s, srv_hangup, &want);
	assert_int_equal(umnic_submit_read(c, 42, b, 8, 0, on_done, &d, NULL), STATUS_PENDING);
	srv_stop(&s, c);
	assert_int_equal(d.calls, 1);
	assert_true(d.res.status == STATUS_CANCELLED || d.res.status == STATUS_DEVICE_REMOVED);
}

/* ---- a malformed message from umnicd ends the connection ---- */

static void srv_garbage(struct srv *s)
{
	struct umn_iomsg m;

	SRV_CHECK(srv_recv(s, &m));
	{
		struct umn_iomsg_complete bad = {.h = {UMN_IOMSG_COMPLETE, sizeof(bad), m.req_id},
						 .data_len = 1000};
		SRV_CHECK(umn_msg_send(s->fd, &bad, sizeof(bad), NULL, 0) == 0);
	}
	while (srv_recv(s, &m))
		;
}

static void test_malformed_reply(void **state)
{
	struct srv s;
	umnic_client *c = srv_start(&s, srv_garbage, NULL);
	uint8_t b[8];

	assert_int_equal(umnic_read(c, 42, b, sizeof(b), 0, NULL), STATUS_DEVICE_REMOVED);
	assert_int_equal(umnic_read(c, 42, b, sizeof(b), 0, NULL), STATUS_DEVICE_REMOVED);
	srv_stop(&s, c);
}

/* ---- time-out ---- */

/* Ignores the first READ until its CANCEL, then completes it late; answers the rest. */
static void srv_slow(struct srv *s)
{
	struct umn_iomsg m;
	uint64_t held = 0;

	while (srv_recv(s, &m)) {
		if (m.type == UMN_IOMSG_READ && !held) {
			held = m.req_id;
		} else if (m.type == UMN_IOMSG_CANCEL) {
			SRV_CHECK(m.req_id == held);
			srv_complete(s, held, STATUS_SUCCESS, 4, "late", 4);
		} else if (m.type == UMN_IOMSG_READ) {
			srv_complete(s, m.req_id, STATUS_SUCCESS, 2, "ok", 2);
		}
	}
}

static void test_timeout(void **state)
{
	struct srv s;
	umnic_client *c = srv_start(&s, srv_slow, NULL);
	uint8_t buf[8];
	umnic_result res;

	memset(buf, 0, sizeof(buf));
	assert_int_equal(umnic_read_timeout(c, 42, buf, sizeof(buf), 0, 50, &res),
			 STATUS_IO_TIMEOUT);
	assert_int_equal(res.status, STATUS_IO_TIMEOUT);
	/* The late completion arrives while this request runs; it must not touch buf. */
	memset(buf, 0, sizeof(buf));
	{
		uint8_t b2[8];
		assert_int_equal(umnic_read_timeout(c, 42, b2, sizeof(b2), 0, 2000, &res),
				 STATUS_SUCCESS);
		assert_memory_equal(b2, "ok", 2);
	}
	assert_int_equal(buf[0], 0);
	srv_stop(&s, c);
}

/* ---- several threads on one client ---- */

#define THREADS	   4
#define PER_THREAD 300

static void *ioctl_worker(void *arg)
{
	umnic_client *c = arg;
	uint32_t in, out;
	umnic_result res;

	for (uint32_t i = 0; i < PER_THREAD; i++) {
		in = (uint32_t)(uintptr_t)&in ^ i;
		out = 0;
		if (umnic_ioctl(c, 42, IOCTL_ECHO, &in, sizeof(in), &out, sizeof(out), &res) !=
			STATUS_SUCCESS ||
		    out != in || res.information != sizeof(in))
			return (void *)1;
	}
	return NULL;
}

static void test_threads(void **state)
{
	struct srv s;
	umnic_client *c = srv_start(&s, srv_echo, NULL);
	pthread_t t[THREADS];
	struct done d[64] = {0};
	uint8_t bufs[64][8];
	int total = 0;

	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, ioctl_worker, c), 0);
	/* Meanwhile, asynchronous reads from this thread. */
	for (int i = 0; i < 64; i++)
		assert_int_equal(
		    umnic_submit_read(c, 42, bufs[i], 8, (uint64_t)i, on_done, &d[i], NULL),
		    STATUS_PENDING);
	while (total < 64) {
		int r = umnic_dispatch(c, 2000);
		assert_true(r >= 0);
		total += r;
	}
	for (int i = 0; i < THREADS; i++) {
		void *ret;
		pthread_join(t[i], &ret);
		assert_null(ret);
	}
	for (int i = 0; i < 64; i++) {
		assert_int_equal(d[i].calls, 1);
		assert_int_equal(bufs[i][0], (uint8_t)i);
	}
	srv_stop(&s, c);
}

/* An async completion read by a synchronous call still makes umnic_fd readable. */
static void test_fd_after_sync_reader(void **state)
{
	struct srv s;
	umnic_client *c = srv_start(&s, srv_echo, NULL);
	struct pollfd p = {.fd = umnic_fd(c), .events = POLLIN};
	struct done d = {0};
	uint8_t a[4], b[4];

	assert_int_equal(umnic_submit_read(c, 42, a, 4, 0, on_done, &d, NULL), STATUS_PENDING);
	/* The echo server answers in order: the sync read finds the async reply first. */
	assert_int_equal(umnic_read(c, 42, b, 4, 0, NULL), STATUS_SUCCESS);
	assert_int_equal(d.calls, 0);
	assert_int_equal(poll(&p, 1, 1000), 1);
	assert_int_equal(umnic_dispatch(c, 0), 1);
	assert_int_equal(d.calls, 1);
	assert_int_equal(umnic_dispatch(c, 0), 0);
	srv_stop(&s, c);
}

/* ---- connection options ---- */

/* A caller built against a later library: its options struct is longer. */
struct connect_options_v9 {
	umnic_connect_options v1;
	uint64_t later_option;
};

static void test_connect_options(void **state)
{
	umnic_connect_options o = UMNIC_CONNECT_OPTIONS_INIT;
	struct connect_options_v9 big = {.v1 = UMNIC_CONNECT_OPTIONS_INIT};
	uint8_t buf[64];
	umnic_handle h;
	umnic_result res;
	struct srv s;
	umnic_client *c;

	(void)state;
	/* Each refused before anything is connected, naming EINVAL. */
	o.size = 4;
	errno = 0;
	assert_null(umnic_connect_ex(&o));
	assert_int_equal(errno, EINVAL);
	o = (umnic_connect_options)UMNIC_CONNECT_OPTIONS_INIT;
	o.flags = 0x80;
	assert_null(umnic_connect_ex(&o));
	assert_int_equal(errno, EINVAL);
	o = (umnic_connect_options)UMNIC_CONNECT_OPTIONS_INIT;
	o.spin_us = 1001;
	assert_null(umnic_connect_ex(&o));
	assert_int_equal(errno, EINVAL);
	o.spin_us = -2;
	assert_null(umnic_connect_ex(&o));
	assert_int_equal(errno, EINVAL);
	o = (umnic_connect_options)UMNIC_CONNECT_OPTIONS_INIT;
	o.reserved = 1;
	assert_null(umnic_connect_ex(&o));
	assert_int_equal(errno, EINVAL);
	/* An option this library does not know, set: refused, never dropped. */
	big.v1.size = sizeof(big);
	big.later_option = 1;
	assert_null(umnic_connect_ex(&big.v1));
	assert_int_equal(errno, EINVAL);

	/* Unset, the longer struct is fine; NO_RINGS: no ring is asked for. */
	big.later_option = 0;
	big.v1.flags = UMNIC_CONNECT_NO_RINGS;
	big.v1.spin_us = 0;
	c = srv_start_opts(&s, srv_echo, NULL, &big.v1);
	assert_int_equal(umnic_open(c, "Echo", GENERIC_READ, &h), STATUS_SUCCESS);
	assert_int_equal(umnic_read(c, h, buf, sizeof(buf), 0, &res), STATUS_SUCCESS);
	assert_int_equal(res.information, sizeof(buf));
	assert_int_equal(buf[5], 5);
	assert_int_equal(umnic_close(c, h), STATUS_SUCCESS);
	srv_stop(&s, c);
}

/* ---- status names ---- */

static void test_status_names(void **state)
{
	FILE *f = fopen(NTSTATUS_H, "re");
	char line[256], name[96];
	unsigned long v;
	int n = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		const char *got;

		if (sscanf(line, "#define %95s ((NTSTATUS)0x%lxL)", name, &v) != 2 ||
		    strncmp(name, "STATUS_", 7))
			continue;
		got = umnic_status_name((NTSTATUS)v);
		if (!got)
			fail_msg("%s has no name", name);
		/* STATUS_WAIT_0 is STATUS_SUCCESS. */
		if (strcmp(got, name) && strcmp(name, "STATUS_WAIT_0"))
			fail_msg("%s is named %s", name, got);
		n++;
	}
	fclose(f);
	assert_true(n > 40);
	assert_string_equal(umnic_status_name(STATUS_ACCESS_DENIED), "STATUS_ACCESS_DENIED");
	assert_null(umnic_status_name((NTSTATUS)0xC0DEC0DE));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sync_requests),
	    cmocka_unit_test(test_neither_copies),
	    cmocka_unit_test(test_out_of_order),
	    cmocka_unit_test(test_callback_submits_held),
	    cmocka_unit_test(test_cancel),
	    cmocka_unit_test(test_oversized_completion),
	    cmocka_unit_test(test_disconnect_pending),
	    cmocka_unit_test(test_client_disconnect_pending),
	    cmocka_unit_test(test_malformed_reply),
	    cmocka_unit_test(test_timeout),
	    cmocka_unit_test(test_threads),
	    cmocka_unit_test(test_fd_after_sync_reader),
	    cmocka_unit_test(test_status_names),
	    cmocka_unit_test(test_connect_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
