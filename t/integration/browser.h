/*
 * browser.h — a browser without JavaScript for the admin panel suites: a
 * small cookie jar, requests that send and keep its cookies, the forms'
 * CSRF tokens, and the two-step sign-in of a new admin.
 *
 * Accounts are made with ecomctl (ECOM_TEST_ECOMCTL) with this process's
 * password; names and e-mails carry run_tag() so reruns against the same
 * stack pass.
 */
#ifndef ECOM_T_BROWSER_H
#define ECOM_T_BROWSER_H

#include <stddef.h>

#include "http_client.h"

#define JAR_MAX 16

typedef struct jar {
	char name[JAR_MAX][64];
	char value[JAR_MAX][1024];
	int  n;
} jar;

/* The X-Forwarded-For of every request (NULL: none); set it once in
 * main().  A made-up client address keeps a suite's rate-limit buckets
 * apart from the others'. */
void browser_client(const char *addr);

/* One request as the browser of `j` (its cookies sent, its Set-Cookie
 * kept); a body is a url-encoded form unless ctype says otherwise. */
http_result *browse_as(jar *j, const char *method, const char *path, const char *body,
    const char *ctype);
http_result *browse(jar *j, const char *method, const char *path, const char *form);
/* The same with a body of len bytes (a multipart form with a file). */
http_result *browse_len(jar *j, const char *method, const char *path, const char *body,
    size_t len, const char *ctype);

/* The csrf_token field of a page (static buffer). */
const char *csrf_of(const http_result *r);
/* A fresh page's token (GET path first; static buffer). */
const char *token_for(jar *j, const char *path);
/* The Location of a 303 into out; fails the test otherwise. */
void see_other(const http_result *r, char *out, size_t outlen);

/* A unique token for names and codes of this run (one of 8 static
 * buffers). */
const char *run_tag(void);

/* The password of the accounts create_user() makes. */
const char *browser_password(void);
/* An account made with ecomctl (secret: its TOTP secret, or NULL); its id
 * (malloc'd). */
char *create_user(const char *email, const char *role, const char *secret);
/* The sign-in form's password step for email; the 303's Location into loc. */
void post_password(jar *j, const char *email, char *loc, size_t loclen);
/* A new admin with TOTP (e-mail <prefix>-<run_tag>@admin-test.example),
 * signed in through both steps of the form. */
void sign_in_admin(jar *j, const char *prefix);

#endif
