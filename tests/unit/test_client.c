/* SPDX-License-Identifier: MIT */
/*
 * libumnic against a fake umnicd (client_harness.h) that behaves: the
 * synchronous calls, METHOD_NEITHER, completions out of order, submissions
 * from callbacks, several threads on one client, the connection options
 * and the status names. The fake's misbehaviours (cancels, oversized and
 * malformed replies, hang-ups, time-outs) are in test_client_faults.c.
 */
#include "client_harness.h"

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
