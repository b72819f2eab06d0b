/* SPDX-License-Identifier: MIT */
/*
 * The driver host's side of I/O requests (src/drvhost/io.c) fed messages
 * that umnicd would never send: each in a heap block of exactly its length,
 * so AddressSanitizer reports any field read past it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include <ntstatus.h>

#include "common/log.h"
#include "common/proto.h"
#include "drvhost/io.h"

static int peer = -1;	/* umnicd's end of the socket pair */

static int setup(void **state)
{
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	peer = sv[0];
	host_io_init(sv[1]);
	umn_log_set_max_level(UMN_LOG_ERR - 1);	/* the refusals below are expected */
	return 0;
}

/* The next completion the host sent, or false when it sent none. */
static bool next_completion(struct umn_msg_io_complete *ret)
{
	unsigned char buf[UMN_MSG_MAX];
	ssize_t n = recv(peer, buf, sizeof(buf), MSG_DONTWAIT);

	if (n < 0)
		return false;
	assert_true((size_t)n >= sizeof(*ret));
	memcpy(ret, buf, sizeof(*ret));
	assert_int_equal(ret->h.type, UMN_MSG_IO_COMPLETE);
	return true;
}

static void feed(const struct umn_msg_io_request *full, size_t len)
{
	/* An exact-size copy: a read past len is a heap overflow ASan reports. */
	unsigned char *copy = malloc(len ? len : 1);

	assert_non_null(copy);
	memcpy(copy, full, len);
	host_io_request(copy, len, NULL, 0);
	free(copy);
}

static void truncated_requests(void **state)
{
	struct umn_msg_io_request m;
	struct umn_msg_io_complete c;
	const size_t id_end = offsetof(struct umn_msg_io_request, id) + sizeof(m.id);

	(void)state;
	memset(&m, 0, sizeof(m));
	umn_msg_init(&m, UMN_MSG_IO_REQUEST, sizeof(m), 1);
	/* It would ask for descriptors it does not have. */
	m.flags = UMN_IO_IN_MEMFD | UMN_IO_OUT_MEMFD;
	for (size_t len = 0; len < sizeof(m); len++) {
		m.id = 1000 + len;
		feed(&m, len);
		if (len < id_end) {
			/* Nothing to answer it by. */
			assert_false(next_completion(&c));
			continue;
		}
		assert_true(next_completion(&c));
		assert_int_equal(c.id, 1000 + len);
		assert_int_equal(c.status, STATUS_INVALID_PARAMETER);
		assert_int_equal(c.information, 0);
		assert_false(next_completion(&c));
	}
}

static void inconsistent_requests(void **state)
{
	struct umn_msg_io_request m;
	struct umn_msg_io_complete c;

	(void)state;
	memset(&m, 0, sizeof(m));
	umn_msg_init(&m, UMN_MSG_IO_REQUEST, sizeof(m), 1);
	/* Whole, but asking for memfds that did not come with it. */
	m.id = 7;
	m.flags = UMN_IO_IN_MEMFD;
	m.in_len = 16;
	feed(&m, sizeof(m));
	assert_true(next_completion(&c));
	assert_int_equal(c.id, 7);
	assert_int_equal(c.status, STATUS_INVALID_PARAMETER);
	/* Whole, but saying inline input follows when none does. */
	m.id = 8;
	m.flags = UMN_IO_IN_INLINE;
	feed(&m, sizeof(m));
	assert_true(next_completion(&c));
	assert_int_equal(c.id, 8);
	assert_int_equal(c.status, STATUS_INVALID_PARAMETER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(truncated_requests),
		cmocka_unit_test(inconsistent_requests),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
