// The C11 header test, compiled as C++17.
#include "header_twice.c"
