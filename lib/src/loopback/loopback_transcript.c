/* loopback_transcript.c — what a pair observes: the TLS records on the
 * transport, fault notes, info-callback states, and the NSS key log. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

#include "loopback_internal.h"

static const char *dir_name(int from) { return from == TH_LOOPBACK_CLIENT ? "C->S" : "S->C"; }

static lb_entry *new_entry(th_loopback_pair *pair) {
  lb_observe *o = pair->obs;
  if (o->n_entries == o->cap_entries) {
    size_t cap = o->cap_entries ? o->cap_entries * 2 : 32;
    lb_entry *e = th__realloc(o->entries, cap * sizeof *e);
    if (e == NULL) return NULL;
    o->entries = e;
    o->cap_entries = cap;
  }
  lb_entry *e = &o->entries[o->n_entries++];
  memset(e, 0, sizeof *e);
  e->rec.alert_level = e->rec.alert_desc = -1;
  return e;
}

void th__lb_note(th_loopback_pair *pair, int from, const char *fmt, ...) {
  if (!(pair->observe & TH_LOOPBACK_OBSERVE_TRANSCRIPT)) return;
  lb_entry *e = new_entry(pair);
  if (e == NULL) return;
  e->rec.from = from;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(e->note, sizeof e->note, fmt, ap);
  va_end(ap);
}

int th__lb_need_observe(th_loopback_pair *pair, int what, const char *func) {
  if ((pair->observe & what) == what) return TH_OK;
  const char *flag = what == TH_LOOPBACK_OBSERVE_TRANSCRIPT ? "TH_LOOPBACK_OBSERVE_TRANSCRIPT"
                     : what == TH_LOOPBACK_OBSERVE_PCAP    ? "TH_LOOPBACK_OBSERVE_PCAP"
                     : what == TH_LOOPBACK_OBSERVE_STATES  ? "TH_LOOPBACK_OBSERVE_STATES"
                                                           : "TH_LOOPBACK_OBSERVE_KEYLOG";
  return th__err(TH_ERR_VALUE,
                 "%s: this pair does not observe that; call th_loopback_pair_observe(pair, %s) "
                 "right after making it",
                 func, flag);
}

/* Handshake message types that start in a plaintext handshake record. A
 * message may continue into later records (hs_left), and so may its 4-byte
 * header (RFC 5246 6.2.1 lets a record end anywhere): a type counts for the
 * record its first byte is in. */
static void handshake_types(lb_parser *d, th_loopback_record *r, const unsigned char *p, size_t n) {
  size_t pos = 0;
  while (pos < n) {
    if (d->hs_left > 0) {
      size_t k = d->hs_left < n - pos ? d->hs_left : n - pos;
      d->hs_left -= k;
      pos += k;
      continue;
    }
    if (d->hs_hlen == 0 && r->n_msgs < 8) r->msg_types[r->n_msgs++] = p[pos];
    d->hs_hdr[d->hs_hlen++] = p[pos++];
    if (d->hs_hlen == 4) {
      d->hs_hlen = 0;
      d->hs_left = ((size_t)d->hs_hdr[1] << 16) | ((size_t)d->hs_hdr[2] << 8) | d->hs_hdr[3];
    }
  }
}

static void parse_records(th_loopback_pair *pair, int from) {
  lb_parser *d = &pair->obs->dir[from];
  lb_buf *b = &d->parse;
  while (b->len >= 5) {
    int ct = b->data[0];
    size_t len = ((size_t)b->data[3] << 8) | b->data[4];
    if (ct < 20 || ct > 24 || b->data[1] != 3) {
      th__lb_note(pair, from, "%zu bytes that are not a TLS record (parsing stops)", b->len);
      b->len = 0;
      d->hs_left = (size_t)-1; /* desynchronized: ignore the rest */
      return;
    }
    if (b->len < 5 + len) return;
    lb_entry *e = new_entry(pair);
    if (e == NULL) return;
    th_loopback_record *r = &e->rec;
    r->from = from;
    r->content_type = ct;
    r->version = (b->data[1] << 8) | b->data[2];
    r->length = len;
    /* TLS 1.3 protects everything as type 23; TLS 1.2 everything after a
     * CCS (a renegotiation's CCS included). */
    const SSL *v = pair->ssl[from] != NULL ? pair->ssl[from] : pair->ssl[!from]; /* an app's socket */
    int tls13 = SSL_version(v) >= TLS1_3_VERSION;
    r->encrypted = ct == 23 || (d->ccs_seen && !tls13);
    if (ct == 20) d->ccs_seen = 1;
    if (ct == 22 && !r->encrypted) handshake_types(d, r, b->data + 5, len);
    if (ct == 21 && !r->encrypted && len >= 2) {
      r->alert_level = b->data[5];
      r->alert_desc = b->data[6];
    }
    th__lb_buf_drop(b, 5 + len);
  }
}

void th__lb_wire_log(th_loopback_pair *pair, int from, const unsigned char *p, size_t n) {
  lb_observe *o = pair->obs;
  if (o == NULL) return;
  if ((pair->observe & TH_LOOPBACK_OBSERVE_TRANSCRIPT) && o->dir[from].hs_left != (size_t)-1) {
    TH__LB_ADD(pair, &o->dir[from].parse, p, n);
    parse_records(pair, from);
  }
  if (pair->observe & TH_LOOPBACK_OBSERVE_PCAP) {
    unsigned char hdr[5] = {(unsigned char)from, (unsigned char)n, (unsigned char)(n >> 8),
                            (unsigned char)(n >> 16), (unsigned char)(n >> 24)};
    TH__LB_ADD(pair, &o->wire, hdr, 5);
    TH__LB_ADD(pair, &o->wire, p, n);
  }
}

void th__lb_wire_fin(th_loopback_pair *pair, int from) {
  if (pair->observe & TH_LOOPBACK_OBSERVE_PCAP) {
    unsigned char hdr[5] = {(unsigned char)from, 0, 0, 0, 0};
    TH__LB_ADD(pair, &pair->obs->wire, hdr, 5);
  }
  th__lb_note(pair, from, "end of file");
}

/* ---- public accessors ---------------------------------------------------------- */

int th_loopback_record_count(th_loopback_pair *pair) {
  TH_CHECK(pair, &TH_TYPE_LOOPBACK_PAIR);
  int rc = th__lb_need_observe(pair, TH_LOOPBACK_OBSERVE_TRANSCRIPT, __func__);
  if (rc != TH_OK) return rc;
  int n = 0;
  for (size_t i = 0; i < pair->obs->n_entries; i++) n += pair->obs->entries[i].note[0] == '\0';
  return n;
}

int th_loopback_record_get(th_loopback_pair *pair, size_t i, th_loopback_record *out) {
  TH_CHECK(pair, &TH_TYPE_LOOPBACK_PAIR);
  TH_CHECK_ARG(out);
  int rc = th__lb_need_observe(pair, TH_LOOPBACK_OBSERVE_TRANSCRIPT, __func__);
  if (rc != TH_OK) return rc;
  size_t k = 0;
  for (size_t j = 0; j < pair->obs->n_entries; j++) {
    if (pair->obs->entries[j].note[0] != '\0') continue;
    if (k++ == i) {
      *out = pair->obs->entries[j].rec;
      return TH_OK;
    }
  }
  return th__err(TH_ERR_INDEX, "%s: record %zu out of range (count %zu)", __func__, i, k);
}

const char *th_loopback_handshake_type_name(int type) {
  switch (type) {
  case 0: return "HelloRequest";
  case 1: return "ClientHello";
  case 2: return "ServerHello";
  case 4: return "NewSessionTicket";
  case 5: return "EndOfEarlyData";
  case 8: return "EncryptedExtensions";
  case 11: return "Certificate";
  case 12: return "ServerKeyExchange";
  case 13: return "CertificateRequest";
  case 14: return "ServerHelloDone";
  case 15: return "CertificateVerify";
  case 16: return "ClientKeyExchange";
  case 20: return "Finished";
  case 22: return "CertificateStatus";
  case 24: return "KeyUpdate";
  default: return "unknown";
  }
}

static const char *content_name(int ct) {
  switch (ct) {
  case 20: return "change_cipher_spec";
  case 21: return "alert";
  case 22: return "handshake";
  case 23: return "application_data";
  default: return "heartbeat";
  }
}

static void format_entry(const lb_entry *e, char *line, size_t size) {
  const th_loopback_record *r = &e->rec;
  if (e->note[0] != '\0') {
    snprintf(line, size, "%s %s\n", dir_name(r->from), e->note);
    return;
  }
  int n = snprintf(line, size, "%s %s 0x%04x len %zu", dir_name(r->from),
                   content_name(r->content_type), (unsigned)r->version, r->length);
  for (int i = 0; i < r->n_msgs && n > 0 && (size_t)n < size; i++)
    n += snprintf(line + n, size - (size_t)n, "%s%s", i ? ", " : ": ",
                  th_loopback_handshake_type_name(r->msg_types[i]));
  if (r->alert_level >= 0 && n > 0 && (size_t)n < size)
    n += snprintf(line + n, size - (size_t)n, ": %s %s", r->alert_level == 2 ? "fatal" : "warning",
                  SSL_alert_desc_string_long(r->alert_desc));
  if (r->encrypted && n > 0 && (size_t)n < size) n += snprintf(line + n, size - (size_t)n, " (encrypted)");
  if (n > 0 && (size_t)n < size) snprintf(line + n, size - (size_t)n, "\n");
}

th_bytes *th_loopback_transcript(th_loopback_pair *pair) {
  TH_CHECK_NULL(pair, &TH_TYPE_LOOPBACK_PAIR);
  if (th__lb_need_observe(pair, TH_LOOPBACK_OBSERVE_TRANSCRIPT, __func__) != TH_OK) return NULL;
  lb_buf text = {0};
  char line[256];
  for (size_t i = 0; i < pair->obs->n_entries; i++) {
    format_entry(&pair->obs->entries[i], line, sizeof line);
    if (th__lb_buf_add(&text, line, strlen(line)) != TH_OK) {
      th__lb_buf_free(&text);
      return NULL;
    }
  }
  th_bytes *out = th_bytes_new(text.data, text.len);
  th__lb_buf_free(&text);
  return out;
}

/* ---- info callback -------------------------------------------------------------- */

static void info_line(char *buf, size_t size, const SSL *ssl, int where, int ret) {
  const char *state = SSL_state_string_long(ssl);
  if (where & SSL_CB_ALERT)
    snprintf(buf, size, "ALERT %s: %s: %s", (where & SSL_CB_READ) ? "read" : "write",
             SSL_alert_type_string_long(ret), SSL_alert_desc_string_long(ret));
  else if (where & SSL_CB_HANDSHAKE_START)
    snprintf(buf, size, "HANDSHAKE_START: %s", state);
  else if (where & SSL_CB_HANDSHAKE_DONE)
    snprintf(buf, size, "HANDSHAKE_DONE: %s", state);
  else if (where & SSL_CB_LOOP)
    snprintf(buf, size, "LOOP: %s", state);
  else if (where & SSL_CB_EXIT)
    snprintf(buf, size, "EXIT %s: %s", ret > 0 ? "ok" : ret == 0 ? "failed" : "waiting", state);
  else
    snprintf(buf, size, "0x%x: %s", (unsigned)where, state);
}

static void count(th_loopback_pair *pair, int side, const SSL *ssl, int where) {
  if (where & SSL_CB_HANDSHAKE_DONE) pair->hs_done[side]++;
  if ((where & SSL_CB_LOOP) && side == TH_LOOPBACK_CLIENT &&
      SSL_get_state(ssl) == TLS_ST_CR_SESSION_TICKET)
    pair->tickets++;
}

static void chain(const SSL *ssl, int where, int ret) {
  /* The context's own info callback keeps running. */
  void (*cb)(const SSL *, int, int) = SSL_CTX_get_info_callback(SSL_get_SSL_CTX(ssl));
  if (cb != NULL) cb(ssl, where, ret);
}

/* A pair's SSLs always have one of these two. lb_info_lean only counts
 * finished handshakes and tickets, and looks for its pair only then. */
static void lb_info_lean(const SSL *ssl, int where, int ret) {
  if ((where & SSL_CB_HANDSHAKE_DONE) ||
      ((where & SSL_CB_LOOP) && SSL_get_state(ssl) == TLS_ST_CR_SESSION_TICKET)) {
    const lb_end *e = th__lb_end_of(ssl);
    if (e != NULL) count(e->pair, e->side, ssl, where);
  }
  chain(ssl, where, ret);
}

/* lb_info_states also keeps the state lines (OBSERVE_STATES). */
static void lb_info_states(const SSL *ssl, int where, int ret) {
  const lb_end *e = th__lb_end_of(ssl);
  if (e != NULL) {
    if (e->pair->obs != NULL && e->pair->obs->info[e->side] != NULL) {
      char line[160];
      info_line(line, sizeof line, ssl, where, ret);
      th_bytes *b = th_bytes_new(line, strlen(line));
      if (b != NULL) th__list_push(e->pair->obs->info[e->side], b); /* frees b on failure */
    }
    count(e->pair, e->side, ssl, where);
  }
  chain(ssl, where, ret);
}

void th__lb_info_install(th_loopback_pair *pair) {
  for (int i = 0; i < 2; i++) {
    /* An application's SSL (memory pattern) or socket is not ours to touch. */
    if (pair->ssl[i] == NULL || (pair->app_side == i && pair->app_foreign)) continue;
    if (pair->observe & TH_LOOPBACK_OBSERVE_STATES)
      SSL_set_info_callback(pair->ssl[i], lb_info_states);
    else /* Lean: the client counts tickets from the start; the server needs
          * no callback (OpenSSL then calls its context's) until a
          * renegotiation wants its finished handshakes counted
          * (pair->count_server). */
      SSL_set_info_callback(pair->ssl[i], i == TH_LOOPBACK_CLIENT || pair->count_server
                                              ? lb_info_lean
                                              : NULL);
  }
}

th_list *th_loopback_info_states(th_loopback_pair *pair, int side) {
  TH_CHECK_NULL(pair, &TH_TYPE_LOOPBACK_PAIR);
  if (th__lb_check_side(side, __func__) != TH_OK) return NULL;
  if (th__lb_need_observe(pair, TH_LOOPBACK_OBSERVE_STATES, __func__) != TH_OK) return NULL;
  th_list *l = th__list_new((void (*)(void *))th_bytes_free);
  if (l == NULL) return NULL;
  const th_list *src = pair->obs->info[side];
  for (size_t i = 0; i < src->count; i++) {
    const th_bytes *b = src->items[i];
    th_bytes *c = th_bytes_new(b->data, b->len);
    if (c == NULL || th__list_push(l, c) != TH_OK) {
      th_list_free(l);
      return NULL;
    }
  }
  return l;
}

/* ---- key log -------------------------------------------------------------------- */

/* OpenSSL logs secrets only through the context's callback, so an
 * observing pair puts ours there while it lives: the context's ex_data
 * remembers the callback we displaced and how many pairs use ours. */
th_bytes *th_loopback_keylog(th_loopback_pair *pair) {
  TH_CHECK_NULL(pair, &TH_TYPE_LOOPBACK_PAIR);
  if (th__lb_need_observe(pair, TH_LOOPBACK_OBSERVE_KEYLOG, __func__) != TH_OK) return NULL;
  return th_bytes_new(pair->obs->keylog.data, pair->obs->keylog.len);
}

int th_loopback_pair_observing(th_loopback_pair *pair) {
  TH_CHECK(pair, &TH_TYPE_LOOPBACK_PAIR);
  return pair->observe;
}

