/*
 * check_admin_catalog.c — the admin panel's catalog pages through lighttpd
 * with the real PostgreSQL and Redis: a product is refused with its field
 * errors, created, edited, given two variants (a bad attribute list and a
 * duplicate SKU refused by their fields), published (the shop shows it)
 * and archived through its confirmation page; categories are created,
 * moved under a parent and reordered; brands are created and a duplicate
 * refused; a form without its CSRF token changes nothing; a seller signs
 * in, sees and edits only their own products, and is refused the admins'
 * pages; the CSV import reports every bad row by line and column and
 * changes nothing, then applies a good file.
 *
 * Each test signs in its own admin or seller (ecomctl user create) and
 * names what it creates uniquely so reruns against the same stack pass.
 * A small cookie jar plays the browser, posting forms as a browser
 * without JavaScript would.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <check.h>
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
#include <wand/MagickWand.h>
#pragma GCC diagnostic pop

#include "../check_run.h"
#include "auth/totp.h"

#include "browser.h"
#include "http_client.h"

static void
expect_sql(const char *sql, const char *want)
{
	char *got = psql_value(sql);

	ck_assert_msg(got != NULL && strcmp(got, want) == 0, "%s: got '%s', want '%s'", sql,
	    got != NULL ? got : "(null)", want);
	free(got);
}

static const char *
tag(void)
{
	static char b[8][48];
	static int k;
	char *s = b[k++ % 8];

	snprintf(s, 48, "t%ld%d%d", (long)time(NULL) % 100000000, (int)getpid() % 10000, k);
	return s;
}

/* A new seller (no 2FA), signed in: they land on their products. */
static char *
sign_in_seller(jar *j)
{
	char email[128], loc[512], *id;

	snprintf(email, sizeof email, "seller-%s@admin-test.example", tag());
	id = create_user(email, "seller", NULL);
	post_password(j, email, loc, sizeof loc);
	ck_assert_str_eq(loc, "/admin/products");
	return id;
}

/* Create a product through the form; its id (static buffer). */
static const char *
create_product(jar *j, const char *name, const char *price)
{
	static char id[40];
	char body[1024], loc[512];
	http_result *r;

	snprintf(body, sizeof body, "csrf_token=%s&name=%s&description=Made+by+a+test&"
	    "base_price=%s&currency=EUR&category_id=&brand_id=", token_for(j, "/admin/products/new"),
	    name, price);
	r = browse(j, "POST", "/admin/products/new", body);
	see_other(r, loc, sizeof loc);
	http_result_free(r);
	ck_assert_msg(strncmp(loc, "/admin/products/", 16) == 0 && strlen(loc) == 16 + 36, "%s", loc);
	memcpy(id, loc + 16, 36);
	id[36] = '\0';
	return id;
}

/* ------------------------------------------------------------ products */

START_TEST(product_refused_created_edited_published_archived)
{
	jar j = { .n = 0 };
	char body[2048], loc[256], path[128], q[512];
	const char *t = tag(), *id;
	http_result *r;

	sign_in_admin(&j, "cat");
	r = browse(&j, "GET", "/admin/products", NULL);
	ck_assert_msg(r->status == 200, "%ld %.300s", r->status, r->body);
	http_result_free(r);

	/* every bad field is named, what was typed is kept */
	snprintf(body, sizeof body, "csrf_token=%s&name=&description=Keep+%s&base_price=12.345&"
	    "currency=EUR", token_for(&j, "/admin/products/new"), t);
	r = browse(&j, "POST", "/admin/products/new", body);
	ck_assert_msg(r->status == 400, "%ld %.300s", r->status, r->body);
	ck_assert_ptr_nonnull(strstr(r->body, "id=\"base_price-error\""));
	ck_assert_ptr_nonnull(strstr(r->body, t));
	http_result_free(r);
	snprintf(body, sizeof body, "csrf_token=%s&name=&description=x&base_price=12.00&"
	    "currency=EUR", token_for(&j, "/admin/products/new"));
	r = browse(&j, "POST", "/admin/products/new", body);
	ck_assert_msg(r->status == 400, "%ld %.300s", r->status, r->body);
	ck_assert_ptr_nonnull(strstr(r->body, "id=\"name-error\""));
	http_result_free(r);

	snprintf(body, sizeof body, "Lamp+%s", t);
	id = create_product(&j, body, "24.50");
	snprintf(path, sizeof path, "/admin/products/%s", id);
	r = browse(&j, "GET", path, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_ptr_nonnull(strstr(r->body, "The product is created."));	/* the flash, once */
	http_result_free(r);
	r = browse(&j, "GET", path, NULL);
	ck_assert_ptr_null(strstr(r->body, "The product is created."));
	http_result_free(r);
	snprintf(q, sizeof q, "SELECT status || '|' || base_price FROM catalog.products WHERE id = '%s'", id);
	expect_sql(q, "draft|2450");

	/* edit */
	snprintf(body, sizeof body, "csrf_token=%s&name=Lamp+%s+v2&slug=lamp-%s&description=New&"
	    "base_price=30&currency=EUR&category_id=&brand_id=", token_for(&j, path), t, t);
	r = browse(&j, "POST", path, body);
	see_other(r, loc, sizeof loc);
	http_result_free(r);
	snprintf(q, sizeof q, "SELECT name || '|' || slug || '|' || base_price FROM catalog.products"
	    " WHERE id = '%s'", id);
	snprintf(body, sizeof body, "Lamp %s v2|lamp-%s|3000", t, t);
	expect_sql(q, body);

	/* variants: a bad attribute list, then two, then a duplicate SKU */
	snprintf(loc, sizeof loc, "%s/variants", path);
	snprintf(body, sizeof body, "csrf_token=%s&sku=L-%s-S&name=Small&attributes=size&active=1",
	    token_for(&j, path), t);
	r = browse(&j, "POST", loc, body);
	ck_assert_msg(r->status == 400, "%ld %.300s", r->status, r->body);
	ck_assert_ptr_nonnull(strstr(r->body, "id=\"attributes-error\""));
	http_result_free(r);
	for (int k = 0; k < 2; k++) {
		snprintf(body, sizeof body, "csrf_token=%s&sku=L-%s-%c&name=%s&attributes=size%%3D%c"
		    "%%3B+colour%%3DRed&price=%s&active=1", token_for(&j, path), t, "SL"[k],
		    k ? "Large" : "Small", "SL"[k], k ? "35.00" : "");
		r = browse(&j, "POST", loc, body);
		ck_assert_msg(r->status == 303, "%ld %.300s", r->status, r->body);
		http_result_free(r);
	}
	snprintf(body, sizeof body, "csrf_token=%s&sku=L-%s-S&name=Again&active=1",
	    token_for(&j, path), t);
	r = browse(&j, "POST", loc, body);
	ck_assert_msg(r->status == 409, "%ld %.300s", r->status, r->body);
	ck_assert_ptr_nonnull(strstr(r->body, "id=\"sku-error\""));
	http_result_free(r);
	snprintf(q, sizeof q, "SELECT string_agg(sku || '=' || coalesce(price::text, 'base') || '/'"
	    " || (attributes->>'size'), ',' ORDER BY sku) FROM catalog.variants WHERE product_id = '%s'", id);
	snprintf(body, sizeof body, "L-%s-L=3500/L,L-%s-S=base/S", t, t);
	expect_sql(q, body);
	r = browse(&j, "GET", path, NULL);
	ck_assert_ptr_nonnull(strstr(r->body, "colour=Red; size=S"));
	http_result_free(r);

	/* publish: the shop shows it */
	snprintf(loc, sizeof loc, "%s/status", path);
	snprintf(body, sizeof body, "csrf_token=%s&status=published", token_for(&j, path));
	r = browse(&j, "POST", loc, body);
	ck_assert_msg(r->status == 303, "%ld %.300s", r->status, r->body);
	http_result_free(r);
	snprintf(q, sizeof q, "SELECT status FROM catalog.products WHERE id = '%s'", id);
	expect_sql(q, "published");
	snprintf(loc, sizeof loc, "/p/lamp-%s", t);
	r = http_get(loc);
	ck_assert_msg(r->status == 200, "%s: %ld", loc, r->status);
	http_result_free(r);

	/* archive goes through its confirmation page */
	snprintf(loc, sizeof loc, "%s/archive", path);
	r = browse(&j, "GET", loc, NULL);
	ck_assert_int_eq(r->status, 200);
	snprintf(q, sizeof q, "action=\"%s\"", loc);
	ck_assert_ptr_nonnull(strstr(r->body, q));
	snprintf(body, sizeof body, "csrf_token=%s", csrf_of(r));
	http_result_free(r);
	snprintf(q, sizeof q, "SELECT status FROM catalog.products WHERE id = '%s'", id);
	expect_sql(q, "published");	/* the page alone changes nothing */
	r = browse(&j, "POST", loc, body);
	ck_assert_msg(r->status == 303, "%ld %.300s", r->status, r->body);
	http_result_free(r);
	expect_sql(q, "archived");
}
END_TEST

START_TEST(list_filters_and_finds)
{
	jar j = { .n = 0 };
	char path[512];
	const char *t = tag();
	http_result *r;

	sign_in_admin(&j, "cat");
	create_product(&j, t, "5");
	snprintf(path, sizeof path, "/admin/products?search=%s&status=draft&sort_by=name_asc", t);
	r = browse(&j, "GET", path, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_ptr_nonnull(strstr(r->body, t));
	ck_assert_ptr_nonnull(strstr(r->body, "1 products"));
	http_result_free(r);
	snprintf(path, sizeof path, "/admin/products?search=%s&status=published", t);
	r = browse(&j, "GET", path, NULL);
	ck_assert_ptr_nonnull(strstr(r->body, "0 products"));
	http_result_free(r);
	r = browse(&j, "GET", "/admin/products?status=bogus", NULL);
	ck_assert_int_eq(r->status, 400);
	http_result_free(r);
	r = browse(&j, "GET", "/admin/products?page=0", NULL);
	ck_assert_int_eq(r->status, 400);
	http_result_free(r);
}
END_TEST

START_TEST(form_without_csrf_changes_nothing)
{
	jar j = { .n = 0 };
	char body[512], q[256];
	const char *t = tag();
	http_result *r;

	sign_in_admin(&j, "cat");
	snprintf(body, sizeof body, "name=%s&base_price=1&currency=EUR", t);
	r = browse(&j, "POST", "/admin/products/new", body);
	ck_assert_msg(r->status == 403, "%ld %.300s", r->status, r->body);
	http_result_free(r);
	snprintf(body, sizeof body, "csrf_token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA&name=%s"
	    "&base_price=1&currency=EUR", t);
	r = browse(&j, "POST", "/admin/products/new", body);
	ck_assert_msg(r->status == 403, "%ld %.300s", r->status, r->body);
	http_result_free(r);
	snprintf(body, sizeof body, "name=%s", t);
	r = browse(&j, "POST", "/admin/brands", body);
	ck_assert_int_eq(r->status, 403);
	http_result_free(r);
	snprintf(q, sizeof q, "SELECT (SELECT count(*) FROM catalog.products WHERE name = '%s') +"
	    " (SELECT count(*) FROM catalog.brands WHERE name = '%s')", t, t);
	expect_sql(q, "0");
}
END_TEST

/* ------------------------------------------------------------ sellers */

START_TEST(seller_sees_only_their_own)
{
	jar a = { .n = 0 }, b = { .n = 0 };
	char path[256], body[1024], q[256];
	const char *ta = tag(), *tb = tag(), *ida;
	char *seller_a, *seller_b, ida_copy[40];
	http_result *r;

	seller_a = sign_in_seller(&a);
	seller_b = sign_in_seller(&b);
	ida = create_product(&a, ta, "9.99");
	snprintf(ida_copy, sizeof ida_copy, "%s", ida);
	create_product(&b, tb, "8");
	snprintf(q, sizeof q, "SELECT seller_id FROM catalog.products WHERE id = '%s'", ida_copy);
	expect_sql(q, seller_a);

	/* A's list: their draft, not B's product, not the shop's own */
	r = browse(&a, "GET", "/admin/products", NULL);
	ck_assert_msg(r->status == 200, "%ld %.300s", r->status, r->body);
	ck_assert_ptr_nonnull(strstr(r->body, ta));
	ck_assert_ptr_null(strstr(r->body, tb));
	ck_assert_ptr_nonnull(strstr(r->body, "1 products"));
	ck_assert_ptr_null(strstr(r->body, "href=\"/admin/users\""));	/* a seller's menu */
	http_result_free(r);

	/* B cannot read, change or archive A's product, even once it is published */
	snprintf(path, sizeof path, "/admin/products/%s/status", ida_copy);
	snprintf(body, sizeof body, "csrf_token=%s&status=published", token_for(&a, "/admin/products"));
	r = browse(&a, "POST", path, body);
	ck_assert_int_eq(r->status, 303);
	http_result_free(r);
	snprintf(path, sizeof path, "/admin/products/%s", ida_copy);
	r = browse(&b, "GET", path, NULL);
	ck_assert_int_eq(r->status, 404);
	http_result_free(r);
	snprintf(body, sizeof body, "csrf_token=%s&name=Stolen&base_price=1&currency=EUR&slug=stolen-%s",
	    token_for(&b, "/admin/products"), tb);
	r = browse(&b, "POST", path, body);
	ck_assert_int_eq(r->status, 404);
	http_result_free(r);
	snprintf(path, sizeof path, "/admin/products/%s/archive", ida_copy);
	r = browse(&b, "GET", path, NULL);
	ck_assert_int_eq(r->status, 404);
	http_result_free(r);
	snprintf(q, sizeof q, "SELECT name FROM catalog.products WHERE id = '%s'", ida_copy);
	expect_sql(q, ta);
	/* A takes it back to draft: the shop's lists stay as the other suites
	 * expect them (every published product has an image) */
	snprintf(path, sizeof path, "/admin/products/%s/status", ida_copy);
	snprintf(body, sizeof body, "csrf_token=%s&status=draft", token_for(&a, "/admin/products"));
	r = browse(&a, "POST", path, body);
	ck_assert_int_eq(r->status, 303);
	http_result_free(r);

	/* the admins' pages stay closed */
	static const char *const closed[] = { "/admin", "/admin/categories", "/admin/brands",
	    "/admin/users", "/admin/catalog/io", "/admin/audit" };
	for (size_t i = 0; i < sizeof closed / sizeof closed[0]; i++) {
		r = browse(&b, "GET", closed[i], NULL);
		ck_assert_msg(r->status == 403, "%s: %ld", closed[i], r->status);
		http_result_free(r);
	}
	free(seller_a);
	free(seller_b);
}
END_TEST

/* ------------------------------------------------------------ taxonomy */

START_TEST(categories_created_moved_reordered)
{
	jar j = { .n = 0 };
	char body[1024], loc[512], q[512], ids[3][40], *v;
	const char *t = tag();
	http_result *r;

	sign_in_admin(&j, "cat");
	for (int k = 0; k < 3; k++) {
		snprintf(body, sizeof body, "csrf_token=%s&name=Cat+%s+%d&slug=cat-%s-%d&parent_id=%s&"
		    "sort_order=&active=1", token_for(&j, "/admin/categories"), t, k, t, k,
		    k == 0 ? "" : ids[0]);
		r = browse(&j, "POST", "/admin/categories", body);
		see_other(r, loc, sizeof loc);
		http_result_free(r);
		snprintf(q, sizeof q, "SELECT id FROM catalog.categories WHERE slug = 'cat-%s-%d'", t, k);
		v = psql_value(q);
		ck_assert_msg(v != NULL && strlen(v) == 36, "category %d not stored", k);
		snprintf(ids[k], sizeof ids[k], "%s", v);
		free(v);
	}
	/* each change leaves as an event with who made it (the audit log's) */
	snprintf(q, sizeof q, "SELECT event_type || '|' || (payload->'metadata'->>'actor_role')"
	    " FROM catalog.outbox WHERE aggregate_id = '%s'", ids[0]);
	expect_sql(q, "ecommerce.category.created|admin");
	/* a duplicate slug is refused by its field */
	snprintf(body, sizeof body, "csrf_token=%s&name=Dup&slug=cat-%s-1&parent_id=&active=1",
	    token_for(&j, "/admin/categories"), t);
	r = browse(&j, "POST", "/admin/categories", body);
	ck_assert_msg(r->status == 409, "%ld %.300s", r->status, r->body);
	http_result_free(r);
	/* a cycle is refused on parent_id */
	snprintf(loc, sizeof loc, "/admin/categories/%s", ids[0]);
	snprintf(body, sizeof body, "csrf_token=%s&name=Cat+%s+0&slug=cat-%s-0&parent_id=%s&"
	    "sort_order=0&active=1", token_for(&j, loc), t, t, ids[1]);
	r = browse(&j, "POST", loc, body);
	ck_assert_msg(r->status == 400, "%ld %.300s", r->status, r->body);
	ck_assert_ptr_nonnull(strstr(r->body, "id=\"parent_id-error\""));
	http_result_free(r);

	/* 1 and 2 are children of 0 by name: 1 first; move 2 up */
	snprintf(q, sizeof q, "SELECT string_agg(slug, ',' ORDER BY sort_order, name) FROM"
	    " catalog.categories WHERE parent_id = '%s'", ids[0]);
	snprintf(body, sizeof body, "cat-%s-1,cat-%s-2", t, t);
	expect_sql(q, body);
	snprintf(loc, sizeof loc, "/admin/categories/%s/move", ids[2]);
	snprintf(body, sizeof body, "csrf_token=%s&direction=up", token_for(&j, "/admin/categories"));
	r = browse(&j, "POST", loc, body);
	ck_assert_msg(r->status == 303, "%ld %.300s", r->status, r->body);
	http_result_free(r);
	snprintf(body, sizeof body, "cat-%s-2,cat-%s-1", t, t);
	expect_sql(q, body);
	/* already first */
	snprintf(body, sizeof body, "csrf_token=%s&direction=up", token_for(&j, "/admin/categories"));
	r = browse(&j, "POST", loc, body);
	ck_assert_int_eq(r->status, 409);
	http_result_free(r);

	/* move 2 to the top level */
	snprintf(loc, sizeof loc, "/admin/categories/%s", ids[2]);
	snprintf(body, sizeof body, "csrf_token=%s&name=Cat+%s+2&slug=cat-%s-2&parent_id=&"
	    "sort_order=5&active=1", token_for(&j, loc), t, t);
	r = browse(&j, "POST", loc, body);
	ck_assert_msg(r->status == 303, "%ld %.300s", r->status, r->body);
	http_result_free(r);
	snprintf(q, sizeof q, "SELECT coalesce(parent_id::text, 'root') FROM catalog.categories"
	    " WHERE id = '%s'", ids[2]);
	expect_sql(q, "root");
	r = browse(&j, "GET", "/admin/categories", NULL);
	ck_assert_ptr_nonnull(strstr(r->body, "The category is saved."));
	snprintf(q, sizeof q, "id=\"cat-%s\"", ids[1]);
	ck_assert_msg(strstr(r->body, q) != NULL, "%s not in %s", q, strstr(r->body, "<main"));
	http_result_free(r);
}
END_TEST

START_TEST(brands_created_and_refused)
{
	jar j = { .n = 0 };
	char body[1024], loc[512], q[256], *id;
	const char *t = tag();
	http_result *r;

	sign_in_admin(&j, "cat");
	snprintf(body, sizeof body, "csrf_token=%s&name=&slug=&logo_url=javascript:x",
	    token_for(&j, "/admin/brands"));
	r = browse(&j, "POST", "/admin/brands", body);
	ck_assert_msg(r->status == 400, "%ld %.300s", r->status, r->body);
	ck_assert_ptr_nonnull(strstr(r->body, "id=\"name-error\""));
	ck_assert_ptr_nonnull(strstr(r->body, "id=\"logo_url-error\""));
	http_result_free(r);
	snprintf(body, sizeof body, "csrf_token=%s&name=Brand+%s&slug=brand-%s",
	    token_for(&j, "/admin/brands"), t, t);
	r = browse(&j, "POST", "/admin/brands", body);
	see_other(r, loc, sizeof loc);
	http_result_free(r);
	r = browse(&j, "POST", "/admin/brands", body);	/* the same slug again */
	ck_assert_msg(r->status == 409, "%ld %.300s", r->status, r->body);
	http_result_free(r);
	snprintf(q, sizeof q, "SELECT id FROM catalog.brands WHERE slug = 'brand-%s'", t);
	id = psql_value(q);
	ck_assert_msg(id != NULL && strlen(id) == 36, "brand not stored");
	snprintf(loc, sizeof loc, "/admin/brands/%s", id);
	snprintf(body, sizeof body, "csrf_token=%s&name=Renamed+%s&slug=brand-%s&description=Fine",
	    token_for(&j, loc), t, t);
	r = browse(&j, "POST", loc, body);
	ck_assert_int_eq(r->status, 303);
	http_result_free(r);
	snprintf(q, sizeof q, "SELECT name FROM catalog.brands WHERE id = '%s'", id);
	snprintf(body, sizeof body, "Renamed %s", t);
	expect_sql(q, body);
	snprintf(q, sizeof q, "SELECT string_agg(event_type, ',' ORDER BY seq) FROM catalog.outbox"
	    " WHERE aggregate_id = '%s'", id);
	expect_sql(q, "ecommerce.brand.created,ecommerce.brand.updated");
	free(id);
}
END_TEST


/* Two images (rows as the API would make them): alt text and order are
 * saved, the second made primary demotes the first, and removing it goes
 * through its confirmation page and hands "primary" back. */
START_TEST(images_alt_order_primary_and_removal)
{
	jar j = { .n = 0 };
	char body[1024], q[512], path[128], loc[256], img[2][40], *v;
	const char *t = tag(), *id;
	http_result *r;

	sign_in_admin(&j, "cat");
	snprintf(body, sizeof body, "Pic+%s", t);
	id = create_product(&j, body, "3");
	snprintf(path, sizeof path, "/admin/products/%s", id);
	for (int k = 0; k < 2; k++) {
		snprintf(q, sizeof q, "INSERT INTO catalog.images (product_id, url, sort_order, is_primary)"
		    " VALUES ('%s', '/static/img/placeholder-%d.svg', %d, %s) RETURNING id", id, k, k,
		    k == 0 ? "true" : "false");
		v = psql_value(q);
		ck_assert_msg(v != NULL && strlen(v) >= 36, "image %d not stored", k);
		memcpy(img[k], v, 36);
		img[k][36] = '\0';
		free(v);
	}
	snprintf(loc, sizeof loc, "%s/images/%s", path, img[1]);
	snprintf(body, sizeof body, "csrf_token=%s&alt_text=A+lamp+%s&sort_order=x", token_for(&j, path), t);
	r = browse(&j, "POST", loc, body);
	ck_assert_msg(r->status == 400, "%ld %.300s", r->status, r->body);
	http_result_free(r);
	snprintf(body, sizeof body, "csrf_token=%s&alt_text=A+lamp+%s&sort_order=-5&primary=1",
	    token_for(&j, path), t);
	r = browse(&j, "POST", loc, body);
	ck_assert_msg(r->status == 303, "%ld %.300s", r->status, r->body);
	http_result_free(r);
	snprintf(q, sizeof q, "SELECT string_agg(alt_text || '/' || sort_order || '/' || is_primary, ','"
	    " ORDER BY sort_order) FROM catalog.images WHERE product_id = '%s'", id);
	snprintf(body, sizeof body, "A lamp %s/-5/true,/0/false", t);
	expect_sql(q, body);
	r = browse(&j, "GET", path, NULL);
	snprintf(body, sizeof body, "alt=\"A lamp %s\"", t);
	ck_assert_ptr_nonnull(strstr(r->body, body));
	http_result_free(r);

	snprintf(loc, sizeof loc, "%s/images/%s/delete", path, img[1]);
	r = browse(&j, "GET", loc, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_ptr_nonnull(strstr(r->body, "It is the primary image"));
	snprintf(body, sizeof body, "csrf_token=%s", csrf_of(r));
	http_result_free(r);
	r = browse(&j, "POST", loc, body);
	ck_assert_msg(r->status == 303, "%ld %.300s", r->status, r->body);
	http_result_free(r);
	snprintf(body, sizeof body, "/0/true");
	expect_sql(q, body);
}
END_TEST

/* A seller removes, through the admin, a picture an admin uploaded to
 * their product: the catalog's rule decides (it is their product), and
 * the media item goes with the image (media_delete_product_image). */
START_TEST(seller_removes_an_uploaded_image_with_its_media)
{
	jar j = { .n = 0 };
	char q[1024], loc[256], body[256], pid[40], *mid, *iid, *v;
	const char *t = tag();
	http_result *r;

	free(sign_in_seller(&j));
	snprintf(pid, sizeof pid, "%s", create_product(&j, t, "4"));
	mid = psql_value("SELECT gen_random_uuid()");
	snprintf(q, sizeof q, "INSERT INTO media.items (id, owner_type, owner_id, source_format,"
	    " source_bytes, width, height, uploaded_by) VALUES ('%s', 'product', '%s', 'jpeg', 100,"
	    " 160, 100, gen_random_uuid()) RETURNING id", mid, pid);
	free(psql_value(q));
	snprintf(q, sizeof q, "INSERT INTO media.variants (media_id, width, height, format, path, bytes)"
	    " VALUES ('%s', 160, 100, 'jpeg', 'u/00/' || encode(sha256(convert_to('%s', 'UTF8')), 'hex')"
	    " || '.jpg', 100) RETURNING path", mid, mid);
	v = psql_value(q);
	ck_assert_msg(v != NULL && strncmp(v, "u/00/", 5) == 0, "variant not stored");
	free(v);
	snprintf(q, sizeof q, "INSERT INTO catalog.images (product_id, url, media_id, is_primary)"
	    " VALUES ('%s', '/media/u/00/x.jpg', '%s', true) RETURNING id", pid, mid);
	iid = psql_value(q);
	ck_assert_msg(iid != NULL && strlen(iid) == 36, "image not stored");

	snprintf(loc, sizeof loc, "/admin/products/%s/images/%s/delete", pid, iid);
	r = browse(&j, "GET", loc, NULL);
	ck_assert_msg(r->status == 200, "%ld %.300s", r->status, r->body);
	snprintf(body, sizeof body, "csrf_token=%s", csrf_of(r));
	http_result_free(r);
	r = browse(&j, "POST", loc, body);
	ck_assert_msg(r->status == 303, "%ld %.300s", r->status, r->body);
	http_result_free(r);
	snprintf(q, sizeof q, "SELECT count(*) FROM catalog.images WHERE id = '%s'", iid);
	expect_sql(q, "0");
	snprintf(q, sizeof q, "SELECT count(*) FROM media.items WHERE id = '%s'", mid);
	expect_sql(q, "0");
	snprintf(q, sizeof q, "SELECT count(*) FROM media.outbox WHERE aggregate_id = '%s'"
	    " AND event_type = 'ecommerce.media.deleted'", mid);
	expect_sql(q, "1");
	free(iid);
	free(mid);
}
END_TEST

/* ------------------------------------------------------------ banners */

#define BANNER_BOUNDARY "----ecomBannerFormBoundaryQ7x2K"

typedef struct mpbuf {
	char  *p;
	size_t len;
} mpbuf;

static void
mp_add(mpbuf *m, const void *d, size_t n)
{
	ck_assert_ptr_nonnull(m->p = realloc(m->p, m->len + n + 1));
	memcpy(m->p + m->len, d, n);
	m->len += n;
	m->p[m->len] = '\0';
}

static void
mp_field(mpbuf *m, const char *name, const char *value)
{
	char head[256];

	snprintf(head, sizeof head, "--" BANNER_BOUNDARY "\r\nContent-Disposition: form-data; "
	    "name=\"%s\"\r\n\r\n", name);
	mp_add(m, head, strlen(head));
	mp_add(m, value, strlen(value));
	mp_add(m, "\r\n", 2);
}

/* The banner form as a browser without JavaScript sends it: multipart,
 * the CSRF token of the page at `page`, the fields (name, value pairs,
 * NULL-terminated) and the image part: the file when data is not NULL,
 * else the empty part a browser sends when no file was chosen. */
static http_result *
banner_post(jar *j, const char *page, const char *path, const char *const *fields,
    const char *filename, const char *ctype, const void *data, size_t len)
{
	mpbuf m = { NULL, 0 };
	char head[512];
	http_result *r;

	mp_field(&m, "csrf_token", token_for(j, page));
	for (; fields[0] != NULL; fields += 2)
		mp_field(&m, fields[0], fields[1]);
	snprintf(head, sizeof head, "--" BANNER_BOUNDARY "\r\nContent-Disposition: form-data; "
	    "name=\"image\"; filename=\"%s\"\r\nContent-Type: %s\r\n\r\n",
	    data != NULL ? filename : "", data != NULL ? ctype : "application/octet-stream");
	mp_add(&m, head, strlen(head));
	if (data != NULL)
		mp_add(&m, data, len);
	mp_add(&m, "\r\n--" BANNER_BOUNDARY "--\r\n", strlen("\r\n--" BANNER_BOUNDARY "--\r\n"));
	r = browse_len(j, "POST", path, m.p, m.len,
	    "multipart/form-data; boundary=" BANNER_BOUNDARY);
	free(m.p);
	return r;
}

/* A banner refused for its window, created for next year (the shop does
 * not show it), moved into the present (it does), then deleted. */
START_TEST(banner_window_decides_what_the_shop_shows)
{
	jar j = { .n = 0 };
	char body[2048], loc[128], q[256], api[256], title[64], pos[64], *id;
	const char *t = tag();
	http_result *r;

	sign_in_admin(&j, "cat");
	snprintf(title, sizeof title, "Sale %s", t);
	snprintf(pos, sizeof pos, "pos-%s", t);
	{
		const char *f[] = { "title", title, "image_url", "/static/x.svg", "link_url", "/search",
		    "link_type", "page", "position", pos, "sort_order", "1", "active", "1",
		    "starts_at", "2031-01-02T00:00", "ends_at", "2031-01-01T00:00", NULL };
		r = banner_post(&j, "/admin/banners", "/admin/banners", f, NULL, NULL, NULL, 0);
	}
	ck_assert_msg(r->status == 400, "%ld %.600s", r->status, r->body);
	ck_assert_ptr_nonnull(strstr(r->body, "-error\""));
	http_result_free(r);
	{
		const char *f[] = { "title", title, "image_url", "/static/x.svg", "link_url", "/search",
		    "link_type", "page", "position", pos, "sort_order", "1", "active", "1",
		    "starts_at", "2031-01-01T00:00", "ends_at", "2031-02-01T00:00", NULL };
		r = banner_post(&j, "/admin/banners", "/admin/banners", f, NULL, NULL, NULL, 0);
	}
	see_other(r, loc, sizeof loc);
	http_result_free(r);
	snprintf(q, sizeof q, "SELECT id FROM catalog.banners WHERE position = 'pos-%s'", t);
	id = psql_value(q);
	ck_assert_msg(id != NULL && strlen(id) == 36, "banner not stored");
	r = browse(&j, "GET", "/admin/banners", NULL);
	ck_assert_ptr_nonnull(strstr(r->body, "scheduled"));
	http_result_free(r);
	snprintf(api, sizeof api, "/api/v1/banners?position=pos-%s", t);
	r = http_get(api);
	ck_assert_int_eq(r->status, 200);
	ck_assert_ptr_null(strstr(r->body, id));
	http_result_free(r);

	snprintf(loc, sizeof loc, "/admin/banners/%s", id);
	r = browse(&j, "GET", loc, NULL);
	ck_assert_ptr_nonnull(strstr(r->body, "value=\"2031-01-01T00:00\""));
	http_result_free(r);
	{
		const char *f[] = { "title", title, "image_url", "/static/x.svg", "link_url", "/search",
		    "link_type", "page", "position", pos, "sort_order", "1", "active", "1",
		    "starts_at", "2020-01-01T00:00", "ends_at", "", NULL };
		r = banner_post(&j, loc, loc, f, NULL, NULL, NULL, 0);
	}
	ck_assert_msg(r->status == 303, "%ld %.600s", r->status, r->body);
	http_result_free(r);
	r = http_get(api);
	ck_assert_ptr_nonnull(strstr(r->body, id));
	http_result_free(r);

	snprintf(q, sizeof q, "%s/delete", loc);
	r = browse(&j, "GET", q, NULL);
	ck_assert_int_eq(r->status, 200);
	snprintf(body, sizeof body, "csrf_token=%s", csrf_of(r));
	http_result_free(r);
	r = browse(&j, "POST", q, body);
	ck_assert_int_eq(r->status, 303);
	http_result_free(r);
	snprintf(q, sizeof q, "SELECT count(*) FROM catalog.banners WHERE id = '%s'", id);
	expect_sql(q, "0");
	free(id);
}
END_TEST

/* A PNG of w x h, one colour with a stripe; malloc'd. */
static unsigned char *
make_png(size_t w, size_t h, size_t *len)
{
	MagickWand *mw;
	PixelWand *pw;
	DrawingWand *dw;
	unsigned char *blob, *out;

	MagickWandGenesis();
	mw = NewMagickWand();
	pw = NewPixelWand();
	dw = NewDrawingWand();
	{
		/* a colour of this run: its files are its own, not shared with
		 * an earlier upload of the same bytes */
		char colour[16];
		snprintf(colour, sizeof colour, "#%06lx",
		    ((unsigned long)time(NULL) * 2654435761u ^ (unsigned long)getpid()) & 0xffffffUL);
		PixelSetColor(pw, colour);
	}
	ck_assert(MagickNewImage(mw, w, h, pw));
	PixelSetColor(pw, "#204080");
	DrawSetFillColor(dw, pw);
	DrawRectangle(dw, 0, 0, (double)w / 3, (double)h / 2);
	MagickDrawImage(mw, dw);
	ck_assert(MagickSetImageFormat(mw, "PNG"));
	ck_assert_ptr_nonnull(blob = MagickGetImageBlob(mw, len));
	ck_assert_ptr_nonnull(out = malloc(*len));
	memcpy(out, blob, *len);
	MagickRelinquishMemory(blob);
	DestroyDrawingWand(dw);
	DestroyPixelWand(pw);
	DestroyMagickWand(mw);
	return out;
}

/* The element of the home page's banner titled `title`: its <a ...>..</a>
 * (malloc'd), or NULL when the page does not show it. */
static char *
home_banner(const char *title)
{
	http_result *r = http_get("/");
	const char *at, *open_a = NULL, *close_a;
	char *el = NULL;

	ck_assert_int_eq(r->status, 200);
	if ((at = strstr(r->body, title)) != NULL) {
		for (const char *n = r->body; (n = strstr(n, "<a class=\"banner")) != NULL && n < at; n++)
			open_a = n;
		ck_assert_ptr_nonnull(open_a);
		ck_assert_ptr_nonnull(close_a = strstr(open_a, "</a>"));
		el = strndup(open_a, (size_t)(close_a - open_a));
	}
	http_result_free(r);
	return el;
}

/*
 * The banner form takes its picture as a file: a PNG is judged and
 * resized by lib/media, the banner names its largest JPEG, and the home
 * page shows it with WebP and JPEG srcset of the sizes lib/media made.
 * An HTML file named .png is refused (415, naming the image field) and
 * leaves no banner, no media row and no file, and so is 2 MiB of junk (the
 * web server lets the form's picture through to lib/media); a form with
 * neither a file
 * nor a URL is refused naming image_url.  A new URL typed on the edit
 * page releases the upload (rows and files); deleting the banner too.
 */
START_TEST(banner_picture_uploaded_through_the_form)
{
	static const char html[] = "<!DOCTYPE html><html><body><script>alert(1)</script></body></html>";
	jar j = { .n = 0 };
	char q[512], loc[128], title[64], bad[64], none[64], *id, *url, *el;
	const char *t = tag();
	unsigned char *png;
	size_t len;
	long files;
	http_result *r;

	sign_in_admin(&j, "cat");
	png = make_png(900, 300, &len);
	files = media_upload_files();
	snprintf(title, sizeof title, "Upload banner %s", t);
	snprintf(bad, sizeof bad, "Refused banner %s", t);
	snprintf(none, sizeof none, "Pictureless banner %s", t);

	/* an HTML file named .png: refused by its content, nothing written */
	{
		const char *f[] = { "title", bad, "image_url", "", "link_url", "/search",
		    "link_type", "page", "position", "hero", "sort_order", "-1000000", "active", "1",
		    "starts_at", "", "ends_at", "", NULL };
		r = banner_post(&j, "/admin/banners", "/admin/banners", f, "sale.png", "image/png",
		    html, strlen(html));
	}
	ck_assert_msg(r->status == 415, "%ld %.600s", r->status, r->body);
	ck_assert_msg(strstr(r->body, "id=\"image-error\"") != NULL &&
	    strstr(r->body, "not a JPEG, PNG, WebP or GIF") != NULL, "%.2000s", r->body);
	http_result_free(r);
	snprintf(q, sizeof q, "SELECT count(*) FROM catalog.banners WHERE title = '%s'", bad);
	expect_sql(q, "0");
	ck_assert_int_eq(media_upload_files(), files);
	/* over the web server's 1 MiB for forms: the banner form may carry a
	 * photo, so the responder (lib/media) is the one that judges it */
	{
		const char *f[] = { "title", bad, "image_url", "", "link_url", "/search",
		    "link_type", "page", "position", "hero", "sort_order", "1", "active", "1",
		    "starts_at", "", "ends_at", "", NULL };
		size_t blen = 2 * 1024 * 1024;
		char *big = malloc(blen);

		ck_assert_ptr_nonnull(big);
		memset(big, 'A', blen);
		r = banner_post(&j, "/admin/banners", "/admin/banners", f, "huge.png", "image/png",
		    big, blen);
		free(big);
	}
	ck_assert_msg(r->status == 415 && strstr(r->body, "id=\"image-error\"") != NULL,
	    "%ld %.600s", r->status, r->body);
	http_result_free(r);
	expect_sql(q, "0");
	ck_assert_int_eq(media_upload_files(), files);

	/* neither a file nor a URL */
	{
		const char *f[] = { "title", none, "image_url", "", "link_url", "/search",
		    "link_type", "page", "position", "hero", "sort_order", "1", "active", "1",
		    "starts_at", "", "ends_at", "", NULL };
		r = banner_post(&j, "/admin/banners", "/admin/banners", f, NULL, NULL, NULL, 0);
	}
	ck_assert_msg(r->status == 400, "%ld %.600s", r->status, r->body);
	ck_assert_msg(strstr(r->body, "id=\"image_url-error\">upload an image file or enter an "
	    "image URL") != NULL, "%.2000s", strstr(r->body, "<main") ? strstr(r->body, "<main") : r->body);
	http_result_free(r);
	snprintf(q, sizeof q, "SELECT count(*) FROM catalog.banners WHERE title = '%s'", none);
	expect_sql(q, "0");

	/* the PNG: stored as the banner's media, shown with srcset */
	{
		const char *f[] = { "title", title, "image_url", "", "link_url", "/search",
		    "link_type", "page", "position", "hero", "sort_order", "-1000000", "active", "1",
		    "starts_at", "", "ends_at", "", NULL };
		r = banner_post(&j, "/admin/banners", "/admin/banners", f, "sale.png", "image/png",
		    png, len);
	}
	see_other(r, loc, sizeof loc);
	http_result_free(r);
	snprintf(q, sizeof q, "SELECT id FROM catalog.banners WHERE title = '%s'", title);
	ck_assert_msg((id = psql_value(q)) != NULL && strlen(id) == 36, "banner not stored");
	snprintf(q, sizeof q, "SELECT image_url FROM catalog.banners WHERE id = '%s'", id);
	url = psql_value(q);
	ck_assert_msg(url != NULL && strncmp(url, "/media/u/", 9) == 0 &&
	    strstr(url, ".jpg") != NULL, "image_url %s", url ? url : "(null)");
	snprintf(q, sizeof q, "SELECT count(*) FROM media.items WHERE owner_type = 'banner'"
	    " AND owner_id = '%s' AND source_format = 'png' AND width = 900 AND height = 300", id);
	expect_sql(q, "1");
	/* 160, 480 and the original 900, each WebP and JPEG */
	ck_assert_int_eq(media_upload_files(), files + 6);
	el = home_banner(title);
	ck_assert_msg(el != NULL, "the home page does not show %s", title);
	ck_assert_msg(strstr(el, "<picture><source type=\"image/webp\" srcset=\"/media/u/") != NULL &&
	    strstr(el, ".webp 160w, /media/u/") != NULL && strstr(el, ".webp 900w\"") != NULL,
	    "no WebP srcset: %s", el);
	ck_assert_msg(strstr(el, ".jpg 160w, /media/u/") != NULL && strstr(el, ".jpg 480w, ") != NULL &&
	    strstr(el, ".jpg 900w\" sizes=\"") != NULL, "no JPEG srcset: %s", el);
	ck_assert_msg(strstr(el, url) != NULL && strstr(el, "width=\"900\" height=\"300\"") != NULL,
	    "not the upload's src and size: %s", el);
	free(el);

	/* a URL typed on the edit page: the upload is released */
	snprintf(loc, sizeof loc, "/admin/banners/%s", id);
	{
		const char *f[] = { "title", title, "image_url", "/static/favicon.svg",
		    "link_url", "/search", "link_type", "page", "position", "hero",
		    "sort_order", "-1000000", "active", "1", "starts_at", "", "ends_at", "", NULL };
		r = banner_post(&j, loc, loc, f, NULL, NULL, NULL, 0);
	}
	ck_assert_msg(r->status == 303, "%ld %.600s", r->status, r->body);
	http_result_free(r);
	snprintf(q, sizeof q, "SELECT count(*) FROM media.items WHERE owner_id = '%s'", id);
	expect_sql(q, "0");
	ck_assert_int_eq(media_upload_files(), files);
	el = home_banner(title);
	ck_assert_msg(el != NULL && strstr(el, "src=\"/static/favicon.svg\"") != NULL &&
	    strstr(el, "srcset") == NULL, "%s", el ? el : "(not shown)");
	free(el);

	/* a new file on the edit page, then the banner deleted: nothing left */
	{
		const char *f[] = { "title", title, "image_url", "/static/favicon.svg",
		    "link_url", "/search", "link_type", "page", "position", "hero",
		    "sort_order", "-1000000", "active", "1", "starts_at", "", "ends_at", "", NULL };
		r = banner_post(&j, loc, loc, f, "again.png", "image/png", png, len);
	}
	ck_assert_msg(r->status == 303, "%ld %.600s", r->status, r->body);
	http_result_free(r);
	snprintf(q, sizeof q, "SELECT count(*) FROM media.items WHERE owner_id = '%s'", id);
	expect_sql(q, "1");
	snprintf(q, sizeof q, "SELECT image_url LIKE '/media/u/%%' FROM catalog.banners WHERE id = '%s'",
	    id);
	expect_sql(q, "t");
	snprintf(q, sizeof q, "%s/delete", loc);
	r = browse(&j, "GET", q, NULL);
	ck_assert_int_eq(r->status, 200);
	{
		char body[256];
		snprintf(body, sizeof body, "csrf_token=%s", csrf_of(r));
		http_result_free(r);
		r = browse(&j, "POST", q, body);
	}
	ck_assert_int_eq(r->status, 303);
	http_result_free(r);
	snprintf(q, sizeof q, "SELECT count(*) FROM media.items WHERE owner_id = '%s'", id);
	expect_sql(q, "0");
	ck_assert_int_eq(media_upload_files(), files);
	free(url);
	free(id);
	free(png);
}
END_TEST

/* ------------------------------------------------------------ reviews */

/* A review of a published product, rejected (the product's reviews and
 * rating no longer count it) and published again. */
START_TEST(review_rejected_and_published_again)
{
	jar j = { .n = 0 };
	char q[512], body[512], path[128], api[160], *pid, *rid, *before, *after;
	const char *t = tag();
	http_result *r;

	sign_in_admin(&j, "cat");
	pid = psql_value("SELECT p.id FROM catalog.products p WHERE p.status = 'published'"
	    " ORDER BY p.created_at LIMIT 1");
	ck_assert_msg(pid != NULL && strlen(pid) == 36, "no published product");
	snprintf(q, sizeof q, "SELECT coalesce((SELECT count FROM catalog.rating_summaries WHERE"
	    " product_id = '%s'), 0)", pid);
	before = psql_value(q);
	snprintf(body, sizeof body, "INSERT INTO catalog.reviews (product_id, user_id, rating, title, body)"
	    " VALUES ('%s', gen_random_uuid(), 2, 'Meh %s', 'It flickers.') RETURNING id", pid, t);
	rid = psql_value(body);
	ck_assert_msg(rid != NULL && strlen(rid) >= 36, "review not stored");
	rid[36] = '\0';

	r = browse(&j, "GET", "/admin/reviews?status=published", NULL);
	ck_assert_int_eq(r->status, 200);
	snprintf(body, sizeof body, "Meh %s", t);
	ck_assert_ptr_nonnull(strstr(r->body, body));
	http_result_free(r);
	snprintf(path, sizeof path, "/admin/reviews/%s/status", rid);
	snprintf(body, sizeof body, "csrf_token=%s&status=rejected&back=%%2Fadmin%%2Freviews%%3Fstatus%%3Dpublished",
	    token_for(&j, "/admin/reviews"));
	r = browse(&j, "POST", path, body);
	ck_assert_msg(r->status == 303, "%ld %.300s", r->status, r->body);
	http_result_free(r);
	snprintf(q, sizeof q, "SELECT status FROM catalog.reviews WHERE id = '%s'", rid);
	expect_sql(q, "rejected");
	snprintf(q, sizeof q, "SELECT coalesce((SELECT count FROM catalog.rating_summaries WHERE"
	    " product_id = '%s'), 0)", pid);
	after = psql_value(q);
	ck_assert_str_eq(after, before);
	free(after);
	snprintf(api, sizeof api, "/api/v1/products/%s/reviews?per_page=100", pid);
	r = http_get(api);
	ck_assert_ptr_null(strstr(r->body, rid));
	http_result_free(r);

	snprintf(body, sizeof body, "csrf_token=%s&status=published", token_for(&j, "/admin/reviews"));
	r = browse(&j, "POST", path, body);
	ck_assert_int_eq(r->status, 303);
	http_result_free(r);
	snprintf(q, sizeof q, "SELECT status FROM catalog.reviews WHERE id = '%s'", rid);
	expect_sql(q, "published");
	snprintf(body, sizeof body, "csrf_token=%s&status=bogus", token_for(&j, "/admin/reviews"));
	r = browse(&j, "POST", path, body);
	ck_assert_int_eq(r->status, 400);
	http_result_free(r);
	/* leave the demo product's rating as it was */
	snprintf(q, sizeof q, "DELETE FROM catalog.reviews WHERE id = '%s' RETURNING 1", rid);
	free(psql_value(q));
	free(before);
	free(rid);
	free(pid);
}
END_TEST

/* ------------------------------------------------------------ CSV import */

#define CSV_HEADER "product_slug,product_name,description,status,category_slug,brand_slug," \
	"currency,base_price,sku,variant_name,variant_price,attributes,weight_grams,active\r\n"
#define BOUNDARY "----ecomTestBoundary7MA4YWxkTrZu0gW"

/* POST csv as the upload form would (multipart, file + mode). */
static http_result *
upload(jar *j, const char *csv, const char *mode)
{
	const char *tok = token_for(j, "/admin/catalog/io");
	size_t cap = strlen(csv) + 1024;
	char *body = malloc(cap), ct[128];
	http_result *r;

	ck_assert_ptr_nonnull(body);
	snprintf(body, cap, "--" BOUNDARY "\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n"
	    "%s\r\n--" BOUNDARY "\r\nContent-Disposition: form-data; name=\"mode\"\r\n\r\n%s\r\n"
	    "--" BOUNDARY "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"catalog.csv\"\r\n"
	    "Content-Type: text/csv\r\n\r\n%s\r\n--" BOUNDARY "--\r\n", tok, mode, csv);
	snprintf(ct, sizeof ct, "multipart/form-data; boundary=" BOUNDARY);
	r = browse_as(j, "POST", "/admin/catalog/import", body, ct);
	free(body);
	return r;
}

START_TEST(import_reports_by_line_and_column_and_changes_nothing)
{
	jar j = { .n = 0 };
	char csv[4096], q[512], loc[256], want[256];
	const char *t = tag();
	http_result *r;

	sign_in_admin(&j, "cat");
	snprintf(csv, sizeof csv, CSV_HEADER
	    "imp-%s-a,Good %s,Fine,draft,,,EUR,10.00,IMP-%s-A1,One,,size=M,100,true\r\n"
	    "imp-%s-b,Bad price,,draft,,,EUR,abc,IMP-%s-B1,One,,,,true\r\n"
	    "imp-%s-c,Bad status,,bogus,nope-%s,,EUR,5,IMP-%s-C1,One,,,,true\r\n",
	    t, t, t, t, t, t, t, t);
	r = upload(&j, csv, "apply");
	ck_assert_msg(r->status == 400, "%ld %.600s", r->status, r->body);
	ck_assert_ptr_nonnull(strstr(r->body, "Nothing was changed."));
	ck_assert_msg(strstr(r->body, "<tr><td>3</td><td><code>base_price</code></td>") != NULL,
	    "line 3 base_price not reported: %s", strstr(r->body, "<table"));
	ck_assert_ptr_nonnull(strstr(r->body, "<tr><td>4</td><td><code>status</code></td>"));
	ck_assert_ptr_nonnull(strstr(r->body, "<tr><td>4</td><td><code>category_slug</code></td>"));
	http_result_free(r);
	snprintf(q, sizeof q, "SELECT count(*) FROM catalog.products WHERE slug LIKE 'imp-%s-%%'", t);
	expect_sql(q, "0");	/* not even the good row */

	/* the good rows alone: checked only, then applied */
	snprintf(csv, sizeof csv, CSV_HEADER
	    "imp-%s-a,Good %s,Fine,draft,,,EUR,10.00,IMP-%s-A1,Medium,,size=M,100,true\r\n"
	    "imp-%s-a,Good %s,Fine,draft,,,EUR,10.00,IMP-%s-A2,Large,12.50,size=L,120,true\r\n",
	    t, t, t, t, t, t);
	r = upload(&j, csv, "check");
	see_other(r, loc, sizeof loc);
	http_result_free(r);
	expect_sql(q, "0");
	r = browse(&j, "GET", loc, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_ptr_nonnull(strstr(r->body, "The file is valid: 2 rows checked"));
	http_result_free(r);
	r = upload(&j, csv, "apply");
	see_other(r, loc, sizeof loc);
	http_result_free(r);
	r = browse(&j, "GET", loc, NULL);
	ck_assert_ptr_nonnull(strstr(r->body, "2 rows applied: 1 products created"));
	ck_assert_ptr_nonnull(strstr(r->body, "The import is applied."));
	http_result_free(r);
	snprintf(q, sizeof q, "SELECT p.name || '|' || string_agg(v.sku || '=' || coalesce(v.price::text,"
	    " 'base'), ',' ORDER BY v.sku) FROM catalog.products p JOIN catalog.variants v ON"
	    " v.product_id = p.id WHERE p.slug = 'imp-%s-a' GROUP BY p.name", t);
	snprintf(want, sizeof want, "Good %s|IMP-%s-A1=base,IMP-%s-A2=1250", t, t, t);
	expect_sql(q, want);
	/* the io page lists it */
	r = browse(&j, "GET", "/admin/catalog/io", NULL);
	ck_assert_ptr_nonnull(strstr(r->body, loc));
	http_result_free(r);
	/* a file that is not CSV text, and no file at all */
	r = upload(&j, "", "apply");
	ck_assert_msg(r->status == 400, "%ld %.300s", r->status, r->body);
	ck_assert_ptr_nonnull(strstr(r->body, "Choose a CSV file"));
	http_result_free(r);
}
END_TEST

/* A file over the in-request size waits for the janitor; its page shows
 * the state and refreshes itself until the job ends. */
START_TEST(large_import_is_applied_by_the_janitor)
{
	jar j = { .n = 0 };
	const char *bin = getenv("ECOM_TEST_BIN"), *t = tag();
	size_t cap = 400 * 1024, used;
	char *csv = malloc(cap), desc[1001], loc[256], q[512], cmd[1024], hv[512], *out;
	http_result *r;

	ck_assert_msg(bin != NULL, "ECOM_TEST_BIN not set");
	ck_assert_ptr_nonnull(csv);
	memset(desc, 'x', sizeof desc - 1);
	desc[sizeof desc - 1] = '\0';
	used = (size_t)snprintf(csv, cap, CSV_HEADER);
	for (int i = 0; i < 300; i++)
		used += (size_t)snprintf(csv + used, cap - used,
		    "big-%s-%d,Big %s %d,%s,draft,,,EUR,%d.00,BIG-%s-%d,One,,,,true\r\n",
		    t, i, t, i, desc, 1 + i, t, i);
	ck_assert_uint_gt(used, 256 * 1024);
	sign_in_admin(&j, "cat");
	r = upload(&j, csv, "apply");
	free(csv);
	see_other(r, loc, sizeof loc);
	http_result_free(r);
	r = browse(&j, "GET", loc, NULL);
	ck_assert_int_eq(r->status, 200);
	/* the HTTP header, not a <meta> (WCAG 2.2.1), and a way to stop it */
	ck_assert_int_eq(http_header(r, "refresh", hv, sizeof hv), 1);
	ck_assert_str_eq(hv, "3");
	ck_assert_ptr_null(strstr(r->body, "http-equiv"));
	ck_assert_ptr_nonnull(strstr(r->body, "?refresh=off\">Stop refreshing</a>"));
	ck_assert_ptr_nonnull(strstr(r->body, "Waiting for the background worker"));
	http_result_free(r);
	snprintf(hv, sizeof hv, "%s?refresh=off", loc);
	r = browse(&j, "GET", hv, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(http_header(r, "refresh", hv, sizeof hv), 0);
	ck_assert_ptr_nonnull(strstr(r->body, "no longer refreshes itself"));
	http_result_free(r);
	snprintf(q, sizeof q, "SELECT count(*) FROM catalog.products WHERE slug LIKE 'big-%s-%%'", t);
	expect_sql(q, "0");

	snprintf(cmd, sizeof cmd, "%s/../workers/janitor 2>&1 >/dev/null | grep -c catalog_import",
	    bin);
	out = run_capture(cmd);
	free(out);
	expect_sql(q, "300");
	r = browse(&j, "GET", loc, NULL);
	ck_assert_int_eq(http_header(r, "refresh", hv, sizeof hv), 0);
	ck_assert_msg(strstr(r->body, "300 rows applied: 300 products created") != NULL, "%.900s",
	    strstr(r->body, "<main"));
	http_result_free(r);
}
END_TEST

static Suite *
admin_catalog_suite(void)
{
	Suite *s = suite_create("admin_catalog");
	TCase *tc = tcase_create("pages");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, product_refused_created_edited_published_archived);
	tcase_add_test(tc, list_filters_and_finds);
	tcase_add_test(tc, form_without_csrf_changes_nothing);
	tcase_add_test(tc, seller_sees_only_their_own);
	tcase_add_test(tc, categories_created_moved_reordered);
	tcase_add_test(tc, brands_created_and_refused);
	tcase_add_test(tc, images_alt_order_primary_and_removal);
	tcase_add_test(tc, seller_removes_an_uploaded_image_with_its_media);
	tcase_add_test(tc, banner_window_decides_what_the_shop_shows);
	tcase_add_test(tc, banner_picture_uploaded_through_the_form);
	tcase_add_test(tc, review_rejected_and_published_again);
	tcase_add_test(tc, import_reports_by_line_and_column_and_changes_nothing);
	tcase_add_test(tc, large_import_is_applied_by_the_janitor);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	if (test_base_url() == NULL) {
		puts("SKIP: ECOM_TEST_BASE_URL not set (./check sets it)");
		return 77;
	}
	browser_client("10.77.7.9");
	return check_run(admin_catalog_suite());
}
