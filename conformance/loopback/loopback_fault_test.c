/* loopback_fault_test.c — every fault, on TLS 1.2 and TLS 1.3, ends in its
 * expected clean outcome: the conversation still works (fragment, cap,
 * retry), or a clear error on the side that sees the damage (an alert ->
 * TH_ERR_SSL, an EOF -> TH_ERR_SYSCALL "Unexpected EOF", a lost record ->
 * TH_ERR_STALLED). Never a hang, never a crash. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "testutil.h"
#include "testutil_loopback.h"

TestSuite(loopback_fault);

#define C TH_LOOPBACK_CLIENT
#define S TH_LOOPBACK_SERVER

/* No pointers in parameters: Criterion's workers may map the binary at
 * another address. INJECT's data is set in the test body. */
typedef struct fault_case {
  char name[40];
  int version;
  int transport;
  th_loopback_fault f;
  int want;       /* the scenario's status */
  int want_fired; /* one-shot faults that must have taken effect */
  char msg[40];   /* a substring of the error message, or "" */
} fault_case;

static const unsigned char JUNK[] = "\x17\x03\x03\x00\x05junk!";

#define V12 TLS1_2_VERSION
#define V13 TLS1_3_VERSION
#define P TH_LOOPBACK_PUMP
#define D TH_LOOPBACK_DIRECT
#define F(k, from, n, at) {TH_LOOPBACK_FAULT_##k, from, n, at, NULL, 0, TH_LOOPBACK_AT_BYTE}
#define INJ(from, at) {TH_LOOPBACK_FAULT_INJECT, from, 0, at, NULL, sizeof JUNK - 1, TH_LOOPBACK_AT_BYTE}

static fault_case cases[] = {
#define BOTH(name, t, f, want12, want13, fired, msg)   \
  {name " 1.2", V12, t, f, want12, fired, msg},        \
  {name " 1.3", V13, t, f, want13, fired, msg}
    BOTH("fragment c->s 1", P, F(FRAGMENT, C, 1, 0), TH_OK, TH_OK, 0, ""),
    BOTH("fragment s->c 7", D, F(FRAGMENT, S, 7, 0), TH_OK, TH_OK, 0, ""),
    BOTH("cap c->s 1", P, F(CAP, C, 1, 0), TH_OK, TH_OK, 0, ""),
    BOTH("cap s->c 100", D, F(CAP, S, 100, 0), TH_OK, TH_OK, 0, ""),
    BOTH("retry c->s 3", P, F(RETRY, C, 3, 0), TH_OK, TH_OK, 0, ""),
    BOTH("retry s->c 2", D, F(RETRY, S, 2, 0), TH_OK, TH_OK, 0, ""),
    BOTH("truncate c->s 10", P, F(TRUNCATE, C, 0, 10), TH_ERR_SYSCALL, TH_ERR_SYSCALL, 1, "unexpected EOF"),
    BOTH("truncate s->c 100", D, F(TRUNCATE, S, 0, 100), TH_ERR_SYSCALL, TH_ERR_SYSCALL, 1, "unexpected EOF"),
    BOTH("flip c->s byte 20", P, F(FLIP_BIT, C, 3, 20), TH_ERR_SSL, TH_ERR_SSL, 1, ""),
    BOTH("flip s->c byte 0", D, F(FLIP_BIT, S, 0, 0), TH_ERR_SSL, TH_ERR_SSL, 1, ""),
    BOTH("drop c->s record 1", P, F(DROP_RECORD, C, 1, 0), TH_ERR_STALLED, TH_ERR_STALLED, 1, "server waits to read"),
    BOTH("drop s->c record 2", P, F(DROP_RECORD, S, 2, 0), TH_ERR_SSL, TH_OK, 1, ""),
    BOTH("dup c->s record 1", P, F(DUP_RECORD, C, 1, 0), TH_ERR_SSL, TH_ERR_SSL, 1, ""),
    /* TLS 1.3's middlebox CCS (record 2) may be lost or moved harmlessly. */
    BOTH("reorder s->c record 2", D, F(REORDER_RECORD, S, 2, 0), TH_ERR_SSL, TH_OK, 1, ""),
    BOTH("reorder s->c record 3", P, F(REORDER_RECORD, S, 3, 0), TH_ERR_SSL, TH_ERR_SSL, 1, ""),
    BOTH("drop s->c record 3", D, F(DROP_RECORD, S, 3, 0), TH_ERR_SSL, TH_ERR_SSL, 1, ""),
    BOTH("inject c->s at 0", P, INJ(C, 0), TH_ERR_SSL, TH_ERR_SSL, 1, ""),
    BOTH("close c->s after 0", P, F(CLOSE, C, 0, 0), TH_ERR_SYSCALL, TH_ERR_SYSCALL, 1, "unexpected EOF"),
    BOTH("close s->c after 1", D, F(CLOSE, S, 1, 0), TH_ERR_SYSCALL, TH_ERR_SYSCALL, 1, "unexpected EOF"),
    /* After the handshake: the client's "ping" is record 5 in TLS 1.2
     * (ClientHello, ClientKeyExchange, CCS, Finished) and 4 in TLS 1.3. */
    {"dup ping 1.2", V12, P, F(DUP_RECORD, C, 5, 0), TH_ERR_SSL, 1, "bad record mac"},
    {"dup ping 1.3", V13, P, F(DUP_RECORD, C, 4, 0), TH_ERR_SSL, 1, "bad record mac"},
    {"drop ping 1.2", V12, D, F(DROP_RECORD, C, 5, 0), TH_ERR_STALLED, 1, "server expected 4 bytes, got 0"},
    {"drop ping 1.3", V13, D, F(DROP_RECORD, C, 4, 0), TH_ERR_STALLED, 1, "server expected 4 bytes, got 0"},
    /* 188 + 42 + 6 + 45 bytes of handshake, then the 33-byte record of "ping" */
    {"flip ping 1.2", V12, P, F(FLIP_BIT, C, 0, 300), TH_ERR_SSL, 1, "bad record mac"},
};

ParameterizedTestParameters(loopback_fault, outcome) {
  return cr_make_param_array(fault_case, cases, sizeof cases / sizeof cases[0]);
}

/* The scenario: handshake, ping, pong; its first failure. */
static int scenario(th_loopback_pair *p) {
  int rc = th_loopback_handshake(p);
  if (rc == TH_OK) rc = th_loopback_send(p, C, (const unsigned char *)"ping", 4);
  if (rc == TH_OK) rc = th_loopback_expect(p, S, (const unsigned char *)"ping", 4);
  if (rc == TH_OK) rc = th_loopback_send(p, S, (const unsigned char *)"pong", 4);
  if (rc == TH_OK) rc = th_loopback_expect(p, C, (const unsigned char *)"pong", 4);
  return rc;
}

/* Each case runs on a pair that observes nothing and on one that observes
 * everything: faults do not depend on observation. */
ParameterizedTest(fault_case *c, loopback_fault, outcome) {
  for (int obs = 0; obs < 2; obs++) {
    th_loopback_pair *p = tl_pair_observed(c->transport, c->version, obs ? TH_LOOPBACK_OBSERVE_ALL : 0);
    th_loopback_fault f = c->f;
    if (f.kind == TH_LOOPBACK_FAULT_INJECT) f.data = JUNK;
    cr_assert_eq(th_loopback_pair_add_fault(p, &f), TH_OK, "%s: %s", c->name, tu_err());
    int rc = scenario(p);
    cr_assert_eq(rc, c->want, "%s (observing: %d): got %s, want %s: %s\ntranscript:\n%s", c->name,
                 obs, th_err_name(rc), th_err_name(c->want), tu_err(), tl_transcript(p));
    if (c->msg[0] != '\0')
      cr_assert(strstr(tu_err(), c->msg) != NULL, "%s: %s", c->name, tu_err());
    cr_assert_eq(th_loopback_pair_faults_fired(p), c->want_fired, "%s", c->name);
    th_loopback_pair_free(p);
  }
}

Test(loopback_fault, add_fault_bad_input) {
  th_loopback_pair *p = tl_pair(P, 0);
  th_loopback_fault f = F(FRAGMENT, C, 0, 0);
  cr_assert_eq(th_loopback_pair_add_fault(p, &f), TH_ERR_VALUE); /* n == 0 */
  f.kind = 0;
  cr_assert_eq(th_loopback_pair_add_fault(p, &f), TH_ERR_VALUE);
  f.kind = TH_LOOPBACK_FAULT_STALL_THEN_RESUME + 1;
  cr_assert_eq(th_loopback_pair_add_fault(p, &f), TH_ERR_VALUE);
  th_loopback_fault b = F(FLIP_BIT, C, 8, 0);
  cr_assert_eq(th_loopback_pair_add_fault(p, &b), TH_ERR_VALUE);
  cr_assert(strstr(tu_err(), "bit 8") != NULL, "%s", tu_err());
  th_loopback_fault side = F(CAP, 2, 1, 0);
  cr_assert_eq(th_loopback_pair_add_fault(p, &side), TH_ERR_VALUE);
  th_loopback_fault inj = {TH_LOOPBACK_FAULT_INJECT, C, 0, 0, NULL, 3, TH_LOOPBACK_AT_BYTE};
  cr_assert_eq(th_loopback_pair_add_fault(p, &inj), TH_ERR_TYPE);
  inj.data = JUNK;
  inj.len = 0;
  cr_assert_eq(th_loopback_pair_add_fault(p, &inj), TH_ERR_VALUE);
  cr_assert_eq(th_loopback_pair_add_fault(p, NULL), TH_ERR_TYPE);
  cr_assert_eq(th_loopback_pair_add_fault(NULL, &f), TH_ERR_TYPE);
  /* At most TH_LOOPBACK_MAX_FAULTS per direction. */
  th_loopback_fault r = F(RETRY, S, 1, 0);
  for (int i = 0; i < TH_LOOPBACK_MAX_FAULTS; i++) cr_assert_eq(th_loopback_pair_add_fault(p, &r), TH_OK);
  cr_assert_eq(th_loopback_pair_add_fault(p, &r), TH_ERR_INDEX);
  /* The pair is unchanged by the failures and still works. */
  tl_assert_rc(p, scenario(p), TH_OK);
  cr_assert_eq(th_loopback_pair_faults_fired(p), 0);
  cr_assert_eq(th_loopback_pair_faults_fired(NULL), TH_ERR_TYPE);
  cr_assert_eq(th_loopback_pair_clear_faults(NULL), TH_ERR_TYPE);
  th_loopback_pair_free(p);
}

Test(loopback_fault, clear_releases_a_held_record) {
  th_loopback_pair *p = tl_pair(P, V12);
  th_loopback_fault r = F(REORDER_RECORD, C, 1, 0);
  cr_assert_eq(th_loopback_pair_add_fault(p, &r), TH_OK);
  /* The ClientHello is held: a stall, with bytes in flight. */
  tl_assert_rc(p, th_loopback_handshake(p), TH_ERR_STALLED);
  cr_assert_eq(th_loopback_pair_faults_fired(p), 1);
  cr_assert_eq(th_loopback_pair_clear_faults(p), TH_OK);
  cr_assert_eq(th_loopback_pair_faults_fired(p), 0);
  tl_assert_rc(p, scenario(p), TH_OK);
  th_loopback_pair_free(p);
}

Test(loopback_fault, several_faults_in_one_direction) {
  th_loopback_pair *p = tl_pair(D, V13);
  th_loopback_fault fs[] = {F(FRAGMENT, S, 5, 0), F(CAP, S, 64, 0), F(RETRY, S, 1, 0),
                            F(FRAGMENT, C, 2, 0), F(CAP, C, 3, 0), F(RETRY, C, 2, 0)};
  for (size_t i = 0; i < sizeof fs / sizeof fs[0]; i++)
    cr_assert_eq(th_loopback_pair_add_fault(p, &fs[i]), TH_OK);
  tl_assert_rc(p, scenario(p), TH_OK);
  tl_assert_rc(p, th_loopback_shutdown(p, S), TH_OK);
  th_loopback_pair_free(p);
}

/* Byte faults that fall in one write apply in offset order, whatever order
 * they were added in: each fires, and the transcript notes them in stream
 * order. A TRUNCATE cuts off the faults beyond it. */
Test(loopback_fault, byte_faults_apply_in_offset_order) {
  static const unsigned char AB[] = "ab", XYZ[] = "xyz";
  static const struct {
    th_loopback_fault f[2];
    int fired;
    const char *notes;
  } cases[] = {
      {{{TH_LOOPBACK_FAULT_INJECT, C, 0, 20, XYZ, 3, 0}, {TH_LOOPBACK_FAULT_INJECT, C, 0, 5, AB, 2, 0}},
       2,
       "C->S fault: injected 2 bytes before byte 5\nC->S fault: injected 3 bytes before byte 20\n"},
      {{{TH_LOOPBACK_FAULT_TRUNCATE, C, 0, 30, NULL, 0, 0}, {TH_LOOPBACK_FAULT_INJECT, C, 0, 10, AB, 2, 0}},
       2,
       "C->S fault: injected 2 bytes before byte 10\nC->S fault: truncated the stream at byte 30\n"},
      {{{TH_LOOPBACK_FAULT_INJECT, C, 0, 40, XYZ, 3, 0}, {TH_LOOPBACK_FAULT_TRUNCATE, C, 0, 30, NULL, 0, 0}},
       1,
       "C->S fault: truncated the stream at byte 30\nC->S end of file\n"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    th_loopback_pair *p = tl_pair_observed(P, V13, TH_LOOPBACK_OBSERVE_TRANSCRIPT);
    for (int k = 0; k < 2; k++) cr_assert_eq(th_loopback_pair_add_fault(p, &cases[i].f[k]), TH_OK);
    cr_assert_lt(th_loopback_handshake(p), 0); /* the server rejects what it got */
    cr_assert_eq(th_loopback_pair_faults_fired(p), cases[i].fired, "case %zu\n%s", i, tl_transcript(p));
    const char *t = tl_transcript(p);
    cr_assert(strncmp(t, cases[i].notes, strlen(cases[i].notes)) == 0, "case %zu:\n%s", i, t);
    th_loopback_pair_free(p);
  }
}

/* A record fault on a direction whose records arrive a few bytes per write
 * (CAP): the record is assembled before the fault sees it. */
Test(loopback_fault, record_fault_on_records_written_in_pieces) {
  th_loopback_pair *p = tl_pair_observed(D, V12, TH_LOOPBACK_OBSERVE_TRANSCRIPT);
  th_loopback_fault fs[] = {F(CAP, S, 7, 0), F(DROP_RECORD, S, 4, 0)};
  for (int i = 0; i < 2; i++) cr_assert_eq(th_loopback_pair_add_fault(p, &fs[i]), TH_OK);
  /* S->C records of TLS 1.2: ServerHello, Certificate, ServerKeyExchange,
   * ServerHelloDone (4: dropped): the client waits for it. */
  tl_assert_rc(p, th_loopback_handshake(p), TH_ERR_STALLED);
  cr_assert(strstr(tu_err(), "client waits to read") != NULL, "%s", tu_err());
  const char *t = tl_transcript(p);
  cr_assert(strstr(t, "S->C fault: dropped record 4 (9 bytes)\n") != NULL, "%s", t);
  cr_assert(strstr(t, "ServerHelloDone") == NULL, "%s", t);
  cr_assert_eq(th_loopback_pair_faults_fired(p), 1);
  th_loopback_pair_free(p);
  /* Cleared while a record is half assembled: its bytes go out first, in
   * order, and the handshake completes with every record intact. */
  p = tl_pair_observed(D, V12, TH_LOOPBACK_OBSERVE_TRANSCRIPT);
  for (int i = 0; i < 2; i++) cr_assert_eq(th_loopback_pair_add_fault(p, &fs[i]), TH_OK);
  cr_assert_gt(th_loopback_step(p), 0, "%s", tu_err());
  cr_assert_eq(th_loopback_pair_clear_faults(p), TH_OK);
  tl_assert_rc(p, th_loopback_handshake(p), TH_OK);
  t = tl_transcript(p);
  cr_assert(strstr(t, "S->C handshake 0x0303 len 4: ServerHelloDone\n") != NULL, "%s", t);
  cr_assert(strstr(t, "fault") == NULL, "%s", t);
  cr_assert_eq(th_loopback_pair_faults_fired(p), 0);
  th_loopback_pair_free(p);
}

Test(loopback_fault, record_faults_need_an_n) {
  th_loopback_pair *p = tl_pair(P, 0);
  static const int kinds[] = {TH_LOOPBACK_FAULT_DROP_RECORD, TH_LOOPBACK_FAULT_DUP_RECORD,
                              TH_LOOPBACK_FAULT_REORDER_RECORD, TH_LOOPBACK_FAULT_STALL_THEN_RESUME,
                              TH_LOOPBACK_FAULT_CAP};
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
    th_loopback_fault f = {kinds[i], S, 0, 0, NULL, 0, TH_LOOPBACK_AT_BYTE};
    cr_assert_eq(th_loopback_pair_add_fault(p, &f), TH_ERR_VALUE, "kind %d", kinds[i]);
    cr_assert(strstr(tu_err(), "n must be at least 1") != NULL, "%s", tu_err());
  }
  /* RETRY 0 is allowed and never fails an I/O. */
  th_loopback_fault r = F(RETRY, C, 0, 0);
  cr_assert_eq(th_loopback_pair_add_fault(p, &r), TH_OK);
  tl_assert_rc(p, scenario(p), TH_OK);
  cr_assert_eq(th_loopback_pair_faults_fired(p), 0);
  th_loopback_pair_free(p);
}
