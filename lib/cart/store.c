/*
 * store.c — carts in Redis: the hash layout and one Lua script per change.
 *
 * One hash per cart, key "cart:u:<user uuid>" or "cart:g:<guest hex id>":
 *   v   the version, increased by every change
 *   id  the cart's id (the guest id, or a UUID for a user's cart)
 *   uid the owner's user id ("" for a guest)
 *   c   coupon codes as entered, one per line
 *   n   the last line sequence number (keeps lines in the order added)
 *   l:<product id>:<variant id>   "<quantity> <unit price when added> <seq>"
 *
 * Every change appends its ecommerce.cart.* event to the stream
 * OUTBOX_STREAM ("e" = the envelope), which the relay drains like the
 * PostgreSQL outboxes (lib/events).
 *
 * A script is the unit of atomicity: Redis runs it alone, so checking the
 * expected version, applying the limits, writing, bumping the version and
 * refreshing the expiry cannot interleave with another writer.  Scripts
 * answer {status, version, extra} rather than raising errors, because
 * redis.c turns an error reply into a 500 and a refusal here is the
 * client's (409, 400).  They are sent with EVAL each time: a few hundred
 * bytes, and no NOSCRIPT round trip after a Redis restart.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/outbox.h"
#include "core/parse.h"
#include "core/redis.h"
#include "internal.h"

/* Shared head of every change script: ARGV[1] expected version ("" any),
 * ARGV[2] ttl, ARGV[3] id of a new cart, ARGV[4] owner; the last ARGV is
 * the event's envelope and the last KEYS the event stream.  bump() ends a
 * change that happened: it moves the version and appends the event with
 * the cart's id, new version and line count to the stream — in the same
 * script, so a change and its event exist together or not at all. */
#define HEAD \
	"local k = KEYS[1]\n" \
	"local v = tonumber(redis.call('HGET', k, 'v') or '0')\n" \
	"if ARGV[1] ~= '' and tonumber(ARGV[1]) ~= v then return {'conflict', v, 0} end\n" \
	"local function nlines(key)\n" \
	"  local n = 0\n" \
	"  for _, f in ipairs(redis.call('HKEYS', key)) do\n" \
	"    if string.sub(f, 1, 2) == 'l:' then n = n + 1 end\n" \
	"  end\n" \
	"  return n\n" \
	"end\n" \
	"local function bump()\n" \
	"  v = v + 1\n" \
	"  redis.call('HSET', k, 'v', v, 'uid', ARGV[4])\n" \
	"  redis.call('HSETNX', k, 'id', ARGV[3])\n" \
	"  redis.call('EXPIRE', k, ARGV[2])\n" \
	"  local ev, id = cjson.decode(ARGV[#ARGV]), redis.call('HGET', k, 'id')\n" \
	"  if #id == 32 then\n" \
	"    id = string.sub(id, 1, 8) .. '-' .. string.sub(id, 9, 12) .. '-' ..\n" \
	"      string.sub(id, 13, 16) .. '-' .. string.sub(id, 17, 20) .. '-' .. string.sub(id, 21)\n" \
	"  end\n" \
	"  ev.aggregate_id = id\n" \
	"  ev.data.cart_id = id\n" \
	"  ev.data.version = v\n" \
	"  ev.data.line_count = nlines(k)\n" \
	"  redis.call('XADD', KEYS[#KEYS], 'MAXLEN', '~', '" OUTBOX_STREAM_MAX "', '*', 'e'," \
	"    cjson.encode(ev))\n" \
	"end\n" \
	"local function parse(s)\n" \
	"  local q, p, seq = string.match(s or '', '^(%d+) (%-?%d+) (%d+)$')\n" \
	"  return tonumber(q or '0'), p or '0', seq or '0'\n" \
	"end\n"

/* ARGV[5] field, [6] quantity, [7] price now, [8] per-line max, [9] lines max. */
static const char add_lua[] = HEAD
	"local cur = redis.call('HGET', k, ARGV[5])\n"
	"local q, seq = tonumber(ARGV[6]), nil\n"
	"if cur then\n"
	"  local oq, op, os = parse(cur)\n"
	"  if oq + q > tonumber(ARGV[8]) then return {'quantity', v, oq} end\n"
	"  q, seq = oq + q, os\n"
	"else\n"
	"  local n = nlines(k)\n"
	"  if n >= tonumber(ARGV[9]) then return {'lines', v, n} end\n"
	"  seq = redis.call('HINCRBY', k, 'n', 1)\n"
	"end\n"
	/* adding again means the customer saw today's price */
	"redis.call('HSET', k, ARGV[5], q .. ' ' .. ARGV[7] .. ' ' .. seq)\n"
	"bump()\n"
	"return {'ok', v, q}\n";

/* ARGV[5] field, [6] quantity (0 removes). */
static const char set_lua[] = HEAD
	"local cur = redis.call('HGET', k, ARGV[5])\n"
	"if not cur then return {'missing', v, 0} end\n"
	"local q = tonumber(ARGV[6])\n"
	"if q == 0 then\n"
	"  redis.call('HDEL', k, ARGV[5])\n"
	"else\n"
	"  local oq, op, os = parse(cur)\n"
	"  redis.call('HSET', k, ARGV[5], q .. ' ' .. op .. ' ' .. os)\n"
	"end\n"
	"bump()\n"
	"return {'ok', v, q}\n";

/* ARGV[5] field; removing what is not there changes nothing. */
static const char remove_lua[] = HEAD
	"if redis.call('HDEL', k, ARGV[5]) == 0 then return {'ok', v, 0} end\n"
	"bump()\n"
	"return {'ok', v, 1}\n";

/* The version survives a clear, so a client holding an old one still
 * gets a conflict rather than writing into a cart it never saw. */
static const char clear_lua[] = HEAD
	"if redis.call('EXISTS', k) == 0 then return {'ok', v, 0} end\n"
	"for _, f in ipairs(redis.call('HKEYS', k)) do\n"
	"  if string.sub(f, 1, 2) == 'l:' or f == 'c' then redis.call('HDEL', k, f) end\n"
	"end\n"
	"bump()\n"
	"return {'ok', v, 0}\n";

/* ARGV[5] code, [6] max codes; the same code in another case is the same. */
static const char coupon_add_lua[] = HEAD
	"local list = {}\n"
	"for code in string.gmatch(redis.call('HGET', k, 'c') or '', '[^\\n]+') do\n"
	"  if string.upper(code) == string.upper(ARGV[5]) then return {'ok', v, 0} end\n"
	"  table.insert(list, code)\n"
	"end\n"
	"if #list >= tonumber(ARGV[6]) then return {'coupons', v, #list} end\n"
	"table.insert(list, ARGV[5])\n"
	"redis.call('HSET', k, 'c', table.concat(list, '\\n'))\n"
	"bump()\n"
	"return {'ok', v, #list}\n";

static const char coupon_remove_lua[] = HEAD
	"local list, found = {}, false\n"
	"for code in string.gmatch(redis.call('HGET', k, 'c') or '', '[^\\n]+') do\n"
	"  if string.upper(code) == string.upper(ARGV[5]) then found = true\n"
	"  else table.insert(list, code) end\n"
	"end\n"
	"if not found then return {'missing', v, 0} end\n"
	"if #list == 0 then redis.call('HDEL', k, 'c')\n"
	"else redis.call('HSET', k, 'c', table.concat(list, '\\n')) end\n"
	"bump()\n"
	"return {'ok', v, #list}\n";

/*
 * KEYS[1] the user's cart, KEYS[2] the guest's; ARGV[5] per-line max,
 * [6] lines max, [7] codes max.  Guest lines go in the order they were
 * added; a line both carts hold sums, capped; lines past the limit are
 * dropped and counted.  The guest cart is deleted in the same step, so a
 * second login with the same cookie merges nothing twice.
 */
static const char merge_lua[] = HEAD
	"local g = KEYS[2]\n"
	"if redis.call('EXISTS', g) == 0 then return {'none', v, 0} end\n"
	"local gl, gc = {}, ''\n"
	"local h = redis.call('HGETALL', g)\n"
	"for i = 1, #h, 2 do\n"
	"  if string.sub(h[i], 1, 2) == 'l:' then\n"
	"    local q, p, s = parse(h[i + 1])\n"
	"    if q > 0 then table.insert(gl, {h[i], q, p, tonumber(s)}) end\n"
	"  elseif h[i] == 'c' then gc = h[i + 1] end\n"
	"end\n"
	"table.sort(gl, function(x, y) return x[4] < y[4] end)\n"
	"local n, qmax, dropped = nlines(k), tonumber(ARGV[5]), 0\n"
	"for _, l in ipairs(gl) do\n"
	"  local cur = redis.call('HGET', k, l[1])\n"
	"  if cur then\n"
	"    local oq, op, os = parse(cur)\n"
	"    redis.call('HSET', k, l[1], math.min(oq + l[2], qmax) .. ' ' .. op .. ' ' .. os)\n"
	"  elseif n < tonumber(ARGV[6]) then\n"
	"    local seq = redis.call('HINCRBY', k, 'n', 1)\n"
	"    redis.call('HSET', k, l[1], math.min(l[2], qmax) .. ' ' .. l[3] .. ' ' .. seq)\n"
	"    n = n + 1\n"
	"  else dropped = dropped + 1 end\n"
	"end\n"
	"local have, list = {}, {}\n"
	"for code in string.gmatch(redis.call('HGET', k, 'c') or '', '[^\\n]+') do\n"
	"  have[string.upper(code)] = true\n"
	"  table.insert(list, code)\n"
	"end\n"
	"for code in string.gmatch(gc, '[^\\n]+') do\n"
	"  if not have[string.upper(code)] and #list < tonumber(ARGV[7]) then\n"
	"    have[string.upper(code)] = true\n"
	"    table.insert(list, code)\n"
	"  end\n"
	"end\n"
	"if #list > 0 then redis.call('HSET', k, 'c', table.concat(list, '\\n')) end\n"
	"redis.call('DEL', g)\n"
	"bump()\n"
	"return {'ok', v, dropped}\n";

static const char read_lua[] =
	"return {redis.call('HGETALL', KEYS[1]), redis.call('TTL', KEYS[1])}\n";

static const char count_lua[] =
	"local n = 0\n"
	"local h = redis.call('HGETALL', KEYS[1])\n"
	"for i = 1, #h, 2 do\n"
	"  if string.sub(h[i], 1, 2) == 'l:' then\n"
	"    n = n + tonumber(string.match(h[i + 1], '^(%d+)') or '0')\n"
	"  end\n"
	"end\n"
	"return n\n";

#define MAX_ARGS 16

/* EVAL script with keys and string arguments; the reply lives in a. */
static redisReply *
eval(arena *a, const char *script, int nkeys, const char *const *keys, int nargs,
    const char *const *args, error *e)
{
	const char *argv[MAX_ARGS];
	size_t lens[MAX_ARGS];
	char nk[8];
	int argc = 0;

	if (3 + nkeys + nargs > MAX_ARGS)
		return err_set(e, E_INTERNAL, "cart script arguments"), NULL;
	snprintf(nk, sizeof nk, "%d", nkeys);
	argv[argc++] = "EVAL";
	argv[argc++] = script;
	argv[argc++] = nk;
	for (int i = 0; i < nkeys; i++)
		argv[argc++] = keys[i];
	for (int i = 0; i < nargs; i++)
		argv[argc++] = args[i];
	for (int i = 0; i < argc; i++)
		lens[i] = strlen(argv[i]);
	return redis_argv(a, e, argc, argv, lens);
}

static const char *
i64s(arena *a, int64_t v)
{
	return arena_printf(a, "%lld", (long long)v);
}

/* Run a change script: the shared head's 4 arguments, then `extra`. */
static ecode
change(arena *a, const char *script, const cart_target *t, const char *key2,
    const char *const *extra, int nextra, cart_result *r, error *e)
{
	static const struct { const char *name; cart_status st; } names[] = {
		{ "ok", CS_OK }, { "conflict", CS_CONFLICT }, { "quantity", CS_QUANTITY },
		{ "lines", CS_LINES }, { "missing", CS_MISSING }, { "coupons", CS_COUPONS },
		{ "none", CS_NONE },
	};
	const char *keys[3] = { t->key, key2 != NULL ? key2 : OUTBOX_STREAM,
	    OUTBOX_STREAM }, *args[MAX_ARGS];
	redisReply *rep;
	int n = 0;

	args[n++] = t->expected < 0 ? "" : i64s(a, t->expected);
	args[n++] = i64s(a, t->ttl_s);
	args[n++] = t->id;
	args[n++] = t->user_id;
	for (int i = 0; i < nextra && n < MAX_ARGS - 7; i++)
		args[n++] = extra[i];
	args[n++] = t->event;
	for (int i = 0; i < n; i++)
		if (args[i] == NULL)
			return err_set(e, E_INTERNAL, "out of memory");
	if ((rep = eval(a, script, key2 != NULL ? 3 : 2, keys, n, args, e)) == NULL)
		return e->code;
	if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 3 ||
	    rep->element[0]->type != REDIS_REPLY_STRING ||
	    rep->element[1]->type != REDIS_REPLY_INTEGER ||
	    rep->element[2]->type != REDIS_REPLY_INTEGER)
		return err_set(e, E_INTERNAL, "unexpected cart script reply");
	r->version = rep->element[1]->integer;
	r->extra = rep->element[2]->integer;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(rep->element[0]->str, names[i].name) == 0) {
			r->st = names[i].st;
			return E_OK;
		}
	return err_set(e, E_INTERNAL, "unexpected cart script status");
}

static const char *
field(arena *a, const char *pid, const char *vid)
{
	return arena_printf(a, "l:%s:%s", pid, vid);
}

ecode
store_cart_add(arena *a, const cart_target *t, const char *pid, const char *vid,
    int64_t qty, int64_t price, cart_result *r, error *e)
{
	const char *x[] = { field(a, pid, vid), i64s(a, qty), i64s(a, price),
	    i64s(a, CART_QTY_MAX), i64s(a, CART_LINES_MAX) };

	return change(a, add_lua, t, NULL, x, 5, r, e);
}

ecode
store_cart_set(arena *a, const cart_target *t, const char *pid, const char *vid,
    int64_t qty, cart_result *r, error *e)
{
	const char *x[] = { field(a, pid, vid), i64s(a, qty) };

	return change(a, set_lua, t, NULL, x, 2, r, e);
}

ecode
store_cart_remove(arena *a, const cart_target *t, const char *pid, const char *vid,
    cart_result *r, error *e)
{
	const char *x[] = { field(a, pid, vid) };

	return change(a, remove_lua, t, NULL, x, 1, r, e);
}

ecode
store_cart_clear(arena *a, const cart_target *t, cart_result *r, error *e)
{
	return change(a, clear_lua, t, NULL, NULL, 0, r, e);
}

ecode
store_cart_coupon_add(arena *a, const cart_target *t, const char *code, cart_result *r,
    error *e)
{
	const char *x[] = { code, i64s(a, CART_COUPONS_MAX) };

	return change(a, coupon_add_lua, t, NULL, x, 2, r, e);
}

ecode
store_cart_coupon_remove(arena *a, const cart_target *t, const char *code,
    cart_result *r, error *e)
{
	const char *x[] = { code };

	return change(a, coupon_remove_lua, t, NULL, x, 1, r, e);
}

ecode
store_cart_merge(arena *a, const char *guest_key, const cart_target *t, cart_result *r,
    error *e)
{
	const char *x[] = { i64s(a, CART_QTY_MAX), i64s(a, CART_LINES_MAX),
	    i64s(a, CART_COUPONS_MAX) };

	return change(a, merge_lua, t, guest_key, x, 3, r, e);
}

ecode
store_cart_count(arena *a, const char *key, int64_t *n, error *e)
{
	redisReply *rep;

	*n = 0;
	if ((rep = eval(a, count_lua, 1, &key, 0, NULL, e)) == NULL)
		return e->code;
	if (rep->type != REDIS_REPLY_INTEGER)
		return err_set(e, E_INTERNAL, "unexpected cart count reply");
	*n = rep->integer;
	return E_OK;
}

/* ------------------------------------------------------------ reading */

/* "l:<uuid>:<uuid>" = "<qty> <price> <seq>" into l; 0, or -1 for a field
 * this version does not understand (skipped, never fatal). */
static int
parse_line(arena *a, const char *f, const char *v, cart_raw_line *l)
{
	const char *p, *s;

	if (strlen(f) != 2 + 36 + 1 + 36 || f[38] != ':')
		return -1;
	l->product_id = arena_strndup(a, f + 2, 36);
	l->variant_id = arena_strndup(a, f + 39, 36);
	if (l->product_id == NULL || l->variant_id == NULL ||
	    (p = strchr(v, ' ')) == NULL || (s = strchr(p + 1, ' ')) == NULL ||
	    parse_i64n(v, (size_t)(p - v), 1, CART_QTY_MAX, &l->quantity) != 0 ||
	    parse_i64n(p + 1, (size_t)(s - p - 1), 0, INT64_MAX, &l->price) != 0 ||
	    parse_i64(s + 1, 0, INT64_MAX, &l->seq) != 0)
		return -1;
	return 0;
}

static int
by_seq(const void *x, const void *y)
{
	const cart_raw_line *a = x, *b = y;

	return (a->seq > b->seq) - (a->seq < b->seq);
}

/* Coupon codes, one per line, into out->codes. */
static int
parse_codes(arena *a, const char *s, cart_raw *out)
{
	out->codes = arena_calloc(a, CART_COUPONS_MAX, sizeof *out->codes);
	if (out->codes == NULL)
		return -1;
	while (*s != '\0' && out->ncodes < CART_COUPONS_MAX) {
		size_t n = strcspn(s, "\n");
		if (n > 0 && (out->codes[out->ncodes] = arena_strndup(a, s, n)) != NULL)
			out->ncodes++;
		s += n;
		if (*s == '\n')
			s++;
	}
	return 0;
}

ecode
store_cart_read(arena *a, const char *key, cart_raw *out, error *e)
{
	redisReply *rep, *h;

	memset(out, 0, sizeof *out);
	if ((rep = eval(a, read_lua, 1, &key, 0, NULL, e)) == NULL)
		return e->code;
	if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 2 ||
	    rep->element[0]->type != REDIS_REPLY_ARRAY ||
	    rep->element[1]->type != REDIS_REPLY_INTEGER)
		return err_set(e, E_INTERNAL, "unexpected cart read reply");
	h = rep->element[0];
	if (h->elements == 0)
		return E_OK;
	out->exists = true;
	out->ttl_s = rep->element[1]->integer > 0 ? rep->element[1]->integer : 0;
	if ((out->lines = arena_calloc(a, h->elements / 2, sizeof *out->lines)) == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	for (size_t i = 0; i + 1 < h->elements; i += 2) {
		const char *f = h->element[i]->str, *v = h->element[i + 1]->str;
		if (h->element[i]->type != REDIS_REPLY_STRING ||
		    h->element[i + 1]->type != REDIS_REPLY_STRING)
			continue;
		if (strncmp(f, "l:", 2) == 0) {
			if (parse_line(a, f, v, &out->lines[out->nlines]) == 0)
				out->nlines++;
			else
				log_msg(LOG_WARN, "cart %s: unreadable line %s", key, f);
		} else if (strcmp(f, "v") == 0) {
			if (parse_i64(v, 0, INT64_MAX, &out->version) != 0)
				return err_set(e, E_INTERNAL, "cart version unreadable");
		} else if (strcmp(f, "id") == 0) {
			out->id = arena_strdup(a, v);
		} else if (strcmp(f, "uid") == 0) {
			out->user_id = v[0] != '\0' ? arena_strdup(a, v) : NULL;
		} else if (strcmp(f, "c") == 0) {
			if (parse_codes(a, v, out) != 0)
				return err_set(e, E_INTERNAL, "out of memory");
		}
	}
	qsort(out->lines, out->nlines, sizeof *out->lines, by_seq);
	return E_OK;
}
