//! `app`: the application as rules see it — a read-only map shared by reference.
//!
//! Rhai passes arguments to script functions by value, and a plain Rhai map would be copied
//! on every call; rules scripts call small helpers (`flag(app, "x")`) many times per plan,
//! so copies dominated planning time. An `AppMap` is an `Arc` around the map: passing it
//! costs a reference-count bump, and since it registers no setter, a rule cannot change the
//! application another rule reads. `app.field`, `app["field"]`, `"field" in app`,
//! `app.keys()` and `app.len()` work as on a map; a missing field reads as `()`.

use std::sync::Arc;

use rhai::{Dynamic, Engine, ImmutableString, Map};

/// The read-only application map.
#[derive(Debug, Clone)]
pub struct AppMap(Arc<Map>);

impl AppMap {
    /// Wraps a map.
    pub fn new(map: Map) -> AppMap {
        AppMap(Arc::new(map))
    }

    /// The field `name`, or `()` when the application does not have it.
    pub fn get(&self, name: &str) -> Dynamic {
        self.0.get(name).cloned().unwrap_or(Dynamic::UNIT)
    }
}

/// Registers the `app` type and its read-only accessors on `engine`.
pub(crate) fn register(engine: &mut Engine) {
    engine
        .register_type_with_name::<AppMap>("map")
        .register_indexer_get(|app: &mut AppMap, name: ImmutableString| app.get(&name))
        .register_fn("contains", |app: &mut AppMap, name: ImmutableString| {
            app.0.contains_key(name.as_str())
        })
        .register_fn("len", |app: &mut AppMap| app.0.len() as rhai::INT)
        .register_fn("keys", |app: &mut AppMap| -> rhai::Array {
            app.0.keys().map(|k| Dynamic::from(k.clone())).collect()
        });
}
