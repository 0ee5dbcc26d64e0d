/* tlsharness/session.h — SSL.Session: the parameters of an SSL session that
 * a later connection may resume (Connection.get_session / set_session
 * produce and consume it).
 *
 * Beyond 16.1 (which gives Session no methods): DER serialization, so a
 * session can survive a process, and the inspectors a test needs. Every
 * function taking a th_session returns TH_ERR_TYPE (or NULL with it) when
 * it is NULL or not a Session. */
#ifndef TLSHARNESS_SESSION_H
#define TLSHARNESS_SESSION_H

#include <openssl/ssl.h>

#include "tlsharness/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* th_session_new mirrors SSL.Session(): an empty session (not resumable).
 * The caller frees it with th_session_free. NULL with TH_ERR_NOMEM. */
th_session *th_session_new(void);
/* th_session_free drops the caller's reference (NULL-safe). */
void th_session_free(th_session *sess);
/* th_session_up_ref takes another reference; returns sess (NULL if it is
 * not a Session). */
th_session *th_session_up_ref(th_session *sess);

/* th_session_to_der (beyond 16.1): the session in DER (i2d_SSL_SESSION),
 * including its master secret: keep it secret. The caller frees it with
 * th_bytes_free. NULL with TH_ERR_TYPE, TH_ERR_SSL when OpenSSL cannot
 * encode it, TH_ERR_NOMEM. */
th_bytes *th_session_to_der(const th_session *sess);
/* th_session_from_der (beyond 16.1): a session from th_session_to_der's
 * bytes (maybe another process's). The caller frees it. NULL with
 * TH_ERR_TYPE for NULL der with len > 0, TH_ERR_VALUE for an oversized len
 * (> LONG_MAX), TH_ERR_SSL for bytes that are not a session (garbage, a
 * truncated encoding, or no bytes at all). */
th_session *th_session_from_der(const unsigned char *der, size_t len);

/* th_session_is_resumable (beyond 16.1): 1 when a connection could resume
 * it (SSL_SESSION_is_resumable), 0 when not, TH_ERR_TYPE. */
int th_session_is_resumable(const th_session *sess);
/* th_session_get_protocol_version (beyond 16.1): the TLS version it was
 * negotiated with (TH_TLS1_2_VERSION, TH_TLS1_3_VERSION, ...; 0 for an empty
 * session), or TH_ERR_TYPE. */
int th_session_get_protocol_version(const th_session *sess);
/* th_session_get_id (beyond 16.1): the session id (empty for an empty
 * session). The caller frees it. NULL with TH_ERR_TYPE, TH_ERR_NOMEM. */
th_bytes *th_session_get_id(const th_session *sess);
/* th_session_get_timeout / get_time (beyond 16.1): its lifetime in seconds
 * and its creation time (seconds since the epoch), or TH_ERR_TYPE. */
long th_session_get_timeout(const th_session *sess);
long th_session_get_time(const th_session *sess);
/* th_session_has_ticket (beyond 16.1): 1 when the session carries a
 * server ticket (resumption by ticket), 0 when not, TH_ERR_TYPE. */
int th_session_has_ticket(const th_session *sess);

/* th_session_from_ssl_session / th_session_to_ssl_session (escape hatches):
 * wrap a new reference to s (the caller keeps its own), or return a new
 * reference to the underlying SSL_SESSION (caller frees with
 * SSL_SESSION_free). NULL with TH_ERR_TYPE. */
th_session *th_session_from_ssl_session(SSL_SESSION *s);
SSL_SESSION *th_session_to_ssl_session(const th_session *sess);

#ifdef __cplusplus
}
#endif
#endif
