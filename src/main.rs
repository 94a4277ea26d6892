fn main() {
    std::process::exit(fixgen::cli::run());
}
