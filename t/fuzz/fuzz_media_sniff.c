/*
 * fuzz_media_sniff.c — libFuzzer harness for judging an upload by its bytes
 * (lib/media/sniff.c): the magic-number sniff and the header dimension
 * readers of every kind, which run on untrusted bytes before any decoder.
 * Each reader is tried on every input, whatever the sniff said, so all of
 * them see everything; a success must give two positive sides.
 */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "media/media.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const media_kind kinds[] = { MEDIA_UNKNOWN, MEDIA_JPEG, MEDIA_PNG, MEDIA_WEBP, MEDIA_GIF };
	media_kind k = media_sniff(data, size);
	uint32_t w, h;

	assert(k >= MEDIA_UNKNOWN && k <= MEDIA_GIF);
	assert(strcmp(media_kind_name(k), "") != 0);
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		if (media_dimensions(kinds[i], data, size, &w, &h) == 0)
			assert(w > 0 && h > 0 && kinds[i] != MEDIA_UNKNOWN);
	}
	return 0;
}
