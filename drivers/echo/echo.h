/* SPDX-License-Identifier: MIT */
/* The echo sample's interface, shared by the driver, its clients and the tests. */
#ifndef UMNIC_ECHO_H
#define UMNIC_ECHO_H

#define ECHO_LINK_NAME L"\\DosDevices\\UmnicEcho"
#define ECHO_DEVICE_TYPE 0x8123u

/* Copies the input to the output, one IOCTL per buffer method. */
#define IOCTL_ECHO_BUFFERED CTL_CODE(ECHO_DEVICE_TYPE, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_ECHO_IN_DIRECT CTL_CODE(ECHO_DEVICE_TYPE, 0x801, METHOD_IN_DIRECT, FILE_ANY_ACCESS)
#define IOCTL_ECHO_OUT_DIRECT CTL_CODE(ECHO_DEVICE_TYPE, 0x802, METHOD_OUT_DIRECT, FILE_ANY_ACCESS)
#define IOCTL_ECHO_NEITHER CTL_CODE(ECHO_DEVICE_TYPE, 0x803, METHOD_NEITHER, FILE_ANY_ACCESS)
/* Needs a handle opened for writing. */
#define IOCTL_ECHO_NEEDS_WRITE CTL_CODE(ECHO_DEVICE_TYPE, 0x804, METHOD_BUFFERED, FILE_WRITE_ACCESS)
/* Output: struct echo_whoami, what the driver saw about the requestor. */
#define IOCTL_ECHO_WHOAMI CTL_CODE(ECHO_DEVICE_TYPE, 0x805, METHOD_BUFFERED, FILE_ANY_ACCESS)
/* Completes from a timer after the ULONG milliseconds in the input; cancelable meanwhile. */
#define IOCTL_ECHO_DELAYED CTL_CODE(ECHO_DEVICE_TYPE, 0x806, METHOD_BUFFERED, FILE_ANY_ACCESS)
/* Misbehaves: reports 100 bytes more Information than its output buffer holds. */
#define IOCTL_ECHO_LIE CTL_CODE(ECHO_DEVICE_TYPE, 0x807, METHOD_BUFFERED, FILE_ANY_ACCESS)

struct echo_whoami {
	unsigned int requestor_mode;	/* 0 KernelMode, 1 UserMode */
	unsigned int from_user_mode_driver;
	unsigned int requestor_pid;
	unsigned int io_type;		/* WDF_DEVICE_IO_TYPE the driver got */
	unsigned int has_file_object;
};

#endif
