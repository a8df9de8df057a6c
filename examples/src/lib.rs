//! fxs-examples (work in progress)
