/* tlsharness/x509_extension.h — (being written). */
#ifndef TLSHARNESS_X509_EXTENSION_H
#define TLSHARNESS_X509_EXTENSION_H

#include "tlsharness/common.h"

#endif
