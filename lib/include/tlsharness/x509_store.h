/* tlsharness/x509_store.h — (being written). */
#ifndef TLSHARNESS_X509_STORE_H
#define TLSHARNESS_X509_STORE_H

#include "tlsharness/common.h"

#endif
