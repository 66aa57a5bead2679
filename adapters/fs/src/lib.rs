//! Reads definitions from disk: `workflows/*.yaml`, `workflows/departments.yaml`,
//! `rules/*.rhai` and `rules/calendars/<id>/<year>.yaml`, and hands their texts to the pure
//! core.
