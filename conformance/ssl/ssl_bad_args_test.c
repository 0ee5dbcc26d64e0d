/* ssl_bad_args_test.c — the SSL module's bad-input tables (ssl.h, context.h,
 * session.h, connection.h):
 *  - null_and_wrong_type: NULL for each pointer argument and a live object
 *    of another class cast to each object argument are TH_ERR_TYPE;
 *  - bad_value: negative and oversized sizes, garbage bytes and files,
 *    unknown names and values each give their documented kind.
 * Each case holds every other argument valid, so the check of the argument
 * under test is reached. No crash, no leak under --config=asan. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "testutil.h"
#include "testutil_table.h"
#include "testutil_ssl.h"

static struct {
  th_context *ctx;     /* a server context with certificate and key */
  th_context *empty;   /* a bare context */
  th_connection *conn; /* a memory connection on ctx */
  th_connection *sock; /* a connection on an unconnected TCP socket */
  int fd;
  th_session *sess;
  th_x509 *cert;
  th_pkey *key;
  th_pkey *uninit;
  th_x509_name *name;
  th_elliptic_curve *curve; /* the usual "wrong" object */
  const char *garbage;      /* a file of garbage bytes */
  const char *missing;      /* a path that does not exist */
} F;

static void setup(void) {
  F.ctx = ts_server_ctx(0, 0);
  F.empty = th_context_new(TH_TLS_METHOD);
  F.conn = th_connection_new(F.ctx, -1);
  F.fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  cr_assert_geq(F.fd, 0);
  F.sock = th_connection_new(F.ctx, F.fd);
  F.sess = th_session_new();
  F.cert = ts_x509(ts_pki_get()->server);
  F.key = ts_pkey(ts_pki_get()->server_key);
  F.uninit = th_pkey_new();
  F.name = th_x509_get_subject(F.cert);
  F.curve = th_crypto_get_elliptic_curve("prime256v1");
  cr_assert(F.empty && F.conn && F.sock && F.sess && F.uninit && F.name && F.curve, "%s",
            tu_err());
  static char garbage[512], missing[512];
  snprintf(garbage, sizeof garbage, "%s", tu_path("garbage.bin"));
  cr_assert_eq(tu_write_file(garbage, "\x30\x82garbage, not PEM\n", 20), 0);
  snprintf(missing, sizeof missing, "%s", tu_path("no-such-file.pem"));
  F.garbage = garbage;
  F.missing = missing;
}

static void teardown(void) {
  th_elliptic_curve_free(F.curve);
  th_x509_name_free(F.name);
  th_pkey_free(F.uninit);
  th_pkey_free(F.key);
  th_x509_free(F.cert);
  th_session_free(F.sess);
  th_connection_free(F.sock);
  close(F.fd);
  th_connection_free(F.conn);
  th_context_free(F.empty);
  th_context_free(F.ctx);
}

TestSuite(ssl_bad_args, .init = setup, .fini = teardown);

/* How a case is run (as crypto_bad_args_test.c):
 *   OBJ   an object argument: NULL and a wrong-type object are TH_ERR_TYPE
 *   PTR   a plain pointer argument: NULL is TH_ERR_TYPE
 *   WRONG an object argument where NULL is allowed: only the wrong type
 *   ALT   as OBJ, for the functions that take the curve: the wrong object
 *         is then a Session */

static int st_bytes(th_bytes *b) {
  th_bytes_free(b);
  return b == NULL ? th_error_kind() : 1;
}

static th_bytes *b_out;
static th_list *l_out;
static th_x509 *x_out;
static th_session *s_out;
static th_connection *c_out;
static int i_out;
static unsigned char buf[64];
static struct sockaddr_in sin_;
static socklen_t sl = sizeof sin_;
static const char *const protos[] = {"h2", "http/1.1"};
#define SA ((struct sockaddr *)&sin_)

/* Getters with an out argument: the object and the out pointer. */
#define OUT_CASES(X, m, out)                                             \
  X(I, conn_##m, th_connection_##m(o, &out), TU_OBJ)                         \
  X(I, conn_##m##_out, th_connection_##m(F.conn, o), TU_PTR)

#define CONTEXT_CASES(X)                                                                    \
  X(P, context_from_ssl_ctx, th_context_from_ssl_ctx(o), TU_PTR)                              \
  X(P, context_to_ssl_ctx, th_context_to_ssl_ctx(o), TU_OBJ)                                   \
  X(I, context_use_certificate, th_context_use_certificate(o, F.cert), TU_OBJ)                 \
  X(I, context_use_certificate_cert, th_context_use_certificate(F.empty, o), TU_OBJ)           \
  X(I, context_use_certificate_file, th_context_use_certificate_file(o, F.missing, 1), TU_OBJ) \
  X(I, context_use_certificate_file_file, th_context_use_certificate_file(F.empty, o, 1), TU_PTR) \
  X(I, context_use_certificate_chain_file, th_context_use_certificate_chain_file(o, F.missing), TU_OBJ) \
  X(I, context_use_certificate_chain_file_file, th_context_use_certificate_chain_file(F.empty, o), TU_PTR) \
  X(I, context_add_extra_chain_cert, th_context_add_extra_chain_cert(o, F.cert), TU_OBJ)       \
  X(I, context_add_extra_chain_cert_cert, th_context_add_extra_chain_cert(F.empty, o), TU_OBJ) \
  X(I, context_use_privatekey, th_context_use_privatekey(o, F.key), TU_OBJ)                    \
  X(I, context_use_privatekey_key, th_context_use_privatekey(F.empty, o), TU_OBJ)              \
  X(I, context_use_privatekey_file, th_context_use_privatekey_file(o, F.missing, 1), TU_OBJ)   \
  X(I, context_use_privatekey_file_file, th_context_use_privatekey_file(F.empty, o, 1), TU_PTR) \
  X(I, context_check_privatekey, th_context_check_privatekey(o), TU_OBJ)                       \
  X(I, context_set_passwd_cb, th_context_set_passwd_cb(o, NULL, NULL), TU_OBJ)                 \
  X(I, context_set_verify, th_context_set_verify(o, 0, NULL, NULL), TU_OBJ)                    \
  X(I, context_set_verify_depth, th_context_set_verify_depth(o, 1), TU_OBJ)                    \
  X(I, context_get_verify_mode, th_context_get_verify_mode(o), TU_OBJ)                         \
  X(I, context_get_verify_depth, th_context_get_verify_depth(o), TU_OBJ)                       \
  X(P, context_get_cert_store, th_context_get_cert_store(o), TU_OBJ)                           \
  X(I, context_load_verify_locations, th_context_load_verify_locations(o, F.missing, NULL), TU_OBJ) \
  X(I, context_set_default_verify_paths, th_context_set_default_verify_paths(o), TU_OBJ)       \
  X(I, context_set_client_ca_list, th_context_set_client_ca_list(o, &F.name, 1), TU_OBJ)       \
  X(I, context_set_client_ca_list_names, th_context_set_client_ca_list(F.ctx, o, 1), TU_PTR)   \
  X(I, context_set_client_ca_list_item,                                                     \
    th_context_set_client_ca_list(F.ctx, (th_x509_name *[]){F.name, o}, 2), TU_OBJ)            \
  X(I, context_add_client_ca, th_context_add_client_ca(o, F.cert), TU_OBJ)                     \
  X(I, context_add_client_ca_cert, th_context_add_client_ca(F.ctx, o), TU_OBJ)                 \
  X(I, context_load_client_ca, th_context_load_client_ca(o, F.missing), TU_OBJ)                \
  X(I, context_load_client_ca_file, th_context_load_client_ca(F.ctx, o), TU_PTR)               \
  X(I, context_load_tmp_dh, th_context_load_tmp_dh(o, F.missing), TU_OBJ)                      \
  X(I, context_load_tmp_dh_file, th_context_load_tmp_dh(F.ctx, o), TU_PTR)                     \
  X(I, context_set_tmp_ecdh, th_context_set_tmp_ecdh(o, F.curve), TU_ALT)                      \
  X(I, context_set_tmp_ecdh_curve, th_context_set_tmp_ecdh(F.ctx, o), TU_ALT)                  \
  X(I, context_set_cipher_list, th_context_set_cipher_list(o, "HIGH"), TU_OBJ)                 \
  X(I, context_set_cipher_list_list, th_context_set_cipher_list(F.ctx, o), TU_PTR)             \
  X(I, context_set_ciphersuites, th_context_set_ciphersuites(o, "TLS_AES_128_GCM_SHA256"), TU_OBJ) \
  X(I, context_set_ciphersuites_list, th_context_set_ciphersuites(F.ctx, o), TU_PTR)           \
  X(I, context_set_groups, th_context_set_groups(o, "P-256"), TU_OBJ)                          \
  X(I, context_set_groups_list, th_context_set_groups(F.ctx, o), TU_PTR)                       \
  X(I, context_set_min_proto_version, th_context_set_min_proto_version(o, 0), TU_OBJ)          \
  X(I, context_set_max_proto_version, th_context_set_max_proto_version(o, 0), TU_OBJ)          \
  X(I, context_get_min_proto_version, th_context_get_min_proto_version(o), TU_OBJ)             \
  X(I, context_get_max_proto_version, th_context_get_max_proto_version(o), TU_OBJ)             \
  X(I, context_set_options, (int)th_context_set_options(o, 0), TU_OBJ)                         \
  X(I, context_clear_options, (int)th_context_clear_options(o, 0), TU_OBJ)                     \
  X(I, context_get_options, (int)th_context_get_options(o), TU_OBJ)                            \
  X(I, context_set_mode, (int)th_context_set_mode(o, 0), TU_OBJ)                               \
  X(I, context_get_mode, (int)th_context_get_mode(o), TU_OBJ)                                  \
  X(I, context_set_session_cache_mode, (int)th_context_set_session_cache_mode(o, 0), TU_OBJ)   \
  X(I, context_get_session_cache_mode, (int)th_context_get_session_cache_mode(o), TU_OBJ)      \
  X(I, context_set_session_id, th_context_set_session_id(o, buf, 4), TU_OBJ)                   \
  X(I, context_set_session_id_buf, th_context_set_session_id(F.ctx, o, 4), TU_PTR)             \
  X(I, context_set_timeout, (int)th_context_set_timeout(o, 10), TU_OBJ)                        \
  X(I, context_get_timeout, (int)th_context_get_timeout(o), TU_OBJ)                            \
  X(I, context_set_info_callback, th_context_set_info_callback(o, NULL, NULL), TU_OBJ)         \
  X(I, context_set_servername_callback,                                                     \
    th_context_set_tlsext_servername_callback(o, NULL, NULL), TU_OBJ)                          \
  X(I, context_set_keylog_callback, th_context_set_keylog_callback(o, NULL, NULL), TU_OBJ)     \
  X(I, context_set_ocsp_server_callback, th_context_set_ocsp_server_callback(o, NULL, NULL), TU_OBJ) \
  X(I, context_set_ocsp_client_callback, th_context_set_ocsp_client_callback(o, NULL, NULL), TU_OBJ) \
  X(I, context_set_alpn_protos, th_context_set_alpn_protos(o, protos, 2), TU_OBJ)              \
  X(I, context_set_alpn_protos_protos, th_context_set_alpn_protos(F.ctx, o, 2), TU_PTR)        \
  X(I, context_set_alpn_protos_item,                                                        \
    th_context_set_alpn_protos(F.ctx, (const char *[]){"h2", o}, 2), TU_PTR)                   \
  X(I, context_set_alpn_select_callback, th_context_set_alpn_select_callback(o, NULL, NULL), TU_OBJ) \
  X(I, context_set_npn_advertise_callback,                                                  \
    th_context_set_npn_advertise_callback(o, NULL, NULL), TU_OBJ)                              \
  X(I, context_set_npn_select_callback, th_context_set_npn_select_callback(o, NULL, NULL), TU_OBJ) \
  X(I, context_set_app_data, th_context_set_app_data(o, buf), TU_OBJ)                          \
  X(P, context_get_app_data, th_context_get_app_data(o), TU_OBJ)

#define SESSION_CASES(X)                                                        \
  X(I, session_to_der, st_bytes(th_session_to_der(o)), TU_OBJ)                     \
  X(P, session_from_der, th_session_from_der(o, 4), TU_PTR)                        \
  X(I, session_is_resumable, th_session_is_resumable(o), TU_OBJ)                   \
  X(I, session_get_protocol_version, th_session_get_protocol_version(o), TU_OBJ)   \
  X(I, session_get_id, st_bytes(th_session_get_id(o)), TU_OBJ)                     \
  X(I, session_get_timeout, (int)th_session_get_timeout(o), TU_OBJ)                \
  X(I, session_get_time, (int)th_session_get_time(o), TU_OBJ)                      \
  X(I, session_has_ticket, th_session_has_ticket(o), TU_OBJ)                       \
  X(P, session_from_ssl_session, th_session_from_ssl_session(o), TU_PTR)           \
  X(P, session_to_ssl_session, th_session_to_ssl_session(o), TU_OBJ)

#define CONNECTION_CASES(X)                                                                 \
  X(P, conn_new, th_connection_new(o, -1), TU_OBJ)                                             \
  X(P, conn_from_ssl, th_connection_from_ssl(o), TU_PTR)                                       \
  X(P, conn_to_ssl, th_connection_to_ssl(o), TU_OBJ)                                           \
  X(P, conn_get_context, th_connection_get_context(o), TU_OBJ)                                 \
  X(I, conn_set_context, th_connection_set_context(o, F.ctx), TU_OBJ)                          \
  X(I, conn_set_context_ctx, th_connection_set_context(F.conn, o), TU_OBJ)                     \
  X(P, conn_get_app_data, th_connection_get_app_data(o), TU_OBJ)                               \
  X(I, conn_set_app_data, th_connection_set_app_data(o, buf), TU_OBJ)                          \
  X(I, conn_set_accept_state, th_connection_set_accept_state(o), TU_OBJ)                       \
  X(I, conn_set_connect_state, th_connection_set_connect_state(o), TU_OBJ)                     \
  X(I, conn_do_handshake, th_connection_do_handshake(o), TU_OBJ)                               \
  X(I, conn_recv, st_bytes(th_connection_recv(o, 4, 0)), TU_OBJ)                               \
  X(I, conn_read, st_bytes(th_connection_read(o, 4, 0)), TU_OBJ)                               \
  X(I, conn_recv_into, th_connection_recv_into(o, buf, sizeof buf, 0, 0), TU_OBJ)              \
  X(I, conn_recv_into_buffer, th_connection_recv_into(F.conn, o, 4, 0, 0), TU_PTR)             \
  X(I, conn_send, th_connection_send(o, buf, 4, 0), TU_OBJ)                                    \
  X(I, conn_send_buf, th_connection_send(F.conn, o, 4, 0), TU_PTR)                             \
  X(I, conn_write, th_connection_write(o, buf, 4, 0), TU_OBJ)                                  \
  X(I, conn_write_buf, th_connection_write(F.conn, o, 4, 0), TU_PTR)                           \
  X(I, conn_sendall, th_connection_sendall(o, buf, 4, 0, NULL), TU_OBJ)                        \
  X(I, conn_sendall_buf, th_connection_sendall(F.conn, o, 4, 0, NULL), TU_PTR)                 \
  X(I, conn_pending, th_connection_pending(o), TU_OBJ)                                         \
  X(I, conn_bio_write, th_connection_bio_write(o, buf, 4), TU_OBJ)                             \
  X(I, conn_bio_write_buf, th_connection_bio_write(F.conn, o, 4), TU_PTR)                      \
  X(I, conn_bio_read, st_bytes(th_connection_bio_read(o, 4)), TU_OBJ)                          \
  X(I, conn_bio_shutdown, th_connection_bio_shutdown(o), TU_OBJ)                               \
  X(I, conn_shutdown, th_connection_shutdown(o), TU_OBJ)                                       \
  X(I, conn_get_shutdown, th_connection_get_shutdown(o), TU_OBJ)                               \
  X(I, conn_set_shutdown, th_connection_set_shutdown(o, 0), TU_OBJ)                            \
  X(I, conn_renegotiate, th_connection_renegotiate(o), TU_OBJ)                                 \
  X(I, conn_renegotiate_pending, th_connection_renegotiate_pending(o), TU_OBJ)                 \
  X(I, conn_total_renegotiations, (int)th_connection_total_renegotiations(o), TU_OBJ)          \
  X(I, conn_want_read, th_connection_want_read(o), TU_OBJ)                                     \
  X(I, conn_want_write, th_connection_want_write(o), TU_OBJ)                                   \
  X(I, conn_get_state_string, st_bytes(th_connection_get_state_string(o)), TU_OBJ)            \
  OUT_CASES(X, client_random, b_out)                                                        \
  OUT_CASES(X, server_random, b_out)                                                        \
  OUT_CASES(X, master_key, b_out)                                                           \
  OUT_CASES(X, get_finished, b_out)                                                         \
  OUT_CASES(X, get_peer_finished, b_out)                                                    \
  OUT_CASES(X, get_cipher_name, b_out)                                                      \
  OUT_CASES(X, get_cipher_version, b_out)                                                   \
  OUT_CASES(X, get_cipher_bits, i_out)                                                      \
  OUT_CASES(X, get_servername, b_out)                                                       \
  OUT_CASES(X, get_peer_certificate, x_out)                                                 \
  OUT_CASES(X, get_peer_cert_chain, l_out)                                                  \
  OUT_CASES(X, get_session, s_out)                                                          \
  OUT_CASES(X, get_verified_chain, l_out)                                                   \
  OUT_CASES(X, get_group_name, b_out)                                                       \
  OUT_CASES(X, get_ocsp_response, b_out)                                                    \
  X(P, conn_get_cipher_list, th_connection_get_cipher_list(o), TU_OBJ)                         \
  X(I, conn_get_protocol_version, th_connection_get_protocol_version(o), TU_OBJ)               \
  X(I, conn_get_protocol_version_name, st_bytes(th_connection_get_protocol_version_name(o)), TU_OBJ) \
  X(P, conn_get_client_ca_list, th_connection_get_client_ca_list(o), TU_OBJ)                   \
  X(I, conn_set_tlsext_host_name, th_connection_set_tlsext_host_name(o, buf, 4), TU_OBJ)       \
  X(I, conn_set_tlsext_host_name_name, th_connection_set_tlsext_host_name(F.conn, o, 4), TU_PTR) \
  X(I, conn_set_session, th_connection_set_session(o, F.sess), TU_OBJ)                         \
  X(I, conn_set_session_session, th_connection_set_session(F.conn, o), TU_OBJ)                 \
  X(I, conn_get_next_proto_negotiated, st_bytes(th_connection_get_next_proto_negotiated(o)), TU_OBJ) \
  X(I, conn_get_alpn_proto_negotiated, st_bytes(th_connection_get_alpn_proto_negotiated(o)), TU_OBJ) \
  X(I, conn_set_alpn_protos, th_connection_set_alpn_protos(o, protos, 2), TU_OBJ)              \
  X(I, conn_set_alpn_protos_protos, th_connection_set_alpn_protos(F.conn, o, 2), TU_PTR)       \
  X(I, conn_set_alpn_protos_item,                                                           \
    th_connection_set_alpn_protos(F.conn, (const char *[]){"h2", o}, 2), TU_PTR)               \
  X(I, conn_export_keying_material,                                                         \
    st_bytes(th_connection_export_keying_material(o, "EXPORTER", 16, NULL, 0)), TU_OBJ)        \
  X(I, conn_export_keying_material_label,                                                   \
    st_bytes(th_connection_export_keying_material(F.conn, o, 16, NULL, 0)), TU_PTR)            \
  X(I, conn_session_reused, th_connection_session_reused(o), TU_OBJ)                           \
  X(I, conn_key_update, th_connection_key_update(o, 0), TU_OBJ)                                \
  X(I, conn_request_ocsp, th_connection_request_ocsp(o), TU_OBJ)                               \
  X(I, conn_get_verify_result, (int)th_connection_get_verify_result(o), TU_OBJ)                \
  X(I, conn_accept, th_connection_accept(o, &c_out, NULL, NULL), TU_OBJ)                       \
  X(I, conn_accept_out, th_connection_accept(F.sock, o, NULL, NULL), TU_PTR)                   \
  X(I, conn_accept_addrlen, th_connection_accept(F.sock, &c_out, SA, o), TU_PTR)               \
  X(I, conn_bind, th_connection_bind(o, SA, sl), TU_OBJ)                                       \
  X(I, conn_bind_addr, th_connection_bind(F.sock, o, sl), TU_PTR)                              \
  X(I, conn_listen, th_connection_listen(o, 1), TU_OBJ)                                        \
  X(I, conn_close, th_connection_close(o), TU_OBJ)                                             \
  X(I, conn_connect, th_connection_connect(o, SA, sl), TU_OBJ)                                 \
  X(I, conn_connect_addr, th_connection_connect(F.sock, o, sl), TU_PTR)                        \
  X(I, conn_connect_ex, th_connection_connect_ex(o, SA, sl), TU_OBJ)                           \
  X(I, conn_connect_ex_addr, th_connection_connect_ex(F.sock, o, sl), TU_PTR)                  \
  X(I, conn_fileno, th_connection_fileno(o), TU_OBJ)                                           \
  X(I, conn_getpeername, th_connection_getpeername(o, SA, &sl), TU_OBJ)                        \
  X(I, conn_getpeername_addr, th_connection_getpeername(F.sock, o, &sl), TU_PTR)               \
  X(I, conn_getpeername_len, th_connection_getpeername(F.sock, SA, o), TU_PTR)                 \
  X(I, conn_getsockname, th_connection_getsockname(o, SA, &sl), TU_OBJ)                        \
  X(I, conn_getsockname_addr, th_connection_getsockname(F.sock, o, &sl), TU_PTR)               \
  X(I, conn_getsockname_len, th_connection_getsockname(F.sock, SA, o), TU_PTR)                 \
  X(I, conn_getsockopt, th_connection_getsockopt(o, SOL_SOCKET, SO_TYPE, buf, &sl), TU_OBJ)    \
  X(I, conn_getsockopt_value, th_connection_getsockopt(F.sock, SOL_SOCKET, SO_TYPE, o, &sl), TU_PTR) \
  X(I, conn_getsockopt_len, th_connection_getsockopt(F.sock, SOL_SOCKET, SO_TYPE, buf, o), TU_PTR) \
  X(I, conn_setsockopt, th_connection_setsockopt(o, SOL_SOCKET, SO_KEEPALIVE, buf, 4), TU_OBJ) \
  X(I, conn_setsockopt_value, th_connection_setsockopt(F.sock, SOL_SOCKET, SO_KEEPALIVE, o, 4), TU_PTR) \
  X(I, conn_setblocking, th_connection_setblocking(o, 1), TU_OBJ)                              \
  X(I, conn_sock_shutdown, th_connection_sock_shutdown(o, SHUT_RDWR), TU_OBJ)

#define CASES(X) CONTEXT_CASES(X) SESSION_CASES(X) CONNECTION_CASES(X)

TU_BAD_ARGS_TEST(ssl_bad_args, null_and_wrong_type, CASES, (void *)F.curve, (void *)F.sess)

/* ---- bad values: sizes, garbage, unknown names ------------------------------------- */

static char long_name[257]; /* 256 bytes: one over every 255-byte limit */
#define HUGE ((size_t)INT_MAX + 1)

/* X(id, call, expected kind) */
#define VALUE_CASES(X)                                                                      \
  X(ssleay_version_unknown_type, st_bytes(th_ssl_SSLeay_version(-7)), TH_ERR_VALUE)         \
  X(context_new_unknown_method, tu_st_ptr(th_context_new(99)), TH_ERR_VALUE)                   \
  X(context_new_negative_method, tu_st_ptr(th_context_new(-1)), TH_ERR_VALUE)                  \
  X(context_new_sslv2, tu_st_ptr(th_context_new(TH_SSLv2_METHOD)), TH_ERR_UNSUPPORTED)         \
  X(context_new_ex_unknown_method, tu_st_ptr(th_context_new_ex(0, NULL, NULL)), TH_ERR_VALUE)  \
  X(use_certificate_file_filetype, th_context_use_certificate_file(F.empty, F.garbage, 99), \
    TH_ERR_VALUE)                                                                           \
  X(use_certificate_file_missing, th_context_use_certificate_file(F.empty, F.missing, 1),   \
    TH_ERR_SSL)                                                                             \
  X(use_certificate_file_garbage_pem, th_context_use_certificate_file(F.empty, F.garbage, 1), \
    TH_ERR_SSL)                                                                             \
  X(use_certificate_file_garbage_der, th_context_use_certificate_file(F.empty, F.garbage, 2), \
    TH_ERR_SSL)                                                                             \
  X(use_certificate_chain_file_missing,                                                     \
    th_context_use_certificate_chain_file(F.empty, F.missing), TH_ERR_SSL)                  \
  X(use_certificate_chain_file_garbage,                                                     \
    th_context_use_certificate_chain_file(F.empty, F.garbage), TH_ERR_SSL)                  \
  X(use_privatekey_uninitialized, th_context_use_privatekey(F.empty, F.uninit), TH_ERR_VALUE) \
  X(use_privatekey_file_filetype, th_context_use_privatekey_file(F.empty, F.garbage, -1),   \
    TH_ERR_VALUE)                                                                           \
  X(use_privatekey_file_missing, th_context_use_privatekey_file(F.empty, F.missing, 1),     \
    TH_ERR_SSL)                                                                             \
  X(use_privatekey_file_garbage, th_context_use_privatekey_file(F.empty, F.garbage, 2),     \
    TH_ERR_SSL)                                                                             \
  X(check_privatekey_without_key, th_context_check_privatekey(F.empty), TH_ERR_SSL)         \
  X(set_verify_unknown_bits, th_context_set_verify(F.ctx, 0x100, NULL, NULL), TH_ERR_VALUE) \
  X(set_verify_negative_mode, th_context_set_verify(F.ctx, -1, NULL, NULL), TH_ERR_VALUE)   \
  X(set_verify_depth_negative, th_context_set_verify_depth(F.ctx, -1), TH_ERR_VALUE)        \
  X(load_verify_locations_both_null, th_context_load_verify_locations(F.ctx, NULL, NULL),   \
    TH_ERR_SSL)                                                                             \
  X(load_verify_locations_missing, th_context_load_verify_locations(F.ctx, F.missing, NULL), \
    TH_ERR_SSL)                                                                             \
  X(load_verify_locations_garbage, th_context_load_verify_locations(F.ctx, F.garbage, NULL), \
    TH_ERR_SSL)                                                                             \
  X(set_client_ca_list_null_item,                                                           \
    th_context_set_client_ca_list(F.ctx, (th_x509_name *[]){F.name, NULL}, 2), TH_ERR_TYPE) \
  X(load_client_ca_missing, th_context_load_client_ca(F.ctx, F.missing), TH_ERR_SSL)        \
  X(load_client_ca_garbage, th_context_load_client_ca(F.ctx, F.garbage), TH_ERR_SSL)        \
  X(load_tmp_dh_missing, th_context_load_tmp_dh(F.ctx, F.missing), TH_ERR_SSL)              \
  X(load_tmp_dh_garbage, th_context_load_tmp_dh(F.ctx, F.garbage), TH_ERR_SSL)              \
  X(set_cipher_list_unknown, th_context_set_cipher_list(F.ctx, "nonsense"), TH_ERR_SSL)     \
  X(set_cipher_list_empty, th_context_set_cipher_list(F.ctx, ""), TH_ERR_SSL)               \
  X(set_ciphersuites_unknown, th_context_set_ciphersuites(F.ctx, "TLS_NOPE"), TH_ERR_SSL)   \
  X(set_groups_unknown, th_context_set_groups(F.ctx, "nosuchgroup"), TH_ERR_SSL)            \
  X(set_min_proto_unknown, th_context_set_min_proto_version(F.ctx, 0x999), TH_ERR_VALUE)    \
  X(set_min_proto_negative, th_context_set_min_proto_version(F.ctx, -1), TH_ERR_VALUE)      \
  X(set_max_proto_unknown, th_context_set_max_proto_version(F.ctx, 0x305), TH_ERR_VALUE)    \
  X(set_max_proto_negative, th_context_set_max_proto_version(F.ctx, INT_MIN), TH_ERR_VALUE) \
  X(set_mode_negative, (int)th_context_set_mode(F.ctx, -1), TH_ERR_VALUE)                   \
  X(set_session_cache_mode_unknown, (int)th_context_set_session_cache_mode(F.ctx, 0x10000), \
    TH_ERR_VALUE)                                                                           \
  X(set_session_cache_mode_negative, (int)th_context_set_session_cache_mode(F.ctx, -1),     \
    TH_ERR_VALUE)                                                                           \
  X(set_session_id_33_bytes, th_context_set_session_id(F.ctx, buf, 33), TH_ERR_SSL)         \
  X(set_session_id_size_max, th_context_set_session_id(F.ctx, buf, SIZE_MAX), TH_ERR_SSL)   \
  X(set_timeout_negative, (int)th_context_set_timeout(F.ctx, -1), TH_ERR_VALUE)             \
  X(context_alpn_empty_name, th_context_set_alpn_protos(F.ctx, (const char *[]){"h2", ""}, 2), \
    TH_ERR_VALUE)                                                                           \
  X(context_alpn_long_name,                                                                 \
    th_context_set_alpn_protos(F.ctx, (const char *[]){long_name}, 1), TH_ERR_VALUE)        \
  X(session_from_der_garbage,                                                               \
    tu_st_ptr(th_session_from_der((const unsigned char *)"\x30\x03garbage", 9)), TH_ERR_SSL)   \
  X(session_from_der_empty, tu_st_ptr(th_session_from_der(buf, 0)), TH_ERR_SSL)                \
  X(session_from_der_null_empty, tu_st_ptr(th_session_from_der(NULL, 0)), TH_ERR_SSL)          \
  X(session_from_der_oversized, tu_st_ptr(th_session_from_der(buf, SIZE_MAX)), TH_ERR_VALUE)   \
  X(conn_new_fd_below_minus_one, tu_st_ptr(th_connection_new(F.ctx, -2)), TH_ERR_VALUE)        \
  X(conn_new_fd_not_open, tu_st_ptr(th_connection_new(F.ctx, 1 << 20)), TH_ERR_VALUE)          \
  X(recv_negative, st_bytes(th_connection_recv(F.conn, -1, 0)), TH_ERR_VALUE)               \
  X(read_negative, st_bytes(th_connection_read(F.conn, INT_MIN, 0)), TH_ERR_VALUE)          \
  X(recv_into_negative, th_connection_recv_into(F.conn, buf, sizeof buf, -1, 0), TH_ERR_VALUE) \
  X(recv_into_oversized, th_connection_recv_into(F.conn, buf, HUGE, 0, 0), TH_ERR_VALUE)    \
  X(recv_before_any_state_uninitialized, st_bytes(th_connection_recv(F.conn, 4, 0)),         \
    TH_ERR_SSL)                                                                             \
  X(send_oversized, th_connection_send(F.conn, buf, HUGE, 0), TH_ERR_VALUE)                 \
  X(write_oversized, th_connection_write(F.conn, buf, HUGE, 0), TH_ERR_VALUE)               \
  X(bio_write_oversized, th_connection_bio_write(F.conn, buf, HUGE), TH_ERR_VALUE)          \
  X(bio_write_on_socket, th_connection_bio_write(F.sock, buf, 4), TH_ERR_TYPE)              \
  X(bio_read_negative, st_bytes(th_connection_bio_read(F.conn, -1)), TH_ERR_VALUE)          \
  X(bio_read_on_socket, st_bytes(th_connection_bio_read(F.sock, 4)), TH_ERR_TYPE)           \
  X(bio_read_nothing_pending, st_bytes(th_connection_bio_read(F.conn, 4)), TH_ERR_WANT_READ) \
  X(bio_shutdown_on_socket, th_connection_bio_shutdown(F.sock), TH_ERR_TYPE)                \
  X(set_shutdown_unknown_bits, th_connection_set_shutdown(F.conn, 4), TH_ERR_VALUE)         \
  X(set_shutdown_negative, th_connection_set_shutdown(F.conn, -1), TH_ERR_VALUE)            \
  X(renegotiate_before_handshake, th_connection_renegotiate(F.conn), TH_ERR_SSL)            \
  X(host_name_with_nul,                                                                     \
    th_connection_set_tlsext_host_name(F.conn, (const unsigned char *)"a\0b", 3), TH_ERR_TYPE) \
  X(host_name_empty, th_connection_set_tlsext_host_name(F.conn, buf, 0), TH_ERR_VALUE)      \
  X(host_name_too_long,                                                                     \
    th_connection_set_tlsext_host_name(F.conn, (const unsigned char *)long_name, 256),      \
    TH_ERR_VALUE)                                                                           \
  X(conn_alpn_no_protocols, th_connection_set_alpn_protos(F.conn, protos, 0), TH_ERR_VALUE) \
  X(conn_alpn_empty_name, th_connection_set_alpn_protos(F.conn, (const char *[]){""}, 1),   \
    TH_ERR_VALUE)                                                                           \
  X(conn_alpn_long_name,                                                                    \
    th_connection_set_alpn_protos(F.conn, (const char *[]){"h2", long_name}, 2), TH_ERR_VALUE) \
  X(export_keying_material_zero,                                                            \
    st_bytes(th_connection_export_keying_material(F.conn, "EXPORTER", 0, NULL, 0)), TH_ERR_VALUE) \
  X(export_keying_material_huge,                                                            \
    st_bytes(th_connection_export_keying_material(F.conn, "EXPORTER", SIZE_MAX, NULL, 0)),  \
    TH_ERR_VALUE)                                                                           \
  X(export_keying_material_before_handshake,                                                \
    st_bytes(th_connection_export_keying_material(F.conn, "EXPORTER", 16, NULL, 0)), TH_ERR_SSL) \
  X(key_update_before_handshake, th_connection_key_update(F.conn, 1), TH_ERR_SSL)           \
  X(accept_on_memory, th_connection_accept(F.conn, &c_out, NULL, NULL), TH_ERR_TYPE)        \
  X(accept_not_listening, th_connection_accept(F.sock, &c_out, NULL, NULL), TH_ERR_SYSCALL) \
  X(bind_on_memory, th_connection_bind(F.conn, SA, sl), TH_ERR_TYPE)                        \
  X(listen_negative, th_connection_listen(F.sock, -1), TH_ERR_VALUE)                        \
  X(fileno_on_memory, th_connection_fileno(F.conn), TH_ERR_TYPE)                            \
  X(getpeername_unconnected, th_connection_getpeername(F.sock, SA, &sl), TH_ERR_SYSCALL)    \
  X(getsockopt_on_memory, th_connection_getsockopt(F.conn, SOL_SOCKET, SO_TYPE, buf, &sl),  \
    TH_ERR_TYPE)                                                                            \
  X(setblocking_on_memory, th_connection_setblocking(F.conn, 0), TH_ERR_TYPE)               \
  X(sock_shutdown_unknown_how, th_connection_sock_shutdown(F.sock, 99), TH_ERR_VALUE)       \
  X(close_on_memory, th_connection_close(F.conn), TH_ERR_TYPE)

#define VDEFINE(id, call, kind) \
  static int vrun_##id(void) { return (call); }
VALUE_CASES(VDEFINE)

struct value_case {
  const char *name;
  int (*run)(void);
  int kind;
};
#define VENTRY(id, call, kind) {#id, vrun_##id, kind},
static const struct value_case vcases[] = {VALUE_CASES(VENTRY)};
#define NVCASES (sizeof vcases / sizeof vcases[0])

ParameterizedTestParameters(ssl_bad_args, bad_value) {
  static int idx[NVCASES];
  for (size_t i = 0; i < NVCASES; i++) idx[i] = (int)i;
  return cr_make_param_array(int, idx, NVCASES);
}

ParameterizedTest(int *i, ssl_bad_args, bad_value) {
  const struct value_case *c = &vcases[*i];
  memset(long_name, 'a', 256);
  sl = sizeof sin_;
  th_error_clear();
  int rc = c->run();
  cr_assert_eq(rc, c->kind, "%s: got %d, want %s: %s", c->name, rc, th_err_name(c->kind),
               tu_err());
  cr_assert_eq(th_error_kind(), c->kind, "%s: the record says %s", c->name,
               th_err_name(th_error_kind()));
  cr_assert_neq(th_error_last()->message[0], '\0', "%s: no message", c->name);
}

/* Garbage bytes where a handshake expects a ClientHello: TH_ERR_SSL with
 * OpenSSL's reason in the record. */
Test(ssl_bad_args, garbage_into_handshake) {
  cr_assert_eq(th_connection_set_accept_state(F.conn), TH_OK);
  static const char junk[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n this is not TLS at all";
  cr_assert_eq(th_connection_bio_write(F.conn, junk, sizeof junk), (int)sizeof junk);
  cr_assert_eq(th_connection_do_handshake(F.conn), TH_ERR_SSL);
  cr_assert_gt(th_error_last()->queue_len, 0u, "%s", tu_err());
  /* A client fed garbage as the server's answer fails the same way. */
  th_context *cctx = ts_client_ctx(0, 0);
  th_connection *c = th_connection_new(cctx, -1);
  cr_assert_eq(th_connection_set_connect_state(c), TH_OK);
  cr_assert_eq(th_connection_do_handshake(c), TH_ERR_WANT_READ);
  unsigned char rnd[200];
  for (size_t i = 0; i < sizeof rnd; i++) rnd[i] = (unsigned char)(i * 37 + 11);
  rnd[0] = 0x16; /* a handshake record header with nonsense inside */
  cr_assert_eq(th_connection_bio_write(c, rnd, sizeof rnd), (int)sizeof rnd);
  cr_assert_eq(th_connection_do_handshake(c), TH_ERR_SSL, "%s", tu_err());
  th_connection_free(c);
  th_context_free(cctx);
}

/* A real session's DER cut short, or with a flipped tag, is not a session. */
Test(ssl_bad_args, truncated_session_der) {
  th_context *s = ts_server_ctx(TH_TLS1_2_VERSION, 0), *c = ts_client_ctx(TH_TLS1_2_VERSION, 0);
  ts_pair p;
  ts_pair_new(&p, c, s);
  ts_connect(&p);
  th_session *sess = NULL;
  cr_assert_eq(th_connection_get_session(p.client, &sess), TH_OK);
  th_bytes *der = th_session_to_der(sess);
  cr_assert_not_null(der, "%s", tu_err());
  th_session *back = th_session_from_der(der->data, der->len);
  cr_assert_not_null(back, "%s", tu_err());
  th_session_free(back);
  cr_assert_null(th_session_from_der(der->data, der->len / 2));
  cr_assert_eq(th_error_kind(), TH_ERR_SSL);
  der->data[0] ^= 0xff;
  cr_assert_null(th_session_from_der(der->data, der->len));
  cr_assert_eq(th_error_kind(), TH_ERR_SSL);
  th_bytes_free(der);
  th_session_free(sess);
  ts_pair_free(&p);
  th_context_free(c);
  th_context_free(s);
}

/* up_ref of NULL or of another class is NULL (and takes no reference). */
Test(ssl_bad_args, up_ref_wrong_type) {
  cr_assert_null(th_context_up_ref(NULL));
  cr_assert_null(th_context_up_ref((th_context *)F.curve));
  cr_assert_null(th_session_up_ref((th_session *)F.curve));
  cr_assert_null(th_connection_up_ref((th_connection *)F.curve));
  cr_assert_null(th_connection_up_ref((th_connection *)F.ctx));
  /* free is NULL-safe */
  th_context_free(NULL);
  th_session_free(NULL);
  th_connection_free(NULL);
}
