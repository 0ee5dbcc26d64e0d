/* tlsharness/crypto.h — (being written). */
#ifndef TLSHARNESS_CRYPTO_H
#define TLSHARNESS_CRYPTO_H

#include "tlsharness/common.h"

#endif
