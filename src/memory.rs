//! Allocator settings for large builds (glibc on Linux; elsewhere these do nothing).
//!
//! A build of 10,000 recipes allocates and frees buffers of several megabytes one after another
//! (the module, the .reg files, REVIEW.md) and millions of small strings on worker threads
//! (the recipes' models). With glibc's defaults, the first raise its mmap threshold (up to
//! 32 MB) each time one is freed, after which they come from the heap, where growing one
//! copies it; the second stay in the worker threads' arenas after they are freed, where the
//! main thread cannot reuse them. Both showed as peak memory (see BENCHMARKS.md).

/// Pin the mmap threshold: big buffers get their own mappings, given back when freed.
/// Call once at start, before other threads exist.
pub(crate) fn tune() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 256 * 1024);
    }
}

/// Give free memory of every arena back to the system (after a large structure is dropped).
pub(crate) fn release() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns unused pages; it is thread-safe.
    unsafe {
        libc::malloc_trim(0);
    }
}
