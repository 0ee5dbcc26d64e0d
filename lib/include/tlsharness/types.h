/* tlsharness/types.h — the opaque object types, declared once so that every
 * header can name every class without include cycles.
 *
 * Every object is reference counted: a function that returns one gives the
 * caller a reference it owns and releases with th_<class>_free() (NULL-safe).
 * th_<class>_up_ref() takes one more reference and returns its argument.
 * Objects are thread-compatible: one object, one thread at a time. */
#ifndef TLSHARNESS_TYPES_H
#define TLSHARNESS_TYPES_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* crypto */
typedef struct th_pkey th_pkey;                       /* crypto.PKey */
typedef struct th_x509 th_x509;                       /* crypto.X509 */
typedef struct th_x509_name th_x509_name;             /* crypto.X509Name */
typedef struct th_x509_req th_x509_req;               /* crypto.X509Req */
typedef struct th_x509_extension th_x509_extension;   /* crypto.X509Extension */
typedef struct th_x509_store th_x509_store;           /* crypto.X509Store */
typedef struct th_x509_store_context th_x509_store_context; /* crypto.X509StoreContext */
typedef struct th_crl th_crl;                         /* crypto.CRL */
typedef struct th_revoked th_revoked;                 /* crypto.Revoked */
typedef struct th_pkcs7 th_pkcs7;                     /* crypto.PKCS7 */
typedef struct th_pkcs12 th_pkcs12;                   /* crypto.PKCS12 */
typedef struct th_netscape_spki th_netscape_spki;     /* crypto.NetscapeSPKI */
typedef struct th_elliptic_curve th_elliptic_curve;   /* crypto.get_elliptic_curve() */

/* ssl */
typedef struct th_context th_context;                 /* SSL.Context */
typedef struct th_session th_session;                 /* SSL.Session */
typedef struct th_connection th_connection;           /* SSL.Connection */

/* The spec's backwards-compatible type names (crypto.X509Type and friends). */
typedef th_x509 th_X509Type;
typedef th_x509_name th_X509NameType;
typedef th_x509_req th_X509ReqType;
typedef th_x509_store th_X509StoreType;
typedef th_x509_extension th_X509ExtensionType;
typedef th_pkey th_PKeyType;
typedef th_pkcs7 th_PKCS7Type;
typedef th_pkcs12 th_PKCS12Type;
typedef th_netscape_spki th_NetscapeSPKIType;
typedef th_context th_ContextType;
typedef th_connection th_ConnectionType;

/* th_bytes — a byte string returned to the caller. data is followed by one
 * extra NUL byte (not counted in len), so text results are also C strings.
 * Free with th_bytes_free(); the struct and its data are one allocation. */
typedef struct th_bytes {
  unsigned char *data;
  size_t len;
} th_bytes;

/* th_list — a counted array of owned items (th_ objects or th_bytes).
 * th_list_free() frees every item and the list. */
typedef struct th_list {
  size_t count;
  void **items;
  void (*item_free)(void *);
} th_list;

#ifdef __cplusplus
}
#endif
#endif
