#ifndef CPCRE2_SHIM_H
#define CPCRE2_SHIM_H
// pcre2.h refuses to compile unless the code-unit width is chosen first, and a
// C target's cSettings do not reach the Clang importer: the define lives here.
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

// PCRE2_ZERO_TERMINATED is `(~(PCRE2_SIZE)0)`: not importable as a macro.
static inline PCRE2_SIZE cpcre2_zero_terminated(void) { return PCRE2_ZERO_TERMINATED; }
#endif
