/* tlsharness/ssl.h — (being written). */
#ifndef TLSHARNESS_SSL_H
#define TLSHARNESS_SSL_H

#include "tlsharness/common.h"

#endif
