//! The pieces of a block's data table and outcome list.

use super::format::Badge;

/// One cell of a block's data table.
pub struct Cell {
    /// Text.
    pub text: String,
    /// Outcome badge shown after the text.
    pub badge: Option<Badge>,
    /// Right-aligned number.
    pub num: bool,
}

impl Cell {
    /// A right-aligned number.
    pub(super) fn num(text: String) -> Cell {
        Cell {
            text,
            badge: None,
            num: true,
        }
    }

    /// Plain text.
    pub(super) fn text(text: String) -> Cell {
        Cell {
            text,
            badge: None,
            num: false,
        }
    }

    /// Only an outcome badge (an empty cell when there is none, so columns line up).
    pub(super) fn badge(b: Option<Badge>) -> Cell {
        Cell {
            text: String::new(),
            badge: b,
            num: false,
        }
    }
}

/// One row of a block's data table: its heading (year, area, …) and its cells.
pub(super) type Row = (String, Vec<Cell>);

/// One outcome of the block's year: the area against one comparator.
pub struct OutcomeView {
    /// The comparator's name.
    pub against: String,
    /// Its value, formatted.
    pub value: String,
    /// The outcome.
    pub badge: Badge,
}
