#ifndef FLOWLINE_PROCESS_CONTROL_H
#define FLOWLINE_PROCESS_CONTROL_H

/// Marks the calling process as not dumpable (Linux `prctl(PR_SET_DUMPABLE, 0)`): processes of the
/// same OS user (tasks included) can then no longer read its memory, environment or descriptors
/// through /proc or ptrace, and it writes no core dumps. Returns 0 on success, -1 elsewhere or on
/// failure. (A C function because Swift cannot call the variadic `prctl`.)
int flowline_forbid_inspection(void);

/// Makes glibc give large freed blocks back to the system at once: fixed mmap (128 KiB) and trim
/// (1 MiB) thresholds instead of the dynamic mmap threshold, which rises after each large free
/// and then keeps megabyte buffers (streamed artifacts, run data) resident in its arenas. Returns 0
/// on success, -1 elsewhere or on failure.
int flowline_return_freed_memory(void);

#endif
