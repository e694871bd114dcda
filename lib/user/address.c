/*
 * address.c — a user's postal addresses.
 *
 * Every statement carries `user_id = $n` beside the address id, so an id
 * that belongs to someone else behaves exactly like one that does not
 * exist (E_NOT_FOUND) and ids cannot be probed.  A user with addresses has
 * exactly one default: the first address becomes it, choosing another
 * clears the old one in the same transaction (the partial unique index
 * addresses_one_default backs this up), and deleting the default promotes
 * the most recently created of the others.  Writes lock the user's row
 * first, so two concurrent requests cannot both slip under ADDRESSES_MAX or
 * both pick a default.
 */
#include <ctype.h>
#include <string.h>

#include "core/parse.h"
#include "core/util.h"
#include "user/internal.h"

#define STR_(x) #x
#define STR(x) STR_(x)

#define ADDRESS_COLS \
	"id, user_id, label, first_name, last_name, address_line1, address_line2," \
	" city, state, postal_code, country_code, phone, is_default," \
	" extract(epoch FROM created_at)::bigint, extract(epoch FROM updated_at)::bigint"

/* The default first, then in the order they were added. */
static db_stmt list_stmt = DB_STMT("users_address_list",
    "SELECT " ADDRESS_COLS " FROM users.addresses WHERE user_id = $1::uuid"
    " ORDER BY is_default DESC, created_at, id LIMIT " STR(ADDRESSES_MAX), 1);

static db_stmt get_stmt = DB_STMT("users_address_get",
    "SELECT " ADDRESS_COLS " FROM users.addresses"
    " WHERE id = $1::uuid AND user_id = $2::uuid", 2);

/* Serialises a user's address writes; no row means no such user. */
static db_stmt lock_user_stmt = DB_STMT("users_address_lock_user",
    "SELECT (SELECT count(*) FROM users.addresses a WHERE a.user_id = u.id)"
    " FROM users.users u WHERE u.id = $1::uuid FOR UPDATE", 1);

static db_stmt insert_stmt = DB_STMT("users_address_insert",
    "INSERT INTO users.addresses (id, user_id, label, first_name, last_name,"
    " address_line1, address_line2, city, state, postal_code, country_code,"
    " phone, is_default)"
    " VALUES ($1::uuid, $2::uuid, coalesce($3::text, ''), $4::text, $5::text,"
    " $6::text, coalesce($7::text, ''), $8::text, coalesce($9::text, ''), $10::text,"
    " $11::text, coalesce($12::text, ''), $13::boolean)", 13);

static db_stmt update_stmt = DB_STMT("users_address_update",
    "UPDATE users.addresses SET"
    " label = coalesce($3::text, label),"
    " first_name = coalesce($4::text, first_name),"
    " last_name = coalesce($5::text, last_name),"
    " address_line1 = coalesce($6::text, address_line1),"
    " address_line2 = coalesce($7::text, address_line2),"
    " city = coalesce($8::text, city),"
    " state = coalesce($9::text, state),"
    " postal_code = coalesce($10::text, postal_code),"
    " country_code = coalesce($11::text, country_code),"
    " phone = coalesce($12::text, phone),"
    " is_default = is_default OR coalesce($13::boolean, false),"
    " updated_at = now()"
    " WHERE id = $1::uuid AND user_id = $2::uuid", 13);

/* Run before making `keep` the default: the unique index is not
 * deferrable, so the old default must go first. */
static db_stmt clear_default_stmt = DB_STMT("users_address_clear_default",
    "UPDATE users.addresses SET is_default = false, updated_at = now()"
    " WHERE user_id = $1::uuid AND is_default AND id <> $2::uuid", 2);

static db_stmt delete_stmt = DB_STMT("users_address_delete",
    "DELETE FROM users.addresses WHERE id = $1::uuid AND user_id = $2::uuid"
    " RETURNING is_default", 2);

static db_stmt promote_stmt = DB_STMT("users_address_promote",
    "UPDATE users.addresses SET is_default = true, updated_at = now()"
    " WHERE id = (SELECT id FROM users.addresses WHERE user_id = $1::uuid"
    " ORDER BY created_at DESC, id DESC LIMIT 1)", 1);

/* ------------------------------------------------------------ rows */

static const char *
col(const PGresult *r, int i, int c)
{
	const char *v = db_val(r, i, c);

	return v ? v : "";
}

static void
address_from_row(const PGresult *r, int i, address *ad)
{
	ad->id = col(r, i, 0);
	ad->user_id = col(r, i, 1);
	ad->label = col(r, i, 2);
	ad->first_name = col(r, i, 3);
	ad->last_name = col(r, i, 4);
	ad->address_line1 = col(r, i, 5);
	ad->address_line2 = col(r, i, 6);
	ad->city = col(r, i, 7);
	ad->state = col(r, i, 8);
	ad->postal_code = col(r, i, 9);
	ad->country_code = col(r, i, 10);
	ad->phone = col(r, i, 11);
	ad->is_default = db_bool(r, i, 12);
	ad->created_at = db_i64(r, i, 13);
	ad->updated_at = db_i64(r, i, 14);
}

static ecode
not_found(error *e)
{
	return err_set(e, E_NOT_FOUND, "address not found");
}

static ecode
fail(error *e, ecode code)
{
	if (e->code == E_OK)
		err_set(e, code, "the address could not be saved");
	return e->code;
}

/* ------------------------------------------------------------ validation */

/*
 * ISO 3166-1 alpha-2: the 249 officially assigned codes, so a typo such as
 * "UK" or "XX" is refused before a carrier has to refuse the parcel.
 */
static const char countries[] =
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ "
    "BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ "
    "CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ "
    "DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR "
    "GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY "
    "HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP "
    "KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY "
    "MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ "
    "NA NC NE NF NG NI NL NO NP NR NU NZ OM "
    "PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW "
    "SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ "
    "TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ "
    "VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

static bool
country_assigned(const char cc[3])
{
	/* codes every 3 bytes; the last one has no space after it */
	for (size_t i = 0; i + 2 <= sizeof countries - 1; i += 3)
		if (countries[i] == cc[0] && countries[i + 1] == cc[1])
			return true;
	return false;
}

/* The input with every text trimmed of surrounding white space and the
 * country code upper-cased: what is validated is what is stored. */
static char *
trimmed(arena *a, const char *s, bool *oom)
{
	char  *t;
	size_t n;

	if (!s)
		return NULL;
	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (!(t = arena_strndup(a, s, n)))
		*oom = true;
	return t;
}

static bool
has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

/* A one-line text of at most max characters, at least one when required. */
static void
check_line(error *e, const char *key, const char *s, bool required, size_t max)
{
	size_t n;

	if (!s)
		return;
	n = strlen(s);
	if (!utf8_valid(s, n) || has_control(s)) {
		err_field(e, key, "must be one line of text without control characters");
		return;
	}
	if (required && n == 0)
		err_field(e, key, "is required");
	else if (utf8_len(s, n) > max)
		err_field(e, key, "must be at most %zu characters", max);
}

static bool
has_field(const error *e, const char *key)
{
	for (int i = 0; i < e->nfields; i++)
		if (strcmp(e->fields[i].name, key) == 0)
			return true;
	return false;
}

static void
check_postal(error *e, const char *s)
{
	if (!s)
		return;
	check_line(e, "postal_code", s, true, ADDRESS_POSTAL_MAX);
	if (has_field(e, "postal_code"))
		return;
	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != ' ' && *p != '-') {
			err_field(e, "postal_code", "may contain only letters, digits, spaces and hyphens");
			return;
		}
}

static void
check_phone(error *e, const char *s)
{
	size_t digits = 0;

	if (!s || !*s)
		return;
	if (strlen(s) > USER_PHONE_MAX) {
		err_field(e, "phone", "must be at most %d characters", USER_PHONE_MAX);
		return;
	}
	for (const char *p = s; *p; p++) {
		if (isdigit((unsigned char)*p))
			digits++;
		else if (!strchr("+-() .", *p) || (*p == '+' && p != s)) {
			err_field(e, "phone", "may contain only digits, spaces, - ( ) . and a leading +");
			return;
		}
	}
	if (digits < 3)
		err_field(e, "phone", "needs at least 3 digits");
}

/* Upper-cases in place (the string is our arena copy). */
static void
check_country(error *e, char *s)
{
	if (!s)
		return;
	if (strlen(s) != 2 || !isalpha((unsigned char)s[0]) || !isalpha((unsigned char)s[1])) {
		err_field(e, "country_code", "must be a two-letter ISO 3166-1 country code such as DE or US");
		return;
	}
	s[0] = (char)toupper((unsigned char)s[0]);
	s[1] = (char)toupper((unsigned char)s[1]);
	if (!country_assigned(s))
		err_field(e, "country_code", "%s is not an ISO 3166-1 country code", s);
}

/*
 * Trim and check every field of in into out, reporting all bad fields
 * together.  On create the required fields must be present; on update an
 * absent field is left unchanged but a present one must still be valid.
 */
static ecode
address_validate(arena *a, const address_input *in, bool create, address_input *out,
    error *e)
{
	bool  oom = false;
	char *country;

	out->label = trimmed(a, in->label, &oom);
	out->first_name = trimmed(a, in->first_name, &oom);
	out->last_name = trimmed(a, in->last_name, &oom);
	out->address_line1 = trimmed(a, in->address_line1, &oom);
	out->address_line2 = trimmed(a, in->address_line2, &oom);
	out->city = trimmed(a, in->city, &oom);
	out->state = trimmed(a, in->state, &oom);
	out->postal_code = trimmed(a, in->postal_code, &oom);
	out->country_code = country = trimmed(a, in->country_code, &oom);
	out->phone = trimmed(a, in->phone, &oom);
	out->is_default = in->is_default;
	if (oom)
		return err_set(e, E_INTERNAL, "out of memory");

	if (create) {
		static const char *const required[] = {
			"first_name", "last_name", "address_line1", "city",
			"postal_code", "country_code"
		};
		const char *vals[] = {
			out->first_name, out->last_name, out->address_line1, out->city,
			out->postal_code, out->country_code
		};

		for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
			if (!vals[i])
				err_field(e, required[i], "is required");
	}
	check_line(e, "label", out->label, false, ADDRESS_LABEL_MAX);
	check_line(e, "first_name", out->first_name, true, USER_NAME_MAX);
	check_line(e, "last_name", out->last_name, true, USER_NAME_MAX);
	check_line(e, "address_line1", out->address_line1, true, ADDRESS_FIELD_MAX);
	check_line(e, "address_line2", out->address_line2, false, ADDRESS_FIELD_MAX);
	check_line(e, "city", out->city, true, ADDRESS_FIELD_MAX);
	check_line(e, "state", out->state, false, ADDRESS_FIELD_MAX);
	check_postal(e, out->postal_code);
	check_country(e, country);
	check_phone(e, out->phone);
	if (in->is_default < -1 || in->is_default > 1)
		err_field(e, "is_default", "must be true or false");
	return e->code;
}

/* ------------------------------------------------------------ reads */

ecode
address_list(arena *a, const char *user_id, address **out, size_t *n, error *e)
{
	const char *p[1] = { user_id };
	db_conn    *c;
	PGresult   *r;
	int         rows;

	*out = NULL;
	*n = 0;
	if (!user_id || !uuid_valid(user_id))
		return err_set(e, E_NOT_FOUND, "user not found");
	if (!(c = users_db(e)))
		return fail(e, E_UNAVAILABLE);
	if (!(r = db_exec(c, a, &list_stmt, p, e)))
		return fail(e, E_INTERNAL);
	rows = PQntuples(r);
	if (rows == 0)
		return E_OK;
	if (!(*out = arena_calloc(a, (size_t)rows, sizeof **out)))
		return err_set(e, E_INTERNAL, "out of memory");
	for (int i = 0; i < rows; i++)
		address_from_row(r, i, &(*out)[i]);
	*n = (size_t)rows;
	return E_OK;
}

static ecode
load(db_conn *c, arena *a, const char *user_id, const char *id, address *out, error *e)
{
	const char *p[2] = { id, user_id };
	PGresult   *r;

	if (!(r = db_exec(c, a, &get_stmt, p, e)))
		return fail(e, E_INTERNAL);
	if (PQntuples(r) != 1)
		return not_found(e);
	address_from_row(r, 0, out);
	return E_OK;
}

ecode
address_get(arena *a, const char *user_id, const char *id, address *out, error *e)
{
	db_conn *c;

	if (!user_id || !id || !uuid_valid(user_id) || !uuid_valid(id))
		return not_found(e);
	if (!(c = users_db(e)))
		return fail(e, E_UNAVAILABLE);
	return load(c, a, user_id, id, out, e);
}

/* ------------------------------------------------------------ writes */

typedef struct address_tx {
	const char          *user_id;
	const char          *id;
	const address_input *in;	/* validated */
	address             *out;
	bool                 was_default;	/* delete: the row removed was */
} address_tx;

/* Lock the user's row; the number of addresses they have. */
static ecode
lock_user(db_conn *c, arena *a, const char *user_id, int64_t *count, error *e)
{
	const char *p[1] = { user_id };
	PGresult   *r;

	if (!(r = db_exec(c, a, &lock_user_stmt, p, e)))
		return fail(e, E_INTERNAL);
	if (PQntuples(r) != 1)
		return err_set(e, E_NOT_FOUND, "user not found");
	*count = db_i64(r, 0, 0);
	return E_OK;
}

static ecode
clear_default(db_conn *c, arena *a, const char *user_id, const char *keep, error *e)
{
	const char *p[2] = { user_id, keep };

	return db_exec(c, a, &clear_default_stmt, p, e) ? E_OK : fail(e, E_INTERNAL);
}

static void
input_params(const address_tx *t, const char *p[13], const char *is_default)
{
	p[0] = t->id;
	p[1] = t->user_id;
	p[2] = t->in->label;
	p[3] = t->in->first_name;
	p[4] = t->in->last_name;
	p[5] = t->in->address_line1;
	p[6] = t->in->address_line2;
	p[7] = t->in->city;
	p[8] = t->in->state;
	p[9] = t->in->postal_code;
	p[10] = t->in->country_code;
	p[11] = t->in->phone;
	p[12] = is_default;
}

static ecode
create_tx(db_conn *c, arena *a, void *ud, error *e)
{
	address_tx *t = ud;
	const char *p[13];
	int64_t     count;
	bool        make_default;

	if (lock_user(c, a, t->user_id, &count, e) != E_OK)
		return e->code;
	if (count >= ADDRESSES_MAX)
		return err_set(e, E_CONFLICT, "you can keep at most %d addresses; "
		    "delete one before adding another", ADDRESSES_MAX);
	/* The first address is the default whatever was asked. */
	make_default = count == 0 || t->in->is_default == 1;
	if (make_default && count > 0 && clear_default(c, a, t->user_id, t->id, e) != E_OK)
		return e->code;
	input_params(t, p, make_default ? "true" : "false");
	if (!db_exec(c, a, &insert_stmt, p, e))
		return fail(e, E_INTERNAL);
	return load(c, a, t->user_id, t->id, t->out, e);
}

ecode
address_create(arena *a, const user_ctx *ctx, const char *user_id,
    const address_input *in, address *out, error *e)
{
	address_input v;
	char          id[37];
	address_tx    t = { user_id, id, &v, NULL, false };
	db_conn      *c;

	(void)ctx;
	/* set apart from the initializer: cppcheck's whole-program check
	 * reads a pointer to a caller's unfilled struct there as a use */
	t.out = out;
	if (!user_id || !uuid_valid(user_id))
		return err_set(e, E_NOT_FOUND, "user not found");
	if (address_validate(a, in, true, &v, e) != E_OK)
		return e->code;
	if (uuid_v4(id) != 0)
		return err_set(e, E_INTERNAL, "no randomness for an id");
	if (!(c = users_db(e)))
		return fail(e, E_UNAVAILABLE);
	return db_tx(c, a, create_tx, &t, e);
}

static ecode
update_tx(db_conn *c, arena *a, void *ud, error *e)
{
	address_tx *t = ud;
	const char *p[13];
	int64_t     count;
	PGresult   *r;

	if (lock_user(c, a, t->user_id, &count, e) != E_OK)
		return e->code;
	if (t->in->is_default == 1 && clear_default(c, a, t->user_id, t->id, e) != E_OK)
		return e->code;
	/*
	 * is_default false is not applied: a user with addresses always has
	 * a default, which moves only by choosing another one (the SQL keeps
	 * is_default unless asked to set it).
	 */
	input_params(t, p, t->in->is_default == 1 ? "true" : NULL);
	if (!(r = db_exec(c, a, &update_stmt, p, e)))
		return fail(e, E_INTERNAL);
	if (strcmp(PQcmdTuples(r), "1") != 0)
		return not_found(e);
	return load(c, a, t->user_id, t->id, t->out, e);
}

ecode
address_update(arena *a, const user_ctx *ctx, const char *user_id, const char *id,
    const address_input *in, address *out, error *e)
{
	address_input v;
	address_tx    t = { user_id, id, &v, NULL, false };
	db_conn      *c;

	(void)ctx;
	t.out = out;	/* see address_create */
	if (!user_id || !id || !uuid_valid(user_id) || !uuid_valid(id))
		return not_found(e);
	if (address_validate(a, in, false, &v, e) != E_OK)
		return e->code;
	if (!(c = users_db(e)))
		return fail(e, E_UNAVAILABLE);
	return db_tx(c, a, update_tx, &t, e);
}

static ecode
delete_tx(db_conn *c, arena *a, void *ud, error *e)
{
	address_tx *t = ud;
	const char *p[2] = { t->id, t->user_id };
	int64_t     count;
	PGresult   *r;

	if (lock_user(c, a, t->user_id, &count, e) != E_OK)
		return e->code;
	if (!(r = db_exec(c, a, &delete_stmt, p, e)))
		return fail(e, E_INTERNAL);
	if (PQntuples(r) != 1)
		return not_found(e);
	t->was_default = db_bool(r, 0, 0);
	if (t->was_default && !db_exec(c, a, &promote_stmt, p + 1, e))
		return fail(e, E_INTERNAL);
	return E_OK;
}

ecode
address_delete(arena *a, const user_ctx *ctx, const char *user_id, const char *id,
    error *e)
{
	address_tx t = { user_id, id, NULL, NULL, false };
	db_conn   *c;

	(void)ctx;
	if (!user_id || !id || !uuid_valid(user_id) || !uuid_valid(id))
		return not_found(e);
	if (!(c = users_db(e)))
		return fail(e, E_UNAVAILABLE);
	return db_tx(c, a, delete_tx, &t, e);
}
