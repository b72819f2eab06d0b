/* SPDX-License-Identifier: MIT */
/*
 * The names clients open devices by (names.c): symbolic links and device
 * interfaces, registered by drivers, held for a driver across its restart,
 * and saved with the device.
 */
#ifndef UMNIC_UMNICD_DEV_NAMES_H
#define UMNIC_UMNICD_DEV_NAMES_H

#include <stdint.h>
#include <stdio.h>

#include "common/proto.h"

struct device;

const char *names_link_base(const char *link);
/* NTSTATUS for WdfDeviceCreateSymbolicLink / WdfDeviceCreateDeviceInterface. */
int32_t names_register(struct device *dev, uint32_t kind, const GUID *guid, const char *name);
/* A link device.conf lists, held for dev until its driver takes it: 0, -EEXIST or -EINVAL. */
int names_restore_link(struct device *dev, const char *name);
void names_save(const struct device *dev, FILE *f);
/* The driver went away but comes back: its names are held for it. */
void names_hold(struct device *dev);
/* The driver has started: what it did not take again goes. */
void names_settle(struct device *dev);
void names_drop(struct device *dev);
struct device *names_find_link(const char *link);
/* The one device exposing the class; NULL with NOT_FOUND or (several) OBJECT_NAME_COLLISION. */
struct device *names_find_interface(const GUID *guid, NTSTATUS *ret_status);
void names_interface_path(const struct device *dev, unsigned k, char *buf, size_t cap);

#endif
