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
};

static config the_config;
const config *cfg = &the_config;

/* The key=value file, kept for config_raw(). */
static struct { char *key, *val; } file_kv[FILE_MAX_LINES];
static size_t nfile;
static int loaded;

static int
read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[FILE_MAX_LINE];
	int lineno = 0;

	if (f == NULL) {
		fprintf(stderr, "config: cannot open ECOM_CONFIG file %s\n", path);
		return -1;
	}
	while (fgets(line, sizeof line, f) != NULL) {
		char *p = line, *eq, *end;

		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			fprintf(stderr, "config: %s:%d: line longer than %d bytes\n", path, lineno, FILE_MAX_LINE);
			goto fail;
		}
		while (*p == ' ' || *p == '\t')
			p++;
		end = p + strcspn(p, "\r\n");
		*end = '\0';
		if (*p == '#' || *p == '\0')
			continue;
		eq = strchr(p, '=');
		if (eq == NULL || eq == p) {
			fprintf(stderr, "config: %s:%d: expected KEY=value\n", path, lineno);
			goto fail;
		}
		if (nfile == FILE_MAX_LINES) {
			fprintf(stderr, "config: %s: more than %d settings\n", path, FILE_MAX_LINES);
			goto fail;
		}
		*eq = '\0';
		file_kv[nfile].key = strdup(p);
		file_kv[nfile].val = strdup(eq + 1);
		if (file_kv[nfile].key == NULL || file_kv[nfile].val == NULL)
			goto fail;
		nfile++;
	}
	fclose(f);
	return 0;
fail:
	fclose(f);
	return -1;
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
