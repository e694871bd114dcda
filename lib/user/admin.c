/* admin.c — lib/user (internal.h); being written. */
