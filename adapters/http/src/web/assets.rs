//! The desk's static files, embedded in the binary (so `cargo run` needs no npm and a
//! deployment is one file): its own stylesheet, script and icon, and the vendored htmx with its
//! SSE extension (`web/assets/vendor`, refreshed by `scripts/vendor-web.sh`). Each is
//! served with a strong ETag and a day's caching.

use axum::extract::Path;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

/// One embedded file.
struct Asset {
    path: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

macro_rules! asset {
    ($path:literal, $type:literal) => {
        Asset {
            path: $path,
            content_type: $type,
            bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/web/assets/", $path)),
        }
    };
}

const ASSETS: &[Asset] = &[
    asset!("desk.css", "text/css; charset=utf-8"),
    asset!("desk.js", "text/javascript; charset=utf-8"),
    asset!("favicon.svg", "image/svg+xml"),
    asset!("vendor/htmx.min.js", "text/javascript; charset=utf-8"),
    asset!("vendor/htmx-sse.min.js", "text/javascript; charset=utf-8"),
    asset!("vendor/htmx.LICENSE", "text/plain; charset=utf-8"),
    asset!("vendor/htmx-sse.LICENSE", "text/plain; charset=utf-8"),
];

/// The tag of an embedded file: FNV-1a of its bytes (the files change only with the binary).
fn etag(bytes: &[u8]) -> String {
    let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("\"{hash:016x}\"")
}

/// `GET /assets/{*path}`.
pub(crate) async fn serve(Path(path): Path<String>, headers: HeaderMap) -> Response {
    let Some(asset) = ASSETS.iter().find(|a| a.path == path) else {
        return (StatusCode::NOT_FOUND, "no such file").into_response();
    };
    let tag = etag(asset.bytes);
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        == Some(tag.as_str())
    {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, tag)]).into_response();
    }
    (
        [
            (header::CONTENT_TYPE, asset.content_type.to_string()),
            (header::ETAG, tag),
            (header::CACHE_CONTROL, "public, max-age=86400".to_string()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        asset.bytes,
    )
        .into_response()
}
