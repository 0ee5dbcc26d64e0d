/* connection_io_test.c — SSL.Connection's data methods: recv / read /
 * recv_into (MSG_PEEK), send / write / sendall, pending, bio_read /
 * bio_write, want_read / want_write. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "testutil_ssl.h"

static ts_pair p;
static void setup(void) {}
static void teardown(void) { ts_pair_free(&p); }
TestSuite(connection_io, .init = setup, .fini = teardown);

ParameterizedTestParameters(connection_io, recv_peek_and_read) {
  static int v[] = {TLS1_2_VERSION, TLS1_3_VERSION};
  return cr_make_param_array(int, v, 2);
}

ParameterizedTest(int *version, connection_io, recv_peek_and_read) {
  ts_pair_new_v(&p, *version, 0, 0);
  ts_connect(&p);
  cr_assert_eq(th_connection_send(p.client, "hello world", 11, 0), 11);
  ts_pump(&p);
  th_bytes *b = th_connection_recv(p.server, 5, MSG_PEEK);
  cr_assert_not_null(b, "%s", tu_err());
  cr_assert_eq(b->len, 5u);
  cr_assert_str_eq((char *)b->data, "hello");
  th_bytes_free(b);
  /* Peeking left the bytes in place (decrypted: pending counts them). */
  cr_assert_eq(th_connection_pending(p.server), 11);
  b = th_connection_recv(p.server, 5, 0);
  cr_assert_str_eq((char *)b->data, "hello");
  th_bytes_free(b);
  cr_assert_eq(th_connection_pending(p.server), 6);
  b = th_connection_read(p.server, 100, 0);
  cr_assert_eq(b->len, 6u);
  cr_assert_str_eq((char *)b->data, " world");
  th_bytes_free(b);
  cr_assert_eq(th_connection_pending(p.server), 0);
  /* Nothing more: WANT_READ, and want_read says so. */
  cr_assert_null(th_connection_recv(p.server, 100, 0));
  cr_assert_eq(th_error_kind(), TH_ERR_WANT_READ);
  cr_assert_eq(th_connection_want_read(p.server), 1);
  cr_assert_eq(th_connection_want_write(p.server), 0);
}

Test(connection_io, recv_flags_other_than_peek_ignored) {
  ts_pair_new_v(&p, 0, 0, 0);
  ts_connect(&p);
  th_connection_write(p.client, "abc", 3, 0);
  ts_pump(&p);
  th_bytes *b = th_connection_recv(p.server, 10, MSG_DONTWAIT | MSG_OOB);
  cr_assert_not_null(b, "%s", tu_err());
  cr_assert_str_eq((char *)b->data, "abc");
  th_bytes_free(b);
}

Test(connection_io, recv_bad_input) {
  ts_pair_new_v(&p, 0, 0, 0);
  ts_connect(&p);
  cr_assert_null(th_connection_recv(p.server, -1, 0));
  cr_assert_eq(th_error_kind(), TH_ERR_VALUE);
  cr_assert_null(th_connection_recv(NULL, 1, 0));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  th_context *ctx = th_connection_get_context(p.server);
  cr_assert_null(th_connection_recv((th_connection *)ctx, 1, 0));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  th_context_free(ctx);
  th_bytes *b = th_connection_recv(p.server, 0, 0);
  cr_assert_not_null(b);
  cr_assert_eq(b->len, 0u);
  th_bytes_free(b);
}

Test(connection_io, recv_into_nbytes_and_peek) {
  ts_pair_new_v(&p, 0, 0, 0);
  ts_connect(&p);
  th_connection_send(p.client, "0123456789", 10, 0);
  ts_pump(&p);
  char buf[8] = {0};
  cr_assert_eq(th_connection_recv_into(p.server, buf, sizeof buf, 3, MSG_PEEK), 3);
  cr_assert_arr_eq(buf, "012", 3);
  cr_assert_eq(th_connection_recv_into(p.server, buf, sizeof buf, 3, 0), 3);
  cr_assert_arr_eq(buf, "012", 3);
  /* nbytes larger than the buffer is cut to the buffer. */
  cr_assert_eq(th_connection_recv_into(p.server, buf, 4, 100, 0), 4);
  cr_assert_arr_eq(buf, "3456", 4);
  /* nbytes 0: the whole buffer. */
  cr_assert_eq(th_connection_recv_into(p.server, buf, sizeof buf, 0, 0), 3);
  cr_assert_arr_eq(buf, "789", 3);
  cr_assert_eq(th_connection_recv_into(p.server, buf, sizeof buf, 0, 0), TH_ERR_WANT_READ);
}

Test(connection_io, recv_into_bad_input) {
  ts_pair_new_v(&p, 0, 0, 0);
  char buf[4];
  cr_assert_eq(th_connection_recv_into(p.server, NULL, 4, 0, 0), TH_ERR_TYPE);
  cr_assert_eq(th_connection_recv_into(p.server, buf, 4, -1, 0), TH_ERR_VALUE);
  cr_assert_eq(th_connection_recv_into(p.server, buf, (size_t)INT_MAX + 1, 0, 0), TH_ERR_VALUE);
  cr_assert_eq(th_connection_recv_into(NULL, buf, 4, 0, 0), TH_ERR_TYPE);
  cr_assert_eq(th_connection_recv_into(p.server, buf, 0, 0, 0), 0);
}

Test(connection_io, send_and_write_bad_input) {
  ts_pair_new_v(&p, 0, 0, 0);
  ts_connect(&p);
  cr_assert_eq(th_connection_send(p.client, NULL, 3, 0), TH_ERR_TYPE);
  cr_assert_eq(th_connection_send(p.client, "x", (size_t)INT_MAX + 1, 0), TH_ERR_VALUE);
  cr_assert(strstr(th_error_last()->message, "2**31-1") != NULL);
  cr_assert_eq(th_connection_write(NULL, "x", 1, 0), TH_ERR_TYPE);
  cr_assert_eq(th_connection_send(p.client, "", 0, 0), 0);
  cr_assert_eq(th_connection_sendall(p.client, NULL, 1, 0, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_connection_sendall(NULL, "x", 1, 0, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_connection_sendall(p.client, "", 0, 0, NULL), TH_OK);
  /* Nothing to send: NULL is fine then, and OpenSSL is not called. */
  cr_assert_eq(th_connection_send(p.client, NULL, 0, 0), 0);
  size_t sent = 99;
  cr_assert_eq(th_connection_sendall(p.client, NULL, 0, 0, &sent), TH_OK);
  cr_assert_eq(sent, 0);
  cr_assert_eq(th_connection_bio_write(p.client, NULL, 0), 0);
}

Test(connection_io, send_before_handshake_starts_it) {
  ts_pair_new_v(&p, 0, 0, 0);
  /* The client's first write runs the handshake: it wants to read. */
  cr_assert_eq(th_connection_send(p.client, "early", 5, 0), TH_ERR_WANT_READ);
  cr_assert_eq(ts_handshake(&p, NULL, NULL, 0), TH_OK);
  cr_assert_eq(th_connection_send(p.client, "early", 5, 0), 5);
  ts_pump(&p);
  th_bytes *b = th_connection_recv(p.server, 10, 0);
  cr_assert_str_eq((char *)b->data, "early");
  th_bytes_free(b);
}

Test(connection_io, sendall_large_buffer) {
  ts_pair_new_v(&p, 0, 0, 0);
  ts_connect(&p);
  size_t n = 100000;
  unsigned char *data = malloc(n), *got = malloc(n);
  for (size_t i = 0; i < n; i++) data[i] = (unsigned char)(i * 7);
  size_t sent = 0;
  cr_assert_eq(th_connection_sendall(p.client, data, n, 0, &sent), TH_OK, "%s", tu_err());
  cr_assert_eq(sent, n);
  ts_pump(&p);
  size_t have = 0;
  for (int i = 0; i < 100 && have < n; i++) {
    int r = th_connection_recv_into(p.server, got + have, n - have, 0, 0);
    cr_assert_gt(r, 0, "%s", tu_err());
    have += (size_t)r;
  }
  cr_assert_eq(have, n);
  cr_assert_arr_eq(got, data, n);
  free(data);
  free(got);
}

Test(connection_io, send_partial_write) {
  /* A send of more than one record returns what one SSL_write took (with
   * partial writes enabled, at most one record of 16384 bytes). */
  ts_pair_new_v(&p, 0, 0, 0);
  ts_connect(&p);
  size_t n = 40000;
  unsigned char *data = calloc(1, n);
  int r = th_connection_send(p.client, data, n, 0);
  cr_assert_gt(r, 0, "%s", tu_err());
  cr_assert_leq(r, (int)n);
  SSL *ssl = th_connection_to_ssl(p.client);
  cr_assert(SSL_get_mode(ssl) & SSL_MODE_ENABLE_PARTIAL_WRITE);
  cr_assert(SSL_get_mode(ssl) & SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_free(ssl);
  free(data);
}

Test(connection_io, pending_and_wants_bad_input) {
  cr_assert_eq(th_connection_pending(NULL), TH_ERR_TYPE);
  cr_assert_eq(th_connection_want_read(NULL), TH_ERR_TYPE);
  cr_assert_eq(th_connection_want_write(NULL), TH_ERR_TYPE);
  th_context *ctx = ts_client_ctx(0, 0);
  cr_assert_eq(th_connection_pending((th_connection *)ctx), TH_ERR_TYPE);
  cr_assert_eq(th_connection_want_read((th_connection *)ctx), TH_ERR_TYPE);
  cr_assert_eq(th_connection_want_write((th_connection *)ctx), TH_ERR_TYPE);
  th_context_free(ctx);
}

Test(connection_io, bio_read_write) {
  ts_pair_new_v(&p, 0, 0, 0);
  /* Nothing written yet: WANT_READ. */
  cr_assert_null(th_connection_bio_read(p.client, 100));
  cr_assert_eq(th_error_kind(), TH_ERR_WANT_READ);
  cr_assert_eq(th_connection_do_handshake(p.client), TH_ERR_WANT_READ);
  /* The ClientHello, read in two parts. */
  th_bytes *a = th_connection_bio_read(p.client, 5);
  cr_assert_not_null(a, "%s", tu_err());
  cr_assert_eq(a->len, 5u);
  cr_assert_eq(a->data[0], 0x16); /* handshake record */
  th_bytes *b = th_connection_bio_read(p.client, 100000);
  cr_assert_gt(b->len, 0u);
  cr_assert_eq(th_connection_bio_write(p.server, a->data, a->len), 5);
  cr_assert_eq(th_connection_bio_write(p.server, b->data, b->len), (int)b->len);
  th_bytes_free(a);
  th_bytes_free(b);
  cr_assert_eq(th_connection_do_handshake(p.server), TH_ERR_WANT_READ);
  cr_assert_eq(ts_handshake(&p, NULL, NULL, 0), TH_OK);
  th_bytes *z = th_connection_bio_read(p.client, 0);
  cr_assert_eq(z->len, 0u);
  th_bytes_free(z);
  cr_assert_eq(th_connection_bio_write(p.client, "", 0), 0);
}

Test(connection_io, bio_bad_input) {
  ts_pair_new_v(&p, 0, 0, 0);
  cr_assert_null(th_connection_bio_read(p.client, -1));
  cr_assert_eq(th_error_kind(), TH_ERR_VALUE);
  cr_assert_eq(th_connection_bio_write(p.client, NULL, 1), TH_ERR_TYPE);
  cr_assert_eq(th_connection_bio_write(p.client, "x", (size_t)INT_MAX + 1), TH_ERR_VALUE);
  cr_assert_null(th_connection_bio_read(NULL, 1));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  cr_assert_eq(th_connection_bio_write(NULL, "x", 1), TH_ERR_TYPE);
  cr_assert_eq(th_connection_bio_shutdown(NULL), TH_ERR_TYPE);
}

Test(connection_io, bio_methods_on_socket_connection_are_type_errors) {
  th_context *ctx = ts_client_ctx(0, 0);
  int sv[2];
  cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  th_connection *c = th_connection_new(ctx, sv[0]);
  cr_assert_null(th_connection_bio_read(c, 10));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  cr_assert(strstr(th_error_last()->message, "sock was not None") != NULL);
  cr_assert_eq(th_connection_bio_write(c, "x", 1), TH_ERR_TYPE);
  cr_assert_eq(th_connection_bio_shutdown(c), TH_ERR_TYPE);
  th_connection_free(c);
  close(sv[0]);
  close(sv[1]);
  th_context_free(ctx);
}

Test(connection_io, want_write_on_nonblocking_full_socket) {
  /* A socket connection whose peer never reads: writes end in WANT_WRITE. */
  ts_pair_new_v(&p, 0, 0, 0);
  ts_connect(&p);
  SSL *cs = th_connection_to_ssl(p.client);
  SSL *ss = th_connection_to_ssl(p.server);
  int sv[2];
  cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
  /* Move the established client onto the socket. */
  SSL_set_fd(cs, sv[0]);
  static unsigned char chunk[16384];
  int rc = 0;
  for (int i = 0; i < 10000 && rc >= 0; i++) rc = th_connection_send(p.client, chunk, sizeof chunk, 0);
  cr_assert_eq(rc, TH_ERR_WANT_WRITE, "%s", tu_err());
  cr_assert_eq(th_connection_want_write(p.client), 1);
  SSL_free(cs);
  SSL_free(ss);
  close(sv[0]);
  close(sv[1]);
}
