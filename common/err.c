#include "err.h"

#include <errno.h>

const char *
em_strerror(em_err err)
{
	switch (err) {
	case EM_OK:		return "ok";
	case EM_ENOMEM:		return "out of memory";
	case EM_EINVAL:		return "invalid argument";
	case EM_EFORMAT:	return "malformed data";
	case EM_ETOOBIG:	return "size above limit";
	case EM_ETRUNC:		return "truncated data";
	case EM_ETRAILING:	return "trailing bytes after the end";
	case EM_EUTF8:		return "text is not valid UTF-8";
	case EM_EVERSION:	return "unsupported format version";
	case EM_EKIND:		return "unknown record kind";
	case EM_ESIG:		return "signature does not verify for this network";
	case EM_EIO:		return "input/output error";
	case EM_EPERM:		return "key file permissions too open";
	case EM_EEXIST:		return "already exists";
	case EM_ENOTFOUND:	return "not found";
	case EM_EAMBIGUOUS:	return "id prefix is ambiguous";
	case EM_EDUP:		return "record already stored";
	case EM_EEQUIV:		return "equivocation: author signed two records with one sequence number";
	case EM_ESTORE:		return "database error";
	case EM_EPASS:		return "wrong passphrase";
	case EM_EKEYFILE:	return "key file is damaged or not an evalmesh key";
	case EM_ENETWORK:	return "belongs to another network";
	case EM_ERANGE:		return "value out of range";
	case EM_ECRYPTO:	return "cryptographic failure";
	case EM_ELOCKED:	return "identity key is sealed and no passphrase was given";
	case EM_EDAMAGED:	return "damaged";
	case EM_ENOSPC:		return "no space left on device";
	case EM_EMISMATCH:	return "does not match";
	}
	return "unknown error";
}

em_err
em_errno(int e)
{
	switch (e) {
	case ENOSPC:
	case EDQUOT:	return EM_ENOSPC;
	case ENOMEM:	return EM_ENOMEM;
	default:	return EM_EIO;
	}
}
