/* SPDX-License-Identifier: MIT */
/*
 * From a parsed INF to the driver it installs for one hardware ID: models, install section,
 * the .Wdf directives, the service install section and the HKR AddReg values.
 */
#include "umnicd/inf/inf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ascii.h"
#include "umnicd/inf/inf-private.h"

struct resolver {
	const struct inf_file *inf;
	struct inf_driver *drv;
	struct umn_diag *diag;
	const struct inf_line *service_line;
};

static int bad(struct resolver *rs, const struct inf_line *l, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int bad(struct resolver *rs, const struct inf_line *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	umn_diag_verror(rs->diag, l ? l->file : inf_name(rs->inf), l ? l->line : 0, fmt, ap);
	va_end(ap);
	return -EBADMSG;
}

static int bad_section(struct resolver *rs, const struct inf_section *s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int bad_section(struct resolver *rs, const struct inf_section *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	umn_diag_verror(rs->diag, inf_section_file(s), inf_section_line(s), fmt, ap);
	va_end(ap);
	return -EBADMSG;
}

static int set_str(char **dst, const char *s)
{
	char *c = strdup(s ? s : "");

	if (!c)
		return -ENOMEM;
	free(*dst);
	*dst = c;
	return 0;
}

static char *join(const char *a, const char *b)
{
	char *s;

	return asprintf(&s, "%s%s", a, b) < 0 ? NULL : s;
}

/* ---- models ---- */

/* A TargetOSVersion decoration for us: "NTamd64[.x.y...]" or "NT[.x.y...]". */
static int decoration_rank(const char *d)
{
	const char *arch = inf_arch_decoration();
	size_t n = strcspn(d, ".");

	if (n == strlen(arch) && ascii_ncasecmp(d, arch, n) == 0)
		return 2;
	if (n == 2 && ascii_ncasecmp(d, "NT", 2) == 0)
		return 1;
	return 0;
}

static int models_section(struct resolver *rs, const struct inf_line *mfg,
			  const struct inf_section **ret)
{
	const char *base = inf_line_value(mfg, 0), *best = NULL;
	const struct inf_section *s;
	char *name;
	int rank = 0;

	if (!base || !*base)
		return bad(rs, mfg, "[Manufacturer] entry without a models section name");
	for (size_t i = 1; i < mfg->n_values; i++) {
		int k = decoration_rank(mfg->values[i]);
		if (k > rank) {
			rank = k;
			best = mfg->values[i];
		}
	}
	if (best) {
		if (asprintf(&name, "%s.%s", base, best) < 0)
			return -ENOMEM;
		s = inf_section_find(rs->inf, name);
		if (!s)
			bad(rs, mfg, "models section [%s] not found", name);
		free(name);
		if (!s)
			return -EBADMSG;
		*ret = s;
		return 0;
	}

	s = inf_section_find(rs->inf, base);
	if (!s && mfg->n_values > 1) {
		umn_diag_warn(rs->diag, mfg->file, mfg->line,
			      "[Manufacturer] entry %s has no models for %s; skipped", base,
			      inf_arch_decoration());
		*ret = NULL;
		return 0;
	}
	if (!s)
		return bad(rs, mfg, "models section [%s] not found", base);
	*ret = s;
	return 0;
}

static bool model_matches(const struct inf_line *l, const char *hwid)
{
	if (!hwid)
		return true;
	for (size_t i = 1; i < l->n_values; i++)
		if (ascii_casecmp(l->values[i], hwid) == 0)
			return true;
	return false;
}

/* Bounds the search when many [Manufacturer] lines name the same huge models section. */
#define MAX_MODEL_WORK 8000000u

static int find_model(struct resolver *rs, const char *hwid, const struct inf_line **ret)
{
	const struct inf_section *mfgs = inf_section_find(rs->inf, "Manufacturer");
	size_t work = 0;
	int r;

	if (!mfgs)
		return bad(rs, NULL, "no [Manufacturer] section");

	for (size_t i = 0; i < inf_section_n_lines(mfgs); i++) {
		const struct inf_line *mfg = inf_section_get_line(mfgs, i);
		const struct inf_section *models = NULL;

		r = models_section(rs, mfg, &models);
		if (r < 0)
			return r;
		for (size_t j = 0; j < inf_section_n_lines(models); j++) {
			const struct inf_line *l = inf_section_get_line(models, j);
			size_t k;

			if (!l->key || l->n_values < 2 || !*l->values[0])
				return bad(rs, l,
					   "models line must be \"description = "
					   "install-section, hardware-id[, ...]\"");
			work += l->n_values;
			if (work > MAX_MODEL_WORK)
				return bad(rs, mfg,
					   "[Manufacturer] leads to more than %u model entries",
					   MAX_MODEL_WORK);
			if (!model_matches(l, hwid))
				continue;
			for (k = 1; hwid && ascii_casecmp(l->values[k], hwid) != 0; k++)
				;
			if ((r = set_str(&rs->drv->hwid, l->values[k])) < 0 ||
			    (r = set_str(&rs->drv->description, l->key)) < 0 ||
			    (r = set_str(&rs->drv->manufacturer,
					 mfg->key ? mfg->key : mfg->values[0])) < 0 ||
			    (r = set_str(&rs->drv->models_section, inf_section_name(models))) < 0)
				return r;
			*ret = l;
			return 0;
		}
	}

	if (hwid)
		umn_diag_error(rs->diag, inf_name(rs->inf), 0,
			       "no model matches hardware ID \"%s\"", hwid);
	else
		umn_diag_error(rs->diag, inf_name(rs->inf), 0, "no models for %s",
			       inf_arch_decoration());
	return -ENOENT;
}

/* ---- [<install>.Wdf] ---- */

enum directive {
	D_KMCLIENT,
	D_FILEOBJECT,
	D_METHOD_NEITHER,
	D_SHARING,
	D_DIRECT_HW,
	D_REGACCESS,
	D_FSCONTEXT,
	D_IMPERSONATION,
	D_DISPATCHER,
	N_POLICY,
};

/* Values in the order of the matching enum in inf.h. */
static const struct {
	const char *name;
	const char *values[4];
} policies[N_POLICY] = {
    [D_KMCLIENT] = {"UmdfKernelModeClientPolicy",
		    {"RejectKernelModeClients", "AllowKernelModeClients"}},
    [D_FILEOBJECT] = {"UmdfFileObjectPolicy",
		      {"RejectNullAndUnknownFileObjects", "AllowNullAndUnknownFileObjects"}},
    [D_METHOD_NEITHER] = {"UmdfMethodNeitherAction", {"Reject", "Copy"}},
    [D_SHARING] = {"UmdfHostProcessSharing", {"ProcessSharingEnabled", "ProcessSharingDisabled"}},
    [D_DIRECT_HW] = {"UmdfDirectHardwareAccess",
		     {"RejectDirectHardwareAccess", "AllowDirectHardwareAccess"}},
    [D_REGACCESS] = {"UmdfRegisterAccessMode",
		     {"RegisterAccessUsingSystemCall", "RegisterAccessUsingUserModeMapping"}},
    [D_FSCONTEXT] = {"UmdfFsContextUsePolicy",
		     {"CanUseFsContext", "CanUseFsContext2", "CannotUseFsContexts"}},
    [D_IMPERSONATION] = {"UmdfImpersonationLevel",
			 {"Identification", "Anonymous", "Impersonation", "Delegation"}},
    /* "reflector" is the default when the directive is absent; it cannot be written. */
    [D_DISPATCHER] = {"UmdfDispatcher", {NULL, "FileHandle", "WinUsb", "NativeUSB"}},
};

static void set_policy(struct inf_policy *p, enum directive d, unsigned v)
{
	switch (d) {
	case D_KMCLIENT:
		p->kernel_mode_client = v;
		break;
	case D_FILEOBJECT:
		p->file_object = v;
		break;
	case D_METHOD_NEITHER:
		p->method_neither = v;
		break;
	case D_SHARING:
		p->host_process_sharing = v;
		break;
	case D_DIRECT_HW:
		p->direct_hardware_access = v;
		break;
	case D_REGACCESS:
		p->register_access_mode = v;
		break;
	case D_FSCONTEXT:
		p->fs_context_use = v;
		break;
	case D_IMPERSONATION:
		p->impersonation_level = v;
		break;
	case D_DISPATCHER:
		p->dispatcher = v;
		break;
	case N_POLICY:
		break;
	}
}

static int parse_policy(struct resolver *rs, const struct inf_line *l, enum directive d)
{
	const char *v = inf_line_value(l, 0);
	char allowed[256] = "";

	for (unsigned i = 0; i < 4; i++) {
		const char *name = policies[d].values[i];
		if (!name)
			continue;
		if (v && l->n_values == 1 && ascii_casecmp(v, name) == 0) {
			set_policy(&rs->drv->policy, d, i);
			return 0;
		}
		if (allowed[0])
			strcat(allowed, ", ");
		strcat(allowed, name);
	}
	return bad(rs, l, "invalid %s value \"%s\" (allowed: %s)", policies[d].name,
		   l->n_values == 1 ? v : "<not one value>", allowed);
}

static int parse_service_line(struct resolver *rs, const struct inf_line *l,
			      enum inf_driver_mode mode, const struct inf_line **svc)
{
	int r;

	if (*svc) {
		if (ascii_casecmp((*svc)->key, l->key) != 0)
			return bad(rs, l,
				   "both UmdfService and KmdfService: a driver runs either "
				   "in user mode or in kernel mode");
		return bad(rs, l, "more than one %s: umnic runs one driver per device", l->key);
	}
	if (l->n_values != 2 || !*l->values[0] || !*l->values[1])
		return bad(rs, l, "%s needs a service name and a service install section", l->key);
	*svc = l;
	rs->service_line = l;
	rs->drv->mode = mode;
	if ((r = set_str(&rs->drv->service_name, l->values[0])) < 0 ||
	    (r = set_str(&rs->drv->service_section, l->values[1])) < 0)
		return r;
	return 0;
}

static int parse_service_order(struct resolver *rs, const struct inf_line *l)
{
	struct inf_driver *d = rs->drv;
	bool found = false;

	d->service_order = calloc(l->n_values + 1, sizeof(char *));
	if (!d->service_order)
		return -ENOMEM;
	for (size_t i = 0; i < l->n_values; i++) {
		if (!*l->values[i])
			return bad(rs, l, "UmdfServiceOrder has an empty service name");
		d->service_order[d->n_service_order] = strdup(l->values[i]);
		if (!d->service_order[d->n_service_order])
			return -ENOMEM;
		d->n_service_order++;
		if (ascii_casecmp(l->values[i], d->service_name) == 0)
			found = true;
		else
			umn_diag_warn(rs->diag, l->file, l->line,
				      "UmdfServiceOrder lists %s, which has no UmdfService here; "
				      "ignored",
				      l->values[i]);
	}
	if (!found)
		return bad(rs, l, "UmdfServiceOrder does not list the UmdfService %s",
			   d->service_name);
	return 0;
}

static int parse_umnic(struct resolver *rs, const struct inf_line *l, uint64_t min, uint64_t max,
		       uint64_t *ret)
{
	int r = inf_line_get_uint(l, 0, max, ret, rs->diag);

	if (r < 0)
		return -EBADMSG;
	if (*ret < min)
		return bad(rs, l, "%s must be at least %llu", l->key, (unsigned long long)min);
	if (l->n_values > 1)
		return bad(rs, l, "%s takes one value", l->key);
	return 0;
}

static int parse_wdf(struct resolver *rs, const struct inf_section *install)
{
	struct inf_driver *d = rs->drv;
	const struct inf_section *wdf;
	const struct inf_line *svc = NULL, *order = NULL, *seen[N_POLICY] = {0};
	const struct inf_line *umnic[3] = {0};
	char *name;
	uint64_t v = 0;
	int r;

	name = join(inf_section_name(install), ".Wdf");
	if (!name)
		return -ENOMEM;
	wdf = inf_section_find(rs->inf, name);
	if (!wdf) {
		bad_section(rs, install, "no [%s] section with UmdfService or KmdfService", name);
		free(name);
		return -EBADMSG;
	}
	free(name);

	/* The service decides the mode, which decides how the rest is read. */
	for (size_t i = 0; i < inf_section_n_lines(wdf); i++) {
		const struct inf_line *l = inf_section_get_line(wdf, i);
		if (!l->key)
			continue;
		if (ascii_casecmp(l->key, "UmdfService") == 0)
			r = parse_service_line(rs, l, INF_MODE_USER, &svc);
		else if (ascii_casecmp(l->key, "KmdfService") == 0)
			r = parse_service_line(rs, l, INF_MODE_KERNEL, &svc);
		else
			r = 0;
		if (r < 0)
			return r;
	}
	if (!svc)
		return bad_section(rs, wdf, "[%s] has neither UmdfService nor KmdfService",
				   inf_section_name(wdf));

	for (size_t i = 0; i < inf_section_n_lines(wdf); i++) {
		const struct inf_line *l = inf_section_get_line(wdf, i);
		static const char *const umnic_keys[3] = {"UmnicVerifier", "UmnicRestartLimit",
							  "UmnicRestartResetMinutes"};
		const struct inf_line **first = NULL;
		int p = -1, u = -1;

		if (!l->key) {
			umn_diag_warn(rs->diag, l->file, l->line,
				      "line without a directive in [%s]; ignored",
				      inf_section_name(wdf));
			continue;
		}
		if (ascii_casecmp(l->key, "UmdfService") == 0 ||
		    ascii_casecmp(l->key, "KmdfService") == 0)
			continue;
		for (int k = 0; k < N_POLICY && p < 0; k++)
			if (ascii_casecmp(l->key, policies[k].name) == 0)
				p = k;
		for (int k = 0; k < 3 && u < 0; k++)
			if (ascii_casecmp(l->key, umnic_keys[k]) == 0)
				u = k;
		if (p >= 0)
			first = &seen[p];
		else if (u >= 0)
			first = &umnic[u];
		else if (ascii_casecmp(l->key, "UmdfServiceOrder") == 0)
			first = &order;
		else {
			umn_diag_warn(rs->diag, l->file, l->line,
				      "unknown directive %s in [%s]; ignored", l->key,
				      inf_section_name(wdf));
			continue;
		}
		if (*first) {
			umn_diag_warn(rs->diag, l->file, l->line,
				      "%s given again; the first one (line %u) is used", l->key,
				      (*first)->line);
			continue;
		}
		*first = l;

		if (p >= 0) {
			r = parse_policy(rs, l, (enum directive)p);
			if (r >= 0 && d->mode == INF_MODE_KERNEL)
				umn_diag_warn(rs->diag, l->file, l->line,
					      "%s applies to UMDF drivers only; ignored", l->key);
		} else if (u == 0) {
			r = parse_umnic(rs, l, 0, 1, &v);
			d->verifier = v == 1;
		} else if (u == 1) {
			r = parse_umnic(rs, l, 0, INF_MAX_RESTART_LIMIT, &v);
			d->restart_limit = (unsigned)v;
		} else if (u == 2) {
			r = parse_umnic(rs, l, 1, INF_MAX_RESTART_RESET_MINUTES, &v);
			d->restart_reset_minutes = (unsigned)v;
		} else if (d->mode == INF_MODE_USER) {
			r = parse_service_order(rs, l);
		} else {
			umn_diag_warn(rs->diag, l->file, l->line,
				      "UmdfServiceOrder applies to UMDF drivers only; ignored");
			r = 0;
		}
		if (r < 0)
			return r;
	}

	if (d->mode == INF_MODE_USER && !order)
		umn_diag_warn(rs->diag, svc->file, svc->line,
			      "no UmdfServiceOrder in [%s]; assuming %s", inf_section_name(wdf),
			      d->service_name);
	return 0;
}

/* ---- the service install section ---- */

static int parse_version(struct resolver *rs, const struct inf_line *l)
{
	bool user = rs->drv->mode == INF_MODE_USER;
	unsigned want = user ? 2 : 1, part[3] = {0, 0, 0}, n = 0;
	const char *s = inf_line_value(l, 0);

	for (const char *p = s; p && n < 3;) {
		char *end;
		unsigned long x;

		if (*p < '0' || *p > '9')
			break;
		x = strtoul(p, &end, 10);
		if (x > 65535)
			break;
		part[n++] = (unsigned)x;
		p = end;
		if (*p == 0) {
			s = NULL; /* parsed to the end */
			break;
		}
		if (*p != '.')
			break;
		p++;
	}
	if (s || n < 2 || l->n_values != 1)
		return bad(rs, l,
			   "%s \"%s\" is not a version (expected major.minor.build, e.g. %s)",
			   l->key, l->n_values ? l->values[0] : "", user ? "2.33.0" : "1.33.0");
	if (part[0] != want || part[1] > 33)
		return bad(rs, l, "%s %s is not supported (umnic provides %s %u.0 to %u.33)",
			   l->key, l->values[0], user ? "UMDF" : "KMDF", want, want);
	rs->drv->library_major = part[0];
	rs->drv->library_minor = part[1];
	return 0;
}

static int parse_binary(struct resolver *rs, const struct inf_line *l)
{
	const char *s = inf_line_value(l, 0), *b, *dot;
	const char *dir = inf_dir(rs->inf);
	char *file;
	int r;

	if (!s || l->n_values != 1)
		return bad(rs, l, "ServiceBinary takes one file name");
	/* A leading dirid such as %13% is the Windows driver store; for us it is the INF's dir. */
	if (s[0] == '%') {
		const char *e = strchr(s + 1, '%');
		if (e && e > s + 1 && strspn(s + 1, "0123456789") == (size_t)(e - s - 1))
			s = e + 1;
	}
	b = s + strlen(s);
	while (b > s && b[-1] != '\\' && b[-1] != '/')
		b--;
	dot = strrchr(b, '.');
	if (!dot || dot == b ||
	    (ascii_casecmp(dot, ".dll") != 0 && ascii_casecmp(dot, ".sys") != 0 &&
	     strcmp(dot, ".so") != 0))
		return bad(rs, l, "ServiceBinary \"%s\" must name a .dll, .sys or .so file",
			   l->values[0]);

	r = asprintf(&file, "%s%s%.*s.so", dir ? dir : "", dir && strcmp(dir, "/") != 0 ? "/" : "",
		     (int)(dot - b), b);
	if (r < 0)
		return -ENOMEM;
	free(rs->drv->binary_path);
	rs->drv->binary_path = file;
	return 0;
}

static int parse_extensions(struct resolver *rs, const struct inf_line *l)
{
	struct inf_driver *d = rs->drv;

	d->extensions = calloc(l->n_values ? l->n_values : 1, sizeof(*d->extensions));
	if (!d->extensions)
		return -ENOMEM;
	for (size_t i = 0; i < l->n_values; i++) {
		const char *s = l->values[i];
		size_t n = strlen(s);
		bool ok = n > 4 && ((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z'));

		for (size_t k = 0; ok && k < n; k++) {
			char c = s[k];
			if (k >= n - 4)
				ok = c >= '0' && c <= '9';
			else
				ok = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
				     (c >= 'a' && c <= 'z') || c == '_';
		}
		if (!ok)
			return bad(rs, l,
				   "UmdfExtensions entry \"%s\" is not <Name><4 digits> (e.g. "
				   "NetAdapterCx0202)",
				   s);
		struct inf_extension *e = &d->extensions[d->n_extensions];
		e->name = strdup(s);
		if (!e->name)
			return -ENOMEM;
		e->major = (unsigned)((s[n - 4] - '0') * 10 + (s[n - 3] - '0'));
		e->minor = (unsigned)((s[n - 2] - '0') * 10 + (s[n - 1] - '0'));
		d->n_extensions++;
	}
	return 0;
}

static int parse_service(struct resolver *rs, const struct inf_section **ret)
{
	struct inf_driver *d = rs->drv;
	const char *vkey = d->mode == INF_MODE_USER ? "UmdfLibraryVersion" : "KmdfLibraryVersion";
	const struct inf_section *s = inf_section_find(rs->inf, d->service_section);
	const struct inf_line *l;
	int r;

	if (!s)
		return bad(rs, rs->service_line, "service install section [%s] not found",
			   d->service_section);

	l = inf_section_find_key(s, vkey);
	if (!l)
		return bad_section(rs, s, "[%s] has no %s", inf_section_name(s), vkey);
	r = parse_version(rs, l);
	if (r < 0)
		return r;

	l = inf_section_find_key(s, "ServiceBinary");
	if (!l)
		return bad_section(rs, s, "[%s] has no ServiceBinary", inf_section_name(s));
	r = parse_binary(rs, l);
	if (r < 0)
		return r;

	l = inf_section_find_key(s, "UmdfExtensions");
	if (l && d->mode == INF_MODE_USER) {
		r = parse_extensions(rs, l);
		if (r < 0)
			return r;
	}
	*ret = s;
	return 0;
}

/* ---- resolve ---- */

int inf_resolve_driver(const struct inf_file *inf, const char *hwid, struct inf_driver **ret,
		       struct umn_diag *diag)
{
	struct resolver rs = {.inf = inf, .diag = diag};
	const struct inf_section *install, *hw, *service = NULL;
	const struct inf_line *model = NULL;
	const char *base;
	char *name;
	int r;

	if (!inf || !ret)
		return -EINVAL;
	rs.drv = calloc(1, sizeof(*rs.drv));
	if (!rs.drv)
		return -ENOMEM;
	rs.drv->restart_limit = INF_DEFAULT_RESTART_LIMIT;
	rs.drv->restart_reset_minutes = INF_DEFAULT_RESTART_RESET_MINUTES;

	r = find_model(&rs, hwid, &model);
	if (r < 0)
		goto fail;

	/* bad() returns a negative errno; the analyzer does not follow variadic calls. */
	// NOLINTNEXTLINE(clang-analyzer-core.NullDereference)
	base = model->values[0];
	install = inf_section_find_decorated(inf, base);
	if (!install) {
		r = bad(&rs, model, "install section [%s] not found (also tried %s.%s and %s.NT)",
			base, base, inf_arch_decoration(), base);
		goto fail;
	}
	r = set_str(&rs.drv->install_section, inf_section_name(install));
	if (r < 0)
		goto fail;

	r = parse_wdf(&rs, install);
	if (r >= 0)
		r = parse_service(&rs, &service);
	if (r < 0)
		goto fail;

	name = join(inf_section_name(install), ".HW");
	if (!name) {
		r = -ENOMEM;
		goto fail;
	}
	hw = inf_section_find(inf, name);
	free(name);
	r = inf_addreg_collect(inf, install, hw, service, rs.drv, diag);
	if (r < 0)
		goto fail;

	*ret = rs.drv;
	return 0;
fail:
	if (r == -ENOMEM)
		umn_diag_error(diag, inf_name(inf), 0, "out of memory");
	inf_driver_free(rs.drv);
	return r;
}

void inf_driver_free(struct inf_driver *drv)
{
	if (!drv)
		return;
	free(drv->hwid);
	free(drv->description);
	free(drv->manufacturer);
	free(drv->models_section);
	free(drv->install_section);
	free(drv->service_name);
	free(drv->service_section);
	free(drv->binary_path);
	for (size_t i = 0; i < drv->n_extensions; i++)
		free(drv->extensions[i].name);
	free(drv->extensions);
	for (size_t i = 0; i < drv->n_service_order; i++)
		free(drv->service_order[i]);
	free(drv->service_order);
	for (size_t i = 0; i < drv->n_addreg; i++) {
		free(drv->addreg[i].subkey);
		free(drv->addreg[i].name);
		free(drv->addreg[i].data);
	}
	free(drv->addreg);
	free(drv);
}
