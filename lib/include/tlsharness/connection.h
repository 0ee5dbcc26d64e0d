/* tlsharness/connection.h — (being written). */
#ifndef TLSHARNESS_CONNECTION_H
#define TLSHARNESS_CONNECTION_H

#include "tlsharness/common.h"

#endif
