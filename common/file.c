#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *
file_strerror(em_err err)
{
	switch (err) {
	case EM_ENOTFOUND:	return "no such file";
	case EM_EINVAL:		return "not a regular file (a FIFO, a device or a directory)";
	case EM_ETOOBIG:	return "larger than allowed";
	default:		return em_strerror(err);
	}
}

em_err
file_read(const char *path, size_t max, uint8_t **out, size_t *len)
{
	struct stat sb;
	uint8_t *buf = NULL;
	size_t got = 0;
	em_err err = EM_EIO;
	int fd;

	*out = NULL;
	*len = 0;
	/* O_NONBLOCK: opening a FIFO must not wait for a writer */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
		return errno == ENOENT ? EM_ENOTFOUND : EM_EIO;
	if (fstat(fd, &sb) != 0)
		goto out;
	if (!S_ISREG(sb.st_mode)) {
		err = EM_EINVAL;
		goto out;
	}
	if ((uint64_t)sb.st_size > max) {
		err = EM_ETOOBIG;
		goto out;
	}
	if ((buf = malloc((size_t)sb.st_size + 1)) == NULL) {
		err = EM_ENOMEM;
		goto out;
	}
	while (got < (size_t)sb.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)sb.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto out;	/* error, or the file shrank under us */
		got += (size_t)n;
	}
	buf[got] = 0;
	*out = buf;
	*len = got;
	buf = NULL;
	err = EM_OK;
out:
	free(buf);
	close(fd);
	return err;
}

static em_err
write_all(int fd, const uint8_t *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return em_errno(errno);
		data += n;
		len -= (size_t)n;
	}
	return fsync(fd) == 0 ? EM_OK : em_errno(errno);
}

em_err
file_create(const char *path, mode_t mode, const uint8_t *data, size_t len)
{
	em_err err;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);

	if (fd < 0)
		return errno == EEXIST ? EM_EEXIST : em_errno(errno);
	/* Exactly mode: this gives back bits the umask took away. */
	if (fchmod(fd, mode) != 0) {
		int e = errno;

		err = em_errno(e);
		close(fd);
		unlink(path);
		errno = e;
		return err;
	}
	err = write_all(fd, data, len);
	if (close(fd) != 0 && err == EM_OK)
		err = em_errno(errno);
	if (err != EM_OK) {
		int e = errno;

		unlink(path);
		errno = e;
	}
	return err;
}

em_err
file_replace(const char *path, mode_t mode, const uint8_t *data, size_t len)
{
	char tmp[4096];
	em_err err;

	if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= sizeof tmp)
		return EM_EINVAL;
	unlink(tmp);
	if ((err = file_create(tmp, mode, data, len)) != EM_OK)
		return err;
	if (rename(tmp, path) != 0) {
		int e = errno;

		err = em_errno(e);
		unlink(tmp);
		errno = e;
		return err;
	}
	return EM_OK;
}

em_err
file_sync_dir(const char *path)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	size_t n = slash == NULL ? 1 : slash == path ? 1 : (size_t)(slash - path);
	em_err err = EM_OK;
	int fd;

	if (n >= sizeof dir)
		return EM_EINVAL;
	memcpy(dir, slash == NULL ? "." : path, n);
	dir[n] = '\0';
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return EM_EIO;
	if (fsync(fd) != 0)
		err = em_errno(errno);
	close(fd);
	return err;
}

em_err
file_check_private(const char *path)
{
	struct stat sb;

	if (stat(path, &sb) != 0)
		return errno == ENOENT ? EM_ENOTFOUND : EM_EIO;
	return (sb.st_mode & 077) ? EM_EPERM : EM_OK;
}
