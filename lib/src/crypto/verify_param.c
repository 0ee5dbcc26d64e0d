/* verify_param.c — the name and policy settings of an X509_VERIFY_PARAM
 * (host names, IP address, e-mail, host-check flags, purpose, auth level,
 * verification flags), checked once here and shared by X509Store (crypto)
 * and Context / Connection (ssl), so the three accept and refuse exactly
 * the same input. Each setter checks everything before it touches the
 * parameters: on error they are as they were. */
#include <arpa/inet.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "crypto_internal.h"
#include "tlsharness/x509_store.h"

/* A DNS name is at most 253 bytes of text (255 on the wire, RFC 1035);
 * with a trailing dot 254. We allow 255 like the SNI setter, and the same
 * for e-mail addresses (RFC 5321 allows 254). */
#define TH__NAME_MAX 255

static int name_ok(const char *name, size_t len, const char *what, const char *func) {
  if (name == NULL) return th__err(TH_ERR_TYPE, "%s: %s is NULL", func, what);
  /* The length first: memchr must not run past a short buffer. */
  if (len == 0 || len > TH__NAME_MAX)
    return th__err(TH_ERR_VALUE, "%s: a %s is 1 to %d bytes, not %zu", func, what, TH__NAME_MAX,
                   len);
  if (memchr(name, 0, len) != NULL)
    return th__err(TH_ERR_TYPE, "%s: %s must not contain NUL byte", func, what);
  return TH_OK;
}

/* OpenSSL's set1_host drops the names it holds before it copies the new
 * one, so a failed copy would leave no name at all (a verification that
 * then checks none). Setting therefore copies the old names first and, if
 * OpenSSL fails, puts them back (found by the allocation-failure sweep,
 * docs/reliability.md). Putting back needs memory too: if that fails as
 * well, the message says so. Adding fails without a change. */
static int restore_hosts(X509_VERIFY_PARAM *p, char **old, size_t n) {
  int ok = 1;
  for (size_t i = 0; i < n; i++)
    ok = ok && (i == 0 ? X509_VERIFY_PARAM_set1_host(p, old[i], 0)
                       : X509_VERIFY_PARAM_add1_host(p, old[i], 0));
  return ok;
}

static int set_host(X509_VERIFY_PARAM *p, const char *name, size_t len, const char *func) {
  size_t n = 0;
  while (X509_VERIFY_PARAM_get0_host(p, (int)n) != NULL) n++;
  ERR_clear_error(); /* get0_host past the end records an error */
  char **old = th__calloc(n != 0 ? n : 1, sizeof *old);
  int rc = old != NULL ? TH_OK : th__err(TH_ERR_NOMEM, "%s: out of memory", func);
  for (size_t i = 0; rc == TH_OK && i < n; i++)
    if ((old[i] = th__strdup(X509_VERIFY_PARAM_get0_host(p, (int)i))) == NULL)
      rc = th__err(TH_ERR_NOMEM, "%s: out of memory", func);
  if (rc == TH_OK && !X509_VERIFY_PARAM_set1_host(p, name, len))
    rc = th__err_ossl(TH_ERR_NOMEM, restore_hosts(p, old, n)
                                        ? "%s: OpenSSL could not store the name"
                                        : "%s: OpenSSL could not store the name, and the old "
                                          "names could not be put back",
                      func);
  for (size_t i = 0; old != NULL && i < n; i++) th__free(old[i]);
  th__free(old);
  return rc;
}

int th__vp_host(X509_VERIFY_PARAM *p, const char *name, size_t len, int add, const char *func) {
  int rc = name_ok(name, len, "host name", func);
  if (rc != TH_OK) return rc;
  if (!add) return set_host(p, name, len, func);
  if (!X509_VERIFY_PARAM_add1_host(p, name, len))
    return th__err_ossl(TH_ERR_NOMEM, "%s: OpenSSL could not store the name", func);
  return TH_OK;
}

int th__vp_email(X509_VERIFY_PARAM *p, const char *addr, size_t len, const char *func) {
  int rc = name_ok(addr, len, "e-mail address", func);
  if (rc != TH_OK) return rc;
  if (memchr(addr, '@', len) == NULL)
    return th__err(TH_ERR_VALUE, "%s: an e-mail address needs an '@'", func);
  if (!X509_VERIFY_PARAM_set1_email(p, addr, len))
    return th__err_ossl(TH_ERR_NOMEM, "%s: OpenSSL could not store the address", func);
  return TH_OK;
}

int th__vp_ip(X509_VERIFY_PARAM *p, const char *text, const char *func) {
  if (text == NULL) return th__err(TH_ERR_TYPE, "%s: text is NULL", func);
  /* inet_pton, not OpenSSL's a2i_IPADDRESS: that one reads IPv4 with
   * sscanf and so takes "192.0.2.1/24" or a trailing space as 192.0.2.1. */
  unsigned char ip[16];
  size_t len = inet_pton(AF_INET, text, ip) == 1 ? 4 : inet_pton(AF_INET6, text, ip) == 1 ? 16 : 0;
  if (len == 0)
    return th__err(TH_ERR_VALUE, "%s: \"%.64s\" is not an IPv4 or IPv6 address", func, text);
  if (!X509_VERIFY_PARAM_set1_ip(p, ip, len))
    return th__err_ossl(TH_ERR_NOMEM, "%s: OpenSSL could not store the address", func);
  return TH_OK;
}

int th__vp_host_flags(X509_VERIFY_PARAM *p, unsigned int flags, const char *func) {
  if ((flags & ~(unsigned int)TH_X509_CHECK_FLAGS_ALL) != 0)
    return th__err(TH_ERR_VALUE, "%s: unknown host-check flags 0x%x", func,
                   flags & ~(unsigned int)TH_X509_CHECK_FLAGS_ALL);
  X509_VERIFY_PARAM_set_hostflags(p, flags);
  return TH_OK;
}

int th__vp_purpose(X509_VERIFY_PARAM *p, int purpose, const char *func) {
  if (X509_PURPOSE_get_by_id(purpose) < 0)
    return th__err(TH_ERR_VALUE, "%s: unknown purpose %d", func, purpose);
  if (!X509_VERIFY_PARAM_set_purpose(p, purpose))
    return th__err_ossl(TH_ERR_VALUE, "%s: OpenSSL refused purpose %d", func, purpose);
  return TH_OK;
}

int th__vp_auth_level(X509_VERIFY_PARAM *p, int level, const char *func) {
  if (level < 0 || level > 5)
    return th__err(TH_ERR_VALUE, "%s: the auth level is 0 to 5, not %d", func, level);
  X509_VERIFY_PARAM_set_auth_level(p, level);
  return TH_OK;
}

int th__vp_flags(X509_VERIFY_PARAM *p, unsigned long flags, const char *func) {
  if ((flags & ~(unsigned long)TH_X509_STORE_FLAGS_ALL) != 0)
    return th__err(TH_ERR_VALUE, "%s: unknown verification flags 0x%lx", func,
                   flags & ~(unsigned long)TH_X509_STORE_FLAGS_ALL);
  if (!X509_VERIFY_PARAM_set_flags(p, flags))
    return th__err_ossl(TH_ERR_CRYPTO, "%s: OpenSSL refused flags 0x%lx", func, flags);
  return TH_OK;
}

int th__vp_peer_name(const char *name, th_bytes **out, const char *func) {
  if (out == NULL) return th__err(TH_ERR_TYPE, "%s: out is NULL", func);
  *out = NULL;
  if (name == NULL) return TH_OK;
  *out = th_bytes_new((const unsigned char *)name, strlen(name));
  return *out != NULL ? TH_OK : th_error_kind();
}
