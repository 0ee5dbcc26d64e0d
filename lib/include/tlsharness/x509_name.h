/* tlsharness/x509_name.h — (being written). */
#ifndef TLSHARNESS_X509_NAME_H
#define TLSHARNESS_X509_NAME_H

#include "tlsharness/common.h"

#endif
