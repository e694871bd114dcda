/* json.c — lib/user (internal.h); being written. */
