/* tlsharness/peer.h — a scripted one-sided TLS peer for testing an existing
 * application (beyond pyOpenSSL; docs/testing-apps.md).
 *
 * The application under test keeps its own SSL_CTX, SSL, socket, poll loop
 * and deadline; the peer is the other end: a server (to test a client) or a
 * client (to test a server), made from a context or from PEM files, that
 * runs a script (answer, send, close with or without close_notify, ask for
 * a renegotiation or a key update, go silent, send garbage) and applies the
 * faults of th_loopback_fault to the bytes on the wire. Patterns:
 *
 *   memory  th_peer_attach_ssl: the application's SSL reads and writes
 *           through the peer. Whenever it finds nothing to read, the peer
 *           runs (in the application's own thread, inside its SSL call),
 *           so a blocking-style loop "SSL_connect until WANT_READ stops"
 *           needs no thread and no harness call. th_peer_step runs the
 *           peer explicitly.
 *   socket  th_peer_listen (127.0.0.1, an ephemeral port the application
 *           connects to with its own code) or th_peer_socketpair (the
 *           application gets one end); the peer runs in a bounded
 *           background thread until its script ends, the application
 *           closes, or the deadline passes. th_peer_wait joins it.
 *   adopt   th_peer_adopt_ssl: the application's SSL joins a loopback
 *           pair that the harness drives on both sides (th_peer_pair gives
 *           the pair to every th_loopback_* driver call).
 *
 * Settings (versions, cipher suites, groups, SNI, client certificates)
 * change the peer's side only; the application's SSL and SSL_CTX are never
 * touched except for the BIOs th_peer_attach_ssl / _adopt_ssl set.
 * Faults: th_peer_add_fault takes a th_loopback_fault; where it applies in
 * each pattern is the table in docs/testing-apps.md; a fault that cannot
 * apply is refused (TH_ERR_UNSUPPORTED naming the pattern and what works
 * instead), never silently ignored.
 *
 * Conventions are the library's: the caller owns what is returned, inputs
 * are copied or referenced, int status (TH_OK or a negative th_err) or
 * NULL with th_error_last() saying why. A peer is thread-compatible; in the
 * socket pattern the peer's thread owns it between start and th_peer_wait,
 * when only th_peer_wait, th_peer_port and th_peer_free may be called. */
#ifndef TLSHARNESS_PEER_H
#define TLSHARNESS_PEER_H

#include <stddef.h>

#include <openssl/ssl.h>

#include "tlsharness/common.h"
#include "tlsharness/loopback.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct th_peer th_peer;

/* Roles: the peer plays the server (the application is a client) or the
 * client (the application is a server). */
#define TH_PEER_SERVER TH_LOOPBACK_SERVER
#define TH_PEER_CLIENT TH_LOOPBACK_CLIENT

/* th_peer_new makes a peer of role over ctx (up-ref'd, not taken). Nothing
 * runs until a pattern is chosen. Errors: TH_ERR_TYPE (NULL ctx),
 * TH_ERR_VALUE (unknown role), TH_ERR_SSL, TH_ERR_NOMEM. Free with
 * th_peer_free. */
th_peer *th_peer_new(SSL_CTX *ctx, int role);

/* th_peer_new_from_files makes a peer from PEM files: cert_file (its chain
 * may follow) and key_file are presented (required for a server, optional
 * for a client: both NULL or both set); ca_file (may be NULL) is trusted for
 * verifying the application's certificate (th_peer_request_client_cert).
 * Errors: TH_ERR_TYPE (a required path NULL), TH_ERR_SSL (a file that
 * OpenSSL cannot load; the message names it), TH_ERR_VALUE, TH_ERR_NOMEM. */
th_peer *th_peer_new_from_files(int role, const char *cert_file, const char *key_file,
                                const char *ca_file);

/* th_peer_free releases the peer (NULL-safe). A socket peer still running
 * is told to stop and joined: its thread ends within one of its bounded
 * waits (100 ms), and free waits for it (a join that times out is tried
 * again: the peer is never freed under its thread); an attached SSL
 * keeps working but its reads and writes fail from then on. */
void th_peer_free(th_peer *peer);
th_peer *th_peer_up_ref(th_peer *peer);

/* ---- the peer's side only (before the pattern starts) ------------------- */

/* th_peer_set_versions pins the peer's protocol range (TLS1_2_VERSION ...;
 * 0: no bound). Errors: TH_ERR_TYPE, TH_ERR_VALUE (unknown version, or the
 * peer has started), TH_ERR_UNSUPPORTED (this OpenSSL lacks the version). */
int th_peer_set_versions(th_peer *peer, int min_version, int max_version);
/* th_peer_set_ciphers sets the peer's TLS 1.2 cipher list and/or TLS 1.3
 * suites (NULL: unchanged). Errors: TH_ERR_TYPE, TH_ERR_SSL (no usable
 * suite), TH_ERR_VALUE (started). */
int th_peer_set_ciphers(th_peer *peer, const char *tls12_list, const char *tls13_suites);
/* th_peer_set_groups sets the peer's key-exchange groups ("X25519:P-256").
 * Errors: TH_ERR_TYPE, TH_ERR_SSL (unknown group), TH_ERR_VALUE. */
int th_peer_set_groups(th_peer *peer, const char *groups);
/* th_peer_set_sni: a client peer sends host name `name` (SNI); a server
 * peer expects it: a handshake whose SNI differs (or is absent) ends with
 * the peer failed (th_peer_result: TH_ERR_VALUE "expected SNI ..., got
 * ...") and the connection closed without close_notify. A name that is
 * refused leaves the peer's earlier name in place. Errors: TH_ERR_TYPE,
 * TH_ERR_VALUE (started, empty name, or a client's name OpenSSL refuses:
 * over 255 bytes), TH_ERR_NOMEM. */
int th_peer_set_sni(th_peer *peer, const char *name);
/* th_peer_request_client_cert makes a server peer ask for the
 * application's certificate (require: fail without one), verified against
 * the peer context's trust store. Errors: TH_ERR_TYPE, TH_ERR_VALUE (a
 * client peer, or started). */
int th_peer_request_client_cert(th_peer *peer, int require);
/* th_peer_set_deadline bounds everything the peer does (default 10000 ms):
 * the socket thread ends when it passes. Errors: TH_ERR_TYPE, TH_ERR_VALUE
 * (0, or started). */
int th_peer_set_deadline(th_peer *peer, unsigned ms);

/* ---- the script -------------------------------------------------------- */

/* Actions, run in order after the handshake. When the script ends the peer
 * keeps reading: it answers a close_notify with its own and stops at the
 * application's end-of-file.
 * RECV        wait for at least one byte of application data
 * SEND        send data[0..len)
 * ANSWER      RECV, then SEND data
 * CLOSE_NOTIFY  send close_notify (the peer then waits for the answer)
 * CLOSE       end-of-file without close_notify (a truncation)
 * RENEGOTIATE a TLS 1.2 server peer sends HelloRequest, a client peer a new
 *             ClientHello (refused at run time for TLS 1.3: the peer fails
 *             with TH_ERR_UNSUPPORTED)
 * KEY_UPDATE  TLS 1.3 KeyUpdate asking for the application's own
 * SILENCE     stop: send nothing, read nothing, keep the connection open
 *             (the application's deadline must end it)
 * GARBAGE     put data[0..len) on the wire as it is, outside TLS */
#define TH_PEER_RECV 1
#define TH_PEER_SEND 2
#define TH_PEER_ANSWER 3
#define TH_PEER_CLOSE_NOTIFY 4
#define TH_PEER_CLOSE 5
#define TH_PEER_RENEGOTIATE 6
#define TH_PEER_KEY_UPDATE 7
#define TH_PEER_SILENCE 8
#define TH_PEER_GARBAGE 9

#define TH_PEER_MAX_ACTIONS 16

/* th_peer_script appends an action (data copied; NULL with len 0 for the
 * actions that take none). Errors: TH_ERR_TYPE, TH_ERR_VALUE (unknown
 * action, data missing for SEND / ANSWER / GARBAGE, started), TH_ERR_INDEX
 * (more than TH_PEER_MAX_ACTIONS), TH_ERR_NOMEM. */
int th_peer_script(th_peer *peer, int action, const void *data, size_t len);

/* th_peer_add_fault adds a fault to one direction (fault->from: the
 * peer's role for what the peer sends, the other for what the application
 * sends), as th_loopback_pair_add_fault, before the pattern starts. A
 * fault the chosen pattern cannot apply is refused when the pattern starts
 * (th_peer_attach_ssl / _listen / _socketpair return TH_ERR_UNSUPPORTED
 * with the reason). Errors: those of th_loopback_pair_add_fault (an
 * unknown kind or side: here, the rest when the pattern starts),
 * TH_ERR_INDEX (more than 2 * TH_LOOPBACK_MAX_FAULTS), and TH_ERR_VALUE
 * once started. */
int th_peer_add_fault(th_peer *peer, const th_loopback_fault *fault);

/* th_peer_observe asks for observation (TH_LOOPBACK_OBSERVE_TRANSCRIPT,
 * _PCAP), as th_loopback_pair_observe: both directions are recorded as they
 * cross the wire, whoever wrote them. Before the pattern starts. Errors:
 * TH_ERR_TYPE, TH_ERR_VALUE (started, or other bits: STATES and KEYLOG
 * would change the application's SSL or context). */
int th_peer_observe(th_peer *peer, int what);

/* ---- patterns ---------------------------------------------------------- */

/* th_peer_attach_ssl (memory): ssl (up-ref'd) reads and writes through the
 * peer from now on (SSL_set_bio: the BIOs it had are freed); its role must
 * be the opposite of the peer's (set by the application with
 * SSL_set_connect_state / _accept_state or by SSL_connect / SSL_accept).
 * Errors: TH_ERR_TYPE (NULL), TH_ERR_VALUE (a pattern already chosen),
 * TH_ERR_UNSUPPORTED (a fault that does not apply), TH_ERR_NOMEM. */
int th_peer_attach_ssl(th_peer *peer, SSL *ssl);

/* th_peer_step runs the peer once (memory and adopt patterns): its
 * handshake or script moves as far as it can without waiting. Returns the
 * progress made, counting the bytes both sides moved since the last step
 * (whoever read them: the application's own reads count), 0 when nothing
 * moved (a stall), or the peer's error. Errors: TH_ERR_VALUE (socket
 * pattern or none), TH_ERR_TYPE. */
int th_peer_step(th_peer *peer);

/* th_peer_listen (socket) listens on 127.0.0.1, an ephemeral port
 * (th_peer_port), and starts the peer's thread: it accepts one connection
 * and runs. th_peer_socketpair starts the thread on one end of a new
 * socket pair (transport TH_LOOPBACK_UNIX or _TCP) and returns the other
 * end, blocking, for the application (the caller closes it).
 * Errors: TH_ERR_VALUE (a pattern already chosen, bad transport),
 * TH_ERR_UNSUPPORTED (a fault that does not apply over a socket),
 * TH_ERR_SYSCALL (the message names the call), TH_ERR_NOMEM. A failure of
 * the thread's own poll or accept is th_peer_wait's result. */
int th_peer_listen(th_peer *peer);
int th_peer_socketpair(th_peer *peer, int transport);
/* th_peer_port returns the listening port (> 0), or TH_ERR_VALUE (not
 * listening), TH_ERR_TYPE. */
int th_peer_port(th_peer *peer);
/* th_peer_wait waits at most timeout_ms (0: the peer's deadline plus a
 * second) for the socket peer's thread to end. Returns th_peer_result's
 * status (again, once the thread has ended), or TH_ERR_STALLED (still
 * running), TH_ERR_VALUE (not a socket peer). */
int th_peer_wait(th_peer *peer, unsigned timeout_ms);

/* th_peer_adopt_ssl (adopt): app_ssl (up-ref'd; its BIOs replaced) becomes
 * the application's side of a loopback pair with the peer's SSL, and
 * th_peer_pair returns that pair (caller frees) for th_loopback_handshake,
 * _send, _expect, _shutdown, ... The script does not run in this pattern:
 * the harness drives both sides. Errors: as th_peer_attach_ssl. */
int th_peer_adopt_ssl(th_peer *peer, SSL *app_ssl);
/* th_peer_pair: NULL with TH_ERR_VALUE outside the adopt pattern (the
 * application drives its own SSL there; a pair call would run it). */
th_loopback_pair *th_peer_pair(th_peer *peer);

/* ---- results ----------------------------------------------------------- */

/* th_peer_result returns TH_OK when the peer finished its handshake and
 * script, TH_ERR_WANT_READ while it still runs or waits, or the error that
 * stopped it (restored as this thread's error record: e.g. TH_ERR_SSL with
 * the alert the application sent). */
int th_peer_result(th_peer *peer);
/* th_peer_received returns the application data the peer read (caller
 * frees), or NULL with TH_ERR_TYPE / TH_ERR_VALUE (socket thread running). */
th_bytes *th_peer_received(th_peer *peer);
/* th_peer_handshakes returns how many handshakes the peer finished (2
 * after a renegotiation), or TH_ERR_TYPE. */
int th_peer_handshakes(th_peer *peer);
/* th_peer_faults_fired returns how many one-shot faults took effect
 * (as th_loopback_pair_faults_fired), or TH_ERR_TYPE / TH_ERR_VALUE (not
 * started, or the socket thread runs). */
int th_peer_faults_fired(th_peer *peer);
/* th_peer_transcript returns the transcript of both directions (caller
 * frees); needs th_peer_observe(TRANSCRIPT). Errors as
 * th_loopback_transcript, and TH_ERR_VALUE while the socket thread runs. */
th_bytes *th_peer_transcript(th_peer *peer);
/* th_peer_write_pcap writes both directions as a pcap file. Errors as
 * th_loopback_write_pcap. */
int th_peer_write_pcap(th_peer *peer, const char *path);

#ifdef __cplusplus
}
#endif
#endif
