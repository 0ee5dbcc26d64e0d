/* tlsharness/elliptic_curve.h — (being written). */
#ifndef TLSHARNESS_ELLIPTIC_CURVE_H
#define TLSHARNESS_ELLIPTIC_CURVE_H

#include "tlsharness/common.h"

#endif
