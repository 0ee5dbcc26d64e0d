/* tlsharness/pkcs7.h — (being written). */
#ifndef TLSHARNESS_PKCS7_H
#define TLSHARNESS_PKCS7_H

#include "tlsharness/common.h"

#endif
