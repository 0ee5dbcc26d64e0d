/* tlsharness/loopback.h — (being written). */
#ifndef TLSHARNESS_LOOPBACK_H
#define TLSHARNESS_LOOPBACK_H

#include "tlsharness/common.h"

#endif
