/* tlsharness/tlsharness.h — the umbrella header.
 *
 * Contents, by module, bottom layer first (docs/design.md: a module uses
 * only the ones above it in this list; the sources are lib/src/<module>/):
 *
 * core      the object model and errors                      lib/src/core/
 *   types.h          opaque object types, th_bytes, th_list
 *   error.h          status kinds and the thread-local error record
 *   common.h         th_bytes / th_list helpers, version
 * crypto    pyOpenSSL's crypto module, and rand               lib/src/crypto/
 *   crypto.h         constants, load/dump, sign/verify
 *   pkey.h           crypto.PKey
 *   x509.h           crypto.X509
 *   x509_name.h      crypto.X509Name
 *   x509_extension.h crypto.X509Extension
 *   x509_req.h       crypto.X509Req
 *   x509_store.h     crypto.X509Store, X509StoreContext, X509StoreFlags
 *   crl.h            crypto.CRL and crypto.Revoked
 *   pkcs7.h          crypto.PKCS7
 *   pkcs12.h         crypto.PKCS12
 *   netscape_spki.h  crypto.NetscapeSPKI
 *   elliptic_curve.h crypto.get_elliptic_curve(s) curve objects
 *   rand.h           rand module
 * ssl       pyOpenSSL's SSL module                            lib/src/ssl/
 *   ssl.h            constants, SSLeay_version
 *   context.h        SSL.Context
 *   session.h        SSL.Session
 *   connection.h     SSL.Connection
 * loopback  testing TLS in one process (uses ssl)             lib/src/loopback/
 *   loopback.h       client/server pairs, handshake driver, faults, transcripts
 *   peer.h           a scripted one-sided peer for testing an existing application
 * fixtures  PKI fixtures (uses crypto and ssl)                lib/src/fixtures/
 *   fixtures.h       the PKI fixture generator
 *
 * Conventions (docs/api.md): every returned object or buffer is owned by
 * the caller; inputs are never taken over; int status (TH_OK or a negative
 * th_err) or NULL on failure, with details in th_error_last(). */
#ifndef TLSHARNESS_H
#define TLSHARNESS_H

#include "tlsharness/types.h"
#include "tlsharness/error.h"
#include "tlsharness/common.h"
#include "tlsharness/crypto.h"
#include "tlsharness/pkey.h"
#include "tlsharness/x509.h"
#include "tlsharness/x509_name.h"
#include "tlsharness/x509_extension.h"
#include "tlsharness/x509_req.h"
#include "tlsharness/x509_store.h"
#include "tlsharness/crl.h"
#include "tlsharness/pkcs7.h"
#include "tlsharness/pkcs12.h"
#include "tlsharness/netscape_spki.h"
#include "tlsharness/elliptic_curve.h"
#include "tlsharness/rand.h"
#include "tlsharness/ssl.h"
#include "tlsharness/context.h"
#include "tlsharness/session.h"
#include "tlsharness/connection.h"
#include "tlsharness/loopback.h"
#include "tlsharness/peer.h"
#include "tlsharness/fixtures.h"

#endif
