/* loopback_pcap.c — the conversation of a pair as a pcap file.
 *
 * The bytes each side put on the transport (after faults, in the order
 * they went) are framed as Ethernet / IPv4 / TCP between 10.0.0.1:40000
 * (client) and 10.0.0.2:443 (server), after a SYN handshake, with correct
 * sequence and acknowledgement numbers and checksums, so that tshark
 * reassembles the TLS stream, and decrypts it given the key log. Time
 * stamps advance 1 ms per packet from a fixed epoch: the file is the same
 * for the same conversation. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "loopback_internal.h"

#define SEG_MAX 1400

typedef struct pcap_w {
  lb_buf out;
  unsigned seq[2]; /* next sequence number of each side */
  unsigned id;
  unsigned long long usec;
  int failed;
} pcap_w;

static void put16(unsigned char *p, unsigned v) {
  p[0] = (unsigned char)(v >> 8);
  p[1] = (unsigned char)v;
}

static void put32(unsigned char *p, unsigned v) {
  put16(p, v >> 16);
  put16(p + 2, v & 0xffff);
}

static void le32(unsigned char *p, unsigned v) {
  for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static unsigned sum16(const unsigned char *p, size_t n, unsigned s) {
  for (size_t i = 0; i + 1 < n; i += 2) s += (unsigned)(p[i] << 8 | p[i + 1]);
  if (n & 1) s += (unsigned)p[n - 1] << 8;
  return s;
}

static unsigned fold(unsigned s) {
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return ~s & 0xffff;
}

static void packet(pcap_w *w, int from, unsigned flags, const unsigned char *data, size_t n) {
  unsigned char h[16 + 14 + 20 + 20];
  memset(h, 0, sizeof h);
  size_t caplen = 14 + 20 + 20 + n;
  le32(h, (unsigned)(1700000000ull + w->usec / 1000000));
  le32(h + 4, (unsigned)(w->usec % 1000000));
  le32(h + 8, (unsigned)caplen);
  le32(h + 12, (unsigned)caplen);
  w->usec += 1000;
  unsigned char *eth = h + 16, *ip = eth + 14, *tcp = ip + 20;
  const unsigned char mac[2][6] = {{2, 0, 0, 0, 0, 1}, {2, 0, 0, 0, 0, 2}};
  memcpy(eth, mac[!from], 6);
  memcpy(eth + 6, mac[from], 6);
  put16(eth + 12, 0x0800);
  ip[0] = 0x45;
  put16(ip + 2, (unsigned)(20 + 20 + n));
  put16(ip + 4, w->id++ & 0xffff);
  put16(ip + 6, 0x4000);
  ip[8] = 64;
  ip[9] = 6;
  const unsigned char addr[2][4] = {{10, 0, 0, 1}, {10, 0, 0, 2}};
  memcpy(ip + 12, addr[from], 4);
  memcpy(ip + 16, addr[!from], 4);
  put16(ip + 10, fold(sum16(ip, 20, 0)));
  const unsigned port[2] = {40000, 443};
  put16(tcp, port[from]);
  put16(tcp + 2, port[!from]);
  put32(tcp + 4, w->seq[from]);
  put32(tcp + 8, (flags & 0x10) ? w->seq[!from] : 0);
  tcp[12] = 0x50;
  tcp[13] = (unsigned char)flags;
  put16(tcp + 14, 65535);
  /* TCP checksum over the pseudo header, the header and the data. */
  unsigned char pseudo[12];
  memcpy(pseudo, ip + 12, 8);
  pseudo[8] = 0;
  pseudo[9] = 6;
  put16(pseudo + 10, (unsigned)(20 + n));
  unsigned s = sum16(pseudo, 12, 0);
  s = sum16(tcp, 20, s);
  if (n & 1) { /* an odd-length segment pads with one zero byte */
    s = sum16(data, n - 1, s);
    s += (unsigned)data[n - 1] << 8;
  } else {
    s = sum16(data, n, s);
  }
  put16(tcp + 16, fold(s));
  if (th__lb_buf_add(&w->out, h, sizeof h) != TH_OK || th__lb_buf_add(&w->out, data, n) != TH_OK)
    w->failed = 1;
  w->seq[from] += (unsigned)n + ((flags & 0x03) ? 1 : 0); /* SYN and FIN take one */
}

th_bytes *th_loopback_pcap(th_loopback_pair *pair) {
  TH_CHECK_NULL(pair, &TH_TYPE_LOOPBACK_PAIR);
  if (th__lb_need_observe(pair, TH_LOOPBACK_OBSERVE_PCAP, __func__) != TH_OK) return NULL;
  pcap_w w = {{0}, {1000, 5000}, 1, 0, 0};
  unsigned char gh[24] = {0};
  le32(gh, 0xa1b2c3d4);
  gh[4] = 2;
  gh[6] = 4;
  le32(gh + 16, 65535);
  le32(gh + 20, 1); /* LINKTYPE_ETHERNET */
  if (th__lb_buf_add(&w.out, gh, sizeof gh) != TH_OK) w.failed = 1;
  static const unsigned char none[1] = {0};
  packet(&w, TH_LOOPBACK_CLIENT, 0x02, none, 0);
  packet(&w, TH_LOOPBACK_SERVER, 0x12, none, 0);
  packet(&w, TH_LOOPBACK_CLIENT, 0x10, none, 0);
  const lb_buf *wire = &pair->obs->wire;
  for (size_t pos = 0; pos + 5 <= wire->len;) {
    int from = wire->data[pos];
    size_t n = (size_t)wire->data[pos + 1] | (size_t)wire->data[pos + 2] << 8 |
               (size_t)wire->data[pos + 3] << 16 | (size_t)wire->data[pos + 4] << 24;
    pos += 5;
    if (n == 0) packet(&w, from, 0x11, none, 0); /* FIN|ACK */
    for (size_t off = 0; off < n; off += SEG_MAX) {
      size_t k = n - off < SEG_MAX ? n - off : SEG_MAX;
      packet(&w, from, 0x18, wire->data + pos + off, k); /* PSH|ACK */
    }
    pos += n;
  }
  th_bytes *out = w.failed ? NULL : th_bytes_new(w.out.data, w.out.len);
  if (w.failed) th__err(TH_ERR_NOMEM, "%s: out of memory", __func__);
  th__lb_buf_free(&w.out);
  return out;
}

static int write_bytes(th_bytes *b, const char *path, const char *func) {
  if (b == NULL) return th_error_kind();
  FILE *f = fopen(path, "wb");
  if (f == NULL) {
    int e = errno;
    th_bytes_free(b);
    return th__err_sys(e, "%s: cannot open %s", func, path);
  }
  size_t n = fwrite(b->data, 1, b->len, f);
  int e = errno;
  int closed = fclose(f);
  size_t len = b->len;
  th_bytes_free(b);
  if (n != len || closed != 0) return th__err_sys(e ? e : EIO, "%s: cannot write %s", func, path);
  return TH_OK;
}

int th_loopback_write_pcap(th_loopback_pair *pair, const char *path) {
  TH_CHECK(pair, &TH_TYPE_LOOPBACK_PAIR);
  TH_CHECK_ARG(path);
  return write_bytes(th_loopback_pcap(pair), path, __func__);
}

int th_loopback_write_keylog(th_loopback_pair *pair, const char *path) {
  TH_CHECK(pair, &TH_TYPE_LOOPBACK_PAIR);
  TH_CHECK_ARG(path);
  return write_bytes(th_loopback_keylog(pair), path, __func__);
}
