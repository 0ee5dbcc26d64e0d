/* crypto_unchanged_test.c — "no object is left half-changed": every failing
 * setter, adder and signer of the crypto module returns its error kind and
 * leaves the object byte-for-byte as it was (the DER, or the SPKI's base64,
 * before and after). One table; each case fails for a different reason
 * (bad text, bad key, bad digest, bad item in a list, OpenSSL refusing). */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <limits.h>
#include <string.h>

#include <openssl/x509_vfy.h>

#include "testutil_x509.h"
#include "testutil_table.h"

static struct {
  th_pkey *key;    /* EC P-256 */
  th_pkey *rsa;    /* RSA-2048 */
  th_pkey *pub;    /* public part of key only */
  th_pkey *uninit; /* PKey() without generate_key */
  th_x509 *cert;   /* the object under change */
  th_x509 *other;  /* another certificate, other subject */
  th_x509_req *req;
  th_crl *crl;
  th_netscape_spki *spki;
  th_x509_extension *ext;
  th_revoked *undated;
  th_elliptic_curve *wrong; /* a live object of an unrelated class */
} F;

static void setup(void) {
  F.key = tu_ec_key();
  F.rsa = tu_rsa_key();
  F.uninit = th_pkey_new();
  F.cert = tx_cert(F.key, "unchanged", NULL, NULL, 1, 11);
  F.other = tx_cert(F.rsa, "other", NULL, NULL, 1, 12);
  F.pub = th_x509_get_pubkey(F.cert);
  F.req = th_x509_req_new();
  th_x509_name *s = th_x509_req_get_subject(F.req);
  cr_assert_eq(th_x509_name_set_commonName(s, "req"), TH_OK);
  th_x509_name_free(s);
  cr_assert_eq(th_x509_req_set_pubkey(F.req, F.rsa), TH_OK);
  cr_assert_eq(th_x509_req_sign(F.req, F.rsa, "sha256"), TH_OK, "%s", tu_err());
  F.crl = th_crl_new();
  th_revoked *r = th_revoked_new();
  cr_assert_eq(th_revoked_set_serial(r, "0A"), TH_OK);
  cr_assert_eq(th_revoked_set_rev_date(r, "20200101000000Z"), TH_OK);
  cr_assert_eq(th_crl_add_revoked(F.crl, r), TH_OK);
  th_revoked_free(r);
  cr_assert_eq(th_crl_set_lastUpdate(F.crl, "20200101000000Z"), TH_OK);
  cr_assert_eq(th_crl_set_nextUpdate(F.crl, "20300101000000Z"), TH_OK);
  cr_assert_eq(th_crl_sign(F.crl, F.cert, F.key, "sha256"), TH_OK, "%s", tu_err());
  F.spki = th_netscape_spki_new();
  cr_assert_eq(th_netscape_spki_set_pubkey(F.spki, F.key), TH_OK);
  cr_assert_eq(th_netscape_spki_sign(F.spki, F.key, "sha256"), TH_OK, "%s", tu_err());
  F.ext = th_x509_extension_new("nsComment", 0, "added", NULL, NULL);
  F.undated = th_revoked_new();
  F.wrong = th_crypto_get_elliptic_curve("prime256v1");
  cr_assert(F.pub && F.ext && F.undated && F.wrong);
}

static void teardown(void) {
  th_elliptic_curve_free(F.wrong);
  th_revoked_free(F.undated);
  th_x509_extension_free(F.ext);
  th_netscape_spki_free(F.spki);
  th_crl_free(F.crl);
  th_x509_req_free(F.req);
  th_pkey_free(F.pub);
  th_x509_free(F.other);
  th_x509_free(F.cert);
  th_pkey_free(F.uninit);
  th_pkey_free(F.rsa);
  th_pkey_free(F.key);
}

TestSuite(crypto_unchanged, .init = setup, .fini = teardown);

/* What a case changes, and how its state is read. */
enum { CERT, REQ, CRL, SPKI };

static th_bytes *snapshot(int what) {
  switch (what) {
    case CERT: return th_crypto_dump_certificate(TH_FILETYPE_ASN1, F.cert);
    case REQ: return th_crypto_dump_certificate_request(TH_FILETYPE_ASN1, F.req);
    case CRL: return th_crypto_dump_crl(TH_FILETYPE_ASN1, F.crl);
    default: return th_netscape_spki_b64_encode(F.spki);
  }
}

#define W(t) ((t *)F.wrong)
#define EXTS(...) ((th_x509_extension *[]){__VA_ARGS__})

/* X(id, object, failing call, expected kind) */
#define CASES(X)                                                                         \
  X(x509_set_notAfter_garbage, CERT, th_x509_set_notAfter(F.cert, "garbage"), TH_ERR_VALUE) \
  X(x509_set_notAfter_bad_month, CERT, th_x509_set_notAfter(F.cert, "20201301000000Z"),    \
    TH_ERR_VALUE)                                                                          \
  X(x509_set_notAfter_null, CERT, th_x509_set_notAfter(F.cert, NULL), TH_ERR_TYPE)         \
  X(x509_set_notBefore_short, CERT, th_x509_set_notBefore(F.cert, "2020"), TH_ERR_VALUE)   \
  X(x509_gmtime_adj_notAfter_range, CERT, th_x509_gmtime_adj_notAfter(F.cert, LONG_MAX),   \
    TH_ERR_VALUE)                                                                          \
  X(x509_gmtime_adj_notBefore_range, CERT, th_x509_gmtime_adj_notBefore(F.cert, LONG_MIN), \
    TH_ERR_VALUE)                                                                          \
  X(x509_set_serial_not_a_number, CERT, th_x509_set_serial_number(F.cert, "12xy"),         \
    TH_ERR_VALUE)                                                                          \
  X(x509_set_serial_empty_hex, CERT, th_x509_set_serial_number(F.cert, "0x"), TH_ERR_VALUE) \
  X(x509_set_serial_minus, CERT, th_x509_set_serial_number(F.cert, "-"), TH_ERR_VALUE)     \
  X(x509_set_version_negative, CERT, th_x509_set_version(F.cert, -1), TH_ERR_VALUE)        \
  X(x509_set_pubkey_uninit, CERT, th_x509_set_pubkey(F.cert, F.uninit), TH_ERR_VALUE)      \
  X(x509_set_pubkey_wrong, CERT, th_x509_set_pubkey(F.cert, W(th_pkey)), TH_ERR_TYPE)      \
  X(x509_set_subject_wrong, CERT, th_x509_set_subject(F.cert, W(th_x509_name)), TH_ERR_TYPE) \
  X(x509_set_issuer_null, CERT, th_x509_set_issuer(F.cert, NULL), TH_ERR_TYPE)             \
  X(x509_add_extensions_wrong_item, CERT,                                                   \
    th_x509_add_extensions(F.cert, EXTS(F.ext, W(th_x509_extension)), 2), TH_ERR_TYPE)      \
  X(x509_add_extensions_null_item, CERT, th_x509_add_extensions(F.cert, EXTS(F.ext, NULL), 2), \
    TH_ERR_TYPE)                                                                           \
  X(x509_sign_unknown_digest, CERT, th_x509_sign(F.cert, F.key, "nosuchdigest"), TH_ERR_VALUE) \
  X(x509_sign_null_digest, CERT, th_x509_sign(F.cert, F.key, NULL), TH_ERR_TYPE)           \
  X(x509_sign_public_only, CERT, th_x509_sign(F.cert, F.pub, "sha256"), TH_ERR_VALUE)      \
  X(x509_sign_uninit, CERT, th_x509_sign(F.cert, F.uninit, "sha256"), TH_ERR_VALUE)        \
  X(x509_sign_digest_key_mismatch, CERT, th_x509_sign(F.cert, F.rsa, "md5-sha1"),          \
    TH_ERR_CRYPTO)                                                                         \
  X(x509_req_set_version_negative, REQ, th_x509_req_set_version(F.req, -5), TH_ERR_VALUE)  \
  X(x509_req_set_pubkey_uninit, REQ, th_x509_req_set_pubkey(F.req, F.uninit), TH_ERR_VALUE) \
  X(x509_req_add_extensions_wrong_item, REQ,                                                \
    th_x509_req_add_extensions(F.req, EXTS(F.ext, W(th_x509_extension)), 2), TH_ERR_TYPE)   \
  X(x509_req_sign_unknown_digest, REQ, th_x509_req_sign(F.req, F.rsa, "nosuch"), TH_ERR_VALUE) \
  X(x509_req_sign_public_only, REQ, th_x509_req_sign(F.req, F.pub, "sha256"), TH_ERR_VALUE) \
  X(x509_req_sign_digest_key_mismatch, REQ, th_x509_req_sign(F.req, F.rsa, "md5-sha1"),    \
    TH_ERR_CRYPTO)                                                                         \
  X(crl_set_lastUpdate_garbage, CRL, th_crl_set_lastUpdate(F.crl, "yesterday"), TH_ERR_VALUE) \
  X(crl_set_nextUpdate_null, CRL, th_crl_set_nextUpdate(F.crl, NULL), TH_ERR_TYPE)         \
  X(crl_set_version_2, CRL, th_crl_set_version(F.crl, 2), TH_ERR_VALUE)                    \
  X(crl_add_revoked_undated, CRL, th_crl_add_revoked(F.crl, F.undated), TH_ERR_VALUE)      \
  X(crl_add_revoked_wrong, CRL, th_crl_add_revoked(F.crl, W(th_revoked)), TH_ERR_TYPE)     \
  X(crl_sign_unknown_digest, CRL, th_crl_sign(F.crl, F.other, F.rsa, "nosuch"), TH_ERR_VALUE) \
  X(crl_sign_public_only, CRL, th_crl_sign(F.crl, F.other, F.pub, "sha256"), TH_ERR_VALUE) \
  X(crl_sign_digest_key_mismatch, CRL, th_crl_sign(F.crl, F.other, F.key, "md5"),          \
    TH_ERR_CRYPTO)                                                                         \
  X(crl_export_bad_type, CRL, st_ptr(th_crl_export(F.crl, F.other, F.rsa, 99, 1, "sha256")), \
    TH_ERR_VALUE)                                                                          \
  X(crl_export_bad_days, CRL,                                                               \
    st_ptr(th_crl_export(F.crl, F.other, F.rsa, TH_FILETYPE_PEM, 99999999, "sha256")),      \
    TH_ERR_VALUE)                                                                          \
  X(crl_export_default_md5_with_ec_key, CRL,                                                \
    st_ptr(th_crl_export(F.crl, F.other, F.key, TH_FILETYPE_PEM, 1, NULL)), TH_ERR_CRYPTO)  \
  X(spki_set_pubkey_uninit, SPKI, th_netscape_spki_set_pubkey(F.spki, F.uninit), TH_ERR_VALUE) \
  X(spki_sign_public_only, SPKI, th_netscape_spki_sign(F.spki, F.pub, "sha256"), TH_ERR_VALUE) \
  X(spki_sign_unknown_digest, SPKI, th_netscape_spki_sign(F.spki, F.rsa, "nosuch"),        \
    TH_ERR_VALUE)                                                                          \
  X(spki_sign_digest_key_mismatch, SPKI, th_netscape_spki_sign(F.spki, F.key, "md5"),      \
    TH_ERR_CRYPTO)

static int st_ptr(th_bytes *b) {
  th_bytes_free(b);
  return b == NULL ? th_error_kind() : TH_OK;
}

TU_CHANGE_TEST(crypto_unchanged, failed_change_leaves_object_as_it_was, CASES, snapshot, 0)

/* A failed X509Name.set leaves the certificate's subject as it was. */
Test(crypto_unchanged, failed_name_set_leaves_certificate) {
  th_bytes *before = snapshot(CERT);
  th_x509_name *n = th_x509_get_subject(F.cert);
  cr_assert_eq(th_x509_name_set_countryName(n, "USA"), TH_ERR_CRYPTO);
  cr_assert_eq(th_x509_name_set(n, "noSuchAttribute", "x"), TH_ERR_VALUE);
  cr_assert_eq(th_x509_name_set_commonName(n, NULL), TH_ERR_TYPE);
  th_bytes *after = snapshot(CERT);
  cr_assert(before->len == after->len && memcmp(before->data, after->data, before->len) == 0);
  th_bytes_free(after);
  th_bytes_free(before);
  th_x509_name_free(n);
}

/* Failed X509Store settings leave its verification parameters alone. */
Test(crypto_unchanged, failed_store_settings_leave_store) {
  th_x509_store *s = th_x509_store_new();
  cr_assert_eq(th_x509_store_set_depth(s, 3), TH_OK);
  X509_STORE *raw = th_x509_store_to_x509_store(s);
  X509_VERIFY_PARAM *p = X509_STORE_get0_param(raw);
  unsigned long flags = X509_VERIFY_PARAM_get_flags(p);
  cr_assert_eq(th_x509_store_set_depth(s, -1), TH_ERR_VALUE);
  cr_assert_eq(th_x509_store_add_policy(s, "not an oid"), TH_ERR_VALUE);
  cr_assert_eq(th_x509_store_add_policy(s, NULL), TH_ERR_TYPE);
  cr_assert_eq(X509_VERIFY_PARAM_get_depth(p), 3);
  cr_assert_eq(X509_VERIFY_PARAM_get_flags(p), flags);
  X509_STORE_free(raw);
  th_x509_store_free(s);
}
