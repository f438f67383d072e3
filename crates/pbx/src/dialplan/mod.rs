//! Inbound routes and outbound routes: which trunk a call came from, which business name
//! it called and where it should ring; which trunk an outgoing number leaves by.

mod model;

pub use model::*;
