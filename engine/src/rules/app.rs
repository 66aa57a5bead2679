//! `app`: the application as rules see it — a read-only map shared by reference.
//!
//! Rhai passes arguments to script functions by value, and a plain Rhai map would be copied
//! on every call; rules scripts call many small functions with `app` per plan, so copies
//! dominated planning time. An `AppMap` is an `Arc` around the map: passing it
//! costs a reference-count bump, and since it registers no setter, a rule cannot change the
//! application another rule reads. `app.field`, `app["field"]`, `"field" in app`,
//! `app.keys()` and `app.len()` work as on a map; a missing field reads as `()`.

use std::sync::Arc;

use rhai::{Dynamic, Engine, ImmutableString, Map, FLOAT, INT};

/// The read-only application map.
#[derive(Debug, Clone)]
pub struct AppMap(Arc<Map>);

impl AppMap {
    /// Wraps a map.
    pub fn new(map: Map) -> AppMap {
        AppMap(Arc::new(map))
    }

    /// Converts a JSON object, as `rhai::serde::to_dynamic` would but directly (it is done
    /// once per plan): `null` → `()`, an integer → `i64` (a larger one → `f64`), a decimal
    /// → `f64`, text → string, an array → array, an object → map.
    pub fn from_json(object: &serde_json::Map<String, serde_json::Value>) -> AppMap {
        AppMap::new(json_map(object))
    }

    /// The field `name`, or `()` when the application does not have it.
    pub fn get(&self, name: &str) -> Dynamic {
        self.lookup(name).cloned().unwrap_or(Dynamic::UNIT)
    }

    /// The field `name`, if the application has it, without copying it.
    pub fn lookup(&self, name: &str) -> Option<&Dynamic> {
        self.0.get(name)
    }
}

fn json_map(object: &serde_json::Map<String, serde_json::Value>) -> Map {
    object
        .iter()
        .map(|(key, value)| (key.as_str().into(), json_value(value)))
        .collect()
}

fn json_value(value: &serde_json::Value) -> Dynamic {
    use serde_json::Value;
    match value {
        Value::Null => Dynamic::UNIT,
        Value::Bool(b) => Dynamic::from_bool(*b),
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                match INT::try_from(u) {
                    Ok(i) => Dynamic::from_int(i),
                    Err(_) => Dynamic::from_float(u as FLOAT),
                }
            } else if let Some(i) = n.as_i64() {
                Dynamic::from_int(i)
            } else {
                Dynamic::from_float(n.as_f64().unwrap_or(FLOAT::NAN))
            }
        }
        Value::String(text) => Dynamic::from(ImmutableString::from(text.as_str())),
        Value::Array(items) => Dynamic::from_array(items.iter().map(json_value).collect()),
        Value::Object(object) => Dynamic::from_map(json_map(object)),
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
