/* elliptic_curve.c — crypto.get_elliptic_curve(s). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ec.h>
#include <openssl/objects.h>

#include "crypto_internal.h"
#include "tlsharness/elliptic_curve.h"

const th_type TH_TYPE_ELLIPTIC_CURVE = {"EllipticCurve", NULL};

TH_DEFINE_REFCOUNT(elliptic_curve, th_elliptic_curve, TH_TYPE_ELLIPTIC_CURVE)

static th_elliptic_curve *curve_new(int nid) {
  const char *sn = OBJ_nid2sn(nid);
  if (sn == NULL) {
    th__err(TH_ERR_VALUE, "curve NID %d has no name", nid);
    return NULL;
  }
  th_elliptic_curve *c = th__obj_new(&TH_TYPE_ELLIPTIC_CURVE, sizeof *c);
  if (c == NULL) return NULL;
  c->nid = nid;
  snprintf(c->name, sizeof c->name, "%s", sn);
  return c;
}

/* builtin fills *out with OpenSSL's built-in curve table (caller frees). */
static size_t builtin(EC_builtin_curve **out) {
  size_t n = EC_get_builtin_curves(NULL, 0);
  *out = n ? th__calloc(n, sizeof **out) : NULL;
  if (*out == NULL) return 0;
  return EC_get_builtin_curves(*out, n);
}

static void curve_item_free(void *p) { th__obj_free(p); }

th_list *th_crypto_get_elliptic_curves(void) {
  EC_builtin_curve *tab = NULL;
  size_t n = builtin(&tab);
  th_list *l = th__list_new(curve_item_free);
  for (size_t i = 0; l != NULL && i < n; i++) {
    th_elliptic_curve *c = curve_new(tab[i].nid);
    if (c == NULL || th__list_push(l, c) != TH_OK) {
      th_list_free(l);
      l = NULL;
    }
  }
  th__free(tab);
  if (l != NULL && l->count == 0) {
    th_list_free(l);
    th__err(TH_ERR_NOMEM, "th_crypto_get_elliptic_curves: no curves");
    return NULL;
  }
  return l;
}

th_elliptic_curve *th_crypto_get_elliptic_curve(const char *name) {
  TH_CHECK_ARG_NULL(name);
  /* Accept the short name and OpenSSL's NIST alias (EC_curve_nist2nid). */
  int want = OBJ_sn2nid(name);
  if (want == NID_undef) want = EC_curve_nist2nid(name);
  EC_builtin_curve *tab = NULL;
  size_t n = builtin(&tab);
  int found = 0;
  for (size_t i = 0; i < n && want != NID_undef; i++) found |= tab[i].nid == want;
  th__free(tab);
  if (!found) {
    th__err(TH_ERR_VALUE, "th_crypto_get_elliptic_curve: unknown curve name '%s'", name);
    return NULL;
  }
  return curve_new(want);
}

th_bytes *th_elliptic_curve_get_name(const th_elliptic_curve *curve) {
  TH_CHECK_NULL(curve, &TH_TYPE_ELLIPTIC_CURVE);
  return th_bytes_new(curve->name, strlen(curve->name));
}

int th_elliptic_curve_get_nid(const th_elliptic_curve *curve) {
  TH_CHECK(curve, &TH_TYPE_ELLIPTIC_CURVE);
  return curve->nid;
}
