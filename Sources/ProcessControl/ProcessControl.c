#include "ProcessControl.h"

#if defined(__linux__)
#include <malloc.h>
#include <sys/prctl.h>

int flowline_forbid_inspection(void) { return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0 ? 0 : -1; }

int flowline_return_freed_memory(void) {
    return mallopt(M_MMAP_THRESHOLD, 128 * 1024) == 1 && mallopt(M_TRIM_THRESHOLD, 1024 * 1024) == 1 ? 0 : -1;
}
#else
int flowline_forbid_inspection(void) { return -1; }
int flowline_return_freed_memory(void) { return -1; }
#endif
