//! Where greenlane's warnings, yellow and red cards and at-risk notices go. An alerts file
//! ([`AlertsFile`]) names the channels — signed webhooks ([`webhook`]), a Redis stream
//! ([`stream`]) for department systems on the Redis backend, and the log — and routes each
//! recipient of a notification (officer, coordinator, department head, center office,
//! supervision office, applicant), per center and department, to channels and to the
//! named people a center has. [`FileRoutes`] turns a notification into deliveries for the
//! runtime's outbox; [`FileChannels`] sends them for its deliverer.

mod channels;
mod file;
mod payload;
mod routes;
pub mod stream;
pub mod webhook;

pub use channels::FileChannels;
pub use file::{AlertsFile, ChannelKind, ChannelSpec, FileError, Person, RecipientKind, RouteSpec};
pub use routes::FileRoutes;
