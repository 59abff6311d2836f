#include "ProcessControl.h"

#if defined(__linux__)
#include <sys/prctl.h>

int flowline_forbid_inspection(void) { return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0 ? 0 : -1; }
#else
int flowline_forbid_inspection(void) { return -1; }
#endif
