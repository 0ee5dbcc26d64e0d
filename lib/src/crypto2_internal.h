/* crypto2_internal.h — private declarations shared by the second half of
 * the crypto module (X509Store, X509StoreContext, CRL, Revoked, PKCS7,
 * PKCS12, NetscapeSPKI, elliptic curves) and rand. Not public API. */
#ifndef TLSHARNESS_CRYPTO2_INTERNAL_H
#define TLSHARNESS_CRYPTO2_INTERNAL_H

#include <openssl/asn1.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include "crypto_common_internal.h"
#include "internal.h"

struct th_x509_store_context {
  th_obj hdr;
  th_x509_store *store;       /* referenced; replaced by set_store */
  th_x509 *cert;              /* referenced: the certificate to verify */
  STACK_OF(X509) * untrusted; /* owned (up-ref'd certificates) or NULL */
};

struct th_pkcs7 {
  th_obj hdr;
  PKCS7 *p7;
};

/* PKCS12 keeps its parts as objects, as pyOpenSSL does: the DER structure
 * is only built by export(). Every part may be unset (NULL). */
struct th_pkcs12 {
  th_obj hdr;
  th_x509 *cert;
  th_pkey *key;
  STACK_OF(X509) * cacerts; /* owned; NULL when unset */
  th_bytes *friendlyname;
};

struct th_netscape_spki {
  th_obj hdr;
  NETSCAPE_SPKI *spki;
};

/* th__c2_x509_stack copies n th_x509 objects into a new stack of up-ref'd
 * X509 (NULL list and n == 0 give an empty stack). TH_ERR_TYPE when an item
 * is not an X509. */
int th__c2_x509_stack(th_x509 *const *certs, size_t n, STACK_OF(X509) * *out, const char *func);

/* th__c2_x509_list wraps a new reference to every X509 of sk in a th_list. */
th_list *th__c2_x509_list(const STACK_OF(X509) * sk);

#endif
