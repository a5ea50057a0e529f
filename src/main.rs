fn main() -> std::process::ExitCode {
    wingreport::cli::run()
}
