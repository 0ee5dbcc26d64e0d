/* tlsharness/elliptic_curve.h — crypto.get_elliptic_curves and
 * crypto.get_elliptic_curve: the curve objects Context.set_tmp_ecdh takes. */
#ifndef TLSHARNESS_ELLIPTIC_CURVE_H
#define TLSHARNESS_ELLIPTIC_CURVE_H

#include "tlsharness/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* th_crypto_get_elliptic_curves mirrors crypto.get_elliptic_curves: a new
 * list of th_elliptic_curve, one per curve built into this OpenSSL (names
 * unique); caller frees with th_list_free. NULL with TH_ERR_NOMEM. */
th_list *th_crypto_get_elliptic_curves(void);

/* th_crypto_get_elliptic_curve mirrors crypto.get_elliptic_curve(name): the
 * curve whose short name is name ("prime256v1", "secp384r1"; the NIST
 * aliases "P-256", "P-384", "P-521" are accepted too). Caller frees with
 * th_elliptic_curve_free. NULL with TH_ERR_TYPE for NULL, TH_ERR_VALUE for
 * a curve this build lacks, TH_ERR_NOMEM. */
th_elliptic_curve *th_crypto_get_elliptic_curve(const char *name);

/* th_elliptic_curve_free drops the caller's reference (NULL-safe). */
void th_elliptic_curve_free(th_elliptic_curve *curve);
/* th_elliptic_curve_up_ref (beyond the spec) takes another reference the
 * caller frees; NULL (no error recorded) if not an EllipticCurve. */
th_elliptic_curve *th_elliptic_curve_up_ref(th_elliptic_curve *curve);

/* th_elliptic_curve_get_name mirrors the curve's name attribute: its
 * OpenSSL short name, as new bytes the caller frees. NULL with TH_ERR_TYPE,
 * TH_ERR_NOMEM. */
th_bytes *th_elliptic_curve_get_name(const th_elliptic_curve *curve);

/* th_elliptic_curve_get_nid (beyond the spec): OpenSSL's NID of the
 * curve, or TH_ERR_TYPE. */
int th_elliptic_curve_get_nid(const th_elliptic_curve *curve);

#ifdef __cplusplus
}
#endif
#endif
