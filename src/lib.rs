//! drizzle-guard: a static checker for TypeScript applications that use Drizzle ORM.
//!
//! The pipeline, one module per step: [`discover`] → [`parse`] / [`extract`] → [`link`] →
//! [`rules`] → [`suppress`] → [`emit`], driven by [`engine`] and the [`cli`].

pub mod changed;
pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod discover;
pub mod emit;
pub mod engine;
pub mod error;
pub mod extract;
pub mod facts;
pub mod link;
pub mod parse;
pub mod predicate;
pub mod rules;
pub mod schema_view;
pub mod span;
pub mod suppress;
