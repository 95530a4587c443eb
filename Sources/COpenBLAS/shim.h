// OpenBLAS's CBLAS interface; Debian ships no pkg-config file on the search path.
#include <cblas.h>
