/* Fuzz target: a client Connection in memory-BIO mode (SNI, ALPN, OCSP
 * stapling request, a client certificate, verify and info callbacks) fed
 * server flights (fuzz_tls.h's flight format) through bio_write after its
 * ClientHello; then every reader of the connection's state. */
#include "../fuzz_tls.h"
#include "../fuzz_use.h"

static th_context *client;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  client = fuzz_client_context();
  if (client == NULL) fuzz_fail("client context");
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  th_connection *c = fuzz_client_connection(client);
  fuzz_run_flights(c, data, size);
  fuzz_use_connection(c);
  th_connection_free(c);
  return 0;
}
