/* SPDX-License-Identifier: MIT */
/*
 * umnicd's table of local users (users.h): what each uid holds, looked up
 * by a small hash, with root and umnicd's own user marked privileged.
 */
#include "umnicd/base/users.h"

#include <stdlib.h>
#include <unistd.h>

/* Few users talk to umnicd at once; a short chain per bucket is enough. */
#define USER_BUCKETS 64u

static struct umn_user *bucket[USER_BUCKETS];

bool uid_privileged(uid_t uid)
{
	return uid == 0 || uid == getuid();
}

struct umn_user *user_ref(uid_t uid)
{
	struct umn_user **head = &bucket[uid % USER_BUCKETS], *u;

	for (u = *head; u; u = u->next)
		if (u->uid == uid) {
			u->refs++;
			return u;
		}
	u = calloc(1, sizeof(*u));
	if (!u)
		return NULL;
	u->uid = uid;
	u->privileged = uid_privileged(uid);
	u->refs = 1;
	u->next = *head;
	*head = u;
	return u;
}

void user_unref(struct umn_user *u)
{
	if (!u || --u->refs)
		return;
	for (struct umn_user **pp = &bucket[u->uid % USER_BUCKETS]; *pp; pp = &(*pp)->next)
		if (*pp == u) {
			*pp = u->next;
			break;
		}
	free(u);
}
