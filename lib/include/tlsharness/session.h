/* tlsharness/session.h — (being written). */
#ifndef TLSHARNESS_SESSION_H
#define TLSHARNESS_SESSION_H

#include "tlsharness/common.h"

#endif
