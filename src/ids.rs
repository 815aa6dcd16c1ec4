//! The identities the later steps share: a checked file, a schema table. They sit below every
//! module that uses them (this module imports nothing from the crate), so that the predicate
//! algebra and the linker can both name a table without importing each other.

/// One source file of the project: its place in the project's list of files, given out by
/// [`PerFile`] and stored wherever linked data points back at the file it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub usize);

/// One schema table: its place in the project's list of tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TableId(pub usize);

/// One value per file, indexed by [`FileId`] (not by a bare number, so that an index into
/// another list cannot be used for a file by mistake).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PerFile<T>(Vec<T>);

impl<T> PerFile<T> {
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every file, in order.
    pub fn ids(&self) -> impl DoubleEndedIterator<Item = FileId> + ExactSizeIterator {
        (0..self.0.len()).map(FileId)
    }

    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.0.iter()
    }

    pub fn iter_mut(&mut self) -> std::slice::IterMut<'_, T> {
        self.0.iter_mut()
    }

    /// Every value with its file.
    pub fn iter_enumerated(&self) -> impl Iterator<Item = (FileId, &T)> {
        self.0.iter().enumerate().map(|(i, v)| (FileId(i), v))
    }

    pub fn get(&self, f: FileId) -> Option<&T> {
        self.0.get(f.0)
    }

    pub fn as_slice(&self) -> &[T] {
        &self.0
    }
}

impl<T> Default for PerFile<T> {
    fn default() -> Self {
        PerFile(Vec::new())
    }
}

impl<T> From<Vec<T>> for PerFile<T> {
    fn from(v: Vec<T>) -> Self {
        PerFile(v)
    }
}

impl<T> FromIterator<T> for PerFile<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        PerFile(iter.into_iter().collect())
    }
}

impl<T> std::ops::Index<FileId> for PerFile<T> {
    type Output = T;

    fn index(&self, f: FileId) -> &T {
        &self.0[f.0]
    }
}

impl<T> std::ops::IndexMut<FileId> for PerFile<T> {
    fn index_mut(&mut self, f: FileId) -> &mut T {
        &mut self.0[f.0]
    }
}

impl<T> IntoIterator for PerFile<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a, T> IntoIterator for &'a PerFile<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}
