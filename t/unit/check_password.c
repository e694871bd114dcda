/*
 * check_password.c — password hashing and policy (password.h), TOTP, base32
 * and recovery codes (totp.h).
 *
 * The vectors are the RFCs' own: RFC 6238 Appendix B (SHA-1, last six of
 * the eight digits) and RFC 4648 §10.  Hashing runs at bcrypt cost 4
 * (ECOM_PASSWORD_COST, set before config_init) so the suite stays fast; a
 * hash made here independently with crypt_r at cost 5 pins the documented
 * bcrypt-sha256 construction.  The common-password list is read from the
 * source tree (ECOM_SRCDIR) to check that every entry made it into the
 * binary.  Table rows carry their __LINE__.
 */
#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <check.h>
#include <openssl/evp.h>

#include "../check_run.h"

#include "auth/password.h"
#include "auth/totp.h"
#include "core/config.h"
#include "core/log.h"

#define NROWS(t) ((int)(sizeof(t) / sizeof((t)[0])))
#define RFC_SECRET "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"	/* "12345678901234567890" */

/* ------------------------------------------------------------ TOTP */

static const struct {
	int line;
	int64_t t;
	int code;	/* last 6 of RFC 6238 Appendix B's 8 digits (SHA-1) */
} rfc6238[] = {
	{ __LINE__, 59, 287082 },		/* 94287082 */
	{ __LINE__, 1111111109, 81804 },	/* 07081804 */
	{ __LINE__, 1111111111, 50471 },	/* 14050471 */
	{ __LINE__, 1234567890, 5924 },		/* 89005924 */
	{ __LINE__, 2000000000, 279037 },	/* 69279037 */
	{ __LINE__, 20000000000, 353130 },	/* 65353130 */
};

START_TEST(rfc6238_row)
{
	char code[12];

	ck_assert_msg(totp_code(RFC_SECRET, rfc6238[_i].t) == rfc6238[_i].code,
	    "line %d: got %d", rfc6238[_i].line, totp_code(RFC_SECRET, rfc6238[_i].t));
	/* Lower case and spaces in the secret are the same secret. */
	ck_assert_int_eq(totp_code("gezd gnbv gy3t qojq gezd gnbv gy3t qojq", rfc6238[_i].t),
	    rfc6238[_i].code);
	snprintf(code, sizeof code, "%06d", rfc6238[_i].code);
	ck_assert_msg(totp_verify(RFC_SECRET, code, rfc6238[_i].t, -1) ==
	    rfc6238[_i].t / TOTP_STEP_S, "line %d", rfc6238[_i].line);
}
END_TEST

/* The code for `step` as the user would type it. */
static void
code_at(int64_t step, char out[12])
{
	int c = totp_code(RFC_SECRET, step * TOTP_STEP_S);

	ck_assert_int_ge(c, 0);
	snprintf(out, 12, "%06d", c);
}

START_TEST(totp_window_and_replay)
{
	const int64_t now = 1700000015, step = now / TOTP_STEP_S;
	char c[12], spaced[16];

	for (int64_t d = -TOTP_WINDOW; d <= TOTP_WINDOW; d++) {
		code_at(step + d, c);
		ck_assert_int_eq(totp_verify(RFC_SECRET, c, now, -1), step + d);
		/* A step already used, or older than the last used one, is refused. */
		ck_assert_int_eq(totp_verify(RFC_SECRET, c, now, step + d), -1);
		ck_assert_int_eq(totp_verify(RFC_SECRET, c, now, step + TOTP_WINDOW), -1);
		ck_assert_int_eq(totp_verify(RFC_SECRET, c, now, step + d - 1), step + d);
	}
	code_at(step - TOTP_WINDOW - 1, c);
	ck_assert_int_eq(totp_verify(RFC_SECRET, c, now, -1), -1);
	code_at(step + TOTP_WINDOW + 1, c);
	ck_assert_int_eq(totp_verify(RFC_SECRET, c, now, -1), -1);
	code_at(step, c);
	snprintf(spaced, sizeof spaced, " %.3s %.3s ", c, c + 3);
	ck_assert_int_eq(totp_verify(RFC_SECRET, spaced, now, -1), step);
	/* Another secret's code does not pass. */
	ck_assert_int_eq(totp_verify("MZXW6YTBOIMZXW6YTBOIMZXW6YTBOI", c, now, -1), -1);
}
END_TEST

START_TEST(totp_bad_input)
{
	static const char *codes[] = { NULL, "", "12345", "1234567", "12a456", "-12345",
		"123456\n", "１２３４５６", "                                      123456" };
	static const char *secrets[] = { NULL, "", "GEZDGNBV", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJ1",
		"GEZDGNBVGY3TQOJQ+EZDGNBVGY3TQOJQ",
		/* 82 bytes: more than a secret may hold (64) */
		"GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
		"GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA" };
	const int64_t now = 59;

	for (int i = 0; i < NROWS(codes); i++)
		ck_assert_msg(totp_verify(RFC_SECRET, codes[i], now, -1) == -1, "code %d", i);
	for (int i = 0; i < NROWS(secrets); i++) {
		ck_assert_msg(totp_code(secrets[i], now) == -1, "secret %d", i);
		ck_assert_msg(totp_verify(secrets[i], "287082", now, -1) == -1, "secret %d", i);
	}
	ck_assert_int_eq(totp_code(RFC_SECRET, -1), -1);
	ck_assert_int_eq(totp_verify(RFC_SECRET, "287082", -30, -1), -1);
}
END_TEST

START_TEST(totp_new_secret)
{
	char a[TOTP_SECRET_B32_MAX], b[TOTP_SECRET_B32_MAX];
	unsigned char raw[TOTP_SECRET_BYTES + 8];

	ck_assert_int_eq(totp_secret_new(a), 0);
	ck_assert_int_eq(totp_secret_new(b), 0);
	ck_assert_uint_eq(strlen(a), 32);
	ck_assert_str_ne(a, b);
	ck_assert_int_eq(strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), 32);
	ck_assert_int_eq(base32_decode(a, raw, sizeof raw), TOTP_SECRET_BYTES);
	ck_assert_int_ge(totp_code(a, 1700000000), 0);
}
END_TEST

START_TEST(totp_uri_format)
{
	char *u = totp_uri("Shop & Co", "a+b@example.com", RFC_SECRET);

	ck_assert_ptr_nonnull(u);
	ck_assert_str_eq(u, "otpauth://totp/Shop%20%26%20Co:a%2Bb%40example.com?secret="
	    RFC_SECRET "&issuer=Shop%20%26%20Co");
	free(u);
	ck_assert_ptr_null(totp_uri(NULL, "a@b.c", RFC_SECRET));
	ck_assert_ptr_null(totp_uri("Shop", NULL, RFC_SECRET));
	ck_assert_ptr_null(totp_uri("Shop", "a@b.c", NULL));
	ck_assert_ptr_null(totp_uri("", "a@b.c", RFC_SECRET));
	ck_assert_ptr_null(totp_uri("Shop", "a@b.c", "GEZD&issuer=evil"));
	ck_assert_ptr_null(totp_uri("Shop", "a@b.c", "gezdgnbv"));
}
END_TEST

/* ------------------------------------------------------------ base32 */

static const struct {
	int line;
	const char *raw, *b32, *padded;
} rfc4648[] = {
	{ __LINE__, "", "", "" },
	{ __LINE__, "f", "MY", "MY======" },
	{ __LINE__, "fo", "MZXQ", "MZXQ====" },
	{ __LINE__, "foo", "MZXW6", "MZXW6===" },
	{ __LINE__, "foob", "MZXW6YQ", "MZXW6YQ=" },
	{ __LINE__, "fooba", "MZXW6YTB", "MZXW6YTB" },
	{ __LINE__, "foobar", "MZXW6YTBOI", "MZXW6YTBOI======" },
};

START_TEST(rfc4648_row)
{
	char enc[32], low[32];
	unsigned char dec[16];
	size_t n = strlen(rfc4648[_i].raw);

	ck_assert_int_eq(base32_encode((const unsigned char *)rfc4648[_i].raw, n, enc, sizeof enc), 0);
	ck_assert_msg(strcmp(enc, rfc4648[_i].b32) == 0, "line %d: %s", rfc4648[_i].line, enc);
	ck_assert_int_eq(base32_decode(rfc4648[_i].padded, dec, sizeof dec), (int)n);
	ck_assert_int_eq(memcmp(dec, rfc4648[_i].raw, n), 0);
	for (size_t i = 0; i <= strlen(rfc4648[_i].padded); i++)
		low[i] = (char)(rfc4648[_i].padded[i] | (rfc4648[_i].padded[i] >= 'A' ? 0x20 : 0));
	ck_assert_int_eq(base32_decode(low, dec, sizeof dec), (int)n);
	ck_assert_int_eq(memcmp(dec, rfc4648[_i].raw, n), 0);
	/* Exactly enough room works; one byte less does not. */
	ck_assert_int_eq(base32_encode((const unsigned char *)rfc4648[_i].raw, n, enc,
	    strlen(rfc4648[_i].b32) + 1), 0);
	ck_assert_int_eq(base32_encode((const unsigned char *)rfc4648[_i].raw, n, enc,
	    strlen(rfc4648[_i].b32)), -1);
	if (n > 0)
		ck_assert_int_eq(base32_decode(rfc4648[_i].b32, dec, n - 1), -1);
}
END_TEST

START_TEST(base32_rejects)
{
	unsigned char dec[32];

	ck_assert_int_eq(base32_decode(NULL, dec, sizeof dec), -1);
	ck_assert_int_eq(base32_decode("MZ1W", dec, sizeof dec), -1);
	ck_assert_int_eq(base32_decode("MZ8W", dec, sizeof dec), -1);
	ck_assert_int_eq(base32_decode("MZ-W", dec, sizeof dec), -1);
	ck_assert_int_eq(base32_decode("MZXW6\n", dec, sizeof dec), -1);
	ck_assert_int_eq(base32_decode(RFC_SECRET, dec, sizeof dec), 20);
	ck_assert_int_eq(memcmp(dec, "12345678901234567890", 20), 0);
	ck_assert_int_eq(base32_decode(" MZXW 6YTB OI== ", dec, sizeof dec), 6);
	ck_assert_int_eq(memcmp(dec, "foobar", 6), 0);
}
END_TEST

/* ------------------------------------------------------------ recovery codes */

START_TEST(recovery_codes)
{
	char a[RECOVERY_CODE_MAX], b[RECOVERY_CODE_MAX], n[RECOVERY_CODE_MAX];

	ck_assert_int_eq(recovery_code_new(a), 0);
	ck_assert_int_eq(recovery_code_new(b), 0);
	ck_assert_str_ne(a, b);
	ck_assert_uint_eq(strlen(a), 11);
	ck_assert_int_eq(a[5], '-');
	ck_assert_uint_eq(strspn(a, "abcdefghijklmnopqrstuvwxyz234567"), 5);
	ck_assert_uint_eq(strspn(a + 6, "abcdefghijklmnopqrstuvwxyz234567"), 5);
	ck_assert_int_eq(recovery_code_normalize(a, n), 0);
	ck_assert_int_eq(strncmp(n, a, 5), 0);
	ck_assert_str_eq(n + 5, a + 6);

	ck_assert_int_eq(recovery_code_normalize("ABCDE-FGH27", n), 0);
	ck_assert_str_eq(n, "abcdefgh27");
	ck_assert_int_eq(recovery_code_normalize(" abcde fgh27 ", n), 0);
	ck_assert_str_eq(n, "abcdefgh27");
	ck_assert_int_eq(recovery_code_normalize("abcdefgh27", n), 0);
	ck_assert_str_eq(n, "abcdefgh27");
	ck_assert_int_eq(recovery_code_normalize(NULL, n), -1);
	ck_assert_int_eq(recovery_code_normalize("", n), -1);
	ck_assert_int_eq(recovery_code_normalize("abcde-fgh2", n), -1);
	ck_assert_int_eq(recovery_code_normalize("abcde-fgh277", n), -1);
	ck_assert_int_eq(recovery_code_normalize("abcde-fgh21", n), -1);
	ck_assert_int_eq(recovery_code_normalize("abcde_fgh27", n), -1);
	ck_assert_int_eq(recovery_code_normalize("abcde-fgh27------------------------------", n), -1);
}
END_TEST

/* ------------------------------------------------------------ hashing */

START_TEST(hash_round_trip)
{
	char h1[PASSWORD_HASH_MAX], h2[PASSWORD_HASH_MAX];

	ck_assert_int_eq(password_hash("correct horse battery staple", h1), 0);
	ck_assert_int_eq(password_hash("correct horse battery staple", h2), 0);
	ck_assert_uint_eq(strlen(h1), 60);
	ck_assert_int_eq(strncmp(h1, "$2b$04$", 7), 0);
	ck_assert_str_ne(h1, h2);	/* a fresh salt each time */
	ck_assert(password_verify("correct horse battery staple", h1));
	ck_assert(password_verify("correct horse battery staple", h2));
	ck_assert(!password_verify("correct horse battery stapl", h1));
	ck_assert(!password_verify("Correct horse battery staple", h1));
	ck_assert(!password_verify("", h1));
	ck_assert(!password_verify(NULL, h1));
	ck_assert(!password_needs_rehash(h1));
	/* Non-ASCII passwords are bytes like any other. */
	ck_assert_int_eq(password_hash("pässwörd ünïcödé", h1), 0);
	ck_assert(password_verify("pässwörd ünïcödé", h1));
	ck_assert(!password_verify("passwörd ünïcödé", h1));
}
END_TEST

START_TEST(hash_malformed)
{
	char h[PASSWORD_HASH_MAX], bad[PASSWORD_HASH_MAX + 8];
	const char *pw = "correct horse battery staple";

	ck_assert_int_eq(password_hash(pw, h), 0);
	ck_assert(!password_verify(pw, NULL));
	ck_assert(!password_verify(pw, ""));
	ck_assert(!password_verify(pw, "$2b$04$"));
	ck_assert(!password_verify(pw, "*0"));
	/* Truncated, extended, another prefix, cost out of range, a bad character. */
	snprintf(bad, sizeof bad, "%.59s", h);
	ck_assert(!password_verify(pw, bad));
	snprintf(bad, sizeof bad, "%sx", h);
	ck_assert(!password_verify(pw, bad));
	snprintf(bad, sizeof bad, "%s", h);
	bad[2] = 'a';
	ck_assert(!password_verify(pw, bad));
	ck_assert(password_needs_rehash(bad));
	snprintf(bad, sizeof bad, "%s", h);
	bad[5] = '3';
	ck_assert(!password_verify(pw, bad));
	snprintf(bad, sizeof bad, "%s", h);
	bad[40] = '!';
	ck_assert(!password_verify(pw, bad));
	/* A changed checksum character is a wrong hash, not an error. */
	snprintf(bad, sizeof bad, "%s", h);
	bad[50] = bad[50] == 'A' ? 'B' : 'A';
	ck_assert(!password_verify(pw, bad));
	ck_assert(!password_needs_rehash(bad));
	ck_assert(password_needs_rehash(NULL));
	ck_assert(password_needs_rehash("$1$abcdefgh$"));
}
END_TEST

/*
 * A hash made here, at cost 5, by the construction password.h documents:
 * bcrypt over base64(SHA-256(password)).  It verifies, and since it is not
 * at the configured cost it needs a rehash.
 */
START_TEST(hash_other_cost)
{
	const char *pw = "an older hash at another cost";
	unsigned char md[32];
	char pre[45], salt[CRYPT_GENSALT_OUTPUT_SIZE], h[PASSWORD_HASH_MAX], *cost12;
	struct crypt_data *cd = calloc(1, sizeof *cd);
	const char *out;

	ck_assert_ptr_nonnull(cd);
	ck_assert_int_eq(EVP_Digest(pw, strlen(pw), md, NULL, EVP_sha256(), NULL), 1);
	ck_assert_int_eq(EVP_EncodeBlock((unsigned char *)pre, md, 32), 44);
	ck_assert_ptr_nonnull(crypt_gensalt_rn("$2b$", 5, NULL, 0, salt, sizeof salt));
	out = crypt_r(pre, salt, cd);
	ck_assert(out != NULL && out[0] == '$');
	snprintf(h, sizeof h, "%s", out);
	free(cd);
	ck_assert_int_eq(strncmp(h, "$2b$05$", 7), 0);
	ck_assert(password_verify(pw, h));
	ck_assert(!password_verify("an older hash at another cosT", h));
	ck_assert(password_needs_rehash(h));
	/* The same string claiming cost 12 is a different (wrong) hash. */
	cost12 = strdup(h);
	ck_assert_ptr_nonnull(cost12);
	cost12[4] = '1', cost12[5] = '2';
	ck_assert(password_needs_rehash(cost12));
	free(cost12);
}
END_TEST

/* bcrypt alone would see only the first 72 bytes: these differ after it. */
START_TEST(hash_long_passphrases)
{
	char a[PASSWORD_MAX_BYTES + 2], b[PASSWORD_MAX_BYTES + 2], h[PASSWORD_HASH_MAX];

	memset(a, 'p', 100);
	memcpy(b, a, 100);
	a[100] = '1', b[100] = '2';
	a[101] = b[101] = '\0';
	ck_assert_int_eq(password_hash(a, h), 0);
	ck_assert(password_verify(a, h));
	ck_assert(!password_verify(b, h));
	a[73] = '\0', b[73] = '\0';
	a[72] = '1', b[72] = '2';
	ck_assert_int_eq(password_hash(a, h), 0);
	ck_assert(!password_verify(b, h));

	/* PASSWORD_MAX_BYTES hashes; one more byte is refused outright. */
	memset(a, 'q', PASSWORD_MAX_BYTES);
	a[PASSWORD_MAX_BYTES] = '\0';
	ck_assert_int_eq(password_hash(a, h), 0);
	ck_assert(password_verify(a, h));
	a[PASSWORD_MAX_BYTES] = 'q', a[PASSWORD_MAX_BYTES + 1] = '\0';
	ck_assert_int_eq(password_hash(a, h), -1);
	ck_assert(!password_verify(a, h));
	ck_assert_int_eq(password_hash(NULL, h), -1);
}
END_TEST

START_TEST(dummy_hash)
{
	const char *d = password_dummy_hash();

	ck_assert_ptr_nonnull(d);
	ck_assert_ptr_eq(d, password_dummy_hash());	/* made once */
	ck_assert_uint_eq(strlen(d), 60);
	ck_assert_int_eq(strncmp(d, "$2b$04$", 7), 0);
	ck_assert(!password_needs_rehash(d));
	ck_assert(!password_verify("", d));
	ck_assert(!password_verify("password", d));
}
END_TEST

/* ------------------------------------------------------------ policy */

static char long_ok[PASSWORD_MAX_BYTES + 1], long_bad[PASSWORD_MAX_BYTES + 2];

static const struct {
	int line;
	const char *pw, *email;
	const char *want;	/* NULL: accepted; else a part of the message */
} policy[] = {
	{ __LINE__, "correct horse battery staple", "jane@example.com", NULL },
	{ __LINE__, "Tr0ub4dor&3xyz", NULL, NULL },
	{ __LINE__, "éééééééé", NULL, NULL },			/* 8 code points, 16 bytes */
	{ __LINE__, "пароль-для-магазина", NULL, NULL },
	{ __LINE__, long_ok, NULL, NULL },
	{ __LINE__, "", NULL, "at least 8 characters (15 or more" },
	{ __LINE__, NULL, NULL, "at least 8 characters" },
	{ __LINE__, "short1", NULL, "at least 8 characters" },
	{ __LINE__, "1234567", NULL, "at least 8 characters" },
	{ __LINE__, "ééééééé", NULL, "at least 8 characters" },	/* 7 code points, 14 bytes */
	{ __LINE__, long_bad, NULL, "at most 256 bytes" },
	{ __LINE__, "abcdefgh\xff", NULL, "not valid UTF-8" },
	{ __LINE__, "abcdefgh\xc0\xaf", NULL, "not valid UTF-8" },	/* overlong '/' */
	{ __LINE__, "abcdefgh\xe0\x80\xaf", NULL, "not valid UTF-8" },	/* overlong '/' */
	{ __LINE__, "abcdefgh\xed\xa0\x80", NULL, "not valid UTF-8" },	/* surrogate */
	{ __LINE__, "abcdefgh\xf4\x90\x80\x80", NULL, "not valid UTF-8" },	/* > U+10FFFF */
	{ __LINE__, "abcdefgh\xe2\x82", NULL, "not valid UTF-8" },	/* truncated */
	{ __LINE__, "abcdefgh\x80", NULL, "not valid UTF-8" },
	{ __LINE__, "password1", NULL, "too common" },
	{ __LINE__, "Qwerty123", NULL, "too common" },
	{ __LINE__, "PASSWORD1", NULL, "too common" },
	{ __LINE__, "iloveyou", NULL, "too common" },
	{ __LINE__, "trustno1", NULL, "too common" },
	{ __LINE__, "12345678", "a@b.c", "too common" },
	{ __LINE__, "Jane.Doe@Example.com", "jane.doe@example.com", "e-mail" },
	{ __LINE__, "jane.doe.shop", "Jane.Doe.Shop@example.com", "e-mail" },
	{ __LINE__, "jane.doe.shop", "jane.doe.shop.x@example.com", NULL },
	{ __LINE__, "jane.doe.shop", "", NULL },
	{ __LINE__, "jane.doe.shop", "not-an-address", NULL },
};

START_TEST(policy_row)
{
	error e;
	ecode got;

	err_clear(&e);
	got = password_check_policy(policy[_i].pw, policy[_i].email, "password", &e);
	if (policy[_i].want == NULL) {
		ck_assert_msg(got == E_OK && e.nfields == 0, "line %d: refused: %s",
		    policy[_i].line, e.nfields > 0 ? e.fields[0].message : "?");
		return;
	}
	ck_assert_msg(got == E_VALIDATION && e.code == E_VALIDATION && e.nfields == 1,
	    "line %d: accepted", policy[_i].line);
	ck_assert_str_eq(e.fields[0].name, "password");
	ck_assert_msg(strstr(e.fields[0].message, policy[_i].want) != NULL,
	    "line %d: message \"%s\"", policy[_i].line, e.fields[0].message);
}
END_TEST

/* Every line of the source list is in the binary, sorted, lower case, unique. */
START_TEST(common_list)
{
	const char *src = getenv("ECOM_SRCDIR");
	char path[4096], line[128], prev[128] = "", upper[128];
	FILE *f;
	int n = 0;

	ck_assert_msg(src != NULL, "ECOM_SRCDIR is not set (run through make check)");
	snprintf(path, sizeof path, "%s/lib/auth/common-passwords.txt", src);
	ck_assert_msg((f = fopen(path, "r")) != NULL, "cannot open %s", path);
	while (fgets(line, sizeof line, f) != NULL) {
		size_t len = strcspn(line, "\n");

		ck_assert_msg(line[len] == '\n' && len > 0, "line %d malformed", n + 1);
		line[len] = '\0';
		ck_assert_msg(strcmp(prev, line) < 0, "line %d \"%s\" out of order", n + 1, line);
		ck_assert_msg(password_is_common(line), "\"%s\" is missing", line);
		for (size_t i = 0; i <= len; i++) {
			ck_assert_msg(!(line[i] >= 'A' && line[i] <= 'Z'), "\"%s\" has capitals", line);
			upper[i] = (line[i] >= 'a' && line[i] <= 'z') ? (char)(line[i] - 32) : line[i];
		}
		ck_assert(password_is_common(upper));
		snprintf(prev, sizeof prev, "%s", line);
		n++;
	}
	fclose(f);
	ck_assert_int_ge(n, 3000);
	ck_assert(!password_is_common("correct horse battery staple"));
	ck_assert(!password_is_common("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"));
	ck_assert(!password_is_common(""));
	ck_assert(!password_is_common(NULL));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("password");
	TCase *tc = tcase_create("password");

	setenv("ECOM_PASSWORD_COST", "4", 1);
	unsetenv("ECOM_CONFIG");
	if (config_init() != 0 || cfg->password_cost != 4) {
		fprintf(stderr, "check_password: cannot read config\n");
		return 1;
	}
	log_init("check_password", "error");
	memset(long_ok, 'x', PASSWORD_MAX_BYTES);
	memset(long_bad, 'x', PASSWORD_MAX_BYTES + 1);

	tcase_add_loop_test(tc, rfc6238_row, 0, NROWS(rfc6238));
	tcase_add_test(tc, totp_window_and_replay);
	tcase_add_test(tc, totp_bad_input);
	tcase_add_test(tc, totp_new_secret);
	tcase_add_test(tc, totp_uri_format);
	tcase_add_loop_test(tc, rfc4648_row, 0, NROWS(rfc4648));
	tcase_add_test(tc, base32_rejects);
	tcase_add_test(tc, recovery_codes);
	tcase_add_test(tc, hash_round_trip);
	tcase_add_test(tc, hash_malformed);
	tcase_add_test(tc, hash_other_cost);
	tcase_add_test(tc, hash_long_passphrases);
	tcase_add_test(tc, dummy_hash);
	tcase_add_loop_test(tc, policy_row, 0, NROWS(policy));
	tcase_add_test(tc, common_list);
	suite_add_tcase(s, tc);
	return check_run(s);
}
