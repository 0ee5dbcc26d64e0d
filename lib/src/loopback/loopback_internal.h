/* loopback_internal.h — the loopback module's private declarations: the
 * pair's layout and the calls its files make down the module's layers.
 * Shared by lib/src/loopback/ (every .c). Nothing here is public API. */
#ifndef TLSHARNESS_LOOPBACK_INTERNAL_H
#define TLSHARNESS_LOOPBACK_INTERNAL_H

#include <netinet/in.h>
#include <stdatomic.h>

#include <openssl/bio.h>
#include <openssl/ssl.h>

#include "../ssl/ssl_internal.h"
#include "tlsharness/loopback.h"
#include "tlsharness/peer.h"

extern const th_type TH_TYPE_LOOPBACK_PAIR; /* loopback_object.c */

/* th__lb_side_name names a side in messages. */
static inline const char *th__lb_side_name(int side) {
  return side == TH_LOOPBACK_SERVER ? "server" : "client";
}

/* A growable byte buffer. */
typedef struct lb_buf {
  unsigned char *data;
  size_t len, cap;
} lb_buf;
int th__lb_buf_add(lb_buf *b, const void *p, size_t n);
/* TH__LB_ADD(pair, buf, p, n): th__lb_buf_add on the data path, where no
 * status can be returned: a failure marks the pair lost. */
#define TH__LB_ADD(pair, b, p, n) \
  do { if (th__lb_buf_add((b), (p), (n)) != TH_OK) (pair)->lost = 1; } while (0)
void th__lb_buf_drop(lb_buf *b, size_t n); /* remove n bytes from the front */
void th__lb_buf_free(lb_buf *b);

/* One fault as stored: the public description plus its state. */
typedef struct lb_fault {
  th_loopback_fault f;
  unsigned char *data; /* INJECT: owned copy */
  int fired;
  size_t left;         /* RETRY: retries left for the current I/O */
  /* A protocol position not yet resolved to f.at: the record (1-based) it
   * lies in, and the offset from that record's start (rel_end: its end). */
  int pending;
  unsigned long rec_no;
  size_t rel;
  int rel_end;
} lb_fault;

/* One entry of the transcript: a record or a note. */
typedef struct lb_entry {
  th_loopback_record rec;
  char note[96]; /* non-empty: a note line instead of a record */
} lb_entry;

/* One direction of the conversation, named by its sending side (its index
 * in pair->dir). Kept small: a pair without faults or observation costs
 * little more than the two SSL objects. */
typedef struct lb_dir {
  lb_fault *faults;            /* NULL until the first fault: TH_LOOPBACK_MAX_FAULTS slots */
  size_t nfaults;
  unsigned long long written;  /* bytes the sender wrote (fault offsets count these) */
  unsigned long long wired;    /* bytes put on the transport after faults */
  unsigned long long progress; /* counts every byte moved and retry spent */
  unsigned long records;       /* records the sender wrote (record faults count these) */
  int records_unknown;         /* the direction carried bytes before the end BIOs came */
  lb_buf rec;                  /* a partial record being assembled (record faults) */
  lb_buf held;                 /* REORDER: the record held back */
  lb_buf queue;                /* bytes after faults not yet accepted by the transport */
  int closing;                 /* EOF requested (half-close, TRUNCATE, CLOSE) */
  int closed;                  /* EOF applied to the transport */
  size_t write_budget;         /* CAP: bytes the sender may still write this step */
  size_t read_budget;          /* FRAGMENT: bytes the receiver may still read this step */
  /* The record tracker (protocol positions): the header being read, the
   * body bytes left, the records seen and where the last one ended. */
  unsigned char trk_hdr[5];
  size_t trk_hlen, trk_left;
  unsigned long trk_count;
  unsigned long long trk_last_end;
  unsigned long built;         /* records the sending SSL built (message callback) */
  int silent;                  /* SILENCE fired: nothing more is delivered */
  int stalling;                /* STALL_THEN_RESUME fired: bytes wait until stall_until */
  unsigned long long stall_until; /* CLOCK_MONOTONIC milliseconds */
} lb_dir;

/* The transcript's record parser of one direction. */
typedef struct lb_parser {
  lb_buf parse;
  int ccs_seen;
  size_t hs_left; /* bytes of a handshake message continuing into later records */
  size_t hs_hlen; /* bytes of a message header seen so far (it may span records) */
  unsigned char hs_hdr[4];
} lb_parser;

/* What an observing pair records (th_loopback_pair_observe); allocated on
 * the first request, so a pair that observes nothing carries none of it. */
typedef struct lb_observe {
  lb_entry *entries; /* OBSERVE_TRANSCRIPT: records and notes */
  size_t n_entries, cap_entries;
  th_list *info[2];  /* OBSERVE_STATES: info-callback lines per side */
  lb_buf keylog;     /* OBSERVE_KEYLOG */
  lb_buf wire;       /* OBSERVE_PCAP: [from:1][len:4 LE][bytes] chunks; len 0 = FIN */
  lb_parser dir[2];  /* OBSERVE_TRANSCRIPT */
  int keylog_ctx[2]; /* 1 when this pair counts as a key-log user of sctx[i] */
} lb_observe;

/* The data of a side's end BIO: the pair and the side. Lives in the pair;
 * th_loopback_pair_free clears the BIO's pointer to it, so an SSL that a
 * caller still holds fails cleanly instead of touching a freed pair. */
typedef struct lb_end {
  unsigned magic; /* LB_END_MAGIC */
  int side;
  th_loopback_pair *pair;
} lb_end;
#define LB_END_MAGIC 0x6c62656eu

struct th_loopback_pair {
  th_obj hdr;
  int transport;
  int observe;            /* TH_LOOPBACK_OBSERVE_* bits asked for */
  int wrap_conns;         /* made from Contexts: wrap a side in a Connection
                             when its Context has callbacks (see loopback_conn.c) */
  SSL_CTX *sctx[2];       /* referenced contexts, [CLIENT] and [SERVER] */
  SSL *ssl[2];
  th_connection *conn[2]; /* Connection wrappers, made on demand (referenced) */
  BIO *in[2];             /* where the side's SSL reads from (referenced) */
  BIO *out[2];            /* where the side's SSL writes to (referenced) */
  BIO *end[2];            /* the side's end BIO (owned by its SSL; borrowed), or NULL
                             while the pair is lean (th__lb_engage) */
  lb_end end_data[2];
  int fd[2];              /* socket transports, else -1 */
  lb_dir dir[2];          /* dir[CLIENT]: client -> server */
  int kind[2];            /* each side's last handshake result */
  int sslerr[2];          /* each side's last SSL_get_error, for stall messages */
  int tickets;            /* NewSessionTicket messages the client processed */
  int hs_done[2];         /* handshakes each side finished (info callback; the server's
                             only counted once count_server is set) */
  int count_server;       /* th_loopback_renegotiate asked for the server's count */
  lb_buf rx[2];           /* application data received and not consumed yet */
  int failed[2];          /* a side's fatal read error, kept after the data before it */
  th_error *fail_rec[2];  /* ... and its record (allocated when it happens) */
  int fail_side;          /* the side whose error th_loopback_step returned */
  lb_observe *obs;        /* NULL unless observing */
  /* One-sided pairs (th_peer): the side an application owns, or -1. Its SSL
   * is the application's (memory pattern: the harness touches only its
   * BIOs; adopt: drives it too) or NULL (socket pattern: the application
   * reads and writes its own socket, which is not in the pair). */
  int app_side;
  int app_foreign;        /* 1: never set callbacks on the application's SSL */
  /* Called when the application's SSL finds nothing to read (memory
   * pattern): runs the peer; set by loopback_peer_attach.c. */
  void (*starve)(void *arg);
  void *starve_arg;
  int in_starve;
  int lost;               /* an allocation on the data path failed: bytes, a fault
                             or an observation were lost; the next driving call fails */
};

/* ---- the layers of the module, bottom first (docs/design.md) --------------
 * buf -> keylog -> object -> transcript -> fault -> wire -> driver -> pair,
 * conn, io, pcap, thread (the conveniences on top); socket is a leaf. A file
 * calls only the files before it. */

/* loopback_buf.c: buffers (above), side checks, kept errors, bytes in flight. */
int th__lb_check_side(int side, const char *func);
/* th__lb_started says whether either side has begun the conversation. */
int th__lb_started(const th_loopback_pair *pair);
/* th__lb_fail marks side as broken and keeps the current error record for
 * it (th__lb_failed replays it); returns the record's kind. */
int th__lb_fail(th_loopback_pair *pair, int side);
/* th__lb_failed returns TH_OK, or the side's kept error (restored as this
 * thread's record). */
int th__lb_failed(th_loopback_pair *pair, int side);
/* SSL_get_error needs an empty error queue before the SSL call: every
 * public entry that makes SSL calls empties it once (th__lb_clear_errors;
 * cheap when it is empty), and every error mapped inside drains it again
 * (th__err / th__err_ossl), so the calls in between only reset errno
 * (th__lb_io_begin). WANT_READ / WANT_WRITE leave the queue empty. */
void th__lb_clear_errors(void);
void th__lb_io_begin(void);
/* th__lb_crossed_mem gives a pair the DIRECT transport: two memory BIOs
 * crossed (in[] / out[]). TH_OK or TH_ERR_NOMEM. */
int th__lb_crossed_mem(th_loopback_pair *p);
/* th__lb_in_flight counts the bytes of a direction not yet read by the
 * receiver (transport buffers, fault queues and held records). */
size_t th__lb_in_flight(th_loopback_pair *pair, int from);
/* The end data (pair and side, borrowed) of the pair that owns ssl, found
 * through ssl's read BIO; NULL when ssl does not read from a live pair's
 * end BIO. No ex_data: a pair adds nothing to its SSL objects. */
const lb_end *th__lb_end_of(const SSL *ssl);
/* The BIO type of the end BIOs (set by loopback_wire.c when it makes their
 * method; -1 before). */
extern int th__lb_end_type;

/* loopback_keylog.c: a pair observing the key log is a user of its
 * contexts' key-log callback. TH_OK or TH_ERR_NOMEM. */
int th__lb_keylog_attach(SSL_CTX *ctx);
void th__lb_keylog_detach(SSL_CTX *ctx);

/* loopback_object.c: the pair's type (above) and what freeing it releases. */
void th__lb_faults_free(lb_dir *d);
/* th__lb_observe_free releases the observation block and the key-log
 * callback this pair put on its contexts. */
void th__lb_observe_free(th_loopback_pair *pair);

/* loopback_transcript.c: observation. */
/* th__lb_wire_log is called for bytes put on the transport of direction
 * from: it parses records for the transcript and keeps them for pcap. */
void th__lb_wire_log(th_loopback_pair *pair, int from, const unsigned char *p, size_t n);
void th__lb_wire_fin(th_loopback_pair *pair, int from);
/* th__lb_note adds a note line to the transcript (OBSERVE_TRANSCRIPT only).
 * fmt starts with text of its own: an empty note would read as a record. */
void th__lb_note(th_loopback_pair *pair, int from, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* th__lb_info_install sets the harness's info callback on the pair's SSLs
 * (it counts finished handshakes and tickets; it formats state lines only
 * under OBSERVE_STATES; a lean pair's server gets one only with
 * count_server). Call again after changing either. */
void th__lb_info_install(th_loopback_pair *pair);
/* th__lb_need_observe returns TH_OK when pair observes all of `what`, else
 * TH_ERR_VALUE naming func and the flag to ask for. */
int th__lb_need_observe(th_loopback_pair *pair, int what, const char *func);

/* loopback_fault.c: faults, end-of-file, queues. */
/* th__lb_fault_find returns the direction's first fault of kind, or NULL. */
lb_fault *th__lb_fault_find(lb_dir *d, int kind);
/* th__lb_retry_now says whether a RETRY fault fails this I/O. */
int th__lb_retry_now(lb_dir *d);
/* th__lb_bytes_in takes n bytes the side `from` wrote, through its
 * direction's faults, onto the transport (or its queue). */
void th__lb_bytes_in(th_loopback_pair *pair, int from, const unsigned char *p, size_t n);
/* th__lb_apply_eof puts end-of-file on the transport of direction `from`
 * once nothing of it is left to deliver. */
void th__lb_apply_eof(th_loopback_pair *pair, int from);
/* th__lb_refill resets the per-step budgets of CAP and FRAGMENT. */
void th__lb_refill(th_loopback_pair *pair);
/* th__lb_flush_queue moves a direction's queued bytes onto the transport;
 * returns bytes moved. */
size_t th__lb_flush_queue(th_loopback_pair *pair, int from);
/* th__lb_now_ms: CLOCK_MONOTONIC in milliseconds. */
unsigned long long th__lb_now_ms(void);
/* th__lb_paced returns n when direction `from` goes over a socket to an
 * application that reads it itself and has a FRAGMENT n fault: its bytes
 * go out n at a time, each once the application read the one before. */
size_t th__lb_paced(th_loopback_pair *pair, int from);
/* th__lb_position_check validates a fault's position for its direction. */
int th__lb_position_check(th_loopback_pair *pair, const th_loopback_fault *f);
/* th__lb_position_arm makes a stored fault's position pending and installs
 * the message callback on the sender's SSL where the position needs it. */
void th__lb_position_arm(th_loopback_pair *pair, lb_fault *f);

/* loopback_wire.c: the end BIOs. */
BIO *th__lb_end_bio_new(th_loopback_pair *pair, int side);
/* th__lb_engage puts the end BIOs between the SSLs and a lean pair's
 * memory transport (faults, wire log, half-close need them); from then on
 * byte offsets still count from the start (BIO_number_written), record
 * numbers only when the direction was still silent. TH_OK or TH_ERR_NOMEM. */
int th__lb_engage(th_loopback_pair *pair);

/* loopback_driver.c */
/* th__lb_wrap_conn wraps side in a Connection when its Context has a
 * callback that receives one (pairs made from Contexts). TH_OK or an error. */
int th__lb_wrap_conn(th_loopback_pair *pair, int side);
/* th__lb_map_error turns the SSL result rc of side into a status, with a
 * message prefixed by the side and op ("client: handshake: ..."). */
int th__lb_map_error(th_loopback_pair *pair, int side, int rc, const char *op);
/* th__lb_progress sums every progress counter of the pair. */
unsigned long long th__lb_progress(th_loopback_pair *pair);
/* th__lb_lost: TH_ERR_NOMEM (recorded) once an allocation on the data path
 * failed (pair->lost), else TH_OK: the step, every read (read_rx) and the
 * driving calls that may end without a read check it. */
int th__lb_lost(th_loopback_pair *pair);
/* th__lb_idle says whether nothing moved since `before`, after ending any
 * STALL_THEN_RESUME (with both sides driven by the harness, a stall lasts
 * until nothing else can move). */
int th__lb_idle(th_loopback_pair *pair, unsigned long long before);
/* th__lb_stall writes the stall message and returns TH_ERR_STALLED. */
int th__lb_stall(th_loopback_pair *pair, const char *what);

/* loopback_io.c */
/* th__lb_read_into_rx reads what side can read now into pair->rx[side];
 * TH_OK when it would block, else the read error. */
int th__lb_read_into_rx(th_loopback_pair *pair, int side);

/* ---- th_peer (loopback_peer*.c) ---------------------------------------------
 * A peer is a one-sided pair (app_side, app_foreign, starve above) plus its
 * script. Its files, bottom first: loopback_peer.c (the object and its
 * settings) <- loopback_peer_run.c (running the script) <-
 * loopback_peer_attach.c (the peer's pair; memory and adopt patterns) <-
 * loopback_peer_result.c (results) <- loopback_peer_socket.c (the socket
 * pattern's thread). */
enum { PAT_NONE, PAT_MEMORY, PAT_SOCKET, PAT_ADOPT };
static inline const char *th__peer_pattern_name(int pattern) {
  return pattern == PAT_MEMORY ? "memory" : pattern == PAT_SOCKET ? "socket"
         : pattern == PAT_ADOPT ? "adopt" : "none";
}

typedef struct peer_action {
  int kind;
  unsigned char *data;
  size_t len;
} peer_action;

struct th_peer {
  th_obj hdr;
  int role;
  int pattern;
  SSL_CTX *ctx;
  SSL *ssl; /* the peer's SSL, until the pair takes it */
  th_loopback_pair *pair;
  th_loopback_fault faults[2 * TH_LOOPBACK_MAX_FAULTS];
  size_t nfaults;
  int observe;
  peer_action script[TH_PEER_MAX_ACTIONS];
  size_t nscript, pc, off; /* the action running and how far its data went */
  int phase;               /* ANSWER: 0 receiving, 1 sending */
  size_t rx_mark;          /* RECV: bytes received when the action began */
  char *sni;
  unsigned deadline_ms;
  int hs;      /* the handshake finished */
  int silent;  /* SILENCE ran */
  int closed;  /* the peer put end-of-file on its direction */
  int done;    /* the peer stopped (status says why) */
  int status;  /* TH_OK, TH_ERR_WANT_READ while running, or the error kept in the pair */
  th_error start_err; /* the error of a pattern that failed to start (no pair to keep it) */
  lb_buf rx;   /* application data the peer read */
  /* socket pattern */
  int lfd, port;
  th_loopback_thread *thread;
  atomic_int stop;
  unsigned long long started_ms;
};

extern const th_type TH_TYPE_PEER; /* loopback_peer.c */

/* The application's side: the other one. */
static inline int th__peer_app_side(const th_peer *p) { return !p->role; }

/* PEER_START: a pattern may start (none chosen yet); for int functions. */
#define PEER_START(p)                                                                       \
  do {                                                                                      \
    TH_CHECK(p, &TH_TYPE_PEER);                                                             \
    if ((p)->pattern != PAT_NONE)                                                           \
      return th__err(TH_ERR_VALUE, "%s: the peer already runs the %s pattern", __func__,   \
                     th__peer_pattern_name((p)->pattern));                                           \
    th__lb_clear_errors();                                                                  \
  } while (0)

/* loopback_peer_run.c */
/* th__peer_stopped: the pattern could not start (or its thread could not
 * accept); the peer stops with this thread's error, kept for
 * th_peer_result. Returns its kind. */
int th__peer_stopped(th_peer *p);
/* th__peer_fail stops the peer on the error just recorded (kept in the
 * pair) and puts end-of-file after what went out; returns -1. */
int th__peer_fail(th_peer *p, int kind);
/* th__peer_finish: the script ran and the conversation ended well; 0. */
int th__peer_finish(th_peer *p);
/* th__peer_run moves the peer as far as it can without waiting. */
void th__peer_run(th_peer *p);

/* loopback_peer_attach.c */
/* th__peer_socket_refuses: TH_OK, or TH_ERR_UNSUPPORTED for a fault a
 * socket pattern cannot apply. */
int th__peer_socket_refuses(th_peer *p, const th_loopback_fault *f, int transport);
/* th__peer_start makes the peer's pair for pattern (app_ssl: memory and
 * adopt; fd: the peer's socket end, taken over: closed on failure too) and
 * applies its settings; on failure the peer stops (th__peer_stopped). */
int th__peer_start(th_peer *p, int pattern, SSL *app_ssl, int fd, int transport);

/* loopback_socket.c (a leaf) */
int th__lb_socketpair(int transport, int fds[2], int nonblocking);
/* th__lb_listen_local binds s to 127.0.0.1 (an ephemeral port), listens
 * (backlog 1) and reads the address back into *a: TH_OK, or
 * TH_ERR_SYSCALL naming func and the call that failed (s stays open). */
int th__lb_listen_local(int s, struct sockaddr_in *a, const char *func);

#endif
