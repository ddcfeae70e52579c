#include <mongoc/mongoc.h>

// bson_t and bson_iter_t are declared 128-byte aligned, so Swift imports them as opaque
// types and cannot allocate them. These helpers give heap storage with that alignment.
// The aligned attribute sits on the typedef, so sizeof (bson_iter_t) is 80, not a multiple
// of 128, which aligned_alloc requires: round the size up.
#define CMONGOC_ALIGNED_SIZE(T) ((sizeof (T) + BSON_ALIGNOF (T) - 1) / BSON_ALIGNOF (T) * BSON_ALIGNOF (T))

/// An initialised, empty bson_t for out-parameters (replies); free with cmongoc_bson_free.
static inline bson_t *cmongoc_bson_alloc(void) {
    bson_t *bson = (bson_t *) bson_aligned_alloc0(BSON_ALIGNOF(bson_t), CMONGOC_ALIGNED_SIZE(bson_t));
    bson_init(bson);
    return bson;
}

/// Destroys a bson_t from cmongoc_bson_alloc (the callee may have re-initialised it).
static inline void cmongoc_bson_free(bson_t *bson) {
    bson_destroy(bson);
    bson_free(bson);
}

/// Storage for one iterator; free with cmongoc_iter_free.
static inline bson_iter_t *cmongoc_iter_alloc(void) {
    return (bson_iter_t *) bson_aligned_alloc0(BSON_ALIGNOF(bson_iter_t), CMONGOC_ALIGNED_SIZE(bson_iter_t));
}

static inline void cmongoc_iter_free(bson_iter_t *iter) {
    bson_free(iter);
}
