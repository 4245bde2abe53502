/* common/file.h — whole-file reads with a limit, and careful writes. */
#ifndef EM_FILE_H
#define EM_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"

/* Reads the whole of path, a regular file of at most max bytes. On success
 * *out is yours (free()) and *len its size; a NUL follows the data, so a
 * text can be used as a string. On failure *out is NULL and *len 0.
 * Errors: EM_ENOTFOUND (no such file), EM_EINVAL (not a regular file: a
 * FIFO, a device or a directory, never waited on or read), EM_ETOOBIG
 * (larger than max; nothing is allocated for it), EM_ENOMEM, EM_EIO (any
 * other failure, a file that shrinks while it is read included). */
em_err file_read(const char *path, size_t max, uint8_t **out, size_t *len);

/* What file_read's error means, for a message: "no such file", "not a
 * regular file ...", "larger than allowed", else em_strerror's. Static. */
const char *file_strerror(em_err err);

/* Creates path with permissions exactly mode (fchmod(2) after the open:
 * bits the umask took away are given back), writes data[0..len) to it and
 * fsync(2)s it. EM_EEXIST if path exists (it is left alone); EM_ENOSPC
 * when the file system is full (or a quota reached); EM_EIO for any other
 * failure (a missing directory included); after either the file is
 * removed. On every failure errno is the failing call's (for strerror). */
em_err file_create(const char *path, mode_t mode, const uint8_t *data, size_t len);

/* Replaces path with data[0..len) atomically: file_create()s
 * "PATH.tmp.PID" beside it, then rename(2)s it over path, so a reader sees
 * the old file or the new one. The directory is not fsynced: after a crash
 * path may hold the old contents. EM_EINVAL when the temporary's name
 * would be 4096 bytes or more; file_create's errors; EM_ENOSPC or EM_EIO
 * if the rename fails (the temporary is removed). */
em_err file_replace(const char *path, mode_t mode, const uint8_t *data, size_t len);

/* Makes the last rename or creation of path durable: fsync(2)s the
 * directory that holds it ("." for a bare name). EM_EIO if it cannot be
 * opened or synced (EM_ENOSPC when the file system is full); EM_EINVAL when the directory's name would be 4096
 * bytes or more. */
em_err file_sync_dir(const char *path);

/* Whether path (symbolic links followed) is private: EM_OK when neither
 * group nor others have any permission on it; EM_EPERM when they have
 * some (the OpenSSH rule for private keys); EM_ENOTFOUND if it does not
 * exist; EM_EIO if it cannot be examined. */
em_err file_check_private(const char *path);

#endif
