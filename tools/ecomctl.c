/*
 * ecomctl — the shop's command-line tool.
 *
 *   ecomctl migrate [--domains a,b]     apply sql/<domain>/NNN_*.sql once each
 *   ecomctl token --sub UUID --role R [--email E] [--ttl S] [--typ access|refresh]
 *                                       print a signed JWT (dev and tests)
 *   ecomctl user create --email E [--role R] ...   create an account (ecomctl_user.c)
 *   ecomctl catalog export|import ...   the catalog as CSV (ecomctl_catalog.c)
 *   ecomctl search reindex              rebuild the search documents (ecomctl_search.c)
 *   ecomctl help
 *
 * It reads the same configuration as the responders (ECOM_* and ECOM_CONFIG)
 * and links the same library, so a migration or a token made here is exactly
 * what the responders would make.  Exit status: 0 done, 1 failed, 2 usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "core/config.h"
#include "core/db.h"
#include "core/log.h"
#include "core/parse.h"
#include "settings/settings.h"
#include "ecomctl.h"

#define MAX_DOMAINS 32
#define TTL_MAX     (30 * 86400)

static const char usage_text[] =
    "usage: ecomctl migrate [--domains a,b]\n"
    "           apply the migrations under ECOM_SQL_DIR that have not run yet\n"
    "           (default: every domain, catalog first, without demo)\n"
    "       ecomctl token --sub UUID --role customer|seller|admin [--email E]\n"
    "                     [--ttl SECONDS] [--typ access|refresh]\n"
    "           print a signed token (needs ECOM_JWT_PRIVATE_KEY)\n"
    "       ecomctl user create --email EMAIL [--role customer|seller|admin]\n"
    "                     [--first-name F] [--last-name L] [--totp-secret BASE32]\n"
    "           create a verified account; the password is read from the terminal\n"
    "           or the first line of stdin; exit 3 if the e-mail is taken\n"
    "       ecomctl catalog export --as EMAIL [--out FILE]\n"
    "       ecomctl catalog import --as EMAIL --file FILE [--mode check|apply]\n"
    "           the products and variants as CSV, as the admin or seller EMAIL;\n"
    "           an import changes nothing unless every row is right\n"
    "       ecomctl search reindex\n"
    "           rebuild every search document from the catalog now\n"
    "       ecomctl help\n";

int
ecomctl_usage(void)
{
	fputs(usage_text, stderr);
	return 2;
}

/*
 * Options come as "--name value" pairs after the command.  Every name must
 * be one the command knows (names: NULL-terminated) and appear once, so a
 * typo ("--rol admin") is a usage error rather than a silently ignored
 * flag.  vals[i] receives the value of names[i] or NULL.  0 or -1.
 */
int
ecomctl_opts(int argc, char **argv, const char *const *names, const char **vals)
{
	for (int k = 0; names[k] != NULL; k++)
		vals[k] = NULL;
	for (int i = 2; i < argc; i += 2) {
		int k;

		for (k = 0; names[k] != NULL && strcmp(argv[i], names[k]) != 0; k++)
			;
		if (names[k] == NULL) {
			fprintf(stderr, "ecomctl: unknown option %s\n", argv[i]);
			return -1;
		}
		if (i + 1 >= argc || vals[k] != NULL) {
			fprintf(stderr, "ecomctl: %s needs one value\n", argv[i]);
			return -1;
		}
		vals[k] = argv[i + 1];
	}
	return 0;
}

static int
cmd_migrate(int argc, char **argv)
{
	static const char *const names[] = { "--domains", NULL };
	const char *vals[2];
	const char *domains[MAX_DOMAINS + 1];
	char *copy = NULL;
	error e;
	db_conn *c;
	int applied = 0, n = 0, rc = 1;

	if (ecomctl_opts(argc, argv, names, vals) != 0)
		return ecomctl_usage();
	if (vals[0] != NULL) {
		if ((copy = strdup(vals[0])) == NULL)
			return 1;
		for (char *s = copy, *tok; (tok = strsep(&s, ",")) != NULL;) {
			if (*tok == '\0')
				continue;
			if (n == MAX_DOMAINS) {
				fprintf(stderr, "ecomctl migrate: at most %d domains\n", MAX_DOMAINS);
				free(copy);
				return 2;
			}
			domains[n++] = tok;
		}
		domains[n] = NULL;
	}
	err_clear(&e);
	/* each applied file is logged at info ("migration applied: d/NNN_x.sql") */
	c = db_for("catalog", &e);
	if (c != NULL && db_migrate(c, cfg->sql_dir, copy != NULL ? domains : NULL, &applied, &e) == 0) {
		printf("migrations: %d applied from %s\n", applied, cfg->sql_dir);
		rc = 0;
	} else {
		fprintf(stderr, "ecomctl migrate: %s\n", e.message[0] != '\0' ? e.message : "failed");
	}
	free(copy);
	db_close_all();
	return rc;
}

static int
cmd_token(int argc, char **argv)
{
	static const char *const names[] = { "--sub", "--role", "--email", "--ttl", "--typ", NULL };
	const char *v[6];
	int64_t ttl = AUTH_ACCESS_TTL;
	role r;
	error e;
	char *tok;

	if (ecomctl_opts(argc, argv, names, v) != 0)
		return ecomctl_usage();
	if (v[0] == NULL || v[1] == NULL) {
		fputs("ecomctl token: --sub and --role are required\n", stderr);
		return ecomctl_usage();
	}
	if (role_parse(v[1], &r) != 0) {
		fputs("ecomctl token: --role is customer, seller or admin\n", stderr);
		return 2;
	}
	if (v[3] != NULL && parse_i64(v[3], 1, TTL_MAX, &ttl) != 0) {
		fprintf(stderr, "ecomctl token: --ttl is 1 to %d seconds\n", TTL_MAX);
		return 2;
	}
	err_clear(&e);
	tok = auth_mint(v[0], v[2], r, v[4] != NULL ? v[4] : "access", NULL, ttl, NULL, &e);
	if (tok == NULL) {
		fprintf(stderr, "ecomctl token: %s\n", e.message);
		return e.code == E_INVALID_INPUT ? 2 : 1;
	}
	puts(tok);
	free(tok);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *cmd = argc >= 2 ? argv[1] : "";

	if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (strcmp(cmd, "migrate") != 0 && strcmp(cmd, "token") != 0 && strcmp(cmd, "user") != 0 &&
	    strcmp(cmd, "catalog") != 0 && strcmp(cmd, "search") != 0)
		return ecomctl_usage();
	if (config_init() != 0)
		return 1;
	settings_site_register();
	/* migrate reports each file it applies at info, whatever the level */
	log_init("ecomctl", strcmp(cmd, "migrate") == 0 && strcmp(cfg->log_level, "debug") != 0 ?
	    "info" : cfg->log_level);
	if (strcmp(cmd, "migrate") == 0)
		return cmd_migrate(argc, argv);
	if (auth_init() != 0)
		return 1;
	if (strcmp(cmd, "user") == 0)
		return cmd_user(argc, argv);
	if (strcmp(cmd, "catalog") == 0)
		return cmd_catalog(argc, argv);
	if (strcmp(cmd, "search") == 0)
		return cmd_search(argc, argv);
	return cmd_token(argc, argv);
}
