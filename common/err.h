/* common/err.h — the one error space of evalmesh.
 *
 * Every fallible function returns em_err: EM_OK (0) or a negative code.
 * errno, MDB_*, UV_* and CURLcode values are translated into these once, at
 * the module boundary that meets them. */
#ifndef EM_ERR_H
#define EM_ERR_H

typedef enum em_err {
	EM_OK = 0,
	EM_ENOMEM = -1,		/* out of memory */
	EM_EINVAL = -2,		/* bad argument from our own caller or the user */
	EM_EFORMAT = -3,	/* malformed bytes */
	EM_ETOOBIG = -4,	/* a size or count above its limit */
	EM_ETRUNC = -5,		/* input ends before the structure does */
	EM_ETRAILING = -6,	/* bytes left after a complete structure */
	EM_EUTF8 = -7,		/* text that is not valid UTF-8, or holds NUL */
	EM_EVERSION = -8,	/* unknown format version */
	EM_EKIND = -9,		/* unknown record kind */
	EM_ESIG = -10,		/* signature does not verify (or another network) */
	EM_EIO = -11,		/* a file or system call failed */
	EM_EPERM = -12,		/* a key file others can read */
	EM_EEXIST = -13,	/* already exists */
	EM_ENOTFOUND = -14,	/* no such thing */
	EM_EAMBIGUOUS = -15,	/* an id prefix matches more than one */
	EM_EDUP = -16,		/* identical record already stored */
	EM_EEQUIV = -17,	/* author signed another record with this seq */
	EM_ESTORE = -18,	/* the database failed */
	EM_EPASS = -19,		/* wrong passphrase */
	EM_EKEYFILE = -20,	/* key file damaged or not a key file */
	EM_ENETWORK = -21,	/* data belongs to another network */
	EM_ERANGE = -22,	/* a value outside its allowed range */
	EM_ECRYPTO = -23,	/* a cryptographic primitive failed */
	EM_ELOCKED = -24,	/* key is sealed and no passphrase was given */
	EM_EDAMAGED = -25,	/* a file holds what its writer never wrote: cut
				 * short, overwritten, bits flipped */
	EM_ENOSPC = -26,	/* no space left on the file system (or quota) */
	EM_EMISMATCH = -27,	/* a proof or hash that does not lead where it
				 * says (a Merkle proof, an opened output) */
} em_err;

/* A short, static, lower-case description of err ("unknown error" for a
 * value outside em_err). Never NULL. */
const char *em_strerror(em_err err);

/* The em_err for a system call's errno e: EM_ENOSPC for ENOSPC and
 * EDQUOT, EM_ENOMEM for ENOMEM, else EM_EIO. */
em_err	em_errno(int e);

#endif
