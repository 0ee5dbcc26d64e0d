/* tlsharness/tlsharness.h — the umbrella header.
 *
 * Contents (one header per class or module):
 *   types.h      opaque object types, th_bytes, th_list
 *   error.h      status kinds and the thread-local error record
 *   common.h     th_bytes / th_list helpers, version
 *   pkey.h       crypto.PKey
 *   x509.h       crypto.X509
 *
 * Conventions (docs/api.md): every returned object or buffer is owned by
 * the caller; inputs are never taken over; int status (TH_OK or a negative
 * th_err) or NULL on failure, with details in th_error_last(). */
#ifndef TLSHARNESS_H
#define TLSHARNESS_H

#include "tlsharness/common.h"
#include "tlsharness/error.h"
#include "tlsharness/pkey.h"
#include "tlsharness/types.h"
#include "tlsharness/x509.h"

#endif
