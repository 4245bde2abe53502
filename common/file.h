/* common/file.h — whole-file reads with a limit, and careful writes. */
#ifndef EM_FILE_H
#define EM_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"

/* Reads the whole of path. On success *out is yours (free()), *len its size;
 * a NUL follows the data so text can be used as a string. EM_ETOOBIG when the
 * file is larger than max (nothing is allocated for it), EM_ENOTFOUND when it
 * does not exist, EM_EINVAL when it is not a regular file (a FIFO, a device:
 * never waited on or read), EM_EIO on any other failure. */
em_err file_read(const char *path, size_t max, uint8_t **out, size_t *len);

/* What file_read's error means, for a message: "no such file", "not a
 * regular file", "larger than allowed", else em_strerror's. Static. */
const char *file_strerror(em_err err);

/* Creates path with mode, failing with EM_EEXIST if it exists, and writes
 * data durably (fsync). A partly written file is removed on failure. */
em_err file_create(const char *path, mode_t mode, const uint8_t *data, size_t len);

/* Replaces path atomically: writes a temporary beside it, fsyncs, renames. */
em_err file_replace(const char *path, mode_t mode, const uint8_t *data, size_t len);

/* EM_EPERM if path can be read or written by group or others (the OpenSSH
 * rule for private keys), EM_ENOTFOUND if missing, EM_EIO otherwise. */
em_err file_check_private(const char *path);

#endif
