//! The web behaviour suite: every test runs against the real router over HTTP, once
//! on SQLite and once on PostgreSQL (`both!`), e.g. `auth::login::sqlite` and
//! `auth::login::postgres`.

#[macro_use]
#[path = "../common/mod.rs"]
mod common;

mod account;
mod api;
mod auth;
mod i18n;
mod permissions;
mod security;
