/* loopback_observe_test.c — records per direction, the transcript text,
 * info-callback states, the NSS key log, and the pcap export read (and
 * decrypted) by tshark. */
#include <criterion/criterion.h>
#include <string.h>

#include "testutil.h"
#include "testutil_loopback.h"

TestSuite(loopback_observe);

#define C TH_LOOPBACK_CLIENT
#define S TH_LOOPBACK_SERVER

static const char REQ[] = "GET /loopback-pcap HTTP/1.0\r\n\r\n";

#define ALL TH_LOOPBACK_OBSERVE_ALL

static th_loopback_pair *conversation(int transport, int version) {
  th_loopback_pair *p = tl_pair_observed(transport, version, ALL);
  tl_assert_rc(p, th_loopback_handshake(p), TH_OK);
  tl_assert_rc(p, th_loopback_send(p, C, (const unsigned char *)REQ, strlen(REQ)), TH_OK);
  tl_assert_rc(p, th_loopback_expect(p, S, (const unsigned char *)REQ, strlen(REQ)), TH_OK);
  tl_assert_rc(p, th_loopback_shutdown(p, C), TH_OK);
  return p;
}

Test(loopback_observe, records_of_a_tls12_handshake) {
  th_loopback_pair *p = conversation(TH_LOOPBACK_PUMP, TLS1_2_VERSION);
  int n = th_loopback_record_count(p);
  cr_assert_geq(n, 10, "%s", tl_transcript(p));
  th_loopback_record r;
  cr_assert_eq(th_loopback_record_get(p, 0, &r), TH_OK);
  cr_assert_eq(r.from, C);
  cr_assert_eq(r.content_type, 22);
  cr_assert_eq(r.n_msgs, 1);
  cr_assert_eq(r.msg_types[0], 1); /* ClientHello */
  cr_assert_eq(r.encrypted, 0);
  cr_assert_eq(th_loopback_record_get(p, 1, &r), TH_OK);
  cr_assert_eq(r.from, S);
  cr_assert_eq(r.msg_types[0], 2); /* ServerHello */
  cr_assert_eq(r.version, 0x0303);
  /* The last record is the server's close_notify, encrypted in 1.2. */
  cr_assert_eq(th_loopback_record_get(p, (size_t)n - 1, &r), TH_OK);
  cr_assert_eq(r.content_type, 21);
  cr_assert_eq(r.encrypted, 1);
  cr_assert_eq(th_loopback_record_get(p, (size_t)n, &r), TH_ERR_INDEX);
  cr_assert_eq(th_loopback_record_get(p, 0, NULL), TH_ERR_TYPE);
  const char *t = tl_transcript(p);
  cr_assert(strstr(t, "C->S handshake 0x0301 len") != NULL, "%s", t);
  cr_assert(strstr(t, ": ClientHello\n") != NULL, "%s", t);
  cr_assert(strstr(t, "S->C handshake 0x0303 len 4: ServerHelloDone\n") != NULL, "%s", t);
  cr_assert(strstr(t, "C->S change_cipher_spec 0x0303 len 1\n") != NULL, "%s", t);
  cr_assert(strstr(t, "C->S application_data 0x0303") != NULL, "%s", t);
  cr_assert(strstr(t, "S->C end of file") == NULL, "%s", t);
  th_loopback_pair_free(p);
}

Test(loopback_observe, plaintext_alert_is_decoded) {
  /* A client that trusts nothing rejects the server: its alert goes out
   * in plaintext in TLS 1.2 and is named in the transcript. */
  SSL_CTX *s = tl_server_ctx(TLS1_2_VERSION), *c = SSL_CTX_new(TLS_method());
  SSL_CTX_set_verify(c, SSL_VERIFY_PEER, NULL);
  SSL_CTX_set_max_proto_version(c, TLS1_2_VERSION);
  th_loopback_pair *p = th_loopback_pair_new_raw(s, c, TH_LOOPBACK_PUMP);
  SSL_CTX_free(s);
  SSL_CTX_free(c);
  cr_assert_eq(th_loopback_pair_observe(p, ALL), TH_OK, "%s", tu_err());
  th_loopback_result res;
  tl_assert_rc(p, th_loopback_drive(p, NULL, &res), TH_ERR_SSL);
  cr_assert_eq(res.side, C);
  cr_assert(strstr(tu_err(), "certificate verify failed") != NULL, "%s", tu_err());
  const char *t = tl_transcript(p);
  cr_assert(strstr(t, "C->S alert 0x0303 len 2: fatal unknown CA") != NULL, "%s", t);
  /* The alert was delivered: the server fails reading it. */
  tl_assert_rc(p, th_loopback_handshake(p), TH_ERR_SSL);
  cr_assert(strstr(tu_err(), "server") != NULL && strstr(tu_err(), "unknown ca") != NULL, "%s", tu_err());
  th_list *l = th_loopback_info_states(p, S);
  int seen = 0;
  for (size_t i = 0; i < l->count; i++)
    seen |= strcmp((const char *)((th_bytes *)l->items[i])->data, "ALERT read: fatal: unknown CA") == 0;
  th_list_free(l);
  cr_assert(seen);
  th_loopback_pair_free(p);
}

Test(loopback_observe, info_states_in_order) {
  th_loopback_pair *p = tl_pair_observed(TH_LOOPBACK_DIRECT, TLS1_3_VERSION, TH_LOOPBACK_OBSERVE_STATES);
  tl_assert_rc(p, th_loopback_handshake(p), TH_OK);
  th_list *l = th_loopback_info_states(p, C);
  cr_assert_not_null(l);
  const char *want[] = {"HANDSHAKE_START: before SSL initialization", "LOOP: before SSL initialization",
                        "LOOP: SSLv3/TLS write client hello"};
  for (int i = 0; i < 3; i++)
    cr_assert_str_eq((const char *)((th_bytes *)l->items[i])->data, want[i]);
  const char *last = (const char *)((th_bytes *)l->items[l->count - 1])->data;
  cr_assert_str_eq(last, "EXIT ok: SSL negotiation finished successfully");
  th_list_free(l);
  l = th_loopback_info_states(p, S);
  int done = 0;
  for (size_t i = 0; i < l->count; i++)
    done += strncmp((const char *)((th_bytes *)l->items[i])->data, "HANDSHAKE_DONE", 14) == 0;
  cr_assert_eq(done, 1);
  th_list_free(l);
  cr_assert_null(th_loopback_info_states(p, 2));
  cr_assert_eq(th_error_kind(), TH_ERR_VALUE);
  cr_assert_null(th_loopback_info_states(NULL, 0));
  cr_assert_eq(th_error_kind(), TH_ERR_TYPE);
  th_loopback_pair_free(p);
}

static int ctx_info_calls;
static void ctx_info(const SSL *ssl, int where, int ret) { ctx_info_calls++; }
static int ctx_keylog_calls;
static void ctx_keylog(const SSL *ssl, const char *line) { ctx_keylog_calls++; }

Test(loopback_observe, the_contexts_own_callbacks_keep_running) {
  SSL_CTX *s = tl_server_ctx(TLS1_3_VERSION), *c = tl_client_ctx(TLS1_3_VERSION);
  SSL_CTX_set_info_callback(c, ctx_info);
  SSL_CTX_set_keylog_callback(c, ctx_keylog);
  th_loopback_pair *p = th_loopback_pair_new_raw(s, c, TH_LOOPBACK_PUMP);
  cr_assert_eq(th_loopback_pair_observe(p, ALL), TH_OK, "%s", tu_err());
  cr_assert(SSL_CTX_get_keylog_callback(c) != ctx_keylog); /* ours, chained to it */
  tl_assert_rc(p, th_loopback_handshake(p), TH_OK);
  cr_assert_gt(ctx_info_calls, 5);
  cr_assert_eq(ctx_keylog_calls, 5); /* the client's five TLS 1.3 secrets */
  th_bytes *k = th_loopback_keylog(p);
  cr_assert_not_null(k);
  cr_assert(strstr((const char *)k->data, "CLIENT_TRAFFIC_SECRET_0 ") != NULL);
  th_bytes_free(k);
  th_loopback_pair_free(p);
  /* The last observing pair gave the context its own callback back. */
  cr_assert(SSL_CTX_get_keylog_callback(c) == ctx_keylog);
  SSL_CTX_free(s);
  SSL_CTX_free(c);
}

Test(loopback_observe, keylog_lines) {
  th_loopback_pair *p = conversation(TH_LOOPBACK_PUMP, TLS1_2_VERSION);
  th_bytes *k = th_loopback_keylog(p);
  cr_assert_not_null(k);
  /* TLS 1.2: one CLIENT_RANDOM line per side, 32-byte random, 48-byte secret. */
  const char *line = (const char *)k->data;
  cr_assert_eq(strncmp(line, "CLIENT_RANDOM ", 14), 0, "%s", line);
  cr_assert_eq(k->len, 2 * (14 + 64 + 1 + 96 + 1), "%s", line);
  th_bytes_free(k);
  th_loopback_pair_free(p);
}

static int have_tshark(void) {
  char out[256];
  return tu_sh(out, sizeof out, "command -v tshark") == 0;
}

static void tshark_decrypts(int transport, int version) {
  if (!have_tshark()) cr_skip_test("UNSUPPORTED: tshark not installed (tools/bootstrap installs it)");
  th_loopback_pair *p = conversation(transport, version);
  char pcap[1024], keys[1024];
  snprintf(pcap, sizeof pcap, "%s", tu_path("conv.pcap"));
  snprintf(keys, sizeof keys, "%s", tu_path("conv.keys"));
  cr_assert_eq(th_loopback_write_pcap(p, pcap), TH_OK, "%s", tu_err());
  cr_assert_eq(th_loopback_write_keylog(p, keys), TH_OK, "%s", tu_err());
  char out[8192];
  /* Without keys: TLS records, no HTTP. */
  int st = tu_sh(out, sizeof out, "tshark -r %s -Y tls -T fields -e tls.record.content_type 2>&1", pcap);
  cr_assert_eq(st, 0, "%s", out);
  cr_assert(strstr(out, "22") != NULL, "%s", out);
  st = tu_sh(out, sizeof out, "tshark -r %s -Y http -T fields -e http.request.uri 2>&1", pcap);
  cr_assert(strstr(out, "/loopback-pcap") == NULL, "%s", out);
  /* With the key log: the application data decrypts. */
  st = tu_sh(out, sizeof out, "tshark -r %s -o tls.keylog_file:%s -Y http -T fields -e http.request.uri 2>&1",
             pcap, keys);
  cr_assert_eq(st, 0, "%s", out);
  cr_assert(strstr(out, "/loopback-pcap") != NULL, "tshark did not decrypt:\n%s", out);
  /* TCP is consistent: no analysis warnings (bad sequence, lost segment). */
  st = tu_sh(out, sizeof out, "tshark -r %s -Y 'tcp.analysis.flags || tcp.checksum.status == 0' 2>&1 | grep -v 'Running as'", pcap);
  cr_assert_str_eq(out, "", "%s", out);
  th_loopback_pair_free(p);
}

Test(loopback_observe, tshark_decrypts_tls13_pcap) { tshark_decrypts(TH_LOOPBACK_PUMP, TLS1_3_VERSION); }
Test(loopback_observe, tshark_decrypts_tls12_pcap) { tshark_decrypts(TH_LOOPBACK_DIRECT, TLS1_2_VERSION); }

Test(loopback_observe, pcap_is_deterministic_in_layout) {
  th_loopback_pair *p = tl_pair_observed(TH_LOOPBACK_PUMP, TLS1_3_VERSION, TH_LOOPBACK_OBSERVE_PCAP);
  th_bytes *b = th_loopback_pcap(p);
  /* A pair with no traffic: the global header and the 3-packet SYN handshake. */
  cr_assert_eq(b->len, 24u + 3 * (16 + 54));
  cr_assert_eq(b->data[0], 0xd4);
  cr_assert_eq(b->data[20], 1); /* Ethernet */
  th_bytes_free(b);
  cr_assert_eq(th_loopback_write_pcap(p, "/nonexistent/dir/x.pcap"), TH_ERR_SYSCALL);
  cr_assert_eq(th_loopback_write_pcap(p, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_loopback_write_keylog(p, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_loopback_write_keylog(NULL, "x"), TH_ERR_TYPE);
  th_loopback_pair_free(p);
}

Test(loopback_observe, handshake_type_names) {
  cr_assert_str_eq(th_loopback_handshake_type_name(1), "ClientHello");
  cr_assert_str_eq(th_loopback_handshake_type_name(20), "Finished");
  cr_assert_str_eq(th_loopback_handshake_type_name(4), "NewSessionTicket");
  cr_assert_str_eq(th_loopback_handshake_type_name(-1), "unknown");
  cr_assert_str_eq(th_loopback_handshake_type_name(99), "unknown");
  /* Every type the transcript names (RFC 8446 4 and RFC 5246 7.4). */
  static const struct {
    int type;
    const char *name;
  } all[] = {{0, "HelloRequest"},        {1, "ClientHello"},         {2, "ServerHello"},
             {4, "NewSessionTicket"},    {5, "EndOfEarlyData"},      {8, "EncryptedExtensions"},
             {11, "Certificate"},        {12, "ServerKeyExchange"},  {13, "CertificateRequest"},
             {14, "ServerHelloDone"},    {15, "CertificateVerify"},  {16, "ClientKeyExchange"},
             {20, "Finished"},           {22, "CertificateStatus"},  {24, "KeyUpdate"},
             {3, "unknown"},             {254, "unknown"}};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
    cr_assert_str_eq(th_loopback_handshake_type_name(all[i].type), all[i].name, "type %d", all[i].type);
}

/* The worked example of docs/loopback.md: an application reading a reply
 * through the Connection API sees a truncated reply as an error. */
static int app_fetch(th_connection *conn, char *out, size_t n) {
  size_t got = 0;
  for (int i = 0; i < 100 && got < 23; i++) {
    th_bytes *b = th_connection_recv(conn, (int)(n - got), 0);
    if (b == NULL) return th_error_kind();
    memcpy(out + got, b->data, b->len);
    got += b->len;
    th_bytes_free(b);
  }
  return (int)got;
}

Test(loopback_observe, truncated_reply_reaches_the_application) {
  SSL_CTX *rs = tl_server_ctx(TLS1_3_VERSION), *rc = tl_client_ctx(TLS1_3_VERSION);
  th_context *s = th_context_from_ssl_ctx(rs), *c = th_context_from_ssl_ctx(rc);
  SSL_CTX_free(rs);
  SSL_CTX_free(rc);
  th_loopback_pair *p = th_loopback_pair_new(s, c, TH_LOOPBACK_PUMP);
  cr_assert_eq(th_loopback_pair_observe(p, TH_LOOPBACK_OBSERVE_TRANSCRIPT), TH_OK, "%s", tu_err());
  tl_assert_rc(p, th_loopback_handshake(p), TH_OK);
  cr_assert_geq(th_loopback_flush_tickets(p), 0);
  size_t sent = 0;
  int n = th_loopback_record_count(p);
  th_loopback_record r;
  for (int i = 0; i < n; i++) {
    th_loopback_record_get(p, (size_t)i, &r);
    if (r.from == TH_LOOPBACK_SERVER) sent += 5 + r.length;
  }
  th_loopback_fault cut = {TH_LOOPBACK_FAULT_TRUNCATE, TH_LOOPBACK_SERVER, 0, sent + 10, NULL, 0, TH_LOOPBACK_AT_BYTE};
  cr_assert_eq(th_loopback_pair_add_fault(p, &cut), TH_OK);
  th_connection *client = th_loopback_pair_connection(p, TH_LOOPBACK_CLIENT);
  tl_assert_rc(p, th_loopback_send(p, TH_LOOPBACK_SERVER, (const unsigned char *)"HTTP/1.0 200 OK\r\n\r\nbody", 23), TH_OK);
  char body[64];
  int got = app_fetch(client, body, sizeof body);
  cr_assert_lt(got, 0, "app_fetch accepted a truncated reply\ntranscript:\n%s", tl_transcript(p));
  cr_assert_eq(got, TH_ERR_SYSCALL, "%s", tu_err());
  cr_assert_eq(th_error_last()->sys_errno, -1);
  cr_assert(strstr(tl_transcript(p), "S->C fault: truncated the stream at byte") != NULL);
  th_connection_free(client);
  th_loopback_pair_free(p);
  th_context_free(s);
  th_context_free(c);
}

/* ---- the record parser: split messages, odd records, non-TLS bytes ------------ */

/* The S->C records of the transcript, in order. */
static int server_records(th_loopback_pair *p, th_loopback_record *out, int max) {
  int n = th_loopback_record_count(p), k = 0;
  for (int i = 0; i < n && k < max; i++) {
    th_loopback_record r;
    cr_assert_eq(th_loopback_record_get(p, (size_t)i, &r), TH_OK);
    if (r.from == S) out[k++] = r;
  }
  return k;
}

static int der_len(X509 *x) { return i2d_X509(x, NULL); }

Test(loopback_observe, handshake_message_split_across_records) {
  /* A server that sends records of at most 512 bytes and a two-certificate
   * chain: its TLS 1.2 Certificate message (RFC 5246 7.4.2: 4-byte header,
   * 3-byte list length, 3-byte length per certificate) spans two records.
   * The continuation starts no message; the next record is parsed from its
   * own message header again. */
  SSL_CTX *s = tl_server_ctx(TLS1_2_VERSION), *c = tl_client_ctx(TLS1_2_VERSION);
  cr_assert_eq(SSL_CTX_add1_chain_cert(s, tl_ca()), 1);
  SSL_CTX_set_max_send_fragment(s, 512);
  th_loopback_pair *p = th_loopback_pair_new_raw(s, c, TH_LOOPBACK_PUMP);
  SSL_CTX_free(s);
  SSL_CTX_free(c);
  cr_assert_eq(th_loopback_pair_observe(p, TH_LOOPBACK_OBSERVE_TRANSCRIPT), TH_OK, "%s", tu_err());
  tl_assert_rc(p, th_loopback_handshake(p), TH_OK);
  size_t cert_msg = 4 + 3 + 3 + (size_t)der_len(tl_server_cert()) + 3 + (size_t)der_len(tl_ca());
  cr_assert_gt(cert_msg, 512);
  cr_assert_leq(cert_msg, 1024);
  th_loopback_record r[16];
  int n = server_records(p, r, 16);
  cr_assert_geq(n, 5, "%s", tl_transcript(p));
  int want_types[5] = {2, 11, -1, 12, 14}; /* -1: the continuation, no message starts */
  size_t want_len[5] = {0, 512, cert_msg - 512, 0, 4};
  for (int i = 0; i < 5; i++) {
    cr_assert_eq(r[i].content_type, 22, "record %d\n%s", i, tl_transcript(p));
    cr_assert_eq(r[i].encrypted, 0);
    cr_assert_eq(r[i].n_msgs, want_types[i] < 0 ? 0 : 1, "record %d\n%s", i, tl_transcript(p));
    if (want_types[i] >= 0) cr_assert_eq(r[i].msg_types[0], want_types[i], "record %d", i);
    if (want_len[i] != 0) cr_assert_eq(r[i].length, want_len[i], "record %d\n%s", i, tl_transcript(p));
  }
  char line[64];
  snprintf(line, sizeof line, "\nS->C handshake 0x0303 len %zu\n", cert_msg - 512);
  cr_assert(strstr(tl_transcript(p), line) != NULL, "%s", tl_transcript(p));
  cr_assert(strstr(tl_transcript(p), "S->C handshake 0x0303 len 512: Certificate\n") != NULL, "%s",
            tl_transcript(p));
  th_loopback_pair_free(p);
}

/* A pair whose client puts `bytes` on the wire before its ClientHello, run
 * until the server rejects them; the transcript observed. */
static th_loopback_pair *injected(const unsigned char *bytes, size_t len) {
  th_loopback_pair *p = tl_pair_observed(TH_LOOPBACK_PUMP, TLS1_2_VERSION,
                                         TH_LOOPBACK_OBSERVE_TRANSCRIPT | TH_LOOPBACK_OBSERVE_PCAP);
  th_loopback_fault f = {TH_LOOPBACK_FAULT_INJECT, C, 0, 0, bytes, len, TH_LOOPBACK_AT_BYTE};
  cr_assert_eq(th_loopback_pair_add_fault(p, &f), TH_OK, "%s", tu_err());
  th_loopback_result res;
  tl_assert_rc(p, th_loopback_drive(p, NULL, &res), TH_ERR_SSL);
  cr_assert_eq(res.side, S, "%s", tu_err());
  return p;
}

Test(loopback_observe, handshake_header_split_across_records) {
  /* Two plaintext handshake records: the first holds a whole message (type
   * 1, empty) and the first two bytes of the next header (type 11); the
   * second the rest of that header, its 2-byte body and a whole message of
   * type 20. Each type counts for the record its first byte is in. */
  static const unsigned char two[] = {
      0x16, 0x03, 0x03, 0x00, 0x06, 0x01, 0x00, 0x00, 0x00, 0x0b, 0x00,
      0x16, 0x03, 0x03, 0x00, 0x08, 0x00, 0x02, 0xaa, 0xbb, 0x14, 0x00, 0x00, 0x00};
  th_loopback_pair *p = injected(two, sizeof two);
  th_loopback_record r;
  cr_assert_eq(th_loopback_record_get(p, 0, &r), TH_OK);
  cr_assert_eq(r.length, 6);
  cr_assert_eq(r.n_msgs, 2, "%s", tl_transcript(p));
  cr_assert_eq(r.msg_types[0], 1);
  cr_assert_eq(r.msg_types[1], 11);
  cr_assert_eq(th_loopback_record_get(p, 1, &r), TH_OK);
  cr_assert_eq(r.length, 8);
  cr_assert_eq(r.n_msgs, 1, "%s", tl_transcript(p));
  cr_assert_eq(r.msg_types[0], 20);
  /* The real ClientHello after them is parsed in step. */
  cr_assert_eq(th_loopback_record_get(p, 2, &r), TH_OK);
  cr_assert_eq(r.from, C);
  cr_assert_eq(r.n_msgs, 1);
  cr_assert_eq(r.msg_types[0], 1, "%s", tl_transcript(p));
  const char *t = tl_transcript(p);
  const char *want = "C->S fault: injected 24 bytes before byte 0\n"
                     "C->S handshake 0x0303 len 6: ClientHello, Certificate\n"
                     "C->S handshake 0x0303 len 8: Finished\n";
  cr_assert(strncmp(t, want, strlen(want)) == 0, "%s", t);
  th_loopback_pair_free(p);
}

Test(loopback_observe, heartbeat_short_alert_and_many_messages) {
  /* A heartbeat record, an alert too short to decode, and a handshake
   * record of nine empty messages (the record keeps the first eight). */
  static const unsigned char recs[] = {
      0x18, 0x03, 0x03, 0x00, 0x03, 0x01, 0x00, 0x00,
      0x15, 0x03, 0x03, 0x00, 0x01, 0x02,
      0x16, 0x03, 0x03, 0x00, 0x24,
      1, 0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 0, 8, 0, 0, 0,
      11, 0, 0, 0, 12, 0, 0, 0, 13, 0, 0, 0, 14, 0, 0, 0};
  th_loopback_pair *p = injected(recs, sizeof recs);
  th_loopback_record r;
  cr_assert_eq(th_loopback_record_get(p, 0, &r), TH_OK);
  cr_assert_eq(r.content_type, 24);
  cr_assert_eq(r.length, 3);
  cr_assert_eq(r.n_msgs, 0);
  cr_assert_eq(th_loopback_record_get(p, 1, &r), TH_OK);
  cr_assert_eq(r.content_type, 21);
  cr_assert_eq(r.alert_level, -1);
  cr_assert_eq(r.alert_desc, -1);
  cr_assert_eq(th_loopback_record_get(p, 2, &r), TH_OK);
  cr_assert_eq(r.n_msgs, 8);
  static const int types[8] = {1, 2, 4, 5, 8, 11, 12, 13};
  for (int i = 0; i < 8; i++) cr_assert_eq(r.msg_types[i], types[i], "message %d", i);
  cr_assert_eq(th_loopback_record_get(p, 3, &r), TH_OK);
  cr_assert_eq(r.msg_types[0], 1); /* the real ClientHello */
  const char *t = tl_transcript(p);
  const char *want =
      "C->S fault: injected 55 bytes before byte 0\n"
      "C->S heartbeat 0x0303 len 3\n"
      "C->S alert 0x0303 len 1\n"
      "C->S handshake 0x0303 len 36: ClientHello, ServerHello, NewSessionTicket, EndOfEarlyData, "
      "EncryptedExtensions, Certificate, ServerKeyExchange, CertificateRequest\n";
  cr_assert(strncmp(t, want, strlen(want)) == 0, "%s", t);
  th_loopback_pair_free(p);
}

Test(loopback_observe, non_tls_bytes_stop_the_parse_of_their_direction) {
  /* Bytes that cannot start a TLS record (an HTTP request; a handshake
   * record of major version 4): a note, and no records of that direction
   * from then on; the other direction is still parsed, and the pcap keeps
   * every byte. */
  static const struct {
    const char *bytes;
    size_t len;
  } cases[] = {{"GET / HTTP/1.0\r\n\r\n", 18}, {"\x16\x04\x00\x00\x01x", 6}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    th_loopback_pair *p = injected((const unsigned char *)cases[i].bytes, cases[i].len);
    char want[160];
    snprintf(want, sizeof want,
             "C->S fault: injected %zu bytes before byte 0\n"
             "C->S %zu bytes that are not a TLS record (parsing stops)\n",
             cases[i].len, cases[i].len);
    const char *t = tl_transcript(p);
    cr_assert(strncmp(t, want, strlen(want)) == 0, "case %zu:\n%s", i, t);
    int n = th_loopback_record_count(p);
    for (int k = 0; k < n; k++) {
      th_loopback_record r;
      cr_assert_eq(th_loopback_record_get(p, (size_t)k, &r), TH_OK);
      cr_assert_eq(r.from, S, "case %zu: a C->S record after the junk\n%s", i, t);
    }
    th_bytes *pcap = th_loopback_pcap(p);
    cr_assert_not_null(pcap, "%s", tu_err());
    cr_assert_not_null(memmem(pcap->data, pcap->len, cases[i].bytes, cases[i].len), "case %zu", i);
    th_bytes_free(pcap);
    th_loopback_pair_free(p);
  }
}

/* ---- the key log on shared contexts, and the pcap's FIN -------------------- */

static int count_lines(const th_bytes *b) {
  int n = 0;
  for (size_t i = 0; i < b->len; i++) n += b->data[i] == '\n';
  return n;
}

Test(loopback_observe, keylog_records_only_the_observing_pair) {
  /* Two pairs on the same contexts: the observer's callback sits on the
   * contexts, and the other pair's secrets pass through it unrecorded. */
  SSL_CTX *s = tl_server_ctx(TLS1_3_VERSION), *c = tl_client_ctx(TLS1_3_VERSION);
  th_loopback_pair *obs = th_loopback_pair_new_raw(s, c, TH_LOOPBACK_PUMP);
  th_loopback_pair *other = th_loopback_pair_new_raw(s, c, TH_LOOPBACK_DIRECT);
  cr_assert_eq(th_loopback_pair_observe(obs, TH_LOOPBACK_OBSERVE_KEYLOG), TH_OK, "%s", tu_err());
  tl_assert_rc(other, th_loopback_handshake(other), TH_OK);
  tl_assert_rc(obs, th_loopback_handshake(obs), TH_OK);
  tl_assert_rc(other, th_loopback_handshake(other), TH_OK);
  th_bytes *k = th_loopback_keylog(obs);
  cr_assert_not_null(k, "%s", tu_err());
  /* TLS 1.3: five secrets per side, both sides of one connection. */
  cr_assert_eq(count_lines(k), 10, "%s", k->data);
  SSL *cs = th_loopback_pair_ssl(obs, C);
  unsigned char random[32];
  cr_assert_eq(SSL_get_client_random(cs, random, sizeof random), 32);
  char hex[65];
  for (int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", random[i]);
  char line[128];
  snprintf(line, sizeof line, "CLIENT_HANDSHAKE_TRAFFIC_SECRET %s ", hex);
  cr_assert(strstr((const char *)k->data, line) != NULL, "%s\n%s", line, k->data);
  SSL_free(cs);
  th_bytes_free(k);
  cr_assert_null(th_loopback_keylog(other));
  cr_assert_eq(th_error_kind(), TH_ERR_VALUE);
  th_loopback_pair_free(other);
  th_loopback_pair_free(obs);
  SSL_CTX_free(s);
  SSL_CTX_free(c);
}

static void user_keylog(const SSL *ssl, const char *line) {}

Test(loopback_observe, a_keylog_callback_set_meanwhile_is_kept) {
  /* The application replaced the context's callback while a pair observed:
   * freeing the pair leaves the application's callback in place. */
  SSL_CTX *s = tl_server_ctx(0), *c = tl_client_ctx(0);
  th_loopback_pair *p = th_loopback_pair_new_raw(s, c, TH_LOOPBACK_PUMP);
  cr_assert_eq(th_loopback_pair_observe(p, TH_LOOPBACK_OBSERVE_KEYLOG), TH_OK, "%s", tu_err());
  cr_assert_not_null(SSL_CTX_get_keylog_callback(c));
  SSL_CTX_set_keylog_callback(c, user_keylog);
  th_loopback_pair_free(p);
  cr_assert(SSL_CTX_get_keylog_callback(c) == user_keylog);
  cr_assert_null(SSL_CTX_get_keylog_callback(s)); /* ours removed, nothing was there before */
  SSL_CTX_free(s);
  SSL_CTX_free(c);
}

static unsigned le32(const unsigned char *p) {
  return p[0] | (unsigned)p[1] << 8 | (unsigned)p[2] << 16 | (unsigned)p[3] << 24;
}

Test(loopback_observe, pcap_ends_with_the_fin_of_a_half_close) {
  th_loopback_pair *p = tl_pair_observed(TH_LOOPBACK_DIRECT, TLS1_3_VERSION, TH_LOOPBACK_OBSERVE_PCAP);
  tl_assert_rc(p, th_loopback_handshake(p), TH_OK);
  cr_assert_eq(th_loopback_pair_half_close(p, C), TH_OK);
  th_bytes *b = th_loopback_pcap(p);
  cr_assert_not_null(b, "%s", tu_err());
  /* Walk the packets (16-byte record header, then Ethernet / IPv4 / TCP):
   * the last one is the client's FIN|ACK with no payload. */
  size_t off = 24, last = 0;
  while (off + 16 <= b->len) {
    last = off;
    off += 16 + le32(b->data + off + 8);
  }
  cr_assert_eq(off, b->len);
  const unsigned char *pkt = b->data + last + 16;
  cr_assert_eq(le32(b->data + last + 8), 14u + 20 + 20);
  cr_assert_eq((pkt[34] << 8) | pkt[35], 40000); /* the client's port */
  cr_assert_eq(pkt[14 + 20 + 13], 0x11);          /* FIN|ACK */
  th_bytes_free(b);
  th_loopback_pair_free(p);
}
