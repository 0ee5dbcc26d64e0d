/* failsweep_more.c — more crypto scenarios: NetscapeSPKI, Revoked, the
 * X509Store settings (verification flags, depth, time, policy, and the
 * name and policy settings host / IP / e-mail / host flags / purpose /
 * auth level; a failed setter leaves the store's parameters as they were),
 * and X509StoreContext (a verified chain, a failed verification, a store
 * swapped in), and the read side of the crypto objects (names, extensions,
 * a CRL's issuer and entries, the curve list, random bytes, the escape
 * hatches): a getter that fails must say so, one that succeeds must give
 * the same answer as the run without failures. */
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509_vfy.h>

#include "failsweep.h"

static int spki(void) {
  int rc = TH_OK;
  th_netscape_spki *s = NULL, *back = NULL;
  th_bytes *b64 = NULL, *pub = NULL;
  th_pkey *k = NULL;
  FS_GET(s, th_netscape_spki_new());
  FS_TRY(th_netscape_spki_set_pubkey(s, fs_in.server_key));
  FS_TRY(th_netscape_spki_sign(s, fs_in.server_key, "sha256"));
  FS_GET(b64, th_netscape_spki_b64_encode(s));
  FS_GET(back, th_netscape_spki_from_b64((const char *)b64->data, b64->len));
  int v = th_netscape_spki_verify(back, fs_in.server_key);
  if (v < 0) FS_TRY(v);
  if (v != 1) {
    rc = fs_finding("the decoded SPKI does not verify (%d)", v);
    goto out;
  }
  FS_GET(k, th_netscape_spki_get_pubkey(back));
  FS_GET(pub, th_crypto_dump_publickey(TH_FILETYPE_ASN1, k));
  FS_SAME(pub, fs_in.pub_der);
out:
  th_bytes_free(pub);
  th_pkey_free(k);
  th_bytes_free(b64);
  th_netscape_spki_free(back);
  th_netscape_spki_free(s);
  return rc;
}

/* ---- Revoked: setters leave the entry unchanged ------------------------ */
static th_bytes *dump_revoked(const void *o) {
  const th_revoked *r = o;
  th_bytes *serial = th_revoked_get_serial(r), *reason = NULL, *date = NULL;
  int ok = serial != NULL && th_revoked_get_reason(r, &reason) == TH_OK &&
           th_revoked_get_rev_date(r, &date) == TH_OK;
  char buf[512];
  int n = snprintf(buf, sizeof buf, "%s|%s|%s", serial ? (const char *)serial->data : "",
                   reason ? (const char *)reason->data : "-", date ? (const char *)date->data : "-");
  th_bytes_free(serial);
  th_bytes_free(reason);
  th_bytes_free(date);
  return ok ? th_bytes_new(buf, (size_t)n) : NULL;
}

static int revoked(void) {
  int rc = TH_OK;
  th_revoked *r = NULL;
  th_bytes *snap = NULL;
  th_list *reasons = NULL;
  FS_GET(reasons, th_revoked_all_reasons());
  if (reasons->count == 0) {
    rc = fs_finding("%zu revocation reasons", reasons->count);
    goto out;
  }
  FS_GET(r, th_revoked_new());
  FS_SNAP(r, dump_revoked);
  FS_SET(r, dump_revoked, th_revoked_set_serial(r, "0123456789abcdef0123456789"));
  FS_SET(r, dump_revoked, th_revoked_set_rev_date(r, "20250102030405Z"));
  FS_SET(r, dump_revoked, th_revoked_set_reason(r, "keyCompromise"));
  FS_SET(r, dump_revoked, th_revoked_set_reason(r, "cessationOfOperation"));
  FS_SET(r, dump_revoked, th_revoked_set_serial(r, "ff"));
  FS_SET(r, dump_revoked, th_revoked_set_reason(r, NULL));
out:
  th_list_free(reasons);
  th_bytes_free(snap);
  th_revoked_free(r);
  return rc;
}

/* ---- X509Store settings: a failed setter leaves the parameters --------- */
th_bytes *fs_dump_param(X509_VERIFY_PARAM *p) {
  char buf[2048];
  size_t n = 0;
  n += (size_t)snprintf(buf + n, sizeof buf - n, "hosts=");
  for (int i = 0; n < sizeof buf - 300; i++) {
    const char *h = X509_VERIFY_PARAM_get0_host(p, i);
    if (h == NULL) break;
    n += (size_t)snprintf(buf + n, sizeof buf - n, "%s,", h);
  }
  char *ip = X509_VERIFY_PARAM_get1_ip_asc(p);
  const char *email = X509_VERIFY_PARAM_get0_email(p);
  n += (size_t)snprintf(buf + n, sizeof buf - n, ";email=%s;ip=%s;hostflags=%u;depth=%d;auth=%d;flags=%lx",
                        email ? email : "", ip ? ip : "", X509_VERIFY_PARAM_get_hostflags(p),
                        X509_VERIFY_PARAM_get_depth(p), X509_VERIFY_PARAM_get_auth_level(p),
                        X509_VERIFY_PARAM_get_flags(p));
  OPENSSL_free(ip);
  ERR_clear_error(); /* get0_host past the last name records an error */
  return th_bytes_new(buf, n);
}
static th_bytes *dump_store(const void *o) {
  X509_STORE *s = th_x509_store_to_x509_store(o);
  th_bytes *b = s ? fs_dump_param(X509_STORE_get0_param(s)) : NULL;
  X509_STORE_free(s);
  return b;
}

static int store_settings(void) {
  int rc = TH_OK;
  th_x509_store *st = NULL;
  th_bytes *snap = NULL;
  FS_GET(st, th_x509_store_new());
  FS_SNAP(st, dump_store);
  FS_SET(st, dump_store, th_x509_store_set_host(st, "first.example", 13));
  FS_SET(st, dump_store, th_x509_store_add_host(st, "second.example", 14));
  FS_SET(st, dump_store, th_x509_store_set_host(st, "server.example", 14));
  FS_SET(st, dump_store, th_x509_store_set_ip(st, "192.0.2.7"));
  FS_SET(st, dump_store, th_x509_store_set_ip(st, "2001:db8::7"));
  FS_SET(st, dump_store, th_x509_store_set_email(st, "a@example.test", 14));
  FS_SET(st, dump_store, th_x509_store_set_email(st, "b@example.test", 14));
  FS_SET(st, dump_store, th_x509_store_set_host_flags(st, TH_X509_CHECK_FLAG_NO_WILDCARDS));
  FS_SET(st, dump_store, th_x509_store_set_purpose(st, X509_PURPOSE_SSL_SERVER));
  FS_SET(st, dump_store, th_x509_store_set_auth_level(st, 2));
  FS_SET(st, dump_store, th_x509_store_set_flags(st, TH_X509_STORE_FLAGS_X509_STRICT));
  FS_SET(st, dump_store, th_x509_store_set_depth(st, 4));
  FS_SET(st, dump_store, th_x509_store_set_time(st, 1700000000));
  FS_SET(st, dump_store, th_x509_store_add_policy(st, "2.23.140.1.2.1"));
  FS_SET(st, dump_store, th_x509_store_add_cert(st, fs_in.root));
out:
  th_bytes_free(snap);
  th_x509_store_free(st);
  return rc;
}

/* ---- X509StoreContext ---------------------------------------------------- */
static int store_context(void) {
  int rc = TH_OK;
  th_x509_store *empty = NULL, *st = NULL;
  th_x509_store_context *sc = NULL;
  th_list *chain = NULL;
  th_x509 *untrusted[] = {fs_in.inter};
  FS_GET(empty, th_x509_store_new());
  FS_GET(st, th_x509_store_new());
  FS_TRY(th_x509_store_add_cert(st, fs_in.root));
  FS_TRY(th_x509_store_set_host(st, "localhost", 9));
  FS_GET(sc, th_x509_store_context_new(empty, fs_in.server));
  /* Nothing trusted: a verification error naming the certificate. */
  int r = th_x509_store_context_verify_certificate(sc);
  if (r == TH_OK) {
    rc = fs_finding("verified against an empty store");
    goto out;
  }
  if (r != TH_ERR_VERIFY) FS_TRY(r);
  if (th_error_kind() != TH_ERR_VERIFY) {
    rc = fs_status(r, "verify_certificate(empty store)");
    goto out;
  }
  FS_TRY(th_x509_store_context_set_store(sc, st));
  FS_TRY(th_x509_store_context_set_untrusted(sc, untrusted, 1));
  FS_TRY(th_x509_store_context_verify_certificate(sc));
  FS_GET(chain, th_x509_store_context_get_verified_chain(sc));
  if (chain->count != 3) rc = fs_finding("verified chain of %zu certificates", chain->count);
out:
  th_list_free(chain);
  th_x509_store_context_free(sc);
  th_x509_store_free(st);
  th_x509_store_free(empty);
  return rc;
}

/* Each result is compared with the same call's result made without
 * failures (fs_pause) before the counted call. */
static int name_getters(th_x509_name *n, const th_bytes *want_der) {
  int rc = TH_OK;
  th_bytes *der = NULL, *line = NULL, *cn = NULL;
  th_list *comps = NULL;
  th_x509_name *copy = NULL;
  X509_NAME *raw = NULL;
  unsigned long h = 0;
  FS_GET(der, th_x509_name_der(n));
  FS_SAME(der, want_der);
  FS_GET(line, th_x509_name_oneline(n));
  FS_GET(comps, th_x509_name_get_components(n));
  if (comps->count == 0) rc = fs_finding("a name with no components");
  FS_TRY(th_x509_name_hash(n, &h));
  FS_TRY(th_x509_name_get(n, "CN", &cn));
  FS_GET(raw, th_x509_name_to_x509_name(n));
  FS_GET(copy, th_x509_name_from_x509_name(raw));
  int order = 1;
  FS_TRY(th_x509_name_cmp(copy, n, &order));
  if (order != 0) rc = fs_finding("a copied name compares unequal");
out:
  X509_NAME_free(raw);
  th_x509_name_free(copy);
  th_list_free(comps);
  th_bytes_free(cn);
  th_bytes_free(line);
  th_bytes_free(der);
  return rc;
}

static int extension_getters(const th_x509 *cert) {
  int rc = TH_OK;
  int n = th_x509_get_extension_count(cert);
  for (int i = 0; rc == TH_OK && i < n; i++) {
    th_x509_extension *e = NULL, *copy = NULL;
    th_bytes *sn = NULL, *data = NULL, *text = NULL;
    X509_EXTENSION *raw = NULL;
    FS_GET(e, th_x509_get_extension(cert, i));
    FS_GET(sn, th_x509_extension_get_short_name(e));
    FS_GET(data, th_x509_extension_get_data(e));
    FS_GET(text, th_x509_extension_str(e));
    FS_GET(raw, th_x509_extension_to_x509_extension(e));
    FS_GET(copy, th_x509_extension_from_x509_extension(raw));
  out:
    X509_EXTENSION_free(raw);
    th_x509_extension_free(copy);
    th_bytes_free(text);
    th_bytes_free(data);
    th_bytes_free(sn);
    th_x509_extension_free(e);
  }
  return rc;
}

static int getters(void) {
  int rc = TH_OK;
  th_bytes *want_subject = NULL, *want_issuer = NULL, *want_crl_issuer = NULL;
  th_bytes *serial = NULL, *alg = NULL, *digest = NULL, *rnd = NULL;
  th_x509_name *subject = NULL, *issuer = NULL, *crl_issuer = NULL;
  th_x509 *wrapped = NULL;
  th_pkey *pub = NULL, *key_copy = NULL;
  th_crl *crl = NULL, *crl_copy = NULL;
  th_list *revoked = NULL, *curves = NULL;
  X509 *raw = NULL;
  X509_CRL *raw_crl = NULL;
  EVP_PKEY *raw_key = NULL;
  fs_pause();
  crl = th_crypto_load_crl(TH_FILETYPE_ASN1, fs_in.crl_der->data, fs_in.crl_der->len);
  th_x509_name *s0 = th_x509_get_subject(fs_in.server), *i0 = th_x509_get_issuer(fs_in.server);
  th_x509_name *c0 = crl != NULL ? th_crl_get_issuer(crl) : NULL;
  want_subject = s0 ? th_x509_name_der(s0) : NULL;
  want_issuer = i0 ? th_x509_name_der(i0) : NULL;
  want_crl_issuer = c0 ? th_x509_name_der(c0) : NULL;
  th_x509_name_free(s0);
  th_x509_name_free(i0);
  th_x509_name_free(c0);
  fs_resume();
  if (want_subject == NULL || want_issuer == NULL || want_crl_issuer == NULL) {
    rc = fs_finding("setup");
    goto out;
  }
  FS_GET(subject, th_x509_get_subject(fs_in.server));
  FS_TRY(name_getters(subject, want_subject));
  FS_GET(issuer, th_x509_get_issuer(fs_in.server));
  FS_TRY(name_getters(issuer, want_issuer));
  FS_GET(crl_issuer, th_crl_get_issuer(crl));
  FS_TRY(name_getters(crl_issuer, want_crl_issuer));
  FS_TRY(extension_getters(fs_in.server));
  FS_GET(serial, th_x509_get_serial_number(fs_in.server));
  FS_GET(alg, th_x509_get_signature_algorithm(fs_in.server));
  FS_GET(digest, th_x509_digest(fs_in.server, "sha256"));
  FS_GET(pub, th_x509_get_pubkey(fs_in.server));
  FS_TRY(th_x509_has_expired(fs_in.server));
  FS_GET(raw, th_x509_to_x509(fs_in.server));
  FS_GET(wrapped, th_x509_from_x509(raw));
  FS_GET(raw_key, th_pkey_to_evp(fs_in.server_key));
  FS_GET(key_copy, th_pkey_from_evp(raw_key));
  FS_TRY(th_crl_get_revoked(crl, &revoked));
  FS_GET(raw_crl, th_crl_to_x509_crl(crl));
  FS_GET(crl_copy, th_crl_from_x509_crl(raw_crl));
  FS_GET(curves, th_crypto_get_elliptic_curves());
  FS_GET(rnd, th_rand_bytes(32));
out:
  th_bytes_free(rnd);
  th_list_free(curves);
  th_crl_free(crl_copy);
  X509_CRL_free(raw_crl);
  th_list_free(revoked);
  th_pkey_free(key_copy);
  EVP_PKEY_free(raw_key);
  th_x509_free(wrapped);
  X509_free(raw);
  th_pkey_free(pub);
  th_bytes_free(digest);
  th_bytes_free(alg);
  th_bytes_free(serial);
  th_x509_name_free(crl_issuer);
  th_x509_name_free(issuer);
  th_x509_name_free(subject);
  th_crl_free(crl);
  th_bytes_free(want_crl_issuer);
  th_bytes_free(want_issuer);
  th_bytes_free(want_subject);
  return rc;
}

const fs_scenario fs_more_scenarios[] = {
    {"netscape_spki", spki, 0},
    {"revoked", revoked, 0},
    {"store_settings", store_settings, 0},
    {"store_context", store_context, 0},
    {"getters", getters, 0},
    {NULL, NULL, 0},
};
