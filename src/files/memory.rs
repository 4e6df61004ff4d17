//! How the process takes memory from the C allocator (issue 17).

/// One malloc arena per core, unless `MALLOC_ARENA_MAX` says otherwise.
///
/// glibc gives each new thread that meets a busy arena a new one, up to
/// eight per core. The run's many short-lived threads (readers, inflaters,
/// parsers, writers) then leave memory spread over a dozen arenas, none of
/// which can give it back: on a national month the peak was 120 MB higher
/// (1.42 GB against 1.30 GB) for no gain in speed (docs/performance.md).
/// Called first thing in `main`, before any thread exists.
pub fn one_arena_per_core() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        if std::env::var_os("MALLOC_ARENA_MAX").is_some() {
            return;
        }
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let arenas = libc::c_int::try_from(cores).unwrap_or(libc::c_int::MAX);
        // SAFETY: mallopt only sets an allocator parameter; no thread is
        // running yet, and a refused setting (returns 0) leaves glibc's default.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, arenas);
        }
    }
}
