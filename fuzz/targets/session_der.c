/* Fuzz target: Session from DER (th_session_from_der), its inspectors and
 * DER round trip, and offering it on a client Connection (set_session),
 * whose ClientHello then carries it. */
#include "../fuzz_tls.h"
#include "../fuzz_use.h"

static th_context *client;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  client = fuzz_client_context();
  if (client == NULL) fuzz_fail("client context");
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  th_session *sess = th_session_from_der(data, size);
  if (sess == NULL) return 0;
  fuzz_use_session(sess);
  th_connection *c = fuzz_client_connection(client);
  if (th_connection_set_session(c, sess) == TH_OK) {
    (void)th_connection_do_handshake(c); /* writes the ClientHello offering it */
    fuzz_use_bytes(th_connection_bio_read(c, 65536));
  }
  th_connection_free(c);
  th_session_free(sess);
  return 0;
}
