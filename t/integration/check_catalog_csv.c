/*
 * check_catalog_csv.c — the catalog as CSV against the real PostgreSQL
 * (lib/product/csv.c): an export re-imports unchanged; an edited price and
 * a new product with two variants arrive, with their events; a file with
 * mistakes is refused with every problem by line and column and changes
 * nothing; a seller exports only their own products and cannot take over
 * another's by slug.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <check.h>

#include "../check_run.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/db.h"
#include "core/log.h"
#include "core/parse.h"
#include "core/util.h"
#include "product/product.h"
#include "test_db.h"

static arena *a;
static char tag[9];
static const char *admin_id, *seller_id;

static void
setup(void)
{
	char u[37];

	ck_assert_int_eq(config_init(), 0);
	log_init("check_catalog_csv", "error");
	ck_assert_ptr_nonnull(a = arena_new(256 * 1024));
	ck_assert_int_eq(uuid_v4(u), 0);
	memcpy(tag, u, 8);
	tag[8] = '\0';
	admin_id = sql(a, "SELECT id FROM users.users WHERE role = 'admin' ORDER BY created_at LIMIT 1");
	ck_assert_ptr_nonnull(admin_id);
	ck_assert_int_eq(uuid_v4(u), 0);
	seller_id = arena_strdup(a, u);
}

static void
teardown(void)
{
	arena_free(a);
	db_close_all();
}

static int
to_buf(void *ud, const char *data, size_t n)
{
	return buf_append(ud, data, n);
}

static const char *
export_as(const catalog_actor *who)
{
	buf b = BUF_INIT;
	error e;
	const char *s;

	err_clear(&e);
	ck_assert_msg(catalog_csv_export(a, who, to_buf, &b, &e) == E_OK, "export: %s", e.message);
	s = arena_strndup(a, b.data, b.len);
	buf_free(&b);
	return s;
}

static ecode
import_as(const catalog_actor *who, const char *csv, bool dry, catalog_csv_report *rep,
    error *e)
{
	err_clear(e);
	return catalog_csv_import(a, who, csv, strlen(csv), dry, NULL, NULL, rep, e);
}

static int
lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

START_TEST(export_reimports_unchanged)
{
	catalog_actor who = { admin_id, ROLE_ADMIN, "csv-test" };
	catalog_csv_report rep;
	const char *csv = export_as(&who), *again;
	long long variants = sql_int(a, "SELECT count(*) FROM catalog.variants");
	long long bare = sql_int(a, "SELECT count(*) FROM catalog.products p WHERE NOT EXISTS"
	    " (SELECT 1 FROM catalog.variants v WHERE v.product_id = p.id)");
	error e;

	ck_assert_int_eq(lines(csv), 1 + variants + bare);
	ck_assert(strncmp(csv, "product_slug,product_name,description,status,", 45) == 0);
	ck_assert_int_eq(import_as(&who, csv, true, &rep, &e), E_OK);
	ck_assert_int_eq(rep.nerrors, 0);
	ck_assert_int_eq(rep.rows, variants + bare);
	ck_assert_int_eq(import_as(&who, csv, false, &rep, &e), E_OK);
	ck_assert_int_eq(rep.products_created, 0);
	ck_assert_int_eq(rep.variants_created, 0);
	again = export_as(&who);
	ck_assert_str_eq(again, csv);
}
END_TEST

START_TEST(edit_and_create_arrive_with_events)
{
	catalog_actor who = { admin_id, ROLE_ADMIN, "csv-test" };
	catalog_csv_report rep;
	const char *slug = arena_printf(a, "csv-%s", tag), *csv, *id;
	long long before;
	error e;

	csv = arena_printf(a,
	    "product_slug,product_name,description,status,currency,base_price,sku,variant_name,"
	    "variant_price,attributes,active\r\n"
	    "%s,\"Linen Shirt, washed\",\"Soft \"\"stone-washed\"\" linen\",published,EUR,49.90,"
	    "CSV-%s-M,Medium,,size=M; colour=Sand,true\r\n"
	    "%s,\"Linen Shirt, washed\",\"Soft \"\"stone-washed\"\" linen\",published,EUR,49.90,"
	    "CSV-%s-L,Large,52.5,size=L; colour=Sand,false\r\n", slug, tag, slug, tag);
	before = sql_int(a, "SELECT count(*) FROM catalog.outbox");
	ck_assert_msg(import_as(&who, csv, false, &rep, &e) == E_OK, "import: %s", e.message);
	ck_assert_int_eq(rep.products_created, 1);
	ck_assert_int_eq(rep.variants_created, 2);
	id = sql(a, arena_printf(a, "SELECT id FROM catalog.products WHERE slug = '%s'", slug));
	ck_assert_ptr_nonnull(id);
	ck_assert_str_eq(sql(a, arena_printf(a, "SELECT name || '|' || description || '|' || status"
	    " || '|' || base_price FROM catalog.products WHERE id = '%s'", id)),
	    "Linen Shirt, washed|Soft \"stone-washed\" linen|published|4990");
	ck_assert_str_eq(sql(a, arena_printf(a, "SELECT string_agg(sku || ':' || coalesce(price::text,"
	    " '-') || ':' || (attributes->>'size') || ':' || is_active, ',' ORDER BY sku)"
	    " FROM catalog.variants WHERE product_id = '%s'", id)),
	    arena_printf(a, "CSV-%s-L:5250:L:false,CSV-%s-M:-:M:true", tag, tag));
	/* one event for the product, as created, in the same transaction */
	ck_assert_int_eq(sql_int(a, "SELECT count(*) FROM catalog.outbox"), before + 1);
	ck_assert_str_eq(sql(a, arena_printf(a, "SELECT event_type FROM catalog.outbox WHERE"
	    " aggregate_id = '%s'", id)), "ecommerce.product.created");

	/* the price edited in the file: updated, one product.updated */
	csv = arena_printf(a, "product_slug,product_name,currency,base_price,sku,variant_name\n"
	    "%s,\"Linen Shirt, washed\",EUR,44,CSV-%s-M,Medium\n", slug, tag);
	ck_assert_msg(import_as(&who, csv, false, &rep, &e) == E_OK, "import: %s", e.message);
	ck_assert_int_eq(rep.products_updated, 1);
	ck_assert_int_eq(rep.variants_updated, 1);
	ck_assert_str_eq(sql(a, arena_printf(a, "SELECT base_price FROM catalog.products WHERE"
	    " id = '%s'", id)), "4400");
	/* columns absent from the file are left alone */
	ck_assert_str_eq(sql(a, arena_printf(a, "SELECT status FROM catalog.products WHERE"
	    " id = '%s'", id)), "published");
	ck_assert_str_eq(sql(a, arena_printf(a, "SELECT count(*) FROM catalog.outbox WHERE"
	    " aggregate_id = '%s' AND event_type = 'ecommerce.product.updated'", id)), "1");
}
END_TEST

START_TEST(mistakes_are_listed_and_nothing_changes)
{
	catalog_actor who = { admin_id, ROLE_ADMIN, "csv-test" };
	catalog_csv_report rep;
	const char *slug = arena_printf(a, "bad-%s", tag), *csv, *taken, *outbox;
	error e;

	taken = sql(a, "SELECT v.sku || ' ' || p.slug FROM catalog.variants v JOIN catalog.products p"
	    " ON p.id = v.product_id ORDER BY v.sku LIMIT 1");
	ck_assert_ptr_nonnull(taken);
	outbox = sql(a, "SELECT count(*) FROM catalog.outbox");
	csv = arena_printf(a,
	    "product_slug,product_name,currency,base_price,sku,variant_name,category_slug,active\n"
	    "%s,Good,EUR,10.00,OK-%s,One,,true\n"			/* line 2: fine */
	    "%s,Different,EUR,10.00,OK2-%s,Two,,true\n"		/* 3: name differs */
	    "x%s,Price,EUR,10.999,P-%s,Three,,yes\n"			/* 4: 3 decimals */
	    "y%s,Taxonomy,EUR,1,%.*s,Four,no-such-category-%s,maybe\n"	/* 5: sku, category, bool */
	    "short,row\n"						/* 6: columns */
	    "z%s,\"Quoted\"x,EUR,1,Q-%s,Five,,true\n",		/* 7: CSV syntax */
	    slug, tag, slug, tag, slug, tag, slug, (int)strcspn(taken, " "), taken, tag, slug, tag);
	ck_assert_int_eq(import_as(&who, csv, false, &rep, &e), E_INVALID_INPUT);
	ck_assert_msg(strstr(e.message, "line 7, column 2") != NULL, "%s", e.message);
	/* without the syntax error the rest is listed, row by row */
	csv = arena_strndup(a, csv, (size_t)(strstr(csv, "z") - csv));
	ck_assert_int_eq(import_as(&who, csv, false, &rep, &e), E_VALIDATION);
	ck_assert_msg(rep.nerrors == 6, "%zu problems: %s", rep.nerrors, e.message);
	ck_assert_int_eq(rep.errors[0].line, 3);
	ck_assert_str_eq(rep.errors[0].column, "product_name");
	ck_assert_int_eq(rep.errors[1].line, 4);
	ck_assert_str_eq(rep.errors[1].column, "base_price");
	ck_assert_int_eq(rep.errors[2].line, 5);
	ck_assert_str_eq(rep.errors[2].column, "category_slug");
	ck_assert_str_eq(rep.errors[3].column, "active");
	ck_assert_str_eq(rep.errors[4].column, "sku");
	ck_assert_msg(strstr(rep.errors[4].message, "belongs to product") != NULL, "%s",
	    rep.errors[4].message);
	ck_assert_int_eq(rep.errors[5].line, 6);
	/* nothing written: not even the good first row */
	ck_assert_ptr_null(sql(a, arena_printf(a, "SELECT id FROM catalog.products WHERE slug = '%s'",
	    slug)));
	ck_assert_str_eq(sql(a, "SELECT count(*) FROM catalog.outbox"), outbox);
	/* a header that is not ours */
	ck_assert_int_eq(import_as(&who, "name,price\nx,1\n", false, &rep, &e), E_VALIDATION);
	ck_assert_str_eq(rep.errors[0].column, "name");
	ck_assert_int_eq(import_as(&who, "", false, &rep, &e), E_INVALID_INPUT);
}
END_TEST

START_TEST(sellers_see_and_change_only_their_own)
{
	catalog_actor seller = { seller_id, ROLE_SELLER, "csv-test" };
	catalog_actor customer = { seller_id, ROLE_CUSTOMER, "csv-test" };
	catalog_csv_report rep;
	const char *mine = arena_printf(a, "mine-%s", tag), *csv, *other;
	error e;

	csv = arena_printf(a, "product_slug,product_name,currency,base_price,sku,variant_name\n"
	    "%s,Mine,EUR,5,MINE-%s,Only\n", mine, tag);
	ck_assert_msg(import_as(&seller, csv, false, &rep, &e) == E_OK, "%s", e.message);
	ck_assert_str_eq(sql(a, arena_printf(a, "SELECT seller_id FROM catalog.products WHERE"
	    " slug = '%s'", mine)), seller_id);
	csv = export_as(&seller);
	ck_assert_int_eq(lines(csv), 2);
	ck_assert_ptr_nonnull(strstr(csv, mine));
	/* a product of the shop's, named by its slug: refused, not taken over */
	other = sql(a, "SELECT slug FROM catalog.products WHERE seller_id IS NULL LIMIT 1");
	csv = arena_printf(a, "product_slug,product_name,currency,base_price\n%s,Mine now,EUR,1\n",
	    other);
	ck_assert_int_eq(import_as(&seller, csv, false, &rep, &e), E_VALIDATION);
	ck_assert_msg(strstr(rep.errors[0].message, "another seller") != NULL, "%s",
	    rep.errors[0].message);
	err_clear(&e);
	ck_assert_int_eq(catalog_csv_export(a, &customer, to_buf, NULL, &e), E_FORBIDDEN);
	ck_assert_int_eq(import_as(&customer, csv, true, &rep, &e), E_FORBIDDEN);
}
END_TEST

static Suite *
csv_suite(void)
{
	Suite *s = suite_create("catalog_csv");
	TCase *tc = tcase_create("catalog_csv");

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, export_reimports_unchanged);
	tcase_add_test(tc, edit_and_create_arrive_with_events);
	tcase_add_test(tc, mistakes_are_listed_and_nothing_changes);
	tcase_add_test(tc, sellers_see_and_change_only_their_own);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	if (getenv("ECOM_CONFIG") == NULL || getenv("ECOM_TEST_PSQL") == NULL) {
		puts("SKIP: ECOM_CONFIG / ECOM_TEST_PSQL not set (./check sets them)");
		return 77;
	}
	test_db_domain("catalog");
	return check_run(csv_suite());
}
