// Declarations only; Debian's libstb.so carries the implementation.
#include <stb_image.h>
