//! The sandboxed Rhai engine every rule runs in.
//!
//! Rules are written by policy staff and published at run time, so a mistake in one must
//! not hang or exhaust the engine: every evaluation is bounded in operations, call depth,
//! expression depth and the size of the strings, arrays and maps it may build. The crate is
//! built with Rhai's `no_module` feature, so `import` does not even parse; `eval` is
//! disabled and `print`/`debug` go nowhere. Rhai itself offers no file or network access.

use rhai::Engine;

/// Operations one evaluation may take. A rule that loops forever stops here, well under a
/// second even in a debug build; real rules take a few hundred.
pub const MAX_OPERATIONS: u64 = 200_000;

/// Builds a Rhai engine with greenlane's sandbox limits.
pub fn sandboxed_engine() -> Engine {
    let mut engine = Engine::new();
    engine
        .set_max_operations(MAX_OPERATIONS)
        .set_max_call_levels(32)
        .set_max_expr_depths(64, 32)
        .set_max_string_size(64 * 1024)
        .set_max_array_size(10_000)
        .set_max_map_size(10_000)
        .set_max_variables(1_000)
        .set_max_functions(1_000)
        .set_strict_variables(true)
        .disable_symbol("eval");
    engine.set_optimization_level(rhai::OptimizationLevel::Full);
    super::app::register(&mut engine);
    super::helpers::register(&mut engine);
    engine.on_print(|_| {});
    engine.on_debug(|_, _, _| {});
    engine
}
