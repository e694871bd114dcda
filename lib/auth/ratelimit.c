/* ratelimit.c — being written. */
