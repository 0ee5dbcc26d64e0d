/* Fuzz target: a server Connection in memory-BIO mode fed client flights
 * (fuzz_tls.h's flight format) through bio_write, with SNI, ALPN, client
 * certificate verification and info callbacks installed; then every reader
 * of the connection's state. */
#include "../fuzz_tls.h"
#include "../fuzz_use.h"

static th_context *server;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  server = fuzz_server_context();
  if (server == NULL) fuzz_fail("server context");
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  th_connection *s = th_connection_new(server, -1);
  if (s == NULL || th_connection_set_accept_state(s) != TH_OK) fuzz_fail("server connection");
  fuzz_run_flights(s, data, size);
  fuzz_use_connection(s);
  th_connection_free(s);
  return 0;
}
