/* SPDX-License-Identifier: MIT */
/*
 * The kmclient sample's interface, shared by the driver, its clients and the
 * tests. kmclient is a driver that is itself a client of another device: it
 * forwards every request its own device gets to the echo device through an
 * I/O target, and IOCTL_KMCLIENT_SEND lets a test make it send one request of
 * its own choosing, the way a kernel-mode (or user-mode) driver would.
 *
 * The same source builds twice: kmclient.so for the in-host, kernel-mode
 * service (kmclient.inf, KmdfService) and kmclient_um.so for a user-mode
 * driver host (kmclient_um.inf, UmdfService). Their links differ so both can
 * be installed at once.
 */
#ifndef UMNIC_KMCLIENT_H
#define UMNIC_KMCLIENT_H

#include <stdint.h>

#define KMCLIENT_LINK_NAME_KM L"\\DosDevices\\UmnicKmClient"
#define KMCLIENT_LINK_NAME_UM L"\\DosDevices\\UmnicUmClient"
/* Where requests are forwarded unless IOCTL_KMCLIENT_SEND names another device. */
#define KMCLIENT_DEFAULT_TARGET L"\\DosDevices\\UmnicEcho"
#define KMCLIENT_DEVICE_TYPE 0x8124u

/* Input: struct kmclient_send then in_len bytes. Output: struct kmclient_result then data. */
#define IOCTL_KMCLIENT_SEND CTL_CODE(KMCLIENT_DEVICE_TYPE, 0x900, METHOD_BUFFERED, FILE_ANY_ACCESS)

/* How the target of one IOCTL_KMCLIENT_SEND is opened. */
enum kmclient_open {
	KMCLIENT_BY_NAME = 0,		/* WdfIoTargetOpenByName: a file object created on the target */
	KMCLIENT_EXISTING_NULL = 1,	/* UseExistingDevice, TargetFileObject NULL */
	KMCLIENT_EXISTING_CREATED = 2,	/* UseExistingDevice with IoGetDeviceObjectPointer's file object */
	KMCLIENT_EXISTING_UNKNOWN = 3,	/* UseExistingDevice with a file object of kmclient's own device */
};

/* Flags of struct kmclient_send. */
#define KMCLIENT_AT_DISPATCH 0x1	/* send asynchronously while holding a WDFSPINLOCK */
#define KMCLIENT_READ_ONLY 0x2	/* open the target for reading only (GENERIC_READ) */

struct kmclient_send {
	uint32_t open;		/* enum kmclient_open */
	uint32_t major;		/* 3 read, 4 write, 0x0e IOCTL, 0x0f internal IOCTL */
	uint32_t ioctl;		/* for the IOCTLs */
	uint32_t in_len;	/* bytes after this struct: write data or IOCTL input */
	uint32_t out_len;	/* read length or IOCTL output length */
	uint32_t flags;		/* KMCLIENT_* */
	char target[64];	/* link name of the target, UTF-8, e.g. "\\DosDevices\\UmnicEcho"; "" = default */
};

struct kmclient_result {
	int32_t open_status;	/* of opening the target (then nothing was sent if it failed) */
	int32_t status;		/* the sent request's completion status (open_status if the open failed) */
	uint64_t information;	/* IO_STATUS_BLOCK.Information from WdfRequestGetCompletionParams */
	/*
	 * Output bytes that follow: what the target returned, if kmclient trusted
	 * it (status a success or STATUS_BUFFER_OVERFLOW, information <= out_len);
	 * otherwise, and always for a write, 0.
	 */
	uint32_t data_len;
	uint32_t reserved;
};

#endif
