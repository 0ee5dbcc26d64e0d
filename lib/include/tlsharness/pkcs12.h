/* tlsharness/pkcs12.h — (being written). */
#ifndef TLSHARNESS_PKCS12_H
#define TLSHARNESS_PKCS12_H

#include "tlsharness/common.h"

#endif
