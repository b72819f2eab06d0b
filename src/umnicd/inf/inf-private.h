/* SPDX-License-Identifier: MIT */
#pragma once

/* Shared between the INF files (parser, loader, driver resolver); not an API. */

#include "umnicd/inf/inf.h"

/* ---- loader internals (inf.c, infparse.c) ---- */

/* Per-file allocations; inf_arena_alloc() fails (over_limit set) past INF_MAX_DATA in total. */
struct inf_arena {
	struct inf_arena_chunk *head;
	size_t total;
	bool over_limit;
};

void *inf_arena_alloc(struct inf_arena *a, size_t n);
char *inf_arena_strndup(struct inf_arena *a, const char *s, size_t n);
void inf_arena_free(struct inf_arena *a);

/* ASCII case-insensitive map from a string to a pointer; keys must outlive the map. */
struct inf_map {
	const char **keys;
	void **vals;
	size_t cap, n;
	uint64_t seed; /* random, so crafted section names cannot pile up in one bucket */
};

void *inf_map_get(const struct inf_map *m, const char *key);
/* Inserts key unless already present (then keeps the old value). */
int inf_map_add(struct inf_map *m, const char *key, void *val);
void inf_map_free(struct inf_map *m);

struct inf_section {
	const char *name;
	const char *file;
	unsigned line;
	bool is_strings;
	struct inf_line *lines;
	size_t n_lines, cap;
};

/* One parsed file. */
struct inf_unit {
	char *name;
	unsigned depth;
	struct inf_arena arena;
	struct inf_section **sections; /* in order of first appearance */
	size_t n_sections, cap;
	struct inf_map index;
};

struct inf_file {
	char *dir;
	struct inf_unit **units; /* [0] is the main file */
	size_t n_units;
	bool missing_include;
	unsigned system_includes; /* bit i: system_infs[i] of inf.c was Include'd */
};

/*
 * Parses UTF-8 text (len bytes, no NUL) into u's sections and substitutes %strings%. Errors
 * are reported to diag naming u->name and the line.
 */
int inf_parse_text(struct inf_unit *u, const char *text, size_t len, struct umn_diag *diag);

/* ---- driver resolver internals (infdriver.c, infaddreg.c) ---- */

/*
 * Appends to drv->addreg the HKR values of the AddReg sections named by install (and the
 * sections its Needs names), hw (likewise) and service, in that order. hw and service may be
 * NULL.
 */
int inf_addreg_collect(const struct inf_file *inf, const struct inf_section *install,
		       const struct inf_section *hw, const struct inf_section *service,
		       struct inf_driver *drv, struct umn_diag *diag);
