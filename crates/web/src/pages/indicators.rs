//! Indicator explorer pages (filled in below).
