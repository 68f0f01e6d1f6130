//! Typed indices: a node of the section tree, a loaded document and a tag are each numbered
//! from 0, and mixing them up would index the wrong table without a word from the compiler.
//! Each gets its own id type, and [`IdVec`] is a vector that only its own id type can index.
//! Shared by `load` (documents) and `link` (nodes, tags) and everything after them.

use std::marker::PhantomData;

/// An index type: a `usize` with a name.
pub trait Id: Copy {
    fn new(index: usize) -> Self;
    fn index(self) -> usize;
}

/// Declares an id type.
macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
        pub struct $name(usize);

        impl $crate::ids::Id for $name {
            fn new(index: usize) -> Self {
                $name(index)
            }
            fn index(self) -> usize {
                self.0
            }
        }
    };
}
pub(crate) use id_type;

/// A vector indexed by one id type only.
#[derive(Debug, Clone)]
pub struct IdVec<I, T> {
    items: Vec<T>,
    _id: PhantomData<fn(I)>,
}

impl<I, T> Default for IdVec<I, T> {
    fn default() -> Self {
        IdVec {
            items: Vec::new(),
            _id: PhantomData,
        }
    }
}

impl<I: Id, T> IdVec<I, T> {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with_capacity(n: usize) -> Self {
        IdVec {
            items: Vec::with_capacity(n),
            _id: PhantomData,
        }
    }

    /// The items, in id order.
    pub fn into_vec(self) -> Vec<T> {
        self.items
    }

    /// Appends an item and returns its id.
    pub fn push(&mut self, item: T) -> I {
        self.items.push(item);
        I::new(self.items.len() - 1)
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn get(&self, id: I) -> Option<&T> {
        self.items.get(id.index())
    }

    /// Every id, in order.
    pub fn ids(&self) -> impl DoubleEndedIterator<Item = I> + ExactSizeIterator + use<I, T> {
        (0..self.items.len()).map(I::new)
    }

    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }

    pub fn iter_mut(&mut self) -> std::slice::IterMut<'_, T> {
        self.items.iter_mut()
    }

    /// Ids with their items.
    pub fn iter_enumerated(&self) -> impl Iterator<Item = (I, &T)> {
        self.items.iter().enumerate().map(|(i, t)| (I::new(i), t))
    }

    /// Every id, for rayon.
    pub fn par_ids(&self) -> impl rayon::iter::IndexedParallelIterator<Item = I> + use<I, T>
    where
        I: Send,
    {
        use rayon::prelude::*;
        (0..self.items.len()).into_par_iter().map(I::new)
    }

    /// The items as a plain slice, for parallel iteration (positions are ids).
    pub fn as_slice(&self) -> &[T] {
        &self.items
    }
}

impl<I: Id, T> FromIterator<T> for IdVec<I, T> {
    fn from_iter<It: IntoIterator<Item = T>>(iter: It) -> Self {
        IdVec {
            items: iter.into_iter().collect(),
            _id: PhantomData,
        }
    }
}

impl<I: Id, T: Send> rayon::iter::FromParallelIterator<T> for IdVec<I, T> {
    fn from_par_iter<P: rayon::iter::IntoParallelIterator<Item = T>>(iter: P) -> Self {
        let items: Vec<T> = rayon::iter::FromParallelIterator::from_par_iter(iter);
        items.into()
    }
}

impl<I: Id, T> From<Vec<T>> for IdVec<I, T> {
    fn from(items: Vec<T>) -> Self {
        IdVec {
            items,
            _id: PhantomData,
        }
    }
}

impl<I: Id, T> std::ops::Index<I> for IdVec<I, T> {
    type Output = T;
    fn index(&self, id: I) -> &T {
        &self.items[id.index()]
    }
}

impl<I: Id, T> std::ops::IndexMut<I> for IdVec<I, T> {
    fn index_mut(&mut self, id: I) -> &mut T {
        &mut self.items[id.index()]
    }
}

impl<'a, I: Id, T> IntoIterator for &'a IdVec<I, T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

impl<'a, I: Id, T> IntoIterator for &'a mut IdVec<I, T> {
    type Item = &'a mut T;
    type IntoIter = std::slice::IterMut<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    id_type!(A);

    #[test]
    fn push_returns_the_id_that_indexes_the_item() {
        let mut v: IdVec<A, &str> = IdVec::new();
        let a = v.push("a");
        let b = v.push("b");
        assert_eq!((v[a], v[b]), ("a", "b"));
        assert_eq!(v.ids().collect::<Vec<_>>(), vec![a, b]);
    }
}
