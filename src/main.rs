// The build allocates and frees many small strings per page; mimalloc does
// that faster than the system allocator (measured in bench/run.sh).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    wingreport::cli::run(release_memory)
}

/// Gives back to the system the pages mimalloc holds freed, on every
/// thread a build ran on: each keeps its own.
fn release_memory() {
    // SAFETY: `mi_collect` only frees what the calling thread's heap holds
    // unused; it takes no pointer and any thread may call it at any time.
    let collect = || unsafe { libmimalloc_sys::mi_collect(true) };
    rayon::broadcast(|_| collect());
    collect();
}
