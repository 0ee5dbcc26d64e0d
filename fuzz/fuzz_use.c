/* fuzz_use.c — see fuzz_use.h. */
#include "fuzz_use.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fuzz_fail(const char *what) {
  fprintf(stderr, "fuzz: %s\n", what);
  abort();
}

/* A volatile sink: the reads below cannot be optimized away, so ASan checks
 * every byte the library handed out. */
static volatile unsigned char sink;

void fuzz_use_raw(const void *p, size_t n) {
  const unsigned char *c = p;
  unsigned char x = 0;
  for (size_t i = 0; i < n; i++) x ^= c[i];
  sink = x;
}

void fuzz_use_bytes(th_bytes *b) {
  if (b == NULL) return;
  fuzz_use_raw(b->data, b->len);
  FUZZ_CHECK(b->data[b->len] == 0, "th_bytes not NUL-terminated");
  th_bytes_free(b);
}

int fuzz_same(const th_bytes *a, const th_bytes *b) {
  if (a == NULL || b == NULL) return a == b;
  return a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}

void fuzz_use_list(th_list *list, void (*use)(void *item)) {
  if (list == NULL) return;
  for (size_t i = 0; i < list->count; i++) use(list->items[i]);
  th_list_free(list);
}

/* A DER codec of one class: load, dump, free, adapted to one shape. */
typedef struct der_codec {
  const char *what;
  void *(*load)(const th_bytes *der);
  th_bytes *(*dump)(const void *obj);
  void (*release)(void *obj);
} der_codec;

/* The DER a dump gave must load back and dump to the same bytes. Frees der. */
static void check_round_trip(const der_codec *c, th_bytes *der) {
  if (der == NULL) return;
  void *again = c->load(der);
  if (again == NULL) fuzz_fail(c->what);
  th_bytes *der2 = c->dump(again);
  if (!fuzz_same(der, der2)) fuzz_fail(c->what);
  th_bytes_free(der2);
  c->release(again);
  th_bytes_free(der);
}

static void *load_x509(const th_bytes *d) { return th_crypto_load_certificate(TH_FILETYPE_ASN1, d->data, d->len); }
static th_bytes *dump_x509(const void *o) { return th_crypto_dump_certificate(TH_FILETYPE_ASN1, o); }
static void free_x509(void *o) { th_x509_free(o); }
static const der_codec x509_codec = {"certificate DER round trip", load_x509, dump_x509, free_x509};

static void *load_pub(const th_bytes *d) { return th_crypto_load_publickey(TH_FILETYPE_ASN1, d->data, d->len); }
static th_bytes *dump_pub(const void *o) { return th_crypto_dump_publickey(TH_FILETYPE_ASN1, o); }
static void free_pkey(void *o) { th_pkey_free(o); }
static const der_codec pub_codec = {"public key DER round trip", load_pub, dump_pub, free_pkey};

static void *load_crl(const th_bytes *d) { return th_crypto_load_crl(TH_FILETYPE_ASN1, d->data, d->len); }
static th_bytes *dump_crl(const void *o) { return th_crypto_dump_crl(TH_FILETYPE_ASN1, o); }
static void free_crl(void *o) { th_crl_free(o); }
static const der_codec crl_codec = {"CRL DER round trip", load_crl, dump_crl, free_crl};

static void *load_sess(const th_bytes *d) { return th_session_from_der(d->data, d->len); }
static th_bytes *dump_sess(const void *o) { return th_session_to_der(o); }
static void free_sess(void *o) { th_session_free(o); }
static const der_codec session_codec = {"session DER round trip", load_sess, dump_sess, free_sess};

static void use_component(void *item) {
  th_x509_name_component *c = item;
  FUZZ_CHECK(c->name != NULL && c->value != NULL, "name component without name or value");
  sink = (unsigned char)(c->name->len + c->value->len);
}

void fuzz_use_name(th_x509_name *name) {
  if (name == NULL) return;
  static const char *const attrs[] = {"C", "ST", "L", "O", "OU", "CN", "emailAddress"};
  for (size_t i = 0; i < sizeof attrs / sizeof attrs[0]; i++) {
    th_bytes *v = NULL;
    if (th_x509_name_get(name, attrs[i], &v) == TH_OK) fuzz_use_bytes(v);
  }
  fuzz_use_list(th_x509_name_get_components(name), use_component);
  fuzz_use_bytes(th_x509_name_oneline(name));
  unsigned long h;
  (void)th_x509_name_hash(name, &h);
  th_bytes *der = th_x509_name_der(name);
  /* A copy of the name compares equal to it. */
  th_x509_name *copy = th_x509_name_new(name);
  int cmp = 1;
  if (copy != NULL && der != NULL && th_x509_name_cmp(name, copy, &cmp) == TH_OK)
    FUZZ_CHECK(cmp == 0, "X509Name copy compares unequal");
  th_x509_name_free(copy);
  fuzz_use_bytes(der);
}

void fuzz_use_extension(const th_x509_extension *ext) {
  if (ext == NULL) return;
  fuzz_use_bytes(th_x509_extension_str(ext));
  fuzz_use_bytes(th_x509_extension_get_short_name(ext));
  fuzz_use_bytes(th_x509_extension_get_data(ext));
  int crit = th_x509_extension_get_critical(ext);
  FUZZ_CHECK(crit == 0 || crit == 1, "get_critical not 0/1");
}

static void use_ext_item(void *item) { fuzz_use_extension(item); }

void fuzz_use_pkey(const th_pkey *pkey) {
  if (pkey == NULL) return;
  int bits = th_pkey_bits(pkey), type = th_pkey_type(pkey);
  FUZZ_CHECK(bits >= 0 && type >= 0, "bits/type of a loaded key failed");
  int pub_only = th_pkey_only_public(pkey);
  check_round_trip(&pub_codec, th_crypto_dump_publickey(TH_FILETYPE_ASN1, pkey));
  fuzz_use_bytes(th_crypto_dump_publickey(TH_FILETYPE_PEM, pkey));
  if (pub_only == 0) {
    fuzz_use_bytes(th_crypto_dump_privatekey(TH_FILETYPE_TEXT, pkey, NULL, NULL, 0));
    fuzz_use_bytes(th_crypto_dump_privatekey(TH_FILETYPE_ASN1, pkey, NULL, NULL, 0));
    th_bytes *pem = th_crypto_dump_privatekey(TH_FILETYPE_PEM, pkey, NULL, NULL, 0);
    if (pem != NULL) {
      th_pkey *again = th_crypto_load_privatekey(TH_FILETYPE_PEM, pem->data, pem->len, NULL, 0);
      FUZZ_CHECK(again != NULL, "dump_privatekey PEM does not load");
      FUZZ_CHECK(th_pkey_type(again) == type && th_pkey_bits(again) == bits,
                 "private key round trip changes type or size");
      th_pkey_free(again);
      th_bytes_free(pem);
    }
    /* Keys a fuzzer makes can be huge or inconsistent: checking and
     * signing stay within sizes that cost microseconds to milliseconds. */
    if (type == TH_TYPE_RSA && bits <= 1024) (void)th_pkey_check(pkey);
    if (bits <= 2048) fuzz_use_bytes(th_crypto_sign(pkey, (const unsigned char *)"x", 1, "sha256"));
  }
}

void fuzz_use_x509(th_x509 *cert) {
  if (cert == NULL) return;
  check_round_trip(&x509_codec, th_crypto_dump_certificate(TH_FILETYPE_ASN1, cert));
  fuzz_use_bytes(th_crypto_dump_certificate(TH_FILETYPE_PEM, cert));
  fuzz_use_bytes(th_crypto_dump_certificate(TH_FILETYPE_TEXT, cert));
  th_x509_name *subject = th_x509_get_subject(cert), *issuer = th_x509_get_issuer(cert);
  fuzz_use_name(subject);
  fuzz_use_name(issuer);
  th_x509_name_free(subject);
  th_x509_name_free(issuer);
  th_bytes *t = NULL;
  if (th_x509_get_notBefore(cert, &t) == TH_OK) fuzz_use_bytes(t);
  t = NULL;
  if (th_x509_get_notAfter(cert, &t) == TH_OK) fuzz_use_bytes(t);
  (void)th_x509_has_expired(cert);
  th_bytes *serial = th_x509_get_serial_number(cert);
  long sl;
  (void)th_x509_get_serial_number_long(cert, &sl);
  fuzz_use_bytes(serial);
  (void)th_x509_get_version(cert);
  fuzz_use_bytes(th_x509_get_signature_algorithm(cert));
  fuzz_use_bytes(th_x509_digest(cert, "sha256"));
  fuzz_use_bytes(th_x509_digest(cert, "md5"));
  unsigned long h;
  (void)th_x509_subject_name_hash(cert, &h);
  int n = th_x509_get_extension_count(cert);
  for (int i = 0; i < n && i < 64; i++) {
    th_x509_extension *e = th_x509_get_extension(cert, i);
    FUZZ_CHECK(e != NULL, "get_extension(i < count) failed");
    fuzz_use_extension(e);
    th_x509_extension_free(e);
  }
  th_x509_extension *past = th_x509_get_extension(cert, n < 0 ? 0 : n);
  FUZZ_CHECK(past == NULL, "get_extension(count) returned an extension");
  th_pkey *pk = th_x509_get_pubkey(cert);
  fuzz_use_pkey(pk);
  th_pkey_free(pk);
  /* The certificate verifies against a store that trusts only itself
   * (or fails with an error, never a crash). */
  th_x509_store *store = th_x509_store_new();
  if (store != NULL && th_x509_store_add_cert(store, cert) == TH_OK) {
    th_x509_store_context *sc = th_x509_store_context_new(store, cert);
    if (sc != NULL) (void)th_x509_store_context_verify_certificate(sc);
    th_x509_store_context_free(sc);
  }
  th_x509_store_free(store);
}

void fuzz_use_req(th_x509_req *req) {
  if (req == NULL) return;
  th_bytes *der = th_crypto_dump_certificate_request(TH_FILETYPE_ASN1, req);
  fuzz_use_bytes(th_crypto_dump_certificate_request(TH_FILETYPE_PEM, req));
  fuzz_use_bytes(th_crypto_dump_certificate_request(TH_FILETYPE_TEXT, req));
  if (der != NULL) {
    th_x509_req *again = th_crypto_load_certificate_request(TH_FILETYPE_ASN1, der->data, der->len);
    FUZZ_CHECK(again != NULL, "dump_certificate_request DER does not load");
    th_x509_req_free(again);
    th_bytes_free(der);
  }
  th_x509_name *subject = th_x509_req_get_subject(req);
  fuzz_use_name(subject);
  th_x509_name_free(subject);
  (void)th_x509_req_get_version(req);
  fuzz_use_list(th_x509_req_get_extensions(req), use_ext_item);
  th_pkey *pk = th_x509_req_get_pubkey(req);
  fuzz_use_pkey(pk);
  if (pk != NULL) (void)th_x509_req_verify(req, pk);
  th_pkey_free(pk);
}

static void use_revoked(void *item) {
  th_revoked *r = item;
  fuzz_use_bytes(th_revoked_get_serial(r));
  th_bytes *t = NULL;
  if (th_revoked_get_reason(r, &t) == TH_OK) fuzz_use_bytes(t);
  t = NULL;
  if (th_revoked_get_rev_date(r, &t) == TH_OK) fuzz_use_bytes(t);
}

void fuzz_use_crl(const th_crl *crl) {
  if (crl == NULL) return;
  check_round_trip(&crl_codec, th_crypto_dump_crl(TH_FILETYPE_ASN1, crl));
  fuzz_use_bytes(th_crypto_dump_crl(TH_FILETYPE_PEM, crl));
  fuzz_use_bytes(th_crypto_dump_crl(TH_FILETYPE_TEXT, crl));
  th_x509_name *issuer = th_crl_get_issuer(crl);
  fuzz_use_name(issuer);
  th_x509_name_free(issuer);
  th_list *revoked = NULL;
  if (th_crl_get_revoked(crl, &revoked) == TH_OK) fuzz_use_list(revoked, use_revoked);
}

void fuzz_use_session(const th_session *sess) {
  if (sess == NULL) return;
  check_round_trip(&session_codec, th_session_to_der(sess));
  (void)th_session_is_resumable(sess);
  (void)th_session_get_protocol_version(sess);
  fuzz_use_bytes(th_session_get_id(sess));
  (void)th_session_get_timeout(sess);
  (void)th_session_get_time(sess);
  (void)th_session_has_ticket(sess);
}
