//! The `greenlane` command.

fn main() {}
