// The C header test, compiled as C++11..C++20.
#include "header_twice.c"
