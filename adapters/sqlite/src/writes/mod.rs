//! The changes each store sends to the writer thread (`crate::writer`), one module per
//! store, each with the SQL that carries it out. Kept apart from the stores so the writer
//! depends on what it runs and the stores on the writer, never both ways.

pub(crate) mod deadlines;
pub(crate) mod definitions;
pub(crate) mod deliveries;
pub(crate) mod events;
pub(crate) mod queue;
pub(crate) mod throttle;
