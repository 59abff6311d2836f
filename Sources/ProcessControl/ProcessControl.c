#include "ProcessControl.h"

#if defined(__linux__)
#include <sys/prctl.h>

int flowline_forbid_inspection(void) { return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0 ? 0 : -1; }

int flowline_is_dumpable(void) { return prctl(PR_GET_DUMPABLE, 0, 0, 0, 0); }
#else
int flowline_forbid_inspection(void) { return -1; }

int flowline_is_dumpable(void) { return -1; }
#endif
