/* x509_req.c — crypto.X509Req. */
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "crypto_internal.h"
#include "tlsharness/pkey.h"
#include "tlsharness/x509_extension.h"
#include "tlsharness/x509_name.h"
#include "tlsharness/x509_req.h"

th_x509_req *th_x509_req_new(void) {
  X509_REQ *req = X509_REQ_new();
  /* OpenSSL 3 leaves the version INTEGER empty (get_version would say -1);
   * pyOpenSSL's new request has version 0. */
  if (req != NULL && !X509_REQ_set_version(req, 0)) {
    X509_REQ_free(req);
    req = NULL;
  }
  if (req == NULL) {
    th__err_ossl(TH_ERR_NOMEM, "th_x509_req_new: X509_REQ_new failed");
    return NULL;
  }
  return th__x509_req_wrap(req);
}

/* req_dup copies through the encoding (X509_REQ_dup); OpenSSL reports a
 * request it cannot encode (not signed yet: an empty signature algorithm)
 * as a malloc failure, so a failed copy is told apart by encoding again. */
static X509_REQ *req_dup(const X509_REQ *req, const char *func) {
  X509_REQ *copy = X509_REQ_dup(req);
  if (copy != NULL) return copy;
  if (i2d_X509_REQ(req, NULL) <= 0)
    th__err_ossl(TH_ERR_CRYPTO, "%s: the request cannot be encoded (not signed yet?)", func);
  else
    th__err_ossl(TH_ERR_NOMEM, "%s: X509_REQ_dup failed", func);
  return NULL;
}

th_x509_req *th_x509_req_from_x509_req(const X509_REQ *req) {
  TH_CHECK_ARG_NULL(req);
  X509_REQ *copy = req_dup(req, __func__);
  return copy != NULL ? th__x509_req_wrap(copy) : NULL;
}

X509_REQ *th_x509_req_to_x509_req(const th_x509_req *req) {
  TH_CHECK_NULL(req, &TH_TYPE_X509_REQ);
  return req_dup(req->req, __func__);
}

/* current_exts returns the request's extensions (an empty stack if none),
 * or NULL when they cannot be read (out of memory): NULL from
 * X509_REQ_get_extensions means "none" only when there is no
 * extensionRequest attribute. */
static STACK_OF(X509_EXTENSION) *current_exts(const X509_REQ *req) {
  STACK_OF(X509_EXTENSION) *s = X509_REQ_get_extensions((X509_REQ *)req);
  if (s != NULL) return s;
  if (X509_REQ_get_attr_by_NID(req, NID_ext_req, -1) >= 0 ||
      X509_REQ_get_attr_by_NID(req, NID_ms_ext_req, -1) >= 0)
    return NULL;
  return sk_X509_EXTENSION_new_null();
}

int th_x509_req_add_extensions(th_x509_req *req, th_x509_extension *const *exts, size_t n) {
  TH_CHECK(req, &TH_TYPE_X509_REQ);
  if (n > 0) TH_CHECK_ARG(exts);
  for (size_t i = 0; i < n; i++) {
    int rc = th__obj_check(exts[i], &TH_TYPE_X509_EXTENSION, __func__, "exts[i]");
    if (rc != TH_OK) return rc;
  }
  STACK_OF(X509_EXTENSION) *all = current_exts(req->req);
  int ok = all != NULL;
  for (size_t i = 0; ok && i < n; i++) {
    X509_EXTENSION *dup = X509_EXTENSION_dup(exts[i]->ext);
    ok = dup != NULL && sk_X509_EXTENSION_push(all, dup) > 0;
    if (!ok) X509_EXTENSION_free(dup);
  }
  /* OpenSSL refuses a second extensionRequest attribute: take the old ones
   * out, add the merged one, and put the old ones back if that fails. */
  STACK_OF(X509_ATTRIBUTE) *old = sk_X509_ATTRIBUTE_new_null();
  /* Room for every attribute first, so that no push below can fail and
   * lose an attribute already taken out. */
  ok = ok && old != NULL && sk_X509_ATTRIBUTE_reserve(old, X509_REQ_get_attr_count(req->req));
  for (int i = X509_REQ_get_attr_count(req->req) - 1; ok && i >= 0; i--) {
    int nid = OBJ_obj2nid(X509_ATTRIBUTE_get0_object(X509_REQ_get_attr(req->req, i)));
    if (nid == NID_ext_req || nid == NID_ms_ext_req)
      sk_X509_ATTRIBUTE_push(old, X509_REQ_delete_attr(req->req, i));
  }
  if (ok) ok = X509_REQ_add_extensions(req->req, all);
  int restored = 1;
  if (!ok)
    for (int i = 0; old != NULL && i < sk_X509_ATTRIBUTE_num(old); i++)
      restored &= X509_REQ_add1_attr(req->req, sk_X509_ATTRIBUTE_value(old, i));
  sk_X509_ATTRIBUTE_pop_free(old, X509_ATTRIBUTE_free);
  sk_X509_EXTENSION_pop_free(all, X509_EXTENSION_free);
  if (!restored) {
    th__x509_req_touch(req->req);
    return th__err_ossl(TH_ERR_NOMEM, "%s: out of memory: the request lost its extensions", __func__);
  }
  if (!ok) return th__err_ossl(TH_ERR_CRYPTO, "%s: cannot add the extensions", __func__);
  th__x509_req_touch(req->req);
  return TH_OK;
}

static void ext_item_free(void *e) { th_x509_extension_free(e); }

th_list *th_x509_req_get_extensions(const th_x509_req *req) {
  TH_CHECK_NULL(req, &TH_TYPE_X509_REQ);
  STACK_OF(X509_EXTENSION) *s = current_exts(req->req);
  if (s == NULL) {
    th__err_ossl(TH_ERR_CRYPTO, "th_x509_req_get_extensions: cannot read the extensions");
    return NULL;
  }
  th_list *l = th__list_new(ext_item_free);
  for (int i = 0; l != NULL && i < sk_X509_EXTENSION_num(s); i++) {
    th_x509_extension *e = th__x509_extension_wrap(sk_X509_EXTENSION_value(s, i));
    sk_X509_EXTENSION_set(s, i, NULL); /* now owned by e (or freed) */
    if (e == NULL || th__list_push(l, e) != TH_OK) {
      th_list_free(l);
      l = NULL;
    }
  }
  sk_X509_EXTENSION_pop_free(s, X509_EXTENSION_free);
  return l;
}

th_pkey *th_x509_req_get_pubkey(const th_x509_req *req) {
  TH_CHECK_NULL(req, &TH_TYPE_X509_REQ);
  EVP_PKEY *k = X509_REQ_get_pubkey((X509_REQ *)req->req);
  if (k == NULL) {
    th__err_ossl(TH_ERR_CRYPTO, "th_x509_req_get_pubkey: the request has no usable public key");
    return NULL;
  }
  return th__pkey_wrap(k, 1);
}

int th_x509_req_set_pubkey(th_x509_req *req, const th_pkey *pkey) {
  TH_CHECK(req, &TH_TYPE_X509_REQ);
  int rc = th__pkey_usable(pkey, 0, __func__);
  if (rc != TH_OK) return rc;
  if (!X509_REQ_set_pubkey(req->req, pkey->pkey))
    return th__err_ossl(TH_ERR_CRYPTO, "%s: X509_REQ_set_pubkey failed", __func__);
  th__x509_req_touch(req->req);
  return TH_OK;
}

th_x509_name *th_x509_req_get_subject(th_x509_req *req) {
  TH_CHECK_NULL(req, &TH_TYPE_X509_REQ);
  return th__x509_name_wrap_child(X509_REQ_get_subject_name(req->req), req);
}

long th_x509_req_get_version(const th_x509_req *req) {
  TH_CHECK(req, &TH_TYPE_X509_REQ);
  return X509_REQ_get_version(req->req);
}

int th_x509_req_set_version(th_x509_req *req, long version) {
  TH_CHECK(req, &TH_TYPE_X509_REQ);
  if (version < 0) return th__err(TH_ERR_VALUE, "%s: negative version %ld", __func__, version);
  if (!X509_REQ_set_version(req->req, version))
    return th__err_ossl(TH_ERR_VALUE, "%s: OpenSSL rejects version %ld", __func__, version);
  th__x509_req_touch(req->req);
  return TH_OK;
}

int th_x509_req_sign(th_x509_req *req, const th_pkey *pkey, const char *digest) {
  TH_CHECK(req, &TH_TYPE_X509_REQ);
  int rc = th__pkey_usable(pkey, 1, __func__);
  const EVP_MD *md = NULL;
  if (rc == TH_OK) rc = th__sign_digest(pkey, digest, &md, __func__);
  if (rc != TH_OK) return rc;
  const ASN1_BIT_STRING *sig;
  const X509_ALGOR *alg;
  X509_REQ_get0_signature(req->req, &sig, &alg);
  th__sig_copy old;
  if ((rc = th__sig_save(&old, alg, NULL, sig, __func__)) != TH_OK) return rc;
  if (X509_REQ_sign(req->req, pkey->pkey, md) <= 0) {
    rc = th__err_ossl(TH_ERR_CRYPTO, "%s: signing failed", __func__);
    th__sig_restore(&old, alg, NULL, sig);
    return rc;
  }
  th__sig_drop(&old);
  return TH_OK;
}

int th_x509_req_verify(const th_x509_req *req, const th_pkey *pkey) {
  TH_CHECK(req, &TH_TYPE_X509_REQ);
  TH_CHECK(pkey, &TH_TYPE_PKEY);
  if (pkey->pkey == NULL)
    return th__err(TH_ERR_CRYPTO, "th_x509_req_verify: the key is uninitialized (no public part)");
  if (X509_REQ_verify((X509_REQ *)req->req, pkey->pkey) <= 0)
    return th__err_ossl(TH_ERR_CRYPTO, "th_x509_req_verify: the signature does not verify");
  return 1;
}
