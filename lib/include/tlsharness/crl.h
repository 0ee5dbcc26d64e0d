/* tlsharness/crl.h — (being written). */
#ifndef TLSHARNESS_CRL_H
#define TLSHARNESS_CRL_H

#include "tlsharness/common.h"

#endif
