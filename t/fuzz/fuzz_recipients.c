/*
 * fuzz_recipients.c — libFuzzer harness for the new-order addresses
 * (lib/settings: settings_recipients_parse), which an admin types on
 * /admin/settings and the notifier parses again for every order.
 *
 * A list that parses has 0..SETTINGS_NOTIFY_MAX addresses, each
 * non-empty, within SETTINGS_ADDRESS_MAX, with one '@', without a comma,
 * space or control character, and no two the same ignoring case; a
 * refusal says why and leaves no addresses.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "settings/settings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	settings_recipients r;
	char *s, why[160];

	if (size > 4096 || !(s = malloc(size + 1)))
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	why[0] = '\0';
	if (settings_recipients_parse(s, &r, why, sizeof why) == 0) {
		assert(r.n <= SETTINGS_NOTIFY_MAX);
		for (size_t i = 0; i < r.n; i++) {
			size_t n = strlen(r.addr[i]);

			assert(n > 0 && n <= SETTINGS_ADDRESS_MAX);
			assert(strchr(r.addr[i], '@') && strchr(r.addr[i], '@') == strrchr(r.addr[i], '@'));
			for (const char *p = r.addr[i]; *p; p++)
				assert((unsigned char)*p > 0x20 && *p != 0x7f && *p != ',');
			for (size_t j = 0; j < i; j++)
				assert(strcasecmp(r.addr[i], r.addr[j]) != 0);
		}
	} else {
		assert(why[0] != '\0' && r.n == 0);
	}
	free(s);
	return 0;
}
