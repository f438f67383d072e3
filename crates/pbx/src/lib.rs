//! pbx
