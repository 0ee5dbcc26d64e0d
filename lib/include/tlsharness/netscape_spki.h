/* tlsharness/netscape_spki.h — (being written). */
#ifndef TLSHARNESS_NETSCAPE_SPKI_H
#define TLSHARNESS_NETSCAPE_SPKI_H

#include "tlsharness/common.h"

#endif
