/* tlsharness/fixtures.h — (being written). */
#ifndef TLSHARNESS_FIXTURES_H
#define TLSHARNESS_FIXTURES_H

#include "tlsharness/common.h"

#endif
