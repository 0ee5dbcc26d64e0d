/* tlsharness/context.h — SSL.Context: the parameters shared by the SSL
 * connections made from it (method, certificates, verification, callbacks,
 * session cache, ALPN/NPN), plus the TLS 1.3-era settings a modern user
 * needs (protocol version bounds, TLS 1.3 ciphersuites, groups, keylog,
 * OCSP stapling).
 *
 * Every function taking a th_context returns TH_ERR_TYPE when it is NULL or
 * not a Context (a wrongly cast pointer), and leaves the context unchanged
 * on any failure. Functions returning int give TH_OK (or a documented
 * non-negative value) on success and a negative th_err on failure; see
 * th_error_last() for the detail.
 *
 * Callbacks are (function, user) pairs. A callback receives the
 * th_connection the handshake runs on (borrowed, valid during the call; NULL
 * when the SSL object was made outside tlsharness from
 * th_context_to_ssl_ctx) and every th_ object argument borrowed for the
 * call (th_<class>_up_ref to keep it). A callback that returns a negative
 * th_err makes the operation that ran it (do_handshake, recv, the key load)
 * fail with that same status and the error record the callback set —
 * pyOpenSSL's "exceptions propagate" — except where pyOpenSSL ignores the
 * result (info, servername, keylog: they return void). Passing fn = NULL
 * removes a callback. */
#ifndef TLSHARNESS_CONTEXT_H
#define TLSHARNESS_CONTEXT_H

#include <stdint.h>

#include <openssl/ssl.h>

#include "tlsharness/common.h"
#include "tlsharness/ssl.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- callback types -------------------------------------------------------- */

/* th_passwd_cb (set_passwd_cb): write the passphrase into buf (room for
 * maxlen bytes) and return its length; a length above maxlen is truncated
 * to maxlen, as the spec says. verify is nonzero when the passphrase should
 * be asked twice (only when writing keys). Return 0 for "no passphrase"
 * (the load then fails with TH_ERR_SSL), or a negative th_err to make the
 * load fail with that status. */
typedef int (*th_passwd_cb)(char *buf, int maxlen, int verify, void *user);

/* th_verify_cb (set_verify): called for each certificate of the peer's
 * chain with OpenSSL's verdict so far: errnum (X509_V_ERR_*, 0 when fine),
 * depth (0 = the peer's own certificate) and ok (1 or 0). Return 1 to
 * accept, 0 to reject (the handshake fails with TH_ERR_SSL), or a negative
 * th_err to fail the handshake with that status. Accepting an error (1 with
 * ok 0) clears it: get_verify_result then reads 0 (X509_V_OK), as in 16.1.
 * A status that is not a th_err kind is TH_ERR_CALLBACK. I/O on conn from
 * inside a callback (do_handshake, send, recv, shutdown) is refused with
 * TH_ERR_VALUE: OpenSSL is not re-entrant. */
typedef int (*th_verify_cb)(th_connection *conn, th_x509 *cert, int errnum, int depth, int ok,
                            void *user);

/* th_info_cb (set_info_callback): where is a mask of TH_SSL_CB_* bits, ret
 * OpenSSL's return code or the alert for TH_SSL_CB_ALERT. */
typedef void (*th_info_cb)(th_connection *conn, int where, int ret, void *user);

/* th_servername_cb (set_tlsext_servername_callback): called on the server
 * for every ClientHello, whether the client sent SNI or not (OpenSSL calls
 * it either way); the Connection's get_servername gives the name, or none.
 * I/O on conn from inside this (or any) callback is refused (TH_ERR_VALUE). */
typedef void (*th_servername_cb)(th_connection *conn, void *user);

/* th_npn_advertise_cb (set_npn_advertise_callback): on the server, set
 * *protos to an array of *count NUL-terminated protocol names (1..255 bytes
 * each; storage stays the callback's, it must last until it returns) and
 * return TH_OK, or return a negative th_err. */
typedef int (*th_npn_advertise_cb)(th_connection *conn, const char *const **protos, size_t *count,
                                   void *user);

/* th_proto_select_cb (set_npn_select_callback on the client,
 * set_alpn_select_callback on the server): offered is the peer's list
 * (count NUL-terminated names, valid during the call); a name the peer sent
 * with a NUL byte inside is left out of it (it could not be passed whole).
 * Set *selected to the chosen name (normally one of offered; any string
 * that lasts until the callback returns) and return TH_OK. Leaving
 * *selected NULL means "no protocol": ALPN then continues without one; NPN,
 * which has no such answer, fails the handshake (TH_ERR_SSL). Selecting ""
 * fails the handshake with TH_ERR_SSL (as 16.1's SSL.Error), a name over 255
 * bytes with TH_ERR_VALUE. A negative th_err fails the handshake with that
 * status. */
typedef int (*th_proto_select_cb)(th_connection *conn, const char *const *offered, size_t count,
                                  const char **selected, void *user);

/* th_keylog_cb (set_keylog_callback): one NSS key log line, no newline. */
typedef void (*th_keylog_cb)(th_connection *conn, const char *line, void *user);

/* th_ocsp_server_cb (set_ocsp_server_callback): set *resp and *len to a DER
 * OCSP response to staple (copied; storage stays the callback's) or leave
 * *len 0 to staple nothing; return TH_OK or a negative th_err. Up to
 * OpenSSL 3.5 any bytes are stapled as given; from 3.6 OpenSSL parses them
 * and staples nothing when they are not an OCSPResponse (docs/compat.md). */
typedef int (*th_ocsp_server_cb)(th_connection *conn, const unsigned char **resp, size_t *len,
                                 void *user);

/* th_ocsp_client_cb (set_ocsp_client_callback): resp is the stapled
 * response (len 0 when the server stapled none). Return 1 to continue, 0 to
 * fail the handshake (TH_ERR_SSL), or a negative th_err. */
typedef int (*th_ocsp_client_cb)(th_connection *conn, const unsigned char *resp, size_t len,
                                 void *user);

/* ---- life cycle ------------------------------------------------------------ */

/* th_context_new mirrors SSL.Context(method): method is a TH_*_METHOD.
 * The caller frees the result with th_context_free. NULL with
 * TH_ERR_UNSUPPORTED for a method this OpenSSL build lacks (SSLv2 always;
 * SSLv3, TLSv1 and TLSv1_1 where configured out: no-ssl3-method, no-tls1,
 * no-tls1_1; the message names it), TH_ERR_VALUE for an
 * unknown method, TH_ERR_SSL when OpenSSL fails, TH_ERR_NOMEM.
 * Passphrase-protected keys never prompt on the terminal: without
 * set_passwd_cb they fail to load. */
th_context *th_context_new(int method);

/* th_context_new_ex (beyond 16.1) is th_context_new in a chosen library
 * context: the SSL_CTX, and every certificate, key, CA file and DH file
 * loaded through it, use libctx and the property query propq (both may be
 * NULL: the default). On OpenSSL 3.0 threads that share one library context
 * contend on its locks; a Context per thread, each in its own libctx,
 * scales. libctx is not owned and must outlive the context and its
 * connections. Errors as th_context_new. */
th_context *th_context_new_ex(int method, OSSL_LIB_CTX *libctx, const char *propq);

/* th_context_free drops the caller's reference (NULL-safe). */
void th_context_free(th_context *ctx);
/* th_context_up_ref takes another reference; returns ctx (NULL if it is not
 * a Context). */
th_context *th_context_up_ref(th_context *ctx);

/* th_context_from_ssl_ctx (escape hatch) wraps an SSL_CTX, taking a new
 * reference to it (the caller keeps its own). When the SSL_CTX already
 * belongs to a th_context, that one is returned with a new reference. The
 * caller frees the result. NULL with TH_ERR_TYPE for NULL. */
th_context *th_context_from_ssl_ctx(SSL_CTX *sslctx);
/* th_context_to_ssl_ctx returns a new reference to the underlying SSL_CTX
 * (caller frees with SSL_CTX_free); NULL with TH_ERR_TYPE. */
SSL_CTX *th_context_to_ssl_ctx(const th_context *ctx);

/* ---- certificates and keys ------------------------------------------------- */

/* th_context_use_certificate mirrors Context.use_certificate(cert).
 * TH_ERR_TYPE for a cert that is not an X509, TH_ERR_SSL when OpenSSL
 * refuses it (e.g. a key too weak for the security level). */
int th_context_use_certificate(th_context *ctx, const th_x509 *cert);
/* th_context_use_certificate_file mirrors Context.use_certificate_file:
 * the first certificate in file, in filetype TH_FILETYPE_PEM or
 * TH_FILETYPE_ASN1. TH_ERR_TYPE for NULL file, TH_ERR_VALUE for another
 * filetype, TH_ERR_SSL for a missing file, garbage or the wrong format. */
int th_context_use_certificate_file(th_context *ctx, const char *file, int filetype);
/* th_context_use_certificate_chain_file mirrors
 * Context.use_certificate_chain_file: the PEM file's first certificate
 * becomes the context's, the rest its chain. TH_ERR_TYPE for NULL,
 * TH_ERR_SSL for a missing or unreadable file, or one with a corrupt block
 * anywhere (the file is read in full before the context changes). */
int th_context_use_certificate_chain_file(th_context *ctx, const char *file);
/* th_context_add_extra_chain_cert mirrors Context.add_extra_chain_cert:
 * a copy of cert is appended to the chain sent with the certificate.
 * TH_ERR_TYPE, TH_ERR_SSL. */
int th_context_add_extra_chain_cert(th_context *ctx, const th_x509 *cert);
/* th_context_use_privatekey mirrors Context.use_privatekey(pkey).
 * TH_ERR_TYPE for a pkey that is not a PKey, TH_ERR_VALUE for an
 * uninitialized one, TH_ERR_SSL when OpenSSL refuses it (e.g. it does not
 * match the certificate already set). */
int th_context_use_privatekey(th_context *ctx, const th_pkey *pkey);
/* th_context_use_privatekey_file mirrors Context.use_privatekey_file:
 * the first key in file (TH_FILETYPE_PEM or TH_FILETYPE_ASN1; an
 * encrypted PEM key asks the passphrase callback). TH_ERR_TYPE, TH_ERR_VALUE
 * (filetype), TH_ERR_SSL (missing file, garbage, wrong passphrase, no
 * callback), or the status the passphrase callback returned. */
int th_context_use_privatekey_file(th_context *ctx, const char *file, int filetype);
/* th_context_check_privatekey mirrors Context.check_privatekey: TH_OK when
 * the key matches the certificate, TH_ERR_SSL otherwise (or when either is
 * missing). */
int th_context_check_privatekey(const th_context *ctx);
/* th_context_set_passwd_cb mirrors Context.set_passwd_cb(callback,
 * userdata); see th_passwd_cb. fn NULL restores "no passphrase". TH_OK or
 * TH_ERR_TYPE. */
int th_context_set_passwd_cb(th_context *ctx, th_passwd_cb fn, void *user);

/* ---- verification ------------------------------------------------------------ */

/* th_context_set_verify mirrors Context.set_verify(mode, callback): mode is
 * TH_VERIFY_NONE or TH_VERIFY_PEER, the latter optionally OR'ed with
 * TH_VERIFY_FAIL_IF_NO_PEER_CERT, TH_VERIFY_CLIENT_ONCE,
 * TH_VERIFY_POST_HANDSHAKE. fn may be NULL (OpenSSL's verdict stands).
 * TH_ERR_VALUE for other bits. */
int th_context_set_verify(th_context *ctx, int mode, th_verify_cb fn, void *user);
/* th_context_set_verify_depth mirrors Context.set_verify_depth(depth):
 * the longest chain below the peer certificate that is accepted.
 * TH_ERR_VALUE for a negative depth. */
int th_context_set_verify_depth(th_context *ctx, int depth);
/* th_context_get_verify_mode mirrors Context.get_verify_mode: the mode
 * (>= 0), or TH_ERR_TYPE. */
int th_context_get_verify_mode(const th_context *ctx);
/* th_context_get_verify_depth mirrors Context.get_verify_depth: the depth
 * set, or 100 — OpenSSL's effective default, which pyOpenSSL shows as -1 —
 * when none was set; TH_ERR_TYPE. */
int th_context_get_verify_depth(const th_context *ctx);
/* th_context_get_cert_store mirrors Context.get_cert_store: an X509Store
 * sharing the context's trust store (certificates added to it are trusted
 * by the context). The caller frees it with th_x509_store_free. NULL with
 * TH_ERR_TYPE, TH_ERR_NOMEM, or TH_ERR_SSL when the context has no store
 * (removed from its SSL_CTX with SSL_CTX_set_cert_store(raw, NULL);
 * pyOpenSSL returns None there). */
th_x509_store *th_context_get_cert_store(th_context *ctx);
/* th_context_load_verify_locations mirrors
 * Context.load_verify_locations(cafile, capath): trusted PEM certificates
 * from a file and/or a c_rehash'ed directory; either may be NULL, not both.
 * TH_ERR_SSL for both NULL, a missing file, or a file without
 * certificates. */
int th_context_load_verify_locations(th_context *ctx, const char *cafile, const char *capath);
/* th_context_set_default_verify_paths mirrors
 * Context.set_default_verify_paths: the platform's CA store (OpenSSL's
 * default file and directory, SSL_CERT_FILE / SSL_CERT_DIR). TH_ERR_SSL. */
int th_context_set_default_verify_paths(th_context *ctx);
/* th_context_set_client_ca_list mirrors Context.set_client_ca_list: the
 * names (copied) sent to the client in a certificate request, replacing
 * the list. TH_ERR_TYPE for NULL names with count > 0 or an item that is
 * not an X509Name (the list is then unchanged). */
int th_context_set_client_ca_list(th_context *ctx, th_x509_name *const *names, size_t count);
/* th_context_add_client_ca mirrors Context.add_client_ca(cert): appends
 * cert's subject to that list. TH_ERR_TYPE, TH_ERR_SSL. */
int th_context_add_client_ca(th_context *ctx, const th_x509 *cert);
/* th_context_load_client_ca mirrors Context.load_client_ca(cafile): the
 * subjects of the PEM file's certificates become that list. TH_ERR_TYPE,
 * TH_ERR_SSL for a missing file or one without certificates. */
int th_context_load_client_ca(th_context *ctx, const char *cafile);

/* ---- key exchange and ciphers --------------------------------------------------- */

/* th_context_load_tmp_dh mirrors Context.load_tmp_dh(dhfile): PEM DH
 * parameters for DHE. TH_ERR_TYPE, TH_ERR_SSL for a missing file, garbage,
 * parameters that are not DH, or parameters too small for the context's
 * security level (OpenSSL's "dh key too small"; the context keeps the
 * parameters it had). */
int th_context_load_tmp_dh(th_context *ctx, const char *dhfile);
/* th_context_set_tmp_ecdh mirrors Context.set_tmp_ecdh(curve): curve
 * (from th_crypto_get_elliptic_curve) becomes the only ECDHE group.
 * TH_ERR_TYPE for a curve that is not an elliptic curve object, TH_ERR_SSL
 * when TLS cannot use it. */
int th_context_set_tmp_ecdh(th_context *ctx, const th_elliptic_curve *curve);
/* th_context_set_cipher_list mirrors Context.set_cipher_list: an OpenSSL
 * cipher string for TLS 1.2 and below ("@SECLEVEL=n" allowed).
 * TH_ERR_TYPE for NULL, TH_ERR_SSL when it selects no TLS 1.2 cipher
 * (unknown names only, TLS 1.3 names only, ""); the cipher list and the
 * security level are then unchanged. */
int th_context_set_cipher_list(th_context *ctx, const char *cipher_list);
/* th_context_set_ciphersuites (beyond 16.1): the TLS 1.3 ciphersuites,
 * colon-separated ("" disables TLS 1.3 suites). TH_ERR_TYPE, TH_ERR_SSL
 * for an unknown name anywhere in the list (OpenSSL alone would skip it). */
int th_context_set_ciphersuites(th_context *ctx, const char *ciphersuites);
/* th_context_set_groups (beyond 16.1): the key exchange groups in
 * preference order, e.g. "X25519:P-256". TH_ERR_TYPE, TH_ERR_SSL for an
 * unknown group. */
int th_context_set_groups(th_context *ctx, const char *groups);
/* th_context_set_min_proto_version / _max_ (beyond 16.1): bound the
 * protocol versions (TH_TLS1_VERSION .. TH_TLS1_3_VERSION; 0 = no bound).
 * TH_ERR_VALUE for another value. The getters return the bound (0 = none)
 * or TH_ERR_TYPE. */
int th_context_set_min_proto_version(th_context *ctx, int version);
int th_context_set_max_proto_version(th_context *ctx, int version);
int th_context_get_min_proto_version(const th_context *ctx);
int th_context_get_max_proto_version(const th_context *ctx);

/* ---- options, modes ------------------------------------------------------------- */

/* th_context_set_options mirrors Context.set_options(options): adds the
 * TH_OP_* bits (never clears) and returns the new option mask (>= 0), or
 * TH_ERR_TYPE. */
int64_t th_context_set_options(th_context *ctx, uint64_t options);
/* th_context_clear_options / get_options (beyond 16.1): the new mask, or
 * TH_ERR_TYPE. */
int64_t th_context_clear_options(th_context *ctx, uint64_t options);
int64_t th_context_get_options(const th_context *ctx);
/* th_context_set_mode mirrors Context.set_mode(mode): adds TH_MODE_* bits
 * and returns the new mode mask (>= 0); TH_ERR_TYPE; TH_ERR_VALUE for a
 * negative mode. th_context_get_mode (beyond 16.1) returns the mask. */
long th_context_set_mode(th_context *ctx, long mode);
long th_context_get_mode(const th_context *ctx);

/* ---- sessions ------------------------------------------------------------------- */

/* th_context_set_session_cache_mode mirrors
 * Context.set_session_cache_mode(mode): a TH_SESS_CACHE_* combination;
 * returns the previous mode (>= 0). TH_ERR_TYPE, TH_ERR_VALUE for unknown
 * bits. */
long th_context_set_session_cache_mode(th_context *ctx, long mode);
/* th_context_get_session_cache_mode mirrors Context.get_session_cache_mode
 * (default TH_SESS_CACHE_SERVER); TH_ERR_TYPE. */
long th_context_get_session_cache_mode(const th_context *ctx);
/* th_context_set_session_id mirrors Context.set_session_id(buf): the
 * session id context (len bytes, at most 32). TH_ERR_TYPE for NULL buf with
 * len > 0, TH_ERR_SSL when longer than 32 bytes (OpenSSL's "ssl session id
 * context too long"). */
int th_context_set_session_id(th_context *ctx, const unsigned char *buf, size_t len);
/* th_context_set_timeout mirrors Context.set_timeout(timeout): the
 * lifetime in seconds of new sessions; returns the previous timeout (>= 0).
 * TH_ERR_TYPE, TH_ERR_VALUE for a negative timeout. */
long th_context_set_timeout(th_context *ctx, long timeout);
/* th_context_get_timeout mirrors Context.get_timeout: the timeout for new
 * sessions in seconds. The default is OpenSSL 3's 7200 s for TLS (the spec,
 * written for OpenSSL 1.0, says 300); TH_ERR_TYPE. */
long th_context_get_timeout(const th_context *ctx);

/* ---- callbacks ---------------------------------------------------------------------- */

/* The callback setters below return TH_OK or TH_ERR_TYPE; fn NULL removes
 * the callback. */

/* th_context_set_info_callback mirrors Context.set_info_callback (no
 * result: nothing the callback does can fail the handshake). */
int th_context_set_info_callback(th_context *ctx, th_info_cb fn, void *user);
/* th_context_set_tlsext_servername_callback mirrors
 * Context.set_tlsext_servername_callback (the result is ignored). */
int th_context_set_tlsext_servername_callback(th_context *ctx, th_servername_cb fn, void *user);
/* th_context_set_keylog_callback (beyond 16.1, as later pyOpenSSL): NSS
 * key log lines (no result). */
int th_context_set_keylog_callback(th_context *ctx, th_keylog_cb fn, void *user);
/* th_context_set_ocsp_server_callback / _client_ (beyond 16.1, as later
 * pyOpenSSL): OCSP stapling. Setting the client callback also makes
 * clients of this context request stapling. */
int th_context_set_ocsp_server_callback(th_context *ctx, th_ocsp_server_cb fn, void *user);
int th_context_set_ocsp_client_callback(th_context *ctx, th_ocsp_client_cb fn, void *user);

/* ---- ALPN and NPN ------------------------------------------------------------------- */

/* th_context_set_alpn_protos mirrors Context.set_alpn_protos(protos): the
 * protocols a client offers, count NUL-terminated names of 1..255 bytes
 * (copied; count 0 offers none). TH_ERR_TYPE for NULL protos with count > 0
 * or a NULL name, TH_ERR_VALUE for an empty or too long name (the offer is
 * then unchanged), TH_ERR_NOMEM. */
int th_context_set_alpn_protos(th_context *ctx, const char *const *protos, size_t count);
/* th_context_set_alpn_select_callback mirrors
 * Context.set_alpn_select_callback; see th_proto_select_cb. TH_OK or
 * TH_ERR_TYPE. */
int th_context_set_alpn_select_callback(th_context *ctx, th_proto_select_cb fn, void *user);
/* th_context_set_npn_advertise_callback / th_context_set_npn_select_callback
 * mirror the spec's NPN callbacks. NPN exists only up to TLS 1.2: with TLS
 * 1.3 negotiated the callbacks are never called. TH_OK, TH_ERR_TYPE, or
 * TH_ERR_UNSUPPORTED on an OpenSSL built without NPN. */
int th_context_set_npn_advertise_callback(th_context *ctx, th_npn_advertise_cb fn, void *user);
int th_context_set_npn_select_callback(th_context *ctx, th_proto_select_cb fn, void *user);

/* ---- security level (beyond 16.1) ------------------------------------------------------ */

/* th_context_set_security_level / th_context_get_security_level (beyond
 * 16.1): OpenSSL's security level (SSL_CTX_set_security_level), 0 to 5,
 * which decides the smallest keys, the weakest signatures and the oldest
 * protocols the context accepts (docs/compat.md, "Security levels": the
 * build's default, often 2 on Debian, refuses 1024-bit keys and SHA-1;
 * level 1 still refuses SHA-1 certificates and keys under 1024 bits;
 * level 0 refuses nothing). Connections made afterwards start with the
 * context's level. A cipher list's "@SECLEVEL=n" sets the same value.
 * set: TH_OK, TH_ERR_TYPE, TH_ERR_VALUE (level not 0..5; unchanged).
 * get: the level (>= 0) or TH_ERR_TYPE. */
int th_context_set_security_level(th_context *ctx, int level);
int th_context_get_security_level(const th_context *ctx);

/* ---- application data ------------------------------------------------------------------- */

/* th_context_set_app_data / get_app_data mirror Context.set_app_data /
 * get_app_data: an opaque pointer, not owned. set returns TH_ERR_TYPE;
 * get returns NULL (TH_ERR_TYPE) for a bad ctx, or the data (NULL when
 * none was set). */
int th_context_set_app_data(th_context *ctx, void *data);
void *th_context_get_app_data(const th_context *ctx);

/* ---- Verifying names (beyond the spec; docs/api.md "Verifying names") ----
 * What the peer's certificate must be issued for, checked during the
 * handshake's peer verification of every Connection made from ctx
 * afterwards (OpenSSL's SSL_CTX_get0_param; a Connection copies it when it
 * is made and can change its own copy, th_connection_set_host ...). Same
 * arguments, checks and errors as the X509Store setters of the same names
 * (th_x509_store_set_host ...: TH_ERR_TYPE for a NULL/wrong-type ctx, NULL
 * text or a NUL byte in a name, TH_ERR_VALUE for bad input, TH_ERR_NOMEM;
 * ctx unchanged on error). A mismatch fails a handshake with VERIFY_PEER
 * (TH_ERR_SSL, "certificate verify failed") and
 * th_connection_get_verify_result gives the X509_V_ERR_* code
 * (HOSTNAME_MISMATCH, IP_ADDRESS_MISMATCH, EMAIL_MISMATCH, INVALID_PURPOSE,
 * EE_KEY_TOO_SMALL ...); with VERIFY_NONE the handshake completes and
 * get_verify_result still says it. Setting a host name does not send it as
 * SNI (th_connection_set_tlsext_host_name does). The purpose defaults to
 * the peer's role (a client checks sslserver, a server sslclient) and the
 * auth level to the context's security level. */
int th_context_set_host(th_context *ctx, const char *name, size_t len);
int th_context_add_host(th_context *ctx, const char *name, size_t len);
int th_context_set_ip(th_context *ctx, const char *text);
int th_context_set_email(th_context *ctx, const char *addr, size_t len);
int th_context_set_host_flags(th_context *ctx, unsigned int flags);
int th_context_set_purpose(th_context *ctx, int purpose);
int th_context_set_auth_level(th_context *ctx, int level);
/* th_context_set_verify_flags ors TH_X509_STORE_FLAGS_* into the peer
 * verification's flags (named _verify_ because Context has other flags:
 * options, modes); like th_x509_store_set_flags on the context's store,
 * but kept with the context's other verification settings. TH_ERR_VALUE
 * for unknown bits. */
int th_context_set_verify_flags(th_context *ctx, unsigned long flags);

#ifdef __cplusplus
}
#endif
#endif
