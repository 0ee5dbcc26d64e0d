/* crypto_bad_args_test.c — one table over every public function of the
 * crypto module and rand: NULL for each pointer argument and a wrong-type
 * object cast to each object argument must be TH_ERR_TYPE (no crash, no
 * leak under --config=asan). Each case holds every other argument valid,
 * so it reaches the check of the argument under test. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include <openssl/pkcs7.h>

#include "testutil_x509.h"
#include "testutil_table.h"

/* Valid objects of every class (made once per test process). */
static struct {
  th_pkey *key;
  th_x509 *cert;
  th_x509_name *name;
  th_x509_req *req;
  th_x509_extension *ext;
  th_x509_store *store;
  th_x509_store_context *sctx;
  th_crl *crl;
  th_revoked *rev;
  th_pkcs7 *p7;
  th_pkcs12 *p12;
  th_netscape_spki *spki;
  th_elliptic_curve *curve;
} F;

static th_pkcs7 *make_pkcs7(void) {
  PKCS7 *p = PKCS7_new();
  cr_assert(p != NULL && PKCS7_set_type(p, NID_pkcs7_signed) && PKCS7_content_new(p, NID_pkcs7_data));
  unsigned char *der = NULL;
  int n = i2d_PKCS7(p, &der);
  cr_assert_gt(n, 0);
  th_pkcs7 *t = th_crypto_load_pkcs7_data(TH_FILETYPE_ASN1, der, (size_t)n);
  cr_assert_not_null(t, "%s", tu_err());
  OPENSSL_free(der);
  PKCS7_free(p);
  return t;
}

static void setup(void) {
  F.key = tu_ec_key();
  F.cert = tx_cert(F.key, "bad-args", NULL, NULL, 1, 7);
  F.name = th_x509_get_subject(F.cert);
  F.req = th_x509_req_new();
  F.ext = th_x509_extension_new("basicConstraints", 0, "CA:false", NULL, NULL);
  F.store = th_x509_store_new();
  F.sctx = th_x509_store_context_new(F.store, F.cert);
  F.crl = th_crl_new();
  F.rev = th_revoked_new();
  F.p7 = make_pkcs7();
  F.p12 = th_pkcs12_new();
  F.spki = th_netscape_spki_new();
  F.curve = th_crypto_get_elliptic_curve("prime256v1");
  cr_assert(F.name && F.req && F.ext && F.store && F.sctx && F.crl && F.rev && F.p12 && F.spki &&
            F.curve);
  cr_assert_eq(th_revoked_set_rev_date(F.rev, "20200101000000Z"), TH_OK);
}

static void teardown(void) {
  th_elliptic_curve_free(F.curve);
  th_netscape_spki_free(F.spki);
  th_pkcs12_free(F.p12);
  th_pkcs7_free(F.p7);
  th_revoked_free(F.rev);
  th_crl_free(F.crl);
  th_x509_store_context_free(F.sctx);
  th_x509_store_free(F.store);
  th_x509_extension_free(F.ext);
  th_x509_req_free(F.req);
  th_x509_name_free(F.name);
  th_x509_free(F.cert);
  th_pkey_free(F.key);
}

TestSuite(crypto_bad_args, .init = setup, .fini = teardown);

/* How a case is run:
 *   OBJ   an object argument: NULL and a wrong-type object are TH_ERR_TYPE
 *   PTR   a plain pointer argument: NULL is TH_ERR_TYPE
 *   WRONG an object argument where NULL means None: only the wrong type
 *   ALT   as OBJ, for functions that take the object used as "wrong" */

/* A pointer-returning call reports NULL as its error kind; a call that
 * wrongly succeeds reports 1 (and the test fails). */

static const unsigned char D[] = "data";
static th_bytes *b_out;
static th_list *l_out;
static th_x509 *x_out;
static th_pkey *k_out;
static unsigned long h_out;
static long long_out;
static int int_out;

#define ATTR_CASES(X, a)                                                           \
  X(I, name_get_##a, th_x509_name_get_##a(o, &b_out), TU_OBJ)                         \
  X(I, name_get_##a##_out, th_x509_name_get_##a(F.name, o), TU_PTR)                   \
  X(I, name_set_##a, th_x509_name_set_##a(o, "XX"), TU_OBJ)                           \
  X(I, name_set_##a##_value, th_x509_name_set_##a(F.name, o), TU_PTR)

/* X(kind, id, call using o for the argument under test, how) */
#define CASES(X)                                                                          \
  X(I, pkey_generate_key, th_pkey_generate_key(o, TH_TYPE_EC, 256), TU_OBJ)                \
  X(I, pkey_bits, th_pkey_bits(o), TU_OBJ)                                                \
  X(I, pkey_type, th_pkey_type(o), TU_OBJ)                                                \
  X(I, pkey_check, th_pkey_check(o), TU_OBJ)                                              \
  X(I, pkey_only_public, th_pkey_only_public(o), TU_OBJ)                                  \
  X(P, pkey_to_evp, th_pkey_to_evp(o), TU_OBJ)                                            \
  X(P, pkey_from_evp, th_pkey_from_evp(o), TU_PTR)                                        \
  X(P, x509_from_x509, th_x509_from_x509(o), TU_PTR)                                      \
  X(P, x509_to_x509, th_x509_to_x509(o), TU_OBJ)                                          \
  X(I, x509_add_extensions, th_x509_add_extensions(o, &F.ext, 1), TU_OBJ)                 \
  X(I, x509_add_extensions_exts, th_x509_add_extensions(F.cert, o, 1), TU_PTR)            \
  X(I, x509_add_extensions_item,                                                        \
    th_x509_add_extensions(F.cert, (th_x509_extension *[]){F.ext, o}, 2), TU_OBJ)          \
  X(P, x509_digest, th_x509_digest(o, "sha256"), TU_OBJ)                                  \
  X(P, x509_digest_name, th_x509_digest(F.cert, o), TU_PTR)                               \
  X(P, x509_get_extension, th_x509_get_extension(o, 0), TU_OBJ)                           \
  X(I, x509_get_extension_count, th_x509_get_extension_count(o), TU_OBJ)                  \
  X(P, x509_get_issuer, th_x509_get_issuer(o), TU_OBJ)                                    \
  X(P, x509_get_subject, th_x509_get_subject(o), TU_OBJ)                                  \
  X(I, x509_set_issuer, th_x509_set_issuer(o, F.name), TU_OBJ)                            \
  X(I, x509_set_issuer_name, th_x509_set_issuer(F.cert, o), TU_OBJ)                       \
  X(I, x509_set_subject, th_x509_set_subject(o, F.name), TU_OBJ)                          \
  X(I, x509_set_subject_name, th_x509_set_subject(F.cert, o), TU_OBJ)                     \
  X(I, x509_get_notBefore, th_x509_get_notBefore(o, &b_out), TU_OBJ)                      \
  X(I, x509_get_notBefore_out, th_x509_get_notBefore(F.cert, o), TU_PTR)                  \
  X(I, x509_get_notAfter, th_x509_get_notAfter(o, &b_out), TU_OBJ)                        \
  X(I, x509_get_notAfter_out, th_x509_get_notAfter(F.cert, o), TU_PTR)                    \
  X(I, x509_set_notBefore, th_x509_set_notBefore(o, "20200101000000Z"), TU_OBJ)           \
  X(I, x509_set_notBefore_when, th_x509_set_notBefore(F.cert, o), TU_PTR)                 \
  X(I, x509_set_notAfter, th_x509_set_notAfter(o, "20300101000000Z"), TU_OBJ)             \
  X(I, x509_set_notAfter_when, th_x509_set_notAfter(F.cert, o), TU_PTR)                   \
  X(I, x509_gmtime_adj_notBefore, th_x509_gmtime_adj_notBefore(o, 0), TU_OBJ)             \
  X(I, x509_gmtime_adj_notAfter, th_x509_gmtime_adj_notAfter(o, 0), TU_OBJ)               \
  X(I, x509_has_expired, th_x509_has_expired(o), TU_OBJ)                                  \
  X(P, x509_get_pubkey, th_x509_get_pubkey(o), TU_OBJ)                                    \
  X(I, x509_set_pubkey, th_x509_set_pubkey(o, F.key), TU_OBJ)                             \
  X(I, x509_set_pubkey_key, th_x509_set_pubkey(F.cert, o), TU_OBJ)                        \
  X(P, x509_get_serial_number, th_x509_get_serial_number(o), TU_OBJ)                      \
  X(I, x509_set_serial_number, th_x509_set_serial_number(o, "1"), TU_OBJ)                 \
  X(I, x509_set_serial_number_serial, th_x509_set_serial_number(F.cert, o), TU_PTR)       \
  X(I, x509_set_serial_number_long, th_x509_set_serial_number_long(o, 1), TU_OBJ)         \
  X(I, x509_get_serial_number_long, th_x509_get_serial_number_long(o, &long_out), TU_OBJ) \
  X(I, x509_get_serial_number_long_out, th_x509_get_serial_number_long(F.cert, o), TU_PTR) \
  X(I, x509_get_version, (int)th_x509_get_version(o), TU_OBJ)                              \
  X(I, x509_set_version, th_x509_set_version(o, 2), TU_OBJ)                                \
  X(P, x509_get_signature_algorithm, th_x509_get_signature_algorithm(o), TU_OBJ)           \
  X(I, x509_sign, th_x509_sign(o, F.key, "sha256"), TU_OBJ)                                \
  X(I, x509_sign_key, th_x509_sign(F.cert, o, "sha256"), TU_OBJ)                           \
  X(I, x509_sign_digest, th_x509_sign(F.cert, F.key, o), TU_PTR)                           \
  X(I, x509_subject_name_hash, th_x509_subject_name_hash(o, &h_out), TU_OBJ)               \
  X(I, x509_subject_name_hash_out, th_x509_subject_name_hash(F.cert, o), TU_PTR)           \
  X(P, x509_name_new, th_x509_name_new(o), TU_OBJ)                                         \
  X(I, x509_name_get, th_x509_name_get(o, "CN", &b_out), TU_OBJ)                           \
  X(I, x509_name_get_attr, th_x509_name_get(F.name, o, &b_out), TU_PTR)                    \
  X(I, x509_name_get_out, th_x509_name_get(F.name, "CN", o), TU_PTR)                       \
  X(I, x509_name_set, th_x509_name_set(o, "CN", "x"), TU_OBJ)                              \
  X(I, x509_name_set_attr, th_x509_name_set(F.name, o, "x"), TU_PTR)                       \
  X(I, x509_name_set_value, th_x509_name_set(F.name, "CN", o), TU_PTR)                     \
  ATTR_CASES(X, countryName)                                                            \
  ATTR_CASES(X, stateOrProvinceName)                                                    \
  ATTR_CASES(X, localityName)                                                           \
  ATTR_CASES(X, organizationName)                                                       \
  ATTR_CASES(X, organizationalUnitName)                                                 \
  ATTR_CASES(X, commonName)                                                             \
  ATTR_CASES(X, emailAddress)                                                           \
  X(P, x509_name_der, th_x509_name_der(o), TU_OBJ)                                         \
  X(P, x509_name_get_components, th_x509_name_get_components(o), TU_OBJ)                  \
  X(I, x509_name_hash, th_x509_name_hash(o, &h_out), TU_OBJ)                               \
  X(I, x509_name_hash_out, th_x509_name_hash(F.name, o), TU_PTR)                           \
  X(I, x509_name_cmp_a, th_x509_name_cmp(o, F.name, &int_out), TU_OBJ)                     \
  X(I, x509_name_cmp_b, th_x509_name_cmp(F.name, o, &int_out), TU_OBJ)                     \
  X(I, x509_name_cmp_out, th_x509_name_cmp(F.name, F.name, o), TU_PTR)                     \
  X(P, x509_name_oneline, th_x509_name_oneline(o), TU_OBJ)                                 \
  X(P, x509_name_from_x509_name, th_x509_name_from_x509_name(o), TU_PTR)                   \
  X(P, x509_name_to_x509_name, th_x509_name_to_x509_name(o), TU_OBJ)                       \
  X(P, x509_extension_new_type, th_x509_extension_new(o, 0, "CA:true", NULL, NULL), TU_PTR) \
  X(P, x509_extension_new_value,                                                        \
    th_x509_extension_new("basicConstraints", 0, o, NULL, NULL), TU_PTR)                   \
  X(P, x509_extension_new_subject,                                                      \
    th_x509_extension_new("subjectKeyIdentifier", 0, "hash", o, NULL), TU_WRONG)           \
  X(P, x509_extension_new_issuer,                                                       \
    th_x509_extension_new("authorityKeyIdentifier", 0, "keyid", NULL, o), TU_WRONG)        \
  X(P, x509_extension_str, th_x509_extension_str(o), TU_OBJ)                               \
  X(I, x509_extension_get_critical, th_x509_extension_get_critical(o), TU_OBJ)             \
  X(P, x509_extension_get_data, th_x509_extension_get_data(o), TU_OBJ)                     \
  X(P, x509_extension_get_short_name, th_x509_extension_get_short_name(o), TU_OBJ)         \
  X(P, x509_extension_from, th_x509_extension_from_x509_extension(o), TU_PTR)              \
  X(P, x509_extension_to, th_x509_extension_to_x509_extension(o), TU_OBJ)                  \
  X(I, x509_req_add_extensions, th_x509_req_add_extensions(o, &F.ext, 1), TU_OBJ)          \
  X(I, x509_req_add_extensions_exts, th_x509_req_add_extensions(F.req, o, 1), TU_PTR)      \
  X(I, x509_req_add_extensions_item,                                                     \
    th_x509_req_add_extensions(F.req, (th_x509_extension *[]){F.ext, o}, 2), TU_OBJ)        \
  X(P, x509_req_get_extensions, th_x509_req_get_extensions(o), TU_OBJ)                      \
  X(P, x509_req_get_pubkey, th_x509_req_get_pubkey(o), TU_OBJ)                              \
  X(I, x509_req_set_pubkey, th_x509_req_set_pubkey(o, F.key), TU_OBJ)                       \
  X(I, x509_req_set_pubkey_key, th_x509_req_set_pubkey(F.req, o), TU_OBJ)                   \
  X(P, x509_req_get_subject, th_x509_req_get_subject(o), TU_OBJ)                            \
  X(I, x509_req_get_version, (int)th_x509_req_get_version(o), TU_OBJ)                       \
  X(I, x509_req_set_version, th_x509_req_set_version(o, 0), TU_OBJ)                         \
  X(I, x509_req_sign, th_x509_req_sign(o, F.key, "sha256"), TU_OBJ)                         \
  X(I, x509_req_sign_key, th_x509_req_sign(F.req, o, "sha256"), TU_OBJ)                     \
  X(I, x509_req_sign_digest, th_x509_req_sign(F.req, F.key, o), TU_PTR)                     \
  X(I, x509_req_verify, th_x509_req_verify(o, F.key), TU_OBJ)                               \
  X(I, x509_req_verify_key, th_x509_req_verify(F.req, o), TU_OBJ)                           \
  X(P, x509_req_from, th_x509_req_from_x509_req(o), TU_PTR)                                 \
  X(P, x509_req_to, th_x509_req_to_x509_req(o), TU_OBJ)                                     \
  X(P, dump_certificate, th_crypto_dump_certificate(TH_FILETYPE_PEM, o), TU_OBJ)            \
  X(P, load_certificate, th_crypto_load_certificate(TH_FILETYPE_PEM, o, 4), TU_PTR)         \
  X(P, load_certificate_ex,                                                              \
    th_crypto_load_certificate_ex(NULL, NULL, TH_FILETYPE_PEM, o, 4), TU_PTR)               \
  X(P, dump_certificate_request,                                                         \
    th_crypto_dump_certificate_request(TH_FILETYPE_PEM, o), TU_OBJ)                         \
  X(P, load_certificate_request,                                                         \
    th_crypto_load_certificate_request(TH_FILETYPE_PEM, o, 4), TU_PTR)                      \
  X(P, load_certificate_request_ex,                                                      \
    th_crypto_load_certificate_request_ex(NULL, NULL, TH_FILETYPE_ASN1, o, 4), TU_PTR)      \
  X(P, dump_privatekey, th_crypto_dump_privatekey(TH_FILETYPE_PEM, o, NULL, NULL, 0), TU_OBJ) \
  X(P, dump_privatekey_cb,                                                               \
    th_crypto_dump_privatekey_cb(TH_FILETYPE_PEM, o, NULL, NULL, NULL), TU_OBJ)             \
  X(P, load_privatekey, th_crypto_load_privatekey(TH_FILETYPE_PEM, o, 4, NULL, 0), TU_PTR)  \
  X(P, load_privatekey_cb,                                                               \
    th_crypto_load_privatekey_cb(TH_FILETYPE_ASN1, o, 4, NULL, NULL), TU_PTR)               \
  X(P, load_privatekey_ex, th_crypto_load_privatekey_ex(NULL, NULL, TH_FILETYPE_PEM, o, 4, \
                                                        NULL, 0, NULL, NULL), TU_PTR)       \
  X(P, dump_publickey, th_crypto_dump_publickey(TH_FILETYPE_PEM, o), TU_OBJ)                \
  X(P, load_publickey, th_crypto_load_publickey(TH_FILETYPE_PEM, o, 4), TU_PTR)             \
  X(P, load_publickey_ex,                                                                \
    th_crypto_load_publickey_ex(NULL, NULL, TH_FILETYPE_ASN1, o, 4), TU_PTR)                \
  X(P, crypto_sign, th_crypto_sign(o, D, 4, "sha256"), TU_OBJ)                              \
  X(P, crypto_sign_data, th_crypto_sign(F.key, o, 4, "sha256"), TU_PTR)                     \
  X(P, crypto_sign_digest, th_crypto_sign(F.key, D, 4, o), TU_PTR)                          \
  X(I, crypto_verify, th_crypto_verify(o, D, 4, D, 4, "sha256"), TU_OBJ)                    \
  X(I, crypto_verify_sig, th_crypto_verify(F.cert, o, 4, D, 4, "sha256"), TU_PTR)           \
  X(I, crypto_verify_data, th_crypto_verify(F.cert, D, 4, o, 4, "sha256"), TU_PTR)          \
  X(I, crypto_verify_digest, th_crypto_verify(F.cert, D, 4, D, 4, o), TU_PTR)               \
  X(I, store_add_cert, th_x509_store_add_cert(o, F.cert), TU_OBJ)                           \
  X(I, store_add_cert_cert, th_x509_store_add_cert(F.store, o), TU_OBJ)                     \
  X(I, store_add_crl, th_x509_store_add_crl(o, F.crl), TU_OBJ)                              \
  X(I, store_add_crl_crl, th_x509_store_add_crl(F.store, o), TU_OBJ)                        \
  X(I, store_set_flags, th_x509_store_set_flags(o, 0), TU_OBJ)                              \
  X(I, store_set_time, th_x509_store_set_time(o, 0), TU_OBJ)                                \
  X(I, store_set_depth, th_x509_store_set_depth(o, 1), TU_OBJ)                              \
  X(I, store_add_policy, th_x509_store_add_policy(o, "1.2.3.4"), TU_OBJ)                    \
  X(I, store_add_policy_oid, th_x509_store_add_policy(F.store, o), TU_PTR)                  \
  X(I, store_load_locations, th_x509_store_load_locations(o, "/nonexistent", NULL), TU_OBJ) \
  X(I, store_load_locations_both, th_x509_store_load_locations(F.store, o, o), TU_PTR)      \
  X(P, store_from, th_x509_store_from_x509_store(o), TU_PTR)                                \
  X(P, store_to, th_x509_store_to_x509_store(o), TU_OBJ)                                    \
  X(P, store_context_new_store, th_x509_store_context_new(o, F.cert), TU_OBJ)               \
  X(P, store_context_new_cert, th_x509_store_context_new(F.store, o), TU_OBJ)               \
  X(I, store_context_set_store, th_x509_store_context_set_store(o, F.store), TU_OBJ)        \
  X(I, store_context_set_store_store, th_x509_store_context_set_store(F.sctx, o), TU_OBJ)   \
  X(I, store_context_verify, th_x509_store_context_verify_certificate(o), TU_OBJ)           \
  X(I, store_context_set_untrusted, th_x509_store_context_set_untrusted(o, NULL, 0), TU_OBJ) \
  X(I, store_context_set_untrusted_chain,                                                \
    th_x509_store_context_set_untrusted(F.sctx, o, 1), TU_PTR)                              \
  X(I, store_context_set_untrusted_item,                                                 \
    th_x509_store_context_set_untrusted(F.sctx, (th_x509 *[]){F.cert, o}, 2), TU_OBJ)       \
  X(P, store_context_get_verified_chain, th_x509_store_context_get_verified_chain(o), TU_OBJ) \
  X(P, crl_from, th_crl_from_x509_crl(o), TU_PTR)                                           \
  X(P, crl_to, th_crl_to_x509_crl(o), TU_OBJ)                                               \
  X(I, crl_add_revoked, th_crl_add_revoked(o, F.rev), TU_OBJ)                               \
  X(I, crl_add_revoked_rev, th_crl_add_revoked(F.crl, o), TU_OBJ)                           \
  X(I, crl_get_revoked, th_crl_get_revoked(o, &l_out), TU_OBJ)                              \
  X(I, crl_get_revoked_out, th_crl_get_revoked(F.crl, o), TU_PTR)                           \
  X(P, crl_get_issuer, th_crl_get_issuer(o), TU_OBJ)                                        \
  X(I, crl_set_lastUpdate, th_crl_set_lastUpdate(o, "20200101000000Z"), TU_OBJ)             \
  X(I, crl_set_lastUpdate_when, th_crl_set_lastUpdate(F.crl, o), TU_PTR)                    \
  X(I, crl_set_nextUpdate, th_crl_set_nextUpdate(o, "20200101000000Z"), TU_OBJ)             \
  X(I, crl_set_nextUpdate_when, th_crl_set_nextUpdate(F.crl, o), TU_PTR)                    \
  X(I, crl_set_version, th_crl_set_version(o, 1), TU_OBJ)                                   \
  X(I, crl_sign, th_crl_sign(o, F.cert, F.key, "sha256"), TU_OBJ)                           \
  X(I, crl_sign_cert, th_crl_sign(F.crl, o, F.key, "sha256"), TU_OBJ)                       \
  X(I, crl_sign_key, th_crl_sign(F.crl, F.cert, o, "sha256"), TU_OBJ)                       \
  X(I, crl_sign_digest, th_crl_sign(F.crl, F.cert, F.key, o), TU_PTR)                       \
  X(P, crl_export, th_crl_export(o, F.cert, F.key, TH_FILETYPE_PEM, 1, "sha256"), TU_OBJ)   \
  X(P, crl_export_cert, th_crl_export(F.crl, o, F.key, TH_FILETYPE_PEM, 1, "sha256"), TU_OBJ) \
  X(P, crl_export_key, th_crl_export(F.crl, F.cert, o, TH_FILETYPE_PEM, 1, "sha256"), TU_OBJ) \
  X(P, dump_crl, th_crypto_dump_crl(TH_FILETYPE_PEM, o), TU_OBJ)                            \
  X(P, load_crl, th_crypto_load_crl(TH_FILETYPE_PEM, o, 4), TU_PTR)                         \
  X(I, revoked_set_reason, th_revoked_set_reason(o, "keyCompromise"), TU_OBJ)               \
  X(I, revoked_get_reason, th_revoked_get_reason(o, &b_out), TU_OBJ)                        \
  X(I, revoked_get_reason_out, th_revoked_get_reason(F.rev, o), TU_PTR)                     \
  X(I, revoked_set_rev_date, th_revoked_set_rev_date(o, "20200101000000Z"), TU_OBJ)         \
  X(I, revoked_set_rev_date_when, th_revoked_set_rev_date(F.rev, o), TU_PTR)                \
  X(I, revoked_get_rev_date, th_revoked_get_rev_date(o, &b_out), TU_OBJ)                    \
  X(I, revoked_get_rev_date_out, th_revoked_get_rev_date(F.rev, o), TU_PTR)                 \
  X(I, revoked_set_serial, th_revoked_set_serial(o, "01"), TU_OBJ)                          \
  X(I, revoked_set_serial_hex, th_revoked_set_serial(F.rev, o), TU_PTR)                     \
  X(P, revoked_get_serial, th_revoked_get_serial(o), TU_OBJ)                                \
  X(P, load_pkcs7_data, th_crypto_load_pkcs7_data(TH_FILETYPE_PEM, o, 4), TU_PTR)           \
  X(I, pkcs7_type_is_signed, th_pkcs7_type_is_signed(o), TU_OBJ)                            \
  X(I, pkcs7_type_is_enveloped, th_pkcs7_type_is_enveloped(o), TU_OBJ)                      \
  X(I, pkcs7_type_is_signedAndEnveloped, th_pkcs7_type_is_signedAndEnveloped(o), TU_OBJ)    \
  X(I, pkcs7_type_is_data, th_pkcs7_type_is_data(o), TU_OBJ)                                \
  X(P, pkcs7_get_type_name, th_pkcs7_get_type_name(o), TU_OBJ)                              \
  X(P, load_pkcs12, th_crypto_load_pkcs12(o, 4, NULL), TU_PTR)                              \
  X(I, pkcs12_get_certificate, th_pkcs12_get_certificate(o, &x_out), TU_OBJ)                \
  X(I, pkcs12_get_certificate_out, th_pkcs12_get_certificate(F.p12, o), TU_PTR)             \
  X(I, pkcs12_get_privatekey, th_pkcs12_get_privatekey(o, &k_out), TU_OBJ)                  \
  X(I, pkcs12_get_privatekey_out, th_pkcs12_get_privatekey(F.p12, o), TU_PTR)               \
  X(I, pkcs12_get_ca_certificates, th_pkcs12_get_ca_certificates(o, &l_out), TU_OBJ)        \
  X(I, pkcs12_get_ca_certificates_out, th_pkcs12_get_ca_certificates(F.p12, o), TU_PTR)     \
  X(I, pkcs12_get_friendlyname, th_pkcs12_get_friendlyname(o, &b_out), TU_OBJ)              \
  X(I, pkcs12_get_friendlyname_out, th_pkcs12_get_friendlyname(F.p12, o), TU_PTR)           \
  X(I, pkcs12_set_certificate, th_pkcs12_set_certificate(o, F.cert), TU_OBJ)                \
  X(I, pkcs12_set_certificate_cert, th_pkcs12_set_certificate(F.p12, o), TU_WRONG)          \
  X(I, pkcs12_set_privatekey, th_pkcs12_set_privatekey(o, F.key), TU_OBJ)                   \
  X(I, pkcs12_set_privatekey_key, th_pkcs12_set_privatekey(F.p12, o), TU_WRONG)             \
  X(I, pkcs12_set_ca_certificates, th_pkcs12_set_ca_certificates(o, NULL, 0), TU_OBJ)       \
  X(I, pkcs12_set_ca_certificates_list, th_pkcs12_set_ca_certificates(F.p12, o, 1), TU_PTR) \
  X(I, pkcs12_set_ca_certificates_item,                                                  \
    th_pkcs12_set_ca_certificates(F.p12, (th_x509 *[]){F.cert, o}, 2), TU_OBJ)              \
  X(I, pkcs12_set_friendlyname, th_pkcs12_set_friendlyname(o, D, 4), TU_OBJ)               \
  X(I, pkcs12_set_friendlyname_name, th_pkcs12_set_friendlyname(F.p12, o, 4), TU_PTR)       \
  X(P, pkcs12_export, th_pkcs12_export(o, NULL, 1, 1), TU_OBJ)                              \
  X(P, spki_from_b64, th_netscape_spki_from_b64(o, 4), TU_PTR)                              \
  X(P, spki_b64_encode, th_netscape_spki_b64_encode(o), TU_OBJ)                             \
  X(P, spki_get_pubkey, th_netscape_spki_get_pubkey(o), TU_OBJ)                             \
  X(I, spki_set_pubkey, th_netscape_spki_set_pubkey(o, F.key), TU_OBJ)                      \
  X(I, spki_set_pubkey_key, th_netscape_spki_set_pubkey(F.spki, o), TU_OBJ)                 \
  X(I, spki_sign, th_netscape_spki_sign(o, F.key, "sha256"), TU_OBJ)                        \
  X(I, spki_sign_key, th_netscape_spki_sign(F.spki, o, "sha256"), TU_OBJ)                   \
  X(I, spki_sign_digest, th_netscape_spki_sign(F.spki, F.key, o), TU_PTR)                   \
  X(I, spki_verify, th_netscape_spki_verify(o, F.key), TU_OBJ)                              \
  X(I, spki_verify_key, th_netscape_spki_verify(F.spki, o), TU_OBJ)                         \
  X(P, get_elliptic_curve, th_crypto_get_elliptic_curve(o), TU_PTR)                         \
  X(P, elliptic_curve_get_name, th_elliptic_curve_get_name(o), TU_ALT)                      \
  X(I, elliptic_curve_get_nid, th_elliptic_curve_get_nid(o), TU_ALT)                        \
  X(I, rand_add, th_rand_add(o, 4, 1.0), TU_PTR)                                            \
  X(I, rand_seed, th_rand_seed(o, 4), TU_PTR)                                               \
  X(I, rand_egd, th_rand_egd(o, 1), TU_PTR)                                                 \
  X(I, rand_load_file, th_rand_load_file(o, 1), TU_PTR)                                     \
  X(I, rand_write_file, th_rand_write_file(o), TU_PTR)

TU_BAD_ARGS_TEST(crypto_bad_args, null_and_wrong_type, CASES, (void *)F.curve, (void *)F.rev)

/* Sizes: every length argument above INT_MAX — a negative int passed by
 * mistake, or simply too large — is TH_ERR_VALUE before anything reads the
 * buffer (crypto.h). X(kind, id, call using n for the size under test). */
#define SIZE_CASES(X)                                                                        \
  X(P, load_certificate, th_crypto_load_certificate(TH_FILETYPE_PEM, D, n))                  \
  X(P, load_certificate_ex, th_crypto_load_certificate_ex(NULL, NULL, TH_FILETYPE_ASN1, D, n)) \
  X(P, load_certificate_request, th_crypto_load_certificate_request(TH_FILETYPE_PEM, D, n))  \
  X(P, load_certificate_request_ex,                                                        \
    th_crypto_load_certificate_request_ex(NULL, NULL, TH_FILETYPE_ASN1, D, n))               \
  X(P, load_privatekey, th_crypto_load_privatekey(TH_FILETYPE_PEM, D, n, NULL, 0))           \
  X(P, load_privatekey_pass, th_crypto_load_privatekey(TH_FILETYPE_PEM, D, 4, D, n))         \
  X(P, load_privatekey_cb, th_crypto_load_privatekey_cb(TH_FILETYPE_ASN1, D, n, NULL, NULL)) \
  X(P, load_privatekey_ex,                                                                 \
    th_crypto_load_privatekey_ex(NULL, NULL, TH_FILETYPE_PEM, D, n, NULL, 0, NULL, NULL))    \
  X(P, dump_privatekey_pass,                                                               \
    th_crypto_dump_privatekey(TH_FILETYPE_PEM, F.key, "aes-128-cbc", D, n))                   \
  X(P, load_publickey, th_crypto_load_publickey(TH_FILETYPE_PEM, D, n))                      \
  X(P, load_publickey_ex, th_crypto_load_publickey_ex(NULL, NULL, TH_FILETYPE_ASN1, D, n))   \
  X(P, load_crl, th_crypto_load_crl(TH_FILETYPE_ASN1, D, n))                                 \
  X(P, load_pkcs7_data, th_crypto_load_pkcs7_data(TH_FILETYPE_ASN1, D, n))                   \
  X(P, load_pkcs12, th_crypto_load_pkcs12(D, n, NULL))                                       \
  X(P, crypto_sign, th_crypto_sign(F.key, D, n, "sha256"))                                   \
  X(I, crypto_verify_sig, th_crypto_verify(F.cert, D, n, D, 4, "sha256"))                    \
  X(I, crypto_verify_data, th_crypto_verify(F.cert, D, 4, D, n, "sha256"))                   \
  X(I, pkcs12_set_friendlyname, th_pkcs12_set_friendlyname(F.p12, D, n))                     \
  X(P, spki_from_b64, th_netscape_spki_from_b64((const char *)D, n))                         \
  X(I, rand_add, th_rand_add(D, n, 1.0))                                                     \
  X(I, rand_seed, th_rand_seed(D, n))

#define SIZE_DEFINE(kind, id, call) \
  static int size_##id(size_t n) { TU_##kind##_BODY(call) }
#define SIZE_ENTRY(kind, id, call) {#id, size_##id},
SIZE_CASES(SIZE_DEFINE)
static const struct {
  const char *name;
  int (*run)(size_t n);
} size_cases[] = {SIZE_CASES(SIZE_ENTRY)};

TU_INDEX_PARAMS(crypto_bad_args, oversized_lengths, sizeof size_cases / sizeof size_cases[0])
ParameterizedTest(int *i, crypto_bad_args, oversized_lengths) {
  static const size_t sizes[] = {(size_t)-1, (size_t)INT_MAX + 1, SIZE_MAX / 2,
                                 (size_t)-(long)INT_MAX};
  for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
    th_error_clear();
    int got = size_cases[*i].run(sizes[s]);
    cr_assert_eq(got, TH_ERR_VALUE, "%s(len %zu): got %d, %s", size_cases[*i].name, sizes[s], got,
                 tu_err());
  }
}

/* Empty input: every loader given no bytes (a NULL buffer, and an empty
 * one) in each format fails with the error of data that is not the thing
 * loaded (pyOpenSSL: crypto.Error for b""), never a crash. The CRL, PKCS#7
 * and PKCS#12 loaders take no NULL buffer at all (TH_ERR_TYPE, as their
 * headers say); the others read NULL with len 0 as empty. X(kind, id, call using b for the buffer,
 * kind for NULL, kind for empty). */
#define EMPTY_CASES(X)                                                                          \
  X(P, cert_pem, th_crypto_load_certificate(TH_FILETYPE_PEM, b, 0), TH_ERR_CRYPTO, TH_ERR_CRYPTO) \
  X(P, cert_asn1, th_crypto_load_certificate(TH_FILETYPE_ASN1, b, 0), TH_ERR_CRYPTO, TH_ERR_CRYPTO) \
  X(P, req_pem, th_crypto_load_certificate_request(TH_FILETYPE_PEM, b, 0), TH_ERR_CRYPTO,        \
    TH_ERR_CRYPTO)                                                                               \
  X(P, req_asn1, th_crypto_load_certificate_request(TH_FILETYPE_ASN1, b, 0), TH_ERR_CRYPTO,      \
    TH_ERR_CRYPTO)                                                                               \
  X(P, privkey_pem, th_crypto_load_privatekey(TH_FILETYPE_PEM, b, 0, NULL, 0), TH_ERR_CRYPTO,    \
    TH_ERR_CRYPTO)                                                                               \
  X(P, privkey_asn1, th_crypto_load_privatekey(TH_FILETYPE_ASN1, b, 0, NULL, 0), TH_ERR_CRYPTO,  \
    TH_ERR_CRYPTO)                                                                               \
  X(P, pubkey_pem, th_crypto_load_publickey(TH_FILETYPE_PEM, b, 0), TH_ERR_CRYPTO, TH_ERR_CRYPTO) \
  X(P, pubkey_asn1, th_crypto_load_publickey(TH_FILETYPE_ASN1, b, 0), TH_ERR_CRYPTO,             \
    TH_ERR_CRYPTO)                                                                               \
  X(P, crl_pem, th_crypto_load_crl(TH_FILETYPE_PEM, b, 0), TH_ERR_TYPE, TH_ERR_CRYPTO)         \
  X(P, crl_asn1, th_crypto_load_crl(TH_FILETYPE_ASN1, b, 0), TH_ERR_TYPE, TH_ERR_CRYPTO)       \
  X(P, pkcs7_pem, th_crypto_load_pkcs7_data(TH_FILETYPE_PEM, b, 0), TH_ERR_TYPE, TH_ERR_CRYPTO) \
  X(P, pkcs7_asn1, th_crypto_load_pkcs7_data(TH_FILETYPE_ASN1, b, 0), TH_ERR_TYPE,             \
    TH_ERR_CRYPTO)                                                                               \
  X(P, pkcs12, th_crypto_load_pkcs12(b, 0, NULL), TH_ERR_TYPE, TH_ERR_CRYPTO)

#define EMPTY_DEFINE(kind, id, call, on_null, on_empty) \
  static int empty_##id(const unsigned char *b) { TU_##kind##_BODY(call) }
#define EMPTY_ENTRY(kind, id, call, on_null, on_empty) {#id, empty_##id, on_null, on_empty},
EMPTY_CASES(EMPTY_DEFINE)
static const struct {
  const char *name;
  int (*run)(const unsigned char *b);
  int on_null, on_empty;
} empty_cases[] = {EMPTY_CASES(EMPTY_ENTRY)};

TU_INDEX_PARAMS(crypto_bad_args, empty_input, sizeof empty_cases / sizeof empty_cases[0])
ParameterizedTest(int *i, crypto_bad_args, empty_input) {
  th_error_clear();
  int got = empty_cases[*i].run(NULL);
  cr_assert_eq(got, empty_cases[*i].on_null, "%s(NULL, 0): got %d, %s", empty_cases[*i].name, got,
               tu_err());
  th_error_clear();
  got = empty_cases[*i].run(D);
  cr_assert_eq(got, empty_cases[*i].on_empty, "%s(\"\", 0): got %d, %s", empty_cases[*i].name, got,
               tu_err());
}
