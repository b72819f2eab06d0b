/* SPDX-License-Identifier: MIT */
/*
 * The names clients open devices by: symbolic links (WdfDeviceCreateSymbolicLink)
 * and device interfaces (WdfDeviceCreateDeviceInterface), one namespace for all
 * devices as the object manager's \DosDevices is.
 *
 *  - A link name belongs to one device at a time, compared without regard to
 *    case. A second device asking for it gets STATUS_OBJECT_NAME_COLLISION and
 *    the first keeps it.
 *  - A device keeps its names while its driver restarts, and across a restart
 *    of umnicd (device.conf lists its links), until the new driver has started:
 *    only that driver can take them back. Names it did not take again go then;
 *    a failed or removed device lets all of them go.
 *  - Several devices may expose one interface class. An open by GUID alone
 *    finds the device only when exactly one exposes it; otherwise it fails
 *    with STATUS_OBJECT_NAME_COLLISION, and the client names the instance by
 *    its interface path, ROOT#ECHO#0000#{GUID}, as a Windows application opens
 *    \\?\ROOT#ECHO#0000#{GUID}.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <ntstatus.h>

#include "common/ioproto.h"
#include "common/log.h"
#include "umnicd/dev/device.h"
#include "umnicd/dev/names.h"
#include "umnicd/base/config.h"
#include "umnicd/base/loop.h"

#define NAMES_MAX (sizeof(((struct device *)0)->names) / sizeof(((struct device *)0)->names[0]))

/* "\DosDevices\Name", "\??\Name" and "Name" all name the same link: Name. */
const char *names_link_base(const char *link)
{
	if (!strncasecmp(link, "\\DosDevices\\", 12))
		return link + 12;
	if (!strncmp(link, "\\??\\", 4))
		return link + 4;
	return link;
}

static struct device *link_owner(const char *base, const struct device *except)
{
	for (int i = 0; i < UMN_MAX_DEVICES; i++) {
		struct device *d = dev_get(i);

		for (unsigned k = 0; d && d != except && k < d->nnames; k++)
			if (d->names[k].kind == UMN_NAME_SYMLINK &&
			    !strcasecmp(d->names[k].name, base))
				return d;
	}
	return NULL;
}

static int find_own(const struct device *dev, uint32_t kind, const GUID *guid, const char *name)
{
	for (unsigned k = 0; k < dev->nnames; k++) {
		if (dev->names[k].kind != kind)
			continue;
		if (kind == UMN_NAME_SYMLINK ? !strcasecmp(dev->names[k].name, name)
					     : !memcmp(&dev->names[k].guid, guid, sizeof(GUID)) &&
						   !strcmp(dev->names[k].name, name))
			return (int)k;
	}
	return -1;
}

static int32_t add(struct device *dev, uint32_t kind, const GUID *guid, const char *name,
		   bool current)
{
	if (dev->nnames >= NAMES_MAX)
		return STATUS_INSUFFICIENT_RESOURCES;
	dev->names[dev->nnames].kind = kind;
	memcpy(&dev->names[dev->nnames].guid, guid, sizeof(GUID));
	umn_strlcpy(dev->names[dev->nnames].name, name, sizeof(dev->names[0].name));
	dev->names[dev->nnames].current = current;
	dev->nnames++;
	return STATUS_SUCCESS;
}

int32_t names_register(struct device *dev, uint32_t kind, const GUID *guid, const char *name)
{
	struct device *owner;
	int k;

	if (kind == UMN_NAME_SYMLINK) {
		name = names_link_base(name);
		if (!name[0] || strlen(name) >= sizeof(dev->names[0].name) || strchr(name, '\\'))
			return STATUS_OBJECT_NAME_INVALID;
	} else if (strlen(name) >= sizeof(dev->names[0].name)) {
		return STATUS_OBJECT_NAME_INVALID;
	}
	k = find_own(dev, kind, guid, name);
	if (k >= 0) {
		/* Held for this device since its last start: its driver takes it back. */
		if (!dev->names[k].current) {
			dev->names[k].current = true;
			return STATUS_SUCCESS;
		}
		/* A second interface of the same class and reference is the same interface. */
		return kind == UMN_NAME_SYMLINK ? STATUS_OBJECT_NAME_COLLISION : STATUS_SUCCESS;
	}
	if (kind == UMN_NAME_SYMLINK && (owner = link_owner(name, dev))) {
		unsigned held;

		/* A driver may retry in a loop: one line a second says so. */
		if (umn_log_limit_pass(&dev->name_log, umn_mono_ns(), 1000000000ull, &held, NULL))
			umn_log(UMN_LOG_WARN,
				"%s: symbolic link %s belongs to %s; refused with "
				"STATUS_OBJECT_NAME_COLLISION (%u more refused before)",
				dev->instance_id, name, owner->instance_id, held);
		return STATUS_OBJECT_NAME_COLLISION;
	}
	if (add(dev, kind, guid, name, true) != STATUS_SUCCESS)
		return STATUS_INSUFFICIENT_RESOURCES;
	/* A new link is remembered, so that after a restart of umnicd it is this device's again. */
	if (kind == UMN_NAME_SYMLINK)
		dev_persist(dev);
	return STATUS_SUCCESS;
}

int names_restore_link(struct device *dev, const char *name)
{
	struct device *owner;

	if (!name[0] || strlen(name) >= sizeof(dev->names[0].name) || strchr(name, '\\'))
		return -EINVAL;
	owner = link_owner(name, NULL);
	if (owner)
		return -EEXIST;
	return add(dev, UMN_NAME_SYMLINK, &(GUID){0}, name, false) == STATUS_SUCCESS ? 0 : -ENOSPC;
}

void names_save(const struct device *dev, FILE *f)
{
	for (unsigned k = 0; k < dev->nnames; k++)
		if (dev->names[k].kind == UMN_NAME_SYMLINK)
			fprintf(f, "link=%s\n", dev->names[k].name);
}

void names_hold(struct device *dev)
{
	for (unsigned k = 0; k < dev->nnames; k++)
		dev->names[k].current = false;
}

void names_settle(struct device *dev)
{
	unsigned n = 0;
	bool dropped_link = false;

	for (unsigned k = 0; k < dev->nnames; k++) {
		if (dev->names[k].current)
			dev->names[n++] = dev->names[k];
		else if (dev->names[k].kind == UMN_NAME_SYMLINK)
			dropped_link = true;
	}
	dev->nnames = n;
	if (dropped_link)
		dev_persist(dev);
}

void names_drop(struct device *dev)
{
	dev->nnames = 0;
}

/* "ROOT#ECHO#0000#{GUID}": the device's instance id with '#' for '\', then the class. */
static struct device *by_interface_path(const char *link)
{
	const char *hash = strrchr(link, '#');
	char inst[UMN_NAME_MAX];
	size_t n;
	GUID g;

	if (!hash || umn_guid_parse(hash + 1, &g) <= 0 || hash[1] != '{' ||
	    hash[1 + umn_guid_parse(hash + 1, &g)] != '\0')
		return NULL;
	n = (size_t)(hash - link);
	if (n == 0 || n >= sizeof(inst))
		return NULL;
	memcpy(inst, link, n);
	inst[n] = '\0';
	for (char *p = inst; *p; p++)
		if (*p == '#')
			*p = '\\';
	for (int i = 0; i < UMN_MAX_DEVICES; i++) {
		struct device *d = dev_get(i);

		if (!d || strcasecmp(d->instance_id, inst))
			continue;
		for (unsigned k = 0; k < d->nnames; k++)
			if (d->names[k].kind == UMN_NAME_INTERFACE &&
			    !memcmp(&d->names[k].guid, &g, sizeof(g)))
				return d;
	}
	return NULL;
}

struct device *names_find_link(const char *link)
{
	struct device *d;

	link = names_link_base(link);
	d = link_owner(link, NULL);
	return d ? d : by_interface_path(link);
}

struct device *names_find_interface(const GUID *guid, NTSTATUS *ret_status)
{
	struct device *found = NULL;
	unsigned count = 0;

	for (int i = 0; i < UMN_MAX_DEVICES; i++) {
		struct device *d = dev_get(i);

		for (unsigned k = 0; d && k < d->nnames; k++)
			if (d->names[k].kind == UMN_NAME_INTERFACE &&
			    !memcmp(&d->names[k].guid, guid, sizeof(GUID))) {
				if (d != found)
					count++;
				found = d;
				break;
			}
	}
	if (count == 1)
		return found;
	*ret_status = count ? STATUS_OBJECT_NAME_COLLISION : STATUS_OBJECT_NAME_NOT_FOUND;
	return NULL;
}

void names_interface_path(const struct device *dev, unsigned k, char *buf, size_t cap)
{
	char g[UMN_GUID_STR_MAX];
	size_t n;

	umn_guid_format(&dev->names[k].guid, g);
	snprintf(buf, cap, "%s#%s", dev->instance_id, g);
	n = strlen(dev->instance_id) < cap ? strlen(dev->instance_id) : cap;
	for (size_t i = 0; i < n; i++)
		if (buf[i] == '\\')
			buf[i] = '#';
}
