/* tlsharness/loopback.h — in-process TLS client/server pairs for tests.
 *
 * A th_loopback_pair holds a client and a server SSL in one process,
 * connected by a transport that the harness controls, so that a whole TLS
 * conversation runs deterministically: no ports (except the optional TCP
 * transport on 127.0.0.1), no sleeps, no threads unless asked for.
 *
 *   pair      th_loopback_pair_new_raw / _new_from_files, transports PUMP,
 *             DIRECT, UNIX, TCP; versions; escape hatch to the SSL objects
 *   driver    th_loopback_handshake, th_loopback_drive (bounded, detects a
 *             stall and says which side waited for what; can stop early
 *             and continue), th_loopback_step, th_loopback_pump
 *   data      th_loopback_interact (pyOpenSSL interact_in_memory),
 *             th_loopback_send / _expect, th_loopback_flush_tickets,
 *             th_loopback_resume, th_loopback_shutdown, th_loopback_renegotiate
 *   faults    th_loopback_pair_add_fault: fragment, cap, retry, truncate,
 *             flip a bit, drop / duplicate / reorder a record, inject, close
 *   observe   opt-in per pair (th_loopback_pair_observe, before the
 *             handshake): records per direction, info-callback states, NSS
 *             key log, a pcap file that tshark opens (and decrypts with the
 *             key log). A pair that observes nothing records nothing and
 *             costs about what two bare SSL objects cost.
 *   sockets   th_loopback_socketpair, th_loopback_pair_half_close,
 *             th_loopback_thread_* (one side in a background thread)
 *
 * Conventions are the library's (docs/api.md): what a function returns is
 * owned by the caller; inputs are never taken over; int status (TH_OK or a
 * negative th_err) or NULL, with th_error_last() saying why. Every message
 * of an error from a pair names the side ("client: ..." / "server: ...").
 * A pair is thread-compatible: use it from one thread at a time. */
#ifndef TLSHARNESS_LOOPBACK_H
#define TLSHARNESS_LOOPBACK_H

#include <stddef.h>

#include <openssl/ssl.h>

#include "tlsharness/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct th_loopback_pair th_loopback_pair;
typedef struct th_loopback_thread th_loopback_thread;

/* Sides. A direction is named by its sending side: TH_LOOPBACK_CLIENT is
 * the client-to-server direction. */
#define TH_LOOPBACK_CLIENT 0
#define TH_LOOPBACK_SERVER 1

/* Transports.
 * PUMP:   each SSL has its own pair of memory BIOs and the harness moves the
 *         bytes between them (th_loopback_pump), exactly as a pyOpenSSL test
 *         does with bio_read / bio_write.
 * DIRECT: two memory BIOs crossed: what one SSL writes, the other reads;
 *         bytes move without a copy by the harness (the fastest and the
 *         smallest; the benchmark uses it).
 * UNIX:   an AF_UNIX socketpair, non-blocking (th_loopback_pair_fd).
 * TCP:    a connected TCP socket pair on 127.0.0.1, non-blocking. */
#define TH_LOOPBACK_PUMP 0
#define TH_LOOPBACK_DIRECT 1
#define TH_LOOPBACK_UNIX 2
#define TH_LOOPBACK_TCP 3

/* ---- pairs ---------------------------------------------------------------- */

/* th_loopback_pair_new_raw makes a pair from two raw SSL_CTX (each is
 * up-ref'd, not taken; they may be the same). The client SSL is in connect
 * state, the server SSL in accept state; nothing is sent yet. The pair
 * observes nothing (th_loopback_pair_observe) and leaves the contexts
 * unchanged. Errors: TH_ERR_TYPE (NULL context), TH_ERR_VALUE
 * (unknown transport), TH_ERR_SYSCALL (socket transports), TH_ERR_NOMEM.
 * Free with th_loopback_pair_free(). */
th_loopback_pair *th_loopback_pair_new_raw(SSL_CTX *server, SSL_CTX *client, int transport);

/* th_loopback_pair_new makes a pair from two SSL.Context objects (server
 * first), each referenced, not taken. A side whose Context has a callback
 * that receives a Connection (verify, info, servername, NPN, ALPN, OCSP,
 * key log) is wrapped in an SSL.Connection when the pair is made, or at
 * the side's first handshake step for a callback set in between, so the callback
 * gets the side's Connection; other sides get one only on demand
 * (th_loopback_pair_connection). Both SSLs get the Connection modes
 * (partial writes, moving write buffer). Same errors as _new_raw, plus
 * TH_ERR_TYPE for an object that is not a Context. */
th_loopback_pair *th_loopback_pair_new(th_context *server, th_context *client, int transport);

/* th_loopback_pair_new_from_files makes a pair from PEM files, for the
 * fixture sets: the server presents cert_file (its chain may follow in the
 * same file) with key_file; when ca_file is not NULL the client verifies
 * the server against it (SSL_VERIFY_PEER) and the server asks for no client
 * certificate. Errors: TH_ERR_TYPE (NULL cert or key path), TH_ERR_SSL (a
 * file that cannot be read or a key that does not match), plus those of
 * _new_raw. */
th_loopback_pair *th_loopback_pair_new_from_files(const char *cert_file, const char *key_file,
                                                  const char *ca_file, int transport);

/* th_loopback_pair_connection returns a new reference to the side's
 * SSL.Connection (th_connection_from_ssl of the pair's SSL: the same object
 * each time while one is alive), so application code under test can use
 * the Connection API on a pair. The Connection stays usable after the pair
 * is freed (it keeps the SSL alive), but its transport is gone. NULL with
 * TH_ERR_TYPE, TH_ERR_VALUE (bad side), TH_ERR_NOMEM. */
th_connection *th_loopback_pair_connection(th_loopback_pair *pair, int side);

/* th_loopback_pair_free frees the pair, its SSL objects and its transport
 * (NULL-safe). References handed out by th_loopback_pair_ssl stay valid. */
void th_loopback_pair_free(th_loopback_pair *pair);

/* th_loopback_pair_ssl is the escape hatch: a new reference to the side's
 * SSL (the caller releases it with SSL_free). Do not replace its BIOs: the
 * pair finds itself through them. NULL with TH_ERR_TYPE (not a
 * pair) or TH_ERR_VALUE (side is neither CLIENT nor SERVER). */
SSL *th_loopback_pair_ssl(th_loopback_pair *pair, int side);

/* th_loopback_pair_set_session sets session (referenced, not taken) on
 * the client, to be offered in the handshake; call it before the
 * handshake. Errors: TH_ERR_TYPE (not a pair, not a Session), TH_ERR_VALUE
 * (the handshake has started), TH_ERR_SSL (OpenSSL refused it). */
int th_loopback_pair_set_session(th_loopback_pair *pair, th_session *session);

/* th_loopback_pair_get_session returns the client's current session (a new
 * Session the caller frees), e.g. to resume it in another pair. NULL with
 * TH_ERR_TYPE, or TH_ERR_VALUE when the client has no session yet. */
th_session *th_loopback_pair_get_session(th_loopback_pair *pair);

/* th_loopback_pair_set_versions pins both SSLs to protocol versions
 * [min, max] (TLS1_2_VERSION, TLS1_3_VERSION, ...; 0 = no bound); call it
 * before the handshake. Errors: TH_ERR_TYPE, TH_ERR_VALUE (a version this
 * OpenSSL rejects). */
int th_loopback_pair_set_versions(th_loopback_pair *pair, int min, int max);

/* th_loopback_pair_fd returns a dup() of the side's socket (the caller
 * closes it) for UNIX and TCP pairs. Errors: TH_ERR_TYPE, TH_ERR_VALUE
 * (memory transport, bad side), TH_ERR_SYSCALL (dup failed). */
int th_loopback_pair_fd(th_loopback_pair *pair, int side);

/* th_loopback_pair_half_close closes the side's sending direction: the
 * peer reads end-of-file once the bytes already in flight are delivered
 * (memory transports: the peer's memory BIO returns EOF once empty;
 * sockets: shutdown(SHUT_WR)); what the side writes afterwards is
 * dropped. Idempotent. Errors: TH_ERR_TYPE,
 * TH_ERR_VALUE (bad side). */
int th_loopback_pair_half_close(th_loopback_pair *pair, int side);

/* th_loopback_pair_reused returns 1 when the side's SSL reused a session
 * (SSL_session_reused), 0 when not, or TH_ERR_TYPE / TH_ERR_VALUE. */
int th_loopback_pair_reused(th_loopback_pair *pair, int side);

/* ---- the handshake driver --------------------------------------------------- */

/* What th_loopback_drive stops on, besides success and errors. */
typedef struct th_loopback_drive_opts {
  int max_steps;  /* 0: 1000 plus one per byte put on the transport so far (at most
                     2^24 more), so that a FRAGMENT 1 fault carries any handshake. A step
                     runs each unfinished side once and moves bytes. */
  int stop_side;  /* -1: either side; else the side watched by stop_kind / stop_state */
  int stop_kind;  /* 0: none; else a waiting kind to stop on, e.g. TH_ERR_WANT_X509_LOOKUP */
  int stop_state; /* -1: none; else an OSSL_HANDSHAKE_STATE (SSL_get_state) to stop on */
} th_loopback_drive_opts;

/* What th_loopback_drive saw. */
typedef struct th_loopback_result {
  int status;   /* the returned status */
  int side;     /* the side that failed or stopped; -1 when none */
  int stopped;  /* 1 when the drive stopped early on stop_kind / stop_state */
  int steps;    /* steps run */
  int kind[2];  /* each side's last result: TH_OK (finished) or a th_err kind */
} th_loopback_result;

/* th_loopback_drive runs the handshake of both sides step by step, until
 * both finished (TH_OK), a side reached opts' stop condition (TH_OK with
 * res->stopped; call again to continue), a side failed (its kind, e.g.
 * TH_ERR_SSL for an alert, TH_ERR_SYSCALL for an unexpected EOF, or a
 * callback's own error; bytes in flight, such as the alert, are delivered
 * to the peer before returning), or no side could progress: TH_ERR_STALLED
 * with a message saying what each side waited for and what is in flight
 * ("client waits to read (WANT_READ), server waits to read (WANT_READ); no
 * bytes in flight"). A stall is detected within one step, never by a
 * timeout; more than max_steps steps is TH_ERR_STALLED too. opts and res
 * may be NULL. Errors also: TH_ERR_TYPE (not a pair). */
int th_loopback_drive(th_loopback_pair *pair, const th_loopback_drive_opts *opts,
                      th_loopback_result *res);

/* th_loopback_handshake is th_loopback_drive with default options. */
int th_loopback_handshake(th_loopback_pair *pair);

/* th_loopback_step runs one step (each unfinished side's handshake once,
 * then th_loopback_pump) and returns the amount of progress it made (0:
 * none), or a side's error kind. Errors: TH_ERR_TYPE. */
int th_loopback_step(th_loopback_pair *pair);

/* th_loopback_pump moves the bytes each side has written to the other
 * (PUMP), or flushes what faults held back (all transports); returns the
 * number of bytes moved (>= 0). Errors: TH_ERR_TYPE. */
long th_loopback_pump(th_loopback_pair *pair);

/* ---- application data ---------------------------------------------------- */

/* th_loopback_interact mirrors pyOpenSSL's interact_in_memory: it moves
 * bytes until one side has application data to read, and returns that side
 * in *side and the data (up to 64 KiB, caller frees) in *data. When
 * nothing more can move it returns TH_OK with *side = -1 and *data = NULL
 * (pyOpenSSL's None). Errors: a side's read error (TH_ERR_SSL,
 * TH_ERR_ZERO_RETURN, TH_ERR_SYSCALL ...), TH_ERR_TYPE. */
int th_loopback_interact(th_loopback_pair *pair, int *side, th_bytes **data);

/* th_loopback_handshake_in_memory mirrors pyOpenSSL's test helper of the
 * same name over two Connections made with th_connection_new(ctx, -1)
 * (memory BIOs): it sets connect / accept state and alternates
 * do_handshake with bio_read / bio_write until both finish. Errors: a
 * side's error kind, TH_ERR_STALLED (no bytes moved and not finished; the
 * message says who waits), TH_ERR_TYPE (not a Connection, or one without
 * memory BIOs). */
int th_loopback_handshake_in_memory(th_connection *client, th_connection *server);

/* th_loopback_interact_in_memory is pyOpenSSL's interact_in_memory over
 * two memory-BIO Connections: recv(65536) on each side, else move bytes;
 * *side is 0 (client) or 1 (server) with *data (caller frees) when one side
 * read data, or -1 / NULL (None) when nothing moved. Errors: a side's recv
 * error other than TH_ERR_WANT_READ, TH_ERR_TYPE. */
int th_loopback_interact_in_memory(th_connection *client, th_connection *server, int *side,
                                   th_bytes **data);

/* th_loopback_send writes all len bytes from side (SSL_write), moving bytes
 * and letting the peer buffer what it receives as needed, bounded. Errors:
 * the writer's error kind, TH_ERR_STALLED, TH_ERR_TYPE, TH_ERR_VALUE (bad
 * side, len 0 with NULL data is fine). */
int th_loopback_send(th_loopback_pair *pair, int side, const unsigned char *data, size_t len);

/* th_loopback_expect reads exactly len bytes on side and compares them
 * with data. Errors: TH_ERR_VALUE when they differ (the message shows the
 * first differing offset), TH_ERR_STALLED when fewer arrive ("server
 * expected 5 bytes, got 3"), the reader's error kind (TH_ERR_ZERO_RETURN
 * when the peer closed, TH_ERR_SSL ...), TH_ERR_TYPE. */
int th_loopback_expect(th_loopback_pair *pair, int side, const unsigned char *data, size_t len);

/* th_loopback_recv returns everything side has received and not consumed
 * yet (possibly empty), after moving the bytes in flight. Caller frees.
 * NULL with the reader's error kind, TH_ERR_TYPE or TH_ERR_VALUE. */
th_bytes *th_loopback_recv(th_loopback_pair *pair, int side);

/* th_loopback_flush_tickets lets each side read the post-handshake
 * messages in flight (TLS 1.3 NewSessionTicket), as OpenSSL's own tests do
 * with a read of no application data, so that the client holds a
 * resumable session. Application data read meanwhile is kept for
 * th_loopback_expect / _recv. Returns the number of NewSessionTicket
 * messages the client processed since the pair was made (>= 0; 0 for
 * session-id resumption). Errors: a side's read error,
 * TH_ERR_TYPE. */
int th_loopback_flush_tickets(th_loopback_pair *pair);

/* th_loopback_resume flushes tickets, takes the client's session, makes a
 * new pair over the same contexts, transport and versions with that
 * session set on the client, runs its handshake, and checks that BOTH
 * sides report reuse (SSL_session_reused). On TH_OK, or TH_ERR_VALUE when
 * a side did not reuse the session (the message says which), *out gets
 * the new pair (caller frees); otherwise *out is NULL. Errors also:
 * TH_ERR_VALUE (the client holds no resumable session), the handshake's
 * errors, TH_ERR_TYPE. */
int th_loopback_resume(th_loopback_pair *pair, th_loopback_pair **out);

/* th_loopback_shutdown closes the connection cleanly in both directions:
 * first_side sends close_notify, the peer reads it (TH_ERR_ZERO_RETURN,
 * expected) and answers, first_side reads the answer; both must end with
 * SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN. Application data still in
 * flight is kept for _recv. Errors: a side's error kind, TH_ERR_STALLED,
 * TH_ERR_TYPE, TH_ERR_VALUE (bad side). */
int th_loopback_shutdown(th_loopback_pair *pair, int first_side);

/* th_loopback_renegotiate runs a renegotiation started by side on an
 * established TLS 1.2 (or older) connection and returns when both sides
 * finished it. A client-started one needs the server to allow it
 * (SSL_OP_ALLOW_CLIENT_RENEGOTIATION on OpenSSL 3); otherwise the server
 * refuses and this returns TH_ERR_SSL or TH_ERR_STALLED. Errors:
 * TH_ERR_UNSUPPORTED (TLS 1.3 has no renegotiation), TH_ERR_VALUE (no
 * handshake done yet, bad side), a side's error kind, TH_ERR_TYPE. */
int th_loopback_renegotiate(th_loopback_pair *pair, int side);

/* ---- faults ---------------------------------------------------------------- */

/* Fault kinds. Each applies to one direction, named by its sending side
 * (`from`), and works on every transport.
 * FRAGMENT n  the receiver's reads return at most n bytes per step, so
 *             every record arrives in n-byte pieces (WANT_READ paths).
 * CAP n       the sender's transport accepts at most n bytes per step, so
 *             its writes stop with WANT_WRITE (WANT_WRITE paths).
 * RETRY n     every read and write of that direction first fails n times
 *             with "retry" before bytes pass (OpenSSL's always-retry BIO).
 * TRUNCATE at the stream is cut before byte `at` (bytes 0 .. at-1 pass,
 *             byte `at` and later are dropped); the receiver then reads
 *             end-of-file.
 * FLIP_BIT at flips bit n (0-7) of byte `at` of the direction's stream.
 * DROP_RECORD n / DUP_RECORD n / REORDER_RECORD n
 *             drops, sends twice, or holds back (until the next record
 *             passes) the n-th TLS record (1-based) of the direction.
 * INJECT at   inserts data[0..len) before byte `at`.
 * CLOSE n     closes the direction (end-of-file) after n whole records.
 * SILENCE at  from byte `at` the direction delivers nothing more and
 *             stays open (no end-of-file): the receiver waits.
 * STALL_THEN_RESUME at, n
 *             from byte `at` the direction's bytes are held for n
 *             milliseconds, then delivered by whatever moves bytes next.
 * Byte offsets count the bytes the sender wrote, from 0.
 *
 * Budgets (FRAGMENT, CAP) refill whenever the reader or writer is told to
 * retry, whoever drives it (the driver, th_loopback_pump, an application
 * reading through a th_peer): each SSL call moves at most n bytes. */
#define TH_LOOPBACK_FAULT_FRAGMENT 1
#define TH_LOOPBACK_FAULT_CAP 2
#define TH_LOOPBACK_FAULT_RETRY 3
#define TH_LOOPBACK_FAULT_TRUNCATE 4
#define TH_LOOPBACK_FAULT_FLIP_BIT 5
#define TH_LOOPBACK_FAULT_DROP_RECORD 6
#define TH_LOOPBACK_FAULT_DUP_RECORD 7
#define TH_LOOPBACK_FAULT_REORDER_RECORD 8
#define TH_LOOPBACK_FAULT_INJECT 9
#define TH_LOOPBACK_FAULT_CLOSE 10
#define TH_LOOPBACK_FAULT_SILENCE 11
#define TH_LOOPBACK_FAULT_STALL_THEN_RESUME 12

/* Positions of the byte faults (TRUNCATE, FLIP_BIT, INJECT, SILENCE,
 * STALL_THEN_RESUME), by protocol instead of by byte (`position` field):
 * AT_BYTE            `at` is a byte offset (the default, 0)
 * AT_RECORD_END      right after the direction's record number `at` (1-based)
 * AT_MESSAGE_END     right after the record carrying handshake message type
 *                    `at` (TH_LOOPBACK_HS_SERVER_HELLO ...; its first
 *                    occurrence), encrypted or not: read from the sending
 *                    SSL's message callback, so the sender must be an SSL
 *                    the harness owns (not an application's, see th_peer)
 * AT_FIRST_APPDATA   `at` bytes into the first application-data record the
 *                    sending SSL writes (0: its first header byte; 5: the
 *                    first byte of its protected payload); same condition.
 * A position is resolved to a byte offset as the bytes pass; a position
 * never reached leaves the fault unfired. */
#define TH_LOOPBACK_AT_BYTE 0
#define TH_LOOPBACK_AT_RECORD_END 1
#define TH_LOOPBACK_AT_MESSAGE_END 2
#define TH_LOOPBACK_AT_FIRST_APPDATA 3

/* Handshake message types for AT_MESSAGE_END (RFC 8446 / 5246). */
#define TH_LOOPBACK_HS_CLIENT_HELLO 1
#define TH_LOOPBACK_HS_SERVER_HELLO 2
#define TH_LOOPBACK_HS_NEW_SESSION_TICKET 4
#define TH_LOOPBACK_HS_ENCRYPTED_EXTENSIONS 8
#define TH_LOOPBACK_HS_CERTIFICATE 11
#define TH_LOOPBACK_HS_SERVER_KEY_EXCHANGE 12
#define TH_LOOPBACK_HS_CERTIFICATE_REQUEST 13
#define TH_LOOPBACK_HS_SERVER_HELLO_DONE 14
#define TH_LOOPBACK_HS_CERTIFICATE_VERIFY 15
#define TH_LOOPBACK_HS_CLIENT_KEY_EXCHANGE 16
#define TH_LOOPBACK_HS_FINISHED 20

typedef struct th_loopback_fault {
  int kind;                  /* TH_LOOPBACK_FAULT_* */
  int from;                  /* the sending side of the direction */
  size_t n;                  /* FRAGMENT/CAP: bytes; RETRY: count; FLIP_BIT: bit;
                                *_RECORD: record number (1-based); CLOSE: records */
  size_t at;                 /* TRUNCATE / FLIP_BIT / INJECT: byte offset */
  const unsigned char *data; /* INJECT: bytes to insert (copied) */
  size_t len;
  int position;              /* TH_LOOPBACK_AT_*: what `at` means (0: a byte offset) */
} th_loopback_fault;

#define TH_LOOPBACK_MAX_FAULTS 8

/* th_loopback_pair_add_fault adds a fault (copied) to its direction; at
 * most TH_LOOPBACK_MAX_FAULTS per direction. Errors: TH_ERR_TYPE (NULL
 * pair or fault, INJECT with NULL data), TH_ERR_VALUE (unknown kind, bad
 * side, n == 0 for FRAGMENT / CAP / *_RECORD, bit > 7, len == 0 for
 * INJECT, n == 0 for STALL_THEN_RESUME, unknown position, a position on a
 * fault that takes none, AT_RECORD_END 0), TH_ERR_INDEX (too many faults),
 * TH_ERR_UNSUPPORTED (AT_MESSAGE_END / AT_FIRST_APPDATA on a direction whose
 * SSL belongs to an application: the message says what works instead). */
int th_loopback_pair_add_fault(th_loopback_pair *pair, const th_loopback_fault *fault);

/* th_loopback_pair_clear_faults removes every fault (those still holding
 * bytes release them first). Errors: TH_ERR_TYPE. */
int th_loopback_pair_clear_faults(th_loopback_pair *pair);

/* th_loopback_pair_faults_fired returns how many one-shot faults (all but
 * FRAGMENT, CAP, RETRY) have taken effect, or TH_ERR_TYPE. */
int th_loopback_pair_faults_fired(th_loopback_pair *pair);

/* ---- observation ----------------------------------------------------------- */

/* What a pair can record. Nothing is recorded unless asked for, and then
 * only from the start of the conversation.
 * TRANSCRIPT  records and fault notes: th_loopback_record_count / _get,
 *             th_loopback_transcript
 * PCAP        a copy of the bytes on the wire: th_loopback_pcap / _write_pcap
 * STATES      info-callback lines per side: th_loopback_info_states
 * KEYLOG      NSS key log lines: th_loopback_keylog / _write_keylog. OpenSSL
 *             only logs through SSL_CTX_set_keylog_callback, so while a pair
 *             observing KEYLOG lives, the harness's callback sits on its
 *             contexts (chained to one already there, which keeps running;
 *             removed when the last such pair is freed). Other pairs and
 *             connections on those contexts meanwhile pay for OpenSSL's
 *             formatting of their secrets (not recorded), and the contexts
 *             must not be used by other threads during that change. */
#define TH_LOOPBACK_OBSERVE_TRANSCRIPT 0x1
#define TH_LOOPBACK_OBSERVE_PCAP 0x2
#define TH_LOOPBACK_OBSERVE_STATES 0x4
#define TH_LOOPBACK_OBSERVE_KEYLOG 0x8
#define TH_LOOPBACK_OBSERVE_ALL 0xf

/* th_loopback_pair_observe makes pair record `what` (TH_LOOPBACK_OBSERVE_*
 * bits, added to those asked for before); call it right after making the
 * pair, before any handshake step. th_loopback_resume's new pair observes
 * what the old one did. Errors: TH_ERR_TYPE (not a pair), TH_ERR_VALUE
 * (unknown bits, or the conversation has started), TH_ERR_NOMEM. */
int th_loopback_pair_observe(th_loopback_pair *pair, int what);

/* th_loopback_pair_observing returns the TH_LOOPBACK_OBSERVE_* bits pair
 * observes (0: none), or TH_ERR_TYPE. It never changes the error record. */
int th_loopback_pair_observing(th_loopback_pair *pair);

/* One TLS record as it crossed the transport (after faults). */
typedef struct th_loopback_record {
  int from;         /* sending side */
  int content_type; /* 20 change_cipher_spec, 21 alert, 22 handshake, 23 application_data */
  int version;      /* the record header's version, e.g. 0x0303 */
  size_t length;    /* payload length */
  int encrypted;    /* 1 when the payload is protected (handshake after CCS, all type 23) */
  int n_msgs;       /* plaintext handshake: number of message types below */
  int msg_types[8]; /* plaintext handshake: message types that start in this record */
  int alert_level;  /* plaintext alert: level and description, else -1 */
  int alert_desc;
} th_loopback_record;

/* th_loopback_record_count returns the number of records seen, both
 * directions in transport order (>= 0), or TH_ERR_TYPE, or TH_ERR_VALUE
 * when the pair does not observe TH_LOOPBACK_OBSERVE_TRANSCRIPT (this and
 * every accessor below fail that way when their observation was not asked
 * for: an empty answer would look like a silent conversation). */
int th_loopback_record_count(th_loopback_pair *pair);

/* th_loopback_record_get copies record i into *out. Errors: TH_ERR_TYPE,
 * TH_ERR_INDEX, TH_ERR_VALUE (not observing TRANSCRIPT). */
int th_loopback_record_get(th_loopback_pair *pair, size_t i, th_loopback_record *out);

/* th_loopback_transcript returns the conversation as text, one line per
 * record ("C->S handshake 0x0301 len 239: ClientHello") and per fault
 * taken ("C->S fault: dropped record 1"). Caller frees. NULL with
 * TH_ERR_TYPE, TH_ERR_VALUE (not observing TRANSCRIPT) or TH_ERR_NOMEM. */
th_bytes *th_loopback_transcript(th_loopback_pair *pair);

/* th_loopback_handshake_type_name names a handshake message type
 * ("ClientHello", "Finished"; "unknown" otherwise). Static storage. */
const char *th_loopback_handshake_type_name(int type);

/* th_loopback_info_states returns the side's info-callback events so far,
 * each a th_bytes line "<where>: <SSL_state_string_long>" such as
 * "HANDSHAKE_START: before SSL initialization" or "LOOP: SSLv3/TLS write
 * client hello" (the context's own info callback still runs). Caller frees
 * with th_list_free. NULL with TH_ERR_TYPE, TH_ERR_VALUE (bad side, or not
 * observing STATES). */
th_list *th_loopback_info_states(th_loopback_pair *pair, int side);

/* th_loopback_keylog returns the NSS key log lines (CLIENT_RANDOM ...,
 * CLIENT_HANDSHAKE_TRAFFIC_SECRET ...) of this pair's connections, each
 * ending in "\n", collected through SSL_CTX_set_keylog_callback (see
 * TH_LOOPBACK_OBSERVE_KEYLOG; a callback already on a context keeps
 * running too). Caller frees. NULL with TH_ERR_TYPE, TH_ERR_VALUE (not
 * observing KEYLOG) or TH_ERR_NOMEM. */
th_bytes *th_loopback_keylog(th_loopback_pair *pair);

/* th_loopback_pcap returns the conversation as a pcap file: Ethernet /
 * IPv4 / TCP, client 10.0.0.1:40000, server 10.0.0.2:443, with a SYN
 * handshake, correct sequence and acknowledgement numbers, valid checksums,
 * a segment per write (split at 1400 bytes), FIN when a direction closed,
 * and deterministic time stamps. `tshark -r` reads it; with the key log
 * (`-o tls.keylog_file:FILE`) it decrypts the application data. Caller
 * frees. NULL with TH_ERR_TYPE, TH_ERR_VALUE (not observing PCAP) or
 * TH_ERR_NOMEM. */
th_bytes *th_loopback_pcap(th_loopback_pair *pair);

/* th_loopback_write_pcap / th_loopback_write_keylog write those to path.
 * Errors: TH_ERR_TYPE (NULL), TH_ERR_VALUE (not observing PCAP / KEYLOG),
 * TH_ERR_SYSCALL (cannot write, errno set). */
int th_loopback_write_pcap(th_loopback_pair *pair, const char *path);
int th_loopback_write_keylog(th_loopback_pair *pair, const char *path);

/* ---- sockets and threads ----------------------------------------------------- */

/* th_loopback_socketpair makes two connected stream sockets, blocking and
 * close-on-exec, for application code that needs file descriptors:
 * transport TH_LOOPBACK_UNIX (socketpair(AF_UNIX)) or TH_LOOPBACK_TCP
 * (127.0.0.1, an ephemeral port; fds[0] is the connecting side). The
 * caller closes both. Half-close with shutdown(fd, SHUT_WR). Errors:
 * TH_ERR_TYPE (NULL fds), TH_ERR_VALUE (other transport), TH_ERR_SYSCALL
 * (errno, and the message names the call that failed: socket, bind,
 * listen, getsockname, connect, accept, socketpair, fcntl); no descriptor
 * is left open on failure. */
int th_loopback_socketpair(int transport, int fds[2]);

/* th_loopback_thread_start runs fn(user) in a new pthread, for application
 * code that blocks (e.g. a blocking TLS client on one end of a
 * socketpair). NULL with TH_ERR_TYPE (NULL fn), TH_ERR_SYSCALL, TH_ERR_NOMEM. */
th_loopback_thread *th_loopback_thread_start(int (*fn)(void *user), void *user);

/* th_loopback_thread_join waits at most timeout_ms (0: 10000) for the
 * thread and stores fn's return value in *result (may be NULL). Errors:
 * TH_ERR_STALLED when it is still running (unblock it, e.g. by closing its
 * socket, and join again), TH_ERR_TYPE, TH_ERR_VALUE (already joined),
 * TH_ERR_SYSCALL (pthread_timedjoin_np failed otherwise; the thread stays
 * joinable and freeable). */
int th_loopback_thread_join(th_loopback_thread *t, unsigned timeout_ms, int *result);

/* th_loopback_thread_free releases t (NULL-safe). A thread still running
 * is detached and releases itself when fn returns. */
void th_loopback_thread_free(th_loopback_thread *t);

#ifdef __cplusplus
}
#endif
#endif
