//! A Typst world held entirely in memory: one main source, a few data files and the
//! fonts bundled with `typst-assets`. No file system, no packages, no network.

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

/// Fonts and library are loaded once per process: parsing the fonts is the slowest
/// part of a small document.
struct Shared {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

static SHARED: LazyLock<Shared> = LazyLock::new(|| {
    let fonts: Vec<Font> = typst_assets::fonts()
        .flat_map(|data| Font::iter(Bytes::new(data)))
        .collect();
    Shared {
        library: LazyHash::new(Library::default()),
        book: LazyHash::new(FontBook::from_fonts(&fonts)),
        fonts,
    }
});

/// The world of one compilation.
pub(crate) struct MemoryWorld {
    main: Source,
    files: HashMap<FileId, Bytes>,
}

/// File ids are interned for the life of the process, so only a bounded set of names
/// is ever used (`main.typ`, `data.json`, `c<N>.svg`).
fn file_id(name: &str) -> FileId {
    let path = VirtualPath::new(name).unwrap_or_else(|_| {
        VirtualPath::new("invalid").expect("a plain file name is a valid virtual path")
    });
    RootedPath::new(VirtualRoot::Project, path).intern()
}

impl MemoryWorld {
    pub(crate) fn new(main: &str, files: BTreeMap<String, Vec<u8>>) -> Self {
        MemoryWorld {
            main: Source::new(file_id("main.typ"), main.to_string()),
            files: files
                .into_iter()
                .map(|(name, data)| (file_id(&name), Bytes::new(data)))
                .collect(),
        }
    }
}

impl World for MemoryWorld {
    fn library(&self) -> &LazyHash<Library> {
        &SHARED.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &SHARED.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main.id() {
            return Ok(Bytes::from_string(self.main.clone()));
        }
        self.files.get(&id).cloned().ok_or(FileError::AccessDenied)
    }

    fn font(&self, index: usize) -> Option<Font> {
        SHARED.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        None
    }
}
