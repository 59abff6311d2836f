// FuzzDriver is a header-only module (include/FuzzDriver.h); SwiftPM needs one source file.
#include "FuzzDriver.h"
