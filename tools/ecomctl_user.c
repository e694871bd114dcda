/*
 * ecomctl_user.c — `ecomctl user create`: the first admin of a shop (and the
 * demo accounts of ./serve) without a web form.
 *
 *   ecomctl user create --email EMAIL [--role customer|seller|admin]
 *       [--first-name F] [--last-name L] [--totp-secret BASE32]
 *
 * The password is read from the terminal (twice, without echo) or, when
 * stdin is not a terminal, as the first line of stdin, so it never appears
 * in the process list or the shell history.  The account is created
 * verified, through the accounts domain (policy, hashing, events), and its
 * id printed.  Exit status: 0 created, 1 failed, 2 usage, 3 the e-mail is
 * already taken (so scripts can tell "exists" from "broken").
 */
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "auth/auth.h"
#include "auth/password.h"
#include "core/arena.h"
#include "core/db.h"
#include "ecomctl.h"
#include "user/user.h"

/* One line of at most PASSWORD_MAX_BYTES from fp, without its newline;
 * 0, or -1 at EOF / when the line is too long. */
static int
read_line(FILE *fp, char *out, size_t cap)
{
	size_t n;

	if (fgets(out, (int)cap, fp) == NULL)
		return -1;
	n = strlen(out);
	if (n > 0 && out[n - 1] == '\n')
		out[--n] = '\0';
	else if (!feof(fp))
		return -1;	/* longer than the buffer */
	if (n > 0 && out[n - 1] == '\r')
		out[--n] = '\0';
	return 0;
}

/* Prompt on the terminal with echo off. */
static int
ask(const char *prompt, char *out, size_t cap)
{
	struct termios old, quiet;
	int rc;

	fputs(prompt, stderr);
	fflush(stderr);
	if (tcgetattr(STDIN_FILENO, &old) != 0)
		return -1;
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	rc = read_line(stdin, out, cap);
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	fputc('\n', stderr);
	return rc;
}

static int
read_password(char *pw, size_t cap)
{
	char again[PASSWORD_MAX_BYTES + 2];

	if (!isatty(STDIN_FILENO)) {
		if (read_line(stdin, pw, cap) != 0) {
			fputs("ecomctl user: give the password as the first line of stdin "
			    "(at most 256 bytes)\n", stderr);
			return -1;
		}
		return 0;
	}
	if (ask("Password (8+ characters, 15+ recommended): ", pw, cap) != 0 ||
	    ask("Password again: ", again, sizeof again) != 0) {
		fputs("ecomctl user: no password read\n", stderr);
		return -1;
	}
	if (strcmp(pw, again) != 0) {
		fputs("ecomctl user: the two passwords differ\n", stderr);
		return -1;
	}
	return 0;
}

int
cmd_user(int argc, char **argv)
{
	static const char *const names[] = { "--email", "--role", "--first-name", "--last-name",
		"--totp-secret", NULL };
	const char *v[6];
	char pw[PASSWORD_MAX_BYTES + 2];
	role r = ROLE_CUSTOMER;
	arena *a;
	error e;
	user u;
	int rc;

	if (argc < 3 || strcmp(argv[2], "create") != 0)
		return ecomctl_usage();
	if (ecomctl_opts(argc - 1, argv + 1, names, v) != 0)
		return ecomctl_usage();
	if (v[0] == NULL) {
		fputs("ecomctl user create: --email is required\n", stderr);
		return 2;
	}
	if (v[1] != NULL && role_parse(v[1], &r) != 0) {
		fputs("ecomctl user create: --role is customer, seller or admin\n", stderr);
		return 2;
	}
	if (read_password(pw, sizeof pw) != 0)
		return 2;
	if ((a = arena_new(16 * 1024)) == NULL)
		return 1;
	err_clear(&e);
	rc = 0;
	if (user_create_direct(a, v[0], pw, v[2] != NULL ? v[2] : "Shop",
	    v[3] != NULL ? v[3] : (r == ROLE_ADMIN ? "Admin" : "User"), r, v[4], &u, &e) != E_OK) {
		fprintf(stderr, "ecomctl user create: %s", e.message);
		for (int i = 0; i < e.nfields; i++)
			fprintf(stderr, "%s %s: %s", i == 0 ? ":" : ";", e.fields[i].name,
			    e.fields[i].message);
		fputc('\n', stderr);
		rc = e.code == E_ALREADY_EXISTS ? 3 : e.code == E_VALIDATION ? 2 : 1;
	} else {
		printf("%s\n", u.id);
	}
	explicit_bzero(pw, sizeof pw);
	arena_free(a);
	db_close_all();
	return rc;
}
