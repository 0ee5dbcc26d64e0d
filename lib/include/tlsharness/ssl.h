/* tlsharness/ssl.h — the SSL module of pyOpenSSL 16.1: its constants and
 * module functions (SSL.SSLeay_version).
 *
 * Constants keep the spec's names with a TH_ prefix. The option, mode and
 * cache values are OpenSSL 3's own (they are taken from the OpenSSL headers
 * this library is compiled against): an option that OpenSSL 3 no longer has
 * (TH_OP_SINGLE_DH_USE, TH_OP_EPHEMERAL_RSA, TH_OP_NO_SSLv2, ...) keeps its
 * name with OpenSSL 3's value, 0, so setting it is a harmless no-op. */
#ifndef TLSHARNESS_SSL_H
#define TLSHARNESS_SSL_H

#include <stdint.h>

#include <openssl/crypto.h>
#include <openssl/opensslv.h>
#include <openssl/ssl.h>

#include "tlsharness/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- methods (th_context_new) --------------------------------------------
 * The values are pyOpenSSL's. TH_SSLv2_METHOD always, and TH_SSLv3_METHOD
 * on builds without SSLv3 (Debian's), make th_context_new fail with
 * TH_ERR_UNSUPPORTED. The version-specific methods are OpenSSL 3's
 * TLS_method() pinned with min = max version; TLSv1 and TLSv1.1 handshakes
 * also need "@SECLEVEL=0" in the cipher list on OpenSSL 3. */
#define TH_SSLv2_METHOD 1
#define TH_SSLv3_METHOD 2
#define TH_SSLv23_METHOD 3 /* any version the build allows (TLS_method) */
#define TH_TLSv1_METHOD 4
#define TH_TLSv1_1_METHOD 5
#define TH_TLSv1_2_METHOD 6
/* Beyond 16.1. */
#define TH_TLS_METHOD 7        /* TLS_method(): same as TH_SSLv23_METHOD */
#define TH_TLS_SERVER_METHOD 8 /* TLS_server_method() */
#define TH_TLS_CLIENT_METHOD 9 /* TLS_client_method() */

/* Protocol versions for th_context_set_min/max_proto_version (beyond 16.1);
 * 0 means "the lowest/highest this build supports". */
#define TH_SSL3_VERSION SSL3_VERSION
#define TH_TLS1_VERSION TLS1_VERSION
#define TH_TLS1_1_VERSION TLS1_1_VERSION
#define TH_TLS1_2_VERSION TLS1_2_VERSION
#define TH_TLS1_3_VERSION TLS1_3_VERSION

/* ---- verify modes (th_context_set_verify) --------------------------------- */
#define TH_VERIFY_NONE SSL_VERIFY_NONE
#define TH_VERIFY_PEER SSL_VERIFY_PEER
#define TH_VERIFY_FAIL_IF_NO_PEER_CERT SSL_VERIFY_FAIL_IF_NO_PEER_CERT
#define TH_VERIFY_CLIENT_ONCE SSL_VERIFY_CLIENT_ONCE
#define TH_VERIFY_POST_HANDSHAKE SSL_VERIFY_POST_HANDSHAKE /* beyond 16.1 */

/* ---- file types (also crypto.FILETYPE_*; same values) -------------------- */
#ifndef TH_FILETYPE_PEM
#define TH_FILETYPE_PEM 1
#endif
#ifndef TH_FILETYPE_ASN1
#define TH_FILETYPE_ASN1 2
#endif

/* ---- options (th_context_set_options): uint64_t on OpenSSL 3 ---------------- */
#define TH_OP_SINGLE_DH_USE ((uint64_t)SSL_OP_SINGLE_DH_USE)     /* 0: always on */
#define TH_OP_SINGLE_ECDH_USE ((uint64_t)SSL_OP_SINGLE_ECDH_USE) /* 0: always on */
#define TH_OP_EPHEMERAL_RSA ((uint64_t)SSL_OP_EPHEMERAL_RSA)     /* 0: removed */
#define TH_OP_NO_TICKET ((uint64_t)SSL_OP_NO_TICKET)
#define TH_OP_NO_COMPRESSION ((uint64_t)SSL_OP_NO_COMPRESSION)
#define TH_OP_NO_SSLv2 ((uint64_t)SSL_OP_NO_SSLv2) /* 0: SSLv2 is gone */
#define TH_OP_NO_SSLv3 ((uint64_t)SSL_OP_NO_SSLv3)
#define TH_OP_NO_TLSv1 ((uint64_t)SSL_OP_NO_TLSv1)
#define TH_OP_NO_TLSv1_1 ((uint64_t)SSL_OP_NO_TLSv1_1)
#define TH_OP_NO_TLSv1_2 ((uint64_t)SSL_OP_NO_TLSv1_2)
/* The rest of pyOpenSSL 16.1's OP_* names (many are 0 on OpenSSL 3). */
#define TH_OP_MICROSOFT_SESS_ID_BUG ((uint64_t)SSL_OP_MICROSOFT_SESS_ID_BUG)
#define TH_OP_NETSCAPE_CHALLENGE_BUG ((uint64_t)SSL_OP_NETSCAPE_CHALLENGE_BUG)
#define TH_OP_NETSCAPE_REUSE_CIPHER_CHANGE_BUG ((uint64_t)SSL_OP_NETSCAPE_REUSE_CIPHER_CHANGE_BUG)
#define TH_OP_SSLREF2_REUSE_CERT_TYPE_BUG ((uint64_t)SSL_OP_SSLREF2_REUSE_CERT_TYPE_BUG)
#define TH_OP_MICROSOFT_BIG_SSLV3_BUFFER ((uint64_t)SSL_OP_MICROSOFT_BIG_SSLV3_BUFFER)
#define TH_OP_MSIE_SSLV2_RSA_PADDING ((uint64_t)SSL_OP_MSIE_SSLV2_RSA_PADDING)
#define TH_OP_SSLEAY_080_CLIENT_DH_BUG ((uint64_t)SSL_OP_SSLEAY_080_CLIENT_DH_BUG)
#define TH_OP_TLS_D5_BUG ((uint64_t)SSL_OP_TLS_D5_BUG)
#define TH_OP_TLS_BLOCK_PADDING_BUG ((uint64_t)SSL_OP_TLS_BLOCK_PADDING_BUG)
#define TH_OP_DONT_INSERT_EMPTY_FRAGMENTS ((uint64_t)SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS)
#define TH_OP_CIPHER_SERVER_PREFERENCE ((uint64_t)SSL_OP_CIPHER_SERVER_PREFERENCE)
#define TH_OP_TLS_ROLLBACK_BUG ((uint64_t)SSL_OP_TLS_ROLLBACK_BUG)
#define TH_OP_PKCS1_CHECK_1 ((uint64_t)SSL_OP_PKCS1_CHECK_1)
#define TH_OP_PKCS1_CHECK_2 ((uint64_t)SSL_OP_PKCS1_CHECK_2)
#define TH_OP_NETSCAPE_CA_DN_BUG ((uint64_t)SSL_OP_NETSCAPE_CA_DN_BUG)
#define TH_OP_NETSCAPE_DEMO_CIPHER_CHANGE_BUG ((uint64_t)SSL_OP_NETSCAPE_DEMO_CIPHER_CHANGE_BUG)
#define TH_OP_NO_QUERY_MTU ((uint64_t)SSL_OP_NO_QUERY_MTU)
#define TH_OP_COOKIE_EXCHANGE ((uint64_t)SSL_OP_COOKIE_EXCHANGE)
#define TH_OP_ALL ((uint64_t)SSL_OP_ALL)
/* Beyond 16.1. */
#define TH_OP_NO_TLSv1_3 ((uint64_t)SSL_OP_NO_TLSv1_3)
#define TH_OP_NO_RENEGOTIATION ((uint64_t)SSL_OP_NO_RENEGOTIATION)
#define TH_OP_ALLOW_CLIENT_RENEGOTIATION ((uint64_t)SSL_OP_ALLOW_CLIENT_RENEGOTIATION)
#define TH_OP_IGNORE_UNEXPECTED_EOF ((uint64_t)SSL_OP_IGNORE_UNEXPECTED_EOF)
#define TH_OP_ENABLE_MIDDLEBOX_COMPAT ((uint64_t)SSL_OP_ENABLE_MIDDLEBOX_COMPAT)

/* ---- modes (th_context_set_mode): SSL.MODE_* --------------------------------- */
#define TH_MODE_ENABLE_PARTIAL_WRITE ((long)SSL_MODE_ENABLE_PARTIAL_WRITE)
#define TH_MODE_ACCEPT_MOVING_WRITE_BUFFER ((long)SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER)
#define TH_MODE_AUTO_RETRY ((long)SSL_MODE_AUTO_RETRY)
#define TH_MODE_NO_AUTO_CHAIN ((long)SSL_MODE_NO_AUTO_CHAIN)
#define TH_MODE_RELEASE_BUFFERS ((long)SSL_MODE_RELEASE_BUFFERS)
#define TH_MODE_SEND_FALLBACK_SCSV ((long)SSL_MODE_SEND_FALLBACK_SCSV)
#define TH_MODE_ASYNC ((long)SSL_MODE_ASYNC)

/* ---- session cache modes (th_context_set_session_cache_mode) -------------- */
#define TH_SESS_CACHE_OFF ((long)SSL_SESS_CACHE_OFF)
#define TH_SESS_CACHE_CLIENT ((long)SSL_SESS_CACHE_CLIENT)
#define TH_SESS_CACHE_SERVER ((long)SSL_SESS_CACHE_SERVER)
#define TH_SESS_CACHE_BOTH ((long)SSL_SESS_CACHE_BOTH)
#define TH_SESS_CACHE_NO_AUTO_CLEAR ((long)SSL_SESS_CACHE_NO_AUTO_CLEAR)
#define TH_SESS_CACHE_NO_INTERNAL_LOOKUP ((long)SSL_SESS_CACHE_NO_INTERNAL_LOOKUP)
#define TH_SESS_CACHE_NO_INTERNAL_STORE ((long)SSL_SESS_CACHE_NO_INTERNAL_STORE)
#define TH_SESS_CACHE_NO_INTERNAL ((long)SSL_SESS_CACHE_NO_INTERNAL)
#define TH_SESS_CACHE_UPDATE_TIME ((long)SSL_SESS_CACHE_UPDATE_TIME) /* beyond 16.1 */

/* ---- th_ssl_SSLeay_version types -------------------------------------------- */
#define TH_SSLEAY_VERSION OPENSSL_VERSION
#define TH_SSLEAY_CFLAGS OPENSSL_CFLAGS
#define TH_SSLEAY_BUILT_ON OPENSSL_BUILT_ON
#define TH_SSLEAY_PLATFORM OPENSSL_PLATFORM
#define TH_SSLEAY_DIR OPENSSL_DIR
/* Beyond 16.1: OpenSSL 3's other OpenSSL_version() types. */
#define TH_SSLEAY_ENGINES_DIR OPENSSL_ENGINES_DIR
#define TH_SSLEAY_VERSION_STRING OPENSSL_VERSION_STRING
#define TH_SSLEAY_FULL_VERSION_STRING OPENSSL_FULL_VERSION_STRING
#define TH_SSLEAY_MODULES_DIR OPENSSL_MODULES_DIR
#define TH_SSLEAY_CPU_INFO OPENSSL_CPU_INFO

/* SSL.OPENSSL_VERSION_NUMBER: the version of the OpenSSL headers this code
 * was compiled against (th_ssl_OpenSSL_version_num() gives the library's). */
#define TH_OPENSSL_VERSION_NUMBER ((long)OPENSSL_VERSION_NUMBER)

/* ---- shutdown state (Connection.get_shutdown / set_shutdown) -------------- */
#define TH_SENT_SHUTDOWN SSL_SENT_SHUTDOWN
#define TH_RECEIVED_SHUTDOWN SSL_RECEIVED_SHUTDOWN

/* ---- info callback "where" bits (beyond 16.1; pyOpenSSL has SSL_CB_*) ------- */
#define TH_SSL_CB_LOOP SSL_CB_LOOP
#define TH_SSL_CB_EXIT SSL_CB_EXIT
#define TH_SSL_CB_READ SSL_CB_READ
#define TH_SSL_CB_WRITE SSL_CB_WRITE
#define TH_SSL_CB_ALERT SSL_CB_ALERT
#define TH_SSL_CB_READ_ALERT SSL_CB_READ_ALERT
#define TH_SSL_CB_WRITE_ALERT SSL_CB_WRITE_ALERT
#define TH_SSL_CB_ACCEPT_LOOP SSL_CB_ACCEPT_LOOP
#define TH_SSL_CB_ACCEPT_EXIT SSL_CB_ACCEPT_EXIT
#define TH_SSL_CB_CONNECT_LOOP SSL_CB_CONNECT_LOOP
#define TH_SSL_CB_CONNECT_EXIT SSL_CB_CONNECT_EXIT
#define TH_SSL_CB_HANDSHAKE_START SSL_CB_HANDSHAKE_START
#define TH_SSL_CB_HANDSHAKE_DONE SSL_CB_HANDSHAKE_DONE

/* th_ssl_SSLeay_version mirrors SSL.SSLeay_version(type): the text
 * OpenSSL_version(type) gives, e.g. "OpenSSL 3.0.19 27 Jan 2026" for
 * TH_SSLEAY_VERSION. type is one of the TH_SSLEAY_* constants. The caller
 * frees the result with th_bytes_free. NULL with TH_ERR_VALUE for an unknown
 * type, TH_ERR_NOMEM. */
th_bytes *th_ssl_SSLeay_version(int type);

/* th_ssl_OpenSSL_version_num (beyond 16.1) returns the running library's
 * version number (OpenSSL_version_num()), which may differ from
 * TH_OPENSSL_VERSION_NUMBER when the shared library was upgraded. Never
 * fails. */
unsigned long th_ssl_OpenSSL_version_num(void);

#ifdef __cplusplus
}
#endif
#endif
