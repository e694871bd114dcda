/*
 * ecomctl — the shop's command-line tool.
 *
 *   ecomctl migrate [--domains a,b]     apply sql/<domain>/NNN_*.sql once each
 *   ecomctl token --sub UUID --role R [--email E] [--ttl S] [--typ access|refresh]
 *                                       print a signed JWT (dev and tests)
 *
 * It reads the same configuration as the responders (ECOM_* and ECOM_CONFIG).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "core/config.h"
#include "core/db.h"
#include "core/log.h"
#include "core/parse.h"

static int
usage(void)
{
	fputs("usage: ecomctl migrate [--domains a,b]\n"
	    "       ecomctl token --sub UUID --role customer|seller|admin [--email E]\n"
	    "                     [--ttl SECONDS] [--typ access|refresh]\n", stderr);
	return 2;
}

static const char *
opt(int argc, char **argv, const char *name)
{
	for (int i = 2; i + 1 < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return argv[i + 1];
	return NULL;
}

static int
cmd_migrate(int argc, char **argv)
{
	const char *list = opt(argc, argv, "--domains");
	const char *domains[33] = { NULL };
	char *copy = NULL;
	error e;
	db_conn *c;
	int applied = 0, n = 0;

	err_clear(&e);
	if (list != NULL) {
		copy = strdup(list);
		for (char *s = copy, *tok; copy != NULL && (tok = strsep(&s, ",")) != NULL && n < 32;)
			if (*tok != '\0')
				domains[n++] = tok;
		domains[n] = NULL;
	}
	c = db_for("catalog", &e);
	if (c == NULL || db_migrate(c, cfg->sql_dir, list != NULL ? domains : NULL, &applied, &e) != 0) {
		fprintf(stderr, "ecomctl migrate: %s\n", e.message[0] ? e.message : "failed");
		free(copy);
		db_close_all();
		return 1;
	}
	printf("migrations: %d applied\n", applied);
	free(copy);
	db_close_all();
	return 0;
}

static int
cmd_token(int argc, char **argv)
{
	const char *sub = opt(argc, argv, "--sub"), *rl = opt(argc, argv, "--role");
	const char *ttl_s = opt(argc, argv, "--ttl"), *typ = opt(argc, argv, "--typ");
	int64_t ttl = AUTH_ACCESS_TTL;
	role r;
	error e;
	char *tok;

	err_clear(&e);
	if (sub == NULL || rl == NULL || role_parse(rl, &r) != 0 ||
	    (ttl_s != NULL && parse_i64(ttl_s, 1, 30 * 86400, &ttl) != 0))
		return usage();
	tok = auth_mint(sub, opt(argc, argv, "--email"), r, typ != NULL ? typ : "access", ttl, &e);
	if (tok == NULL) {
		fprintf(stderr, "ecomctl token: %s\n", e.message);
		return 1;
	}
	puts(tok);
	free(tok);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	if (config_init() != 0)
		return 1;
	log_init("ecomctl", cfg->log_level);
	if (auth_init() != 0)
		return 1;
	if (strcmp(argv[1], "migrate") == 0)
		return cmd_migrate(argc, argv);
	if (strcmp(argv[1], "token") == 0)
		return cmd_token(argc, argv);
	return usage();
}
