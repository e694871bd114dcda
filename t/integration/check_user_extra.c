/*
 * check_user_extra.c — the accounts domain's addresses, wishlist, two-factor
 * authentication and admin user management against a real PostgreSQL and
 * Redis (the ones ECOM_DB_URL and ECOM_REDIS_URL name, from the environment
 * or the ECOM_CONFIG file ./check writes; without both the suite is skipped
 * with 77).  Users are made with user_create_direct under a per-run tag, so
 * runs never collide with each other or with demo data.  The wishlist
 * tests use the demo catalog (ECOM_TEST_DEMO).  bcrypt runs at cost 4 here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <check.h>

#include "../check_run.h"

#include "auth/totp.h"
#include "core/config.h"
#include "core/db.h"
#include "core/log.h"
#include "core/util.h"
#include "product/product.h"
#include "user/internal.h"

static arena *a;
static char tag[9];		/* per test: names and e-mails carry it */

static void
setup(void)
{
	char u[37];

	ck_assert_int_eq(config_init(), 0);
	log_init("check_user_extra", "error");
	a = arena_new(64 * 1024);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(uuid_v4(u), 0);
	memcpy(tag, u, 8);
	tag[8] = '\0';
}

static void
teardown(void)
{
	arena_free(a);
	a = NULL;
}

/* Test plumbing, not application code: fixed SQL through plain libpq. */
static const char *
sql_value(const char *s)
{
	error     e;
	db_conn  *c;
	PGresult *r;
	const char *v;

	err_clear(&e);
	c = users_db(&e);
	ck_assert_msg(c != NULL, "no database: %s", e.message);
	r = PQexec(db_pg(c), s);
	ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK || PQresultStatus(r) == PGRES_COMMAND_OK,
	    "%s: %s", s, PQerrorMessage(db_pg(c)));
	v = PQntuples(r) >= 1 ? arena_strdup(a, PQgetvalue(r, 0, 0)) : NULL;
	PQclear(r);
	return v;
}

static user_ctx
ctx_of(const user *u)
{
	user_ctx c = { u ? u->id : NULL, u ? u->role : ROLE_PUBLIC, "check-user-extra",
	    "127.0.0.1", "check" };

	return c;
}

/* A new verified account "<prefix>-<tag>@example.com", last name Tag<tag>. */
static void
mkuser(const char *prefix, role r, const char *secret, user *out)
{
	error e;
	const char *email = arena_printf(a, "%s-%s@example.com", prefix, tag);
	const char *last = arena_printf(a, "Tag%s", tag);

	err_clear(&e);
	ck_assert_msg(user_create_direct(a, email, "correct horse battery", prefix, last, r,
	    secret, out, &e) == E_OK, "create %s: %s", email, e.message);
	ck_assert_str_eq(out->email, email);
	ck_assert_int_eq(out->role, r);
	ck_assert(out->email_verified);
	ck_assert(out->active);
}

static const char *
field_msg(const error *e, const char *name)
{
	for (int i = 0; i < e->nfields; i++)
		if (strcmp(e->fields[i].name, name) == 0)
			return e->fields[i].message;
	return NULL;
}

/* ------------------------------------------------------------ accounts */

START_TEST(create_direct_validates_and_refuses_duplicates)
{
	error e;
	user  u, dup;

	mkuser("cd", ROLE_SELLER, NULL, &u);
	ck_assert(!u.totp_enabled);
	/* the same address in another case is the same account */
	err_clear(&e);
	ck_assert_int_eq(user_create_direct(a, arena_printf(a, "CD-%s@Example.com", tag),
	    "another fine passphrase", "X", "Y", ROLE_CUSTOMER, NULL, &dup, &e), E_ALREADY_EXISTS);
	/* every bad field at once */
	err_clear(&e);
	ck_assert_int_eq(user_create_direct(a, "not-an-address", "short", "", NULL,
	    (role)9, "not base32!", &dup, &e), E_VALIDATION);
	ck_assert_ptr_nonnull(field_msg(&e, "email"));
	ck_assert_ptr_nonnull(field_msg(&e, "password"));
	ck_assert_ptr_nonnull(field_msg(&e, "first_name"));
	ck_assert_ptr_nonnull(field_msg(&e, "last_name"));
	ck_assert_ptr_nonnull(field_msg(&e, "role"));
	ck_assert_ptr_nonnull(field_msg(&e, "totp_secret"));
	/* a common password is refused by the policy */
	err_clear(&e);
	ck_assert_int_eq(user_create_direct(a, arena_printf(a, "pw-%s@example.com", tag),
	    "password123", "P", "W", ROLE_CUSTOMER, NULL, &dup, &e), E_VALIDATION);
	ck_assert_ptr_nonnull(field_msg(&e, "password"));
}
END_TEST

/* ------------------------------------------------------------ addresses */

static address_input
addr_in(const char *line1)
{
	address_input in = { NULL, "Ada", "Lovelace", line1, NULL, "London", NULL,
	    "NW1 6XE", "gb", NULL, -1 };

	return in;
}

static int
defaults_of(const char *user_id, const char **default_id, size_t *n)
{
	error    e;
	address *list;
	int      defaults = 0;

	err_clear(&e);
	ck_assert_int_eq(address_list(a, user_id, &list, n, &e), E_OK);
	for (size_t i = 0; i < *n; i++)
		if (list[i].is_default) {
			defaults++;
			*default_id = list[i].id;
		}
	return defaults;
}

START_TEST(addresses_crud_and_ownership)
{
	error         e;
	user          ua, ub;
	user_ctx      ca, cb;
	address       ad, got, other;
	address_input in = addr_in("  12 Baker Street  "), up;
	char          nope[37];

	mkuser("aa", ROLE_CUSTOMER, NULL, &ua);
	mkuser("ab", ROLE_CUSTOMER, NULL, &ub);
	ca = ctx_of(&ua);
	cb = ctx_of(&ub);
	in.phone = "+44 20 7946 0000";
	err_clear(&e);
	ck_assert_msg(address_create(a, &ca, ua.id, &in, &ad, &e) == E_OK, "%s", e.message);
	/* trimmed, upper-cased, the first one is the default */
	ck_assert_str_eq(ad.address_line1, "12 Baker Street");
	ck_assert_str_eq(ad.country_code, "GB");
	ck_assert_str_eq(ad.label, "");
	ck_assert_str_eq(ad.state, "");
	ck_assert_str_eq(ad.phone, "+44 20 7946 0000");
	ck_assert(ad.is_default);
	ck_assert_int_gt(ad.created_at, 0);

	err_clear(&e);
	ck_assert_int_eq(address_get(a, ua.id, ad.id, &got, &e), E_OK);
	ck_assert_str_eq(got.city, "London");

	/* someone else's address does not exist for B, whatever B does */
	err_clear(&e);
	ck_assert_int_eq(address_get(a, ub.id, ad.id, &got, &e), E_NOT_FOUND);
	up = (address_input){ .city = "Paris", .is_default = 1 };
	err_clear(&e);
	ck_assert_int_eq(address_update(a, &cb, ub.id, ad.id, &up, &other, &e), E_NOT_FOUND);
	err_clear(&e);
	ck_assert_int_eq(address_delete(a, &cb, ub.id, ad.id, &e), E_NOT_FOUND);
	err_clear(&e);
	ck_assert_int_eq(address_get(a, ua.id, ad.id, &got, &e), E_OK);
	ck_assert_str_eq(got.city, "London");
	ck_assert(got.is_default);
	/* malformed and unknown ids are the same 404 */
	err_clear(&e);
	ck_assert_int_eq(address_get(a, ua.id, "not-a-uuid", &got, &e), E_NOT_FOUND);
	ck_assert_int_eq(uuid_v4(nope), 0);
	err_clear(&e);
	ck_assert_int_eq(address_delete(a, &ca, ua.id, nope, &e), E_NOT_FOUND);

	/* a partial update changes only what was sent; "" clears an optional */
	up = (address_input){ .city = "Bath", .label = "Home", .phone = "", .is_default = -1 };
	err_clear(&e);
	ck_assert_msg(address_update(a, &ca, ua.id, ad.id, &up, &got, &e) == E_OK, "%s", e.message);
	ck_assert_str_eq(got.city, "Bath");
	ck_assert_str_eq(got.label, "Home");
	ck_assert_str_eq(got.phone, "");
	ck_assert_str_eq(got.first_name, "Ada");
	ck_assert(got.is_default);
	ck_assert_int_ge(got.updated_at, ad.updated_at);

	err_clear(&e);
	ck_assert_int_eq(address_delete(a, &ca, ua.id, ad.id, &e), E_OK);
	err_clear(&e);
	ck_assert_int_eq(address_get(a, ua.id, ad.id, &got, &e), E_NOT_FOUND);
}
END_TEST

START_TEST(addresses_keep_exactly_one_default)
{
	error         e;
	user          u;
	user_ctx      c;
	address       first, second, third, got;
	address_input in = addr_in("1 First Road"), up;
	const char   *def = NULL;
	size_t        n;

	mkuser("ad", ROLE_CUSTOMER, NULL, &u);
	c = ctx_of(&u);
	in.is_default = 0;	/* the first is the default even so */
	err_clear(&e);
	ck_assert_int_eq(address_create(a, &c, u.id, &in, &first, &e), E_OK);
	ck_assert(first.is_default);
	in = addr_in("2 Second Road");
	err_clear(&e);
	ck_assert_int_eq(address_create(a, &c, u.id, &in, &second, &e), E_OK);
	ck_assert(!second.is_default);
	ck_assert_int_eq(defaults_of(u.id, &def, &n), 1);
	ck_assert_str_eq(def, first.id);

	/* a new default takes over in the same transaction */
	in = addr_in("3 Third Road");
	in.is_default = 1;
	err_clear(&e);
	ck_assert_int_eq(address_create(a, &c, u.id, &in, &third, &e), E_OK);
	ck_assert(third.is_default);
	ck_assert_int_eq(defaults_of(u.id, &def, &n), 1);
	ck_assert_str_eq(def, third.id);
	ck_assert_int_eq(n, 3);

	/* choosing an existing one by update */
	up = (address_input){ .is_default = 1 };
	err_clear(&e);
	ck_assert_int_eq(address_update(a, &c, u.id, second.id, &up, &got, &e), E_OK);
	ck_assert(got.is_default);
	ck_assert_int_eq(defaults_of(u.id, &def, &n), 1);
	ck_assert_str_eq(def, second.id);

	/* unsetting the default leaves it the default: there is always one */
	up = (address_input){ .is_default = 0 };
	err_clear(&e);
	ck_assert_int_eq(address_update(a, &c, u.id, second.id, &up, &got, &e), E_OK);
	ck_assert(got.is_default);
	ck_assert_int_eq(defaults_of(u.id, &def, &n), 1);

	/* deleting the default promotes the most recent other one (third) */
	err_clear(&e);
	ck_assert_int_eq(address_delete(a, &c, u.id, second.id, &e), E_OK);
	ck_assert_int_eq(defaults_of(u.id, &def, &n), 1);
	ck_assert_str_eq(def, third.id);
	ck_assert_int_eq(n, 2);
	/* deleting a non-default leaves the default alone */
	err_clear(&e);
	ck_assert_int_eq(address_delete(a, &c, u.id, first.id, &e), E_OK);
	ck_assert_int_eq(defaults_of(u.id, &def, &n), 1);
	ck_assert_str_eq(def, third.id);
	err_clear(&e);
	ck_assert_int_eq(address_delete(a, &c, u.id, third.id, &e), E_OK);
	ck_assert_int_eq(defaults_of(u.id, &def, &n), 0);
	ck_assert_int_eq(n, 0);
}
END_TEST

START_TEST(addresses_validate_every_field)
{
	error         e;
	user          u;
	user_ctx      c;
	address       ad, got;
	address_input in = { 0 };
	char          longname[2 * USER_NAME_MAX + 8];
	char         *line = arena_alloc(a, ADDRESS_FIELD_MAX + 2);

	mkuser("av", ROLE_CUSTOMER, NULL, &u);
	c = ctx_of(&u);
	/* nothing sent: every required field named */
	in.is_default = -1;
	err_clear(&e);
	ck_assert_int_eq(address_create(a, &c, u.id, &in, &ad, &e), E_VALIDATION);
	ck_assert_int_eq(e.nfields, 6);
	ck_assert_str_eq(field_msg(&e, "first_name"), "is required");
	ck_assert_str_eq(field_msg(&e, "last_name"), "is required");
	ck_assert_str_eq(field_msg(&e, "address_line1"), "is required");
	ck_assert_str_eq(field_msg(&e, "city"), "is required");
	ck_assert_str_eq(field_msg(&e, "postal_code"), "is required");
	ck_assert_str_eq(field_msg(&e, "country_code"), "is required");

	/* bounds in characters: 100 two-byte letters fit, 101 do not */
	longname[0] = '\0';
	for (int i = 0; i < USER_NAME_MAX; i++)
		strcat(longname, "\xc3\xa9");
	in = addr_in("1 Long Road");
	in.first_name = longname;
	err_clear(&e);
	ck_assert_msg(address_create(a, &c, u.id, &in, &ad, &e) == E_OK, "%s", e.message);
	strcat(longname, "x");
	memset(line, 'x', ADDRESS_FIELD_MAX + 1);
	line[ADDRESS_FIELD_MAX + 1] = '\0';
	in = (address_input){ "a label that is much longer than fifty characters, really",
	    longname, "  ", line, line, line, line, "1234567890123456789012", "XX",
	    "12a", 7 };
	err_clear(&e);
	ck_assert_int_eq(address_create(a, &c, u.id, &in, &got, &e), E_VALIDATION);
	ck_assert_str_eq(field_msg(&e, "label"), "must be at most 50 characters");
	ck_assert_str_eq(field_msg(&e, "first_name"), "must be at most 100 characters");
	ck_assert_str_eq(field_msg(&e, "last_name"), "is required");
	ck_assert_str_eq(field_msg(&e, "address_line1"), "must be at most 200 characters");
	ck_assert_str_eq(field_msg(&e, "address_line2"), "must be at most 200 characters");
	ck_assert_str_eq(field_msg(&e, "city"), "must be at most 200 characters");
	ck_assert_str_eq(field_msg(&e, "state"), "must be at most 200 characters");
	ck_assert_str_eq(field_msg(&e, "postal_code"), "must be at most 20 characters");
	ck_assert_str_eq(field_msg(&e, "country_code"), "XX is not an ISO 3166-1 country code");
	ck_assert_ptr_nonnull(field_msg(&e, "phone"));
	ck_assert_ptr_nonnull(field_msg(&e, "is_default"));
	ck_assert_int_eq(e.nfields, 11);

	/* shapes: country letters, postal alphabet, control characters */
	in = addr_in("1 Tab\tRoad");
	in.country_code = "G1";
	in.postal_code = "AB<1>";
	err_clear(&e);
	ck_assert_int_eq(address_create(a, &c, u.id, &in, &got, &e), E_VALIDATION);
	ck_assert_ptr_nonnull(field_msg(&e, "country_code"));
	ck_assert_ptr_nonnull(field_msg(&e, "postal_code"));
	ck_assert_ptr_nonnull(field_msg(&e, "address_line1"));
	ck_assert_int_eq(e.nfields, 3);

	/* an update checks what it was sent, and a blank required is refused */
	in = (address_input){ .city = "", .country_code = "us", .is_default = -1 };
	err_clear(&e);
	ck_assert_int_eq(address_update(a, &c, u.id, ad.id, &in, &got, &e), E_VALIDATION);
	ck_assert_str_eq(field_msg(&e, "city"), "is required");
	ck_assert_int_eq(e.nfields, 1);
	in.city = NULL;
	err_clear(&e);
	ck_assert_int_eq(address_update(a, &c, u.id, ad.id, &in, &got, &e), E_OK);
	ck_assert_str_eq(got.country_code, "US");
}
END_TEST

START_TEST(addresses_are_bounded_per_user)
{
	error         e;
	user          u;
	user_ctx      c;
	address       ad;
	address_input in = addr_in("1 Many Road");
	address      *list;
	size_t        n;

	mkuser("am", ROLE_CUSTOMER, NULL, &u);
	c = ctx_of(&u);
	for (int i = 0; i < ADDRESSES_MAX; i++) {
		err_clear(&e);
		ck_assert_msg(address_create(a, &c, u.id, &in, &ad, &e) == E_OK, "%d: %s", i, e.message);
	}
	err_clear(&e);
	ck_assert_int_eq(address_create(a, &c, u.id, &in, &ad, &e), E_CONFLICT);
	ck_assert_ptr_nonnull(strstr(e.message, "at most 20 addresses"));
	err_clear(&e);
	ck_assert_int_eq(address_list(a, u.id, &list, &n, &e), E_OK);
	ck_assert_int_eq(n, ADDRESSES_MAX);
	ck_assert(list[0].is_default);
}
END_TEST

/* ------------------------------------------------------------ wishlist */

/* A product the public sees, and (from an admin's list) a draft one. */
static const char *
demo_product(bool published)
{
	catalog_actor  pub = { NULL, ROLE_PUBLIC, NULL };
	catalog_actor  adm = { "00000000-0000-4000-8000-000000000001", ROLE_ADMIN, NULL };
	product_filter f;
	product_page   pg;
	error          e;

	product_filter_init(&f);
	f.pg.per_page = 3;
	if (!published) {
		f.has_status = true;
		f.status = PRODUCT_DRAFT;
	}
	err_clear(&e);
	ck_assert_msg(product_list(a, published ? &pub : &adm, &f, &pg, &e) == E_OK, "%s", e.message);
	ck_assert_msg(pg.n > 0, "the demo catalog has no %s products", published ? "published" : "draft");
	ck_assert_int_eq(pg.items[0].status, published ? PRODUCT_PUBLISHED : PRODUCT_DRAFT);
	return pg.n > 1 && published ? arena_printf(a, "%s %s", pg.items[0].id, pg.items[1].id)
	    : pg.items[0].id;
}

START_TEST(wishlist_with_demo_products)
{
	error          e;
	user           u, v;
	user_ctx       c;
	const char    *two, *draft;
	char           p1[37], p2[37], nope[37];
	wishlist_item *items;
	size_t         n;
	bool           has;

	if (!config_raw("ECOM_TEST_DEMO")) {
		puts("wishlist: no demo catalog (ECOM_TEST_DEMO unset)");
		return;
	}
	two = demo_product(true);
	ck_assert_int_eq(sscanf(two, "%36s %36s", p1, p2), 2);
	draft = demo_product(false);
	mkuser("wl", ROLE_CUSTOMER, NULL, &u);
	mkuser("wm", ROLE_CUSTOMER, NULL, &v);
	c = ctx_of(&u);

	err_clear(&e);
	ck_assert_msg(wishlist_add(a, &c, u.id, p1, &e) == E_OK, "%s", e.message);
	err_clear(&e);
	ck_assert_int_eq(wishlist_add(a, &c, u.id, p2, &e), E_OK);
	/* twice is fine and lists once */
	err_clear(&e);
	ck_assert_int_eq(wishlist_add(a, &c, u.id, p1, &e), E_OK);
	err_clear(&e);
	ck_assert_int_eq(wishlist_list(a, u.id, &items, &n, &e), E_OK);
	ck_assert_int_eq(n, 2);
	ck_assert_int_gt(items[0].added_at, 0);
	ck_assert(strcasecmp(items[0].product_id, p1) == 0 || strcasecmp(items[0].product_id, p2) == 0);
	err_clear(&e);
	ck_assert_int_eq(wishlist_has(a, u.id, p1, &has, &e), E_OK);
	ck_assert(has);
	ck_assert_int_eq(wishlist_has(a, v.id, p1, &has, &e), E_OK);
	ck_assert(!has);
	ck_assert_int_eq(wishlist_has(a, u.id, "junk", &has, &e), E_OK);
	ck_assert(!has);

	/* unknown, draft and malformed products are not found */
	ck_assert_int_eq(uuid_v4(nope), 0);
	err_clear(&e);
	ck_assert_int_eq(wishlist_add(a, &c, u.id, nope, &e), E_NOT_FOUND);
	err_clear(&e);
	ck_assert_int_eq(wishlist_add(a, &c, u.id, draft, &e), E_NOT_FOUND);
	err_clear(&e);
	ck_assert_int_eq(wishlist_add(a, &c, u.id, "a-product-slug", &e), E_NOT_FOUND);

	/* remove: once, then it is not there; another user's list is theirs */
	err_clear(&e);
	ck_assert_int_eq(wishlist_remove(a, &c, v.id, p1, &e), E_NOT_FOUND);
	err_clear(&e);
	ck_assert_int_eq(wishlist_remove(a, &c, u.id, p1, &e), E_OK);
	err_clear(&e);
	ck_assert_int_eq(wishlist_remove(a, &c, u.id, p1, &e), E_NOT_FOUND);
	err_clear(&e);
	ck_assert_int_eq(wishlist_list(a, u.id, &items, &n, &e), E_OK);
	ck_assert_int_eq(n, 1);
	ck_assert(strcasecmp(items[0].product_id, p2) == 0);
}
END_TEST

/* ------------------------------------------------------------ 2FA */

START_TEST(totp_enrolment_replay_and_recovery_codes)
{
	error        e;
	user         u, got;
	user_ctx     c;
	const char  *secret, *uri, **codes, *again, *again_uri;
	const char **codes2;
	char         code[8], upper[RECOVERY_CODE_MAX], norm[RECOVERY_CODE_MAX], hex[65];
	db_conn     *db;
	bool         ok;
	time_t       now;

	mkuser("tf", ROLE_CUSTOMER, NULL, &u);
	c = ctx_of(&u);
	err_clear(&e);
	ck_assert_msg(user_totp_begin(a, &c, u.id, &secret, &uri, &e) == E_OK, "%s", e.message);
	ck_assert_int_ge(strlen(secret), 16);
	ck_assert_ptr_nonnull(strstr(uri, "otpauth://totp/"));
	ck_assert_ptr_nonnull(strstr(uri, secret));
	/* pending: not on yet, and a new begin replaces the secret */
	ck_assert_int_eq(user_get(a, u.id, &got, &e), E_OK);
	ck_assert(!got.totp_enabled);
	err_clear(&e);
	ck_assert_int_eq(user_totp_begin(a, &c, u.id, &again, &again_uri, &e), E_OK);
	ck_assert_str_ne(again, secret);
	secret = again;

	/* wrong and missing codes name the otp field */
	now = time(NULL);
	snprintf(code, sizeof code, "%06d", (totp_code(secret, now) + 500000) % 1000000);
	err_clear(&e);
	ck_assert_int_eq(user_totp_confirm(a, &c, u.id, code, &codes, &e), E_VALIDATION);
	ck_assert_ptr_nonnull(field_msg(&e, "otp"));
	err_clear(&e);
	ck_assert_int_eq(user_totp_confirm(a, &c, u.id, "", &codes, &e), E_VALIDATION);
	ck_assert_str_eq(field_msg(&e, "otp"), "is required");

	snprintf(code, sizeof code, "%06d", totp_code(secret, now));
	err_clear(&e);
	ck_assert_msg(user_totp_confirm(a, &c, u.id, code, &codes, &e) == E_OK, "%s", e.message);
	for (int i = 0; i < RECOVERY_CODES; i++) {
		ck_assert_ptr_nonnull(codes[i]);
		ck_assert_int_eq(strlen(codes[i]), 11);
	}
	ck_assert_ptr_null(codes[RECOVERY_CODES]);
	ck_assert_int_eq(user_get(a, u.id, &got, &e), E_OK);
	ck_assert(got.totp_enabled);
	/* stored hashed, never in the clear */
	ck_assert_str_eq(sql_value(arena_printf(a, "SELECT count(*) FROM users.recovery_codes"
	    " WHERE user_id = '%s' AND length(code_hash) = 64 AND used_at IS NULL", u.id)), "10");
	ck_assert_int_eq(recovery_code_normalize(codes[0], norm), 0);
	sha256_hex(norm, hex);
	ck_assert_str_eq(sql_value(arena_printf(a, "SELECT count(*) FROM users.recovery_codes"
	    " WHERE user_id = '%s' AND code_hash = '%s'", u.id, hex)), "1");
	ck_assert_str_eq(sql_value(arena_printf(a, "SELECT count(*) > 0 FROM users.outbox"
	    " WHERE aggregate_id = '%s' AND event_type LIKE '%%user.updated'", u.id)), "t");
	/* enrolling again needs turning it off first */
	err_clear(&e);
	ck_assert_int_eq(user_totp_begin(a, &c, u.id, &again, &again_uri, &e), E_CONFLICT);
	err_clear(&e);
	ck_assert_int_eq(user_totp_confirm(a, &c, u.id, code, &codes2, &e), E_CONFLICT);

	/* login's second step: the confirming code was spent, a later one works
	 * once */
	err_clear(&e);
	db = users_db(&e);
	ck_assert_ptr_nonnull(db);
	ck_assert_int_eq(twofactor_check(db, a, u.id, code, &ok, &e), E_OK);
	ck_assert(!ok);
	snprintf(code, sizeof code, "%06d", totp_code(secret, now + TOTP_STEP_S));
	ck_assert_int_eq(twofactor_check(db, a, u.id, code, &ok, &e), E_OK);
	ck_assert(ok);
	ck_assert_int_eq(twofactor_check(db, a, u.id, code, &ok, &e), E_OK);
	ck_assert(!ok);
	ck_assert_int_eq(twofactor_check(db, a, u.id, "", &ok, &e), E_OK);
	ck_assert(!ok);
	ck_assert_int_eq(twofactor_check(db, a, u.id, "000000-000000-000000-000000-0000000", &ok, &e), E_OK);
	ck_assert(!ok);

	/* a recovery code works once; case and dash do not matter */
	ck_assert_int_eq(twofactor_check(db, a, u.id, codes[0], &ok, &e), E_OK);
	ck_assert(ok);
	ck_assert_int_eq(twofactor_check(db, a, u.id, codes[0], &ok, &e), E_OK);
	ck_assert(!ok);
	for (size_t i = 0, j = 0; codes[1][i]; i++)
		if (codes[1][i] != '-') {
			upper[j++] = (char)(codes[1][i] >= 'a' && codes[1][i] <= 'z' ? codes[1][i] - 32 : codes[1][i]);
			upper[j] = '\0';
		}
	ck_assert_int_eq(twofactor_check(db, a, u.id, upper, &ok, &e), E_OK);
	ck_assert(ok);
	ck_assert_str_eq(sql_value(arena_printf(a, "SELECT count(*) FROM users.recovery_codes"
	    " WHERE user_id = '%s' AND used_at IS NOT NULL", u.id)), "2");

	/* off: the password is needed; then secret and codes are gone */
	err_clear(&e);
	ck_assert_int_eq(user_totp_disable(a, &c, u.id, "wrong password!", &e), E_VALIDATION);
	ck_assert_ptr_nonnull(field_msg(&e, "password"));
	err_clear(&e);
	ck_assert_int_eq(user_totp_disable(a, &c, u.id, NULL, &e), E_VALIDATION);
	err_clear(&e);
	ck_assert_msg(user_totp_disable(a, &c, u.id, "correct horse battery", &e) == E_OK, "%s", e.message);
	ck_assert_int_eq(user_get(a, u.id, &got, &e), E_OK);
	ck_assert(!got.totp_enabled);
	ck_assert_str_eq(sql_value(arena_printf(a, "SELECT count(*) FROM users.recovery_codes"
	    " WHERE user_id = '%s'", u.id)), "0");
	ck_assert_str_eq(sql_value(arena_printf(a, "SELECT totp_secret IS NULL FROM users.users"
	    " WHERE id = '%s'", u.id)), "t");
	ck_assert_int_eq(twofactor_check(db, a, u.id, codes[2], &ok, &e), E_OK);
	ck_assert(!ok);
	err_clear(&e);
	ck_assert_int_eq(user_totp_disable(a, &c, u.id, "correct horse battery", &e), E_CONFLICT);
}
END_TEST

START_TEST(admins_keep_required_2fa)
{
	error       e;
	user        adm, plain, cust;
	user_ctx    c;
	char        secret[TOTP_SECRET_B32_MAX], code[8];
	const char *s2, *uri;
	db_conn    *db;
	bool        ok;

	/* ECOM_ADMIN_2FA=required (main sets it) */
	ck_assert_int_eq(totp_secret_new(secret), 0);
	mkuser("a2", ROLE_ADMIN, secret, &adm);
	ck_assert(adm.totp_enabled);
	ck_assert(user_2fa_ok(&adm));
	mkuser("a3", ROLE_ADMIN, NULL, &plain);
	ck_assert(!user_2fa_ok(&plain));
	mkuser("a4", ROLE_CUSTOMER, NULL, &cust);
	ck_assert(user_2fa_ok(&cust));

	/* the secret a tool gave is live at once */
	snprintf(code, sizeof code, "%06d", totp_code(secret, time(NULL)));
	err_clear(&e);
	db = users_db(&e);
	ck_assert_ptr_nonnull(db);
	ck_assert_int_eq(twofactor_check(db, a, adm.id, code, &ok, &e), E_OK);
	ck_assert(ok);

	c = ctx_of(&adm);
	err_clear(&e);
	ck_assert_int_eq(user_totp_disable(a, &c, adm.id, "correct horse battery", &e), E_FORBIDDEN);
	ck_assert_ptr_nonnull(strstr(e.message, "required for admin"));
	err_clear(&e);
	ck_assert_int_eq(user_totp_begin(a, &c, adm.id, &s2, &uri, &e), E_CONFLICT);
	/* a customer without 2FA has nothing to check */
	ck_assert_int_eq(twofactor_check(db, a, cust.id, code, &ok, &e), E_OK);
	ck_assert(!ok);
}
END_TEST

/* ------------------------------------------------------------ admin */

START_TEST(admin_list_search_filter_page)
{
	error       e;
	user        m, x, y, s, w;
	user_filter f;
	page        pg = { 1, 2, 0 };
	user_page   out;
	user_ctx    cm;
	user_admin_input in = { -1, 0 };
	user        changed;

	mkuser("lm", ROLE_ADMIN, NULL, &m);
	mkuser("lx", ROLE_CUSTOMER, NULL, &x);
	mkuser("ly", ROLE_CUSTOMER, NULL, &y);
	mkuser("ls", ROLE_SELLER, NULL, &s);
	err_clear(&e);
	/* a last name with LIKE's wildcards in it */
	ck_assert_int_eq(user_create_direct(a, arena_printf(a, "lw-%s@example.com", tag),
	    "correct horse battery", "Wil", arena_printf(a, "W_ld%%%s", tag), ROLE_CUSTOMER,
	    NULL, &w, &e), E_OK);
	cm = ctx_of(&m);

	f = (user_filter){ tag, -1, -1 };
	err_clear(&e);
	ck_assert_msg(user_list(a, &f, &pg, &out, &e) == E_OK, "%s", e.message);
	ck_assert_int_eq(out.total, 5);
	ck_assert_int_eq(out.n, 2);
	/* newest first */
	ck_assert_str_eq(out.items[0].id, w.id);
	pg = (page){ 3, 2, 4 };
	ck_assert_int_eq(user_list(a, &f, &pg, &out, &e), E_OK);
	ck_assert_int_eq(out.n, 1);
	ck_assert_str_eq(out.items[0].id, m.id);
	pg = (page){ 4, 2, 6 };
	ck_assert_int_eq(user_list(a, &f, &pg, &out, &e), E_OK);
	ck_assert_int_eq(out.n, 0);
	ck_assert_int_eq(out.total, 5);

	/* by e-mail, first name, and case-insensitively */
	f.search = arena_printf(a, "LX-%s@EXAMPLE", tag);
	ck_assert_int_eq(user_list(a, &f, NULL, &out, &e), E_OK);
	ck_assert_int_eq(out.total, 1);
	ck_assert_str_eq(out.items[0].id, x.id);
	/* wildcards are literal: '_' and '%' match only themselves */
	f.search = arena_printf(a, "T_g%s", tag);
	ck_assert_int_eq(user_list(a, &f, NULL, &out, &e), E_OK);
	ck_assert_int_eq(out.total, 0);
	f.search = arena_printf(a, "_ld%%%s", tag);
	ck_assert_int_eq(user_list(a, &f, NULL, &out, &e), E_OK);
	ck_assert_int_eq(out.total, 1);
	ck_assert_str_eq(out.items[0].id, w.id);
	f.search = arena_printf(a, "Wil W_ld%%%s", tag);	/* the full name */
	ck_assert_int_eq(user_list(a, &f, NULL, &out, &e), E_OK);
	ck_assert_int_eq(out.total, 1);

	/* role and active filters */
	f = (user_filter){ tag, ROLE_SELLER, -1 };
	ck_assert_int_eq(user_list(a, &f, NULL, &out, &e), E_OK);
	ck_assert_int_eq(out.total, 1);
	ck_assert_str_eq(out.items[0].id, s.id);
	err_clear(&e);
	ck_assert_int_eq(user_admin_update(a, &cm, y.id, &in, &changed, &e), E_OK);
	f = (user_filter){ tag, -1, 0 };
	ck_assert_int_eq(user_list(a, &f, NULL, &out, &e), E_OK);
	ck_assert_int_eq(out.total, 1);
	ck_assert_str_eq(out.items[0].id, y.id);
	f = (user_filter){ tag, ROLE_CUSTOMER, 1 };
	ck_assert_int_eq(user_list(a, &f, NULL, &out, &e), E_OK);
	ck_assert_int_eq(out.total, 2);

	/* bad parameters */
	f = (user_filter){ NULL, 7, -1 };
	err_clear(&e);
	ck_assert_int_eq(user_list(a, &f, NULL, &out, &e), E_INVALID_PARAMETER);
	pg = (page){ 1, 101, 0 };
	f = (user_filter){ NULL, -1, -1 };
	err_clear(&e);
	ck_assert_int_eq(user_list(a, &f, &pg, &out, &e), E_INVALID_PARAMETER);
	{
		char *longs = arena_alloc(a, USER_SEARCH_MAX + 2);

		memset(longs, 's', USER_SEARCH_MAX + 1);
		longs[USER_SEARCH_MAX + 1] = '\0';
		f.search = longs;
		err_clear(&e);
		ck_assert_int_eq(user_list(a, &f, NULL, &out, &e), E_INVALID_PARAMETER);
	}
}
END_TEST

START_TEST(admin_changes_roles_and_deactivates)
{
	error            e;
	user             m, x, out;
	user_ctx         cm, cx;
	user_admin_input in;
	char             sid[37];

	mkuser("rm", ROLE_ADMIN, NULL, &m);
	mkuser("rx", ROLE_CUSTOMER, NULL, &x);
	cm = ctx_of(&m);
	cx = ctx_of(&x);

	/* no self-demotion or self-deactivation, so an admin always remains */
	in = (user_admin_input){ ROLE_CUSTOMER, -1 };
	err_clear(&e);
	ck_assert_int_eq(user_admin_update(a, &cm, m.id, &in, &out, &e), E_CONFLICT);
	in = (user_admin_input){ -1, 0 };
	err_clear(&e);
	ck_assert_int_eq(user_admin_update(a, &cm, m.id, &in, &out, &e), E_CONFLICT);
	/* keeping one's own role is no demotion */
	in = (user_admin_input){ ROLE_ADMIN, 1 };
	err_clear(&e);
	ck_assert_int_eq(user_admin_update(a, &cm, m.id, &in, &out, &e), E_OK);
	ck_assert_int_eq(out.role, ROLE_ADMIN);
	/* only admins */
	in = (user_admin_input){ ROLE_ADMIN, -1 };
	err_clear(&e);
	ck_assert_int_eq(user_admin_update(a, &cx, x.id, &in, &out, &e), E_FORBIDDEN);
	/* bad values and unknown users */
	in = (user_admin_input){ 9, 4 };
	err_clear(&e);
	ck_assert_int_eq(user_admin_update(a, &cm, x.id, &in, &out, &e), E_VALIDATION);
	ck_assert_ptr_nonnull(field_msg(&e, "role"));
	ck_assert_ptr_nonnull(field_msg(&e, "active"));
	in = (user_admin_input){ ROLE_SELLER, -1 };
	err_clear(&e);
	ck_assert_int_eq(user_admin_update(a, &cm, "nope", &in, &out, &e), E_NOT_FOUND);
	ck_assert_int_eq(uuid_v4(sid), 0);
	err_clear(&e);
	ck_assert_int_eq(user_admin_update(a, &cm, sid, &in, &out, &e), E_NOT_FOUND);

	/* promotion, with its event */
	err_clear(&e);
	ck_assert_msg(user_admin_update(a, &cm, x.id, &in, &out, &e) == E_OK, "%s", e.message);
	ck_assert_int_eq(out.role, ROLE_SELLER);
	ck_assert_str_eq(sql_value(arena_printf(a, "SELECT count(*) FROM users.outbox"
	    " WHERE aggregate_id = '%s' AND event_type LIKE '%%user.updated'", x.id)), "1");

	/* deactivation revokes every live session */
	ck_assert_int_eq(uuid_v4(sid), 0);
	sql_value(arena_printf(a, "INSERT INTO users.sessions (id, user_id, expires_at)"
	    " VALUES ('%s', '%s', now() + interval '1 day')", sid, x.id));
	ck_assert(!user_session_revoked(a, sid));
	in = (user_admin_input){ -1, 0 };
	err_clear(&e);
	ck_assert_msg(user_admin_update(a, &cm, x.id, &in, &out, &e) == E_OK, "%s", e.message);
	ck_assert(!out.active);
	ck_assert_int_eq(out.role, ROLE_SELLER);
	ck_assert(user_session_revoked(a, sid));
	ck_assert_str_eq(sql_value(arena_printf(a, "SELECT revoked_at IS NOT NULL FROM users.sessions"
	    " WHERE id = '%s'", sid)), "t");
	/* and back */
	in = (user_admin_input){ -1, 1 };
	err_clear(&e);
	ck_assert_int_eq(user_admin_update(a, &cm, x.id, &in, &out, &e), E_OK);
	ck_assert(out.active);
	ck_assert_str_eq(sql_value(arena_printf(a, "SELECT count(*) FROM users.outbox"
	    " WHERE aggregate_id = '%s' AND event_type LIKE '%%user.updated'", x.id)), "3");
}
END_TEST

int
main(void)
{
	Suite *s;
	TCase *tc;

	/* cheap hashes for the many accounts made here; the policy is fixed */
	setenv("ECOM_PASSWORD_COST", "4", 1);
	setenv("ECOM_ADMIN_2FA", "required", 1);
	if (config_init() != 0)
		return 1;
	if (config_raw("ECOM_DB_URL") == NULL || config_raw("ECOM_REDIS_URL") == NULL) {
		puts("SKIP: set ECOM_DB_URL and ECOM_REDIS_URL (or ECOM_CONFIG) to real servers");
		return 77;
	}
	s = suite_create("user_extra");
	tc = tcase_create("accounts");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, create_direct_validates_and_refuses_duplicates);
	tcase_add_test(tc, addresses_crud_and_ownership);
	tcase_add_test(tc, addresses_keep_exactly_one_default);
	tcase_add_test(tc, addresses_validate_every_field);
	tcase_add_test(tc, addresses_are_bounded_per_user);
	tcase_add_test(tc, wishlist_with_demo_products);
	tcase_add_test(tc, totp_enrolment_replay_and_recovery_codes);
	tcase_add_test(tc, admins_keep_required_2fa);
	tcase_add_test(tc, admin_list_search_filter_page);
	tcase_add_test(tc, admin_changes_roles_and_deactivates);
	suite_add_tcase(s, tc);
	return check_run(s);
}
