/*
 * config.h — the typed configuration table (STYLE 13).
 *
 * Read once per process from ECOM_* environment variables, after an
 * optional key=value file named by ECOM_CONFIG (the environment wins).  Each
 * entry has a type, a default and bounds; a bad value stops the process with
 * a message naming the variable.
 */
#ifndef ECOM_CONFIG_H
#define ECOM_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

typedef struct config {
	const char *env;		/* ECOM_ENV: dev | test | prod */
	const char *db_url;		/* ECOM_DB_URL: libpq conninfo */
	const char *redis_url;		/* ECOM_REDIS_URL: redis://host:port/db or unix:/path */
	const char *base_url;		/* ECOM_BASE_URL: http://127.0.0.1:8080 */
	const char *template_dir;	/* ECOM_TEMPLATE_DIR */
	const char *sql_dir;		/* ECOM_SQL_DIR: migrations */
	const char *static_url;		/* ECOM_STATIC_URL: /static */
	const char *media_url;		/* ECOM_MEDIA_URL: /media */
	const char *media_root;		/* ECOM_MEDIA_ROOT */
	const char *jwt_public_key;	/* ECOM_JWT_PUBLIC_KEY: PEM file */
	const char *jwt_private_key;	/* ECOM_JWT_PRIVATE_KEY: PEM file (token minting) */
	const char *jwt_issuer;		/* ECOM_JWT_ISSUER */
	const char *secret_file;	/* ECOM_SECRET_FILE: HMAC key for CSRF etc. */
	const char *store_name;		/* ECOM_STORE_NAME */
	const char *currency;		/* ECOM_CURRENCY: ISO 4217 */
	const char *log_level;		/* ECOM_LOG_LEVEL: debug|info|warn|error */
	int64_t     db_timeout_s;	/* ECOM_DB_TIMEOUT: connect timeout */
	int64_t     cache_ttl_s;	/* ECOM_CACHE_TTL: per-process read caches */
	const char *admin_2fa;		/* ECOM_ADMIN_2FA: required | optional */
	int64_t     password_cost;	/* ECOM_PASSWORD_COST: bcrypt cost, 4..15 */
	const char *mail_dir;		/* ECOM_MAIL_DIR: .eml files when no SMTP server is set */
	const char *trusted_proxies;	/* ECOM_TRUSTED_PROXIES: IPs/CIDRs whose X-Forwarded-For counts */
	const char *cors_origins;	/* ECOM_CORS_ORIGINS: allowed origins, comma-separated */
	const char *rate_limits;	/* ECOM_RATE_LIMITS: "class=limit/seconds,..." overrides */
	const char *kafka_brokers;	/* ECOM_KAFKA_BROKERS: host:port,...; "" = embedded delivery */
	int64_t     kafka_session_timeout_ms; /* ECOM_KAFKA_SESSION_TIMEOUT_MS: consumer groups' session */
	const char *smtp_url;		/* ECOM_SMTP_URL: smtp://host:port or smtps://; "" = .eml files */
	const char *smtp_user;		/* ECOM_SMTP_USER */
	const char *smtp_password;	/* ECOM_SMTP_PASSWORD */
	const char *smtp_starttls;	/* ECOM_SMTP_STARTTLS: required | optional | off */
	const char *mail_from;		/* ECOM_MAIL_FROM: sender address; "" = noreply@<base host> */
} config;

extern const config *cfg;

/* Load (once); returns 0, or -1 after printing which variable is wrong. */
int config_init(void);
/* Look up a raw value from the same sources (for per-domain keys such as
 * ECOM_DB_URL_CATALOG); NULL if unset. */
const char *config_raw(const char *name);

#endif
