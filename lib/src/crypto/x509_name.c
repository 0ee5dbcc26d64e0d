/* x509_name.c — crypto.X509Name. */
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "crypto_internal.h"
#include "tlsharness/x509_name.h"

th_x509_name *th_x509_name_from_x509_name(const X509_NAME *name) {
  TH_CHECK_ARG_NULL(name);
  X509_NAME *copy = X509_NAME_dup(name);
  if (copy == NULL) {
    th__err_ossl(TH_ERR_NOMEM, "th_x509_name_from_x509_name: X509_NAME_dup failed");
    return NULL;
  }
  return th__x509_name_wrap_owned(copy);
}

X509_NAME *th_x509_name_to_x509_name(const th_x509_name *name) {
  TH_CHECK_NULL(name, &TH_TYPE_X509_NAME);
  X509_NAME *copy = X509_NAME_dup(name->name);
  if (copy == NULL) th__err_ossl(TH_ERR_NOMEM, "th_x509_name_to_x509_name: X509_NAME_dup failed");
  return copy;
}

th_x509_name *th_x509_name_new(const th_x509_name *name) {
  TH_CHECK_NULL(name, &TH_TYPE_X509_NAME);
  return th_x509_name_from_x509_name(name->name);
}

/* attr_nid resolves a short or long attribute name ("CN", "commonName") or
 * a dotted OID; unknown names are the spec's AttributeError. */
static int attr_nid(const char *attr, const char *func) {
  if (attr == NULL) return th__err(TH_ERR_TYPE, "%s: attribute name is NULL", func);
  int nid = OBJ_txt2nid(attr);
  if (nid == NID_undef) return th__err(TH_ERR_VALUE, "%s: No such attribute '%s'", func, attr);
  return nid;
}

int th_x509_name_get(const th_x509_name *name, const char *attr, th_bytes **out) {
  TH_CHECK(name, &TH_TYPE_X509_NAME);
  TH_CHECK_ARG(out);
  int nid = attr_nid(attr, __func__);
  if (nid < 0) return nid;
  *out = NULL;
  int idx = X509_NAME_get_index_by_NID(name->name, nid, -1);
  if (idx < 0) return TH_OK; /* None */
  const ASN1_STRING *data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name->name, idx));
  unsigned char *utf8 = NULL;
  int n = ASN1_STRING_to_UTF8(&utf8, data);
  if (n < 0) return th__err_ossl(TH_ERR_CRYPTO, "%s: cannot convert %s to UTF-8", __func__, attr);
  *out = th_bytes_new(utf8, (size_t)n);
  OPENSSL_free(utf8);
  return *out != NULL ? TH_OK : th_error_kind();
}

int th_x509_name_set(th_x509_name *name, const char *attr, const char *value) {
  TH_CHECK(name, &TH_TYPE_X509_NAME);
  int nid = attr_nid(attr, __func__);
  if (nid < 0) return nid;
  TH_CHECK_ARG(value);
  /* Build the entry first: OpenSSL checks the value (string type, size
   * limits) here, so a rejected value leaves the name as it was. */
  X509_NAME_ENTRY *entry =
      X509_NAME_ENTRY_create_by_NID(NULL, nid, MBSTRING_UTF8, (const unsigned char *)value, -1);
  if (entry == NULL)
    return th__err_ossl(TH_ERR_CRYPTO, "%s: OpenSSL rejects the value for %s", __func__, attr);
  /* Append the new entry first (the only step that allocates), then drop
   * the old ones (never fails): a failed append leaves the name unchanged. */
  int ok = X509_NAME_add_entry(name->name, entry, -1, 0);
  X509_NAME_ENTRY_free(entry);
  if (!ok) return th__err_ossl(TH_ERR_NOMEM, "%s: X509_NAME_add_entry failed", __func__);
  int idx;
  while ((idx = X509_NAME_get_index_by_NID(name->name, nid, -1)) >= 0 &&
         idx < X509_NAME_entry_count(name->name) - 1)
    X509_NAME_ENTRY_free(X509_NAME_delete_entry(name->name, idx));
  th__x509_name_touch_owner(name);
  return TH_OK;
}

#define TH_NAME_ATTR(field)                                                      \
  int th_x509_name_get_##field(const th_x509_name *name, th_bytes **out) {       \
    return th_x509_name_get(name, #field, out);                                  \
  }                                                                              \
  int th_x509_name_set_##field(th_x509_name *name, const char *value) {          \
    return th_x509_name_set(name, #field, value);                                \
  }
TH_NAME_ATTR(countryName)
TH_NAME_ATTR(stateOrProvinceName)
TH_NAME_ATTR(localityName)
TH_NAME_ATTR(organizationName)
TH_NAME_ATTR(organizationalUnitName)
TH_NAME_ATTR(commonName)
TH_NAME_ATTR(emailAddress)

th_bytes *th_x509_name_der(const th_x509_name *name) {
  TH_CHECK_NULL(name, &TH_TYPE_X509_NAME);
  unsigned char *der = NULL;
  int n = i2d_X509_NAME(name->name, &der);
  if (n < 0) {
    th__err_ossl(TH_ERR_CRYPTO, "th_x509_name_der: i2d_X509_NAME failed");
    return NULL;
  }
  th_bytes *b = th_bytes_new(der, (size_t)n);
  OPENSSL_free(der);
  return b;
}

static void component_free(void *p) {
  th_x509_name_component *c = p;
  if (c == NULL) return;
  th_bytes_free(c->name);
  th_bytes_free(c->value);
  th__free(c);
}

static th_x509_name_component *component_of(const X509_NAME_ENTRY *e) {
  const ASN1_OBJECT *obj = X509_NAME_ENTRY_get_object(e);
  const ASN1_STRING *val = X509_NAME_ENTRY_get_data(e);
  /* As pyOpenSSL: OBJ_nid2sn of the nid, so an attribute OpenSSL does not
   * know is "UNDEF" (NID_undef's short name), not its dotted OID. Never
   * NULL: OBJ_obj2nid gives a known NID or NID_undef, both named. */
  const char *sn = OBJ_nid2sn(OBJ_obj2nid(obj));
  th_x509_name_component *c = th__calloc(1, sizeof *c);
  if (c == NULL) {
    th__err(TH_ERR_NOMEM, "th_x509_name_get_components: out of memory");
    return NULL;
  }
  c->name = th_bytes_new(sn, strlen(sn));
  c->value = th_bytes_new(ASN1_STRING_get0_data(val), (size_t)ASN1_STRING_length(val));
  if (c->name == NULL || c->value == NULL) {
    component_free(c);
    return NULL;
  }
  return c;
}

th_list *th_x509_name_get_components(const th_x509_name *name) {
  TH_CHECK_NULL(name, &TH_TYPE_X509_NAME);
  th_list *l = th__list_new(component_free);
  if (l == NULL) return NULL;
  for (int i = 0; i < X509_NAME_entry_count(name->name); i++) {
    th_x509_name_component *c = component_of(X509_NAME_get_entry(name->name, i));
    if (c == NULL || th__list_push(l, c) != TH_OK) {
      th_list_free(l);
      return NULL;
    }
  }
  return l;
}

int th_x509_name_hash(const th_x509_name *name, unsigned long *hash) {
  TH_CHECK(name, &TH_TYPE_X509_NAME);
  TH_CHECK_ARG(hash);
  /* X509_NAME_hash_ex reports a failed encoding separately from a hash of
   * 0; the default library context, like X509_NAME_hash. */
  int ok = 0;
  unsigned long h = X509_NAME_hash_ex(name->name, NULL, NULL, &ok);
  if (!ok) return th__err_ossl(TH_ERR_CRYPTO, "th_x509_name_hash: cannot hash the name");
  *hash = h;
  return TH_OK;
}

int th_x509_name_cmp(const th_x509_name *a, const th_x509_name *b, int *result) {
  TH_CHECK(a, &TH_TYPE_X509_NAME);
  TH_CHECK(b, &TH_TYPE_X509_NAME);
  TH_CHECK_ARG(result);
  int r = X509_NAME_cmp(a->name, b->name);
  if (r == -2) return th__err_ossl(TH_ERR_CRYPTO, "th_x509_name_cmp: cannot encode a name");
  *result = r;
  return TH_OK;
}

th_bytes *th_x509_name_oneline(const th_x509_name *name) {
  TH_CHECK_NULL(name, &TH_TYPE_X509_NAME);
  char *s = X509_NAME_oneline(name->name, NULL, 0);
  if (s == NULL) {
    th__err_ossl(TH_ERR_NOMEM, "th_x509_name_oneline: X509_NAME_oneline failed");
    return NULL;
  }
  th_bytes *b = th_bytes_new(s, strlen(s));
  OPENSSL_free(s);
  return b;
}
