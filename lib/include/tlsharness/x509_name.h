/* tlsharness/x509_name.h — crypto.X509Name: an X.509 distinguished name.
 *
 * A name returned by th_x509_get_subject / get_issuer / th_x509_req_get_subject
 * "wraps the underlying" field: changes made through it change the
 * certificate (or request), and it keeps that object alive by reference.
 * A name made by th_x509_name_new is a free-standing copy.
 *
 * Attributes (the spec's countryName/C, stateOrProvinceName/ST,
 * localityName/L, organizationName/O, organizationalUnitName/OU,
 * commonName/CN, emailAddress) are read and written by short or long name
 * with th_x509_name_get / th_x509_name_set, which accept any name or OID
 * OpenSSL knows (as pyOpenSSL's getattr/setattr do), or through the typed
 * accessors below. */
#ifndef TLSHARNESS_X509_NAME_H
#define TLSHARNESS_X509_NAME_H

#include <openssl/x509.h>

#include "tlsharness/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* th_x509_name_free drops the caller's reference (NULL-safe). */
void th_x509_name_free(th_x509_name *name);
/* th_x509_name_up_ref (beyond the spec) takes another reference the caller
 * frees; NULL (no error recorded) if not an X509Name. */
th_x509_name *th_x509_name_up_ref(th_x509_name *name);

/* th_x509_name_new mirrors X509Name(name): a new name copying name (the
 * copy is independent of any certificate). NULL with TH_ERR_TYPE for
 * NULL/wrong object, TH_ERR_NOMEM. */
th_x509_name *th_x509_name_new(const th_x509_name *name);

/* th_x509_name_get mirrors getattr(name, attr): *out gets the value of the
 * first entry for attr as UTF-8 text (caller frees), or NULL (None) when
 * the name has no such entry. Returns TH_OK; TH_ERR_TYPE (NULL/wrong
 * object, NULL attr or out), TH_ERR_VALUE (unknown attribute name: the
 * spec's AttributeError), TH_ERR_CRYPTO (the value cannot be converted). */
int th_x509_name_get(const th_x509_name *name, const char *attr, th_bytes **out);

/* th_x509_name_set mirrors setattr(name, attr, value): replaces every entry
 * for attr by one entry holding value (UTF-8 text, NUL-terminated). Returns
 * TH_OK; TH_ERR_TYPE (NULL/wrong object, NULL attr/value), TH_ERR_VALUE
 * (unknown attribute name), TH_ERR_CRYPTO (OpenSSL rejects the value, e.g.
 * a countryName that is not 2 characters). The name is unchanged on error. */
int th_x509_name_set(th_x509_name *name, const char *attr, const char *value);

/* The documented attributes, one getter and one setter each, with the
 * semantics and errors of th_x509_name_get / th_x509_name_set. */
int th_x509_name_get_countryName(const th_x509_name *name, th_bytes **out);
int th_x509_name_set_countryName(th_x509_name *name, const char *value);
int th_x509_name_get_stateOrProvinceName(const th_x509_name *name, th_bytes **out);
int th_x509_name_set_stateOrProvinceName(th_x509_name *name, const char *value);
int th_x509_name_get_localityName(const th_x509_name *name, th_bytes **out);
int th_x509_name_set_localityName(th_x509_name *name, const char *value);
int th_x509_name_get_organizationName(const th_x509_name *name, th_bytes **out);
int th_x509_name_set_organizationName(th_x509_name *name, const char *value);
int th_x509_name_get_organizationalUnitName(const th_x509_name *name, th_bytes **out);
int th_x509_name_set_organizationalUnitName(th_x509_name *name, const char *value);
int th_x509_name_get_commonName(const th_x509_name *name, th_bytes **out);
int th_x509_name_set_commonName(th_x509_name *name, const char *value);
int th_x509_name_get_emailAddress(const th_x509_name *name, th_bytes **out);
int th_x509_name_set_emailAddress(th_x509_name *name, const char *value);

/* th_x509_name_der mirrors X509Name.der(): the DER encoding. Caller frees.
 * NULL with TH_ERR_TYPE, TH_ERR_CRYPTO. */
th_bytes *th_x509_name_der(const th_x509_name *name);

/* th_x509_name_component — one (name, value) pair of get_components():
 * name is the short name ("CN"; "UNDEF" for an attribute OpenSSL does not
 * know, as OBJ_nid2sn gives pyOpenSSL), value the entry's raw string bytes. */
typedef struct th_x509_name_component {
  th_bytes *name;
  th_bytes *value;
} th_x509_name_component;

/* th_x509_name_get_components mirrors X509Name.get_components(): a list of
 * th_x509_name_component in the name's order (caller frees with
 * th_list_free). NULL with TH_ERR_TYPE, TH_ERR_NOMEM. */
th_list *th_x509_name_get_components(const th_x509_name *name);

/* th_x509_name_hash mirrors X509Name.hash(): X509_NAME_hash (the value
 * `openssl x509 -subject_hash` prints) into *hash. Returns TH_OK,
 * TH_ERR_TYPE (NULL/wrong object, NULL hash), TH_ERR_CRYPTO. */
int th_x509_name_hash(const th_x509_name *name, unsigned long *hash);

/* Beyond the spec. th_x509_name_cmp mirrors X509Name's rich comparison
 * (X509_NAME_cmp): *result < 0, 0 or > 0. Returns TH_OK, TH_ERR_TYPE (NULL or
 * wrong objects, NULL result), TH_ERR_CRYPTO (a name cannot be encoded). */
int th_x509_name_cmp(const th_x509_name *a, const th_x509_name *b, int *result);
/* th_x509_name_oneline mirrors repr(name)'s text: "/C=US/CN=example"
 * (X509_NAME_oneline), whole at any length (pyOpenSSL 16.1 used a 512-byte
 * buffer and cut names longer than 511 characters). Caller frees. NULL with
 * TH_ERR_TYPE, TH_ERR_NOMEM. */
th_bytes *th_x509_name_oneline(const th_x509_name *name);

/* Escape hatches (beyond the spec): th_x509_name_from_x509_name wraps a
 * copy of name (caller frees with th_x509_name_free; NULL with TH_ERR_TYPE
 * for NULL, TH_ERR_NOMEM); th_x509_name_to_x509_name returns a new copy of
 * the underlying X509_NAME (caller frees with X509_NAME_free; NULL with
 * TH_ERR_TYPE, TH_ERR_NOMEM). */
th_x509_name *th_x509_name_from_x509_name(const X509_NAME *name);
X509_NAME *th_x509_name_to_x509_name(const th_x509_name *name);

#ifdef __cplusplus
}
#endif
#endif
