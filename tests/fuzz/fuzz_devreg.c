/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the registry decoders: the wire blob and the text file. Whatever
 * decodes must encode again and decode to the same store.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/devreg.h"
#include "common/diag.h"

static void same(const struct devreg *a, const struct devreg *b)
{
	if (devreg_count(a) != devreg_count(b))
		abort();
	for (size_t i = 0; i < devreg_count(a); i++) {
		const struct devreg_entry *x = devreg_entry_at(a, i), *y = devreg_entry_at(b, i);
		if (strcmp(x->subkey, y->subkey) || strcmp(x->name, y->name) ||
		    x->type != y->type || x->len != y->len ||
		    (x->len && memcmp(x->data, y->data, x->len)))
			abort();
	}
}

/* reg -> blob -> store and reg -> text -> store must both give reg back. */
static void round_trip(const struct devreg *reg)
{
	struct devreg *back = NULL;
	void *blob;
	char *text;
	size_t len;

	if (devreg_serialize(reg, &blob, &len) < 0)
		return;
	if (devreg_deserialize(blob, len, &back) < 0)
		abort();
	same(reg, back);
	devreg_free(back);
	free(blob);

	if (devreg_format(reg, &text, &len) < 0)
		return;
	back = NULL;
	if (devreg_load_buffer("fuzz", text, len, &back, NULL) < 0)
		abort();
	same(reg, back);
	devreg_free(back);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct devreg *reg = NULL;
	struct umn_diag diag;
	int r;

	r = devreg_deserialize(data, size, &reg);
	if (r >= 0) {
		round_trip(reg);
		devreg_free(reg);
	} else if (r != -EBADMSG && r != -ENOMEM) {
		abort();
	}

	reg = NULL;
	umn_diag_init(&diag);
	r = devreg_load_buffer("fuzz", data, size, &reg, &diag);
	if (r >= 0) {
		round_trip(reg);
		devreg_free(reg);
	} else if (!umn_diag_has_error(&diag) && r != -ENOMEM) {
		abort();
	}
	umn_diag_free(&diag);
	return 0;
}
