/* tlsharness/rand.h — (being written). */
#ifndef TLSHARNESS_RAND_H
#define TLSHARNESS_RAND_H

#include "tlsharness/common.h"

#endif
