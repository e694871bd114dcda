/*
 * diff.c — what an entry shows: the fields that changed between the
 * remembered state and the event's data (audit_diff), and the one-line
 * summary recorded with the entry.
 */
#include <ctype.h>
#include <string.h>

#include "audit/internal.h"

#define DIFF_DEPTH_MAX	8	/* deeper objects compare whole */
#define SUMMARY_FIELDS	5	/* fields named in a summary */
#define SUMMARY_MAX	990	/* bytes, "…" included within audit.entries.summary's 1000 */
#define LABEL_MAX	80

typedef struct differ {
	arena        *a;
	audit_change *v;
	size_t        n, cap;
	bool          truncated;
} differ;

static int
add(differ *d, const char *path, json_object *before, json_object *after, bool added,
    bool removed)
{
	if (path == NULL)
		return -1;
	if (d->n == AUDIT_DIFF_MAX) {
		d->truncated = true;
		return 0;
	}
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		audit_change *v = arena_alloc(d->a, cap * sizeof *v);

		if (v == NULL)
			return -1;
		if (d->n > 0)
			memcpy(v, d->v, d->n * sizeof *v);
		d->v = v;
		d->cap = cap;
	}
	d->v[d->n++] = (audit_change){ path, before, after, added, removed };
	return 0;
}

static bool
is_object(json_object *o)
{
	return o != NULL && json_object_is_type(o, json_type_object);
}

static const char *
join(arena *a, const char *prefix, const char *key)
{
	return prefix != NULL ? arena_printf(a, "%s.%s", prefix, key) : arena_strdup(a, key);
}

/* after's members against before's; removed ones only when nested. */
static int
walk(differ *d, const char *prefix, json_object *before, json_object *after, int depth)
{
	json_object_object_foreach(after, ak, av) {
		json_object *bv = NULL;
		bool had = before != NULL && json_object_object_get_ex(before, ak, &bv);
		const char *path = join(d->a, prefix, ak);
		int rc;

		if (had && is_object(bv) && is_object(av) && depth < DIFF_DEPTH_MAX)
			rc = path != NULL ? walk(d, path, bv, av, depth + 1) : -1;
		else if (!had || !json_object_equal(bv, av))
			rc = add(d, path, bv, av, !had, false);
		else
			rc = 0;
		if (rc != 0)
			return rc;
	}
	if (prefix == NULL || before == NULL)
		return 0;
	json_object_object_foreach(before, bk, bv2) {
		if (!json_object_object_get_ex(after, bk, NULL) &&
		    add(d, join(d->a, prefix, bk), bv2, NULL, false, true) != 0)
			return -1;
	}
	return 0;
}

ecode
audit_diff(arena *a, json_object *before, json_object *after, audit_change **out,
    size_t *n, bool *truncated, error *e)
{
	differ d = { a, NULL, 0, 0, false };

	if (!is_object(after) || (before != NULL && !is_object(before)))
		return err_set(e, E_INTERNAL, "a state to compare is not a JSON object");
	if (walk(&d, NULL, before, after, 0) != 0)
		return err_set(e, E_INTERNAL, "out of memory");
	*out = d.v;
	*n = d.n;
	*truncated = d.truncated;
	return E_OK;
}

/* ------------------------------------------------------------ summary */

const char *
audit_clip(arena *a, const char *s, size_t max)
{
	size_t n = s != NULL ? strlen(s) : 0;

	if (n <= max)
		return s;
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return arena_printf(a, "%.*s…", (int)n, s);
}

/* The entity as people name it: “Winter sale”, “EC-2026-000123”, or the
 * start of its id. */
static const char *
label(arena *a, const event *ev, json_object *after)
{
	static const char *const keys[] = { "name", "number", "email", "code", "sku", "title" };
	json_object *v;

	for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
		if (json_object_object_get_ex(after, keys[i], &v) &&
		    json_object_is_type(v, json_type_string) && json_object_get_string_len(v) > 0)
			return arena_printf(a, "“%s”", audit_clip(a, json_object_get_string(v),
			    LABEL_MAX));
	return arena_printf(a, "%.8s", ev->aggregate_id);
}

/* "status changed" for order.status_changed on an order; "inventory
 * updated" for inventory.updated on a variant. */
static const char *
action(arena *a, const event *ev)
{
	const char *t = ev->type + strlen(EVENT_TOPIC_PREFIX);
	size_t tn = strlen(ev->aggregate_type);
	char *s;

	if (strncmp(t, ev->aggregate_type, tn) == 0 && t[tn] == '.')
		t += tn + 1;
	if (!(s = arena_strdup(a, t)))
		return NULL;
	for (char *p = s; *p; p++)
		if (*p == '_' || *p == '.')
			*p = ' ';
	return s;
}

const char *
audit_summary(arena *a, const event *ev, json_object *after, const char *part_label,
    const audit_change *ch, size_t n, bool known_before)
{
	const char *what = action(a, ev), *s;
	char *noun = arena_strdup(a, ev->aggregate_type);

	if (what == NULL || noun == NULL)
		return NULL;
	noun[0] = (char)toupper((unsigned char)noun[0]);
	for (char *p = noun; *p != '\0'; p++)	/* "Stacking rule", "Mail template" */
		if (*p == '_')
			*p = ' ';
	s = arena_printf(a, "%s %s%s%s %s", noun, label(a, ev, after),
	    part_label != NULL ? " in " : "", part_label != NULL ? part_label : "", what);
	if (s == NULL || strcmp(what, "created") == 0 || strcmp(what, "deleted") == 0)
		return audit_clip(a, s, SUMMARY_MAX);
	if (!known_before)
		s = arena_printf(a, "%s (no earlier state known)", s);
	else if (n == 0)
		s = arena_printf(a, "%s (nothing changed)", s);
	for (size_t i = 0; s != NULL && known_before && i < n && i < SUMMARY_FIELDS; i++)
		s = arena_printf(a, "%s%s%s", s, i == 0 ? ": " : ", ", ch[i].path);
	if (s != NULL && known_before && n > SUMMARY_FIELDS)
		s = arena_printf(a, "%s (+%zu more)", s, n - SUMMARY_FIELDS);
	return s != NULL ? audit_clip(a, s, SUMMARY_MAX) : NULL;
}
