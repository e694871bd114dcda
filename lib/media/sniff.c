/*
 * sniff.c — what an upload is, by its bytes, and how large it says it is,
 * by its own header (media.h steps 1 and 2).  No decoder runs here: this is
 * the cheap gate in front of MagickWand, and it needs no library.
 */
#include <string.h>

#include "media/media.h"

const int media_widths[MEDIA_NWIDTHS] = { 160, 480, 960, 1600 };

media_kind
media_sniff(const void *data, size_t len)
{
	const unsigned char *p = data;

	if (len >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
		return MEDIA_JPEG;
	if (len >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
		return MEDIA_PNG;
	if (len >= 6 && (memcmp(p, "GIF87a", 6) == 0 || memcmp(p, "GIF89a", 6) == 0))
		return MEDIA_GIF;
	if (len >= 16 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "WEBPVP8", 7) == 0)
		return MEDIA_WEBP;
	return MEDIA_UNKNOWN;
}

const char *
media_kind_name(media_kind k)
{
	switch (k) {
	case MEDIA_JPEG: return "jpeg";
	case MEDIA_PNG:  return "png";
	case MEDIA_WEBP: return "webp";
	case MEDIA_GIF:  return "gif";
	default:         return "unknown";
	}
}

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t
be16(const unsigned char *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t
le16(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t
le24(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
}

/* The first SOFn frame header; markers walked by their lengths. */
static int
jpeg_dims(const unsigned char *p, size_t len, uint32_t *w, uint32_t *h)
{
	size_t i = 2;

	while (i + 4 <= len) {
		unsigned m;
		size_t seglen;

		if (p[i] != 0xff)
			return -1;
		m = p[i + 1];
		if (m == 0xff) {	/* fill byte */
			i++;
			continue;
		}
		if (m == 0xd8 || m == 0x01 || (m >= 0xd0 && m <= 0xd7)) {
			i += 2;		/* markers without a length */
			continue;
		}
		if (m == 0xd9 || m == 0xda)
			return -1;	/* end of image or scan before any frame */
		seglen = be16(p + i + 2);
		if (seglen < 2 || i + 2 + seglen > len)
			return -1;
		/* SOF0..SOF15 except DHT (c4), JPG (c8), DAC (cc) */
		if (m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc) {
			if (seglen < 7)
				return -1;
			*h = be16(p + i + 5);
			*w = be16(p + i + 7);
			return 0;
		}
		i += 2 + seglen;
	}
	return -1;
}

static int
webp_dims(const unsigned char *p, size_t len, uint32_t *w, uint32_t *h)
{
	if (len < 30)
		return -1;
	if (memcmp(p + 12, "VP8 ", 4) == 0) {
		/* frame tag (3), start code 9d 01 2a, then 14-bit sizes */
		if (p[23] != 0x9d || p[24] != 0x01 || p[25] != 0x2a)
			return -1;
		*w = le16(p + 26) & 0x3fff;
		*h = le16(p + 28) & 0x3fff;
		return 0;
	}
	if (memcmp(p + 12, "VP8L", 4) == 0) {
		uint32_t b;
		if (p[20] != 0x2f)
			return -1;
		b = (uint32_t)p[21] | (uint32_t)p[22] << 8 | (uint32_t)p[23] << 16 |
		    (uint32_t)p[24] << 24;
		*w = (b & 0x3fff) + 1;
		*h = ((b >> 14) & 0x3fff) + 1;
		return 0;
	}
	if (memcmp(p + 12, "VP8X", 4) == 0) {
		*w = le24(p + 24) + 1;
		*h = le24(p + 27) + 1;
		return 0;
	}
	return -1;
}

int
media_dimensions(media_kind k, const void *data, size_t len, uint32_t *w, uint32_t *h)
{
	const unsigned char *p = data;

	*w = *h = 0;
	switch (k) {
	case MEDIA_PNG:
		/* signature, then IHDR must be the first chunk */
		if (len < 24 || memcmp(p + 12, "IHDR", 4) != 0)
			return -1;
		*w = be32(p + 16);
		*h = be32(p + 20);
		break;
	case MEDIA_GIF:
		if (len < 10)
			return -1;
		*w = le16(p + 6);
		*h = le16(p + 8);
		break;
	case MEDIA_JPEG:
		if (jpeg_dims(p, len, w, h) != 0)
			return -1;
		break;
	case MEDIA_WEBP:
		if (webp_dims(p, len, w, h) != 0)
			return -1;
		break;
	default:
		return -1;
	}
	return *w > 0 && *h > 0 ? 0 : -1;
}
