/* SPDX-License-Identifier: MIT */
/*
 * umnicd: the trusted side. One control thread runs this event loop (CLI
 * requests, driver host sockets and pidfds, datapath failures, signals);
 * each adapter has its own datapath thread (datapath.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/log.h"
#include "common/poll.h"
#include "common/ioproto.h"
#include "umnicd/ctl.h"
#include "umnicd/dev/device.h"
#include "umnicd/hosts/hostproc.h"
#include "umnicd/hosts/outbox.h"
#include "umnicd/io/reflector.h"
#include "umnicd/net/rtnl.h"
#include "umnicd/sdnotify.h"
#include "umnicd/trace.h"
#include "umnicd/base/config.h"
#include "umnicd/base/loop.h"

/* What the command line says, published through cfg before anything runs. */
static struct umnicd_config config;
static struct watch w_listen, w_signal, w_tick;
static bool quit;

/* SIGINT and SIGTERM end the loop. */
static unsigned on_signal(struct watch *w, uint32_t events)
{
	struct signalfd_siginfo si;

	(void)events;
	while (read(w->fd, &si, sizeof(si)) == sizeof(si))
		if (si.ssi_signo == SIGINT || si.ssi_signo == SIGTERM)
			quit = true;
	return 0;
}

static void poll_trial_tick(void);

/* Every 100 ms: watchdogs, request time-outs, the carrier grace period, idle connections. */
static unsigned on_tick(struct watch *w, uint32_t events)
{
	uint64_t v, now;
	bool freed;

	(void)events;
	if (read(w->fd, &v, sizeof(v)) <= 0)
		return 0;
	now = umn_mono_ns();
	sdnotify_watchdog_tick(now);
	dev_tick(now);
	rtnl_tick(now);
	poll_trial_tick();
	freed = ctl_tick(now);
	reflector_tick();
	/* A connection it closed may have an event later in this batch. */
	return freed ? WATCH_FREED : 0;
}

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: umnicd [--state-dir DIR] [--run-dir DIR] [--netns NAME|PATH] [--host-binary "
	    "PATH]\n"
	    "              [--host-user UID[:GID]] [--no-sandbox] [--no-warm-spare]\n"
	    "              [--busy-poll-us N] [--no-poll-trials] [--no-io-rings] [--max-clients "
	    "N]\n"
	    "              [--start-timeout SECONDS] [--datapath-cpus CPU[,CPU...]] [-v]\n"
	    "Runs in the foreground; interfaces are created in NAME (default: the current "
	    "namespace).\n"
	    "Driver hosts run sandboxed as UID (default %u); --no-sandbox is for debugging only.\n"
	    "After each request or completion it relays, umnicd keeps polling for the next one\n"
	    "for N microseconds (default %u; 0 sleeps at once) instead of sleeping. Every 2 s it\n"
	    "checks that polling pays and stops it everywhere while it does not;\n"
	    "--no-poll-trials polls as configured whatever it costs (for tests).\n"
	    "Driver hosts and clients exchange small messages with umnicd through rings in\n"
	    "shared memory beside their sockets, and poll their rings as long (1000 at most)\n"
	    "before they sleep; --no-io-rings keeps everything on the sockets.\n"
	    "At most N I/O clients are connected at once (default %u; an unprivileged user\n"
	    "may have a sixteenth of them); more are refused.\n"
	    "A device that has not started within --start-timeout seconds of its install,\n"
	    "restart or automatic restart (default %u) is failed, and its driver host\n"
	    "stopped if it is stuck in that device's callback.\n"
	    "--datapath-cpus runs queue pair i of every adapter (umnicd's thread and the\n"
	    "driver's execution context) on the (i mod count)-th CPU listed; by default the\n"
	    "scheduler places them.\n",
	    UMN_DEFAULT_HOST_ID, UMN_BUSY_POLL_DEFAULT_US, UMN_MAX_CLIENTS_DEFAULT,
	    UMN_START_TIMEOUT_DEFAULT_S);
}

static void find_host_binary(const char *argv0)
{
	char self[PATH_MAX], *dir;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	const char *cands[] = {"/umnic-host", "/../drvhost/umnic-host", "/../libexec/umnic-host"};

	(void)argv0;
	if (n <= 0)
		return;
	self[n] = '\0';
	dir = dirname(self);
	for (size_t i = 0; i < sizeof(cands) / sizeof(cands[0]); i++) {
		char p[PATH_MAX + 64];
		snprintf(p, sizeof(p), "%s%s", dir, cands[i]);
		if (access(p, X_OK) == 0) {
			if (!realpath(p, config.host_bin))
				umn_strlcpy(config.host_bin, p, sizeof(config.host_bin));
			return;
		}
	}
}

/* True if uid is one this process can map into a child user namespace (it exists here). */
static bool id_mapped(const char *file, unsigned id)
{
	unsigned inside, outside, count;
	bool found = false;
	FILE *f = fopen(file, "re");

	if (!f)
		return false;
	while (fscanf(f, "%u %u %u", &inside, &outside, &count) == 3)
		if (id >= inside && id - inside < count)
			found = true;
	fclose(f);
	return found;
}

static int listen_socket(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	if (snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/umnicd.sock", config.run_dir) >=
	    (int)sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	unlink(sa.sun_path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 64) < 0) {
		int r = -errno;
		close(fd);
		return r;
	}
	/* Anyone may ask for status; install/uninstall check the peer's credentials. */
	chmod(sa.sun_path, 0666);
	return fd;
}

/*
 * Busy polling. A request that passes through umnicd is usually followed
 * within microseconds by its completion from the host, or by the client's
 * next request; sleeping in between costs a wake-up on each of umnicd's two
 * hops, which on a virtual machine is most of a hop's time. So after a host
 * or client message the loop polls (epoll_wait without waiting, and the
 * rings) until busy_until instead of sleeping. Idle, it sleeps as before:
 * the polling only follows traffic. How long it polls adapts to how long
 * the waits for the next message turn out to be, and stops while the CPU
 * is contended (common/poll.h).
 */
static uint64_t busy_until;
static struct umn_poll loop_poll;

/*
 * Whether polling pays is measured, not guessed. It pays while a CPU is to
 * spare: an answer is taken without a wake-up. It costs when every CPU is
 * taken: a poller that yields waits behind a CPU-bound process for its
 * whole time slice, where a sleeper that is woken runs at once. So every
 * POLL_TRIAL_TICKS ticks umnicd runs one tick with polling and one without
 * (itself, and every host and client, told through their channels), and
 * compares the time hosts took to complete requests in each
 * (reflector_latency: from umnicd's send to the completion, which includes
 * every wake-up or poll on the way). Until the next trial it polls only if
 * polling made that POLL_TRIAL_GAIN_PCT percent shorter. A trial begins
 * with a tick that polled and saw at least POLL_TRIAL_MIN requests, so
 * sparse traffic, and a burst shorter than a tick, is polled as configured;
 * a tick without polling that saw too few starts the trial again.
 */
#define POLL_TRIAL_TICKS    20
#define POLL_TRIAL_MIN	    100
#define POLL_TRIAL_GAIN_PCT 5
static bool poll_trials = true; /* --no-poll-trials: poll as configured */
static bool polling_off;
static enum { TRIAL_WITH, TRIAL_WITHOUT, TRIAL_DECIDED } trial_phase;
static unsigned trial_hold;
static uint64_t trial_sum, trial_count, with_sum, with_count;

static void polling_set(bool on)
{
	if (polling_off == !on)
		return;
	polling_off = !on;
	outbox_rings_set_poll_off(polling_off);
}

static void poll_trial_tick(void)
{
	uint64_t sum, count, dsum, dcount;
	bool on;

	reflector_latency(&sum, &count);
	dsum = sum - trial_sum;
	dcount = count - trial_count;
	trial_sum = sum;
	trial_count = count;
	if (!config.busy_poll_ns || !poll_trials)
		return;
	switch (trial_phase) {
	case TRIAL_WITH: /* the tick that ended polled */
		/* Too few requests to compare: go on polling, as configured, until traffic comes.
		 */
		if (dcount < POLL_TRIAL_MIN)
			break;
		with_sum = dsum;
		with_count = dcount;
		polling_set(false);
		trial_phase = TRIAL_WITHOUT;
		break;
	case TRIAL_WITHOUT:
		/* Too few requests to tell: poll and try again at once. */
		if (with_count < POLL_TRIAL_MIN || dcount < POLL_TRIAL_MIN) {
			polling_set(true);
			trial_phase = TRIAL_WITH;
			break;
		}
		/* Mean with polling <= (100 - gain)% of the mean without, cross-multiplied. */
		on = with_sum * dcount * 100 <= dsum * with_count * (100 - POLL_TRIAL_GAIN_PCT);
		umn_log(UMN_LOG_DEBUG,
			"polling trial: %llu ns per request with polling, %llu without: %s",
			(unsigned long long)(with_sum / with_count),
			(unsigned long long)(dsum / dcount), on ? "polling" : "not polling");
		polling_set(on);
		trial_hold = POLL_TRIAL_TICKS;
		trial_phase = TRIAL_DECIDED;
		break;
	case TRIAL_DECIDED:
		if (--trial_hold == 0) {
			polling_set(true);
			trial_phase = TRIAL_WITH;
		}
		break;
	}
}

static int cpus_usable(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return (int)sysconf(_SC_NPROCESSORS_ONLN);
	return CPU_COUNT(&set);
}

/*
 * --datapath-cpus: a comma-separated list of CPUs umnicd may run on, each
 * taken once; queue pair i of every adapter runs on the (i mod count)-th.
 */
static int parse_dp_cpus(const char *s, struct umnicd_config *c, char *err, size_t cap)
{
	cpu_set_t allowed;
	const char *p = s;

	if (sched_getaffinity(0, sizeof(allowed), &allowed) < 0)
		CPU_ZERO(&allowed);
	c->dp_ncpus = 0;
	for (;;) {
		unsigned long v;
		char *end;

		if (*p < '0' || *p > '9')
			break;
		errno = 0;
		v = strtoul(p, &end, 10);
		if (errno || v >= CPU_SETSIZE || !CPU_ISSET(v, &allowed)) {
			snprintf(err, cap, "%.*s: not a CPU umnicd may run on (see taskset -p %d)",
				 (int)(end - p), p, (int)getpid());
			return -1;
		}
		for (uint32_t i = 0; i < c->dp_ncpus; i++)
			if (c->dp_cpu[i] == v) {
				snprintf(err, cap, "%lu: listed twice", v);
				return -1;
			}
		if (c->dp_ncpus == UMN_DP_CPUS_MAX) {
			snprintf(err, cap, "lists more than %u CPUs", UMN_DP_CPUS_MAX);
			return -1;
		}
		c->dp_cpu[c->dp_ncpus++] = (uint32_t)v;
		if (!*end)
			return 0;
		if (*end != ',')
			break;
		p = end + 1;
	}
	snprintf(err, cap, "wants CPU numbers separated by commas, not \"%s\"", s);
	return -1;
}

/* A decimal option value from min to max, nothing else (no sign, no suffix). */
static bool parse_count(const char *s, unsigned min, unsigned max, unsigned *ret)
{
	unsigned long v;
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*ret = (unsigned)v;
	return true;
}

/*
 * After SIGTERM, umnicd is gone within 2 s whatever its drivers do: the
 * driver host processes are killed at once, and what umnicd still waits for
 * (a kernel-mode driver finishing its removals, killed hosts to reap) it
 * waits for until SHUTDOWN_WAIT_NS. Should anything else hold it up, the
 * backstop ends the process at SHUTDOWN_BACKSTOP_NS.
 */
#define SHUTDOWN_WAIT_NS     (1000ull * 1000000ull)
#define SHUTDOWN_BACKSTOP_NS (1500ull * 1000000ull)

static atomic_bool shutdown_done;
static uint64_t backstop_at;

static void *backstop(void *arg)
{
	static const char msg[] = "umnicd: shutdown did not finish in time; exiting now\n";
	struct timespec ts = {.tv_sec = (time_t)(backstop_at / 1000000000ull),
			      .tv_nsec = (long)(backstop_at % 1000000000ull)};
	ssize_t r;

	(void)arg;
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
	/* Not umn_log: whatever holds shutdown up may hold its lock. */
	if (!atomic_load(&shutdown_done)) {
		r = write(STDERR_FILENO, msg, sizeof(msg) - 1);
		(void)r;
		_exit(1);
	}
	return NULL;
}

static void backstop_arm(uint64_t at_ns)
{
	pthread_t t;

	backstop_at = at_ns;
	if (pthread_create(&t, NULL, backstop, NULL) == 0)
		pthread_detach(t);
	else
		umn_log(UMN_LOG_WARN, "cannot start the shutdown backstop thread");
}

static int poll_timeout(void)
{
	if (!busy_until)
		return -1;
	if (umn_mono_ns() < busy_until)
		return 0;
	busy_until = 0;
	return -1;
}

/*
 * After a turn of the loop: io says whether it relayed a host's or a
 * client's message. Such a message ends the wait for it, and a new one
 * begins, polled for as long as loop_poll says. While it polls, every
 * turn, also one that relayed something, yields the CPU, so a host or
 * client woken onto this CPU, or polling on it, runs first; what the turn
 * queued leaves before. A yield that finds the CPU contended ends the poll.
 */
static void poll_after_turn(bool io, bool polled)
{
	uint64_t now;
	uint32_t window;

	if (!io && !polled)
		return;
	if (io) {
		now = umn_mono_ns();
		umn_poll_end(&loop_poll, now);
		window = umn_poll_begin(&loop_poll, now);
		busy_until = window && !polling_off ? now + window : 0;
	}
	if (!busy_until)
		return;
	outbox_flush_all();
	if (!umn_poll_yield(&loop_poll))
		busy_until = 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"state-dir", required_argument, NULL, 's'},
	    {"run-dir", required_argument, NULL, 'r'},
	    {"netns", required_argument, NULL, 'n'},
	    {"host-binary", required_argument, NULL, 'H'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {"host-user", required_argument, NULL, 'u'},
	    {"no-sandbox", no_argument, NULL, 'S'},
	    {"no-warm-spare", no_argument, NULL, 'W'},
	    {"busy-poll-us", required_argument, NULL, 'B'},
	    {"no-io-rings", no_argument, NULL, 'R'},
	    {"no-poll-trials", no_argument, NULL, 'P'},
	    {"max-clients", required_argument, NULL, 'C'},
	    {"start-timeout", required_argument, NULL, 'T'},
	    {"datapath-cpus", required_argument, NULL, 'D'},
	    {NULL, 0, NULL, 0},
	};
	bool busy_poll_given = false;
	unsigned count;
	sigset_t mask;
	char errbuf[PATH_MAX + 64];
	int opt, fd;
	const char *env;

	config_defaults(&config);
	while ((opt = getopt_long(argc, argv, "s:r:n:H:vhu:SWB:RPC:T:D:", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			umn_strlcpy(config.state_dir, optarg, sizeof(config.state_dir));
			break;
		case 'r':
			umn_strlcpy(config.run_dir, optarg, sizeof(config.run_dir));
			break;
		case 'n':
			if (strchr(optarg, '/'))
				umn_strlcpy(config.netns, optarg, sizeof(config.netns));
			else
				snprintf(config.netns, sizeof(config.netns), "/run/netns/%s",
					 optarg);
			break;
		case 'H':
			umn_strlcpy(config.host_bin, optarg, sizeof(config.host_bin));
			break;
		case 'v':
			umn_log_set_max_level(UMN_LOG_DEBUG);
			break;
		case 'u': {
			unsigned u, g;
			int k = sscanf(optarg, "%u:%u", &u, &g);
			if (k < 1 || u == 0 || (k == 2 && g == 0)) {
				fprintf(stderr, "umnicd: --host-user wants UID[:GID], not root\n");
				return 2;
			}
			config.host_uid = u;
			config.host_gid = k == 2 ? g : u;
			break;
		}
		case 'S':
			config.sandbox = false;
			break;
		case 'W':
			config.warm_spare = false;
			break;
		case 'R':
			config.io_rings = false;
			break;
		case 'P':
			poll_trials = false;
			break;
		case 'B':
			if (!parse_count(optarg, 0, UMN_BUSY_POLL_MAX_US, &count)) {
				fprintf(stderr,
					"umnicd: --busy-poll-us wants 0 to %u microseconds\n",
					UMN_BUSY_POLL_MAX_US);
				return 2;
			}
			config.busy_poll_ns = (uint64_t)count * 1000;
			busy_poll_given = true;
			break;
		case 'C':
			if (!parse_count(optarg, 1, UMN_MAX_CLIENTS_MAX, &count)) {
				fprintf(stderr, "umnicd: --max-clients wants 1 to %u\n",
					UMN_MAX_CLIENTS_MAX);
				return 2;
			}
			config.max_clients = count;
			break;
		case 'T':
			if (!parse_count(optarg, 1, UMN_START_TIMEOUT_MAX_S, &count)) {
				fprintf(stderr, "umnicd: --start-timeout wants 1 to %u seconds\n",
					UMN_START_TIMEOUT_MAX_S);
				return 2;
			}
			config.start_timeout_ns = (uint64_t)count * 1000000000ull;
			break;
		case 'D':
			if (parse_dp_cpus(optarg, &config, errbuf, sizeof(errbuf)) < 0) {
				fprintf(stderr, "umnicd: --datapath-cpus %s\n", errbuf);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	umn_log_set_prefix("umnicd");
	if (!config.sandbox)
		umn_log(UMN_LOG_WARN,
			"--no-sandbox: driver hosts run without confinement (debugging only)");
	/* Tests start ring indices near 2^32 to exercise wrap-around on every run. */
	env = getenv("UMNIC_INDEX_BASE");
	if (env)
		config.index_base = (uint32_t)strtoul(env, NULL, 0) & ~(UMN_RING_MAX - 1);
	/*
	 * Inside an unprivileged user namespace (`make demo` as a normal user) only our own ids
	 * exist: the hosts then run as those, still with their own namespaces and seccomp.
	 */
	if (config.sandbox && (!id_mapped("/proc/self/uid_map", config.host_uid) ||
			       !id_mapped("/proc/self/gid_map", config.host_gid))) {
		umn_log(UMN_LOG_WARN,
			"uid/gid %u:%u does not exist in this user namespace; driver hosts run as "
			"%u:%u",
			(unsigned)config.host_uid, (unsigned)config.host_gid, (unsigned)getuid(),
			(unsigned)getgid());
		config.host_uid = getuid();
		config.host_gid = getgid();
	}
	/* With one CPU, polling only keeps the host and the client from running. */
	if (config.busy_poll_ns && cpus_usable() < 2) {
		if (busy_poll_given)
			umn_log(UMN_LOG_WARN,
				"--busy-poll-us: only one CPU to run on; polling is off");
		config.busy_poll_ns = 0;
	}
	umn_poll_init(&loop_poll, (uint32_t)config.busy_poll_ns);
	if (!config.host_bin[0])
		find_host_binary(argv[0]);
	if (!config.host_bin[0] || access(config.host_bin, X_OK) < 0) {
		fprintf(stderr, "umnicd: cannot find umnic-host (give --host-binary)\n");
		return 1;
	}
	/* From here on every module reads the configuration, and nothing changes it. */
	cfg = &config;
	if (hosts_init(config.host_bin, errbuf, sizeof(errbuf)) < 0) {
		fprintf(stderr, "umnicd: %s\n", errbuf);
		return 1;
	}
	if ((mkdir(config.state_dir, 0700) < 0 && errno != EEXIST) ||
	    (mkdir(config.run_dir, 0755) < 0 && errno != EEXIST)) {
		fprintf(stderr, "umnicd: cannot create %s or %s: %s\n", config.state_dir,
			config.run_dir, strerror(errno));
		return 1;
	}
	/* Before any host is started: the manager's variables are not theirs. */
	sdnotify_init();
	fd = loop_init();
	if (fd == 0)
		fd = listen_socket();
	if (fd < 0) {
		fprintf(stderr, "umnicd: cannot listen on %s/umnicd.sock: %s\n", config.run_dir,
			strerror(-fd));
		return 1;
	}
	watch_add(&w_listen, fd, ctl_on_accept, &w_listen);
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	watch_add(&w_signal, signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK), on_signal, &w_signal);

	/* Watchdogs, request time-outs and the carrier grace period are checked every 100 ms. */
	{
		struct itimerspec its = {.it_interval = {0, 100000000}, .it_value = {0, 100000000}};
		int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
		if (tfd < 0 || timerfd_settime(tfd, 0, &its, NULL) < 0) {
			fprintf(stderr, "umnicd: timerfd: %s\n", strerror(errno));
			return 1;
		}
		watch_add(&w_tick, tfd, on_tick, &w_tick);
	}

	/* Each module registers what it handles of driver hosts' messages before the first host. */
	dev_init();
	reflector_init();
	trace_init();
	if (reflector_listen() < 0) {
		fprintf(stderr, "umnicd: cannot listen on %s/%s\n", config.run_dir,
			UMN_IOMSG_SOCK_NAME);
		return 1;
	}
	dev_load_all();
	umn_log(UMN_LOG_INFO, "ready on %s/umnicd.sock (state in %s)", config.run_dir,
		config.state_dir);
	(void)sdnotify_send("READY=1");

	while (!quit) {
		struct epoll_event evs[32];
		bool io = false, armed;
		int n, timeout;

		/* What the last wake-up queued for hosts and clients leaves now, a batch per peer.
		 */
		outbox_flush_all();
		timeout = poll_timeout();
		/* Peers kick a sleeping loop when they put messages on their rings. */
		armed = timeout != 0;
		if (armed && !outbox_rings_sleep())
			timeout = 0;
		n = loop_wait(evs, 32, timeout);
		if (armed)
			outbox_rings_awake();

		for (int i = 0; i < n; i++) {
			struct watch *w = evs[i].data.ptr;
			unsigned r;

			if (!w->obj)
				continue;
			r = w->fn(w, evs[i].events);
			if (r & WATCH_IO)
				io = true;
			if (r & WATCH_FREED)
				break;
		}
		/* Rings last: what the events above answered may already be there. */
		if (outbox_rings_poll())
			io = true;
		poll_after_turn(io, timeout == 0);
	}
	umn_log(UMN_LOG_INFO, "shutting down");
	(void)sdnotify_send("STOPPING=1");
	uint64_t shutdown_start = umn_mono_ns();
	backstop_arm(shutdown_start + SHUTDOWN_BACKSTOP_NS);
	/* Devices stay installed (they are in the state directory); only this process's view goes.
	 */
	dev_shutdown_all(shutdown_start + SHUTDOWN_WAIT_NS);
	rtnl_free_all();
	reflector_shutdown();
	close(w_listen.fd);
	close(w_signal.fd);
	close(w_tick.fd);
	ctl_free_all();
	loop_fini();
	hosts_fini();
	sdnotify_close();
	atomic_store(&shutdown_done, true);
	return 0;
}
