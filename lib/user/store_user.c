/* store_user.c — lib/user (internal.h); being written. */
