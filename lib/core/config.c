/*
 * config.c — the typed configuration table (config.h, STYLE 13).
 *
 * Values come from ECOM_* environment variables, after an optional
 * key=value file named by ECOM_CONFIG for hosts where the web server cannot
 * set variables; the environment wins.  Each row has a type, a default and
 * bounds, and a bad value stops the process with a message naming the
 * variable, before the first request.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "parse.h"
#include "util.h"

#ifndef ECOM_DATADIR
#define ECOM_DATADIR "."
#endif

#define FILE_MAX_LINES 256
#define FILE_MAX_LINE  4096

enum kind { K_STR, K_INT, K_ENUM, K_CURRENCY };

struct row {
	const char *name;
	enum kind   kind;
	size_t      offset;
	const char *def;
	int64_t     min, max;	/* K_INT bounds */
	const char *choices;	/* K_ENUM: "a|b|c" */
};

#define S(n, f, d)        { n, K_STR, offsetof(config, f), d, 0, 0, NULL }
#define I(n, f, d, lo, hi) { n, K_INT, offsetof(config, f), d, lo, hi, NULL }
#define E(n, f, d, c)     { n, K_ENUM, offsetof(config, f), d, 0, 0, c }

static const struct row rows[] = {
	E("ECOM_ENV", env, "dev", "dev|test|prod"),
	S("ECOM_DB_URL", db_url, "host=/var/tmp/ecom-pg port=5432 dbname=ecommerce user=postgres"),
	S("ECOM_REDIS_URL", redis_url, "redis://127.0.0.1:6379/0"),
	S("ECOM_BASE_URL", base_url, "http://127.0.0.1:8080"),
	S("ECOM_TEMPLATE_DIR", template_dir, ECOM_DATADIR "/templates"),
	S("ECOM_SQL_DIR", sql_dir, ECOM_DATADIR "/sql"),
	S("ECOM_STATIC_URL", static_url, "/static"),
	S("ECOM_MEDIA_URL", media_url, "/media"),
	S("ECOM_MEDIA_ROOT", media_root, ECOM_DATADIR "/var/media"),
	S("ECOM_JWT_PUBLIC_KEY", jwt_public_key, ""),
	S("ECOM_JWT_PRIVATE_KEY", jwt_private_key, ""),
	S("ECOM_JWT_ISSUER", jwt_issuer, "ecommerce"),
	S("ECOM_SECRET_FILE", secret_file, ""),
	S("ECOM_STORE_NAME", store_name, "ecommerce"),
	{ "ECOM_CURRENCY", K_CURRENCY, offsetof(config, currency), "EUR", 0, 0, NULL },
	E("ECOM_LOG_LEVEL", log_level, "info", "debug|info|warn|error"),
	I("ECOM_DB_TIMEOUT", db_timeout_s, "5", 1, 60),
	I("ECOM_CACHE_TTL", cache_ttl_s, "30", 0, 3600),
	E("ECOM_ADMIN_2FA", admin_2fa, "required", "required|optional"),
	I("ECOM_PASSWORD_COST", password_cost, "12", 4, 15),
	S("ECOM_MAIL_DIR", mail_dir, ECOM_DATADIR "/var/mail"),
	S("ECOM_TRUSTED_PROXIES", trusted_proxies, ""),
	S("ECOM_CORS_ORIGINS", cors_origins, ""),
	S("ECOM_KAFKA_BROKERS", kafka_brokers, ""),
	/* librdkafka's default; brokers refuse less than their
	 * group.min.session.timeout.ms (6000 by default), the tests' mock
	 * cluster takes less (check_kafka) */
	I("ECOM_KAFKA_SESSION_TIMEOUT_MS", kafka_session_timeout_ms, "45000", 1000, 1800000),
	S("ECOM_SMTP_URL", smtp_url, ""),
	S("ECOM_SMTP_USER", smtp_user, ""),
	S("ECOM_SMTP_PASSWORD", smtp_password, ""),
	E("ECOM_SMTP_STARTTLS", smtp_starttls, "optional", "required|optional|off"),
	S("ECOM_MAIL_FROM", mail_from, ""),
	S("ECOM_RATE_LIMITS", rate_limits, ""),
};

static config the_config;
const config *cfg = &the_config;

/* The key=value file, kept for config_raw(). */
static struct { char *key, *val; } file_kv[FILE_MAX_LINES];
static size_t nfile;
static int loaded;

/* A setting's name: letters, digits and '_' ("ECOM_DB_URL"). */
static int
key_ok(const char *k, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((k[i] >= 'A' && k[i] <= 'Z') || (k[i] >= 'a' && k[i] <= 'z') ||
		    (k[i] >= '0' && k[i] <= '9') || k[i] == '_'))
			return 0;
	return n > 0;
}

/* One line of the file, already stripped of its end of line; 0 or -1. */
static int
read_line(const char *path, int lineno, char *p)
{
	char *eq;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '#' || *p == '\0')
		return 0;
	eq = strchr(p, '=');
	if (eq == NULL || !key_ok(p, (size_t)(eq - p))) {
		fprintf(stderr, "config: %s:%d: expected KEY=value (KEY of letters, digits and _)\n",
		    path, lineno);
		return -1;
	}
	*eq = '\0';
	file_kv[nfile].key = strdup(p);
	file_kv[nfile].val = strdup(eq + 1);
	if (file_kv[nfile].key == NULL || file_kv[nfile].val == NULL) {
		fprintf(stderr, "config: out of memory\n");
		return -1;
	}
	nfile++;
	return 0;
}

/* At most FILE_MAX_LINES lines (comments included) of FILE_MAX_LINE bytes,
 * so a wrong path (a log, a binary) is refused quickly. */
static int
read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[FILE_MAX_LINE + 2];	/* the line, its '\n' and a NUL */
	int lineno = 0, rc = 0;

	if (f == NULL) {
		fprintf(stderr, "config: cannot open ECOM_CONFIG file %s\n", path);
		return -1;
	}
	while (rc == 0 && fgets(line, sizeof line, f) != NULL) {
		size_t n = strlen(line);

		if (++lineno > FILE_MAX_LINES) {
			fprintf(stderr, "config: %s: more than %d lines\n", path, FILE_MAX_LINES);
			rc = -1;
		} else if ((n == 0 || line[n - 1] != '\n') && !feof(f)) {
			/* no newline yet: longer than the buffer, or a NUL byte inside */
			fprintf(stderr, "config: %s:%d: line longer than %d bytes or holding a NUL\n",
			    path, lineno, FILE_MAX_LINE);
			rc = -1;
		} else {
			line[strcspn(line, "\r\n")] = '\0';
			rc = read_line(path, lineno, line);
		}
	}
	fclose(f);
	return rc;
}

const char *
config_raw(const char *name)
{
	const char *v = getenv(name);

	if (v != NULL)
		return v;
	for (size_t i = nfile; i-- > 0;)
		if (strcmp(file_kv[i].key, name) == 0)
			return file_kv[i].val;
	return NULL;
}

static int
in_choices(const char *v, const char *choices)
{
	size_t n = strlen(v);

	for (const char *p = choices; *p != '\0';) {
		size_t len = strcspn(p, "|");
		if (len == n && strncmp(p, v, n) == 0)
			return 1;
		p += len;
		if (*p == '|')
			p++;
	}
	return 0;
}

int
config_init(void)
{
	const char *file;

	if (loaded)
		return 0;
	file = getenv("ECOM_CONFIG");
	if (file != NULL && *file != '\0' && read_file(file) != 0)
		return -1;
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const struct row *r = &rows[i];
		const char *v = config_raw(r->name);
		char *field = (char *)&the_config + r->offset;

		if (v == NULL)
			v = r->def;
		switch (r->kind) {
		case K_STR:
			*(const char **)(void *)field = v;
			break;
		case K_ENUM:
			if (!in_choices(v, r->choices)) {
				fprintf(stderr, "config: %s=%s: must be one of %s\n", r->name, v, r->choices);
				return -1;
			}
			*(const char **)(void *)field = v;
			break;
		case K_CURRENCY:
			if (!currency_valid(v)) {
				fprintf(stderr, "config: %s=%s: not an ISO 4217 currency code we know\n", r->name, v);
				return -1;
			}
			*(const char **)(void *)field = v;
			break;
		case K_INT:
			if (parse_i64(v, r->min, r->max, (int64_t *)(void *)field) != 0) {
				fprintf(stderr, "config: %s=%s: must be an integer between %lld and %lld\n",
				    r->name, v, (long long)r->min, (long long)r->max);
				return -1;
			}
			break;
		}
	}
	loaded = 1;
	return 0;
}
