/*
 * image.c — decoding and normalising an upload with MagickWand (media.h
 * steps 2-4).
 *
 * The decoder is chosen by the sniffed kind ("PNG:" etc.), never by
 * MagickWand's own guess, so no other coder (SVG, MVG, MSL, text, ...) can
 * ever see the bytes.  The resource limits are set once per process in
 * media_init; the time limit is set again before each upload because
 * ImageMagick measures it from the last reset of its pixel-cache epoch,
 * not per operation.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <openssl/evp.h>
/* MagickWand's headers declare a function without a prototype */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
#include <wand/MagickWand.h>
#pragma GCC diagnostic pop

#include "core/log.h"
#include "media/internal.h"

#define MEDIA_TIME_LIMIT_S	30
#define WEBP_QUALITY		80
#define JPEG_QUALITY		82

int
media_init(void)
{
	static int done;

	if (done)
		return 0;
	MagickWandGenesis();
	/* Each may only lower the policy.xml limits; failures are logged. */
	if (!MagickSetResourceLimit(MemoryResource, 256 * 1024 * 1024) ||
	    !MagickSetResourceLimit(MapResource, 512 * 1024 * 1024) ||
	    /* beyond memory and map, a 40-megapixel picture at 16 bits per
	     * sample spills to a temporary disk cache, bounded too */
	    !MagickSetResourceLimit(DiskResource, (MagickSizeType)1024 * 1024 * 1024) ||
	    !MagickSetResourceLimit(AreaResource, (MagickSizeType)MEDIA_MAX_PIXELS * 2) ||
	    !MagickSetResourceLimit(WidthResource, MEDIA_MAX_SIDE) ||
	    !MagickSetResourceLimit(HeightResource, MEDIA_MAX_SIDE) ||
	    !MagickSetResourceLimit(ListLengthResource, MEDIA_MAX_FRAMES) ||
	    !MagickSetResourceLimit(ThreadResource, 1))
		log_msg(LOG_WARN, "media: a MagickWand resource limit was not accepted");
	done = 1;
	return 0;
}

size_t
media_plan_widths(uint32_t w, int out[MEDIA_NWIDTHS])
{
	size_t n = 0;

	for (size_t i = 0; i < MEDIA_NWIDTHS; i++)
		if ((uint32_t)media_widths[i] < w)
			out[n++] = media_widths[i];
	/* the original width itself, up to the largest size */
	if (w <= (uint32_t)media_widths[MEDIA_NWIDTHS - 1]) {
		if (n == MEDIA_NWIDTHS)
			n--;	/* cannot happen: the largest is not < w here */
		out[n++] = (int)w;
	}
	return n;
}

/* Whether the last wand call failed or warned of damaged input; the
 * description goes to the log, the client gets a plain message. */
/* Set by wand_bad when the last failure was a resource limit (the
 * picture is too big to decode here: 413, not "not an image"). */
static bool over_limit;

static bool
severe(ExceptionType t)
{
	if (t == ResourceLimitError || t == ResourceLimitWarning || t == ResourceLimitFatalError ||
	    t == CacheError || t == CacheFatalError)
		over_limit = true;
	return t >= ErrorException || t == CorruptImageWarning || t == ResourceLimitWarning ||
	    t == CacheWarning || t == BlobWarning || t == DelegateWarning || t == CoderWarning;
}

/* One exception report (the wand's or its current image's): whether it is
 * severe; logged either way. */
static bool
report(char *d, ExceptionType t, const char *what)
{
	bool bad = severe(t);

	if (t != UndefinedException)
		log_msg(bad ? LOG_INFO : LOG_DEBUG, "media: %s: %s (%d)", what,
		    d != NULL ? d : "?", (int)t);
	if (d != NULL)
		MagickRelinquishMemory(d);
	return bad;
}

/* A decoder's warnings (libjpeg's "premature end of data") land on the
 * image, not the wand: both are looked at, and cleared. */
static bool
wand_bad(MagickWand *w, MagickBooleanType ok, const char *what)
{
	ExceptionType t = UndefinedException;
	bool bad = report(MagickGetException(w, &t), t, what);
	Image *im = MagickGetNumberImages(w) > 0 ?
	    GetFirstImageInList(GetImageFromMagickWand(w)) : NULL;

	for (; im != NULL; im = GetNextImageInList(im)) {
		if (im->exception.severity == UndefinedException)
			continue;
		log_msg(severe(im->exception.severity) ? LOG_INFO : LOG_DEBUG,
		    "media: %s: %s (%d)", what, im->exception.reason != NULL ?
		    im->exception.reason : "?", (int)im->exception.severity);
		bad |= severe(im->exception.severity);
		ClearMagickException(&im->exception);
	}
	MagickClearException(w);
	return bad || ok == MagickFalse;
}

static const char *
coder(media_kind k)
{
	switch (k) {
	case MEDIA_JPEG: return "JPEG";
	case MEDIA_PNG:  return "PNG";
	case MEDIA_WEBP: return "WEBP";
	case MEDIA_GIF:  return "GIF";
	default:         return NULL;
	}
}

static int
sha256_hex(const unsigned char *d, size_t n, char hex[65])
{
	unsigned char md[32];
	unsigned int mdlen = 0;

	if (EVP_Digest(d, n, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32)
		return -1;
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return 0;
}

/* Encode w (already sized) as fmt into o, copying the blob into the arena. */
static ecode
encode(arena *a, MagickWand *w, bool webp, media_out *o, error *e)
{
	MagickWand *c = CloneMagickWand(w);
	unsigned char *blob;
	size_t len = 0;
	char hex[65];

	if (c == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	if (!webp) {
		PixelWand *white = NewPixelWand();
		PixelSetColor(white, "#ffffff");
		MagickSetImageBackgroundColor(c, white);
		DestroyPixelWand(white);
		/* transparency onto white: JPEG has none */
		MagickSetImageAlphaChannel(c, RemoveAlphaChannel);
		MagickSetImageInterlaceScheme(c, PlaneInterlace);	/* progressive */
		MagickSetInterlaceScheme(c, PlaneInterlace);
	}
	/* both: the wand's format (set to the sniffed coder for reading) would
	 * otherwise win over the image's when the blob is written */
	MagickSetFormat(c, webp ? "WEBP" : "JPEG");
	MagickSetImageFormat(c, webp ? "WEBP" : "JPEG");
	MagickSetImageCompressionQuality(c, webp ? WEBP_QUALITY : JPEG_QUALITY);
	blob = MagickGetImageBlob(c, &len);
	if (blob == NULL || len == 0 || wand_bad(c, MagickTrue, "encode")) {
		if (blob != NULL)
			MagickRelinquishMemory(blob);
		DestroyMagickWand(c);
		return err_set(e, E_INTERNAL, "could not encode the image");
	}
	o->data = arena_alloc(a, len);
	if (o->data != NULL)
		memcpy(o->data, blob, len);
	o->len = len;
	o->width = (int32_t)MagickGetImageWidth(c);
	o->height = (int32_t)MagickGetImageHeight(c);
	o->format = webp ? "webp" : "jpeg";
	MagickRelinquishMemory(blob);
	DestroyMagickWand(c);
	if (o->data == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	if (sha256_hex(o->data, o->len, hex) != 0)
		return err_set(e, E_INTERNAL, "no SHA-256");
	snprintf(o->path, sizeof o->path, "u/%.2s/%s.%s", hex, hex, webp ? "webp" : "jpg");
	return E_OK;
}

ecode
media_image_process(arena *a, const void *data, size_t len, media_kind k,
    media_out *outs, size_t *nout, int32_t *width, int32_t *height, error *e)
{
	uint32_t hw, hh;
	size_t frames, pw, ph, nw;
	int widths[MEDIA_NWIDTHS];
	MagickWand *w = NULL, *f = NULL;
	ecode rc = E_OK;

	*nout = 0;
	if (coder(k) == NULL)
		return err_set(e, E_UNSUPPORTED_MEDIA_TYPE,
		    "upload a JPEG, PNG, WebP or GIF image");
	/* step 2: the header's own numbers, before any decoder */
	if (media_dimensions(k, data, len, &hw, &hh) != 0)
		return err_set(e, E_UNSUPPORTED_MEDIA_TYPE,
		    "the file is not a valid %s image (its header is damaged or cut short)",
		    media_kind_name(k));
	if (hw > MEDIA_MAX_SIDE || hh > MEDIA_MAX_SIDE ||
	    (uint64_t)hw * hh > MEDIA_MAX_PIXELS)
		return err_set(e, E_PAYLOAD_TOO_LARGE,
		    "the image is %" PRIu32 "x%" PRIu32 " pixels; at most %d on a side and "
		    "%d megapixels are accepted", hw, hh, MEDIA_MAX_SIDE, MEDIA_MAX_PIXELS / 1000000);
	media_init();
	MagickSetResourceLimit(TimeResource, MEDIA_TIME_LIMIT_S);
	over_limit = false;

	/* step 3: ping (headers only) through the sniffed coder alone */
	if ((w = NewMagickWand()) == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	MagickSetFormat(w, coder(k));
	if (wand_bad(w, MagickPingImageBlob(w, data, len), "ping")) {
		rc = err_set(e, E_UNSUPPORTED_MEDIA_TYPE, "the file is not a valid %s image",
		    media_kind_name(k));
		goto out;
	}
	frames = MagickGetNumberImages(w);
	MagickSetIteratorIndex(w, 0);
	pw = MagickGetImageWidth(w);
	ph = MagickGetImageHeight(w);
	if (frames < 1 || frames > MEDIA_MAX_FRAMES || pw == 0 || ph == 0 ||
	    pw > MEDIA_MAX_SIDE || ph > MEDIA_MAX_SIDE ||
	    (uint64_t)pw * ph > MEDIA_MAX_PIXELS ||
	    (uint64_t)pw * ph * frames > (uint64_t)MEDIA_MAX_PIXELS * 2) {
		rc = err_set(e, E_PAYLOAD_TOO_LARGE, "the image has too many pixels or frames "
		    "(at most %d megapixels and %d frames)", MEDIA_MAX_PIXELS / 1000000,
		    MEDIA_MAX_FRAMES);
		goto out;
	}
	ClearMagickWand(w);
	MagickSetFormat(w, coder(k));
	over_limit = false;
	if (wand_bad(w, MagickReadImageBlob(w, data, len), "read")) {
		if (over_limit)
			rc = err_set(e, E_PAYLOAD_TOO_LARGE,
			    "the image is too large to process; send a smaller one");
		else
			rc = err_set(e, E_UNSUPPORTED_MEDIA_TYPE,
			    "the file is not a valid %s image (damaged, cut short or not an image)",
			    media_kind_name(k));
		goto out;
	}
	/* step 4: the first frame, upright, without metadata, in sRGB; the
	 * other frames are released at once */
	MagickSetIteratorIndex(w, 0);
	if ((f = MagickGetImage(w)) == NULL) {
		rc = err_set(e, E_INTERNAL, "out of memory");
		goto out;
	}
	DestroyMagickWand(w);
	w = NULL;
	if (wand_bad(f, MagickAutoOrientImage(f), "orient") ||
	    wand_bad(f, MagickStripImage(f), "strip") ||
	    wand_bad(f, MagickTransformImageColorspace(f, sRGBColorspace), "colorspace")) {
		rc = err_set(e, E_UNSUPPORTED_MEDIA_TYPE, "the image could not be normalised");
		goto out;
	}
	MagickResetImagePage(f, "0x0+0+0");	/* a GIF frame's offset */
	pw = MagickGetImageWidth(f);
	ph = MagickGetImageHeight(f);
	nw = media_plan_widths((uint32_t)pw, widths);
	for (size_t i = 0; i < nw && rc == E_OK; i++) {
		MagickWand *r = CloneMagickWand(f);
		size_t th = (ph * (size_t)widths[i] + pw / 2) / pw;	/* rounded */

		if (r == NULL) {
			rc = err_set(e, E_INTERNAL, "out of memory");
			break;
		}
		if (th < 1)
			th = 1;
		if ((size_t)widths[i] != pw &&
		    wand_bad(r, MagickResizeImage(r, (size_t)widths[i], th, LanczosFilter, 1.0), "resize"))
			rc = err_set(e, E_INTERNAL, "could not resize the image");
		if (rc == E_OK && (rc = encode(a, r, true, &outs[*nout], e)) == E_OK) {
			++*nout;
			if ((rc = encode(a, r, false, &outs[*nout], e)) == E_OK)
				++*nout;
		}
		DestroyMagickWand(r);
	}
	if (rc == E_OK) {
		*width = outs[*nout - 1].width;
		*height = outs[*nout - 1].height;
	}
out:
	if (rc == E_INTERNAL && over_limit)
		rc = err_set(e, E_PAYLOAD_TOO_LARGE,
		    "the image is too large to process; send a smaller one");
	if (f != NULL)
		DestroyMagickWand(f);
	if (w != NULL)
		DestroyMagickWand(w);
	return rc;
}
