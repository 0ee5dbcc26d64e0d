/* tlsharness/connection.h — SSL.Connection: one TLS connection, over a
 * socket file descriptor or over a pair of memory BIOs.
 *
 * Mirrors pyOpenSSL 16.1's OpenSSL.SSL.Connection method for method
 * (th_connection_<method>), plus a few methods of later pyOpenSSL versions
 * (export_keying_material, get_verified_chain, session_reused, ...).
 *
 * I/O errors follow pyOpenSSL's mapping of SSL_get_error():
 *   SSL_ERROR_WANT_READ        -> TH_ERR_WANT_READ
 *   SSL_ERROR_WANT_WRITE       -> TH_ERR_WANT_WRITE
 *   SSL_ERROR_WANT_X509_LOOKUP -> TH_ERR_WANT_X509_LOOKUP
 *   SSL_ERROR_ZERO_RETURN      -> TH_ERR_ZERO_RETURN (the peer sent close_notify)
 *   SSL_ERROR_SYSCALL          -> TH_ERR_SYSCALL (errno and its text; an EOF
 *                                 without close_notify is errno -1,
 *                                 "Unexpected EOF")
 *   SSL_ERROR_SSL              -> TH_ERR_SSL (the copied error queue), except
 *                                 OpenSSL 3's "unexpected eof while reading",
 *                                 reported as TH_ERR_SYSCALL errno -1
 * A callback (verify, ALPN, servername...) that fails during an I/O call
 * makes that call return the callback's status and error record.
 * Every I/O call clears OpenSSL's error queue first.
 *
 * "I/O errors" below means the list above. Every function also returns
 * TH_ERR_TYPE when conn (or another object argument) is NULL or not the
 * expected class. Socket methods (accept ... sock_shutdown) need a
 * connection made with a socket fd and return TH_ERR_TYPE on a memory
 * connection (pyOpenSSL raises AttributeError); bio_* need a memory
 * connection and return TH_ERR_TYPE on a socket one ("Connection sock was
 * not None").
 *
 * Writing to a socket whose peer has gone raises SIGPIPE in C (Python
 * ignores it for you): programs using socket connections should ignore
 * SIGPIPE, and then get TH_ERR_SYSCALL with errno EPIPE. */
#ifndef TLSHARNESS_CONNECTION_H
#define TLSHARNESS_CONNECTION_H

#include <stddef.h>
#include <sys/socket.h>

#include <openssl/ssl.h>

#include "tlsharness/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- construction --------------------------------------------------------- */

/* th_connection_new mirrors Connection(context, socket): a new connection
 * using ctx (referenced, not taken). fd is a connected or unconnected
 * socket, or -1 for memory BIOs (pyOpenSSL's socket=None). The fd stays the
 * caller's: freeing the connection does not close it (th_connection_close
 * does). Like pyOpenSSL's contexts, the connection runs with
 * SSL_MODE_ENABLE_PARTIAL_WRITE and SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER.
 * Returns NULL with TH_ERR_TYPE (ctx not a Context), TH_ERR_VALUE (fd < -1,
 * or not open), TH_ERR_SYSCALL (fcntl(F_GETFD) failed otherwise), TH_ERR_SSL
 * (SSL_new failed) or TH_ERR_NOMEM. */
th_connection *th_connection_new(th_context *ctx, int fd);
/* th_connection_free drops the caller's reference (NULL-safe). */
void th_connection_free(th_connection *conn);
/* th_connection_up_ref takes another reference; returns conn (NULL if not a
 * Connection). */
th_connection *th_connection_up_ref(th_connection *conn);

/* th_connection_from_ssl wraps a raw SSL (escape hatch). When ssl was made
 * by th_connection_new, returns a new reference to that connection;
 * otherwise a new connection holding its own reference to ssl (the caller
 * keeps its own), using ssl's SSL_CTX (wrapped with th_context_from_ssl_ctx)
 * and whatever BIOs are set on it: every TLS method works, while the socket
 * methods and bio_* return TH_ERR_TYPE (it has neither a socket fd nor our
 * memory BIOs). NULL with TH_ERR_TYPE for NULL. */
th_connection *th_connection_from_ssl(SSL *ssl);
/* th_connection_to_ssl returns a new reference to the underlying SSL
 * (caller frees with SSL_free), or NULL with TH_ERR_TYPE. */
SSL *th_connection_to_ssl(const th_connection *conn);

/* th_connection_get_context mirrors get_context(): a new reference to the
 * connection's Context. NULL with TH_ERR_TYPE. */
th_context *th_connection_get_context(const th_connection *conn);
/* th_connection_set_context mirrors set_context(context): SSL_set_SSL_CTX
 * and keep a reference to ctx (dropping the old one). TH_ERR_TYPE when ctx
 * is not a Context; TH_ERR_SSL when OpenSSL refuses. */
int th_connection_set_context(th_connection *conn, th_context *ctx);

/* th_connection_get_app_data / set_app_data mirror get/set_app_data: an
 * opaque pointer, not owned. get returns NULL (with TH_ERR_TYPE) for a bad
 * conn; set returns TH_OK or TH_ERR_TYPE. */
void *th_connection_get_app_data(const th_connection *conn);
int th_connection_set_app_data(th_connection *conn, void *data);

/* ---- handshake and data (connection_io.c) ------------------------------------ */

/* th_connection_set_accept_state / set_connect_state mirror the methods:
 * server or client mode; the handshake then runs from do_handshake or the
 * first read/write. TH_OK, TH_ERR_TYPE, or TH_ERR_SSL when OpenSSL (3.2 and
 * later: the call makes a new record layer) runs out of memory: the
 * Connection cannot be used until a later call succeeds (docs/compat.md). */
int th_connection_set_accept_state(th_connection *conn);
int th_connection_set_connect_state(th_connection *conn);

/* th_connection_do_handshake mirrors do_handshake(): TH_OK, or an I/O error
 * (TH_ERR_WANT_READ while the peer's bytes are still to come). */
int th_connection_do_handshake(th_connection *conn);

/* Flags for recv / recv_into: MSG_PEEK (from <sys/socket.h>) is the only one
 * honoured, others are ignored, as the spec says. */

/* th_connection_recv mirrors recv(bufsiz, flags): up to bufsiz bytes of
 * application data (owned by the caller). With MSG_PEEK the bytes stay
 * readable. NULL on failure: TH_ERR_VALUE for bufsiz < 0, or an I/O error
 * (TH_ERR_ZERO_RETURN after the peer's close_notify). bufsiz 0 returns an
 * empty th_bytes without touching OpenSSL. */
th_bytes *th_connection_recv(th_connection *conn, int bufsiz, int flags);
/* th_connection_read is recv (pyOpenSSL's alias read = recv). */
th_bytes *th_connection_read(th_connection *conn, int bufsiz, int flags);
/* th_connection_recv_into mirrors recv_into(buffer, nbytes, flags): reads
 * at most min(nbytes, buflen) bytes into buffer (nbytes 0: the whole
 * buffer, as socket.recv_into) and returns the count. TH_ERR_TYPE for a
 * NULL buffer, TH_ERR_VALUE for nbytes < 0 or buflen > INT_MAX, or an I/O
 * error. */
int th_connection_recv_into(th_connection *conn, void *buffer, size_t buflen, int nbytes,
                            int flags);

/* th_connection_send mirrors send(string[, flags]) (flags ignored): writes
 * once and returns how many bytes were taken (partial writes are enabled).
 * TH_ERR_TYPE for NULL buf with len > 0, TH_ERR_VALUE when len > 2**31-1
 * ("Cannot send more than 2**31-1 bytes at once"), or an I/O error. */
int th_connection_send(th_connection *conn, const void *buf, size_t len, int flags);
/* th_connection_write is send (pyOpenSSL's alias write = send). */
int th_connection_write(th_connection *conn, const void *buf, size_t len, int flags);
/* th_connection_sendall mirrors sendall(string[, flags]): calls SSL_write
 * until every byte is taken. TH_OK, or the first I/O error (then, as the
 * spec says, how much was sent is unknown; *sent, when not NULL, says it). */
int th_connection_sendall(th_connection *conn, const void *buf, size_t len, int flags,
                          size_t *sent);

/* th_connection_pending mirrors pending(): decrypted bytes readable without
 * touching the transport (SSL_pending), or TH_ERR_TYPE. */
int th_connection_pending(const th_connection *conn);

/* th_connection_bio_write mirrors bio_write(bytes): adds len bytes the peer
 * sent to the connection's incoming memory BIO; returns the count.
 * TH_ERR_TYPE on a socket connection or for NULL buf with len > 0,
 * TH_ERR_VALUE when len > INT_MAX, TH_ERR_SSL when the BIO fails. */
int th_connection_bio_write(th_connection *conn, const void *buf, size_t len);
/* th_connection_bio_read mirrors bio_read(bufsiz): up to bufsiz bytes the
 * connection wrote for the peer. NULL with TH_ERR_WANT_READ when there are
 * none, TH_ERR_TYPE on a socket connection, TH_ERR_VALUE for bufsiz < 0. */
th_bytes *th_connection_bio_read(th_connection *conn, int bufsiz);
/* th_connection_bio_shutdown mirrors bio_shutdown(): the incoming memory
 * BIO reports end of file once drained (reads then fail with
 * TH_ERR_SYSCALL errno -1, "Unexpected EOF", unless a close_notify came).
 * TH_OK, or TH_ERR_TYPE on a socket connection. */
int th_connection_bio_shutdown(th_connection *conn);

/* th_connection_shutdown mirrors shutdown(): sends close_notify. Returns 1
 * when the exchange is complete (the peer's close_notify was received too),
 * 0 when only ours is sent, or an I/O error. */
int th_connection_shutdown(th_connection *conn);
/* th_connection_get_shutdown mirrors get_shutdown(): a bit set of
 * TH_SENT_SHUTDOWN (1) and TH_RECEIVED_SHUTDOWN (2), or TH_ERR_TYPE. */
int th_connection_get_shutdown(const th_connection *conn);
/* th_connection_set_shutdown mirrors set_shutdown(state). TH_ERR_VALUE for
 * bits other than those two (pyOpenSSL passes them on unchecked; OpenSSL
 * has no others). */
int th_connection_set_shutdown(th_connection *conn, int state);

/* th_connection_renegotiate mirrors renegotiate(): 1 when a renegotiation
 * was scheduled (the next do_handshake / read / write runs it), 0 when one
 * is already pending. TH_ERR_SSL (with OpenSSL's "wrong ssl version") on
 * TLS 1.3, which has no renegotiation, or when OpenSSL refuses
 * (e.g. SSL_OP_NO_RENEGOTIATION). */
int th_connection_renegotiate(th_connection *conn);
/* th_connection_renegotiate_pending mirrors renegotiate_pending(): 1 while a
 * renegotiation is in progress, 0 otherwise; TH_ERR_TYPE. */
int th_connection_renegotiate_pending(const th_connection *conn);
/* th_connection_total_renegotiations mirrors total_renegotiations(): the
 * number of renegotiations started (SSL_total_renegotiations) or
 * TH_ERR_TYPE. */
long th_connection_total_renegotiations(const th_connection *conn);

/* th_connection_want_read / want_write mirror the methods: 1 or 0
 * (SSL_want_read / SSL_want_write), or TH_ERR_TYPE. */
int th_connection_want_read(const th_connection *conn);
int th_connection_want_write(const th_connection *conn);

/* ---- information (connection_info.c) ------------------------------------------- */

/* th_connection_get_state_string mirrors get_state_string():
 * SSL_state_string_long, e.g. "SSL negotiation finished successfully"
 * (OpenSSL 3's wording, see compat). Owned by the caller; NULL with
 * TH_ERR_TYPE. */
th_bytes *th_connection_get_state_string(const th_connection *conn);

/* The following getters may return the spec's None: they return TH_OK and
 * set *out to the value (owned by the caller) or to NULL for None, or an
 * error (TH_ERR_TYPE for NULL conn/out) leaving *out NULL. */

/* client_random / server_random: the hello randoms (32 bytes); None when
 * there is no session yet. */
int th_connection_client_random(const th_connection *conn, th_bytes **out);
int th_connection_server_random(const th_connection *conn, th_bytes **out);
/* master_key: the session's master secret (TLS 1.3: the resumption master
 * secret, which OpenSSL stores there); None without a session. */
int th_connection_master_key(const th_connection *conn, th_bytes **out);
/* get_finished / get_peer_finished: the latest Finished message sent /
 * expected from the peer; None before the handshake completes. */
int th_connection_get_finished(const th_connection *conn, th_bytes **out);
int th_connection_get_peer_finished(const th_connection *conn, th_bytes **out);
/* get_cipher_name / get_cipher_version: the current cipher's OpenSSL name
 * ("ECDHE-ECDSA-AES256-GCM-SHA384", "TLS_AES_256_GCM_SHA384") and its
 * protocol ("TLSv1.2", "TLSv1.3"); None before a cipher is chosen. */
int th_connection_get_cipher_name(const th_connection *conn, th_bytes **out);
int th_connection_get_cipher_version(const th_connection *conn, th_bytes **out);
/* get_cipher_bits: *out = the cipher's secret bits, or -1 for None. */
int th_connection_get_cipher_bits(const th_connection *conn, int *out);
/* get_servername: the SNI host name (the one received on a server, the one
 * set on a client); None when there is none. */
int th_connection_get_servername(const th_connection *conn, th_bytes **out);
/* get_peer_certificate: the peer's certificate; None when it sent none. */
int th_connection_get_peer_certificate(const th_connection *conn, th_x509 **out);
/* get_peer_cert_chain: a th_list of th_x509, the chain the peer sent (on a
 * client, starting with the server's certificate; on a server, without the
 * client's own certificate, as OpenSSL does); None when it sent none. */
int th_connection_get_peer_cert_chain(const th_connection *conn, th_list **out);
/* get_session: a new Session for the connection's session; None without
 * one. */
int th_connection_get_session(const th_connection *conn, th_session **out);

/* th_connection_get_cipher_list mirrors get_cipher_list(): a th_list of
 * th_bytes, the names of the ciphers the connection may use, in preference
 * order. NULL with TH_ERR_TYPE or TH_ERR_NOMEM. */
th_list *th_connection_get_cipher_list(const th_connection *conn);
/* th_connection_get_protocol_version mirrors get_protocol_version():
 * SSL_version(), e.g. 0x303 for TLS 1.2, 0x304 for TLS 1.3; or TH_ERR_TYPE. */
int th_connection_get_protocol_version(const th_connection *conn);
/* th_connection_get_protocol_version_name mirrors
 * get_protocol_version_name(): "TLSv1.2", "TLSv1.3"... (OpenSSL 3 names the
 * highest enabled version before the handshake, see compat). NULL with
 * TH_ERR_TYPE. */
th_bytes *th_connection_get_protocol_version_name(const th_connection *conn);
/* th_connection_get_client_ca_list mirrors get_client_ca_list(): a th_list
 * of th_x509_name (copies): on a client, the CA names the server sent; on
 * a server, those it will send. Empty when none. NULL with TH_ERR_TYPE or
 * TH_ERR_NOMEM. */
th_list *th_connection_get_client_ca_list(const th_connection *conn);

/* th_connection_set_tlsext_host_name mirrors set_tlsext_host_name(name):
 * the SNI name a client sends. TH_ERR_TYPE for NULL name or a name with a
 * NUL byte ("name must not contain NUL byte"), TH_ERR_VALUE for an empty or
 * over-long (> 255 bytes) name (checked first, so name is never read past
 * 255 bytes), TH_ERR_SSL when OpenSSL refuses (out of memory included); the
 * name set before stays (TH_ERR_NOMEM in the rare case that putting it
 * back fails too: then no name is sent, and the message says so). */
int th_connection_set_tlsext_host_name(th_connection *conn, const unsigned char *name,
                                       size_t len);
/* th_connection_set_session mirrors set_session(session): resume session
 * on the next handshake (a client). TH_ERR_TYPE when session is not a
 * Session, TH_ERR_SSL when OpenSSL refuses (e.g. a session of another
 * method). */
int th_connection_set_session(th_connection *conn, th_session *session);

/* th_connection_get_next_proto_negotiated / get_alpn_proto_negotiated
 * mirror the methods: the negotiated protocol, an empty th_bytes when none
 * was negotiated. NULL with TH_ERR_TYPE. NPN exists only up to TLS 1.2. */
th_bytes *th_connection_get_next_proto_negotiated(const th_connection *conn);
th_bytes *th_connection_get_alpn_proto_negotiated(const th_connection *conn);
/* th_connection_set_alpn_protos mirrors set_alpn_protos(protos): the
 * protocols a client offers, count NUL-terminated names in preference order.
 * TH_ERR_TYPE for NULL protos (or a NULL item), TH_ERR_VALUE for count 0,
 * an empty name or one over 255 bytes, TH_ERR_SSL when OpenSSL refuses. */
int th_connection_set_alpn_protos(th_connection *conn, const char *const *protos, size_t count);

/* ---- beyond pyOpenSSL 16.1 ------------------------------------------------------ */

/* th_connection_export_keying_material mirrors later pyOpenSSL's
 * export_keying_material(label, olen, context=None) (RFC 5705 / 8446):
 * olen bytes, owned by the caller. context NULL means no context (which
 * differs from an empty one before TLS 1.3). NULL with TH_ERR_TYPE (NULL
 * label), TH_ERR_VALUE (olen 0), TH_ERR_SSL (no handshake yet). */
th_bytes *th_connection_export_keying_material(const th_connection *conn, const char *label,
                                               size_t olen, const unsigned char *context,
                                               size_t context_len);
/* th_connection_get_verified_chain mirrors later pyOpenSSL's
 * get_verified_chain(): the chain built by verification (th_list of
 * th_x509, leaf first); None when the peer was not verified. */
int th_connection_get_verified_chain(const th_connection *conn, th_list **out);
/* th_connection_session_reused: 1 when the handshake resumed a session
 * (SSL_session_reused), 0 otherwise; TH_ERR_TYPE. */
int th_connection_session_reused(const th_connection *conn);
/* th_connection_key_update: TLS 1.3 KeyUpdate (SSL_key_update), sent with
 * the next write or do_handshake; request_peer asks the peer to update too.
 * TH_ERR_SSL on TLS 1.2 or before the handshake. */
int th_connection_key_update(th_connection *conn, int request_peer);
/* th_connection_get_group_name: the negotiated key-exchange group
 * ("X25519", "P-256"...); None when there is none (no handshake, or a
 * TLS 1.2 RSA key exchange). */
int th_connection_get_group_name(const th_connection *conn, th_bytes **out);
/* th_connection_request_ocsp: a client asks the server for a stapled OCSP
 * response (status_request); TH_OK or TH_ERR_SSL. */
int th_connection_request_ocsp(th_connection *conn);
/* th_connection_get_ocsp_response: the stapled OCSP response a client
 * received (DER); None when the server stapled nothing. */
int th_connection_get_ocsp_response(const th_connection *conn, th_bytes **out);
/* th_connection_get_verify_result: SSL_get_verify_result (X509_V_OK = 0 or
 * an X509_V_ERR_* code) or TH_ERR_TYPE. */
long th_connection_get_verify_result(const th_connection *conn);

/* ---- Verifying names (beyond the spec; docs/api.md "Verifying names") ----
 * This connection's own copy of its Context's name and policy settings
 * (SSL_get0_param, SSL_set1_host / SSL_add1_host / SSL_set_hostflags):
 * set before the handshake. Same arguments, checks and errors as
 * th_context_set_host ... (TH_ERR_TYPE for a NULL/wrong-type conn). */
int th_connection_set_host(th_connection *conn, const char *name, size_t len);
int th_connection_add_host(th_connection *conn, const char *name, size_t len);
int th_connection_set_ip(th_connection *conn, const char *text);
int th_connection_set_email(th_connection *conn, const char *addr, size_t len);
int th_connection_set_host_flags(th_connection *conn, unsigned int flags);
int th_connection_set_purpose(th_connection *conn, int purpose);
int th_connection_set_auth_level(th_connection *conn, int level);
int th_connection_set_verify_flags(th_connection *conn, unsigned long flags);
/* th_connection_get_peer_name: after a handshake whose peer verification
 * checked host names and succeeded (get_verify_result X509_V_OK), the
 * certificate's name that matched (SSL_get0_peername): the subjectAltName
 * (or CN) as the certificate writes it, so "*.example.test" for a wildcard
 * match and lower case where the certificate is. *out = new th_bytes
 * (NUL-terminated, caller frees with th_bytes_free), or NULL when no host
 * name was checked or the verification failed. TH_OK; TH_ERR_TYPE for a
 * bad conn or NULL out; TH_ERR_NOMEM. */
int th_connection_get_peer_name(const th_connection *conn, th_bytes **out);

/* th_connection_set_security_level / th_connection_get_security_level
 * (beyond 16.1): the security level of this connection alone
 * (SSL_set_security_level), 0 to 5; it starts as its Context's (see
 * th_context_set_security_level). set: TH_OK, TH_ERR_TYPE, TH_ERR_VALUE
 * (level not 0..5; unchanged). get: the level (>= 0) or TH_ERR_TYPE. */
int th_connection_set_security_level(th_connection *conn, int level);
int th_connection_get_security_level(const th_connection *conn);

/* ---- socket methods (connection_sock.c) ------------------------------------------ */

/* th_connection_accept mirrors accept(): accepts on the listening socket,
 * and returns in *out a new server-mode connection (same Context) over the
 * accepted fd, which that connection owns (th_connection_free or close
 * closes it); the peer address goes to *addr / *addrlen when addr is not
 * NULL (addrlen in: the size of addr). TH_ERR_SYSCALL (errno; EAGAIN on a
 * non-blocking socket without a client) or TH_ERR_TYPE. */
int th_connection_accept(th_connection *conn, th_connection **out, struct sockaddr *addr,
                         socklen_t *addrlen);
/* th_connection_bind / listen mirror the socket's: TH_OK or TH_ERR_SYSCALL;
 * TH_ERR_TYPE for a NULL addr, TH_ERR_VALUE for backlog < 0. */
int th_connection_bind(th_connection *conn, const struct sockaddr *addr, socklen_t addrlen);
int th_connection_listen(th_connection *conn, int backlog);
/* th_connection_close mirrors close(): closes the socket (no TLS
 * close_notify: call shutdown first). Later socket calls fail with
 * TH_ERR_SYSCALL (EBADF), fileno returns -1 as Python's socket does. */
int th_connection_close(th_connection *conn);
/* th_connection_connect mirrors connect(address): client mode, then
 * connect(2). TH_OK or TH_ERR_SYSCALL; TH_ERR_SSL when OpenSSL (3.2+)
 * cannot make the client's record layer (out of memory). */
int th_connection_connect(th_connection *conn, const struct sockaddr *addr, socklen_t addrlen);
/* th_connection_connect_ex mirrors connect_ex(address): client mode, then
 * connect(2), returning 0 or the errno value (> 0) instead of failing
 * (ENOMEM when OpenSSL 3.2+ cannot make the client's record layer).
 * Errors (as Python's closed socket): TH_ERR_SYSCALL (EBADF) after
 * th_connection_close; TH_ERR_TYPE. */
int th_connection_connect_ex(th_connection *conn, const struct sockaddr *addr,
                             socklen_t addrlen);
/* th_connection_fileno mirrors fileno(): the socket fd (-1 after close). */
int th_connection_fileno(const th_connection *conn);
/* th_connection_getpeername / getsockname: the address into *addr
 * (*addrlen in: its size; out: the address length). TH_ERR_SYSCALL
 * (ENOTCONN...) or TH_ERR_TYPE. */
int th_connection_getpeername(const th_connection *conn, struct sockaddr *addr,
                              socklen_t *addrlen);
int th_connection_getsockname(const th_connection *conn, struct sockaddr *addr,
                              socklen_t *addrlen);
/* th_connection_getsockopt / setsockopt mirror getsockopt(level, optname,
 * buflen) / setsockopt(level, optname, value): value bytes in *value
 * (*len in: its size, out: the option's length). TH_ERR_SYSCALL or
 * TH_ERR_TYPE. */
int th_connection_getsockopt(const th_connection *conn, int level, int optname, void *value,
                             socklen_t *len);
int th_connection_setsockopt(th_connection *conn, int level, int optname, const void *value,
                             socklen_t len);
/* th_connection_setblocking mirrors setblocking(flag): O_NONBLOCK off when
 * flag is true. TH_OK, TH_ERR_SYSCALL or TH_ERR_TYPE. */
int th_connection_setblocking(th_connection *conn, int flag);
/* th_connection_sock_shutdown mirrors sock_shutdown(how): shutdown(2) with
 * SHUT_RD / SHUT_WR / SHUT_RDWR. TH_ERR_VALUE for another how,
 * TH_ERR_SYSCALL, TH_ERR_TYPE. */
int th_connection_sock_shutdown(th_connection *conn, int how);

#ifdef __cplusplus
}
#endif
#endif
