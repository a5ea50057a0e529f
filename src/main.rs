// The build allocates and frees many small strings per page; mimalloc does
// that faster than the system allocator (measured in bench/run.sh).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    wingreport::cli::run()
}
