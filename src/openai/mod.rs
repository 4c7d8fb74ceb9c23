//! The OpenAI Admin API: request building, pagination, retries, typed errors, wire types.

pub mod wire;
