/* SPDX-License-Identifier: MIT */
/*
 * What each local user (uid) holds of umnicd: control connections, I/O
 * clients, requests, handles and reply bytes. The limits that keep one
 * unprivileged user from taking what everyone else needs are checked
 * against these counts (docs/io-requests.md, "Limits"); root and umnicd's
 * own user are privileged and are only held to umnicd's overall bounds.
 */
#ifndef UMNIC_UMNICD_BASE_USERS_H
#define UMNIC_UMNICD_BASE_USERS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct umn_user {
	uid_t uid;
	bool privileged;
	unsigned refs;	  /* connections and clients that point here */
	unsigned ctl;	  /* control connections open */
	unsigned clients; /* I/O clients connected */
	unsigned pending; /* requests outstanding, on every driver host */
	unsigned handles; /* handles open */
	size_t queued;	  /* reply bytes waiting for its clients to read them */
	size_t reserved;  /* reply bytes kept for its clients' pending requests */
	struct umn_user *next;
};

bool uid_privileged(uid_t uid);
/* The record of uid, made on first use; NULL when out of memory. */
struct umn_user *user_ref(uid_t uid);
/* Drops a reference; the record goes with the last one. Accepts NULL. */
void user_unref(struct umn_user *u);

#endif
