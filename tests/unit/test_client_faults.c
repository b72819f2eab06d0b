/* SPDX-License-Identifier: MIT */
/*
 * libumnic against a fake umnicd (client_harness.h) that does not simply
 * answer: a request held until its cancel arrives, completions larger than
 * the buffer, umnicd hanging up with requests pending, an application
 * disconnecting with its own pending, a malformed reply, and one that comes
 * after the caller gave up. Each request must still complete once, with
 * the status libumnic documents. Part of test_client (main is there).
 */
#include "client_harness.h"

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

void test_cancel(void **state)
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

void test_oversized_completion(void **state)
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

void test_disconnect_pending(void **state)
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
void test_client_disconnect_pending(void **state)
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

void test_malformed_reply(void **state)
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

void test_timeout(void **state)
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
