/* crypto_objects.c — the bottom of the crypto module: the object types of
 * the classes that refer to one another (PKey, X509, X509Name, X509Req,
 * X509Extension), their free/up_ref, the wrappers that make them from raw
 * OpenSSL objects, and the "modified" marks a child name sets on its
 * certificate or request. Kept apart from the classes' methods so that
 * x509.c, x509_name.c, x509_req.c, x509_extension.c and pkey.c each call
 * down into this file and never into one another (docs/design.md, layers).
 * Also th_error_certificate: the error record (core) keeps the failing
 * certificate as a raw X509; turning it into a th_x509 is crypto's job. */
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "crypto_internal.h"
#include "tlsharness/error.h"
#include "tlsharness/pkey.h"
#include "tlsharness/x509.h"
#include "tlsharness/x509_extension.h"
#include "tlsharness/x509_name.h"
#include "tlsharness/x509_req.h"

/* ---- PKey ------------------------------------------------------------------ */

static void pkey_destroy(void *self) { EVP_PKEY_free(((th_pkey *)self)->pkey); }

const th_type TH_TYPE_PKEY = {"PKey", pkey_destroy};

TH_DEFINE_REFCOUNT(pkey, th_pkey, TH_TYPE_PKEY)

th_pkey *th__pkey_wrap(EVP_PKEY *evp, int only_public) {
  if (evp == NULL) {
    th__err(TH_ERR_NOMEM, "th__pkey_wrap: no key");
    return NULL;
  }
  th_pkey *k = th__obj_new(&TH_TYPE_PKEY, sizeof *k);
  if (k == NULL) {
    EVP_PKEY_free(evp);
    return NULL;
  }
  k->pkey = evp;
  k->only_public = only_public;
  return k;
}

/* ---- X509 ------------------------------------------------------------------ */

static void x509_destroy(void *self) { X509_free(((th_x509 *)self)->x509); }

const th_type TH_TYPE_X509 = {"X509", x509_destroy};

TH_DEFINE_REFCOUNT(x509, th_x509, TH_TYPE_X509)

TH_DEFINE_WRAP(th__x509_wrap, th_x509, TH_TYPE_X509, x509, X509, X509_free)

void th__x509_touch(X509 *x) {
  /* i2d_re_X509_tbs sets cert_info.enc.modified, dropping the cached DER. */
  i2d_re_X509_tbs(x, NULL);
}

/* ---- X509Name -------------------------------------------------------------- */

static void name_destroy(void *self) {
  th_x509_name *n = self;
  /* A child name lives inside its owner: drop the owner, never the name. */
  if (n->owner != NULL)
    th__obj_free(n->owner);
  else
    X509_NAME_free(n->name);
}

const th_type TH_TYPE_X509_NAME = {"X509Name", name_destroy};

TH_DEFINE_REFCOUNT(x509_name, th_x509_name, TH_TYPE_X509_NAME)

th_x509_name *th__x509_name_wrap_owned(X509_NAME *name) {
  if (name == NULL) {
    th__err(TH_ERR_NOMEM, "th__x509_name_wrap_owned: no name");
    return NULL;
  }
  th_x509_name *n = th__obj_new(&TH_TYPE_X509_NAME, sizeof *n);
  if (n == NULL) {
    X509_NAME_free(name);
    return NULL;
  }
  n->name = name;
  return n;
}

th_x509_name *th__x509_name_wrap_child(X509_NAME *name, void *owner) {
  if (name == NULL || owner == NULL) {
    th__err(TH_ERR_NOMEM, "th__x509_name_wrap_child: no name or owner");
    return NULL;
  }
  th_x509_name *n = th__obj_new(&TH_TYPE_X509_NAME, sizeof *n);
  if (n == NULL) return NULL;
  n->name = name;
  n->owner = th__obj_up_ref(owner);
  return n;
}

/* ---- X509Req --------------------------------------------------------------- */

static void req_destroy(void *self) { X509_REQ_free(((th_x509_req *)self)->req); }

const th_type TH_TYPE_X509_REQ = {"X509Req", req_destroy};

TH_DEFINE_REFCOUNT(x509_req, th_x509_req, TH_TYPE_X509_REQ)

void th__x509_req_touch(X509_REQ *req) { i2d_re_X509_REQ_tbs(req, NULL); }

TH_DEFINE_WRAP(th__x509_req_wrap, th_x509_req, TH_TYPE_X509_REQ, req, X509_REQ, X509_REQ_free)

/* ---- X509Extension --------------------------------------------------------- */

static void ext_destroy(void *self) { X509_EXTENSION_free(((th_x509_extension *)self)->ext); }

const th_type TH_TYPE_X509_EXTENSION = {"X509Extension", ext_destroy};

TH_DEFINE_REFCOUNT(x509_extension, th_x509_extension, TH_TYPE_X509_EXTENSION)

TH_DEFINE_WRAP(th__x509_extension_wrap, th_x509_extension, TH_TYPE_X509_EXTENSION, ext, X509_EXTENSION, X509_EXTENSION_free)

/* touch_owner re-encodes the certificate or request this name lives in
 * (th__x509_name_wrap_child's owners: an X509 or an X509Req, nothing else). */
void th__x509_name_touch_owner(th_x509_name *name) {
  if (name->owner == NULL) return;
  if (th__obj_is(name->owner, &TH_TYPE_X509))
    th__x509_touch(((th_x509 *)name->owner)->x509);
  else
    th__x509_req_touch(((th_x509_req *)name->owner)->req);
}

/* ---- the error record's certificate ------------------------------------ */

th_x509 *th_error_certificate(void) {
  X509 *x = th__err_cert();
  if (x == NULL || !X509_up_ref(x)) return NULL;
  return th__x509_wrap(x);
}
