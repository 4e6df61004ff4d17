//! How the process takes memory from the C allocator (issue 17).

/// Two malloc arenas per core, unless `MALLOC_ARENA_MAX` says otherwise.
///
/// glibc gives each new thread that meets a busy arena a new one, up to
/// eight per core. The run's many short-lived threads (readers, inflaters,
/// parsers, writers) then leave memory spread over a dozen arenas, none of
/// which can give it back: on a national month the peak was 1.41–1.42 GB
/// with glibc's default, 1.35–1.37 GB with two arenas per core, the same
/// speed (docs/performance.md). One per core saved a little more, but two
/// busy threads sharing an arena wait on its lock; two per core keeps the
/// rules' and writers' threads apart. Called first thing in `main`.
pub fn two_arenas_per_core() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        if std::env::var_os("MALLOC_ARENA_MAX").is_some() {
            return;
        }
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let arenas = libc::c_int::try_from(cores.saturating_mul(2)).unwrap_or(libc::c_int::MAX);
        // SAFETY: mallopt only sets an allocator parameter; no thread is
        // running yet, and a refused setting (returns 0) leaves glibc's default.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, arenas);
        }
    }
}
