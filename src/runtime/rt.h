/* SPDX-License-Identifier: MIT */
/*
 * Internal state of libumnic-driver: the framework objects behind the
 * driver-visible handles and the hooks through which the runtime reaches the
 * OS side (umnicd over a socket for a user-mode host). For the runtime's own
 * files and its white-box unit tests only; the driver host sees
 * runtime/host.h.
 */
#ifndef UMNIC_RUNTIME_RT_H
#define UMNIC_RUNTIME_RT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include <wdf.h>
#include <netadaptercx.h>

#include "common/devreg.h"
#include "common/proto.h"
#include "common/shm.h"
#include "runtime/host.h"
#include "runtime/wdf/object.h"

#define UMN_MAX_QUEUES UMN_QUEUES_MAX

/*
 * The WDM objects in-host drivers may hold (WdfDeviceWdmGetDeviceObject,
 * WdfFileObjectWdmGetFileObject, IoGetDeviceObjectPointer): names of an OS
 * device and file object, for WdfIoTargetOpenUseExistingDevice.
 */
#define UMN_WDM_DEVICE_MAGIC 0x4f766544u
#define UMN_WDM_FILE_MAGIC   0x4f6c6946u
struct _DEVICE_OBJECT {
	uint32_t magic;
	uint32_t os_device;
};
struct _FILE_OBJECT {
	uint32_t magic;
	uint32_t os_device;
	uint64_t os_file;
	bool opened; /* by IoGetDeviceObjectPointer: ObDereferenceObject closes it */
	struct _DEVICE_OBJECT device; /* what IoGetDeviceObjectPointer hands out with it */
};

struct umn_driver;
struct umn_device;
struct umn_adapter;
struct umn_pqueue;
struct umn_offload;

struct umn_rt {
	const struct umn_rt_ops *ops;
	bool user_mode; /* UMDF rules apply */
	bool verifier;	/* a rule violation stops the driver */
	struct umn_driver *driver;
	void *preloaded; /* the driver mapped before the sandbox closed, or NULL */
	char preload_error[256];
	pthread_mutex_t lock;
	struct umn_device *devices[UMN_MAX_DEVICES];
};

extern struct umn_rt umn_rt;

struct umn_driver {
	struct umn_object obj;
	WDF_DRIVER_CONFIG config;
	UNICODE_STRING registry_path;
	char service[UMN_NAME_MAX];
	DRIVER_OBJECT *wdm;
};

/*
 * Power policy and device state as the driver set them (power.c). umnic has
 * no idle or wake events, so they are recorded and reported, not acted on.
 */
struct umn_power_policy {
	WDF_POWER_POLICY_EVENT_CALLBACKS callbacks;
	WDF_DEVICE_POWER_POLICY_IDLE_SETTINGS idle;
	WDF_DEVICE_POWER_POLICY_WAKE_SETTINGS wake;
	WDF_DEVICE_STATE state;
	bool callbacks_set;
	bool idle_set;
	bool wake_set;
	bool filter;
	int idle_refs; /* WdfDeviceStopIdle minus WdfDeviceResumeIdle; __atomic */
};

struct WDFDEVICE_INIT {
	struct umn_driver *driver;
	WDF_PNPPOWER_EVENT_CALLBACKS pnp;
	bool pnp_set;
	WDF_OBJECT_ATTRIBUTES request_attrs;
	bool net_configured;
	WDF_DEVICE_IO_TYPE io_type;
	bool created;
	/* WdfDeviceInitSetIoTypeEx (io_dispatch.c); Size 0 when not called. */
	WDF_IO_TYPE_CONFIG io_type_config;
	/* WdfDeviceInitSetFileObjectConfig (fileobject.c). */
	WDF_FILEOBJECT_CONFIG file_config;
	bool file_config_set;
	WDF_OBJECT_ATTRIBUTES file_attrs;
	bool file_attrs_set;
	/* WdfDeviceInitSetPowerPolicyEventCallbacks, WdfFdoInitSetFilter (power.c). */
	struct umn_power_policy power;
};

struct umn_io_dev;

struct umn_device {
	struct umn_object obj;
	uint32_t id; /* umnicd's device number */
	char instance_id[UMN_NAME_MAX];
	char hwid[UMN_NAME_MAX];
	struct umn_driver *driver;
	WDF_PNPPOWER_EVENT_CALLBACKS pnp;
	struct devreg *registry;
	struct umn_adapter *adapter;
	/* Hardware resources umnicd granted: descriptors, closed with the device. */
	int resource_fd[UMN_MAX_RESOURCES];
	uint32_t resource_kind[UMN_MAX_RESOURCES];
	unsigned nresources;
	/* How far the start sequence got, so removal undoes exactly that (device.c). */
	bool prepared; /* EvtDevicePrepareHardware was called, even if it failed */
	bool in_d0;
	bool smio_init;	   /* EvtDeviceSelfManagedIoInit was called */
	bool smio_running; /* ... and succeeded: suspended at removal */
	bool in_prepare;   /* inside EvtDevicePrepareHardware */
	bool pnp_stopped;  /* stopped by umn_rt_stop_device, kept for umn_rt_start_device */
	/* The lists EvtDevicePrepareHardware got (children of the device); Release gets trans. */
	struct umn_object *res_raw, *res_trans;
	/* Queues, file objects, I/O targets (io_int.h); freed when the device is destroyed. */
	struct umn_io_dev *io;
	struct _DEVICE_OBJECT wdm;     /* WdfDeviceWdmGetDeviceObject */
	struct umn_power_policy power; /* from the init, then WdfDeviceAssign* (power.c) */
};

struct _NETADAPTER_INIT {
	struct umn_device *device;
	NET_ADAPTER_DATAPATH_CALLBACKS datapath;
	bool datapath_set;
	bool used;
};

/* What the verifier found wrong in a capability set; reported again at NetAdapterStart. */
#define UMN_RULE_TEXT 200

struct umn_adapter {
	struct umn_object obj;
	struct umn_device *device;
	NET_ADAPTER_DATAPATH_CALLBACKS datapath;
	NET_ADAPTER_TX_CAPABILITIES tx_caps;
	NET_ADAPTER_RX_CAPABILITIES rx_caps;
	NET_ADAPTER_LINK_LAYER_CAPABILITIES link_caps;
	NET_ADAPTER_RECEIVE_FILTER_CAPABILITIES filter_caps;
	NET_ADAPTER_LINK_LAYER_ADDRESS perm_addr;
	NET_ADAPTER_LINK_LAYER_ADDRESS cur_addr;
	NET_ADAPTER_LINK_STATE link_state;
	ULONG mtu;
	bool datapath_caps_set;
	bool link_caps_set;
	bool mtu_set;
	bool filter_caps_set;
	bool link_state_set;
	bool started;
	/*
	 * NetAdapterStart was called in EvtDevicePrepareHardware: as NetAdapterCx
	 * does, a PnP stop stops the adapter after EvtDeviceReleaseHardware, so
	 * that the next EvtDevicePrepareHardware starts it again.
	 */
	bool started_in_prepare;
	NTSTATUS caps_violation; /* first rule broken by the capabilities */
	char caps_violation_text[UMN_RULE_TEXT];
	struct umn_pqueue *txq[UMN_MAX_QUEUES];
	struct umn_pqueue *rxq[UMN_MAX_QUEUES];
	struct umn_ec *ec[UMN_MAX_QUEUES];
	/* Receive filter as last set by the OS. */
	NET_PACKET_FILTER_FLAGS filter_flags;
	uint32_t mcast_count;
	NET_ADAPTER_LINK_LAYER_ADDRESS mcast[UMN_MCAST_MAX];
	/* Offload and RSS capabilities as advertised (offload.c); a child object, or NULL. */
	struct umn_offload *offload;
};

/* The queue init handed to EvtAdapterCreate{Tx,Rx}Queue. */
struct umn_queue_init {
	struct umn_adapter *adapter;
	struct umn_queue_layout layout;
	int memfd;
	int ec_efd;
	int os_efd;
	uint32_t cpu_plus1; /* the CPU of the queue's execution context, plus one; 0: any */
	struct umn_pqueue *created;
};
struct _NETTXQUEUE_INIT {
	struct umn_queue_init q;
};
struct _NETRXQUEUE_INIT {
	struct umn_queue_init q;
};

struct umn_ec;

struct umn_pqueue {
	struct umn_object obj;
	struct umn_adapter *adapter;
	enum umn_queue_kind kind;
	uint32_t id;
	uint32_t cpu_plus1; /* umn_queue_init's */
	NET_PACKET_QUEUE_CONFIG config;
	struct umn_queue_layout l;
	void *base;
	struct umn_os_cell *os;
	struct umn_drv_cell *drv;
	NET_RING *pkt;
	NET_RING *frag;
	NET_RING_COLLECTION rings;
	unsigned char *bufs;
	uint32_t seen_pkt_end; /* free-running, as umnicd published them */
	uint32_t seen_frag_end;
	int ec_efd;
	int os_efd;
	bool armed;
	bool started;
	struct umn_ec *ec;
};

struct umn_device *umn_rt_device(uint32_t id);

/* Execution contexts (ec.c). */
NTSTATUS umn_ec_attach(struct umn_pqueue *q);
void umn_ec_start(struct umn_adapter *a);
void umn_ec_stop(struct umn_adapter *a);
/* Stops them and frees them, so that new queues get new ones (a PnP stop deletes the queues). */
void umn_ec_free(struct umn_adapter *a);
void umn_ec_notify(struct umn_pqueue *q);
/*
 * Keeps every execution context of the adapter out of the queues' callbacks
 * until umn_ec_resume (returns once none is in one). Not from a callback.
 */
void umn_ec_pause(struct umn_adapter *a);
void umn_ec_resume(struct umn_adapter *a);

/* Packet queue mapping (pqueue.c). */
NTSTATUS umn_pqueue_create(struct umn_queue_init *init, enum umn_queue_kind kind,
			   const WDF_OBJECT_ATTRIBUTES *attrs,
			   const NET_PACKET_QUEUE_CONFIG *config, struct umn_pqueue **ret);

/* I/O state of a device (io_dispatch.c): made by WdfDeviceCreate, freed on destruction. */
NTSTATUS umn_io_device_init(struct umn_device *dev, const struct WDFDEVICE_INIT *init);
void umn_io_device_fini(struct umn_device *dev);

/* Adapter logic (adapter.c). */
NTSTATUS umn_adapter_start(struct umn_adapter *a);
void umn_adapter_stop(struct umn_adapter *a);
/*
 * A PnP stop of the device (device.c): the packet queues are cancelled,
 * stopped and deleted; the adapter itself stays.
 */
void umn_adapter_destroy_queues(struct umn_adapter *a);
/*
 * The device starts again after a PnP stop: an adapter that stayed started
 * tells the OS side again what it declared, which builds new queues for it.
 */
NTSTATUS umn_adapter_restart(struct umn_adapter *a);

/* Which offload capability sets the driver advertised (offload.c); false if none. */
bool umn_offload_recorded(const struct umn_adapter *a, unsigned *ret_bits);
/* The offload capabilities the driver advertised, as umnicd receives them (offload.c). */
void umn_offload_fill_caps(const struct umn_adapter *a, struct umn_offload_caps *ret);
/* The receive-scaling capabilities the driver advertised, or NULL (offload.c). */
const NET_ADAPTER_RECEIVE_SCALING_CAPABILITIES *umn_offload_rss(const struct umn_adapter *a);
/* ... as umnicd receives them (rss.c). */
void umn_rss_fill_caps(const struct umn_adapter *a, struct umn_rss_caps *ret);

#endif
