/* sanitizer.h -- FLEETD_UNDER_ASAN: 1 when AddressSanitizer instruments
 * this build (GCC says so with __SANITIZE_ADDRESS__, clang through
 * __has_feature), else 0.  The allocators that keep free lists in front of
 * malloc() (store_alloc.c, json_alloc.c) stand aside then, so that it sees
 * every block come and go.  Owns nothing. */
#ifndef FLEETD_SANITIZER_H
#define FLEETD_SANITIZER_H

#if defined(__SANITIZE_ADDRESS__)
#define FLEETD_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FLEETD_UNDER_ASAN 1
#endif
#endif
#ifndef FLEETD_UNDER_ASAN
#define FLEETD_UNDER_ASAN 0
#endif

#endif
