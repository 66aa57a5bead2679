//! Built-in helpers that read the application safely, as native Rust functions.
//!
//! Every workflow reads the application through the same small functions (`flag(app, "x")`,
//! `num(app, "x")`, `not_held(app, "task-id")`, …), and its expressions call them a few
//! hundred times per plan. A call of a script function costs far more in Rhai than a call
//! of a native one, so the engine provides them and a script need not (and should not)
//! define them. A script that defines one of them anyway keeps its own version, since Rhai
//! looks up script functions first.
//!
//! A missing field, or a field of the wrong type, reads as `()` / false / 0 / "" / [], so a
//! short application never fails to plan. They accept the read-only `app` ([`AppMap`]) as well as a plain object
//! map, in either call style: `flag(app, "x")` or `app.flag("x")`.

use rhai::{
    Array, Dynamic, Engine, EvalAltResult, ImmutableString, Map, NativeCallContext, Position,
    Variant, INT,
};

use super::AppMap;

/// The built-in helpers as `(name, number of arguments)`.
pub const HELPERS: &[(&str, usize)] = &[
    ("field", 2),
    ("flag", 2),
    ("flag_or", 3),
    ("num", 2),
    ("text", 2),
    ("list", 2),
    ("held", 2),
    ("not_held", 2),
    ("holds_none", 2),
];

/// Whether `name` is a built-in helper, whatever its number of arguments.
pub(crate) fn is_helper(name: &str) -> bool {
    HELPERS.iter().any(|(n, _)| *n == name)
}

/// Whether the engine provides a helper `name` taking `arity` arguments.
pub(crate) fn defines(name: &str, arity: usize) -> bool {
    HELPERS.iter().any(|&(n, a)| n == name && a == arity)
}

type Result<T> = std::result::Result<T, Box<EvalAltResult>>;

/// A map the helpers read fields of.
trait Fields: Variant + Clone {
    /// The field `name`, if present.
    fn lookup(&self, name: &str) -> Option<&Dynamic>;
}

impl Fields for AppMap {
    fn lookup(&self, name: &str) -> Option<&Dynamic> {
        self.lookup(name)
    }
}

impl Fields for Map {
    fn lookup(&self, name: &str) -> Option<&Dynamic> {
        self.get(name)
    }
}

/// Registers the helpers on `engine`, for the `app` map and for plain maps.
pub(crate) fn register(engine: &mut Engine) {
    register_for::<AppMap>(engine);
    register_for::<Map>(engine);
}

fn register_for<T: Fields>(engine: &mut Engine) {
    engine
        // The value of a field, or () when the application does not have it.
        .register_fn("field", |app: &mut T, name: ImmutableString| {
            app.lookup(&name).cloned().unwrap_or(Dynamic::UNIT)
        })
        // A yes/no field: true only when it is the boolean true.
        .register_fn("flag", |app: &mut T, name: ImmutableString| {
            flag(app.lookup(&name))
        })
        // A yes/no field with a default used when it is missing or not a boolean.
        .register_fn(
            "flag_or",
            |app: &mut T, name: ImmutableString, otherwise: Dynamic| match app.lookup(&name) {
                Some(value) if value.is_bool() => value.clone(),
                _ => otherwise,
            },
        )
        // A whole number; a decimal is cut to its integer part; anything else is 0.
        .register_fn("num", |app: &mut T, name: ImmutableString| {
            num(app.lookup(&name))
        })
        // A text field, or "" when missing.
        .register_fn("text", |app: &mut T, name: ImmutableString| {
            match app.lookup(&name).map(Dynamic::as_immutable_string_ref) {
                Some(Ok(text)) => text.clone(),
                _ => ImmutableString::new(),
            }
        })
        // A list field, or [] when missing.
        .register_fn("list", |app: &mut T, name: ImmutableString| -> Array {
            match app.lookup(&name).map(Dynamic::as_array_ref) {
                Some(Ok(list)) => list.clone(),
                _ => Array::new(),
            }
        })
        // Whether `app.held` lists task `id`.
        .register_fn(
            "held",
            |ctx: NativeCallContext, app: &mut T, id: ImmutableString| held(&ctx, app, id.into()),
        )
        .register_fn(
            "held",
            |ctx: NativeCallContext, app: &mut T, id: Dynamic| held(&ctx, app, id),
        )
        // Whether `app.held` does not list task `id`.
        .register_fn(
            "not_held",
            |ctx: NativeCallContext, app: &mut T, id: ImmutableString| {
                held(&ctx, app, id.into()).map(|held| !held)
            },
        )
        .register_fn(
            "not_held",
            |ctx: NativeCallContext, app: &mut T, id: Dynamic| {
                held(&ctx, app, id).map(|held| !held)
            },
        )
        // Whether `app.held` lists none of the given task ids.
        .register_fn(
            "holds_none",
            |ctx: NativeCallContext, app: &mut T, ids: Array| -> Result<bool> {
                for id in ids {
                    if held(&ctx, app, id)? {
                        return Ok(false);
                    }
                }
                Ok(true)
            },
        );
}

/// `flag`: true only for the boolean true.
fn flag(value: Option<&Dynamic>) -> bool {
    value.and_then(|v| v.as_bool().ok()).unwrap_or(false)
}

/// `num`: an integer as is, a decimal cut to its integer part (an error beyond the integer
/// range, as Rhai's `to_int`), anything else 0.
fn num(value: Option<&Dynamic>) -> Result<INT> {
    let Some(value) = value else { return Ok(0) };
    if let Ok(int) = value.as_int() {
        return Ok(int);
    }
    match value.as_float() {
        Ok(x) if x > (INT::MAX as f64) || x < (INT::MIN as f64) => {
            Err(Box::new(EvalAltResult::ErrorArithmetic(
                format!("Integer overflow: to_int({x})"),
                Position::NONE,
            )))
        }
        Ok(x) => Ok(x.trunc() as INT),
        Err(_) => Ok(0),
    }
}

/// `held`: whether `id in list(app, "held")`, i.e. whether the `held` field is an array with
/// an element equal to `id` by Rhai's `==`.
fn held<T: Fields>(ctx: &NativeCallContext, app: &T, id: Dynamic) -> Result<bool> {
    let Some(Ok(list)) = app.lookup("held").map(Dynamic::as_array_ref) else {
        return Ok(false);
    };
    if let Ok(wanted) = id.as_immutable_string_ref() {
        // A string equals only an equal string among the types JSON produces; anything
        // else takes Rhai's own comparison below.
        let mut decided = true;
        for item in list.iter() {
            if let Ok(text) = item.as_immutable_string_ref() {
                if *text == *wanted {
                    return Ok(true);
                }
            } else if !(item.is_unit()
                || item.is_bool()
                || item.is_int()
                || item.is_float()
                || item.is_array()
                || item.is_map())
            {
                decided = false;
                break;
            }
        }
        if decided {
            return Ok(false);
        }
    }
    let list: Array = list.clone();
    ctx.call_native_fn::<bool>("contains", (list, id))
}
