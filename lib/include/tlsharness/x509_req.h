/* tlsharness/x509_req.h — (being written). */
#ifndef TLSHARNESS_X509_REQ_H
#define TLSHARNESS_X509_REQ_H

#include "tlsharness/common.h"

#endif
