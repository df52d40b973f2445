/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pseudo.h - pseudonyms for client IP addresses.
 *
 * Client addresses are personal data: hashwall never prints, logs or stores
 * them in plain.  A pseudonym is the keyed BLAKE2b hash (libsodium
 * crypto_generichash, 16-byte output, 32-byte key) of the address in its
 * 16-byte form (IPv4 as ::ffff:a.b.c.d), printed as 32 lower-case hex
 * digits.  The same key gives the same pseudonym, so reviewers can see that
 * several matches came from one client without learning who; whoever holds
 * the key can test a guessed address, so the key file is kept apart from the
 * reports (mode 0600 or stricter, readable by the dataplane and controld
 * only).  Used by the dataplane for events and by controld.
 */
#ifndef HASHWALL_COMMON_PSEUDO_H
#define HASHWALL_COMMON_PSEUDO_H

#include <stdint.h>

#define HWALL_PSEUDO_KEY_LEN 32
#define HWALL_PSEUDO_LEN 16                       /* bytes of a pseudonym */
#define HWALL_PSEUDO_HEX (2 * HWALL_PSEUDO_LEN + 1)  /* with the NUL */

struct hwall_pseudo_key {
	uint8_t bytes[HWALL_PSEUDO_KEY_LEN];
};

/*
 * Read a key file: exactly 32 raw bytes, or 64 hex digits optionally
 * followed by one newline.  Returns 0, -ENOENT/-EACCES... from opening,
 * -EPERM when group or others may access the file, -EINVAL for any other
 * content.  *ret_key is untouched on failure.
 */
int hwall_pseudo_key_load(const char *path, struct hwall_pseudo_key *ret_key);

/* Fill @ret_key with random bytes (a key for one run).  Returns 0 or -EIO. */
int hwall_pseudo_key_random(struct hwall_pseudo_key *ret_key);

/* Write the pseudonym of the 16-byte address @addr to @out (hex + NUL). */
void hwall_pseudo_addr(const struct hwall_pseudo_key *key, const uint8_t addr[16],
		    char out[HWALL_PSEUDO_HEX]);

/* Overwrite @key with zeros in a way the compiler keeps. */
void hwall_pseudo_key_wipe(struct hwall_pseudo_key *key);

#endif
