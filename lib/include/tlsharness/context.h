/* tlsharness/context.h — (being written). */
#ifndef TLSHARNESS_CONTEXT_H
#define TLSHARNESS_CONTEXT_H

#include "tlsharness/common.h"

#endif
