/* SPDX-License-Identifier: MIT */
/*
 * What umnicd keeps of a device in its state directory, devices/NNNN/ (NNNN
 * the device's number, which is also the end of its instance id):
 *
 *	device.conf	key=value lines: inf, hwid, instance, ifname, netns, and
 *			link (one per symbolic link the device holds, names.c)
 *	registry	the device's registry (common/devreg-file.c)
 *
 * A restored device keeps its number, instance id, interface name and links,
 * so what scripts name it by survives a restart of umnicd, and new installs
 * take other numbers. State that cannot be read is never deleted nor written
 * over: the device is listed as failed with the file and line at fault, and
 * its directory stays as it is until `umnic uninstall` renames it aside.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/diag.h"
#include "common/log.h"
#include "umnicd/dev/device.h"
#include "umnicd/dev/names.h"
#include "umnicd/base/config.h"
#include "umnicd/base/loop.h"

/* device.conf is a handful of short lines; anything much bigger is not one. */
#define CONF_MAX_BYTES (64 * 1024)
#define CONF_LINE_MAX  (PATH_MAX + 16)

void devstate_dir(uint32_t id, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s/devices/%04u", cfg->state_dir, id);
}

int devstate_save(const struct device *dev)
{
	char dir[PATH_MAX], path[PATH_MAX + 32], tmp[PATH_MAX + 40];
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/devices", cfg->state_dir);
	mkdir(dir, 0700);
	devstate_dir(dev->id, dir, sizeof(dir));
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	snprintf(tmp, sizeof(tmp), "%s/device.conf.tmp", dir);
	snprintf(path, sizeof(path), "%s/device.conf", dir);
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	fprintf(f, "inf=%s\nhwid=%s\ninstance=%s\nifname=%s\nnetns=%s\n", dev->inf_path, dev->hwid,
		dev->instance_id, dev->ifname_req, dev->netns);
	names_save(dev, f);
	if (fflush(f) != 0 || fsync(fileno(f)) < 0) {
		fclose(f);
		unlink(tmp);
		return -EIO;
	}
	fclose(f);
	if (rename(tmp, path) < 0)
		return -errno;
	snprintf(path, sizeof(path), "%s/registry", dir);
	return devreg_save(dev->reg, path);
}

void devstate_remove(uint32_t id)
{
	char dir[PATH_MAX], path[PATH_MAX + 32];

	devstate_dir(id, dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/device.conf", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/registry", dir);
	unlink(path);
	rmdir(dir);
}

int devstate_quarantine(uint32_t id, char *ret, size_t cap)
{
	char dir[PATH_MAX];

	devstate_dir(id, dir, sizeof(dir));
	snprintf(ret, cap, "%s.kept-%lld", dir, (long long)time(NULL));
	return rename(dir, ret) < 0 ? -errno : 0;
}

struct conf {
	char inf[PATH_MAX], hwid[UMN_NAME_MAX], instance[UMN_NAME_MAX], ifname[IFNAMSIZ],
	    netns[128];
	char links[8][128];
	unsigned nlinks;
};

/* The whole file, at most CONF_MAX_BYTES, NUL-terminated in *ret. */
static int read_small(const char *path, char **ret, size_t *ret_len, char *err, size_t cap)
{
	struct stat st;
	char *buf;
	size_t n = 0;
	int fd, r = 0;

	/* O_NONBLOCK: a FIFO put there must not hang umnicd; it fails S_ISREG. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		int e = errno;

		snprintf(err, cap, "%s: %s", path, strerror(e));
		return -e;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > CONF_MAX_BYTES) {
		snprintf(err, cap, "%s: not a regular file of at most %d bytes", path,
			 CONF_MAX_BYTES);
		close(fd);
		return -EINVAL;
	}
	buf = malloc(CONF_MAX_BYTES + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		ssize_t k = read(fd, buf + n, CONF_MAX_BYTES + 1 - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			r = -errno;
			snprintf(err, cap, "%s: %s", path, strerror(errno));
			break;
		}
		if (k == 0)
			break;
		n += (size_t)k;
		if (n > CONF_MAX_BYTES) {
			r = -EFBIG;
			snprintf(err, cap, "%s: more than %d bytes", path, CONF_MAX_BYTES);
			break;
		}
	}
	close(fd);
	if (r < 0) {
		free(buf);
		return r;
	}
	buf[n] = '\0';
	*ret = buf;
	*ret_len = n;
	return 0;
}

static int set_field(char *field, size_t size, const char *value, const char *path, unsigned line,
		     const char *key, char *err, size_t cap)
{
	if (strlen(value) >= size) {
		snprintf(err, cap, "%s:%u: %s= is longer than %zu bytes", path, line, key,
			 size - 1);
		return -EINVAL;
	}
	strcpy(field, value);
	return 0;
}

/* Parses device.conf strictly: every line a known key with a value that fits. */
static int conf_read(const char *path, struct conf *c, char *err, size_t cap)
{
	char *text = NULL, *p, *end;
	size_t len = 0;
	unsigned line = 0;
	int r;

	r = read_small(path, &text, &len, err, cap);
	if (r < 0)
		return r;
	end = text + len;
	for (p = text; p < end && r == 0;) {
		char *nl = memchr(p, '\n', (size_t)(end - p)), *eq, *key;
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		line++;
		if (n > CONF_LINE_MAX) {
			snprintf(err, cap, "%s:%u: line longer than %d bytes", path, line,
				 CONF_LINE_MAX);
			r = -EINVAL;
			break;
		}
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f) {
				snprintf(err, cap, "%s:%u: control character 0x%02x", path, line,
					 (unsigned char)p[i]);
				r = -EINVAL;
				break;
			}
		if (r < 0)
			break;
		key = p;
		p[n] = '\0';
		p = nl ? nl + 1 : end;
		if (!key[0])
			continue;
		eq = strchr(key, '=');
		if (!eq) {
			snprintf(err, cap, "%s:%u: expected key=value", path, line);
			r = -EINVAL;
			break;
		}
		*eq++ = '\0';
		if (!strcmp(key, "inf"))
			r = set_field(c->inf, sizeof(c->inf), eq, path, line, key, err, cap);
		else if (!strcmp(key, "hwid"))
			r = set_field(c->hwid, sizeof(c->hwid), eq, path, line, key, err, cap);
		else if (!strcmp(key, "instance"))
			r = set_field(c->instance, sizeof(c->instance), eq, path, line, key, err,
				      cap);
		else if (!strcmp(key, "ifname"))
			r = set_field(c->ifname, sizeof(c->ifname), eq, path, line, key, err, cap);
		else if (!strcmp(key, "netns"))
			r = set_field(c->netns, sizeof(c->netns), eq, path, line, key, err, cap);
		else if (!strcmp(key, "link") && c->nlinks < sizeof(c->links) / sizeof(c->links[0]))
			r = set_field(c->links[c->nlinks++], sizeof(c->links[0]), eq, path, line,
				      key, err, cap);
		else {
			snprintf(err, cap, "%s:%u: unknown key '%.40s'", path, line, key);
			r = -EINVAL;
		}
	}
	free(text);
	if (r == 0 && c->inf[0] != '/') {
		snprintf(err, cap, "%s: no inf= line with an absolute path", path);
		r = -EINVAL;
	}
	return r;
}

/* The instance id must end with the directory's number: that keeps ids unique. */
static bool instance_fits(const char *instance, uint32_t id)
{
	char tail[8];
	size_t n = strlen(instance);

	snprintf(tail, sizeof(tail), "\\%04u", id);
	return n > 5 && !strncasecmp(instance, "ROOT\\", 5) &&
	       !strcmp(instance + n - strlen(tail), tail);
}

/* Listed, failed, never started, its directory left alone. */
static void add_broken(uint32_t id, const char *instance, const char *why)
{
	struct device *dev = calloc(1, sizeof(*dev));
	char dir[PATH_MAX];

	devstate_dir(id, dir, sizeof(dir));
	umn_log(UMN_LOG_ERR, "cannot restore device %04u: %s; its state is kept in %s as it is", id,
		why, dir);
	if (!dev)
		return;
	dev->id = id;
	dev->tap_fd = dev->ns_sock = -1;
	dev->broken = true;
	dev->state = DEV_FAILED;
	if (instance && instance_fits(instance, id))
		umn_strlcpy(dev->instance_id, instance, sizeof(dev->instance_id));
	else
		snprintf(dev->instance_id, sizeof(dev->instance_id), "ROOT\\UNREADABLE\\%04u", id);
	snprintf(dev->last_error, sizeof(dev->last_error),
		 "cannot restore the device: %s (its state is kept in %s; `umnic uninstall %u` "
		 "moves it aside)",
		 why, dir, id);
	dev_table_put((uint32_t)id, dev);
}

static void load_one(const char *dir, uint32_t id)
{
	char path[PATH_MAX + 32], err[UMN_TEXT_MAX];
	struct conf *c = calloc(1, sizeof(*c));
	struct device *dev = NULL;
	struct devreg *reg = NULL;
	struct umn_diag diag;
	int r;

	if (!c)
		return;
	snprintf(path, sizeof(path), "%s/device.conf", dir);
	if (conf_read(path, c, err, sizeof(err)) < 0) {
		add_broken(id, NULL, err);
		goto out;
	}
	if (c->instance[0] && !instance_fits(c->instance, id)) {
		snprintf(err, sizeof(err),
			 "%s: instance=%s does not end with this directory's number %04u", path,
			 c->instance, id);
		add_broken(id, NULL, err);
		goto out;
	}
	if (dev_new(id, c->inf, c->hwid, c->ifname, c->netns, &dev, err, sizeof(err)) < 0) {
		char why[UMN_TEXT_MAX * 2];

		snprintf(why, sizeof(why), "%s (inf=%s in %s)", err, c->inf, path);
		add_broken(id, c->instance, why);
		goto out;
	}
	if (c->instance[0])
		umn_strlcpy(dev->instance_id, c->instance, sizeof(dev->instance_id));
	for (unsigned i = 0; i < c->nlinks; i++) {
		r = names_restore_link(dev, c->links[i]);
		if (r < 0)
			umn_log(UMN_LOG_WARN, "%s: link=%s: %s; not held for %s", path, c->links[i],
				r == -EEXIST ? "another device holds it" : "not a link name",
				dev->instance_id);
	}
	/* The registry may have been changed since install; the saved copy wins over the INF. */
	snprintf(path, sizeof(path), "%s/registry", dir);
	umn_diag_init(&diag);
	r = devreg_load(path, &reg, &diag);
	if (r >= 0) {
		devreg_free(dev->reg);
		dev->reg = reg;
	} else if (r == -ENOENT) {
		/* Installed but stopped before its registry was written: what the INF says is all.
		 */
		umn_log(UMN_LOG_WARN, "%s: no registry file; using the INF's values",
			dev->instance_id);
	} else {
		snprintf(err, sizeof(err), "%s/%s", dir,
			 umn_diag_has_error(&diag) ? umn_diag_error_message(&diag) : strerror(-r));
		add_broken(id, dev->instance_id, err);
		dev_free(dev);
		dev = NULL;
	}
	umn_diag_free(&diag);
	if (dev) {
		dev_table_put((uint32_t)id, dev);
		dev_start(dev);
	}
out:
	free(c);
}

/* "NNNN": a device's directory. */
static int dir_number(const char *name)
{
	if (strlen(name) != 4)
		return -1;
	for (int i = 0; i < 4; i++)
		if (!isdigit((unsigned char)name[i]))
			return -1;
	return atoi(name) < UMN_MAX_DEVICES ? atoi(name) : -1;
}

void dev_load_all(void)
{
	char dir[PATH_MAX], sub[PATH_MAX + 300];
	struct dirent **ents;
	int n;

	snprintf(dir, sizeof(dir), "%s/devices", cfg->state_dir);
	n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0)
		return;
	for (int i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		int id = dir_number(name);

		if (id >= 0 && !dev_get((uint32_t)id)) {
			snprintf(sub, sizeof(sub), "%s/%s", dir, name);
			load_one(sub, (uint32_t)id);
		} else if (name[0] != '.' && !strstr(name, ".kept-")) {
			umn_log(UMN_LOG_WARN,
				"%s/%s: not a device directory (NNNN, below %d); left alone", dir,
				name, UMN_MAX_DEVICES);
		}
		free(ents[i]);
	}
	free(ents);
}
