/*
 * files.c — the normalised images on disk, under ECOM_MEDIA_ROOT.
 *
 * Names are u/<first two hex digits>/<sha256 of the bytes>.<ext>: made by
 * the server, the same for the same bytes, and never derived from anything
 * the client sent.  A file is written to a temporary name in its final
 * directory (O_EXCL, O_NOFOLLOW), flushed, then renamed over the final
 * name, so a reader never sees half a file.  Callers hold the media
 * advisory lock (store_media_lock) while writing and unlinking, so the
 * "does anyone still use it" question has a stable answer.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/config.h"
#include "core/log.h"
#include "core/util.h"
#include "media/internal.h"

static int
mkdir_one(const char *path)
{
	if (mkdir(path, 0755) == 0 || errno == EEXIST)
		return 0;
	return -1;
}

static int
write_all(int fd, const unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t k = write(fd, p, n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* root/path; -1 if it does not fit. */
static int
full_path(char *out, size_t cap, const char *path)
{
	int n = snprintf(out, cap, "%s/%s", cfg->media_root, path);
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

static ecode
write_one(const media_out *o, bool *created, error *e)
{
	char final[4096], dir[4096], tmp[4200], rnd[37];
	struct stat st;
	int fd;

	*created = false;
	if (full_path(final, sizeof final, o->path) != 0 ||
	    full_path(dir, sizeof dir, "u") != 0)
		return err_set(e, E_INTERNAL, "the media root path is too long");
	if (lstat(final, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size == o->len)
		return E_OK;	/* the same bytes are already there */
	if (mkdir_one(cfg->media_root) != 0 || mkdir_one(dir) != 0)
		goto fail;
	snprintf(dir + strlen(dir), sizeof dir - strlen(dir), "/%.2s", o->path + 2);
	if (mkdir_one(dir) != 0 || uuid_v4(rnd) != 0)
		goto fail;
	snprintf(tmp, sizeof tmp, "%s/.tmp-%s", dir, rnd);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644)) < 0)
		goto fail;
	if (write_all(fd, o->data, o->len) != 0 || fsync(fd) != 0) {
		close(fd);
		unlink(tmp);
		goto fail;
	}
	if (close(fd) != 0 || rename(tmp, final) != 0) {
		unlink(tmp);
		goto fail;
	}
	*created = true;
	return E_OK;
fail:
	log_msg(LOG_ERROR, "media: cannot write %s under %s: %s", o->path, cfg->media_root,
	    strerror(errno));
	return err_set(e, E_INTERNAL, "could not store the image");
}

ecode
media_files_write(media_out *outs, size_t n, bool *created, error *e)
{
	for (size_t i = 0; i < n; i++) {
		if (write_one(&outs[i], &created[i], e) != E_OK) {
			for (size_t j = 0; j < i; j++)
				if (created[j])
					media_file_unlink(outs[j].path);
			return e->code;
		}
	}
	return E_OK;
}

void
media_file_unlink(const char *path)
{
	char full[4096];

	/* only names this module makes: u/xx/<hex>.ext */
	if (strncmp(path, "u/", 2) != 0 || strstr(path, "..") != NULL ||
	    full_path(full, sizeof full, path) != 0)
		return;
	if (unlink(full) != 0 && errno != ENOENT)
		log_msg(LOG_WARN, "media: cannot unlink %s: %s", full, strerror(errno));
}
