/* SPDX-License-Identifier: MIT */
/*
 * A fake umnicd for the libumnic tests (test_client.c and
 * test_client_faults.c, one program): a thread that listens on a temporary
 * RUN_DIR/umnic-io.sock, refuses the message ring, checks what the client
 * sends with umnicd's own decoder, and answers as each test's script says.
 * Also the completion callback the tests share.
 */
#ifndef UMNIC_TESTS_CLIENT_HARNESS_H
#define UMNIC_TESTS_CLIENT_HARNESS_H

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

#define CLH_FN static __attribute__((unused))

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
CLH_FN bool srv_recv(struct srv *s, struct umn_iomsg *m)
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

CLH_FN void srv_send(struct srv *s, const struct umn_iomsg *m)
{
	static __thread uint8_t out[UMN_IOMSG_MAX];
	ssize_t n = umn_iomsg_encode(m, out, sizeof(out), NULL, NULL);

	SRV_CHECK(n > 0);
	SRV_CHECK(umn_msg_send(s->fd, out, (size_t)n, NULL, 0) == 0);
}

CLH_FN void srv_complete(struct srv *s, uint64_t id, NTSTATUS st, uint64_t info, const void *data,
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
CLH_FN bool srv_handle_open_close(struct srv *s, const struct umn_iomsg *m)
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
CLH_FN void srv_refuse_ring(struct srv *s)
{
	struct umn_chan_msg m;
	ssize_t n = umn_msg_recv(s->fd, s->buf, sizeof(s->buf), s->fds, &s->nfds);

	SRV_CHECK(n == (ssize_t)sizeof(m) && s->nfds == 0);
	memcpy(&m, s->buf, sizeof(m));
	SRV_CHECK(m.type == UMN_CHAN_MSG_OFFER);
	SRV_CHECK(umn_msg_send(s->fd, &m, sizeof(m), NULL, 0) == 0);
}

CLH_FN void *srv_main(void *arg)
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

CLH_FN umnic_client *srv_start_opts(struct srv *s, srv_fn fn, void *arg, umnic_connect_options *o)
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

CLH_FN umnic_client *srv_start(struct srv *s, srv_fn fn, void *arg)
{
	return srv_start_opts(s, fn, arg, NULL);
}

CLH_FN void srv_stop(struct srv *s, umnic_client *c)
{
	char path[128];

	umnic_disconnect(c);
	pthread_join(s->thread, NULL);
	close(s->listen_fd);
	snprintf(path, sizeof(path), "%s/%s", s->dir, UMN_IOMSG_SOCK_NAME);
	unlink(path);
	rmdir(s->dir);
}

/* A completion as the callback saw it, and how many there were. */
struct done {
	int calls;
	uint64_t id;
	umnic_result res;
};

CLH_FN void on_done(umnic_client *c, uint64_t req_id, const umnic_result *res, void *ctx)
{
	struct done *d = ctx;

	d->calls++;
	d->id = req_id;
	d->res = *res;
}

/* The failure cases, in test_client_faults.c. */
void test_cancel(void **state);
void test_oversized_completion(void **state);
void test_disconnect_pending(void **state);
void test_client_disconnect_pending(void **state);
void test_malformed_reply(void **state);
void test_timeout(void **state);

#endif
