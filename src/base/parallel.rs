//! How many threads the directory reader's pieces use, and the sorted
//! runs of codes. Work that is a plain map over many items uses rayon.

/// How many threads the parallel parts use: one per processor, at most 8.
/// Asked of the system once (each asking reads the process's CPU limits).
pub fn processors() -> usize {
    static PROCESSORS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *PROCESSORS.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()).min(8))
}
