/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the INF parser and the driver package resolver. No file is opened:
 * inf_load_buffer() gets no directory, so every Include takes the "not found" path.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/devreg.h"
#include "common/diag.h"
#include "umnicd/inf/inf.h"

/* Whatever the input, diagnostics must be bounded and printable. */
static void check_diag(const struct umn_diag *diag)
{
	const char *e = umn_diag_error_message(diag);

	if (umn_diag_n_warnings(diag) > UMN_DIAG_MAX_WARNINGS)
		abort();
	for (size_t i = 0; i <= umn_diag_n_warnings(diag); i++) {
		const char *m = i < umn_diag_n_warnings(diag) ? umn_diag_warning(diag, i) : e;
		if (!m)
			continue;
		if (strlen(m) >= UMN_DIAG_MAX_MESSAGE)
			abort();
		for (const unsigned char *p = (const unsigned char *)m; *p; p++)
			if (*p < 0x20 || *p == 0x7f)
				abort();
	}
}

static void resolve(const struct inf_file *inf, const char *hwid)
{
	struct umn_diag diag;
	struct inf_driver *drv = NULL;
	struct devreg *reg = NULL;

	umn_diag_init(&diag);
	if (inf_resolve_driver(inf, hwid, &drv, &diag) >= 0) {
		if (!drv || !drv->hwid || !drv->binary_path || umn_diag_has_error(&diag))
			abort();
		if (devreg_new(&reg) >= 0)
			(void)inf_driver_apply_addreg(drv, reg, &diag);
		devreg_free(reg);
		inf_driver_free(drv);
	} else if (drv || !umn_diag_has_error(&diag)) {
		abort(); /* a failure always says why */
	}
	check_diag(&diag);
	umn_diag_free(&diag);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct umn_diag diag;
	struct inf_file *inf = NULL;

	umn_diag_init(&diag);
	if (inf_load_buffer("fuzz.inf", data, size, NULL, &inf, &diag) >= 0) {
		const struct inf_section *s = inf_section_find(inf, "Version");

		for (size_t i = 0; i < inf_section_n_lines(s); i++) {
			const struct inf_line *l = inf_section_get_line(s, i);
			uint64_t v;
			for (size_t k = 0; k < l->n_values; k++)
				(void)inf_parse_uint(l->values[k], UINT32_MAX, &v);
		}
		(void)inf_section_find_decorated(inf, "Standard");
		resolve(inf, NULL);
		resolve(inf, "Root\\umnic_vpair");
		inf_free(inf);
	} else if (inf || !umn_diag_has_error(&diag)) {
		abort();
	}
	check_diag(&diag);
	umn_diag_free(&diag);
	return 0;
}
